-- Jauge schema v14: the people who may read the pages — accounts with a role and an Argon2id
-- password hash, their sessions (only a hash of each token is kept), and failed logins, for
-- throttling.
CREATE TABLE account (
    name          TEXT COLLATE "C" PRIMARY KEY,
    role          TEXT COLLATE "C" NOT NULL CHECK (role = 'admin' OR role = 'staff' OR role = 'analyst'
                                       OR role = 'viewer'),
    password_hash TEXT COLLATE "C" NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE session (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    account    TEXT COLLATE "C" NOT NULL REFERENCES account(name) ON DELETE CASCADE,
    csrf       TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE login_failure (
    account TEXT COLLATE "C" NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX login_failure_by_account ON login_failure (account, at);
