-- Each contribution's performances added up by discipline and size band, written with the
-- contribution: what benchmark pages read (a few rows a venue, not thousands).
CREATE TABLE hub_group (
    venue_id      TEXT NOT NULL,
    season        TEXT NOT NULL,
    discipline    TEXT NOT NULL,
    size_band     TEXT NOT NULL,
    performances  BIGINT NOT NULL,
    capacity      BIGINT NOT NULL,
    tickets       BIGINT NOT NULL,
    paid_tickets  BIGINT NOT NULL,
    revenue_cents BIGINT NOT NULL,
    PRIMARY KEY (venue_id, season, discipline, size_band),
    FOREIGN KEY (venue_id, season) REFERENCES hub_contribution (venue_id, season) ON DELETE CASCADE
);
ALTER TABLE hub_group ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON hub_group USING (hub_own_venue(venue_id)) WITH CHECK (hub_own_venue(venue_id));
INSERT INTO hub_group
    SELECT venue_id, season, discipline, size_band, count(*), sum(capacity), sum(tickets),
           sum(paid_tickets), sum(revenue_cents)
    FROM hub_performance GROUP BY venue_id, season, discipline, size_band;
-- Venues admitted before this table was made may use it too.
DO $$
DECLARE r RECORD;
BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'venue\_%' LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON hub_group TO %I', r.rolname);
    END LOOP;
END
$$;
