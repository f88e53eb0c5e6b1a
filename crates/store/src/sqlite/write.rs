//! Writing an import batch: validate, then write every fact and refresh the rollups in one
//! transaction.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use chrono_tz::Tz;
use jauge_model::{
    BatchId, Dataset, ExternalId, Hall, KnownIds, Name, PatronKey, Season, SeasonStartMonth,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{read_setup, to_seconds};
use crate::{BatchReport, StoreError};

pub(crate) fn write_dataset(conn: &mut Connection, d: &Dataset) -> Result<BatchReport, StoreError> {
    let setup = read_setup(conn)?.ok_or(StoreError::NoVenue)?;
    let tx = conn.transaction()?;
    let existing_source: Option<i64> = tx
        .query_row("SELECT id FROM source WHERE name = ?1", [d.source.as_str()], |r| r.get(0))
        .optional()?;

    let problems = {
        let known = KnownInStore::new(&tx, existing_source, &setup.halls);
        let problems = d.problems(&known);
        known.into_result()?;
        problems
    };
    if !problems.is_empty() {
        return Err(StoreError::Rejected { origin: d.origin.clone(), problems });
    }

    let now = chrono::Utc::now().timestamp();
    let source_id = match existing_source {
        Some(id) => id,
        None => tx.query_row(
            "INSERT INTO source (name, kind, created_at) VALUES (?1, ?2, ?3) RETURNING id",
            params![d.source.as_str(), d.kind.code(), now],
            |r| r.get(0),
        )?,
    };
    let batch_id: i64 = tx.query_row(
        "INSERT INTO import_batch (source_id, origin, started_at) VALUES (?1, ?2, ?3) RETURNING id",
        params![source_id, d.origin, now],
        |r| r.get(0),
    )?;

    let mut w = Writer {
        tx: &tx,
        source_id,
        batch_id,
        season_of: SeasonCutter { tz: setup.venue.time_zone, start: setup.venue.season_start },
        halls: tx
            .prepare("SELECT name, id FROM hall")?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<Result<_, _>>()?,
        shows: Lookup::new("show"),
        performances: Lookup::new("performance"),
        tariffs: Lookup::new("tariff"),
        orders: Lookup::new("sale_order"),
        touched_performances: BTreeSet::new(),
        touched_seasons: BTreeSet::new(),
    };
    let mut report = BatchReport { batch: Some(BatchId(batch_id)), ..BatchReport::default() };
    w.shows(d)?;
    report.shows = d.shows.len();
    w.performances(d)?;
    report.performances = d.performances.len();
    w.tariffs(d)?;
    report.tariffs = d.tariffs.len();
    w.patrons(d)?;
    report.patrons = d.patrons.len();
    w.orders(d)?;
    report.orders = d.orders.len();
    w.tickets(d)?;
    report.tickets = d.tickets.len();
    w.consents(d)?;
    report.consents = d.consents.len();
    report.campaign_events = w.campaigns(d)?;
    report.campaigns = d.campaigns.len();

    let performances: Vec<i64> = w.touched_performances.iter().copied().collect();
    let mut seasons = std::mem::take(&mut w.touched_seasons);
    seasons.extend(seasons_of(&tx, &performances)?);
    refresh_rollups(&tx, &performances, &seasons)?;

    tx.execute(
        "UPDATE import_batch SET finished_at = ?2, facts = ?3 WHERE id = ?1",
        params![batch_id, chrono::Utc::now().timestamp(), i64::try_from(d.len()).unwrap_or(i64::MAX)],
    )?;
    tx.commit()?;
    Ok(report)
}

/// Cuts instants into the venue's seasons.
#[derive(Clone, Copy)]
struct SeasonCutter {
    tz: Tz,
    start: SeasonStartMonth,
}

impl SeasonCutter {
    fn start_year(self, seconds: i64) -> i32 {
        let instant = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
        Season::containing(instant.with_timezone(&self.tz).date_naive(), self.start).start_year()
    }
}

/// Row ids of one table's records, by the source's identifiers: those written in this batch,
/// then those already stored.
struct Lookup {
    table: &'static str,
    ids: HashMap<String, i64>,
}

impl Lookup {
    fn new(table: &'static str) -> Lookup {
        Lookup { table, ids: HashMap::new() }
    }

    fn get(&mut self, tx: &Transaction, source_id: i64, id: &ExternalId) -> Result<i64, StoreError> {
        if let Some(&row) = self.ids.get(id.as_str()) {
            return Ok(row);
        }
        let sql = format!("SELECT id FROM {} WHERE source_id = ?1 AND external_id = ?2", self.table);
        let row = tx.prepare_cached(&sql)?.query_row(params![source_id, id.as_str()], |r| r.get(0))?;
        self.ids.insert(id.as_str().to_owned(), row);
        Ok(row)
    }
}

struct Writer<'t> {
    tx: &'t Transaction<'t>,
    source_id: i64,
    batch_id: i64,
    season_of: SeasonCutter,
    halls: HashMap<String, i64>,
    shows: Lookup,
    performances: Lookup,
    tariffs: Lookup,
    orders: Lookup,
    touched_performances: BTreeSet<i64>,
    touched_seasons: BTreeSet<i32>,
}

fn opt_str<T: AsRef<str>>(value: &Option<T>) -> Option<&str> {
    value.as_ref().map(AsRef::as_ref)
}

impl Writer<'_> {
    fn shows(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO show (source_id, external_id, batch_id, title, discipline, company,
                               young_audience, coproduction, festival)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = ?3, title = ?4,
                discipline = ?5, company = ?6, young_audience = ?7, coproduction = ?8, festival = ?9
             RETURNING id",
        )?;
        for s in &d.shows {
            let id = insert.query_row(
                params![
                    self.source_id,
                    s.id.as_str(),
                    self.batch_id,
                    s.title.as_str(),
                    s.discipline.code(),
                    s.company.as_ref().map(Name::as_str),
                    s.young_audience,
                    s.coproduction,
                    s.festival.as_ref().map(Name::as_str),
                ],
                |r| r.get(0),
            )?;
            self.shows.ids.insert(s.id.as_str().to_owned(), id);
        }
        Ok(())
    }

    fn performances(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut previous_season = self.tx.prepare_cached(
            "SELECT season_start_year FROM performance WHERE source_id = ?1 AND external_id = ?2",
        )?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO performance (source_id, external_id, batch_id, show_id, hall_id, starts_at,
                                      season_start_year, capacity, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = ?3, show_id = ?4,
                hall_id = ?5, starts_at = ?6, season_start_year = ?7, capacity = ?8, status = ?9
             RETURNING id",
        )?;
        for p in &d.performances {
            // A performance moved to another season leaves its old season to refresh.
            if let Some(old) = previous_season
                .query_row(params![self.source_id, p.id.as_str()], |r| r.get::<_, i32>(0))
                .optional()?
            {
                self.touched_seasons.insert(old);
            }
            let show = self.shows.get(self.tx, self.source_id, &p.show)?;
            let hall = *self.halls.get(p.hall.as_str()).expect("halls were checked before writing");
            let starts_at = to_seconds(p.starts_at);
            let id = insert.query_row(
                params![
                    self.source_id,
                    p.id.as_str(),
                    self.batch_id,
                    show,
                    hall,
                    starts_at,
                    self.season_of.start_year(starts_at),
                    p.capacity.get(),
                    p.status.code(),
                ],
                |r| r.get(0),
            )?;
            self.performances.ids.insert(p.id.as_str().to_owned(), id);
            self.touched_performances.insert(id);
        }
        Ok(())
    }

    fn tariffs(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO tariff (source_id, external_id, batch_id, label, category)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = ?3, label = ?4,
                category = ?5
             RETURNING id",
        )?;
        for t in &d.tariffs {
            let id = insert.query_row(
                params![self.source_id, t.id.as_str(), self.batch_id, t.label.as_str(), t.category.code()],
                |r| r.get(0),
            )?;
            self.tariffs.ids.insert(t.id.as_str().to_owned(), id);
        }
        Ok(())
    }

    fn patrons(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut key = self.tx.prepare_cached(
            "INSERT INTO patron (key, batch_id) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
        )?;
        let mut identity = self.tx.prepare_cached(
            "INSERT INTO patron_identity (patron_key, source_id, batch_id, first_name, last_name,
                email, phone, postcode, city, country, birth_year)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (patron_key) DO UPDATE SET source_id = ?2, batch_id = ?3,
                first_name = ?4, last_name = ?5, email = ?6, phone = ?7, postcode = ?8, city = ?9,
                country = ?10, birth_year = ?11",
        )?;
        for p in &d.patrons {
            let patron = p.key().expect("keys were checked before writing").as_str();
            key.execute(params![patron, self.batch_id])?;
            identity.execute(params![
                patron,
                self.source_id,
                self.batch_id,
                p.first_name,
                p.last_name,
                opt_str(&p.email),
                p.phone,
                p.postcode,
                p.city,
                opt_str(&p.country),
                p.birth_year.map(|y| y.get()),
            ])?;
        }
        Ok(())
    }

    fn orders(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO sale_order (source_id, external_id, batch_id, channel, created_at,
                                     buyer_key, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = ?3, channel = ?4,
                created_at = ?5, buyer_key = ?6, status = ?7
             RETURNING id",
        )?;
        for o in &d.orders {
            let id = insert.query_row(
                params![
                    self.source_id,
                    o.id.as_str(),
                    self.batch_id,
                    o.channel.code(),
                    to_seconds(o.created_at),
                    o.buyer.as_ref().map(PatronKey::as_str),
                    o.status.code(),
                ],
                |r| r.get(0),
            )?;
            self.orders.ids.insert(o.id.as_str().to_owned(), id);
        }
        Ok(())
    }

    fn tickets(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO ticket (source_id, external_id, batch_id, order_id, performance_id,
                tariff_id, amount_cents, face_value_cents, vat_bp, status, checked_in_at,
                attendee_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = ?3, order_id = ?4,
                performance_id = ?5, tariff_id = ?6, amount_cents = ?7, face_value_cents = ?8,
                vat_bp = ?9, status = ?10, checked_in_at = ?11, attendee_key = ?12",
        )?;
        for t in &d.tickets {
            let order = self.orders.get(self.tx, self.source_id, &t.order)?;
            let performance = self.performances.get(self.tx, self.source_id, &t.performance)?;
            let tariff = self.tariffs.get(self.tx, self.source_id, &t.tariff)?;
            insert.execute(params![
                self.source_id,
                t.id.as_str(),
                self.batch_id,
                order,
                performance,
                tariff,
                t.amount_paid.as_i64(),
                t.face_value.as_i64(),
                t.vat_rate.basis_points(),
                t.status.code(),
                t.checked_in_at.map(to_seconds),
                t.attendee.as_ref().map(PatronKey::as_str),
            ])?;
            self.touched_performances.insert(performance);
        }
        Ok(())
    }

    fn consents(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO consent (patron_key, channel, purpose, status, at, source_id, batch_id, proof)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (patron_key, channel, purpose, at, status) DO NOTHING",
        )?;
        for c in &d.consents {
            insert.execute(params![
                c.patron.as_str(),
                c.channel.code(),
                c.purpose.code(),
                c.status.code(),
                to_seconds(c.at),
                self.source_id,
                self.batch_id,
                c.proof,
            ])?;
        }
        Ok(())
    }

    /// Writes campaigns and their events; returns the number of events.
    fn campaigns(&mut self, d: &Dataset) -> Result<usize, StoreError> {
        let mut campaign = self.tx.prepare_cached(
            "INSERT INTO campaign (source_id, external_id, batch_id, name, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = ?3, name = ?4,
                sent_at = ?5
             RETURNING id",
        )?;
        let mut event = self.tx.prepare_cached(
            "INSERT INTO campaign_event (campaign_id, patron_key, kind, at, batch_id)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )?;
        let mut events = 0;
        for c in &d.campaigns {
            let id: i64 = campaign.query_row(
                params![self.source_id, c.id.as_str(), self.batch_id, c.name.as_str(), to_seconds(c.sent_at)],
                |r| r.get(0),
            )?;
            for e in &c.events {
                event.execute(params![id, e.patron.as_str(), e.kind.code(), to_seconds(e.at), self.batch_id])?;
                events += 1;
            }
        }
        Ok(events)
    }
}

fn seasons_of(tx: &Transaction, performances: &[i64]) -> Result<BTreeSet<i32>, StoreError> {
    let mut statement = tx.prepare_cached("SELECT season_start_year FROM performance WHERE id = ?1")?;
    performances
        .iter()
        .map(|&id| Ok(statement.query_row([id], |r| r.get(0))?))
        .collect()
}

/// Recomputes the sales of `performances` and the buyers' activity in `seasons`.
fn refresh_rollups(
    tx: &Transaction,
    performances: &[i64],
    seasons: &BTreeSet<i32>,
) -> Result<(), StoreError> {
    let mut delete = tx.prepare_cached("DELETE FROM performance_sales WHERE performance_id = ?1")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO performance_sales
         SELECT performance_id, count(*), sum(amount_cents > 0), sum(amount_cents = 0),
                sum(amount_cents)
         FROM ticket WHERE performance_id = ?1 AND status = 'valid' GROUP BY performance_id",
    )?;
    for &p in performances {
        delete.execute([p])?;
        insert.execute([p])?;
    }
    let mut delete = tx.prepare_cached("DELETE FROM patron_season WHERE season_start_year = ?1")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO patron_season
         SELECT o.buyer_key, p.season_start_year, count(*)
         FROM performance p
         JOIN ticket t ON t.performance_id = p.id
         JOIN sale_order o ON o.id = t.order_id
         WHERE p.season_start_year = ?1 AND p.status = 'scheduled' AND t.status = 'valid'
           AND o.buyer_key IS NOT NULL
         GROUP BY o.buyer_key",
    )?;
    for &s in seasons {
        delete.execute([s])?;
        insert.execute([s])?;
    }
    Ok(())
}

/// Re-cuts every performance into seasons after the venue's time zone or season start changed,
/// and refreshes the buyers' activity of the seasons concerned.
pub(crate) fn reseason_performances(
    tx: &Transaction,
    tz: Tz,
    start: SeasonStartMonth,
) -> Result<(), StoreError> {
    let cutter = SeasonCutter { tz, start };
    let rows: Vec<(i64, i64, i32)> = tx
        .prepare("SELECT id, starts_at, season_start_year FROM performance")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut seasons = BTreeSet::new();
    let mut update = tx.prepare("UPDATE performance SET season_start_year = ?2 WHERE id = ?1")?;
    for (id, starts_at, old) in rows {
        let new = cutter.start_year(starts_at);
        if new != old {
            update.execute(params![id, new])?;
            seasons.extend([old, new]);
        }
    }
    refresh_rollups(tx, &[], &seasons)
}

/// What the store already holds, for checking a dataset's references. The first database error
/// is kept and returned by [`KnownInStore::into_result`].
struct KnownInStore<'a> {
    tx: &'a Transaction<'a>,
    source_id: Option<i64>,
    halls: HashMap<&'a str, u32>,
    error: RefCell<Option<rusqlite::Error>>,
}

impl<'a> KnownInStore<'a> {
    fn new(tx: &'a Transaction<'a>, source_id: Option<i64>, halls: &'a [Hall]) -> Self {
        let halls = halls.iter().map(|h| (h.name.as_str(), h.capacity.get())).collect();
        KnownInStore { tx, source_id, halls, error: RefCell::new(None) }
    }

    fn exists(&self, sql: &str, value: &str, scoped: bool) -> bool {
        let result = if scoped {
            let Some(source_id) = self.source_id else { return false };
            self.tx.prepare_cached(sql).and_then(|mut s| s.exists(params![source_id, value]))
        } else {
            self.tx.prepare_cached(sql).and_then(|mut s| s.exists([value]))
        };
        result.unwrap_or_else(|e| {
            self.error.borrow_mut().get_or_insert(e);
            false
        })
    }

    fn into_result(self) -> Result<(), StoreError> {
        self.error.into_inner().map_or(Ok(()), |e| Err(e.into()))
    }
}

macro_rules! scoped_exists {
    ($table:literal) => {
        concat!("SELECT 1 FROM ", $table, " WHERE source_id = ?1 AND external_id = ?2")
    };
}

impl KnownIds for KnownInStore<'_> {
    fn hall_capacity(&self, hall: &Name) -> Option<u32> {
        self.halls.get(hall.as_str()).copied()
    }
    fn has_show(&self, id: &ExternalId) -> bool {
        self.exists(scoped_exists!("show"), id.as_str(), true)
    }
    fn has_performance(&self, id: &ExternalId) -> bool {
        self.exists(scoped_exists!("performance"), id.as_str(), true)
    }
    fn has_tariff(&self, id: &ExternalId) -> bool {
        self.exists(scoped_exists!("tariff"), id.as_str(), true)
    }
    fn has_order(&self, id: &ExternalId) -> bool {
        self.exists(scoped_exists!("sale_order"), id.as_str(), true)
    }
    fn has_patron(&self, key: &PatronKey) -> bool {
        self.exists("SELECT 1 FROM patron WHERE key = ?1", key.as_str(), false)
    }
}
