//! A local stand-in of SIBIL's API, keeping its documented contract — JWT login, domains,
//! create, update, search by `idExtBilletterie`, the duplicate-declaration error (HTTP 400,
//! `errorKey: errorsDataSib`), expired tokens, 503s that pass — for tests of the sending. Built
//! with the `stand-in` feature only.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// What the stand-in holds, and what it is told to do.
#[derive(Default)]
pub struct Sibil {
    pub declarations: BTreeMap<i64, Value>,
    next_id: i64,
    tokens: Vec<String>,
    /// How many of the next calls answer 503.
    pub unavailable: u32,
    /// How many of the next creations answer 503.
    pub unavailable_creations: u32,
    /// After how many more authorised calls the current tokens expire.
    pub expire_after: Option<u32>,
    pub posts: u32,
    pub puts: u32,
    pub logins: u32,
}

pub type Shared = Arc<Mutex<Sibil>>;

/// The one account the stand-in knows.
pub const USER: &str = "billetterie@quatre-vents.fr";
pub const PASSWORD: &str = "mot de passe";

fn error(status: StatusCode, body: Value) -> (StatusCode, Json<Value>) {
    (status, Json(body))
}

/// The 503 a busy SIBIL gives, when told to; and the token's check.
fn gate(s: &mut Sibil, headers: &HeaderMap) -> Result<(), (StatusCode, Json<Value>)> {
    if s.unavailable > 0 {
        s.unavailable -= 1;
        return Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"title": "Service Unavailable"}),
        ));
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    if let Some(n) = s.expire_after {
        if n == 0 {
            s.tokens.clear();
            s.expire_after = None;
        } else {
            s.expire_after = Some(n - 1);
        }
    }
    if !s.tokens.contains(&token) {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            json!({"title": "Unauthorized", "status": 401}),
        ));
    }
    Ok(())
}

async fn authenticate(
    State(state): State<Shared>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut s = state.lock().unwrap();
    s.logins += 1;
    if body["username"] == USER && body["password"] == PASSWORD {
        let token = format!("jwt-{}", s.logins);
        s.tokens.push(token.clone());
        (
            StatusCode::OK,
            Json(json!({"id_token": token, "typeError": "AUTHENTICATED", "versions": []})),
        )
    } else {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"id_token": "", "typeError": "NOT AUTHENTICATED", "versions": []})),
        )
    }
}

async fn domains(State(state): State<Shared>, headers: HeaderMap) -> (StatusCode, Json<Value>) {
    let mut s = state.lock().unwrap();
    if let Err(e) = gate(&mut s, &headers) {
        return e;
    }
    (
        StatusCode::OK,
        Json(json!([
            {"id": 1, "libelle": "Théâtre", "actif": true},
            {"id": 2, "libelle": "Danse", "actif": true},
            {"id": 3, "libelle": "Opéra", "actif": true},
            {"id": 4, "libelle": "Cirque", "actif": true},
            {"id": 5, "libelle": "Arts de la rue", "actif": true},
            {"id": 6, "libelle": "Marionnettes", "actif": true},
            {"id": 7, "libelle": "Musiques actuelles", "actif": true},
            {"id": 8, "libelle": "Musique classique", "actif": true},
            {"id": 9, "libelle": "Humour", "actif": true},
            {"id": 10, "libelle": "Conte", "actif": true},
            {"id": 11, "libelle": "Cabaret", "actif": true},
            {"id": 12, "libelle": "Pluridisciplinaire", "actif": true},
            {"id": 13, "libelle": "Comédie musicale", "actif": true},
        ])),
    )
}

fn duplicate() -> (StatusCode, Json<Value>) {
    error(
        StatusCode::BAD_REQUEST,
        json!({
            "entityName": "declaration",
            "errorKey": "errorsDataSib",
            "type": "http://www.jhipster.tech/problem/problem-with-message",
            "title": "Une déclaration existe déjà dans la base de données SIBIL avec les mêmes données saisies",
            "status": 400,
            "message": "error.errorsDataSib",
            "params": "declaration"
        }),
    )
}

/// Two declarations are the same when they share an `idExtBilletterie`, or a show and a start.
fn same(a: &Value, b: &Value) -> bool {
    a["idExtBilletterie"] == b["idExtBilletterie"]
        || (a["spectacleChamps"]["critere1"] == b["spectacleChamps"]["critere1"]
            && a["dateHeureRepresentationUnique"] == b["dateHeureRepresentationUnique"])
}

async fn create(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(mut body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut s = state.lock().unwrap();
    s.posts += 1;
    if let Err(e) = gate(&mut s, &headers) {
        return e;
    }
    if s.unavailable_creations > 0 {
        s.unavailable_creations -= 1;
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"title": "Service Unavailable"}),
        );
    }
    if !body["id"].is_null() {
        return error(
            StatusCode::BAD_REQUEST,
            json!({"title": "A new declaration cannot already have an ID", "status": 400}),
        );
    }
    if body["domaineRepresentationId"].as_i64().is_none() {
        return error(
            StatusCode::BAD_REQUEST,
            json!({"title": "domaineRepresentationId is required", "status": 400}),
        );
    }
    if s.declarations.values().any(|d| same(d, &body)) {
        return duplicate();
    }
    s.next_id += 1;
    let id = 1000 + s.next_id;
    body["id"] = json!(id);
    body["statutDeclaration"] = json!("ENREGISTRE");
    s.declarations.insert(id, body.clone());
    (StatusCode::CREATED, Json(body))
}

async fn update(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(mut body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut s = state.lock().unwrap();
    s.puts += 1;
    if let Err(e) = gate(&mut s, &headers) {
        return e;
    }
    let Some(id) = body["id"]
        .as_i64()
        .filter(|id| s.declarations.contains_key(id))
    else {
        return error(
            StatusCode::BAD_REQUEST,
            json!({"title": "Invalid id", "status": 400}),
        );
    };
    body["statutDeclaration"] = json!("ENREGISTRE");
    s.declarations.insert(id, body.clone());
    (StatusCode::OK, Json(body))
}

async fn search(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let mut s = state.lock().unwrap();
    if let Err(e) = gate(&mut s, &headers) {
        return e;
    }
    let wanted = q
        .get("idExtBilletterie.equals")
        .cloned()
        .unwrap_or_default();
    let result: Vec<Value> = s
        .declarations
        .values()
        .filter(|d| d["idExtBilletterie"] == wanted.as_str())
        .cloned()
        .collect();
    (
        StatusCode::OK,
        Json(json!({"hits": {"total": result.len()}, "result": result})),
    )
}

/// Starts the stand-in on a free port; returns its address and its state.
pub fn stand_in() -> (String, Shared) {
    let state: Shared = Arc::default();
    let app = Router::new()
        .route("/api/v2/authenticate", post(authenticate))
        .route("/api/v2/domaine-representations", get(domains))
        .route("/api/v2/declarations", post(create).put(update).get(search))
        .with_state(state.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    (address, state)
}
