-- Jauge schema v14: the people who may read the pages — accounts with a role and an Argon2id
-- password hash, their sessions (only a hash of each token is kept), and failed logins, for
-- throttling.
CREATE TABLE account (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role = 'admin' OR role = 'staff' OR role = 'analyst'
                                       OR role = 'viewer'),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    account    TEXT NOT NULL REFERENCES account(name) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE login_failure (
    account TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX login_failure_by_account ON login_failure (account, at);
