//! A network end to end: three demo venues (different seeds and towns; forty of the first
//! venue's buyers also buy at the two others) contribute to a hub on PostgreSQL, and what the
//! hub answers each venue — crossover, benchmarks, territory — equals what is computed here
//! independently from each venue's own store, under the secrecy rules.
//!
//! It runs when `JAUGE_TEST_POSTGRES` holds a PostgreSQL connection string of a role that may
//! create databases and roles (`.ci/run` starts one); elsewhere it says it was skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use jauge_model::{PatronKey, Season, VenueSetup};
use jauge_store::{SqliteStore, Store};

const JAUGE: &str = env!("CARGO_BIN_EXE_jauge");

#[path = "shared/serving.rs"]
mod serving;
const KEY: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
const SEASON: &str = "2025-2026";

fn jauge(db: &Path, args: &[&str]) -> String {
    let output = Command::new(JAUGE)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("JAUGE_LANG")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "jauge {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A valid SIRET from 13 digits: the 14th makes the Luhn sum a multiple of 10.
fn siret(first13: &str) -> String {
    let luhn = |digits: &str| -> u32 {
        digits
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let d = u32::from(b - b'0');
                if i % 2 == 1 {
                    let doubled = d * 2;
                    if doubled > 9 { doubled - 9 } else { doubled }
                } else {
                    d
                }
            })
            .sum()
    };
    (0..10)
        .map(|c| format!("{first13}{c}"))
        .find(|s| luhn(s) % 10 == 0)
        .unwrap()
}

/// A demo venue moved to its own town and organisation.
fn venue(dir: &Path, seed: u64, town: (&str, &str, &str, &str)) -> (PathBuf, String) {
    let db = dir.join(format!("venue-{seed}.db"));
    let files = dir.join(format!("files-{seed}"));
    jauge(
        &db,
        &[
            "demo",
            "--seed",
            &seed.to_string(),
            "--scale",
            "0.1",
            "--today",
            "2026-11-28",
            "--out",
            files.to_str().unwrap(),
        ],
    );
    let (name, postcode, city, insee) = town;
    let mut setup: VenueSetup = toml::from_str(&jauge(&db, &["setup"])).unwrap();
    let id = siret(&format!("{seed:0>9}0001"));
    setup.organisation.siret = id.parse().unwrap();
    setup.venue.name = name.parse().unwrap();
    setup.venue.postcode = postcode.parse().unwrap();
    setup.venue.city = city.parse().unwrap();
    setup.venue.insee = insee.parse().unwrap();
    let file = dir.join(format!("venue-{seed}.toml"));
    std::fs::write(&file, toml::to_string(&setup).unwrap()).unwrap();
    jauge(&db, &["setup", file.to_str().unwrap()]);
    (db, id)
}

/// Each person who bought for the season (their linked records as one) with their emails,
/// read from the venue's store without `jauge-pool`.
fn season_buyers(db: &Path) -> BTreeMap<PatronKey, BTreeSet<String>> {
    let store = SqliteStore::open(db).unwrap();
    let setup = store.setup().unwrap().unwrap();
    let season = Season::parse(SEASON, setup.venue.season_start).unwrap();
    let person: BTreeMap<PatronKey, PatronKey> = store
        .persons()
        .unwrap()
        .into_iter()
        .map(|l| (l.patron, l.person))
        .collect();
    let person_of = |k: &PatronKey| person.get(k).cloned().unwrap_or_else(|| k.clone());
    let buyers: BTreeSet<PatronKey> = store
        .ticket_facts()
        .unwrap()
        .into_iter()
        .filter(|t| t.status == jauge_model::TicketStatus::Valid)
        .filter(|t| {
            season.contains(
                t.performance_at
                    .with_timezone(&setup.venue.time_zone)
                    .date_naive(),
            )
        })
        .filter_map(|t| t.buyer.as_ref().map(person_of))
        .collect();
    let mut emails: BTreeMap<PatronKey, BTreeSet<String>> = BTreeMap::new();
    for (identity, _) in store.identities().unwrap() {
        let (Some(key), Some(email)) = (identity.key, identity.email) else {
            continue;
        };
        let who = person_of(&key);
        if buyers.contains(&who) {
            emails
                .entry(who)
                .or_default()
                .insert(email.as_str().trim().to_lowercase());
        }
    }
    emails
}

/// Tickets at a "shared evening" of `db`'s venue, bought by the people of `emails`.
fn sell_to(db: &Path, dir: &Path, tag: &str, emails: &[String]) {
    let programme = dir.join(format!("soiree-{tag}.csv"));
    std::fs::write(
        &programme,
        "Code séance;Code spectacle;Spectacle;Discipline;Compagnie;Jeune public;Coproduction;\
         Festival;Date de représentation;Salle;Jauge;Statut séance\n\
         PARTAGE-R1;PARTAGE;Soirée partagée;Musique;Réseau;Non;Non;;14/03/2026 20:00;Studio;150;\
         Programmée\n",
    )
    .unwrap();
    jauge(
        db,
        &["import", "--source", "partage", programme.to_str().unwrap()],
    );
    let mut tickets = String::from(
        "N° commande;Date commande;Statut commande;N° billet;Code séance;Spectacle;\
         Date de représentation;Salle;Tarif;Prix TTC;Statut billet;N° client;Courriel;Code postal;\
         Ville\n",
    );
    for (i, email) in emails.iter().enumerate() {
        tickets.push_str(&format!(
            "PART{i:04};01/03/2026 10:00;Payée;PARTB{i:04};PARTAGE-R1;Soirée partagée;\
             14/03/2026 20:00;Studio;Plein tarif;20,00;Valide;PARTC{i:04};{email};37000;Tours\n"
        ));
    }
    let file = dir.join(format!("partage-{tag}.csv"));
    std::fs::write(&file, tickets).unwrap();
    jauge(
        db,
        &["import", "--source", "partage", file.to_str().unwrap()],
    );
}

fn get(agent: &ureq::Agent, url: &str, token: &str) -> serde_json::Value {
    let mut response = agent
        .get(url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap();
    assert_eq!(status, 200, "{url}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn three_venues_contribute_and_the_hub_answers_as_an_independent_computation() {
    let Some(database) = jauge_store::postgres::testing::TestDatabase::new("jauge_hub_e2e") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hub_db = database.url(None);

    let towns = [
        (11, ("Théâtre de la Loire", "37000", "Tours", "37261")),
        (12, ("Halle aux grains", "41000", "Blois", "41018")),
        (13, ("Scène d'Orléans", "45000", "Orléans", "45234")),
    ];
    let venues: Vec<(PathBuf, String)> = towns
        .iter()
        .map(|(seed, town)| venue(dir.path(), *seed, *town))
        .collect();
    // Forty of the first venue's buyers also go to the two others.
    let first: Vec<String> = season_buyers(&venues[0].0)
        .into_values()
        .filter_map(|emails| emails.into_iter().next())
        .take(40)
        .collect();
    sell_to(&venues[1].0, dir.path(), "b", &first);
    sell_to(&venues[2].0, dir.path(), "c", &first[..25]);

    // The hub: each venue admitted, then serving.
    let tokens: Vec<String> = venues
        .iter()
        .map(|(_, id)| {
            let out = Command::new(JAUGE)
                .args(["hub", "--postgres", &hub_db, "add-venue", id])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap().trim().to_owned()
        })
        .collect();
    let serve = serving::Serving::start(Command::new(JAUGE).args([
        "hub",
        "--postgres",
        &hub_db,
        "serve",
        "--bind",
        "127.0.0.1:0",
    ]));
    let hub = serve.url();

    for ((db, _), token) in venues.iter().zip(&tokens) {
        jauge(
            db,
            &[
                "pool",
                "contribute",
                "--season",
                SEASON,
                "--key",
                KEY,
                "--hub",
                &hub,
                "--hub-token",
                token,
            ],
        );
    }
    // A venue cannot send another's contribution.
    let wrong = Command::new(JAUGE)
        .arg("--db")
        .arg(&venues[0].0)
        .args([
            "pool",
            "contribute",
            "--season",
            SEASON,
            "--key",
            KEY,
            "--hub",
            &hub,
            "--hub-token",
            &tokens[1],
        ])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("HTTP 403"));

    // Crossover, independently: of each venue's buyers, those with an email another venue's
    // buyers used; under 11, suppressed.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let buyers: Vec<BTreeMap<PatronKey, BTreeSet<String>>> =
        venues.iter().map(|(db, _)| season_buyers(db)).collect();
    let emails: Vec<BTreeSet<&String>> = buyers
        .iter()
        .map(|b| b.values().flatten().collect())
        .collect();
    // Shared buyers are counted in the background after each contribution: wait for the four
    // pairs of the first venue (all above 11), or 30 s.
    let crossover = format!("{hub}/hub/v1/crossover?season={SEASON}");
    let started = std::time::Instant::now();
    let pairs = loop {
        let pairs = get(&agent, &crossover, &tokens[0]);
        let counted = pairs
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["buyers"].is_number());
        if counted.count() == 4 || started.elapsed() > std::time::Duration::from_secs(30) {
            break pairs;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let pairs = pairs.as_array().unwrap();
    assert_eq!(pairs.len(), 4, "the first venue's pairs, both ways");
    let mut shown = 0;
    for pair in pairs {
        let index = |id: &serde_json::Value| venues.iter().position(|(_, v)| id == v).unwrap();
        let (from, to) = (index(&pair["from"]), index(&pair["to"]));
        let with_email = buyers[from].values().filter(|e| !e.is_empty()).count() as u64;
        let shared = buyers[from]
            .values()
            .filter(|e| e.iter().any(|x| emails[to].contains(x)))
            .count() as u64;
        if shared >= 11 {
            shown += 1;
            assert_eq!(pair["buyers"], shared, "{from} → {to}");
            let share = pair["share"].as_f64().unwrap();
            assert!((share - shared as f64 / with_email as f64).abs() < 1e-12);
        } else {
            assert!(
                pair["buyers"].is_null(),
                "{from} → {to}: {shared} shared must be hidden"
            );
        }
    }
    assert!(shown >= 3, "the shared buyers are found: {pairs:?}");

    // Three venues are fewer than five: no peer's figure is shown, only the venue's own.
    let cells = get(
        &agent,
        &format!("{hub}/hub/v1/benchmarks?season={SEASON}"),
        &tokens[0],
    );
    let cells = cells.as_array().unwrap();
    assert!(!cells.is_empty());
    for cell in cells {
        assert_eq!(cell["suppressed"], "few_venues", "{cell}");
        assert!(cell["median"].is_null() && cell["q1"].is_null());
        assert!(cell["peers"].as_u64().unwrap() <= 3);
    }
    let store = SqliteStore::open(&venues[0].0).unwrap();
    let season = Season::parse(SEASON, jauge_model::SeasonStartMonth::new(9).unwrap()).unwrap();
    let lines = store.season_performances(season).unwrap();
    let halls = store.setup().unwrap().unwrap().halls;
    let band = |hall: &str| {
        let seats = halls
            .iter()
            .find(|h| h.name.as_str() == hall)
            .unwrap()
            .capacity
            .get();
        match seats {
            0..200 => "small",
            200..500 => "medium",
            500..1000 => "large",
            _ => "very_large",
        }
    };
    for cell in cells.iter().filter(|c| c["metric"] == "fill_rate") {
        let group: Vec<_> = lines
            .iter()
            .filter(|l| l.sales.status == jauge_model::PerformanceStatus::Scheduled)
            .filter(|l| serde_json::to_value(l.discipline).unwrap() == cell["discipline"])
            .filter(|l| band(&l.hall) == cell["size_band"])
            .collect();
        let tickets: u64 = group.iter().map(|l| l.sales.sales.tickets).sum();
        let seats: u64 = group
            .iter()
            .map(|l| u64::from(l.sales.capacity.get()))
            .sum();
        let expected = tickets as f64 / seats as f64;
        assert!(
            (cell["venue_value"].as_f64().unwrap() - expected).abs() < 1e-12,
            "{cell}"
        );
    }
    // The territory, likewise: no commune behind five venues.
    let communes = get(
        &agent,
        &format!("{hub}/hub/v1/territory?season={SEASON}"),
        &tokens[2],
    );
    let communes = communes.as_array().unwrap();
    assert!(!communes.is_empty());
    assert!(
        communes
            .iter()
            .all(|c| c["buyers"].is_null() && c["suppressed"] == "few_venues")
    );

    // The hub stops before its database is dropped.
    drop(serve);
    drop(database);
}
