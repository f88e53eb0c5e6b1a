//! Quarters and their deadlines: a quarter's declaration is due before the 10th day of the
//! first month of the next quarter.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// A calendar quarter, `2026-Q3` (July to September 2026).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i32,
    /// 1 to 4.
    number: u32,
}

/// What is wrong with a quarter as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a quarter: write the year and the quarter's number, such as 2026-Q3 (or 2026-T3)"
)]
pub struct BadQuarter(pub String);

impl Quarter {
    pub fn new(year: i32, number: u32) -> Option<Quarter> {
        (1..=4)
            .contains(&number)
            .then_some(Quarter { year, number })
    }

    /// The quarter `day` falls in.
    pub fn containing(day: NaiveDate) -> Quarter {
        Quarter {
            year: day.year(),
            number: day.month0() / 3 + 1,
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, 3 * self.number - 2, 1).expect("a quarter's first day")
    }

    /// The first day of the next quarter.
    pub fn end_exclusive(self) -> NaiveDate {
        self.next().first_day()
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        Quarter::containing(day) == self
    }

    pub fn next(self) -> Quarter {
        match self.number {
            4 => Quarter {
                year: self.year + 1,
                number: 1,
            },
            n => Quarter {
                year: self.year,
                number: n + 1,
            },
        }
    }

    pub fn previous(self) -> Quarter {
        match self.number {
            1 => Quarter {
                year: self.year - 1,
                number: 4,
            },
            n => Quarter {
                year: self.year,
                number: n - 1,
            },
        }
    }

    /// The last day to declare: the 10th of the month after the quarter.
    pub fn deadline(self) -> NaiveDate {
        self.end_exclusive()
            .with_day(10)
            .expect("every month has a 10th")
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

impl FromStr for Quarter {
    type Err = BadQuarter;
    fn from_str(s: &str) -> Result<Quarter, BadQuarter> {
        let bad = || BadQuarter(s.to_owned());
        let t = s.trim().to_ascii_uppercase();
        let (year, number) = t.split_once('-').ok_or_else(bad)?;
        let number = number
            .strip_prefix('Q')
            .or_else(|| number.strip_prefix('T'))
            .ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let number: u32 = number.parse().map_err(|_| bad())?;
        if !(1900..=9999).contains(&year) {
            return Err(bad());
        }
        Quarter::new(year, number).ok_or_else(bad)
    }
}

/// Where a quarter's declaration stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarterState {
    /// The quarter is not over: its performances are still taking place.
    Open,
    /// Over, not every performance sent yet, the deadline not passed.
    Due { deadline: NaiveDate },
    /// Every performance held was sent.
    Sent,
    /// The deadline passed before every performance was sent.
    Late { deadline: NaiveDate },
}

/// The state of `quarter`'s declaration on `today`, given how many of its performances are to
/// be declared and how many were sent.
pub fn quarter_state(
    quarter: Quarter,
    today: NaiveDate,
    to_declare: usize,
    sent: usize,
) -> QuarterState {
    let deadline = quarter.deadline();
    if today < quarter.end_exclusive() {
        QuarterState::Open
    } else if sent >= to_declare {
        QuarterState::Sent
    } else if today <= deadline {
        QuarterState::Due { deadline }
    } else {
        QuarterState::Late { deadline }
    }
}

/// How many days before a deadline the dashboard warns.
pub const WARN_DAYS: i64 = 10;

/// Whether a quarter in `state` on `today` calls for a warning: late, or due within
/// [`WARN_DAYS`] days.
pub fn needs_warning(state: QuarterState, today: NaiveDate) -> bool {
    match state {
        QuarterState::Late { .. } => true,
        QuarterState::Due { deadline } => (deadline - today).num_days() <= WARN_DAYS,
        QuarterState::Open | QuarterState::Sent => false,
    }
}

/// Each quarter with a performance to declare (held, started before `today`'s quarter ends),
/// oldest first, with how many it has, how many were sent, and where it stands on `today`.
/// `performances` are (local start day, held); `sent` the local start day of each
/// performance whose declaration SIBIL holds.
pub fn quarter_states(
    performances: &[(NaiveDate, bool)],
    sent: &[NaiveDate],
    today: NaiveDate,
) -> Vec<(Quarter, QuarterState, usize, usize)> {
    let mut quarters: std::collections::BTreeMap<Quarter, (usize, usize)> = Default::default();
    for &(day, held) in performances {
        if held {
            quarters.entry(Quarter::containing(day)).or_default().0 += 1;
        }
    }
    for &day in sent {
        if let Some(q) = quarters.get_mut(&Quarter::containing(day)) {
            q.1 += 1;
        }
    }
    quarters
        .into_iter()
        .filter(|(q, _)| q.first_day() <= today)
        .map(|(q, (to_declare, sent))| {
            (
                q,
                quarter_state(q, today, to_declare, sent),
                to_declare,
                sent,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn quarters_read_write_and_fall_due_on_the_tenth_of_the_next_month() {
        let q: Quarter = "2026-Q3".parse().unwrap();
        assert_eq!(q, "2026-t3".parse().unwrap());
        assert_eq!(q.to_string(), "2026-Q3");
        assert_eq!(q.first_day(), day(2026, 7, 1));
        assert_eq!(q.end_exclusive(), day(2026, 10, 1));
        assert_eq!(q.deadline(), day(2026, 10, 10));
        assert_eq!(Quarter::containing(day(2026, 9, 30)), q);
        let q4: Quarter = "2026-Q4".parse().unwrap();
        assert_eq!(q4.deadline(), day(2027, 1, 10));
        assert_eq!(q4.next().previous(), q4);
        for bad in ["2026-Q5", "2026", "Q3-2026", "2026-Q", "0-Q1"] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_quarter_is_open_then_due_then_sent_or_late() {
        let q: Quarter = "2026-Q3".parse().unwrap();
        assert_eq!(quarter_state(q, day(2026, 9, 30), 4, 0), QuarterState::Open);
        let due = quarter_state(q, day(2026, 10, 1), 4, 3);
        assert_eq!(
            due,
            QuarterState::Due {
                deadline: day(2026, 10, 10)
            }
        );
        assert!(needs_warning(due, day(2026, 10, 1)));
        assert_eq!(quarter_state(q, day(2026, 10, 2), 4, 4), QuarterState::Sent);
        let late = quarter_state(q, day(2026, 10, 11), 4, 0);
        assert_eq!(
            late,
            QuarterState::Late {
                deadline: day(2026, 10, 10)
            }
        );
        assert!(needs_warning(late, day(2026, 12, 1)));
        // Q4's deadline is 10 January: on 15 December it is not yet due at all.
        let q4: Quarter = "2026-Q4".parse().unwrap();
        assert_eq!(
            quarter_state(q4, day(2026, 12, 15), 2, 0),
            QuarterState::Open
        );
        assert!(!needs_warning(
            QuarterState::Due {
                deadline: day(2027, 1, 10)
            },
            day(2026, 12, 30)
        ));
        assert!(needs_warning(
            QuarterState::Due {
                deadline: day(2027, 1, 10)
            },
            day(2026, 12, 31)
        ));
    }

    #[test]
    fn each_quarter_with_performances_held_is_followed() {
        let performances = [
            (day(2026, 7, 3), true),
            (day(2026, 9, 30), true),
            (day(2026, 8, 1), false),
            (day(2026, 10, 2), true),
            (day(2027, 2, 1), true),
        ];
        let states = quarter_states(&performances, &[day(2026, 9, 30)], day(2026, 10, 5));
        let q3: Quarter = "2026-Q3".parse().unwrap();
        assert_eq!(
            states,
            [
                (
                    q3,
                    QuarterState::Due {
                        deadline: day(2026, 10, 10)
                    },
                    2,
                    1
                ),
                (q3.next(), QuarterState::Open, 1, 0),
            ]
        );
    }
}
