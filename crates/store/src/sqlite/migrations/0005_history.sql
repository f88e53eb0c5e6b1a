-- Jauge schema v5: the history of facts a later export changed — what each held before, which
-- batch changed it and when.

CREATE TABLE change_history (
    id          INTEGER PRIMARY KEY,
    record      TEXT NOT NULL CHECK (record = 'ticket' OR record = 'order'),
    source_id   INTEGER NOT NULL REFERENCES source(id),
    external_id TEXT NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batch(id),
    changed_at  INTEGER NOT NULL,
    -- One `field: before → after` per change, separated by "; ".
    changes     TEXT NOT NULL
);
CREATE INDEX change_history_by_record ON change_history (source_id, record, external_id);
