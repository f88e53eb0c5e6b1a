//! A network's hub at the scale of 100 venues (about 100,000,000 tickets behind their
//! contributions): how long the hub takes to answer a venue's benchmark page, and how long one
//! venue takes to build its contribution and send it.
//!
//! `cargo bench -p jauge --bench hub`, with `JAUGE_TEST_POSTGRES` (or `JAUGE_BENCH_POSTGRES`)
//! holding a PostgreSQL connection string of a role that may create databases and roles
//! (`.ci/run` starts one). The hub's database `jauge_hub_bench` is filled once with 100 generated
//! contributions (2,000 performances and about 165,000 patron tokens each) and kept; the venue
//! that contributes is the demo at scale 17 (about 1,000,000 ticket rows), built once under the
//! target directory. Goals on a 2-core machine: benchmark page ≤ 300 ms; contribution ≤ 10 s.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use jauge_model::network::{AreaCount, Contribution, PerformanceAggregate, SizeBand, VenueCard};
use jauge_model::{Discipline, TariffCategory};
use jauge_store::postgres::HubStore;

const JAUGE: &str = env!("CARGO_BIN_EXE_jauge");
const KEY: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
const SEASON: &str = "2025-2026";
const VENUES: u64 = 100;

#[path = "../tests/shared/lcg.rs"]
mod lcg;
use lcg::Lcg;
#[path = "../tests/shared/serving.rs"]
mod serving;
#[path = "shared/venue.rs"]
mod venue;

/// Venue `i` of the network: 2,000 performances in two halls, about a million tickets, about
/// 150,000 buyers drawn from a region's 3,000,000 people.
fn contribution(i: u64) -> Contribution {
    let mut rng = Lcg(i * 7919 + 1);
    let regions = ["24", "52", "53"];
    let region = regions[(i % 3) as usize];
    let halls = [150 + rng.below(300) as u32, 300 + rng.below(900) as u32];
    let disciplines = [
        Discipline::Theatre,
        Discipline::Dance,
        Discipline::Music,
        Discipline::Opera,
        Discipline::Circus,
        Discipline::Comedy,
        Discipline::Puppetry,
        Discipline::Multidisciplinary,
    ];
    let performances = (0..2000)
        .map(|_| {
            let capacity = halls[rng.below(2) as usize];
            let tickets = u64::from(capacity) * (40 + rng.below(56)) / 100;
            let free = tickets * rng.below(8) / 100;
            PerformanceAggregate {
                month: format!("20{}-{:02}", 25 + rng.below(2), 1 + rng.below(12)),
                discipline: disciplines[rng.below(8) as usize],
                size_band: SizeBand::of(capacity),
                capacity,
                tickets,
                paid_tickets: tickets - free,
                revenue_cents: ((tickets - free) * (1200 + rng.below(2000))) as i64,
                tariffs: BTreeMap::from([
                    (TariffCategory::FullPrice, tickets - free),
                    (TariffCategory::Free, free),
                ]),
            }
        })
        .collect();
    let buyers = 140_000 + rng.below(20_000);
    let base = (i % 3) * 3_000_000;
    let patrons: Vec<Vec<String>> = (0..buyers)
        .map(|_| {
            let person = base + rng.below(3_000_000);
            let mut tokens = vec![format!("{person:016x}{:048x}", person.wrapping_mul(0x9e37))];
            if rng.below(10) == 0 {
                tokens.push(format!("{:016x}{person:048x}", person ^ 0xabcdef));
            }
            tokens
        })
        .collect();
    Contribution {
        format: jauge_model::network::FORMAT,
        venue: VenueCard {
            id: format!("9{i:013}"),
            name: format!("Lieu {i}"),
            insee: "37261".into(),
            departement: "37".into(),
            region: region.into(),
        },
        season: SEASON.into(),
        built_at: chrono::Utc::now(),
        performances,
        buyers,
        communes: (0..300)
            .map(|c| AreaCount {
                code: format!("37{:03}", c + 1),
                buyers: rng.below(500),
            })
            .collect(),
        departements: vec![AreaCount {
            code: "37".into(),
            buyers: buyers / 2,
        }],
        patrons,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let Some(admin) = ["JAUGE_BENCH_POSTGRES", "JAUGE_TEST_POSTGRES"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
    else {
        println!("hub: skipped; set JAUGE_TEST_POSTGRES to a PostgreSQL connection string");
        return;
    };
    let database = "jauge_hub_bench";
    let url = format!("{admin} dbname={database}");
    let mut admin_client = HubStore::connect(&admin).expect("PostgreSQL answers");
    let exists = admin_client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&database])
        .unwrap()
        .is_some();
    if !exists {
        admin_client
            .batch_execute(&format!("CREATE DATABASE {database}"))
            .unwrap();
    }
    let mut hub = HubStore::open(&url).expect("the hub's database opens");
    let held = hub.groups(SEASON).unwrap();
    let venues_held = {
        let mut ids: Vec<&str> = held.iter().map(|g| g.venue.as_str()).collect();
        ids.dedup();
        ids.len() as u64
    };
    println!("hub: {VENUES} venues, season {SEASON}");
    if venues_held < VENUES {
        let started = Instant::now();
        let mut tickets = 0;
        let mut tokens = 0;
        for i in 0..VENUES {
            let c = contribution(i);
            tickets += c.tickets();
            tokens += c.patrons.iter().map(Vec::len).sum::<usize>();
            hub.add_venue(&c.venue).unwrap();
            hub.save_contribution(&c).unwrap();
        }
        println!(
            "  filled        {VENUES} contributions, {tickets} tickets behind them, {tokens} \
             patron tokens, in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("  filled        by an earlier run");
    }
    hub.analyze().expect("statistics are gathered");

    // The venue that contributes: admitted, with a token.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hub");
    std::fs::create_dir_all(&dir).unwrap();
    let scale = 17.0;
    let db = dir.join(format!("venue-{scale}.db"));
    venue::venue(&db, scale);
    let token = String::from_utf8(
        Command::new(JAUGE)
            .args(["hub", "--postgres", &url, "add-venue", "12345678900007"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    assert!(!token.is_empty(), "the venue is admitted");

    let serve = serving::Serving::start(Command::new(JAUGE).args([
        "hub",
        "--postgres",
        &url,
        "serve",
        "--bind",
        "127.0.0.1:0",
    ]));
    let hub_url = serve.url();

    // One venue's contribution, built from its store and sent, start to end.
    let runs: Vec<f64> = (0..3)
        .map(|_| {
            let started = Instant::now();
            let out = Command::new(JAUGE)
                .arg("--db")
                .arg(&db)
                .args([
                    "pool",
                    "contribute",
                    "--season",
                    SEASON,
                    "--key",
                    KEY,
                    "--hub",
                    &hub_url,
                    "--hub-token",
                    &token,
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            started.elapsed().as_secs_f64()
        })
        .collect();
    println!(
        "  contribution  built and sent in {:.2} s (median of 3; min {:.2}, max {:.2}) (goal ≤ 10 s)",
        median(runs.clone()),
        runs.iter().copied().fold(f64::MAX, f64::min),
        runs.iter().copied().fold(0.0, f64::max),
    );

    // The venue's benchmark page, as the hub answers it.
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    // One call to the hub's `path`: how long it took, in ms, and what it answered.
    let ask = |path: &str| {
        let url = format!("{hub_url}/hub/v1/{path}?season={SEASON}");
        let started = Instant::now();
        let body = agent
            .get(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        (started.elapsed().as_secs_f64() * 1000.0, body)
    };
    let (first, body) = ask("benchmarks");
    let cells: serde_json::Value = serde_json::from_str(&body).unwrap();
    let shown = cells
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["median"].is_number())
        .count();
    let runs: Vec<f64> = (0..30).map(|_| ask("benchmarks").0).collect();
    println!(
        "  benchmark page {:.0} ms median of 30 (first {first:.0} ms, max {:.0} ms); {} cells, \
         {shown} with their peers' quartiles (goal ≤ 300 ms)",
        median(runs.clone()),
        runs.iter().copied().fold(0.0, f64::max),
        cells.as_array().unwrap().len()
    );
    // The same page as the venue's staff read it: HTML, the token in the pages' cookie.
    let page = || {
        let started = Instant::now();
        let mut response = agent
            .get(&format!("{hub_url}/hub/reperes?saison={SEASON}"))
            .header("Cookie", &format!("jauge_hub={token}"))
            .call()
            .unwrap();
        let body = response.body_mut().read_to_string().unwrap();
        (started.elapsed().as_secs_f64() * 1000.0, body)
    };
    let (first, body) = page();
    assert!(body.contains("<h1>Repères"), "the benchmark page: {body}");
    let runs: Vec<f64> = (0..30).map(|_| page().0).collect();
    println!(
        "  benchmark page as HTML (/hub/reperes) {:.0} ms median of 30 (first {first:.0} ms, \
         worst {:.0} ms; {} kB) (goal ≤ 300 ms)",
        median(runs.clone()),
        runs.iter().copied().fold(0.0, f64::max),
        body.len() / 1000
    );
    for path in ["crossover", "territory"] {
        let runs: Vec<f64> = (0..10).map(|_| ask(path).0).collect();
        println!("  {path:<14} {:.0} ms median of 10", median(runs));
    }
    drop(serve);
}
