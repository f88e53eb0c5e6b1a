//! Privacy by design: the rules that decide what personal data may be used, and for what.
//!
//! This crate owns those rules as pure functions: who may be contacted on a channel for a
//! purpose, from the consent ledger ([`consenting`]); whose identity the retention policy says
//! to remove ([`to_anonymise`]). It must not touch the store, files or the network: callers
//! read the facts and act on the answer (and record what they did in the audit log).

pub mod share;

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

/// With the soft opt-in (when the venue configured it): the people of [`consenting`], and the
/// recent customers (`customers`: person → a record of theirs) who never said anything on
/// that channel for that purpose — the e-mail marketing of similar offers to existing
/// customers the law allows without a consent, as long as each message lets them object. A
/// customer who ever withdrew is not there.
pub fn consenting_or_customers(
    events: &[ConsentEvent],
    person_of: &HashMap<PatronKey, PatronKey>,
    customers: &BTreeMap<PatronKey, PatronKey>,
) -> BTreeMap<PatronKey, PatronKey> {
    let mut reachable = consenting(events, person_of);
    let spoken: std::collections::BTreeSet<PatronKey> = events
        .iter()
        .map(|e| person_of.get(&e.patron).unwrap_or(&e.patron).clone())
        .collect();
    for (person, record) in customers {
        if !spoken.contains(person) {
            reachable
                .entry(person.clone())
                .or_insert_with(|| record.clone());
        }
    }
    reachable
}

/// How long identities are kept: CNIL's guidance by default — a customer's for 3 years after
/// their last purchase, a prospect's (who never bought) for 3 years after the last contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub customer_years: u32,
    pub prospect_years: u32,
}

impl Default for RetentionPolicy {
    fn default() -> RetentionPolicy {
        RetentionPolicy {
            customer_years: 3,
            prospect_years: 3,
        }
    }
}

/// A patron record's activity, as retention reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub patron: PatronKey,
    /// Its person: the records a linkage joined share it.
    pub person: PatronKey,
    pub last_purchase: Option<DateTime<Utc>>,
    /// The last consent given or withdrawn, or campaign event.
    pub last_contact: Option<DateTime<Utc>>,
    /// When the record was last imported: the contact of last resort, for a record with no
    /// contact at all.
    pub recorded_at: DateTime<Utc>,
}

/// Why a person's identity is to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// A customer whose last purchase is older than the policy allows.
    Customer { last_purchase: DateTime<Utc> },
    /// A prospect (never bought) whose last contact is older than the policy allows.
    Prospect { last_contact: DateTime<Utc> },
}

/// The people whose identity the policy says to remove on `now`, with all their records and
/// why. A person counts as a whole: one recent purchase or contact on any record keeps them
/// all.
pub fn to_anonymise(
    records: &[Activity],
    now: DateTime<Utc>,
    policy: RetentionPolicy,
) -> Vec<(PatronKey, Vec<PatronKey>, Expiry)> {
    let mut people: BTreeMap<&PatronKey, Vec<&Activity>> = BTreeMap::new();
    for r in records {
        people.entry(&r.person).or_default().push(r);
    }
    let years_before = |years: u32| {
        now.checked_sub_months(chrono::Months::new(12 * years))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    };
    people
        .into_iter()
        .filter_map(|(person, records)| {
            let purchase = records.iter().filter_map(|r| r.last_purchase).max();
            let expiry = match purchase {
                Some(last) if last < years_before(policy.customer_years) => Expiry::Customer {
                    last_purchase: last,
                },
                Some(_) => return None,
                None => {
                    let contact = records
                        .iter()
                        .map(|r| r.last_contact.unwrap_or(r.recorded_at))
                        .max()?;
                    if contact >= years_before(policy.prospect_years) {
                        return None;
                    }
                    Expiry::Prospect {
                        last_contact: contact,
                    }
                }
            };
            let mut keys: Vec<PatronKey> = records.iter().map(|r| r.patron.clone()).collect();
            keys.sort();
            Some((person.clone(), keys, expiry))
        })
        .collect()
}

#[cfg(test)]
mod soft_opt_in_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn recent_customers_who_never_objected_join_those_who_consented() {
        let key = |k: &str| k.parse::<PatronKey>().unwrap();
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let events = [
            ConsentEvent {
                patron: key("given"),
                status: ConsentStatus::Given,
                at,
            },
            ConsentEvent {
                patron: key("left"),
                status: ConsentStatus::Withdrawn,
                at,
            },
        ];
        let customers: BTreeMap<PatronKey, PatronKey> = ["left", "silent"]
            .iter()
            .map(|k| (key(k), key(k)))
            .collect();
        let reachable = consenting_or_customers(&events, &HashMap::new(), &customers);
        let people: Vec<&str> = reachable.keys().map(|k| k.as_str()).collect();
        assert_eq!(people, ["given", "silent"], "who withdrew stays out");
    }
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

#[cfg(test)]
mod retention_tests {
    use super::*;
    use chrono::TimeZone;

    fn key(k: &str) -> PatronKey {
        k.parse().unwrap()
    }

    fn at(year: i32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, 6, 1, 12, 0, 0).unwrap()
    }

    fn record(
        patron: &str,
        person: &str,
        purchase: Option<i32>,
        contact: Option<i32>,
        recorded: i32,
    ) -> Activity {
        Activity {
            patron: key(patron),
            person: key(person),
            last_purchase: purchase.map(at),
            last_contact: contact.map(at),
            recorded_at: at(recorded),
        }
    }

    #[test]
    fn customers_and_prospects_go_three_years_after_their_last_purchase_or_contact() {
        let now = at(2026);
        let records = [
            // Bought in 2022: gone. Bought in 2024: kept.
            record("old", "old", Some(2022), None, 2022),
            record("recent", "recent", Some(2024), None, 2024),
            // Two records of one person: the recent purchase on one keeps both.
            record("a1", "a", Some(2020), None, 2020),
            record("a2", "a", Some(2025), None, 2025),
            // A prospect: last contact in 2021 (gone); another contacted in 2024 (kept); one
            // never contacted, recorded in 2022 (gone).
            record("p1", "p1", None, Some(2021), 2019),
            record("p2", "p2", None, Some(2024), 2019),
            record("p3", "p3", None, None, 2022),
        ];
        let gone = to_anonymise(&records, now, RetentionPolicy::default());
        let people: Vec<&str> = gone.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(people, ["old", "p1", "p3"]);
        assert_eq!(
            gone[0].2,
            Expiry::Customer {
                last_purchase: at(2022)
            }
        );
        assert_eq!(
            gone[1].2,
            Expiry::Prospect {
                last_contact: at(2021)
            }
        );
        // A longer policy keeps them.
        let kept = to_anonymise(
            &records,
            now,
            RetentionPolicy {
                customer_years: 5,
                prospect_years: 5,
            },
        );
        assert!(kept.is_empty(), "{kept:?}");
    }
}
