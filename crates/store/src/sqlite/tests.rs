use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use jauge_analytics::season_summary;
use jauge_model::*;
use rusqlite::params;

use super::*;

pub(crate) fn setup() -> VenueSetup {
    VenueSetup {
        organisation: Organisation {
            legal_name: "Théâtre de la Jauge".parse().unwrap(),
            siret: "13000548100010".parse().unwrap(),
            licence: "PLATESV-R-2021-001234".parse().unwrap(),
        },
        venue: Venue {
            name: "Théâtre de la Jauge".parse().unwrap(),
            address: "1 place du Théâtre".into(),
            postcode: "37000".parse().unwrap(),
            city: "Tours".parse().unwrap(),
            insee: "37261".parse().unwrap(),
            time_zone: DEFAULT_TIME_ZONE,
            place_type: PlaceType::Theatre,
            season_start: SeasonStartMonth::default(),
        },
        halls: vec![
            Hall {
                name: "Grande salle".parse().unwrap(),
                capacity: Capacity::new(650).unwrap(),
            },
            Hall {
                name: "Studio".parse().unwrap(),
                capacity: Capacity::new(180).unwrap(),
            },
        ],
    }
}

pub(crate) fn id(s: impl AsRef<str>) -> ExternalId {
    s.as_ref().parse().unwrap()
}

/// A dataset with two shows, performances in two seasons and the given tickets, each
/// `(performance index, amount, status, buyer index)`.
pub(crate) fn dataset(tickets: &[(usize, u64, TicketStatus, usize)]) -> Dataset {
    let mut d = Dataset::new(
        "billetterie".parse().unwrap(),
        SourceKind::TicketingExport,
        "test.csv",
    );
    for (i, discipline) in [Discipline::Theatre, Discipline::Dance]
        .into_iter()
        .enumerate()
    {
        d.shows.push(Show {
            id: id(format!("S{i}")),
            title: format!("Spectacle {i}").parse().unwrap(),
            discipline,
            company: None,
            young_audience: i == 1,
            coproduction: false,
            festival: None,
        });
    }
    // P0, P1 in season 2024-2025; P2 in 2025-2026 (cancelled); P3 in 2025-2026.
    let starts = [
        Utc.with_ymd_and_hms(2024, 10, 3, 18, 30, 0).unwrap(),
        Utc.with_ymd_and_hms(2025, 3, 14, 19, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2025, 11, 20, 19, 0, 0).unwrap(),
        // 31 August 22:30 UTC is 1 September 00:30 in Paris: the next season.
        Utc.with_ymd_and_hms(2025, 8, 31, 22, 30, 0).unwrap(),
    ];
    for (i, starts_at) in starts.into_iter().enumerate() {
        d.performances.push(Performance {
            id: id(format!("P{i}")),
            show: id(format!("S{}", i % 2)),
            hall: if i % 2 == 0 { "Grande salle" } else { "Studio" }
                .parse()
                .unwrap(),
            starts_at,
            capacity: Capacity::new(if i % 2 == 0 { 600 } else { 180 }).unwrap(),
            status: if i == 2 {
                PerformanceStatus::Cancelled
            } else {
                PerformanceStatus::Scheduled
            },
        });
    }
    d.tariffs.push(Tariff {
        id: id("PLEIN"),
        label: "Plein tarif".parse().unwrap(),
        category: TariffCategory::FullPrice,
    });
    d.tariffs.push(Tariff {
        id: id("ABO"),
        label: "Abonnement".parse().unwrap(),
        category: TariffCategory::Subscription,
    });
    d.tariffs.push(Tariff {
        id: id("INV"),
        label: "Invitation".parse().unwrap(),
        category: TariffCategory::Free,
    });
    for b in 0..5 {
        d.patrons.push(PatronIdentity {
            key: Some(format!("pk{b}").parse().unwrap()),
            first_name: Some(format!("Prénom{b}").into()),
            last_name: Some("Martin".into()),
            email: Some(format!("p{b}@exemple.fr").parse().unwrap()),
            ..Default::default()
        });
    }
    for (n, &(performance, amount, status, buyer)) in tickets.iter().enumerate() {
        d.orders.push(Order {
            id: id(format!("O{n}")),
            channel: Channel::Online,
            created_at: starts[performance % 4] - Duration::days(10),
            buyer: Some(format!("pk{}", buyer % 5).parse().unwrap()),
            status: OrderStatus::Paid,
        });
        d.tickets.push(Ticket {
            id: id(format!("B{n}")),
            order: id(format!("O{n}")),
            performance: id(format!("P{}", performance % 4)),
            // Amounts ending in 1 are subscription tickets.
            tariff: id(match amount {
                0 => "INV",
                a if a % 10 == 1 => "ABO",
                _ => "PLEIN",
            }),
            amount_paid: Cents::new(amount),
            face_value: Cents::new(amount.max(2500)),
            vat_rate: VatRate::LIVE_PERFORMANCE,
            status,
            checked_in_at: None,
            attendee: None,
        });
    }
    d
}

fn open(dir: &Path) -> SqliteStore {
    SqliteStore::open(dir.join("jauge.db")).unwrap()
}

/// Every reference in the database points at a row.
pub(crate) fn assert_referential_integrity(store: &SqliteStore) {
    let conn = store.connection();
    let mut check = conn.prepare("PRAGMA foreign_key_check").unwrap();
    let broken: Vec<String> = check
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(broken.is_empty(), "dangling references in {broken:?}");
    let on: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(on, 1, "foreign keys must be enforced again after a write");
}

#[test]
fn a_new_database_is_at_the_latest_version_in_wal_mode_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let conn = store.connection();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    // The database refuses a ticket pointing at nothing, whatever the code above it does.
    let orphan = conn.execute(
        "INSERT INTO ticket (source_id, external_id, batch_id, order_id, performance_id, tariff_id,
            amount_cents, face_value_cents, vat_bp, status) VALUES (9, 'x', 9, 9, 9, 9, 0, 0, 0, 'valid')",
        [],
    );
    assert!(orphan.is_err());
    // And it refuses codes the model does not know, even with references set aside.
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    let insert = |status: &str, amount: i64| {
        conn.execute(
            "INSERT INTO ticket (source_id, external_id, batch_id, order_id, performance_id,
                tariff_id, amount_cents, face_value_cents, vat_bp, status)
             VALUES (9, ?1, 9, 9, 9, 9, ?2, 0, 0, ?3)",
            rusqlite::params![format!("{status}{amount}"), amount, status],
        )
    };
    assert!(insert("lost", 0).is_err());
    assert!(insert("valid", -1).is_err());
    assert!(insert("refunded", 0).is_ok());
    conn.pragma_update(None, "foreign_keys", true).unwrap();
}

fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_newer_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jauge.db");
    {
        let mut store = SqliteStore::open(&path).unwrap();
        store.save_setup(&setup()).unwrap();
        store
            .connection()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        store.checkpoint().unwrap();
    }
    let before = file_bytes(&path);
    let err = SqliteStore::open(&path)
        .err()
        .expect("a newer schema must be refused");
    assert!(matches!(err, StoreError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1));
    assert!(err.is_user_error());
    assert!(err.to_string().contains("Upgrade Jauge"), "{err}");
    assert_eq!(file_bytes(&path), before);
}

#[test]
fn files_that_are_not_jauge_databases_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(
        &text,
        "Ceci n'est pas une base de données, mais une note assez longue pour l'en-tête.",
    )
    .unwrap();
    let before = file_bytes(&text);
    assert!(matches!(
        SqliteStore::open(&text),
        Err(StoreError::NotJauge { .. })
    ));
    assert_eq!(file_bytes(&text), before);

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let before = file_bytes(&other);
    assert!(matches!(
        SqliteStore::open(&other),
        Err(StoreError::NotJauge { .. })
    ));
    assert_eq!(file_bytes(&other), before);
}

#[test]
fn a_version_1_database_is_upgraded_and_its_rollups_backfilled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jauge.db");
    {
        // Version 1 has no rollup tables: its rows are written as that version wrote them.
        let v1 = SqliteStore::open_at_version(&path, 1).unwrap();
        assert_eq!(v1.schema_version().unwrap(), 1);
        let c = v1.connection();
        c.execute_batch(
            "INSERT INTO organisation VALUES (1, 'Théâtre', '13000548100010', 'PLATESV-R-2021-001234');
             INSERT INTO venue VALUES (1, 'Théâtre', '', '37000', 'Tours', '37261', 'Europe/Paris', 'THEATRE', 9);
             INSERT INTO hall (id, name, capacity) VALUES (1, 'Grande salle', 650);
             INSERT INTO source VALUES (1, 'billetterie', 'ticketing_export', 0);
             INSERT INTO import_batch (id, source_id, origin, started_at) VALUES (1, 1, 'old.csv', 0);
             INSERT INTO show VALUES (1, 1, 'S', 1, 'Phèdre', 'theatre', NULL, 0, 0, NULL);
             INSERT INTO performance VALUES (1, 1, 'P', 1, 1, 1, 1728000000, 2024, 600, 'scheduled');
             INSERT INTO tariff VALUES (1, 1, 'T', 1, 'Plein', 'full_price');
             INSERT INTO patron VALUES ('pk1', 1), ('pk2', 1);
             INSERT INTO sale_order VALUES (1, 1, 'O1', 1, 'online', 1727000000, 'pk1', 'paid');
             INSERT INTO sale_order VALUES (2, 1, 'O2', 1, 'online', 1727000000, 'pk2', 'paid');",
        )
        .unwrap();
        for (n, (order, amount, status)) in [
            (1, 2500, "valid"),
            (1, 2500, "valid"),
            (2, 0, "valid"),
            (2, 2500, "refunded"),
        ]
        .into_iter()
        .enumerate()
        {
            c.execute(
                "INSERT INTO ticket (source_id, external_id, batch_id, order_id, performance_id, tariff_id,
                    amount_cents, face_value_cents, vat_bp, status) VALUES (1, ?1, 1, ?2, 1, 1, ?3, 2500, 550, ?4)",
                params![format!("B{n}"), order, amount, status],
            )
            .unwrap();
        }
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let summary = season_summary(&store.season_facts("2024-2025".parse().unwrap()).unwrap());
    assert_eq!(
        (summary.tickets, summary.free_tickets, summary.revenue),
        (3, 1, Cents::new(5000))
    );
    assert_eq!((summary.patrons, summary.first_timers), (2, 2));
}

#[test]
fn instants_round_trip_through_seconds() {
    let t = Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0).unwrap();
    assert_eq!(from_seconds(to_seconds(t)).unwrap(), t);
}

use crate::suite::Rollups;

/// The rollups as reading every ticket back gives them.
pub(crate) fn rollups_read_back(store: &mut SqliteStore) -> Rollups {
    let before = rollups_in(store.connection());
    let tx = store.conn.transaction().unwrap();
    let performances: Vec<i64> = tx
        .prepare("SELECT id FROM performance")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let seasons: std::collections::BTreeSet<i32> = tx
        .prepare("SELECT DISTINCT season_start_year FROM performance")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    write::refresh_performance_sales(&tx, &performances).unwrap();
    write::refresh_patron_seasons(&tx, &seasons).unwrap();
    let after = rollups_in(&tx);
    tx.rollback().unwrap();
    assert_eq!(rollups_in(store.connection()), before);
    after
}

pub(crate) fn rollups_in(conn: &rusqlite::Connection) -> Rollups {
    let sales = conn
        .prepare(
            "SELECT performance_id, tickets, paid_tickets, free_tickets, revenue_cents,
                    subscription_tickets
             FROM performance_sales ORDER BY 1",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let seasons = conn
        .prepare(
            "SELECT patron_key, season_start_year, tickets, subscription_tickets
             FROM patron_season ORDER BY 1, 2",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (sales, seasons)
}
