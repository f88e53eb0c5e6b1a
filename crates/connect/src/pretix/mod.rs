//! The pretix connector: what a pretix source's settings hold, fetching what changed since the
//! last sync from pretix's REST API (`/api/v1/organizers/{organizer}/…`), and [`map`]ping it
//! to the model.

pub mod map;
pub mod payload;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::{Client, FetchError, Retry};

/// A pretix source's settings, kept (as JSON) with the live source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The server's address, such as `https://pretix.eu`.
    pub url: String,
    /// The organizer's short name (slug).
    pub organizer: String,
    /// An API token of a team of the organizer that may read events and orders.
    pub token: String,
    /// The hall every performance takes place in.
    pub hall: String,
    /// The discipline of the shows (pretix does not say).
    pub discipline: jauge_model::Discipline,
    /// The events to follow, by slug; all the organizer's when empty.
    #[serde(default)]
    pub events: Vec<String>,
}

impl Settings {
    fn api(&self) -> String {
        let base = self.url.trim_end_matches('/');
        let base = base.strip_suffix("/api/v1").unwrap_or(base);
        format!("{base}/api/v1/organizers/{}", self.organizer)
    }

    /// Where the facts come from, as kept with each batch.
    pub fn origin(&self) -> String {
        self.api()
    }

    pub fn client(&self, retry: Retry) -> Client {
        Client::new(format!("Token {}", self.token), retry)
    }
}

/// Why fetching from pretix failed.
#[derive(Debug, thiserror::Error)]
pub enum PretixError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(
        "{what} in pretix's answer cannot be read ({reason}); pretix may have changed its API: \
         report it to Jauge's maintainers with this message"
    )]
    Payload { what: String, reason: String },
    #[error(
        "organizer {organizer:?} has no event {slug:?}; connect the source again with the events it has"
    )]
    NoEvent { organizer: String, slug: String },
}

/// What one sync fetched: each event with its dates, quotas and products, and the orders that
/// changed.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub events: Vec<EventSnapshot>,
    /// When pretix made the first page of orders, the earliest over the events: the next sync
    /// asks for the orders modified since then.
    pub generated: Option<String>,
    /// The fields pretix's objects carried, by kind of object: one line per kind.
    pub shape: String,
}

#[derive(Debug, Clone)]
pub struct EventSnapshot {
    pub event: payload::Event,
    pub subevents: Vec<payload::SubEvent>,
    pub quotas: Vec<payload::Quota>,
    pub items: Vec<payload::Item>,
    pub orders: Vec<payload::Order>,
}

/// The fields seen for each kind of object.
#[derive(Default)]
struct Shape(BTreeMap<&'static str, BTreeSet<String>>);

impl Shape {
    fn see(&mut self, kind: &'static str, value: &Value) {
        if let Value::Object(fields) = value {
            self.0
                .entry(kind)
                .or_default()
                .extend(fields.keys().cloned());
        }
    }

    fn text(&self) -> String {
        self.0
            .iter()
            .map(|(kind, fields)| {
                let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
                format!("{kind}: {}", fields.join(", "))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Reads `values` as `T`s, noting their fields; a value that does not fit is named.
fn typed<T: serde::de::DeserializeOwned>(
    values: Vec<Value>,
    kind: &'static str,
    place: &str,
    shape: &mut Shape,
) -> Result<Vec<T>, PretixError> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            shape.see(kind, &value);
            if kind == "order" {
                for position in value["positions"].as_array().into_iter().flatten() {
                    shape.see("position", position);
                }
                shape.see("invoice_address", &value["invoice_address"]);
            }
            serde_json::from_value(value).map_err(|e| PretixError::Payload {
                what: format!("{kind} #{} of {place}", i + 1),
                reason: e.to_string(),
            })
        })
        .collect()
}

/// The short names of the events `settings` follows: what checks a connection.
pub fn events(client: &Client, settings: &Settings) -> Result<Vec<String>, PretixError> {
    let api = settings.api();
    let (events, _) = client.all_pages(&format!("{api}/events/"))?;
    let events: Vec<payload::Event> = typed(events, "event", &api, &mut Shape::default())?;
    followed(events, settings).map(|events| events.into_iter().map(|e| e.slug).collect())
}

/// The events of `settings.events` (all when empty); an unknown one is an error.
fn followed(
    events: Vec<payload::Event>,
    settings: &Settings,
) -> Result<Vec<payload::Event>, PretixError> {
    for slug in &settings.events {
        if !events.iter().any(|e| &e.slug == slug) {
            return Err(PretixError::NoEvent {
                organizer: settings.organizer.clone(),
                slug: slug.clone(),
            });
        }
    }
    Ok(events
        .into_iter()
        .filter(|e| settings.events.is_empty() || settings.events.contains(&e.slug))
        .collect())
}

/// Fetches the events `settings` follows with their dates, quotas and products, and their
/// orders modified since `since` (all when `None`), with cancelled positions.
pub fn fetch(
    client: &Client,
    settings: &Settings,
    since: Option<&str>,
) -> Result<Snapshot, PretixError> {
    let api = settings.api();
    let mut shape = Shape::default();
    let (events, _) = client.all_pages(&format!("{api}/events/"))?;
    let events: Vec<payload::Event> = typed(events, "event", &api, &mut shape)?;
    let mut snapshots = Vec::new();
    let mut generated: Option<String> = None;
    for event in followed(events, settings)? {
        let mut snapshot = event_reference(client, &api, event, &mut shape)?;
        let mut url = format!(
            "{api}/events/{}/orders/?include_canceled_positions=true&ordering=datetime",
            snapshot.event.slug
        );
        if let Some(since) = since {
            url.push_str("&modified_since=");
            url.push_str(&encode(since));
        }
        let (orders, first_page) = client.all_pages(&url)?;
        snapshot.orders = typed(orders, "order", &url, &mut shape)?;
        // The earliest first page: whatever changed after it is asked for again next time.
        generated = match (generated, first_page) {
            (Some(a), Some(b)) => Some(if a <= b { a } else { b }),
            (a, b) => a.or(b),
        };
        snapshots.push(snapshot);
    }
    Ok(Snapshot {
        events: snapshots,
        generated,
        shape: shape.text(),
    })
}

/// Fetches one order of one event (as a webhook names it), with the event's dates, quotas and
/// products.
pub fn fetch_order(
    client: &Client,
    settings: &Settings,
    event: &str,
    code: &str,
) -> Result<Snapshot, PretixError> {
    let api = settings.api();
    let mut shape = Shape::default();
    let url = format!("{api}/events/{}/", encode(event));
    let event: payload::Event = typed(vec![client.get(&url)?.json], "event", &url, &mut shape)?
        .pop()
        .expect("one");
    let mut snapshot = event_reference(client, &api, event, &mut shape)?;
    let url = format!(
        "{api}/events/{}/orders/{}/?include_canceled_positions=true",
        snapshot.event.slug,
        encode(code)
    );
    snapshot.orders = typed(vec![client.get(&url)?.json], "order", &url, &mut shape)?;
    Ok(Snapshot {
        events: vec![snapshot],
        generated: None,
        shape: shape.text(),
    })
}

/// An event's dates (when it is a series), quotas and products.
fn event_reference(
    client: &Client,
    api: &str,
    event: payload::Event,
    shape: &mut Shape,
) -> Result<EventSnapshot, PretixError> {
    let base = format!("{api}/events/{}", event.slug);
    let subevents = if event.has_subevents {
        let url = format!("{base}/subevents/");
        typed(client.all_pages(&url)?.0, "subevent", &url, shape)?
    } else {
        Vec::new()
    };
    let url = format!("{base}/quotas/");
    let quotas = typed(client.all_pages(&url)?.0, "quota", &url, shape)?;
    let url = format!("{base}/items/");
    let items = typed(client.all_pages(&url)?.0, "item", &url, shape)?;
    Ok(EventSnapshot {
        event,
        subevents,
        quotas,
        items,
        orders: Vec::new(),
    })
}

/// `text` made safe in a URL's path or query.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
