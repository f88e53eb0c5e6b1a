//! Linkage of the demo venue's patrons, measured against the truth the demo keeps aside: the
//! ticketing accounts and emailing contacts of each person.

use jauge_identity::evaluate::pairwise;
use jauge_identity::{Constraints, Record, link};

#[test]
fn the_demo_venues_patrons_are_linked_as_the_truth_says() {
    let venue = jauge_demo::generate(jauge_demo::DemoOptions {
        seed: 11,
        scale: 0.4,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    });
    let person: std::collections::HashMap<&str, u32> = venue
        .truth
        .iter()
        .map(|t| (t.patron.as_str(), t.person))
        .collect();
    let mut records = Vec::new();
    let mut truth = Vec::new();
    for identity in venue
        .ticketing
        .patrons
        .iter()
        .chain(&venue.emailing.patrons)
    {
        let record = Record::from_identity(identity);
        let p = person[record.key.as_str()];
        truth.push(p);
        records.push(record);
    }
    let linkage = link(&records, &Constraints::default());
    let q = pairwise(&linkage.groups, &truth);
    assert!(q.true_pairs > 500, "the demo has duplicates to find: {q:?}");
    assert!(q.precision >= 0.98, "{q:?}");
    assert!(q.recall >= 0.95, "{q:?}");
}
