-- Jauge schema v8: the sales of each performance as they stood on each day an import changed
-- them, so that a view "as of a day" gives what was known that day, whatever was cancelled or
-- refunded since. A day is the venue's local date (yyyy-mm-dd); a day repeats nothing the day
-- before already said.
CREATE TABLE sales_snapshot (
    day            TEXT COLLATE "C" NOT NULL,
    performance_id BIGINT NOT NULL REFERENCES performance(id),
    tickets        BIGINT NOT NULL,
    paid_tickets   BIGINT NOT NULL,
    free_tickets   BIGINT NOT NULL,
    revenue_cents  BIGINT NOT NULL,
    PRIMARY KEY (performance_id, day)
);
