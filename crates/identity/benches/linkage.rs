//! Linkage quality and speed. Prints pairwise precision, recall and F1 on the demo venue's
//! kept-aside truth and on the public samples in `../shared/data/linkage` (FEBRL1, FEBRL2,
//! fake_1000), then links a large generated population and prints its time and peak memory.
//!
//! `cargo bench -p jauge-identity --bench linkage`

use std::time::Instant;

use jauge_identity::evaluate::pairwise;
use jauge_identity::{Constraints, Record, link};

fn report(name: &str, records: &[Record], truth: &[String]) {
    let started = Instant::now();
    let linkage = link(records, &Constraints::default());
    let took = started.elapsed().as_secs_f64();
    let q = pairwise(&linkage.groups, truth);
    if std::env::var_os("JAUGE_LINKAGE_DEBUG").is_some() {
        println!(
            "true pairs {} predicted {}",
            q.true_pairs, q.predicted_pairs
        );
        let w = &linkage.weights;
        for f in 0..9 {
            println!(
                "  m {:?}\n  u {:?}",
                w.m[f]
                    .iter()
                    .map(|x| (x * 1000.0).round() / 1000.0)
                    .collect::<Vec<_>>(),
                w.u[f]
                    .iter()
                    .map(|x| (x * 1000.0).round() / 1000.0)
                    .collect::<Vec<_>>()
            );
        }
        println!("  prior {}", w.prior);
        let mut shown = 0;
        for l in &linkage.links {
            let (a, b) = (l.a as usize, l.b as usize);
            if truth[a] != truth[b] && l.probability >= 0.9 && shown < 8 {
                shown += 1;
                let e = jauge_identity::explain(&linkage.weights, &records[a], &records[b]);
                println!(
                    "FALSE {:?}\n   vs {:?}\n   {:.3} {:?}",
                    records[a],
                    records[b],
                    e.probability,
                    e.evidence
                        .iter()
                        .map(|e| (e.level, (e.weight * 10.0).round() / 10.0))
                        .collect::<Vec<_>>()
                );
            }
        }
    }
    println!(
        "  {name:<12} {:>7} records  precision {:.4}  recall {:.4}  F1 {:.4}  ({} candidate pairs, {took:.2} s)",
        records.len(),
        q.precision,
        q.recall,
        q.f1,
        linkage.candidates
    );
}

/// Reads a person list through the importer, with the profile a venue would save for it, and
/// returns its records with the truth: each record's person, from `person_of` applied to the
/// row's `id_column`.
fn through_importer(
    path: &str,
    profile: &str,
    id_column: &str,
    person_of: impl Fn(&str) -> String,
) -> Option<(Vec<Record>, Vec<String>)> {
    let bytes = std::fs::read(path).ok()?;
    let profile = jauge_ingest::profile::ProfileFile::from_toml(profile).expect("a valid profile");
    let file = jauge_ingest::read_file(
        bytes.clone(),
        "personnes".parse().expect("a source name"),
        jauge_ingest::read::Defaults::default(),
        Some(&profile),
        path,
    )
    .expect("the file reads");
    let d = &file.read.dataset;
    assert!(
        d.quarantined.is_empty(),
        "{:?}",
        &d.quarantined[..3.min(d.quarantined.len())]
    );
    // The truth, in the file's order, which the patrons keep (each row is a new person).
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(&bytes[..]);
    let headers = reader.headers().expect("headers").clone();
    let at = headers
        .iter()
        .position(|h| h == id_column)
        .expect("the id column");
    let truth: Vec<String> = reader
        .records()
        .map(|r| person_of(&r.expect("a row")[at]))
        .collect();
    assert_eq!(truth.len(), d.patrons.len(), "one patron a row");
    Some((d.patrons.iter().map(Record::from_identity).collect(), truth))
}

fn febrl(name: &str, path: &str) {
    // rec-12-org and rec-12-dup-0 are the same person.
    let person = |id: &str| id.split('-').nth(1).unwrap_or_default().to_owned();
    match through_importer(path, include_str!("profiles/febrl.toml"), "rec_id", person) {
        Some((records, truth)) => report(name, &records, &truth),
        None => println!("  {name:<12} skipped: {path} is not here"),
    }
}

fn fake_1000(path: &str) {
    // The cluster column says who is who.
    let clusters: std::collections::HashMap<String, String> = csv::Reader::from_path(path)
        .map(|mut r| {
            r.records()
                .map_while(Result::ok)
                .map(|row| (row[0].to_owned(), row[6].to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let person = |id: &str| clusters.get(id).cloned().unwrap_or_default();
    match through_importer(
        path,
        include_str!("profiles/fake_1000.toml"),
        "unique_id",
        person,
    ) {
        Some((records, truth)) => report("fake_1000", &records, &truth),
        None => println!("  fake_1000    skipped: {path} is not here"),
    }
}

fn demo(scale: f64) {
    let venue = jauge_demo::generate(jauge_demo::DemoOptions {
        seed: 7,
        scale,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date"),
    });
    let (records, truth): (Vec<Record>, Vec<String>) = venue
        .patrons_with_persons()
        .into_iter()
        .map(|(identity, person)| (Record::from_identity(identity), person.to_string()))
        .unzip();
    report(&format!("demo ×{scale}"), &records, &truth);
}

/// The process's peak resident memory so far, in MiB (Linux).
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Writes the patrons of a demo venue large enough to hold about `target` records, with the
/// person each belongs to, then links them in a process of their own, whose peak memory is the
/// linkage's alone (the venue's generation is not counted).
fn at_scale(target: usize) {
    // Scale 16.5 gives about 362,000 patron records (ticketing accounts and emailing contacts).
    let scale = 16.5 * target as f64 / 362_000.0;
    let venue = jauge_demo::generate(jauge_demo::DemoOptions {
        seed: 7,
        scale,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date"),
    });
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("patrons.csv");
    let mut out = csv::Writer::from_path(&path).expect("the file is written");
    for (identity, person) in venue.patrons_with_persons() {
        let r = Record::from_identity(identity);
        let year = r.birth_year.map(|y| y.to_string()).unwrap_or_default();
        let field = |f: &Option<String>| f.clone().unwrap_or_default();
        out.write_record([
            r.key.clone(),
            field(&r.first_name),
            field(&r.last_name),
            field(&r.email),
            field(&r.phone),
            field(&r.postcode),
            field(&r.city),
            year,
            person.to_string(),
        ])
        .expect("the file is written");
    }
    out.flush().expect("the file is written");
    drop(venue);
    let child = std::process::Command::new(std::env::current_exe().expect("the bench itself"))
        .env("JAUGE_LINK_FILE", &path)
        .output()
        .expect("the linkage runs");
    print!("{}", String::from_utf8_lossy(&child.stdout));
}

/// The child's part: reads the records, links them, prints time, memory and quality.
fn link_file(path: &str) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("the records file");
    let mut records = Vec::new();
    let mut truth = Vec::new();
    for row in reader.records() {
        let row = row.expect("a record");
        let field = |i: usize| (!row[i].is_empty()).then(|| row[i].to_owned());
        records.push(Record {
            key: row[0].to_owned(),
            first_name: field(1),
            last_name: field(2),
            email: field(3),
            phone: field(4),
            postcode: field(5),
            city: field(6),
            birth_year: row[7].parse().ok(),
            ..Record::default()
        });
        truth.push(row[8].parse::<u32>().expect("a person"));
    }
    let before = peak_mib();
    let started = Instant::now();
    let linkage = link(&records, &Constraints::default());
    let took = started.elapsed().as_secs_f64();
    let q = pairwise(&linkage.groups, &truth);
    let mib = |m: Option<f64>| m.map_or("unavailable".to_owned(), |m| format!("{m:.0} MiB"));
    println!(
        "  {} records linked in {took:.1} s (goal ≤ 60 s), {} candidate pairs; peak RSS {} (goal ≤ 2048 MiB; {} with the records read, before linking)",
        records.len(),
        linkage.candidates,
        mib(peak_mib()),
        mib(before),
    );
    println!(
        "  precision {:.4}  recall {:.4}  F1 {:.4}",
        q.precision, q.recall, q.f1
    );
}

fn main() {
    if let Ok(path) = std::env::var("JAUGE_LINK_FILE") {
        return link_file(&path);
    }
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/linkage");
    println!("linkage quality (pairwise):");
    demo(1.0);
    febrl("FEBRL1", &format!("{data}/febrl1.csv"));
    febrl("FEBRL2", &format!("{data}/febrl2.csv"));
    fake_1000(&format!("{data}/fake_1000.csv"));
    let target: usize = std::env::var("JAUGE_BENCH_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    println!("linkage at scale:");
    at_scale(target);
}
