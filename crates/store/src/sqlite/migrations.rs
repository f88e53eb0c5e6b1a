//! Versioned schema migrations, applied in order on open. The database's `user_version` is the
//! number of migrations applied.

use rusqlite::Connection;

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    ("model", include_str!("migrations/0001_model.sql")),
    ("rollups", include_str!("migrations/0002_rollups.sql")),
    ("quarantine", include_str!("migrations/0003_quarantine.sql")),
    (
        "supervision",
        include_str!("migrations/0004_supervision.sql"),
    ),
    ("history", include_str!("migrations/0005_history.sql")),
    ("reserved", include_str!("migrations/0006_reserved.sql")),
    ("persons", include_str!("migrations/0007_persons.sql")),
    ("snapshots", include_str!("migrations/0008_snapshots.sql")),
    ("audiences", include_str!("migrations/0009_audiences.sql")),
    (
        "daily sales",
        include_str!("migrations/0010_daily_sales.sql"),
    ),
    (
        "declarations",
        include_str!("migrations/0011_declarations.sql"),
    ),
    ("audit", include_str!("migrations/0012_audit.sql")),
    ("shares", include_str!("migrations/0013_shares.sql")),
    ("accounts", include_str!("migrations/0014_accounts.sql")),
    (
        "share downloads",
        include_str!("migrations/0015_share_downloads.sql"),
    ),
    ("api tokens", include_str!("migrations/0016_api_tokens.sql")),
    (
        "tariff sales",
        include_str!("migrations/0017_tariff_sales.sql"),
    ),
    (
        "live sources",
        include_str!("migrations/0018_live_sources.sql"),
    ),
];

/// Applies the migrations after `from`, up to `to`, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection, from: i64, to: i64) -> rusqlite::Result<()> {
    for version in from + 1..=to {
        let (_, sql) = MIGRATIONS[usize::try_from(version - 1).expect("versions start at 1")];
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}
