use axum::body::Body;
use axum::http::Request;
use chrono::{Duration, Utc};
use http_body_util::BodyExt;
use jauge_store::Store;
use jauge_store::{ApiToken, SqliteStore};
use tower::ServiceExt;

use super::*;
use crate::auth::token_hash;

/// A venue of one hall, with a token that reads and one that imports.
fn venue() -> (tempfile::TempDir, std::path::PathBuf) {
    let mut setup = jauge_demo::generate(jauge_demo::DemoOptions {
        seed: 3,
        scale: 0.01,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    })
    .setup;
    setup.halls.truncate(1);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    let mut store = SqliteStore::open(&db).unwrap();
    store.save_setup(&setup).unwrap();
    for (name, scope) in [("reader", "read:aggregates"), ("writer", "write:import")] {
        store
            .save_token(&ApiToken {
                id: 0,
                name: name.into(),
                scopes: vec![scope.into()],
                token_hash: token_hash(name),
                expires_at: Utc::now() + Duration::days(1),
                revoked_at: None,
            })
            .unwrap();
    }
    (dir, db)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../ingest/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn post(
    app: &axum::Router,
    uri: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut request = Request::post(uri).header("Content-Type", "text/csv");
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn data_rows(csv: &[u8]) -> usize {
    csv.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count() - 1
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_sent_to_the_api_is_stored_as_jauge_import_stores_it() {
    let (_dir, db) = venue();
    let app = crate::router(db.clone());
    let uri = "/api/v1/sources/billetterie/imports?profile=pretix-fr&capacity=180";
    let french = fixture("pretix/positions_fr.csv");

    let (status, problem) = post(&app, uri, None, french.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    let (status, problem) = post(&app, uri, Some("reader"), french.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(problem["detail"].as_str().unwrap().contains("write:import"));

    let (status, outcome) = post(&app, uri, Some("writer"), french.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{outcome}");
    assert_eq!(outcome["rows"], data_rows(&french));
    assert_eq!(
        outcome["tickets"],
        data_rows(&french),
        "one ticket a position"
    );
    assert_eq!(outcome["quarantined"], 0);
    let store = SqliteStore::open(&db).unwrap();
    let source = &store.sources().unwrap()[0];
    assert_eq!((source.name.as_str(), source.imports), ("billetterie", 1));
    assert!(
        store
            .audit_log()
            .unwrap()
            .iter()
            .any(|e| e.action == "import")
    );

    // The same export in English is the same shape: taken as it is.
    let english = fixture("pretix/positions_en.csv");
    let uri_en = "/api/v1/sources/billetterie/imports?profile=pretix&capacity=180";
    let (status, outcome) = post(&app, uri_en, Some("writer"), english).await;
    assert_eq!(status, StatusCode::CREATED, "{outcome}");
    assert_eq!(outcome["drift"], serde_json::Value::Null);

    // A box office's export that gains a column: refused, unless the change is accepted.
    let uri = "/api/v1/sources/guichet/imports?capacity=90";
    let before = "Commande;Date de commande;Spectacle;Date de représentation;Tarif;Prix;Email\n\
                  G1;02/11/2026;Gala;12/12/2026 20:30;Plein tarif;25,00;a@exemple.fr\n";
    let after = "Commande;Date de commande;Spectacle;Date de représentation;Tarif;Prix;Email;Code postal\n\
                 G2;03/11/2026;Gala;12/12/2026 20:30;Plein tarif;25,00;b@exemple.fr;37000\n";
    let (status, outcome) = post(&app, uri, Some("writer"), before.into()).await;
    assert_eq!(status, StatusCode::CREATED, "{outcome}");
    let (status, problem) = post(&app, uri, Some("writer"), after.into()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("accept_drift=true")
    );
    let dry = format!("{uri}&accept_drift=true&dry_run=true");
    let (status, outcome) = post(&app, &dry, Some("writer"), after.into()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a dry run stores nothing: {outcome}"
    );
    assert_eq!(outcome["batch"], serde_json::Value::Null);
    let imports = |name: &str| {
        store
            .sources()
            .unwrap()
            .iter()
            .find(|s| s.name.as_str() == name)
            .map_or(0, |s| s.imports)
    };
    assert_eq!(imports("guichet"), 1);
    let accepted = format!("{uri}&accept_drift=true");
    let (status, outcome) = post(&app, &accepted, Some("writer"), after.into()).await;
    assert_eq!(status, StatusCode::CREATED, "{outcome}");
    assert!(
        outcome["drift"].as_str().unwrap().contains("Code postal"),
        "{outcome}"
    );
    assert_eq!(imports("guichet"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_the_api_cannot_take_says_where_and_stores_nothing() {
    let (_dir, db) = venue();
    let app = crate::router(db.clone());
    let post_file = |uri: &'static str, body: &'static str| {
        let app = app.clone();
        async move { post(&app, uri, Some("writer"), body.as_bytes().to_vec()).await }
    };
    let (status, problem) = post_file(
        "/api/v1/sources/billetterie/imports?profile=nope",
        "a;b\n1;2\n",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(problem["detail"].as_str().unwrap().contains("pretix-fr"));
    let (status, _) = post_file("/api/v1/sources/Bad%20Name/imports", "a;b\n1;2\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post_file("/api/v1/sources/billetterie/imports", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Every row's date is impossible: nothing taken, each row named.
    let (status, problem) = post_file(
        "/api/v1/sources/billetterie/imports",
        "Commande;Date de commande;Spectacle;Date de représentation;Tarif;Prix;Email\n\
         C1;31/02/2026;Gala;35/12/2026 20:30;Plein tarif;25,00;a@exemple.fr\n\
         C2;30/02/2026;Gala;36/12/2026 20:30;Plein tarif;25,00;b@exemple.fr\n",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let rows = problem["quarantined_rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{problem}");
    assert_eq!(rows[0]["line"], 2);
    assert!(rows[0]["column"].as_u64().is_some() && rows[0]["header"].as_str().is_some());
    assert!(
        SqliteStore::open(&db)
            .unwrap()
            .sources()
            .unwrap()
            .is_empty()
    );
}
