-- Jauge schema v18: live sources, the connections Jauge pulls from on a schedule (pretix): how
-- to reach them (the connector's settings as JSON, secrets included: the file is the venue's
-- and holds personal data already), where the next sync starts, how the last attempt went; and
-- the webhook notifications received, so that a notification sent twice is acted on once.
CREATE TABLE live_source (
    name             TEXT COLLATE "C" PRIMARY KEY,
    connector        TEXT COLLATE "C" NOT NULL,
    kind             TEXT COLLATE "C" NOT NULL,
    settings         TEXT COLLATE "C" NOT NULL,
    every_minutes    BIGINT NOT NULL CHECK (every_minutes > 0),
    cursor           TEXT COLLATE "C",
    hook_secret_hash TEXT COLLATE "C",
    last_attempt_at  BIGINT,
    last_success_at  BIGINT,
    last_error       TEXT COLLATE "C"
);

CREATE TABLE hook_notification (
    source       TEXT COLLATE "C" NOT NULL,
    notification TEXT COLLATE "C" NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (source, notification)
);
