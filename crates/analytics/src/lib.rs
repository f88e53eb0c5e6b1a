//! Jauge's figures, as pure functions over typed facts.
//!
//! This crate owns the definitions of the sector's figures (fill rate, paid fill rate, average
//! price, free-ticket share, first-timer share, …) and computes them from typed values handed to
//! it. Each figure's definition lives beside its code, in [`definitions`], so the terminal, the
//! dashboards and the reports say the same thing.
//!
//! It must not touch storage, files, the clock, time zones or the network: callers (the store,
//! the server, the reports) fetch the facts and pass them in. That keeps every figure testable
//! with a few literal values.

use jauge_model::{
    Capacity, Cents, ExternalId, PerformanceStatus, Season, Tariff, TariffCategory, Ticket,
};

use crate::audience::SeasonAudience;
use serde::Serialize;

pub mod audience;
pub mod calendar;
pub mod campaigns;
pub mod crossover;
pub mod definitions;
pub mod places;

/// Sales of one set of tickets, counting only those that are sold (valid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SalesTotals {
    /// Valid tickets, free ones included.
    pub tickets: u64,
    /// Valid tickets with a price above zero.
    pub paid_tickets: u64,
    /// Valid tickets at no charge (invitations, exonérés).
    pub free_tickets: u64,
    /// What valid tickets brought in, VAT included.
    pub revenue: Cents,
    /// Valid tickets at a subscription or package tariff.
    pub subscription_tickets: u64,
}

impl SalesTotals {
    /// Totals of the tickets that count as sold: cancelled and refunded tickets count in none.
    /// `tariffs` says which tariffs are subscriptions; a tariff not among them is not.
    pub fn of<'a>(
        tickets: impl IntoIterator<Item = &'a Ticket>,
        tariffs: &[Tariff],
    ) -> SalesTotals {
        let subscriptions: std::collections::HashSet<&ExternalId> = tariffs
            .iter()
            .filter(|t| t.category == TariffCategory::Subscription)
            .map(|t| &t.id)
            .collect();
        tickets
            .into_iter()
            .filter(|t| t.counts_as_sold())
            .fold(SalesTotals::default(), |acc, t| {
                acc + SalesTotals::one(t.amount_paid, subscriptions.contains(&t.tariff))
            })
    }

    /// Tickets ÷ seats on sale (see [`definitions::FILL_RATE`]); none without seats.
    pub fn fill_rate(&self, capacity: u64) -> Option<f64> {
        ratio(self.tickets, capacity)
    }

    /// Revenue incl. VAT ÷ paid tickets, in cents (see [`definitions::AVERAGE_PRICE`]); none
    /// without a paid ticket.
    pub fn average_price(&self) -> Option<f64> {
        ratio(self.revenue.get(), self.paid_tickets)
    }

    /// Free tickets ÷ tickets (see [`definitions::FREE_TICKET_SHARE`]); none without a ticket.
    pub fn free_ticket_share(&self) -> Option<f64> {
        ratio(self.free_tickets, self.tickets)
    }

    /// The totals of one valid ticket sold at `amount`, at a subscription tariff or not.
    pub fn one(amount: Cents, subscription: bool) -> SalesTotals {
        let free = amount.is_zero();
        SalesTotals {
            tickets: 1,
            paid_tickets: u64::from(!free),
            free_tickets: u64::from(free),
            revenue: amount,
            subscription_tickets: u64::from(subscription),
        }
    }
}

impl std::ops::Add for SalesTotals {
    type Output = SalesTotals;
    fn add(self, o: SalesTotals) -> SalesTotals {
        SalesTotals {
            tickets: self.tickets + o.tickets,
            paid_tickets: self.paid_tickets + o.paid_tickets,
            free_tickets: self.free_tickets + o.free_tickets,
            revenue: self.revenue + o.revenue,
            subscription_tickets: self.subscription_tickets + o.subscription_tickets,
        }
    }
}

/// One performance with its capacity on sale and its sales, as kept current at import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerformanceSales {
    pub capacity: Capacity,
    pub status: PerformanceStatus,
    pub sales: SalesTotals,
}

/// A performance as tables and charts show it: its show, hall and start, and its sales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerformanceLine {
    /// The store's identifier of the performance, for links.
    pub id: i64,
    pub show: String,
    pub discipline: jauge_model::Discipline,
    pub hall: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub sales: PerformanceSales,
}

impl PerformanceLine {
    /// Tickets ÷ capacity on sale (see [`definitions::FILL_RATE`]); none for a cancelled
    /// performance.
    pub fn fill_rate(&self) -> Option<f64> {
        if self.sales.status != PerformanceStatus::Scheduled {
            return None;
        }
        ratio(
            self.sales.sales.tickets,
            u64::from(self.sales.capacity.get()),
        )
    }
}

/// What the season summary is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeasonFacts {
    pub season: Season,
    pub performances: Vec<PerformanceSales>,
    /// The season's buyers, as persons.
    pub audience: SeasonAudience,
    /// How many people bought for the season before.
    pub previous_season_patrons: u64,
}

/// The season's headline figures. Ratios are `None` when their denominator is zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeasonSummary {
    pub season: String,
    /// Performances that take or took place (cancelled ones excluded).
    pub performances: u64,
    pub cancelled_performances: u64,
    /// Seats on sale over those performances.
    pub capacity: u64,
    pub tickets: u64,
    pub paid_tickets: u64,
    pub free_tickets: u64,
    pub revenue: Cents,
    pub fill_rate: Option<f64>,
    pub paid_fill_rate: Option<f64>,
    /// Revenue per paid ticket, in cents (free tickets excluded).
    pub average_price: Option<f64>,
    pub free_ticket_share: Option<f64>,
    pub subscription_tickets: u64,
    pub subscription_share: Option<f64>,
    pub patrons: u64,
    pub first_timers: u64,
    pub first_timer_share: Option<f64>,
    /// People who bought for the season before.
    pub previous_season_patrons: u64,
    /// Of them, those who came back this season.
    pub returning: u64,
    pub retention: Option<f64>,
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// The season's summary; see [`definitions`] for what each figure means.
pub fn season_summary(facts: &SeasonFacts) -> SeasonSummary {
    let sales = facts
        .performances
        .iter()
        .filter(|p| p.status == PerformanceStatus::Scheduled)
        .fold(SalesTotals::default(), |acc, p| acc + p.sales);
    summary_with_sales(facts, sales)
}

/// The season's summary with `sales` for its sales: the performances held give the capacity.
pub(crate) fn summary_with_sales(facts: &SeasonFacts, sales: SalesTotals) -> SeasonSummary {
    let held = facts
        .performances
        .iter()
        .filter(|p| p.status == PerformanceStatus::Scheduled);
    let (performances, capacity) = held.fold((0u64, 0u64), |(n, cap), p| {
        (n + 1, cap + u64::from(p.capacity.get()))
    });
    let cancelled_performances = facts.performances.len() as u64 - performances;
    let SeasonAudience {
        patrons,
        first_timers,
        returning,
        ..
    } = facts.audience;
    SeasonSummary {
        season: facts.season.label(),
        performances,
        cancelled_performances,
        capacity,
        tickets: sales.tickets,
        paid_tickets: sales.paid_tickets,
        free_tickets: sales.free_tickets,
        revenue: sales.revenue,
        fill_rate: sales.fill_rate(capacity),
        paid_fill_rate: ratio(sales.paid_tickets, capacity),
        average_price: sales.average_price(),
        free_ticket_share: sales.free_ticket_share(),
        subscription_tickets: sales.subscription_tickets,
        subscription_share: ratio(sales.subscription_tickets, sales.tickets),
        patrons,
        first_timers,
        first_timer_share: ratio(first_timers, patrons),
        previous_season_patrons: facts.previous_season_patrons,
        returning,
        retention: ratio(returning, facts.previous_season_patrons),
    }
}

/// Valid tickets of a performance by the number of days before it they were ordered (0: the
/// day itself, in the venue's time zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookings {
    pub performance: PerformanceLine,
    /// (days before, tickets), any order.
    pub by_day: Vec<(u32, u64)>,
}

impl Bookings {
    /// The cumulative share of the capacity sold at each day before the performance, from
    /// `horizon` days before to the day itself (index `horizon - d` holds day `d`). Tickets
    /// ordered earlier than the horizon count from its start.
    pub fn curve(&self, horizon: u32) -> Vec<f64> {
        let capacity = f64::from(self.performance.sales.capacity.get());
        let mut sold_before_horizon = 0u64;
        let mut per_day = vec![0u64; horizon as usize + 1];
        for &(days, tickets) in &self.by_day {
            if days <= horizon {
                per_day[(horizon - days) as usize] += tickets;
            } else {
                sold_before_horizon += tickets;
            }
        }
        let mut total = sold_before_horizon;
        per_day
            .into_iter()
            .map(|tickets| {
                total += tickets;
                total as f64 / capacity
            })
            .collect()
    }
}

/// Bands of how many days before a performance its tickets were ordered: on the day itself
/// (walk-ups and last-minute sales), within a week, a month, three months, earlier.
pub const LEAD_TIMES: [(u32, &str, &str); 5] = [
    (0, "le jour même", "on the day"),
    (7, "1 à 7 jours avant", "1 to 7 days before"),
    (30, "8 à 30 jours avant", "8 to 30 days before"),
    (90, "31 à 90 jours avant", "31 to 90 days before"),
    (u32::MAX, "plus de 90 jours avant", "over 90 days before"),
];

impl Bookings {
    /// The tickets ordered in each of [`LEAD_TIMES`].
    pub fn lead_times(&self) -> [u64; 5] {
        let mut bands = [0u64; 5];
        for &(days, tickets) in &self.by_day {
            let band = LEAD_TIMES
                .iter()
                .position(|(most, _, _)| days <= *most)
                .unwrap_or(LEAD_TIMES.len() - 1);
            bands[band] += tickets;
        }
        bands
    }
}

/// The median of curves, point by point; empty without curves.
pub fn median_curve(curves: &[Vec<f64>]) -> Vec<f64> {
    let Some(length) = curves.iter().map(Vec::len).min() else {
        return Vec::new();
    };
    (0..length)
        .map(|i| {
            let mut values: Vec<f64> = curves.iter().map(|c| c[i]).collect();
            values.sort_by(f64::total_cmp);
            let middle = values.len() / 2;
            if values.len() % 2 == 1 {
                values[middle]
            } else {
                (values[middle - 1] + values[middle]) / 2.0
            }
        })
        .collect()
}

/// Bands of how many tickets a person bought in a season.
pub const FREQUENCY_BANDS: [(u64, &str); 5] =
    [(1, "1"), (2, "2"), (3, "3"), (5, "4–5"), (u64::MAX, "6+")];

/// How many people bought how many tickets, by [`FREQUENCY_BANDS`]; a count of zero is not a
/// buyer and is left out.
pub fn frequency_distribution(tickets_per_person: &[u64]) -> [u64; 5] {
    let mut bands = [0u64; 5];
    for band in tickets_per_person.iter().filter_map(|&t| frequency_band(t)) {
        bands[band] += 1;
    }
    bands
}

/// The band of [`FREQUENCY_BANDS`] a buyer of `tickets` falls in; none for zero.
pub(crate) fn frequency_band(tickets: u64) -> Option<usize> {
    (tickets > 0).then(|| {
        FREQUENCY_BANDS
            .iter()
            .position(|(most, _)| tickets <= *most)
            .unwrap_or(FREQUENCY_BANDS.len() - 1)
    })
}

/// A show's season: its performances held, its capacity on sale, its sales.
#[derive(Debug, Clone, PartialEq)]
pub struct ShowSeason {
    pub show: String,
    pub performances: u64,
    pub capacity: u64,
    pub sales: SalesTotals,
    /// Tickets ÷ capacity on sale of its performances held.
    pub fill_rate: Option<f64>,
}

/// The season's shows ranked by fill rate, fullest first (equal ones by title). Cancelled
/// performances are left out; a show with none held is not ranked.
pub fn shows_by_fill_rate(performances: &[PerformanceLine]) -> Vec<ShowSeason> {
    let mut shows: Vec<ShowSeason> = fill_by(performances, |p| p.show.as_str())
        .into_iter()
        .map(|(show, fill)| ShowSeason {
            show: show.to_owned(),
            performances: fill.performances,
            capacity: fill.capacity,
            sales: fill.sales,
            fill_rate: fill.fill_rate,
        })
        .collect();
    shows.sort_by(|a, b| {
        b.fill_rate
            .unwrap_or(0.0)
            .total_cmp(&a.fill_rate.unwrap_or(0.0))
            .then_with(|| a.show.cmp(&b.show))
    });
    shows
}

/// A group of performances held: how many, their capacity on sale, their sales.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Fill {
    pub performances: u64,
    pub capacity: u64,
    pub sales: SalesTotals,
    /// Tickets ÷ capacity on sale (see [`definitions::FILL_RATE`]).
    pub fill_rate: Option<f64>,
}

/// The performances held, grouped by `key` (a show, a month, a hall), in key order.
pub fn fill_by<'a, K: Ord>(
    performances: &'a [PerformanceLine],
    key: impl Fn(&'a PerformanceLine) -> K,
) -> Vec<(K, Fill)> {
    let mut groups: std::collections::BTreeMap<K, Fill> = Default::default();
    for p in performances
        .iter()
        .filter(|p| p.sales.status == PerformanceStatus::Scheduled)
    {
        let group = groups.entry(key(p)).or_default();
        group.performances += 1;
        group.capacity += u64::from(p.sales.capacity.get());
        group.sales = group.sales + p.sales.sales;
    }
    groups
        .into_iter()
        .map(|(k, mut fill)| {
            fill.fill_rate = ratio(fill.sales.tickets, fill.capacity);
            (k, fill)
        })
        .collect()
}

#[cfg(test)]
mod tests;
