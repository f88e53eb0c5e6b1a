//! Sources brought into the store: files ([`file`], for `jauge import` and the API's imports)
//! and live sources, Jauge pulling a ticketing system's API instead of waiting for an export.
//!
//! It owns the connectors ([`pretix`]): what a live source's settings hold, fetching what changed
//! since the last sync (pages followed, `429` waited out, network failures tried again, see
//! [`http`]), and mapping the payloads to the model with pure functions (`pretix::map`). [`sync`]
//! is the whole run for one source: fetch everything first, then write it as one batch in one
//! transaction, then move the source's cursor, so that a sync cut short stores nothing and the
//! next one starts from the same point; running it twice stores the same facts once.
//!
//! It must not read a file's dialect or rows itself (that is `jauge-ingest`'s), decide what
//! figures mean (analytics), touch SQL (it speaks to the `Store` trait), nor print: callers
//! (the CLI, the server's API, scheduler and webhooks) report.

pub mod file;
pub mod http;
pub mod pretix;

use chrono::Utc;
use jauge_model::{Name, SourceName};
use jauge_store::{BatchReport, LiveSource, Store, StoreError};

pub use http::Retry;

/// What to fetch.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// What changed since the last sync; everything when `full` or before the first.
    Changes { full: bool },
    /// One order, as a webhook names it: its event's slug and its code.
    Order { event: &'a str, code: &'a str },
}

/// What a sync brought.
#[derive(Debug)]
pub struct SyncReport {
    pub orders: usize,
    pub tickets: usize,
    pub performances: usize,
    /// Orders that could not be read, kept in quarantine.
    pub quarantined: usize,
    /// How the payloads' fields differ from the last sync's, if they do.
    pub drift: Option<String>,
    /// The point the sync started from, `None` for everything.
    pub since: Option<String>,
    pub stored: BatchReport,
}

/// Why a sync failed. Nothing of it was stored.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{name}: {error}. Nothing was stored; the next sync starts from the same point")]
    Fetch {
        name: SourceName,
        error: pretix::PretixError,
    },
    #[error("{name}: {reason}")]
    Settings { name: SourceName, reason: String },
    #[error("{name}: {error}")]
    Store { name: SourceName, error: StoreError },
}

impl SyncError {
    /// Whether the person running Jauge can act on it (settings, the remote server, input),
    /// as opposed to an internal failure.
    pub fn is_user_error(&self) -> bool {
        match self {
            SyncError::Store { error, .. } => error.is_user_error(),
            _ => true,
        }
    }
}

/// The settings of a pretix source, read from what the store keeps.
pub fn pretix_settings(source: &LiveSource) -> Result<pretix::Settings, SyncError> {
    if source.connector != "pretix" {
        return Err(SyncError::Settings {
            name: source.name.clone(),
            reason: format!(
                "its connector {:?} is unknown to this version of Jauge",
                source.connector
            ),
        });
    }
    serde_json::from_str(&source.settings).map_err(|e| SyncError::Settings {
        name: source.name.clone(),
        reason: format!("its settings cannot be read ({e}); connect it again"),
    })
}

/// Syncs `source` into `store`: fetches `scope`, maps it, writes it as one batch, and for
/// [`Scope::Changes`] records the attempt (the new cursor, or the error) with the source.
pub fn sync<S: Store + ?Sized>(
    store: &mut S,
    source: &LiveSource,
    scope: Scope,
    retry: Retry,
) -> Result<SyncReport, SyncError> {
    let attempted_at = Utc::now();
    let result = run(store, source, scope, retry);
    if let Scope::Changes { .. } = scope {
        let recorded = match &result {
            Ok((_, cursor)) => store.record_sync(&source.name, attempted_at, Ok(cursor.as_deref())),
            Err(e) => store.record_sync(&source.name, attempted_at, Err(&e.to_string())),
        };
        recorded.map_err(|error| SyncError::Store {
            name: source.name.clone(),
            error,
        })?;
    }
    result.map(|(report, _)| report)
}

fn run<S: Store + ?Sized>(
    store: &mut S,
    source: &LiveSource,
    scope: Scope,
    retry: Retry,
) -> Result<(SyncReport, Option<String>), SyncError> {
    let name = &source.name;
    let stored = |error: StoreError| SyncError::Store {
        name: name.clone(),
        error,
    };
    let settings = pretix_settings(source)?;
    let setup = store.setup().map_err(stored)?.ok_or(SyncError::Store {
        name: name.clone(),
        error: StoreError::NoVenue,
    })?;
    let hall = setup
        .halls
        .iter()
        .find(|h| h.name.as_str() == settings.hall)
        .ok_or_else(|| SyncError::Settings {
            name: name.clone(),
            reason: format!(
                "its hall {:?} is not one of the venue's ({}); connect it again with --hall",
                settings.hall,
                setup
                    .halls
                    .iter()
                    .map(|h| h.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    let client = settings.client(retry);
    let since = match scope {
        Scope::Changes { full: false } => source.cursor.clone(),
        _ => None,
    };
    let fetched = match scope {
        Scope::Changes { .. } => pretix::fetch(&client, &settings, since.as_deref()),
        Scope::Order { event, code } => pretix::fetch_order(&client, &settings, event, code),
    };
    let snapshot = fetched.map_err(|error| SyncError::Fetch {
        name: name.clone(),
        error,
    })?;
    let hall_name: Name = hall.name.clone();
    let origin = settings.origin();
    let mut dataset = pretix::map::dataset(
        &snapshot,
        &pretix::map::Context {
            source: name,
            origin: &origin,
            hall: &hall_name,
            hall_capacity: hall.capacity,
            discipline: settings.discipline,
        },
    );
    // A kind of object this sync did not see (no order changed) keeps its fields from before;
    // new or missing fields are recorded as a drift, not refused: the mapping reads only the
    // fields it needs, and fails by name when one of those is gone.
    let before = store.shapes(name).map_err(stored)?;
    let drift = match (before.first(), &dataset.shape) {
        (Some(before), Some(now)) => {
            let drift = shape_drift(before, now);
            dataset.shape = Some(merged_shape(before, now));
            drift
        }
        _ => None,
    };
    dataset.drift_accepted.clone_from(&drift);
    // Nothing changed since the last sync (no order, the same programme, the same shape): no
    // batch, so that a schedule every few minutes neither piles up empty imports nor empties
    // the rollups the pages read.
    let programme_key = format!("live.{name}.programme");
    let programme = programme_fingerprint(&dataset);
    let unchanged = matches!(scope, Scope::Changes { full: false })
        && drift.is_none()
        && carries_no_sale(&dataset)
        && store.setting(&programme_key).map_err(stored)?.as_deref() == Some(programme.as_str());
    let report = if unchanged {
        BatchReport::default()
    } else {
        let report = store.write_dataset(&dataset).map_err(stored)?;
        store
            .set_setting(&programme_key, &programme)
            .map_err(stored)?;
        report
    };
    Ok((
        SyncReport {
            orders: dataset.orders.len(),
            tickets: dataset.tickets.len(),
            performances: dataset.performances.len(),
            quarantined: dataset.quarantined.len(),
            drift,
            since,
            stored: report,
        },
        snapshot.generated,
    ))
}

/// What a sync's programme (shows, performances and tariffs, as mapped) was, as a digest: a
/// sync that brings no sale and the same digest has nothing to store.
fn programme_fingerprint(dataset: &jauge_model::Dataset) -> String {
    use sha2::{Digest, Sha256};
    let programme = format!(
        "{:?}",
        (&dataset.shows, &dataset.performances, &dataset.tariffs)
    );
    Sha256::digest(programme.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a dataset holds nothing but its programme: no order, ticket, patron, consent or row
/// in quarantine.
fn carries_no_sale(dataset: &jauge_model::Dataset) -> bool {
    dataset.orders.is_empty()
        && dataset.tickets.is_empty()
        && dataset.patrons.is_empty()
        && dataset.consents.is_empty()
        && dataset.quarantined.is_empty()
        && dataset.campaigns.is_empty()
}

/// A shape's kinds of object with their fields: one `kind: field, field` line per kind.
fn shape_kinds(shape: &str) -> Vec<(&str, Vec<&str>)> {
    shape
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(kind, fields)| (kind, fields.split(", ").collect()))
        .collect()
}

/// How the kinds of object both shapes hold differ in their fields, in words; `None` when they
/// do not.
pub fn shape_drift(before: &str, now: &str) -> Option<String> {
    let before = shape_kinds(before);
    let mut changes = Vec::new();
    for (kind, fields) in shape_kinds(now) {
        let Some((_, old)) = before.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        let added: Vec<&str> = fields
            .iter()
            .filter(|f| !old.contains(f))
            .copied()
            .collect();
        let gone: Vec<&str> = old
            .iter()
            .filter(|f| !fields.contains(f))
            .copied()
            .collect();
        if !added.is_empty() {
            changes.push(format!("{kind}: new {}", added.join(", ")));
        }
        if !gone.is_empty() {
            changes.push(format!("{kind}: no more {}", gone.join(", ")));
        }
    }
    (!changes.is_empty()).then(|| changes.join("; "))
}

/// The shape `now`, with the kinds of object it did not see as `before` had them.
pub fn merged_shape(before: &str, now: &str) -> String {
    let mut kinds = shape_kinds(now);
    for (kind, fields) in shape_kinds(before) {
        if !kinds.iter().any(|(k, _)| *k == kind) {
            kinds.push((kind, fields));
        }
    }
    kinds.sort();
    kinds
        .iter()
        .map(|(kind, fields)| format!("{kind}: {}", fields.join(", ")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_programme_that_changes_changes_its_fingerprint() {
        let mut d = jauge_model::Dataset::new(
            "pretix".parse().unwrap(),
            jauge_model::SourceKind::Pretix,
            "pretix",
        );
        d.performances.push(jauge_model::Performance {
            id: "gala".parse().unwrap(),
            show: "gala".parse().unwrap(),
            hall: "Grande salle".parse().unwrap(),
            starts_at: chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap(),
            capacity: jauge_model::Capacity::new(90).unwrap(),
            status: jauge_model::PerformanceStatus::Scheduled,
        });
        let before = programme_fingerprint(&d);
        assert_eq!(programme_fingerprint(&d.clone()), before);
        assert!(carries_no_sale(&d));
        d.performances[0].capacity = jauge_model::Capacity::new(120).unwrap();
        assert_ne!(programme_fingerprint(&d), before, "a quota grew");
        d.performances[0].capacity = jauge_model::Capacity::new(90).unwrap();
        d.performances[0].status = jauge_model::PerformanceStatus::Cancelled;
        assert_ne!(programme_fingerprint(&d), before, "a date was cancelled");
    }

    #[test]
    fn a_drift_names_fields_come_and_gone_in_the_kinds_both_shapes_hold() {
        let before = "event: name, slug\norder: code, email, status";
        assert_eq!(shape_drift(before, before), None);
        // No order changed: the orders' fields are not known to be gone.
        assert_eq!(shape_drift(before, "event: name, slug"), None);
        assert_eq!(
            shape_drift(before, "event: name, slug\norder: code, status, total").as_deref(),
            Some("order: new total; order: no more email")
        );
        assert_eq!(
            merged_shape(before, "event: name, slug, live"),
            "event: name, slug, live\norder: code, email, status"
        );
    }
}
