//! What only the PostgreSQL venue store has to show: its schema's version and constraints, a
//! newer schema refused untouched, and venues kept apart in schemas of one database.

use jauge_model::{TicketStatus, VenueSetup};

use super::{Backend, set_up};
use crate::StoreError;
use crate::postgres::{PG_SCHEMA_VERSION, PgStore};
use crate::sqlite::tests::{dataset, setup};
use crate::{SCHEMA_VERSION, Store};

#[test]
fn a_new_schema_is_at_the_sqlite_version_and_refuses_orphans_and_unknown_codes() {
    let Some(store) = PgStore::fresh() else {
        return;
    };
    assert_eq!(store.schema_version().unwrap(), PG_SCHEMA_VERSION);
    assert_eq!(
        PG_SCHEMA_VERSION, SCHEMA_VERSION,
        "one schema, two dialects"
    );
    let orphan = store.execute(
        "INSERT INTO ticket (source_id, external_id, batch_id, order_id, performance_id,
            tariff_id, amount_cents, face_value_cents, vat_bp, status)
         VALUES (9, 'x', 9, 9, 9, 9, 0, 0, 0, 'valid')",
    );
    assert!(orphan.unwrap_err().contains("foreign key"));
    // Codes the model does not know are refused, even with references set aside.
    let insert = |status: &str, amount: i64| {
        store.execute(&format!(
            "SET session_replication_role = replica;
             INSERT INTO ticket (source_id, external_id, batch_id, order_id, performance_id,
                tariff_id, amount_cents, face_value_cents, vat_bp, status)
             VALUES (9, '{status}{amount}', 9, 9, 9, 9, {amount}, 0, 0, '{status}');
             SET session_replication_role = origin;"
        ))
    };
    assert!(insert("lost", 0).is_err());
    assert!(insert("valid", -1).is_err());
    store
        .execute("SET session_replication_role = origin")
        .unwrap();
    assert!(insert("reserved", 0).is_ok(), "the status v6 added");
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let Some(mut store) = set_up::<PgStore>() else {
        return;
    };
    store
        .write_dataset(&dataset(&[(0, 2500, TicketStatus::Valid, 0)]))
        .unwrap();
    store
        .execute(&format!(
            "INSERT INTO jauge_schema (version) VALUES ({})",
            SCHEMA_VERSION + 1
        ))
        .unwrap();
    let err = match PgStore::open_in_schema(&super::test_database(), store.schema()) {
        Err(e) => e,
        Ok(_) => panic!("a newer schema must be refused"),
    };
    assert!(
        matches!(err, StoreError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
    assert!(err.to_string().contains("Upgrade Jauge"), "{err}");
    assert_eq!(store.count("ticket"), 1);
}

#[test]
fn venues_in_schemas_of_one_database_see_only_their_own_rows() {
    let (Some(mut a), Some(mut b)) = (set_up::<PgStore>(), PgStore::fresh()) else {
        return;
    };
    let other = VenueSetup {
        halls: vec![setup().halls[1].clone()],
        ..setup()
    };
    b.save_setup(&other).unwrap();
    a.write_dataset(&dataset(&[(0, 2500, TicketStatus::Valid, 0)]))
        .unwrap();
    assert_eq!(
        a.seasons().unwrap().len(),
        2,
        "the dataset plays in two seasons"
    );
    assert_eq!(b.seasons().unwrap(), vec![]);
    assert_eq!(b.setup().unwrap().unwrap().halls.len(), 1);
    assert_eq!((a.count("ticket"), b.count("ticket")), (1, 0));
}

/// Each venue of a shared database connects as its own role, which owns its schema: the
/// database itself refuses it another venue's rows, whatever SQL it sends.
#[test]
fn a_venues_role_cannot_read_another_venues_schema() {
    if !PgStore::available() {
        return;
    }
    let database = super::test_database();
    let mut admin = postgres::Client::connect(&database, postgres::NoTls).unwrap();
    let roles = [0, 1].map(|n| format!("schema_owner_test_{}_{n}", std::process::id()));
    for role in &roles {
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {role} CASCADE; DROP ROLE IF EXISTS {role};
                 CREATE ROLE {role} LOGIN; GRANT CREATE ON DATABASE jauge_store_tests TO {role};"
            ))
            .unwrap();
    }
    let as_role = |role: &str| format!("{database} user={role}");
    let mut a = PgStore::open_in_schema(&as_role(&roles[0]), &roles[0]).unwrap();
    a.save_setup(&setup()).unwrap();
    a.write_dataset(&dataset(&[(0, 2500, TicketStatus::Valid, 0)]))
        .unwrap();
    let b = PgStore::open_in_schema(&as_role(&roles[1]), &roles[1]).unwrap();
    assert_eq!(b.count("ticket"), 0);
    let refused = b
        .execute(&format!("SELECT * FROM {}.ticket", roles[0]))
        .unwrap_err();
    assert!(refused.contains("permission denied"), "{refused}");
    let refused = b
        .execute(&format!(
            "SET search_path TO {}; SELECT * FROM ticket",
            roles[0]
        ))
        .unwrap_err();
    assert!(refused.contains("ticket"), "{refused}");
    drop((a, b));
    for role in &roles {
        admin
            .batch_execute(&format!(
                "DROP SCHEMA {role} CASCADE; REVOKE CREATE ON DATABASE jauge_store_tests FROM {role};
                 DROP ROLE {role};"
            ))
            .unwrap();
    }
}
