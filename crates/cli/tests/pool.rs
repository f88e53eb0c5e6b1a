//! `jauge pool contribute`: a season's contribution written for the network, refused without a
//! strong key, and holding no patron's email.

use std::process::Command;

const JAUGE: &str = env!("CARGO_BIN_EXE_jauge");

#[test]
fn a_contribution_is_written_with_a_strong_key_and_holds_no_email() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    let files = dir.path().join("files");
    let jauge = |args: &[&str], key: &str| {
        Command::new(JAUGE)
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("JAUGE_NETWORK_KEY", key)
            .env_remove("JAUGE_LANG")
            .output()
            .unwrap()
    };
    let demo = jauge(
        &[
            "demo",
            "--scale",
            "0.05",
            "--today",
            "2026-11-28",
            "--out",
            files.to_str().unwrap(),
        ],
        "",
    );
    assert!(demo.status.success());
    let out = dir.path().join("contribution.json");
    let args = [
        "pool",
        "contribute",
        "--season",
        "2025-2026",
        "--out",
        out.to_str().unwrap(),
    ];

    let weak = jauge(&args, "abcd");
    assert_eq!(weak.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("64 hexadecimal digits"));
    assert!(!out.exists(), "nothing written with a weak key");

    let done = jauge(&args, &"7f".repeat(32));
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let contribution: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(contribution["season"], "2025-2026");
    assert!(contribution["performances"].as_array().unwrap().len() > 1);
    assert!(!text.contains('@'), "no email in a contribution");
}
