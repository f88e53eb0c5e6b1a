//! End to end against a real pretix (the open-source ticketing server, from PyPI): an organizer's
//! event series with dates, quotas, products and over 200 orders is created through pretix's
//! REST API (orders back-dated from pretix's shell, which the API cannot do), `jauge sync` pulls
//! it, and Jauge's tickets, revenue, capacity and buyers' postcodes must equal pretix's own
//! figures (its quotas' availability, its orders' totals). Then orders change and an incremental
//! sync must follow; then pretix is stopped in the middle of a sync, which must fail clearly and
//! store nothing, and the next sync must complete.
//!
//! It runs when `JAUGE_PRETIX_PYTHON` names the Python of a virtual environment where pretix is
//! installed and `JAUGE_PRETIX_DB` a migrated pretix SQLite database to copy (pretix's first
//! migration takes minutes): `.ci/run` prepares both outside the checkout. Elsewhere it says it
//! was skipped.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jauge_store::{SqliteStore, Store};
use serde_json::{Value, json};

const JAUGE: &str = env!("CARGO_BIN_EXE_jauge");

#[path = "shared/lcg.rs"]
mod lcg;
use lcg::Lcg;
#[path = "shared/serving.rs"]
mod serving;
const ORGANIZER: &str = "jauge-e2e";
const EVENT: &str = "fantomes";

/// A pretix server of its own, on a copy of the migrated database, stopped when dropped.
struct Pretix {
    python: PathBuf,
    config: PathBuf,
    port: u16,
    child: Option<Child>,
    /// The lines pretix logged (one per request served).
    log: Arc<Mutex<Vec<String>>>,
}

impl Pretix {
    fn new(python: PathBuf, template: &Path, dir: &Path) -> Pretix {
        let data = dir.join("pretix");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::copy(template, data.join("db.sqlite3")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.join("pretix.cfg");
        std::fs::write(
            &config,
            format!(
                "[pretix]\ninstance_name=Jauge e2e\nurl=http://127.0.0.1:{port}\n\
                 currency=EUR\ndatadir={data}\ntrust_x_forwarded_for=off\n\
                 [database]\nbackend=sqlite3\nname={data}/db.sqlite3\n\
                 [mail]\nfrom=pretix@example.org\nhost=127.0.0.1\nport=2525\n",
                data = data.display()
            ),
        )
        .unwrap();
        Pretix {
            python,
            config,
            port,
            child: None,
            log: Arc::default(),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs a script in pretix's shell; its output.
    fn shell(&self, script: &str, env: &[(&str, &str)]) -> String {
        let mut child = Command::new(&self.python)
            .args(["-m", "pretix", "shell"])
            .env("PRETIX_CONFIG_FILE", &self.config)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let source = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tools/pretix")
                .join(script),
        )
        .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(source.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "pretix shell {script}: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }

    fn start(&mut self) {
        let mut child = Command::new(&self.python)
            .args(["-m", "pretix", "runserver", "--noreload"])
            .arg(format!("127.0.0.1:{}", self.port))
            .env("PRETIX_CONFIG_FILE", &self.config)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = self.log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                log.lock().unwrap().push(line);
            }
        });
        self.child = Some(child);
        let started = Instant::now();
        let agent = agent();
        loop {
            let answered = agent
                .get(format!("{}/api/v1/organizers/", self.url()))
                .call()
                .is_ok();
            if answered {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "pretix did not start: {:?}",
                self.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Pretix {
    fn drop(&mut self) {
        self.stop();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// pretix's REST API, as the organizer's team.
struct Api {
    agent: ureq::Agent,
    base: String,
    token: String,
}

impl Api {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let auth = format!("Token {}", self.token);
        let response = match body {
            Some(body) => {
                let request = match method {
                    "PATCH" => self.agent.patch(&url),
                    _ => self.agent.post(&url),
                };
                request.header("Authorization", &auth).send_json(body)
            }
            None => self.agent.get(&url).header("Authorization", &auth).call(),
        };
        let mut response = response.unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        assert!(
            (200..300).contains(&status),
            "{method} {url}: HTTP {status}: {text}"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.call("POST", path, Some(body))
    }

    /// Every result of a list, following its pages.
    fn all(&self, path: &str) -> Vec<Value> {
        let mut results = Vec::new();
        let mut next = Some(path.to_owned());
        while let Some(url) = next {
            let page = self.call("GET", &url, None);
            results.extend(page["results"].as_array().unwrap().iter().cloned());
            next = page["next"].as_str().map(str::to_owned);
        }
        results
    }
}

/// Real postcodes of Touraine and beyond, with their communes.
const PLACES: &[(&str, &str)] = &[
    ("37000", "Tours"),
    ("37100", "Tours"),
    ("37200", "Tours"),
    ("37300", "Joué-lès-Tours"),
    ("37540", "Saint-Cyr-sur-Loire"),
    ("37170", "Chambray-lès-Tours"),
    ("37400", "Amboise"),
    ("41000", "Blois"),
    ("75011", "Paris"),
    ("49000", "Angers"),
];

struct Catalogue {
    /// Subevent id → its start.
    dates: Vec<(u64, String)>,
    /// (item id, price).
    items: Vec<(u64, &'static str)>,
}

/// The event series: four dates of one show, each with a quota of 250, three products.
fn create_event(api: &Api) -> Catalogue {
    api.post(
        "/events/",
        json!({"name": {"fr": "Les Fantômes en fanfare"}, "slug": EVENT, "currency": "EUR",
               "date_from": "2026-10-14T20:30:00+02:00", "has_subevents": true,
               "timezone": "Europe/Paris", "live": false}),
    );
    let tax = api.post(
        &format!("/events/{EVENT}/taxrules/"),
        json!({"name": {"fr": "TVA spectacle"}, "rate": "5.50"}),
    )["id"]
        .as_u64()
        .unwrap();
    let items: Vec<(u64, &str)> = [
        ("Plein tarif", "25.00"),
        ("Tarif réduit", "15.50"),
        ("Invitation", "0.00"),
    ]
    .into_iter()
    .map(|(name, price)| {
        let item = api.post(
            &format!("/events/{EVENT}/items/"),
            json!({"name": {"fr": name}, "default_price": price, "admission": true,
                   "active": true, "tax_rule": tax}),
        );
        (item["id"].as_u64().unwrap(), price)
    })
    .collect();
    let dates = [
        "2026-10-14T20:30:00+02:00",
        "2026-10-15T20:30:00+02:00",
        "2026-10-17T20:30:00+02:00",
        "2026-10-18T16:00:00+02:00",
    ]
    .into_iter()
    .map(|start| {
        let subevent = api.post(
            &format!("/events/{EVENT}/subevents/"),
            json!({"name": {"fr": "Les Fantômes en fanfare"}, "date_from": start,
                   "active": true, "item_price_overrides": [],
                   "variation_price_overrides": [], "meta_data": {}}),
        );
        let id = subevent["id"].as_u64().unwrap();
        api.post(
            &format!("/events/{EVENT}/quotas/"),
            json!({"name": "Salle", "size": 250, "subevent": id, "variations": [],
                   "items": items.iter().map(|(id, _)| *id).collect::<Vec<_>>()}),
        );
        (id, subevent["date_from"].as_str().unwrap().to_owned())
    })
    .collect();
    Catalogue { dates, items }
}

/// Places `count` orders; most are paid, some pending. Returns their codes with the date each
/// was (as a season's booking curve) placed.
fn place_orders(
    api: &Api,
    catalogue: &Catalogue,
    rng: &mut Lcg,
    count: usize,
) -> Vec<(String, String)> {
    (0..count)
        .map(|_| {
            let customer = rng.below(160);
            let (zipcode, city) = PLACES[(customer % PLACES.len() as u64) as usize];
            let (subevent, start) = &catalogue.dates[rng.below(4) as usize];
            let positions: Vec<Value> = (0..=rng.below(3))
                .map(|_| {
                    let (item, price) = catalogue.items[rng.below(3) as usize];
                    json!({"item": item, "subevent": subevent, "price": price,
                           "attendee_name_parts": {"_scheme": "full", "full_name": format!("Spectateur {customer}")}})
                })
                .collect();
            let paid = rng.below(10) < 8;
            let mut order = json!({
                "email": format!("client{customer}@exemple.fr"),
                "sales_channel": "web",
                "status": if paid { "p" } else { "n" },
                "invoice_address": {"name_parts": {"_scheme": "full", "full_name": format!("Client {customer}")},
                                    "zipcode": zipcode, "city": city, "country": "FR"},
                "positions": positions,
            });
            if paid {
                order["payment_provider"] = json!("manual");
            }
            let code = api.post(&format!("/events/{EVENT}/orders/"), order)["code"]
                .as_str()
                .unwrap()
                .to_owned();
            // Most bookings in the last weeks before the date, some months ahead.
            let start: DateTime<Utc> = start.parse().unwrap();
            let days_before = (rng.below(100) * rng.below(100)) / 100 + 1;
            let placed = start - chrono::Duration::days(days_before as i64)
                - chrono::Duration::minutes(rng.below(600) as i64);
            (code, placed.to_rfc3339())
        })
        .collect()
}

/// Tickets sold, revenue in cents and capacity of each date, and the postcodes of the buyers,
/// one a person, sorted.
#[derive(Debug, PartialEq)]
struct Figures {
    dates: BTreeMap<DateTime<Utc>, (u64, i64, u32)>,
    postcodes: Vec<String>,
}

/// pretix's own figures: its quotas' availability (tickets in paid orders, size), its paid
/// orders' totals, its buyers' invoice postcodes.
fn pretix_figures(api: &Api, catalogue: &Catalogue) -> Figures {
    let orders = api.all(&format!("/events/{EVENT}/orders/"));
    let quotas = api.all(&format!("/events/{EVENT}/quotas/"));
    let mut dates = BTreeMap::new();
    for (subevent, start) in &catalogue.dates {
        let quota = quotas
            .iter()
            .find(|q| q["subevent"] == json!(subevent))
            .unwrap();
        let availability = api.call(
            "GET",
            &format!("/events/{EVENT}/quotas/{}/availability/", quota["id"]),
            None,
        );
        let revenue: i64 = orders
            .iter()
            .filter(|o| o["status"] == "p" && o["positions"][0]["subevent"] == json!(subevent))
            .map(|o| cents(o["total"].as_str().unwrap()))
            .sum();
        dates.insert(
            start.parse().unwrap(),
            (
                availability["paid_orders"].as_u64().unwrap(),
                revenue,
                availability["total_size"].as_u64().unwrap() as u32,
            ),
        );
    }
    let mut buyers = BTreeMap::new();
    for order in orders.iter().filter(|o| o["status"] == "p") {
        buyers.insert(
            order["email"].as_str().unwrap().to_owned(),
            order["invoice_address"]["zipcode"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut postcodes: Vec<String> = buyers.into_values().collect();
    postcodes.sort();
    Figures { dates, postcodes }
}

fn cents(amount: &str) -> i64 {
    let (units, hundredths) = amount.split_once('.').unwrap();
    units.parse::<i64>().unwrap() * 100 + hundredths.parse::<i64>().unwrap()
}

/// The same figures, as Jauge's store holds them.
fn jauge_figures(db: &Path) -> Figures {
    let store = SqliteStore::open(db).unwrap();
    let season = *store.seasons().unwrap().last().unwrap();
    let dates = store
        .season_performances(season)
        .unwrap()
        .into_iter()
        .map(|p| {
            (
                p.starts_at,
                (
                    p.sales.sales.tickets,
                    p.sales.sales.revenue.as_i64(),
                    p.sales.capacity.get(),
                ),
            )
        })
        .collect();
    let mut postcodes: Vec<String> = store
        .season_buyer_places(season)
        .unwrap()
        .into_iter()
        .map(|p| p.postcode.unwrap_or_default())
        .collect();
    postcodes.sort();
    Figures { dates, postcodes }
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn jauge(db: &Path, args: &[&str]) -> Run {
    let output = Command::new(JAUGE)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("JAUGE_LANG")
        .output()
        .unwrap();
    Run {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn jauge_ok(db: &Path, args: &[&str]) -> String {
    let run = jauge(db, args);
    assert!(run.ok, "jauge {args:?}: {}{}", run.stdout, run.stderr);
    run.stdout
}

#[test]
fn jauge_sync_follows_a_real_pretix_through_changes_and_a_stop() {
    let (Ok(python), Ok(template)) = (
        std::env::var("JAUGE_PRETIX_PYTHON"),
        std::env::var("JAUGE_PRETIX_DB"),
    ) else {
        eprintln!(
            "skipped: set JAUGE_PRETIX_PYTHON (pretix's Python) and JAUGE_PRETIX_DB (a migrated \
             pretix database); .ci/run does"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut pretix = Pretix::new(python.into(), Path::new(&template), dir.path());
    let token = pretix
        .shell("bootstrap.py", &[("ORGANIZER", ORGANIZER)])
        .lines()
        .find_map(|l| l.strip_prefix("TOKEN="))
        .expect("the bootstrap prints the token")
        .to_owned();
    pretix.start();
    let api = Api {
        agent: agent(),
        base: format!("{}/api/v1/organizers/{ORGANIZER}", pretix.url()),
        token: token.clone(),
    };
    let catalogue = create_event(&api);
    let mut rng = Lcg(7);
    let placed = place_orders(&api, &catalogue, &mut rng, 220);
    let dates: BTreeMap<&str, &str> = placed
        .iter()
        .map(|(c, d)| (c.as_str(), d.as_str()))
        .collect();
    let dates_file = dir.path().join("dates.json");
    std::fs::write(&dates_file, serde_json::to_string(&dates).unwrap()).unwrap();
    let backdated = pretix.shell("backdate.py", &[("DATES", dates_file.to_str().unwrap())]);
    assert!(backdated.contains("BACKDATED=220"), "{backdated}");

    // Jauge: a venue with one hall, the pretix organizer connected, a first sync.
    let db = dir.path().join("jauge.db");
    let venue = dir.path().join("venue.toml");
    std::fs::write(&venue, jauge_ok(&db, &["setup"])).unwrap();
    jauge_ok(&db, &["setup", venue.to_str().unwrap()]);
    let connected = jauge_ok(
        &db,
        &[
            "connect",
            "pretix",
            "--url",
            &pretix.url(),
            "--token",
            &token,
            "--organizer",
            ORGANIZER,
            "--discipline",
            "theatre",
        ],
    );
    assert!(connected.contains(EVENT), "{connected}");
    let first = jauge_ok(&db, &["sync"]);
    assert!(first.contains("220 commande(s)"), "{first}");
    let expected = pretix_figures(&api, &catalogue);
    let sold: u64 = expected.dates.values().map(|d| d.0).sum();
    assert!(sold > 200, "a real season's worth: {expected:?}");
    assert_eq!(jauge_figures(&db), expected, "after the first sync");
    // The booking curve follows the orders' back-dated days.
    let store = SqliteStore::open(&db).unwrap();
    let season = *store.seasons().unwrap().last().unwrap();
    let days = store.season_sales_by_day(season).unwrap();
    assert!(days.len() > 30, "bookings spread over {} days", days.len());
    drop(store);

    // Orders change: some cancelled, some pending ones paid, new ones placed.
    let codes: Vec<&String> = placed.iter().map(|(c, _)| c).collect();
    let orders = api.all(&format!("/events/{EVENT}/orders/"));
    let status = |code: &str| {
        orders.iter().find(|o| o["code"] == code).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let paid: Vec<&&String> = codes.iter().filter(|c| status(c) == "p").collect();
    let pending: Vec<&&String> = codes.iter().filter(|c| status(c) == "n").collect();
    for code in paid.iter().take(15) {
        api.post(
            &format!("/events/{EVENT}/orders/{code}/mark_canceled/"),
            json!({"send_email": false}),
        );
    }
    for code in pending.iter().take(5) {
        api.post(
            &format!("/events/{EVENT}/orders/{code}/mark_paid/"),
            json!({}),
        );
    }
    place_orders(&api, &catalogue, &mut rng, 20);
    let second = jauge_ok(&db, &["sync"]);
    assert!(
        second.contains("40 commande(s)") && second.contains("modifiés depuis"),
        "only what changed: {second}"
    );
    let expected = pretix_figures(&api, &catalogue);
    assert_eq!(jauge_figures(&db), expected, "after the second sync");
    let again = jauge_ok(&db, &["sync"]);
    assert!(again.contains(" 0 commande(s)"), "{again}");
    assert_eq!(
        jauge_figures(&db),
        expected,
        "a sync with nothing new changes nothing"
    );

    // More cancellations, then pretix stops while Jauge reads the orders' second page.
    for code in paid.iter().skip(15).take(10) {
        api.post(
            &format!("/events/{EVENT}/orders/{code}/mark_canceled/"),
            json!({"send_email": false}),
        );
    }
    let before_stop = expected;
    let log = pretix.log.clone();
    let mut server = pretix.child.take().unwrap();
    let logged_before = log.lock().unwrap().len();
    let watcher = std::thread::spawn(move || {
        let started = Instant::now();
        let mut seen = false;
        while !seen && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(1));
            seen = log.lock().unwrap()[logged_before..]
                .iter()
                .any(|l| l.contains("/orders/?include_canceled_positions") && l.contains("page=2"));
        }
        let _ = server.kill();
        let _ = server.wait();
        seen
    });
    let cut = jauge(&db, &["sync", "--full"]);
    assert!(watcher.join().unwrap(), "pretix was stopped mid-sync");
    assert!(!cut.ok, "a sync cut short fails: {}", cut.stdout);
    assert!(
        cut.stderr.contains("did not answer after 5 attempt(s)")
            && cut.stderr.contains("Nothing was stored")
            && cut.stderr.contains("page=3"),
        "a clear error, saying where: {}",
        cut.stderr
    );
    assert_eq!(
        jauge_figures(&db),
        before_stop,
        "the store is as before the cut sync"
    );
    let sources = jauge(&db, &["sources"]);
    assert!(
        !sources.ok && sources.stdout.contains("synchronisation en échec"),
        "supervision shows it: {}",
        sources.stdout
    );

    // pretix back: the next sync completes and catches up.
    pretix.start();
    let after = jauge_ok(&db, &["sync"]);
    assert!(after.contains("10 commande(s)"), "{after}");
    assert_eq!(
        jauge_figures(&db),
        pretix_figures(&api, &catalogue),
        "after the stop"
    );
    let sources = jauge_ok(&db, &["sources"]);
    assert!(!sources.contains("échec"), "{sources}");

    // Everything fetched again changes nothing: a sync is idempotent.
    let full = jauge_ok(&db, &["sync", "--full"]);
    assert!(
        full.contains(" 0 billets et commandes nouveaux, 0 modifiés"),
        "{full}"
    );
    let expected = pretix_figures(&api, &catalogue);
    assert_eq!(jauge_figures(&db), expected, "after a full sync again");

    // A webhook under `jauge serve`: the order it names is fetched again at once.
    let secret = connected
        .lines()
        .find_map(|l| l.split("secret=").nth(1))
        .expect("connect prints the webhook's secret")
        .trim()
        .to_owned();
    let serve = serving::Serving::start(Command::new(JAUGE).arg("--db").arg(&db).args([
        "serve",
        "--bind",
        "127.0.0.1:0",
    ]));
    let code = paid.last().unwrap();
    api.post(
        &format!("/events/{EVENT}/orders/{code}/mark_canceled/"),
        json!({"send_email": false}),
    );
    let notification = json!({"notification_id": 9001, "organizer": ORGANIZER, "event": EVENT,
                              "code": code, "action": "pretix.event.order.canceled"});
    let hook = format!("{}/api/v1/hooks/pretix?secret={secret}", serve.url());
    let mut answer = agent().post(&hook).send_json(&notification).unwrap();
    assert_eq!(
        answer.status().as_u16(),
        202,
        "{}",
        answer.body_mut().read_to_string().unwrap()
    );
    let expected = pretix_figures(&api, &catalogue);
    let started = Instant::now();
    while jauge_figures(&db) != expected {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the webhook's order was fetched"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut again = agent().post(&hook).send_json(&notification).unwrap();
    assert!(
        again
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("duplicate")
    );
    drop(serve);
}
