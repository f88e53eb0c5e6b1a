//! The rollups built on first read: each season's audience (`season_audience`), from one pass
//! over every person's seasons (`patron_season`, their linked records as one), and each
//! season's sales by day (`season_daily_sales`). Every write that may change them (imports,
//! linkage, a new season cut) empties them; the first read after builds them again.

use std::collections::BTreeMap;

use jauge_analytics::audience::{AudienceTally, PersonSeason, SEGMENTS, SeasonAudience, Segment};
use jauge_analytics::calendar::DaySales;
use jauge_analytics::{FREQUENCY_BANDS, SalesTotals};
use jauge_model::{Cents, TariffCategory};
use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

/// Builds the rollup if a write emptied it. A reader that finds it empty takes the write lock
/// and looks again, so two readers never both build it.
pub(super) fn ensure(conn: &Connection) -> Result<(), StoreError> {
    let built = |conn: &Connection| -> rusqlite::Result<bool> {
        conn.query_row("SELECT EXISTS (SELECT 1 FROM season_audience)", [], |r| {
            r.get(0)
        })
    };
    let has_buyers = |conn: &Connection| -> rusqlite::Result<bool> {
        conn.query_row("SELECT EXISTS (SELECT 1 FROM patron_season)", [], |r| {
            r.get(0)
        })
    };
    if built(conn)? || !has_buyers(conn)? {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    if !built(&tx)? {
        build(&tx)?;
    }
    tx.commit()?;
    Ok(())
}

fn build(conn: &Connection) -> Result<(), StoreError> {
    let seasons: Vec<i32> = conn
        .prepare("SELECT DISTINCT season_start_year FROM performance")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut tally = AudienceTally::new(&seasons);
    each_person(conn, |_, history| tally.add(history))?;
    let mut insert = conn.prepare(
        "INSERT INTO season_audience (season_start_year, figure, value) VALUES (?1, ?2, ?3)",
    )?;
    for (season, audience) in tally.finish() {
        for (figure, value) in figures(&audience) {
            insert.execute(rusqlite::params![season, figure, value])?;
        }
    }
    Ok(())
}

/// Calls `visit` with every person's key (their linked records as one) and seasons, oldest
/// first, in key order.
pub(super) fn each_person(
    conn: &Connection,
    visit: impl FnMut(&str, &[PersonSeason]),
) -> Result<(), StoreError> {
    let mut statement = conn.prepare(
        "SELECT coalesce(pe.person_key, ps.patron_key) AS who, ps.season_start_year,
                sum(ps.tickets), sum(ps.subscription_tickets)
         FROM patron_season ps LEFT JOIN person pe ON pe.patron_key = ps.patron_key
         GROUP BY who, ps.season_start_year
         ORDER BY who, ps.season_start_year",
    )?;
    let mut rows = statement.query([])?;
    let mut people = Histories::new(visit);
    while let Some(row) = rows.next()? {
        let person: &str = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        people.push(
            person,
            PersonSeason {
                season: row.get(1)?,
                tickets: row.get(2)?,
                subscription_tickets: row.get(3)?,
            },
        );
    }
    people.finish();
    Ok(())
}

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

/// One season's audience from the rollup (all zero for a season nobody bought for).
pub(super) fn read(conn: &Connection, season: i32) -> Result<SeasonAudience, StoreError> {
    let mut statement = conn
        .prepare_cached("SELECT figure, value FROM season_audience WHERE season_start_year = ?1")?;
    let rows = statement.query_map([season], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
    audience_from(rows.map(|row| row.map_err(StoreError::from)))
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

/// A season's sales by the day tickets were ordered, building them first if a write emptied
/// them (a season without sales finds nothing to build, quickly). The same pass builds the
/// season's sales by tariff category (see [`tariff_mix`]).
pub(super) fn sales_by_day(
    conn: &Connection,
    season: i32,
    tz: chrono_tz::Tz,
) -> Result<Vec<DaySales>, StoreError> {
    let read = |conn: &Connection| -> Result<Vec<DaySales>, StoreError> {
        let mut statement = conn.prepare_cached(
            "SELECT day, tickets, paid_tickets, free_tickets, subscription_tickets, revenue_cents
             FROM season_daily_sales WHERE season_start_year = ?1 ORDER BY day",
        )?;
        let rows = statement.query_map([season], |r| {
            Ok((
                r.get::<_, String>(0)?,
                [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut days = Vec::new();
        for row in rows {
            let (day, totals, revenue) = row?;
            days.push(day_sales(&day, totals, revenue)?);
        }
        Ok(days)
    };
    let days = read(conn)?;
    if !days.is_empty() {
        return Ok(days);
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let days = read(&tx)?;
    if !days.is_empty() {
        return Ok(days);
    }
    let by_day = {
        // Grouped by the quarter hour: every time zone's offset is a whole number of them, so
        // a quarter hour falls on one local day.
        let mut statement = tx.prepare(
            "SELECT o.created_at / 900, ta.category, count(*), sum(t.amount_cents > 0),
                    sum(t.amount_cents = 0), sum(t.amount_cents)
             FROM performance p
             JOIN ticket t ON t.performance_id = p.id
             JOIN sale_order o ON o.id = t.order_id
             JOIN tariff ta ON ta.id = t.tariff_id
             WHERE p.season_start_year = ?1 AND p.status = 'scheduled' AND t.status = 'valid'
             GROUP BY 1, 2",
        )?;
        let rows = statement.query_map([season], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                [r.get(2)?, r.get(3)?, r.get(4)?],
                r.get::<_, i64>(5)?,
            ))
        })?;
        let tally = tally_sales(rows.map(|row| row.map_err(StoreError::from)), tz)?;
        let mut insert = tx.prepare(
            "INSERT INTO season_daily_sales (season_start_year, day, tickets, paid_tickets,
                free_tickets, subscription_tickets, revenue_cents)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (day, s) in &tally.0 {
            insert.execute(rusqlite::params![
                season,
                day.format(DAY).to_string(),
                s.tickets,
                s.paid_tickets,
                s.free_tickets,
                s.subscription_tickets,
                s.revenue.as_i64()
            ])?;
        }
        let mut insert = tx.prepare(
            "INSERT INTO season_tariff_sales (season_start_year, category, tickets, revenue_cents)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (category, s) in &tally.1 {
            insert.execute(rusqlite::params![
                season,
                category.code(),
                s.tickets,
                s.revenue.as_i64()
            ])?;
        }
        tally.0
    };
    tx.commit()?;
    Ok(by_day
        .into_iter()
        .map(|(day, sales)| DaySales { day, sales })
        .collect())
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
            revenue: Cents::from_signed(revenue).map_err(super::corrupt)?,
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
        let category: TariffCategory = category.parse().map_err(super::corrupt)?;
        let day = super::from_seconds(quarter * 900)?
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
            revenue: Cents::from_signed(revenue).map_err(super::corrupt)?,
        };
        let total: &mut SalesTotals = by_day.entry(day).or_default();
        *total = *total + sales;
        let mix: &mut SalesTotals = by_tariff.entry(category).or_default();
        *mix = *mix + sales;
    }
    Ok((by_day, by_tariff))
}

/// A season's valid tickets and revenue by tariff category, as (category, tickets, revenue),
/// most tickets first: built with the sales by day, by the same pass.
pub(super) fn tariff_mix(
    conn: &Connection,
    season: i32,
    tz: chrono_tz::Tz,
) -> Result<Vec<(TariffCategory, u64, Cents)>, StoreError> {
    sales_by_day(conn, season, tz)?;
    let mut statement = conn.prepare_cached(
        "SELECT category, tickets, revenue_cents FROM season_tariff_sales
         WHERE season_start_year = ?1 ORDER BY tickets DESC, category",
    )?;
    let rows = statement.query_map([season], |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, i64>(2)?))
    })?;
    rows.map(|row| {
        let (category, tickets, revenue) = row?;
        super::tariff_sales(&category, tickets, revenue)
    })
    .collect()
}
