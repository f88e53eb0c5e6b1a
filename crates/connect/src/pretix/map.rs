//! pretix's objects as Jauge's model: a pure function from what was fetched to a [`Dataset`].
//!
//! - an event is a show; in an event series whose dates carry another name than the series
//!   (a festival), each name is a show, of the festival the series is;
//! - a date (subevent), or an event without dates, is a performance in the hall the source was
//!   connected with; its capacity is its largest quota of admission products (the hall's own
//!   capacity when no quota is limited);
//! - a product (item) is a tariff, its category read from its name;
//! - an order is an order (pending `n`, paid `p`, expired `e` and cancelled `c` ones), its buyer
//!   the person of its email, with the invoice address's name, postcode, city and country;
//! - a position of an admission product is a ticket, valid in a paid order, reserved in a
//!   pending one, cancelled otherwise; its first entry scan is its check-in; an attendee with
//!   an email other than the buyer's is a person of their own. Positions of other products
//!   (merchandise, donations) and fees are left out.

use chrono::{DateTime, Utc};
use jauge_ingest::values::{NumberFormat, parse_scaled};
use jauge_model::{
    Capacity, Cents, Channel, CompactString, CountryCode, Dataset, ExternalId, Name, Order,
    OrderStatus, PatronIdentity, PatronKey, Performance, PerformanceStatus, QuarantinedRow, Show,
    SourceKind, SourceName, Tariff, TariffCategory, Ticket, TicketStatus, VatRate,
};
use rustc_hash::FxHashMap as HashMap;

use super::payload;
use super::{EventSnapshot, Snapshot};

/// What the source's settings and the venue say that pretix does not.
pub struct Context<'a> {
    pub source: &'a SourceName,
    pub origin: &'a str,
    pub hall: &'a Name,
    pub hall_capacity: Capacity,
    pub discipline: jauge_model::Discipline,
}

/// The facts of `snapshot` as one dataset; orders that cannot be read are quarantined with
/// their place (event, order code) and reason, the rest is kept.
pub fn dataset(snapshot: &Snapshot, context: &Context) -> Dataset {
    let mut dataset = Dataset::new(context.source.clone(), SourceKind::Pretix, context.origin);
    let mut patrons: HashMap<PatronKey, PatronIdentity> = HashMap::default();
    for event in &snapshot.events {
        map_event(event, context, &mut dataset, &mut patrons);
    }
    let mut patrons: Vec<PatronIdentity> = patrons.into_values().collect();
    patrons.sort_by(|a, b| a.key.cmp(&b.key));
    dataset.patrons = patrons;
    dataset.shape = Some(snapshot.shape.clone());
    dataset
}

fn map_event(
    event: &EventSnapshot,
    context: &Context,
    dataset: &mut Dataset,
    patrons: &mut HashMap<PatronKey, PatronIdentity>,
) {
    let slug = &event.event.slug;
    let title = event.event.name.best();
    let show = |title: &str, festival: Option<&str>| Show {
        id: id(if festival.is_some() {
            format!("{slug}/{title}")
        } else {
            slug.clone()
        }),
        title: name(title, slug),
        discipline: context.discipline,
        company: None,
        young_audience: false,
        coproduction: false,
        festival: festival.map(|f| name(f, slug)),
    };
    let capacity = |subevent: Option<u64>| {
        event
            .quotas
            .iter()
            .filter(|q| q.subevent == subevent)
            .filter(|q| {
                q.items.iter().any(|i| {
                    event
                        .items
                        .iter()
                        .any(|item| item.id == *i && item.admission)
                })
            })
            .filter_map(|q| q.size)
            .max()
            .and_then(|size| Capacity::new(size).ok())
            .unwrap_or(context.hall_capacity)
    };
    let performance = |id_text: String, show: &Show, starts: &str, capacity: Capacity| {
        instant(starts).map(|starts_at| Performance {
            id: id(id_text),
            show: show.id.clone(),
            hall: context.hall.clone(),
            starts_at,
            capacity,
            status: PerformanceStatus::Scheduled,
        })
    };
    let mut shows: Vec<Show> = Vec::new();
    if event.event.has_subevents {
        for subevent in &event.subevents {
            let own = subevent.name.best();
            let show = if own.trim().is_empty() || own == title {
                show(title, None)
            } else {
                show(own, Some(title))
            };
            let seats = capacity(Some(subevent.id));
            dataset.performances.extend(performance(
                subevent_id(subevent.id),
                &show,
                &subevent.date_from,
                seats,
            ));
            if !shows.iter().any(|s| s.id == show.id) {
                shows.push(show);
            }
        }
    } else {
        let show = show(title, None);
        let seats = capacity(None);
        dataset.performances.extend(performance(
            event_id(slug),
            &show,
            &event.event.date_from,
            seats,
        ));
        shows.push(show);
    }
    dataset.shows.extend(shows);

    for item in event.items.iter().filter(|i| i.admission) {
        let label = item.name.best();
        let free = item
            .default_price
            .as_deref()
            .and_then(cents)
            .is_some_and(|c| c.is_zero());
        let category = jauge_ingest::vocabulary::tariff_category(label).unwrap_or(if free {
            TariffCategory::Free
        } else {
            // A ticket whose name says nothing else is the full price.
            TariffCategory::FullPrice
        });
        dataset.tariffs.push(Tariff {
            id: id(item_id(item.id)),
            label: name(label, &format!("product {}", item.id)),
            category,
        });
    }

    for (index, order) in event.orders.iter().enumerate() {
        match map_order(slug, order, event, context) {
            Ok((order, tickets, people)) => {
                dataset.orders.push(order);
                dataset.tickets.extend(tickets);
                for person in people {
                    let key = person.key.clone().expect("keyed");
                    match patrons.remove(&key) {
                        Some(earlier) => patrons.insert(key, merged(earlier, person)),
                        None => patrons.insert(key, person),
                    };
                }
            }
            Err(reason) => dataset.quarantined.push(QuarantinedRow {
                line: index as u64 + 1,
                column: None,
                raw: format!("event {slug}, order {}", order.code),
                reason,
            }),
        }
    }
}

type Mapped = (Order, Vec<Ticket>, Vec<PatronIdentity>);

fn map_order(
    slug: &str,
    order: &payload::Order,
    event: &EventSnapshot,
    context: &Context,
) -> Result<Mapped, String> {
    let created_at = instant(&order.datetime)
        .ok_or_else(|| format!("its date {:?} is not an ISO 8601 instant", order.datetime))?;
    let (status, ticket_status) = match order.status.as_str() {
        "p" => (OrderStatus::Paid, TicketStatus::Valid),
        "n" => (OrderStatus::Pending, TicketStatus::Reserved),
        "e" | "c" => (OrderStatus::Cancelled, TicketStatus::Cancelled),
        other => return Err(format!("its status {other:?} is none of n, p, e, c")),
    };
    let mut people = Vec::new();
    let buyer_email = order
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let buyer = buyer_email.map(|email| {
        let address = order.invoice_address.clone().unwrap_or_default();
        let (first, last) = names(&address.name_parts, address.name.as_deref());
        let key = person_key(context.source, email);
        people.push(PatronIdentity {
            key: Some(key.clone()),
            first_name: first,
            last_name: last,
            email: email.parse().ok(),
            phone: text(order.phone.as_deref()),
            postcode: text(address.zipcode.as_deref()),
            city: text(address.city.as_deref()),
            country: address
                .country
                .as_deref()
                .and_then(|c| c.parse::<CountryCode>().ok()),
            birth_year: None,
            birth_date: None,
            address: text(address.street.as_deref()),
        });
        key
    });
    let order_id = id(format!("{slug}-{}", order.code));
    let mut tickets = Vec::new();
    for position in &order.positions {
        let Some(item) = event.items.iter().find(|i| i.id == position.item) else {
            return Err(format!(
                "position {} is of product {}, which the event does not list",
                position.id, position.item
            ));
        };
        if !item.admission {
            continue;
        }
        let performance = match position.subevent {
            Some(subevent) => subevent_id(subevent),
            None => event_id(slug),
        };
        let price = cents(&position.price).ok_or_else(|| {
            format!(
                "position {}'s price {:?} is not an amount",
                position.id, position.price
            )
        })?;
        let vat_rate = match position.tax_rate.as_deref() {
            None => VatRate::LIVE_PERFORMANCE,
            Some(rate) => parse_scaled(rate, &NumberFormat::ENGLISH, 2)
                .and_then(|bp| u16::try_from(bp).ok())
                .and_then(|bp| VatRate::from_basis_points(bp).ok())
                .ok_or_else(|| {
                    format!("position {}'s tax rate {rate:?} is not a rate", position.id)
                })?,
        };
        let attendee = position
            .attendee_email
            .as_deref()
            .map(str::trim)
            .filter(|e| {
                !e.is_empty() && Some(e.to_lowercase()) != buyer_email.map(str::to_lowercase)
            })
            .map(|email| {
                let (first, last) = names(
                    &position.attendee_name_parts,
                    position.attendee_name.as_deref(),
                );
                let key = person_key(context.source, email);
                people.push(PatronIdentity {
                    key: Some(key.clone()),
                    first_name: first,
                    last_name: last,
                    email: email.parse().ok(),
                    ..PatronIdentity::default()
                });
                key
            });
        tickets.push(Ticket {
            id: id(position.id.to_string()),
            order: order_id.clone(),
            performance: id(performance),
            tariff: id(item_id(item.id)),
            amount_paid: price,
            face_value: price,
            vat_rate,
            status: if position.canceled {
                TicketStatus::Cancelled
            } else {
                ticket_status
            },
            checked_in_at: position
                .checkins
                .iter()
                .filter(|c| c.kind.as_deref().is_none_or(|k| k == "entry"))
                .filter_map(|c| instant(&c.datetime))
                .min(),
            attendee,
        });
    }
    let order = Order {
        id: order_id,
        channel: channel(order.sales_channel.as_deref()),
        created_at,
        buyer,
        status,
    };
    Ok((order, tickets, people))
}

/// One person's details from two orders (`later` placed after `earlier`): what the later says,
/// else what the earlier said.
fn merged(earlier: PatronIdentity, later: PatronIdentity) -> PatronIdentity {
    PatronIdentity {
        key: later.key,
        first_name: later.first_name.or(earlier.first_name),
        last_name: later.last_name.or(earlier.last_name),
        email: later.email.or(earlier.email),
        phone: later.phone.or(earlier.phone),
        postcode: later.postcode.or(earlier.postcode),
        city: later.city.or(earlier.city),
        country: later.country.or(earlier.country),
        birth_year: later.birth_year.or(earlier.birth_year),
        birth_date: later.birth_date.or(earlier.birth_date),
        address: later.address.or(earlier.address),
    }
}

/// The key of the person of `email` in `source`: the same for every order they place, whatever
/// the case of the address.
pub fn person_key(source: &SourceName, email: &str) -> PatronKey {
    jauge_ingest::read::patron_key(source.as_str(), &email.trim().to_lowercase())
}

fn subevent_id(id: u64) -> String {
    format!("date-{id}")
}

fn event_id(slug: &str) -> String {
    format!("event-{slug}")
}

fn item_id(id: u64) -> String {
    format!("product-{id}")
}

fn id(text: impl AsRef<str>) -> ExternalId {
    let text = text.as_ref();
    let short: String = text.chars().take(200).collect();
    short.parse().expect("pretix identifiers are never empty")
}

fn name(text: &str, otherwise: &str) -> Name {
    text.parse()
        .or_else(|_| otherwise.parse())
        .unwrap_or_else(|_| "pretix".parse().expect("a name"))
}

fn text(value: Option<&str>) -> Option<CompactString> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(CompactString::from)
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn cents(text: &str) -> Option<Cents> {
    parse_scaled(text, &NumberFormat::ENGLISH, 2).and_then(|c| Cents::from_signed(c).ok())
}

/// First and last names from pretix's name parts (`given_name`, `family_name`), else from the
/// whole name, its first word being the first name.
fn names(
    parts: &std::collections::BTreeMap<String, serde_json::Value>,
    whole: Option<&str>,
) -> (Option<CompactString>, Option<CompactString>) {
    let part = |key: &str| text(parts.get(key).and_then(|v| v.as_str()));
    if part("given_name").is_some() || part("family_name").is_some() {
        return (part("given_name"), part("family_name"));
    }
    let whole = whole.map(str::to_owned).or_else(|| {
        ["full_name", "_legacy"]
            .iter()
            .find_map(|k| part(k).map(String::from))
    });
    match whole.as_deref().map(str::trim) {
        Some(w) if !w.is_empty() => match w.split_once(' ') {
            Some((first, last)) => (text(Some(first)), text(Some(last))),
            None => (None, text(Some(w))),
        },
        _ => (None, None),
    }
}

fn channel(sales_channel: Option<&str>) -> Channel {
    match sales_channel.unwrap_or("web") {
        "web" | "api" => Channel::Online,
        "pretixpos" | "box" | "boxoffice" => Channel::BoxOffice,
        "resellers" | "reseller" => Channel::Reseller,
        "phone" => Channel::Phone,
        other => jauge_ingest::vocabulary::channel(other).unwrap_or(Channel::Other),
    }
}

#[cfg(test)]
mod tests;
