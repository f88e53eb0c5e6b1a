-- Jauge schema v17: each season's sales by tariff category (valid tickets of performances
-- held), what the season report's tariff mix reads. Built with `season_daily_sales`, by the
-- same pass over the season's tickets, and emptied with it; emptying the daily sales here makes
-- the first read after this migration build both.
CREATE TABLE season_tariff_sales (
    season_start_year BIGINT NOT NULL,
    category          TEXT COLLATE "C" NOT NULL,
    tickets           BIGINT NOT NULL,
    revenue_cents     BIGINT NOT NULL,
    PRIMARY KEY (season_start_year, category)
);

DELETE FROM season_daily_sales;
