use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::InvalidValue;

/// The month a venue's season starts (1 = January … 12 = December); September by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct SeasonStartMonth(u32);

impl SeasonStartMonth {
    pub const SEPTEMBER: SeasonStartMonth = SeasonStartMonth(9);

    pub fn new(month: u32) -> Result<Self, InvalidValue> {
        if (1..=12).contains(&month) {
            Ok(SeasonStartMonth(month))
        } else {
            Err(InvalidValue::new(
                "season start month",
                month,
                "a month number from 1 to 12",
            ))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for SeasonStartMonth {
    fn default() -> Self {
        SeasonStartMonth::SEPTEMBER
    }
}

impl TryFrom<u32> for SeasonStartMonth {
    type Error = InvalidValue;
    fn try_from(m: u32) -> Result<Self, Self::Error> {
        SeasonStartMonth::new(m)
    }
}

impl From<SeasonStartMonth> for u32 {
    fn from(m: SeasonStartMonth) -> u32 {
        m.0
    }
}

/// A season: twelve months from the venue's start month. Labelled `2025-2026` when it spans two
/// calendar years, `2026` when it starts in January.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Season {
    start_year: i32,
    start_month: SeasonStartMonth,
}

impl Season {
    pub fn starting(start_year: i32, start_month: SeasonStartMonth) -> Season {
        Season {
            start_year,
            start_month,
        }
    }

    /// The season a local calendar date belongs to.
    pub fn containing(date: NaiveDate, start_month: SeasonStartMonth) -> Season {
        let start_year = if date.month() >= start_month.get() {
            date.year()
        } else {
            date.year() - 1
        };
        Season {
            start_year,
            start_month,
        }
    }

    /// Parses a label (`2025-2026`, or `2026` for seasons starting in January) for a venue whose
    /// seasons start in `start_month`.
    pub fn parse(label: &str, start_month: SeasonStartMonth) -> Result<Season, InvalidValue> {
        let t = label.trim();
        let bad = || {
            let example = Season::starting(2025, start_month).label();
            InvalidValue::new("season", label, format!("a season label such as {example}"))
        };
        // Four digits, nothing else: `+142` or ` 142` would parse as numbers.
        let year = |s: &str| -> Option<i32> {
            (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let start_year = if start_month.get() == 1 {
            year(t).ok_or_else(bad)?
        } else {
            let (a, b) = t.split_once('-').ok_or_else(bad)?;
            let (a, b) = (year(a).ok_or_else(bad)?, year(b).ok_or_else(bad)?);
            if b != a + 1 {
                return Err(bad());
            }
            a
        };
        Ok(Season {
            start_year,
            start_month,
        })
    }

    pub fn start_year(self) -> i32 {
        self.start_year
    }

    pub fn start_month(self) -> SeasonStartMonth {
        self.start_month
    }

    /// The first day of the season.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start_year, self.start_month.get(), 1)
            .expect("the first of a valid month exists")
    }

    /// The day after the season's last day.
    pub fn end_exclusive(self) -> NaiveDate {
        self.next().first_day()
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Season::containing(date, self.start_month) == self
    }

    pub fn previous(self) -> Season {
        Season {
            start_year: self.start_year - 1,
            ..self
        }
    }

    pub fn next(self) -> Season {
        Season {
            start_year: self.start_year + 1,
            ..self
        }
    }

    pub fn label(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Season {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start_month.get() == 1 {
            write!(f, "{:04}", self.start_year)
        } else {
            write!(f, "{:04}-{:04}", self.start_year, self.start_year + 1)
        }
    }
}

impl FromStr for Season {
    type Err = InvalidValue;
    /// Parses a label for the default September start.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Season::parse(s, SeasonStartMonth::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn september_seasons() {
        let sep = SeasonStartMonth::default();
        assert_eq!(
            Season::containing(d(2026, 11, 28), sep).label(),
            "2026-2027"
        );
        assert_eq!(Season::containing(d(2026, 8, 31), sep).label(), "2025-2026");
        assert_eq!(Season::containing(d(2026, 9, 1), sep).label(), "2026-2027");
        assert_eq!(
            "2025-2026".parse::<Season>().unwrap().first_day(),
            d(2025, 9, 1)
        );
        assert!("2025-2027".parse::<Season>().is_err());
        assert!("2025".parse::<Season>().is_err());
        assert!("25-26".parse::<Season>().is_err());
    }

    #[test]
    fn january_seasons_are_calendar_years() {
        let jan = SeasonStartMonth::new(1).unwrap();
        let s = Season::containing(d(2026, 3, 1), jan);
        assert_eq!(s.label(), "2026");
        assert_eq!(Season::parse("2026", jan).unwrap(), s);
        assert_eq!(s.end_exclusive(), d(2027, 1, 1));
        assert!(SeasonStartMonth::new(13).is_err());
        assert!(SeasonStartMonth::new(0).is_err());
    }

    proptest! {
        #[test]
        fn every_date_lies_in_exactly_its_season(
            y in 1990i32..2100, m in 1u32..=12, day in 1u32..=28, start in 1u32..=12
        ) {
            let start = SeasonStartMonth::new(start).unwrap();
            let date = d(y, m, day);
            let s = Season::containing(date, start);
            prop_assert!(s.first_day() <= date && date < s.end_exclusive());
            prop_assert!(!s.previous().contains(date) && !s.next().contains(date));
            prop_assert_eq!(Season::parse(&s.label(), start).unwrap(), s);
        }
    }
}
