//! Survivorship: one person's details from the records linked to them — the golden record. Each
//! field comes from the record that holds it best: the latest valid email and phone, the most
//! complete address, names as people write them rather than in capitals.

use crate::compare::Record;
use crate::normalise;

/// Whether a name is written as people write it: with lower-case letters, not all capitals.
fn mixed_case(name: &str) -> bool {
    name.chars().any(char::is_lowercase) && name.chars().any(char::is_uppercase)
}

/// The golden record of one person from their records, each with its recency (larger is more
/// recent, such as the batch that wrote it). `key` is the person's.
pub fn golden(key: &str, records: &[(&Record, i64)]) -> Record {
    // Latest first; among equals, the records' own order.
    let mut by_recency: Vec<&(&Record, i64)> = records.iter().collect();
    by_recency.sort_by_key(|r| std::cmp::Reverse(r.1));
    let latest =
        |pick: &dyn Fn(&Record) -> Option<String>| by_recency.iter().find_map(|(r, _)| pick(r));
    let email = latest(&|r| {
        let raw = r.email.as_deref()?;
        normalise::email(raw).map(|_| raw.trim().to_lowercase())
    });
    let phone = latest(&|r| {
        let raw = r.phone.as_deref()?;
        normalise::phone(raw)
    });
    // Names: a record with both, written as people write them, the latest such.
    let named = by_recency
        .iter()
        .filter(|(r, _)| r.first_name.is_some() && r.last_name.is_some())
        .max_by_key(|(r, recency)| {
            let case = [&r.first_name, &r.last_name]
                .iter()
                .filter(|n| n.as_deref().is_some_and(mixed_case))
                .count();
            (case, *recency)
        });
    // The address: the most complete, the latest among equals.
    let placed = by_recency.iter().max_by_key(|(r, recency)| {
        (
            usize::from(r.postcode.is_some()) + usize::from(r.city.is_some()),
            *recency,
        )
    });
    Record {
        key: key.to_owned(),
        first_name: named.and_then(|(r, _)| r.first_name.clone()),
        last_name: named.and_then(|(r, _)| r.last_name.clone()),
        email,
        phone,
        postcode: placed.and_then(|(r, _)| r.postcode.clone()),
        city: placed.and_then(|(r, _)| r.city.clone()),
        birth_year: latest(&|r| r.birth_year.map(|y| y.to_string())).and_then(|y| y.parse().ok()),
        birth_date: latest(&|r| r.birth_date.clone()),
        address: latest(&|r| r.address.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_comes_from_the_record_that_holds_it_best() {
        let older = Record {
            key: "a".into(),
            first_name: Some("Hélène".into()),
            last_name: Some("Lefèvre".into()),
            email: Some("helene@free.fr".into()),
            phone: Some("06 12 34 56 78".into()),
            postcode: Some("37000".into()),
            city: Some("Tours".into()),
            birth_year: Some(1961),
            ..Record::default()
        };
        let newer = Record {
            key: "b".into(),
            first_name: Some("HELENE".into()),
            last_name: Some("LEFEVRE".into()),
            email: Some("Helene.Lefevre@Orange.fr".into()),
            phone: Some("12".into()),
            postcode: Some("37100".into()),
            ..Record::default()
        };
        let newest = Record {
            key: "c".into(),
            email: Some("not an address".into()),
            ..Record::default()
        };
        let g = golden("p", &[(&older, 1), (&newer, 2), (&newest, 3)]);
        assert_eq!(g.key, "p");
        assert_eq!(
            g.email.as_deref(),
            Some("helene.lefevre@orange.fr"),
            "the latest valid one"
        );
        assert_eq!(
            g.phone.as_deref(),
            Some("+33612345678"),
            "the latest valid one"
        );
        assert_eq!(
            (g.first_name.as_deref(), g.last_name.as_deref()),
            (Some("Hélène"), Some("Lefèvre")),
            "as people write them"
        );
        assert_eq!(
            (g.postcode.as_deref(), g.city.as_deref()),
            (Some("37000"), Some("Tours")),
            "the most complete address"
        );
        assert_eq!(g.birth_year, Some(1961));
    }
}
