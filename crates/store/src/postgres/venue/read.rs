//! The season, performance and audience figures on PostgreSQL, from the rollups (built again on read where the SQLite backend does).

use std::collections::BTreeSet;

use jauge_analytics::audience::{AudienceTally, PersonSeason, SeasonAudience};
use jauge_analytics::calendar::DaySales;
use jauge_analytics::crossover::ShowAudience;
use jauge_analytics::places::BuyerPlace;
use jauge_analytics::{Bookings, PerformanceLine, SeasonFacts};
use jauge_model::{Cents, PatronKey, Season, SeasonStartMonth, TariffCategory};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, GenericClient, Row};

use super::{admin, corrupt};
use crate::postgres::database;
use crate::rollups::{DAY, Histories, audience_from, day_sales, figures, tally_sales};
use crate::rows::{
    RawSales, SALES_COLUMNS, bookings_of, from_seconds, performance_line as line_of,
    performance_sales, programmed, show_audiences, tariff_sales, ticket_fact, to_seconds,
};
use crate::{PerformanceMix, ProgrammedPerformance, StoreError, TicketFact};

/// A count, from a BIGINT column or aggregate.
fn count(row: &Row, at: usize) -> Result<u64, StoreError> {
    let n: i64 = row.get(at);
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("a count of {n}")))
}

/// A season's first year, from a BIGINT column.
fn year(row: &Row, at: usize) -> Result<i32, StoreError> {
    let y: i64 = row.get(at);
    i32::try_from(y).map_err(|_| StoreError::Corrupt(format!("a season starting in {y}")))
}

/// A performance's capacity, status and sales from seven columns of a row, from `at`:
/// `capacity, status` and the [`SALES_COLUMNS`] (see the SQLite backend's `raw_sales`).
pub(super) fn raw_sales(row: &Row, at: usize) -> Result<RawSales, StoreError> {
    let capacity: i64 = row.get(at);
    Ok((
        u32::try_from(capacity)
            .map_err(|_| StoreError::Corrupt(format!("a capacity of {capacity}")))?,
        row.get(at + 1),
        [
            count(row, at + 2)?,
            count(row, at + 3)?,
            count(row, at + 4)?,
            count(row, at + 5)?,
        ],
        row.get(at + 6),
    ))
}

/// The rows `sql` gives, as they arrive, rather than all held at once: for the queries that
/// go through every ticket or every buyer.
fn rows<'a>(
    db: &'a mut impl GenericClient,
    sql: &str,
    params: &'a [&'a (dyn ToSql + Sync)],
) -> Result<impl Iterator<Item = Result<Row, StoreError>> + 'a, StoreError> {
    Ok(db
        .query_raw(sql, params.iter().copied())
        .map_err(database)?
        .iterator()
        .map(|row| row.map_err(database)))
}

/// Whether `sql` (a `SELECT EXISTS …`) holds.
fn holds(db: &mut impl GenericClient, sql: &str) -> Result<bool, StoreError> {
    Ok(db.query_one(sql, &[]).map_err(database)?.get(0))
}

/// The venue's time zone, or the default one before it is set up.
fn time_zone(db: &mut Client) -> Result<chrono_tz::Tz, StoreError> {
    Ok(admin::read_setup(db)?.map_or(jauge_model::DEFAULT_TIME_ZONE, |s| s.venue.time_zone))
}

/// The seasons that have performances, oldest first, cut at the venue's first month (the
/// default one before it is set up).
pub(super) fn seasons(db: &mut Client) -> Result<Vec<Season>, StoreError> {
    let month = db
        .query_opt("SELECT season_start_month FROM venue", &[])
        .map_err(database)?
        .map(|r| r.get::<_, i64>(0));
    let start = match month {
        None => SeasonStartMonth::default(),
        Some(m) => SeasonStartMonth::new(
            u32::try_from(m)
                .map_err(|_| StoreError::Corrupt(format!("a season starting in month {m}")))?,
        )
        .map_err(corrupt)?,
    };
    db.query(
        "SELECT DISTINCT season_start_year FROM performance ORDER BY 1",
        &[],
    )
    .map_err(database)?
    .iter()
    .map(|r| Ok(Season::starting(year(r, 0)?, start)))
    .collect()
}

/// A season's performances' sales, its audience and the season before's buyers.
pub(super) fn season_facts(db: &mut Client, season: Season) -> Result<SeasonFacts, StoreError> {
    let performances = db
        .query(
            &format!(
                "SELECT p.capacity, p.status, {SALES_COLUMNS}
                 FROM performance p LEFT JOIN performance_sales s ON s.performance_id = p.id
                 WHERE p.season_start_year = $1"
            ),
            &[&i64::from(season.start_year())],
        )
        .map_err(database)?
        .iter()
        .map(|r| performance_sales(raw_sales(r, 0)?))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(SeasonFacts {
        season,
        performances,
        audience: season_audience(db, season)?,
        previous_season_patrons: season_audience(db, season.previous())?.patrons,
    })
}

/// The performances `condition` (on `p`, with `$1`) selects, with their show, hall and sales,
/// in start order.
fn performance_lines(
    db: &mut Client,
    condition: &str,
    value: i64,
) -> Result<Vec<PerformanceLine>, StoreError> {
    db.query(
        &format!(
            "SELECT p.id, sh.title, sh.discipline, h.name, p.starts_at, p.capacity, p.status,
                    {SALES_COLUMNS}
             FROM performance p
             JOIN show sh ON sh.id = p.show_id
             JOIN hall h ON h.id = p.hall_id
             LEFT JOIN performance_sales s ON s.performance_id = p.id
             WHERE {condition}
             ORDER BY p.starts_at, p.id"
        ),
        &[&value],
    )
    .map_err(database)?
    .iter()
    .map(|r| {
        line_of((
            r.get(0),
            r.get(1),
            r.get(2),
            r.get(3),
            r.get(4),
            raw_sales(r, 5)?,
        ))
    })
    .collect()
}

/// A season's performances with their show, hall and sales, in start order.
pub(super) fn season_performances(
    db: &mut Client,
    season: Season,
) -> Result<Vec<PerformanceLine>, StoreError> {
    performance_lines(
        db,
        "p.season_start_year = $1",
        i64::from(season.start_year()),
    )
}

/// Where each of a season's buyers (their linked records as one) lives: the address of their
/// first record that has one, in key order.
pub(super) fn season_buyer_places(
    db: &mut Client,
    season: Season,
) -> Result<Vec<BuyerPlace>, StoreError> {
    let rows = db
        .query(
            "SELECT coalesce(pe.person_key, ps.patron_key) AS who, pi.postcode, pi.city
             FROM patron_season ps
             LEFT JOIN person pe ON pe.patron_key = ps.patron_key
             LEFT JOIN patron_identity pi ON pi.patron_key = ps.patron_key
             WHERE ps.season_start_year = $1
             ORDER BY who, pi.postcode IS NULL, ps.patron_key",
            &[&i64::from(season.start_year())],
        )
        .map_err(database)?;
    let mut places = Vec::new();
    let mut last: Option<&str> = None;
    for row in &rows {
        let who: &str = row.get(0);
        // A person's first record with an address speaks for them.
        if last != Some(who) {
            places.push(BuyerPlace {
                postcode: row.get(1),
                city: row.get(2),
            });
            last = Some(who);
        }
    }
    Ok(places)
}

/// A season's days of sales as `season_daily_sales` holds them, by day.
fn daily_sales(db: &mut impl GenericClient, season: i64) -> Result<Vec<DaySales>, StoreError> {
    db.query(
        "SELECT day, tickets, paid_tickets, free_tickets, subscription_tickets, revenue_cents
         FROM season_daily_sales WHERE season_start_year = $1 ORDER BY day",
        &[&season],
    )
    .map_err(database)?
    .iter()
    .map(|r| {
        day_sales(
            r.get(0),
            [count(r, 1)?, count(r, 2)?, count(r, 3)?, count(r, 4)?],
            r.get(5),
        )
    })
    .collect()
}

/// A season's sales by the day tickets were ordered, building them first if a write emptied
/// them (a season without sales finds nothing to build, quickly), with the season's sales by
/// tariff category, by the same pass. A reader that finds them empty locks both rollups and
/// looks again, so two readers never both build them.
fn sales_by_day(
    db: &mut Client,
    season: i64,
    tz: chrono_tz::Tz,
) -> Result<Vec<DaySales>, StoreError> {
    let days = daily_sales(db, season)?;
    if !days.is_empty() {
        return Ok(days);
    }
    let mut tx = db.transaction().map_err(database)?;
    tx.batch_execute("LOCK TABLE season_daily_sales, season_tariff_sales IN EXCLUSIVE MODE")
        .map_err(database)?;
    let days = daily_sales(&mut tx, season)?;
    if !days.is_empty() {
        return Ok(days);
    }
    // Grouped by the quarter hour: every time zone's offset is a whole number of them, so a
    // quarter hour falls on one local day.
    let quarters = tx
        .query(
            "SELECT o.created_at / 900, ta.category, count(*),
                    count(*) FILTER (WHERE t.amount_cents > 0),
                    count(*) FILTER (WHERE t.amount_cents = 0), sum(t.amount_cents)::bigint
             FROM performance p
             JOIN ticket t ON t.performance_id = p.id
             JOIN sale_order o ON o.id = t.order_id
             JOIN tariff ta ON ta.id = t.tariff_id
             WHERE p.season_start_year = $1 AND p.status = 'scheduled' AND t.status = 'valid'
             GROUP BY 1, 2",
            &[&season],
        )
        .map_err(database)?;
    let (by_day, by_tariff) = tally_sales(
        quarters.iter().map(|r| {
            Ok((
                r.get(0),
                r.get(1),
                [count(r, 2)?, count(r, 3)?, count(r, 4)?],
                r.get(5),
            ))
        }),
        tz,
    )?;
    let insert = tx
        .prepare(
            "INSERT INTO season_daily_sales (season_start_year, day, tickets, paid_tickets,
                free_tickets, subscription_tickets, revenue_cents)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .map_err(database)?;
    for (day, s) in &by_day {
        tx.execute(
            &insert,
            &[
                &season,
                &day.format(DAY).to_string(),
                &(s.tickets as i64),
                &(s.paid_tickets as i64),
                &(s.free_tickets as i64),
                &(s.subscription_tickets as i64),
                &s.revenue.as_i64(),
            ],
        )
        .map_err(database)?;
    }
    let insert = tx
        .prepare(
            "INSERT INTO season_tariff_sales (season_start_year, category, tickets, revenue_cents)
             VALUES ($1, $2, $3, $4)",
        )
        .map_err(database)?;
    for (category, s) in &by_tariff {
        tx.execute(
            &insert,
            &[
                &season,
                &category.code(),
                &(s.tickets as i64),
                &s.revenue.as_i64(),
            ],
        )
        .map_err(database)?;
    }
    tx.commit().map_err(database)?;
    Ok(by_day
        .into_iter()
        .map(|(day, sales)| DaySales { day, sales })
        .collect())
}

/// A season's sales by the day (in the venue's time zone) tickets were ordered.
pub(super) fn season_sales_by_day(
    db: &mut Client,
    season: Season,
) -> Result<Vec<DaySales>, StoreError> {
    let tz = time_zone(db)?;
    sales_by_day(db, i64::from(season.start_year()), tz)
}

/// A season's valid tickets and revenue by tariff category, as (category, tickets, revenue),
/// most tickets first: built with the sales by day, by the same pass.
pub(super) fn season_tariff_mix(
    db: &mut Client,
    season: Season,
) -> Result<Vec<(TariffCategory, u64, Cents)>, StoreError> {
    let tz = time_zone(db)?;
    let season = i64::from(season.start_year());
    sales_by_day(db, season, tz)?;
    db.query(
        "SELECT category, tickets, revenue_cents FROM season_tariff_sales
         WHERE season_start_year = $1 ORDER BY tickets DESC, category",
        &[&season],
    )
    .map_err(database)?
    .iter()
    .map(|r| tariff_sales(r.get(0), count(r, 1)?, r.get(2)))
    .collect()
}

/// Builds `season_audience` if a write emptied it. A reader that finds it empty locks it and
/// looks again, so two readers never both build it.
fn ensure_audience(db: &mut Client) -> Result<(), StoreError> {
    const BUILT: &str = "SELECT EXISTS (SELECT 1 FROM season_audience)";
    if holds(db, BUILT)? || !holds(db, "SELECT EXISTS (SELECT 1 FROM patron_season)")? {
        return Ok(());
    }
    let mut tx = db.transaction().map_err(database)?;
    tx.batch_execute("LOCK TABLE season_audience IN EXCLUSIVE MODE")
        .map_err(database)?;
    if !holds(&mut tx, BUILT)? {
        build_audience(&mut tx)?;
    }
    tx.commit().map_err(database)
}

/// Every season's audience, from one pass over every person's seasons.
fn build_audience(tx: &mut postgres::Transaction<'_>) -> Result<(), StoreError> {
    let seasons = tx
        .query("SELECT DISTINCT season_start_year FROM performance", &[])
        .map_err(database)?
        .iter()
        .map(|r| year(r, 0))
        .collect::<Result<Vec<i32>, StoreError>>()?;
    let mut tally = AudienceTally::new(&seasons);
    each_person(tx, |_, history| tally.add(history))?;
    let insert = tx
        .prepare(
            "INSERT INTO season_audience (season_start_year, figure, value) VALUES ($1, $2, $3)",
        )
        .map_err(database)?;
    for (season, audience) in tally.finish() {
        for (figure, value) in figures(&audience) {
            tx.execute(&insert, &[&i64::from(season), &figure, &(value as i64)])
                .map_err(database)?;
        }
    }
    Ok(())
}

/// Calls `visit` with every person's key (their linked records as one) and seasons, oldest
/// first, in key order.
fn each_person(
    db: &mut impl GenericClient,
    visit: impl FnMut(&str, &[PersonSeason]),
) -> Result<(), StoreError> {
    let mut people = Histories::new(visit);
    for row in rows(
        db,
        "SELECT coalesce(pe.person_key, ps.patron_key) AS who, ps.season_start_year,
                sum(ps.tickets)::bigint, sum(ps.subscription_tickets)::bigint
         FROM patron_season ps LEFT JOIN person pe ON pe.patron_key = ps.patron_key
         GROUP BY who, ps.season_start_year
         ORDER BY who, ps.season_start_year",
        &[],
    )? {
        let row = row?;
        people.push(
            row.get(0),
            PersonSeason {
                season: year(&row, 1)?,
                tickets: count(&row, 2)?,
                subscription_tickets: count(&row, 3)?,
            },
        );
    }
    people.finish();
    Ok(())
}

/// A season's audience (all zero for a season nobody bought for), building the rollup first
/// if a write emptied it.
pub(super) fn season_audience(
    db: &mut Client,
    season: Season,
) -> Result<SeasonAudience, StoreError> {
    ensure_audience(db)?;
    let rows = db
        .query(
            "SELECT figure, value FROM season_audience WHERE season_start_year = $1",
            &[&i64::from(season.start_year())],
        )
        .map_err(database)?;
    audience_from(rows.iter().map(|r| Ok((r.get(0), count(r, 1)?))))
}

/// Each show of a season with the persons (linked records as one) holding valid tickets to
/// its performances held, in show order.
pub(super) fn season_show_audiences(
    db: &mut Client,
    season: Season,
) -> Result<Vec<ShowAudience>, StoreError> {
    show_audiences(
        rows(
            db,
            "SELECT sh.id, sh.title, sh.discipline, coalesce(pe.person_key, o.buyer_key)
             FROM performance p
             JOIN show sh ON sh.id = p.show_id
             JOIN ticket t ON t.performance_id = p.id
             JOIN sale_order o ON o.id = t.order_id
             LEFT JOIN person pe ON pe.patron_key = o.buyer_key
             WHERE p.season_start_year = $1 AND p.status = 'scheduled' AND t.status = 'valid'
               AND o.buyer_key IS NOT NULL",
            &[&i64::from(season.start_year())],
        )?
        .map(|row| {
            let row = row?;
            Ok((row.get(0), row.get(1), row.get(2), row.get(3)))
        }),
    )
}

/// A performance's valid tickets and revenue by tariff category, and tickets by channel, most
/// first.
pub(super) fn performance_mix(db: &mut Client, id: i64) -> Result<PerformanceMix, StoreError> {
    let tariffs = db
        .query(
            "SELECT ta.category, count(*), sum(t.amount_cents)::bigint
             FROM ticket t JOIN tariff ta ON ta.id = t.tariff_id
             WHERE t.performance_id = $1 AND t.status = 'valid'
             GROUP BY ta.category ORDER BY count(*) DESC, ta.category",
            &[&id],
        )
        .map_err(database)?
        .iter()
        .map(|r| tariff_sales(r.get(0), count(r, 1)?, r.get(2)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let channels = db
        .query(
            "SELECT o.channel, count(*)
             FROM ticket t JOIN sale_order o ON o.id = t.order_id
             WHERE t.performance_id = $1 AND t.status = 'valid'
             GROUP BY o.channel ORDER BY count(*) DESC, o.channel",
            &[&id],
        )
        .map_err(database)?
        .iter()
        .map(|r| Ok((r.get::<_, &str>(0).parse().map_err(corrupt)?, count(r, 1)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(PerformanceMix { tariffs, channels })
}

/// A performance with its show, hall and sales, if there is one with that id.
pub(super) fn performance_line(
    db: &mut Client,
    id: i64,
) -> Result<Option<PerformanceLine>, StoreError> {
    Ok(performance_lines(db, "p.id = $1", id)?.pop())
}

/// Each of `performances` (those that exist, in that order) with its valid tickets by days
/// before the performance they were ordered, in the venue's time zone.
pub(super) fn bookings(db: &mut Client, performances: &[i64]) -> Result<Vec<Bookings>, StoreError> {
    let tz = time_zone(db)?;
    let orders = db
        .prepare(
            "SELECT o.created_at, count(*) FROM ticket t JOIN sale_order o ON o.id = t.order_id
             WHERE t.performance_id = $1 AND t.status = 'valid'
             GROUP BY o.created_at",
        )
        .map_err(database)?;
    let mut all = Vec::new();
    for &id in performances {
        let Some(performance) = performance_line(db, id)? else {
            continue;
        };
        let rows = db.query(&orders, &[&id]).map_err(database)?;
        all.push(bookings_of(
            performance,
            rows.iter().map(|r| Ok((r.get(0), count(r, 1)?))),
            tz,
        )?);
    }
    Ok(all)
}

/// The performances held in the same hall in earlier seasons, in start order.
pub(super) fn comparable_performances(db: &mut Client, id: i64) -> Result<Vec<i64>, StoreError> {
    Ok(db
        .query(
            "SELECT c.id FROM performance p JOIN performance c
               ON c.hall_id = p.hall_id AND c.season_start_year < p.season_start_year
             WHERE p.id = $1 AND c.status = 'scheduled'
             ORDER BY c.starts_at, c.id",
            &[&id],
        )
        .map_err(database)?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// The performances starting from `from` until before `to`, with their source, show and
/// sales, in start order.
pub(super) fn programme_between(
    db: &mut Client,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<ProgrammedPerformance>, StoreError> {
    db.query(
        &format!(
            "SELECT p.id, so.name, p.external_id, sh.external_id, h.name, p.starts_at,
                    sh.title, sh.discipline, sh.company, sh.young_audience, sh.coproduction,
                    sh.festival, p.capacity, p.status, {SALES_COLUMNS}
             FROM performance p
             JOIN source so ON so.id = p.source_id
             JOIN show sh ON sh.id = p.show_id
             JOIN hall h ON h.id = p.hall_id
             LEFT JOIN performance_sales s ON s.performance_id = p.id
             WHERE p.starts_at >= $1 AND p.starts_at < $2
             ORDER BY p.starts_at, p.id"
        ),
        &[&to_seconds(from), &to_seconds(to)],
    )
    .map_err(database)?
    .iter()
    .map(|r| {
        programmed((
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)),
            (
                r.get(6),
                r.get(7),
                r.get(8),
                r.get::<_, i64>(9) != 0,
                r.get::<_, i64>(10) != 0,
                r.get(11),
            ),
            raw_sales(r, 12)?,
        ))
    })
    .collect()
}

/// The titles of the shows with performances both from `from` until before `to` and outside.
pub(super) fn shows_also_outside(
    db: &mut Client,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Result<BTreeSet<String>, StoreError> {
    Ok(db
        .query(
            "SELECT DISTINCT sh.title FROM show sh
             WHERE EXISTS (SELECT 1 FROM performance p WHERE p.show_id = sh.id
                             AND p.starts_at >= $1 AND p.starts_at < $2)
               AND EXISTS (SELECT 1 FROM performance p WHERE p.show_id = sh.id
                             AND (p.starts_at < $1 OR p.starts_at >= $2))",
            &[&to_seconds(from), &to_seconds(to)],
        )
        .map_err(database)?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Every person (their linked records as one) with their seasons, oldest first, in key order.
pub(super) fn person_seasons(
    db: &mut Client,
) -> Result<Vec<(PatronKey, Vec<PersonSeason>)>, StoreError> {
    let mut people = Vec::new();
    let mut bad = None;
    each_person(db, |who, history| match who.parse() {
        Ok(key) => people.push((key, history.to_vec())),
        Err(e) => bad = Some(e),
    })?;
    match bad {
        Some(e) => Err(corrupt(e)),
        None => Ok(people),
    }
}

/// Each person's (their linked records as one) valid tickets to performances held in the
/// seasons from `first` to `last`, and what they paid, in key order.
pub(super) fn spend_by_person(
    db: &mut Client,
    first: Season,
    last: Season,
) -> Result<Vec<(PatronKey, u64, Cents)>, StoreError> {
    db.query(
        "SELECT coalesce(pe.person_key, o.buyer_key) AS who, count(*),
                sum(t.amount_cents)::bigint
         FROM performance p
         JOIN ticket t ON t.performance_id = p.id
         JOIN sale_order o ON o.id = t.order_id
         LEFT JOIN person pe ON pe.patron_key = o.buyer_key
         WHERE p.season_start_year BETWEEN $1 AND $2 AND p.status = 'scheduled'
           AND t.status = 'valid' AND o.buyer_key IS NOT NULL
         GROUP BY who
         ORDER BY who",
        &[
            &i64::from(first.start_year()),
            &i64::from(last.start_year()),
        ],
    )
    .map_err(database)?
    .iter()
    .map(|r| {
        Ok((
            r.get::<_, &str>(0).parse().map_err(corrupt)?,
            count(r, 1)?,
            Cents::from_signed(r.get(2)).map_err(corrupt)?,
        ))
    })
    .collect()
}

/// Every ticket, in the order of its performance's start.
pub(super) fn ticket_facts(db: &mut Client) -> Result<Vec<TicketFact>, StoreError> {
    rows(
        db,
        "SELECT o.buyer_key, p.starts_at, sh.title, ta.category, t.amount_cents, t.status
         FROM ticket t
         JOIN sale_order o ON o.id = t.order_id
         JOIN performance p ON p.id = t.performance_id
         JOIN show sh ON sh.id = p.show_id
         JOIN tariff ta ON ta.id = t.tariff_id
         ORDER BY p.starts_at, t.id",
        &[],
    )?
    .map(|row| {
        let r = row?;
        ticket_fact((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
    })
    .collect()
}

/// The campaigns sent (in the order sent), their recipients' events, and the orders placed
/// since the first was sent, people as their linked records as one.
pub(super) fn campaign_facts(
    db: &mut Client,
) -> Result<jauge_analytics::campaigns::CampaignFacts, StoreError> {
    use jauge_analytics::campaigns::{Booking, CampaignFacts, CampaignSent, Touch};
    let mut facts = CampaignFacts::default();
    let mut index = std::collections::HashMap::new();
    for r in db
        .query(
            "SELECT id, name, sent_at FROM campaign ORDER BY sent_at, id",
            &[],
        )
        .map_err(database)?
    {
        index.insert(r.get::<_, i64>(0), facts.campaigns.len());
        facts.campaigns.push(CampaignSent {
            name: r.get(1),
            sent_at: from_seconds(r.get(2))?,
        });
    }
    let Some(first) = facts.campaigns.iter().map(|c| c.sent_at).min() else {
        return Ok(facts);
    };
    for row in rows(
        db,
        "SELECT ce.campaign_id, coalesce(pe.person_key, ce.patron_key), ce.kind, ce.at
         FROM campaign_event ce LEFT JOIN person pe ON pe.patron_key = ce.patron_key
         ORDER BY ce.campaign_id, ce.patron_key, ce.kind, ce.at",
        &[],
    )? {
        let r = row?;
        facts.touches.push(Touch {
            campaign: index[&r.get::<_, i64>(0)],
            person: r.get(1),
            kind: r.get::<_, &str>(2).parse().map_err(corrupt)?,
            at: from_seconds(r.get(3))?,
        });
    }
    for row in rows(
        db,
        "SELECT coalesce(pe.person_key, o.buyer_key), o.created_at, count(*),
                sum(t.amount_cents)::bigint
         FROM sale_order o
         JOIN ticket t ON t.order_id = o.id AND t.status = 'valid'
         LEFT JOIN person pe ON pe.patron_key = o.buyer_key
         WHERE o.created_at >= $1 AND o.buyer_key IS NOT NULL
         GROUP BY o.id, pe.person_key
         ORDER BY o.id",
        &[&first.timestamp()],
    )? {
        let r = row?;
        facts.bookings.push(Booking {
            person: r.get(0),
            at: from_seconds(r.get(1))?,
            tickets: count(&r, 2)?,
            revenue: Cents::from_signed(r.get(3)).map_err(corrupt)?,
        });
    }
    Ok(facts)
}
