use rustc_hash::FxHashSet as HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    Campaign, Consent, ExternalId, Hall, Name, Order, PatronIdentity, PatronKey, Performance, Show,
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
    /// The rows of the source that could not be taken, kept for a person to see.
    pub quarantined: Vec<QuarantinedRow>,
    /// The file's shape as the importer describes it, kept to notice when the source's files
    /// change.
    pub shape: Option<String>,
    /// The changes of shape a person accepted for this batch, if any.
    pub drift_accepted: Option<String>,
}

/// A row of a source that could not be taken, with its place and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantinedRow {
    /// The line the row starts on, counting from 1.
    pub line: u64,
    /// The column at fault, counting from 0, with its header.
    pub column: Option<(usize, String)>,
    pub raw: String,
    pub reason: String,
}

impl fmt::Display for QuarantinedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some((column, header)) = &self.column {
            write!(f, ", column {} ({header})", column + 1)?;
        }
        write!(f, ": {:?}: {}", self.raw, self.reason)
    }
}

/// A record a dataset refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reference {
    Show(ExternalId),
    Performance(ExternalId),
    Tariff(ExternalId),
    Order(ExternalId),
    Patron(PatronKey),
    Hall(Name),
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Show(id) => write!(f, "show \"{id}\""),
            Reference::Performance(id) => write!(f, "performance \"{id}\""),
            Reference::Tariff(id) => write!(f, "tariff \"{id}\""),
            Reference::Order(id) => write!(f, "order \"{id}\""),
            Reference::Patron(key) => write!(f, "patron \"{key}\""),
            Reference::Hall(name) => write!(f, "hall \"{name}\""),
        }
    }
}

/// A reason a dataset cannot be stored as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatasetProblem {
    /// Two records of one kind share an identifier.
    Duplicate { kind: &'static str, id: String },
    /// A record refers to something the dataset does not hold (reported once per missing
    /// record, with the first record referring to it). The store dismisses those it already
    /// holds; the others stop the import.
    Dangling {
        kind: &'static str,
        id: String,
        field: &'static str,
        target: Reference,
    },
    /// A patron identity without a key.
    PatronWithoutKey { index: usize },
    /// A performance puts more seats on sale than its hall holds.
    CapacityAboveHall {
        performance: String,
        capacity: u32,
        hall: String,
        hall_capacity: u32,
    },
}

impl fmt::Display for DatasetProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasetProblem::Duplicate { kind, id } => {
                write!(
                    f,
                    "{kind} {id:?} appears twice; each {kind} needs its own identifier"
                )
            }
            DatasetProblem::Dangling {
                kind,
                id,
                field,
                target,
            } => write!(
                f,
                "{kind} {id:?} refers in {field} to {target}, which does not exist; \
                 import it first or correct the reference"
            ),
            DatasetProblem::PatronWithoutKey { index } => {
                write!(f, "patron record #{index} has no patron key")
            }
            DatasetProblem::CapacityAboveHall {
                performance,
                capacity,
                hall,
                hall_capacity,
            } => {
                write!(
                    f,
                    "performance {performance:?} puts {capacity} seats on sale but hall {hall:?} \
                     holds {hall_capacity}; lower the capacity or correct the hall"
                )
            }
        }
    }
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
            quarantined: Vec::new(),
            shape: None,
            drift_accepted: None,
        }
    }

    /// Every reason the dataset cannot be stored, judged from the dataset alone and the venue's
    /// halls: duplicate identifiers, capacities above their hall's, and references to records
    /// it does not hold ([`DatasetProblem::Dangling`], which the store dismisses when it holds
    /// the record already). An empty list means the dataset stands on its own.
    pub fn problems(&self, halls: &[Hall]) -> Vec<DatasetProblem> {
        let mut problems = Vec::new();
        let shows = unique_ids("show", self.shows.iter().map(|s| &s.id), &mut problems);
        let performances = unique_ids(
            "performance",
            self.performances.iter().map(|p| &p.id),
            &mut problems,
        );
        let tariffs = unique_ids("tariff", self.tariffs.iter().map(|t| &t.id), &mut problems);
        let orders = unique_ids("order", self.orders.iter().map(|o| &o.id), &mut problems);
        unique_ids("ticket", self.tickets.iter().map(|t| &t.id), &mut problems);
        unique_ids(
            "campaign",
            self.campaigns.iter().map(|c| &c.id),
            &mut problems,
        );

        let mut patrons = HashSet::default();
        for (index, identity) in self.patrons.iter().enumerate() {
            match identity.key() {
                None => problems.push(DatasetProblem::PatronWithoutKey { index }),
                Some(key) => {
                    if !patrons.insert(key) {
                        problems.push(DatasetProblem::Duplicate {
                            kind: "patron",
                            id: key.to_string(),
                        });
                    }
                }
            }
        }

        // A missing record is reported once, with the first record that refers to it: a
        // ticket list refers to each performance thousands of times.
        let mut missing = HashSet::default();
        let mut refer = |problems: &mut Vec<DatasetProblem>,
                         kind: &'static str,
                         id: &dyn fmt::Display,
                         field: &'static str,
                         target: Reference| {
            if missing.insert(target.clone()) {
                problems.push(dangling(kind, id, field, target));
            }
        };
        for p in &self.performances {
            match halls.iter().find(|h| h.name == p.hall) {
                None => refer(
                    &mut problems,
                    "performance",
                    &p.id,
                    "hall",
                    Reference::Hall(p.hall.clone()),
                ),
                Some(hall) if p.capacity > hall.capacity => {
                    problems.push(DatasetProblem::CapacityAboveHall {
                        performance: p.id.to_string(),
                        capacity: p.capacity.get(),
                        hall: p.hall.to_string(),
                        hall_capacity: hall.capacity.get(),
                    })
                }
                Some(_) => {}
            }
            if !shows.contains(&p.show) {
                refer(
                    &mut problems,
                    "performance",
                    &p.id,
                    "show",
                    Reference::Show(p.show.clone()),
                );
            }
        }
        for o in &self.orders {
            if let Some(b) = o.buyer.as_ref().filter(|b| !patrons.contains(b)) {
                refer(
                    &mut problems,
                    "order",
                    &o.id,
                    "buyer",
                    Reference::Patron(b.clone()),
                );
            }
        }
        for t in &self.tickets {
            if !orders.contains(&t.order) {
                refer(
                    &mut problems,
                    "ticket",
                    &t.id,
                    "order",
                    Reference::Order(t.order.clone()),
                );
            }
            if !performances.contains(&t.performance) {
                refer(
                    &mut problems,
                    "ticket",
                    &t.id,
                    "performance",
                    Reference::Performance(t.performance.clone()),
                );
            }
            if !tariffs.contains(&t.tariff) {
                refer(
                    &mut problems,
                    "ticket",
                    &t.id,
                    "tariff",
                    Reference::Tariff(t.tariff.clone()),
                );
            }
            if let Some(a) = t.attendee.as_ref().filter(|a| !patrons.contains(a)) {
                refer(
                    &mut problems,
                    "ticket",
                    &t.id,
                    "attendee",
                    Reference::Patron(a.clone()),
                );
            }
        }
        for c in &self.consents {
            if !patrons.contains(&c.patron) {
                refer(
                    &mut problems,
                    "consent",
                    &c.patron,
                    "patron",
                    Reference::Patron(c.patron.clone()),
                );
            }
        }
        for c in &self.campaigns {
            for e in c.events.iter().filter(|e| !patrons.contains(&e.patron)) {
                refer(
                    &mut problems,
                    "campaign",
                    &c.id,
                    "recipient",
                    Reference::Patron(e.patron.clone()),
                );
            }
        }
        problems
    }

    /// The number of facts it holds (quarantined rows are not facts), for reports.
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

fn dangling(
    kind: &'static str,
    id: &dyn fmt::Display,
    field: &'static str,
    target: Reference,
) -> DatasetProblem {
    DatasetProblem::Dangling {
        kind,
        id: id.to_string(),
        field,
        target,
    }
}

fn unique_ids<'a>(
    kind: &'static str,
    ids: impl Iterator<Item = &'a ExternalId>,
    problems: &mut Vec<DatasetProblem>,
) -> HashSet<&'a ExternalId> {
    let mut seen = HashSet::default();
    for id in ids {
        if !seen.insert(id) {
            problems.push(DatasetProblem::Duplicate {
                kind,
                id: id.to_string(),
            });
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

    fn halls() -> Vec<Hall> {
        vec![Hall {
            name: "Grande salle".parse().unwrap(),
            capacity: Capacity::new(650).unwrap(),
        }]
    }

    fn id(s: &str) -> ExternalId {
        s.parse().unwrap()
    }

    fn small(capacity: u32, ticket_performance: &str) -> Dataset {
        let mut d = Dataset::new(
            "billetterie".parse().unwrap(),
            SourceKind::TicketingExport,
            "t.csv",
        );
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
        d.tariffs.push(Tariff {
            id: id("T1"),
            label: "Plein".parse().unwrap(),
            category: TariffCategory::FullPrice,
        });
        d.orders.push(Order {
            id: id("O1"),
            channel: Channel::Online,
            created_at: Utc.with_ymd_and_hms(2026, 9, 2, 10, 0, 0).unwrap(),
            buyer: Some("pk1".parse().unwrap()),
            status: OrderStatus::Paid,
        });
        d.patrons.push(PatronIdentity {
            key: Some("pk1".parse().unwrap()),
            ..Default::default()
        });
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
        assert_eq!(small(600, "P1").problems(&halls()), vec![]);
    }

    #[test]
    fn a_ticket_for_an_unknown_performance_is_reported() {
        let problems = small(600, "P9").problems(&halls());
        assert_eq!(problems.len(), 1);
        let message = problems[0].to_string();
        assert!(
            message.contains("\"B1\"") && message.contains("\"P9\""),
            "{message}"
        );
    }

    #[test]
    fn capacity_above_the_hall_is_reported() {
        let problems = small(700, "P1").problems(&halls());
        assert!(matches!(
            problems[..],
            [DatasetProblem::CapacityAboveHall {
                capacity: 700,
                hall_capacity: 650,
                ..
            }]
        ));
    }

    #[test]
    fn duplicates_and_missing_buyers_are_reported() {
        let mut d = small(600, "P1");
        d.tickets.push(d.tickets[0].clone());
        d.patrons.clear();
        let problems = d.problems(&halls());
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, DatasetProblem::Duplicate { kind: "ticket", .. }))
        );
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, DatasetProblem::Dangling { field: "buyer", .. }))
        );
    }

    proptest! {
        #[test]
        fn only_tickets_of_known_performances_pass(name in "[A-Z][0-9]{1,3}") {
            let problems = small(600, &name).problems(&halls());
            prop_assert_eq!(problems.is_empty(), name == "P1");
        }
    }
}
