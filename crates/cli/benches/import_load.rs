//! Imports a ticketing export of about 1,000,000 rows in French conventions (Windows-1252, `;`,
//! decimal commas, `dd/mm/yyyy hh:mm`) end to end — `jauge import` in its own process — and
//! prints rows/s and the import's peak memory, beside the sqlite3 shell's `.import` of the same
//! file into a bare table.
//!
//! `cargo bench -p jauge --bench import_load` (`JAUGE_BENCH_SCALE` changes the size; 1.0 is
//! about 60,000 rows). Goals on a 2-core machine: ≥ 250,000 rows/s, peak RSS < 400 MiB.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::NaiveDate;
use jauge_demo::{DemoOptions, generate, write_files};
use jauge_store::{SqliteStore, Store};

/// Runs `jauge import` on one file and returns the child's peak resident set in MiB, measured
/// by GNU time (`/usr/bin/time -f %M`) when it is installed, and the time of each step of the
/// storing, as `jauge import --timings` prints it.
fn run_import(db: &Path, file: &Path) -> (Option<f64>, String) {
    let gnu_time = Path::new("/usr/bin/time");
    let measured = gnu_time.exists();
    let mut command = if measured {
        let mut c = Command::new(gnu_time);
        c.args(["-f", "%M"]).arg(env!("CARGO_BIN_EXE_jauge"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_jauge"))
    };
    let output = command
        .args(["import", "--db"])
        .arg(db)
        .args(["--source", "billetterie", "--timings"])
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("jauge runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the import of {} failed: {stderr}",
        file.display()
    );
    let steps: String = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.starts_with("    ") && l.trim_end().ends_with(" s"))
        .map(|l| format!("  {}\n", l.trim_start()))
        .collect();
    let peak = measured
        .then(|| stderr.lines().last()?.trim().parse::<f64>().ok())
        .flatten()
        .map(|kib| kib / 1024.0);
    (peak, steps)
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
        // The import alone: linking the patrons it brings is measured by the linkage benchmark
        // (`cargo bench -p jauge-identity --bench linkage`).
        store
            .set_setting("linkage.after_import", "off")
            .expect("setting");
    }
    drop(venue);
    let _ = run_import(&db, &files.performances);
    let size = std::fs::metadata(&files.ticketing)
        .map(|m| m.len())
        .unwrap_or(0);

    let started = Instant::now();
    let (peak, steps) = run_import(&db, &files.ticketing);
    let imported = started.elapsed().as_secs_f64();
    let peak = match peak {
        Some(mib) => format!("{mib:.0} MiB"),
        None => "unavailable (install GNU time)".to_owned(),
    };

    println!(
        "import_load: scale {scale}, {rows} rows, {:.0} MiB file",
        size as f64 / 1_048_576.0
    );
    println!(
        "  jauge import  {imported:.2} s: {:.0} rows/s (goal ≥ 250000), peak RSS {peak} (goal < 400 MiB)",
        rows as f64 / imported
    );
    print!("{steps}");
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
