-- The hub's credentials for venues: the hash of each venue's token (the token itself is shown
-- once, when the venue is added). Only the hub's own role reads them.
CREATE TABLE hub_venue_token (
    venue_id   TEXT NOT NULL REFERENCES hub_venue (venue_id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (venue_id, token_hash)
);
ALTER TABLE hub_venue_token ENABLE ROW LEVEL SECURITY;
