//! The `jauge` binary as a person runs it: exit codes, messages, determinism of the demo, and
//! the summary checked against figures computed independently from the exported files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use jauge_store::{SqliteStore, Store};

const TODAY: &str = "2026-11-28";

fn jauge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jauge"))
        .args(args)
        .env_remove("JAUGE_DB")
        .env_remove("JAUGE_LANG")
        .output()
        .expect("the jauge binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Builds the demo venue with seed 7 into `dir` (database `dir/jauge.db`, files `dir/files`).
fn demo_in(dir: &Path) -> Output {
    let db = dir.join("jauge.db");
    let out = dir.join("files");
    let output = jauge(&[
        "demo",
        "--seed",
        "7",
        "--today",
        TODAY,
        "--db",
        db.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "demo failed: {}",
        text(&output.stderr)
    );
    output
}

/// One demo shared by the tests that only read it.
fn shared_demo() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        demo_in(dir.path());
        dir
    })
    .path()
}

fn summary_json(db: &Path, season: &str) -> serde_json::Value {
    let output = jauge(&[
        "summary",
        "--db",
        db.to_str().unwrap(),
        "--season",
        season,
        "--format",
        "json",
    ]);
    assert!(
        output.status.success(),
        "summary failed: {}",
        text(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

const SEASONS: [&str; 4] = ["2023-2024", "2024-2025", "2025-2026", "2026-2027"];

#[test]
fn the_demo_run_twice_gives_byte_identical_files_and_identical_summaries() {
    let first = shared_demo();
    let second = tempfile::tempdir().unwrap();
    let printed = demo_in(second.path());
    assert!(
        text(&printed.stdout).contains("Saison 2026-2027"),
        "{}",
        text(&printed.stdout)
    );
    for file in [
        "billetterie_export.csv",
        "billetterie_seances.csv",
        "emailing_contacts.csv",
        "emailing_activite.csv",
        "verite/doublons_patrons.csv",
    ] {
        let a = std::fs::read(first.join("files").join(file)).unwrap();
        let b = std::fs::read(second.path().join("files").join(file)).unwrap();
        assert!(
            a == b,
            "{file} differs between two runs of `jauge demo --seed 7`"
        );
    }
    for season in SEASONS {
        assert_eq!(
            summary_json(&first.join("jauge.db"), season),
            summary_json(&second.path().join("jauge.db"), season)
        );
    }
}

/// Season figures computed straight from the exported CSV files, without Jauge's code.
#[derive(Debug, Default)]
struct FromFiles {
    performances: u64,
    capacity: u64,
    tickets: u64,
    paid_tickets: u64,
    free_tickets: u64,
    revenue_cents: u64,
    subscription_tickets: u64,
    patrons: BTreeSet<String>,
    /// Each person's subscription tickets.
    subscribers: BTreeSet<String>,
}

fn read_windows_1252_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let (text, _, errors) = encoding_rs::WINDOWS_1252.decode(&bytes);
    assert!(!errors);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .map(String::from)
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// `dd/mm/yyyy hh:mm` (local time) → the September-to-August season label.
fn season_label(local: &str) -> String {
    let month: u32 = local[3..5].parse().unwrap();
    let year: i32 = local[6..10].parse().unwrap();
    let start = if month >= 9 { year } else { year - 1 };
    format!("{start}-{}", start + 1)
}

/// `28,50` → 2850.
fn cents(amount: &str) -> u64 {
    let (euros, cents) = amount.split_once(',').unwrap();
    euros.parse::<u64>().unwrap() * 100 + cents.parse::<u64>().unwrap()
}

#[test]
fn the_summary_agrees_with_figures_computed_from_the_exported_files() {
    let dir = shared_demo();
    let performances = read_windows_1252_csv(&dir.join("files/billetterie_seances.csv"));
    let tickets = read_windows_1252_csv(&dir.join("files/billetterie_export.csv"));

    let mut seasons: BTreeMap<String, FromFiles> = BTreeMap::new();
    let mut cancelled = BTreeSet::new();
    for p in &performances {
        if p["Statut séance"] == "Annulée" {
            cancelled.insert(p["Code séance"].clone());
            continue;
        }
        let s = seasons
            .entry(season_label(&p["Date de représentation"]))
            .or_default();
        s.performances += 1;
        s.capacity += p["Jauge"].parse::<u64>().unwrap();
    }
    // Each customer's person, as the demo's linkage saved it: a person counts once.
    let db = dir.join("jauge.db");
    let person_of: BTreeMap<String, String> = {
        use jauge_store::Store;
        let store = jauge_store::SqliteStore::open(&db).unwrap();
        store
            .persons()
            .unwrap()
            .into_iter()
            .map(|p| (p.patron.to_string(), p.person.to_string()))
            .collect()
    };
    assert!(!person_of.is_empty(), "the demo links its patrons");
    let mut first_season: BTreeMap<String, String> = BTreeMap::new();
    for t in &tickets {
        if t["Statut billet"] != "Valide" || cancelled.contains(&t["Code séance"]) {
            continue;
        }
        let season = season_label(&t["Date de représentation"]);
        let s = seasons.get_mut(&season).unwrap();
        let amount = cents(&t["Prix TTC"]);
        s.tickets += 1;
        s.revenue_cents += amount;
        if amount == 0 {
            s.free_tickets += 1
        } else {
            s.paid_tickets += 1
        }
        // The demo's subscription tariff, whatever its price.
        let subscription = t["Code tarif"] == "ABO";
        s.subscription_tickets += u64::from(subscription);
        let customer = &t["N° client"];
        if !customer.is_empty() {
            let key = format!("billetterie-{customer}");
            let person = person_of.get(&key).unwrap_or(&key).clone();
            if subscription {
                s.subscribers.insert(person.clone());
            }
            s.patrons.insert(person.clone());
            let first = first_season.entry(person).or_insert_with(|| season.clone());
            if season < *first {
                *first = season.clone();
            }
        }
    }
    assert_eq!(seasons.keys().collect::<Vec<_>>(), SEASONS);

    let mut before: Option<&FromFiles> = None;
    for (season, expected) in &seasons {
        let got = summary_json(&db, season);
        let int = |key: &str| {
            got[key]
                .as_u64()
                .unwrap_or_else(|| panic!("{key} missing in {got}"))
        };
        let ratio = |key: &str| got[key].as_f64().unwrap();
        assert_eq!(int("performances"), expected.performances, "{season}");
        assert_eq!(int("capacity"), expected.capacity, "{season}");
        assert_eq!(int("tickets"), expected.tickets, "{season}");
        assert_eq!(int("paid_tickets"), expected.paid_tickets, "{season}");
        assert_eq!(int("free_tickets"), expected.free_tickets, "{season}");
        assert_eq!(int("revenue"), expected.revenue_cents, "{season}");
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(
            close(
                ratio("fill_rate"),
                expected.tickets as f64 / expected.capacity as f64
            ),
            "{season}"
        );
        assert!(close(
            ratio("paid_fill_rate"),
            expected.paid_tickets as f64 / expected.capacity as f64
        ));
        assert!(close(
            ratio("average_price"),
            expected.revenue_cents as f64 / expected.paid_tickets as f64
        ));
        assert!(close(
            ratio("free_ticket_share"),
            expected.free_tickets as f64 / expected.tickets as f64
        ));
        assert!(close(
            ratio("subscription_share"),
            expected.subscription_tickets as f64 / expected.tickets as f64
        ));
        let first_timers = expected
            .patrons
            .iter()
            .filter(|c| &first_season[*c] == season)
            .count() as u64;
        assert_eq!(int("patrons"), expected.patrons.len() as u64, "{season}");
        assert_eq!(int("first_timers"), first_timers, "{season}");
        // Retention: last season's people who came back.
        let (previous, returning) = match before {
            Some(b) => (
                b.patrons.len() as u64,
                b.patrons.intersection(&expected.patrons).count() as u64,
            ),
            None => (0, 0),
        };
        assert_eq!(int("previous_season_patrons"), previous, "{season}");
        assert_eq!(int("returning"), returning, "{season}");
        before = Some(expected);
    }

    // Loyalty segments, from each person's seasons in the files.
    use jauge_analytics::audience::Segment;
    use jauge_store::Store;
    let store = jauge_store::SqliteStore::open(&db).unwrap();
    let labels: Vec<&String> = seasons.keys().collect();
    for (i, season) in labels.iter().enumerate() {
        let came = |j: usize, person: &String| seasons[labels[j]].patrons.contains(person);
        let everyone: BTreeSet<&String> = seasons.values().flat_map(|s| &s.patrons).collect();
        let mut expected: BTreeMap<Segment, u64> = BTreeMap::new();
        for person in everyone {
            let first = (0..labels.len()).find(|&j| came(j, person)).unwrap();
            if first > i {
                continue;
            }
            let segment = if came(i, person) {
                let before = (i.saturating_sub(3)..i)
                    .filter(|&j| came(j, person))
                    .count();
                if seasons[*season].subscribers.contains(person) {
                    Segment::Subscriber
                } else if first == i {
                    Segment::FirstTimer
                } else if before >= 2 {
                    Segment::Regular
                } else {
                    Segment::Occasional
                }
            } else {
                let last = (0..i).rev().find(|&j| came(j, person)).unwrap();
                match i - last {
                    1 => Segment::Absent,
                    2 => Segment::Lapsed,
                    _ => Segment::Lost,
                }
            };
            *expected.entry(segment).or_default() += 1;
        }
        let got = store.season_audience(season.parse().unwrap()).unwrap();
        for segment in jauge_analytics::audience::SEGMENTS {
            assert_eq!(
                got.segment(segment),
                expected.get(&segment).copied().unwrap_or(0),
                "{season} {segment:?}"
            );
        }
    }
}

#[test]
fn the_summary_speaks_french_by_default_and_english_on_request() {
    let db = shared_demo().join("jauge.db");
    let db = db.to_str().unwrap();
    let fr = jauge(&["summary", "--db", db, "--season", "2024-2025"]);
    let fr = text(&fr.stdout);
    assert!(
        fr.contains("Taux de remplissage") && fr.contains("\u{a0}€") && fr.contains(","),
        "{fr}"
    );
    let en = jauge(&[
        "--lang",
        "en",
        "summary",
        "--db",
        db,
        "--season",
        "2024-2025",
    ]);
    let en = text(&en.stdout);
    assert!(en.contains("Fill rate") && en.contains("€"), "{en}");
}

#[test]
fn help_and_version_exit_with_success() {
    let help = jauge(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let help = text(&help.stdout);
    assert!(
        help.contains("demo") && help.contains("summary") && help.contains("JAUGE_DB"),
        "{help}"
    );
    assert_eq!(jauge(&["--version"]).status.code(), Some(0));
}

#[test]
fn wrong_input_exits_with_1_and_says_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.db");

    let unknown = jauge(&["frobnicate"]);
    assert_eq!(unknown.status.code(), Some(1));

    let no_db = jauge(&["summary", "--db", missing.to_str().unwrap()]);
    assert_eq!(no_db.status.code(), Some(1));
    assert!(
        text(&no_db.stderr).contains("jauge demo"),
        "{}",
        text(&no_db.stderr)
    );
    assert!(!missing.exists(), "summary must not create a database");

    let db = shared_demo().join("jauge.db");
    let bad_season = jauge(&[
        "summary",
        "--db",
        db.to_str().unwrap(),
        "--season",
        "2019-2021",
    ]);
    assert_eq!(bad_season.status.code(), Some(1));
    assert!(
        text(&bad_season.stderr).contains("2025-2026"),
        "{}",
        text(&bad_season.stderr)
    );

    let empty_season = jauge(&[
        "summary",
        "--db",
        db.to_str().unwrap(),
        "--season",
        "2010-2011",
    ]);
    assert_eq!(empty_season.status.code(), Some(1));
    assert!(
        text(&empty_season.stderr).contains("2023-2024, 2024-2025"),
        "{}",
        text(&empty_season.stderr)
    );

    let bad_scale = jauge(&["demo", "--scale", "0", "--db", missing.to_str().unwrap()]);
    assert_eq!(bad_scale.status.code(), Some(1));
    let bad_day = jauge(&[
        "demo",
        "--today",
        "28/11/2026",
        "--db",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(bad_day.status.code(), Some(1));
    assert!(text(&bad_day.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn errors_read_in_french_by_default_and_in_english_with_lang_en() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.db");
    let missing = missing.to_str().unwrap();

    let fr = jauge(&["summary", "--db", missing]);
    assert_eq!(fr.status.code(), Some(1));
    let said = text(&fr.stderr);
    assert!(
        said.starts_with(&format!(
            "erreur : il n'y a pas de base de données à {missing} :"
        )) && said.contains("lancez `jauge demo`")
            && said.contains("--db ou JAUGE_DB"),
        "{said}"
    );

    let en = jauge(&["--lang", "en", "summary", "--db", missing]);
    assert_eq!(en.status.code(), Some(1));
    let said = text(&en.stderr);
    assert!(
        said.starts_with(&format!("error: there is no database at {missing}:"))
            && said.contains("run `jauge demo`")
            && said.contains("--db or JAUGE_DB"),
        "{said}"
    );
    let by_environment = Command::new(env!("CARGO_BIN_EXE_jauge"))
        .args(["summary", "--db", missing])
        .env_remove("JAUGE_DB")
        .env("JAUGE_LANG", "en")
        .output()
        .unwrap();
    assert_eq!(by_environment.stderr, en.stderr);

    // A season without performances: which ones have some, and the option to choose one.
    let db = shared_demo().join("jauge.db");
    let db = db.to_str().unwrap();
    let season = |lang: &str| {
        jauge(&[
            "--lang",
            lang,
            "summary",
            "--db",
            db,
            "--season",
            "2010-2011",
        ])
    };
    let fr = season("fr");
    assert_eq!(fr.status.code(), Some(1));
    let said = text(&fr.stderr);
    assert!(
        said.starts_with("erreur : aucune représentation en saison 2010-2011 dans ")
            && said.contains(db)
            && said.contains("saisons avec des représentations : 2023-2024, 2024-2025")
            && said.contains("Choisissez-en une avec --season"),
        "{said}"
    );
    let en = season("en");
    assert_eq!(en.status.code(), Some(1));
    let said = text(&en.stderr);
    assert!(
        said.starts_with("error: no performance in season 2010-2011 in ")
            && said.contains(db)
            && said.contains("seasons with performances: 2023-2024, 2024-2025")
            && said.contains("Choose one with --season"),
        "{said}"
    );
}

#[test]
fn files_that_are_not_jauge_databases_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.db");
    std::fs::write(
        &notes,
        "Liste des abonnés à rappeler, à ne pas perdre. ".repeat(10),
    )
    .unwrap();
    let before = std::fs::read(&notes).unwrap();
    let output = jauge(&["summary", "--db", notes.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("n'est pas une base Jauge"),
        "{}",
        text(&output.stderr)
    );
    let output = jauge(&[
        "demo",
        "--db",
        notes.to_str().unwrap(),
        "--out",
        dir.path().join("f").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(std::fs::read(&notes).unwrap(), before);
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("future.db");
    {
        let store = SqliteStore::open(&db).unwrap();
        store.checkpoint().unwrap();
    }
    // A newer Jauge would have written a higher schema version: SQLite keeps it at bytes
    // 60..64 of the file's header (big-endian), where this test writes it.
    let mut bytes = std::fs::read(&db).unwrap();
    let newer = u32::try_from(jauge_store::SCHEMA_VERSION + 1).unwrap();
    bytes[60..64].copy_from_slice(&newer.to_be_bytes());
    std::fs::write(&db, &bytes).unwrap();
    let output = jauge(&["summary", "--db", db.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("version plus récente de Jauge"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

#[test]
fn the_demo_replaces_only_its_own_database() {
    let dir = tempfile::tempdir().unwrap();
    // A demo database is replaced by the next demo.
    demo_in(dir.path());
    demo_in(dir.path());

    // A real venue's database is never replaced.
    let venue_db = dir.path().join("venue.db");
    {
        let mut store = SqliteStore::open(&venue_db).unwrap();
        store
            .save_setup(
                &jauge_demo::generate(jauge_demo::DemoOptions {
                    seed: 1,
                    scale: 0.05,
                    today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
                })
                .setup,
            )
            .unwrap();
        store.checkpoint().unwrap();
    }
    let before = std::fs::read(&venue_db).unwrap();
    let output = jauge(&[
        "demo",
        "--db",
        venue_db.to_str().unwrap(),
        "--out",
        dir.path().join("f").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output.stderr);
    assert!(
        said.contains("venue.db") && said.contains("pas une démo") && said.contains("--db"),
        "{said}"
    );
    assert_eq!(std::fs::read(&venue_db).unwrap(), before);
}

fn tickets_of(db: &Path, season: &str) -> u64 {
    summary_json(db, season)["tickets"].as_u64().unwrap()
}

#[test]
fn an_import_shows_what_it_found_stores_what_it_can_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    demo_in(dir.path());
    let db = dir.path().join("jauge.db");
    let before = tickets_of(&db, "2026-2027");
    let file = dir.path().join("ventes web.csv");
    std::fs::write(
        &file,
        "N° commande;Date commande;Code séance;Tarif;Prix TTC;Statut billet;N° client;Courriel\n\
         WEB-1;20/11/2026 10:00;SPE-2026-001-R1;Plein tarif;25,00;Valide;W1;ana@exemple.fr\n\
         WEB-1;20/11/2026 10:00;SPE-2026-001-R1;Tarif réduit;20,00;Valide;W1;ana@exemple.fr\n\
         WEB-2;21/11/2026 09:15;SPE-2026-001-R1;Plein tarif;vingt;Valide;W2;bob@exemple.fr\n",
    )
    .unwrap();
    let args = |dry: bool| {
        // The web shop's list has fewer columns than the box office's usual export: a drift
        // of the source's shape, accepted here.
        let mut a = vec![
            "import",
            "--db",
            db.to_str().unwrap(),
            "--source",
            "billetterie",
            "--accept-drift",
            file.to_str().unwrap(),
        ];
        if dry {
            a.push("--dry-run");
        }
        a
    };

    let dry = jauge(&args(true));
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let report = text(&dry.stdout);
    assert!(
        report.contains("N° commande") && report.contains("order id"),
        "{report}"
    );
    assert!(
        report.contains("line 4, column 5 (Prix TTC)") && report.contains("\"vingt\""),
        "{report}"
    );
    assert!(
        report.contains("essai : rien n'a été enregistré"),
        "{report}"
    );
    assert!(
        report.contains("aperçu : billet WEB-1-1 · commande WEB-1"),
        "{report}"
    );
    assert_eq!(
        tickets_of(&db, "2026-2027"),
        before,
        "a dry run stores nothing"
    );

    let stored = jauge(&args(false));
    assert!(stored.status.success(), "{}", text(&stored.stderr));
    assert_eq!(tickets_of(&db, "2026-2027"), before + 2);
    // Two tickets and their order are new; the row without a price waits in quarantine.
    let report = text(&stored.stdout);
    assert!(
        report.contains("billets et commandes 3 nouveaux, 0 modifiés, 0 inchangés"),
        "{report}"
    );

    let again = jauge(&args(false));
    assert!(again.status.success(), "{}", text(&again.stderr));
    let report = text(&again.stdout);
    assert!(
        report.contains("billets et commandes 0 nouveaux, 0 modifiés, 3 inchangés"),
        "{report}"
    );
    assert_eq!(
        tickets_of(&db, "2026-2027"),
        before + 2,
        "importing the same file twice changes nothing"
    );
}

#[test]
fn an_import_of_an_unusable_file_exits_with_1_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    demo_in(dir.path());
    let db = dir.path().join("jauge.db");
    let binary = dir.path().join("tableau.xlsx");
    std::fs::write(&binary, b"PK\x03\x04 a zip archive").unwrap();
    let output = jauge(&[
        "import",
        "--db",
        db.to_str().unwrap(),
        binary.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = text(&output.stderr);
    assert!(
        message.contains("tableau.xlsx") && message.contains("spreadsheet"),
        "{message}"
    );

    let nothing = dir.path().join("liste.csv");
    std::fs::write(
        &nothing,
        "N° commande;Date commande;Prix TTC;Code séance\nX1;hier;gratuit;S\n",
    )
    .unwrap();
    let output = jauge(&[
        "import",
        "--db",
        db.to_str().unwrap(),
        nothing.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output.stderr);
    assert!(
        said.contains("liste.csv")
            && said.contains("aucune ligne n'a pu être retenue")
            && said.contains("quarantaine"),
        "{said}"
    );
}

#[test]
fn a_file_whose_columns_changed_is_stopped_unless_the_drift_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    demo_in(dir.path());
    let db = dir.path().join("jauge.db");
    let db = db.to_str().unwrap();
    let write = |name: &str, header: &str, row: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{header}\n{row}\n")).unwrap();
        path
    };
    // A festival's own ticket list: its performances are in it (show, date, hall, capacity).
    let march = write(
        "web-mars.csv",
        "N° commande;Date commande;Spectacle;Date de représentation;Salle;Jauge;Tarif;Prix TTC;Courriel",
        "WEB-9;01/03/2026 10:00;Bal de clôture;20/06/2026 21:00;Grande salle;600;Plein tarif;25,00;ana@exemple.fr",
    );
    let april = write(
        "web-avril.csv",
        "N° commande;Date commande;Spectacle;Date de représentation;Salle;Jauge;Tarif;Montant;E-mail;Canal",
        "WEB-10;01/04/2026 10:00;Bal de clôture;20/06/2026 21:00;Grande salle;600;Plein tarif;25,00;bob@exemple.fr;Internet",
    );
    let import = |path: &Path, accept: bool| {
        let mut args = vec![
            "import",
            "--db",
            db,
            "--source",
            "web",
            path.to_str().unwrap(),
        ];
        if accept {
            args.push("--accept-drift");
        }
        jauge(&args)
    };
    let first = import(&march, false);
    assert!(first.status.success(), "{}", text(&first.stderr));

    let stopped = import(&april, false);
    assert_eq!(stopped.status.code(), Some(1));
    let message = text(&stopped.stderr);
    for change in [
        "column \"Prix TTC\" is now called \"Montant\"",
        "column \"Courriel\" is now called \"E-mail\"",
        "column \"Canal\" is new",
        "--accept-drift",
    ] {
        assert!(message.contains(change), "{change} missing from: {message}");
    }

    let accepted = import(&april, true);
    assert!(accepted.status.success(), "{}", text(&accepted.stderr));
    assert!(text(&accepted.stdout).contains("changement de colonnes accepté"));

    // Supervision: every source healthy, one accepted drift on the web source.
    let sources = jauge(&["--lang", "en", "sources", "--db", db]);
    let listing = text(&sources.stdout);
    assert_eq!(
        sources.status.code(),
        Some(0),
        "{listing}{}",
        text(&sources.stderr)
    );
    let web = listing
        .lines()
        .find(|l| l.starts_with("web "))
        .unwrap_or_else(|| panic!("{listing}"));
    assert!(
        web.contains("2 imports") && web.contains("1 accepted drifts") && web.ends_with("healthy"),
        "{web}"
    );
    // A source that brought nothing for longer than allowed is stale, and cron hears of it.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let stale = jauge(&["--lang", "en", "sources", "--db", db, "--stale-after", "0"]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        text(&stale.stdout).contains("— stale"),
        "{}",
        text(&stale.stdout)
    );
    assert!(
        text(&stale.stderr).contains("unhealthy sources: billetterie, emailing, web"),
        "{}",
        text(&stale.stderr)
    );
}

/// One import is one transaction: killed while it writes, it leaves the store as it was, and
/// the next run completes.
#[test]
fn an_import_killed_while_writing_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    demo_in(dir.path());
    let db = dir.path().join("jauge.db");
    let wal = dir.path().join("jauge.db-wal");
    let file = dir.path().join("gros-export.csv");
    let mut csv = String::from(
        "N° commande;Date commande;Spectacle;Date de représentation;Salle;Jauge;Tarif;Prix TTC\n",
    );
    for n in 0..200_000 {
        let day = 1 + n % 28;
        csv.push_str(&format!(
            "B{n};01/10/2025 10:00;Marathon {};{day:02}/11/2025 20:00;Grande salle;650;Plein tarif;12,50\n",
            n % 50
        ));
    }
    std::fs::write(&file, csv).unwrap();
    let before = summary_json(&db, "2025-2026");
    let args = [
        "import",
        "--db",
        db.to_str().unwrap(),
        "--source",
        "gros",
        file.to_str().unwrap(),
    ];

    let wal_size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let start = wal_size();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jauge"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    // Kill it once the write-ahead log grows: the transaction is writing.
    while wal_size() < start + 64_000 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be killed"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the import never started writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success());

    assert_eq!(
        summary_json(&db, "2025-2026"),
        before,
        "a killed import changed the store"
    );
    let sources = text(&jauge(&["sources", "--db", db.to_str().unwrap()]).stdout);
    assert!(!sources.contains("gros"), "{sources}");

    let again = jauge(&args);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let after = summary_json(&db, "2025-2026");
    assert_eq!(
        after["tickets"].as_u64().unwrap(),
        before["tickets"].as_u64().unwrap() + 200_000
    );
}

/// A file read and stored in several parts is still one batch: when none of its rows could
/// be taken, none of its parts (nor its quarantine) is kept, and the import exits with 1.
#[test]
fn a_large_file_of_which_nothing_could_be_taken_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    demo_in(dir.path());
    let db = dir.path().join("jauge.db");
    let file = dir.path().join("sans-prix.csv");
    let mut csv = String::from(
        "N° commande;Date commande;Spectacle;Date de représentation;Salle;Jauge;Tarif;Prix TTC\n",
    );
    for n in 0..120_000 {
        csv.push_str(&format!(
            "B{n};01/10/2025 10:00;Marathon;02/11/2025 20:00;Grande salle;650;Plein tarif;gratuit ?\n"
        ));
    }
    std::fs::write(&file, csv).unwrap();
    let before = summary_json(&db, "2025-2026");
    let output = jauge(&[
        "import",
        "--db",
        db.to_str().unwrap(),
        "--source",
        "sans-prix",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let said = text(&output.stderr);
    assert!(
        said.contains("sans-prix.csv") && said.contains("aucune ligne n'a pu être retenue"),
        "{said}"
    );
    assert!(
        text(&output.stdout).contains("120\u{202f}000 en quarantaine"),
        "{}",
        text(&output.stdout)
    );
    assert_eq!(summary_json(&db, "2025-2026"), before);
    let sources = text(&jauge(&["sources", "--db", db.to_str().unwrap()]).stdout);
    assert!(!sources.contains("sans-prix"), "{sources}");
}

/// The real concert export (bare CR lines, `2010/10/14 p.m. 11:25:58.` timestamps, no hall, no
/// capacity) imports through a profile, with no row lost or invented.
#[test]
fn the_real_concert_export_imports_through_a_profile() {
    let concert = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/tickets/concert_taipei_2010.csv");
    let Ok(bytes) = std::fs::read(&concert) else {
        eprintln!("skipped: {} is not here", concert.display());
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("arena.db");
    {
        let mut setup = jauge_demo::generate(jauge_demo::DemoOptions {
            seed: 1,
            scale: 0.05,
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        })
        .setup;
        setup.halls = vec![jauge_model::Hall {
            name: "Arena".parse().unwrap(),
            capacity: jauge_model::Capacity::new(12_000).unwrap(),
        }];
        let mut store = SqliteStore::open(&db).unwrap();
        store.save_setup(&setup).unwrap();
    }
    let profile = dir.path().join("taipei.toml");
    std::fs::write(
        &profile,
        "[defaults]\ncapacity = 12000\ntime_zone = \"Asia/Taipei\"\n\n\
         [tariffs]\n\"member\" = \"reduced\"\n\"non-member\" = \"full_price\"\n",
    )
    .unwrap();
    let saved = dir.path().join("saved.toml");
    let output = jauge(&[
        "--lang",
        "en",
        "import",
        "--db",
        db.to_str().unwrap(),
        "--source",
        "taipei",
        "--profile",
        profile.to_str().unwrap(),
        "--save-profile",
        saved.to_str().unwrap(),
        concert.to_str().unwrap(),
    ]);
    let report = text(&output.stdout);
    assert!(output.status.success(), "{report}{}", text(&output.stderr));

    // Independently: rows, distinct orders and the sum of prices, from the raw text.
    let raw = String::from_utf8_lossy(&bytes).replace('\r', "\n");
    let mut lines = raw.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (order, price) = (column("ORDER_ID"), column("PRICE"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let orders: BTreeSet<&str> = rows.iter().map(|r| r[order]).collect();
    let cents: u64 = rows
        .iter()
        .map(|r| r[price].trim().parse::<u64>().unwrap() * 100)
        .sum();

    // The report writes counts in English with thousands separators: 7,069.
    let english = |n: usize| {
        let digits = n.to_string();
        let (head, tail) = digits.split_at(digits.len().saturating_sub(3));
        if head.is_empty() {
            tail.to_owned()
        } else {
            format!("{head},{tail}")
        }
    };
    let expected = format!(
        "{} tickets, {} orders",
        english(rows.len()),
        english(orders.len())
    );
    assert!(
        report.contains(&expected),
        "{expected} missing from {report}"
    );
    assert!(report.contains("0 quarantined"), "{report}");
    let season = summary_json(&db, "2010-2011");
    assert_eq!(season["tickets"].as_u64().unwrap(), rows.len() as u64);
    assert_eq!(season["revenue"].as_u64().unwrap(), cents);
    assert_eq!(season["performances"].as_u64().unwrap(), 1);

    // The saved profile keeps the defaults and names the columns, ready for next time.
    let saved = std::fs::read_to_string(&saved).unwrap();
    assert!(
        saved.contains("order_id = \"ORDER_ID\"") && saved.contains("Asia/Taipei"),
        "{saved}"
    );
}

/// The keys of the records `jauge patrons show` lists for `key`'s person.
fn person_of(db: &str, key: &str) -> Vec<String> {
    let output = jauge(&["patrons", "--db", db, "show", key]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout)
        .lines()
        .skip(1)
        .map(|l| l.trim().split(' ').next().unwrap().to_owned())
        .collect()
}

/// A person's decisions — these two records are the same person, these two are not — hold
/// against the linkage, and every later linkage respects them.
#[test]
fn merges_and_splits_by_hand_survive_later_linkages() {
    let dir = tempfile::tempdir().unwrap();
    demo_in(dir.path());
    let db = dir.path().join("jauge.db");
    let db = db.to_str().unwrap();
    let linked = jauge(&["patrons", "--db", db, "link"]);
    assert!(linked.status.success(), "{}", text(&linked.stderr));
    assert!(
        text(&linked.stdout).contains("persons"),
        "{}",
        text(&linked.stdout)
    );

    // Two people the linkage keeps apart, merged by hand.
    let (a, b) = ("billetterie-C000001", "billetterie-C000002");
    assert!(!person_of(db, a).contains(&b.to_owned()));
    let merged = jauge(&["patrons", "--db", db, "merge", a, b]);
    assert!(merged.status.success(), "{}", text(&merged.stderr));
    assert!(person_of(db, a).contains(&b.to_owned()));

    // Two records the linkage put together, split by hand.
    let shown = jauge(&["patrons", "--db", db, "show", "billetterie-C000003"]);
    let together = person_of(db, "billetterie-C000003");
    assert!(together.len() >= 2, "{}", text(&shown.stdout));
    let (x, y) = (together[0].clone(), together[1].clone());
    let split = jauge(&["patrons", "--db", db, "split", &x, &y]);
    assert!(split.status.success(), "{}", text(&split.stderr));
    assert!(!person_of(db, &x).contains(&y));

    // A new linkage from scratch respects both decisions.
    let again = jauge(&["patrons", "--db", db, "link"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(person_of(db, a).contains(&b.to_owned()));
    assert!(!person_of(db, &x).contains(&y));

    // The explanation says what was decided; unknown patrons are a clear error.
    let explained = jauge(&["patrons", "--db", db, "explain", a, b]);
    let explanation = text(&explained.stdout);
    assert!(explanation.contains("first name"), "{explanation}");
    assert!(
        explanation.contains("decided by a person: the same person"),
        "{explanation}"
    );
    let unknown = jauge(&["patrons", "--db", db, "merge", a, "billetterie-C999999"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("pas de spectateur billetterie-C999999"),
        "{}",
        text(&unknown.stderr)
    );
}

/// Each import links the patrons it brings against those linked before, unless turned off;
/// `jauge patrons link` links everything again.
#[test]
fn imports_link_the_patrons_they_bring() {
    let dir = tempfile::tempdir().unwrap();
    demo_in(dir.path());
    let db = dir.path().join("jauge.db");
    let db = db.to_str().unwrap();
    let header = "N° commande;Date commande;Code séance;Tarif;Prix TTC;N° client;Prénom;Nom;\
                  Courriel;Téléphone;Code postal;Ville\n";
    let row = |order: &str, customer: &str, first: &str| {
        format!(
            "{order};20/11/2026 10:00;SPE-2026-001-R1;Plein tarif;25,00;{customer};{first};\
             Quéméneur;yann.quemeneur@exemple.fr;06 11 22 33 44;29200;Brest\n"
        )
    };
    let import = |name: &str, rows: &str| {
        let file = dir.path().join(name);
        std::fs::write(&file, format!("{header}{rows}")).unwrap();
        let output = jauge(&[
            "import",
            "--db",
            db,
            "--source",
            "billetterie",
            "--accept-drift",
            file.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    // The same person twice in one import: linked at once, against the others.
    let report = import(
        "web-1.csv",
        &(row("WEB-1", "W1", "Yann") + &row("WEB-2", "W2", "YANN")),
    );
    assert!(
        report.contains("(2 new or changed) linked into"),
        "{report}"
    );
    let w1 = person_of(db, "billetterie-W1");
    assert_eq!(w1, ["billetterie-W1", "billetterie-W2"]);

    // Turned off, an import leaves its patrons unlinked until asked.
    let off = jauge(&["patrons", "--db", db, "after-import", "off"]);
    assert!(off.status.success(), "{}", text(&off.stderr));
    let report = import("web-2.csv", &row("WEB-3", "W3", "Yann"));
    assert!(!report.contains("linked into"), "{report}");
    assert!(!person_of(db, "billetterie-W1").contains(&"billetterie-W3".to_owned()));
    let linked = jauge(&["patrons", "--db", db, "link"]);
    assert!(linked.status.success(), "{}", text(&linked.stderr));
    assert!(person_of(db, "billetterie-W1").contains(&"billetterie-W3".to_owned()));
}

/// The README's main command ends by serving the demo venue: it prints the address, and the
/// season page answers there.
#[test]
fn the_demo_can_end_by_serving_its_pages() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jauge"))
        .args([
            "demo",
            "--today",
            TODAY,
            "--scale",
            "0.1",
            "--serve",
            "127.0.0.1:0",
        ])
        .arg("--db")
        .arg(dir.path().join("jauge.db"))
        .arg("--out")
        .arg(dir.path().join("files"))
        .env_remove("JAUGE_DB")
        .env_remove("JAUGE_LANG")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("the demo prints its address").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .write_all(b"GET /saison HTTP/1.1\r\nHost: jauge\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("Chiffres clés"), "{response}");
}

#[test]
fn each_quarters_sibil_declaration_adds_up_to_the_analytics_totals() {
    use jauge_store::Store;
    let dir = shared_demo();
    let db = dir.join("jauge.db");
    let store = jauge_store::SqliteStore::open(&db).unwrap();
    let setup = store.setup().unwrap().unwrap();
    let tz = setup.venue.time_zone;
    // The analytics' totals of each quarter's performances held, from the rollups.
    let mut expected: BTreeMap<String, (u64, u64, usize)> = BTreeMap::new();
    for p in store
        .programme_between(
            chrono::DateTime::<chrono::Utc>::MIN_UTC,
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
        )
        .unwrap()
    {
        if p.performance.status != jauge_model::PerformanceStatus::Scheduled {
            continue;
        }
        let day = p.performance.starts_at.with_timezone(&tz).date_naive();
        let quarter = jauge_sibil::Quarter::containing(day).to_string();
        let e = expected.entry(quarter).or_default();
        e.0 += p.sales.sales.tickets;
        e.1 += p.sales.sales.revenue.get();
        e.2 += 1;
    }
    drop(store);
    assert!(expected.len() >= 8, "{expected:?}");
    let out = tempfile::tempdir().unwrap();
    for (quarter, (tickets, cents, performances)) in &expected {
        let files = out.path().join(quarter);
        let built = jauge(&[
            "sibil",
            "build",
            "--db",
            db.to_str().unwrap(),
            "--quarter",
            quarter,
            "--out",
            files.to_str().unwrap(),
        ]);
        assert!(built.status.success(), "{}", text(&built.stderr));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(files.join("declaration.json")).unwrap())
                .unwrap();
        let declarations = json.as_array().unwrap();
        assert_eq!(declarations.len(), *performances, "{quarter}");
        let declared_tickets: u64 = declarations
            .iter()
            .map(|d| d["nbBilletsTotalBilletterie"].as_u64().unwrap())
            .sum();
        let declared_cents: u64 = declarations
            .iter()
            .map(|d| (d["recetteTotalBilletterie"].as_f64().unwrap() * 100.0).round() as u64)
            .sum();
        assert_eq!(
            (declared_tickets, declared_cents),
            (*tickets, *cents),
            "{quarter}"
        );
        // Each performance's split adds up to no more than its total.
        for d in declarations {
            let parts = d["nbBilletsTarifPlein"].as_u64().unwrap()
                + d["nbBilletsTarifAbonnementForfait"].as_u64().unwrap()
                + d["nbBilletsExoneres"].as_u64().unwrap();
            assert!(parts <= d["nbBilletsTotalBilletterie"].as_u64().unwrap());
        }
        let summary = std::fs::read_to_string(files.join("resume.txt")).unwrap();
        assert!(summary.contains(&format!("{tickets} billets")), "{summary}");
        let csv = std::fs::read_to_string(files.join("declaration.csv")).unwrap();
        assert_eq!(csv.lines().count(), 1 + performances);
    }
    let bad = jauge(&[
        "sibil",
        "build",
        "--db",
        db.to_str().unwrap(),
        "--quarter",
        "2026-Q5",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("2026-Q3"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn a_quarter_is_sent_to_sibil_recorded_and_sent_again_as_updates() {
    let (url, sibil) = jauge_sibil::stand_in::stand_in();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    std::fs::copy(shared_demo().join("jauge.db"), &db).unwrap();
    let db = db.to_str().unwrap();
    let submit = |password: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jauge"));
        command
            .args(["sibil", "submit", "--db", db, "--quarter", "2025-Q4"])
            .args(["--url", &url, "--user", jauge_sibil::stand_in::USER])
            .env_remove("JAUGE_SIBIL_PASSWORD")
            .env("JAUGE_SIBIL_RETRY_MS", "10");
        if let Some(password) = password {
            command.env("JAUGE_SIBIL_PASSWORD", password);
        }
        command.output().unwrap()
    };
    // The demo plays music, whose SIBIL domain is the venue's to choose: nothing goes before.
    let blocked = submit(Some(jauge_sibil::stand_in::PASSWORD));
    assert_eq!(blocked.status.code(), Some(1));
    assert!(text(&blocked.stdout).contains("jauge sibil domain music"));
    let mapped = jauge(&["sibil", "domain", "--db", db, "music", "Musiques actuelles"]);
    assert!(mapped.status.success(), "{}", text(&mapped.stderr));
    let no_password = submit(None);
    assert_eq!(no_password.status.code(), Some(1));
    assert!(text(&no_password.stderr).contains("JAUGE_SIBIL_PASSWORD"));
    assert!(sibil.lock().unwrap().declarations.is_empty());

    sibil.lock().unwrap().unavailable_creations = 1;
    let first = submit(Some(jauge_sibil::stand_in::PASSWORD));
    assert!(
        first.status.success(),
        "{}{}",
        text(&first.stdout),
        text(&first.stderr)
    );
    let sent = sibil.lock().unwrap().declarations.len();
    assert!(sent > 5, "{sent}");
    assert!(
        text(&first.stdout).contains(&format!("{sent} créée(s), 0 mise(s) à jour, 0 en échec"))
    );
    let status = text(&jauge(&["sibil", "status", "--db", db]).stdout);
    assert!(
        status.contains(&format!("2025-Q4  {sent}/{sent} envoyées  envoyé")),
        "{status}"
    );
    // Sent again (the URL and user are kept): updated, not duplicated.
    let mut again = Command::new(env!("CARGO_BIN_EXE_jauge"));
    let again = again
        .args(["sibil", "submit", "--db", db, "--quarter", "2025-Q4"])
        .env("JAUGE_SIBIL_PASSWORD", jauge_sibil::stand_in::PASSWORD)
        .env_remove("JAUGE_SIBIL_URL")
        .env_remove("JAUGE_SIBIL_USER")
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stdout).contains(&format!("0 créée(s), {sent} mise(s) à jour")));
    let s = sibil.lock().unwrap();
    assert_eq!(s.declarations.len(), sent);
    assert_eq!(s.puts as usize, sent);
}

#[test]
fn a_segment_export_holds_only_people_whose_latest_consent_is_given_and_is_audited() {
    use jauge_model::{
        Consent, ConsentChannel, ConsentPurpose, ConsentStatus, Dataset, SourceKind,
    };
    use jauge_store::Store;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    std::fs::copy(shared_demo().join("jauge.db"), &db).unwrap();
    let export = |name: &str| -> Vec<String> {
        let out = dir.path().join(name);
        let run = jauge(&[
            "segments",
            "export",
            "regular",
            "--channel",
            "email",
            "--season",
            "2025-2026",
            "--db",
            db.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        std::fs::read_to_string(out)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_owned())
            .collect()
    };
    let first = export("first.csv");
    assert!(first.len() > 20, "{}", first.len());
    // Each row has its RFM code and its probability of lapsing.
    let rows = std::fs::read_to_string(dir.path().join("first.csv")).unwrap();
    for row in rows.lines().skip(1) {
        let cells: Vec<&str> = row.rsplitn(3, ',').collect();
        let lapse: f64 = cells[0].parse().unwrap();
        assert!((0.0..=1.0).contains(&lapse), "{row}");
        assert!(
            cells[1].len() == 3 && cells[1].chars().all(|c| ('1'..='5').contains(&c)),
            "{row}"
        );
        // Regulars came this season: their recency is the best.
        assert!(cells[1].starts_with('5'), "{row}");
    }

    // Independently: each exported address's person, and the latest consent event over all of
    // that person's records.
    let mut store = jauge_store::SqliteStore::open(&db).unwrap();
    let person_of: BTreeMap<String, String> = store
        .persons()
        .unwrap()
        .into_iter()
        .map(|p| (p.patron.to_string(), p.person.to_string()))
        .collect();
    let person = |key: &str| {
        person_of
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    };
    let mut records_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut by_email: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (identity, _) in store.identities().unwrap() {
        let key = identity.key.unwrap().to_string();
        records_of
            .entry(person(&key))
            .or_default()
            .push(key.clone());
        if let Some(email) = identity.email {
            by_email.entry(email.to_string()).or_default().push(key);
        }
    }
    let ledger = store
        .consents(ConsentChannel::Email, ConsentPurpose::Newsletter)
        .unwrap();
    let latest_given = |person_key: &str| -> bool {
        let records = &records_of[person_key];
        ledger
            .iter()
            .filter(|c| records.contains(&c.patron.to_string()))
            .max_by_key(|c| (c.at, c.status == ConsentStatus::Withdrawn))
            .is_some_and(|c| c.status == ConsentStatus::Given)
    };
    for email in &first {
        let keys = &by_email[email];
        assert!(
            keys.iter().any(|k| latest_given(&person(k))),
            "{email} has no valid consent"
        );
    }

    // One of them unsubscribes: the next export leaves them out.
    let leaving = by_email[&first[0]][0].clone();
    let mut unsubscribe = Dataset::new(
        "emailing".parse().unwrap(),
        SourceKind::EmailingExport,
        "unsubscribes.csv",
    );
    unsubscribe.consents.push(Consent {
        patron: leaving.parse().unwrap(),
        channel: ConsentChannel::Email,
        purpose: ConsentPurpose::Newsletter,
        status: ConsentStatus::Withdrawn,
        at: chrono::Utc::now(),
        source: "emailing".parse().unwrap(),
        proof: "unsubscribe link".into(),
    });
    store.write_dataset(&unsubscribe).unwrap();
    drop(store);
    let second = export("second.csv");
    assert!(!second.contains(&first[0]));
    assert_eq!(second.len(), first.len() - 1);

    let store = jauge_store::SqliteStore::open(&db).unwrap();
    let exports: Vec<_> = store
        .audit_log()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "segment export")
        .collect();
    assert_eq!(exports.len(), 2);
    assert!(
        !exports[0].detail.contains('@'),
        "no personal data in the log"
    );
    assert_eq!(store.verify_audit().unwrap(), Ok(2));
}

#[test]
fn on_the_demo_venue_the_model_beats_the_best_baseline_by_15_percent_at_j14() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("backtest.csv");
    let run = jauge(&[
        "forecast",
        "backtest",
        "--db",
        shared_demo().join("jauge.db").to_str().unwrap(),
        "--today",
        TODAY,
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let table = std::fs::read_to_string(csv).unwrap();
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 4 * 5, "four methods, five horizons");
    let at_14: Vec<&Vec<&str>> = rows.iter().filter(|r| r[1] == "14").collect();
    let wape = |r: &Vec<&str>| r[3].parse::<f64>().unwrap();
    let model = at_14.iter().find(|r| r[0] == "model").unwrap();
    let best = at_14
        .iter()
        .filter(|r| r[0] != "model")
        .map(|r| wape(r))
        .fold(f64::INFINITY, f64::min);
    assert!(
        wape(model) <= 0.85 * best,
        "model {} against {best}",
        wape(model)
    );
    let coverage: f64 = model[5].parse().unwrap();
    assert!((0.75..=0.85).contains(&coverage), "{coverage}");
}

/// Whether `needle` (ASCII, any case) is in the bytes of the database's files.
fn in_database_files(db: &Path, needle: &str) -> bool {
    let needle = needle.to_ascii_lowercase().into_bytes();
    ["", "-wal", "-shm"].iter().any(|suffix| {
        let mut path = db.as_os_str().to_owned();
        path.push(suffix);
        std::fs::read(&path).is_ok_and(|bytes| {
            bytes
                .to_ascii_lowercase()
                .windows(needle.len())
                .any(|w| w == needle.as_slice())
        })
    })
}

#[test]
fn after_erasure_no_trace_of_the_persons_email_or_name_remains_in_the_database_files() {
    use jauge_model::{
        Consent, ConsentChannel, ConsentPurpose, ConsentStatus, Dataset, PatronIdentity,
        QuarantinedRow, SourceKind,
    };
    use jauge_store::Store;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    std::fs::copy(shared_demo().join("jauge.db"), &db).unwrap();
    let email = "zephyrine.quillembert@exemple.org";
    {
        let mut store = jauge_store::SqliteStore::open(&db).unwrap();
        let mut d = Dataset::new(
            "crm".parse().unwrap(),
            SourceKind::CrmExport,
            "contacts.csv",
        );
        d.patrons.push(PatronIdentity {
            key: Some("crm-Z1".parse().unwrap()),
            first_name: Some("Zéphyrine".into()),
            last_name: Some("Quillembert".into()),
            email: Some(email.parse().unwrap()),
            phone: Some("06 19 28 37 46".into()),
            address: Some("9 impasse des Tilleuls-Quillembert".into()),
            ..Default::default()
        });
        d.consents.push(Consent {
            patron: "crm-Z1".parse().unwrap(),
            channel: ConsentChannel::Email,
            purpose: ConsentPurpose::Newsletter,
            status: ConsentStatus::Given,
            at: chrono::Utc::now(),
            source: "crm".parse().unwrap(),
            proof: format!("form signed by {email}"),
        });
        d.quarantined.push(QuarantinedRow {
            line: 7,
            column: Some((3, "Naissance".into())),
            raw: format!("Z2;Zéphyrine;QUILLEMBERT;{email};31/02/1980"),
            reason: "not a date".into(),
        });
        store.write_dataset(&d).unwrap();
    }
    // The linkage model learns her last name among the others.
    let linked = jauge(&["patrons", "link", "--db", db.to_str().unwrap()]);
    assert!(linked.status.success(), "{}", text(&linked.stderr));
    jauge_store::SqliteStore::open(&db)
        .unwrap()
        .checkpoint()
        .unwrap();
    assert!(
        in_database_files(&db, email),
        "the test must see her before"
    );
    assert!(in_database_files(&db, "quillembert"));

    let access = jauge(&[
        "privacy",
        "access",
        email,
        "--db",
        db.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(access.status.success(), "{}", text(&access.stderr));
    let json = std::fs::read_to_string(dir.path().join("acces-crm-Z1.json")).unwrap();
    assert!(json.contains(email) && json.contains("Quillembert") && json.contains("newsletter"));
    assert!(dir.path().join("acces-crm-Z1.html").exists());

    let erased = jauge(&["privacy", "erase", email, "--db", db.to_str().unwrap()]);
    assert!(erased.status.success(), "{}", text(&erased.stderr));
    for trace in [
        email,
        "quillembert",
        "zephyrine",
        "z\u{e9}phyrine",
        "06 19 28 37 46",
        "tilleuls",
    ] {
        assert!(!in_database_files(&db, trace), "{trace} survives erasure");
    }
    // The facts stay: her consent, under her opaque key.
    let store = jauge_store::SqliteStore::open(&db).unwrap();
    let ledger = store
        .consents(ConsentChannel::Email, ConsentPurpose::Newsletter)
        .unwrap();
    assert!(ledger.iter().any(|c| c.patron.as_str() == "crm-Z1"));
    assert_eq!(store.verify_audit().unwrap(), Ok(2));
    assert!(
        store
            .audit_log()
            .unwrap()
            .iter()
            .all(|e| !e.detail.contains('@'))
    );
}

#[test]
fn retention_shows_whose_identity_expires_and_removes_it_only_when_applied() {
    use jauge_store::Store;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    std::fs::copy(shared_demo().join("jauge.db"), &db).unwrap();
    let db = db.to_str().unwrap();
    let identities = || {
        jauge_store::SqliteStore::open(db)
            .unwrap()
            .identities()
            .unwrap()
            .len()
    };
    let before = identities();
    let shown = jauge(&["--lang", "en", "privacy", "retention", "--db", db]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let said = text(&shown.stdout);
    let people: usize = said
        .split("Retention : ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        people > 0,
        "the demo's first season is over three years old: {said}"
    );
    assert!(said.contains("--apply"));
    assert_eq!(identities(), before, "nothing removed without --apply");
    let applied = jauge(&[
        "--lang",
        "en",
        "privacy",
        "retention",
        "--apply",
        "--db",
        db,
    ]);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    let after = identities();
    assert!(
        after < before && before - after >= people,
        "{before} → {after}"
    );
    let again = text(&jauge(&["--lang", "en", "privacy", "retention", "--db", db]).stdout);
    assert!(again.contains("Retention : 0 people"), "{again}");
    let store = jauge_store::SqliteStore::open(db).unwrap();
    assert!(
        store
            .audit_log()
            .unwrap()
            .iter()
            .any(|e| e.action == "retention")
    );
}

#[test]
fn extracts_are_k_anonymous_and_two_of_them_cannot_be_joined() {
    use jauge_store::Store;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    std::fs::copy(shared_demo().join("jauge.db"), &db).unwrap();
    let db = db.to_str().unwrap();
    let create = |recipient: &str, out: &str| {
        let out = dir.path().join(out);
        let run = jauge(&[
            "share",
            "create",
            "--db",
            db,
            "--recipient",
            recipient,
            "--purpose",
            "étude des publics",
            "--expires",
            "30d",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        out
    };
    let (a, b) = (create("Agence A", "a"), create("Agence B", "b"));
    let read = |dir: &Path, file: &str| -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };
    let mut pseudonyms: Vec<BTreeSet<String>> = Vec::new();
    for extract in [&a, &b] {
        let patrons = read(extract, "patrons.csv");
        assert!(patrons.len() > 1000);
        // Every (place, birth decade) group holds at least k = 5 people.
        let mut sizes: BTreeMap<(String, String), usize> = BTreeMap::new();
        for p in &patrons {
            *sizes.entry((p[1].clone(), p[2].clone())).or_default() += 1;
        }
        assert!(sizes.values().all(|n| *n >= 5), "{sizes:?}");
        let header = std::fs::read_to_string(extract.join("patrons.csv")).unwrap();
        assert!(
            header.starts_with("pseudonyme,lieu,naissance\n"),
            "no direct identifier"
        );
        let all = std::fs::read_to_string(extract.join("billets.csv")).unwrap();
        assert!(!all.contains('@'));
        // The same tables as Parquet.
        for (file, rows) in [
            ("patrons.parquet", patrons.len()),
            ("billets.parquet", read(extract, "billets.csv").len()),
        ] {
            use parquet::file::reader::{FileReader, SerializedFileReader};
            let reader =
                SerializedFileReader::new(std::fs::File::open(extract.join(file)).unwrap())
                    .unwrap();
            assert_eq!(
                reader.metadata().file_metadata().num_rows() as usize,
                rows,
                "{file}"
            );
        }
        let mut keys: BTreeSet<String> = patrons.iter().map(|p| p[0].clone()).collect();
        keys.extend(
            read(extract, "billets.csv")
                .into_iter()
                .map(|t| t[0].clone())
                .filter(|k| !k.is_empty()),
        );
        pseudonyms.push(keys);
        let register: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(extract.join("registre.json")).unwrap())
                .unwrap();
        assert_eq!(register["finalite"], "étude des publics");
        assert_eq!(register["k"], 5);
        assert!(extract.join("dictionnaire.md").exists());
    }
    assert!(
        pseudonyms[0].is_disjoint(&pseudonyms[1]),
        "the two extracts share a key"
    );

    let revoked = jauge(&["share", "revoke", "1", "--db", db]);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    let listed = text(&jauge(&["share", "list", "--db", db]).stdout);
    assert!(
        listed.contains("Agence A") && listed.contains("(révoqué)"),
        "{listed}"
    );
    let store = jauge_store::SqliteStore::open(db).unwrap();
    let log = store.audit_log().unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "share").count(), 2);
    assert!(log.iter().any(|e| e.action == "share revoked"));
}

#[test]
fn serving_beyond_this_machine_needs_an_account_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    std::fs::copy(shared_demo().join("jauge.db"), &db).unwrap();
    let db = db.to_str().unwrap();
    let refused = jauge(&["serve", "--db", db, "--bind", "0.0.0.0:18080"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("jauge users add"),
        "{}",
        text(&refused.stderr)
    );
    let add = |password: &str| {
        Command::new(env!("CARGO_BIN_EXE_jauge"))
            .args(["users", "add", "marie", "--role", "staff", "--db", db])
            .env("JAUGE_PASSWORD", password)
            .output()
            .unwrap()
    };
    let short = add("court");
    assert_eq!(short.status.code(), Some(1));
    assert!(add("un mot de passe assez long").status.success());
    let listed = text(&jauge(&["users", "list", "--db", db]).stdout);
    assert!(
        listed.contains("marie") && listed.contains("staff"),
        "{listed}"
    );
}

#[test]
fn an_api_token_is_shown_once_kept_as_a_hash_and_revocable() {
    use jauge_store::Store;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    std::fs::copy(shared_demo().join("jauge.db"), &db).unwrap();
    let db = db.to_str().unwrap();
    let bad = jauge(&[
        "tokens",
        "create",
        "x",
        "--scope",
        "read:everything",
        "--db",
        db,
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let made = jauge(&[
        "tokens",
        "create",
        "ville",
        "--scope",
        "read:aggregates",
        "--db",
        db,
    ]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    let token = text(&made.stdout).trim().to_owned();
    assert_eq!(token.len(), 64);
    let store = jauge_store::SqliteStore::open(db).unwrap();
    let kept = store.tokens().unwrap();
    assert_eq!(kept.len(), 1);
    assert_ne!(kept[0].token_hash, token, "only the hash is kept");
    drop(store);
    assert!(!in_database_files(Path::new(db), &token));
    let listed = text(&jauge(&["tokens", "list", "--db", db]).stdout);
    assert!(listed.contains("ville") && !listed.contains(&token));
    assert!(
        jauge(&["tokens", "revoke", "1", "--db", db])
            .status
            .success()
    );
    assert!(text(&jauge(&["tokens", "list", "--db", db]).stdout).contains("(revoked)"));
}

/// Runs `jauge report` on the shared demo as on `TODAY`; the file written and what it said.
fn report_of(season: &str, lang: &str, format: &str) -> (std::path::PathBuf, String) {
    let dir = shared_demo();
    let out = dir.join(format!("report-{season}-{lang}.{format}"));
    let output = jauge(&[
        "--db",
        dir.join("jauge.db").to_str().unwrap(),
        "--lang",
        lang,
        "report",
        "--season",
        season,
        "--today",
        TODAY,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "report failed: {}",
        text(&output.stderr)
    );
    (out, text(&output.stderr))
}

/// A figure of a season summary by the name the report's JSON gives it, read here field by
/// field (money in cents).
fn summary_field(s: &jauge_analytics::SeasonSummary, name: &str) -> Option<f64> {
    match name {
        "tickets" => Some(s.tickets as f64),
        "revenue" => Some(s.revenue.get() as f64),
        "fill_rate" => s.fill_rate,
        "average_price" => s.average_price,
        "performances" => Some(s.performances as f64),
        "cancelled_performances" => Some(s.cancelled_performances as f64),
        "patrons" => Some(s.patrons as f64),
        "first_timer_share" => s.first_timer_share,
        "retention" => s.retention,
        "subscription_share" => s.subscription_share,
        "free_ticket_share" => s.free_ticket_share,
        other => panic!("unknown summary figure {other}"),
    }
}

/// What a figure of the report should be, computed again from the store with the analytics
/// crate: the report's measure as its JSON names it.
fn expected_figure(store: &SqliteStore, label: &str, measure: &serde_json::Value) -> f64 {
    use jauge_analytics::calendar::{season_summary_until, season_weeks};
    use jauge_analytics::places::audience_geography;
    use jauge_analytics::{fill_by, season_summary, shows_by_fill_rate};
    let season: jauge_model::Season = label.parse().unwrap();
    let today = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let summary = season_summary(&store.season_facts(season).unwrap());
    let previous = season.previous();
    let previous_summary = || {
        let facts = store.season_facts(previous).unwrap();
        if season.contains(today) {
            let by_day = store.season_sales_by_day(previous).unwrap();
            let day = today.checked_sub_months(chrono::Months::new(12)).unwrap();
            season_summary_until(&facts, &by_day, day)
        } else {
            season_summary(&facts)
        }
    };
    let performances = store.season_performances(season).unwrap();
    let held: Vec<_> = performances
        .iter()
        .filter(|p| p.sales.status == jauge_model::PerformanceStatus::Scheduled)
        .collect();
    let tariff = |category: &serde_json::Value| -> (u64, u64, u64) {
        let category: jauge_model::TariffCategory =
            serde_json::from_value(category.clone()).unwrap();
        let (mut tickets, mut revenue, mut all) = (0, 0, 0);
        for p in &held {
            for (c, n, amount) in store.performance_mix(p.id).unwrap().tariffs {
                all += n;
                if c == category {
                    tickets += n;
                    revenue += amount.get();
                }
            }
        }
        (tickets, revenue, all)
    };
    let group = |fill: &jauge_analytics::Fill, field: &str| match field {
        "fill_rate" => fill.fill_rate.unwrap(),
        "tickets" => fill.sales.tickets as f64,
        "performances" => fill.performances as f64,
        "revenue" => fill.sales.revenue.get() as f64,
        other => panic!("unknown group figure {other}"),
    };
    let geography = || {
        let setup = store.setup().unwrap().unwrap();
        audience_geography(
            &store.season_buyer_places(season).unwrap(),
            setup.venue.insee.as_str(),
            jauge_geo::Geography::france(),
        )
    };
    let (kind, arg) = measure.as_object().unwrap().iter().next().unwrap();
    let index = |v: &serde_json::Value| v.as_u64().unwrap() as usize;
    match kind.as_str() {
        "season" => summary_field(&summary, arg.as_str().unwrap()).unwrap(),
        "before" => summary_field(&previous_summary(), arg.as_str().unwrap()).unwrap(),
        "change" => {
            let name = arg.as_str().unwrap();
            let (now, then) = (
                summary_field(&summary, name).unwrap(),
                summary_field(&previous_summary(), name).unwrap(),
            );
            if name.ends_with("rate") || name.ends_with("share") || name == "retention" {
                now - then
            } else {
                now / then - 1.0
            }
        }
        "discipline" => {
            let d: jauge_model::Discipline = serde_json::from_value(arg[0].clone()).unwrap();
            let groups = fill_by(&performances, |p| p.discipline);
            let fill = &groups.iter().find(|(k, _)| *k == d).unwrap().1;
            group(fill, arg[1].as_str().unwrap())
        }
        "hall" => {
            let groups = fill_by(&performances, |p| p.hall.clone());
            let fill = &groups.iter().find(|(k, _)| k == &arg[0]).unwrap().1;
            group(fill, arg[1].as_str().unwrap())
        }
        "show" => {
            let show = shows_by_fill_rate(&performances)
                .into_iter()
                .find(|s| s.show == arg[0].as_str().unwrap())
                .unwrap();
            let fill = jauge_analytics::Fill {
                performances: show.performances,
                capacity: show.capacity,
                sales: show.sales,
                fill_rate: show.fill_rate,
            };
            group(&fill, arg[1].as_str().unwrap())
        }
        "tariff_tickets" => tariff(arg).0 as f64,
        "tariff_revenue" => tariff(arg).1 as f64,
        "tariff_share" => {
            let (tickets, _, all) = tariff(arg);
            tickets as f64 / all as f64
        }
        "segment" => {
            let audience = store.season_audience(season).unwrap();
            let segment = jauge_analytics::audience::SEGMENTS
                .into_iter()
                .find(|s| format!("{s:?}") == arg.as_str().unwrap())
                .unwrap();
            audience.segment(segment) as f64
        }
        "band_buyers" => geography().bands[index(arg)] as f64,
        "band_share" => {
            let g = geography();
            g.bands[..=index(arg)].iter().sum::<u64>() as f64 / (g.buyers - g.unplaced) as f64
        }
        "departement_buyers" => {
            let g = geography();
            g.departements
                .iter()
                .find(|d| d.0 == arg.as_str().unwrap())
                .unwrap()
                .2 as f64
        }
        "week_tickets" => {
            let weeks = season_weeks(
                season,
                &store.season_sales_by_day(season).unwrap(),
                &store.season_sales_by_day(previous).unwrap(),
            )
            .unwrap();
            let values = if arg["previous"].as_bool().unwrap() {
                weeks.previous_season
            } else {
                weeks.this_season
            };
            values[index(&arg["week"])] as f64
        }
        other => panic!("a measure this test does not know: {other}"),
    }
}

/// A text with its spaces (of every width) taken out, to find figures in a PDF's text.
fn without_spaces(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect()
}

#[test]
fn every_figure_of_the_season_report_is_the_analytics_own_in_html_and_pdf() {
    let store = SqliteStore::open(shared_demo().join("jauge.db")).unwrap();
    // A finished season, compared with the whole previous one; and one under way, compared
    // with the previous one a year before.
    for (season, lang) in [("2025-2026", "fr"), ("2026-2027", "en")] {
        let (json, _) = report_of(season, lang, "json");
        let figures: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        assert!(figures.len() > 60, "{season}: {} figures", figures.len());
        let (html, _) = report_of(season, lang, "html");
        let html = std::fs::read_to_string(&html).unwrap();
        let (pdf, said) = report_of(season, lang, "pdf");
        let pdf_text = Command::new("pdftotext")
            .arg("-enc")
            .arg("UTF-8")
            .arg(&pdf)
            .arg("-")
            .output()
            .expect("pdftotext (Debian's poppler-utils) runs");
        let pdf_text = without_spaces(&text(&pdf_text.stdout));
        let mut kinds = BTreeSet::new();
        for figure in &figures {
            let measure = &figure["measure"];
            let value = figure["value"].as_f64().unwrap();
            let expected = expected_figure(&store, season, measure);
            assert!(
                (value - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                "{season} {measure}: the report says {value}, the analytics {expected}"
            );
            let shown = figure["shown"].as_str().unwrap();
            if !measure.to_string().contains("week_tickets") {
                // Weekly figures are the chart's points: drawn, not written.
                assert!(
                    html.contains(&shown.replace('&', "&amp;")),
                    "{season} {measure}: {shown} is not in the HTML"
                );
                assert!(
                    pdf_text.contains(&without_spaces(shown)),
                    "{season} {measure}: {shown} is not in the PDF's text"
                );
            }
            kinds.insert(measure.as_object().unwrap().keys().next().unwrap().clone());
        }
        for kind in [
            "season",
            "before",
            "change",
            "discipline",
            "hall",
            "show",
            "tariff_share",
            "segment",
            "band_share",
            "departement_buyers",
            "week_tickets",
        ] {
            assert!(kinds.contains(kind), "{season}: no {kind} figure");
        }
        // The PDF is A4, and pdftoppm finds as many pages as the report says it laid out.
        let pages: usize = said
            .split(" pages")
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no page count in {said:?}"));
        // A cover, then five sections of a page each: a section that overflows its page is a
        // design to revisit.
        assert_eq!(pages, 6, "a cover and five sections of a page each");
        let pngs = shared_demo().join(format!("pages-{season}"));
        let status = Command::new("pdftoppm")
            .args(["-r", "20", "-png"])
            .arg(&pdf)
            .arg(&pngs)
            .status()
            .expect("pdftoppm (Debian's poppler-utils) runs");
        assert!(status.success());
        let rendered = std::fs::read_dir(shared_demo())
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                let name = name.to_string_lossy();
                name.starts_with(&format!("pages-{season}")) && name.ends_with(".png")
            })
            .count();
        assert_eq!(rendered, pages, "{season}");
        // Every font the PDF uses is embedded in it.
        let fonts = text(&Command::new("pdffonts").arg(&pdf).output().unwrap().stdout);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{fonts}");
        for row in rows {
            let columns: Vec<&str> = row.split_whitespace().collect();
            // name, type (one or two words), encoding, emb, sub, uni, object, id.
            assert_eq!(columns[columns.len() - 5], "yes", "not embedded: {row}");
        }
        let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
        assert!(
            text(&info.stdout).contains("595.276 x 841.89 pts (A4)"),
            "{}",
            text(&info.stdout)
        );
    }
}

#[test]
fn the_season_report_reads_as_written_text_in_each_language_and_stands_alone() {
    let (fr, _) = report_of("2025-2026", "fr", "html");
    let fr = std::fs::read_to_string(fr).unwrap();
    let (en, _) = report_of("2025-2026", "en", "html");
    let en = std::fs::read_to_string(en).unwrap();
    assert!(fr.contains(r#"<html lang="fr">"#) && en.contains(r#"<html lang="en">"#));
    assert!(fr.contains("La saison 2025-2026 a réuni "), "{fr}");
    assert!(fr.contains(" par rapport à la saison 2024-2025"), "{fr}");
    assert!(en.contains("Season 2025-2026 drew "), "{en}");
    assert!(en.contains("Methods, definitions and sources"));
    assert!(fr.contains("Méthodes, définitions et sources"));
    for html in [&fr, &en] {
        // Self-contained: no script, no stylesheet, image or font fetched from elsewhere.
        for outside in ["<script", "<link", " src=", "url(", "@import"] {
            assert!(!html.contains(outside), "{outside}");
        }
        let addresses = html.matches("http").count();
        let svg_namespaces = html.matches("http://www.w3.org/2000/svg").count();
        assert_eq!(
            addresses, svg_namespaces,
            "only SVG's namespace names an address"
        );
        // Nothing left of a template.
        for leftover in ["{", "}}", "NaN", "inf"] {
            let body = &html[html.find("<body>").unwrap()..];
            let text: String = body
                .split('<')
                .map(|part| part.split_once('>').map_or("", |(_, t)| t))
                .collect();
            assert!(!text.contains(leftover), "{leftover} in {text}");
        }
    }
}

#[test]
fn a_report_of_a_season_without_performances_says_which_seasons_have_some() {
    let dir = shared_demo();
    let output = jauge(&[
        "--db",
        dir.join("jauge.db").to_str().unwrap(),
        "report",
        "--season",
        "2019-2020",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output.stderr);
    assert!(
        said.contains("2025-2026") && said.contains("--season"),
        "{said}"
    );
}
