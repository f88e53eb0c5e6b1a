//! Writing import batches: provenance, all-or-nothing, parts, history, quarantine, rollups.

use jauge_analytics::{SalesTotals, season_summary};
use jauge_model::*;
use proptest::prelude::*;

use super::{Backend, cases, set_up};
use crate::sqlite::tests::{dataset, id, setup};
use crate::{Changes, StoreError};

on_both!(
    importing_needs_a_venue,
    setup_round_trips,
    a_dataset_is_stored_with_its_provenance_and_rollups,
    writing_the_same_dataset_twice_changes_nothing,
    a_dataset_with_problems_is_refused_whole,
    changing_the_season_start_recuts_seasons,
    rollups_agree_with_the_definition_of_sales,
    rollups_kept_at_import_equal_rollups_read_back,
    quarantined_rows_are_kept_per_file_and_replaced_when_the_file_comes_again,
    sources_are_supervised_with_their_last_shape_imports_and_drifts,
    a_later_export_that_changes_facts_keeps_what_they_held_before,
    a_batch_in_parts_stores_what_it_stores_whole,
    a_batch_whose_reading_fails_midway_stores_nothing,
    a_ticket_given_in_two_parts_fails_the_batch,
);

fn any_status() -> impl Strategy<Value = TicketStatus> {
    prop_oneof![
        4 => Just(TicketStatus::Valid),
        1 => Just(TicketStatus::Cancelled),
        1 => Just(TicketStatus::Refunded),
        1 => Just(TicketStatus::Reserved),
    ]
}

fn importing_needs_a_venue<S: Backend>() {
    let Some(mut store) = S::fresh() else {
        return;
    };
    assert!(matches!(
        store.write_dataset(&dataset(&[])),
        Err(StoreError::NoVenue)
    ));
}

fn setup_round_trips<S: Backend>() {
    let Some(mut store) = S::fresh() else {
        return;
    };
    assert_eq!(store.setup().unwrap(), None);
    store.save_setup(&setup()).unwrap();
    let again = store.reopen();
    assert_eq!(again.setup().unwrap(), Some(setup()));
}

fn a_dataset_is_stored_with_its_provenance_and_rollups<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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
    store.assert_referential_integrity();
    assert_eq!(
        (report.tickets, report.performances, report.patrons),
        (8, 4, 5)
    );
    let batch = report.batch.unwrap().0;
    assert_eq!(store.count(&format!("ticket WHERE batch_id <> {batch}")), 0);

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

fn writing_the_same_dataset_twice_changes_nothing<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
    let d = dataset(&[
        (0, 2500, TicketStatus::Valid, 0),
        (3, 1000, TicketStatus::Valid, 1),
    ]);
    store.write_dataset(&d).unwrap();
    let season = "2024-2025".parse().unwrap();
    let before = store.season_facts(season).unwrap();
    store.write_dataset(&d).unwrap();
    store.assert_referential_integrity();
    assert_eq!(store.season_facts(season).unwrap(), before);
    assert_eq!(store.count("ticket"), 2);
    assert_eq!(store.count("import_batch"), 2);
}

fn a_dataset_with_problems_is_refused_whole<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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
    assert_eq!(store.count("ticket"), 1);
    assert_eq!(store.count("import_batch"), 1);
}

fn changing_the_season_start_recuts_seasons<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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

/// The rollups the store keeps agree with the analytics crate's definition of sales, and
/// cancelled or refunded tickets count in no figure.
fn rollups_agree_with_the_definition_of_sales<S: Backend>() {
    if !S::available() {
        return;
    }
    let strategy =
        proptest::collection::vec((0usize..4, 0u64..5000, any_status(), 0usize..5), 0..60);
    cases(&strategy, |tickets| {
        let mut store = set_up::<S>().unwrap();
        let d = dataset(&tickets);
        store.write_dataset(&d).unwrap();
        store.assert_referential_integrity();
        for season in store.seasons().unwrap() {
            let facts = store.season_facts(season).unwrap();
            let stored = facts
                .performances
                .iter()
                .filter(|p| p.status == PerformanceStatus::Scheduled)
                .fold(SalesTotals::default(), |acc, p| acc + p.sales);
            let cut = |p: &Performance| {
                Season::containing(
                    p.starts_at.with_timezone(&DEFAULT_TIME_ZONE).date_naive(),
                    SeasonStartMonth::default(),
                )
            };
            let held: Vec<&ExternalId> = d
                .performances
                .iter()
                .filter(|p| cut(p) == season && p.status == PerformanceStatus::Scheduled)
                .map(|p| &p.id)
                .collect();
            let expected = SalesTotals::of(
                d.tickets.iter().filter(|t| held.contains(&&t.performance)),
                &d.tariffs,
            );
            prop_assert_eq!(stored, expected);
        }
        Ok(())
    });
}

/// Whatever path a batch takes (rollups from the batch itself, or read back from the
/// tickets) and however facts arrive over batches (split, re-sent, changed), the rollups
/// equal those computed from every stored ticket.
fn rollups_kept_at_import_equal_rollups_read_back<S: Backend>() {
    if !S::available() {
        return;
    }
    let strategy = (
        proptest::collection::vec((0usize..4, 0u64..5000, any_status(), 0usize..5), 1..40),
        0usize..40,
        proptest::collection::vec((0usize..40, any_status(), 0usize..4, 0usize..5), 0..6),
    );
    cases(&strategy, |(tickets, split, changes)| {
        let mut store = set_up::<S>().unwrap();
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
            prop_assert_eq!(store.rollups(), store.rollups_read_back());
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
        prop_assert_eq!(store.rollups(), store.rollups_read_back());
        store.assert_referential_integrity();
        Ok(())
    });
}

fn quarantined_rows_are_kept_per_file_and_replaced_when_the_file_comes_again<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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
    store.assert_referential_integrity();
}

fn sources_are_supervised_with_their_last_shape_imports_and_drifts<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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

fn a_later_export_that_changes_facts_keeps_what_they_held_before<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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
    store.assert_referential_integrity();
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

/// A batch written in parts stores the same facts and rollups as written whole, and its
/// rollups equal those read back from the tickets.
fn a_batch_in_parts_stores_what_it_stores_whole<S: Backend>() {
    if !S::available() {
        return;
    }
    let strategy = (
        proptest::collection::vec((0usize..4, 0u64..5000, any_status(), 0usize..5), 1..40),
        proptest::collection::vec(0usize..40, 0..4),
        0usize..10,
    );
    cases(&strategy, |(tickets, cuts, orders_of_two)| {
        let mut d = dataset(&tickets);
        // Some orders hold two tickets, which parts may cut apart.
        for i in (1..d.tickets.len()).step_by(orders_of_two.max(2)) {
            let previous = d.tickets[i - 1].order.clone();
            d.tickets[i].order = previous;
        }
        let used: std::collections::HashSet<_> =
            d.tickets.iter().map(|t| t.order.clone()).collect();
        d.orders.retain(|o| used.contains(&o.id));
        let mut whole = set_up::<S>().unwrap();
        let report = whole.write_dataset(&d).unwrap();
        let mut parted = set_up::<S>().unwrap();
        let mut parts = in_parts(&d, &cuts).into_iter().map(Ok);
        let parted_report = parted.write_parts(&mut parts).unwrap();
        prop_assert_eq!(parted_report.tickets, report.tickets);
        prop_assert_eq!(parted_report.orders, report.orders);
        for table in ["ticket", "sale_order", "patron", "performance"] {
            prop_assert_eq!(parted.count(table), whole.count(table));
        }
        prop_assert_eq!(parted.rollups(), whole.rollups());
        prop_assert_eq!(parted.rollups(), parted.rollups_read_back());
        parted.assert_referential_integrity();
        Ok(())
    });
}

fn a_batch_whose_reading_fails_midway_stores_nothing<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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
        assert_eq!(store.count(table), 0, "{table} holds rows");
    }
    store.assert_referential_integrity();
}

fn a_ticket_given_in_two_parts_fails_the_batch<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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
    assert_eq!(store.count("ticket"), 0);
}
