//! The 10-million-ticket venue the season page and season report benchmarks share: the demo
//! at a scale, built once by `jauge demo` under the target directory and kept.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const JAUGE: &str = env!("CARGO_BIN_EXE_jauge");

/// Builds the demo venue at `scale` into `db`, unless an earlier run did.
pub fn venue(db: &Path, scale: f64) {
    if db.exists() {
        println!("  venue         {} (built by an earlier run)", db.display());
        return;
    }
    let files = db.with_extension("files");
    let started = Instant::now();
    let status = Command::new(JAUGE)
        .arg("--db")
        .arg(db)
        .args([
            "demo",
            "--scale",
            &scale.to_string(),
            "--today",
            "2026-11-28",
        ])
        .arg("--out")
        .arg(&files)
        .stdout(Stdio::null())
        .status()
        .expect("jauge demo runs");
    assert!(status.success(), "jauge demo failed");
    // The exported files are gigabytes at this scale; the database is what is measured.
    let _ = std::fs::remove_dir_all(&files);
    println!(
        "  venue         built by `jauge demo --scale {scale}` in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
