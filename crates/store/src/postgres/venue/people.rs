//! Patrons, persons, consents, erasure and the supervision of sources on PostgreSQL.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use jauge_model::{BatchId, ConsentChannel, ConsentPurpose, PatronIdentity, PatronKey, SourceName};
use postgres::Client;

use super::columns;
use crate::postgres::database;
use crate::rows::to_seconds;
use crate::{
    Change, LiveSource, PersonLink, QuarantineEntry, RecordActivity, SourceStatus, StoreError,
    SubjectData, rows,
};

/// An integer column's value as the narrower type the model holds it in; a value out of its
/// range is corrupt.
pub(super) fn narrow<T: TryFrom<i64>>(value: i64, what: &str) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value} out of range")))
}

/// The consent ledger for one channel and purpose: every change, oldest first.
pub(super) fn consents(
    db: &mut Client,
    channel: ConsentChannel,
    purpose: ConsentPurpose,
) -> Result<Vec<jauge_model::Consent>, StoreError> {
    db.query(
        "SELECT c.patron_key, c.status, c.at, so.name, c.proof
         FROM consent c JOIN source so ON so.id = c.source_id
         WHERE c.channel = $1 AND c.purpose = $2
         ORDER BY c.at, c.id",
        &[&channel.code(), &purpose.code()],
    )
    .map_err(database)?
    .iter()
    .map(|r| {
        rows::consent(
            channel,
            purpose,
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)),
        )
    })
    .collect()
}

/// Everything held about the patron records `patrons`: their identities, and, record after
/// record in key order, their consents, purchases and campaign events.
pub(super) fn subject_data(
    db: &mut Client,
    patrons: &[PatronKey],
) -> Result<SubjectData, StoreError> {
    let keys: BTreeSet<&str> = patrons.iter().map(|p| p.as_str()).collect();
    let mut data = SubjectData {
        identities: rows::identities_of(identities(db)?, &keys),
        ..Default::default()
    };
    let consents = db
        .prepare(
            "SELECT c.channel, c.purpose, c.status, c.at, so.name, c.proof, c.patron_key
             FROM consent c JOIN source so ON so.id = c.source_id
             WHERE c.patron_key = $1 ORDER BY c.at",
        )
        .map_err(database)?;
    let purchases = db
        .prepare(
            "SELECT o.external_id, o.created_at, o.channel, sh.title, p.starts_at, ta.label,
                    t.amount_cents, t.status
             FROM sale_order o
             JOIN ticket t ON t.order_id = o.id
             JOIN performance p ON p.id = t.performance_id
             JOIN show sh ON sh.id = p.show_id
             JOIN tariff ta ON ta.id = t.tariff_id
             WHERE o.buyer_key = $1 ORDER BY o.created_at, t.id",
        )
        .map_err(database)?;
    let events = db
        .prepare(
            "SELECT c.name, e.kind, e.at FROM campaign_event e
             JOIN campaign c ON c.id = e.campaign_id
             WHERE e.patron_key = $1 ORDER BY e.at",
        )
        .map_err(database)?;
    for key in &keys {
        for r in db.query(&consents, &[key]).map_err(database)? {
            let (channel, purpose) = rows::consent_kind(r.get(0), r.get(1))?;
            data.consents.push(rows::consent(
                channel,
                purpose,
                (r.get(6), r.get(2), r.get(3), r.get(4), r.get(5)),
            )?);
        }
        for r in db.query(&purchases, &[key]).map_err(database)? {
            data.purchases.push(rows::purchase(columns(&r))?);
        }
        for r in db.query(&events, &[key]).map_err(database)? {
            data.campaign_events
                .push((r.get(0), r.get(1), crate::rows::from_seconds(r.get(2))?));
        }
    }
    Ok(data)
}

/// Erases the identity of the patron records `patrons` (see [`crate::Store::erase`]) in one
/// transaction, then rewrites the tables it touched (`VACUUM FULL`, with their TOAST tables
/// and indexes) into new files, so that neither the deleted rows nor the old versions of the
/// rows it blanked survive in the tables' files: what SQLite's `secure_delete` and emptied
/// write-ahead log do. A plain `VACUUM` is not enough: it frees the dead rows' space in each
/// page without overwriting it. The rewrite holds each table locked, from readers too, while it
/// runs. Returns how many rows it removed or blanked.
///
/// What PostgreSQL still holds afterwards, which SQLite's file does not: the write-ahead log
/// segments that recorded the rows (until checkpoints recycle them, and in any WAL archive),
/// the copies on replicas and in backups taken before, the old row versions that a
/// transaction of the server (of any of its databases), begun before the erasure committed and
/// still running during the rewrite, may need (the rewrite keeps them; a later `VACUUM FULL`
/// drops them), and the freed disk blocks of the old files, as a truncated SQLite log leaves
/// its own.
pub(super) fn erase(
    db: &mut Client,
    patrons: &[PatronKey],
    settings: &[&str],
) -> Result<usize, StoreError> {
    let keys: BTreeSet<&str> = patrons.iter().map(|p| p.as_str()).collect();
    // What identifies them in free text: emails, phones, and names (both of a pair).
    let identities = rows::identities_of(identities(db)?, &keys);
    let mut tx = db.transaction().map_err(database)?;
    let mut count = 0;
    let mut run = |tx: &mut postgres::Transaction<'_>,
                   sql: &str,
                   values: &[&(dyn postgres::types::ToSql + Sync)]|
     -> Result<(), StoreError> {
        count += tx.execute(sql, values).map_err(database)? as usize;
        Ok(())
    };
    for key in &keys {
        run(
            &mut tx,
            "DELETE FROM patron_identity WHERE patron_key = $1",
            &[key],
        )?;
        run(
            &mut tx,
            "UPDATE consent SET proof = '' WHERE patron_key = $1 AND proof <> ''",
            &[key],
        )?;
    }
    // The named settings first: they may be large, and the searches below read them.
    for key in settings {
        run(
            &mut tx,
            "UPDATE setting SET value = '' WHERE key = $1 AND value <> ''",
            &[key],
        )?;
    }
    // `lower` folds ASCII letters only under the "C" collation, as SQLite's does.
    for identity in &identities {
        let (texts, names) = rows::traces(identity);
        for text in &texts {
            run(
                &mut tx,
                "DELETE FROM quarantine WHERE strpos(lower(raw), lower($1 COLLATE \"C\")) > 0",
                &[text],
            )?;
            run(
                &mut tx,
                "UPDATE setting SET value = ''
                 WHERE strpos(lower(value), lower($1 COLLATE \"C\")) > 0",
                &[text],
            )?;
        }
        if let Some((first, last)) = &names {
            run(
                &mut tx,
                "DELETE FROM quarantine
                 WHERE strpos(lower(raw), lower($1 COLLATE \"C\")) > 0
                   AND strpos(lower(raw), lower($2 COLLATE \"C\")) > 0",
                &[first, last],
            )?;
        }
    }
    tx.commit().map_err(database)?;
    // VACUUM cannot run inside a transaction: after the erasure, on its own.
    db.batch_execute("VACUUM FULL patron_identity, consent, setting, quarantine")
        .map_err(database)?;
    Ok(count)
}

/// Each patron record with an identity, with its person, its last purchase, its last contact
/// and when it was last imported.
pub(super) fn activity(db: &mut Client) -> Result<Vec<RecordActivity>, StoreError> {
    db.query(
        "WITH purchases AS MATERIALIZED (
            SELECT buyer_key AS patron, max(created_at) AS at FROM sale_order
            WHERE buyer_key IS NOT NULL GROUP BY buyer_key
         ), contacts AS MATERIALIZED (
            SELECT patron_key AS patron, max(at) AS at FROM (
                SELECT patron_key, at FROM consent
                UNION ALL SELECT patron_key, at FROM campaign_event
            ) touched GROUP BY patron_key
         )
         SELECT pi.patron_key, coalesce(pe.person_key, pi.patron_key), pu.at, co.at,
                b.started_at
         FROM patron_identity pi
         LEFT JOIN person pe ON pe.patron_key = pi.patron_key
         LEFT JOIN purchases pu ON pu.patron = pi.patron_key
         LEFT JOIN contacts co ON co.patron = pi.patron_key
         JOIN import_batch b ON b.id = pi.batch_id",
        &[],
    )
    .map_err(database)?
    .iter()
    .map(|r| rows::activity((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))))
    .collect()
}

/// The rows imports could not take, of one source or of all, by source, file and line.
pub(super) fn quarantine(
    db: &mut Client,
    source: Option<&SourceName>,
) -> Result<Vec<QuarantineEntry>, StoreError> {
    db.query(
        "SELECT s.name, q.origin, q.batch_id, q.line, q.column_index, q.column_name, q.raw,
                q.reason
         FROM quarantine q JOIN source s ON s.id = q.source_id
         WHERE $1::text IS NULL OR s.name = $1
         ORDER BY s.name, q.origin, q.line",
        &[&source.map(SourceName::as_str)],
    )
    .map_err(database)?
    .iter()
    .map(|r| rows::quarantine_entry(columns(r)))
    .collect()
}

/// The shapes of the files imported from `source`, the newest first, each once (fifty at
/// most).
pub(super) fn shapes(db: &mut Client, source: &SourceName) -> Result<Vec<String>, StoreError> {
    Ok(db
        .query(
            "SELECT b.shape FROM import_batch b JOIN source s ON s.id = b.source_id
             WHERE s.name = $1 AND b.shape IS NOT NULL
             GROUP BY b.shape ORDER BY max(b.id) DESC LIMIT 50",
            &[&source.as_str()],
        )
        .map_err(database)?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// What later imports of `source` changed in its tickets and orders, oldest first.
pub(super) fn changes(db: &mut Client, source: &SourceName) -> Result<Vec<Change>, StoreError> {
    db.query(
        "SELECT h.record, h.external_id, h.batch_id, h.changed_at, h.changes
         FROM change_history h JOIN source s ON s.id = h.source_id
         WHERE s.name = $1 ORDER BY h.id",
        &[&source.as_str()],
    )
    .map_err(database)?
    .iter()
    .map(|r| rows::change((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))))
    .collect()
}

/// Every source an import wrote, and the live sources not synced yet, by name, with their
/// imports, for supervision.
pub(super) fn sources(db: &mut Client) -> Result<Vec<SourceStatus>, StoreError> {
    db.query(
        "SELECT s.name, s.kind, count(b.id), max(b.finished_at),
                (SELECT l.facts FROM import_batch l WHERE l.source_id = s.id
                 ORDER BY l.id DESC LIMIT 1),
                (SELECT count(*) FROM quarantine q WHERE q.source_id = s.id),
                count(b.drift_accepted),
                (SELECT last_error FROM live_source WHERE name = s.name)
         FROM source s LEFT JOIN import_batch b ON b.source_id = s.id
         GROUP BY s.id
         UNION ALL
         SELECT name, kind, 0, NULL, NULL, 0, 0, last_error FROM live_source
         WHERE name NOT IN (SELECT name FROM source)
         ORDER BY 1",
        &[],
    )
    .map_err(database)?
    .iter()
    .map(|r| rows::source_status(columns(r)))
    .collect()
}

/// Every patron's identity as its source last gave it, in key order, with the batch that last
/// wrote it.
pub(super) fn identities(db: &mut Client) -> Result<Vec<(PatronIdentity, BatchId)>, StoreError> {
    db.query(
        "SELECT patron_key, first_name, last_name, email, phone, postcode, city, country,
                birth_year, batch_id, birth_date, address
         FROM patron_identity ORDER BY patron_key",
        &[],
    )
    .map_err(database)?
    .iter()
    .map(|r| {
        let year: Option<i64> = r.get(8);
        rows::identity((
            r.get(0),
            [
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
                r.get(7),
            ],
            year.map(|y| narrow(y, "birth year")).transpose()?,
            r.get(9),
            [r.get(10), r.get(11)],
        ))
    })
    .collect()
}

/// Records which person each patron is, replacing the previous linkage, and marks the
/// audiences, which count persons, to be built again.
pub(super) fn save_persons(db: &mut Client, persons: &[PersonLink]) -> Result<(), StoreError> {
    let now = Utc::now().timestamp();
    let mut tx = db.transaction().map_err(database)?;
    tx.execute("DELETE FROM person", &[]).map_err(database)?;
    let insert = tx
        .prepare(
            "INSERT INTO person (patron_key, person_key, part_key, linked_at)
             VALUES ($1, $2, $3, $4)",
        )
        .map_err(database)?;
    for p in persons {
        tx.execute(
            &insert,
            &[
                &p.patron.as_str(),
                &p.person.as_str(),
                &p.part.as_str(),
                &now,
            ],
        )
        .map_err(database)?;
    }
    super::write::audiences_changed(&mut tx)?;
    tx.commit().map_err(database)
}

/// Each patron's person, as the last linkage saved it, in patron key order.
pub(super) fn persons(db: &mut Client) -> Result<Vec<PersonLink>, StoreError> {
    db.query(
        "SELECT patron_key, person_key, part_key FROM person ORDER BY patron_key",
        &[],
    )
    .map_err(database)?
    .iter()
    .map(|r| rows::person_link((r.get(0), r.get(1), r.get(2))))
    .collect()
}

/// The newest import batch, if any.
pub(super) fn last_batch(db: &mut Client) -> Result<Option<BatchId>, StoreError> {
    Ok(db
        .query_one("SELECT max(id) FROM import_batch", &[])
        .map_err(database)?
        .get::<_, Option<i64>>(0)
        .map(BatchId))
}

/// Records that `a` and `b` are (or are not) the same person, replacing an earlier decision on
/// the pair; both must be known patrons.
pub(super) fn decide(
    db: &mut Client,
    a: &PatronKey,
    b: &PatronKey,
    same: bool,
) -> Result<(), StoreError> {
    for key in [a, b] {
        let known: bool = db
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM patron WHERE key = $1)",
                &[&key.as_str()],
            )
            .map_err(database)?
            .get(0);
        if !known {
            return Err(StoreError::UnknownPatron(key.to_string()));
        }
    }
    let Some((a, b)) = rows::decision_pair(a, b) else {
        return Ok(());
    };
    db.execute(
        "INSERT INTO link_decision (a, b, same, decided_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (a, b) DO UPDATE SET same = $3, decided_at = $4",
        &[
            &a.as_str(),
            &b.as_str(),
            &i64::from(same),
            &Utc::now().timestamp(),
        ],
    )
    .map_err(database)?;
    Ok(())
}

/// Every decision, as (a, b, same), in the order they were taken.
pub(super) fn decisions(db: &mut Client) -> Result<Vec<(PatronKey, PatronKey, bool)>, StoreError> {
    db.query(
        "SELECT a, b, same FROM link_decision ORDER BY decided_at, a, b",
        &[],
    )
    .map_err(database)?
    .iter()
    .map(|r| rows::decision((r.get(0), r.get(1), r.get::<_, i64>(2) != 0)))
    .collect()
}

/// Adds a live source, or replaces its connector, kind, settings, schedule and webhook secret,
/// keeping its cursor and the record of its attempts.
pub(super) fn save_live_source(db: &mut Client, source: &LiveSource) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO live_source (name, connector, kind, settings, every_minutes,
                                  hook_secret_hash)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO UPDATE SET connector = $2, kind = $3, settings = $4,
             every_minutes = $5, hook_secret_hash = $6",
        &[
            &source.name.as_str(),
            &source.connector,
            &source.kind.code(),
            &source.settings,
            &i64::from(source.every_minutes),
            &source.hook_secret_hash,
        ],
    )
    .map_err(database)?;
    Ok(())
}

/// The live sources, by name.
pub(super) fn live_sources(db: &mut Client) -> Result<Vec<LiveSource>, StoreError> {
    db.query(
        "SELECT name, connector, kind, settings, every_minutes, cursor, hook_secret_hash,
                last_attempt_at, last_success_at, last_error
         FROM live_source ORDER BY name",
        &[],
    )
    .map_err(database)?
    .iter()
    .map(|r| {
        rows::live_source((
            (
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                narrow(r.get(4), "every_minutes")?,
            ),
            (r.get(5), r.get(6), r.get(7), r.get(8), r.get(9)),
        ))
    })
    .collect()
}

/// Records an attempt to sync `source` at `at`: on success the cursor the next sync starts
/// from (`None` keeps the previous one), on failure what went wrong. An unknown source is an
/// error.
pub(super) fn record_sync(
    db: &mut Client,
    source: &SourceName,
    at: DateTime<Utc>,
    outcome: Result<Option<&str>, &str>,
) -> Result<(), StoreError> {
    let updated = match outcome {
        Ok(cursor) => db.execute(
            "UPDATE live_source SET last_attempt_at = $2, last_success_at = $2,
                 last_error = NULL, cursor = coalesce($3, cursor)
             WHERE name = $1",
            &[&source.as_str(), &to_seconds(at), &cursor],
        ),
        Err(error) => db.execute(
            "UPDATE live_source SET last_attempt_at = $2, last_error = $3 WHERE name = $1",
            &[&source.as_str(), &to_seconds(at), &error],
        ),
    }
    .map_err(database)?;
    if updated == 0 {
        return Err(StoreError::UnknownSource(source.to_string()));
    }
    Ok(())
}

/// Notes a webhook notification of `source`; false when it was noted before.
pub(super) fn note_notification(
    db: &mut Client,
    source: &SourceName,
    notification: &str,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(db
        .execute(
            "INSERT INTO hook_notification (source, notification, received_at)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&source.as_str(), &notification, &to_seconds(at)],
        )
        .map_err(database)?
        == 1)
}
