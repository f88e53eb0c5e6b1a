//! pretix's REST API objects, as far as Jauge reads them. Unknown fields are ignored (their
//! appearance is noticed by the shape, not by these types); a field Jauge needs that is missing
//! fails the sync with the object's place.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A text pretix translates: `{"fr": "…", "en": "…"}`, or plain text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Localised {
    Plain(String),
    Languages(BTreeMap<String, String>),
}

impl Localised {
    /// The French text, else the English, else any.
    pub fn best(&self) -> &str {
        match self {
            Localised::Plain(text) => text,
            Localised::Languages(texts) => ["fr", "en"]
                .iter()
                .find_map(|l| texts.get(*l))
                .or_else(|| texts.values().next())
                .map_or("", String::as_str),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub slug: String,
    pub name: Localised,
    pub date_from: String,
    #[serde(default)]
    pub has_subevents: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SubEvent {
    pub id: u64,
    pub name: Localised,
    pub date_from: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Quota {
    pub id: u64,
    /// `None`: unlimited.
    pub size: Option<u32>,
    #[serde(default)]
    pub items: Vec<u64>,
    pub subevent: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    pub id: u64,
    pub name: Localised,
    pub default_price: Option<String>,
    /// Whether a position of this item lets someone in: a ticket, not a T-shirt or a gift.
    #[serde(default = "yes")]
    pub admission: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
pub struct Order {
    pub code: String,
    /// `n` pending, `p` paid, `e` expired, `c` cancelled.
    pub status: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub datetime: String,
    pub sales_channel: Option<String>,
    pub invoice_address: Option<InvoiceAddress>,
    #[serde(default)]
    pub positions: Vec<Position>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InvoiceAddress {
    pub name: Option<String>,
    #[serde(default)]
    pub name_parts: BTreeMap<String, serde_json::Value>,
    pub zipcode: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub street: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Position {
    pub id: u64,
    pub item: u64,
    pub price: String,
    pub tax_rate: Option<String>,
    pub subevent: Option<u64>,
    pub attendee_name: Option<String>,
    #[serde(default)]
    pub attendee_name_parts: BTreeMap<String, serde_json::Value>,
    pub attendee_email: Option<String>,
    #[serde(default)]
    pub canceled: bool,
    #[serde(default)]
    pub checkins: Vec<Checkin>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Checkin {
    pub datetime: String,
    /// `entry` or `exit`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}
