//! How a linkage compares with the truth, pair by pair: of the pairs it put together, how many
//! are the same person (precision); of the pairs that are the same person, how many it put
//! together (recall).

use rustc_hash::FxHashMap;

/// Pairwise precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub predicted_pairs: u64,
    pub true_pairs: u64,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Compares `predicted` groups with `truth` groups, both one label per record.
pub fn pairwise<P: Eq + std::hash::Hash, T: Eq + std::hash::Hash>(
    predicted: &[P],
    truth: &[T],
) -> Quality {
    assert_eq!(predicted.len(), truth.len(), "one label per record in both");
    let mut by_predicted: FxHashMap<&P, u64> = FxHashMap::default();
    let mut by_truth: FxHashMap<&T, u64> = FxHashMap::default();
    let mut by_both: FxHashMap<(&P, &T), u64> = FxHashMap::default();
    for (p, t) in predicted.iter().zip(truth) {
        *by_predicted.entry(p).or_default() += 1;
        *by_truth.entry(t).or_default() += 1;
        *by_both.entry((p, t)).or_default() += 1;
    }
    let predicted_pairs: u64 = by_predicted.values().map(|&n| pairs(n)).sum();
    let true_pairs: u64 = by_truth.values().map(|&n| pairs(n)).sum();
    let right: u64 = by_both.values().map(|&n| pairs(n)).sum();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let (precision, recall) = (ratio(right, predicted_pairs), ratio(right, true_pairs));
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Quality {
        precision,
        recall,
        f1,
        predicted_pairs,
        true_pairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_counted_against_the_truth() {
        // Truth: {0,1,2} {3}; predicted: {0,1} {2,3}.
        let q = pairwise(&[0, 0, 2, 2], &["a", "a", "a", "b"]);
        assert_eq!((q.predicted_pairs, q.true_pairs), (2, 3));
        assert!((q.precision - 0.5).abs() < 1e-9);
        assert!((q.recall - 1.0 / 3.0).abs() < 1e-9);
        assert!((q.f1 - 0.4).abs() < 1e-9);
        let perfect = pairwise(&[1, 1, 5], &[7, 7, 8]);
        assert_eq!((perfect.precision, perfect.recall), (1.0, 1.0));
    }
}
