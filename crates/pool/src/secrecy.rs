//! Statistical secrecy: what a published cell must keep, whatever it measures. A cell is built
//! from some venues' contributions; it may be shown only if at least [`MIN_VENUES`] venues and
//! [`MIN_PATRONS`] patrons stand behind it, and no venue weighs more than [`MAX_SHARE`] of it
//! (INSEE's business rule is 3 units and 85 %; the network's is stricter on venues, and takes
//! the 11 individuals of tax data for patrons).

use serde::Serialize;

pub const MIN_VENUES: usize = 5;
pub const MIN_PATRONS: u64 = 11;
/// The largest share of a cell one venue may weigh, in per cent.
pub const MAX_SHARE_PERCENT: u64 = 85;
pub const MAX_SHARE: f64 = 0.85;

/// One venue's part of a cell: who, how much it weighs (tickets, say), how many patrons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    pub venue: &'a str,
    pub weight: u64,
    pub patrons: u64,
}

/// Why a cell may not be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breach {
    /// Fewer than 5 venues.
    FewVenues,
    /// Fewer than 11 patrons.
    FewPatrons,
    /// One venue weighs more than 85 % of the cell.
    Dominated,
}

impl Breach {
    pub fn label(self, lang: jauge_model::Lang) -> &'static str {
        match self {
            Breach::FewVenues => lang.pick("moins de 5 lieux", "fewer than 5 venues"),
            Breach::FewPatrons => lang.pick("moins de 11 spectateurs", "fewer than 11 patrons"),
            Breach::Dominated => lang.pick(
                "un lieu pèse plus de 85 %",
                "one venue weighs more than 85%",
            ),
        }
    }
}

/// Whether a cell built from `parts` may be shown; a venue's parts are taken together.
pub fn check(parts: &[Part]) -> Result<(), Breach> {
    let mut venues: Vec<(&str, u64)> = Vec::new();
    for part in parts {
        match venues.iter_mut().find(|(v, _)| *v == part.venue) {
            Some((_, weight)) => *weight += part.weight,
            None => venues.push((part.venue, part.weight)),
        }
    }
    if venues.len() < MIN_VENUES {
        return Err(Breach::FewVenues);
    }
    if parts.iter().map(|p| p.patrons).sum::<u64>() < MIN_PATRONS {
        return Err(Breach::FewPatrons);
    }
    let total: u64 = venues.iter().map(|(_, w)| w).sum();
    let largest = venues.iter().map(|(_, w)| *w).max().unwrap_or(0);
    // largest / total > 85 %, in integers.
    if u128::from(largest) * 100 > u128::from(total) * u128::from(MAX_SHARE_PERCENT) {
        return Err(Breach::Dominated);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parts(weights: &[u64], patrons: u64) -> Vec<Part<'static>> {
        const NAMES: [&str; 8] = ["a", "b", "c", "d", "e", "f", "g", "h"];
        weights
            .iter()
            .zip(NAMES)
            .map(|(w, venue)| Part {
                venue,
                weight: *w,
                patrons,
            })
            .collect()
    }

    #[test]
    fn the_three_rules_at_their_edges() {
        assert_eq!(check(&parts(&[10; 4], 100)), Err(Breach::FewVenues));
        assert_eq!(
            check(&parts(&[10; 5], 2)),
            Err(Breach::FewPatrons),
            "10 patrons"
        );
        assert_eq!(check(&parts(&[10; 5], 3)), Ok(()), "15 patrons");
        // 85 % exactly is allowed; above is not.
        assert_eq!(check(&parts(&[85, 5, 5, 3, 2], 3)), Ok(()));
        assert_eq!(check(&parts(&[86, 5, 5, 2, 2], 3)), Err(Breach::Dominated));
        // A venue's parts count together: two parts of one venue are one venue.
        let mut split = parts(&[10; 5], 3);
        split[4].venue = "a";
        assert_eq!(check(&split), Err(Breach::FewVenues));
    }

    proptest! {
        #[test]
        fn a_passing_cell_keeps_every_rule(
            weights in proptest::collection::vec(0u64..1_000_000, 0..8),
            patrons in 0u64..10,
        ) {
            let cell = parts(&weights, patrons);
            if check(&cell).is_ok() {
                prop_assert!(cell.len() >= MIN_VENUES);
                prop_assert!(patrons * cell.len() as u64 >= MIN_PATRONS);
                let total: u64 = weights.iter().sum();
                let largest = *weights.iter().max().unwrap();
                prop_assert!(largest as f64 <= MAX_SHARE * total as f64);
            }
        }
    }
}
