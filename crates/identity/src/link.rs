//! Linkage from start to end: records prepared, blocked, compared, weighed, clustered.

use crate::block::{CONTACT_KEYS, Candidate, NAME_KEYS, candidate_pairs, increment, pairs_within};
use crate::cluster::{Constraints, LINK_THRESHOLD, Link, cluster, components};
use crate::compare::{Field, Levels, Prepared, Record, compare};
use crate::model::{Evidence, Weights, probability};

/// How many random pairs `u` is measured on.
const RANDOM_PAIRS: usize = 200_000;
/// How many pairs of each kind the model is learnt on, at most.
const SAMPLE: usize = 1_000_000;

/// What linking a set of records gave.
#[derive(Debug, Clone)]
pub struct Linkage {
    /// Each record's patron, as the smallest index of the records in it.
    pub groups: Vec<u32>,
    /// Each record's part: the records joined by strong links or decisions, which clustering
    /// never crosses (named by their smallest index). A later linkage of new records clusters
    /// again only the parts they touch.
    pub components: Vec<u32>,
    /// The model, estimated from these records.
    pub weights: Weights,
    /// The compared pairs likely enough to be the same person to be kept.
    pub links: Vec<Link>,
    /// How many pairs blocking gave to compare.
    pub candidates: usize,
}

/// A deterministic stream of pseudo-random numbers (SplitMix64): the same records always give
/// the same sample, so a linkage can be run again and give the same patrons.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Comparisons of random pairs: almost all of different people.
fn random_levels(prepared: &[Prepared]) -> Vec<Levels> {
    let n = prepared.len() as u64;
    if n < 2 {
        return Vec::new();
    }
    let mut rng = SplitMix(n);
    (0..RANDOM_PAIRS.min((n * (n - 1) / 2) as usize))
        .map(|_| {
            let a = rng.next() % n;
            let mut b = rng.next() % n;
            if a == b {
                b = (b + 1) % n;
            }
            compare(&prepared[a as usize], &prepared[b as usize])
        })
        .collect()
}

/// Compares `pairs`, on every core.
fn compare_all(prepared: &[Prepared], pairs: &[Candidate]) -> Vec<Levels> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = pairs.len().div_ceil(cores).max(1);
    let mut levels: Vec<Levels> = vec![[None; crate::compare::FIELDS]; pairs.len()];
    std::thread::scope(|scope| {
        for (out, part) in levels.chunks_mut(chunk).zip(pairs.chunks(chunk)) {
            scope.spawn(move || {
                for (l, c) in out.iter_mut().zip(part) {
                    *l = compare(&prepared[c.a as usize], &prepared[c.b as usize]);
                }
            });
        }
    });
    levels
}

/// The last name two records share, for the frequency of names.
fn shared_last<'a>(a: &'a Prepared, b: &Prepared) -> Option<&'a str> {
    match (&a.last, &b.last) {
        (Some(x), Some(y)) if x == y => Some(x),
        _ => None,
    }
}

/// Links `records` into patrons, respecting a person's `constraints`; the model is learnt from
/// the records.
pub fn link(records: &[Record], constraints: &Constraints) -> Linkage {
    let prepared: Vec<Prepared> = records.iter().map(Prepared::new).collect();
    let pairs = candidate_pairs(&prepared);
    let levels = compare_all(&prepared, &pairs);
    let weights = learn(&prepared, &pairs, &levels);
    finish(&prepared, &pairs, &levels, weights, constraints)
}

/// Links `records` with a model learnt before.
pub fn link_with(records: &[Record], weights: Weights, constraints: &Constraints) -> Linkage {
    let prepared: Vec<Prepared> = records.iter().map(Prepared::new).collect();
    let pairs = candidate_pairs(&prepared);
    let levels = compare_all(&prepared, &pairs);
    finish(&prepared, &pairs, &levels, weights, constraints)
}

/// The model, learnt on samples: a million pairs teach it as much as twenty.
fn learn(prepared: &[Prepared], pairs: &[Candidate], levels: &[Levels]) -> Weights {
    let sample = |kinds: u8| -> Vec<Levels> {
        let count = pairs.iter().filter(|c| c.shared & kinds != 0).count();
        let step = count.div_ceil(SAMPLE).max(1);
        pairs
            .iter()
            .zip(levels)
            .filter(|(c, _)| c.shared & kinds != 0)
            .step_by(step)
            .map(|(_, l)| *l)
            .collect()
    };
    let (by_names, by_contact, candidates) =
        (sample(NAME_KEYS), sample(CONTACT_KEYS), sample(u8::MAX));
    let n = prepared.len() as f64;
    Weights::estimate(
        &[
            (&by_names, &[Field::FirstName, Field::LastName]),
            (
                &by_contact,
                &[
                    Field::Email,
                    Field::Phone,
                    Field::BirthDate,
                    Field::BirthYear,
                ],
            ),
        ],
        &candidates,
        pairs.len(),
        n * (n - 1.0) / 2.0,
        &random_levels(prepared),
        prepared.iter().filter_map(|p| p.last.as_deref()),
    )
}

/// The links of compared pairs likely enough to be kept.
fn score_links(
    prepared: &[Prepared],
    pairs: &[Candidate],
    levels: &[Levels],
    weights: &Weights,
) -> Vec<Link> {
    pairs
        .iter()
        .zip(levels)
        .map(|(c, l)| {
            let (pa, pb) = (&prepared[c.a as usize], &prepared[c.b as usize]);
            Link {
                a: c.a,
                b: c.b,
                probability: probability(weights.score(l, shared_last(pa, pb))),
            }
        })
        .filter(|l| l.probability >= 0.5)
        .collect()
}

fn finish(
    prepared: &[Prepared],
    pairs: &[Candidate],
    levels: &[Levels],
    weights: Weights,
    constraints: &Constraints,
) -> Linkage {
    let links = score_links(prepared, pairs, levels, &weights);
    let groups = cluster(prepared.len(), &links, constraints, |a, b| {
        let (pa, pb) = (&prepared[a as usize], &prepared[b as usize]);
        probability(weights.score(&compare(pa, pb), shared_last(pa, pb)))
    });
    Linkage {
        components: components(prepared.len(), &links, constraints),
        groups,
        candidates: pairs.len(),
        weights,
        links,
    }
}

/// What an earlier linkage of the first records said of them.
#[derive(Debug, Clone, Copy)]
pub struct Previous<'a> {
    pub groups: &'a [u32],
    pub components: &'a [u32],
}

/// Links records added after a linkage: `records[..previous.groups.len()]` were linked before
/// with `weights`, the rest are new. Only what the new records touch is compared and clustered
/// again — the parts of the earlier linkage they link to — and the result is the one a whole
/// linkage with the same model would give.
pub fn link_new(
    records: &[Record],
    previous: Previous,
    weights: Weights,
    constraints: &Constraints,
) -> Linkage {
    let known = previous.groups.len();
    let prepared: Vec<Prepared> = records.iter().map(Prepared::new).collect();
    let increment = increment(&prepared, known);
    let levels = compare_all(&prepared, &increment.new_pairs);
    let new_links = score_links(&prepared, &increment.new_pairs, &levels, &weights);
    // The earlier parts the new records reach, through strong links, decisions, or blocks they
    // made too large.
    let mut touched: Vec<u32> = increment
        .disturbed
        .iter()
        .map(|&r| previous.components[r as usize])
        .collect();
    for l in new_links.iter().filter(|l| l.probability >= LINK_THRESHOLD) {
        touched.extend(
            [l.a, l.b]
                .into_iter()
                .filter(|&r| (r as usize) < known)
                .map(|r| previous.components[r as usize]),
        );
    }
    for &(a, b) in &constraints.same {
        for (x, y) in [(a, b), (b, a)] {
            if (x as usize) >= known && (y as usize) < known {
                touched.push(previous.components[y as usize]);
            }
        }
    }
    touched.sort_unstable();
    touched.dedup();
    let subset: Vec<u32> = (0..records.len() as u32)
        .filter(|&r| {
            r as usize >= known
                || touched
                    .binary_search(&previous.components[r as usize])
                    .is_ok()
        })
        .collect();
    // The subset linked again on its own, in its own indices (in the same order).
    let local: Vec<Prepared> = subset
        .iter()
        .map(|&r| prepared[r as usize].clone())
        .collect();
    let global_pairs = pairs_within(&prepared, &subset);
    let position = |r: u32| subset.binary_search(&r).expect("in the subset") as u32;
    let local_pairs: Vec<Candidate> = global_pairs
        .iter()
        .map(|c| Candidate {
            a: position(c.a),
            b: position(c.b),
            shared: c.shared,
        })
        .collect();
    let local_levels = compare_all(&local, &local_pairs);
    let inside = |r: u32| subset.binary_search(&r).is_ok();
    let local_constraints = constraints.restricted(inside, position);
    let part = finish(
        &local,
        &local_pairs,
        &local_levels,
        weights,
        &local_constraints,
    );
    let mut groups: Vec<u32> = previous.groups.to_vec();
    let mut parts: Vec<u32> = previous.components.to_vec();
    groups.resize(records.len(), 0);
    parts.resize(records.len(), 0);
    for (i, &r) in subset.iter().enumerate() {
        groups[r as usize] = subset[part.groups[i] as usize];
        parts[r as usize] = subset[part.components[i] as usize];
    }
    Linkage {
        groups,
        components: parts,
        candidates: increment.new_pairs.len() + local_pairs.len(),
        weights: part.weights,
        links: part
            .links
            .iter()
            .map(|l| Link {
                a: subset[l.a as usize],
                b: subset[l.b as usize],
                probability: l.probability,
            })
            .collect(),
    }
}

/// Why two records are, or are not, the same person: each field's level and weight, the total
/// and the probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub evidence: Vec<Evidence>,
    /// The total weight in bits, the prior included.
    pub bits: f64,
    pub probability: f64,
}

/// Explains the comparison of two records under `weights`.
pub fn explain(weights: &Weights, a: &Record, b: &Record) -> Explanation {
    let (pa, pb) = (Prepared::new(a), Prepared::new(b));
    let levels = compare(&pa, &pb);
    let last = shared_last(&pa, &pb);
    let bits = weights.score(&levels, last);
    Explanation {
        evidence: weights.evidence(&levels, last),
        bits,
        probability: probability(bits),
    }
}
