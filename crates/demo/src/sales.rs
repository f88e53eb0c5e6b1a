//! The box office: who buys what, when, at which tariff, and what happens to the tickets.
//!
//! Each season, every performance sells towards its final fill: subscriptions first (sold from
//! June), invitations, school groups for young-audience weekday performances, then single
//! orders whose lead time depends on the discipline, with a last-week rush and walk-ups at the
//! door. Buyers come back from one season to the next according to their loyalty; about half of
//! each season's buyers are new. Orders not yet placed "today" are dropped, so upcoming
//! performances are only partly sold.

use chrono::{DateTime, Duration, Utc};
use jauge_model::{
    Cents, Channel, Dataset, ExternalId, Order, OrderStatus, PatronKey, PerformanceStatus,
    SourceKind, Ticket, TicketStatus,
};
use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::seq::{IndexedRandom, SliceRandom};

use crate::people::{Population, TICKETING_SOURCE, gaussian};
use crate::programme::{Programme, TariffKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotKind {
    Subscription,
    Invitation,
    School,
    Single,
    WalkUp,
}

/// An order to be placed: what and how many, before knowing by whom.
#[derive(Debug, Clone)]
struct Slot {
    kind: SlotKind,
    /// The performances (one, except for subscriptions) and seats for each.
    performances: Vec<usize>,
    seats: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct SoldTicket {
    /// Index in the programme's performances.
    pub performance: u32,
    pub tariff: TariffKind,
    pub amount: Cents,
    pub status: TicketStatus,
    pub checked_in_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(crate) struct SoldOrder {
    pub created_at: DateTime<Utc>,
    pub channel: Channel,
    pub status: OrderStatus,
    /// Person and account; `None` for anonymous sales at the door.
    pub buyer: Option<(usize, usize)>,
    /// Its tickets, in [`Sales::tickets`].
    pub tickets: std::ops::Range<usize>,
}

impl Sales {
    /// When each person (by index) first bought, if they did.
    pub(crate) fn first_purchases(&self, people: usize) -> Vec<Option<DateTime<Utc>>> {
        let mut first = vec![None; people];
        for order in &self.orders {
            if let Some((p, _)) = order.buyer {
                first[p].get_or_insert(order.created_at);
            }
        }
        first
    }
}

pub(crate) struct Sales {
    /// Orders placed before "today", oldest first.
    pub orders: Vec<SoldOrder>,
    /// Their tickets, one flat list (a million small lists would fragment memory).
    pub tickets: Vec<SoldTicket>,
}

const ORDERS_PER_BUYER: f64 = 1.12;

pub(crate) fn simulate(
    rng: &mut impl Rng,
    programme: &Programme,
    population: &mut Population,
    as_of: DateTime<Utc>,
) -> Sales {
    let mut last_active: Vec<Option<usize>> = Vec::new();
    let mut orders = Vec::new();
    let mut tickets = Vec::new();
    for si in 0..programme.seasons.len() {
        let slots = season_slots(rng, programme, si);
        let buyer_slots = slots
            .iter()
            .filter(|s| s.kind != SlotKind::WalkUp || rng.random_bool(0.5))
            .count();
        let wanted = (buyer_slots as f64 / ORDERS_PER_BUYER).round() as usize;

        // Who comes back: last season's buyers by their loyalty, a few lapsed ones.
        let mut returning: Vec<usize> = (0..population.people.len())
            .filter(|&p| {
                let chance = match last_active.get(p).copied().flatten() {
                    Some(s) if s + 1 == si => population.people[p].loyalty,
                    Some(s) if s + 2 == si => 0.12,
                    Some(_) => 0.04,
                    None => 0.0,
                };
                rng.random_bool(chance)
            })
            .collect();
        returning.shuffle(rng);
        returning.truncate(wanted / 2);
        returning.sort_unstable();
        let season_year = programme.seasons[si].start_year();
        for &p in &returning {
            population.maybe_open_duplicate(rng, p, si);
        }
        let mut active = returning;
        while active.len() < wanted {
            active.push(population.create(rng, si, season_year));
        }
        last_active.resize(population.people.len(), None);
        for &p in &active {
            last_active[p] = Some(si);
        }

        let assigned = assign_buyers(rng, programme, population, &slots, &active);
        for (slot, buyer) in slots.iter().zip(assigned) {
            let buyer = buyer.map(|p| (p, population.account_for(rng, p, si)));
            let order = place_order(rng, programme, slot, buyer, as_of, &mut tickets);
            if order.created_at < as_of {
                orders.push(order);
            } else {
                tickets.truncate(order.tickets.start);
            }
        }
    }
    orders.sort_by_key(|o| o.created_at);
    Sales { orders, tickets }
}

/// The orders every performance of season `si` will receive.
fn season_slots(rng: &mut impl Rng, programme: &Programme, si: usize) -> Vec<Slot> {
    let performances: Vec<usize> = (0..programme.performances.len())
        .filter(|&p| programme.performances[p].season == si)
        .collect();
    let mut remaining: Vec<u32> = vec![0; programme.performances.len()];
    for &p in &performances {
        let plan = &programme.performances[p];
        remaining[p] = (f64::from(plan.performance.capacity.get()) * plan.fill).round() as u32;
    }
    let mut slots = Vec::new();

    // Subscriptions: four or more shows, one or two seats each, sold first.
    let evenings: Vec<usize> = performances
        .iter()
        .copied()
        .filter(|&p| !programme.performances[p].school)
        .collect();
    let expected_buyers = performances.iter().map(|&p| remaining[p]).sum::<u32>() as f64 / 3.0;
    let subscriptions = (expected_buyers * 0.07).round() as usize;
    for _ in 0..subscriptions {
        let seats = if rng.random_bool(0.65) { 2 } else { 1 };
        let mut chosen: Vec<usize> = Vec::new();
        let wanted = rng.random_range(4..=6);
        for _ in 0..wanted * 4 {
            let Some(&p) = evenings.choose(rng) else {
                break;
            };
            let show = programme.performances[p].show;
            if remaining[p] >= seats
                && !chosen
                    .iter()
                    .any(|&c| programme.performances[c].show == show)
            {
                chosen.push(p);
                if chosen.len() == wanted {
                    break;
                }
            }
        }
        if chosen.len() >= 3 {
            for &p in &chosen {
                remaining[p] -= seats;
            }
            chosen.sort_unstable();
            slots.push(Slot {
                kind: SlotKind::Subscription,
                performances: chosen,
                seats,
            });
        }
    }

    for &p in &performances {
        let plan = &programme.performances[p];
        if plan.school {
            while remaining[p] >= 15 {
                let seats = rng.random_range(15..=32).min(remaining[p]);
                remaining[p] -= seats;
                slots.push(Slot {
                    kind: SlotKind::School,
                    performances: vec![p],
                    seats,
                });
            }
        } else {
            let invitations =
                (f64::from(remaining[p]) * rng.random_range(0.02..0.05)).round() as u32;
            let mut given = 0;
            while given + 2 <= invitations {
                given += 2;
                slots.push(Slot {
                    kind: SlotKind::Invitation,
                    performances: vec![p],
                    seats: 2,
                });
            }
            remaining[p] -= given;
        }
        while remaining[p] > 0 {
            let walk_up = rng.random_bool(0.05);
            let seats = if walk_up {
                rng.random_range(1..=2)
            } else if programme.shows[plan.show].show.young_audience {
                rng.random_range(2..=5)
            } else {
                match rng.random_range(0..100) {
                    0..46 => 1,
                    46..88 => 2,
                    88..93 => 3,
                    93..98 => 4,
                    _ => rng.random_range(5..=8),
                }
            }
            .min(remaining[p]);
            remaining[p] -= seats;
            let kind = if walk_up {
                SlotKind::WalkUp
            } else {
                SlotKind::Single
            };
            slots.push(Slot {
                kind,
                performances: vec![p],
                seats,
            });
        }
    }
    slots
}

/// Gives each slot a buyer among the season's active people: subscribers take subscriptions,
/// everyone active buys at least once, keen people buy more, and people lean towards their
/// favourite discipline. Half the walk-ups stay anonymous.
fn assign_buyers(
    rng: &mut impl Rng,
    programme: &Programme,
    population: &mut Population,
    slots: &[Slot],
    active: &[usize],
) -> Vec<Option<usize>> {
    let mut buyers: Vec<Option<usize>> = vec![None; slots.len()];
    let mut open: Vec<usize> = Vec::new();
    let mut subscription_slots: Vec<usize> = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        match slot.kind {
            SlotKind::Subscription => subscription_slots.push(i),
            SlotKind::WalkUp if rng.random_bool(0.5) => {}
            _ => open.push(i),
        }
    }

    // Subscribers renew first; then keen returning people subscribe.
    let mut candidates: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&p| population.people[p].subscriber)
        .collect();
    let mut others: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&p| !population.people[p].subscriber)
        .collect();
    others.sort_by(|&a, &b| {
        population.people[b]
            .loyalty
            .total_cmp(&population.people[a].loyalty)
    });
    candidates.extend(others);
    let mut has_order = vec![false; population.people.len()];
    for (&slot, &p) in subscription_slots.iter().zip(&candidates) {
        population.people[p].subscriber = true;
        buyers[slot] = Some(p);
        has_order[p] = true;
    }

    open.shuffle(rng);
    let mut without: Vec<usize> = active.iter().copied().filter(|&p| !has_order[p]).collect();
    without.shuffle(rng);
    let weights = WeightedIndex::new(active.iter().map(|&p| 0.3 + population.people[p].appetite))
        .expect("there are active people");
    for slot in open {
        let discipline = programme.shows[programme.performances[slots[slot].performances[0]].show]
            .show
            .discipline;
        let buyer = if let Some(p) = without.pop() {
            p
        } else {
            let a = active[weights.sample(rng)];
            let b = active[weights.sample(rng)];
            if population.people[b].favourite == discipline {
                b
            } else {
                a
            }
        };
        buyers[slot] = Some(buyer);
    }
    buyers
}

fn lead_days(rng: &mut impl Rng, median: f64) -> f64 {
    match rng.random_range(0..100) {
        // The last-week rush.
        0..24 => -3.0 * rng.random_range(f64::EPSILON..1.0f64).ln(),
        _ => (median.ln() + 0.85 * gaussian(rng)).exp(),
    }
}

fn place_order(
    rng: &mut impl Rng,
    programme: &Programme,
    slot: &Slot,
    buyer: Option<(usize, usize)>,
    as_of: DateTime<Utc>,
    tickets: &mut Vec<SoldTicket>,
) -> SoldOrder {
    let first = &programme.performances[slot.performances[0]];
    let season = programme.seasons[first.season];
    let show = &programme.shows[first.show];
    let starts_at = first.performance.starts_at;
    // Subscriptions open mid-June, single tickets early July.
    let season_start = starts_at
        - Duration::days(
            (first.performance.starts_at.date_naive() - season.first_day()).num_days(),
        );
    let subscriptions_open = season_start - Duration::days(78);
    let singles_open = season_start - Duration::days(60);
    let minutes = |d: f64| Duration::minutes((d * 24.0 * 60.0) as i64);

    let (created_at, channel) = match slot.kind {
        SlotKind::Subscription => {
            let earliest_start = slot
                .performances
                .iter()
                .map(|&p| programme.performances[p].performance.starts_at)
                .min()
                .expect("subscriptions hold performances");
            let window = (earliest_start - subscriptions_open).num_days().max(1) as f64;
            let at = subscriptions_open + minutes(window * rng.random::<f64>().powi(2));
            (
                at,
                if rng.random_bool(0.55) {
                    Channel::Online
                } else {
                    Channel::BoxOffice
                },
            )
        }
        SlotKind::WalkUp => (
            starts_at - Duration::minutes(rng.random_range(5..60)),
            Channel::BoxOffice,
        ),
        SlotKind::School => {
            let at = (starts_at - minutes(rng.random_range(40.0..120.0))).max(singles_open);
            (at, Channel::Phone)
        }
        SlotKind::Invitation => (
            starts_at - minutes(rng.random_range(1.0..20.0)),
            Channel::Other,
        ),
        SlotKind::Single => {
            let mut lead = lead_days(rng, show.lead_median_days);
            let open_for = (starts_at - singles_open).num_minutes() as f64 / (24.0 * 60.0);
            if lead > open_for {
                lead = rng.random_range(0.0..open_for.max(0.1));
            }
            let channel = match rng.random_range(0..100) {
                0..58 => Channel::Online,
                58..85 => Channel::BoxOffice,
                85..96 => Channel::Phone,
                _ => Channel::Reseller,
            };
            (starts_at - minutes(lead.max(0.05)), channel)
        }
    };

    let cancelled = slot.kind != SlotKind::WalkUp && rng.random_bool(0.02);
    let first_ticket = tickets.len();
    for &p in &slot.performances {
        let plan = &programme.performances[p];
        let show = &programme.shows[plan.show];
        let young = show.show.young_audience;
        for seat in 0..slot.seats {
            let tariff = match slot.kind {
                SlotKind::Subscription => TariffKind::Subscription,
                SlotKind::Invitation => TariffKind::Invitation,
                SlotKind::School => TariffKind::School,
                SlotKind::WalkUp => *[
                    TariffKind::Full,
                    TariffKind::Full,
                    TariffKind::Reduced,
                    TariffKind::LastMinute,
                ]
                .choose(rng)
                .expect("tariffs"),
                SlotKind::Single if slot.seats >= 8 => TariffKind::Group,
                SlotKind::Single if young && seat > 0 && rng.random_bool(0.7) => TariffKind::Child,
                SlotKind::Single => match rng.random_range(0..100) {
                    0..55 => TariffKind::Full,
                    55..77 => TariffKind::Reduced,
                    77..90 => TariffKind::Under26,
                    90..96 => TariffKind::PassCulture,
                    _ if young => TariffKind::Child,
                    _ => TariffKind::Full,
                },
            };
            let amount = tariff.price(show.full_price);
            let status = if cancelled {
                TicketStatus::Cancelled
            } else if plan.performance.status == PerformanceStatus::Cancelled
                || rng.random_bool(0.008)
            {
                TicketStatus::Refunded
            } else {
                TicketStatus::Valid
            };
            let starts = plan.performance.starts_at;
            let checked_in_at =
                (status == TicketStatus::Valid && starts < as_of && rng.random_bool(0.93))
                    .then(|| starts - Duration::minutes(rng.random_range(2..50)));
            tickets.push(SoldTicket {
                performance: u32::try_from(p).expect("fewer than 4 billion performances"),
                tariff,
                amount,
                status,
                checked_in_at,
            });
        }
    }
    SoldOrder {
        created_at,
        channel,
        status: if cancelled {
            OrderStatus::Cancelled
        } else {
            OrderStatus::Paid
        },
        buyer,
        tickets: first_ticket..tickets.len(),
    }
}

fn id(s: String) -> ExternalId {
    s.parse().expect("generated identifiers are valid")
}

/// Order numbers and ticket numbers as the ticketing system gives them.
pub(crate) fn order_number(n: usize) -> String {
    format!("CMD{n:07}")
}

pub(crate) fn ticket_number(n: usize) -> String {
    format!("BIL{n:08}")
}

/// What the ticketing system holds, as a dataset. Customer numbers are given in order of first
/// purchase.
pub(crate) fn dataset(programme: &Programme, sales: Sales, population: &mut Population) -> Dataset {
    let mut d = Dataset::new(
        TICKETING_SOURCE.parse().expect("valid"),
        SourceKind::TicketingExport,
        "billetterie_export.csv",
    );
    d.shows = programme.shows.iter().map(|s| s.show.clone()).collect();
    d.performances = programme
        .performances
        .iter()
        .map(|p| p.performance.clone())
        .collect();
    d.tariffs = TariffKind::ALL.iter().map(|t| t.tariff()).collect();
    d.orders.reserve_exact(sales.orders.len());
    d.tickets.reserve_exact(sales.tickets.len());
    let mut ticket_no = 0;
    for (n, order) in sales.orders.iter().enumerate() {
        let order_id = id(order_number(n + 1));
        let buyer: Option<PatronKey> = order.buyer.map(|(p, a)| population.customer_key(p, a));
        d.orders.push(Order {
            id: order_id.clone(),
            channel: order.channel,
            created_at: order.created_at,
            buyer,
            status: order.status,
        });
        for t in &sales.tickets[order.tickets.clone()] {
            let plan = &programme.performances[t.performance as usize];
            let show = &programme.shows[plan.show];
            ticket_no += 1;
            d.tickets.push(Ticket {
                id: id(ticket_number(ticket_no)),
                order: order_id.clone(),
                performance: plan.performance.id.clone(),
                tariff: t.tariff.tariff().id,
                amount_paid: t.amount,
                // Invitations carry the full price as their face value.
                face_value: if t.tariff == TariffKind::Invitation {
                    show.full_price
                } else {
                    t.amount
                },
                vat_rate: show.vat,
                status: t.status,
                checked_in_at: t.checked_in_at,
                attendee: None,
            });
        }
    }
    d.patrons = population.ticketing_identities();
    d
}
