//! Who will not come back: the probability that a patron buys nothing in the coming period,
//! from their recency, frequency, spend and tenure (logistic regression, fitted by Newton's
//! method), and how such probabilities are judged — AUC, Brier score, reliability table.

use chrono::NaiveDate;
use serde::Serialize;

/// One purchase: its day and what was spent, in cents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Purchase {
    pub day: NaiveDate,
    pub cents: f64,
}

/// What the model reads of a patron's purchases before `cutoff`: recency (days since the last
/// purchase), frequency (purchases, log), spend (log of the total), spend per purchase (log),
/// tenure (days since the first purchase). `None` for a patron who had not bought by then.
pub fn features(purchases: &[Purchase], cutoff: NaiveDate) -> Option<Vec<f64>> {
    let before: Vec<&Purchase> = purchases.iter().filter(|p| p.day < cutoff).collect();
    let first = before.iter().map(|p| p.day).min()?;
    let last = before.iter().map(|p| p.day).max()?;
    let n = before.len() as f64;
    let spent: f64 = before.iter().map(|p| p.cents).sum();
    Some(vec![
        (cutoff - last).num_days() as f64,
        n.ln(),
        (1.0 + spent / 100.0).ln(),
        (1.0 + spent / 100.0 / n).ln(),
        (cutoff - first).num_days() as f64,
    ])
}

/// What the model reads of a person's seasons at the end of `season` (by its start year):
/// seasons since the last one they bought for (recency), how many seasons they bought for
/// (log), their tickets that season and in all (log), and whether they subscribed that season.
/// `None` for a person who had not bought by then.
pub fn season_features(
    history: &[jauge_analytics::audience::PersonSeason],
    season: i32,
) -> Option<Vec<f64>> {
    let before: Vec<_> = history.iter().filter(|h| h.season <= season).collect();
    let last = before.iter().map(|h| h.season).max()?;
    let now = before.iter().find(|h| h.season == season);
    let tickets: u64 = before.iter().map(|h| h.tickets).sum();
    Some(vec![
        f64::from(season - last),
        (before.len() as f64).ln(),
        (1.0 + now.map_or(0, |h| h.tickets) as f64).ln(),
        (1.0 + tickets as f64).ln(),
        f64::from(u8::from(now.is_some_and(|h| h.subscription_tickets > 0))),
    ])
}

/// The lapse backtest on a venue's people: trained on who came back for the season before
/// `season` (seen at the end of the one before that), tested on who comes back for `season`
/// (seen at the end of the previous one). The scores and outcomes of the test; `None` without
/// enough seasons.
pub fn season_backtest(
    people: &[Vec<jauge_analytics::audience::PersonSeason>],
    season: i32,
) -> Option<(Vec<f64>, Vec<bool>)> {
    let came =
        |h: &[jauge_analytics::audience::PersonSeason], s: i32| h.iter().any(|p| p.season == s);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for h in people {
        if let Some(f) = season_features(h, season - 2) {
            x.push(f);
            y.push(!came(h, season - 1));
        }
    }
    if x.len() < 20 || y.iter().all(|l| *l) || y.iter().all(|l| !*l) {
        return None;
    }
    let model = LapseModel::fit(&x, &y);
    let (mut scores, mut lapsed) = (Vec::new(), Vec::new());
    for h in people {
        if let Some(f) = season_features(h, season - 1) {
            scores.push(model.predict(&f));
            lapsed.push(!came(h, season));
        }
    }
    Some((scores, lapsed))
}

/// Whether a patron bought in `[from, to)`.
pub fn bought(purchases: &[Purchase], from: NaiveDate, to: NaiveDate) -> bool {
    purchases.iter().any(|p| p.day >= from && p.day < to)
}

/// A fitted logistic regression on standardised features.
#[derive(Debug, Clone, PartialEq)]
pub struct LapseModel {
    means: Vec<f64>,
    scales: Vec<f64>,
    /// The intercept first.
    weights: Vec<f64>,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl LapseModel {
    /// Fits P(lapse) on `x` and whether each lapsed, with a small ridge penalty for stability.
    pub fn fit(x: &[Vec<f64>], lapsed: &[bool]) -> LapseModel {
        let n = x.len().max(1) as f64;
        let p = x.first().map_or(0, Vec::len);
        let means: Vec<f64> = (0..p)
            .map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n)
            .collect();
        let scales: Vec<f64> = (0..p)
            .map(|j| {
                let var = x.iter().map(|r| (r[j] - means[j]).powi(2)).sum::<f64>() / n;
                if var > 1e-12 { var.sqrt() } else { 1.0 }
            })
            .collect();
        let z: Vec<Vec<f64>> = x
            .iter()
            .map(|r| {
                std::iter::once(1.0)
                    .chain((0..p).map(|j| (r[j] - means[j]) / scales[j]))
                    .collect()
            })
            .collect();
        let k = p + 1;
        let mut w = vec![0.0; k];
        for _ in 0..50 {
            // Newton's step: (ZᵀWZ + λI) Δ = Zᵀ(y − μ) − λw
            let mut h = vec![vec![0.0; k + 1]; k];
            for (row, &y) in z.iter().zip(lapsed) {
                let mu = sigmoid(row.iter().zip(&w).map(|(a, b)| a * b).sum());
                let weight = (mu * (1.0 - mu)).max(1e-9);
                let residual = f64::from(u8::from(y)) - mu;
                for i in 0..k {
                    for j in 0..k {
                        h[i][j] += weight * row[i] * row[j];
                    }
                    h[i][k] += row[i] * residual;
                }
            }
            for (i, r) in h.iter_mut().enumerate().skip(1) {
                r[i] += 1e-3;
                r[k] -= 1e-3 * w[i];
            }
            let step = solve(h);
            let change: f64 = step.iter().map(|s| s.abs()).sum();
            for (wi, s) in w.iter_mut().zip(&step) {
                *wi += s;
            }
            if change < 1e-9 {
                break;
            }
        }
        LapseModel {
            means,
            scales,
            weights: w,
        }
    }

    /// The probability of a lapse.
    pub fn predict(&self, x: &[f64]) -> f64 {
        let z = self.weights[0]
            + x.iter()
                .zip(&self.means)
                .zip(&self.scales)
                .zip(&self.weights[1..])
                .map(|(((v, m), s), w)| (v - m) / s * w)
                .sum::<f64>();
        sigmoid(z)
    }
}

/// Solves `a` (k rows of k + 1, augmented) by Gauss–Jordan elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>) -> Vec<f64> {
    let k = a.len();
    for col in 0..k {
        let pivot = (col..k)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        if a[col][col].abs() < 1e-12 {
            continue;
        }
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let factor = row[col] / pivot_row[col];
                for (v, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *v -= factor * p;
                }
            }
        }
    }
    (0..k)
        .map(|i| {
            if a[i][i].abs() < 1e-12 {
                0.0
            } else {
                a[i][k] / a[i][i]
            }
        })
        .collect()
}

/// The area under the ROC curve: the chance that a random positive scores above a random
/// negative (ties count half).
pub fn auc(scores: &[f64], positive: &[bool]) -> f64 {
    let mut ranked: Vec<(f64, bool)> = scores
        .iter()
        .copied()
        .zip(positive.iter().copied())
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < ranked.len() {
        let mut j = i;
        while j < ranked.len() && ranked[j].0 == ranked[i].0 {
            j += 1;
        }
        // Tied scores share the mean of their ranks (1-based).
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += mean_rank * ranked[i..j].iter().filter(|r| r.1).count() as f64;
        i = j;
    }
    let positives = ranked.iter().filter(|r| r.1).count() as f64;
    let negatives = ranked.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.5;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// The mean squared difference between probabilities and outcomes.
pub fn brier(probabilities: &[f64], outcomes: &[bool]) -> f64 {
    probabilities
        .iter()
        .zip(outcomes)
        .map(|(p, o)| (p - f64::from(u8::from(*o))).powi(2))
        .sum::<f64>()
        / probabilities.len().max(1) as f64
}

/// One bin of a reliability table: the probabilities in `[from, to)`, how many, their mean, and
/// the share that happened.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Reliability {
    pub from: f64,
    pub to: f64,
    pub count: usize,
    pub predicted: f64,
    pub observed: f64,
}

/// Probabilities against outcomes in `bins` equal bins of [0, 1]; empty bins are left out.
pub fn reliability(probabilities: &[f64], outcomes: &[bool], bins: usize) -> Vec<Reliability> {
    (0..bins)
        .filter_map(|b| {
            let (from, to) = (b as f64 / bins as f64, (b + 1) as f64 / bins as f64);
            let inside: Vec<(f64, bool)> = probabilities
                .iter()
                .zip(outcomes)
                .filter(|(p, _)| **p >= from && (**p < to || (b + 1 == bins && **p <= 1.0)))
                .map(|(p, o)| (*p, *o))
                .collect();
            (!inside.is_empty()).then(|| Reliability {
                from,
                to,
                count: inside.len(),
                predicted: inside.iter().map(|i| i.0).sum::<f64>() / inside.len() as f64,
                observed: inside.iter().filter(|i| i.1).count() as f64 / inside.len() as f64,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_the_pairs_ranked_right_and_ties_as_half() {
        assert_eq!(
            auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            0.75
        );
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), 0.5);
        assert_eq!(auc(&[0.9, 0.1], &[true, false]), 1.0);
    }

    #[test]
    fn brier_and_reliability_compare_probabilities_with_outcomes() {
        assert_eq!(brier(&[1.0, 0.0, 0.5], &[true, false, true]), 0.25 / 3.0);
        let table = reliability(&[0.05, 0.1, 0.95, 1.0], &[false, true, true, true], 10);
        assert_eq!(table.len(), 3);
        assert_eq!((table[0].count, table[0].observed), (1, 0.0));
        assert_eq!((table[2].count, table[2].predicted), (2, 0.975));
    }

    #[test]
    fn features_read_recency_frequency_spend_and_tenure_before_the_cutoff() {
        let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        let purchases = [
            Purchase {
                day: day(1, 10),
                cents: 2_000.0,
            },
            Purchase {
                day: day(3, 1),
                cents: 4_000.0,
            },
            Purchase {
                day: day(9, 1),
                cents: 9_000.0,
            },
        ];
        let x = features(&purchases, day(4, 1)).unwrap();
        assert_eq!(x[0], 31.0);
        assert_eq!(x[1], 2f64.ln());
        assert_eq!(x[4], 81.0);
        assert!(features(&purchases, day(1, 1)).is_none());
        assert!(bought(&purchases, day(4, 1), day(10, 1)));
        assert!(!bought(&purchases, day(4, 1), day(9, 1)));
    }

    #[test]
    fn the_model_learns_that_recent_buyers_come_back() {
        // Recency decides: those away long lapse.
        let x: Vec<Vec<f64>> = (0..200).map(|i| vec![f64::from(i), 1.0]).collect();
        let lapsed: Vec<bool> = (0..200).map(|i| (i * 7919) % 200 < i).collect();
        let model = LapseModel::fit(&x, &lapsed);
        assert!(model.predict(&[180.0, 1.0]) > 0.8);
        assert!(model.predict(&[10.0, 1.0]) < 0.2);
        let scores: Vec<f64> = x.iter().map(|r| model.predict(r)).collect();
        assert!(auc(&scores, &lapsed) > 0.8);
    }

    #[test]
    fn a_persons_seasons_read_as_recency_frequency_and_tickets() {
        use jauge_analytics::audience::PersonSeason;
        let seen = |season, tickets, subscription_tickets| PersonSeason {
            season,
            tickets,
            subscription_tickets,
        };
        let history = [seen(2022, 2, 0), seen(2024, 3, 3)];
        assert_eq!(
            season_features(&history, 2024).unwrap(),
            [0.0, 2f64.ln(), 4f64.ln(), 6f64.ln(), 1.0]
        );
        assert_eq!(
            season_features(&history, 2023).unwrap(),
            [1.0, 0.0, 0.0, 3f64.ln(), 0.0]
        );
        assert!(season_features(&history, 2021).is_none());
    }
}
