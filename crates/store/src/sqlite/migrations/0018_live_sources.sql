-- Jauge schema v18: live sources, the connections Jauge pulls from on a schedule (pretix): how
-- to reach them (the connector's settings as JSON, secrets included: the file is the venue's
-- and holds personal data already), where the next sync starts, how the last attempt went; and
-- the webhook notifications received, so that a notification sent twice is acted on once.
CREATE TABLE live_source (
    name             TEXT PRIMARY KEY,
    connector        TEXT NOT NULL,
    kind             TEXT NOT NULL,
    settings         TEXT NOT NULL,
    every_minutes    INTEGER NOT NULL CHECK (every_minutes > 0),
    cursor           TEXT,
    hook_secret_hash TEXT,
    last_attempt_at  INTEGER,
    last_success_at  INTEGER,
    last_error       TEXT
);

CREATE TABLE hook_notification (
    source       TEXT NOT NULL,
    notification TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (source, notification)
) WITHOUT ROWID;
