//! Writing an import batch: every fact of a dataset and the rollups it changes, in one
//! transaction, committed only if the dataset has no problem.
//!
//! The write is built for bulk loads as much as for daily increments (measured on a 2-core
//! machine; see the `demo_load` benchmark): rows go in many at a time and in key order, the
//! dataset is checked on the other core while this one writes, a large batch rebuilds the
//! sales index instead of inserting into it, and rollups of performances and seasons the batch
//! created are computed from the batch itself instead of read back.

use std::borrow::Borrow;
use std::collections::BTreeSet;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chrono_tz::Tz;
use jauge_model::{
    BatchId, Dataset, DatasetProblem, ExternalId, PerformanceStatus, SeasonStartMonth,
    TariffCategory, VenueSetup,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::bulk::{BulkInsert, Param};
use super::read_setup;
use crate::batch::{
    BatchRollups, History, Holder, Known, NewPerformance, PlannedOrders, ResolvedTickets,
    SeasonCutter, Stopwatch, StoredOrder, StoredTicket, check_beside, check_tickets_stored, holder,
    missing_record, note_revision, order_changes, ticket_changes,
};
use crate::rows::to_seconds;
use crate::{BatchReport, StoreError};

/// Writes a batch that arrives in parts (one dataset, or a large file's rows as they are read)
/// in one transaction. Foreign-key enforcement is off while it runs: the writer resolves every
/// reference to a row id itself (a missing one fails the batch) and each part's references are
/// checked as well, so the database's own check would only repeat them, at a quarter of the
/// write's time. It is back on for every other statement.
pub(crate) fn write_parts<D: Borrow<Dataset>>(
    conn: &mut Connection,
    parts: impl Iterator<Item = Result<D, String>>,
    whole: bool,
) -> Result<BatchReport, StoreError> {
    let setup = read_setup(conn)?.ok_or(StoreError::NoVenue)?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let written = write_checked(conn, parts, &setup, whole);
    conn.pragma_update(None, "foreign_keys", true)?;
    written
}

fn write_checked<D: Borrow<Dataset>>(
    conn: &mut Connection,
    mut parts: impl Iterator<Item = Result<D, String>>,
    setup: &VenueSetup,
    whole: bool,
) -> Result<BatchReport, StoreError> {
    let Some(first) = parts.next() else {
        return Ok(BatchReport::default());
    };
    let first = first.map_err(StoreError::Abandoned)?;
    let tx = conn.transaction()?;
    let mut w = Writer::begin(&tx, first.borrow(), setup, whole)?;
    let mut part = Some(first);
    while let Some(d) = part {
        w.write_part(d.borrow(), setup)?;
        drop(d);
        part = parts.next().transpose().map_err(StoreError::Abandoned)?;
    }
    let mut report = w.finish()?;
    let committing = std::time::Instant::now();
    tx.commit()?;
    report.phases.push(("commit", committing.elapsed()));
    Ok(report)
}

/// Whether a dangling reference points at a record the store already holds: an earlier batch
/// wrote it, or an earlier part of this one.
fn already_stored(
    tx: &Transaction,
    source: i64,
    problem: &DatasetProblem,
) -> Result<bool, StoreError> {
    Ok(match holder(problem) {
        None => false,
        Some(Holder::Scoped(table, id)) => {
            let sql = format!("SELECT 1 FROM {table} WHERE source_id = ?1 AND external_id = ?2");
            tx.prepare_cached(&sql)?.exists(params![source, id])?
        }
        Some(Holder::Patron(key)) => tx
            .prepare_cached("SELECT 1 FROM patron WHERE key = ?1")?
            .exists([key])?,
    })
}

impl<'t> Writer<'t> {
    /// Opens the batch of the source `first` comes from: its source and batch rows, and what
    /// earlier batches of the source hold.
    fn begin(
        tx: &'t Transaction<'t>,
        first: &Dataset,
        setup: &VenueSetup,
        whole: bool,
    ) -> Result<Writer<'t>, StoreError> {
        let now = chrono::Utc::now().timestamp();
        let source: Option<i64> = tx
            .query_row(
                "SELECT id FROM source WHERE name = ?1",
                [first.source.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        let source_id = match source {
            Some(id) => id,
            None => tx.query_row(
                "INSERT INTO source (name, kind, created_at) VALUES (?1, ?2, ?3) RETURNING id",
                params![first.source.as_str(), first.kind.code(), now],
                |r| r.get(0),
            )?,
        };
        let batch_id: i64 = tx.query_row(
            "INSERT INTO import_batch (source_id, origin, started_at, shape, drift_accepted)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            params![
                source_id,
                first.origin,
                now,
                first.shape,
                first.drift_accepted
            ],
            |r| r.get(0),
        )?;
        // The rows this file could not take replace those it could not take before.
        tx.execute(
            "DELETE FROM quarantine WHERE source_id = ?1 AND origin = ?2",
            params![source_id, first.origin],
        )?;
        Ok(Writer {
            tx,
            source_id,
            // What an earlier batch of this source stored: a first import of tickets or orders
            // has nothing to compare with, and skips the lookups.
            orders_stored: source.is_some_and(|id| stored_for(tx, "sale_order", id)),
            tickets_stored: source.is_some_and(|id| stored_for(tx, "ticket", id)),
            batch_id,
            season_of: SeasonCutter {
                tz: setup.venue.time_zone,
                start: setup.venue.season_start,
            },
            halls: tx
                .prepare("SELECT name, id FROM hall")?
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
                .collect::<Result<_, _>>()?,
            shows: Lookup::new("show"),
            performances: Lookup::new("performance"),
            tariffs: Lookup::new("tariff"),
            subscription_tariffs: tx
                .prepare(
                    "SELECT external_id FROM tariff
                     WHERE source_id = ?1 AND category = 'subscription'",
                )?
                .query_map([source_id], |r| r.get::<_, String>(0))?
                .map(|id| id?.parse::<ExternalId>().map_err(super::corrupt))
                .collect::<Result<_, StoreError>>()?,
            orders: Lookup::new("sale_order"),
            new_performances: HashMap::default(),
            touched_performances: BTreeSet::new(),
            touched_seasons: BTreeSet::new(),
            buyers_changed: false,
            history: Vec::new(),
            rollups: BatchRollups::default(),
            whole,
            sales_index_dropped: None,
            report: BatchReport {
                batch: Some(BatchId(batch_id)),
                ..BatchReport::default()
            },
            clock: Stopwatch::start(),
        })
    }

    /// Writes one part of the batch, checked: a part with a problem the store does not settle
    /// fails the whole batch.
    fn write_part(&mut self, d: &Dataset, setup: &VenueSetup) -> Result<(), StoreError> {
        self.shows(d)?;
        self.performances(d)?;
        self.tariffs(d)?;
        self.earlier_performances(d)?;
        let order_ids = self.plan_orders(d)?;
        self.clock.lap("programme and tariffs");

        // The other core resolves the tickets' references, then checks the part, while this
        // one writes patrons and orders.
        let subscription_tariffs = std::mem::take(&mut self.subscription_tariffs);
        let known = Known {
            performances: self.performances.ids.clone(),
            tariffs: self.tariffs.ids.clone(),
            subscription_tariffs: &subscription_tariffs,
            orders: &order_ids,
            new_performances: self.new_performances.clone(),
        };
        let (written, problems) = check_beside(d, known, &setup.halls, |resolved| {
            self.patrons(d)?;
            self.clock.lap("patrons");
            self.write_orders(d, &order_ids)?;
            self.clock.lap("orders");
            let resolved = resolved();
            self.clock.lap("waiting for resolved tickets");
            self.tickets(resolved)?;
            self.clock.lap("tickets");
            self.consents(d)?;
            let campaign_events = self.campaigns(d)?;
            self.quarantine(d)?;
            self.clock.lap("consents, campaigns and quarantine");
            Ok::<_, StoreError>(campaign_events)
        });
        self.subscription_tariffs = subscription_tariffs;
        self.clock.lap("waiting for the check");
        let mut problems_left = Vec::new();
        for problem in problems {
            if !already_stored(self.tx, self.source_id, &problem)? {
                problems_left.push(problem);
            }
        }
        if !problems_left.is_empty() {
            return Err(StoreError::Rejected {
                origin: d.origin.clone(),
                problems: problems_left,
            });
        }
        self.report.count_part(d, written?);
        Ok(())
    }

    /// Ends the batch: the index and rollups the parts left to bring up to date, the history
    /// of what changed, the batch's totals.
    fn finish(mut self) -> Result<BatchReport, StoreError> {
        if self.sales_index_dropped == Some(true) {
            self.tx.execute_batch(CREATE_SALES_INDEX)?;
        }
        self.clock.lap("sales index");
        // Two parts giving the same ticket: the later one overwrote the earlier.
        let stored: i64 = self.tx.query_row(
            "SELECT count(*) FROM ticket WHERE batch_id = ?1",
            [self.batch_id],
            |r| r.get(0),
        )?;
        check_tickets_stored(self.report.tickets, stored, || self.origin())?;
        self.write_history()?;
        let rollups = std::mem::take(&mut self.rollups);
        self.refresh_rollups(rollups)?;
        self.clock.lap("rollups");
        self.tx.execute(
            "UPDATE import_batch SET finished_at = ?2, facts = ?3 WHERE id = ?1",
            params![
                self.batch_id,
                chrono::Utc::now().timestamp(),
                self.report.facts()
            ],
        )?;
        let mut report = self.report;
        report.phases = self.clock.laps;
        Ok(report)
    }

    fn origin(&self) -> Result<String, StoreError> {
        Ok(self.tx.query_row(
            "SELECT origin FROM import_batch WHERE id = ?1",
            [self.batch_id],
            |r| r.get(0),
        )?)
    }
}

/// Whether `table` holds rows of the source (a database error reads as "yes": the careful path).
fn stored_for(tx: &Transaction, table: &str, source_id: i64) -> bool {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE source_id = ?1)");
    tx.query_row(&sql, [source_id], |r| r.get(0))
        .unwrap_or(true)
}

/// Row ids of one table's records, by the source's identifiers: those written in this batch,
/// then those already stored.
struct Lookup {
    table: &'static str,
    ids: HashMap<ExternalId, i64>,
}

impl Lookup {
    fn new(table: &'static str) -> Lookup {
        Lookup {
            table,
            ids: HashMap::default(),
        }
    }

    fn get(
        &mut self,
        tx: &Transaction,
        source_id: i64,
        id: &ExternalId,
    ) -> Result<i64, StoreError> {
        if let Some(&row) = self.ids.get(id) {
            return Ok(row);
        }
        let row = self.stored(tx, source_id, id)?.ok_or_else(missing_record)?;
        self.ids.insert(id.clone(), row);
        Ok(row)
    }

    fn stored(
        &self,
        tx: &Transaction,
        source_id: i64,
        id: &ExternalId,
    ) -> Result<Option<i64>, StoreError> {
        let sql = format!(
            "SELECT id FROM {} WHERE source_id = ?1 AND external_id = ?2",
            self.table
        );
        Ok(tx
            .prepare_cached(&sql)?
            .query_row(params![source_id, id.as_str()], |r| r.get(0))
            .optional()?)
    }
}

struct Writer<'t> {
    tx: &'t Transaction<'t>,
    source_id: i64,
    /// Whether earlier batches of this source stored orders, and tickets.
    orders_stored: bool,
    tickets_stored: bool,
    batch_id: i64,
    season_of: SeasonCutter,
    halls: HashMap<String, i64>,
    shows: Lookup,
    performances: Lookup,
    tariffs: Lookup,
    /// The source's tariffs, stored or of this batch, that are subscriptions or packages.
    subscription_tariffs: HashSet<ExternalId>,
    orders: Lookup,
    new_performances: HashMap<i64, NewPerformance>,
    touched_performances: BTreeSet<i64>,
    touched_seasons: BTreeSet<i32>,
    /// An order stored by an earlier batch changed buyer.
    buyers_changed: bool,
    /// Records of earlier batches this one changes.
    history: History,
    rollups: BatchRollups,
    /// Whether the batch comes whole, in one part. A batch in parts keeps the sales index: its
    /// parts are written while the next is read, and growing the index then costs less than
    /// building it at the end (measured on the import benchmark).
    whole: bool,
    /// Whether the first part's tickets dropped the sales index, for the end to build again.
    sales_index_dropped: Option<bool>,
    report: BatchReport,
    clock: Stopwatch,
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
                    s.company.as_ref().map(|c| c.as_str()),
                    s.young_audience,
                    s.coproduction,
                    s.festival.as_ref().map(|f| f.as_str()),
                ],
                |r| r.get(0),
            )?;
            self.shows.ids.insert(s.id.clone(), id);
        }
        Ok(())
    }

    fn performances(&mut self, d: &Dataset) -> Result<(), StoreError> {
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
            let previous: Option<i32> = self
                .tx
                .prepare_cached(
                    "SELECT season_start_year FROM performance
                     WHERE source_id = ?1 AND external_id = ?2",
                )?
                .query_row(params![self.source_id, p.id.as_str()], |r| r.get(0))
                .optional()?;
            let show = self.shows.get(self.tx, self.source_id, &p.show)?;
            let hall = *self.halls.get(p.hall.as_str()).ok_or_else(missing_record)?;
            let starts_at = to_seconds(p.starts_at);
            let season = self.season_of.start_year(starts_at);
            let id = insert.query_row(
                params![
                    self.source_id,
                    p.id.as_str(),
                    self.batch_id,
                    show,
                    hall,
                    starts_at,
                    season,
                    p.capacity.get(),
                    p.status.code(),
                ],
                |r| r.get(0),
            )?;
            match previous {
                Some(old) => {
                    self.touched_seasons.insert(old);
                }
                None => {
                    let scheduled = p.status == PerformanceStatus::Scheduled;
                    self.new_performances
                        .insert(id, NewPerformance { season, scheduled });
                }
            }
            self.touched_seasons.insert(season);
            self.touched_performances.insert(id);
            self.performances.ids.insert(p.id.clone(), id);
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
                params![
                    self.source_id,
                    t.id.as_str(),
                    self.batch_id,
                    t.label.as_str(),
                    t.category.code()
                ],
                |r| r.get(0),
            )?;
            self.tariffs.ids.insert(t.id.clone(), id);
            if t.category == TariffCategory::Subscription {
                self.subscription_tariffs.insert(t.id.clone());
            } else {
                self.subscription_tariffs.remove(&t.id);
            }
        }
        Ok(())
    }

    fn patrons(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut keys = BulkInsert::new(
            self.tx,
            "INSERT INTO patron (key, batch_id)",
            2,
            "ON CONFLICT (key) DO NOTHING",
        )?;
        let mut identities = BulkInsert::new(
            self.tx,
            "INSERT INTO patron_identity (patron_key, source_id, batch_id, first_name, last_name,
                email, phone, postcode, city, country, birth_year, birth_date, address)",
            13,
            "ON CONFLICT (patron_key) DO UPDATE SET source_id = excluded.source_id,
                batch_id = excluded.batch_id, first_name = excluded.first_name,
                last_name = excluded.last_name, email = excluded.email, phone = excluded.phone,
                postcode = excluded.postcode, city = excluded.city, country = excluded.country,
                birth_year = excluded.birth_year, birth_date = excluded.birth_date,
                address = excluded.address",
        )?;
        // In key order, so that both tables grow at their end.
        let mut patrons: Vec<_> = d
            .patrons
            .iter()
            .filter_map(|p| Some((p.key()?, p)))
            .collect();
        patrons.sort_unstable_by_key(|&(key, _)| key);
        let dates: Vec<Option<String>> = patrons
            .iter()
            .map(|(_, p)| p.birth_date.map(|d| d.format("%Y-%m-%d").to_string()))
            .collect();
        for ((key, p), date) in patrons.into_iter().zip(&dates) {
            let key = Param::Text(key.as_str());
            keys.push(&[key, Param::Int(self.batch_id)])?;
            identities.push(&[
                key,
                Param::Int(self.source_id),
                Param::Int(self.batch_id),
                p.first_name.as_deref().into(),
                p.last_name.as_deref().into(),
                p.email.as_ref().map(|e| e.as_str()).into(),
                p.phone.as_deref().into(),
                p.postcode.as_deref().into(),
                p.city.as_deref().into(),
                p.country.as_ref().map(|c| c.as_str()).into(),
                p.birth_year.map(|y| i64::from(y.get())).into(),
                date.as_deref().into(),
                p.address.as_deref().into(),
            ])?;
        }
        keys.flush()?;
        identities.flush()
    }

    /// Knows the performances earlier batches of this source stored, when this batch's tickets
    /// refer to some (a ticket list after its performance list). When the source had no ticket
    /// yet, none of them has any: their rollups can come from this batch.
    fn earlier_performances(&mut self, d: &Dataset) -> Result<(), StoreError> {
        if d.tickets
            .iter()
            .all(|t| self.performances.ids.contains_key(&t.performance))
        {
            return Ok(());
        }
        let mut statement = self.tx.prepare(
            "SELECT external_id, id, season_start_year, status FROM performance WHERE source_id = ?1",
        )?;
        let rows = statement.query_map([self.source_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i32>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (external, id, season, status) = row?;
            let Ok(external) = external.parse::<ExternalId>() else {
                continue;
            };
            if self.performances.ids.contains_key(&external) {
                continue;
            }
            self.performances.ids.insert(external, id);
            if !self.tickets_stored {
                self.new_performances.insert(
                    id,
                    NewPerformance {
                        season,
                        scheduled: status == "scheduled",
                    },
                );
                self.touched_seasons.insert(season);
            }
        }
        Ok(())
    }

    /// Gives each order its row id: an order already stored keeps its own, a new one takes
    /// the next free one. Tickets can then be resolved without reading anything back.
    fn plan_orders<'d>(&mut self, d: &'d Dataset) -> Result<PlannedOrders<'d>, StoreError> {
        let mut next: i64 =
            self.tx
                .query_row("SELECT coalesce(max(id), 0) + 1 FROM sale_order", [], |r| {
                    r.get(0)
                })?;
        let mut ids = HashMap::default();
        ids.reserve(d.orders.len());
        for (index, o) in d.orders.iter().enumerate() {
            let stored: Option<(i64, StoredOrder)> = if !self.orders_stored {
                None
            } else {
                self.tx
                    .prepare_cached(
                        "SELECT id, buyer_key, channel, created_at, status FROM sale_order
                         WHERE source_id = ?1 AND external_id = ?2",
                    )?
                    .query_row(params![self.source_id, o.id.as_str()], |r| {
                        Ok((
                            r.get(0)?,
                            StoredOrder {
                                buyer: r.get(1)?,
                                channel: r.get(2)?,
                                created_at: r.get(3)?,
                                status: r.get(4)?,
                            },
                        ))
                    })
                    .optional()?
            };
            let id = match stored {
                Some((id, stored)) => {
                    let (buyer_changed, changed) = order_changes(&stored, o);
                    self.buyers_changed |= buyer_changed;
                    note_revision(&mut self.report, &mut self.history, "order", &o.id, changed);
                    id
                }
                None => {
                    self.report.changes.note(false, true);
                    next += 1;
                    next - 1
                }
            };
            ids.insert(&o.id, (id, index));
        }
        Ok(ids)
    }

    /// Writes the orders with their planned ids, in identifier order.
    fn write_orders(&self, d: &Dataset, ids: &PlannedOrders) -> Result<(), StoreError> {
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO sale_order (id, source_id, external_id, batch_id, channel, created_at,
                                     buyer_key, status)",
            8,
            "ON CONFLICT (id) DO UPDATE SET batch_id = excluded.batch_id,
                channel = excluded.channel, created_at = excluded.created_at,
                buyer_key = excluded.buyer_key, status = excluded.status",
        )?;
        let mut orders: Vec<_> = d.orders.iter().collect();
        orders.sort_unstable_by_key(|o| &o.id);
        for o in orders {
            insert.push(&[
                Param::Int(ids[&o.id].0),
                Param::Int(self.source_id),
                Param::Text(o.id.as_str()),
                Param::Int(self.batch_id),
                Param::Text(o.channel.code()),
                Param::Int(to_seconds(o.created_at)),
                o.buyer.as_ref().map(|b| b.as_str()).into(),
                Param::Text(o.status.code()),
            ])?;
        }
        insert.flush()
    }

    fn tickets(&mut self, resolved: ResolvedTickets) -> Result<(), StoreError> {
        let ResolvedTickets {
            mut rows,
            unresolved,
            touched_performances,
            mut rollups,
        } = resolved;
        self.touched_performances.extend(touched_performances);
        if !unresolved.is_empty() {
            // References to records of earlier batches. A performance of an earlier batch is
            // not new, so these add nothing to the batch's own rollups.
            for t in unresolved {
                let order = self.orders.get(self.tx, self.source_id, &t.order)?;
                let performance = self
                    .performances
                    .get(self.tx, self.source_id, &t.performance)?;
                let tariff = self.tariffs.get(self.tx, self.source_id, &t.tariff)?;
                rows.push((performance, order, tariff, t));
                self.touched_performances.insert(performance);
            }
            rows.sort_unstable_by(|a, b| a.3.id.cmp(&b.3.id));
        }
        if self.tickets_stored {
            // A ticket moved from another performance leaves that one to refresh.
            // A ticket an earlier batch stored: its changes go to the history, and a ticket
            // moved from another performance leaves that one to refresh.
            let mut before = self.tx.prepare_cached(
                "SELECT t.performance_id, p.season_start_year, t.order_id, t.tariff_id,
                        t.amount_cents, t.face_value_cents, t.vat_bp, t.status,
                        coalesce(t.checked_in_at, ''), coalesce(t.attendee_key, '')
                 FROM ticket t JOIN performance p ON p.id = t.performance_id
                 WHERE t.source_id = ?1 AND t.external_id = ?2",
            )?;
            for row in &rows {
                let t = row.3;
                let stored = before
                    .query_row(params![self.source_id, t.id.as_str()], |r| {
                        Ok(StoredTicket {
                            performance: r.get(0)?,
                            season: r.get(1)?,
                            numbers: [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
                            status: r.get(7)?,
                            checked_in_at: match r.get::<_, rusqlite::types::Value>(8)? {
                                rusqlite::types::Value::Integer(at) => Some(at),
                                _ => None,
                            },
                            attendee: r.get(9)?,
                        })
                    })
                    .optional()?;
                let Some(stored) = stored else {
                    self.report.changes.note(false, true);
                    continue;
                };
                if stored.performance != row.0 {
                    self.touched_performances.insert(stored.performance);
                    self.touched_seasons.insert(stored.season);
                    rollups.read_back.insert(stored.season);
                }
                let changed = ticket_changes(&stored, row);
                note_revision(
                    &mut self.report,
                    &mut self.history,
                    "ticket",
                    &t.id,
                    changed,
                );
            }
        } else {
            self.report.changes.inserted += rows.len();
        }
        if self.sales_index_dropped.is_none() {
            self.sales_index_dropped =
                Some(self.whole && drop_sales_index_for(self.tx, rows.len())?);
        }
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO ticket (source_id, external_id, batch_id, order_id, performance_id,
                tariff_id, amount_cents, face_value_cents, vat_bp, status, checked_in_at,
                attendee_key)",
            12,
            "ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = excluded.batch_id,
                order_id = excluded.order_id, performance_id = excluded.performance_id,
                tariff_id = excluded.tariff_id, amount_cents = excluded.amount_cents,
                face_value_cents = excluded.face_value_cents, vat_bp = excluded.vat_bp,
                status = excluded.status, checked_in_at = excluded.checked_in_at,
                attendee_key = excluded.attendee_key",
        )?;
        for (performance, order, tariff, t) in rows {
            insert.push(&[
                Param::Int(self.source_id),
                Param::Text(t.id.as_str()),
                Param::Int(self.batch_id),
                Param::Int(order),
                Param::Int(performance),
                Param::Int(tariff),
                Param::Int(t.amount_paid.as_i64()),
                Param::Int(t.face_value.as_i64()),
                Param::Int(i64::from(t.vat_rate.basis_points())),
                Param::Text(t.status.code()),
                t.checked_in_at.map(to_seconds).into(),
                t.attendee.as_ref().map(|a| a.as_str()).into(),
            ])?;
        }
        insert.flush()?;
        self.rollups.add(rollups);
        Ok(())
    }

    fn consents(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO consent (patron_key, channel, purpose, status, at, source_id, batch_id, proof)",
            8,
            "ON CONFLICT (patron_key, channel, purpose, at, status) DO NOTHING",
        )?;
        for c in &d.consents {
            insert.push(&[
                Param::Text(c.patron.as_str()),
                Param::Text(c.channel.code()),
                Param::Text(c.purpose.code()),
                Param::Text(c.status.code()),
                Param::Int(to_seconds(c.at)),
                Param::Int(self.source_id),
                Param::Int(self.batch_id),
                Param::Text(&c.proof),
            ])?;
        }
        insert.flush()
    }

    /// Writes what this batch changed in records of earlier batches.
    fn write_history(&mut self) -> Result<(), StoreError> {
        let now = chrono::Utc::now().timestamp();
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO change_history (record, source_id, external_id, batch_id, changed_at, changes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (record, id, changes) in &self.history {
            insert.execute(params![
                record,
                self.source_id,
                id,
                self.batch_id,
                now,
                changes.join("; ")
            ])?;
        }
        Ok(())
    }

    /// Keeps the rows of this part the file could not take (`begin` removed the earlier ones).
    fn quarantine(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO quarantine (source_id, batch_id, origin, line, column_index, column_name,
                                     raw, reason)",
            8,
            "",
        )?;
        for q in &d.quarantined {
            insert.push(&[
                Param::Int(self.source_id),
                Param::Int(self.batch_id),
                Param::Text(&d.origin),
                Param::Int(i64::try_from(q.line).unwrap_or(i64::MAX)),
                q.column
                    .as_ref()
                    .map(|(c, _)| i64::try_from(*c).unwrap_or(i64::MAX))
                    .into(),
                q.column.as_ref().map(|(_, h)| h.as_str()).into(),
                Param::Text(&q.raw),
                Param::Text(&q.reason),
            ])?;
        }
        insert.flush()
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
        let mut events = BulkInsert::new(
            self.tx,
            "INSERT INTO campaign_event (campaign_id, patron_key, kind, at, batch_id)",
            5,
            "ON CONFLICT DO NOTHING",
        )?;
        let mut count = 0;
        for c in &d.campaigns {
            let id: i64 = campaign.query_row(
                params![
                    self.source_id,
                    c.id.as_str(),
                    self.batch_id,
                    c.name.as_str(),
                    to_seconds(c.sent_at)
                ],
                |r| r.get(0),
            )?;
            let mut sorted: Vec<_> = c.events.iter().collect();
            sorted.sort_unstable_by(|a, b| {
                (&a.patron, a.kind.code(), a.at).cmp(&(&b.patron, b.kind.code(), b.at))
            });
            for e in sorted {
                events.push(&[
                    Param::Int(id),
                    Param::Text(e.patron.as_str()),
                    Param::Text(e.kind.code()),
                    Param::Int(to_seconds(e.at)),
                    Param::Int(self.batch_id),
                ])?;
                count += 1;
            }
        }
        events.flush()?;
        Ok(count)
    }

    /// Brings the rollups up to date: from the batch itself for what it created, by reading
    /// the tickets back for the rest.
    fn refresh_rollups(&mut self, batch: BatchRollups) -> Result<(), StoreError> {
        let mut sales = BulkInsert::new(
            self.tx,
            "INSERT INTO performance_sales (performance_id, tickets, paid_tickets, free_tickets,
                                            revenue_cents, subscription_tickets)",
            6,
            "ON CONFLICT (performance_id) DO UPDATE SET tickets = excluded.tickets,
                paid_tickets = excluded.paid_tickets, free_tickets = excluded.free_tickets,
                revenue_cents = excluded.revenue_cents,
                subscription_tickets = excluded.subscription_tickets",
        )?;
        for (&performance, totals) in &batch.performance_sales {
            let count = |n: u64| Param::Int(i64::try_from(n).unwrap_or(i64::MAX));
            sales.push(&[
                Param::Int(performance),
                count(totals.tickets),
                count(totals.paid_tickets),
                count(totals.free_tickets),
                Param::Int(totals.revenue.as_i64()),
                count(totals.subscription_tickets),
            ])?;
        }
        sales.flush()?;
        let stored: Vec<i64> = self
            .touched_performances
            .iter()
            .copied()
            .filter(|p| !self.new_performances.contains_key(p))
            .collect();
        refresh_performance_sales(self.tx, &stored)?;
        let mut season_of = self
            .tx
            .prepare_cached("SELECT season_start_year FROM performance WHERE id = ?1")?;
        for &p in &stored {
            self.touched_seasons
                .insert(season_of.query_row([p], |r| r.get(0))?);
        }

        // A season all of whose performances this batch created is counted from the batch.
        if self.buyers_changed {
            // Tickets of earlier batches changed buyer: every season may have moved.
            self.touched_seasons.extend(
                self.tx
                    .prepare("SELECT DISTINCT season_start_year FROM performance")?
                    .query_map([], |r| r.get::<_, i32>(0))?
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        let split = batch.split_seasons(
            &self.touched_seasons,
            &self.new_performances,
            self.buyers_changed,
            |season| {
                Ok(self.tx.query_row(
                    "SELECT count(*) FROM performance WHERE season_start_year = ?1",
                    [season],
                    |r| r.get(0),
                )?)
            },
        )?;
        let seasons = batch.patron_seasons_in(&split.from_batch);
        // A first load fills an empty table: its season index is built after, not grown.
        let empty: bool =
            self.tx
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM patron_season)", [], |r| {
                    r.get(0)
                })?;
        let rebuild = empty && seasons.len() > 10_000;
        if rebuild {
            self.tx
                .execute_batch("DROP INDEX patron_season_by_season")?;
        }
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO patron_season (patron_key, season_start_year, tickets,
                                        subscription_tickets)",
            4,
            "ON CONFLICT (patron_key, season_start_year) DO UPDATE SET tickets = excluded.tickets,
                subscription_tickets = excluded.subscription_tickets",
        )?;
        for ((buyer, season), (tickets, subscriptions)) in &seasons {
            insert.push(&[
                Param::Text(buyer),
                Param::Int(i64::from(*season)),
                Param::Int(*tickets),
                Param::Int(*subscriptions),
            ])?;
        }
        insert.flush()?;
        if rebuild {
            self.tx.execute_batch(CREATE_SEASON_INDEX)?;
        }
        refresh_patron_seasons(self.tx, &split.read_back)?;
        if !self.touched_seasons.is_empty() {
            audiences_changed(self.tx)?;
        }
        // An order's date may have changed without its tickets.
        daily_sales_changed(self.tx)?;
        Ok(())
    }
}

const CREATE_SALES_INDEX: &str = "CREATE INDEX ticket_sales ON ticket (performance_id)";
const CREATE_SEASON_INDEX: &str =
    "CREATE INDEX patron_season_by_season ON patron_season (season_start_year, patron_key)";

/// Drops the index that serves the rollups when `incoming` tickets are better written without
/// it and the index built again after; says whether it did. Tickets arrive in no particular
/// performance order, so inserting into it costs several microseconds a ticket, while building
/// it costs well under one a ticket stored or incoming (both measured here). So a large batch
/// rebuilds it; a daily increment does not.
fn drop_sales_index_for(tx: &Transaction, incoming: usize) -> Result<bool, StoreError> {
    if incoming < 10_000 {
        return Ok(false);
    }
    let stored: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM ticket", [], |r| r.get(0))?;
    let rebuild = stored < 6 * i64::try_from(incoming).unwrap_or(i64::MAX);
    if rebuild {
        tx.execute_batch("DROP INDEX ticket_sales")?;
    }
    Ok(rebuild)
}

/// Replaces, for each key, the rollup rows `delete` removes by those `insert` computes from the
/// tickets (both take the key as `?1`).
fn recompute<K: rusqlite::ToSql>(
    tx: &Transaction,
    delete: &str,
    insert: &str,
    keys: impl IntoIterator<Item = K>,
) -> Result<(), StoreError> {
    let (mut delete, mut insert) = (tx.prepare_cached(delete)?, tx.prepare_cached(insert)?);
    for key in keys {
        delete.execute([&key])?;
        insert.execute([&key])?;
    }
    Ok(())
}

/// Recomputes the sales of `performances` from their tickets.
pub(crate) fn refresh_performance_sales(
    tx: &Transaction,
    performances: &[i64],
) -> Result<(), StoreError> {
    let subscription = subscription_test(tx)?;
    recompute(
        tx,
        "DELETE FROM performance_sales WHERE performance_id = ?1",
        &format!(
            "INSERT INTO performance_sales
             SELECT t.performance_id, count(*), sum(t.amount_cents > 0), sum(t.amount_cents = 0),
                    sum(t.amount_cents), sum({subscription})
             FROM ticket t
             WHERE t.performance_id = ?1 AND t.status = 'valid' GROUP BY t.performance_id"
        ),
        performances,
    )
}

/// A test of whether a ticket `t` is at a subscription tariff, as equalities on its tariff's
/// row id: a join to the tariffs, or `IN` over them, costs several times more per ticket
/// (measured on the import benchmark).
fn subscription_test(tx: &Transaction) -> Result<String, StoreError> {
    let ids: Vec<i64> = tx
        .prepare_cached("SELECT id FROM tariff WHERE category = 'subscription'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(if ids.is_empty() {
        "0".to_owned()
    } else {
        let tests: Vec<String> = ids.iter().map(|id| format!("t.tariff_id = {id}")).collect();
        format!("({})", tests.join(" OR "))
    })
}

/// Marks the seasons' audiences as changed: the rollup is emptied, and the next read builds
/// it again (see `SqliteStore::season_audience`).
pub(crate) fn audiences_changed(tx: &Transaction) -> Result<(), StoreError> {
    tx.execute("DELETE FROM season_audience", [])?;
    Ok(())
}

/// Marks the sales by day and by tariff of every season as changed: emptied, built again by
/// the next read (see `SqliteStore::season_sales_by_day`).
pub(crate) fn daily_sales_changed(tx: &Transaction) -> Result<(), StoreError> {
    tx.execute("DELETE FROM season_daily_sales", [])?;
    tx.execute("DELETE FROM season_tariff_sales", [])?;
    Ok(())
}

/// Recomputes the buyers' valid tickets in `seasons` from the tickets.
pub(crate) fn refresh_patron_seasons(
    tx: &Transaction,
    seasons: &BTreeSet<i32>,
) -> Result<(), StoreError> {
    let subscription = subscription_test(tx)?;
    recompute(
        tx,
        "DELETE FROM patron_season WHERE season_start_year = ?1",
        &format!(
            "INSERT INTO patron_season
             SELECT o.buyer_key, p.season_start_year, count(*), sum({subscription})
             FROM performance p
             JOIN ticket t ON t.performance_id = p.id
             JOIN sale_order o ON o.id = t.order_id
             WHERE p.season_start_year = ?1 AND p.status = 'scheduled' AND t.status = 'valid'
               AND o.buyer_key IS NOT NULL
             GROUP BY o.buyer_key"
        ),
        seasons,
    )
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
    refresh_patron_seasons(tx, &seasons)?;
    audiences_changed(tx)?;
    daily_sales_changed(tx)
}
