-- Shared buyers between venues, counted when a contribution arrives (from its tokens, against
-- the season's other tokens) instead of at each reading: of from_venue_id's token_persons
-- buyers with a token, `shared` also bought at to_venue_id. Only the hub's own role reads it;
-- venues see it through the hub, small counts suppressed. Distributed by from_venue_id.
ALTER TABLE hub_contribution ADD COLUMN token_persons BIGINT;
UPDATE hub_contribution c SET token_persons = (
    SELECT count(DISTINCT t.person) FROM hub_patron_token t
    WHERE t.venue_id = c.venue_id AND t.season = c.season);

CREATE TABLE hub_crossover (
    from_venue_id TEXT NOT NULL,
    season        TEXT NOT NULL,
    to_venue_id   TEXT NOT NULL,
    shared        BIGINT NOT NULL,
    PRIMARY KEY (from_venue_id, season, to_venue_id)
);
ALTER TABLE hub_crossover ENABLE ROW LEVEL SECURITY;

-- Contributions already held are counted by the code that applies this migration, one venue
-- at a time (one statement over every token would spill gigabytes to disk).
