-- Jauge schema v1: the domain model. Instants are UTC seconds since the Unix epoch; money is
-- integer cents; VAT rates are basis points. Identity (patron_identity) is kept apart from
-- behaviour, which refers to the opaque patron key only.
--
-- Checks on codes are written `x = 'a' OR x = 'b'`, not `x IN ('a', 'b')`: SQLite evaluates the
-- IN form about three times slower per row, which cost a third of a bulk ticket load.

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE source (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE import_batch (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES source(id),
    origin      TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    facts       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE organisation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    legal_name TEXT NOT NULL,
    siret      TEXT NOT NULL,
    licence    TEXT NOT NULL
);

CREATE TABLE venue (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    name               TEXT NOT NULL,
    address            TEXT NOT NULL,
    postcode           TEXT NOT NULL,
    city               TEXT NOT NULL,
    insee              TEXT NOT NULL,
    time_zone          TEXT NOT NULL,
    place_type         TEXT NOT NULL,
    season_start_month INTEGER NOT NULL CHECK (season_start_month BETWEEN 1 AND 12)
);

CREATE TABLE hall (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    capacity INTEGER NOT NULL CHECK (capacity > 0)
);

CREATE TABLE show (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER NOT NULL REFERENCES source(id),
    external_id    TEXT NOT NULL,
    batch_id       INTEGER NOT NULL REFERENCES import_batch(id),
    title          TEXT NOT NULL,
    discipline     TEXT NOT NULL,
    company        TEXT,
    young_audience INTEGER NOT NULL CHECK (young_audience = 0 OR young_audience = 1),
    coproduction   INTEGER NOT NULL CHECK (coproduction = 0 OR coproduction = 1),
    festival       TEXT,
    UNIQUE (source_id, external_id)
);

CREATE TABLE performance (
    id                INTEGER PRIMARY KEY,
    source_id         INTEGER NOT NULL REFERENCES source(id),
    external_id       TEXT NOT NULL,
    batch_id          INTEGER NOT NULL REFERENCES import_batch(id),
    show_id           INTEGER NOT NULL REFERENCES show(id),
    hall_id           INTEGER NOT NULL REFERENCES hall(id),
    starts_at         INTEGER NOT NULL,
    -- The season the start falls in, in the venue's time zone (its first year).
    season_start_year INTEGER NOT NULL,
    capacity          INTEGER NOT NULL CHECK (capacity > 0),
    status            TEXT NOT NULL CHECK (status = 'scheduled' OR status = 'cancelled'),
    UNIQUE (source_id, external_id)
);
CREATE INDEX performance_by_season ON performance (season_start_year);

CREATE TABLE tariff (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES source(id),
    external_id TEXT NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batch(id),
    label       TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category = 'full_price' OR category = 'reduced'
        OR category = 'subscription' OR category = 'free' OR category = 'school_or_group'
        OR category = 'other'),
    UNIQUE (source_id, external_id)
);

-- The registry of opaque patron keys: what behaviour refers to. Holds no personal data.
CREATE TABLE patron (
    key      TEXT PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES import_batch(id)
) WITHOUT ROWID;

-- Who a patron is. Erasure deletes the row; the key and the facts stay.
CREATE TABLE patron_identity (
    patron_key TEXT PRIMARY KEY REFERENCES patron(key),
    source_id  INTEGER NOT NULL REFERENCES source(id),
    batch_id   INTEGER NOT NULL REFERENCES import_batch(id),
    first_name TEXT,
    last_name  TEXT,
    email      TEXT,
    phone      TEXT,
    postcode   TEXT,
    city       TEXT,
    country    TEXT,
    birth_year INTEGER
) WITHOUT ROWID;

CREATE TABLE sale_order (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES source(id),
    external_id TEXT NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batch(id),
    channel     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    buyer_key   TEXT REFERENCES patron(key),
    status      TEXT NOT NULL CHECK (status = 'pending' OR status = 'paid' OR status = 'cancelled'),
    UNIQUE (source_id, external_id)
);

CREATE TABLE ticket (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES source(id),
    external_id     TEXT NOT NULL,
    batch_id        INTEGER NOT NULL REFERENCES import_batch(id),
    order_id        INTEGER NOT NULL REFERENCES sale_order(id),
    performance_id  INTEGER NOT NULL REFERENCES performance(id),
    tariff_id       INTEGER NOT NULL REFERENCES tariff(id),
    amount_cents    INTEGER NOT NULL CHECK (amount_cents >= 0),
    face_value_cents INTEGER NOT NULL CHECK (face_value_cents >= 0),
    vat_bp          INTEGER NOT NULL CHECK (vat_bp BETWEEN 0 AND 10000),
    status          TEXT NOT NULL CHECK (status = 'valid' OR status = 'cancelled' OR status = 'refunded'),
    checked_in_at   INTEGER,
    attendee_key    TEXT REFERENCES patron(key),
    UNIQUE (source_id, external_id)
);
CREATE INDEX ticket_sales ON ticket (performance_id);

CREATE TABLE consent (
    id         INTEGER PRIMARY KEY,
    patron_key TEXT NOT NULL REFERENCES patron(key),
    channel    TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status = 'given' OR status = 'withdrawn'),
    at         INTEGER NOT NULL,
    source_id  INTEGER NOT NULL REFERENCES source(id),
    batch_id   INTEGER NOT NULL REFERENCES import_batch(id),
    proof      TEXT NOT NULL,
    UNIQUE (patron_key, channel, purpose, at, status)
);

CREATE TABLE campaign (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES source(id),
    external_id TEXT NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batch(id),
    name        TEXT NOT NULL,
    sent_at     INTEGER NOT NULL,
    UNIQUE (source_id, external_id)
);

CREATE TABLE campaign_event (
    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
    patron_key  TEXT NOT NULL REFERENCES patron(key),
    kind        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES import_batch(id),
    PRIMARY KEY (campaign_id, patron_key, kind, at)
) WITHOUT ROWID;
