//! The rollups built on first read, on SQLite: each season's audience (`season_audience`),
//! from one pass over every person's seasons (`patron_season`, their linked records as one),
//! and each season's sales by day (`season_daily_sales`). Every write that may change them
//! (imports, linkage, a new season cut) empties them; the first read after builds them again.
//! What they hold is decided in `crate::rollups`, for both backends.

use jauge_analytics::audience::{AudienceTally, PersonSeason, SeasonAudience};
use jauge_analytics::calendar::DaySales;
use jauge_model::{Cents, TariffCategory};
use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;
use crate::rollups::{DAY, Histories, audience_from, day_sales, figures, tally_sales};

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

/// One season's audience from the rollup (all zero for a season nobody bought for).
pub(super) fn read(conn: &Connection, season: i32) -> Result<SeasonAudience, StoreError> {
    let mut statement = conn
        .prepare_cached("SELECT figure, value FROM season_audience WHERE season_start_year = ?1")?;
    let rows = statement.query_map([season], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
    audience_from(rows.map(|row| row.map_err(StoreError::from)))
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
