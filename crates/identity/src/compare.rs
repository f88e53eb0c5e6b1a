//! Two records compared field by field. Each field gives a level of agreement, from 0
//! (different) up to its top level (the same once normalised), or nothing when a record lacks
//! the field: a missing value is no evidence either way.

use std::fmt;

use strsim::{damerau_levenshtein, jaro_winkler};

use crate::normalise;

/// A patron record as linkage reads it; every field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The patron key, or any identifier of the record.
    pub key: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub birth_year: Option<i32>,
    /// The whole birth date, `yyyymmdd`, when the source gives it.
    pub birth_date: Option<String>,
    /// The street address, when the source gives it.
    pub address: Option<String>,
}

impl Record {
    /// A record of a patron's identity as the model holds it.
    pub fn from_identity(identity: &jauge_model::PatronIdentity) -> Record {
        Record {
            key: identity
                .key
                .as_ref()
                .map(|k| k.as_str().to_owned())
                .unwrap_or_default(),
            first_name: identity.first_name.as_deref().map(str::to_owned),
            last_name: identity.last_name.as_deref().map(str::to_owned),
            email: identity.email.as_ref().map(|e| e.as_str().to_owned()),
            phone: identity.phone.as_deref().map(str::to_owned),
            postcode: identity.postcode.as_deref().map(str::to_owned),
            city: identity.city.as_deref().map(str::to_owned),
            birth_year: identity.birth_year.map(|y| y.get()),
            birth_date: identity.birth_date.map(|d| d.format("%Y%m%d").to_string()),
            address: identity.address.as_deref().map(str::to_owned),
        }
    }
}

/// A record normalised once, for the many comparisons it takes part in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    pub first: Option<String>,
    pub last: Option<String>,
    first_core: Option<String>,
    last_core: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub birth_year: Option<i32>,
    pub birth_date: Option<String>,
    address: Option<String>,
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

impl Prepared {
    pub fn new(r: &Record) -> Prepared {
        let names = |n: &Option<String>| {
            let n = n.as_deref().unwrap_or_default();
            (
                non_empty(normalise::name(n)),
                non_empty(normalise::name_core(n)),
            )
        };
        let (first, first_core) = names(&r.first_name);
        let (last, last_core) = names(&r.last_name);
        let email = r.email.as_deref().and_then(normalise::email);
        let birth_date = r
            .birth_date
            .as_deref()
            .map(|d| d.chars().filter(char::is_ascii_digit).collect::<String>())
            .filter(|d| d.len() == 8);
        let birth_year = r
            .birth_year
            .or_else(|| birth_date.as_deref().and_then(|d| d[..4].parse().ok()));
        Prepared {
            first,
            last,
            first_core,
            last_core,
            email,
            phone: r.phone.as_deref().and_then(normalise::phone),
            postcode: r.postcode.as_deref().and_then(normalise::postcode),
            city: r
                .city
                .as_deref()
                .map(normalise::commune)
                .and_then(non_empty),
            birth_year,
            birth_date,
            address: r
                .address
                .as_deref()
                .map(normalise::fold)
                .and_then(non_empty),
        }
    }
}

/// The fields linkage compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    FirstName,
    LastName,
    Email,
    Phone,
    Postcode,
    City,
    BirthYear,
    BirthDate,
    Address,
}

/// How many fields are compared.
pub const FIELDS: usize = 9;

impl Field {
    pub const ALL: [Field; FIELDS] = [
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Phone,
        Field::Postcode,
        Field::City,
        Field::BirthYear,
        Field::BirthDate,
        Field::Address,
    ];

    /// The number of levels of agreement, 0 (different) to `levels() - 1` (the same).
    pub fn levels(self) -> usize {
        match self {
            Field::FirstName | Field::LastName => 4,
            Field::Phone | Field::Email => 2,
            Field::BirthYear => 3,
            Field::BirthDate => 3,
            Field::Postcode | Field::City | Field::Address => 3,
        }
    }

    /// What each level means, from 0 up.
    pub fn level_names(self) -> &'static [&'static str] {
        match self {
            Field::FirstName | Field::LastName => {
                &["different", "somewhat alike", "alike (a typo)", "the same"]
            }
            Field::Email => &["different", "the same"],
            Field::Phone => &["different", "the same"],
            Field::Postcode => &["different", "same département", "the same"],
            Field::City | Field::Address => &["different", "alike", "the same"],
            Field::BirthYear => &["different", "a year apart", "the same"],
            Field::BirthDate => &["different", "one slip", "the same"],
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::FirstName => "first name",
            Field::LastName => "last name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Postcode => "postcode",
            Field::City => "commune",
            Field::BirthYear => "birth year",
            Field::BirthDate => "birth date",
            Field::Address => "address",
        })
    }
}

/// The level of each field, in [`Field::ALL`]'s order; `None` when a record lacks it.
pub type Levels = [Option<u8>; FIELDS];

/// A name's level: the same (with or without particles), alike (Jaro–Winkler ≥ 0.92, or one
/// edit apart), somewhat alike (Jaro–Winkler ≥ 0.80), different.
fn name_level(a: &str, a_core: &str, b: &str, b_core: &str) -> u8 {
    if a == b || a_core == b_core {
        return 3;
    }
    let similarity = if a_core == a && b_core == b {
        jaro_winkler(a, b)
    } else {
        jaro_winkler(a, b).max(jaro_winkler(a_core, b_core))
    };
    // One slip of the keyboard (a letter changed, dropped, added, or two swapped) in a name
    // long enough for it to be a slip, not another name.
    let one_slip = a.chars().count() >= 5 && damerau_levenshtein(a, b) <= 1;
    if similarity >= 0.92 || one_slip {
        2
    } else if similarity >= 0.80 {
        1
    } else {
        0
    }
}

/// How two dates `yyyymmdd` differ: the same, one slip (a digit, or day and month swapped),
/// or more.
fn date_level(a: &str, b: &str) -> u8 {
    if a == b {
        return 2;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let differing: Vec<usize> = (0..a.len().min(b.len()))
        .filter(|&i| a[i] != b[i])
        .collect();
    let transposed = matches!(differing[..], [i, j] if j == i + 1 && a[i] == b[j] && a[j] == b[i]);
    let swapped = a.len() == 8
        && b.len() == 8
        && a[..4] == b[..4]
        && a[4..6] == b[6..8]
        && a[6..8] == b[4..6];
    u8::from(differing.len() == 1 || transposed || swapped)
}

/// Compares two prepared records field by field.
pub fn compare(a: &Prepared, b: &Prepared) -> Levels {
    let mut levels: Levels = [None; FIELDS];
    let both = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => Some((x.clone(), y.clone())),
        _ => None,
    };
    let names = match (&a.first, &a.last, &b.first, &b.last) {
        (Some(af), Some(al), Some(bf), Some(bl)) => {
            let (afc, alc) = (a.first_core.as_deref(), a.last_core.as_deref());
            let (bfc, blc) = (b.first_core.as_deref(), b.last_core.as_deref());
            let straight = (
                name_level(af, afc.unwrap_or(af), bf, bfc.unwrap_or(bf)),
                name_level(al, alc.unwrap_or(al), bl, blc.unwrap_or(bl)),
            );
            // First and last names swapped: read the other way, if that agrees better (it
            // can only when the straight reading leaves room).
            let crossed = if straight.0 + straight.1 + 2 < 6 {
                (
                    name_level(af, afc.unwrap_or(af), bl, blc.unwrap_or(bl)),
                    name_level(al, alc.unwrap_or(al), bf, bfc.unwrap_or(bf)),
                )
            } else {
                (0, 0)
            };
            if crossed.0 + crossed.1 > straight.0 + straight.1 + 2 {
                (Some(crossed.0), Some(crossed.1))
            } else {
                (Some(straight.0), Some(straight.1))
            }
        }
        _ => {
            let one = |x: &Option<String>,
                       xc: &Option<String>,
                       y: &Option<String>,
                       yc: &Option<String>| {
                both(x, y).map(|(x, y)| {
                    let xc = xc.as_deref().unwrap_or(&x);
                    let yc = yc.as_deref().unwrap_or(&y);
                    name_level(&x, xc, &y, yc)
                })
            };
            (
                one(&a.first, &a.first_core, &b.first, &b.first_core),
                one(&a.last, &a.last_core, &b.last, &b.last_core),
            )
        }
    };
    levels[0] = names.0;
    levels[1] = names.1;
    // The same name before another domain is not counted: "l.martin" is many people.
    levels[2] = match (&a.email, &b.email) {
        (Some(x), Some(y)) => Some(u8::from(x == y)),
        _ => None,
    };
    levels[3] = match (&a.phone, &b.phone) {
        (Some(x), Some(y)) => Some(u8::from(x == y)),
        _ => None,
    };
    levels[4] = match (&a.postcode, &b.postcode) {
        (Some(x), Some(y)) if x == y => Some(2),
        (Some(x), Some(y)) => Some(u8::from(
            x.len() == 5 && y.len() == 5 && x.get(..2) == y.get(..2),
        )),
        _ => None,
    };
    // A commune says again what a postcode says: it is compared only without postcodes, so
    // that the same place does not count twice.
    let postcodes = a.postcode.is_some() && b.postcode.is_some();
    levels[5] = both(&a.city, &b.city).filter(|_| !postcodes).map(|(x, y)| {
        if x == y {
            2
        } else {
            u8::from(jaro_winkler(&x, &y) >= 0.9)
        }
    });
    let dates = both(&a.birth_date, &b.birth_date);
    levels[6] = match (a.birth_year, b.birth_year) {
        // Whole dates say more, and say it once.
        _ if dates.is_some() => None,
        (Some(x), Some(y)) if x == y => Some(2),
        (Some(x), Some(y)) => Some(u8::from((x - y).abs() == 1)),
        _ => None,
    };
    levels[7] = dates.map(|(x, y)| date_level(&x, &y));
    levels[8] = both(&a.address, &b.address).map(|(x, y)| {
        if x == y {
            2
        } else {
            u8::from(jaro_winkler(&x, &y) >= 0.88)
        }
    });
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(first: &str, last: &str, email: &str) -> Prepared {
        Prepared::new(&Record {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: (!email.is_empty()).then(|| email.into()),
            ..Record::default()
        })
    }

    #[test]
    fn names_compare_through_case_accents_typos_and_swaps() {
        let a = record("Hélène", "Lefèvre", "helene.lefevre@gmail.com");
        let level = |b: &Prepared| (compare(&a, b)[0], compare(&a, b)[1], compare(&a, b)[2]);
        assert_eq!(
            level(&record("HELENE", "LEFEVRE", "Helene.Lefevre@gmial.com")),
            (Some(3), Some(3), Some(1))
        );
        assert_eq!(
            level(&record("Hélène", "Lefvère", "helene.lefevre@orange.fr")),
            (Some(3), Some(2), Some(0))
        );
        assert_eq!(
            level(&record("Lefèvre", "Hélène", "")),
            (Some(3), Some(3), None),
            "first and last names swapped"
        );
        assert_eq!(
            level(&record("Paul", "Martin", "paul@free.fr")),
            (Some(0), Some(0), Some(0))
        );
        // One edit apart, where Jaro–Winkler alone (0.89) would say "somewhat alike".
        let morin = record("Anne", "Morin", "");
        assert!(jaro_winkler("morin", "moxin") < 0.92);
        assert_eq!(compare(&morin, &record("Anne", "Moxin", ""))[1], Some(2));
    }

    #[test]
    fn missing_fields_are_no_evidence() {
        let a = Prepared::new(&Record::default());
        let b = record("Ana", "Roux", "ana@free.fr");
        assert_eq!(compare(&a, &b), [None; FIELDS]);
    }

    #[test]
    fn dates_and_postcodes_have_near_levels() {
        let with = |date: &str, postcode: &str| {
            Prepared::new(&Record {
                birth_date: Some(date.into()),
                postcode: Some(postcode.into()),
                ..Record::default()
            })
        };
        let a = with("19610314", "37000");
        let levels = |b: &Prepared| {
            let l = compare(&a, b);
            (l[4], l[6], l[7])
        };
        assert_eq!(levels(&with("19610314", "37000")), (Some(2), None, Some(2)));
        assert_eq!(levels(&with("19610341", "37100")), (Some(1), None, Some(1)));
        assert_eq!(levels(&with("19611403", "37000")), (Some(2), None, Some(1)));
        assert_eq!(levels(&with("19720101", "75011")), (Some(0), None, Some(0)));
    }
}
