//! The audit log, live sources and webhooks, and the supervision of sources.

use chrono::{Duration, TimeZone, Utc};
use jauge_model::*;

use super::{Backend, set_up};
use crate::StoreError;

on_both!(
    the_audit_log_is_append_only_and_its_chain_shows_any_tampering,
    live_sources_keep_their_cursor_and_the_record_of_their_attempts,
    a_webhook_notification_is_new_once_per_source,
);

fn the_audit_log_is_append_only_and_its_chain_shows_any_tampering<S: Backend>() {
    let Some(mut store) = S::fresh() else {
        return;
    };
    assert_eq!(store.verify_audit().unwrap(), Ok(0));
    store
        .audit("cli", "segment export", "first-timers, email, 12 people")
        .unwrap();
    store
        .audit("cli", "sibil submit", "2026-Q3, 14 declarations")
        .unwrap();
    store.audit("admin", "setting", "sibil.url").unwrap();
    assert_eq!(store.verify_audit().unwrap(), Ok(3));
    let log = store.audit_log().unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[1].action, "sibil submit");
    // Jauge's own connection cannot change or remove an entry.
    let refused = store
        .execute("UPDATE audit_log SET detail = 'x' WHERE id = 2")
        .unwrap_err();
    assert!(refused.contains("append-only"), "{refused}");
    assert!(store.execute("DELETE FROM audit_log WHERE id = 1").is_err());
    // Someone with the database's owner's rights can; the chain shows where.
    let on = if S::NAME == "PostgreSQL" {
        " ON audit_log"
    } else {
        ""
    };
    store
        .execute(&format!(
            "DROP TRIGGER audit_log_no_update{on};
             UPDATE audit_log SET detail = '2026-Q3, 15 declarations' WHERE id = 2;"
        ))
        .unwrap();
    assert_eq!(
        store.verify_audit().unwrap(),
        Err(crate::AuditBreak { id: 2 })
    );
    let Some(mut store) = S::fresh() else {
        return;
    };
    for i in 0..3 {
        store.audit("cli", "export", &i.to_string()).unwrap();
    }
    store
        .execute(&format!(
            "DROP TRIGGER audit_log_no_delete{on}; DELETE FROM audit_log WHERE id = 2;"
        ))
        .unwrap();
    assert_eq!(
        store.verify_audit().unwrap(),
        Err(crate::AuditBreak { id: 3 })
    );
}

fn live_sources_keep_their_cursor_and_the_record_of_their_attempts<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
    let name: SourceName = "pretix".parse().unwrap();
    let mut source = crate::LiveSource {
        name: name.clone(),
        connector: "pretix".into(),
        kind: SourceKind::Pretix,
        settings: r#"{"url":"http://127.0.0.1:1"}"#.into(),
        every_minutes: 15,
        cursor: None,
        hook_secret_hash: None,
        last_attempt_at: None,
        last_success_at: None,
        last_error: None,
    };
    store.save_live_source(&source).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 29, 8, 0, 0).unwrap();
    assert!(store.live_sources().unwrap()[0].due(t0), "never tried");

    // A failed attempt keeps no cursor and shows in supervision.
    store
        .record_sync(&name, t0, Err("connection refused"))
        .unwrap();
    let stored = &store.live_sources().unwrap()[0];
    assert_eq!(stored.cursor, None);
    assert_eq!(stored.last_error.as_deref(), Some("connection refused"));
    assert!(!stored.due(t0 + Duration::minutes(14)));
    assert!(stored.due(t0 + Duration::minutes(15)));
    let status = store.sources().unwrap();
    assert_eq!(status.len(), 1, "listed before its first sync");
    assert_eq!(
        status[0].concerns(t0, 30),
        vec![crate::Concern::Stale, crate::Concern::Failing]
    );

    // A success sets the cursor and clears the error; a success without a cursor keeps it.
    store
        .record_sync(&name, t0, Ok(Some("2026-11-29T08:00:00Z")))
        .unwrap();
    store
        .record_sync(&name, t0 + Duration::minutes(15), Ok(None))
        .unwrap();
    let stored = &store.live_sources().unwrap()[0];
    assert_eq!(stored.cursor.as_deref(), Some("2026-11-29T08:00:00Z"));
    assert_eq!(stored.last_error, None);
    assert_eq!(stored.last_success_at, Some(t0 + Duration::minutes(15)));

    // Saving the source again changes its settings, not its cursor.
    source.every_minutes = 5;
    store.save_live_source(&source).unwrap();
    let stored = &store.live_sources().unwrap()[0];
    assert_eq!(
        (stored.every_minutes, stored.cursor.as_deref()),
        (5, Some("2026-11-29T08:00:00Z"))
    );

    let unknown: SourceName = "nowhere".parse().unwrap();
    assert!(matches!(
        store.record_sync(&unknown, t0, Ok(None)),
        Err(StoreError::UnknownSource(_))
    ));
}

fn a_webhook_notification_is_new_once_per_source<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 8, 0, 0).unwrap();
    let a: SourceName = "pretix".parse().unwrap();
    let b: SourceName = "pretix-festival".parse().unwrap();
    assert!(store.note_notification(&a, "17", at).unwrap());
    assert!(!store.note_notification(&a, "17", at).unwrap());
    assert!(store.note_notification(&b, "17", at).unwrap());
    assert!(store.note_notification(&a, "18", at).unwrap());
}

#[test]
fn a_source_is_stale_without_recent_data_and_unhealthy_with_rows_in_quarantine() {
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
    let source = |days_ago: Option<i64>, quarantined: u64| crate::SourceStatus {
        name: "billetterie".parse().unwrap(),
        kind: SourceKind::TicketingExport,
        imports: 3,
        last_import: days_ago.map(|d| now - Duration::days(d)),
        last_facts: 10,
        quarantined,
        drifts: 0,
        sync_error: None,
    };
    assert_eq!(source(Some(2), 0).concerns(now, 30), vec![]);
    assert_eq!(
        source(Some(31), 0).concerns(now, 30),
        vec![crate::Concern::Stale]
    );
    assert_eq!(
        source(None, 0).concerns(now, 30),
        vec![crate::Concern::Stale]
    );
    assert_eq!(
        source(Some(2), 4).concerns(now, 30),
        vec![crate::Concern::Quarantine]
    );
}
