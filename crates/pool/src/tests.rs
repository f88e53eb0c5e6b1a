use std::collections::{BTreeMap, BTreeSet};

use jauge_model::{Discipline, Lang, Season, TariffCategory};
use jauge_store::{SqliteStore, Store};
use proptest::prelude::*;

use crate::benchmark::{Metric, benchmarks, territory};
use crate::contribution::{AreaCount, Contribution, PerformanceAggregate, SizeBand, VenueCard};
use crate::crossover::crossover;
use crate::secrecy::{Breach, MAX_SHARE_PERCENT, MIN_PATRONS, MIN_VENUES};
use crate::token::NetworkKey;

const KEY: &str = "5a1e0b7c9d2f4e6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a";

/// The demo venue's store.
fn demo_store() -> (tempfile::TempDir, SqliteStore, jauge_demo::DemoVenue) {
    let venue = jauge_demo::generate(jauge_demo::DemoOptions {
        seed: 5,
        scale: 0.05,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(dir.path().join("jauge.db")).unwrap();
    store.save_setup(&venue.setup).unwrap();
    store.write_dataset(&venue.ticketing).unwrap();
    (dir, store, venue)
}

#[test]
fn a_contribution_holds_the_seasons_figures_and_no_person() {
    let (_dir, store, venue) = demo_store();
    let key = NetworkKey::from_hex(KEY).unwrap();
    let season: Season = "2025-2026".parse().unwrap();
    let now = chrono::Utc::now();
    let c = crate::from_store::contribution(&store, season, &key, now).unwrap();

    // The figures are the store's own.
    let summary = jauge_analytics::season_summary(&store.season_facts(season).unwrap());
    assert_eq!(c.tickets(), summary.tickets);
    assert_eq!(
        c.performances.iter().map(|p| p.revenue_cents).sum::<i64>(),
        summary.revenue.as_i64()
    );
    assert_eq!(c.performances.len() as u64, summary.performances);
    for p in &c.performances {
        assert_eq!(
            p.tariffs.values().sum::<u64>(),
            p.tickets,
            "the mix adds up"
        );
    }
    assert_eq!(c.buyers, store.season_audience(season).unwrap().patrons);
    // One entry a buyer with an email, counted again from the demo's own facts (the store
    // holds no linkage yet: each patron is a person).
    let tz = venue.setup.venue.time_zone;
    let in_season: BTreeSet<&str> = venue
        .ticketing
        .performances
        .iter()
        .filter(|p| season.contains(p.starts_at.with_timezone(&tz).date_naive()))
        .filter(|p| p.status == jauge_model::PerformanceStatus::Scheduled)
        .map(|p| p.id.as_str())
        .collect();
    let buyer_of: BTreeMap<&str, &jauge_model::PatronKey> = venue
        .ticketing
        .orders
        .iter()
        .filter_map(|o| o.buyer.as_ref().map(|b| (o.id.as_str(), b)))
        .collect();
    let season_buyers: BTreeSet<&jauge_model::PatronKey> = venue
        .ticketing
        .tickets
        .iter()
        .filter(|t| t.counts_as_sold() && in_season.contains(t.performance.as_str()))
        .filter_map(|t| buyer_of.get(t.order.as_str()).copied())
        .collect();
    assert_eq!(season_buyers.len() as u64, c.buyers);
    let with_email = venue
        .ticketing
        .patrons
        .iter()
        .filter(|p| p.key.as_ref().is_some_and(|k| season_buyers.contains(k)))
        .filter(|p| {
            p.email
                .as_ref()
                .is_some_and(|e| key.token(e.as_str()).is_some())
        })
        .count();
    assert_eq!(
        c.patrons.len(),
        with_email,
        "one entry a buyer with an email"
    );
    assert!(with_email as u64 > c.buyers / 2);
    let placed: u64 = c.communes.iter().map(|a| a.buyers).sum();
    assert_eq!(placed, c.departements.iter().map(|a| a.buyers).sum::<u64>());
    assert!(
        placed > c.buyers / 2,
        "most buyers are placed: {placed} of {}",
        c.buyers
    );
    assert_eq!(c.venue.departement, "37");

    // Nothing personal in what is sent: no email, name or postcode of a patron.
    let sent = serde_json::to_string(&c).unwrap();
    for identity in venue.ticketing.patrons.iter().take(200) {
        if let Some(email) = &identity.email {
            assert!(!sent.contains(email.as_str()), "{email}");
        }
        if let Some(last) = &identity.last_name {
            assert!(!sent.contains(&format!("\"{last}\"")), "{last}");
        }
    }
    // The same store and key give the same contribution.
    assert_eq!(
        crate::from_store::contribution(&store, season, &key, now).unwrap(),
        c
    );
}

/// A contribution of `venue` in `region` with performances of one discipline and band, and
/// buyers known by the emails given.
fn synthetic(
    venue: &str,
    region: &str,
    performances: &[(u32, u64)],
    emails: &[String],
    key: &NetworkKey,
) -> Contribution {
    Contribution {
        format: crate::contribution::FORMAT,
        venue: VenueCard {
            id: venue.into(),
            name: venue.into(),
            insee: "37122".into(),
            departement: "37".into(),
            region: region.into(),
        },
        season: "2025-2026".into(),
        built_at: chrono::Utc::now(),
        performances: performances
            .iter()
            .map(|(capacity, tickets)| PerformanceAggregate {
                month: "2025-11".into(),
                discipline: Discipline::Theatre,
                size_band: SizeBand::Medium,
                capacity: *capacity,
                tickets: *tickets,
                paid_tickets: tickets * 9 / 10,
                revenue_cents: (tickets * 9 / 10 * 1800) as i64,
                tariffs: BTreeMap::from([(TariffCategory::FullPrice, *tickets)]),
            })
            .collect(),
        buyers: emails.len() as u64,
        communes: vec![AreaCount {
            code: "37122".into(),
            buyers: emails.len() as u64,
        }],
        departements: vec![AreaCount {
            code: "37".into(),
            buyers: emails.len() as u64,
        }],
        patrons: emails.iter().map(|e| vec![key.token(e).unwrap()]).collect(),
    }
}

#[test]
fn crossover_counts_shared_buyers_by_token_and_hides_small_counts() {
    let key = NetworkKey::from_hex(KEY).unwrap();
    let people = |range: std::ops::Range<u32>| -> Vec<String> {
        range.map(|i| format!("personne{i}@exemple.fr")).collect()
    };
    // A and B share 30 people (written differently at B); A and C share 5.
    let a = people(0..100);
    let mut b: Vec<String> = people(70..100).iter().map(|e| e.to_uppercase()).collect();
    b.extend(people(200..250));
    let mut c = people(95..100);
    c.extend(people(300..320));
    let contributions = [
        synthetic("A", "24", &[(300, 200)], &a, &key),
        synthetic("B", "24", &[(300, 200)], &b, &key),
        synthetic("C", "24", &[(300, 200)], &c, &key),
    ];
    let refs: Vec<&Contribution> = contributions.iter().collect();
    let pairs = crossover(&refs);
    let find = |from: &str, to: &str| pairs.iter().find(|p| p.from == from && p.to == to).unwrap();
    // Independently, from the emails themselves.
    let shared = |x: &[String], y: &[String]| {
        let y: BTreeSet<String> = y.iter().map(|e| e.to_lowercase()).collect();
        x.iter().filter(|e| y.contains(&e.to_lowercase())).count() as u64
    };
    assert_eq!(find("A", "B").buyers, Some(shared(&a, &b)));
    assert_eq!(find("A", "B").share, Some(30.0 / 100.0));
    assert_eq!(find("B", "A").share, Some(30.0 / 80.0));
    assert_eq!(shared(&a, &c), 5);
    assert_eq!((find("A", "C").buyers, find("A", "C").share), (None, None));
    assert_eq!(find("B", "C").buyers, None, "B and C share nobody");
    assert_eq!(pairs.len(), 6);
}

prop_compose! {
    /// A network of 1 to 9 venues in two regions, each with some performances and buyers.
    fn network()(
        venues in proptest::collection::vec(
            (0usize..2, proptest::collection::vec((50u32..400, 0u64..400), 1..6), 0u32..40),
            1..10,
        )
    ) -> Vec<Contribution> {
        let key = NetworkKey::from_hex(KEY).unwrap();
        venues
            .into_iter()
            .enumerate()
            .map(|(i, (region, performances, buyers))| {
                let performances: Vec<(u32, u64)> =
                    performances.into_iter().map(|(c, t)| (c, t.min(u64::from(c)))).collect();
                let emails: Vec<String> =
                    (0..buyers).map(|b| format!("p{}@exemple.fr", b + i as u32 * 7)).collect();
                synthetic(&format!("V{i}"), ["24", "52"][region], &performances, &emails, &key)
            })
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every cell the hub would publish, recomputed from the contributions alone, keeps the
    /// rules: at least 5 venues and 11 patrons, no venue above 85 %.
    #[test]
    fn no_published_cell_breaches_statistical_secrecy(contributions in network()) {
        let refs: Vec<&Contribution> = contributions.iter().collect();
        for own in &contributions {
            for cell in benchmarks(&refs, &own.venue.id) {
                let behind: Vec<&Contribution> = contributions
                    .iter()
                    .filter(|c| c.venue.region == own.venue.region)
                    .filter(|c| {
                        let group: Vec<&PerformanceAggregate> = c.performances.iter()
                            .filter(|p| p.discipline == cell.discipline && p.size_band == cell.size_band)
                            .collect();
                        cell.metric.of(&group).is_some()
                    })
                    .collect();
                prop_assert_eq!(behind.len(), cell.peers);
                let tickets: Vec<u64> = behind.iter().map(|c| c.tickets()).collect();
                let total: u64 = tickets.iter().sum();
                let largest = tickets.iter().copied().max().unwrap_or(0);
                let patrons: u64 = behind.iter().map(|c| c.buyers).sum();
                let keeps = behind.len() >= MIN_VENUES
                    && patrons >= MIN_PATRONS
                    && largest * 100 <= total * MAX_SHARE_PERCENT;
                prop_assert_eq!(cell.distribution.is_ok(), keeps, "{:?}", cell.metric);
                if let Ok(d) = cell.distribution {
                    prop_assert!(d.q1 <= d.median && d.median <= d.q3);
                }
            }
        }
        for commune in territory(&refs) {
            let behind: Vec<u64> = contributions
                .iter()
                .flat_map(|c| c.communes.iter().filter(|a| a.code == commune.insee).map(|a| a.buyers))
                .collect();
            let total: u64 = behind.iter().sum();
            let keeps = behind.len() >= MIN_VENUES
                && total >= MIN_PATRONS
                && behind.iter().max().unwrap() * 100 <= total * MAX_SHARE_PERCENT;
            prop_assert_eq!(commune.buyers.is_ok(), keeps);
            if let Ok(buyers) = commune.buyers {
                prop_assert_eq!(buyers, total);
            }
        }
        for pair in crossover(&refs) {
            if let Some(shared) = pair.buyers {
                prop_assert!(shared >= MIN_PATRONS);
            }
        }
    }
}

#[test]
fn a_venue_among_five_peers_sees_their_quartiles_and_alone_sees_none() {
    let key = NetworkKey::from_hex(KEY).unwrap();
    let buyers: Vec<String> = (0..20).map(|i| format!("b{i}@exemple.fr")).collect();
    let fills = [100u64, 150, 200, 250, 290];
    let contributions: Vec<Contribution> = fills
        .iter()
        .enumerate()
        .map(|(i, t)| synthetic(&format!("V{i}"), "24", &[(300, *t)], &buyers, &key))
        .collect();
    let refs: Vec<&Contribution> = contributions.iter().collect();
    let fill = benchmarks(&refs, "V0")
        .into_iter()
        .find(|c| c.metric == Metric::FillRate)
        .unwrap();
    assert_eq!(fill.peers, 5);
    assert_eq!(fill.venue_value, Some(100.0 / 300.0));
    let d = fill.distribution.unwrap();
    assert!((d.median - 200.0 / 300.0).abs() < 1e-12);
    assert!((d.q1 - 150.0 / 300.0).abs() < 1e-12);
    assert!((d.q3 - 250.0 / 300.0).abs() < 1e-12);
    // Four of them: secret.
    let fewer = benchmarks(&refs[..4], "V0");
    assert!(
        fewer
            .iter()
            .all(|c| c.distribution == Err(Breach::FewVenues))
    );
    assert_eq!(Breach::FewVenues.label(Lang::Fr), "moins de 5 lieux");
}
