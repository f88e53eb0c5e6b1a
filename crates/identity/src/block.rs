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

/// Each record's blocking keys as (hash, kind, record), sorted: records sharing a key are
/// neighbours. A million records' keys take tens of megabytes this way; two keys with the
/// same 64-bit hash only add a few pairs to compare.
fn keyed(records: &[Prepared]) -> Vec<(u64, u8, u32)> {
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
    keyed
}

/// The blocks of records sharing a key, by kind; every block, large ones included.
fn blocks(keyed: &[(u64, u8, u32)]) -> impl Iterator<Item = (u8, Vec<u32>)> + '_ {
    keyed
        .chunk_by(|x, y| (x.0, x.1) == (y.0, y.1))
        .map(|block| (block[0].1, block.iter().map(|k| k.2).collect()))
}

/// Pairs sorted and each once, the kinds of their keys merged.
fn unique(mut pairs: Vec<Candidate>) -> Vec<Candidate> {
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

/// The pairs of a block that `keep` accepts, if the block is not too large.
fn block_pairs(
    shared: u8,
    members: &[u32],
    keep: impl Fn(u32, u32) -> bool,
    pairs: &mut Vec<Candidate>,
) {
    if members.len() < 2 || members.len() > LARGEST_BLOCK {
        return;
    }
    for (n, &a) in members.iter().enumerate() {
        for &b in &members[n + 1..] {
            let (a, b) = (a.min(b), a.max(b));
            if keep(a, b) {
                pairs.push(Candidate { a, b, shared });
            }
        }
    }
}

/// The pairs of records that share a blocking key, each once, sorted.
pub fn candidate_pairs(records: &[Prepared]) -> Vec<Candidate> {
    let keyed = keyed(records);
    let mut pairs = Vec::new();
    for (shared, members) in blocks(&keyed) {
        block_pairs(shared, &members, |_, _| true, &mut pairs);
    }
    drop(keyed);
    unique(pairs)
}

/// What new records change in the blocks of records linked before (those below `known`): the
/// pairs they make with any record, and the records whose block they made too large, whose
/// earlier pairs are gone.
pub struct Increment {
    pub new_pairs: Vec<Candidate>,
    pub disturbed: Vec<u32>,
}

/// The blocking of records `known..` added to records `..known`.
pub fn increment(records: &[Prepared], known: usize) -> Increment {
    let known = known as u32;
    let keyed = keyed(records);
    let mut new_pairs = Vec::new();
    let mut disturbed = Vec::new();
    for (shared, members) in blocks(&keyed) {
        if members.iter().all(|&m| m < known) {
            continue;
        }
        let old = members.iter().filter(|&&m| m < known).count();
        if members.len() > LARGEST_BLOCK && (2..=LARGEST_BLOCK).contains(&old) {
            disturbed.extend(members.iter().filter(|&&m| m < known));
        }
        block_pairs(shared, &members, |_, b| b >= known, &mut new_pairs);
    }
    disturbed.sort_unstable();
    disturbed.dedup();
    Increment {
        new_pairs: unique(new_pairs),
        disturbed,
    }
}

/// The pairs of records within `subset` (sorted indices), blocked over all `records`: a block
/// too large among all records is left out here too.
pub fn pairs_within(records: &[Prepared], subset: &[u32]) -> Vec<Candidate> {
    let keyed = keyed(records);
    let inside = |i: u32| subset.binary_search(&i).is_ok();
    let mut pairs = Vec::new();
    for (shared, members) in blocks(&keyed) {
        if members.len() > LARGEST_BLOCK || members.iter().filter(|&&m| inside(m)).count() < 2 {
            continue;
        }
        block_pairs(shared, &members, |a, b| inside(a) && inside(b), &mut pairs);
    }
    unique(pairs)
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

    #[test]
    fn new_records_that_make_a_block_too_large_disturb_the_records_already_in_it() {
        // A shared phone (a box office's own number, say) on the last records before, and on
        // one new record.
        let with_phone = |i: usize| {
            Prepared::new(&Record {
                first_name: Some(format!("Prénom{i}")),
                last_name: Some(format!("Nom{i}")),
                phone: Some("02 47 00 00 00".into()),
                ..Record::default()
            })
        };
        let records: Vec<Prepared> = (0..=LARGEST_BLOCK).map(with_phone).collect();
        let known = LARGEST_BLOCK;
        let before = candidate_pairs(&records[..known]);
        assert_eq!(
            before.len(),
            known * (known - 1) / 2,
            "one block, every pair"
        );
        let inc = increment(&records, known);
        assert_eq!(inc.disturbed.len(), known, "the block is now too large");
        assert!(inc.new_pairs.is_empty());
        assert!(candidate_pairs(&records).is_empty());
        assert!(pairs_within(&records, &[0, 1, 2]).is_empty());
    }
}
