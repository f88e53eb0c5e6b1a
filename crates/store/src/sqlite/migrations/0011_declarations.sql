-- Jauge schema v11: what each performance's SIBIL declaration became when it was last sent:
-- SIBIL's identifier once it holds it (so that a re-send updates), and the last answer.
CREATE TABLE sibil_declaration (
    external_id    TEXT PRIMARY KEY,
    performance_id INTEGER NOT NULL REFERENCES performance(id),
    quarter        TEXT NOT NULL,
    sibil_id       INTEGER,
    state          TEXT NOT NULL CHECK (state = 'sent' OR state = 'failed'),
    message        TEXT,
    sent_at        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sibil_declaration_by_quarter ON sibil_declaration (quarter);
