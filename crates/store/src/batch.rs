//! What writing an import batch computes away from the database, the same on every backend:
//! cutting instants into seasons, resolving a part's tickets and counting the rollups of what
//! the batch created while the part is checked on another core, comparing facts with what an
//! earlier batch stored, and the batch's report. The steps of writing a batch, and their
//! bookkeeping, are [`writer`], over each backend's database operations.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chrono_tz::Tz;
use jauge_analytics::SalesTotals;
use jauge_model::{
    CompactString, Dataset, DatasetProblem, ExternalId, Hall, Order, Reference, Season,
    SeasonStartMonth, Ticket, TicketStatus,
};

use crate::rows::to_seconds;
use crate::{BatchReport, StoreError};

pub(crate) mod writer;

/// Notes `field: before → after` when they differ.
pub(crate) fn differs<A: fmt::Display + ?Sized, B: fmt::Display + ?Sized>(
    changed: &mut Vec<String>,
    field: &str,
    before: &A,
    after: &B,
) {
    let (before, after) = (before.to_string(), after.to_string());
    if before != after {
        changed.push(format!("{field}: {before} → {after}"));
    }
}

/// Times the steps of a write.
pub(crate) struct Stopwatch {
    last: std::time::Instant,
    pub(crate) laps: Vec<(&'static str, std::time::Duration)>,
}

impl Stopwatch {
    pub(crate) fn start() -> Stopwatch {
        Stopwatch {
            last: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    /// Adds the time since the last lap to `step`'s.
    pub(crate) fn lap(&mut self, step: &'static str) {
        let now = std::time::Instant::now();
        match self.laps.iter_mut().find(|(s, _)| *s == step) {
            Some((_, total)) => *total += now - self.last,
            None => self.laps.push((step, now - self.last)),
        }
        self.last = now;
    }
}

/// Cuts instants into the venue's seasons.
#[derive(Clone, Copy)]
pub(crate) struct SeasonCutter {
    pub(crate) tz: Tz,
    pub(crate) start: SeasonStartMonth,
}

impl SeasonCutter {
    /// The first year of the season the instant (in seconds since the epoch) falls in, in
    /// the venue's time zone.
    pub(crate) fn start_year(self, seconds: i64) -> i32 {
        let instant = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
        Season::containing(instant.with_timezone(&self.tz).date_naive(), self.start).start_year()
    }
}

/// What the batch wrote or planned so far, by the source's identifiers: enough to resolve
/// tickets away from the database.
pub(crate) struct Known<'a> {
    pub(crate) performances: HashMap<ExternalId, i64>,
    pub(crate) tariffs: HashMap<ExternalId, i64>,
    /// The source's tariffs that are subscriptions or packages.
    pub(crate) subscription_tariffs: &'a HashSet<ExternalId>,
    /// Each order's planned row id and place in the dataset.
    pub(crate) orders: &'a PlannedOrders<'a>,
    pub(crate) new_performances: HashMap<i64, NewPerformance>,
}

/// The row id and the index in the dataset of each order of the batch.
pub(crate) type PlannedOrders<'d> = HashMap<&'d ExternalId, (i64, usize)>;

/// A ticket with its references resolved to row ids: (performance, order, tariff, ticket).
pub(crate) type TicketRow<'d> = (i64, i64, i64, &'d Ticket);

/// Tickets with their references resolved to row ids, in identifier order, and the rollups of
/// what the batch created.
pub(crate) struct ResolvedTickets<'d> {
    pub(crate) rows: Vec<TicketRow<'d>>,
    /// Tickets referring to a record of an earlier batch, resolved from the store later.
    pub(crate) unresolved: Vec<&'d Ticket>,
    pub(crate) touched_performances: BTreeSet<i64>,
    pub(crate) rollups: PartRollups<'d>,
}

/// Resolves tickets from what the batch holds, and sums the sales of the performances it
/// created (no ticket of another batch can refer to those). Pure: it runs on another core.
pub(crate) fn resolve_tickets<'d>(d: &'d Dataset, known: Known<'_>) -> ResolvedTickets<'d> {
    let buyer = |&(_, index): &(i64, usize)| d.orders[index].buyer.as_ref().map(|b| b.as_str());
    let mut resolved = ResolvedTickets {
        rows: Vec::with_capacity(d.tickets.len()),
        unresolved: Vec::new(),
        touched_performances: BTreeSet::new(),
        rollups: PartRollups::default(),
    };
    // (buyer, season, at a subscription tariff)
    let mut pairs: Vec<(&str, i32, bool)> = Vec::with_capacity(d.tickets.len());
    let mut touched: HashSet<i64> = Default::default();
    for t in &d.tickets {
        let ids = (
            known.performances.get(&t.performance),
            known.orders.get(&t.order).copied(),
            known.tariffs.get(&t.tariff),
        );
        let Some(&performance) = ids.0 else {
            resolved.unresolved.push(t);
            continue;
        };
        touched.insert(performance);
        if let Some(new) = known.new_performances.get(&performance) {
            let rollups = &mut resolved.rollups;
            if t.status == TicketStatus::Valid {
                let subscription = known.subscription_tariffs.contains(&t.tariff);
                let sales = rollups.performance_sales.entry(performance).or_default();
                *sales = *sales + SalesTotals::one(t.amount_paid, subscription);
                match (new.scheduled, ids.1.map(|order| buyer(&order))) {
                    (true, Some(Some(buyer))) => pairs.push((buyer, new.season, subscription)),
                    // An order of an earlier batch: its buyer is read back with the season.
                    (true, None) => {
                        rollups.read_back.insert(new.season);
                    }
                    _ => {}
                }
            }
        }
        match ids {
            (_, Some((order, _)), Some(&tariff)) => {
                resolved.rows.push((performance, order, tariff, t))
            }
            _ => resolved.unresolved.push(t),
        }
    }
    // In identifier order, so that the unique index on identifiers grows at its end.
    resolved.rows.sort_unstable_by(|a, b| a.3.id.cmp(&b.3.id));
    pairs.sort_unstable();
    let counted = &mut resolved.rollups.patron_seasons;
    for (buyer, season, subscription) in pairs {
        let one = (1, i64::from(subscription));
        match counted.last_mut() {
            Some((last, (tickets, subscriptions))) if *last == (buyer, season) => {
                *tickets += one.0;
                *subscriptions += one.1;
            }
            _ => counted.push(((buyer, season), one)),
        }
    }
    resolved.touched_performances = touched.into_iter().collect();
    resolved
}

/// Runs `write` on this core while another resolves the part's tickets (from `known`) and then
/// checks the part against the venue's `halls`. `write` takes the resolved tickets, waiting
/// for them, by calling the function it is given. Returns what `write` returned and the
/// part's problems.
pub(crate) fn check_beside<'d, T>(
    d: &'d Dataset,
    known: Known<'_>,
    halls: &[Hall],
    write: impl FnOnce(&mut dyn FnMut() -> ResolvedTickets<'d>) -> T,
) -> (T, Vec<DatasetProblem>) {
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel(1);
        let helper = scope.spawn(move || {
            // The receiver is gone only if writing failed: the check is still wanted.
            let _ = send.send(resolve_tickets(d, known));
            d.problems(halls)
        });
        let written = write(&mut || {
            receive
                .recv()
                .expect("the helper resolves tickets before checking")
        });
        let problems = helper.join().expect("checking a dataset never panics");
        (written, problems)
    })
}

/// The error of a reference to a record neither the batch nor the store holds, found while
/// writing: the same on every backend (when the part's check runs, it names the record).
pub(crate) fn missing_record() -> StoreError {
    StoreError::Database(rusqlite::Error::QueryReturnedNoRows)
}

/// Where the store would hold the record a dangling reference points at.
pub(crate) enum Holder<'p> {
    /// A record of the source's own, in `table`, by its identifier.
    Scoped(&'static str, &'p str),
    /// A patron, by key.
    Patron(&'p str),
}

/// Where the record a problem says is missing would be, if the store may hold it already (an
/// earlier batch wrote it, or an earlier part of this one); `None` for any other problem.
pub(crate) fn holder(problem: &DatasetProblem) -> Option<Holder<'_>> {
    let DatasetProblem::Dangling { target, .. } = problem else {
        return None;
    };
    Some(match target {
        Reference::Show(id) => Holder::Scoped("show", id.as_str()),
        Reference::Performance(id) => Holder::Scoped("performance", id.as_str()),
        Reference::Tariff(id) => Holder::Scoped("tariff", id.as_str()),
        Reference::Order(id) => Holder::Scoped("sale_order", id.as_str()),
        Reference::Patron(key) => Holder::Patron(key.as_str()),
        Reference::Hall(_) => return None,
    })
}

/// An order as an earlier batch stored it.
#[derive(Clone)]
pub(crate) struct StoredOrder {
    pub(crate) buyer: Option<String>,
    pub(crate) channel: String,
    pub(crate) created_at: i64,
    pub(crate) status: String,
}

/// What `o` changes in the order an earlier batch stored: whether its buyer changed, and each
/// change as `field: before → after`.
pub(crate) fn order_changes(stored: &StoredOrder, o: &Order) -> (bool, Vec<String>) {
    let buyer = o.buyer.as_ref().map(|b| b.as_str());
    let buyer_changed = stored.buyer.as_deref() != buyer;
    let mut changed = Vec::new();
    differs(
        &mut changed,
        "buyer",
        stored.buyer.as_deref().unwrap_or_default(),
        buyer.unwrap_or_default(),
    );
    differs(&mut changed, "channel", &stored.channel, o.channel.code());
    differs(
        &mut changed,
        "created_at",
        &stored.created_at,
        &to_seconds(o.created_at),
    );
    differs(&mut changed, "status", &stored.status, o.status.code());
    (buyer_changed, changed)
}

/// A ticket as an earlier batch stored it, with the season of its performance.
#[derive(Clone)]
pub(crate) struct StoredTicket {
    pub(crate) performance: i64,
    pub(crate) season: i32,
    /// Order, tariff, amount paid, face value and VAT rate (basis points).
    pub(crate) numbers: [i64; 5],
    pub(crate) status: String,
    pub(crate) checked_in_at: Option<i64>,
    /// The attendee's key, empty when none.
    pub(crate) attendee: String,
}

/// What the resolved ticket `row` changes in the ticket an earlier batch stored, each change
/// as `field: before → after`.
pub(crate) fn ticket_changes(stored: &StoredTicket, row: &TicketRow) -> Vec<String> {
    let &(performance, order, tariff, t) = row;
    let mut changed = Vec::new();
    differs(
        &mut changed,
        "performance",
        &stored.performance,
        &performance,
    );
    let now = [
        order,
        tariff,
        t.amount_paid.as_i64(),
        t.face_value.as_i64(),
        i64::from(t.vat_rate.basis_points()),
    ];
    for ((name, was), is) in [
        "order",
        "tariff",
        "amount_cents",
        "face_value_cents",
        "vat_bp",
    ]
    .iter()
    .zip(stored.numbers)
    .zip(now)
    {
        differs(&mut changed, name, &was, &is);
    }
    differs(&mut changed, "status", &stored.status, t.status.code());
    let at = |at: Option<i64>| at.map(|at| at.to_string()).unwrap_or_default();
    differs(
        &mut changed,
        "checked_in_at",
        &at(stored.checked_in_at),
        &at(t.checked_in_at.map(to_seconds)),
    );
    differs(
        &mut changed,
        "attendee",
        &stored.attendee,
        t.attendee.as_ref().map_or("", |a| a.as_str()),
    );
    changed
}

/// Records of earlier batches this one changes: (record, identifier, what changed).
pub(crate) type History = Vec<(&'static str, String, Vec<String>)>;

/// Counts a ticket or order an earlier batch stored, given again with `changed`, and keeps
/// the changes for the history.
pub(crate) fn note_revision(
    report: &mut BatchReport,
    history: &mut History,
    record: &'static str,
    id: &ExternalId,
    changed: Vec<String>,
) {
    report.changes.note(true, !changed.is_empty());
    if !changed.is_empty() {
        history.push((record, id.to_string(), changed));
    }
}

/// Fails the batch when fewer tickets are stored under it than its parts gave: two parts gave
/// the same ticket, and the later one overwrote the earlier. `origin` names the batch's file.
pub(crate) fn check_tickets_stored(
    given: usize,
    stored: i64,
    origin: impl FnOnce() -> Result<String, StoreError>,
) -> Result<(), StoreError> {
    if usize::try_from(stored).unwrap_or(usize::MAX) == given {
        return Ok(());
    }
    Err(StoreError::Rejected {
        origin: origin()?,
        problems: vec![DatasetProblem::Duplicate {
            kind: "ticket",
            id: format!(
                "{} ticket numbers given twice, far apart in the file",
                given.abs_diff(stored as usize)
            ),
        }],
    })
}

impl BatchReport {
    /// Adds a written part's facts to the batch's counts.
    pub(crate) fn count_part(&mut self, d: &Dataset, campaign_events: usize) {
        self.campaign_events += campaign_events;
        self.shows += d.shows.len();
        self.performances += d.performances.len();
        self.tariffs += d.tariffs.len();
        self.patrons += d.patrons.len();
        self.orders += d.orders.len();
        self.tickets += d.tickets.len();
        self.consents += d.consents.len();
        self.campaigns += d.campaigns.len();
        self.quarantined += d.quarantined.len();
    }

    /// The facts the batch wrote (quarantined rows and campaign events are not counted), as
    /// `import_batch.facts` keeps them.
    pub(crate) fn facts(&self) -> i64 {
        let facts = self.shows
            + self.performances
            + self.tariffs
            + self.patrons
            + self.orders
            + self.tickets
            + self.consents
            + self.campaigns;
        i64::try_from(facts).unwrap_or(i64::MAX)
    }
}

/// A performance no earlier batch sold a ticket for: this batch created it, or it was stored
/// before any ticket of its source. Its rollups come from the batch alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewPerformance {
    pub(crate) season: i32,
    pub(crate) scheduled: bool,
}

/// A buyer's valid tickets in a season, and of them those at a subscription tariff.
pub(crate) type Counted = (i64, i64);

/// Rollups of what one part created, computed while its tickets are resolved.
#[derive(Default)]
pub(crate) struct PartRollups<'d> {
    /// Sales of the performances this batch created.
    performance_sales: BTreeMap<i64, SalesTotals>,
    /// Valid tickets, and of them subscription ones, per (buyer, season) for scheduled
    /// performances this batch created, in key order. Counted from a sorted list: it costs
    /// less memory than a map here.
    patron_seasons: Vec<((&'d str, i32), Counted)>,
    /// Seasons whose buyers must be read back all the same.
    pub(crate) read_back: BTreeSet<i32>,
}

/// Rollups of what the whole batch created, summed over its parts.
#[derive(Default)]
pub(crate) struct BatchRollups {
    pub(crate) performance_sales: BTreeMap<i64, SalesTotals>,
    patron_seasons: HashMap<(CompactString, i32), Counted>,
    read_back: BTreeSet<i32>,
}

impl BatchRollups {
    /// Adds a part's rollups.
    pub(crate) fn add(&mut self, part: PartRollups) {
        for (performance, sales) in part.performance_sales {
            let total = self.performance_sales.entry(performance).or_default();
            *total = *total + sales;
        }
        for ((buyer, season), (tickets, subscriptions)) in part.patron_seasons {
            let total = self
                .patron_seasons
                .entry((CompactString::from(buyer), season))
                .or_default();
            total.0 += tickets;
            total.1 += subscriptions;
        }
        self.read_back.extend(part.read_back);
    }

    /// Splits the seasons the batch touched into those whose buyers the batch alone counts
    /// (every performance of the season is new, and no ticket of an earlier batch reaches it)
    /// and those read back from the tickets: all of them when orders of earlier batches
    /// changed buyer. `stored` gives the performances a season holds.
    pub(crate) fn split_seasons(
        &self,
        touched: &BTreeSet<i32>,
        new_performances: &HashMap<i64, NewPerformance>,
        buyers_changed: bool,
        mut stored: impl FnMut(i32) -> Result<i64, StoreError>,
    ) -> Result<SeasonsToCount, StoreError> {
        let mut split = SeasonsToCount::default();
        for &season in touched {
            let created = new_performances
                .values()
                .filter(|p| p.season == season)
                .count();
            let old_tickets_reach_it =
                stored(season)? as usize != created || self.read_back.contains(&season);
            if old_tickets_reach_it || buyers_changed {
                split.read_back.insert(season);
            } else {
                split.from_batch.insert(season);
            }
        }
        Ok(split)
    }

    /// The buyers' tickets the batch counted in `seasons`, in (buyer, season) order.
    pub(crate) fn patron_seasons_in(
        self,
        seasons: &BTreeSet<i32>,
    ) -> Vec<((CompactString, i32), Counted)> {
        let mut counted: Vec<_> = self
            .patron_seasons
            .into_iter()
            .filter(|((_, season), _)| seasons.contains(season))
            .collect();
        counted.sort_unstable();
        counted
    }
}

/// The seasons a batch touched, by how their buyers' rollup is brought up to date.
#[derive(Default)]
pub(crate) struct SeasonsToCount {
    /// Counted from the batch itself.
    pub(crate) from_batch: BTreeSet<i32>,
    /// Read back from the tickets.
    pub(crate) read_back: BTreeSet<i32>,
}
