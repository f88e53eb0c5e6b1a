//! Linkage from start to end: records prepared, blocked, compared, weighed, clustered.

use crate::block::{CONTACT_KEYS, Candidate, NAME_KEYS, candidate_pairs};
use crate::cluster::{Constraints, Link, cluster};
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

/// Links `records` into patrons, respecting a person's `constraints`.
pub fn link(records: &[Record], constraints: &Constraints) -> Linkage {
    let prepared: Vec<Prepared> = records.iter().map(Prepared::new).collect();
    let pairs = candidate_pairs(&prepared);
    let levels = compare_all(&prepared, &pairs);
    // The model is learnt on samples: a million pairs teach it as much as twenty.
    let sample = |kinds: u8| -> Vec<Levels> {
        let count = pairs.iter().filter(|c| c.shared & kinds != 0).count();
        let step = count.div_ceil(SAMPLE).max(1);
        pairs
            .iter()
            .zip(&levels)
            .filter(|(c, _)| c.shared & kinds != 0)
            .step_by(step)
            .map(|(_, l)| *l)
            .collect()
    };
    let (by_names, by_contact, candidates) =
        (sample(NAME_KEYS), sample(CONTACT_KEYS), sample(u8::MAX));
    let weights = Weights::estimate(
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
        {
            let n = prepared.len() as f64;
            n * (n - 1.0) / 2.0
        },
        &random_levels(&prepared),
        prepared.iter().filter_map(|p| p.last.as_deref()),
    );
    let probability_of = |a: u32, b: u32, levels: &Levels| {
        let (pa, pb) = (&prepared[a as usize], &prepared[b as usize]);
        probability(weights.score(levels, shared_last(pa, pb)))
    };
    let links: Vec<Link> = pairs
        .iter()
        .zip(&levels)
        .map(|(c, l)| Link {
            a: c.a,
            b: c.b,
            probability: probability_of(c.a, c.b, l),
        })
        .filter(|l| l.probability >= 0.5)
        .collect();
    let groups = cluster(records.len(), &links, constraints, |a, b| {
        let l = compare(&prepared[a as usize], &prepared[b as usize]);
        probability_of(a, b, &l)
    });
    Linkage {
        groups,
        candidates: pairs.len(),
        weights,
        links,
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
