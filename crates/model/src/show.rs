use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Capacity, ExternalId, InvalidValue, Lang, Name};

/// The artistic discipline of a show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discipline {
    Theatre,
    Dance,
    Music,
    Opera,
    MusicalTheatre,
    Circus,
    StreetArts,
    Puppetry,
    Comedy,
    Storytelling,
    Cabaret,
    Multidisciplinary,
    Other,
}

impl Discipline {
    pub const ALL: [Discipline; 13] = [
        Discipline::Theatre,
        Discipline::Dance,
        Discipline::Music,
        Discipline::Opera,
        Discipline::MusicalTheatre,
        Discipline::Circus,
        Discipline::StreetArts,
        Discipline::Puppetry,
        Discipline::Comedy,
        Discipline::Storytelling,
        Discipline::Cabaret,
        Discipline::Multidisciplinary,
        Discipline::Other,
    ];

    /// A stable code for storage and APIs.
    pub fn code(self) -> &'static str {
        match self {
            Discipline::Theatre => "theatre",
            Discipline::Dance => "dance",
            Discipline::Music => "music",
            Discipline::Opera => "opera",
            Discipline::MusicalTheatre => "musical_theatre",
            Discipline::Circus => "circus",
            Discipline::StreetArts => "street_arts",
            Discipline::Puppetry => "puppetry",
            Discipline::Comedy => "comedy",
            Discipline::Storytelling => "storytelling",
            Discipline::Cabaret => "cabaret",
            Discipline::Multidisciplinary => "multidisciplinary",
            Discipline::Other => "other",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Discipline::Theatre => lang.pick("Théâtre", "Theatre"),
            Discipline::Dance => lang.pick("Danse", "Dance"),
            Discipline::Music => lang.pick("Musique", "Music"),
            Discipline::Opera => lang.pick("Opéra", "Opera"),
            Discipline::MusicalTheatre => lang.pick("Comédie musicale", "Musical theatre"),
            Discipline::Circus => lang.pick("Cirque", "Circus"),
            Discipline::StreetArts => lang.pick("Arts de la rue", "Street arts"),
            Discipline::Puppetry => lang.pick("Marionnettes", "Puppetry"),
            Discipline::Comedy => lang.pick("Humour", "Comedy"),
            Discipline::Storytelling => lang.pick("Conte", "Storytelling"),
            Discipline::Cabaret => lang.pick("Cabaret", "Cabaret"),
            Discipline::Multidisciplinary => lang.pick("Pluridisciplinaire", "Multidisciplinary"),
            Discipline::Other => lang.pick("Autre", "Other"),
        }
    }
}

impl FromStr for Discipline {
    type Err = InvalidValue;
    /// Accepts the code or the French or English label, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_lowercase();
        Discipline::ALL
            .into_iter()
            .find(|d| {
                d.code() == t
                    || d.label(Lang::Fr).to_lowercase() == t
                    || d.label(Lang::En).to_lowercase() == t
            })
            .ok_or_else(|| {
                InvalidValue::new(
                    "discipline",
                    s,
                    "a discipline such as théâtre, danse, musique, cirque",
                )
            })
    }
}

/// A show (spectacle): a work presented in one or more performances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Show {
    pub id: ExternalId,
    pub title: Name,
    pub discipline: Discipline,
    /// The company or artist presenting it.
    pub company: Option<Name>,
    pub young_audience: bool,
    pub coproduction: bool,
    /// The festival it is part of, if any.
    pub festival: Option<Name>,
}

/// Whether a performance takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerformanceStatus {
    Scheduled,
    Cancelled,
}

impl PerformanceStatus {
    pub fn code(self) -> &'static str {
        match self {
            PerformanceStatus::Scheduled => "scheduled",
            PerformanceStatus::Cancelled => "cancelled",
        }
    }
}

impl FromStr for PerformanceStatus {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "scheduled" => Ok(PerformanceStatus::Scheduled),
            "cancelled" => Ok(PerformanceStatus::Cancelled),
            _ => Err(InvalidValue::new(
                "performance status",
                s,
                "scheduled or cancelled",
            )),
        }
    }
}

/// One performance (représentation, séance) of a show in a hall, at one instant, with the seats
/// put on sale (*la jauge*), which may be fewer than the hall holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Performance {
    pub id: ExternalId,
    pub show: ExternalId,
    /// The hall's name, as the venue set it up.
    pub hall: Name,
    pub starts_at: DateTime<Utc>,
    pub capacity: Capacity,
    pub status: PerformanceStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disciplines_parse_from_codes_and_labels() {
        for d in Discipline::ALL {
            assert_eq!(d.code().parse::<Discipline>().unwrap(), d);
            assert_eq!(d.label(Lang::Fr).parse::<Discipline>().unwrap(), d);
            assert_eq!(
                d.label(Lang::En)
                    .to_uppercase()
                    .parse::<Discipline>()
                    .unwrap(),
                d
            );
        }
        assert!("sculpture".parse::<Discipline>().is_err());
    }
}
