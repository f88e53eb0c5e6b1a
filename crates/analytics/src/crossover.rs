//! Crossover: which shows share their audience. For two shows, the share of one's audience that
//! also came to the other; the same between disciplines.

use std::collections::{BTreeMap, BTreeSet};

use jauge_model::Discipline;

/// The people who came to one show in a season (their linked records as one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowAudience {
    pub show: String,
    pub discipline: Discipline,
    pub people: BTreeSet<String>,
}

/// Two shows that share their audience.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedAudience {
    pub a: String,
    pub b: String,
    /// People who came to both.
    pub shared: u64,
    /// Of `a`'s audience, the share that also came to `b`; and the converse.
    pub share_of_a: f64,
    pub share_of_b: f64,
}

/// Every pair of shows with people in common, most shared first (then by titles).
pub fn shared_audiences(shows: &[ShowAudience]) -> Vec<SharedAudience> {
    let mut pairs = Vec::new();
    for (i, a) in shows.iter().enumerate() {
        for b in &shows[i + 1..] {
            let shared = a.people.intersection(&b.people).count() as u64;
            if shared == 0 {
                continue;
            }
            let (a, b) = if a.show <= b.show { (a, b) } else { (b, a) };
            pairs.push(SharedAudience {
                a: a.show.clone(),
                b: b.show.clone(),
                shared,
                share_of_a: shared as f64 / a.people.len() as f64,
                share_of_b: shared as f64 / b.people.len() as f64,
            });
        }
    }
    pairs.sort_by(|x, y| {
        y.shared
            .cmp(&x.shared)
            .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
    });
    pairs
}

/// For each discipline A and each discipline B, the share of A's audience that also came to a
/// show of B (the diagonal: to another show of A).
pub fn discipline_crossover(shows: &[ShowAudience]) -> BTreeMap<(Discipline, Discipline), f64> {
    let mut people: BTreeMap<Discipline, BTreeMap<&str, u64>> = BTreeMap::new();
    for s in shows {
        let seen = people.entry(s.discipline).or_default();
        for p in &s.people {
            *seen.entry(p.as_str()).or_default() += 1;
        }
    }
    let mut shares = BTreeMap::new();
    for (&a, of_a) in &people {
        for (&b, of_b) in &people {
            let also = of_a
                .iter()
                .filter(|(p, shows_of_a)| match of_b.get(*p) {
                    // The same discipline: at least two of its shows.
                    Some(_) if a == b => **shows_of_a >= 2,
                    Some(_) => true,
                    None => false,
                })
                .count();
            shares.insert((a, b), also as f64 / of_a.len() as f64);
        }
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audience(show: &str, discipline: Discipline, people: &[&str]) -> ShowAudience {
        ShowAudience {
            show: show.to_owned(),
            discipline,
            people: people.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn shows_and_disciplines_share_their_audiences() {
        let shows = [
            audience("Ondine", Discipline::Theatre, &["a", "b", "c", "d"]),
            audience("Tartuffe", Discipline::Theatre, &["a", "b", "e"]),
            audience("Giselle", Discipline::Dance, &["a", "f"]),
        ];
        let pairs = shared_audiences(&shows);
        assert_eq!(pairs.len(), 3);
        assert_eq!(
            (pairs[0].a.as_str(), pairs[0].b.as_str(), pairs[0].shared),
            ("Ondine", "Tartuffe", 2)
        );
        assert_eq!((pairs[0].share_of_a, pairs[0].share_of_b), (0.5, 2.0 / 3.0));
        let d = discipline_crossover(&shows);
        // Theatre's five people: a and b saw two plays; a also saw a dance show.
        assert_eq!(d[&(Discipline::Theatre, Discipline::Theatre)], 2.0 / 5.0);
        assert_eq!(d[&(Discipline::Theatre, Discipline::Dance)], 1.0 / 5.0);
        assert_eq!(d[&(Discipline::Dance, Discipline::Theatre)], 1.0 / 2.0);
        assert_eq!(d[&(Discipline::Dance, Discipline::Dance)], 0.0);
    }
}
