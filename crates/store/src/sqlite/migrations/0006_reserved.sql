-- Jauge schema v6: a ticket may be reserved — held by an order not paid yet (pretix's pending
-- orders, a box office's options). It counts in no sales figure until it is paid. SQLite cannot
-- change a CHECK constraint in place: the table is rebuilt, its rows and index kept.

CREATE TABLE ticket_v6 (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES source(id),
    external_id     TEXT NOT NULL,
    batch_id        INTEGER NOT NULL REFERENCES import_batch(id),
    order_id        INTEGER NOT NULL REFERENCES sale_order(id),
    performance_id  INTEGER NOT NULL REFERENCES performance(id),
    tariff_id       INTEGER NOT NULL REFERENCES tariff(id),
    amount_cents    INTEGER NOT NULL CHECK (amount_cents >= 0),
    face_value_cents INTEGER NOT NULL CHECK (face_value_cents >= 0),
    vat_bp          INTEGER NOT NULL CHECK (vat_bp BETWEEN 0 AND 10000),
    -- Equalities, not IN (…): SQLite checks a list of more than two values through a
    -- temporary table, row by row, which costs a large import about a tenth of its time.
    status          TEXT NOT NULL CHECK (status = 'valid' OR status = 'cancelled'
                                         OR status = 'refunded' OR status = 'reserved'),
    checked_in_at   INTEGER,
    attendee_key    TEXT REFERENCES patron(key),
    UNIQUE (source_id, external_id)
);
INSERT INTO ticket_v6 SELECT * FROM ticket;
DROP TABLE ticket;
ALTER TABLE ticket_v6 RENAME TO ticket;
CREATE INDEX ticket_sales ON ticket (performance_id);
