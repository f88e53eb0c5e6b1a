//! Forecasts of a performance's final tickets from its booking curve so far and the curves of
//! comparable performances, with 80% intervals; and their rolling-origin backtest.
//!
//! This crate owns the forecasting methods — the revenue-management baselines (additive
//! pickup, multiplicative pickup, the median booking curve of comparables) and Jauge's model
//! (an ensemble of multiplicative pickup, pickup from past curves of the same shape, and the
//! show's whole run read against them, with locally scaled split-conformal intervals) — and how they are judged (WAPE, MAE, interval
//! coverage). Pure functions over [`Observed`] performances, and one thin shell that reads them
//! from the store ([`from_store`]); it must not write to the store, read the clock or talk to
//! the terminal.

use chrono::NaiveDate;
use jauge_model::Discipline;
use serde::Serialize;

pub mod from_store;
pub mod lapse;

/// A performance as forecasting sees it: what it is, when, its capacity, and its tickets by
/// the number of days before it they were ordered.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub id: i64,
    pub show: String,
    pub discipline: Discipline,
    pub hall: String,
    /// Its day, in the venue's time zone.
    pub day: NaiveDate,
    /// The season, by the year it starts.
    pub season: i32,
    /// Its start hour, in the venue's time zone: matinees and school performances sell
    /// otherwise than evenings.
    pub hour: u32,
    pub capacity: u32,
    /// (days before, valid tickets ordered that day).
    pub by_day: Vec<(u32, u64)>,
}

impl Observed {
    /// Tickets ordered `days` or more days before the performance: what was sold when it was
    /// `days` days away.
    pub fn sold_by(&self, days: u32) -> f64 {
        self.by_day
            .iter()
            .filter(|(d, _)| *d >= days)
            .map(|(_, t)| *t as f64)
            .sum::<f64>()
            + 0.0
    }

    /// Every ticket: its final sales, once it has taken place.
    pub fn total(&self) -> f64 {
        // + 0.0: an empty sum of floats is −0.
        self.by_day.iter().map(|(_, t)| *t as f64).sum::<f64>() + 0.0
    }

    fn capacity(&self) -> f64 {
        f64::from(self.capacity)
    }
}

/// A forecasting method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Method {
    /// Sold so far, plus what comparables sold from the same horizon on (on average).
    AdditivePickup,
    /// Sold so far, times what comparables' sales grew by from the same horizon on.
    MultiplicativePickup,
    /// Sold so far, over the share of their final sales comparables had sold by then (median).
    MedianCurve,
    /// Jauge's model: multiplicative pickup, pickup from past curves of the same shape, and
    /// the show's whole run read against those curves, averaged.
    Model,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::AdditivePickup,
        Method::MultiplicativePickup,
        Method::MedianCurve,
        Method::Model,
    ];
    pub const BASELINES: [Method; 3] = [
        Method::AdditivePickup,
        Method::MultiplicativePickup,
        Method::MedianCurve,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::AdditivePickup => "additive pickup",
            Method::MultiplicativePickup => "multiplicative pickup",
            Method::MedianCurve => "median curve",
            Method::Model => "model",
        }
    }
}

/// How many comparables a forecast looks at, the most recent first.
const COMPARABLES: usize = 24;

/// The comparables of `target` at `origin` (the day of the forecast): performances that took
/// place before it — the same hall and discipline if there are enough, else the same hall,
/// else any — the most recent first.
pub fn comparables<'a>(
    target: &Observed,
    origin: NaiveDate,
    history: &'a [Observed],
) -> Vec<&'a Observed> {
    let done: Vec<&Observed> = history
        .iter()
        .filter(|o| o.day < origin && o.id != target.id && o.total() > 0.0)
        .collect();
    let pick = |keep: &dyn Fn(&Observed) -> bool| -> Vec<&'a Observed> {
        let mut chosen: Vec<&Observed> = done.iter().copied().filter(|o| keep(o)).collect();
        chosen.sort_by_key(|o| std::cmp::Reverse(o.day));
        chosen.truncate(COMPARABLES);
        chosen
    };
    let matinee = |o: &Observed| o.hour < 17;
    let same = pick(&|o| {
        o.hall == target.hall && o.discipline == target.discipline && matinee(o) == matinee(target)
    });
    if same.len() >= 4 {
        return same;
    }
    let same = pick(&|o| o.hall == target.hall && o.discipline == target.discipline);
    if same.len() >= 4 {
        return same;
    }
    let hall = pick(&|o| o.hall == target.hall);
    if hall.len() >= 4 {
        return hall;
    }
    pick(&|_| true)
}

/// The baselines' forecasts of `target`'s final tickets at `days` before it, from its
/// comparables; `None` without comparables. In [sold so far, capacity].
pub fn baselines(target: &Observed, days: u32, comparables: &[&Observed]) -> Option<[f64; 3]> {
    if comparables.is_empty() {
        return None;
    }
    let sold = target.sold_by(days);
    let n = comparables.len() as f64;
    let additive = sold
        + comparables
            .iter()
            .map(|c| c.total() - c.sold_by(days))
            .sum::<f64>()
            / n;
    let (finals, solds): (f64, f64) = comparables
        .iter()
        .fold((0.0, 0.0), |(f, s), c| (f + c.total(), s + c.sold_by(days)));
    let multiplicative = if solds > 0.0 {
        sold * finals / solds
    } else {
        additive
    };
    let mut shares: Vec<f64> = comparables
        .iter()
        .map(|c| c.sold_by(days) / c.total())
        .collect();
    shares.sort_by(f64::total_cmp);
    let share = shares[shares.len() / 2];
    let curve = if share > 0.0 { sold / share } else { additive };
    let clip = |v: f64| v.clamp(sold, target.capacity().max(sold));
    Some([clip(additive), clip(multiplicative), clip(curve)])
}

/// The median share of their final sales `comparables` had sold `days` before.
fn median_share(comparables: &[&Observed], days: u32) -> f64 {
    let mut shares: Vec<f64> = comparables
        .iter()
        .map(|c| c.sold_by(days) / c.total())
        .collect();
    shares.sort_by(f64::total_cmp);
    shares.get(shares.len() / 2).copied().unwrap_or(0.0)
}

/// The show's run pooled: every performance of the show in the season, as it stood at
/// `origin`, read against the median curve of `target`'s comparables — how full the show is
/// heading, as a share of capacity; `None` when nothing is to be read.
fn pooled_fill(
    target: &Observed,
    origin: NaiveDate,
    comparables: &[&Observed],
    history: &[Observed],
) -> Option<f64> {
    let (mut sold, mut expected) = (0.0, 0.0);
    for o in history
        .iter()
        .filter(|o| o.show == target.show && o.season == target.season)
        .filter(|o| (o.hour < 17) == (target.hour < 17))
    {
        let away = u32::try_from((o.day - origin).num_days()).unwrap_or(0);
        sold += o.sold_by(away);
        expected += median_share(comparables, away) * o.capacity();
    }
    (expected > 0.0).then(|| sold / expected)
}

/// The model's point forecast of `target`'s final tickets at `days` before it: the mean of
/// three readings — multiplicative pickup from its comparables; multiplicative pickup from
/// the past performances whose booking curve had the same shape so far (their lead times
/// alike); and the show's whole run read against those same curves (the run's dates share the
/// show's popularity). `None` without comparables. In [sold so far, capacity].
pub fn model(target: &Observed, days: u32, history: &[Observed]) -> Option<f64> {
    let origin = target.day - chrono::Days::new(u64::from(days));
    let comparables = comparables(target, origin, history);
    let base = baselines(target, days, &comparables)?;
    let capacity = target.capacity();
    let sold = target.sold_by(days);
    let alike = alike(target, days, origin, history);
    let (shaped, curves) = if alike.len() >= 4 {
        let (finals, solds) = alike
            .iter()
            .fold((0.0, 0.0), |(f, s), o| (f + o.total(), s + o.sold_by(days)));
        (sold * finals / solds, alike)
    } else {
        (base[1], comparables)
    };
    let run = pooled_fill(target, origin, &curves, history).map_or(base[2], |fill| fill * capacity);
    Some(((base[1] + shaped + run) / 3.0).clamp(sold, capacity.max(sold)))
}

/// How many past performances of alike shape a forecast reads.
const ALIKE: usize = 12;

/// The past performances (played before `origin`, at the same time of day) whose booking curve
/// had `target`'s shape so far — the ratios of what was sold 7, 14, 30 and 60 days earlier to
/// what was sold `days` before — the nearest [`ALIKE`]; none when `target` sold nothing yet.
fn alike<'a>(
    target: &Observed,
    days: u32,
    origin: NaiveDate,
    history: &'a [Observed],
) -> Vec<&'a Observed> {
    let shape = |o: &Observed| -> Option<[f64; 4]> {
        let at = o.sold_by(days);
        (at > 0.0).then(|| [7, 14, 30, 60].map(|k| o.sold_by(days + k) / at))
    };
    let Some(mine) = shape(target) else {
        return Vec::new();
    };
    let mut alike: Vec<(f64, &Observed)> = history
        .iter()
        .filter(|o| o.day < origin && o.id != target.id && o.total() > 0.0)
        .filter(|o| (o.hour < 17) == (target.hour < 17))
        .filter_map(|o| {
            let theirs = shape(o)?;
            let distance: f64 = mine.iter().zip(&theirs).map(|(a, b)| (a - b).powi(2)).sum();
            Some((distance, o))
        })
        .collect();
    alike.sort_by(|a, b| a.0.total_cmp(&b.0));
    alike.truncate(ALIKE);
    alike.into_iter().map(|(_, o)| o).collect()
}

/// A forecast: the expected final tickets and an 80% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Forecast {
    pub tickets: f64,
    pub low: f64,
    pub high: f64,
}

/// The model calibrated for one horizon: the half-width of its 80% interval, in units of
/// [`scale`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibrated {
    pub days: u32,
    pub half_width: f64,
}

/// What a forecast's error is measured against: the sales it still expects, and 2% of the
/// capacity — a forecast that expects few more sales errs by few.
fn scale(target: &Observed, days: u32, forecast: f64) -> f64 {
    (forecast - target.sold_by(days)).max(0.0) + 0.02 * target.capacity()
}

/// How many of the most recent performances calibrate the intervals.
const RECENT: usize = 40;

/// The share of outcomes the intervals aim to cover.
pub const COVERAGE: f64 = 0.8;

/// Calibrates the model's interval for `days` before on `past` (performances that took place),
/// each forecast from those before it in `history`: split conformal prediction on the
/// [`RECENT`] most recent, the ⌈(n + 1) × 0.8⌉-th smallest of their errors, each in units of
/// what its forecast still expected to sell. `None` with fewer than 10.
pub fn calibrate(days: u32, past: &[&Observed], history: &[Observed]) -> Option<Calibrated> {
    // The most recent performances: those forecast from as much history as the next ones
    // will be.
    let mut recent: Vec<&&Observed> = past.iter().collect();
    recent.sort_by_key(|p| std::cmp::Reverse(p.day));
    recent.truncate(RECENT);
    let mut errors: Vec<f64> = recent
        .iter()
        .filter_map(|p| {
            let forecast = model(p, days, history)?;
            Some((forecast - p.total()).abs() / scale(p, days, forecast))
        })
        .collect();
    if errors.len() < 10 {
        return None;
    }
    errors.sort_by(f64::total_cmp);
    let rank = ((errors.len() as f64 + 1.0) * COVERAGE).ceil() as usize;
    Some(Calibrated {
        days,
        half_width: errors[rank.clamp(1, errors.len()) - 1],
    })
}

impl Calibrated {
    /// The model's forecast of `target` at this horizon, with its interval.
    pub fn forecast(&self, target: &Observed, history: &[Observed]) -> Option<Forecast> {
        let tickets = model(target, self.days, history)?;
        let (sold, capacity) = (target.sold_by(self.days), target.capacity());
        let clip = |v: f64| v.clamp(sold, capacity.max(sold));
        let half = self.half_width * scale(target, self.days, tickets);
        Some(Forecast {
            tickets,
            low: clip(tickets - half),
            high: clip(tickets + half),
        })
    }
}

/// How well a method did at a horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    pub method: Method,
    pub days: u32,
    pub forecasts: usize,
    /// Σ|actual − forecast| ÷ Σ actual.
    pub wape: f64,
    /// Mean |actual − forecast|, in tickets.
    pub mae: f64,
    /// Share of outcomes within the 80% interval (the model only).
    pub coverage: Option<f64>,
}

/// One forecast of the backtest: its method, the actual final tickets, the forecast and the
/// model's interval.
type Outcome = (Method, f64, f64, Option<(f64, f64)>);

/// The upcoming performances' forecasts on `today`: each one held on or after `today`, with
/// the model calibrated at its distance on the performances that took place, and whether its
/// forecast fill falls below `at_risk`. At-risk ones first, then by day.
pub fn upcoming(performances: &[Observed], today: NaiveDate, at_risk: f64) -> Vec<Upcoming> {
    let past: Vec<&Observed> = performances.iter().filter(|p| p.day < today).collect();
    let mut calibrated: std::collections::BTreeMap<u32, Option<Calibrated>> = Default::default();
    let mut out: Vec<Upcoming> = performances
        .iter()
        .filter(|p| p.day >= today)
        .map(|p| {
            let days = u32::try_from((p.day - today).num_days()).unwrap_or(0);
            let forecast = calibrated
                .entry(days)
                .or_insert_with(|| calibrate(days, &past, performances))
                .and_then(|c| c.forecast(p, performances));
            let fill = forecast.map(|f| f.tickets / p.capacity());
            Upcoming {
                id: p.id,
                days,
                sold: p.sold_by(days),
                forecast,
                at_risk: fill.is_some_and(|f| f < at_risk),
            }
        })
        .collect();
    let day: std::collections::HashMap<i64, NaiveDate> =
        performances.iter().map(|p| (p.id, p.day)).collect();
    out.sort_by_key(|u| (!u.at_risk, day[&u.id], u.id));
    out
}

/// An upcoming performance's forecast.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Upcoming {
    pub id: i64,
    /// Days until it.
    pub days: u32,
    /// Tickets sold so far.
    pub sold: f64,
    /// None without enough history to forecast from.
    pub forecast: Option<Forecast>,
    pub at_risk: bool,
}

/// How much lower the model's WAPE is than the best baseline's at `days` before, as a share
/// of the baseline's (0.15: 15% lower); `None` if either is missing.
pub fn improvement(scores: &[Score], days: u32) -> Option<f64> {
    let at = scores.iter().filter(|s| s.days == days);
    let best = at
        .clone()
        .filter(|s| s.method != Method::Model)
        .map(|s| s.wape)
        .min_by(f64::total_cmp)?;
    let model = at.clone().find(|s| s.method == Method::Model)?.wape;
    (best > 0.0).then(|| 1.0 - model / best)
}

/// The backtest as a table to read: one line a method and horizon.
pub fn table(scores: &[Score]) -> String {
    let mut out = format!(
        "{:<22} {:>5} {:>6} {:>8} {:>9}  coverage\n",
        "method", "days", "n", "WAPE", "MAE"
    );
    for s in scores {
        out.push_str(&format!(
            "{:<22} {:>5} {:>6} {:>7.1}% {:>9.1}  {}\n",
            s.method.name(),
            s.days,
            s.forecasts,
            s.wape * 100.0,
            s.mae,
            s.coverage
                .map_or(String::new(), |c| format!("{:.1}%", c * 100.0))
        ));
    }
    out
}

/// The horizons of the backtest, in days before the performance.
pub const HORIZONS: [u32; 5] = [60, 30, 14, 7, 1];

/// Rolling-origin evaluation: each season after the first is forecast, at each horizon, by
/// every method, the model's interval calibrated on the seasons before it only; performances that have not taken place
/// by `today` are left out.
pub fn backtest(performances: &[Observed], today: NaiveDate) -> Vec<Score> {
    let done: Vec<&Observed> = performances.iter().filter(|p| p.day < today).collect();
    let mut seasons: Vec<i32> = done.iter().map(|p| p.season).collect();
    seasons.sort_unstable();
    seasons.dedup();
    let mut scores = Vec::new();
    for days in HORIZONS {
        // (actual, forecast, interval) per method.
        let mut results: Vec<Outcome> = Vec::new();
        for &season in seasons.iter().skip(1) {
            let training: Vec<&Observed> =
                done.iter().copied().filter(|p| p.season < season).collect();
            let fitted = calibrate(days, &training, performances);
            for target in done.iter().filter(|p| p.season == season) {
                let origin = target.day - chrono::Days::new(u64::from(days));
                let comparables = comparables(target, origin, performances);
                let Some(base) = baselines(target, days, &comparables) else {
                    continue;
                };
                let Some(model) = fitted
                    .as_ref()
                    .and_then(|f| f.forecast(target, performances))
                else {
                    continue;
                };
                let actual = target.total();
                for (method, forecast) in Method::BASELINES.iter().zip(base) {
                    results.push((*method, actual, forecast, None));
                }
                results.push((
                    Method::Model,
                    actual,
                    model.tickets,
                    Some((model.low, model.high)),
                ));
            }
        }
        for method in Method::ALL {
            let mine: Vec<_> = results.iter().filter(|r| r.0 == method).collect();
            if mine.is_empty() {
                continue;
            }
            let errors: f64 = mine.iter().map(|r| (r.1 - r.2).abs()).sum();
            let actual: f64 = mine.iter().map(|r| r.1).sum();
            let covered = mine
                .iter()
                .filter_map(|r| r.3.map(|(low, high)| (low..=high).contains(&r.1)))
                .collect::<Vec<bool>>();
            scores.push(Score {
                method,
                days,
                forecasts: mine.len(),
                wape: if actual > 0.0 { errors / actual } else { 0.0 },
                mae: errors / mine.len() as f64,
                coverage: (!covered.is_empty())
                    .then(|| covered.iter().filter(|c| **c).count() as f64 / covered.len() as f64),
            });
        }
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A performance of `show` on `day` (of October 2025) of capacity 100, with its tickets by
    /// days before.
    fn observed(id: i64, show: &str, day: u32, by_day: Vec<(u32, u64)>) -> Observed {
        Observed {
            id,
            show: show.into(),
            discipline: Discipline::Theatre,
            hall: "Grande salle".into(),
            day: NaiveDate::from_ymd_opt(2025, 10, day).unwrap(),
            season: 2025,
            hour: 20,
            capacity: 100,
            by_day,
        }
    }

    #[test]
    fn sales_so_far_count_the_tickets_ordered_that_long_before_or_earlier() {
        let o = observed(1, "Ondine", 20, vec![(30, 10), (14, 20), (0, 5)]);
        assert_eq!(
            (o.sold_by(30), o.sold_by(14), o.sold_by(13), o.total()),
            (10.0, 30.0, 30.0, 35.0)
        );
    }

    #[test]
    fn the_baselines_read_the_comparables_three_ways() {
        // Two comparables: 20 of 80 sold at J-14, and 30 of 60.
        let a = observed(1, "A", 1, vec![(14, 20), (0, 60)]);
        let b = observed(2, "B", 2, vec![(14, 30), (0, 30)]);
        let target = observed(3, "C", 28, vec![(20, 25)]);
        let [additive, multiplicative, curve] = baselines(&target, 14, &[&a, &b]).unwrap();
        // 25 + mean(60, 30); 25 × 140 / 50; 25 ÷ median(0.25, 0.5) = 25 ÷ 0.5.
        assert_eq!(additive, 70.0);
        assert_eq!(multiplicative, 70.0);
        assert_eq!(curve, 50.0);
        // Never past capacity, never below what is sold.
        let sold_out = observed(4, "D", 28, vec![(20, 90)]);
        assert_eq!(
            baselines(&sold_out, 14, &[&a, &b]).unwrap(),
            [100.0, 100.0, 100.0]
        );
        assert!(baselines(&target, 14, &[]).is_none());
    }

    #[test]
    fn comparables_took_place_before_the_forecast_in_the_same_hall_and_slot() {
        let history: Vec<Observed> = (1..=6)
            .map(|d| observed(i64::from(d), "A", d, vec![(0, 50)]))
            .chain([observed(7, "B", 25, vec![(0, 50)])])
            .collect();
        let target = observed(9, "C", 28, vec![]);
        let origin = NaiveDate::from_ymd_opt(2025, 10, 14).unwrap();
        let chosen: Vec<i64> = comparables(&target, origin, &history)
            .iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(
            chosen,
            [6, 5, 4, 3, 2, 1],
            "the most recent first, none after the origin"
        );
    }

    #[test]
    fn the_model_reads_the_shows_whole_run() {
        // Comparables sell 30 three weeks ahead, and end at 60.
        let history: Vec<Observed> = (1..=5)
            .map(|d| observed(i64::from(d), "A", d, vec![(20, 30), (0, 30)]))
            .chain((0..3).map(|k| observed(10 + k, "Run", 28 + k as u32, vec![(20, 40)])))
            .collect();
        // Comparables had sold half by then. Each date of the run sold 40 by the origin (14 to
        // 16 days away): heading for 80, as multiplicative pickup says too.
        let forecast = model(&history[5], 14, &history).unwrap();
        assert!((forecast - 80.0).abs() < 1e-9, "{forecast}");
    }

    #[test]
    fn a_backtest_of_identical_curves_finds_no_error_and_covers_every_outcome() {
        // Three seasons of performances that all sell the same way.
        let performances: Vec<Observed> = (0..3)
            .flat_map(|season| {
                (0u32..20).map(move |d| Observed {
                    season: 2023 + season,
                    day: NaiveDate::from_ymd_opt(2023 + season, 9, 1).unwrap()
                        + chrono::Days::new(10 * u64::from(d)),
                    ..observed(
                        i64::from(season * 100) + i64::from(d),
                        &format!("S{d}"),
                        1,
                        vec![(60, 10), (30, 20), (14, 20), (7, 10), (1, 10), (0, 10)],
                    )
                })
            })
            .collect();
        let scores = backtest(&performances, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
        assert_eq!(scores.len(), HORIZONS.len() * Method::ALL.len());
        for s in &scores {
            assert!(s.wape < 1e-9, "{s:?}");
            assert_eq!(s.forecasts, 40);
        }
        assert!(scores.iter().filter_map(|s| s.coverage).all(|c| c == 1.0));
    }
}
