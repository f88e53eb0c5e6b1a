//! The same venue on both backends: the demo built with `--db postgres://…` and with an SQLite
//! file reads back the same through every read of the store, and the commands print the same.
//! Needs `JAUGE_TEST_POSTGRES` (`.ci/run` sets it); skipped, saying so, without it.

use std::path::Path;
use std::process::{Command, Output};

use jauge_model::{ConsentChannel, ConsentPurpose, Season};
use jauge_store::Store;
use jauge_store::postgres::testing::TestDatabase;

const TODAY: &str = "2026-11-29";

fn jauge(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jauge"))
        .args(["--db", db, "--lang", "en"])
        .args(args)
        .env_remove("JAUGE_DB")
        .output()
        .expect("the jauge binary runs")
}

fn succeeds(db: &str, args: &[&str]) -> String {
    let output = jauge(db, args);
    assert!(
        output.status.success(),
        "jauge {args:?} on {db}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn demo(db: &str, out: &Path) {
    succeeds(
        db,
        &[
            "demo",
            "--seed",
            "5",
            "--scale",
            "0.1",
            "--today",
            TODAY,
            "--out",
            out.to_str().unwrap(),
        ],
    );
}

/// Asserts both stores answer `read` alike.
fn same<T: std::fmt::Debug>(
    what: &str,
    sqlite: &dyn Store,
    postgres: &dyn Store,
    read: impl Fn(&dyn Store) -> T,
) {
    let (a, b) = (
        format!("{:?}", read(sqlite)),
        format!("{:?}", read(postgres)),
    );
    assert!(
        a == b,
        "{what} differs:\n SQLite:     {a:.2000}\n PostgreSQL: {b:.2000}"
    );
}

#[test]
fn the_demo_on_postgresql_reads_back_as_on_sqlite() {
    let Some(database) = TestDatabase::new("jauge_venue_e2e") else {
        return;
    };
    let pg = database.address();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("jauge.db");
    let file = file.to_str().unwrap();
    demo(file, &dir.path().join("a"));
    demo(&pg, &dir.path().join("b"));

    // A second demo would replace a venue's data: refused on PostgreSQL.
    let again = jauge(
        &pg,
        &["demo", "--out", dir.path().join("c").to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds a venue"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    let mut lite = jauge_store::open(file).unwrap();
    let mut post = jauge_store::open(&pg).unwrap();
    let (a, b): (&dyn Store, &dyn Store) = (&*lite, &*post);
    same("setup", a, b, |s| s.setup().unwrap());
    let seasons = a.seasons().unwrap();
    assert!(seasons.len() >= 3, "{seasons:?}");
    same("seasons", a, b, |s| s.seasons().unwrap());
    let today = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    for &season in &seasons {
        let at = |what: &str| format!("{what} of {season}");
        same(&at("facts"), a, b, |s| s.season_facts(season).unwrap());
        same(&at("performances"), a, b, |s| {
            s.season_performances(season).unwrap()
        });
        same(&at("buyers' places"), a, b, |s| {
            s.season_buyer_places(season).unwrap()
        });
        same(&at("sales by day"), a, b, |s| {
            s.season_sales_by_day(season).unwrap()
        });
        same(&at("tariff mix"), a, b, |s| {
            s.season_tariff_mix(season).unwrap()
        });
        same(&at("audience"), a, b, |s| {
            s.season_audience(season).unwrap()
        });
        same(&at("shows' audiences"), a, b, |s| {
            s.season_show_audiences(season).unwrap()
        });
        same(&at("sales as of today"), a, b, |s| {
            s.season_sales_as_of(season, today).unwrap()
        });
    }
    let last: Season = *seasons.last().unwrap();
    let ids: Vec<i64> = a
        .season_performances(last)
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    for &id in ids.iter().take(5) {
        same("performance", a, b, |s| s.performance_line(id).unwrap());
        same("performance mix", a, b, |s| s.performance_mix(id).unwrap());
        same("comparable performances", a, b, |s| {
            s.comparable_performances(id).unwrap()
        });
    }
    same("bookings", a, b, |s| s.bookings(&ids).unwrap());
    let (from, to) = (
        chrono::DateTime::parse_from_rfc3339("2025-10-01T00:00:00Z")
            .unwrap()
            .to_utc(),
        chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .to_utc(),
    );
    same("a quarter's programme", a, b, |s| {
        s.programme_between(from, to).unwrap()
    });
    same("shows also outside", a, b, |s| {
        s.shows_also_outside(from, to).unwrap()
    });
    same("person seasons", a, b, |s| s.person_seasons().unwrap());
    same("spend", a, b, |s| {
        s.spend_by_person(seasons[0], last).unwrap()
    });
    for &channel in ConsentChannel::ALL {
        for &purpose in ConsentPurpose::ALL {
            same("consents", a, b, |s| s.consents(channel, purpose).unwrap());
        }
    }
    // In no particular order, and stamped with the time of each import.
    same("activity", a, b, |s| {
        let mut records: Vec<_> = s
            .activity()
            .unwrap()
            .into_iter()
            .map(|r| (r.patron, r.person, r.last_purchase, r.last_contact))
            .collect();
        records.sort();
        records
    });
    same("ticket facts", a, b, |s| s.ticket_facts().unwrap());
    same("campaigns", a, b, |s| s.campaign_facts().unwrap());
    same("identities", a, b, |s| {
        s.identities()
            .unwrap()
            .into_iter()
            .map(|(identity, _batch)| identity)
            .collect::<Vec<_>>()
    });
    same("persons", a, b, |s| s.persons().unwrap());
    same("decisions", a, b, |s| s.decisions().unwrap());
    same("quarantine", a, b, |s| s.quarantine(None).unwrap());
    same("sources", a, b, |s| {
        s.sources()
            .unwrap()
            .into_iter()
            .map(|mut source| {
                source.last_import = None;
                source
            })
            .collect::<Vec<_>>()
    });

    // Erasing a person leaves the same on both.
    let person = a.persons().unwrap().into_iter().next().unwrap().patron;
    let removed = (
        lite.erase(std::slice::from_ref(&person), &[]).unwrap(),
        post.erase(std::slice::from_ref(&person), &[]).unwrap(),
    );
    assert_eq!(removed.0, removed.1);
    assert!(removed.0 > 0);
    let (a, b): (&dyn Store, &dyn Store) = (&*lite, &*post);
    same("what is held of an erased person", a, b, |s| {
        s.subject_data(std::slice::from_ref(&person)).unwrap()
    });

    // The commands print the same figures.
    for args in [
        &["summary", "--format", "json"][..],
        &["segments"][..],
        &["sibil", "status"][..],
    ] {
        assert_eq!(succeeds(file, args), succeeds(&pg, args), "jauge {args:?}");
    }
}
