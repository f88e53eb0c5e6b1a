//! Writing an import batch on PostgreSQL, with the rollups it keeps current, and the sales
//! snapshots: the SQLite backend's `write` in PostgreSQL's terms. What it computes away from
//! the database (seasons, resolved tickets, the rollups of what a batch created, changes to
//! earlier facts, the report) is [`crate::batch`], shared with SQLite.
//!
//! Rows go in many at a time, as arrays `unnest` turns into rows: one statement for a part's
//! tickets (or [`ROWS_PER_STATEMENT`] of them), one round trip. What an earlier batch stored is
//! read back the same way, one query for a part's orders or tickets.

use std::collections::BTreeSet;

use chrono_tz::Tz;
use jauge_analytics::PerformanceSales;
use jauge_model::{
    Dataset, DatasetProblem, ExternalId, PerformanceStatus, Season, SeasonStartMonth,
    TariffCategory, VenueSetup,
};
use postgres::{Client, Statement, Transaction};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::admin::read_setup;
use super::corrupt;
use crate::batch::{
    BatchRollups, History, Holder, Known, NewPerformance, PlannedOrders, ResolvedTickets,
    SeasonCutter, Stopwatch, StoredOrder, StoredTicket, check_beside, check_tickets_stored, holder,
    missing_record, note_revision, order_changes, ticket_changes,
};
use crate::postgres::database;
use crate::rows::{SALES_COLUMNS, performance_sales, to_seconds};
use crate::{BatchReport, StoreError};

/// Rows one multi-row statement writes at most: a part's rows in one round trip, up to a
/// size that keeps the arrays sent small beside the part itself.
const ROWS_PER_STATEMENT: usize = 50_000;

/// Writes a batch that arrives in parts (one dataset, or a large file's rows as they are read)
/// in one transaction: every part is checked, and a part with a problem the store does not
/// settle, or an `Err` in place of a part, leaves the store as it was. Batches are written
/// one at a time, as on SQLite: the batch chooses its orders' row ids.
pub(super) fn write_parts<D: std::borrow::Borrow<Dataset>>(
    db: &mut Client,
    mut parts: impl Iterator<Item = Result<D, String>>,
) -> Result<BatchReport, StoreError> {
    let mut tx = db.transaction().map_err(database)?;
    let setup = read_setup(&mut tx)?.ok_or(StoreError::NoVenue)?;
    let Some(first) = parts.next() else {
        return Ok(BatchReport::default());
    };
    let first = first.map_err(StoreError::Abandoned)?;
    // Readers go on; another batch waits for this one's end.
    tx.batch_execute("LOCK TABLE import_batch IN EXCLUSIVE MODE")
        .map_err(database)?;
    let mut w = Writer::begin(&mut tx, first.borrow(), &setup)?;
    let mut part = Some(first);
    while let Some(d) = part {
        w.write_part(d.borrow(), &setup)?;
        drop(d);
        part = parts.next().transpose().map_err(StoreError::Abandoned)?;
    }
    let mut report = w.finish()?;
    let committing = std::time::Instant::now();
    tx.commit().map_err(database)?;
    report.phases.push(("commit", committing.elapsed()));
    Ok(report)
}

/// The state of a batch being written (see the SQLite backend's `Writer`).
struct Writer<'w, 't> {
    tx: &'w mut Transaction<'t>,
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
    report: BatchReport,
    clock: Stopwatch,
}

impl<'w, 't> Writer<'w, 't> {
    /// Opens the batch of the source `first` comes from: its source and batch rows, and what
    /// earlier batches of the source hold.
    fn begin(
        tx: &'w mut Transaction<'t>,
        first: &Dataset,
        setup: &VenueSetup,
    ) -> Result<Writer<'w, 't>, StoreError> {
        let now = chrono::Utc::now().timestamp();
        let source: Option<i64> = tx
            .query_opt(
                "SELECT id FROM source WHERE name = $1",
                &[&first.source.as_str()],
            )
            .map_err(database)?
            .map(|r| r.get(0));
        let source_id = match source {
            Some(id) => id,
            None => tx
                .query_one(
                    "INSERT INTO source (name, kind, created_at) VALUES ($1, $2, $3) RETURNING id",
                    &[&first.source.as_str(), &first.kind.code(), &now],
                )
                .map_err(database)?
                .get(0),
        };
        let batch_id: i64 = tx
            .query_one(
                "INSERT INTO import_batch (source_id, origin, started_at, shape, drift_accepted)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    &source_id,
                    &first.origin,
                    &now,
                    &first.shape,
                    &first.drift_accepted,
                ],
            )
            .map_err(database)?
            .get(0);
        // The rows this file could not take replace those it could not take before.
        tx.execute(
            "DELETE FROM quarantine WHERE source_id = $1 AND origin = $2",
            &[&source_id, &first.origin],
        )
        .map_err(database)?;
        // What an earlier batch of this source stored: a first import of tickets or orders
        // has nothing to compare with, and skips the lookups.
        let (orders_stored, tickets_stored) = match source {
            Some(id) => (
                stored_for(tx, "sale_order", id)?,
                stored_for(tx, "ticket", id)?,
            ),
            None => (false, false),
        };
        let halls = tx
            .query("SELECT name, id FROM hall", &[])
            .map_err(database)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let subscription_tariffs = tx
            .query(
                "SELECT external_id FROM tariff WHERE source_id = $1 AND category = 'subscription'",
                &[&source_id],
            )
            .map_err(database)?
            .iter()
            .map(|r| r.get::<_, &str>(0).parse::<ExternalId>().map_err(corrupt))
            .collect::<Result<_, _>>()?;
        Ok(Writer {
            tx,
            source_id,
            orders_stored,
            tickets_stored,
            batch_id,
            season_of: SeasonCutter {
                tz: setup.venue.time_zone,
                start: setup.venue.season_start,
            },
            halls,
            shows: Lookup::new("show"),
            performances: Lookup::new("performance"),
            tariffs: Lookup::new("tariff"),
            subscription_tariffs,
            orders: Lookup::new("sale_order"),
            new_performances: HashMap::default(),
            touched_performances: BTreeSet::new(),
            touched_seasons: BTreeSet::new(),
            buyers_changed: false,
            history: Vec::new(),
            rollups: BatchRollups::default(),
            report: BatchReport {
                batch: Some(jauge_model::BatchId(batch_id)),
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
        // one writes patrons and orders. A statement that fails (a reference the check will
        // name, say) is undone to here, so that the transaction can still look the part's
        // dangling references up.
        execute(self.tx, "SAVEPOINT part", &[])?;
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
        execute(
            self.tx,
            if written.is_ok() {
                "RELEASE SAVEPOINT part"
            } else {
                "ROLLBACK TO SAVEPOINT part"
            },
            &[],
        )?;
        let mut problems_left = Vec::new();
        for problem in problems {
            if !self.already_stored(&problem)? {
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

    /// Ends the batch: the history of what changed, the rollups the parts left to bring up to
    /// date, the batch's totals.
    fn finish(mut self) -> Result<BatchReport, StoreError> {
        let stored: i64 = self
            .tx
            .query_one(
                "SELECT count(*) FROM ticket WHERE batch_id = $1",
                &[&self.batch_id],
            )
            .map_err(database)?
            .get(0);
        let given = self.report.tickets;
        check_tickets_stored(given, stored, || self.origin())?;
        self.write_history()?;
        let rollups = std::mem::take(&mut self.rollups);
        self.refresh_rollups(rollups)?;
        self.clock.lap("rollups");
        execute(
            self.tx,
            "UPDATE import_batch SET finished_at = $2, facts = $3 WHERE id = $1",
            &[
                &self.batch_id,
                &chrono::Utc::now().timestamp(),
                &self.report.facts(),
            ],
        )?;
        let mut report = self.report;
        report.phases = self.clock.laps;
        Ok(report)
    }

    fn origin(&mut self) -> Result<String, StoreError> {
        Ok(self
            .tx
            .query_one(
                "SELECT origin FROM import_batch WHERE id = $1",
                &[&self.batch_id],
            )
            .map_err(database)?
            .get(0))
    }

    fn prepare(&mut self, sql: &str) -> Result<Statement, StoreError> {
        self.tx.prepare(sql).map_err(database)
    }

    /// Whether a dangling reference points at a record the store already holds: an earlier
    /// batch wrote it, or an earlier part of this one.
    fn already_stored(&mut self, problem: &DatasetProblem) -> Result<bool, StoreError> {
        let found = match holder(problem) {
            None => return Ok(false),
            Some(Holder::Scoped(table, id)) => self.tx.query_opt(
                &format!("SELECT 1 FROM {table} WHERE source_id = $1 AND external_id = $2"),
                &[&self.source_id, &id],
            ),
            Some(Holder::Patron(key)) => self
                .tx
                .query_opt("SELECT 1 FROM patron WHERE key = $1", &[&key]),
        };
        Ok(found.map_err(database)?.is_some())
    }

    fn shows(&mut self, d: &Dataset) -> Result<(), StoreError> {
        if d.shows.is_empty() {
            return Ok(());
        }
        let upsert = self.prepare(
            "INSERT INTO show (source_id, external_id, batch_id, title, discipline, company,
                               young_audience, coproduction, festival)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = $3, title = $4,
                discipline = $5, company = $6, young_audience = $7, coproduction = $8,
                festival = $9
             RETURNING id",
        )?;
        for s in &d.shows {
            let id: i64 = self
                .tx
                .query_one(
                    &upsert,
                    &[
                        &self.source_id,
                        &s.id.as_str(),
                        &self.batch_id,
                        &s.title.as_str(),
                        &s.discipline.code(),
                        &s.company.as_ref().map(|c| c.as_str()),
                        &i64::from(s.young_audience),
                        &i64::from(s.coproduction),
                        &s.festival.as_ref().map(|f| f.as_str()),
                    ],
                )
                .map_err(database)?
                .get(0);
            self.shows.ids.insert(s.id.clone(), id);
        }
        Ok(())
    }

    fn performances(&mut self, d: &Dataset) -> Result<(), StoreError> {
        if d.performances.is_empty() {
            return Ok(());
        }
        let previous_season = self.prepare(
            "SELECT season_start_year FROM performance WHERE source_id = $1 AND external_id = $2",
        )?;
        let upsert = self.prepare(
            "INSERT INTO performance (source_id, external_id, batch_id, show_id, hall_id,
                                      starts_at, season_start_year, capacity, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = $3, show_id = $4,
                hall_id = $5, starts_at = $6, season_start_year = $7, capacity = $8, status = $9
             RETURNING id",
        )?;
        for p in &d.performances {
            // A performance moved to another season leaves its old season to refresh.
            let previous: Option<i64> = self
                .tx
                .query_opt(&previous_season, &[&self.source_id, &p.id.as_str()])
                .map_err(database)?
                .map(|r| r.get(0));
            let show = self.shows.get(self.tx, self.source_id, &p.show)?;
            let hall = *self.halls.get(p.hall.as_str()).ok_or_else(missing_record)?;
            let starts_at = to_seconds(p.starts_at);
            let season = self.season_of.start_year(starts_at);
            let id: i64 = self
                .tx
                .query_one(
                    &upsert,
                    &[
                        &self.source_id,
                        &p.id.as_str(),
                        &self.batch_id,
                        &show,
                        &hall,
                        &starts_at,
                        &i64::from(season),
                        &i64::from(p.capacity.get()),
                        &p.status.code(),
                    ],
                )
                .map_err(database)?
                .get(0);
            match previous {
                Some(old) => {
                    self.touched_seasons.insert(old as i32);
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
        if d.tariffs.is_empty() {
            return Ok(());
        }
        let upsert = self.prepare(
            "INSERT INTO tariff (source_id, external_id, batch_id, label, category)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = $3, label = $4,
                category = $5
             RETURNING id",
        )?;
        for t in &d.tariffs {
            let id: i64 = self
                .tx
                .query_one(
                    &upsert,
                    &[
                        &self.source_id,
                        &t.id.as_str(),
                        &self.batch_id,
                        &t.label.as_str(),
                        &t.category.code(),
                    ],
                )
                .map_err(database)?
                .get(0);
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
        // In key order, as on SQLite.
        let mut patrons: Vec<_> = d
            .patrons
            .iter()
            .filter_map(|p| Some((p.key()?, p)))
            .collect();
        patrons.sort_unstable_by_key(|&(key, _)| key);
        for chunk in patrons.chunks(ROWS_PER_STATEMENT) {
            let keys: Vec<&str> = chunk.iter().map(|(key, _)| key.as_str()).collect();
            execute(
                self.tx,
                "INSERT INTO patron (key, batch_id) SELECT k, $1::bigint FROM unnest($2::text[]) AS u(k)
                 ON CONFLICT (key) DO NOTHING",
                &[&self.batch_id, &keys],
            )?;
            let text =
                |field: fn(&jauge_model::PatronIdentity) -> Option<&str>| -> Vec<Option<&str>> {
                    chunk.iter().map(|(_, p)| field(p)).collect()
                };
            let birth_years: Vec<Option<i64>> = chunk
                .iter()
                .map(|(_, p)| p.birth_year.map(|y| i64::from(y.get())))
                .collect();
            let birth_dates: Vec<Option<String>> = chunk
                .iter()
                .map(|(_, p)| p.birth_date.map(|d| d.format("%Y-%m-%d").to_string()))
                .collect();
            execute(
                self.tx,
                "INSERT INTO patron_identity (patron_key, source_id, batch_id, first_name,
                    last_name, email, phone, postcode, city, country, birth_year, birth_date,
                    address)
                 SELECT k, $1::bigint, $2::bigint, fi, la, em, ph, po, ci, co, by, bd, ad
                 FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                             $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[],
                             $13::text[])
                      AS u(k, fi, la, em, ph, po, ci, co, by, bd, ad)
                 ON CONFLICT (patron_key) DO UPDATE SET source_id = excluded.source_id,
                    batch_id = excluded.batch_id, first_name = excluded.first_name,
                    last_name = excluded.last_name, email = excluded.email, phone = excluded.phone,
                    postcode = excluded.postcode, city = excluded.city, country = excluded.country,
                    birth_year = excluded.birth_year, birth_date = excluded.birth_date,
                    address = excluded.address",
                &[
                    &self.source_id,
                    &self.batch_id,
                    &keys,
                    &text(|p| p.first_name.as_deref()),
                    &text(|p| p.last_name.as_deref()),
                    &text(|p| p.email.as_ref().map(|e| e.as_str())),
                    &text(|p| p.phone.as_deref()),
                    &text(|p| p.postcode.as_deref()),
                    &text(|p| p.city.as_deref()),
                    &text(|p| p.country.as_ref().map(|c| c.as_str())),
                    &birth_years,
                    &birth_dates,
                    &text(|p| p.address.as_deref()),
                ],
            )?;
        }
        Ok(())
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
        let rows = self
            .tx
            .query(
                "SELECT external_id, id, season_start_year, status FROM performance
                 WHERE source_id = $1",
                &[&self.source_id],
            )
            .map_err(database)?;
        for row in rows {
            let Ok(external) = row.get::<_, &str>(0).parse::<ExternalId>() else {
                continue;
            };
            if self.performances.ids.contains_key(&external) {
                continue;
            }
            let (id, season): (i64, i64) = (row.get(1), row.get(2));
            self.performances.ids.insert(external, id);
            if !self.tickets_stored {
                let season = season as i32;
                self.new_performances.insert(
                    id,
                    NewPerformance {
                        season,
                        scheduled: row.get::<_, &str>(3) == "scheduled",
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
        let mut next: i64 = self
            .tx
            .query_one("SELECT coalesce(max(id), 0) + 1 FROM sale_order", &[])
            .map_err(database)?
            .get(0);
        let mut stored: HashMap<String, (i64, StoredOrder)> = HashMap::default();
        if self.orders_stored {
            let ids: Vec<&str> = d.orders.iter().map(|o| o.id.as_str()).collect();
            for r in self
                .tx
                .query(
                    "SELECT external_id, id, buyer_key, channel, created_at, status
                     FROM sale_order WHERE source_id = $1 AND external_id = ANY($2)",
                    &[&self.source_id, &ids],
                )
                .map_err(database)?
            {
                let order = StoredOrder {
                    buyer: r.get(2),
                    channel: r.get(3),
                    created_at: r.get(4),
                    status: r.get(5),
                };
                stored.insert(r.get(0), (r.get(1), order));
            }
        }
        let mut ids = HashMap::default();
        ids.reserve(d.orders.len());
        for (index, o) in d.orders.iter().enumerate() {
            let id = match stored.get(o.id.as_str()) {
                Some((id, stored)) => {
                    let (buyer_changed, changed) = order_changes(stored, o);
                    self.buyers_changed |= buyer_changed;
                    note_revision(&mut self.report, &mut self.history, "order", &o.id, changed);
                    *id
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
    fn write_orders(&mut self, d: &Dataset, ids: &PlannedOrders) -> Result<(), StoreError> {
        let mut orders: Vec<_> = d.orders.iter().collect();
        orders.sort_unstable_by_key(|o| &o.id);
        for chunk in orders.chunks(ROWS_PER_STATEMENT) {
            let row_ids: Vec<i64> = chunk.iter().map(|o| ids[&o.id].0).collect();
            let external: Vec<&str> = chunk.iter().map(|o| o.id.as_str()).collect();
            let channels: Vec<&str> = chunk.iter().map(|o| o.channel.code()).collect();
            let created: Vec<i64> = chunk.iter().map(|o| to_seconds(o.created_at)).collect();
            let buyers: Vec<Option<&str>> = chunk
                .iter()
                .map(|o| o.buyer.as_ref().map(|b| b.as_str()))
                .collect();
            let statuses: Vec<&str> = chunk.iter().map(|o| o.status.code()).collect();
            execute(
                self.tx,
                "INSERT INTO sale_order (id, source_id, external_id, batch_id, channel, created_at,
                                         buyer_key, status)
                 SELECT i, $1::bigint, e, $2::bigint, ch, cr, b, s
                 FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[],
                             $8::text[]) AS u(i, e, ch, cr, b, s)
                 ON CONFLICT (id) DO UPDATE SET batch_id = excluded.batch_id,
                    channel = excluded.channel, created_at = excluded.created_at,
                    buyer_key = excluded.buyer_key, status = excluded.status",
                &[
                    &self.source_id,
                    &self.batch_id,
                    &row_ids,
                    &external,
                    &channels,
                    &created,
                    &buyers,
                    &statuses,
                ],
            )?;
        }
        Ok(())
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
            // A ticket an earlier batch stored: its changes go to the history, and a ticket
            // moved from another performance leaves that one to refresh.
            let ids: Vec<&str> = rows.iter().map(|row| row.3.id.as_str()).collect();
            let mut stored: HashMap<String, StoredTicket> = HashMap::default();
            for r in self
                .tx
                .query(
                    "SELECT t.external_id, t.performance_id, p.season_start_year, t.order_id,
                            t.tariff_id, t.amount_cents, t.face_value_cents, t.vat_bp, t.status,
                            t.checked_in_at, coalesce(t.attendee_key, '')
                     FROM ticket t JOIN performance p ON p.id = t.performance_id
                     WHERE t.source_id = $1 AND t.external_id = ANY($2)",
                    &[&self.source_id, &ids],
                )
                .map_err(database)?
            {
                let ticket = StoredTicket {
                    performance: r.get(1),
                    season: r.get::<_, i64>(2) as i32,
                    numbers: [r.get(3), r.get(4), r.get(5), r.get(6), r.get(7)],
                    status: r.get(8),
                    checked_in_at: r.get(9),
                    attendee: r.get(10),
                };
                stored.insert(r.get(0), ticket);
            }
            for row in &rows {
                let Some(stored) = stored.get(row.3.id.as_str()) else {
                    self.report.changes.note(false, true);
                    continue;
                };
                if stored.performance != row.0 {
                    self.touched_performances.insert(stored.performance);
                    self.touched_seasons.insert(stored.season);
                    rollups.read_back.insert(stored.season);
                }
                let changed = ticket_changes(stored, row);
                note_revision(
                    &mut self.report,
                    &mut self.history,
                    "ticket",
                    &row.3.id,
                    changed,
                );
            }
        } else {
            self.report.changes.inserted += rows.len();
        }
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let column = |f: fn(&crate::batch::TicketRow) -> i64| -> Vec<i64> {
                chunk.iter().map(f).collect()
            };
            let external: Vec<&str> = chunk.iter().map(|r| r.3.id.as_str()).collect();
            let statuses: Vec<&str> = chunk.iter().map(|r| r.3.status.code()).collect();
            let checked_in: Vec<Option<i64>> = chunk
                .iter()
                .map(|r| r.3.checked_in_at.map(to_seconds))
                .collect();
            let attendees: Vec<Option<&str>> = chunk
                .iter()
                .map(|r| r.3.attendee.as_ref().map(|a| a.as_str()))
                .collect();
            execute(
                self.tx,
                "INSERT INTO ticket (source_id, external_id, batch_id, order_id, performance_id,
                    tariff_id, amount_cents, face_value_cents, vat_bp, status, checked_in_at,
                    attendee_key)
                 SELECT $1::bigint, e, $2::bigint, o, p, ta, am, fv, v, s, c, at
                 FROM unnest($3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
                             $8::bigint[], $9::bigint[], $10::text[], $11::bigint[], $12::text[])
                      AS u(e, o, p, ta, am, fv, v, s, c, at)
                 ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = excluded.batch_id,
                    order_id = excluded.order_id, performance_id = excluded.performance_id,
                    tariff_id = excluded.tariff_id, amount_cents = excluded.amount_cents,
                    face_value_cents = excluded.face_value_cents, vat_bp = excluded.vat_bp,
                    status = excluded.status, checked_in_at = excluded.checked_in_at,
                    attendee_key = excluded.attendee_key",
                &[
                    &self.source_id,
                    &self.batch_id,
                    &external,
                    &column(|r| r.1),
                    &column(|r| r.0),
                    &column(|r| r.2),
                    &column(|r| r.3.amount_paid.as_i64()),
                    &column(|r| r.3.face_value.as_i64()),
                    &column(|r| i64::from(r.3.vat_rate.basis_points())),
                    &statuses,
                    &checked_in,
                    &attendees,
                ],
            )?;
        }
        self.rollups.add(rollups);
        Ok(())
    }

    fn consents(&mut self, d: &Dataset) -> Result<(), StoreError> {
        for chunk in d.consents.chunks(ROWS_PER_STATEMENT) {
            let patrons: Vec<&str> = chunk.iter().map(|c| c.patron.as_str()).collect();
            let channels: Vec<&str> = chunk.iter().map(|c| c.channel.code()).collect();
            let purposes: Vec<&str> = chunk.iter().map(|c| c.purpose.code()).collect();
            let statuses: Vec<&str> = chunk.iter().map(|c| c.status.code()).collect();
            let at: Vec<i64> = chunk.iter().map(|c| to_seconds(c.at)).collect();
            let proofs: Vec<&str> = chunk.iter().map(|c| c.proof.as_str()).collect();
            execute(
                self.tx,
                "INSERT INTO consent (patron_key, channel, purpose, status, at, source_id,
                                      batch_id, proof)
                 SELECT k, ch, pu, st, at, $1::bigint, $2::bigint, pr
                 FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                             $8::text[]) AS u(k, ch, pu, st, at, pr)
                 ON CONFLICT (patron_key, channel, purpose, at, status) DO NOTHING",
                &[
                    &self.source_id,
                    &self.batch_id,
                    &patrons,
                    &channels,
                    &purposes,
                    &statuses,
                    &at,
                    &proofs,
                ],
            )?;
        }
        Ok(())
    }

    /// Writes what this batch changed in records of earlier batches.
    fn write_history(&mut self) -> Result<(), StoreError> {
        let now = chrono::Utc::now().timestamp();
        for chunk in self.history.chunks(ROWS_PER_STATEMENT) {
            let records: Vec<&str> = chunk.iter().map(|(record, _, _)| *record).collect();
            let ids: Vec<&str> = chunk.iter().map(|(_, id, _)| id.as_str()).collect();
            let changes: Vec<String> = chunk.iter().map(|(_, _, c)| c.join("; ")).collect();
            self.tx
                .execute(
                    "INSERT INTO change_history (record, source_id, external_id, batch_id,
                                                 changed_at, changes)
                     SELECT r, $1::bigint, e, $2::bigint, $3::bigint, c
                     FROM unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY
                          AS u(r, e, c, n)
                     ORDER BY n",
                    &[
                        &self.source_id,
                        &self.batch_id,
                        &now,
                        &records,
                        &ids,
                        &changes,
                    ],
                )
                .map_err(database)?;
        }
        Ok(())
    }

    /// Keeps the rows of this part the file could not take (`begin` removed the earlier ones).
    fn quarantine(&mut self, d: &Dataset) -> Result<(), StoreError> {
        for chunk in d.quarantined.chunks(ROWS_PER_STATEMENT) {
            let lines: Vec<i64> = chunk
                .iter()
                .map(|q| i64::try_from(q.line).unwrap_or(i64::MAX))
                .collect();
            let columns: Vec<Option<i64>> = chunk
                .iter()
                .map(|q| {
                    q.column
                        .as_ref()
                        .map(|(c, _)| i64::try_from(*c).unwrap_or(i64::MAX))
                })
                .collect();
            let names: Vec<Option<&str>> = chunk
                .iter()
                .map(|q| q.column.as_ref().map(|(_, h)| h.as_str()))
                .collect();
            let raw: Vec<&str> = chunk.iter().map(|q| q.raw.as_str()).collect();
            let reasons: Vec<&str> = chunk.iter().map(|q| q.reason.as_str()).collect();
            execute(
                self.tx,
                "INSERT INTO quarantine (source_id, batch_id, origin, line, column_index,
                                         column_name, raw, reason)
                 SELECT $1::bigint, $2::bigint, $3::text, l, ci, cn, r, re
                 FROM unnest($4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[])
                      WITH ORDINALITY AS u(l, ci, cn, r, re, n)
                 ORDER BY n",
                &[
                    &self.source_id,
                    &self.batch_id,
                    &d.origin,
                    &lines,
                    &columns,
                    &names,
                    &raw,
                    &reasons,
                ],
            )?;
        }
        Ok(())
    }

    /// Writes campaigns and their events; returns the number of events.
    fn campaigns(&mut self, d: &Dataset) -> Result<usize, StoreError> {
        if d.campaigns.is_empty() {
            return Ok(0);
        }
        let upsert = self.prepare(
            "INSERT INTO campaign (source_id, external_id, batch_id, name, sent_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = $3, name = $4,
                sent_at = $5
             RETURNING id",
        )?;
        // (campaign, patron, kind, at), each campaign's events in (patron, kind, at) order.
        let mut events: Vec<(i64, &str, &str, i64)> = Vec::new();
        for c in &d.campaigns {
            let id: i64 = self
                .tx
                .query_one(
                    &upsert,
                    &[
                        &self.source_id,
                        &c.id.as_str(),
                        &self.batch_id,
                        &c.name.as_str(),
                        &to_seconds(c.sent_at),
                    ],
                )
                .map_err(database)?
                .get(0);
            let mut sorted: Vec<_> = c.events.iter().collect();
            sorted.sort_unstable_by(|a, b| {
                (&a.patron, a.kind.code(), a.at).cmp(&(&b.patron, b.kind.code(), b.at))
            });
            events.extend(
                sorted
                    .into_iter()
                    .map(|e| (id, e.patron.as_str(), e.kind.code(), to_seconds(e.at))),
            );
        }
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let campaigns: Vec<i64> = chunk.iter().map(|e| e.0).collect();
            let patrons: Vec<&str> = chunk.iter().map(|e| e.1).collect();
            let kinds: Vec<&str> = chunk.iter().map(|e| e.2).collect();
            let at: Vec<i64> = chunk.iter().map(|e| e.3).collect();
            execute(
                self.tx,
                "INSERT INTO campaign_event (campaign_id, patron_key, kind, at, batch_id)
                 SELECT c, k, ki, at, $1::bigint
                 FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[])
                      AS u(c, k, ki, at)
                 ON CONFLICT DO NOTHING",
                &[&self.batch_id, &campaigns, &patrons, &kinds, &at],
            )?;
        }
        Ok(events.len())
    }

    /// Brings the rollups up to date: from the batch itself for what it created, by reading
    /// the tickets back for the rest.
    fn refresh_rollups(&mut self, batch: BatchRollups) -> Result<(), StoreError> {
        let sales: Vec<_> = batch.performance_sales.iter().collect();
        for chunk in sales.chunks(ROWS_PER_STATEMENT) {
            let count = |f: fn(&jauge_analytics::SalesTotals) -> u64| -> Vec<i64> {
                chunk
                    .iter()
                    .map(|(_, totals)| i64::try_from(f(totals)).unwrap_or(i64::MAX))
                    .collect()
            };
            let performances: Vec<i64> = chunk.iter().map(|(p, _)| **p).collect();
            let revenue: Vec<i64> = chunk.iter().map(|(_, t)| t.revenue.as_i64()).collect();
            execute(
                self.tx,
                "INSERT INTO performance_sales (performance_id, tickets, paid_tickets,
                                                free_tickets, revenue_cents, subscription_tickets)
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],
                                      $5::bigint[], $6::bigint[])
                 ON CONFLICT (performance_id) DO UPDATE SET tickets = excluded.tickets,
                    paid_tickets = excluded.paid_tickets, free_tickets = excluded.free_tickets,
                    revenue_cents = excluded.revenue_cents,
                    subscription_tickets = excluded.subscription_tickets",
                &[
                    &performances,
                    &count(|t| t.tickets),
                    &count(|t| t.paid_tickets),
                    &count(|t| t.free_tickets),
                    &revenue,
                    &count(|t| t.subscription_tickets),
                ],
            )?;
        }
        let stored: Vec<i64> = self
            .touched_performances
            .iter()
            .copied()
            .filter(|p| !self.new_performances.contains_key(p))
            .collect();
        refresh_performance_sales(self.tx, &stored)?;
        self.touched_seasons.extend(
            self.tx
                .query(
                    "SELECT DISTINCT season_start_year FROM performance WHERE id = ANY($1)",
                    &[&stored],
                )
                .map_err(database)?
                .iter()
                .map(|r| r.get::<_, i64>(0) as i32),
        );

        // A season all of whose performances this batch created is counted from the batch.
        if self.buyers_changed {
            // Tickets of earlier batches changed buyer: every season may have moved.
            self.touched_seasons.extend(
                self.tx
                    .query("SELECT DISTINCT season_start_year FROM performance", &[])
                    .map_err(database)?
                    .iter()
                    .map(|r| r.get::<_, i64>(0) as i32),
            );
        }
        let in_season =
            self.prepare("SELECT count(*) FROM performance WHERE season_start_year = $1")?;
        let split = batch.split_seasons(
            &self.touched_seasons,
            &self.new_performances,
            self.buyers_changed,
            |season| {
                Ok(self
                    .tx
                    .query_one(&in_season, &[&i64::from(season)])
                    .map_err(database)?
                    .get(0))
            },
        )?;
        let seasons = batch.patron_seasons_in(&split.from_batch);
        for chunk in seasons.chunks(ROWS_PER_STATEMENT) {
            let buyers: Vec<&str> = chunk.iter().map(|((b, _), _)| b.as_str()).collect();
            let years: Vec<i64> = chunk.iter().map(|((_, s), _)| i64::from(*s)).collect();
            let tickets: Vec<i64> = chunk.iter().map(|(_, (t, _))| *t).collect();
            let subscriptions: Vec<i64> = chunk.iter().map(|(_, (_, s))| *s).collect();
            execute(
                self.tx,
                "INSERT INTO patron_season (patron_key, season_start_year, tickets,
                                            subscription_tickets)
                 SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
                 ON CONFLICT (patron_key, season_start_year) DO UPDATE SET
                    tickets = excluded.tickets,
                    subscription_tickets = excluded.subscription_tickets",
                &[&buyers, &years, &tickets, &subscriptions],
            )?;
        }
        refresh_patron_seasons(self.tx, &split.read_back)?;
        if !self.touched_seasons.is_empty() {
            audiences_changed(self.tx)?;
        }
        // An order's date may have changed without its tickets.
        daily_sales_changed(self.tx)
    }
}

/// Runs a statement; returns the rows it changed.
fn execute(
    tx: &mut Transaction,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<u64, StoreError> {
    tx.execute(sql, params).map_err(database)
}

/// Whether `table` holds rows of the source.
fn stored_for(tx: &mut Transaction, table: &str, source_id: i64) -> Result<bool, StoreError> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE source_id = $1)");
    Ok(tx.query_one(&sql, &[&source_id]).map_err(database)?.get(0))
}

/// Row ids of one table's records, by the source's identifiers: those written in this batch,
/// then those already stored.
struct Lookup {
    table: &'static str,
    ids: HashMap<ExternalId, i64>,
    /// The query of a stored record, once prepared.
    stored: Option<Statement>,
}

impl Lookup {
    fn new(table: &'static str) -> Lookup {
        Lookup {
            table,
            ids: HashMap::default(),
            stored: None,
        }
    }

    /// The row id of the source's record `id`, which this batch wrote or the store holds.
    fn get(
        &mut self,
        tx: &mut Transaction,
        source_id: i64,
        id: &ExternalId,
    ) -> Result<i64, StoreError> {
        if let Some(&row) = self.ids.get(id) {
            return Ok(row);
        }
        let statement = match &self.stored {
            Some(statement) => statement.clone(),
            None => {
                let sql = format!(
                    "SELECT id FROM {} WHERE source_id = $1 AND external_id = $2",
                    self.table
                );
                let statement = tx.prepare(&sql).map_err(database)?;
                self.stored.insert(statement).clone()
            }
        };
        let row: i64 = tx
            .query_opt(&statement, &[&source_id, &id.as_str()])
            .map_err(database)?
            .ok_or_else(missing_record)?
            .get(0);
        self.ids.insert(id.clone(), row);
        Ok(row)
    }
}

/// The row ids of the tariffs that are subscriptions or packages.
fn subscription_tariff_ids(tx: &mut Transaction) -> Result<Vec<i64>, StoreError> {
    Ok(tx
        .query("SELECT id FROM tariff WHERE category = 'subscription'", &[])
        .map_err(database)?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Recomputes the sales of `performances` from their tickets.
pub(crate) fn refresh_performance_sales(
    tx: &mut Transaction<'_>,
    performances: &[i64],
) -> Result<(), StoreError> {
    if performances.is_empty() {
        return Ok(());
    }
    let subscriptions = subscription_tariff_ids(tx)?;
    tx.execute(
        "DELETE FROM performance_sales WHERE performance_id = ANY($1)",
        &[&performances],
    )
    .map_err(database)?;
    tx.execute(
        "INSERT INTO performance_sales (performance_id, tickets, paid_tickets, free_tickets,
                                        revenue_cents, subscription_tickets)
         SELECT t.performance_id, count(*), count(*) FILTER (WHERE t.amount_cents > 0),
                count(*) FILTER (WHERE t.amount_cents = 0), sum(t.amount_cents)::bigint,
                count(*) FILTER (WHERE t.tariff_id = ANY($2))
         FROM ticket t
         WHERE t.performance_id = ANY($1) AND t.status = 'valid'
         GROUP BY t.performance_id",
        &[&performances, &subscriptions],
    )
    .map_err(database)?;
    Ok(())
}

/// Recomputes the buyers' valid tickets in `seasons` from the tickets.
pub(crate) fn refresh_patron_seasons(
    tx: &mut Transaction<'_>,
    seasons: &BTreeSet<i32>,
) -> Result<(), StoreError> {
    if seasons.is_empty() {
        return Ok(());
    }
    let seasons: Vec<i64> = seasons.iter().map(|&s| i64::from(s)).collect();
    let subscriptions = subscription_tariff_ids(tx)?;
    tx.execute(
        "DELETE FROM patron_season WHERE season_start_year = ANY($1)",
        &[&seasons],
    )
    .map_err(database)?;
    tx.execute(
        "INSERT INTO patron_season (patron_key, season_start_year, tickets, subscription_tickets)
         SELECT o.buyer_key, p.season_start_year, count(*),
                count(*) FILTER (WHERE t.tariff_id = ANY($2))
         FROM performance p
         JOIN ticket t ON t.performance_id = p.id
         JOIN sale_order o ON o.id = t.order_id
         WHERE p.season_start_year = ANY($1) AND p.status = 'scheduled' AND t.status = 'valid'
           AND o.buyer_key IS NOT NULL
         GROUP BY o.buyer_key, p.season_start_year",
        &[&seasons, &subscriptions],
    )
    .map_err(database)?;
    Ok(())
}

/// Marks the seasons' audiences as changed: the rollup is emptied, and the next read builds
/// it again.
pub(crate) fn audiences_changed(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("DELETE FROM season_audience", &[])
        .map_err(database)?;
    Ok(())
}

/// Marks the sales by day and by tariff of every season as changed: emptied, built again by
/// the next read.
pub(crate) fn daily_sales_changed(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    tx.batch_execute("DELETE FROM season_daily_sales; DELETE FROM season_tariff_sales")
        .map_err(database)
}

/// Re-cuts every performance into its season, after the time zone or the season's first month
/// changed, and refreshes the buyers' activity of the seasons concerned and the rollups built
/// on read.
pub(super) fn reseason_performances(
    tx: &mut Transaction<'_>,
    time_zone: Tz,
    season_start: SeasonStartMonth,
) -> Result<(), StoreError> {
    let cutter = SeasonCutter {
        tz: time_zone,
        start: season_start,
    };
    let mut seasons = BTreeSet::new();
    let (mut ids, mut years) = (Vec::new(), Vec::new());
    for r in tx
        .query(
            "SELECT id, starts_at, season_start_year FROM performance",
            &[],
        )
        .map_err(database)?
    {
        let (id, starts_at, old): (i64, i64, i64) = (r.get(0), r.get(1), r.get(2));
        let (old, new) = (old as i32, cutter.start_year(starts_at));
        if new != old {
            ids.push(id);
            years.push(i64::from(new));
            seasons.extend([old, new]);
        }
    }
    tx.execute(
        "UPDATE performance SET season_start_year = u.season
         FROM unnest($1::bigint[], $2::bigint[]) AS u(id, season)
         WHERE performance.id = u.id",
        &[&ids, &years],
    )
    .map_err(database)?;
    refresh_patron_seasons(tx, &seasons)?;
    audiences_changed(tx)?;
    daily_sales_changed(tx)
}

/// Keeps, for `day`, the sales of every performance whose sales changed since its last
/// snapshot; returns how many performances it kept.
pub(super) fn snapshot_sales(db: &mut Client, day: chrono::NaiveDate) -> Result<usize, StoreError> {
    let day = day.format("%Y-%m-%d").to_string();
    let kept = db
        .execute(
            "INSERT INTO sales_snapshot (day, performance_id, tickets, paid_tickets, free_tickets,
                                         revenue_cents, subscription_tickets)
             SELECT $1::text, p.id, coalesce(s.tickets, 0), coalesce(s.paid_tickets, 0),
                    coalesce(s.free_tickets, 0), coalesce(s.revenue_cents, 0),
                    coalesce(s.subscription_tickets, 0)
             FROM performance p LEFT JOIN performance_sales s ON s.performance_id = p.id
             WHERE NOT EXISTS (
                 SELECT 1 FROM sales_snapshot x
                 WHERE x.performance_id = p.id
                   AND x.day = (SELECT max(day) FROM sales_snapshot y
                                WHERE y.performance_id = p.id AND y.day <= $1::text)
                   AND x.tickets = coalesce(s.tickets, 0)
                   AND x.paid_tickets = coalesce(s.paid_tickets, 0)
                   AND x.free_tickets = coalesce(s.free_tickets, 0)
                   AND x.revenue_cents = coalesce(s.revenue_cents, 0)
                   AND x.subscription_tickets = coalesce(s.subscription_tickets, 0))
             ON CONFLICT (performance_id, day) DO UPDATE SET tickets = excluded.tickets,
                paid_tickets = excluded.paid_tickets, free_tickets = excluded.free_tickets,
                revenue_cents = excluded.revenue_cents,
                subscription_tickets = excluded.subscription_tickets",
            &[&day],
        )
        .map_err(database)?;
    Ok(usize::try_from(kept).unwrap_or(usize::MAX))
}

/// The season's performances with their sales as they stood on `day`, from the snapshots (a
/// performance with none by then had sold nothing known), in the order of their row ids.
pub(super) fn season_sales_as_of(
    db: &mut Client,
    season: Season,
    day: chrono::NaiveDate,
) -> Result<Vec<PerformanceSales>, StoreError> {
    let day = day.format("%Y-%m-%d").to_string();
    db.query(
        &format!(
            "SELECT p.capacity, p.status, {SALES_COLUMNS}
             FROM performance p
             LEFT JOIN sales_snapshot s ON s.performance_id = p.id
                AND s.day = (SELECT max(day) FROM sales_snapshot y
                             WHERE y.performance_id = p.id AND y.day <= $2::text)
             WHERE p.season_start_year = $1
             ORDER BY p.id"
        ),
        &[&i64::from(season.start_year()), &day],
    )
    .map_err(database)?
    .iter()
    .map(|r| performance_sales(super::read::raw_sales(r, 0)?))
    .collect()
}
