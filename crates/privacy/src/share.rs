//! Extracts for external providers: patron keys replaced by keyed hashes (HMAC-SHA256 under a
//! secret proper to the share, so that two shares cannot be joined), direct identifiers
//! dropped, quasi-identifiers generalised — place to the commune or the département, birth
//! year to a decade — and k-anonymity enforced: generalised further while too many people
//! stand out, then the people still in a group smaller than k suppressed.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use jauge_model::PatronKey;
use sha2::Sha256;

/// A patron key's pseudonym in a share: the first 16 bytes of HMAC-SHA256(secret, key), in hex.
pub fn pseudonym(secret: &[u8], patron: &PatronKey) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(patron.as_str().as_bytes());
    mac.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What an extract may say of a person beyond their pseudonym.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuasiIdentifiers {
    /// The commune (INSEE code), when known.
    pub commune: Option<String>,
    /// The département, when known.
    pub departement: Option<String>,
    pub birth_year: Option<u16>,
}

/// How far quasi-identifiers are generalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Generalisation {
    /// Commune and birth decade.
    CommuneDecade,
    /// Département and birth decade.
    DepartementDecade,
    /// Département only.
    Departement,
}

impl Generalisation {
    pub const ALL: [Generalisation; 3] = [
        Generalisation::CommuneDecade,
        Generalisation::DepartementDecade,
        Generalisation::Departement,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Generalisation::CommuneDecade => "commune, décennie de naissance",
            Generalisation::DepartementDecade => "département, décennie de naissance",
            Generalisation::Departement => "département",
        }
    }

    /// The generalised (place, birth band) of `q`; `*` stands for unknown.
    pub fn apply(self, q: &QuasiIdentifiers) -> (String, String) {
        let star = || "*".to_owned();
        let decade = q
            .birth_year
            .map_or_else(star, |y| format!("{}-{}", y / 10 * 10, y / 10 * 10 + 9));
        match self {
            Generalisation::CommuneDecade => (q.commune.clone().unwrap_or_else(star), decade),
            Generalisation::DepartementDecade => {
                (q.departement.clone().unwrap_or_else(star), decade)
            }
            Generalisation::Departement => (q.departement.clone().unwrap_or_else(star), star()),
        }
    }
}

/// A person kept, with their generalised (place, birth band).
pub type Kept<T> = (T, (String, String));

/// The people of an extract once k-anonymous: each one kept with their generalised
/// quasi-identifiers, the level chosen, and who was suppressed.
#[derive(Debug, Clone, PartialEq)]
pub struct Anonymised<T> {
    pub level: Generalisation,
    pub kept: Vec<Kept<T>>,
    pub suppressed: Vec<T>,
}

/// The largest share of people a level may suppress before the next, coarser one is tried.
const MOST_SUPPRESSED: f64 = 0.05;

/// Makes `people` k-anonymous: the finest level that suppresses at most 5% of them (else the
/// coarsest), then the people in groups smaller than `k` suppressed.
pub fn k_anonymise<T: Clone>(people: &[(T, QuasiIdentifiers)], k: usize) -> Anonymised<T> {
    let at = |level: Generalisation| -> (Vec<Kept<T>>, Vec<T>) {
        let classes: Vec<(String, String)> = people.iter().map(|(_, q)| level.apply(q)).collect();
        let mut sizes: BTreeMap<&(String, String), usize> = BTreeMap::new();
        for c in &classes {
            *sizes.entry(c).or_default() += 1;
        }
        let (mut kept, mut suppressed) = (Vec::new(), Vec::new());
        for ((who, _), class) in people.iter().zip(&classes) {
            if sizes[class] >= k {
                kept.push((who.clone(), class.clone()));
            } else {
                suppressed.push(who.clone());
            }
        }
        (kept, suppressed)
    };
    for level in Generalisation::ALL {
        let (kept, suppressed) = at(level);
        let last = level == Generalisation::Departement;
        if last || (suppressed.len() as f64) <= MOST_SUPPRESSED * people.len() as f64 {
            return Anonymised {
                level,
                kept,
                suppressed,
            };
        }
    }
    unreachable!("the coarsest level always answers")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(commune: &str, departement: &str, year: u16) -> QuasiIdentifiers {
        QuasiIdentifiers {
            commune: Some(commune.into()),
            departement: Some(departement.into()),
            birth_year: Some(year),
        }
    }

    #[test]
    fn pseudonyms_depend_on_the_shares_secret() {
        let key: PatronKey = "billetterie-C1".parse().unwrap();
        assert_eq!(pseudonym(b"one", &key), pseudonym(b"one", &key));
        assert_ne!(pseudonym(b"one", &key), pseudonym(b"two", &key));
        assert_eq!(pseudonym(b"one", &key).len(), 32);
    }

    #[test]
    fn groups_smaller_than_k_are_generalised_then_suppressed() {
        // Five in Tours born in the 1980s; two in Joué born in 1990s; one in Amboise.
        let mut people: Vec<(u32, QuasiIdentifiers)> = (0..5)
            .map(|i| (i, q("37261", "37", 1981 + i as u16)))
            .collect();
        people.push((5, q("37122", "37", 1991)));
        people.push((6, q("37122", "37", 1995)));
        people.push((7, q("37003", "37", 1960)));
        let done = k_anonymise(&people, 5);
        // By commune and decade, 3 of 8 would go: too many; by département and decade, the
        // 1990s and the 1960s are too small (3 of 8); by département alone, all 8 stay.
        assert_eq!(done.level, Generalisation::Departement);
        assert!(done.suppressed.is_empty());
        assert!(
            done.kept
                .iter()
                .all(|(_, class)| class == &("37".to_owned(), "*".to_owned()))
        );
        // One person from Paris stands alone at every level: suppressed.
        people.push((8, q("75056", "75", 1970)));
        let done = k_anonymise(&people, 2);
        assert_eq!(done.level, Generalisation::Departement);
        assert_eq!(done.suppressed, [8]);
        // Many people: the finest level holds when few stand out.
        let crowd: Vec<(u32, QuasiIdentifiers)> = (0..100)
            .map(|i| {
                (
                    i,
                    q(
                        if i < 60 { "37261" } else { "37122" },
                        "37",
                        1980 + (i % 2) as u16,
                    ),
                )
            })
            .chain([(100, q("37003", "37", 1960))])
            .collect();
        let done = k_anonymise(&crowd, 5);
        assert_eq!(done.level, Generalisation::CommuneDecade);
        assert_eq!(done.suppressed, [100]);
    }
}
