use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use jauge_analytics::{SalesTotals, season_summary};
use jauge_model::*;
use proptest::prelude::*;
use rusqlite::params;

use super::*;
use crate::Changes;

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

fn id(s: impl AsRef<str>) -> ExternalId {
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

/// A store in a directory of its own, with the test venue set up; the directory lives as long
/// as the guard.
fn set_up() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    store.save_setup(&setup()).unwrap();
    (dir, store)
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

fn count(store: &SqliteStore, table: &str) -> i64 {
    store
        .connection()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
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

#[test]
fn importing_needs_a_venue() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    assert!(matches!(
        store.write_dataset(&dataset(&[])),
        Err(StoreError::NoVenue)
    ));
}

#[test]
fn setup_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    assert_eq!(store.setup().unwrap(), None);
    store.save_setup(&setup()).unwrap();
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.setup().unwrap(), Some(setup()));
}

#[test]
fn a_dataset_is_stored_with_its_provenance_and_rollups() {
    let (_dir, mut store) = set_up();
    let d = dataset(&[
        (0, 2500, TicketStatus::Valid, 0),
        (0, 0, TicketStatus::Valid, 1),
        (0, 2500, TicketStatus::Refunded, 2),
        (1, 1800, TicketStatus::Valid, 0),
        (2, 2500, TicketStatus::Refunded, 3),
        (3, 2200, TicketStatus::Valid, 0),
        (3, 2200, TicketStatus::Cancelled, 4),
        (3, 2200, TicketStatus::Valid, 3),
    ]);
    let report = store.write_dataset(&d).unwrap();
    assert_referential_integrity(&store);
    assert_eq!(
        (report.tickets, report.performances, report.patrons),
        (8, 4, 5)
    );
    let batch = report.batch.unwrap().0;
    let unstamped: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM ticket WHERE batch_id <> ?1",
            [batch],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unstamped, 0);

    let seasons: Vec<String> = store.seasons().unwrap().iter().map(|s| s.label()).collect();
    assert_eq!(seasons, ["2024-2025", "2025-2026"]);

    let first = season_summary(&store.season_facts("2024-2025".parse().unwrap()).unwrap());
    assert_eq!(
        (first.tickets, first.free_tickets, first.revenue),
        (3, 1, Cents::new(4300))
    );
    assert_eq!(first.capacity, 780);
    assert_eq!((first.patrons, first.first_timers), (2, 2));

    let second = season_summary(&store.season_facts("2025-2026".parse().unwrap()).unwrap());
    // P2 is cancelled: out of capacity and sales; P3 falls in 2025-2026 in Paris time.
    assert_eq!((second.performances, second.cancelled_performances), (1, 1));
    assert_eq!((second.tickets, second.revenue), (2, Cents::new(4400)));
    // pk0 came in 2024-2025 already; pk3 is new.
    assert_eq!((second.patrons, second.first_timers), (2, 1));
}

#[test]
fn writing_the_same_dataset_twice_changes_nothing() {
    let (_dir, mut store) = set_up();
    let d = dataset(&[
        (0, 2500, TicketStatus::Valid, 0),
        (3, 1000, TicketStatus::Valid, 1),
    ]);
    store.write_dataset(&d).unwrap();
    let season = "2024-2025".parse().unwrap();
    let before = store.season_facts(season).unwrap();
    store.write_dataset(&d).unwrap();
    assert_referential_integrity(&store);
    assert_eq!(store.season_facts(season).unwrap(), before);
    assert_eq!(count(&store, "ticket"), 2);
    assert_eq!(count(&store, "import_batch"), 2);
}

#[test]
fn a_dataset_with_problems_is_refused_whole() {
    let (_dir, mut store) = set_up();
    store
        .write_dataset(&dataset(&[(0, 2500, TicketStatus::Valid, 0)]))
        .unwrap();
    let mut bad = dataset(&[
        (1, 2500, TicketStatus::Valid, 0),
        (1, 1500, TicketStatus::Valid, 1),
    ]);
    bad.tickets[1].performance = id("P-unknown");
    let err = store.write_dataset(&bad).unwrap_err();
    assert!(err.is_user_error());
    let message = err.to_string();
    assert!(
        message.contains("test.csv") && message.contains("P-unknown"),
        "{message}"
    );
    assert_eq!(count(&store, "ticket"), 1);
    assert_eq!(count(&store, "import_batch"), 1);
}

#[test]
fn changing_the_season_start_recuts_seasons() {
    let (_dir, mut store) = set_up();
    store
        .write_dataset(&dataset(&[(3, 2200, TicketStatus::Valid, 0)]))
        .unwrap();
    let mut calendar = setup();
    calendar.venue.season_start = SeasonStartMonth::new(1).unwrap();
    store.save_setup(&calendar).unwrap();
    let labels: Vec<String> = store.seasons().unwrap().iter().map(|s| s.label()).collect();
    assert_eq!(labels, ["2024", "2025"]);
    let facts = store
        .season_facts(Season::parse("2025", SeasonStartMonth::new(1).unwrap()).unwrap())
        .unwrap();
    assert_eq!(facts.audience.patrons, 1);
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

fn any_status() -> impl Strategy<Value = TicketStatus> {
    prop_oneof![
        4 => Just(TicketStatus::Valid),
        1 => Just(TicketStatus::Cancelled),
        1 => Just(TicketStatus::Refunded),
        1 => Just(TicketStatus::Reserved),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The rollups the store keeps agree with the analytics crate's definition of sales, and
    /// cancelled or refunded tickets count in no figure.
    #[test]
    fn rollups_agree_with_the_definition_of_sales(
        tickets in proptest::collection::vec((0usize..4, 0u64..5000, any_status(), 0usize..5), 0..60)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open(dir.path());
        store.save_setup(&setup()).unwrap();
        let d = dataset(&tickets);
        store.write_dataset(&d).unwrap();
        assert_referential_integrity(&store);
        for season in store.seasons().unwrap() {
            let facts = store.season_facts(season).unwrap();
            let stored = facts
                .performances
                .iter()
                .filter(|p| p.status == PerformanceStatus::Scheduled)
                .fold(SalesTotals::default(), |acc, p| acc + p.sales);
            let cut = |p: &Performance| Season::containing(
                p.starts_at.with_timezone(&DEFAULT_TIME_ZONE).date_naive(), SeasonStartMonth::default());
            let held: Vec<&ExternalId> = d.performances.iter()
                .filter(|p| cut(p) == season && p.status == PerformanceStatus::Scheduled)
                .map(|p| &p.id)
                .collect();
            let expected = SalesTotals::of(d.tickets.iter().filter(|t| held.contains(&&t.performance)), &d.tariffs);
            prop_assert_eq!(stored, expected);
        }
    }
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever path a batch takes (rollups from the batch itself, or read back from the
    /// tickets) and however facts arrive over batches (split, re-sent, changed), the rollups
    /// equal those computed from every stored ticket.
    #[test]
    fn rollups_kept_at_import_equal_rollups_read_back(
        tickets in proptest::collection::vec((0usize..4, 0u64..5000, any_status(), 0usize..5), 1..40),
        split in 0usize..40,
        changes in proptest::collection::vec((0usize..40, any_status(), 0usize..4, 0usize..5), 0..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open(dir.path());
        store.save_setup(&setup()).unwrap();
        let all = dataset(&tickets);
        let split = split.min(all.tickets.len());
        let mut first = all.clone();
        first.tickets.truncate(split);
        first.orders.truncate(split);
        let mut second = all.clone();
        second.tickets.drain(..split);
        second.orders.drain(..split);
        second.shows.clear();
        second.performances.clear();
        second.tariffs.clear();
        for batch in [&first, &second] {
            store.write_dataset(batch).unwrap();
            prop_assert_eq!(rollups_in(store.connection()), rollups_read_back(&mut store));
        }
        // The whole export again, with changes: statuses, a ticket moved, a buyer changed.
        let mut again = all.clone();
        for &(i, status, performance, buyer) in &changes {
            let i = i % again.tickets.len();
            again.tickets[i].status = status;
            again.tickets[i].performance = id(format!("P{performance}"));
            again.orders[i].buyer = Some(format!("pk{buyer}").parse().unwrap());
        }
        store.write_dataset(&again).unwrap();
        prop_assert_eq!(rollups_in(store.connection()), rollups_read_back(&mut store));
        assert_referential_integrity(&store);
    }
}

#[test]
fn quarantined_rows_are_kept_per_file_and_replaced_when_the_file_comes_again() {
    let (_dir, mut store) = set_up();
    let row = |line: u64, raw: &str| QuarantinedRow {
        line,
        column: Some((4, "Prix TTC".into())),
        raw: raw.into(),
        reason: "not an amount".into(),
    };
    let mut first = dataset(&[(0, 2500, TicketStatus::Valid, 0)]);
    first.quarantined = vec![row(3, "douze"), row(7, "treize")];
    let report = store.write_dataset(&first).unwrap();
    assert_eq!(report.quarantined, 2);
    let mut other = dataset(&[]);
    other.origin = "other.csv".into();
    other.quarantined = vec![row(2, "x")];
    store.write_dataset(&other).unwrap();

    let listed = store.quarantine(None).unwrap();
    let lines: Vec<(&str, u64, &str)> = listed
        .iter()
        .map(|q| (q.origin.as_str(), q.row.line, q.row.raw.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("other.csv", 2, "x"),
            ("test.csv", 3, "douze"),
            ("test.csv", 7, "treize")
        ]
    );
    assert_eq!(listed[1].row, row(3, "douze"));

    // The corrected file comes again: its quarantine is what is wrong now, the other file's stays.
    first.quarantined = vec![row(7, "treize")];
    store.write_dataset(&first).unwrap();
    let lines: Vec<u64> = store
        .quarantine(None)
        .unwrap()
        .iter()
        .map(|q| q.row.line)
        .collect();
    assert_eq!(lines, [2, 7]);
    let unknown: SourceName = "crm".parse().unwrap();
    assert_eq!(store.quarantine(Some(&unknown)).unwrap(), vec![]);
    assert_referential_integrity(&store);
}

#[test]
fn sources_are_supervised_with_their_last_shape_imports_and_drifts() {
    let (_dir, mut store) = set_up();
    let source: SourceName = "billetterie".parse().unwrap();
    assert_eq!(store.shapes(&source).unwrap(), Vec::<String>::new());
    let mut d = dataset(&[(0, 2500, TicketStatus::Valid, 0)]);
    d.shape = Some("text\tN° commande\n".into());
    store.write_dataset(&d).unwrap();
    d.shape = Some("text\tN° commande\ntext\tCanal\n".into());
    d.drift_accepted = Some("column \"Canal\" is new".into());
    d.quarantined = vec![QuarantinedRow {
        line: 2,
        column: None,
        raw: "x".into(),
        reason: "r".into(),
    }];
    store.write_dataset(&d).unwrap();

    assert_eq!(
        store.shapes(&source).unwrap(),
        ["text\tN° commande\ntext\tCanal\n", "text\tN° commande\n"]
    );
    let sources = store.sources().unwrap();
    assert_eq!(sources.len(), 1);
    let s = &sources[0];
    assert_eq!(
        (s.name.as_str(), s.kind, s.imports, s.quarantined, s.drifts),
        ("billetterie", SourceKind::TicketingExport, 2, 1, 1)
    );
    assert_eq!(s.last_facts, d.len() as u64);
    assert!(s.last_import.is_some());
}

#[test]
fn a_later_export_that_changes_facts_keeps_what_they_held_before() {
    let (_dir, mut store) = set_up();
    let source: SourceName = "billetterie".parse().unwrap();
    let first = dataset(&[
        (0, 2500, TicketStatus::Valid, 0),
        (1, 1800, TicketStatus::Valid, 1),
    ]);
    let new = store.write_dataset(&first).unwrap().changes;
    let again = store.write_dataset(&first).unwrap().changes;
    assert_eq!(
        (new, again),
        (
            Changes {
                inserted: 4,
                updated: 0,
                unchanged: 0
            },
            Changes {
                inserted: 0,
                updated: 0,
                unchanged: 4
            }
        ),
        "two tickets and two orders, new then given again"
    );
    assert_eq!(
        store.changes(&source).unwrap(),
        vec![],
        "the same export again changes nothing"
    );

    // A refund and a corrected buyer arrive in the next export.
    let mut later = first.clone();
    later.tickets[0].status = TicketStatus::Refunded;
    later.orders[1].buyer = Some("pk3".parse().unwrap());
    let report = store.write_dataset(&later).unwrap();
    assert_eq!(
        report.changes,
        Changes {
            inserted: 0,
            updated: 2,
            unchanged: 2
        }
    );
    let batch = report.batch.unwrap();
    let changes = store.changes(&source).unwrap();
    let described: Vec<(&str, &str, Vec<String>)> = changes
        .iter()
        .map(|c| (c.record.as_str(), c.external_id.as_str(), c.changes.clone()))
        .collect();
    assert_eq!(
        described,
        vec![
            ("order", "O1", vec!["buyer: pk1 → pk3".to_owned()]),
            ("ticket", "B0", vec!["status: valid → refunded".to_owned()]),
        ]
    );
    assert!(changes.iter().all(|c| c.batch == batch));
    // The facts now hold the new values, and the rollups follow.
    let facts = store.season_facts("2024-2025".parse().unwrap()).unwrap();
    assert_eq!(jauge_analytics::season_summary(&facts).tickets, 1);
    assert_referential_integrity(&store);
}

/// `parts` of `d`: its programme and tariffs first, then its patrons, orders and tickets cut at
/// `cuts`, each part holding the orders of its own tickets only when they start there (an
/// order's later tickets may come in a later part, as when a large file is read in parts).
fn in_parts(d: &Dataset, cuts: &[usize]) -> Vec<Dataset> {
    let mut bounds: Vec<usize> = cuts.iter().map(|&c| c.min(d.tickets.len())).collect();
    bounds.extend([0, d.tickets.len()]);
    bounds.sort_unstable();
    bounds.dedup();
    let mut parts = Vec::new();
    let mut orders_seen = std::collections::HashSet::new();
    for window in bounds.windows(2) {
        let mut part = Dataset::new(d.source.clone(), d.kind, &d.origin);
        if parts.is_empty() {
            part.shows = d.shows.clone();
            part.performances = d.performances.clone();
            part.tariffs = d.tariffs.clone();
            part.patrons = d.patrons.clone();
        }
        part.tickets = d.tickets[window[0]..window[1]].to_vec();
        for t in &part.tickets {
            if orders_seen.insert(t.order.clone()) {
                part.orders
                    .extend(d.orders.iter().find(|o| o.id == t.order).cloned());
            }
        }
        parts.push(part);
    }
    parts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A batch written in parts stores the same facts and rollups as written whole, and its
    /// rollups equal those read back from the tickets.
    #[test]
    fn a_batch_in_parts_stores_what_it_stores_whole(
        tickets in proptest::collection::vec((0usize..4, 0u64..5000, any_status(), 0usize..5), 1..40),
        cuts in proptest::collection::vec(0usize..40, 0..4),
        orders_of_two in 0usize..10,
    ) {
        let mut d = dataset(&tickets);
        // Some orders hold two tickets, which parts may cut apart.
        for i in (1..d.tickets.len()).step_by(orders_of_two.max(2)) {
            let previous = d.tickets[i - 1].order.clone();
            d.tickets[i].order = previous;
        }
        let used: std::collections::HashSet<_> = d.tickets.iter().map(|t| t.order.clone()).collect();
        d.orders.retain(|o| used.contains(&o.id));
        let whole_dir = tempfile::tempdir().unwrap();
        let mut whole = open(whole_dir.path());
        whole.save_setup(&setup()).unwrap();
        let report = whole.write_dataset(&d).unwrap();
        let parts_dir = tempfile::tempdir().unwrap();
        let mut parted = open(parts_dir.path());
        parted.save_setup(&setup()).unwrap();
        let mut parts = in_parts(&d, &cuts).into_iter().map(Ok);
        let parted_report = parted.write_parts(&mut parts).unwrap();
        prop_assert_eq!(parted_report.tickets, report.tickets);
        prop_assert_eq!(parted_report.orders, report.orders);
        for table in ["ticket", "sale_order", "patron", "performance"] {
            prop_assert_eq!(count(&parted, table), count(&whole, table));
        }
        prop_assert_eq!(rollups_in(parted.connection()), rollups_in(whole.connection()));
        prop_assert_eq!(rollups_in(parted.connection()), rollups_read_back(&mut parted));
        assert_referential_integrity(&parted);
    }
}

#[test]
fn a_batch_whose_reading_fails_midway_stores_nothing() {
    let (_dir, mut store) = set_up();
    let d = dataset(&[(0, 2500, TicketStatus::Valid, 0); 6]);
    let mut parts = in_parts(&d, &[3])
        .into_iter()
        .map(Ok)
        .chain([Err("line 9: the file ends inside quotes".to_owned())]);
    let failed = store.write_parts(&mut parts).unwrap_err();
    assert!(matches!(failed, StoreError::Abandoned(_)), "{failed}");
    assert!(failed.to_string().contains("line 9"), "{failed}");
    for table in [
        "ticket",
        "sale_order",
        "source",
        "import_batch",
        "performance",
    ] {
        assert_eq!(count(&store, table), 0, "{table} holds rows");
    }
    assert_referential_integrity(&store);
}

#[test]
fn a_ticket_given_in_two_parts_fails_the_batch() {
    let (_dir, mut store) = set_up();
    let d = dataset(&[(0, 2500, TicketStatus::Valid, 0); 4]);
    let mut parts = in_parts(&d, &[2]);
    let again = parts[0].tickets[0].clone();
    parts[1].tickets.push(again);
    let failed = store
        .write_parts(&mut parts.into_iter().map(Ok))
        .unwrap_err();
    assert!(
        matches!(&failed, StoreError::Rejected { problems, .. }
            if matches!(&problems[..], [DatasetProblem::Duplicate { kind: "ticket", .. }])),
        "{failed}"
    );
    assert_eq!(count(&store, "ticket"), 0);
}

#[test]
fn each_seasons_audience_counts_people_their_tickets_and_segments() {
    use jauge_analytics::audience::Segment;
    let (_dir, mut store) = set_up();
    // 2024-2025 (P0, P1): pk0 twice, pk2 once. 2025-2026 (P3): pk2, and pk1 at a subscription.
    store
        .write_dataset(&dataset(&[
            (0, 2500, TicketStatus::Valid, 0),
            (1, 2500, TicketStatus::Valid, 0),
            (1, 2500, TicketStatus::Valid, 2),
            (3, 2500, TicketStatus::Valid, 2),
            (3, 2001, TicketStatus::Valid, 1),
            (0, 2500, TicketStatus::Cancelled, 3),
        ]))
        .unwrap();
    let season = |label: &str| label.parse::<Season>().unwrap();
    let first = store.season_audience(season("2024-2025")).unwrap();
    assert_eq!((first.patrons, first.first_timers), (2, 2));
    assert_eq!(
        first.frequency,
        [1, 1, 0, 0, 0],
        "pk2 once, pk0 twice; a cancelled ticket is no purchase"
    );
    let second = store.season_audience(season("2025-2026")).unwrap();
    assert_eq!((second.patrons, second.returning), (2, 1));
    assert_eq!(second.segment(Segment::Subscriber), 1, "pk1");
    assert_eq!(second.segment(Segment::Occasional), 1, "pk2");
    assert_eq!(
        second.segment(Segment::Absent),
        1,
        "pk0 came last season only"
    );
    let facts = store.season_facts(season("2025-2026")).unwrap();
    assert_eq!(facts.previous_season_patrons, 2);
    assert_eq!(season_summary(&facts).subscription_tickets, 1);

    // Once linked into one person, pk0 and pk1 are one buyer who came back: the rollup
    // follows the linkage.
    let key = |k: &str| k.parse::<PatronKey>().unwrap();
    store
        .save_persons(&[
            crate::PersonLink {
                patron: key("pk0"),
                person: key("pk0"),
                part: key("pk0"),
            },
            crate::PersonLink {
                patron: key("pk1"),
                person: key("pk0"),
                part: key("pk0"),
            },
        ])
        .unwrap();
    let linked = store.season_audience(season("2025-2026")).unwrap();
    assert_eq!((linked.patrons, linked.returning), (2, 2));
    assert_eq!(linked.segment(Segment::Absent), 0);
    assert_eq!(linked.segment(Segment::Subscriber), 1);

    // A new import changes it too: order O0 now goes to pk4, and its ticket to P3.
    store
        .write_dataset(&dataset(&[(3, 2500, TicketStatus::Valid, 4)]))
        .unwrap();
    let imported = store.season_audience(season("2025-2026")).unwrap();
    assert_eq!((imported.patrons, imported.first_timers), (3, 1));
}

#[test]
fn sales_as_of_a_day_stay_what_they_were_that_day() {
    let (_dir, mut store) = set_up();
    let first = dataset(&[
        (0, 2500, TicketStatus::Valid, 0),
        (0, 1500, TicketStatus::Valid, 1),
        (1, 1000, TicketStatus::Valid, 2),
    ]);
    store.write_dataset(&first).unwrap();
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2024, 10, d).unwrap();
    assert_eq!(
        store.snapshot_sales(day(1)).unwrap(),
        4,
        "every performance once"
    );
    assert_eq!(store.snapshot_sales(day(1)).unwrap(), 0, "nothing changed");
    // A refund arrives with the next export.
    let mut later = first.clone();
    later.tickets[0].status = TicketStatus::Refunded;
    store.write_dataset(&later).unwrap();
    assert_eq!(
        store.snapshot_sales(day(5)).unwrap(),
        1,
        "only the performance it changed"
    );

    let season: Season = "2024-2025".parse().unwrap();
    let sold = |d| -> (u64, i64) {
        store
            .season_sales_as_of(season, d)
            .unwrap()
            .iter()
            .fold((0, 0), |(t, r), p| {
                (t + p.sales.tickets, r + p.sales.revenue.as_i64())
            })
    };
    assert_eq!(sold(day(1)), (3, 5000), "as known on the 1st");
    assert_eq!(
        sold(day(3)),
        (3, 5000),
        "still, before the refund was known"
    );
    assert_eq!(sold(day(5)), (2, 2500), "after it");
    assert_eq!(
        sold(chrono::NaiveDate::from_ymd_opt(2024, 9, 1).unwrap()),
        (0, 0)
    );
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

#[test]
fn sales_by_day_and_by_tariff_add_up_to_the_season_and_follow_later_imports() {
    let (_dir, mut store) = set_up();
    let check = |store: &SqliteStore| {
        for season in store.seasons().unwrap() {
            let by_day = store.season_sales_by_day(season).unwrap();
            let summed = jauge_analytics::calendar::sales_until(&by_day, chrono::NaiveDate::MAX);
            let summary = season_summary(&store.season_facts(season).unwrap());
            assert_eq!(
                (summed.tickets, summed.revenue, summed.subscription_tickets),
                (
                    summary.tickets,
                    summary.revenue,
                    summary.subscription_tickets
                ),
                "{season:?}"
            );
            // The tariff mix, built by the same pass, against each performance's own mix.
            let mix = store.season_tariff_mix(season).unwrap();
            let mut expected: std::collections::BTreeMap<_, (u64, Cents)> = Default::default();
            for line in store.season_performances(season).unwrap() {
                if line.sales.status != jauge_model::PerformanceStatus::Scheduled {
                    continue;
                }
                for (category, tickets, revenue) in store.performance_mix(line.id).unwrap().tariffs
                {
                    let e = expected.entry(category).or_insert((0, Cents::ZERO));
                    *e = (e.0 + tickets, e.1 + revenue);
                }
            }
            let got: std::collections::BTreeMap<_, _> =
                mix.iter().map(|&(c, t, r)| (c, (t, r))).collect();
            assert_eq!(got, expected, "{season:?}");
            let subscription = got
                .get(&jauge_model::TariffCategory::Subscription)
                .map_or(0, |m| m.0);
            assert_eq!(subscription, summary.subscription_tickets, "{season:?}");
        }
    };
    store
        .write_dataset(&dataset(&[
            (0, 2500, TicketStatus::Valid, 0),
            (1, 2001, TicketStatus::Valid, 1),
            (3, 2500, TicketStatus::Valid, 2),
            (2, 2500, TicketStatus::Valid, 2),
        ]))
        .unwrap();
    check(&store);
    // Orders are placed ten days before their performance: P0 on 3 October 2024, 18:30 UTC.
    let first = store
        .season_sales_by_day("2024-2025".parse().unwrap())
        .unwrap();
    assert_eq!(
        first[0].day,
        chrono::NaiveDate::from_ymd_opt(2024, 9, 23).unwrap()
    );
    store
        .write_dataset(&dataset(&[
            (0, 2500, TicketStatus::Cancelled, 0),
            (1, 2001, TicketStatus::Valid, 1),
            (3, 4000, TicketStatus::Valid, 2),
        ]))
        .unwrap();
    check(&store);
}

#[test]
fn a_quarters_programme_and_what_sending_its_declarations_did_are_kept() {
    let (_dir, mut store) = set_up();
    store
        .write_dataset(&dataset(&[
            (0, 2500, TicketStatus::Valid, 0),
            (1, 2001, TicketStatus::Valid, 1),
            (1, 0, TicketStatus::Valid, 2),
        ]))
        .unwrap();
    // P0 is on 3 October 2024; P1 on 14 March 2025; S0 also plays P2 (November 2025).
    let from = Utc.with_ymd_and_hms(2024, 10, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let programme = store.programme_between(from, to).unwrap();
    assert_eq!(programme.len(), 1);
    let p0 = &programme[0];
    assert_eq!(
        (p0.source.as_str(), p0.performance.id.as_str()),
        ("billetterie", "P0")
    );
    assert_eq!(p0.show.title.as_str(), "Spectacle 0");
    assert_eq!(p0.sales.sales.tickets, 1);
    assert_eq!(
        store.shows_also_outside(from, to).unwrap(),
        std::collections::BTreeSet::from(["Spectacle 0".to_owned()])
    );
    let record = |sibil_id: Option<i64>, sent: bool| crate::DeclarationRecord {
        external_id: "billetterie-P0".into(),
        performance: p0.id,
        quarter: "2024-Q4".into(),
        sibil_id,
        sent,
        message: (!sent).then(|| "HTTP 400".to_owned()),
        at: Utc.with_ymd_and_hms(2025, 1, 5, 9, 0, 0).unwrap(),
    };
    store
        .record_declarations(&[record(Some(1001), true)])
        .unwrap();
    // A later failure keeps the identifier SIBIL gave.
    store.record_declarations(&[record(None, false)]).unwrap();
    assert_eq!(
        store.declarations().unwrap(),
        [crate::DeclarationRecord {
            sibil_id: Some(1001),
            ..record(None, false)
        }]
    );
}

#[test]
fn the_audit_log_is_append_only_and_its_chain_shows_any_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
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
    let conn = store.connection();
    assert!(
        conn.execute("UPDATE audit_log SET detail = 'x' WHERE id = 2", [])
            .is_err()
    );
    assert!(
        conn.execute("DELETE FROM audit_log WHERE id = 1", [])
            .is_err()
    );
    // Someone with the file and sqlite3 can; the chain shows where.
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET detail = '2026-Q3, 15 declarations' WHERE id = 2;",
    )
    .unwrap();
    assert_eq!(
        store.verify_audit().unwrap(),
        Err(crate::AuditBreak { id: 2 })
    );
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    for i in 0..3 {
        store.audit("cli", "export", &i.to_string()).unwrap();
    }
    store
        .connection()
        .execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 2;")
        .unwrap();
    assert_eq!(
        store.verify_audit().unwrap(),
        Err(crate::AuditBreak { id: 3 })
    );
}

#[test]
fn live_sources_keep_their_cursor_and_the_record_of_their_attempts() {
    let (_dir, mut store) = set_up();
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

#[test]
fn a_webhook_notification_is_new_once_per_source() {
    let (_dir, mut store) = set_up();
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 8, 0, 0).unwrap();
    let a: SourceName = "pretix".parse().unwrap();
    let b: SourceName = "pretix-festival".parse().unwrap();
    assert!(store.note_notification(&a, "17", at).unwrap());
    assert!(!store.note_notification(&a, "17", at).unwrap());
    assert!(store.note_notification(&b, "17", at).unwrap());
    assert!(store.note_notification(&a, "18", at).unwrap());
}
