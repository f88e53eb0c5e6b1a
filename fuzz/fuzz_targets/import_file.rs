//! Arbitrary bytes through the whole importer: detection, spreadsheets and JSON lines,
//! mapping, values and the row reader. It must answer with facts or an error, never panic or
//! hang. Run: `cargo fuzz run import_file` (see the README).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let source = "fuzz".parse().expect("a valid source name");
    let defaults = jauge_ingest::read::Defaults {
        hall: Some("Salle".parse().expect("a valid hall")),
        capacity: jauge_model::Capacity::new(100).ok(),
        ..Default::default()
    };
    let _ = jauge_ingest::read_file(bytes.to_vec(), source, defaults, None, "fuzz.csv");
});
