//! The rollups built on first read, as computed away from the database, the same on every
//! backend: each season's audience from every person's seasons (`season_audience`), and each
//! season's sales by the local day tickets were ordered and by tariff category
//! (`season_daily_sales`, `season_tariff_sales`). Each backend reads the rows and writes the
//! rollups; what they hold is decided here.

use std::collections::BTreeMap;

use jauge_analytics::audience::{PersonSeason, SEGMENTS, SeasonAudience, Segment};
use jauge_analytics::calendar::DaySales;
use jauge_analytics::{FREQUENCY_BANDS, SalesTotals};
use jauge_model::{Cents, TariffCategory};

use crate::StoreError;

/// Every person's seasons, gathered from rows in person order (oldest season first), each
/// person's handed to `visit` once they are all in: what both backends' `each_person` share.
pub(crate) struct Histories<F: FnMut(&str, &[PersonSeason])> {
    visit: F,
    who: Option<String>,
    history: Vec<PersonSeason>,
}

impl<F: FnMut(&str, &[PersonSeason])> Histories<F> {
    /// Nobody's seasons yet, each person's to be handed to `visit`.
    pub(crate) fn new(visit: F) -> Histories<F> {
        Histories {
            visit,
            who: None,
            history: Vec::new(),
        }
    }

    /// Adds one of `person`'s seasons, visiting the person before when `person` is another.
    pub(crate) fn push(&mut self, person: &str, season: PersonSeason) {
        if self.who.as_deref() != Some(person) {
            if let Some(previous) = &self.who {
                (self.visit)(previous, &self.history);
            }
            self.history.clear();
            self.who = Some(person.to_owned());
        }
        self.history.push(season);
    }

    /// Visits the last person.
    pub(crate) fn finish(mut self) {
        if let Some(last) = &self.who {
            (self.visit)(last, &self.history);
        }
    }
}

/// The rollup's rows for one season's audience: (figure, value).
pub(crate) fn figures(a: &SeasonAudience) -> Vec<(String, u64)> {
    let mut out = vec![
        ("patrons".to_owned(), a.patrons),
        ("first_timers".to_owned(), a.first_timers),
        ("returning".to_owned(), a.returning),
    ];
    for (i, n) in a.frequency.iter().enumerate() {
        out.push((format!("frequency:{i}"), *n));
    }
    for segment in SEGMENTS {
        out.push((segment_figure(segment), a.segment(segment)));
    }
    out
}

fn segment_figure(segment: Segment) -> String {
    format!("segment:{segment:?}")
}

/// One season's audience from its rows in the rollup, (figure, value): all zero without any.
pub(crate) fn audience_from(
    rows: impl IntoIterator<Item = Result<(String, u64), StoreError>>,
) -> Result<SeasonAudience, StoreError> {
    let mut a = SeasonAudience::default();
    for row in rows {
        let (figure, value) = row?;
        match figure.as_str() {
            "patrons" => a.patrons = value,
            "first_timers" => a.first_timers = value,
            "returning" => a.returning = value,
            other => {
                if let Some(band) = other
                    .strip_prefix("frequency:")
                    .and_then(|i| i.parse::<usize>().ok())
                    .filter(|&i| i < FREQUENCY_BANDS.len())
                {
                    a.frequency[band] = value;
                } else if let Some(i) = SEGMENTS.iter().position(|s| segment_figure(*s) == other) {
                    a.segments[i] = value;
                } else {
                    return Err(StoreError::Corrupt(format!(
                        "season_audience holds an unknown figure {other:?}"
                    )));
                }
            }
        }
    }
    Ok(a)
}

/// How `season_daily_sales` writes a day.
pub(crate) const DAY: &str = "%Y-%m-%d";

/// A day of `season_daily_sales` as read: the day, its tickets (all, paid, free, subscription)
/// and revenue in cents.
pub(crate) fn day_sales(
    day: &str,
    [tickets, paid_tickets, free_tickets, subscription_tickets]: [u64; 4],
    revenue: i64,
) -> Result<DaySales, StoreError> {
    Ok(DaySales {
        day: chrono::NaiveDate::parse_from_str(day, DAY)
            .map_err(|e| StoreError::Corrupt(format!("a day of sales {day:?}: {e}")))?,
        sales: SalesTotals {
            tickets,
            paid_tickets,
            free_tickets,
            subscription_tickets,
            revenue: Cents::from_signed(revenue).map_err(crate::rows::corrupt)?,
        },
    })
}

/// A season's valid tickets ordered in one quarter hour at one tariff category, as read: the
/// quarter hour (the order's instant in seconds, divided by 900), the category, the tickets
/// (all, paid, free) and their revenue in cents.
pub(crate) type QuarterSales = (i64, String, [u64; 3], i64);

/// A season's sales by the local day (in `tz`) tickets were ordered, and by tariff category.
pub(crate) type SalesTally = (
    BTreeMap<chrono::NaiveDate, SalesTotals>,
    BTreeMap<TariffCategory, SalesTotals>,
);

/// Adds a season's sales by quarter hour up by local day and by tariff category.
pub(crate) fn tally_sales(
    rows: impl IntoIterator<Item = Result<QuarterSales, StoreError>>,
    tz: chrono_tz::Tz,
) -> Result<SalesTally, StoreError> {
    let (mut by_day, mut by_tariff) = SalesTally::default();
    for row in rows {
        let (quarter, category, [tickets, paid_tickets, free_tickets], revenue) = row?;
        let category: TariffCategory = category.parse().map_err(crate::rows::corrupt)?;
        let day = crate::rows::from_seconds(quarter * 900)?
            .with_timezone(&tz)
            .date_naive();
        let sales = SalesTotals {
            tickets,
            paid_tickets,
            free_tickets,
            subscription_tickets: if category == TariffCategory::Subscription {
                tickets
            } else {
                0
            },
            revenue: Cents::from_signed(revenue).map_err(crate::rows::corrupt)?,
        };
        let total: &mut SalesTotals = by_day.entry(day).or_default();
        *total = *total + sales;
        let mix: &mut SalesTotals = by_tariff.entry(category).or_default();
        *mix = *mix + sales;
    }
    Ok((by_day, by_tariff))
}
