//! Crossover between venues: of each venue's buyers, the share who also bought at each other
//! venue, found by patron tokens; a count under [`MIN_PATRONS`] is suppressed, with its share.

use std::collections::HashSet;

use serde::Serialize;

use crate::contribution::Contribution;
use crate::secrecy::MIN_PATRONS;

/// Of venue `from`'s buyers, those also at venue `to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shared {
    pub from: String,
    pub to: String,
    /// `None` when suppressed: fewer than 11 buyers shared, or behind the share.
    pub buyers: Option<u64>,
    /// Of `from`'s buyers with a token.
    pub share: Option<f64>,
}

/// Every ordered pair of contributing venues, in the contributions' order.
pub fn crossover(contributions: &[&Contribution]) -> Vec<Shared> {
    let tokens: Vec<HashSet<&str>> = contributions
        .iter()
        .map(|c| c.patrons.iter().flatten().map(String::as_str).collect())
        .collect();
    let mut pairs = Vec::new();
    for (i, from) in contributions.iter().enumerate() {
        let buyers = from.patrons.len() as u64;
        for (j, to) in contributions.iter().enumerate() {
            if i == j {
                continue;
            }
            let shared = from
                .patrons
                .iter()
                .filter(|person| person.iter().any(|t| tokens[j].contains(t.as_str())))
                .count() as u64;
            pairs.push(publish(&from.venue.id, &to.venue.id, shared, buyers));
        }
    }
    pairs
}

/// The pair as it may be published: `shared` of `from`'s `buyers` (those with a token) also
/// bought at `to`; both counts must reach [`MIN_PATRONS`] to be shown.
pub fn publish(from: &str, to: &str, shared: u64, buyers: u64) -> Shared {
    let shown = shared >= MIN_PATRONS && buyers >= MIN_PATRONS;
    Shared {
        from: from.to_owned(),
        to: to.to_owned(),
        buyers: shown.then_some(shared),
        share: shown.then(|| shared as f64 / buyers as f64),
    }
}
