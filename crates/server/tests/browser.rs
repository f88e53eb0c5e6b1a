//! The pages in a real browser: headless Chromium opens each kind of page of a demo venue in
//! both languages, and each must load its style, log no error in its console and draw
//! something; a screenshot of each is kept in `$CARGO_TARGET_TMPDIR/screenshots`.
//!
//! It needs Debian's `chromium` (`.ci/run` installs it). Without it the test says so and
//! passes, unless `JAUGE_BROWSER_TESTS=1` asks for it, as CI does. Broken links are the other
//! tests' concern: they follow every link of every page.

use std::path::{Path, PathBuf};
use std::process::Command;

use jauge_store::{SqliteStore, Store};

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// What Chromium said of one page: its console errors and failed loads.
fn open(browser: &Path, url: &str, screenshot: &Path) -> Vec<String> {
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1600",
        ])
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(url)
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Failed to load resource")
                || l.contains("net::ERR_")
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_kind_of_page_loads_cleanly_in_chromium_in_both_languages() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("JAUGE_BROWSER_TESTS").is_none(),
            "JAUGE_BROWSER_TESTS is set but chromium is not installed"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    let venue = jauge_demo::generate(jauge_demo::DemoOptions {
        seed: 3,
        scale: 0.1,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    let mut store = SqliteStore::open(&db).unwrap();
    store.save_setup(&venue.setup).unwrap();
    store.write_dataset(&venue.ticketing).unwrap();
    store.write_dataset(&venue.emailing).unwrap();

    // Every season's overview, audiences, crossover and list of performances, one performance
    // of each season, the sources and the glossary.
    let mut pages = vec![
        "/sources".to_owned(),
        "/glossaire".to_owned(),
        "/a-venir".to_owned(),
    ];
    for season in store.seasons().unwrap() {
        let label = season.label();
        pages.push(format!("/saison?saison={label}"));
        pages.push(format!("/publics?saison={label}"));
        pages.push(format!("/croisements?saison={label}"));
        pages.push(format!("/representations?saison={label}"));
        if let Some(line) = store.season_performances(season).unwrap().first() {
            pages.push(format!("/representation?id={}", line.id));
        }
    }
    drop(store);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(async move {
        axum::serve(listener, jauge_server::router(db))
            .await
            .unwrap();
    });

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut problems = Vec::new();
    for page in &pages {
        for lang in ["fr", "en"] {
            let separator = if page.contains('?') { '&' } else { '?' };
            let url = format!("http://{address}{page}{separator}lang={lang}");
            let name: String = format!("{page}-{lang}")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let shot = shots.join(format!("{}.png", name.trim_start_matches('_')));
            let _ = std::fs::remove_file(&shot);
            for line in open(&browser, &url, &shot) {
                problems.push(format!("{url}: {line}"));
            }
            let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
            if size < 10_000 {
                problems.push(format!(
                    "{url}: a screenshot of {size} bytes, an empty page?"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!(
        "{} pages opened in Chromium; screenshots in {}",
        pages.len() * 2,
        shots.display()
    );
}
