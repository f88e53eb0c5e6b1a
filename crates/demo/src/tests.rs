use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use jauge_geo::Geography;
use jauge_model::*;

use super::*;

fn options(seed: u64) -> DemoOptions {
    DemoOptions {
        seed,
        scale: 1.0,
        today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    }
}

fn venue() -> &'static DemoVenue {
    static VENUE: OnceLock<DemoVenue> = OnceLock::new();
    VENUE.get_or_init(|| generate(options(7)))
}

struct Index<'a> {
    performances: HashMap<&'a ExternalId, &'a Performance>,
    shows: HashMap<&'a ExternalId, &'a Show>,
    orders: HashMap<&'a ExternalId, &'a Order>,
    tariffs: HashMap<&'a ExternalId, &'a Tariff>,
}

fn index(v: &DemoVenue) -> Index<'_> {
    let d = &v.ticketing;
    Index {
        performances: d.performances.iter().map(|p| (&p.id, p)).collect(),
        shows: d.shows.iter().map(|s| (&s.id, s)).collect(),
        orders: d.orders.iter().map(|o| (&o.id, o)).collect(),
        tariffs: d.tariffs.iter().map(|t| (&t.id, t)).collect(),
    }
}

fn season_of(v: &DemoVenue, at: DateTime<Utc>) -> Season {
    Season::containing(
        at.with_timezone(&v.setup.venue.time_zone).date_naive(),
        v.setup.venue.season_start,
    )
}

#[test]
fn the_same_options_give_byte_identical_files_and_another_seed_does_not() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let first = write_files(venue(), a.path()).unwrap();
    let second = write_files(&generate(options(7)), b.path()).unwrap();
    let other = write_files(&generate(options(8)), c.path()).unwrap();
    for ((x, y), z) in first.all().iter().zip(second.all()).zip(other.all()) {
        let bytes = std::fs::read(x).unwrap();
        assert!(!bytes.is_empty());
        assert_eq!(
            bytes,
            std::fs::read(y).unwrap(),
            "{} differs between two runs",
            x.display()
        );
        if !x.ends_with("emailing_activite.csv") {
            assert_ne!(
                bytes,
                std::fs::read(z).unwrap(),
                "{} ignores the seed",
                x.display()
            );
        }
    }
}

#[test]
fn the_ticketing_export_is_in_french_windows_conventions() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_files(venue(), dir.path()).unwrap();
    let bytes = std::fs::read(&files.ticketing).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "accents must be in Windows-1252, not UTF-8"
    );
    let (text, _, errors) = encoding_rs::WINDOWS_1252.decode(&bytes);
    assert!(!errors);
    let mut lines = text.split("\r\n");
    let header = lines.next().unwrap();
    assert!(header.starts_with("N° commande;Date commande;"), "{header}");
    let row: Vec<&str> = lines.next().unwrap().split(';').collect();
    let date = row[1];
    assert!(
        NaiveDate::parse_from_str(&date[..10], "%d/%m/%Y").is_ok(),
        "{date}"
    );
    assert!(
        row[11].contains(','),
        "decimal comma expected in {:?}",
        row[11]
    );
}

#[test]
fn the_datasets_are_consistent() {
    let v = venue();
    assert_eq!(v.ticketing.problems(&v.setup.halls), vec![]);
    assert_eq!(v.emailing.problems(&v.setup.halls), vec![]);
}

#[test]
fn volumes_are_those_of_a_scene_conventionnee() {
    let v = venue();
    let capacities: Vec<u32> = v.setup.halls.iter().map(|h| h.capacity.get()).collect();
    assert_eq!(capacities, [650, 180]);
    assert_eq!(
        v.seasons.iter().map(|s| s.label()).collect::<Vec<_>>(),
        ["2023-2024", "2024-2025", "2025-2026", "2026-2027"]
    );
    let d = &v.ticketing;
    assert!(
        (45..=56).contains(&d.shows.len()),
        "{} shows",
        d.shows.len()
    );
    assert!(
        (150..=200).contains(&d.performances.len()),
        "{} performances",
        d.performances.len()
    );
    assert!(
        (50_000..=75_000).contains(&d.tickets.len()),
        "{} tickets",
        d.tickets.len()
    );
    let people: BTreeSet<u32> = v.truth.iter().map(|t| t.person).collect();
    assert!(
        (12_000..=19_000).contains(&people.len()),
        "{} people",
        people.len()
    );
    let disciplines: BTreeSet<Discipline> = d.shows.iter().map(|s| s.discipline).collect();
    assert!(disciplines.len() >= 8, "{disciplines:?}");
}

#[test]
fn about_half_of_each_seasons_buyers_are_first_timers() {
    let v = venue();
    let ix = index(v);
    let mut seasons_of: BTreeMap<&PatronKey, BTreeSet<Season>> = BTreeMap::new();
    for t in v.ticketing.tickets.iter().filter(|t| t.counts_as_sold()) {
        let p = ix.performances[&t.performance];
        if let (Some(buyer), PerformanceStatus::Scheduled) = (&ix.orders[&t.order].buyer, p.status)
        {
            seasons_of
                .entry(buyer)
                .or_default()
                .insert(season_of(v, p.starts_at));
        }
    }
    for season in &v.seasons[1..] {
        let patrons: Vec<&BTreeSet<Season>> =
            seasons_of.values().filter(|s| s.contains(season)).collect();
        let first = patrons.iter().filter(|s| s.first() == Some(season)).count();
        let share = first as f64 / patrons.len() as f64;
        assert!(
            (0.38..=0.65).contains(&share),
            "{season}: first-timer share {share:.2}"
        );
    }
    // Loyal patrons come back over several seasons.
    let loyal = seasons_of.values().filter(|s| s.len() >= 3).count();
    assert!(loyal > 300, "{loyal} patrons came in three seasons or more");
}

#[test]
fn subscriptions_sell_before_the_season_and_lead_times_depend_on_the_discipline() {
    let v = venue();
    let ix = index(v);
    let mut subscription_early = (0, 0);
    let mut leads: BTreeMap<Discipline, Vec<f64>> = BTreeMap::new();
    let mut last_week = (0, 0);
    for t in &v.ticketing.tickets {
        let order = ix.orders[&t.order];
        let p = ix.performances[&t.performance];
        let lead = (p.starts_at - order.created_at).num_minutes() as f64 / 1440.0;
        assert!(
            lead >= 0.0,
            "order {} placed after its performance",
            order.id
        );
        match ix.tariffs[&t.tariff].category {
            TariffCategory::Subscription => {
                let season_start = season_of(v, p.starts_at).first_day();
                subscription_early.1 += 1;
                if order.created_at.date_naive() < season_start + Duration::days(30) {
                    subscription_early.0 += 1;
                }
            }
            TariffCategory::FullPrice | TariffCategory::Reduced => {
                leads
                    .entry(ix.shows[&p.show].discipline)
                    .or_default()
                    .push(lead);
                last_week.1 += 1;
                if lead < 7.0 {
                    last_week.0 += 1;
                }
            }
            _ => {}
        }
    }
    let share = f64::from(subscription_early.0) / f64::from(subscription_early.1);
    assert!(
        share > 0.8,
        "only {share:.2} of subscription tickets sold by early October"
    );
    let rush = f64::from(last_week.0) / f64::from(last_week.1);
    assert!((0.2..0.6).contains(&rush), "last-week share {rush:.2}");
    let median = |d: Discipline| {
        let mut l = leads[&d].clone();
        l.sort_by(f64::total_cmp);
        l[l.len() / 2]
    };
    assert!(
        median(Discipline::Comedy) < median(Discipline::Theatre),
        "comedy sells later than theatre"
    );
    assert!(
        median(Discipline::Theatre) < median(Discipline::Circus),
        "circus sells earlier than theatre"
    );
}

#[test]
fn upcoming_performances_are_only_partly_sold() {
    let v = venue();
    let ix = index(v);
    assert!(v.ticketing.orders.iter().all(|o| o.created_at < v.as_of));
    let mut sold: HashMap<&ExternalId, u32> = HashMap::new();
    for t in v.ticketing.tickets.iter().filter(|t| t.counts_as_sold()) {
        *sold.entry(&t.performance).or_default() += 1;
        if ix.performances[&t.performance].starts_at >= v.as_of {
            assert_eq!(
                t.checked_in_at, None,
                "a ticket for an upcoming performance was scanned"
            );
        }
    }
    let upcoming: Vec<&Performance> = v
        .ticketing
        .performances
        .iter()
        .filter(|p| p.starts_at >= v.as_of)
        .collect();
    assert!(
        upcoming.len() >= 15,
        "{} upcoming performances",
        upcoming.len()
    );
    let fill = |p: &Performance| {
        f64::from(sold.get(&p.id).copied().unwrap_or(0)) / f64::from(p.capacity.get())
    };
    let half_empty = upcoming.iter().filter(|p| fill(p) < 0.5).count();
    assert!(
        half_empty * 3 >= upcoming.len(),
        "upcoming performances look sold out already"
    );
    let past: Vec<&Performance> = v
        .ticketing
        .performances
        .iter()
        .filter(|p| p.starts_at < v.as_of && p.status == PerformanceStatus::Scheduled)
        .collect();
    let past_fill = past.iter().map(|p| fill(p)).sum::<f64>() / past.len() as f64;
    assert!(
        (0.65..0.95).contains(&past_fill),
        "past performances filled at {past_fill:.2}"
    );
    assert!(
        past.iter().all(|p| fill(p) <= 1.0),
        "no performance sells above its capacity"
    );
}

#[test]
fn cancellations_and_refunds_behave_like_a_box_office() {
    let v = venue();
    let ix = index(v);
    let cancelled: BTreeSet<&ExternalId> = v
        .ticketing
        .performances
        .iter()
        .filter(|p| p.status == PerformanceStatus::Cancelled)
        .map(|p| &p.id)
        .collect();
    assert!(
        cancelled.len() >= 3,
        "one cancelled performance a past season"
    );
    let mut statuses: BTreeMap<TicketStatus, usize> = BTreeMap::new();
    for t in &v.ticketing.tickets {
        *statuses.entry(t.status).or_default() += 1;
        if cancelled.contains(&t.performance) {
            assert_ne!(
                t.status,
                TicketStatus::Valid,
                "a cancelled performance's ticket is still valid"
            );
        }
        if ix.orders[&t.order].status == OrderStatus::Cancelled {
            assert_eq!(t.status, TicketStatus::Cancelled);
        }
    }
    assert!(
        statuses[&TicketStatus::Cancelled] > 300 && statuses[&TicketStatus::Refunded] > 300,
        "{statuses:?}"
    );
}

#[test]
fn the_tariff_mix_is_believable() {
    let v = venue();
    let ix = index(v);
    let mut by_category: BTreeMap<TariffCategory, usize> = BTreeMap::new();
    let sold: Vec<&Ticket> = v
        .ticketing
        .tickets
        .iter()
        .filter(|t| t.counts_as_sold())
        .collect();
    for t in &sold {
        *by_category
            .entry(ix.tariffs[&t.tariff].category)
            .or_default() += 1;
        if ix.tariffs[&t.tariff].category == TariffCategory::Free {
            assert!(t.amount_paid.is_zero());
        } else {
            assert!(!t.amount_paid.is_zero());
        }
    }
    let share = |c| by_category.get(&c).copied().unwrap_or(0) as f64 / sold.len() as f64;
    assert!(
        (0.25..0.5).contains(&share(TariffCategory::FullPrice)),
        "{by_category:?}"
    );
    assert!(
        (0.1..0.35).contains(&share(TariffCategory::Subscription)),
        "{by_category:?}"
    );
    assert!(
        (0.005..0.05).contains(&share(TariffCategory::Free)),
        "{by_category:?}"
    );
    assert!(
        share(TariffCategory::SchoolOrGroup) > 0.02,
        "{by_category:?}"
    );
}

#[test]
fn patrons_live_mostly_near_the_venue_at_real_addresses() {
    let v = venue();
    let france = Geography::france();
    let centre = france
        .commune(v.setup.venue.insee.as_str())
        .unwrap()
        .position;
    let mut near = 0;
    for p in &v.ticketing.patrons {
        let postcode = p.postcode.as_deref().unwrap();
        let communes = france.communes_with_postcode(postcode);
        assert!(!communes.is_empty(), "unknown postcode {postcode}");
        if communes
            .iter()
            .any(|c| c.position.distance_km(&centre) < 30.0)
        {
            near += 1;
        }
    }
    let share = f64::from(near) / v.ticketing.patrons.len() as f64;
    assert!((0.7..0.97).contains(&share), "{share:.2} live within 30 km");
}

#[test]
fn duplicate_patrons_and_their_truth_are_kept_aside() {
    let v = venue();
    let keys: BTreeSet<&PatronKey> = v
        .ticketing
        .patrons
        .iter()
        .chain(&v.emailing.patrons)
        .filter_map(|p| p.key())
        .collect();
    let mut records: BTreeMap<u32, Vec<&TruthRecord>> = BTreeMap::new();
    for t in &v.truth {
        assert!(
            keys.contains(&t.patron),
            "truth names an unknown record {}",
            t.patron
        );
        records.entry(t.person).or_default().push(t);
    }
    assert_eq!(v.truth.len(), keys.len(), "every record has its person");
    let two_accounts = records
        .values()
        .filter(|r| {
            r.iter()
                .filter(|t| t.source.as_str() == "billetterie")
                .count()
                > 1
        })
        .count();
    let both_sources = records
        .values()
        .filter(|r| r.iter().map(|t| &t.source).collect::<BTreeSet<_>>().len() > 1)
        .count();
    assert!(
        two_accounts > 150,
        "{two_accounts} people with two ticketing accounts"
    );
    assert!(
        both_sources > 3_000,
        "{both_sources} people in both sources"
    );
}
