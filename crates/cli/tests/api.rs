//! The REST API held to its own OpenAPI document by schemathesis (property-based API testing,
//! from PyPI), on a running `jauge serve` over a demo venue: a bounded run of generated calls,
//! none of which may end in a server error or an answer the document does not describe.
//!
//! It runs when `JAUGE_SCHEMATHESIS` names the `schemathesis` program (`.ci/run` installs it in a
//! virtual environment kept outside the checkout); elsewhere it says it was skipped.

use std::process::Command;

const JAUGE: &str = env!("CARGO_BIN_EXE_jauge");

#[path = "shared/serving.rs"]
mod serving;

#[test]
fn the_api_keeps_to_its_openapi_document_under_generated_calls() {
    let Ok(schemathesis) = std::env::var("JAUGE_SCHEMATHESIS") else {
        eprintln!("skipped: set JAUGE_SCHEMATHESIS to the schemathesis program (.ci/run does)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    let jauge = |args: &[&str]| {
        let output = Command::new(JAUGE)
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("JAUGE_LANG")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "jauge {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let files = dir.path().join("files");
    jauge(&[
        "demo",
        "--scale",
        "0.1",
        "--today",
        "2026-11-28",
        "--out",
        files.to_str().unwrap(),
    ]);
    let token = jauge(&[
        "tokens",
        "create",
        "schemathesis",
        "--scope",
        "read:aggregates",
    ]);
    let server = serving::Serving::start(Command::new(JAUGE).arg("--db").arg(&db).args([
        "serve",
        "--bind",
        "127.0.0.1:0",
    ]));
    let run = Command::new(&schemathesis)
        .args([
            "run",
            &format!("{}/api/v1/openapi.json", server.url()),
            "--header",
            &format!("Authorization: Bearer {}", token.trim()),
            "--checks",
            "all",
            "--max-examples",
            "40",
            "--seed",
            "7",
        ])
        .env("SCHEMATHESIS_HOOKS", "")
        .output()
        .expect("schemathesis runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    println!("{said}");
    assert!(run.status.success(), "schemathesis found problems:\n{said}");
}
