use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use jauge_store::{SqliteStore, Store};
use tower::ServiceExt;

use super::*;

/// A stand-in for pretix's API: one event without dates, one product, one quota, one order
/// (none modified since a time asked); it records the paths asked for.
fn fake_pretix() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let asked: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = asked.clone();
    std::thread::spawn(move || {
        let event = r#"{"slug": "gala", "name": {"fr": "Gala"}, "date_from": "2026-12-12T19:00:00Z", "has_subevents": false}"#;
        let order = r#"{"code": "ABC12", "status": "p", "email": "ana@example.fr",
            "datetime": "2026-11-20T10:00:00Z", "sales_channel": "web",
            "invoice_address": {"zipcode": "37000", "city": "Tours", "country": "FR"},
            "positions": [{"id": 501, "item": 7, "price": "30.00", "tax_rate": "5.50", "subevent": null}]}"#;
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split(' ').nth(1).unwrap_or("").to_owned();
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header.trim().is_empty() {
                    break;
                }
            }
            seen.lock().unwrap().push(path.clone());
            let since = path.contains("modified_since=");
            let list =
                |items: &str| format!(r#"{{"count": 1, "next": null, "results": [{items}]}}"#);
            let path = path
                .split('?')
                .next()
                .unwrap()
                .trim_start_matches("/api/v1/organizers/o");
            let body = match path {
                "/events/" => list(event),
                "/events/gala/" => event.to_owned(),
                "/events/gala/quotas/" => {
                    list(r#"{"id": 1, "size": 90, "items": [7], "subevent": null}"#)
                }
                "/events/gala/items/" => list(
                    r#"{"id": 7, "name": {"fr": "Plein tarif"}, "default_price": "30.00", "admission": true}"#,
                ),
                "/events/gala/orders/" if since => {
                    r#"{"count": 0, "next": null, "results": []}"#.to_owned()
                }
                "/events/gala/orders/" => list(order),
                "/events/gala/orders/ABC12/" => order.to_owned(),
                _ => String::new(),
            };
            let status = if body.is_empty() {
                "404 Not Found"
            } else {
                "200 OK"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 X-Page-Generated: 2026-11-29T08:00:00Z\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, asked)
}

/// A venue set up, with a pretix source on `url` whose webhooks carry `secret`.
fn venue_with_source(url: &str, secret: &str) -> (tempfile::TempDir, PathBuf) {
    let venue = jauge_demo::generate(jauge_demo::DemoOptions {
        seed: 3,
        scale: 0.01,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    let mut store = SqliteStore::open(&db).unwrap();
    store.save_setup(&venue.setup).unwrap();
    let settings = jauge_connect::pretix::Settings {
        url: url.to_owned(),
        organizer: "o".into(),
        token: "t".into(),
        hall: venue.setup.halls[0].name.to_string(),
        discipline: jauge_model::Discipline::Music,
        events: Vec::new(),
    };
    store
        .save_live_source(&LiveSource {
            name: "pretix".parse().unwrap(),
            connector: "pretix".into(),
            kind: jauge_model::SourceKind::Pretix,
            settings: serde_json::to_string(&settings).unwrap(),
            every_minutes: 15,
            cursor: None,
            hook_secret_hash: Some(token_hash(secret)),
            last_attempt_at: None,
            last_success_at: None,
            last_error: None,
        })
        .unwrap();
    (dir, db)
}

async fn hook(app: &axum::Router, query: &str, body: &str) -> (StatusCode, serde_json::Value) {
    let response = app
        .clone()
        .oneshot(
            Request::post(format!("/api/v1/hooks/pretix{query}"))
                .header("Content-Type", "application/json")
                .body(Body::from(body.to_owned()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap())
}

fn imports(db: &Path) -> u64 {
    SqliteStore::open(db)
        .unwrap()
        .sources()
        .unwrap()
        .iter()
        .map(|s| s.imports)
        .sum()
}

const NOTIFICATION: &str = r#"{"notification_id": 123, "organizer": "o", "event": "gala", "code": "ABC12", "action": "pretix.event.order.paid"}"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_needs_its_secret_and_fetches_its_order_once() {
    let (url, asked) = fake_pretix();
    let (_dir, db) = venue_with_source(&url, "s3cret");
    let app = crate::router(db.clone());

    for query in ["", "?secret=", "?secret=wrong"] {
        let (status, problem) = hook(&app, query, NOTIFICATION).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{query}");
        assert_eq!(problem["status"], 401);
        assert!(problem["detail"].as_str().unwrap().contains("secret"));
    }
    let (status, problem) = hook(&app, "?secret=s3cret", r#"{"action": "x"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("notification_id")
    );
    assert!(
        asked.lock().unwrap().is_empty(),
        "nothing fetched without the secret"
    );

    let (status, answer) = hook(&app, "?secret=s3cret", NOTIFICATION).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(answer["source"], "pretix");
    // The order is fetched and stored in the background.
    let started = std::time::Instant::now();
    while imports(&db) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the order was stored"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let store = SqliteStore::open(&db).unwrap();
    let season = *store.seasons().unwrap().last().unwrap();
    let sold: u64 = store
        .season_performances(season)
        .unwrap()
        .iter()
        .map(|p| p.sales.sales.tickets)
        .sum();
    assert_eq!(sold, 1);

    // pretix sends it again: acknowledged, not fetched again.
    let (status, answer) = hook(&app, "?secret=s3cret", NOTIFICATION).await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (StatusCode::OK, Some("duplicate"))
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let order_fetches = asked
        .lock()
        .unwrap()
        .iter()
        .filter(|p| p.contains("/orders/ABC12/"))
        .count();
    assert_eq!(order_fetches, 1);
    assert_eq!(imports(&db), 1);
    // A webhook's fetch is no scheduled sync: the source's cursor has not moved.
    assert_eq!(store.live_sources().unwrap()[0].cursor, None);
}

#[test]
fn the_schedule_syncs_the_sources_due_and_records_the_attempt() {
    let (url, asked) = fake_pretix();
    let (_dir, db) = venue_with_source(&url, "s3cret");
    let running = Mutex::default();
    let outcomes = sync_due(&db, &running).unwrap();
    assert_eq!(outcomes.len(), 1);
    let report = outcomes[0].1.as_ref().unwrap();
    assert_eq!((report.orders, report.tickets), (1, 1));
    let source = &SqliteStore::open(&db).unwrap().live_sources().unwrap()[0];
    assert!(source.last_success_at.is_some() && source.last_error.is_none());

    // Synced a moment ago: not due before its 15 minutes.
    let asked_before = asked.lock().unwrap().len();
    assert!(sync_due(&db, &running).unwrap().is_empty());
    assert_eq!(asked.lock().unwrap().len(), asked_before);
}

#[test]
fn a_sync_that_brings_nothing_new_stores_no_batch() {
    let (url, _asked) = fake_pretix();
    let (_dir, db) = venue_with_source(&url, "s3cret");
    let mut store = SqliteStore::open(&db).unwrap();
    let mut sync = |full: bool| {
        let source = store.live_sources().unwrap().remove(0);
        jauge_connect::sync(
            &mut store,
            &source,
            Scope::Changes { full },
            Retry::default(),
        )
        .unwrap()
    };
    let first = sync(false);
    assert!(first.stored.batch.is_some());
    assert_eq!(imports(&db), 1);
    // No order changed since, and the same event, quota and product: nothing to store.
    let second = sync(false);
    assert_eq!(second.since.as_deref(), Some("2026-11-29T08:00:00Z"));
    assert_eq!((second.orders, second.stored.batch), (0, None));
    assert_eq!(imports(&db), 1);
    // Everything asked for again is stored again, as a batch.
    let full = sync(true);
    assert_eq!(full.orders, 1);
    assert!(full.stored.batch.is_some());
    assert_eq!(imports(&db), 2);
}
