//! Who came, season after season: each person's history folded into each season's audience —
//! buyers, first-timers, returning buyers, how many tickets each bought, and the loyalty
//! segments of everyone ever seen.
//!
//! The store keeps these counts as a rollup, computed here from one pass over every person's
//! seasons, so that dashboards read a few numbers instead of every buyer.

use jauge_model::Lang;
use serde::Serialize;

use crate::{FREQUENCY_BANDS, frequency_band};

/// What one person bought for one season (valid tickets of performances held), their linked
/// records as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonSeason {
    /// The season, by the year it starts.
    pub season: i32,
    pub tickets: u64,
    /// Of those, tickets at a subscription or package tariff.
    pub subscription_tickets: u64,
}

/// Where a person stands with the venue in a season. The first four are the season's buyers;
/// the last three did not buy for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Segment {
    /// Bought a subscription or package for the season.
    Subscriber,
    /// Bought for the season, and never before.
    FirstTimer,
    /// Bought for the season and for at least two of the three before.
    Regular,
    /// Any other buyer of the season.
    Occasional,
    /// Bought the season before, not this one.
    Absent,
    /// Last bought two seasons before: no ticket for two seasons.
    Lapsed,
    /// Last bought three or more seasons before.
    Lost,
}

/// Every segment, in the order pages show them.
pub const SEGMENTS: [Segment; 7] = [
    Segment::Subscriber,
    Segment::FirstTimer,
    Segment::Regular,
    Segment::Occasional,
    Segment::Absent,
    Segment::Lapsed,
    Segment::Lost,
];

impl Segment {
    pub fn label(self, lang: Lang) -> &'static str {
        let (fr, en) = match self {
            Segment::Subscriber => ("Abonnés", "Subscribers"),
            Segment::FirstTimer => ("Primo-spectateurs", "First-timers"),
            Segment::Regular => ("Fidèles", "Regulars"),
            Segment::Occasional => ("Occasionnels", "Occasional"),
            Segment::Absent => ("Absents cette saison", "Absent this season"),
            Segment::Lapsed => ("Perdus de vue", "Lapsed"),
            Segment::Lost => ("Perdus", "Lost"),
        };
        match lang {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// A stable code, for commands and files.
    pub fn code(self) -> &'static str {
        match self {
            Segment::Subscriber => "subscriber",
            Segment::FirstTimer => "first-timer",
            Segment::Regular => "regular",
            Segment::Occasional => "occasional",
            Segment::Absent => "absent",
            Segment::Lapsed => "lapsed",
            Segment::Lost => "lost",
        }
    }

    fn index(self) -> usize {
        SEGMENTS.iter().position(|s| *s == self).unwrap_or(0)
    }
}

impl std::str::FromStr for Segment {
    type Err = String;
    /// The code, or the French or English label, in any case.
    fn from_str(s: &str) -> Result<Segment, String> {
        let t = s.trim().to_lowercase();
        SEGMENTS
            .iter()
            .copied()
            .find(|g| {
                g.code() == t
                    || g.label(Lang::Fr).to_lowercase() == t
                    || g.label(Lang::En).to_lowercase() == t
            })
            .ok_or_else(|| {
                format!(
                    "{s:?} is not a segment; one of: {}",
                    SEGMENTS.map(Segment::code).join(", ")
                )
            })
    }
}

/// The segment of a person with `history` (their seasons, oldest first, each once) in
/// `season`; `None` when they first bought after it.
pub fn segment(history: &[PersonSeason], season: i32) -> Option<Segment> {
    let first = history.first()?.season;
    if first > season {
        return None;
    }
    if let Some(now) = history.iter().find(|h| h.season == season) {
        let before = history
            .iter()
            .filter(|h| (season - 3..season).contains(&h.season))
            .count();
        return Some(if now.subscription_tickets > 0 {
            Segment::Subscriber
        } else if first == season {
            Segment::FirstTimer
        } else if before >= 2 {
            Segment::Regular
        } else {
            Segment::Occasional
        });
    }
    let last = history.iter().rev().find(|h| h.season < season)?.season;
    Some(match season - last {
        1 => Segment::Absent,
        2 => Segment::Lapsed,
        _ => Segment::Lost,
    })
}

/// One season's audience, as counts of persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SeasonAudience {
    /// People who bought for the season.
    pub patrons: u64,
    /// Of them, those whose first season it is.
    pub first_timers: u64,
    /// Of them, those who bought for the season before.
    pub returning: u64,
    /// The season's buyers by how many tickets they bought, in [`FREQUENCY_BANDS`].
    pub frequency: [u64; FREQUENCY_BANDS.len()],
    /// Everyone seen up to the season, by [`SEGMENTS`].
    pub segments: [u64; SEGMENTS.len()],
}

impl SeasonAudience {
    pub fn segment(&self, segment: Segment) -> u64 {
        self.segments[segment.index()]
    }
}

/// Folds people's histories, one person at a time, into each season's audience.
#[derive(Debug, Clone)]
pub struct AudienceTally {
    seasons: Vec<i32>,
    audiences: Vec<SeasonAudience>,
}

impl AudienceTally {
    /// A tally for `seasons` (start years, in any order).
    pub fn new(seasons: &[i32]) -> AudienceTally {
        let mut seasons = seasons.to_vec();
        seasons.sort_unstable();
        seasons.dedup();
        AudienceTally {
            audiences: vec![SeasonAudience::default(); seasons.len()],
            seasons,
        }
    }

    /// Adds one person: their seasons, oldest first, each once.
    pub fn add(&mut self, history: &[PersonSeason]) {
        for (season, audience) in self.seasons.iter().zip(&mut self.audiences) {
            let Some(segment) = segment(history, *season) else {
                continue;
            };
            audience.segments[segment.index()] += 1;
            let Some(now) = history.iter().find(|h| h.season == *season) else {
                continue;
            };
            audience.patrons += 1;
            audience.first_timers += u64::from(history[0].season == *season);
            audience.returning += u64::from(history.iter().any(|h| h.season == season - 1));
            if let Some(band) = frequency_band(now.tickets) {
                audience.frequency[band] += 1;
            }
        }
    }

    /// Each season's audience, oldest season first.
    pub fn finish(self) -> Vec<(i32, SeasonAudience)> {
        self.seasons.into_iter().zip(self.audiences).collect()
    }
}

/// A person's RFM scores, each from 1 to 5 (5 the best fifth): recency (how recently they
/// came), frequency (how many tickets), monetary value (how much they spent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rfm {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
}

impl Rfm {
    /// As marketers write it: `545`.
    pub fn code(self) -> String {
        format!("{}{}{}", self.recency, self.frequency, self.monetary)
    }
}

/// Each value's fifth among `values` (1 to 5, higher values score higher): the share of
/// values at or below it, in fifths rounded up, so that equal values score alike and the best
/// value always scores 5.
fn quintiles(values: &[f64]) -> Vec<u8> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len().max(1) as f64;
    values
        .iter()
        .map(|v| {
            let at_or_below = sorted.partition_point(|x| x <= v) as f64;
            (at_or_below / n * 5.0).ceil().clamp(1.0, 5.0) as u8
        })
        .collect()
}

/// The RFM scores of people given (seasons since they last came, tickets, spend), in order:
/// each value scored by its fifth among all (fewer seasons since scores higher).
pub fn rfm_scores(people: &[(f64, f64, f64)]) -> Vec<Rfm> {
    let recency: Vec<f64> = people.iter().map(|p| -p.0).collect();
    let frequency: Vec<f64> = people.iter().map(|p| p.1).collect();
    let monetary: Vec<f64> = people.iter().map(|p| p.2).collect();
    let (r, f, m) = (
        quintiles(&recency),
        quintiles(&frequency),
        quintiles(&monetary),
    );
    (0..people.len())
        .map(|i| Rfm {
            recency: r[i],
            frequency: f[i],
            monetary: m[i],
        })
        .collect()
}
