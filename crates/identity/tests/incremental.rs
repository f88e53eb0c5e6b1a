//! Linking new records against patrons linked before gives the patrons a whole linkage gives,
//! with the same model, whatever the order the records came in and the decisions taken.

use jauge_identity::{Constraints, Previous, Record, link, link_new, link_with};

fn demo_records() -> Vec<Record> {
    let venue = jauge_demo::generate(jauge_demo::DemoOptions {
        seed: 5,
        scale: 0.3,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    });
    // Ticketing accounts and emailing contacts interleaved, as imports would bring them.
    let mut records: Vec<Record> = venue
        .ticketing
        .patrons
        .iter()
        .chain(&venue.emailing.patrons)
        .map(Record::from_identity)
        .collect();
    records.sort_by(|a, b| {
        let hash = |k: &str| {
            k.bytes()
                .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
        };
        hash(&a.key).cmp(&hash(&b.key))
    });
    records
}

#[test]
fn linking_in_increments_gives_the_patrons_of_a_whole_linkage() {
    let records = demo_records();
    let n = records.len();
    assert!(n > 3000, "{n} records");
    let weights = link(&records, &Constraints::default()).weights;
    // Decisions a person took, about records of the first and of later imports.
    let constraints = Constraints {
        same: vec![(3, 5), (10, (n - 2) as u32)],
        different: vec![(0, 1), (20, (n - 5) as u32)],
    };
    let whole = link_with(&records, weights.clone(), &constraints);

    // Three imports: the first linked whole, the next two as increments.
    let cuts = [n / 2, 3 * n / 4, n];
    let first = &records[..cuts[0]];
    let before = |cut: usize| constraints.restricted(|r| (r as usize) < cut, |r| r);
    let first_constraints = before(cuts[0]);
    let mut linked = link_with(first, weights.clone(), &first_constraints);
    for &cut in &cuts[1..] {
        let so_far = before(cut);
        linked = link_new(
            &records[..cut],
            Previous {
                groups: &linked.groups,
                components: &linked.components,
            },
            weights.clone(),
            &so_far,
        );
    }
    assert_eq!(linked.groups, whole.groups);
    assert_eq!(linked.components, whole.components);
    // And the decisions hold.
    assert_eq!(whole.groups[3], whole.groups[5]);
    assert_ne!(whole.groups[0], whole.groups[1]);
}
