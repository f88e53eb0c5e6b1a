use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    Campaign, Consent, ExternalId, Name, Order, PatronIdentity, PatronKey, Performance, Show,
    SourceKind, SourceName, Tariff, Ticket,
};

/// The facts one import batch brings from one source: the unit the store writes atomically and
/// stamps with its provenance. Tickets, orders and performances refer to each other by the
/// source's own identifiers ([`ExternalId`]); patrons by [`PatronKey`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    pub source: SourceName,
    pub kind: SourceKind,
    /// Where the facts were read from: a file name or a URL.
    pub origin: String,
    pub shows: Vec<Show>,
    pub performances: Vec<Performance>,
    pub tariffs: Vec<Tariff>,
    pub patrons: Vec<PatronIdentity>,
    pub orders: Vec<Order>,
    pub tickets: Vec<Ticket>,
    pub consents: Vec<Consent>,
    pub campaigns: Vec<Campaign>,
}

/// A reason a dataset cannot be stored as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatasetProblem {
    /// Two records of one kind share an identifier.
    Duplicate { kind: &'static str, id: String },
    /// A record refers to something that is neither in the dataset nor already known.
    Dangling { kind: &'static str, id: String, field: &'static str, target: String },
    /// A patron identity without a key.
    PatronWithoutKey { index: usize },
    /// A performance puts more seats on sale than its hall holds.
    CapacityAboveHall { performance: String, capacity: u32, hall: String, hall_capacity: u32 },
}

impl fmt::Display for DatasetProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasetProblem::Duplicate { kind, id } => {
                write!(f, "{kind} {id:?} appears twice; each {kind} needs its own identifier")
            }
            DatasetProblem::Dangling { kind, id, field, target } => write!(
                f,
                "{kind} {id:?} refers in {field} to {target:?}, which does not exist; \
                 import it first or correct the reference"
            ),
            DatasetProblem::PatronWithoutKey { index } => {
                write!(f, "patron record #{index} has no patron key")
            }
            DatasetProblem::CapacityAboveHall { performance, capacity, hall, hall_capacity } => {
                write!(
                    f,
                    "performance {performance:?} puts {capacity} seats on sale but hall {hall:?} \
                     holds {hall_capacity}; lower the capacity or correct the hall"
                )
            }
        }
    }
}

/// What is already known outside the dataset, against which its references are checked.
pub trait KnownIds {
    fn hall_capacity(&self, hall: &Name) -> Option<u32>;
    fn has_show(&self, id: &ExternalId) -> bool;
    fn has_performance(&self, id: &ExternalId) -> bool;
    fn has_tariff(&self, id: &ExternalId) -> bool;
    fn has_order(&self, id: &ExternalId) -> bool;
    fn has_patron(&self, key: &PatronKey) -> bool;
}

impl Dataset {
    pub fn new(source: SourceName, kind: SourceKind, origin: impl Into<String>) -> Dataset {
        Dataset {
            source,
            kind,
            origin: origin.into(),
            shows: Vec::new(),
            performances: Vec::new(),
            tariffs: Vec::new(),
            patrons: Vec::new(),
            orders: Vec::new(),
            tickets: Vec::new(),
            consents: Vec::new(),
            campaigns: Vec::new(),
        }
    }

    /// Every reason the dataset cannot be stored: duplicate identifiers, references to
    /// records that exist neither here nor in `known`, capacities above their hall's.
    /// An empty list means the store will accept it whole.
    pub fn problems(&self, known: &dyn KnownIds) -> Vec<DatasetProblem> {
        let mut problems = Vec::new();
        let shows = unique_ids("show", self.shows.iter().map(|s| &s.id), &mut problems);
        let performances =
            unique_ids("performance", self.performances.iter().map(|p| &p.id), &mut problems);
        let tariffs = unique_ids("tariff", self.tariffs.iter().map(|t| &t.id), &mut problems);
        let orders = unique_ids("order", self.orders.iter().map(|o| &o.id), &mut problems);
        unique_ids("ticket", self.tickets.iter().map(|t| &t.id), &mut problems);
        unique_ids("campaign", self.campaigns.iter().map(|c| &c.id), &mut problems);

        let mut patrons = HashSet::new();
        for (index, identity) in self.patrons.iter().enumerate() {
            match identity.key() {
                None => problems.push(DatasetProblem::PatronWithoutKey { index }),
                Some(key) => {
                    if !patrons.insert(key) {
                        problems.push(DatasetProblem::Duplicate { kind: "patron", id: key.to_string() });
                    }
                }
            }
        }
        for p in &self.performances {
            match known.hall_capacity(&p.hall) {
                None => problems.push(DatasetProblem::Dangling {
                    kind: "performance",
                    id: p.id.to_string(),
                    field: "hall",
                    target: p.hall.to_string(),
                }),
                Some(hall_capacity) if p.capacity.get() > hall_capacity => {
                    problems.push(DatasetProblem::CapacityAboveHall {
                        performance: p.id.to_string(),
                        capacity: p.capacity.get(),
                        hall: p.hall.to_string(),
                        hall_capacity,
                    })
                }
                Some(_) => {}
            }
        }
        let patron_known = |key: &PatronKey| patrons.contains(key) || known.has_patron(key);

        let mut dangling = |kind, id: &dyn fmt::Display, field, target: &dyn fmt::Display| {
            problems.push(DatasetProblem::Dangling {
                kind,
                id: id.to_string(),
                field,
                target: target.to_string(),
            })
        };
        for p in &self.performances {
            if !shows.contains(&p.show) && !known.has_show(&p.show) {
                dangling("performance", &p.id, "show", &p.show);
            }
        }
        for o in &self.orders {
            if let Some(buyer) = &o.buyer {
                if !patron_known(buyer) {
                    dangling("order", &o.id, "buyer", buyer);
                }
            }
        }
        for t in &self.tickets {
            if !orders.contains(&t.order) && !known.has_order(&t.order) {
                dangling("ticket", &t.id, "order", &t.order);
            }
            if !performances.contains(&t.performance) && !known.has_performance(&t.performance) {
                dangling("ticket", &t.id, "performance", &t.performance);
            }
            if !tariffs.contains(&t.tariff) && !known.has_tariff(&t.tariff) {
                dangling("ticket", &t.id, "tariff", &t.tariff);
            }
            if let Some(attendee) = &t.attendee {
                if !patron_known(attendee) {
                    dangling("ticket", &t.id, "attendee", attendee);
                }
            }
        }
        for c in &self.consents {
            if !patron_known(&c.patron) {
                dangling("consent", &c.patron, "patron", &c.patron);
            }
        }
        for c in &self.campaigns {
            for e in &c.events {
                if !patron_known(&e.patron) {
                    dangling("campaign", &c.id, "recipient", &e.patron);
                }
            }
        }
        problems
    }

    /// The number of facts it holds, for reports.
    pub fn len(&self) -> usize {
        self.shows.len()
            + self.performances.len()
            + self.tariffs.len()
            + self.patrons.len()
            + self.orders.len()
            + self.tickets.len()
            + self.consents.len()
            + self.campaigns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn unique_ids<'a>(
    kind: &'static str,
    ids: impl Iterator<Item = &'a ExternalId>,
    problems: &mut Vec<DatasetProblem>,
) -> HashSet<&'a ExternalId> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            problems.push(DatasetProblem::Duplicate { kind, id: id.to_string() });
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    struct Halls;
    impl KnownIds for Halls {
        fn hall_capacity(&self, hall: &Name) -> Option<u32> {
            (hall.as_str() == "Grande salle").then_some(650)
        }
        fn has_show(&self, _: &ExternalId) -> bool {
            false
        }
        fn has_performance(&self, _: &ExternalId) -> bool {
            false
        }
        fn has_tariff(&self, _: &ExternalId) -> bool {
            false
        }
        fn has_order(&self, _: &ExternalId) -> bool {
            false
        }
        fn has_patron(&self, _: &PatronKey) -> bool {
            false
        }
    }

    fn id(s: &str) -> ExternalId {
        s.parse().unwrap()
    }

    fn small(capacity: u32, ticket_performance: &str) -> Dataset {
        let mut d = Dataset::new("billetterie".parse().unwrap(), SourceKind::TicketingExport, "t.csv");
        d.shows.push(Show {
            id: id("S1"),
            title: "Phèdre".parse().unwrap(),
            discipline: Discipline::Theatre,
            company: None,
            young_audience: false,
            coproduction: false,
            festival: None,
        });
        d.performances.push(Performance {
            id: id("P1"),
            show: id("S1"),
            hall: "Grande salle".parse().unwrap(),
            starts_at: Utc.with_ymd_and_hms(2026, 10, 2, 18, 30, 0).unwrap(),
            capacity: Capacity::new(capacity).unwrap(),
            status: PerformanceStatus::Scheduled,
        });
        d.tariffs.push(Tariff { id: id("T1"), label: "Plein".parse().unwrap(), category: TariffCategory::FullPrice });
        d.orders.push(Order {
            id: id("O1"),
            channel: Channel::Online,
            created_at: Utc.with_ymd_and_hms(2026, 9, 2, 10, 0, 0).unwrap(),
            buyer: Some("pk1".parse().unwrap()),
            status: OrderStatus::Paid,
        });
        d.patrons.push(PatronIdentity { key: Some("pk1".parse().unwrap()), ..Default::default() });
        d.tickets.push(Ticket {
            id: id("B1"),
            order: id("O1"),
            performance: id(ticket_performance),
            tariff: id("T1"),
            amount_paid: Cents::new(2500),
            face_value: Cents::new(2500),
            vat_rate: VatRate::LIVE_PERFORMANCE,
            status: TicketStatus::Valid,
            checked_in_at: None,
            attendee: None,
        });
        d
    }

    #[test]
    fn a_consistent_dataset_has_no_problem() {
        assert_eq!(small(600, "P1").problems(&Halls), vec![]);
    }

    #[test]
    fn a_ticket_for_an_unknown_performance_is_reported() {
        let problems = small(600, "P9").problems(&Halls);
        assert_eq!(problems.len(), 1);
        let message = problems[0].to_string();
        assert!(message.contains("\"B1\"") && message.contains("\"P9\""), "{message}");
    }

    #[test]
    fn capacity_above_the_hall_is_reported() {
        let problems = small(700, "P1").problems(&Halls);
        assert!(matches!(problems[..], [DatasetProblem::CapacityAboveHall { capacity: 700, hall_capacity: 650, .. }]));
    }

    #[test]
    fn duplicates_and_missing_buyers_are_reported() {
        let mut d = small(600, "P1");
        d.tickets.push(d.tickets[0].clone());
        d.patrons.clear();
        let problems = d.problems(&Halls);
        assert!(problems.iter().any(|p| matches!(p, DatasetProblem::Duplicate { kind: "ticket", .. })));
        assert!(problems.iter().any(|p| matches!(p, DatasetProblem::Dangling { field: "buyer", .. })));
    }

    proptest! {
        #[test]
        fn only_tickets_of_known_performances_pass(name in "[A-Z][0-9]{1,3}") {
            let problems = small(600, &name).problems(&Halls);
            prop_assert_eq!(problems.is_empty(), name == "P1");
        }
    }
}
