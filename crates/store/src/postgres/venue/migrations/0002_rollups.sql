-- Jauge schema v2: rollups kept current at import, so dashboards never scan raw tickets.

-- Sales of each performance, counting valid tickets only.
CREATE TABLE performance_sales (
    performance_id BIGINT PRIMARY KEY REFERENCES performance(id),
    tickets        BIGINT NOT NULL,
    paid_tickets   BIGINT NOT NULL,
    free_tickets   BIGINT NOT NULL,
    revenue_cents  BIGINT NOT NULL
);

-- Each buyer's valid tickets per season, for performances that were not cancelled.
CREATE TABLE patron_season (
    patron_key        TEXT COLLATE "C" NOT NULL REFERENCES patron(key),
    season_start_year BIGINT NOT NULL,
    tickets           BIGINT NOT NULL,
    PRIMARY KEY (patron_key, season_start_year)
);
CREATE INDEX patron_season_by_season ON patron_season (season_start_year, patron_key);

-- Backfill from the tickets a v1 database already holds.
INSERT INTO performance_sales
SELECT performance_id, count(*), count(*) FILTER (WHERE amount_cents > 0),
       count(*) FILTER (WHERE amount_cents = 0), sum(amount_cents)::bigint
FROM ticket WHERE status = 'valid' GROUP BY performance_id;

INSERT INTO patron_season
SELECT o.buyer_key, p.season_start_year, count(*)
FROM ticket t
JOIN sale_order o ON o.id = t.order_id
JOIN performance p ON p.id = t.performance_id
WHERE t.status = 'valid' AND p.status = 'scheduled' AND o.buyer_key IS NOT NULL
GROUP BY o.buyer_key, p.season_start_year;
