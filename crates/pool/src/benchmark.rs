//! A venue beside its peers: for each discipline and hall size band it programmes, its figures
//! and the distribution (quartiles and median) of the same figures over the network's venues
//! of the same discipline, size band and region — each distribution shown only if it keeps
//! the rules of [`crate::secrecy`]. And the network's audience by commune, with its reach per
//! 1,000 inhabitants, under the same rules.

use serde::Serialize;

use crate::contribution::{Contribution, PerformanceAggregate, SizeBand};
use crate::secrecy::{Breach, Part, check};
use jauge_model::{Discipline, Lang};

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Valid tickets ÷ seats on sale.
    FillRate,
    /// Revenue incl. VAT ÷ paid tickets, in euros.
    AveragePrice,
    TicketsPerPerformance,
    /// Free tickets ÷ valid tickets.
    FreeShare,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::FillRate,
        Metric::AveragePrice,
        Metric::TicketsPerPerformance,
        Metric::FreeShare,
    ];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Metric::FillRate => lang.pick("Taux de remplissage", "Fill rate"),
            Metric::AveragePrice => lang.pick("Prix moyen", "Average price"),
            Metric::TicketsPerPerformance => {
                lang.pick("Billets par représentation", "Tickets per performance")
            }
            Metric::FreeShare => lang.pick("Part de billets gratuits", "Free-ticket share"),
        }
    }

    /// The figure over some performances; `None` when it has no denominator.
    pub fn of(self, performances: &[&PerformanceAggregate]) -> Option<f64> {
        self.of_sums(&Sums::of(performances))
    }

    /// The figure over the performances `sums` adds up, as the venue's own dashboards define
    /// it (`jauge_analytics::SalesTotals`).
    pub fn of_sums(self, sums: &Sums) -> Option<f64> {
        let sales = sums.sales();
        match self {
            Metric::FillRate => sales.fill_rate(sums.capacity),
            Metric::AveragePrice => sales.average_price().map(|cents| cents / 100.0),
            Metric::TicketsPerPerformance => {
                (sums.performances > 0).then(|| sums.tickets as f64 / sums.performances as f64)
            }
            Metric::FreeShare => sales.free_ticket_share(),
        }
    }
}

/// Some performances added up: all a metric needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sums {
    pub performances: u64,
    pub capacity: u64,
    pub tickets: u64,
    pub paid_tickets: u64,
    pub revenue_cents: i64,
}

impl Sums {
    /// The sales these performances add up to, as the analytics crate counts them (free
    /// tickets are the valid tickets not paid; subscriptions are not in a contribution).
    fn sales(&self) -> jauge_analytics::SalesTotals {
        jauge_analytics::SalesTotals {
            tickets: self.tickets,
            paid_tickets: self.paid_tickets,
            free_tickets: self.tickets.saturating_sub(self.paid_tickets),
            revenue: jauge_model::Cents::new(self.revenue_cents.max(0) as u64),
            subscription_tickets: 0,
        }
    }

    pub fn of(performances: &[&PerformanceAggregate]) -> Sums {
        performances.iter().fold(Sums::default(), |s, p| Sums {
            performances: s.performances + 1,
            capacity: s.capacity + u64::from(p.capacity),
            tickets: s.tickets + p.tickets,
            paid_tickets: s.paid_tickets + p.paid_tickets,
            revenue_cents: s.revenue_cents + p.revenue_cents,
        })
    }
}

/// One venue's performances of one discipline and size band, added up, with what the
/// comparison needs of the venue: its region and its season's buyers. What the hub reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueGroup {
    pub venue: String,
    pub region: String,
    pub buyers: u64,
    pub discipline: Discipline,
    pub size_band: SizeBand,
    pub sums: Sums,
}

/// Each contribution's groups.
pub fn groups(contributions: &[&Contribution]) -> Vec<VenueGroup> {
    let mut groups = Vec::new();
    for c in contributions {
        let mut keys: Vec<(Discipline, SizeBand)> = c
            .performances
            .iter()
            .map(|p| (p.discipline, p.size_band))
            .collect();
        keys.sort();
        keys.dedup();
        for (discipline, size_band) in keys {
            groups.push(VenueGroup {
                venue: c.venue.id.clone(),
                region: c.venue.region.clone(),
                buyers: c.buyers,
                discipline,
                size_band,
                sums: Sums::of(&group(c, discipline, size_band)),
            });
        }
    }
    groups
}

/// Quartiles and median.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Distribution {
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
}

/// The `p`-quantile of sorted values, interpolated between the closest ranks.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let rank = p * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

/// One figure of the venue beside its peers'.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub discipline: Discipline,
    pub size_band: SizeBand,
    pub region: String,
    pub metric: Metric,
    pub venue_value: Option<f64>,
    /// Venues with a value, the venue included.
    pub peers: usize,
    /// The peers' distribution, or why it may not be shown.
    pub distribution: Result<Distribution, Breach>,
    /// The venues behind it, for the secrecy audit: (venue, tickets, buyers).
    #[serde(skip)]
    pub parts: Vec<(String, u64, u64)>,
}

/// Each venue's performances of one discipline and size band.
fn group(
    contribution: &Contribution,
    discipline: Discipline,
    size_band: SizeBand,
) -> Vec<&PerformanceAggregate> {
    contribution
        .performances
        .iter()
        .filter(|p| p.discipline == discipline && p.size_band == size_band)
        .collect()
}

/// The comparisons of `venue` (by id) with the contributions of the same season: for each
/// discipline and size band it programmes, each metric.
pub fn benchmarks(contributions: &[&Contribution], venue: &str) -> Vec<Comparison> {
    benchmarks_of_groups(&groups(contributions), venue)
}

/// The same, from the venues' groups (as the hub adds them up in its database).
pub fn benchmarks_of_groups(groups: &[VenueGroup], venue: &str) -> Vec<Comparison> {
    let own: Vec<&VenueGroup> = groups.iter().filter(|g| g.venue == venue).collect();
    let Some(region) = own.first().map(|g| g.region.clone()) else {
        return Vec::new();
    };
    let mut comparisons = Vec::new();
    for mine in &own {
        let peers: Vec<&VenueGroup> = groups
            .iter()
            .filter(|g| {
                g.region == region
                    && g.discipline == mine.discipline
                    && g.size_band == mine.size_band
            })
            .collect();
        for metric in Metric::ALL {
            let mut values = Vec::new();
            let mut parts = Vec::new();
            for peer in &peers {
                if let Some(value) = metric.of_sums(&peer.sums) {
                    values.push(value);
                    parts.push((peer.venue.clone(), peer.sums.tickets, peer.buyers));
                }
            }
            values.sort_by(f64::total_cmp);
            let cell: Vec<Part> = parts
                .iter()
                .map(|(venue, weight, patrons)| Part {
                    venue,
                    weight: *weight,
                    patrons: *patrons,
                })
                .collect();
            let distribution = check(&cell).map(|()| Distribution {
                q1: quantile(&values, 0.25),
                median: quantile(&values, 0.5),
                q3: quantile(&values, 0.75),
            });
            comparisons.push(Comparison {
                discipline: mine.discipline,
                size_band: mine.size_band,
                region: region.clone(),
                metric,
                venue_value: metric.of_sums(&mine.sums),
                peers: values.len(),
                distribution,
                parts,
            });
        }
    }
    comparisons
}

/// The network's buyers living in one commune.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommuneAudience {
    pub insee: String,
    pub name: String,
    /// Each venue's buyers living there, summed (a person buying at two venues counts twice);
    /// `None` when suppressed.
    pub buyers: Result<u64, Breach>,
    /// Per 1,000 inhabitants.
    pub per_thousand: Option<f64>,
    #[serde(skip)]
    pub parts: Vec<(String, u64)>,
}

/// The network's audience by commune, most buyers first (suppressed communes last).
pub fn territory(contributions: &[&Contribution]) -> Vec<CommuneAudience> {
    territory_of(contributions.iter().flat_map(|c| {
        c.communes
            .iter()
            .map(|area| (area.code.clone(), c.venue.id.clone(), area.buyers))
    }))
}

/// The same, from (commune, venue, buyers) counts (as the hub reads them from its database).
pub fn territory_of(
    counts: impl IntoIterator<Item = (String, String, u64)>,
) -> Vec<CommuneAudience> {
    let geography = jauge_geo::Geography::france();
    let mut by_commune: std::collections::BTreeMap<String, Vec<(String, u64)>> = Default::default();
    for (insee, venue, buyers) in counts {
        by_commune.entry(insee).or_default().push((venue, buyers));
    }
    let mut communes: Vec<CommuneAudience> = by_commune
        .into_iter()
        .map(|(insee, parts)| {
            let cell: Vec<Part> = parts
                .iter()
                .map(|(venue, buyers)| Part {
                    venue,
                    weight: *buyers,
                    patrons: *buyers,
                })
                .collect();
            let commune = geography.commune(&insee);
            let buyers = check(&cell).map(|()| parts.iter().map(|(_, b)| b).sum::<u64>());
            CommuneAudience {
                name: commune.map_or_else(|| insee.clone(), |c| c.name.clone()),
                insee,
                per_thousand: match (&buyers, commune) {
                    (Ok(b), Some(c)) if c.population > 0 => {
                        Some(*b as f64 * 1000.0 / f64::from(c.population))
                    }
                    _ => None,
                },
                buyers,
                parts,
            }
        })
        .collect();
    communes.sort_by(|a, b| match (&a.buyers, &b.buyers) {
        (Ok(x), Ok(y)) => y.cmp(x).then_with(|| a.insee.cmp(&b.insee)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => a.insee.cmp(&b.insee),
    });
    communes
}
