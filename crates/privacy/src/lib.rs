//! Privacy by design: the rules that decide what personal data may be used, and for what.
//!
//! This crate owns those rules as pure functions — so far, who may be contacted on a channel
//! for a purpose, from the consent ledger. It must not touch the store, files or the network:
//! callers read the ledger and act on the answer (and record what they did in the audit log).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use jauge_model::{ConsentStatus, PatronKey};

/// One change in the ledger, for one channel and purpose: a record's consent given or
/// withdrawn at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEvent {
    pub patron: PatronKey,
    pub status: ConsentStatus,
    pub at: DateTime<Utc>,
}

/// The people who may be contacted: those whose latest consent event, across all their
/// records (a linkage's person), is a consent given — a withdrawal on any record, if later,
/// wins. Each comes with the record that gave it (whose address is the one to use). A person
/// with no event at all is not there: no consent is no consent.
pub fn consenting(
    events: &[ConsentEvent],
    person_of: &HashMap<PatronKey, PatronKey>,
) -> BTreeMap<PatronKey, PatronKey> {
    let mut latest: BTreeMap<PatronKey, &ConsentEvent> = BTreeMap::new();
    for e in events {
        let person = person_of.get(&e.patron).unwrap_or(&e.patron).clone();
        let keep = latest.get(&person).is_none_or(|l| {
            // A later event wins; at the same instant, a withdrawal does.
            (e.at, e.status == ConsentStatus::Withdrawn)
                > (l.at, l.status == ConsentStatus::Withdrawn)
        });
        if keep {
            latest.insert(person, e);
        }
    }
    latest
        .into_iter()
        .filter(|(_, e)| e.status == ConsentStatus::Given)
        .map(|(person, e)| (person, e.patron.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn key(k: &str) -> PatronKey {
        k.parse().unwrap()
    }

    fn event(patron: &str, given: bool, day: u32) -> ConsentEvent {
        ConsentEvent {
            patron: key(patron),
            status: if given {
                ConsentStatus::Given
            } else {
                ConsentStatus::Withdrawn
            },
            at: Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap(),
        }
    }

    #[test]
    fn the_latest_event_across_a_persons_records_decides() {
        // a gave then withdrew; b gave; c's two records: one gave, the other withdrew later;
        // d withdrew then gave again; e never said anything.
        let events = [
            event("a", true, 1),
            event("a", false, 5),
            event("b", true, 2),
            event("c1", true, 3),
            event("c2", false, 4),
            event("d", false, 1),
            event("d", true, 9),
            event("f", true, 7),
            event("f", false, 7),
        ];
        let person_of: HashMap<PatronKey, PatronKey> =
            [(key("c1"), key("c")), (key("c2"), key("c"))]
                .into_iter()
                .collect();
        let reachable = consenting(&events, &person_of);
        assert_eq!(
            reachable.into_iter().collect::<Vec<_>>(),
            [(key("b"), key("b")), (key("d"), key("d"))]
        );
    }
}
