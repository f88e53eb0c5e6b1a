//! `POST /api/v1/sources/{source}/imports`: a file (CSV, spreadsheet or JSON lines) sent as the
//! request's body, read and stored as `jauge import` does — one batch, nothing stored when the
//! file cannot be read, a change of columns refused unless accepted. It needs a token with the
//! scope `write:import`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jauge_connect::file::{ImportError, defaults_for, drift_from_earlier, import_parts};
use jauge_ingest::Input;
use jauge_model::SourceName;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::Problem;

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    /// A built-in profile's name (`pretix`, `brevo-activity`…).
    profile: Option<String>,
    /// The seats on sale at every performance, when the file does not say.
    capacity: Option<u32>,
    /// The hall of every performance, when the file does not say (default: the venue's only
    /// hall).
    hall: Option<String>,
    #[serde(default)]
    accept_drift: bool,
    #[serde(default)]
    dry_run: bool,
}

/// A quarantined row, with its place.
#[derive(Debug, Serialize)]
struct Quarantined {
    line: u64,
    column: Option<usize>,
    header: Option<String>,
    raw: String,
    reason: String,
}

/// What an import read and stored.
#[derive(Debug, Serialize)]
struct ImportOutcome {
    source: String,
    /// The batch it was stored as; none for a dry run.
    batch: Option<i64>,
    rows: u64,
    tickets: usize,
    orders: usize,
    performances: usize,
    patrons: usize,
    consents: usize,
    campaigns: usize,
    quarantined: usize,
    /// The first quarantined rows.
    quarantined_rows: Vec<Quarantined>,
    notes: Vec<String>,
    /// The accepted change of columns, if any.
    drift: Option<String>,
}

/// Everything the import may answer but success.
fn problem(status: StatusCode, detail: impl Into<String>) -> Response {
    Problem::new(status, detail).into_response()
}

pub(crate) async fn import(
    State(state): State<AppState>,
    Path(source): Path<String>,
    Query(query): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Response {
    let source: SourceName = match source.parse() {
        Ok(source) => source,
        Err(e) => return problem(StatusCode::BAD_REQUEST, format!("{e}")),
    };
    let profile = match query.profile.as_deref() {
        None => None,
        Some(name) => match jauge_ingest::profile::builtin(name) {
            Some(profile) => Some(profile),
            None => {
                let names: Vec<&str> = jauge_ingest::profile::BUILTIN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect();
                return problem(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "there is no built-in profile {name:?}; one of: {}",
                        names.join(", ")
                    ),
                );
            }
        },
    };
    if body.is_empty() {
        return problem(
            StatusCode::BAD_REQUEST,
            "the body is empty: send the file as the request's body",
        );
    }
    let answer = crate::on_store_mut(&state, move |store| {
        let Some(setup) = store.setup()? else {
            return Ok(Err(problem(
                StatusCode::CONFLICT,
                "the venue is not set up yet: `jauge setup` first",
            )));
        };
        let mut defaults = defaults_for(&setup);
        if let Some(seats) = query.capacity {
            match jauge_model::Capacity::new(seats) {
                Ok(capacity) => defaults.capacity = Some(capacity),
                Err(e) => {
                    return Ok(Err(problem(
                        StatusCode::BAD_REQUEST,
                        format!("capacity: {e}"),
                    )));
                }
            }
        }
        if let Some(hall) = &query.hall {
            match setup.halls.iter().find(|h| h.name.as_str() == hall) {
                Some(h) => defaults.hall = Some(h.name.clone()),
                None => {
                    return Ok(Err(problem(
                        StatusCode::BAD_REQUEST,
                        format!("the venue has no hall {hall:?}"),
                    )));
                }
            }
        }
        let opened =
            match jauge_ingest::open(Input::Bytes(body.to_vec()), defaults, profile.as_ref()) {
                Ok(opened) => opened,
                Err(e) => {
                    return Ok(Err(problem(
                        StatusCode::BAD_REQUEST,
                        format!("the file cannot be read: {e}"),
                    )));
                }
            };
        let changes = drift_from_earlier(store, &source, &opened)?;
        let drift = (!changes.is_empty()).then(|| changes.join("\n"));
        if let Some(list) = &drift
            && !query.accept_drift
        {
            return Ok(Err(problem(
                StatusCode::CONFLICT,
                format!(
                    "the columns differ from the earlier files of source {source}:\n{list}\n\
                     Check the file; send it again with ?accept_drift=true if the change is \
                     expected"
                ),
            )));
        }
        let origin = format!("api:{source}");
        let imported = match import_parts(
            store,
            &opened,
            (&origin, &source),
            drift.clone(),
            query.dry_run,
        ) {
            Ok(imported) => imported,
            Err(ImportError::Unreadable(e)) => {
                return Ok(Err(problem(
                    StatusCode::BAD_REQUEST,
                    format!("{e}; nothing was stored"),
                )));
            }
            Err(ImportError::Store(e)) if e.is_user_error() => {
                return Ok(Err(problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    e.to_string(),
                )));
            }
            Err(ImportError::Store(e)) => return Err(e),
        };
        let summary = &imported.summary;
        let t = summary.tally;
        let outcome = ImportOutcome {
            source: source.to_string(),
            batch: imported.written.as_ref().and_then(|w| w.batch).map(|b| b.0),
            rows: summary.rows,
            tickets: t.tickets,
            orders: t.orders,
            performances: t.performances,
            patrons: t.patrons,
            consents: t.consents,
            campaigns: t.campaigns,
            quarantined: t.quarantined,
            quarantined_rows: summary
                .preview
                .quarantined
                .iter()
                .map(|q| Quarantined {
                    line: q.line,
                    column: q.column.as_ref().map(|(c, _)| c + 1),
                    header: q.column.as_ref().map(|(_, h)| h.clone()),
                    raw: q.raw.clone(),
                    reason: q.reason.clone(),
                })
                .collect(),
            notes: summary.notes.clone(),
            drift,
        };
        if t.facts() == 0 {
            return Ok(Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
                Json(serde_json::json!({
                    "type": "about:blank",
                    "title": "Unprocessable Entity",
                    "status": 422,
                    "detail": "no row could be taken; see quarantined_rows; nothing was stored",
                    "quarantined_rows": outcome.quarantined_rows,
                })),
            )
                .into_response()));
        }
        if imported.written.is_some() {
            // Today's sales kept as they stand, as `jauge import` does.
            let today = chrono::Utc::now()
                .with_timezone(&setup.venue.time_zone)
                .date_naive();
            store.snapshot_sales(today)?;
            store.audit(
                "api",
                "import",
                &format!("{} rows into {source}", summary.rows),
            )?;
        }
        Ok(Ok(outcome))
    })
    .await;
    match answer {
        Some(Ok(Ok(outcome))) => {
            let status = if outcome.batch.is_some() {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(outcome)).into_response()
        }
        Some(Ok(Err(response))) => response,
        Some(Err(e)) => problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        None => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the request's work stopped short",
        ),
    }
}

#[cfg(test)]
mod tests;
