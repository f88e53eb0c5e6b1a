-- Jauge schema v11: what each performance's SIBIL declaration became when it was last sent:
-- SIBIL's identifier once it holds it (so that a re-send updates), and the last answer.
CREATE TABLE sibil_declaration (
    external_id    TEXT COLLATE "C" PRIMARY KEY,
    performance_id BIGINT NOT NULL REFERENCES performance(id),
    quarter        TEXT COLLATE "C" NOT NULL,
    sibil_id       BIGINT,
    state          TEXT COLLATE "C" NOT NULL CHECK (state = 'sent' OR state = 'failed'),
    message        TEXT COLLATE "C",
    sent_at        BIGINT NOT NULL
);
CREATE INDEX sibil_declaration_by_quarter ON sibil_declaration (quarter);
