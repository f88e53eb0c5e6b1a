//! Blocking: the pairs worth comparing. Comparing every record with every other is quadratic;
//! instead each record gets several keys (its email, its phone, the start of its names in
//! either order, its postcode with the start of its last name, its birth date), and only
//! records sharing a key are compared. Several keys, so that a true match that differs on one
//! (a new email, a typo in the name) still shares another.

use rustc_hash::FxHashMap;

use crate::compare::Prepared;

/// A key shared by more records than this says little (a very common name in a large city):
/// its block is left out, and the other keys find its matches.
pub const LARGEST_BLOCK: usize = 100;

fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// The blocking keys of one record.
pub fn keys(r: &Prepared) -> Vec<String> {
    let mut keys = Vec::with_capacity(6);
    if let Some(email) = &r.email {
        keys.push(format!("e:{email}"));
        if let Some((local, _)) = email.split_once('@') {
            if local.len() >= 6 {
                keys.push(format!("l:{local}"));
            }
        }
    }
    if let Some(phone) = &r.phone {
        keys.push(format!("p:{phone}"));
    }
    let first = r.first.as_deref().unwrap_or_default();
    let last = r.last.as_deref().unwrap_or_default();
    if !first.is_empty() && !last.is_empty() {
        // In either order, so that swapped names share it.
        let (a, b) = (prefix(first, 3), prefix(last, 3));
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        keys.push(format!("n:{a}|{b}"));
    }
    if let Some(postcode) = &r.postcode {
        if !first.is_empty() && !last.is_empty() {
            // Initials in either order, for typos past the first letter.
            let (a, b) = (prefix(first, 1), prefix(last, 1));
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            keys.push(format!("c:{postcode}|{a}{b}"));
        }
    }
    if let Some(date) = &r.birth_date {
        keys.push(format!("b:{date}"));
    }
    keys
}

/// The pairs of records (by index, the smaller first) that share a blocking key, each once,
/// sorted.
pub fn candidate_pairs(records: &[Prepared]) -> Vec<(u32, u32)> {
    pairs_sharing(records, &[])
}

/// Kinds of keys: the names' ("n"), the email's ("e", "l"), the phone's ("p"), the postcode's
/// with initials ("c"), the birth date's ("b").
pub const NAME_KEYS: &[&str] = &["n:"];
/// Keys whose pairs teach how names agree: a shared phone or birth date. A shared email does
/// not: a couple or a family often shares one.
pub const CONTACT_KEYS: &[&str] = &["p:", "b:"];

/// The pairs of records that share a key of one of `kinds` (every kind when empty).
pub fn pairs_sharing(records: &[Prepared], kinds: &[&str]) -> Vec<(u32, u32)> {
    let mut blocks: FxHashMap<String, Vec<u32>> = FxHashMap::default();
    for (i, r) in records.iter().enumerate() {
        let i = u32::try_from(i).expect("fewer than 4 billion records");
        for key in keys(r) {
            if kinds.is_empty() || kinds.iter().any(|k| key.starts_with(k)) {
                blocks.entry(key).or_default().push(i);
            }
        }
    }
    let mut pairs = Vec::new();
    for members in blocks.values() {
        if members.len() < 2 || members.len() > LARGEST_BLOCK {
            continue;
        }
        for (n, &a) in members.iter().enumerate() {
            for &b in &members[n + 1..] {
                pairs.push((a.min(b), a.max(b)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Record;

    fn prepared(first: &str, last: &str, email: &str, postcode: &str) -> Prepared {
        Prepared::new(&Record {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: Some(email.into()),
            postcode: Some(postcode.into()),
            ..Record::default()
        })
    }

    #[test]
    fn duplicates_that_differ_on_one_field_still_share_a_block() {
        let records = [
            prepared("Hélène", "Lefèvre", "h.lefevre@free.fr", "37000"),
            // A new email.
            prepared("Hélène", "Lefèvre", "hl37@gmail.com", "37000"),
            // Swapped names, another postcode.
            prepared("Lefèvre", "Hélène", "h.lefevre@free.fr", "37100"),
            // A typo in the last name, a new email.
            prepared("Hélène", "Lfeèvre", "helene@orange.fr", "37000"),
            // Someone else.
            prepared("Paul", "Martin", "paul.martin@free.fr", "75011"),
        ];
        let pairs = candidate_pairs(&records);
        for pair in [(0, 1), (0, 2), (0, 3)] {
            assert!(pairs.contains(&pair), "{pair:?} in {pairs:?}");
        }
        assert!(pairs.iter().all(|&(a, b)| a != 4 && b != 4), "{pairs:?}");
    }
}
