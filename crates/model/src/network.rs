//! Networks of venues: what a venue sends its network's hub for a season. It holds no person:
//! performances as aggregates without title or date (a month), the audience as counts by
//! commune and département, and for crossover only, each buyer's patron tokens (see
//! `jauge-pool`, which builds it, and the hub's store, which keeps it).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Discipline, Lang, TariffCategory};

/// The version of the contribution's format.
pub const FORMAT: u32 = 1;

/// A hall's size, by its full capacity: peers are venues of the same band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeBand {
    /// Fewer than 200 seats.
    Small,
    /// 200 to 499 seats.
    Medium,
    /// 500 to 999 seats.
    Large,
    /// 1,000 seats or more.
    VeryLarge,
}

impl SizeBand {
    pub const ALL: [SizeBand; 4] = [
        SizeBand::Small,
        SizeBand::Medium,
        SizeBand::Large,
        SizeBand::VeryLarge,
    ];

    pub fn of(seats: u32) -> SizeBand {
        match seats {
            0..200 => SizeBand::Small,
            200..500 => SizeBand::Medium,
            500..1000 => SizeBand::Large,
            _ => SizeBand::VeryLarge,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            SizeBand::Small => lang.pick("moins de 200 places", "under 200 seats"),
            SizeBand::Medium => lang.pick("200 à 499 places", "200 to 499 seats"),
            SizeBand::Large => lang.pick("500 à 999 places", "500 to 999 seats"),
            SizeBand::VeryLarge => lang.pick("1 000 places ou plus", "1,000 seats or more"),
        }
    }
}

/// Who contributes: a venue as the network knows it, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueCard {
    /// The organisation's SIRET: public, and the same in every contribution.
    pub id: String,
    pub name: String,
    /// The INSEE code of its commune.
    pub insee: String,
    pub departement: String,
    pub region: String,
}

/// One performance held, without its show's title or its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerformanceAggregate {
    /// `2026-10`.
    pub month: String,
    pub discipline: Discipline,
    pub size_band: SizeBand,
    /// Seats on sale.
    pub capacity: u32,
    /// Valid tickets, free ones included.
    pub tickets: u64,
    pub paid_tickets: u64,
    /// Incl. VAT.
    pub revenue_cents: i64,
    /// Valid tickets by tariff category.
    pub tariffs: BTreeMap<TariffCategory, u64>,
}

/// A count of buyers in one area (a commune by its INSEE code, a département by its code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaCount {
    pub code: String,
    pub buyers: u64,
}

/// A venue's contribution for one season.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub format: u32,
    pub venue: VenueCard,
    /// `2025-2026`.
    pub season: String,
    pub built_at: DateTime<Utc>,
    pub performances: Vec<PerformanceAggregate>,
    /// The season's buyers (people, their records as one).
    pub buyers: u64,
    /// Buyers by commune of residence, for those whose address places them.
    pub communes: Vec<AreaCount>,
    pub departements: Vec<AreaCount>,
    /// For crossover only: each buyer's patron tokens (one per email they used), buyers in a
    /// random-looking order (sorted by token), so that the order says nothing.
    pub patrons: Vec<Vec<String>>,
}

impl Contribution {
    /// The valid tickets of its performances.
    pub fn tickets(&self) -> u64 {
        self.performances.iter().map(|p| p.tickets).sum()
    }
}
