//! Season figures: audiences, snapshots, sales by day and tariff, a quarter's programme.

use chrono::{TimeZone, Utc};
use jauge_analytics::season_summary;
use jauge_model::*;

use super::{Backend, set_up};
use crate::sqlite::tests::dataset;

on_both!(
    each_seasons_audience_counts_people_their_tickets_and_segments,
    sales_as_of_a_day_stay_what_they_were_that_day,
    sales_by_day_and_by_tariff_add_up_to_the_season_and_follow_later_imports,
    a_quarters_programme_and_what_sending_its_declarations_did_are_kept,
);

fn each_seasons_audience_counts_people_their_tickets_and_segments<S: Backend>() {
    use jauge_analytics::audience::Segment;
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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

fn sales_as_of_a_day_stay_what_they_were_that_day<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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

fn sales_by_day_and_by_tariff_add_up_to_the_season_and_follow_later_imports<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
    let check = |store: &S| {
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

fn a_quarters_programme_and_what_sending_its_declarations_did_are_kept<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
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
