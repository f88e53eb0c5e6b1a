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
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
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
    let tickets = venue.ticketing.tickets.len();
    let rss_after_generation = peak_rss_mib();

    let dir = tempfile::tempdir().expect("a temporary directory");
    let started = Instant::now();
    let mut store = SqliteStore::open(dir.path().join("bench.db")).expect("the store opens");
    store.save_setup(&venue.setup).expect("setup");
    store
        .write_dataset(&venue.ticketing)
        .expect("the ticketing dataset loads");
    store
        .write_dataset(&venue.emailing)
        .expect("the emailing dataset loads");
    let loaded = started.elapsed().as_secs_f64();
    let db_size: u64 = std::fs::read_dir(dir.path())
        .expect("the directory lists")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();

    println!("demo_load: scale {scale}");
    println!(
        "  generated     {tickets} tickets, {} orders, {} patron records in {generated:.2} s ({:.0} tickets/s)",
        venue.ticketing.orders.len(),
        venue.ticketing.patrons.len() + venue.emailing.patrons.len(),
        tickets as f64 / generated
    );
    println!(
        "  loaded        into SQLite in {loaded:.2} s: {:.0} tickets/s (goal ≥ 300000)",
        tickets as f64 / loaded
    );
    println!(
        "  end to end    {:.0} tickets/s",
        tickets as f64 / (generated + loaded)
    );
    println!("  database      {:.0} MiB", db_size as f64 / 1_048_576.0);
    match (rss_after_generation, peak_rss_mib()) {
        (Some(g), Some(peak)) => {
            println!("  peak RSS      {peak:.0} MiB (after generation {g:.0} MiB; goal < 500)")
        }
        _ => println!("  peak RSS      unavailable on this platform"),
    }
}
