//! The embedded backend: one SQLite file, WAL, foreign keys on, migrations applied on open.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use jauge_analytics::audience::SeasonAudience;
use jauge_analytics::calendar::DaySales;
use jauge_analytics::{Bookings, PerformanceLine, PerformanceSales, SeasonFacts};
use jauge_model::{
    BatchId, Capacity, Cents, Hall, Organisation, PatronIdentity, PatronKey, Season,
    SeasonStartMonth, SourceName, Venue, VenueSetup,
};
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

use crate::rows::{
    RawSales, SALES_COLUMNS, bookings_of, corrupt, from_seconds, performance_line,
    performance_sales, programmed, show_audiences, tariff_sales, ticket_fact, to_seconds,
};
use crate::{BatchReport, Change, QuarantineEntry, SourceStatus, Store, StoreError, audit};

mod built_on_read;
mod bulk;
mod migrations;
mod write;

/// The schema version this build writes and reads: the number of migrations it knows.
pub const SCHEMA_VERSION: i64 = migrations::MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of Jauge databases: "JAUG" in ASCII.
const APPLICATION_ID: i32 = 0x4A41_5547;

/// A store in one SQLite file.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` and brings its schema up to date. A database
    /// written by a newer version, or a file that is not a Jauge database, is refused and left
    /// untouched.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_at_version(path.as_ref(), SCHEMA_VERSION)
    }

    /// Opens the database migrated up to `version` only: for migration tests.
    #[doc(hidden)]
    pub fn open_at_version(path: &Path, version: i64) -> Result<SqliteStore, StoreError> {
        let path = path.to_path_buf();
        let cannot_open = |source| StoreError::CannotOpen {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open(&path).map_err(cannot_open)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;

        // Look before writing anything: the file must stay untouched if it is refused.
        let not_jauge = |reason: &str| StoreError::NotJauge {
            path: path.clone(),
            reason: reason.into(),
        };
        let read = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
        let (application_id, found, tables) = match (
            read("PRAGMA application_id"),
            read("PRAGMA user_version"),
            read("SELECT count(*) FROM sqlite_schema"),
        ) {
            (Ok(a), Ok(v), Ok(t)) => (a, v, t),
            (Err(rusqlite::Error::SqliteFailure(e, _)), ..)
                if e.code == ErrorCode::NotADatabase =>
            {
                return Err(not_jauge("the file is not an SQLite database"));
            }
            (Err(e), ..) | (_, Err(e), _) | (_, _, Err(e)) => return Err(cannot_open(e)),
        };
        let fresh = application_id == 0 && tables == 0;
        if !fresh && application_id != i64::from(APPLICATION_ID) {
            return Err(not_jauge("it is an SQLite database of another application"));
        }
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path,
                found,
                supported: SCHEMA_VERSION,
            });
        }

        if fresh {
            // Larger pages than the 4 KiB default: bulk loads were about 15 % faster (measured
            // with the demo_load benchmark), and dashboards read few, large rollup ranges.
            conn.execute_batch("PRAGMA page_size = 16384")?;
        }
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA synchronous = NORMAL;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -49152;
             PRAGMA threads = 2;",
        )?;
        if fresh {
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        migrations::migrate(&mut conn, found, version)?;
        Ok(SqliteStore { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Gives the connection to this crate's tests.
    #[cfg(test)]
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn raw_sales(r: &rusqlite::Row, at: usize) -> rusqlite::Result<RawSales> {
    Ok((
        r.get(at)?,
        r.get(at + 1)?,
        [
            r.get(at + 2)?,
            r.get(at + 3)?,
            r.get(at + 4)?,
            r.get(at + 5)?,
        ],
        r.get(at + 6)?,
    ))
}

/// The performances `condition` (on `p`, with `?1`) selects, with their show, hall and sales,
/// in start order.
fn performance_lines(
    conn: &Connection,
    condition: &str,
    value: impl rusqlite::ToSql,
) -> Result<Vec<PerformanceLine>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT p.id, sh.title, sh.discipline, h.name, p.starts_at, p.capacity, p.status, {SALES_COLUMNS}
         FROM performance p
         JOIN show sh ON sh.id = p.show_id
         JOIN hall h ON h.id = p.hall_id
         LEFT JOIN performance_sales s ON s.performance_id = p.id
         WHERE {condition}
         ORDER BY p.starts_at, p.id"
    ))?;
    let rows = statement.query_map([value], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            raw_sales(r, 5)?,
        ))
    })?;
    rows.map(|row| performance_line(row?)).collect()
}

/// The API tokens `condition` (with `?1` for `value`) selects, oldest first.
fn tokens_where(
    conn: &Connection,
    condition: &str,
    value: &str,
) -> Result<Vec<crate::ApiToken>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "SELECT id, name, scopes, token_hash, expires_at, revoked_at
         FROM api_token WHERE {condition} ORDER BY id"
    ))?;
    let rows = statement.query_map([value], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<i64>>(5)?,
        ))
    })?;
    rows.map(|row| crate::rows::api_token(row?)).collect()
}

/// The extracts `condition` (with `?1` for `value` when it names one) selects, oldest first.
fn shares_where(
    conn: &Connection,
    condition: &str,
    value: &str,
) -> Result<Vec<crate::ShareRecord>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "SELECT id, recipient, purpose, legal_basis, created_at, expires_at, fields, revoked_at,
                directory, download_hash
         FROM data_share WHERE {condition} ORDER BY id"
    ))?;
    let read = |r: &rusqlite::Row| {
        Ok((
            (
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ),
            (
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<i64>>(7)?,
            ),
            (r.get::<_, String>(8)?, r.get::<_, String>(9)?),
        ))
    };
    let rows: Vec<_> = if condition.contains("?1") {
        statement
            .query_map([value], read)?
            .collect::<Result<_, _>>()?
    } else {
        statement.query_map([], read)?.collect::<Result<_, _>>()?
    };
    rows.into_iter().map(crate::rows::share).collect()
}

fn read_setup(conn: &Connection) -> Result<Option<VenueSetup>, StoreError> {
    let organisation = conn
        .query_row(
            "SELECT legal_name, siret, licence FROM organisation",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?;
    let venue = conn
        .query_row(
            "SELECT name, address, postcode, city, insee, time_zone, place_type, season_start_month
             FROM venue",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, u32>(7)?,
                ))
            },
        )
        .optional()?;
    let (Some((legal_name, siret, licence)), Some(v)) = (organisation, venue) else {
        return Ok(None);
    };
    let organisation = Organisation {
        legal_name: legal_name.parse().map_err(corrupt)?,
        siret: siret.parse().map_err(corrupt)?,
        licence: licence.parse().map_err(corrupt)?,
    };
    let venue = Venue {
        name: v.0.parse().map_err(corrupt)?,
        address: v.1,
        postcode: v.2.parse().map_err(corrupt)?,
        city: v.3.parse().map_err(corrupt)?,
        insee: v.4.parse().map_err(corrupt)?,
        time_zone: v
            .5
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("time zone: {e}")))?,
        place_type: v.6.parse().map_err(corrupt)?,
        season_start: SeasonStartMonth::new(v.7).map_err(corrupt)?,
    };
    let mut statement = conn.prepare("SELECT name, capacity FROM hall ORDER BY id")?;
    let halls = statement
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?
        .map(|row| {
            let (name, capacity) = row?;
            Ok(Hall {
                name: name.parse().map_err(corrupt)?,
                capacity: Capacity::new(capacity).map_err(corrupt)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(VenueSetup {
        organisation,
        venue,
        halls,
    }))
}

impl SqliteStore {
    fn season_start(&self) -> Result<SeasonStartMonth, StoreError> {
        let month: Option<u32> = self
            .conn
            .query_row("SELECT season_start_month FROM venue", [], |r| r.get(0))
            .optional()?;
        month.map_or(Ok(SeasonStartMonth::default()), |m| {
            SeasonStartMonth::new(m).map_err(corrupt)
        })
    }
}

impl Store for SqliteStore {
    /// Checkpoints the write-ahead log into the main file and truncates it.
    fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// SQLite's `data_version`, which moves when another connection commits; with the number
    /// of changes this connection made, which it does not count.
    fn data_version(&self) -> Result<i64, StoreError> {
        let others: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok(others.wrapping_add(self.conn.total_changes() as i64))
    }

    fn setup(&self) -> Result<Option<VenueSetup>, StoreError> {
        read_setup(&self.conn)
    }

    fn save_setup(&mut self, setup: &VenueSetup) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let o = &setup.organisation;
        tx.execute(
            "INSERT INTO organisation (id, legal_name, siret, licence) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET legal_name = ?1, siret = ?2, licence = ?3",
            params![o.legal_name.as_str(), o.siret.as_str(), o.licence.as_str()],
        )?;
        let v = &setup.venue;
        tx.execute(
            "INSERT INTO venue (id, name, address, postcode, city, insee, time_zone, place_type,
                                season_start_month)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET name = ?1, address = ?2, postcode = ?3, city = ?4,
                insee = ?5, time_zone = ?6, place_type = ?7, season_start_month = ?8",
            params![
                v.name.as_str(),
                v.address,
                v.postcode.as_str(),
                v.city.as_str(),
                v.insee.as_str(),
                v.time_zone.name(),
                v.place_type.sibil_code(),
                v.season_start.get(),
            ],
        )?;
        for hall in &setup.halls {
            tx.execute(
                "INSERT INTO hall (name, capacity) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET capacity = ?2",
                params![hall.name.as_str(), hall.capacity.get()],
            )?;
        }
        // The time zone or the season start may have changed: re-cut performances into seasons.
        write::reseason_performances(&tx, v.time_zone, v.season_start)?;
        tx.commit()?;
        Ok(())
    }

    fn write_dataset(&mut self, dataset: &jauge_model::Dataset) -> Result<BatchReport, StoreError> {
        write::write_parts(&mut self.conn, std::iter::once(Ok(dataset)), true)
    }

    fn write_parts(
        &mut self,
        parts: &mut dyn Iterator<Item = Result<jauge_model::Dataset, String>>,
    ) -> Result<BatchReport, StoreError> {
        write::write_parts(&mut self.conn, parts, false)
    }

    fn seasons(&self) -> Result<Vec<Season>, StoreError> {
        let start = self.season_start()?;
        let mut statement = self
            .conn
            .prepare("SELECT DISTINCT season_start_year FROM performance ORDER BY 1")?;
        let years = statement.query_map([], |r| r.get::<_, i32>(0))?;
        years.map(|y| Ok(Season::starting(y?, start))).collect()
    }

    fn season_facts(&self, season: Season) -> Result<SeasonFacts, StoreError> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT p.capacity, p.status, {SALES_COLUMNS}
             FROM performance p LEFT JOIN performance_sales s ON s.performance_id = p.id
             WHERE p.season_start_year = ?1"
        ))?;
        let performances = statement
            .query_map([season.start_year()], |r| raw_sales(r, 0))?
            .map(|row| performance_sales(row?))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(SeasonFacts {
            season,
            performances,
            audience: self.season_audience(season)?,
            previous_season_patrons: self.season_audience(season.previous())?.patrons,
        })
    }

    fn season_performances(&self, season: Season) -> Result<Vec<PerformanceLine>, StoreError> {
        performance_lines(&self.conn, "p.season_start_year = ?1", season.start_year())
    }

    fn season_buyer_places(
        &self,
        season: Season,
    ) -> Result<Vec<jauge_analytics::places::BuyerPlace>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT coalesce(pe.person_key, ps.patron_key) AS who, pi.postcode, pi.city
             FROM patron_season ps
             LEFT JOIN person pe ON pe.patron_key = ps.patron_key
             LEFT JOIN patron_identity pi ON pi.patron_key = ps.patron_key
             WHERE ps.season_start_year = ?1
             ORDER BY who, pi.postcode IS NULL, ps.patron_key",
        )?;
        let rows = statement.query_map([season.start_year()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut places = Vec::new();
        let mut last: Option<String> = None;
        for row in rows {
            let (who, postcode, city) = row?;
            // A person's first record with an address speaks for them.
            if last.as_deref() != Some(who.as_str()) {
                places.push(jauge_analytics::places::BuyerPlace { postcode, city });
                last = Some(who);
            }
        }
        Ok(places)
    }

    fn season_sales_by_day(&self, season: Season) -> Result<Vec<DaySales>, StoreError> {
        let tz =
            read_setup(&self.conn)?.map_or(jauge_model::DEFAULT_TIME_ZONE, |s| s.venue.time_zone);
        built_on_read::sales_by_day(&self.conn, season.start_year(), tz)
    }

    fn season_tariff_mix(
        &self,
        season: Season,
    ) -> Result<Vec<(jauge_model::TariffCategory, u64, Cents)>, StoreError> {
        let tz =
            read_setup(&self.conn)?.map_or(jauge_model::DEFAULT_TIME_ZONE, |s| s.venue.time_zone);
        built_on_read::tariff_mix(&self.conn, season.start_year(), tz)
    }

    fn season_audience(&self, season: Season) -> Result<SeasonAudience, StoreError> {
        built_on_read::ensure(&self.conn)?;
        built_on_read::read(&self.conn, season.start_year())
    }

    fn season_show_audiences(
        &self,
        season: Season,
    ) -> Result<Vec<jauge_analytics::crossover::ShowAudience>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT sh.id, sh.title, sh.discipline, coalesce(pe.person_key, o.buyer_key)
             FROM performance p
             JOIN show sh ON sh.id = p.show_id
             JOIN ticket t ON t.performance_id = p.id
             JOIN sale_order o ON o.id = t.order_id
             LEFT JOIN person pe ON pe.patron_key = o.buyer_key
             WHERE p.season_start_year = ?1 AND p.status = 'scheduled' AND t.status = 'valid'
               AND o.buyer_key IS NOT NULL",
        )?;
        let rows = statement.query_map([season.start_year()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        show_audiences(rows.map(|row| row.map_err(StoreError::from)))
    }

    fn snapshot_sales(&mut self, day: chrono::NaiveDate) -> Result<usize, StoreError> {
        let day = day.format("%Y-%m-%d").to_string();
        let kept = self.conn.execute(
            "INSERT INTO sales_snapshot
             SELECT ?1, p.id, coalesce(s.tickets, 0), coalesce(s.paid_tickets, 0),
                    coalesce(s.free_tickets, 0), coalesce(s.revenue_cents, 0),
                    coalesce(s.subscription_tickets, 0)
             FROM performance p LEFT JOIN performance_sales s ON s.performance_id = p.id
             WHERE NOT EXISTS (
                 SELECT 1 FROM sales_snapshot x
                 WHERE x.performance_id = p.id
                   AND x.day = (SELECT max(day) FROM sales_snapshot y
                                WHERE y.performance_id = p.id AND y.day <= ?1)
                   AND x.tickets = coalesce(s.tickets, 0)
                   AND x.paid_tickets = coalesce(s.paid_tickets, 0)
                   AND x.free_tickets = coalesce(s.free_tickets, 0)
                   AND x.revenue_cents = coalesce(s.revenue_cents, 0)
                   AND x.subscription_tickets = coalesce(s.subscription_tickets, 0))
             ON CONFLICT (performance_id, day) DO UPDATE SET tickets = excluded.tickets,
                paid_tickets = excluded.paid_tickets, free_tickets = excluded.free_tickets,
                revenue_cents = excluded.revenue_cents,
                subscription_tickets = excluded.subscription_tickets",
            [day],
        )?;
        Ok(kept)
    }

    fn season_sales_as_of(
        &self,
        season: Season,
        day: chrono::NaiveDate,
    ) -> Result<Vec<PerformanceSales>, StoreError> {
        let day = day.format("%Y-%m-%d").to_string();
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT p.capacity, p.status, {SALES_COLUMNS}
             FROM performance p
             LEFT JOIN sales_snapshot s ON s.performance_id = p.id
                AND s.day = (SELECT max(day) FROM sales_snapshot y
                             WHERE y.performance_id = p.id AND y.day <= ?2)
             WHERE p.season_start_year = ?1"
        ))?;
        let sales = statement
            .query_map(params![season.start_year(), day], |r| raw_sales(r, 0))?
            .map(|row| performance_sales(row?))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(sales)
    }

    fn performance_mix(&self, id: i64) -> Result<crate::PerformanceMix, StoreError> {
        let mut tariffs = self.conn.prepare_cached(
            "SELECT ta.category, count(*), sum(t.amount_cents)
             FROM ticket t JOIN tariff ta ON ta.id = t.tariff_id
             WHERE t.performance_id = ?1 AND t.status = 'valid'
             GROUP BY ta.category ORDER BY count(*) DESC, ta.category",
        )?;
        let tariffs = tariffs
            .query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .map(|row| {
                let (category, tickets, revenue) = row?;
                tariff_sales(&category, tickets, revenue)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut channels = self.conn.prepare_cached(
            "SELECT o.channel, count(*)
             FROM ticket t JOIN sale_order o ON o.id = t.order_id
             WHERE t.performance_id = ?1 AND t.status = 'valid'
             GROUP BY o.channel ORDER BY count(*) DESC, o.channel",
        )?;
        let channels = channels
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?
            .map(|row| {
                let (channel, tickets) = row?;
                Ok((channel.parse().map_err(corrupt)?, tickets))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(crate::PerformanceMix { tariffs, channels })
    }

    fn performance_line(&self, id: i64) -> Result<Option<PerformanceLine>, StoreError> {
        Ok(performance_lines(&self.conn, "p.id = ?1", id)?.pop())
    }

    fn bookings(&self, performances: &[i64]) -> Result<Vec<Bookings>, StoreError> {
        let tz =
            read_setup(&self.conn)?.map_or(jauge_model::DEFAULT_TIME_ZONE, |s| s.venue.time_zone);
        let mut statement = self.conn.prepare_cached(
            "SELECT o.created_at, count(*) FROM ticket t JOIN sale_order o ON o.id = t.order_id
             WHERE t.performance_id = ?1 AND t.status = 'valid'
             GROUP BY o.created_at",
        )?;
        let mut all = Vec::new();
        for &id in performances {
            let Some(performance) = self.performance_line(id)? else {
                continue;
            };
            let rows =
                statement.query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, u64>(1)?)))?;
            all.push(bookings_of(
                performance,
                rows.map(|row| row.map_err(StoreError::from)),
                tz,
            )?);
        }
        Ok(all)
    }

    fn comparable_performances(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT c.id FROM performance p JOIN performance c
               ON c.hall_id = p.hall_id AND c.season_start_year < p.season_start_year
             WHERE p.id = ?1 AND c.status = 'scheduled'
             ORDER BY c.starts_at",
        )?;
        let ids = statement
            .query_map([id], |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(ids)
    }

    fn programme_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<crate::ProgrammedPerformance>, StoreError> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT p.id, so.name, p.external_id, sh.external_id, h.name, p.starts_at,
                    sh.title, sh.discipline, sh.company, sh.young_audience, sh.coproduction,
                    sh.festival, p.capacity, p.status, {SALES_COLUMNS}
             FROM performance p
             JOIN source so ON so.id = p.source_id
             JOIN show sh ON sh.id = p.show_id
             JOIN hall h ON h.id = p.hall_id
             LEFT JOIN performance_sales s ON s.performance_id = p.id
             WHERE p.starts_at >= ?1 AND p.starts_at < ?2
             ORDER BY p.starts_at, p.id"
        ))?;
        let rows = statement.query_map(params![to_seconds(from), to_seconds(to)], |r| {
            Ok((
                (
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                ),
                (
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, bool>(9)?,
                    r.get::<_, bool>(10)?,
                    r.get::<_, Option<String>>(11)?,
                ),
                raw_sales(r, 12)?,
            ))
        })?;
        rows.map(|row| programmed(row?)).collect()
    }

    fn shows_also_outside(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<std::collections::BTreeSet<String>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT DISTINCT sh.title FROM show sh
             WHERE EXISTS (SELECT 1 FROM performance p WHERE p.show_id = sh.id
                             AND p.starts_at >= ?1 AND p.starts_at < ?2)
               AND EXISTS (SELECT 1 FROM performance p WHERE p.show_id = sh.id
                             AND (p.starts_at < ?1 OR p.starts_at >= ?2))",
        )?;
        let titles = statement
            .query_map(params![to_seconds(from), to_seconds(to)], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(titles)
    }

    fn record_declarations(
        &mut self,
        records: &[crate::DeclarationRecord],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut upsert = tx.prepare(
                "INSERT INTO sibil_declaration (external_id, performance_id, quarter, sibil_id,
                                                state, message, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (external_id) DO UPDATE SET performance_id = ?2, quarter = ?3,
                    sibil_id = coalesce(?4, sibil_id), state = ?5, message = ?6, sent_at = ?7",
            )?;
            for r in records {
                upsert.execute(params![
                    r.external_id,
                    r.performance,
                    r.quarter,
                    r.sibil_id,
                    crate::rows::declaration_state(r),
                    r.message,
                    to_seconds(r.at)
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn declarations(&self) -> Result<Vec<crate::DeclarationRecord>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT external_id, performance_id, quarter, sibil_id, state, message, sent_at
             FROM sibil_declaration ORDER BY quarter, external_id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        rows.map(|row| crate::rows::declaration(row?)).collect()
    }

    fn person_seasons(
        &self,
    ) -> Result<Vec<(PatronKey, Vec<jauge_analytics::audience::PersonSeason>)>, StoreError> {
        let mut people = Vec::new();
        let mut bad = None;
        built_on_read::each_person(&self.conn, |who, history| match who.parse() {
            Ok(key) => people.push((key, history.to_vec())),
            Err(e) => bad = Some(e),
        })?;
        match bad {
            Some(e) => Err(corrupt(e)),
            None => Ok(people),
        }
    }

    fn spend_by_person(
        &self,
        first: Season,
        last: Season,
    ) -> Result<Vec<(PatronKey, u64, Cents)>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT coalesce(pe.person_key, o.buyer_key) AS who, count(*), sum(t.amount_cents)
             FROM performance p
             JOIN ticket t ON t.performance_id = p.id
             JOIN sale_order o ON o.id = t.order_id
             LEFT JOIN person pe ON pe.patron_key = o.buyer_key
             WHERE p.season_start_year BETWEEN ?1 AND ?2 AND p.status = 'scheduled'
               AND t.status = 'valid' AND o.buyer_key IS NOT NULL
             GROUP BY who",
        )?;
        let rows = statement.query_map([first.start_year(), last.start_year()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut spend = Vec::new();
        for row in rows {
            let (who, tickets, cents) = row?;
            spend.push((
                who.parse().map_err(corrupt)?,
                tickets,
                Cents::from_signed(cents).map_err(corrupt)?,
            ));
        }
        Ok(spend)
    }

    fn consents(
        &self,
        channel: jauge_model::ConsentChannel,
        purpose: jauge_model::ConsentPurpose,
    ) -> Result<Vec<jauge_model::Consent>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT c.patron_key, c.status, c.at, so.name, c.proof
             FROM consent c JOIN source so ON so.id = c.source_id
             WHERE c.channel = ?1 AND c.purpose = ?2
             ORDER BY c.at, c.id",
        )?;
        let rows = statement.query_map(params![channel.code(), purpose.code()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| crate::rows::consent(channel, purpose, row?))
            .collect()
    }

    fn subject_data(&self, patrons: &[PatronKey]) -> Result<crate::SubjectData, StoreError> {
        let keys: std::collections::BTreeSet<&str> = patrons.iter().map(|p| p.as_str()).collect();
        let mut data = crate::SubjectData {
            identities: crate::rows::identities_of(self.identities()?, &keys),
            ..Default::default()
        };
        let mut consents = self.conn.prepare_cached(
            "SELECT c.channel, c.purpose, c.status, c.at, so.name, c.proof, c.patron_key
             FROM consent c JOIN source so ON so.id = c.source_id
             WHERE c.patron_key = ?1 ORDER BY c.at",
        )?;
        let mut purchases = self.conn.prepare_cached(
            "SELECT o.external_id, o.created_at, o.channel, sh.title, p.starts_at, ta.label,
                    t.amount_cents, t.status
             FROM sale_order o
             JOIN ticket t ON t.order_id = o.id
             JOIN performance p ON p.id = t.performance_id
             JOIN show sh ON sh.id = p.show_id
             JOIN tariff ta ON ta.id = t.tariff_id
             WHERE o.buyer_key = ?1 ORDER BY o.created_at, t.id",
        )?;
        let mut events = self.conn.prepare_cached(
            "SELECT c.name, e.kind, e.at FROM campaign_event e
             JOIN campaign c ON c.id = e.campaign_id
             WHERE e.patron_key = ?1 ORDER BY e.at",
        )?;
        for key in &keys {
            let rows = consents.query_map([key], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?;
            for row in rows {
                let (channel, purpose, status, at, source, proof, patron) = row?;
                let (channel, purpose) = crate::rows::consent_kind(&channel, &purpose)?;
                data.consents.push(crate::rows::consent(
                    channel,
                    purpose,
                    (patron, status, at, source, proof),
                )?);
            }
            let rows = purchases.query_map([key], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, String>(7)?,
                ))
            })?;
            for row in rows {
                data.purchases.push(crate::rows::purchase(row?)?);
            }
            let rows = events.query_map([key], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?;
            for row in rows {
                let (campaign, kind, at) = row?;
                data.campaign_events
                    .push((campaign, kind, from_seconds(at)?));
            }
        }
        Ok(data)
    }

    fn erase(&mut self, patrons: &[PatronKey], settings: &[&str]) -> Result<usize, StoreError> {
        let keys: std::collections::BTreeSet<&str> = patrons.iter().map(|p| p.as_str()).collect();
        // What identifies them in free text: emails, phones, and names (both of a pair).
        let identities = crate::rows::identities_of(self.identities()?, &keys);
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        let erased = (|| -> Result<usize, StoreError> {
            let tx = self.conn.transaction()?;
            let mut count = 0;
            for key in &keys {
                count += tx.execute("DELETE FROM patron_identity WHERE patron_key = ?1", [key])?;
                count += tx.execute(
                    "UPDATE consent SET proof = '' WHERE patron_key = ?1 AND proof <> ''",
                    [key],
                )?;
            }
            // The named settings first: they may be large, and the searches below read them.
            for key in settings {
                count += tx.execute(
                    "UPDATE setting SET value = '' WHERE key = ?1 AND value <> ''",
                    [key],
                )?;
            }
            for identity in &identities {
                let (texts, names) = crate::rows::traces(identity);
                for text in texts {
                    count += tx.execute(
                        "DELETE FROM quarantine WHERE instr(lower(raw), lower(?1)) > 0",
                        [&text],
                    )?;
                    count += tx.execute(
                        "UPDATE setting SET value = '' WHERE instr(lower(value), lower(?1)) > 0",
                        [&text],
                    )?;
                }
                if let Some((first, last)) = names {
                    count += tx.execute(
                        "DELETE FROM quarantine
                         WHERE instr(lower(raw), lower(?1)) > 0 AND instr(lower(raw), lower(?2)) > 0",
                        [first, last],
                    )?;
                }
            }
            tx.commit()?;
            Ok(count)
        })();
        let checkpoint = self.checkpoint();
        self.conn.pragma_update(None, "secure_delete", "OFF")?;
        checkpoint?;
        erased
    }

    fn activity(&self) -> Result<Vec<crate::RecordActivity>, StoreError> {
        let mut statement = self.conn.prepare(
            "WITH purchases AS MATERIALIZED (
                SELECT buyer_key AS patron, max(created_at) AS at FROM sale_order
                WHERE buyer_key IS NOT NULL GROUP BY buyer_key
             ), contacts AS MATERIALIZED (
                SELECT patron_key AS patron, max(at) AS at FROM (
                    SELECT patron_key, at FROM consent
                    UNION ALL SELECT patron_key, at FROM campaign_event
                ) GROUP BY patron_key
             )
             SELECT pi.patron_key, coalesce(pe.person_key, pi.patron_key), pu.at, co.at,
                    b.started_at
             FROM patron_identity pi
             LEFT JOIN person pe ON pe.patron_key = pi.patron_key
             LEFT JOIN purchases pu ON pu.patron = pi.patron_key
             LEFT JOIN contacts co ON co.patron = pi.patron_key
             JOIN import_batch b ON b.id = pi.batch_id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        rows.map(|row| crate::rows::activity(row?)).collect()
    }

    fn ticket_facts(&self) -> Result<Vec<crate::TicketFact>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT o.buyer_key, p.starts_at, sh.title, ta.category, t.amount_cents, t.status
             FROM ticket t
             JOIN sale_order o ON o.id = t.order_id
             JOIN performance p ON p.id = t.performance_id
             JOIN show sh ON sh.id = p.show_id
             JOIN tariff ta ON ta.id = t.tariff_id
             ORDER BY p.starts_at, t.id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|row| ticket_fact(row?)).collect()
    }

    fn record_share(&mut self, share: &crate::ShareRecord) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "INSERT INTO data_share (recipient, purpose, legal_basis, created_at, expires_at,
                                     fields, revoked_at, directory, download_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
            params![
                share.recipient,
                share.purpose,
                share.legal_basis,
                to_seconds(share.created_at),
                to_seconds(share.expires_at),
                share.fields,
                share.revoked_at.map(to_seconds),
                share.directory,
                share.download_hash
            ],
            |r| r.get(0),
        )?)
    }

    fn shares(&self) -> Result<Vec<crate::ShareRecord>, StoreError> {
        shares_where(&self.conn, "1 = 1", "")
    }

    fn share_by_download(
        &self,
        download_hash: &str,
    ) -> Result<Option<crate::ShareRecord>, StoreError> {
        Ok(shares_where(
            &self.conn,
            "download_hash = ?1 AND download_hash <> ''",
            download_hash,
        )?
        .pop())
    }

    fn revoke_share(&mut self, id: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE data_share SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, Utc::now().timestamp()],
        )? > 0)
    }

    fn save_token(&mut self, token: &crate::ApiToken) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "INSERT INTO api_token (name, scopes, token_hash, created_at, expires_at, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            params![
                token.name,
                crate::rows::scopes_text(token),
                token.token_hash,
                Utc::now().timestamp(),
                to_seconds(token.expires_at),
                token.revoked_at.map(to_seconds)
            ],
            |r| r.get(0),
        )?)
    }

    fn token_by_hash(&self, token_hash: &str) -> Result<Option<crate::ApiToken>, StoreError> {
        Ok(tokens_where(&self.conn, "token_hash = ?1", token_hash)?.pop())
    }

    fn tokens(&self) -> Result<Vec<crate::ApiToken>, StoreError> {
        tokens_where(&self.conn, "?1 = ?1", "")
    }

    fn revoke_token(&mut self, id: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE api_token SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, Utc::now().timestamp()],
        )? > 0)
    }

    fn save_account(&mut self, account: &crate::Account) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO account (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET role = ?2, password_hash = ?3",
            params![
                account.name,
                account.role,
                account.password_hash,
                Utc::now().timestamp()
            ],
        )?;
        Ok(())
    }

    fn account(&self, name: &str) -> Result<Option<crate::Account>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT name, role, password_hash FROM account WHERE name = ?1",
                [name],
                |r| {
                    Ok(crate::Account {
                        name: r.get(0)?,
                        role: r.get(1)?,
                        password_hash: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn accounts(&self) -> Result<Vec<crate::Account>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT name, role, password_hash FROM account ORDER BY name")?;
        let accounts = statement
            .query_map([], |r| {
                Ok(crate::Account {
                    name: r.get(0)?,
                    role: r.get(1)?,
                    password_hash: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(accounts)
    }

    fn open_session(&mut self, session: &crate::Session) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO session (token_hash, account, csrf, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                session.token_hash,
                session.account,
                session.csrf,
                Utc::now().timestamp(),
                to_seconds(session.expires_at)
            ],
        )?;
        Ok(())
    }

    fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(crate::Session, crate::Account)>, StoreError> {
        let found = self
            .conn
            .query_row(
                "SELECT s.token_hash, s.account, s.csrf, s.expires_at, a.role, a.password_hash
                 FROM session s JOIN account a ON a.name = s.account
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                params![token_hash, to_seconds(now)],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?;
        found.map(crate::rows::session).transpose()
    }

    fn close_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM session WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }

    fn login_failed(&mut self, name: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO login_failure (account, at) VALUES (?1, ?2)",
            params![name, to_seconds(at)],
        )?;
        Ok(())
    }

    fn login_failures(&self, name: &str, since: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM login_failure WHERE account = ?1 AND at >= ?2",
            params![name, to_seconds(since)],
            |r| r.get(0),
        )?)
    }

    fn audit(&mut self, actor: &str, action: &str, detail: &str) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let previous: String = tx
            .query_row(
                "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| audit::GENESIS.to_owned());
        let at = Utc::now().timestamp();
        let hash = audit::chain(&previous, at, actor, action, detail);
        tx.execute(
            "INSERT INTO audit_log (at, actor, action, detail, previous, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![at, actor, action, detail, previous, hash],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn audit_log(&self) -> Result<Vec<crate::AuditEntry>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT id, at, actor, action, detail FROM audit_log ORDER BY id")?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| crate::rows::audit_entry(row?)).collect()
    }

    fn verify_audit(&self) -> Result<Result<usize, crate::AuditBreak>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT id, at, actor, action, detail, previous, hash FROM audit_log ORDER BY id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
        Ok(audit::verify(rows)?)
    }

    fn quarantine(&self, source: Option<&SourceName>) -> Result<Vec<QuarantineEntry>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT s.name, q.origin, q.batch_id, q.line, q.column_index, q.column_name, q.raw,
                    q.reason
             FROM quarantine q JOIN source s ON s.id = q.source_id
             WHERE ?1 IS NULL OR s.name = ?1
             ORDER BY s.name, q.origin, q.line",
        )?;
        let rows = statement.query_map([source.map(SourceName::as_str)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        rows.map(|row| crate::rows::quarantine_entry(row?))
            .collect()
    }

    fn shapes(&self, source: &SourceName) -> Result<Vec<String>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT b.shape FROM import_batch b JOIN source s ON s.id = b.source_id
             WHERE s.name = ?1 AND b.shape IS NOT NULL
             GROUP BY b.shape ORDER BY max(b.id) DESC LIMIT 50",
        )?;
        let shapes = statement.query_map([source.as_str()], |r| r.get(0))?;
        Ok(shapes.collect::<Result<_, _>>()?)
    }

    fn changes(&self, source: &SourceName) -> Result<Vec<Change>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT h.record, h.external_id, h.batch_id, h.changed_at, h.changes
             FROM change_history h JOIN source s ON s.id = h.source_id
             WHERE s.name = ?1 ORDER BY h.id",
        )?;
        let rows = statement.query_map([source.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| crate::rows::change(row?)).collect()
    }

    fn campaign_facts(&self) -> Result<jauge_analytics::campaigns::CampaignFacts, StoreError> {
        use jauge_analytics::campaigns::{Booking, CampaignFacts, CampaignSent, Touch};
        let mut facts = CampaignFacts::default();
        let mut index = std::collections::HashMap::new();
        let mut statement = self
            .conn
            .prepare("SELECT id, name, sent_at FROM campaign ORDER BY sent_at, id")?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (id, name, sent_at) = row?;
            index.insert(id, facts.campaigns.len());
            facts.campaigns.push(CampaignSent {
                name,
                sent_at: from_seconds(sent_at)?,
            });
        }
        let Some(first) = facts.campaigns.iter().map(|c| c.sent_at).min() else {
            return Ok(facts);
        };
        let mut statement = self.conn.prepare(
            "SELECT ce.campaign_id, coalesce(pe.person_key, ce.patron_key), ce.kind, ce.at
             FROM campaign_event ce LEFT JOIN person pe ON pe.patron_key = ce.patron_key",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (campaign, person, kind, at) = row?;
            facts.touches.push(Touch {
                campaign: index[&campaign],
                person,
                kind: kind.parse().map_err(corrupt)?,
                at: from_seconds(at)?,
            });
        }
        let mut statement = self.conn.prepare(
            "SELECT coalesce(pe.person_key, o.buyer_key), o.created_at, count(*),
                    sum(t.amount_cents)
             FROM sale_order o
             JOIN ticket t ON t.order_id = o.id AND t.status = 'valid'
             LEFT JOIN person pe ON pe.patron_key = o.buyer_key
             WHERE o.created_at >= ?1 AND o.buyer_key IS NOT NULL
             GROUP BY o.id",
        )?;
        let rows = statement.query_map([first.timestamp()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, u64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (person, at, tickets, revenue) = row?;
            facts.bookings.push(Booking {
                person,
                at: from_seconds(at)?,
                tickets,
                revenue: Cents::from_signed(revenue).map_err(corrupt)?,
            });
        }
        Ok(facts)
    }

    fn sources(&self) -> Result<Vec<SourceStatus>, StoreError> {
        // Every source an import wrote, and the live sources not synced yet.
        let mut statement = self.conn.prepare(
            "SELECT s.name, s.kind, count(b.id), max(b.finished_at),
                    (SELECT l.facts FROM import_batch l WHERE l.source_id = s.id
                     ORDER BY l.id DESC LIMIT 1),
                    (SELECT count(*) FROM quarantine q WHERE q.source_id = s.id),
                    count(b.drift_accepted),
                    (SELECT last_error FROM live_source WHERE name = s.name)
             FROM source s LEFT JOIN import_batch b ON b.source_id = s.id
             GROUP BY s.id
             UNION ALL
             SELECT name, kind, 0, NULL, NULL, 0, 0, last_error FROM live_source
             WHERE name NOT IN (SELECT name FROM source)
             ORDER BY 1",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        rows.map(|row| crate::rows::source_status(row?)).collect()
    }

    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn identities(&self) -> Result<Vec<(PatronIdentity, BatchId)>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT patron_key, first_name, last_name, email, phone, postcode, city, country,
                    birth_year, batch_id, birth_date, address
             FROM patron_identity ORDER BY patron_key",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                [
                    r.get::<_, Option<String>>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ],
                r.get::<_, Option<i32>>(8)?,
                r.get::<_, i64>(9)?,
                [r.get::<_, Option<String>>(10)?, r.get(11)?],
            ))
        })?;
        rows.map(|row| crate::rows::identity(row?)).collect()
    }

    fn save_persons(&mut self, persons: &[crate::PersonLink]) -> Result<(), StoreError> {
        let now = Utc::now().timestamp();
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM person", [])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO person (patron_key, person_key, part_key, linked_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for p in persons {
                insert.execute(params![
                    p.patron.as_str(),
                    p.person.as_str(),
                    p.part.as_str(),
                    now
                ])?;
            }
        }
        write::audiences_changed(&tx)?;
        tx.commit()?;
        Ok(())
    }

    fn persons(&self) -> Result<Vec<crate::PersonLink>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT patron_key, person_key, part_key FROM person ORDER BY patron_key")?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| crate::rows::person_link(row?)).collect()
    }

    fn last_batch(&self) -> Result<Option<BatchId>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT max(id) FROM import_batch", [], |r| {
                r.get::<_, Option<i64>>(0)
            })?
            .map(BatchId))
    }

    fn decide(&mut self, a: &PatronKey, b: &PatronKey, same: bool) -> Result<(), StoreError> {
        for key in [a, b] {
            let known: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM patron WHERE key = ?1)",
                [key.as_str()],
                |r| r.get(0),
            )?;
            if !known {
                return Err(StoreError::UnknownPatron(key.to_string()));
            }
        }
        let Some((a, b)) = crate::rows::decision_pair(a, b) else {
            return Ok(());
        };
        self.conn.execute(
            "INSERT INTO link_decision (a, b, same, decided_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (a, b) DO UPDATE SET same = ?3, decided_at = ?4",
            params![a.as_str(), b.as_str(), same, Utc::now().timestamp()],
        )?;
        Ok(())
    }

    fn decisions(&self) -> Result<Vec<(PatronKey, PatronKey, bool)>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT a, b, same FROM link_decision ORDER BY decided_at, a, b")?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?;
        rows.map(|row| crate::rows::decision(row?)).collect()
    }

    fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = ?2",
            [key, value],
        )?;
        Ok(())
    }

    fn save_live_source(&mut self, source: &crate::LiveSource) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO live_source (name, connector, kind, settings, every_minutes,
                                      hook_secret_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (name) DO UPDATE SET connector = ?2, kind = ?3, settings = ?4,
                 every_minutes = ?5, hook_secret_hash = ?6",
            params![
                source.name.as_str(),
                source.connector,
                source.kind.code(),
                source.settings,
                source.every_minutes,
                source.hook_secret_hash
            ],
        )?;
        Ok(())
    }

    fn live_sources(&self) -> Result<Vec<crate::LiveSource>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT name, connector, kind, settings, every_minutes, cursor, hook_secret_hash,
                    last_attempt_at, last_success_at, last_error
             FROM live_source ORDER BY name",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                (
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u32>(4)?,
                ),
                (
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, Option<i64>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                ),
            ))
        })?;
        rows.map(|row| crate::rows::live_source(row?)).collect()
    }

    fn record_sync(
        &mut self,
        source: &SourceName,
        at: DateTime<Utc>,
        outcome: Result<Option<&str>, &str>,
    ) -> Result<(), StoreError> {
        let updated = match outcome {
            Ok(cursor) => self.conn.execute(
                "UPDATE live_source SET last_attempt_at = ?2, last_success_at = ?2,
                     last_error = NULL, cursor = coalesce(?3, cursor)
                 WHERE name = ?1",
                params![source.as_str(), to_seconds(at), cursor],
            )?,
            Err(error) => self.conn.execute(
                "UPDATE live_source SET last_attempt_at = ?2, last_error = ?3 WHERE name = ?1",
                params![source.as_str(), to_seconds(at), error],
            )?,
        };
        if updated == 0 {
            return Err(StoreError::UnknownSource(source.to_string()));
        }
        Ok(())
    }

    fn note_notification(
        &mut self,
        source: &SourceName,
        notification: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "INSERT INTO hook_notification (source, notification, received_at)
             VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![source.as_str(), notification, to_seconds(at)],
        )? == 1)
    }
}

#[cfg(test)]
pub(crate) mod tests;
