//! Builds a venue of about 1,000,000 tickets with the demo generator, loads it into a fresh
//! SQLite store, and prints the throughput and the peak memory of the process.
//!
//! `cargo bench -p jauge --bench demo_load` (set `JAUGE_BENCH_SCALE` for another size; the
//! reference venue, scale 1.0, has about 60,000 tickets). Goals on a 2-core machine:
//! ≥ 300,000 tickets/s into SQLite and a peak RSS below 500 MiB.

use std::time::Instant;

use chrono::NaiveDate;
use jauge_demo::{DemoOptions, generate};
use jauge_store::{SqliteStore, Store};

/// The process's peak resident set size in MiB, from /proc (Linux).
fn peak_rss_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and must stay quick.
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let scale: f64 = std::env::var("JAUGE_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if benchmarking { 16.5 } else { 0.05 });
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("valid date");

    let started = Instant::now();
    let venue = generate(DemoOptions {
        seed: 7,
        scale,
        today,
    });
    let generated = started.elapsed().as_secs_f64();
    let peak_after_generation = peak_rss_mib();
    // The truth about duplicates is not loaded: its memory goes back now.
    let jauge_demo::DemoVenue {
        setup,
        ticketing,
        emailing,
        truth,
        ..
    } = venue;
    drop(truth);
    let tickets = ticketing.tickets.len();
    println!("demo_load: scale {scale}");
    println!(
        "  generated     {tickets} tickets, {} orders, {} patron records in {generated:.2} s ({:.0} tickets/s)",
        ticketing.orders.len(),
        ticketing.patrons.len() + emailing.patrons.len(),
        tickets as f64 / generated
    );

    // SQLite in a temporary file, or the PostgreSQL database JAUGE_BENCH_DB names (an empty
    // one: the venue goes into the first schema of its search_path).
    let dir = tempfile::tempdir().expect("a temporary directory");
    let postgres = std::env::var("JAUGE_BENCH_DB").ok();
    let (mut store, backend): (Box<dyn Store>, &str) = match &postgres {
        Some(url) => (
            jauge_store::open(url).expect("the store opens"),
            "PostgreSQL",
        ),
        None => (
            Box::new(SqliteStore::open(dir.path().join("bench.db")).expect("the store opens")),
            "SQLite",
        ),
    };
    store.save_setup(&setup).expect("setup");

    // The emailing tool's export first, so that its memory is given back before the big one.
    let started = Instant::now();
    let events: usize = emailing.campaigns.iter().map(|c| c.events.len()).sum();
    store
        .write_dataset(&emailing)
        .expect("the emailing dataset loads");
    let emailing_loaded = started.elapsed().as_secs_f64();
    println!(
        "  emailing      {} contacts, {} consents, {events} campaign events loaded in {emailing_loaded:.2} s",
        emailing.patrons.len(),
        emailing.consents.len()
    );
    drop(emailing);

    // The ticketing export: shows, performances, tariffs, buyers, orders, tickets, rollups,
    // in one transaction, timed to its commit.
    let started = Instant::now();
    let report = store
        .write_dataset(&ticketing)
        .expect("the ticketing dataset loads");
    let loaded = started.elapsed().as_secs_f64();
    println!(
        "  ticketing     loaded into {backend} in {loaded:.2} s: {:.0} tickets/s (goal ≥ 300000)",
        tickets as f64 / loaded
    );
    let phases: Vec<String> = report
        .phases
        .iter()
        .map(|(step, took)| format!("{step} {:.2} s", took.as_secs_f64()))
        .collect();
    println!("                ({})", phases.join(", "));
    println!(
        "  end to end    {:.0} tickets/s",
        tickets as f64 / (generated + emailing_loaded + loaded)
    );
    if postgres.is_none() {
        let db_size: u64 = std::fs::read_dir(dir.path())
            .expect("the directory lists")
            .filter_map(|e| e.ok()?.metadata().ok())
            .map(|m| m.len())
            .sum();
        println!(
            "  database      {:.0} MiB (with its write-ahead log)",
            db_size as f64 / 1_048_576.0
        );
    }
    match (peak_after_generation, peak_rss_mib()) {
        (Some(g), Some(peak)) => {
            println!("  peak RSS      {peak:.0} MiB (during generation {g:.0} MiB; goal < 500)")
        }
        _ => println!("  peak RSS      unavailable on this platform"),
    }
}
