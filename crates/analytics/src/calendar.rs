//! A season's sales over the calendar: by the day tickets were ordered, by week, up to a day —
//! what "weekly sales" and "last season at the same date" are computed from.

use chrono::{Datelike, Days, NaiveDate};

use crate::{SalesTotals, SeasonFacts, SeasonSummary, summary_with_sales};

/// The valid tickets of a season's performances held, ordered on one day (in the venue's time
/// zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySales {
    pub day: NaiveDate,
    pub sales: SalesTotals,
}

/// The sales ordered up to the end of `day`.
pub fn sales_until(by_day: &[DaySales], day: NaiveDate) -> SalesTotals {
    by_day
        .iter()
        .filter(|d| d.day <= day)
        .fold(SalesTotals::default(), |acc, d| acc + d.sales)
}

/// The Monday of `day`'s week.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The sales of each week (from Monday to Sunday, named by its Monday) from the first week with
/// a sale to the last, weeks without one included; in order.
pub fn weekly(by_day: &[DaySales]) -> Vec<DaySales> {
    let (Some(first), Some(last)) = (
        by_day.iter().map(|d| d.day).min(),
        by_day.iter().map(|d| d.day).max(),
    ) else {
        return Vec::new();
    };
    let (first, last) = (week_of(first), week_of(last));
    let weeks = usize::try_from((last - first).num_weeks()).unwrap_or(0) + 1;
    let mut out: Vec<DaySales> = (0..weeks)
        .map(|i| DaySales {
            day: first + Days::new(7 * i as u64),
            sales: SalesTotals::default(),
        })
        .collect();
    for d in by_day {
        let i = usize::try_from((week_of(d.day) - first).num_weeks()).unwrap_or(0);
        out[i].sales = out[i].sales + d.sales;
    }
    out
}

/// The season's summary as its sales stood at the end of `day`: tickets ordered by then (and
/// still valid), over the capacity of its performances held. Audience figures need what each
/// buyer had bought by then, which sales by day do not say: they are left empty.
pub fn season_summary_until(
    facts: &SeasonFacts,
    by_day: &[DaySales],
    day: NaiveDate,
) -> SeasonSummary {
    let without_audience = SeasonFacts {
        season: facts.season,
        performances: facts.performances.clone(),
        audience: Default::default(),
        previous_season_patrons: 0,
    };
    summary_with_sales(&without_audience, sales_until(by_day, day))
}

/// Two seasons' tickets cumulated week after week, the previous one aligned on the same week
/// of its season, so that both curves can be drawn on one axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeasonWeeks {
    /// The Monday of each week, in this season: from the earlier of both seasons' first week
    /// of sales (in season weeks) to this season's last.
    pub weeks: Vec<NaiveDate>,
    /// This season's tickets ordered up to the end of each week.
    pub this_season: Vec<u64>,
    /// The previous season's, at the same week of its season; empty when it sold nothing.
    pub previous_season: Vec<u64>,
}

impl SeasonWeeks {
    /// The most tickets either season had sold by the end of a week, at least 1: the top of
    /// a chart of both.
    pub fn peak(&self) -> u64 {
        self.this_season
            .iter()
            .chain(&self.previous_season)
            .copied()
            .max()
            .unwrap_or(0)
            .max(1)
    }

    /// Each week's tickets as a share of [`SeasonWeeks::peak`], this season's or the
    /// previous one's.
    pub fn shares(&self, previous: bool) -> Vec<f64> {
        let peak = self.peak() as f64;
        let values = if previous {
            &self.previous_season
        } else {
            &self.this_season
        };
        values.iter().map(|&n| n as f64 / peak).collect()
    }
}

/// `season`'s sales by day and the previous season's, cumulated week by week and aligned on
/// the week of their season. `None` when the season sold nothing.
pub fn season_weeks(
    season: jauge_model::Season,
    by_day: &[DaySales],
    previous_by_day: &[DaySales],
) -> Option<SeasonWeeks> {
    let now = weekly(by_day);
    let before = weekly(previous_by_day);
    let previous = season.previous();
    let offset = |season: jauge_model::Season, week: NaiveDate| {
        (week - week_of(season.first_day())).num_weeks()
    };
    let first = offset(season, now.first()?.day)
        .min(before.first().map_or(i64::MAX, |w| offset(previous, w.day)));
    let last = offset(season, now.last()?.day);
    let cumulated = |weeks: &[DaySales], season: jauge_model::Season| -> Vec<u64> {
        let mut total = 0;
        (first..=last)
            .map(|i| {
                total += weeks
                    .iter()
                    .filter(|w| offset(season, w.day) == i)
                    .map(|w| w.sales.tickets)
                    .sum::<u64>();
                total
            })
            .collect()
    };
    let start = week_of(season.first_day());
    Some(SeasonWeeks {
        weeks: (first..=last)
            .map(|i| start + chrono::TimeDelta::weeks(i))
            .collect(),
        this_season: cumulated(&now, season),
        previous_season: if before.is_empty() {
            Vec::new()
        } else {
            cumulated(&before, previous)
        },
    })
}
