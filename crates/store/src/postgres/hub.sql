-- The hub of a network of venues, on PostgreSQL: each venue's contributions, one row set per
-- venue and season. Every table is keyed first by venue_id, the distribution column when the
-- hub grows past one machine (Citus: SELECT create_distributed_table('hub_contribution',
-- 'venue_id') and the same for the others, colocated), and Row-Level Security keeps each
-- venue's database role (venue_<venue_id>) to its own rows, whatever SQL it sends.
CREATE TABLE hub_venue (
    venue_id    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    insee       TEXT NOT NULL,
    departement TEXT NOT NULL,
    region      TEXT NOT NULL
);

CREATE TABLE hub_contribution (
    venue_id    TEXT NOT NULL REFERENCES hub_venue (venue_id),
    season      TEXT NOT NULL,
    format      INTEGER NOT NULL,
    built_at    TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    buyers      BIGINT NOT NULL CHECK (buyers >= 0),
    PRIMARY KEY (venue_id, season)
);

CREATE TABLE hub_performance (
    venue_id      TEXT NOT NULL,
    season        TEXT NOT NULL,
    n             INTEGER NOT NULL,
    month         TEXT NOT NULL,
    discipline    TEXT NOT NULL,
    size_band     TEXT NOT NULL,
    capacity      INTEGER NOT NULL CHECK (capacity > 0),
    tickets       BIGINT NOT NULL CHECK (tickets >= 0),
    paid_tickets  BIGINT NOT NULL CHECK (paid_tickets >= 0),
    revenue_cents BIGINT NOT NULL,
    tariffs       JSONB NOT NULL,
    PRIMARY KEY (venue_id, season, n),
    FOREIGN KEY (venue_id, season) REFERENCES hub_contribution (venue_id, season) ON DELETE CASCADE
);
CREATE INDEX hub_performance_peers ON hub_performance (season, discipline, size_band);

CREATE TABLE hub_area (
    venue_id TEXT NOT NULL,
    season   TEXT NOT NULL,
    level    TEXT NOT NULL CHECK (level IN ('commune', 'departement')),
    code     TEXT NOT NULL,
    buyers   BIGINT NOT NULL CHECK (buyers >= 0),
    PRIMARY KEY (venue_id, season, level, code),
    FOREIGN KEY (venue_id, season) REFERENCES hub_contribution (venue_id, season) ON DELETE CASCADE
);

CREATE TABLE hub_patron_token (
    venue_id TEXT NOT NULL,
    season   TEXT NOT NULL,
    person   INTEGER NOT NULL,
    token    TEXT NOT NULL,
    PRIMARY KEY (venue_id, season, person, token),
    FOREIGN KEY (venue_id, season) REFERENCES hub_contribution (venue_id, season) ON DELETE CASCADE
);
CREATE INDEX hub_patron_token_by_token ON hub_patron_token (season, token);

-- A venue's role sees and writes its own rows only; the hub's own role (the tables' owner)
-- reads them all to compute what it publishes.
CREATE FUNCTION hub_own_venue(venue_id TEXT) RETURNS BOOLEAN
    LANGUAGE sql STABLE AS $$ SELECT current_user = 'venue_' || venue_id $$;

ALTER TABLE hub_venue ENABLE ROW LEVEL SECURITY;
ALTER TABLE hub_contribution ENABLE ROW LEVEL SECURITY;
ALTER TABLE hub_performance ENABLE ROW LEVEL SECURITY;
ALTER TABLE hub_area ENABLE ROW LEVEL SECURITY;
ALTER TABLE hub_patron_token ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON hub_venue USING (hub_own_venue(venue_id)) WITH CHECK (hub_own_venue(venue_id));
CREATE POLICY own_rows ON hub_contribution USING (hub_own_venue(venue_id)) WITH CHECK (hub_own_venue(venue_id));
CREATE POLICY own_rows ON hub_performance USING (hub_own_venue(venue_id)) WITH CHECK (hub_own_venue(venue_id));
CREATE POLICY own_rows ON hub_area USING (hub_own_venue(venue_id)) WITH CHECK (hub_own_venue(venue_id));
CREATE POLICY own_rows ON hub_patron_token USING (hub_own_venue(venue_id)) WITH CHECK (hub_own_venue(venue_id));
