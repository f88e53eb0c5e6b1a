-- Jauge schema v16: API tokens — scoped, expiring, revocable; only their hash is kept (the
-- token is shown once, when it is made).
CREATE TABLE api_token (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
