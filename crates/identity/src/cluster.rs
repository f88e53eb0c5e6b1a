//! Clustering: links into patrons. Links are taken strongest first; two groups are joined only
//! when their records agree as a whole, not through one link, so that one bad link cannot chain
//! two unrelated people (nor a family sharing an email). A person's decisions come first: records
//! they merged stay together, records they split never meet.

use rustc_hash::{FxHashMap, FxHashSet};

/// A link between two records, by index, with the probability that they are the same person.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub probability: f64,
}

/// What a person decided about pairs of records, by index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    pub same: Vec<(u32, u32)>,
    pub different: Vec<(u32, u32)>,
}

impl Constraints {
    /// The decisions about records `keep` accepts, renumbered by `index`.
    pub fn restricted(
        &self,
        keep: impl Fn(u32) -> bool,
        index: impl Fn(u32) -> u32,
    ) -> Constraints {
        let pairs = |pairs: &[(u32, u32)]| {
            pairs
                .iter()
                .filter(|(a, b)| keep(*a) && keep(*b))
                .map(|&(a, b)| (index(a), index(b)))
                .collect()
        };
        Constraints {
            same: pairs(&self.same),
            different: pairs(&self.different),
        }
    }
}

/// The smallest probability of a link that may join two records.
pub const LINK_THRESHOLD: f64 = 0.9;
/// The smallest mean probability over every pair of two groups for them to be joined.
pub const GROUP_THRESHOLD: f64 = 0.5;
/// Groups larger than this are compared on a sample of their pairs.
const SAMPLED: usize = 24;

struct Groups {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
}

impl Groups {
    fn new(n: usize) -> Groups {
        Groups {
            parent: (0..n as u32).collect(),
            members: (0..n as u32).map(|i| vec![i]).collect(),
        }
    }

    fn find(&mut self, mut i: u32) -> u32 {
        while self.parent[i as usize] != i {
            let grand = self.parent[self.parent[i as usize] as usize];
            self.parent[i as usize] = grand;
            i = grand;
        }
        i
    }

    /// Each record's group, named by the smallest index in it.
    fn labels(&mut self) -> Vec<u32> {
        let n = self.parent.len() as u32;
        let mut smallest = vec![u32::MAX; n as usize];
        for i in 0..n {
            let g = self.find(i) as usize;
            smallest[g] = smallest[g].min(i);
        }
        (0..n).map(|i| smallest[self.find(i) as usize]).collect()
    }

    fn join(&mut self, a: u32, b: u32) -> u32 {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return a;
        }
        let (big, small) = if self.members[a as usize].len() >= self.members[b as usize].len() {
            (a, b)
        } else {
            (b, a)
        };
        let moved = std::mem::take(&mut self.members[small as usize]);
        self.members[big as usize].extend(moved);
        self.parent[small as usize] = big;
        big
    }
}

/// Groups `n` records into patrons from `links`, respecting `constraints`. `score` gives the
/// probability for any pair, to judge two groups as a whole. Returns each record's group, as
/// the smallest index in it.
pub fn cluster(
    n: usize,
    links: &[Link],
    constraints: &Constraints,
    score: impl Fn(u32, u32) -> f64,
) -> Vec<u32> {
    let mut groups = Groups::new(n);
    let mut apart: FxHashMap<u32, FxHashSet<u32>> = FxHashMap::default();
    for &(a, b) in &constraints.different {
        apart.entry(a).or_default().insert(b);
        apart.entry(b).or_default().insert(a);
    }
    for &(a, b) in &constraints.same {
        groups.join(a, b);
    }
    let mut sorted: Vec<&Link> = links
        .iter()
        .filter(|l| l.probability >= LINK_THRESHOLD)
        .collect();
    // Strongest first; equal ones in the records' order, so that any run over the same
    // records takes them in the same order.
    sorted.sort_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    for link in sorted {
        let (ga, gb) = (groups.find(link.a), groups.find(link.b));
        if ga == gb {
            continue;
        }
        let (ma, mb) = (&groups.members[ga as usize], &groups.members[gb as usize]);
        let kept_apart = ma.iter().any(|x| {
            apart
                .get(x)
                .is_some_and(|away| mb.iter().any(|y| away.contains(y)))
        });
        if kept_apart {
            continue;
        }
        if ma.len() > 1 || mb.len() > 1 {
            let (sa, sb) = (&ma[..ma.len().min(SAMPLED)], &mb[..mb.len().min(SAMPLED)]);
            let total: f64 = sa
                .iter()
                .flat_map(|&x| sb.iter().map(move |&y| (x, y)))
                .map(|(x, y)| score(x, y))
                .sum();
            if total / ((sa.len() * sb.len()) as f64) < GROUP_THRESHOLD {
                continue;
            }
        }
        groups.join(ga, gb);
    }
    groups.labels()
}

/// The connected parts of the graph of strong links and of records a person merged: clustering
/// never joins records of two different parts, so a part can be clustered again alone. Each
/// record's part is named by its smallest index.
pub fn components(n: usize, links: &[Link], constraints: &Constraints) -> Vec<u32> {
    let mut groups = Groups::new(n);
    for &(a, b) in &constraints.same {
        groups.join(a, b);
    }
    for l in links.iter().filter(|l| l.probability >= LINK_THRESHOLD) {
        groups.join(l.a, l.b);
    }
    groups.labels()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(a: u32, b: u32, probability: f64) -> Link {
        Link { a, b, probability }
    }

    #[test]
    fn one_bad_link_does_not_chain_two_people() {
        // 0, 1, 2 are one person; 3, 4 another; a single strong link joins 2 and 3.
        let links = [
            link(0, 1, 0.99),
            link(1, 2, 0.99),
            link(0, 2, 0.98),
            link(3, 4, 0.99),
            link(2, 3, 0.95),
        ];
        let score = |a: u32, b: u32| {
            links
                .iter()
                .find(|l| (l.a, l.b) == (a.min(b), a.max(b)))
                .map_or(0.01, |l| l.probability)
        };
        let groups = cluster(5, &links, &Constraints::default(), score);
        assert_eq!(groups, [0, 0, 0, 3, 3]);
    }

    #[test]
    fn decisions_come_before_links() {
        let links = [link(0, 1, 0.99), link(1, 2, 0.99)];
        let constraints = Constraints {
            same: vec![(2, 3)],
            different: vec![(0, 2)],
        };
        let groups = cluster(4, &links, &constraints, |_, _| 0.99);
        assert_eq!(groups[2], groups[3], "merged by a person");
        assert_ne!(groups[0], groups[2], "split by a person");
    }
}
