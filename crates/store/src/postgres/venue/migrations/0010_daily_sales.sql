-- Jauge schema v10: each season's sales by the day tickets were ordered (in the venue's time
-- zone), counting valid tickets of performances held: what weekly sales and "last season at
-- the same date" read. Every write that may change it empties it; the first read of a season
-- after builds that season's again.
CREATE TABLE season_daily_sales (
    season_start_year    BIGINT NOT NULL,
    day                  TEXT COLLATE "C" NOT NULL,
    tickets              BIGINT NOT NULL,
    paid_tickets         BIGINT NOT NULL,
    free_tickets         BIGINT NOT NULL,
    subscription_tickets BIGINT NOT NULL,
    revenue_cents        BIGINT NOT NULL,
    PRIMARY KEY (season_start_year, day)
);
