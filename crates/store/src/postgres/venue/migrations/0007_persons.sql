-- Jauge schema v7: which patron records are the same person, as record linkage found, and the
-- decisions a person took about pairs of records, which every later linkage respects.

-- Each patron record's person, and its part: the records strong links or decisions join,
-- which a later linkage of new records clusters again when they reach it. Both are named by
-- one of their patron keys.
CREATE TABLE person (
    patron_key TEXT COLLATE "C" PRIMARY KEY REFERENCES patron(key),
    person_key TEXT COLLATE "C" NOT NULL,
    part_key   TEXT COLLATE "C" NOT NULL,
    linked_at  BIGINT NOT NULL
);
CREATE INDEX person_by_key ON person (person_key);

-- "These two records are the same person" (same = 1) or "are not" (same = 0); a later decision
-- on the same pair replaces the earlier one. The keys are kept in order (a < b).
CREATE TABLE link_decision (
    a          TEXT COLLATE "C" NOT NULL,
    b          TEXT COLLATE "C" NOT NULL,
    same       BIGINT NOT NULL CHECK (same IN (0, 1)),
    decided_at BIGINT NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
);

-- What a CRM says of a person beyond the ticketing: the whole birth date (yyyy-mm-dd) and the
-- street address, which linkage compares.
ALTER TABLE patron_identity ADD COLUMN birth_date TEXT COLLATE "C";
ALTER TABLE patron_identity ADD COLUMN address TEXT COLLATE "C";
