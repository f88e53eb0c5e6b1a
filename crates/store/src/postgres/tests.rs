//! Against a real PostgreSQL: `JAUGE_TEST_POSTGRES` holds a connection string of a role that
//! may create databases and roles (`.ci/run` starts one); each test makes a database of its
//! own. Skipped, saying so, without it.

use std::collections::BTreeMap;

use chrono::TimeZone;
use jauge_model::network::{AreaCount, Contribution, PerformanceAggregate, SizeBand, VenueCard};
use jauge_model::{Discipline, TariffCategory};

use super::*;

type Database = super::testing::TestDatabase;

fn contribution(id: &str, tickets: u64, tokens: &[&str]) -> Contribution {
    Contribution {
        format: 1,
        venue: VenueCard {
            id: id.into(),
            name: format!("Lieu {id}"),
            insee: "37122".into(),
            departement: "37".into(),
            region: "24".into(),
        },
        season: "2025-2026".into(),
        built_at: chrono::Utc.with_ymd_and_hms(2026, 11, 29, 8, 0, 0).unwrap(),
        performances: vec![
            PerformanceAggregate {
                month: "2025-10".into(),
                discipline: Discipline::Theatre,
                size_band: SizeBand::Medium,
                capacity: 300,
                tickets,
                paid_tickets: tickets - 10,
                revenue_cents: (tickets as i64 - 10) * 1850,
                tariffs: BTreeMap::from([
                    (TariffCategory::FullPrice, tickets - 10),
                    (TariffCategory::Free, 10),
                ]),
            },
            PerformanceAggregate {
                month: "2026-03".into(),
                discipline: Discipline::Music,
                size_band: SizeBand::Large,
                capacity: 600,
                tickets: tickets * 2,
                paid_tickets: tickets * 2,
                revenue_cents: tickets as i64 * 2 * 2500,
                tariffs: BTreeMap::from([(TariffCategory::Reduced, tickets * 2)]),
            },
        ],
        buyers: tokens.len() as u64,
        communes: vec![AreaCount {
            code: "37122".into(),
            buyers: 40,
        }],
        departements: vec![AreaCount {
            code: "37".into(),
            buyers: 55,
        }],
        patrons: tokens
            .iter()
            .map(|t| vec![format!("{t}1"), format!("{t}2")])
            .collect(),
    }
}

#[test]
fn contributions_round_trip_and_a_new_one_replaces_the_old() {
    let Some(db) = Database::new("jauge_hub_test") else {
        return;
    };
    let mut hub = HubStore::open(&db.url(None)).unwrap();
    let a = contribution("11111111100011", 120, &["aa", "bb", "cc"]);
    let b = contribution("22222222200022", 80, &["bb", "dd"]);
    for c in [&a, &b] {
        hub.add_venue(&c.venue).unwrap();
        hub.save_contribution(c).unwrap();
    }
    assert_eq!(
        hub.contributions("2025-2026").unwrap(),
        vec![a.clone(), b.clone()]
    );
    assert!(hub.contributions("2024-2025").unwrap().is_empty());

    // What benchmarks read, added up by the database.
    let groups = hub.groups("2025-2026").unwrap();
    assert_eq!(groups.len(), 4, "two venues, two groups each");
    let theatre = groups
        .iter()
        .find(|g| g.discipline == Discipline::Theatre)
        .unwrap();
    assert_eq!(
        (
            theatre.venue.as_str(),
            theatre.discipline,
            theatre.tickets,
            theatre.paid_tickets
        ),
        ("11111111100011", Discipline::Theatre, 120, 110)
    );
    assert_eq!(
        (theatre.capacity, theatre.revenue_cents, theatre.buyers),
        (300, 110 * 1850, 3)
    );

    // Shared buyers, counted after the contributions came: "bb" bought at both.
    hub.count_shared("22222222200022", "2025-2026").unwrap();
    let (ia, ib) = ("11111111100011".to_owned(), "22222222200022".to_owned());
    assert_eq!(
        hub.crossover("2025-2026", &ia).unwrap(),
        vec![
            (ia.clone(), ib.clone(), 1, 3),
            (ib.clone(), ia.clone(), 1, 2)
        ]
    );

    // The same venue and season again: replaced, not added.
    let a2 = contribution("11111111100011", 150, &["aa"]);
    hub.save_contribution(&a2).unwrap();
    assert_eq!(hub.contributions("2025-2026").unwrap(), vec![a2, b]);
    hub.count_shared("11111111100011", "2025-2026").unwrap();
    assert_eq!(
        hub.crossover("2025-2026", &ib).unwrap(),
        vec![
            (ia.clone(), ib.clone(), 0, 1),
            (ib.clone(), ia.clone(), 0, 2)
        ],
        "counted again, both ways"
    );
    // Opening again applies nothing twice.
    drop(hub);
    let mut hub = HubStore::open(&db.url(None)).unwrap();
    assert_eq!(hub.contributions("2025-2026").unwrap().len(), 2);
}

#[test]
fn a_venues_role_cannot_read_or_touch_another_venues_rows_even_with_raw_sql() {
    let Some(db) = Database::new("jauge_hub_test") else {
        return;
    };
    let mut hub = HubStore::open(&db.url(None)).unwrap();
    let a = contribution("33333333300033", 120, &["aa", "bb", "cc"]);
    let b = contribution("44444444400044", 80, &["bb", "dd"]);
    let role_a = hub.add_venue(&a.venue).unwrap();
    hub.add_venue(&b.venue).unwrap();
    hub.save_contribution(&a).unwrap();
    hub.save_contribution(&b).unwrap();

    let mut as_a = HubStore::connect(&db.url(Some(&role_a))).unwrap();
    let b_id = &b.venue.id;
    for table in [
        "hub_venue",
        "hub_contribution",
        "hub_performance",
        "hub_group",
        "hub_area",
        "hub_patron_token",
    ] {
        let venues: Vec<String> = as_a
            .query(&format!("SELECT DISTINCT venue_id FROM {table}"), &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(venues, vec![a.venue.id.clone()], "{table}");
        let theirs: i64 = as_a
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE venue_id = $1"),
                &[b_id],
            )
            .unwrap()
            .get(0);
        assert_eq!(theirs, 0, "{table}");
        let changed = as_a
            .execute(
                &format!("UPDATE {table} SET venue_id = venue_id WHERE venue_id = $1"),
                &[b_id],
            )
            .unwrap();
        assert_eq!(changed, 0, "{table}");
    }
    assert_eq!(
        as_a.execute("DELETE FROM hub_area WHERE venue_id = $1", &[b_id])
            .unwrap(),
        0
    );
    // Writing a row as another venue is refused by the database itself.
    let forged = as_a.execute(
        "INSERT INTO hub_contribution (venue_id, season, format, built_at, buyers)
         VALUES ($1, '1999-2000', 1, now(), 0)",
        &[b_id],
    );
    let error = message(&forged.unwrap_err());
    assert!(error.contains("row-level security"), "{error}");
    // Its own rows it may read and write.
    let own: i64 = as_a
        .query_one("SELECT count(*) FROM hub_patron_token", &[])
        .unwrap()
        .get(0);
    assert_eq!(own, 6);
    // B's contribution is whole.
    let read = hub.contributions("2025-2026").unwrap();
    assert_eq!(read[1], b);
    // A role cannot save a contribution in another venue's name either.
    let mut forged = b.clone();
    forged.venue.id = "55555555500055".into();
    assert!(
        hub.save_contribution(&forged).is_err(),
        "no role for an unknown venue"
    );
}

#[test]
fn only_letters_and_digits_make_a_role() {
    assert_eq!(
        venue_role("12345678900007").unwrap(),
        "venue_12345678900007"
    );
    assert!(venue_role("1; DROP TABLE hub_venue").is_err());
    assert!(venue_role("").is_err());
    assert_eq!(
        redacted("postgres://jauge:secret@db:5432/hub"),
        "postgres://jauge:***@db:5432/hub"
    );
}

#[test]
fn a_hub_opened_after_version_3_counts_the_shared_buyers_of_the_contributions_it_holds() {
    let Some(db) = Database::new("jauge_hub_test") else {
        return;
    };
    let url = db.url(None);
    // A hub whose schema stopped before `hub_crossover`, holding contributions written as that
    // version wrote them (no `token_persons`): four venues, two seasons, buyers drawn from 40
    // people, some with two tokens.
    let mut hub = HubStore::open_at_version(&url, CROSSOVER_VERSION - 1).unwrap();
    let venues = [
        "61111111100011",
        "62222222200022",
        "63333333300033",
        "64444444400044",
    ];
    let seasons = ["2024-2025", "2025-2026"];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut below = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    // (season, venue) → each person's tokens.
    let mut held: BTreeMap<(&str, &str), Vec<Vec<String>>> = BTreeMap::new();
    for venue in venues {
        hub.add_venue(&contribution(venue, 100, &[]).venue).unwrap();
        for season in seasons {
            let persons: Vec<Vec<String>> = (0..10 + below(20))
                .map(|_| {
                    let who = below(40);
                    let mut tokens = vec![format!("t{who}")];
                    if below(4) == 0 {
                        tokens.push(format!("u{who}"));
                    }
                    tokens
                })
                .collect();
            hub.client
                .execute(
                    "INSERT INTO hub_contribution (venue_id, season, format, built_at, buyers)
                     VALUES ($1, $2, 1, now(), $3)",
                    &[&venue, &season, &(persons.len() as i64)],
                )
                .unwrap();
            for (person, tokens) in persons.iter().enumerate() {
                for token in tokens {
                    hub.client
                        .execute(
                            "INSERT INTO hub_patron_token (venue_id, season, person, token)
                             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                            &[&venue, &season, &(person as i32), token],
                        )
                        .unwrap();
                }
            }
            held.insert((season, venue), persons);
        }
    }
    drop(hub);

    // Opened by this version: migrated, and the crossover counted for what was held.
    let mut hub = HubStore::open(&url).unwrap();
    let applied: i64 = hub
        .client
        .query_one("SELECT count(*) FROM hub_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(applied as usize, MIGRATIONS.len());
    let stored = |hub: &mut HubStore| -> BTreeMap<(String, String, String), u64> {
        hub.client
            .query(
                "SELECT season, from_venue_id, to_venue_id, shared FROM hub_crossover",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| ((r.get(0), r.get(1), r.get(2)), r.get::<_, i64>(3) as u64))
            .collect()
    };
    let backfilled = stored(&mut hub);

    // Counted afresh in Rust: of `from`'s buyers, those with a token `to` also holds.
    let mut expected = BTreeMap::new();
    for ((season, from), persons) in &held {
        for to in venues.iter().filter(|to| *to != from) {
            let theirs: std::collections::BTreeSet<&String> =
                held[&(*season, *to)].iter().flatten().collect();
            let shared = persons
                .iter()
                .filter(|tokens| tokens.iter().any(|t| theirs.contains(t)))
                .count() as u64;
            if shared > 0 {
                expected.insert(
                    (season.to_string(), from.to_string(), to.to_string()),
                    shared,
                );
            }
        }
    }
    assert!(expected.len() > 10, "venues share buyers: {expected:?}");
    assert_eq!(backfilled, expected);

    // And counted afresh by the hub, venue by venue, as when a contribution arrives.
    hub.client
        .batch_execute("DELETE FROM hub_crossover")
        .unwrap();
    for (season, venue) in held.keys() {
        hub.count_shared(venue, season).unwrap();
    }
    assert_eq!(stored(&mut hub), expected);

    // What a venue reads: every pair it is in, with its buyers that have a token.
    let (season, venue) = ("2025-2026", venues[1]);
    let pairs = hub.crossover(season, venue).unwrap();
    assert_eq!(pairs.len(), 2 * (venues.len() - 1));
    for (from, to, shared, with_token) in pairs {
        assert!(from == venue || to == venue);
        let key = (season.to_string(), from.clone(), to);
        assert_eq!(shared, expected.get(&key).copied().unwrap_or(0));
        assert_eq!(with_token, held[&(season, from.as_str())].len() as u64);
    }
}

#[test]
fn on_a_citus_coordinator_the_tokens_are_written_alike() {
    let Some(db) = Database::new("jauge_hub_test") else {
        return;
    };
    let mut hub = HubStore::open(&db.url(None)).unwrap();
    assert!(!hub.citus, "plain PostgreSQL");
    // The statement a Citus coordinator gets (`ON CONFLICT DO NOTHING`), run here.
    hub.citus = true;
    let a = contribution("71111111100011", 120, &["aa", "bb", "cc"]);
    let b = contribution("72222222200022", 80, &["bb", "dd"]);
    for c in [&a, &b] {
        hub.add_venue(&c.venue).unwrap();
        hub.save_contribution(c).unwrap();
        hub.save_contribution(c).unwrap();
    }
    assert_eq!(hub.contributions("2025-2026").unwrap(), vec![a, b]);
}
