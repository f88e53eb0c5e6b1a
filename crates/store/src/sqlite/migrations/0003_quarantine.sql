-- Jauge schema v3: the rows an import could not take, for a person to see and fix. Each import
-- of a file replaces the quarantine of that file from the same source.

CREATE TABLE quarantine (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES source(id),
    batch_id     INTEGER NOT NULL REFERENCES import_batch(id),
    origin       TEXT NOT NULL,
    line         INTEGER NOT NULL,
    column_index INTEGER,
    column_name  TEXT,
    raw          TEXT NOT NULL,
    reason       TEXT NOT NULL
);
CREATE INDEX quarantine_by_origin ON quarantine (source_id, origin);
