//! Imports a ticketing export of about 1,000,000 rows in French conventions (Windows-1252, `;`,
//! decimal commas, `dd/mm/yyyy hh:mm`) end to end — `jauge import` in its own process — and
//! prints rows/s and the import's peak memory, beside the sqlite3 shell's `.import` of the same
//! file into a bare table.
//!
//! `cargo bench -p jauge --bench import_load` (`JAUGE_BENCH_SCALE` changes the size; 1.0 is
//! about 60,000 rows). Goals on a 2-core machine: ≥ 250,000 rows/s, peak RSS < 400 MiB.

use std::process::Command;
use std::time::Instant;

use chrono::NaiveDate;
use jauge_demo::{DemoOptions, generate, write_files};
use jauge_store::{SqliteStore, Store};

/// The largest resident set of the children waited for so far, in MiB.
fn children_peak_rss_mib() -> f64 {
    #[repr(C)]
    struct Rusage {
        utime: [i64; 2],
        stime: [i64; 2],
        maxrss: i64,
        rest: [i64; 13],
    }
    unsafe extern "C" {
        fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    }
    const RUSAGE_CHILDREN: i32 = -1;
    let mut usage = Rusage {
        utime: [0; 2],
        stime: [0; 2],
        maxrss: 0,
        rest: [0; 13],
    };
    // SAFETY: getrusage writes one `struct rusage`, whose layout on Linux x86-64 and aarch64 is
    // two timevals and fourteen longs, as declared above.
    let ok = unsafe { getrusage(RUSAGE_CHILDREN, &mut usage) } == 0;
    if ok {
        usage.maxrss as f64 / 1024.0
    } else {
        f64::NAN
    }
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let scale: f64 = std::env::var("JAUGE_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if benchmarking { 16.5 } else { 0.05 });
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("valid date");
    let dir = tempfile::tempdir().expect("a temporary directory");

    let venue = generate(DemoOptions {
        seed: 7,
        scale,
        today,
    });
    let files = write_files(&venue, &dir.path().join("files")).expect("the files are written");
    let rows = venue.ticketing.tickets.len();
    let db = dir.path().join("jauge.db");
    {
        let mut store = SqliteStore::open(&db).expect("the store opens");
        store.save_setup(&venue.setup).expect("setup");
        store.set_setting("bench", "import").expect("setting");
    }
    drop(venue);
    let jauge = |file: &std::path::Path| {
        let status = Command::new(env!("CARGO_BIN_EXE_jauge"))
            .args([
                "import",
                "--db",
                db.to_str().unwrap(),
                "--source",
                "billetterie",
            ])
            .arg(file)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("jauge runs");
        assert!(status.success(), "the import of {} failed", file.display());
    };
    jauge(&files.performances);
    let size = std::fs::metadata(&files.ticketing)
        .map(|m| m.len())
        .unwrap_or(0);

    let started = Instant::now();
    jauge(&files.ticketing);
    let imported = started.elapsed().as_secs_f64();
    let peak = children_peak_rss_mib();

    println!(
        "import_load: scale {scale}, {rows} rows, {:.0} MiB file",
        size as f64 / 1_048_576.0
    );
    println!(
        "  jauge import  {imported:.2} s: {:.0} rows/s (goal ≥ 250000), peak RSS {peak:.0} MiB (goal < 400)",
        rows as f64 / imported
    );
    let baseline_db = dir.path().join("baseline.db");
    let started = Instant::now();
    let baseline = Command::new("sqlite3")
        .arg(&baseline_db)
        .args([".mode csv", ".separator ;"])
        .arg(format!(".import {} t", files.ticketing.display()))
        .status();
    match baseline {
        Ok(status) if status.success() => {
            let took = started.elapsed().as_secs_f64();
            println!(
                "  sqlite3 .import into a bare table  {took:.2} s: {:.0} rows/s (no parsing of values, no model, no index)",
                rows as f64 / took
            );
        }
        _ => {
            println!("  sqlite3 .import  unavailable (install the sqlite3 shell for the baseline)")
        }
    }
}
