//! Writing an import batch, step by step, the same on every backend: which steps a part takes
//! and in which order, the row ids of the source's records by their identifiers, the
//! performances and seasons the batch touched and those it created, the report's counts, the
//! problems the store settles, and which rollups come from the batch and which are read back.
//! A backend gives only its database operations, as a [`BatchDatabase`]: its SQL and its own
//! ways of writing fast.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use jauge_analytics::SalesTotals;
use jauge_model::{
    BatchId, Campaign, CompactString, Consent, Dataset, ExternalId, Order, PatronIdentity,
    PatronKey, Performance, PerformanceStatus, QuarantinedRow, Show, Tariff, TariffCategory,
    VenueSetup,
};

use super::{
    BatchRollups, Counted, History, Holder, Known, NewPerformance, PlannedOrders, ResolvedTickets,
    SeasonCutter, Stopwatch, StoredOrder, StoredTicket, TicketRow, check_beside,
    check_tickets_stored, holder, missing_record, note_revision, order_changes, ticket_changes,
};
use crate::rows::to_seconds;
use crate::{BatchReport, StoreError};

/// The row ids of the batch being written and of its source.
#[derive(Clone, Copy)]
pub(crate) struct BatchKeys {
    pub(crate) source_id: i64,
    pub(crate) batch_id: i64,
}

/// A performance of a part with its show and hall resolved to row ids, and its start (seconds
/// since the epoch) cut into its season.
pub(crate) struct PerformanceRow<'d> {
    pub(crate) performance: &'d Performance,
    pub(crate) show: i64,
    pub(crate) hall: i64,
    pub(crate) starts_at: i64,
    pub(crate) season: i32,
}

/// A performance an earlier batch of the source stored.
pub(crate) struct StoredPerformance {
    pub(crate) external_id: String,
    pub(crate) id: i64,
    pub(crate) season: i32,
    pub(crate) scheduled: bool,
}

/// A campaign event to write: (campaign row id, patron key, kind, at in seconds).
pub(crate) type CampaignEventRow<'d> = (i64, &'d str, &'d str, i64);

/// A buyer's valid tickets in a season as the batch counted them: ((buyer, season), counts).
pub(crate) type PatronSeasonRow = ((CompactString, i32), Counted);

/// What writing a batch asks of a backend's database, inside the transaction that holds the
/// batch: rows to write, row ids and stored rows to read, rollups to refresh. Nothing here
/// decides what to write; [`write_batch`] does.
pub(crate) trait BatchDatabase {
    /// The row id of the source named `name`, if the store knows it.
    fn source_id(&mut self, name: &str) -> Result<Option<i64>, StoreError>;
    /// Adds the source `first` comes from; returns its row id.
    fn insert_source(&mut self, first: &Dataset, now: i64) -> Result<i64, StoreError>;
    /// Opens the batch of `first`, started `now`; returns its row id.
    fn insert_batch(
        &mut self,
        source_id: i64,
        first: &Dataset,
        now: i64,
    ) -> Result<i64, StoreError>;
    /// Removes the rows the file `origin` could not take before.
    fn clear_quarantine(&mut self, source_id: i64, origin: &str) -> Result<(), StoreError>;
    /// Whether `table` holds rows of the source.
    fn holds_rows_of(&mut self, table: &str, source_id: i64) -> Result<bool, StoreError>;
    /// The venue's halls' row ids, by name.
    fn halls(&mut self) -> Result<HashMap<String, i64>, StoreError>;
    /// The source's stored tariffs that are subscriptions or packages.
    fn subscription_tariffs(&mut self, source_id: i64) -> Result<HashSet<ExternalId>, StoreError>;
    /// The row id of the source's record `id` in `table`, if stored.
    fn stored_id(
        &mut self,
        table: &'static str,
        source_id: i64,
        id: &ExternalId,
    ) -> Result<Option<i64>, StoreError>;

    /// Writes the shows; returns their row ids, in the same order.
    fn upsert_shows(&mut self, keys: BatchKeys, shows: &[Show]) -> Result<Vec<i64>, StoreError>;
    /// Writes the performances; returns, in the same order, each one's row id and the season
    /// it was in before, when an earlier batch stored it.
    fn upsert_performances(
        &mut self,
        keys: BatchKeys,
        rows: &[PerformanceRow],
    ) -> Result<Vec<(i64, Option<i32>)>, StoreError>;
    /// Writes the tariffs; returns their row ids, in the same order.
    fn upsert_tariffs(
        &mut self,
        keys: BatchKeys,
        tariffs: &[Tariff],
    ) -> Result<Vec<i64>, StoreError>;
    /// Every performance the store holds of the source.
    fn source_performances(&mut self, source_id: i64)
    -> Result<Vec<StoredPerformance>, StoreError>;

    /// The row id the next new order takes.
    fn next_order_id(&mut self) -> Result<i64, StoreError>;
    /// Each order as an earlier batch stored it, with its row id, in the same order.
    fn stored_orders(
        &mut self,
        source_id: i64,
        orders: &[Order],
    ) -> Result<Vec<Option<(i64, StoredOrder)>>, StoreError>;
    /// Writes the patrons (keys and identities), given in key order.
    fn insert_patrons(
        &mut self,
        keys: BatchKeys,
        patrons: &[(&PatronKey, &PatronIdentity)],
    ) -> Result<(), StoreError>;
    /// Writes the orders with their planned row ids, given in identifier order.
    fn insert_orders(
        &mut self,
        keys: BatchKeys,
        orders: &[(i64, &Order)],
    ) -> Result<(), StoreError>;
    /// Each ticket as an earlier batch stored it, in the same order.
    fn stored_tickets(
        &mut self,
        source_id: i64,
        rows: &[TicketRow],
    ) -> Result<Vec<Option<StoredTicket>>, StoreError>;
    /// Writes the resolved tickets, given in identifier order.
    fn insert_tickets(&mut self, keys: BatchKeys, rows: &[TicketRow]) -> Result<(), StoreError>;
    /// Writes the patrons' consents.
    fn insert_consents(&mut self, keys: BatchKeys, consents: &[Consent]) -> Result<(), StoreError>;
    /// Writes the campaigns (not their events); returns their row ids, in the same order.
    fn upsert_campaigns(
        &mut self,
        keys: BatchKeys,
        campaigns: &[Campaign],
    ) -> Result<Vec<i64>, StoreError>;
    /// Writes the campaigns' events, given each campaign's in (patron, kind, at) order.
    fn insert_campaign_events(
        &mut self,
        batch_id: i64,
        events: &[CampaignEventRow],
    ) -> Result<(), StoreError>;
    /// Keeps the rows of the file `origin` could not take.
    fn insert_quarantined(
        &mut self,
        keys: BatchKeys,
        origin: &str,
        rows: &[QuarantinedRow],
    ) -> Result<(), StoreError>;
    /// Whether the store holds the record a dangling reference points at.
    fn holds_record(&mut self, source_id: i64, holder: Holder) -> Result<bool, StoreError>;

    /// How many tickets the batch stored.
    fn tickets_of_batch(&mut self, batch_id: i64) -> Result<i64, StoreError>;
    /// The file the batch was read from.
    fn origin(&mut self, batch_id: i64) -> Result<String, StoreError>;
    /// Writes what the batch changed in records of earlier batches, `now`.
    fn insert_history(
        &mut self,
        keys: BatchKeys,
        now: i64,
        history: &History,
    ) -> Result<(), StoreError>;
    /// Writes the sales of performances counted from the batch.
    fn upsert_performance_sales(
        &mut self,
        sales: &BTreeMap<i64, SalesTotals>,
    ) -> Result<(), StoreError>;
    /// Recomputes the sales of `performances` from their tickets.
    fn refresh_performance_sales(&mut self, performances: &[i64]) -> Result<(), StoreError>;
    /// The seasons of `performances`.
    fn seasons_of(&mut self, performances: &[i64]) -> Result<Vec<i32>, StoreError>;
    /// Every season a performance is in.
    fn all_seasons(&mut self) -> Result<Vec<i32>, StoreError>;
    /// How many performances the season holds.
    fn performances_in_season(&mut self, season: i32) -> Result<i64, StoreError>;
    /// Writes the buyers' valid tickets counted from the batch, in (buyer, season) order.
    fn upsert_patron_seasons(&mut self, rows: &[PatronSeasonRow]) -> Result<(), StoreError>;
    /// Recomputes the buyers' valid tickets in `seasons` from the tickets.
    fn refresh_patron_seasons(&mut self, seasons: &BTreeSet<i32>) -> Result<(), StoreError>;
    /// Marks the seasons' audiences as changed.
    fn audiences_changed(&mut self) -> Result<(), StoreError>;
    /// Marks the sales by day and by tariff of every season as changed.
    fn daily_sales_changed(&mut self) -> Result<(), StoreError>;
    /// Closes the batch, `now`, with the facts it wrote.
    fn finish_batch(&mut self, batch_id: i64, now: i64, facts: i64) -> Result<(), StoreError>;

    /// Called before a part's patrons, orders, tickets and the rest are written, while the
    /// part is checked on the other core.
    fn before_part_writes(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Called once those writes ended, `written` or failed, before the part's problems are
    /// looked up in the store.
    fn after_part_writes(&mut self, _written: bool) -> Result<(), StoreError> {
        Ok(())
    }
    /// Called once every part is written, before the batch is counted and its rollups
    /// refreshed; laps what it does on `clock`.
    fn after_parts(&mut self, _clock: &mut Stopwatch) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Writes a batch that arrives in parts (`first`, then `rest`), each part checked: a part with
/// a problem the store does not settle, or an `Err` in place of a part, fails the batch. Runs
/// inside the transaction `db` writes in; committing it is the caller's.
pub(crate) fn write_batch<D: Borrow<Dataset>, B: BatchDatabase>(
    db: &mut B,
    first: D,
    mut rest: impl Iterator<Item = Result<D, String>>,
    setup: &VenueSetup,
) -> Result<BatchReport, StoreError> {
    let mut w = Writer::begin(db, first.borrow(), setup)?;
    let mut part = Some(first);
    while let Some(d) = part {
        w.write_part(d.borrow(), setup)?;
        drop(d);
        part = rest.next().transpose().map_err(StoreError::Abandoned)?;
    }
    w.finish()
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

    /// The row id of the source's record `id`, which this batch wrote or the store holds.
    fn get(
        &mut self,
        db: &mut impl BatchDatabase,
        source_id: i64,
        id: &ExternalId,
    ) -> Result<i64, StoreError> {
        if let Some(&row) = self.ids.get(id) {
            return Ok(row);
        }
        let row = db
            .stored_id(self.table, source_id, id)?
            .ok_or_else(missing_record)?;
        self.ids.insert(id.clone(), row);
        Ok(row)
    }
}

/// The state of a batch being written.
struct Writer<'b, B> {
    db: &'b mut B,
    keys: BatchKeys,
    /// Whether earlier batches of this source stored orders, and tickets.
    orders_stored: bool,
    tickets_stored: bool,
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

impl<'b, B: BatchDatabase> Writer<'b, B> {
    /// Opens the batch of the source `first` comes from: its source and batch rows, and what
    /// earlier batches of the source hold.
    fn begin(
        db: &'b mut B,
        first: &Dataset,
        setup: &VenueSetup,
    ) -> Result<Writer<'b, B>, StoreError> {
        let now = chrono::Utc::now().timestamp();
        let source = db.source_id(first.source.as_str())?;
        let source_id = match source {
            Some(id) => id,
            None => db.insert_source(first, now)?,
        };
        let batch_id = db.insert_batch(source_id, first, now)?;
        // The rows this file could not take replace those it could not take before.
        db.clear_quarantine(source_id, &first.origin)?;
        // What an earlier batch of this source stored: a first import of tickets or orders
        // has nothing to compare with, and skips the lookups.
        let (orders_stored, tickets_stored) = match source {
            Some(id) => (
                db.holds_rows_of("sale_order", id)?,
                db.holds_rows_of("ticket", id)?,
            ),
            None => (false, false),
        };
        let halls = db.halls()?;
        let subscription_tariffs = db.subscription_tariffs(source_id)?;
        Ok(Writer {
            db,
            keys: BatchKeys {
                source_id,
                batch_id,
            },
            orders_stored,
            tickets_stored,
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
        self.db.before_part_writes()?;
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
            self.db.insert_consents(self.keys, &d.consents)?;
            let campaign_events = self.campaigns(d)?;
            self.db
                .insert_quarantined(self.keys, &d.origin, &d.quarantined)?;
            self.clock.lap("consents, campaigns and quarantine");
            Ok::<_, StoreError>(campaign_events)
        });
        self.subscription_tariffs = subscription_tariffs;
        self.clock.lap("waiting for the check");
        self.db.after_part_writes(written.is_ok())?;
        // A dangling reference may point at a record an earlier batch wrote, or an earlier
        // part of this one.
        let mut problems_left = Vec::new();
        for problem in problems {
            let stored = match holder(&problem) {
                Some(holder) => self.db.holds_record(self.keys.source_id, holder)?,
                None => false,
            };
            if !stored {
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

    /// Ends the batch: what the backend left for the end, the history of what changed, the
    /// rollups the parts left to bring up to date, the batch's totals.
    fn finish(mut self) -> Result<BatchReport, StoreError> {
        self.db.after_parts(&mut self.clock)?;
        // Two parts giving the same ticket: the later one overwrote the earlier.
        let batch_id = self.keys.batch_id;
        let stored = self.db.tickets_of_batch(batch_id)?;
        let db = &mut *self.db;
        check_tickets_stored(self.report.tickets, stored, || db.origin(batch_id))?;
        let now = chrono::Utc::now().timestamp();
        self.db.insert_history(self.keys, now, &self.history)?;
        let rollups = std::mem::take(&mut self.rollups);
        self.refresh_rollups(rollups)?;
        self.clock.lap("rollups");
        let now = chrono::Utc::now().timestamp();
        self.db.finish_batch(batch_id, now, self.report.facts())?;
        let mut report = self.report;
        report.phases = self.clock.laps;
        Ok(report)
    }

    fn shows(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let ids = self.db.upsert_shows(self.keys, &d.shows)?;
        for (s, id) in d.shows.iter().zip(ids) {
            self.shows.ids.insert(s.id.clone(), id);
        }
        Ok(())
    }

    fn performances(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut rows = Vec::with_capacity(d.performances.len());
        for p in &d.performances {
            let show = self.shows.get(self.db, self.keys.source_id, &p.show)?;
            let hall = *self.halls.get(p.hall.as_str()).ok_or_else(missing_record)?;
            let starts_at = to_seconds(p.starts_at);
            rows.push(PerformanceRow {
                performance: p,
                show,
                hall,
                starts_at,
                season: self.season_of.start_year(starts_at),
            });
        }
        let written = self.db.upsert_performances(self.keys, &rows)?;
        for (row, (id, previous)) in rows.iter().zip(written) {
            let season = row.season;
            match previous {
                // A performance moved to another season leaves its old season to refresh.
                Some(old) => {
                    self.touched_seasons.insert(old);
                }
                None => {
                    let scheduled = row.performance.status == PerformanceStatus::Scheduled;
                    self.new_performances
                        .insert(id, NewPerformance { season, scheduled });
                }
            }
            self.touched_seasons.insert(season);
            self.touched_performances.insert(id);
            self.performances.ids.insert(row.performance.id.clone(), id);
        }
        Ok(())
    }

    fn tariffs(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let ids = self.db.upsert_tariffs(self.keys, &d.tariffs)?;
        for (t, id) in d.tariffs.iter().zip(ids) {
            self.tariffs.ids.insert(t.id.clone(), id);
            if t.category == TariffCategory::Subscription {
                self.subscription_tariffs.insert(t.id.clone());
            } else {
                self.subscription_tariffs.remove(&t.id);
            }
        }
        Ok(())
    }

    /// Writes the patrons in key order, so that their tables grow at their end.
    fn patrons(&mut self, d: &Dataset) -> Result<(), StoreError> {
        let mut patrons: Vec<_> = d
            .patrons
            .iter()
            .filter_map(|p| Some((p.key()?, p)))
            .collect();
        patrons.sort_unstable_by_key(|&(key, _)| key);
        self.db.insert_patrons(self.keys, &patrons)
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
        for stored in self.db.source_performances(self.keys.source_id)? {
            let Ok(external) = stored.external_id.parse::<ExternalId>() else {
                continue;
            };
            if self.performances.ids.contains_key(&external) {
                continue;
            }
            self.performances.ids.insert(external, stored.id);
            if !self.tickets_stored {
                self.new_performances.insert(
                    stored.id,
                    NewPerformance {
                        season: stored.season,
                        scheduled: stored.scheduled,
                    },
                );
                self.touched_seasons.insert(stored.season);
            }
        }
        Ok(())
    }

    /// Gives each order its row id: an order already stored keeps its own, a new one takes
    /// the next free one. Tickets can then be resolved without reading anything back.
    fn plan_orders<'d>(&mut self, d: &'d Dataset) -> Result<PlannedOrders<'d>, StoreError> {
        let mut next = self.db.next_order_id()?;
        let stored = if self.orders_stored {
            self.db.stored_orders(self.keys.source_id, &d.orders)?
        } else {
            Vec::new()
        };
        let mut ids = HashMap::default();
        ids.reserve(d.orders.len());
        for (index, o) in d.orders.iter().enumerate() {
            let id = match stored.get(index).and_then(Option::as_ref) {
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
        let mut orders: Vec<_> = d.orders.iter().map(|o| (ids[&o.id].0, o)).collect();
        orders.sort_unstable_by_key(|&(_, o)| &o.id);
        self.db.insert_orders(self.keys, &orders)
    }

    /// Writes the part's tickets: those referring to records of earlier batches resolved from
    /// the store, those an earlier batch stored compared with it.
    fn tickets(&mut self, resolved: ResolvedTickets) -> Result<(), StoreError> {
        let ResolvedTickets {
            mut rows,
            unresolved,
            touched_performances,
            mut rollups,
        } = resolved;
        self.touched_performances.extend(touched_performances);
        let source_id = self.keys.source_id;
        if !unresolved.is_empty() {
            // References to records of earlier batches. A performance of an earlier batch is
            // not new, so these add nothing to the batch's own rollups.
            for t in unresolved {
                let order = self.orders.get(self.db, source_id, &t.order)?;
                let performance = self.performances.get(self.db, source_id, &t.performance)?;
                let tariff = self.tariffs.get(self.db, source_id, &t.tariff)?;
                rows.push((performance, order, tariff, t));
                self.touched_performances.insert(performance);
            }
            rows.sort_unstable_by(|a, b| a.3.id.cmp(&b.3.id));
        }
        if self.tickets_stored {
            // A ticket an earlier batch stored: its changes go to the history, and a ticket
            // moved from another performance leaves that one to refresh.
            let stored = self.db.stored_tickets(source_id, &rows)?;
            for (row, stored) in rows.iter().zip(stored) {
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
                    &row.3.id,
                    changed,
                );
            }
        } else {
            self.report.changes.inserted += rows.len();
        }
        self.db.insert_tickets(self.keys, &rows)?;
        self.rollups.add(rollups);
        Ok(())
    }

    /// Writes campaigns and their events, each campaign's in (patron, kind, at) order; returns
    /// the number of events.
    fn campaigns(&mut self, d: &Dataset) -> Result<usize, StoreError> {
        let ids = self.db.upsert_campaigns(self.keys, &d.campaigns)?;
        let mut events: Vec<CampaignEventRow> = Vec::new();
        for (c, id) in d.campaigns.iter().zip(ids) {
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
        self.db
            .insert_campaign_events(self.keys.batch_id, &events)?;
        Ok(events.len())
    }

    /// Brings the rollups up to date: from the batch itself for what it created, by reading
    /// the tickets back for the rest.
    fn refresh_rollups(&mut self, batch: BatchRollups) -> Result<(), StoreError> {
        self.db.upsert_performance_sales(&batch.performance_sales)?;
        let stored: Vec<i64> = self
            .touched_performances
            .iter()
            .copied()
            .filter(|p| !self.new_performances.contains_key(p))
            .collect();
        self.db.refresh_performance_sales(&stored)?;
        self.touched_seasons.extend(self.db.seasons_of(&stored)?);

        // A season all of whose performances this batch created is counted from the batch.
        if self.buyers_changed {
            // Tickets of earlier batches changed buyer: every season may have moved.
            self.touched_seasons.extend(self.db.all_seasons()?);
        }
        let db = &mut *self.db;
        let split = batch.split_seasons(
            &self.touched_seasons,
            &self.new_performances,
            self.buyers_changed,
            |season| db.performances_in_season(season),
        )?;
        let seasons = batch.patron_seasons_in(&split.from_batch);
        self.db.upsert_patron_seasons(&seasons)?;
        self.db.refresh_patron_seasons(&split.read_back)?;
        if !self.touched_seasons.is_empty() {
            self.db.audiences_changed()?;
        }
        // An order's date may have changed without its tickets.
        self.db.daily_sales_changed()
    }
}
