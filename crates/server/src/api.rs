//! The REST API, version 1, for integrators: the seasons and their key figures, a season's
//! performances and shows, the upcoming performances' forecasts, the sources' health, as JSON;
//! importing a file into a source (`crate::imports`); pretix's webhook (`crate::live`). The
//! OpenAPI document at `/api/v1/openapi.json` describes it all. Every call but the document's
//! and the webhook's needs an API token (`jauge tokens create`) as `Authorization: Bearer …`,
//! with the scope `read:aggregates` to read or `write:import` to import; every error is an
//! RFC 9457 problem (`application/problem+json`).

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use jauge_analytics::{SeasonSummary, season_summary};
use jauge_model::Season;
use jauge_store::{STALE_AFTER_DAYS, Store, StoreError};
use serde::Serialize;

use crate::AppState;
use crate::auth::{READ_AGGREGATES, WRITE_IMPORT, allows, token_hash};

/// An error as RFC 9457 describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                "Bearer".parse().expect("a header"),
            );
        }
        response
    }
}

/// A JSON answer.
fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Runs `work` on the store off the async threads; a failure is a problem.
async fn with_store<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Problem> {
    match crate::on_store(state, work).await {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) if e.is_user_error() => {
            Err(Problem::new(StatusCode::NOT_FOUND, e.to_string()))
        }
        Some(Err(e)) => Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            e.to_string(),
        )),
        None => Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the request's work stopped short",
        )),
    }
}

/// The routes under `/api/v1`, behind their token check.
pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/seasons", get(seasons))
        .route("/api/v1/seasons/{season}", get(season))
        .route("/api/v1/seasons/{season}/performances", get(performances))
        .route("/api/v1/seasons/{season}/shows", get(shows))
        .route("/api/v1/forecasts", get(forecasts))
        .route("/api/v1/sources", get(sources))
        .route(
            "/api/v1/sources/{source}/imports",
            post(crate::imports::import).layer(axum::extract::DefaultBodyLimit::max(LARGEST_FILE)),
        )
        .route(
            "/api/v1/{*rest}",
            get(|| async {
                Problem::new(
                    StatusCode::NOT_FOUND,
                    "no such resource: /api/v1/openapi.json lists them",
                )
            }),
        )
        .layer(axum::middleware::from_fn_with_state(state, token_guard))
        .route("/api/v1/openapi.json", get(openapi))
        // Authenticated by its own secret, not by a token.
        .route("/api/v1/hooks/pretix", post(crate::live::pretix_hook))
}

/// The largest file the API imports, in bytes.
const LARGEST_FILE: usize = 1 << 30;

/// Lets a call through only with a valid token that may do it: read aggregates, or for an
/// import, write.
async fn token_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (needed, refusal) = if request.method() == axum::http::Method::POST {
        (
            WRITE_IMPORT,
            "this token may not import: it needs the scope write:import",
        )
    } else {
        (
            READ_AGGREGATES,
            "this token may not read figures: it needs the scope read:aggregates",
        )
    };
    let Some(hash) = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| token_hash(t.trim()))
    else {
        return Problem::new(
            StatusCode::UNAUTHORIZED,
            "an API token is needed, as `Authorization: Bearer TOKEN`: create one with `jauge tokens create NAME --scope read:aggregates`",
        )
        .into_response();
    };
    let verdict = with_store(&state, move |store| {
        Ok(match store.token_by_hash(&hash)? {
            Some(t) if t.revoked_at.is_none() && t.expires_at > Utc::now() => {
                if allows(&t.scopes, needed) {
                    Ok(())
                } else {
                    Err(Problem::new(StatusCode::FORBIDDEN, refusal))
                }
            }
            _ => Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "this token is not valid: unknown, expired or revoked",
            )),
        })
    })
    .await;
    match verdict {
        Ok(Ok(())) => next.run(request).await,
        Ok(Err(problem)) | Err(problem) => problem.into_response(),
    }
}

/// A season with its key figures.
#[derive(Debug, Serialize)]
struct SeasonFigures {
    season: String,
    first_day: chrono::NaiveDate,
    end_exclusive: chrono::NaiveDate,
    summary: SeasonSummary,
}

fn season_figures(store: &dyn Store, season: Season) -> Result<SeasonFigures, StoreError> {
    Ok(SeasonFigures {
        season: season.label(),
        first_day: season.first_day(),
        end_exclusive: season.end_exclusive(),
        summary: season_summary(&store.season_facts(season)?),
    })
}

async fn seasons(State(state): State<AppState>) -> Response {
    match with_store(&state, |store| {
        store
            .seasons()?
            .into_iter()
            .map(|season| season_figures(store, season))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    {
        Ok(seasons) => json(&seasons),
        Err(problem) => problem.into_response(),
    }
}

/// The season a path names, among those that have performances.
fn known_season(store: &dyn Store, label: &str) -> Result<Result<Season, Problem>, StoreError> {
    let Some(setup) = store.setup()? else {
        return Ok(Err(Problem::new(
            StatusCode::NOT_FOUND,
            "the database holds no venue yet",
        )));
    };
    let seasons = store.seasons()?;
    Ok(match Season::parse(label, setup.venue.season_start) {
        Ok(season) if seasons.contains(&season) => Ok(season),
        Ok(_) => Err(Problem::new(
            StatusCode::NOT_FOUND,
            format!(
                "no performance in season {label}; seasons with performances: {}",
                seasons
                    .iter()
                    .map(|s| s.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        // Not a season at all: no such resource either.
        Err(e) => Err(Problem::new(
            StatusCode::NOT_FOUND,
            format!("there is no season {label:?}: {e}"),
        )),
    })
}

async fn season(State(state): State<AppState>, Path(label): Path<String>) -> Response {
    match with_store(&state, move |store| {
        Ok(match known_season(store, &label)? {
            Ok(season) => Ok(season_figures(store, season)?),
            Err(problem) => Err(problem),
        })
    })
    .await
    {
        Ok(Ok(figures)) => json(&figures),
        Ok(Err(problem)) | Err(problem) => problem.into_response(),
    }
}

/// A performance with its sales.
#[derive(Debug, Serialize)]
struct PerformanceFigures {
    id: i64,
    show: String,
    discipline: jauge_model::Discipline,
    hall: String,
    starts_at: chrono::DateTime<Utc>,
    status: jauge_model::PerformanceStatus,
    capacity: u32,
    tickets: u64,
    paid_tickets: u64,
    free_tickets: u64,
    subscription_tickets: u64,
    revenue_cents: u64,
    fill_rate: Option<f64>,
}

async fn performances(State(state): State<AppState>, Path(label): Path<String>) -> Response {
    match with_store(&state, move |store| {
        Ok(match known_season(store, &label)? {
            Ok(season) => Ok(store
                .season_performances(season)?
                .into_iter()
                .map(|p| PerformanceFigures {
                    fill_rate: p.fill_rate(),
                    id: p.id,
                    show: p.show,
                    discipline: p.discipline,
                    hall: p.hall,
                    starts_at: p.starts_at,
                    status: p.sales.status,
                    capacity: p.sales.capacity.get(),
                    tickets: p.sales.sales.tickets,
                    paid_tickets: p.sales.sales.paid_tickets,
                    free_tickets: p.sales.sales.free_tickets,
                    subscription_tickets: p.sales.sales.subscription_tickets,
                    revenue_cents: p.sales.sales.revenue.get(),
                })
                .collect::<Vec<_>>()),
            Err(problem) => Err(problem),
        })
    })
    .await
    {
        Ok(Ok(performances)) => json(&performances),
        Ok(Err(problem)) | Err(problem) => problem.into_response(),
    }
}

/// A show's season.
#[derive(Debug, Serialize)]
struct ShowFigures {
    show: String,
    performances: u64,
    capacity: u64,
    tickets: u64,
    revenue_cents: u64,
    fill_rate: Option<f64>,
}

async fn shows(State(state): State<AppState>, Path(label): Path<String>) -> Response {
    match with_store(&state, move |store| {
        Ok(match known_season(store, &label)? {
            Ok(season) => Ok(jauge_analytics::shows_by_fill_rate(
                &store.season_performances(season)?,
            )
            .into_iter()
            .map(|s| ShowFigures {
                show: s.show,
                performances: s.performances,
                capacity: s.capacity,
                tickets: s.sales.tickets,
                revenue_cents: s.sales.revenue.get(),
                fill_rate: s.fill_rate,
            })
            .collect::<Vec<_>>()),
            Err(problem) => Err(problem),
        })
    })
    .await
    {
        Ok(Ok(shows)) => json(&shows),
        Ok(Err(problem)) | Err(problem) => problem.into_response(),
    }
}

/// An upcoming performance's forecast of its final tickets, with its 80% interval.
#[derive(Debug, Serialize)]
struct ForecastFigures {
    id: i64,
    show: String,
    starts_at: chrono::DateTime<Utc>,
    days_to_go: u32,
    capacity: u32,
    sold: u64,
    forecast: Option<Interval>,
    at_risk: bool,
}

#[derive(Debug, Serialize)]
struct Interval {
    tickets: f64,
    low: f64,
    high: f64,
}

async fn forecasts(State(state): State<AppState>) -> Response {
    match with_store(&state, |store| {
        Ok(crate::pages::upcoming_data(store)?
            .map(|data| {
                data.rows
                    .into_iter()
                    .map(|(u, line)| ForecastFigures {
                        id: u.id,
                        show: line.show,
                        starts_at: line.starts_at,
                        days_to_go: u.days,
                        capacity: line.sales.capacity.get(),
                        sold: line.sales.sales.tickets,
                        forecast: u.forecast.map(|f| Interval {
                            tickets: f.tickets,
                            low: f.low,
                            high: f.high,
                        }),
                        at_risk: u.at_risk,
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default())
    })
    .await
    {
        Ok(forecasts) => json(&forecasts),
        Err(problem) => problem.into_response(),
    }
}

/// A source and what supervision finds wrong with it.
#[derive(Debug, Serialize)]
struct SourceHealth {
    name: String,
    kind: &'static str,
    imports: u64,
    last_import: Option<chrono::DateTime<Utc>>,
    last_facts: u64,
    quarantined: u64,
    drifts: u64,
    /// For a live source, why its last sync failed.
    sync_error: Option<String>,
    /// `stale`, `quarantine`, `failing`: empty when the source is healthy.
    concerns: Vec<&'static str>,
}

async fn sources(State(state): State<AppState>) -> Response {
    match with_store(&state, |store| {
        let now = Utc::now();
        Ok(store
            .sources()?
            .into_iter()
            .map(|s| SourceHealth {
                concerns: s
                    .concerns(now, STALE_AFTER_DAYS)
                    .into_iter()
                    .map(|c| match c {
                        jauge_store::Concern::Stale => "stale",
                        jauge_store::Concern::Quarantine => "quarantine",
                        jauge_store::Concern::Failing => "failing",
                    })
                    .collect(),
                name: s.name.to_string(),
                kind: s.kind.code(),
                imports: s.imports,
                last_import: s.last_import,
                last_facts: s.last_facts,
                quarantined: s.quarantined,
                drifts: s.drifts,
                sync_error: s.sync_error,
            })
            .collect::<Vec<_>>())
    })
    .await
    {
        Ok(sources) => json(&sources),
        Err(problem) => problem.into_response(),
    }
}

/// The OpenAPI 3.1 document of this API.
async fn openapi() -> Response {
    json(&document())
}

/// The OpenAPI document, as a value (its paths are the routes above; a test checks both ways).
pub fn document() -> serde_json::Value {
    use serde_json::json;
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        })
    };
    let ok = |description: &str, schema: serde_json::Value| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": schema}}
        })
    };
    let season_parameter = json!({
        "name": "season", "in": "path", "required": true,
        "description": "A season's label, such as 2025-2026.",
        "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{4}$"}
    });
    let secured =
        |summary: &str, responses: serde_json::Value, parameters: Vec<serde_json::Value>| {
            let mut responses = responses;
            responses["401"] = problem("No token, or one unknown, expired or revoked.");
            responses["403"] = problem("The token lacks the scope read:aggregates.");
            json!({"get": {
                "summary": summary,
                "security": [{"token": ["read:aggregates"]}],
                "parameters": parameters,
                "responses": responses
            }})
        };
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Jauge API",
            "version": "1",
            "description": "A venue's seasons, performances and sources, as Jauge computes them. Every call needs an API token (`jauge tokens create NAME --scope read:aggregates`, or `write:import` to import files) as `Authorization: Bearer TOKEN`, except pretix's webhook, which carries its own secret. Errors are RFC 9457 problem details. Money is in cents, instants in UTC."
        },
        "paths": {
            "/api/v1/seasons": secured(
                "Every season with performances, with its key figures.",
                json!({"200": ok("The seasons, oldest first.", json!({"type": "array", "items": {"$ref": "#/components/schemas/Season"}}))}),
                vec![],
            ),
            "/api/v1/seasons/{season}": secured(
                "A season's key figures.",
                json!({
                    "200": ok("The season.", json!({"$ref": "#/components/schemas/Season"})),
                    "404": problem("No such season, or no performance in it."),
                }),
                vec![season_parameter.clone()],
            ),
            "/api/v1/seasons/{season}/performances": secured(
                "A season's performances with their sales, in start order.",
                json!({
                    "200": ok("The performances.", json!({"type": "array", "items": {"$ref": "#/components/schemas/Performance"}})),
                    "404": problem("No such season, or no performance in it."),
                }),
                vec![season_parameter.clone()],
            ),
            "/api/v1/seasons/{season}/shows": secured(
                "A season's shows, fullest first.",
                json!({
                    "200": ok("The shows.", json!({"type": "array", "items": {"$ref": "#/components/schemas/Show"}})),
                    "404": problem("No such season, or no performance in it."),
                }),
                vec![season_parameter.clone()],
            ),
            "/api/v1/forecasts": secured(
                "Each upcoming performance's forecast of its final tickets, with an 80% interval, at-risk ones first.",
                json!({"200": ok("The forecasts.", json!({"type": "array", "items": {"$ref": "#/components/schemas/Forecast"}}))}),
                vec![],
            ),
            "/api/v1/sources": secured(
                "Every source with its health.",
                json!({"200": ok("The sources.", json!({"type": "array", "items": {"$ref": "#/components/schemas/Source"}}))}),
                vec![],
            ),
            "/api/v1/sources/{source}/imports": {"post": {
                "summary": "Import a file into a source, as `jauge import` does: a ticketing, CRM or emailing export (CSV, XLSX, ODS or JSON lines) as the request's body, stored as one batch, or not at all.",
                "security": [{"token": ["write:import"]}],
                "parameters": [
                    {"name": "source", "in": "path", "required": true, "description": "The source's name: lowercase letters, digits, '-', '_' or '.'.", "schema": {"type": "string", "pattern": "^[a-z0-9._-]{1,64}$"}},
                    {"name": "profile", "in": "query", "required": false, "description": "A built-in profile: pretix, pretix-fr, emailing-contacts, emailing-activity, brevo-activity, mailchimp-activity, mailchimp-members, mailchimp-unsubscribed.", "schema": {"type": "string"}},
                    {"name": "capacity", "in": "query", "required": false, "description": "The seats on sale at every performance, when the file does not say.", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "hall", "in": "query", "required": false, "description": "The hall of every performance, when the file does not say (default: the venue's only hall).", "schema": {"type": "string"}},
                    {"name": "accept_drift", "in": "query", "required": false, "description": "Store the file even if its columns differ from the source's earlier files.", "schema": {"type": "boolean"}},
                    {"name": "dry_run", "in": "query", "required": false, "description": "Read and check, store nothing.", "schema": {"type": "boolean"}}
                ],
                "requestBody": {"required": true, "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                }},
                "responses": {
                    "201": ok("Stored as a batch.", json!({"$ref": "#/components/schemas/Import"})),
                    "200": ok("Read, not stored (dry run).", json!({"$ref": "#/components/schemas/Import"})),
                    "400": problem("The file, a parameter or the profile cannot be read; the detail says where."),
                    "401": problem("No token, or one unknown, expired or revoked."),
                    "403": problem("The token lacks the scope write:import."),
                    "409": problem("The venue is not set up, or the columns differ from the source's earlier files (send again with accept_drift=true)."),
                    "413": {"description": "The file is larger than 1 GiB."},
                    "422": problem("No row could be taken (each with its line, column and reason), or the facts contradict the store; nothing was stored.")
                }
            }},
            "/api/v1/hooks/pretix": {"post": {
                "summary": "pretix's webhook: fetches again the order a notification names. Authenticated by the secret `jauge connect pretix` gives; a notification received twice is acted on once.",
                "security": [],
                "parameters": [
                    {"name": "secret", "in": "query", "required": true, "description": "The source's webhook secret.", "schema": {"type": "string"}}
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["notification_id", "event", "code"],
                    "properties": {
                        "notification_id": {"type": ["integer", "string"]},
                        "organizer": {"type": "string"},
                        "event": {"type": "string"},
                        "code": {"type": "string"},
                        "action": {"type": "string"}
                    }
                }}}},
                "responses": {
                    "202": ok("The order will be fetched again.", json!({"type": "object", "required": ["status", "source"], "properties": {"status": {"const": "accepted"}, "source": {"type": "string"}}})),
                    "200": ok("A notification already received: ignored.", json!({"type": "object", "required": ["status", "source"], "properties": {"status": {"const": "duplicate"}, "source": {"type": "string"}}})),
                    "400": problem("The body is not a pretix notification."),
                    "401": problem("No secret, or one that is no source's.")
                }
            }},
            "/api/v1/openapi.json": {"get": {
                "summary": "This document.",
                "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}}
            }}
        },
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Import": {
                    "type": "object",
                    "required": ["source", "rows", "tickets", "orders", "quarantined", "quarantined_rows"],
                    "properties": {
                        "source": {"type": "string"},
                        "batch": {"type": ["integer", "null"]},
                        "rows": {"type": "integer", "minimum": 0},
                        "tickets": {"type": "integer", "minimum": 0},
                        "orders": {"type": "integer", "minimum": 0},
                        "performances": {"type": "integer", "minimum": 0},
                        "patrons": {"type": "integer", "minimum": 0},
                        "consents": {"type": "integer", "minimum": 0},
                        "campaigns": {"type": "integer", "minimum": 0},
                        "quarantined": {"type": "integer", "minimum": 0},
                        "quarantined_rows": {"type": "array", "items": {"type": "object", "properties": {
                            "line": {"type": "integer"}, "column": {"type": ["integer", "null"]},
                            "header": {"type": ["string", "null"]}, "raw": {"type": "string"}, "reason": {"type": "string"}
                        }}},
                        "notes": {"type": "array", "items": {"type": "string"}},
                        "drift": {"type": ["string", "null"]}
                    }
                },
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"}
                    }
                },
                "Season": {
                    "type": "object",
                    "required": ["season", "first_day", "end_exclusive", "summary"],
                    "properties": {
                        "season": {"type": "string"},
                        "first_day": {"type": "string", "format": "date"},
                        "end_exclusive": {"type": "string", "format": "date"},
                        "summary": {"$ref": "#/components/schemas/SeasonSummary"}
                    }
                },
                "SeasonSummary": {
                    "type": "object",
                    "description": "The season's figures; see /glossaire for each one's definition.",
                    "properties": {
                        "season": {"type": "string"},
                        "performances": {"type": "integer", "minimum": 0},
                        "cancelled_performances": {"type": "integer", "minimum": 0},
                        "capacity": {"type": "integer", "minimum": 0},
                        "tickets": {"type": "integer", "minimum": 0},
                        "paid_tickets": {"type": "integer", "minimum": 0},
                        "free_tickets": {"type": "integer", "minimum": 0},
                        "revenue": {"type": "integer", "minimum": 0, "description": "Cents, VAT included."},
                        "fill_rate": {"type": ["number", "null"]},
                        "paid_fill_rate": {"type": ["number", "null"]},
                        "average_price": {"type": ["number", "null"], "description": "Cents per paid ticket."},
                        "free_ticket_share": {"type": ["number", "null"]},
                        "subscription_tickets": {"type": "integer", "minimum": 0},
                        "subscription_share": {"type": ["number", "null"]},
                        "patrons": {"type": "integer", "minimum": 0},
                        "first_timers": {"type": "integer", "minimum": 0},
                        "first_timer_share": {"type": ["number", "null"]},
                        "previous_season_patrons": {"type": "integer", "minimum": 0},
                        "returning": {"type": "integer", "minimum": 0},
                        "retention": {"type": ["number", "null"]}
                    }
                },
                "Performance": {
                    "type": "object",
                    "required": ["id", "show", "discipline", "hall", "starts_at", "status", "capacity", "tickets", "revenue_cents"],
                    "properties": {
                        "id": {"type": "integer"},
                        "show": {"type": "string"},
                        "discipline": {"type": "string"},
                        "hall": {"type": "string"},
                        "starts_at": {"type": "string", "format": "date-time"},
                        "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
                        "capacity": {"type": "integer", "minimum": 1},
                        "tickets": {"type": "integer", "minimum": 0},
                        "paid_tickets": {"type": "integer", "minimum": 0},
                        "free_tickets": {"type": "integer", "minimum": 0},
                        "subscription_tickets": {"type": "integer", "minimum": 0},
                        "revenue_cents": {"type": "integer", "minimum": 0},
                        "fill_rate": {"type": ["number", "null"]}
                    }
                },
                "Show": {
                    "type": "object",
                    "required": ["show", "performances", "capacity", "tickets", "revenue_cents"],
                    "properties": {
                        "show": {"type": "string"},
                        "performances": {"type": "integer", "minimum": 0},
                        "capacity": {"type": "integer", "minimum": 0},
                        "tickets": {"type": "integer", "minimum": 0},
                        "revenue_cents": {"type": "integer", "minimum": 0},
                        "fill_rate": {"type": ["number", "null"]}
                    }
                },
                "Forecast": {
                    "type": "object",
                    "required": ["id", "show", "starts_at", "days_to_go", "capacity", "sold", "at_risk"],
                    "properties": {
                        "id": {"type": "integer"},
                        "show": {"type": "string"},
                        "starts_at": {"type": "string", "format": "date-time"},
                        "days_to_go": {"type": "integer", "minimum": 0},
                        "capacity": {"type": "integer", "minimum": 1},
                        "sold": {"type": "integer", "minimum": 0},
                        "forecast": {
                            "type": ["object", "null"],
                            "description": "None without enough history to forecast from.",
                            "properties": {
                                "tickets": {"type": "number"},
                                "low": {"type": "number"},
                                "high": {"type": "number"}
                            }
                        },
                        "at_risk": {"type": "boolean"}
                    }
                },
                "Source": {
                    "type": "object",
                    "required": ["name", "kind", "imports", "concerns"],
                    "properties": {
                        "name": {"type": "string"},
                        "kind": {"type": "string"},
                        "imports": {"type": "integer", "minimum": 0},
                        "last_import": {"type": ["string", "null"], "format": "date-time"},
                        "last_facts": {"type": "integer", "minimum": 0},
                        "quarantined": {"type": "integer", "minimum": 0},
                        "drifts": {"type": "integer", "minimum": 0},
                        "sync_error": {"type": ["string", "null"], "description": "For a live source, why its last sync failed."},
                        "concerns": {"type": "array", "items": {"type": "string", "enum": ["stale", "quarantine", "failing"]}}
                    }
                }
            }
        }
    })
}
