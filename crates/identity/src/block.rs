//! Blocking: the pairs worth comparing. Comparing every record with every other is quadratic;
//! instead each record gets several keys (its email, its phone, the start of its names in
//! either order, its postcode with the start of its last name, its birth date), and only
//! records sharing a key are compared. Several keys, so that a true match that differs on one
//! (a new email, a typo in the name) still shares another.

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

/// The kinds of blocking key, by their prefix: the names' ("n"), the email's ("e", "l"), the
/// phone's ("p"), the postcode's with initials ("c"), the birth date's ("b").
const KINDS: [&str; 6] = ["n:", "e:", "l:", "p:", "c:", "b:"];

/// Keys whose pairs teach how the other fields agree: shared names.
pub const NAME_KEYS: u8 = 1;
/// Keys whose pairs teach how names agree: a shared phone or birth date. A shared email does
/// not: a couple or a family often shares one.
pub const CONTACT_KEYS: u8 = 1 << 3 | 1 << 5;

fn kind(key: &str) -> u8 {
    KINDS
        .iter()
        .position(|k| key.starts_with(k))
        .map_or(0, |i| 1 << i)
}

/// A pair of records (by index, the smaller first) and the kinds of key they share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub a: u32,
    pub b: u32,
    /// One bit per kind of key, in [`KINDS`]' order.
    pub shared: u8,
}

/// The pairs of records that share a blocking key, each once, sorted.
pub fn candidate_pairs(records: &[Prepared]) -> Vec<Candidate> {
    // Each key as a 64-bit hash beside its record, sorted: records sharing a key are then
    // neighbours, and a million records' keys take tens of megabytes, not hundreds. Two keys
    // with the same hash only add a few pairs to compare.
    let mut keyed: Vec<(u64, u8, u32)> = Vec::with_capacity(records.len() * 5);
    for (i, r) in records.iter().enumerate() {
        let i = u32::try_from(i).expect("fewer than 4 billion records");
        for key in keys(r) {
            let mut hasher = rustc_hash::FxHasher::default();
            std::hash::Hash::hash(&key, &mut hasher);
            keyed.push((std::hash::Hasher::finish(&hasher), kind(&key), i));
        }
    }
    keyed.sort_unstable();
    let mut pairs = Vec::new();
    for block in keyed.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        if block.len() < 2 || block.len() > LARGEST_BLOCK {
            continue;
        }
        let shared = block[0].1;
        for (n, &(_, _, a)) in block.iter().enumerate() {
            for &(_, _, b) in &block[n + 1..] {
                pairs.push(Candidate {
                    a: a.min(b),
                    b: a.max(b),
                    shared,
                });
            }
        }
    }
    drop(keyed);
    pairs.sort_unstable_by_key(|c| (c.a, c.b));
    pairs.dedup_by(|later, kept| {
        let same = (later.a, later.b) == (kept.a, kept.b);
        if same {
            kept.shared |= later.shared;
        }
        same
    });
    pairs.shrink_to_fit();
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
        let pairs: Vec<(u32, u32)> = candidate_pairs(&records)
            .iter()
            .map(|c| (c.a, c.b))
            .collect();
        for pair in [(0, 1), (0, 2), (0, 3)] {
            assert!(pairs.contains(&pair), "{pair:?} in {pairs:?}");
        }
        assert!(pairs.iter().all(|&(a, b)| a != 4 && b != 4), "{pairs:?}");
    }
}
