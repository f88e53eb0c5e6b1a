//! The rollup of each season's audience (`season_audience`): emptied by every write that may
//! change it (imports, linkage, a new season cut), built again by the first read after, from
//! one pass over every person's seasons (`patron_season`, their linked records as one).

use jauge_analytics::FREQUENCY_BANDS;
use jauge_analytics::audience::{AudienceTally, PersonSeason, SEGMENTS, SeasonAudience, Segment};
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
    let mut statement = conn.prepare(
        "SELECT coalesce(pe.person_key, ps.patron_key) AS who, ps.season_start_year,
                sum(ps.tickets), sum(ps.subscription_tickets)
         FROM patron_season ps LEFT JOIN person pe ON pe.patron_key = ps.patron_key
         GROUP BY who, ps.season_start_year
         ORDER BY who, ps.season_start_year",
    )?;
    let mut rows = statement.query([])?;
    let mut who: Option<String> = None;
    let mut history: Vec<PersonSeason> = Vec::new();
    while let Some(row) = rows.next()? {
        let person: &str = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        if who.as_deref() != Some(person) {
            if !history.is_empty() {
                tally.add(&history);
                history.clear();
            }
            who = Some(person.to_owned());
        }
        history.push(PersonSeason {
            season: row.get(1)?,
            tickets: row.get(2)?,
            subscription_tickets: row.get(3)?,
        });
    }
    if !history.is_empty() {
        tally.add(&history);
    }
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

/// The rollup's rows for one season's audience: (figure, value).
fn figures(a: &SeasonAudience) -> Vec<(String, u64)> {
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
    let mut a = SeasonAudience::default();
    for row in rows {
        let (figure, value): (String, u64) = row?;
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
