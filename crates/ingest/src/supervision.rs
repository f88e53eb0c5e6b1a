//! Watching a source's files over time: each file's shape (its columns and what they hold) is a
//! [`Fingerprint`]; a file whose shape differs from the source's last one has drifted, and
//! [`drift`] names each change, so that a changed export is stopped before it is misread.

use std::fmt;

use crate::mapping::{map_columns, normalise};
use crate::values::ValueKind;

/// What a column holds, coarsely: enough to notice a column whose meaning changed, not so fine
/// that a column of whole prices one week and cents the next counts as a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    Text,
    Number,
    Date,
    Time,
    /// Nothing in the sample: it says nothing of the column.
    Nothing,
}

impl Holds {
    pub fn of(kind: &ValueKind) -> Holds {
        match kind {
            ValueKind::Empty => Holds::Nothing,
            ValueKind::Text => Holds::Text,
            ValueKind::Integer(_) | ValueKind::Decimal(_) => Holds::Number,
            ValueKind::Date(_) | ValueKind::DateTime { .. } | ValueKind::Iso8601 => Holds::Date,
            ValueKind::Time(_) => Holds::Time,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Holds::Text => "text",
            Holds::Number => "number",
            Holds::Date => "date",
            Holds::Time => "time",
            Holds::Nothing => "nothing",
        }
    }

    fn parse(code: &str) -> Option<Holds> {
        [
            Holds::Text,
            Holds::Number,
            Holds::Date,
            Holds::Time,
            Holds::Nothing,
        ]
        .into_iter()
        .find(|h| h.code() == code)
    }
}

impl fmt::Display for Holds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A file's shape: its columns in order, each with what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub columns: Vec<(String, Holds)>,
}

impl Fingerprint {
    /// One line per column, `holds<TAB>header`: readable in the database, stable across versions.
    pub fn to_text(&self) -> String {
        self.columns
            .iter()
            .map(|(header, holds)| format!("{holds}\t{header}\n"))
            .collect()
    }

    /// Reads [`Fingerprint::to_text`]'s form back; lines it does not understand are skipped.
    pub fn from_text(text: &str) -> Fingerprint {
        let columns = text
            .lines()
            .filter_map(|line| {
                let (holds, header) = line.split_once('\t')?;
                Some((header.to_owned(), Holds::parse(holds)?))
            })
            .collect();
        Fingerprint { columns }
    }
}

/// One change of a source's file shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// A column the source's files had is gone.
    Missing(String),
    /// A column appeared.
    New(String),
    /// A column was renamed: both names mean the same field.
    Renamed { from: String, to: String },
    /// A column holds something else than before.
    Retyped {
        column: String,
        from: Holds,
        to: Holds,
    },
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Drift::Missing(c) => write!(f, "column {c:?} is gone"),
            Drift::New(c) => write!(f, "column {c:?} is new"),
            Drift::Renamed { from, to } => write!(f, "column {from:?} is now called {to:?}"),
            Drift::Retyped { column, from, to } => {
                write!(f, "column {column:?} held {from} and now holds {to}")
            }
        }
    }
}

/// The changes from the source's last shape to this file's. Headers are compared normalised
/// (case, accents and punctuation do not count); a gone column and a new one that mean the same
/// field are a renaming; a column that held text, numbers or dates and now holds another is
/// retyped (a column empty in either sample says nothing).
pub fn drift(before: &Fingerprint, now: &Fingerprint) -> Vec<Drift> {
    let key = |h: &str| normalise(h);
    let find = |shape: &Fingerprint, header: &str| {
        shape
            .columns
            .iter()
            .find(|(h, _)| key(h) == key(header))
            .cloned()
    };
    let mut missing: Vec<String> = before
        .columns
        .iter()
        .filter(|(h, _)| find(now, h).is_none())
        .map(|(h, _)| h.clone())
        .collect();
    let mut new: Vec<String> = now
        .columns
        .iter()
        .filter(|(h, _)| find(before, h).is_none())
        .map(|(h, _)| h.clone())
        .collect();

    let mut changes = Vec::new();
    // A renaming: a gone and a new column the mapping reads as the same field.
    let field = |h: &str| map_columns(&[h]).matched.first().map(|m| m.field);
    missing.retain(|gone| {
        let Some(meaning) = field(gone) else {
            return true;
        };
        match new.iter().position(|n| field(n) == Some(meaning)) {
            Some(i) => {
                changes.push(Drift::Renamed {
                    from: gone.clone(),
                    to: new.remove(i),
                });
                false
            }
            None => true,
        }
    });
    changes.extend(missing.into_iter().map(Drift::Missing));
    changes.extend(new.into_iter().map(Drift::New));
    for (header, holds) in &now.columns {
        if let Some((_, was)) = find(before, header) {
            if was != *holds && was != Holds::Nothing && *holds != Holds::Nothing {
                changes.push(Drift::Retyped {
                    column: header.clone(),
                    from: was,
                    to: *holds,
                });
            }
        }
    }
    changes
}

/// Among a source's known shapes, the one this file is a version of: the one sharing the most
/// columns with it, if it shares at least half of them. A file like none of them is a new kind
/// of file for the source (a performances list beside a ticket list), not a drift.
pub fn closest<'a>(known: &'a [Fingerprint], now: &Fingerprint) -> Option<&'a Fingerprint> {
    let headers = |f: &Fingerprint| {
        f.columns
            .iter()
            .map(|(h, _)| normalise(h))
            .collect::<Vec<_>>()
    };
    let mine = headers(now);
    known
        .iter()
        .map(|shape| {
            (
                shape,
                headers(shape).iter().filter(|h| mine.contains(h)).count(),
            )
        })
        .filter(|&(_, shared)| shared * 2 >= mine.len().max(1))
        .max_by_key(|&(_, shared)| shared)
        .map(|(shape, _)| shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(columns: &[(&str, Holds)]) -> Fingerprint {
        Fingerprint {
            columns: columns.iter().map(|(h, k)| ((*h).to_owned(), *k)).collect(),
        }
    }

    #[test]
    fn the_same_shape_has_no_drift_whatever_the_case_and_accents() {
        let before = shape(&[("N° commande", Holds::Text), ("Prix TTC", Holds::Number)]);
        let now = shape(&[("N° COMMANDE", Holds::Text), ("prix ttc", Holds::Number)]);
        assert_eq!(drift(&before, &now), vec![]);
    }

    #[test]
    fn every_change_is_named() {
        let before = shape(&[
            ("N° commande", Holds::Text),
            ("Courriel", Holds::Text),
            ("Prix TTC", Holds::Number),
            ("Date commande", Holds::Date),
            ("Remarque", Holds::Text),
        ]);
        let now = shape(&[
            ("N° commande", Holds::Text),
            ("E-mail", Holds::Text),
            ("Prix TTC", Holds::Text),
            ("Date commande", Holds::Nothing),
            ("Canal", Holds::Text),
        ]);
        assert_eq!(
            drift(&before, &now),
            vec![
                Drift::Renamed {
                    from: "Courriel".into(),
                    to: "E-mail".into()
                },
                Drift::Missing("Remarque".into()),
                Drift::New("Canal".into()),
                Drift::Retyped {
                    column: "Prix TTC".into(),
                    from: Holds::Number,
                    to: Holds::Text
                },
            ]
        );
        assert_eq!(
            drift(&before, &now)[0].to_string(),
            "column \"Courriel\" is now called \"E-mail\""
        );
    }

    #[test]
    fn a_file_is_compared_with_the_shape_it_is_a_version_of() {
        let tickets = shape(&[
            ("N° commande", Holds::Text),
            ("Prix TTC", Holds::Number),
            ("Tarif", Holds::Text),
        ]);
        let performances = shape(&[("Code séance", Holds::Text), ("Jauge", Holds::Number)]);
        let known = [performances.clone(), tickets.clone()];
        let new_tickets = shape(&[
            ("N° commande", Holds::Text),
            ("Prix TTC", Holds::Number),
            ("Canal", Holds::Text),
        ]);
        assert_eq!(closest(&known, &new_tickets), Some(&tickets));
        let contacts = shape(&[("Courriel", Holds::Text), ("Nom", Holds::Text)]);
        assert_eq!(closest(&known, &contacts), None);
    }

    #[test]
    fn fingerprints_read_back_from_their_text() {
        let s = shape(&[
            ("N° commande", Holds::Text),
            ("Prix\tTTC?", Holds::Number),
            ("Heure", Holds::Time),
        ]);
        let back = Fingerprint::from_text(&s.to_text());
        assert_eq!(back.columns[0], ("N° commande".to_owned(), Holds::Text));
        assert_eq!(back.columns[2], ("Heure".to_owned(), Holds::Time));
        assert_eq!(
            Fingerprint::from_text("garbage\nnumber\tPrix\n").columns,
            vec![("Prix".to_owned(), Holds::Number)]
        );
    }
}
