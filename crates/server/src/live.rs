//! Live sources while the server runs: each one synced on its schedule, and pretix's webhooks
//! (`POST /api/v1/hooks/pretix?secret=…`), each of which fetches again the one order it names.
//!
//! A webhook is authenticated by the secret `jauge connect` gave (only its hash is kept), which
//! also says which source it is for; a notification already received (pretix sends again
//! what was not acknowledged) is acknowledged and ignored. Whatever a lost webhook missed, the
//! next scheduled sync catches: the webhook only brings a change sooner.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use jauge_connect::{Retry, Scope, SyncError, SyncReport};
use jauge_model::SourceName;
use jauge_store::{LiveSource, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::api::Problem;
use crate::auth::token_hash;

/// How a webhook names its secret.
#[derive(Debug, Deserialize)]
pub struct HookQuery {
    secret: Option<String>,
}

/// What pretix sends: the notification's id, and the order it is about.
#[derive(Debug, Deserialize)]
pub struct PretixNotification {
    notification_id: serde_json::Value,
    event: String,
    code: String,
    #[serde(default)]
    action: String,
}

/// `POST /api/v1/hooks/pretix`: 202 when the order will be fetched again, 200 for a repeat,
/// 401 without the right secret, 400 for a body that is not a pretix notification.
pub(crate) async fn pretix_hook(
    State(state): State<AppState>,
    Query(query): Query<HookQuery>,
    body: axum::body::Bytes,
) -> Response {
    let Some(secret) = query.secret.filter(|s| !s.is_empty()) else {
        return Problem::new(
            StatusCode::UNAUTHORIZED,
            "a webhook needs its secret, as ?secret=…: `jauge connect pretix` gives it",
        )
        .into_response();
    };
    let notification: PretixNotification = match serde_json::from_slice(&body) {
        Ok(n) => n,
        Err(e) => {
            return Problem::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "the body is not a pretix notification ({e}): it needs notification_id, \
                     event and code"
                ),
            )
            .into_response();
        }
    };
    let hash = token_hash(&secret);
    let id = match &notification.notification_id {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let noted = crate::on_store_mut(&state, move |store| {
        let Some(source) = store
            .live_sources()?
            .into_iter()
            .find(|s| s.hook_secret_hash.as_deref() == Some(hash.as_str()))
        else {
            return Ok(None);
        };
        let new = store.note_notification(&source.name, &id, Utc::now())?;
        Ok(Some((source, new)))
    })
    .await;
    match noted {
        Some(Ok(Some((source, true)))) => {
            let db = state.db.as_ref().clone();
            let name = source.name.clone();
            tokio::task::spawn_blocking(move || {
                let scope = Scope::Order {
                    event: &notification.event,
                    code: &notification.code,
                };
                if let Err(e) = sync_one(&db, &source, scope) {
                    eprintln!(
                        "jauge: webhook {} for order {} of {}: {e}",
                        notification.action, notification.code, notification.event
                    );
                }
            });
            (
                StatusCode::ACCEPTED,
                Json(serde_json::json!({"status": "accepted", "source": name.as_str()})),
            )
                .into_response()
        }
        Some(Ok(Some((source, false)))) => {
            Json(serde_json::json!({"status": "duplicate", "source": source.name.as_str()}))
                .into_response()
        }
        Some(Ok(None)) => Problem::new(
            StatusCode::UNAUTHORIZED,
            "this secret is no live source's: check the webhook's address in pretix, or \
             connect the source again for a new one",
        )
        .into_response(),
        Some(Err(e)) => {
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
        }
        None => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the request's work stopped short",
        )
        .into_response(),
    }
}

/// Syncs one source on a connection of its own.
fn sync_one(db: &Path, source: &LiveSource, scope: Scope) -> Result<SyncReport, SyncError> {
    let mut store = jauge_store::open(&db.to_string_lossy()).map_err(|error| SyncError::Store {
        name: source.name.clone(),
        error,
    })?;
    jauge_connect::sync(&mut *store, source, scope, Retry::default())
}

/// A source synced, and how it went.
pub type SyncOutcome = (SourceName, Result<SyncReport, SyncError>);

/// Syncs every live source whose time has come, one after the other, except those in
/// `running`; what each gave.
pub fn sync_due(
    db: &Path,
    running: &Mutex<BTreeSet<SourceName>>,
) -> Result<Vec<SyncOutcome>, StoreError> {
    let now = Utc::now();
    let due: Vec<LiveSource> = jauge_store::open(&db.to_string_lossy())?
        .live_sources()?
        .into_iter()
        .filter(|s| s.due(now))
        .collect();
    let mut outcomes = Vec::new();
    for source in due {
        if !running
            .lock()
            .expect("not poisoned")
            .insert(source.name.clone())
        {
            continue;
        }
        let outcome = sync_one(db, &source, Scope::Changes { full: false });
        running.lock().expect("not poisoned").remove(&source.name);
        outcomes.push((source.name, outcome));
    }
    Ok(outcomes)
}

/// Looks every `tick` for live sources due, and syncs them, for as long as the server runs;
/// each outcome is printed, and recorded with the source for supervision.
pub async fn schedule(db: PathBuf, tick: Duration) {
    let running: Arc<Mutex<BTreeSet<SourceName>>> = Arc::default();
    let mut interval = tokio::time::interval(tick);
    loop {
        interval.tick().await;
        let (db, running) = (db.clone(), running.clone());
        let outcomes = tokio::task::spawn_blocking(move || sync_due(&db, &running)).await;
        match outcomes {
            Ok(Ok(outcomes)) => {
                for (name, outcome) in outcomes {
                    match outcome {
                        Ok(report) => println!(
                            "jauge: {name} synced: {} order(s), {} ticket(s)",
                            report.orders, report.tickets
                        ),
                        Err(e) => eprintln!("jauge: {e}"),
                    }
                }
            }
            Ok(Err(e)) => eprintln!("jauge: the live sources could not be read: {e}"),
            Err(e) => eprintln!("jauge: the scheduled sync stopped short: {e}"),
        }
    }
}

/// How often the server looks for live sources due.
pub const TICK: Duration = Duration::from_secs(30);

#[cfg(test)]
mod tests;
