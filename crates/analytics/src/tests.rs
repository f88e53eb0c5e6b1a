use super::*;
use chrono::Datelike;
use chrono::{TimeZone, Utc};
use jauge_model::{ExternalId, SeasonStartMonth, TicketStatus, VatRate};
use proptest::prelude::*;

fn ticket(amount: u64, status: TicketStatus) -> Ticket {
    let id: ExternalId = "B".parse().unwrap();
    Ticket {
        id: id.clone(),
        order: id.clone(),
        performance: id.clone(),
        tariff: id,
        amount_paid: Cents::new(amount),
        face_value: Cents::new(amount),
        vat_rate: VatRate::LIVE_PERFORMANCE,
        status,
        checked_in_at: Some(Utc.with_ymd_and_hms(2026, 1, 1, 20, 0, 0).unwrap()),
        attendee: None,
    }
}

/// What a person bought for the season starting in `season`: `tickets`, none a subscription.
fn now(season: i32, tickets: u64) -> audience::PersonSeason {
    audience::PersonSeason {
        season,
        tickets,
        subscription_tickets: 0,
    }
}

/// The audience of `season` among people with these histories.
fn audience_of(people: &[Vec<audience::PersonSeason>], season: i32) -> audience::SeasonAudience {
    let mut tally = audience::AudienceTally::new(&[season - 1, season]);
    for history in people {
        tally.add(history);
    }
    tally.finish().pop().unwrap().1
}

fn season(y: i32) -> Season {
    Season::starting(y, SeasonStartMonth::default())
}

fn performance(capacity: u32, status: PerformanceStatus, sales: SalesTotals) -> PerformanceSales {
    PerformanceSales {
        capacity: Capacity::new(capacity).unwrap(),
        status,
        sales,
    }
}

#[test]
fn totals_count_only_valid_tickets() {
    let tickets = [
        ticket(2500, TicketStatus::Valid),
        ticket(0, TicketStatus::Valid),
        ticket(1800, TicketStatus::Cancelled),
        ticket(1800, TicketStatus::Refunded),
    ];
    let totals = SalesTotals::of(&tickets, &[]);
    assert_eq!(
        totals,
        SalesTotals {
            tickets: 2,
            paid_tickets: 1,
            free_tickets: 1,
            revenue: Cents::new(2500),
            subscription_tickets: 0,
        }
    );
}

#[test]
fn summary_of_a_small_season() {
    let s = season(2025);
    let sold = |t: u64, free: u64, revenue: u64| SalesTotals {
        tickets: t,
        paid_tickets: t - free,
        free_tickets: free,
        revenue: Cents::new(revenue),
        subscription_tickets: 0,
    };
    let facts = SeasonFacts {
        season: s,
        performances: vec![
            performance(100, PerformanceStatus::Scheduled, sold(80, 10, 140_000)),
            performance(50, PerformanceStatus::Scheduled, sold(20, 0, 30_000)),
            // A cancelled performance's seats and sales are out of every figure.
            performance(400, PerformanceStatus::Cancelled, sold(300, 0, 600_000)),
        ],
        // a and c are new; b came last season too; d first came two seasons ago and skipped
        // the last one.
        audience: audience_of(
            &[
                vec![now(s.start_year(), 2)],
                vec![now(s.start_year() - 1, 1), now(s.start_year(), 1)],
                vec![now(s.start_year(), 6)],
                vec![now(s.start_year() - 2, 1), now(s.start_year(), 3)],
            ],
            s.start_year(),
        ),
        // Five people bought last season; one of them (b) came back.
        previous_season_patrons: 5,
    };
    let summary = season_summary(&facts);
    assert_eq!(summary.season, "2025-2026");
    assert_eq!(
        (summary.performances, summary.cancelled_performances),
        (2, 1)
    );
    assert_eq!(summary.capacity, 150);
    assert_eq!(summary.tickets, 100);
    assert_eq!(summary.revenue, Cents::new(170_000));
    assert_eq!(summary.fill_rate, Some(100.0 / 150.0));
    assert_eq!(summary.paid_fill_rate, Some(90.0 / 150.0));
    assert_eq!(summary.average_price, Some(170_000.0 / 90.0));
    assert_eq!(summary.free_ticket_share, Some(0.1));
    assert_eq!((summary.patrons, summary.first_timers), (4, 2));
    assert_eq!(summary.first_timer_share, Some(0.5));
    assert_eq!((summary.returning, summary.previous_season_patrons), (1, 5));
    assert_eq!(summary.retention, Some(0.2));
}

#[test]
fn an_empty_season_has_no_ratio() {
    let summary = season_summary(&SeasonFacts {
        season: season(2030),
        performances: vec![],
        audience: Default::default(),
        previous_season_patrons: 0,
    });
    assert_eq!(summary.retention, None);
    assert_eq!(summary.tickets, 0);
    assert_eq!(summary.fill_rate, None);
    assert_eq!(summary.average_price, None);
    assert_eq!(summary.first_timer_share, None);
}

#[test]
fn every_figure_has_a_definition_in_both_languages() {
    let network = [
        definitions::TICKETS_PER_PERFORMANCE,
        definitions::PEER_QUARTILES,
        definitions::SHARED_BUYERS,
        definitions::NETWORK_REACH,
    ];
    for d in definitions::ALL.iter().chain(&network) {
        assert!(
            !d.text(jauge_model::Lang::Fr).is_empty() && !d.text(jauge_model::Lang::En).is_empty()
        );
        assert_ne!(d.name(jauge_model::Lang::Fr), "");
    }
}

fn any_status() -> impl Strategy<Value = TicketStatus> {
    prop_oneof![
        Just(TicketStatus::Valid),
        Just(TicketStatus::Cancelled),
        Just(TicketStatus::Refunded)
    ]
}

proptest! {
    #[test]
    fn a_cancelled_or_refunded_ticket_counts_in_no_sales_figure(
        tickets in proptest::collection::vec((0u64..10_000, any_status()), 0..40),
        extra_amount in 0u64..10_000,
        extra_status in prop_oneof![Just(TicketStatus::Cancelled), Just(TicketStatus::Refunded)],
    ) {
        let base: Vec<Ticket> = tickets.iter().map(|&(a, s)| ticket(a, s)).collect();
        let mut with_extra = base.clone();
        with_extra.push(ticket(extra_amount, extra_status));
        prop_assert_eq!(SalesTotals::of(&base, &[]), SalesTotals::of(&with_extra, &[]));
    }

    #[test]
    fn totals_add_up(tickets in proptest::collection::vec((0u64..10_000, any_status()), 0..40), cut in 0usize..40) {
        let all: Vec<Ticket> = tickets.iter().map(|&(a, s)| ticket(a, s)).collect();
        let cut = cut.min(all.len());
        let (left, right) = all.split_at(cut);
        let whole = SalesTotals::of(&all, &[]);
        prop_assert_eq!(whole, SalesTotals::of(left, &[]) + SalesTotals::of(right, &[]));
        prop_assert_eq!(whole.tickets, whole.paid_tickets + whole.free_tickets);
    }

    #[test]
    fn shares_are_proportions(
        perfs in proptest::collection::vec((1u32..1000, 0u64..1000, 0u64..1000), 1..10),
    ) {
        let performances: Vec<PerformanceSales> = perfs
            .iter()
            .map(|&(cap, paid, free)| {
                let paid = paid.min(u64::from(cap));
                let free = free.min(u64::from(cap) - paid);
                performance(cap, PerformanceStatus::Scheduled, SalesTotals {
                    tickets: paid + free, paid_tickets: paid, free_tickets: free, revenue: Cents::new(paid * 1500), subscription_tickets: 0,
                })
            })
            .collect();
        let s = season_summary(&SeasonFacts { season: season(2025), performances, audience: Default::default(), previous_season_patrons: 0 });
        let fill = s.fill_rate.unwrap();
        prop_assert!((0.0..=1.0).contains(&fill));
        prop_assert!(s.paid_fill_rate.unwrap() <= fill);
        if let Some(avg) = s.average_price { prop_assert!((avg - 1500.0).abs() < 1e-9); }
    }
}

#[test]
fn shows_are_ranked_by_the_fill_rate_of_their_performances_held() {
    let line =
        |show: &str, capacity: u32, tickets: u64, status: PerformanceStatus| PerformanceLine {
            id: 0,
            show: show.to_owned(),
            discipline: jauge_model::Discipline::Theatre,
            hall: "Grande salle".to_owned(),
            starts_at: chrono::DateTime::from_timestamp(1_760_000_000, 0).unwrap(),
            sales: PerformanceSales {
                capacity: Capacity::new(capacity).unwrap(),
                status,
                sales: SalesTotals {
                    tickets,
                    paid_tickets: tickets,
                    free_tickets: 0,
                    revenue: Cents::new(tickets * 2000),
                    subscription_tickets: 0,
                },
            },
        };
    let held = PerformanceStatus::Scheduled;
    let ranked = shows_by_fill_rate(&[
        line("Ondine", 100, 90, held),
        line("Ondine", 100, 50, held),
        // A cancelled performance counts in neither capacity nor tickets.
        line("Ondine", 100, 0, PerformanceStatus::Cancelled),
        line("Barbe bleue", 200, 190, held),
        line("Zoé", 50, 10, held),
        line("Annulé", 80, 0, PerformanceStatus::Cancelled),
    ]);
    let names: Vec<&str> = ranked.iter().map(|s| s.show.as_str()).collect();
    assert_eq!(names, ["Barbe bleue", "Ondine", "Zoé"]);
    assert_eq!(ranked[1].fill_rate, Some(140.0 / 200.0));
    assert_eq!((ranked[1].performances, ranked[1].capacity), (2, 200));
    assert_eq!(ranked[0].sales.revenue, Cents::new(380_000));
}

fn bookings(capacity: u32, by_day: Vec<(u32, u64)>) -> Bookings {
    let tickets = by_day.iter().map(|(_, t)| t).sum();
    Bookings {
        performance: PerformanceLine {
            id: 1,
            show: "Ondine".to_owned(),
            discipline: jauge_model::Discipline::Theatre,
            hall: "Studio".to_owned(),
            starts_at: chrono::DateTime::from_timestamp(1_760_000_000, 0).unwrap(),
            sales: PerformanceSales {
                capacity: Capacity::new(capacity).unwrap(),
                status: PerformanceStatus::Scheduled,
                sales: SalesTotals {
                    tickets,
                    paid_tickets: tickets,
                    free_tickets: 0,
                    revenue: Cents::new(0),
                    subscription_tickets: 0,
                },
            },
        },
        by_day,
    }
}

#[test]
fn a_booking_curve_accumulates_the_share_sold_up_to_the_day() {
    // 100 seats: 10 sold 60 days before (before a 30-day horizon), 20 at 30, 30 at 2, 5 on the day.
    let b = bookings(100, vec![(60, 10), (30, 20), (2, 30), (0, 5)]);
    let curve = b.curve(30);
    assert_eq!(curve.len(), 31);
    assert_eq!(
        curve[0], 0.30,
        "the horizon's first day: the earlier 10 and its own 20"
    );
    assert_eq!(curve[27], 0.30, "3 days before");
    assert_eq!(curve[28], 0.60, "2 days before");
    assert_eq!(curve[30], 0.65, "the day itself: every ticket");
}

#[test]
fn the_median_curve_takes_the_middle_value_at_each_day() {
    let curves = vec![vec![0.1, 0.5], vec![0.3, 0.9], vec![0.2, 0.4, 1.0]];
    assert_eq!(median_curve(&curves), vec![0.2, 0.5]);
    assert_eq!(median_curve(&curves[..2]), vec![0.2, 0.7]);
    assert!(median_curve(&[]).is_empty());
}

#[test]
fn people_are_counted_by_how_many_tickets_they_bought() {
    assert_eq!(
        frequency_distribution(&[1, 1, 2, 3, 4, 5, 6, 40, 0]),
        [2, 1, 1, 2, 2]
    );
    assert_eq!(frequency_distribution(&[]), [0; 5]);
}

#[test]
fn tickets_are_counted_by_how_long_before_they_were_ordered() {
    let b = bookings(
        100,
        vec![
            (0, 4),
            (1, 2),
            (7, 3),
            (8, 1),
            (30, 1),
            (31, 5),
            (90, 1),
            (91, 2),
        ],
    );
    assert_eq!(b.lead_times(), [4, 5, 2, 6, 2]);
}

#[test]
fn a_tariff_marked_subscription_counts_its_tickets_as_subscription_ones() {
    let mut tickets = vec![
        ticket(2500, TicketStatus::Valid),
        ticket(1800, TicketStatus::Valid),
        ticket(1800, TicketStatus::Cancelled),
    ];
    tickets[1].tariff = "ABO".parse().unwrap();
    tickets[2].tariff = "ABO".parse().unwrap();
    let tariffs = [jauge_model::Tariff {
        id: "ABO".parse().unwrap(),
        label: "Abonnement 4 spectacles".parse().unwrap(),
        category: TariffCategory::Subscription,
    }];
    let totals = SalesTotals::of(&tickets, &tariffs);
    assert_eq!((totals.tickets, totals.subscription_tickets), (2, 1));
    let facts = SeasonFacts {
        season: season(2025),
        performances: vec![performance(10, PerformanceStatus::Scheduled, totals)],
        audience: Default::default(),
        previous_season_patrons: 0,
    };
    assert_eq!(season_summary(&facts).subscription_share, Some(0.5));
}

#[test]
fn each_person_falls_in_one_loyalty_segment_a_season() {
    use audience::{Segment, segment};
    let subscriber = audience::PersonSeason {
        subscription_tickets: 4,
        ..now(2025, 4)
    };
    let cases: [(Vec<audience::PersonSeason>, Option<Segment>); 8] = [
        (vec![now(2025, 1)], Some(Segment::FirstTimer)),
        (vec![now(2023, 1), subscriber], Some(Segment::Subscriber)),
        // Two of the three seasons before: a regular; one only: occasional.
        (
            vec![now(2022, 1), now(2024, 1), now(2025, 2)],
            Some(Segment::Regular),
        ),
        (
            vec![now(2021, 9), now(2024, 1), now(2025, 2)],
            Some(Segment::Occasional),
        ),
        (vec![now(2023, 1), now(2024, 1)], Some(Segment::Absent)),
        (vec![now(2022, 1), now(2023, 1)], Some(Segment::Lapsed)),
        (vec![now(2019, 1), now(2022, 1)], Some(Segment::Lost)),
        // Not yet seen in 2025.
        (vec![now(2026, 1)], None),
    ];
    for (history, expected) in cases {
        assert_eq!(segment(&history, 2025), expected, "{history:?}");
    }
}

#[test]
fn the_audience_tally_counts_each_season_from_whole_histories() {
    let people = [
        vec![now(2023, 1), now(2024, 2), now(2025, 1)],
        vec![now(2024, 1)],
        vec![now(2025, 7)],
        vec![now(2023, 3)],
    ];
    let mut tally = audience::AudienceTally::new(&[2025, 2023, 2024]);
    for history in &people {
        tally.add(history);
    }
    let seasons = tally.finish();
    let years: Vec<i32> = seasons.iter().map(|(y, _)| *y).collect();
    assert_eq!(years, [2023, 2024, 2025]);
    let a2024 = seasons[1].1;
    assert_eq!(
        (a2024.patrons, a2024.first_timers, a2024.returning),
        (2, 1, 1)
    );
    assert_eq!(a2024.segment(audience::Segment::Absent), 1);
    let a2025 = seasons[2].1;
    assert_eq!(
        (a2025.patrons, a2025.first_timers, a2025.returning),
        (2, 1, 1)
    );
    // 1 ticket and 6+ tickets.
    assert_eq!(a2025.frequency, [1, 0, 0, 0, 1]);
    assert_eq!(a2025.segment(audience::Segment::Regular), 1);
    assert_eq!(a2025.segment(audience::Segment::Absent), 1);
    assert_eq!(a2025.segment(audience::Segment::Lapsed), 1);
    assert_eq!(a2025.segments.iter().sum::<u64>(), 4);
}

#[test]
fn sales_by_day_add_up_by_week_and_up_to_a_day() {
    use calendar::{DaySales, sales_until, season_summary_until, weekly};
    let day = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    let sold = |tickets: u64, revenue: u64| SalesTotals {
        tickets,
        paid_tickets: tickets,
        free_tickets: 0,
        revenue: Cents::new(revenue),
        subscription_tickets: 0,
    };
    // Wednesday 3 and Sunday 7 September are one week; Monday 8 the next; none the week of
    // the 15th; Tuesday 23 the last.
    let by_day = [
        DaySales {
            day: day(9, 7),
            sales: sold(2, 5000),
        },
        DaySales {
            day: day(9, 3),
            sales: sold(1, 2500),
        },
        DaySales {
            day: day(9, 8),
            sales: sold(4, 8000),
        },
        DaySales {
            day: day(9, 23),
            sales: sold(1, 1000),
        },
    ];
    let weeks = weekly(&by_day);
    let mondays: Vec<u32> = weeks.iter().map(|w| w.day.day()).collect();
    assert_eq!(mondays, [1, 8, 15, 22]);
    let tickets: Vec<u64> = weeks.iter().map(|w| w.sales.tickets).collect();
    assert_eq!(tickets, [3, 4, 0, 1]);
    assert_eq!(sales_until(&by_day, day(9, 8)), sold(7, 15_500));
    assert_eq!(sales_until(&by_day, day(8, 31)), SalesTotals::default());

    let facts = SeasonFacts {
        season: season(2025),
        performances: vec![
            performance(10, PerformanceStatus::Scheduled, sold(8, 16_500)),
            performance(90, PerformanceStatus::Cancelled, sold(0, 0)),
        ],
        audience: audience_of(&[vec![now(2025, 8)]], 2025),
        previous_season_patrons: 0,
    };
    let then = season_summary_until(&facts, &by_day, day(9, 7));
    assert_eq!((then.tickets, then.capacity), (3, 10));
    assert_eq!(then.fill_rate, Some(0.3));
    assert_eq!(then.average_price, Some(2500.0));
    assert_eq!(then.first_timer_share, None, "not known at a past day");
}

#[test]
fn rfm_scores_rank_each_person_by_fifths() {
    use audience::rfm_scores;
    // Ten people: the i-th came i seasons ago (0: this season), bought i + 1 tickets and spent
    // 10 € for everyone but the last, who spent 500 €.
    let people: Vec<(f64, f64, f64)> = (0..10)
        .map(|i| {
            (
                f64::from(i),
                f64::from(i + 1),
                if i == 9 { 50_000.0 } else { 1_000.0 },
            )
        })
        .collect();
    let scores = rfm_scores(&people);
    assert_eq!(scores[0].recency, 5, "came this season");
    assert_eq!(scores[9].recency, 1);
    assert_eq!((scores[0].frequency, scores[9].frequency), (1, 5));
    // Nine equal spends share a middle score; the big spender is in the top fifth.
    assert_eq!(scores[9].monetary, 5);
    assert!(scores[..9].iter().all(|s| s.monetary == scores[0].monetary));
    assert_eq!(scores[0].code(), format!("51{}", scores[0].monetary));
}
