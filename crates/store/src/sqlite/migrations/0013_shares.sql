-- Jauge schema v13: the extracts shared with external providers — the record the GDPR's
-- article 30 asks for (recipient, purpose, legal basis, fields, how long), and whether it was
-- revoked. The share's secret is never kept: not even Jauge can link an extract back.
CREATE TABLE data_share (
    id          INTEGER PRIMARY KEY,
    recipient   TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    fields      TEXT NOT NULL,
    revoked_at  INTEGER
);
