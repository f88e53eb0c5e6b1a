-- Jauge schema v9: subscription tickets in the sales rollups, and each season's audience as a
-- rollup of persons.

ALTER TABLE performance_sales ADD COLUMN subscription_tickets BIGINT NOT NULL DEFAULT 0;
ALTER TABLE patron_season ADD COLUMN subscription_tickets BIGINT NOT NULL DEFAULT 0;
-- Snapshots kept before v9 did not count subscriptions: they read as none.
ALTER TABLE sales_snapshot ADD COLUMN subscription_tickets BIGINT NOT NULL DEFAULT 0;

WITH subscriptions AS (
    SELECT t.performance_id AS id, count(*) AS n
    FROM ticket t JOIN tariff ta ON ta.id = t.tariff_id
    WHERE t.status = 'valid' AND ta.category = 'subscription'
    GROUP BY t.performance_id)
UPDATE performance_sales SET subscription_tickets = subscriptions.n
FROM subscriptions WHERE subscriptions.id = performance_sales.performance_id;

WITH subscriptions AS (
    SELECT o.buyer_key AS buyer, p.season_start_year AS season, count(*) AS n
    FROM ticket t
    JOIN tariff ta ON ta.id = t.tariff_id
    JOIN sale_order o ON o.id = t.order_id
    JOIN performance p ON p.id = t.performance_id
    WHERE p.status = 'scheduled' AND t.status = 'valid' AND ta.category = 'subscription'
      AND o.buyer_key IS NOT NULL
    GROUP BY o.buyer_key, p.season_start_year)
UPDATE patron_season SET subscription_tickets = subscriptions.n
FROM subscriptions
WHERE subscriptions.buyer = patron_season.patron_key
  AND subscriptions.season = patron_season.season_start_year;

-- Each season's audience as persons (linked records once), figure by figure: `patrons`,
-- `first_timers`, `returning`, `frequency:<band>` and `segment:<segment>` (see
-- jauge_analytics::audience). Every write that may change it empties it; the first read after
-- builds it again, from patron_season and person.
CREATE TABLE season_audience (
    season_start_year BIGINT NOT NULL,
    figure            TEXT COLLATE "C" NOT NULL,
    value             BIGINT NOT NULL,
    PRIMARY KEY (season_start_year, figure)
);
