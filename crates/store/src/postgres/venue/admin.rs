//! The venue's setup, declarations, shares, tokens, accounts, sessions, the audit log and settings on PostgreSQL.

use chrono::{DateTime, Utc};
use jauge_model::{Capacity, Hall, Organisation, SeasonStartMonth, Venue, VenueSetup};
use postgres::{Client, GenericClient};

use super::columns;
use super::corrupt;
use super::people::narrow;
use crate::audit;
use crate::postgres::database;
use crate::rows::to_seconds;
use crate::{
    Account, ApiToken, AuditBreak, AuditEntry, DeclarationRecord, Session, ShareRecord, StoreError,
    rows,
};

/// The organisation, venue and halls, once set up.
pub(super) fn setup(db: &mut Client) -> Result<Option<VenueSetup>, StoreError> {
    read_setup(db)
}

/// The organisation, venue and halls, through any connection or transaction.
pub(super) fn read_setup(db: &mut impl GenericClient) -> Result<Option<VenueSetup>, StoreError> {
    let organisation = db
        .query_opt("SELECT legal_name, siret, licence FROM organisation", &[])
        .map_err(database)?;
    let venue = db
        .query_opt(
            "SELECT name, address, postcode, city, insee, time_zone, place_type, season_start_month
             FROM venue",
            &[],
        )
        .map_err(database)?;
    let (Some(o), Some(v)) = (organisation, venue) else {
        return Ok(None);
    };
    let organisation = Organisation {
        legal_name: o.get::<_, String>(0).parse().map_err(corrupt)?,
        siret: o.get::<_, String>(1).parse().map_err(corrupt)?,
        licence: o.get::<_, String>(2).parse().map_err(corrupt)?,
    };
    let month: i64 = v.get(7);
    let venue = Venue {
        name: v.get::<_, String>(0).parse().map_err(corrupt)?,
        address: v.get(1),
        postcode: v.get::<_, String>(2).parse().map_err(corrupt)?,
        city: v.get::<_, String>(3).parse().map_err(corrupt)?,
        insee: v.get::<_, String>(4).parse().map_err(corrupt)?,
        time_zone: v
            .get::<_, String>(5)
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("time zone: {e}")))?,
        place_type: v.get::<_, String>(6).parse().map_err(corrupt)?,
        season_start: SeasonStartMonth::new(month as u32).map_err(corrupt)?,
    };
    let halls = db
        .query("SELECT name, capacity FROM hall ORDER BY id", &[])
        .map_err(database)?
        .iter()
        .map(|r| {
            Ok(Hall {
                name: r.get::<_, String>(0).parse().map_err(corrupt)?,
                capacity: Capacity::new(r.get::<_, i64>(1) as u32).map_err(corrupt)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(VenueSetup {
        organisation,
        venue,
        halls,
    }))
}

/// Sets up (or updates) the organisation, the venue and its halls (a hall missing from `setup`
/// is kept), and re-cuts performances into seasons.
pub(super) fn save_setup(db: &mut Client, setup: &VenueSetup) -> Result<(), StoreError> {
    let mut tx = db.transaction().map_err(database)?;
    let o = &setup.organisation;
    tx.execute(
        "INSERT INTO organisation (id, legal_name, siret, licence) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET legal_name = $1, siret = $2, licence = $3",
        &[
            &o.legal_name.as_str(),
            &o.siret.as_str(),
            &o.licence.as_str(),
        ],
    )
    .map_err(database)?;
    let v = &setup.venue;
    tx.execute(
        "INSERT INTO venue (id, name, address, postcode, city, insee, time_zone, place_type,
                            season_start_month)
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET name = $1, address = $2, postcode = $3, city = $4,
            insee = $5, time_zone = $6, place_type = $7, season_start_month = $8",
        &[
            &v.name.as_str(),
            &v.address,
            &v.postcode.as_str(),
            &v.city.as_str(),
            &v.insee.as_str(),
            &v.time_zone.name(),
            &v.place_type.sibil_code(),
            &i64::from(v.season_start.get()),
        ],
    )
    .map_err(database)?;
    for hall in &setup.halls {
        tx.execute(
            "INSERT INTO hall (name, capacity) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET capacity = $2",
            &[&hall.name.as_str(), &i64::from(hall.capacity.get())],
        )
        .map_err(database)?;
    }
    // The time zone or the season start may have changed: re-cut performances into seasons.
    super::write::reseason_performances(&mut tx, v.time_zone, v.season_start)?;
    tx.commit().map_err(database)
}

/// Records what sending declarations did, one record a declaration replacing its last; a
/// failure keeps the identifier SIBIL gave before.
pub(super) fn record_declarations(
    db: &mut Client,
    records: &[DeclarationRecord],
) -> Result<(), StoreError> {
    let mut tx = db.transaction().map_err(database)?;
    let upsert = tx
        .prepare(
            "INSERT INTO sibil_declaration (external_id, performance_id, quarter, sibil_id,
                                            state, message, sent_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (external_id) DO UPDATE SET performance_id = $2, quarter = $3,
                sibil_id = coalesce($4, sibil_declaration.sibil_id), state = $5, message = $6,
                sent_at = $7",
        )
        .map_err(database)?;
    for r in records {
        tx.execute(
            &upsert,
            &[
                &r.external_id,
                &r.performance,
                &r.quarter,
                &r.sibil_id,
                &rows::declaration_state(r),
                &r.message,
                &to_seconds(r.at),
            ],
        )
        .map_err(database)?;
    }
    tx.commit().map_err(database)
}

/// The last record of every declaration sent, by quarter and external identifier.
pub(super) fn declarations(db: &mut Client) -> Result<Vec<DeclarationRecord>, StoreError> {
    db.query(
        "SELECT external_id, performance_id, quarter, sibil_id, state, message, sent_at
         FROM sibil_declaration ORDER BY quarter, external_id",
        &[],
    )
    .map_err(database)?
    .iter()
    .map(|r| rows::declaration(columns(r)))
    .collect()
}

/// Records an extract shared with an external provider; returns its number.
pub(super) fn record_share(db: &mut Client, share: &ShareRecord) -> Result<i64, StoreError> {
    Ok(db
        .query_one(
            "INSERT INTO data_share (recipient, purpose, legal_basis, created_at, expires_at,
                                     fields, revoked_at, directory, download_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                &share.recipient,
                &share.purpose,
                &share.legal_basis,
                &to_seconds(share.created_at),
                &to_seconds(share.expires_at),
                &share.fields,
                &share.revoked_at.map(to_seconds),
                &share.directory,
                &share.download_hash,
            ],
        )
        .map_err(database)?
        .get(0))
}

/// The extracts `condition` (with `$1` for `value` when it names one) selects, oldest first.
fn shares_where(
    db: &mut Client,
    condition: &str,
    value: Option<&str>,
) -> Result<Vec<ShareRecord>, StoreError> {
    let sql = format!(
        "SELECT id, recipient, purpose, legal_basis, created_at, expires_at, fields, revoked_at,
                directory, download_hash
         FROM data_share WHERE {condition} ORDER BY id"
    );
    let found = match &value {
        Some(value) => db.query(&sql, &[value]),
        None => db.query(&sql, &[]),
    };
    found
        .map_err(database)?
        .iter()
        .map(|r| {
            rows::share((
                (r.get(0), r.get(1), r.get(2), r.get(3)),
                (r.get(4), r.get(5), r.get(6), r.get(7)),
                (r.get(8), r.get(9)),
            ))
        })
        .collect()
}

/// Every extract shared, oldest first.
pub(super) fn shares(db: &mut Client) -> Result<Vec<ShareRecord>, StoreError> {
    shares_where(db, "TRUE", None)
}

/// The extract whose download token has this hash (an extract without one has none).
pub(super) fn share_by_download(
    db: &mut Client,
    download_hash: &str,
) -> Result<Option<ShareRecord>, StoreError> {
    Ok(shares_where(
        db,
        "download_hash = $1 AND download_hash <> ''",
        Some(download_hash),
    )?
    .pop())
}

/// Marks an extract revoked now; false if there is no such extract, or it was revoked before.
pub(super) fn revoke_share(db: &mut Client, id: i64) -> Result<bool, StoreError> {
    Ok(db
        .execute(
            "UPDATE data_share SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            &[&id, &Utc::now().timestamp()],
        )
        .map_err(database)?
        > 0)
}

/// Keeps an API token (its hash), made now; returns its number.
pub(super) fn save_token(db: &mut Client, token: &ApiToken) -> Result<i64, StoreError> {
    Ok(db
        .query_one(
            "INSERT INTO api_token (name, scopes, token_hash, created_at, expires_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[
                &token.name,
                &rows::scopes_text(token),
                &token.token_hash,
                &Utc::now().timestamp(),
                &to_seconds(token.expires_at),
                &token.revoked_at.map(to_seconds),
            ],
        )
        .map_err(database)?
        .get(0))
}

/// The API tokens `condition` (with `$1` for `value` when it names one) selects, oldest first.
fn tokens_where(
    db: &mut Client,
    condition: &str,
    value: Option<&str>,
) -> Result<Vec<ApiToken>, StoreError> {
    let sql = format!(
        "SELECT id, name, scopes, token_hash, expires_at, revoked_at
         FROM api_token WHERE {condition} ORDER BY id"
    );
    let found = match &value {
        Some(value) => db.query(&sql, &[value]),
        None => db.query(&sql, &[]),
    };
    found
        .map_err(database)?
        .iter()
        .map(|r| rows::api_token((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5))))
        .collect()
}

/// The API token whose hash this is.
pub(super) fn token_by_hash(
    db: &mut Client,
    token_hash: &str,
) -> Result<Option<ApiToken>, StoreError> {
    Ok(tokens_where(db, "token_hash = $1", Some(token_hash))?.pop())
}

/// Every API token, oldest first.
pub(super) fn tokens(db: &mut Client) -> Result<Vec<ApiToken>, StoreError> {
    tokens_where(db, "TRUE", None)
}

/// Revokes an API token now; false if there is no such token, or it was revoked before.
pub(super) fn revoke_token(db: &mut Client, id: i64) -> Result<bool, StoreError> {
    Ok(db
        .execute(
            "UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            &[&id, &Utc::now().timestamp()],
        )
        .map_err(database)?
        > 0)
}

/// Adds an account, or changes its role and password hash.
pub(super) fn save_account(db: &mut Client, account: &Account) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO account (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET role = $2, password_hash = $3",
        &[
            &account.name,
            &account.role,
            &account.password_hash,
            &Utc::now().timestamp(),
        ],
    )
    .map_err(database)?;
    Ok(())
}

/// An account by its name.
pub(super) fn account(db: &mut Client, name: &str) -> Result<Option<Account>, StoreError> {
    Ok(db
        .query_opt(
            "SELECT name, role, password_hash FROM account WHERE name = $1",
            &[&name],
        )
        .map_err(database)?
        .map(|r| Account {
            name: r.get(0),
            role: r.get(1),
            password_hash: r.get(2),
        }))
}

/// Every account, by name.
pub(super) fn accounts(db: &mut Client) -> Result<Vec<Account>, StoreError> {
    Ok(db
        .query(
            "SELECT name, role, password_hash FROM account ORDER BY name",
            &[],
        )
        .map_err(database)?
        .iter()
        .map(|r| Account {
            name: r.get(0),
            role: r.get(1),
            password_hash: r.get(2),
        })
        .collect())
}

/// Opens a session, made now.
pub(super) fn open_session(db: &mut Client, session: &Session) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO session (token_hash, account, csrf, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &session.token_hash,
            &session.account,
            &session.csrf,
            &Utc::now().timestamp(),
            &to_seconds(session.expires_at),
        ],
    )
    .map_err(database)?;
    Ok(())
}

/// The session whose token has this hash, with its account, if it has not ended by `now`.
pub(super) fn session(
    db: &mut Client,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Session, Account)>, StoreError> {
    db.query_opt(
        "SELECT s.token_hash, s.account, s.csrf, s.expires_at, a.role, a.password_hash
         FROM session s JOIN account a ON a.name = s.account
         WHERE s.token_hash = $1 AND s.expires_at > $2",
        &[&token_hash, &to_seconds(now)],
    )
    .map_err(database)?
    .map(|r| rows::session((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5))))
    .transpose()
}

/// Ends a session.
pub(super) fn close_session(db: &mut Client, token_hash: &str) -> Result<(), StoreError> {
    db.execute("DELETE FROM session WHERE token_hash = $1", &[&token_hash])
        .map_err(database)?;
    Ok(())
}

/// Records a failed login for `name` at `at`.
pub(super) fn login_failed(
    db: &mut Client,
    name: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO login_failure (account, at) VALUES ($1, $2)",
        &[&name, &to_seconds(at)],
    )
    .map_err(database)?;
    Ok(())
}

/// How many logins failed for `name` since `since`.
pub(super) fn login_failures(
    db: &mut Client,
    name: &str,
    since: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let count: i64 = db
        .query_one(
            "SELECT count(*) FROM login_failure WHERE account = $1 AND at >= $2",
            &[&name, &to_seconds(since)],
        )
        .map_err(database)?
        .get(0);
    narrow(count, "count")
}

/// Appends an entry to the audit log, chained to the last one. The log is locked against other
/// writers (not readers) until the entry is in, so that two entries never follow the same one.
pub(super) fn audit(
    db: &mut Client,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let mut tx = db.transaction().map_err(database)?;
    tx.batch_execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        .map_err(database)?;
    let previous: String = tx
        .query_opt("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", &[])
        .map_err(database)?
        .map_or_else(|| audit::GENESIS.to_owned(), |r| r.get(0));
    let at = Utc::now().timestamp();
    let hash = audit::chain(&previous, at, actor, action, detail);
    tx.execute(
        "INSERT INTO audit_log (at, actor, action, detail, previous, hash)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&at, &actor, &action, &detail, &previous, &hash],
    )
    .map_err(database)?;
    tx.commit().map_err(database)
}

/// The audit log, oldest first.
pub(super) fn audit_log(db: &mut Client) -> Result<Vec<AuditEntry>, StoreError> {
    db.query(
        "SELECT id, at, actor, action, detail FROM audit_log ORDER BY id",
        &[],
    )
    .map_err(database)?
    .iter()
    .map(|r| rows::audit_entry((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))))
    .collect()
}

/// Checks the audit log's chain: how many entries hold, or the first that does not.
pub(super) fn verify_audit(db: &mut Client) -> Result<Result<usize, AuditBreak>, StoreError> {
    let entries = db
        .query(
            "SELECT id, at, actor, action, detail, previous, hash FROM audit_log ORDER BY id",
            &[],
        )
        .map_err(database)?;
    audit::verify(entries.iter().map(|r| Ok::<_, StoreError>(columns(r))))
}

/// A free-form setting of this database.
pub(super) fn setting(db: &mut Client, key: &str) -> Result<Option<String>, StoreError> {
    Ok(db
        .query_opt("SELECT value FROM setting WHERE key = $1", &[&key])
        .map_err(database)?
        .map(|r| r.get(0)))
}

/// Sets a free-form setting of this database.
pub(super) fn set_setting(db: &mut Client, key: &str, value: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO setting (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = $2",
        &[&key, &value],
    )
    .map_err(database)?;
    Ok(())
}
