use super::*;
use crate::pretix::EventSnapshot;
use jauge_model::{Discipline, Lang};

fn from<T: serde::de::DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap()
}

/// A festival: an event series whose two dates are two concerts, a ticket and a T-shirt, and
/// four orders in each state.
fn festival() -> Snapshot {
    let event = EventSnapshot {
        event: from(
            r#"{"slug": "ete", "name": {"fr": "Festival d'été", "en": "Summer festival"},
                       "date_from": "2026-07-01T18:00:00Z", "has_subevents": true}"#,
        ),
        subevents: from(
            r#"[
            {"id": 11, "name": {"fr": "Orchestre du Val"}, "date_from": "2026-07-01T19:00:00+02:00"},
            {"id": 12, "name": {"fr": "Festival d'été"}, "date_from": "2026-07-02T19:00:00+02:00"}]"#,
        ),
        quotas: from(
            r#"[
            {"id": 1, "size": 150, "items": [101, 102], "subevent": 11},
            {"id": 2, "size": 400, "items": [103], "subevent": 11},
            {"id": 3, "size": null, "items": [101], "subevent": 12}]"#,
        ),
        items: from(
            r#"[
            {"id": 101, "name": {"fr": "Plein tarif"}, "default_price": "25.00", "admission": true},
            {"id": 102, "name": {"fr": "Invitation"}, "default_price": "0.00", "admission": true},
            {"id": 103, "name": {"en": "T-shirt"}, "default_price": "15.00", "admission": false}]"#,
        ),
        orders: from(
            r#"[
            {"code": "AAAA1", "status": "p", "email": "Ana@Example.fr", "phone": null,
             "datetime": "2026-05-01T10:00:00Z", "sales_channel": "web",
             "invoice_address": {"name": "Ana Lopes", "name_parts": {"given_name": "Ana", "family_name": "Lopes"},
                                 "zipcode": "37000", "city": "Tours", "country": "FR", "street": "1 rue"},
             "positions": [
                {"id": 1, "item": 101, "price": "25.00", "tax_rate": "5.50", "subevent": 11,
                 "attendee_name": null, "attendee_email": null, "canceled": false,
                 "checkins": [{"datetime": "2026-07-01T16:55:00Z", "type": "entry"}]},
                {"id": 2, "item": 101, "price": "25.00", "tax_rate": "5.50", "subevent": 11,
                 "attendee_name": "Léo Martin", "attendee_email": "leo@example.fr", "canceled": true},
                {"id": 3, "item": 103, "price": "15.00", "tax_rate": "20.00", "subevent": 11}]},
            {"code": "BBBB2", "status": "n", "email": "ana@example.fr",
             "datetime": "2026-05-02T10:00:00Z", "sales_channel": "pretixpos",
             "positions": [{"id": 4, "item": 102, "price": "0.00", "tax_rate": "0.00", "subevent": 12}]},
            {"code": "CCCC3", "status": "e", "email": null, "datetime": "2026-05-03T10:00:00Z",
             "positions": [{"id": 5, "item": 101, "price": "25.00", "subevent": 12}]},
            {"code": "DDDD4", "status": "p", "email": "x@example.fr", "datetime": "2026-05-04T10:00:00Z",
             "positions": [{"id": 6, "item": 101, "price": "vingt", "subevent": 12}]}]"#,
        ),
    };
    Snapshot {
        events: vec![event],
        generated: None,
        shape: "order: code".into(),
    }
}

fn context<'a>(source: &'a SourceName, hall: &'a Name) -> Context<'a> {
    Context {
        source,
        origin: "http://pretix.test/api/v1/organizers/o",
        hall,
        hall_capacity: Capacity::new(300).unwrap(),
        discipline: Discipline::Music,
    }
}

#[test]
fn a_festival_series_maps_to_shows_performances_tariffs_orders_and_tickets() {
    let source: SourceName = "pretix".parse().unwrap();
    let hall: Name = "Grande salle".parse().unwrap();
    let d = dataset(&festival(), &context(&source, &hall));
    assert!(
        d.problems(&[]).iter().all(|p| matches!(
            p,
            jauge_model::DatasetProblem::Dangling {
                target: jauge_model::Reference::Hall(_),
                ..
            }
        )),
        "{:?}",
        d.problems(&[])
    );

    // Each concert is a show of the festival; the date named as the series is the series.
    let titles: Vec<(&str, Option<&str>)> = d
        .shows
        .iter()
        .map(|s| (s.title.as_str(), s.festival.as_ref().map(Name::as_str)))
        .collect();
    assert_eq!(
        titles,
        [
            ("Orchestre du Val", Some("Festival d'été")),
            ("Festival d'été", None)
        ]
    );
    // Capacity: the largest quota of admission products; the hall's when none is limited.
    let capacities: Vec<u32> = d.performances.iter().map(|p| p.capacity.get()).collect();
    assert_eq!(capacities, [150, 300]);
    assert_eq!(
        d.performances[0].starts_at.to_rfc3339(),
        "2026-07-01T17:00:00+00:00"
    );
    // Tariffs: admission products only, categories from their names and prices.
    let tariffs: Vec<(&str, TariffCategory)> = d
        .tariffs
        .iter()
        .map(|t| (t.label.as_str(), t.category))
        .collect();
    assert_eq!(
        tariffs,
        [
            ("Plein tarif", TariffCategory::FullPrice),
            ("Invitation", TariffCategory::Free)
        ]
    );
    assert_eq!(
        TariffCategory::Free.label(Lang::Fr),
        "Exonéré (gratuit, invitation)"
    );

    // The order with an unreadable price is quarantined whole, with its place.
    assert_eq!(d.quarantined.len(), 1);
    assert_eq!(d.quarantined[0].raw, "event ete, order DDDD4");
    assert!(
        d.quarantined[0].reason.contains("\"vingt\""),
        "{}",
        d.quarantined[0].reason
    );
    assert_eq!(d.quarantined[0].line, 4);

    let statuses: Vec<(&str, OrderStatus, Channel)> = d
        .orders
        .iter()
        .map(|o| (o.id.as_str(), o.status, o.channel))
        .collect();
    assert_eq!(
        statuses,
        [
            ("ete-AAAA1", OrderStatus::Paid, Channel::Online),
            ("ete-BBBB2", OrderStatus::Pending, Channel::BoxOffice),
            ("ete-CCCC3", OrderStatus::Cancelled, Channel::Online),
        ]
    );
    // The T-shirt is no ticket; a cancelled position is a cancelled ticket.
    let tickets: Vec<(&str, &str, TicketStatus, u64)> = d
        .tickets
        .iter()
        .map(|t| {
            (
                t.id.as_str(),
                t.performance.as_str(),
                t.status,
                t.amount_paid.as_i64() as u64,
            )
        })
        .collect();
    assert_eq!(
        tickets,
        [
            ("1", "date-11", TicketStatus::Valid, 2500),
            ("2", "date-11", TicketStatus::Cancelled, 2500),
            ("4", "date-12", TicketStatus::Reserved, 0),
            ("5", "date-12", TicketStatus::Cancelled, 2500),
        ]
    );
    assert_eq!(d.tickets[0].vat_rate.basis_points(), 550);
    assert_eq!(
        d.tickets[0]
            .checked_in_at
            .map(|t| t.to_rfc3339())
            .as_deref(),
        Some("2026-07-01T16:55:00+00:00")
    );

    // The buyer is one person across orders whatever the case of the address; the attendee
    // with an email of their own is another; the anonymous order has no buyer.
    let ana = person_key(&source, "ana@example.fr");
    assert_eq!(d.orders[0].buyer.as_ref(), Some(&ana));
    assert_eq!(d.orders[1].buyer.as_ref(), Some(&ana));
    assert_eq!(d.orders[2].buyer, None);
    assert_eq!(
        d.tickets[1].attendee,
        Some(person_key(&source, "leo@example.fr"))
    );
    assert_eq!(d.patrons.len(), 2);
    let buyer = d
        .patrons
        .iter()
        .find(|p| p.key.as_ref() == Some(&ana))
        .unwrap();
    assert_eq!(buyer.postcode.as_deref(), Some("37000"));
    assert_eq!(buyer.first_name.as_deref(), Some("Ana"));
    assert_eq!(buyer.country.as_ref().map(|c| c.as_str()), Some("FR"));
}

#[test]
fn an_event_without_dates_is_one_performance() {
    let mut snapshot = festival();
    let event = &mut snapshot.events[0];
    event.event.has_subevents = false;
    event.subevents.clear();
    event.quotas = from(r#"[{"id": 9, "size": 120, "items": [101], "subevent": null}]"#);
    for order in &mut event.orders {
        for p in &mut order.positions {
            p.subevent = None;
        }
    }
    let source: SourceName = "pretix".parse().unwrap();
    let hall: Name = "Grande salle".parse().unwrap();
    let d = dataset(&snapshot, &context(&source, &hall));
    assert_eq!(d.performances.len(), 1);
    assert_eq!(d.performances[0].id.as_str(), "event-ete");
    assert_eq!(d.performances[0].capacity.get(), 120);
    assert!(
        d.tickets
            .iter()
            .all(|t| t.performance.as_str() == "event-ete")
    );
}
