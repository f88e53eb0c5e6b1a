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
    let (records, truth): (Vec<Record>, Vec<u32>) = venue
        .patrons_with_persons()
        .into_iter()
        .map(|(identity, person)| (Record::from_identity(identity), person))
        .unzip();
    let linkage = link(&records, &Constraints::default());
    let q = pairwise(&linkage.groups, &truth);
    assert!(q.true_pairs > 500, "the demo has duplicates to find: {q:?}");
    assert!(q.precision >= 0.98, "{q:?}");
    assert!(q.recall >= 0.95, "{q:?}");
}
