//! The season report of a 10,000,000-ticket venue: the time `jauge report` takes, start to
//! end (process start, reading the figures, composing, rendering, writing), as HTML and as PDF,
//! in French and English; the first run after a change (which builds the rollups read on
//! demand) apart from the runs after it.
//!
//! `cargo bench -p jauge --bench season_report`. The venue is the one `season_page` builds
//! (the demo at scale 173, kept under the target directory; built here if missing; set
//! `JAUGE_BENCH_SCALE` for another size). Goal on a 2-core machine: ≤ 5 s.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const JAUGE: &str = env!("CARGO_BIN_EXE_jauge");

#[path = "shared/venue.rs"]
mod venue;
use venue::venue;

fn report(db: &Path, season: &str, lang: &str, out: &Path) -> f64 {
    let started = Instant::now();
    let output = Command::new(JAUGE)
        .arg("--db")
        .arg(db)
        .args(["--lang", lang, "report", "--season", season, "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .output()
        .expect("jauge report runs");
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "jauge report failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    seconds
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let scale: f64 = std::env::var("JAUGE_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(173.0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("season-page");
    std::fs::create_dir_all(&dir).expect("the bench directory can be made");
    let db = dir.join(format!("venue-{scale}.db"));
    venue(&db, scale);
    println!("season_report: scale {scale} (173: 10,059,485 ticket rows)");
    let season = "2025-2026";
    let out = dir.join("report");
    let first = report(&db, season, "fr", &out.with_extension("html"));
    println!("  first run after a change (builds the rollups read on demand): {first:.2} s");
    for (format, lang) in [("html", "fr"), ("pdf", "fr"), ("html", "en"), ("pdf", "en")] {
        let file = out.with_extension(format);
        let runs: Vec<f64> = (0..5).map(|_| report(&db, season, lang, &file)).collect();
        let size = std::fs::metadata(&file).map_or(0, |m| m.len());
        println!(
            "  {format} {lang}: median {:.2} s over 5 runs (min {:.2}, max {:.2}), {} KiB (goal ≤ 5 s)",
            median(runs.clone()),
            runs.iter().copied().fold(f64::MAX, f64::min),
            runs.iter().copied().fold(0.0, f64::max),
            size / 1024
        );
    }
}
