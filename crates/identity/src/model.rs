//! The Fellegi–Sunter model: for each field and level, how often two records of the same
//! person agree at that level (`m`) and how often two records of different people do (`u`).
//! Their ratio is the weight of evidence the level brings; the weights add up.
//!
//! Nothing here needs labels: `u` is measured on random pairs (almost all of different people),
//! `m` and the share of matches among candidate pairs are estimated by expectation–maximisation
//! over the candidates. An exact last name weighs by its frequency: two "Martin" say less than
//! two "Quéméneur".

use rustc_hash::FxHashMap;

use crate::compare::{FIELDS, Field, Levels};

/// The estimated model, with what each level weighs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Weights {
    /// `m[field][level]`: the share of matching pairs at that level.
    pub m: [Vec<f64>; crate::compare::FIELDS],
    /// `u[field][level]`: the share of non-matching pairs at that level.
    pub u: [Vec<f64>; crate::compare::FIELDS],
    /// The share of matches among candidate pairs.
    pub prior: f64,
    /// How often each normalised last name occurs among the records, as a share.
    last_names: FxHashMap<String, f64>,
}

/// One field's part in a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub field: Field,
    /// The level, or `None` when a record lacks the field.
    pub level: Option<u8>,
    /// The weight in bits: positive for agreement, negative for disagreement.
    pub weight: f64,
}

/// The smallest share a level is given, so that no level is ever proof.
const FLOOR: f64 = 1e-4;

/// Shares of each level among `pairs`, with `weights` per pair, smoothed.
fn shares<'a>(field: usize, pairs: impl Iterator<Item = (&'a Levels, f64)>) -> Vec<f64> {
    let levels = Field::ALL[field].levels();
    let mut counts = vec![0.0; levels];
    for (l, w) in pairs {
        if let Some(level) = l[field] {
            counts[usize::from(level)] += w;
        }
    }
    let total: f64 = counts.iter().sum::<f64>() + FLOOR * levels as f64;
    counts.iter().map(|c| (c + FLOOR) / total).collect()
}

impl Weights {
    /// Estimates the model without labels. `u` comes from `random` pairs (almost all of
    /// different people). `m` comes from expectation–maximisation over training pairs, each
    /// set blocked on some fields and estimating the others only: pairs that share their names
    /// say how often a person's email, postcode or birth year agree, pairs that share an email
    /// or phone say how often their names do (the fields a set was blocked on would only
    /// repeat the blocking). Last, the share of matches among all `candidates`. `last_names`
    /// are the normalised last names of all records, for their frequencies. `candidates` may be
    /// a sample of the `candidates_total` candidate pairs.
    pub fn estimate<'a>(
        training: &[(&[Levels], &[Field])],
        candidates: &[Levels],
        candidates_total: usize,
        all_pairs: f64,
        random: &[Levels],
        last_names: impl Iterator<Item = &'a str>,
    ) -> Weights {
        let u: [Vec<f64>; FIELDS] =
            std::array::from_fn(|f| shares(f, random.iter().map(|l| (l, 1.0))));
        // Start from a model that believes agreement.
        let mut m: [Vec<f64>; FIELDS] = std::array::from_fn(|f| {
            let levels = Field::ALL[f].levels();
            let mut m = vec![0.05 / (levels - 1) as f64; levels];
            m[levels - 1] = 0.95;
            m
        });
        let mut estimated = [false; FIELDS];
        for &(pairs, blocked) in training {
            let used: [bool; FIELDS] = std::array::from_fn(|f| !blocked.contains(&Field::ALL[f]));
            let learnt = em(pairs, &used, &m, &u);
            for f in 0..FIELDS {
                // A field is learnt from the first set that may learn it and has pairs.
                if used[f] && !estimated[f] && pairs.iter().any(|l| l[f].is_some()) {
                    m[f] = learnt[f].clone();
                    estimated[f] = true;
                }
            }
        }
        // The share of matches among the candidates, with `m` and `u` now fixed.
        let mut prior: f64 = 0.1;
        let table = bits_table(&m, &u, &[true; FIELDS]);
        let evidence: Vec<f64> = candidates.iter().map(|l| bits_of(&table, l)).collect();
        for _ in 0..30 {
            let odds = (prior / (1.0 - prior)).log2();
            let matched: f64 = evidence.iter().map(|bits| probability(odds + bits)).sum();
            prior = (matched / candidates.len().max(1) as f64).clamp(1e-6, 1.0 - 1e-6);
        }
        // `u` was measured on random pairs, so the prior must be the share of matches among
        // all pairs, not among the candidates blocking chose: names agreeing within a block
        // of similar names would otherwise count twice.
        let matches = prior * candidates_total as f64;
        let prior = (matches / all_pairs.max(1.0)).clamp(1e-12, 0.5);
        let mut counts: FxHashMap<String, f64> = FxHashMap::default();
        let mut total = 0.0;
        for name in last_names {
            *counts.entry(name.to_owned()).or_default() += 1.0;
            total += 1.0;
        }
        for share in counts.values_mut() {
            *share /= total;
        }
        Weights {
            m,
            u,
            prior,
            last_names: counts,
        }
    }

    /// The weight of one field's level, in bits; a last name the same in both records weighs
    /// by its frequency.
    fn weight(&self, field: usize, level: u8, last_name: Option<&str>) -> f64 {
        let level = usize::from(level);
        let m = self.m[field][level];
        let mut u = self.u[field][level];
        if field == 1 && level == 3 {
            if let Some(share) = last_name.and_then(|n| self.last_names.get(n)) {
                // The chance that a random other record has this very name.
                u = share.max(1e-9);
            }
        }
        (m / u).log2()
    }

    /// Each field's evidence for two records, given the last name they share (if they do).
    pub fn evidence(&self, levels: &Levels, last_name: Option<&str>) -> Vec<Evidence> {
        Field::ALL
            .iter()
            .zip(levels)
            .enumerate()
            .map(|(f, (&field, &level))| Evidence {
                field,
                level,
                weight: level.map_or(0.0, |l| self.weight(f, l, last_name)),
            })
            .collect()
    }

    /// The total weight in bits, prior included: above 0, a match is more likely than not.
    pub fn score(&self, levels: &Levels, last_name: Option<&str>) -> f64 {
        let mut bits = (self.prior / (1.0 - self.prior)).log2();
        for (f, level) in levels.iter().enumerate() {
            if let Some(level) = level {
                bits += self.weight(f, *level, last_name);
            }
        }
        bits
    }
}

/// The weight in bits of each level of each `used` field (0 for the others).
fn bits_table(
    m: &[Vec<f64>; FIELDS],
    u: &[Vec<f64>; FIELDS],
    used: &[bool; FIELDS],
) -> [[f64; 4]; FIELDS] {
    std::array::from_fn(|f| {
        std::array::from_fn(|level| match (used[f], m[f].get(level)) {
            (true, Some(m_level)) => (m_level / u[f][level]).log2(),
            _ => 0.0,
        })
    })
}

/// The evidence in bits of one comparison.
fn bits_of(table: &[[f64; 4]; FIELDS], levels: &Levels) -> f64 {
    levels
        .iter()
        .zip(table)
        .map(|(level, weights)| level.map_or(0.0, |l| weights[usize::from(l)]))
        .sum()
}

/// Expectation–maximisation of `m` over `pairs`, reading only the `used` fields, `u` fixed.
fn em(
    pairs: &[Levels],
    used: &[bool; FIELDS],
    start: &[Vec<f64>; FIELDS],
    u: &[Vec<f64>; FIELDS],
) -> [Vec<f64>; FIELDS] {
    let mut m = start.clone();
    let mut prior: f64 = 0.5;
    let mut probabilities = vec![0.0; pairs.len()];
    for _ in 0..25 {
        let table = bits_table(&m, u, used);
        let odds = (prior / (1.0 - prior)).log2();
        for (p, l) in probabilities.iter_mut().zip(pairs) {
            *p = probability(odds + bits_of(&table, l));
        }
        let matched: f64 = probabilities.iter().sum();
        prior = (matched / pairs.len().max(1) as f64).clamp(1e-6, 1.0 - 1e-6);
        for f in (0..FIELDS).filter(|&f| used[f]) {
            m[f] = shares(f, pairs.iter().zip(probabilities.iter().copied()));
        }
    }
    m
}

impl Weights {
    /// The model as text, to keep between runs.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model always serialises")
    }

    /// A model kept as text; `None` when the text is not one (written by another version).
    pub fn from_json(text: &str) -> Option<Weights> {
        serde_json::from_str(text).ok()
    }
}

/// The probability of a match from a total weight in bits.
pub fn probability(bits: f64) -> f64 {
    1.0 / (1.0 + (-bits).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model of `candidates` against `random`, learnt on the candidates themselves.
    fn estimated<'a>(
        candidates: &[Levels],
        random: &[Levels],
        names: impl Iterator<Item = &'a str>,
    ) -> Weights {
        Weights::estimate(
            &[(candidates, &[])],
            candidates,
            candidates.len(),
            candidates.len() as f64,
            random,
            names,
        )
    }

    /// Pairs where matches agree on most fields and non-matches on few.
    fn synthetic() -> (Vec<Levels>, Vec<Levels>) {
        let agree: Levels = [
            Some(3),
            Some(3),
            Some(1),
            Some(1),
            Some(2),
            Some(2),
            Some(2),
            None,
            None,
        ];
        let disagree: Levels = [
            Some(0),
            Some(0),
            Some(0),
            Some(0),
            Some(1),
            Some(0),
            Some(0),
            None,
            None,
        ];
        let mut candidates = vec![agree; 200];
        candidates.extend(vec![disagree; 800]);
        (candidates, vec![disagree; 5000])
    }

    #[test]
    fn em_finds_the_matches_without_labels() {
        let (candidates, random) = synthetic();
        let w = estimated(&candidates, &random, ["martin", "roux"].into_iter());
        assert!((w.prior - 0.2).abs() < 0.02, "prior {}", w.prior);
        assert!(probability(w.score(&candidates[0], None)) > 0.99);
        assert!(probability(w.score(&candidates[999], None)) < 0.01);
        // Agreement weighs for, disagreement against.
        let e = w.evidence(&candidates[0], None);
        assert!(
            e.iter()
                .filter(|e| e.level.is_some())
                .all(|e| e.weight > 0.0)
        );
        assert!(e[7].level.is_none() && e[7].weight == 0.0);
    }

    #[test]
    fn a_model_reads_back_from_its_text() {
        let (candidates, random) = synthetic();
        let w = estimated(&candidates, &random, ["martin", "roux"].into_iter());
        assert_eq!(Weights::from_json(&w.to_json()), Some(w));
        assert_eq!(Weights::from_json("{}"), None);
    }

    #[test]
    fn a_common_last_name_weighs_less_than_a_rare_one() {
        let (candidates, random) = synthetic();
        let names = std::iter::repeat_n("martin", 90).chain(["quemeneur"; 1]);
        let w = estimated(&candidates, &random, names);
        let levels = candidates[0];
        assert!(w.score(&levels, Some("quemeneur")) > w.score(&levels, Some("martin")));
    }
}
