-- Jauge schema v6: a ticket may be reserved — held by an order not paid yet (pretix's pending
-- orders, a box office's options). It counts in no sales figure until it is paid. PostgreSQL
-- changes the CHECK constraint in place.

ALTER TABLE ticket DROP CONSTRAINT ticket_status_check;
ALTER TABLE ticket ADD CONSTRAINT ticket_status_check CHECK (status = 'valid'
    OR status = 'cancelled' OR status = 'refunded' OR status = 'reserved');
