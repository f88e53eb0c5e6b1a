//! The people behind the patrons: each person may hold several accounts in the ticketing
//! system (the duplicates linkage must find) and a contact in the emailing tool.

use jauge_model::{CompactString, Discipline, PatronIdentity, PatronKey, SourceName};
use rand::Rng;
use rand::seq::IndexedRandom;

use crate::TruthRecord;
use crate::names::{
    DOMAIN_TYPOS, EMAIL_DOMAINS, FIRST_NAMES_F, FIRST_NAMES_M, SURNAMES, fold_accents,
};
use crate::venue::Residences;

pub(crate) const TICKETING_SOURCE: &str = "billetterie";

/// How one record spells a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spelling {
    pub first: CompactString,
    pub last: CompactString,
    pub email: Option<String>,
    pub phone: Option<CompactString>,
    pub postcode: CompactString,
    pub city: CompactString,
    pub birth_year: Option<i32>,
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub spelling: Spelling,
    /// The first season this account is used in.
    pub from_season: usize,
    /// The customer number, given when the account first buys.
    pub customer_no: Option<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub id: u32,
    /// Extra orders a season beyond the first, on average.
    pub appetite: f64,
    /// The chance to come back the next season.
    pub loyalty: f64,
    pub favourite: Discipline,
    pub subscriber: bool,
    /// One, and sometimes a duplicate.
    /// The account they opened first.
    pub account: Account,
    /// A second account some people end up with. Boxed: few have one, and people are kept in
    /// one allocation so that a large venue's generation gives its memory back at once.
    pub duplicate: Option<Box<Account>>,
    /// Whether they have a valid email and agree to the newsletter when asked.
    pub newsletter_minded: bool,
}

impl Person {
    pub(crate) fn accounts(&self) -> impl Iterator<Item = &Account> {
        std::iter::once(&self.account).chain(self.duplicate.as_deref())
    }
}

pub(crate) struct Population {
    residences: Residences,
    pub people: Vec<Person>,
    next_customer_no: u32,
    /// The addresses given out: a mailbox is one person's, so a name already taken gets a
    /// number, as providers ask.
    emails: std::collections::HashSet<String>,
}

const FAVOURITES: &[(Discipline, u32)] = &[
    (Discipline::Theatre, 35),
    (Discipline::Music, 20),
    (Discipline::Dance, 15),
    (Discipline::Circus, 10),
    (Discipline::Comedy, 8),
    (Discipline::Puppetry, 5),
    (Discipline::Multidisciplinary, 7),
];

fn weighted<'a, T>(rng: &mut impl Rng, items: &'a [(T, u32)]) -> &'a T {
    &items
        .choose_weighted(rng, |(_, w)| *w)
        .expect("non-empty weights")
        .0
}

fn email_local(rng: &mut impl Rng, first: &str, last: &str) -> String {
    let clean = |s: &str| {
        fold_accents(s)
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
    };
    let (f, l) = (clean(first), clean(last));
    match rng.random_range(0..100) {
        0..55 => format!("{f}.{l}"),
        55..65 => format!("{f}{l}"),
        65..80 => format!("{}.{l}", &f[..1]),
        80..88 => format!("{l}.{f}"),
        _ => format!("{f}.{l}{}", rng.random_range(10..99)),
    }
}

fn phone(rng: &mut impl Rng) -> CompactString {
    let mobile = rng.random_bool(0.8);
    let prefix = if mobile {
        if rng.random_bool(0.7) { "06" } else { "07" }
    } else {
        "02"
    };
    let groups: Vec<String> = (0..4)
        .map(|_| format!("{:02}", rng.random_range(0..100)))
        .collect();
    match rng.random_range(0..10) {
        0..6 => format!("{prefix} {}", groups.join(" ")),
        6..8 => format!("{prefix}{}", groups.join("")),
        8 => format!("{prefix}.{}", groups.join(".")),
        _ => format!("+33 {} {}", &prefix[1..], groups.join(" ")),
    }
    .into()
}

/// How people type their commune: mostly as written officially, sometimes in capitals, sometimes
/// without accents.
fn city_as_typed(rng: &mut impl Rng, name: &str) -> CompactString {
    match rng.random_range(0..10) {
        0..7 => name.into(),
        7..9 => name.to_uppercase().into(),
        _ => fold_accents(name).to_lowercase().into(),
    }
}

impl Population {
    pub(crate) fn new(residences: Residences) -> Population {
        Population {
            residences,
            people: Vec::new(),
            next_customer_no: 1,
            emails: std::collections::HashSet::new(),
        }
    }

    /// A new person, first seen in `season` (index), born in the usual age range of audiences.
    pub(crate) fn create(&mut self, rng: &mut impl Rng, season: usize, season_year: i32) -> usize {
        let female = rng.random_bool(0.6);
        let first_names = if female { FIRST_NAMES_F } else { FIRST_NAMES_M };
        let first = *first_names.choose(rng).expect("names");
        let last = *SURNAMES.choose(rng).expect("names");
        let commune = self.residences.draw(rng);
        let postcode = commune
            .postcodes
            .choose(rng)
            .expect("communes have postcodes")
            .as_str()
            .into();
        let email = rng.random_bool(0.9).then(|| {
            let (local, domain) = (email_local(rng, first, last), weighted(rng, EMAIL_DOMAINS));
            let mut email = format!("{local}@{domain}");
            let mut n = 1;
            while self.emails.contains(&email) {
                n += 1;
                email = format!("{local}{n}@{domain}");
            }
            self.emails.insert(email.clone());
            email
        });
        let age = (52.0 + 16.0 * gaussian(rng)).clamp(15.0, 90.0) as i32;
        let spelling = Spelling {
            first: first.into(),
            last: last.into(),
            phone: rng.random_bool(0.75).then(|| phone(rng)),
            email: email.clone(),
            postcode,
            city: city_as_typed(rng, &commune.name),
            birth_year: rng.random_bool(0.6).then_some(season_year - age),
        };
        let id = u32::try_from(self.people.len()).expect("fewer than 4 billion people");
        self.people.push(Person {
            id,
            appetite: 0.15 + 0.9 * rng.random::<f64>().powi(3),
            loyalty: 0.2 + 0.65 * rng.random::<f64>().powf(0.8),
            favourite: *weighted(rng, FAVOURITES),
            subscriber: false,
            account: Account {
                spelling,
                from_season: season,
                customer_no: None,
            },
            duplicate: None,
            newsletter_minded: email.is_some() && rng.random_bool(0.55),
        });
        self.people.len() - 1
    }

    /// Sometimes a returning person gets a second account: a changed email, a typo at the box
    /// office, names in capitals, first and last names swapped…
    pub(crate) fn maybe_open_duplicate(
        &mut self,
        rng: &mut impl Rng,
        person: usize,
        season: usize,
    ) {
        let p = &mut self.people[person];
        if p.duplicate.is_some() || !rng.random_bool(0.08) {
            return;
        }
        let spelling = variant(rng, &p.account.spelling);
        p.duplicate = Some(Box::new(Account {
            spelling,
            from_season: season,
            customer_no: None,
        }));
    }

    /// The account a person buys with in `season`.
    pub(crate) fn account_for(&self, rng: &mut impl Rng, person: usize, season: usize) -> usize {
        let p = &self.people[person];
        match &p.duplicate {
            Some(second) if second.from_season <= season && rng.random_bool(0.6) => 1,
            _ => 0,
        }
    }

    /// The patron key of an account, giving it the next customer number on first use.
    pub(crate) fn customer_key(&mut self, person: usize, account: usize) -> PatronKey {
        let p = &mut self.people[person];
        let a = match (account, &mut p.duplicate) {
            (1, Some(duplicate)) => duplicate.as_mut(),
            _ => &mut p.account,
        };
        let no = *a.customer_no.get_or_insert_with(|| {
            let no = self.next_customer_no;
            self.next_customer_no += 1;
            no
        });
        customer_key(no)
    }

    pub(crate) fn ticketing_truth(&self) -> Vec<TruthRecord> {
        let source: SourceName = TICKETING_SOURCE.parse().expect("valid");
        let mut truth: Vec<TruthRecord> = self
            .people
            .iter()
            .flat_map(|p| {
                p.accounts()
                    .filter_map(|a| a.customer_no)
                    .map(|no| TruthRecord {
                        source: source.clone(),
                        patron: customer_key(no),
                        person: p.id,
                    })
            })
            .collect();
        truth.sort_by(|a, b| a.patron.cmp(&b.patron));
        truth
    }

    /// The identities of every account that bought, in customer-number order.
    pub(crate) fn ticketing_identities(&self) -> Vec<PatronIdentity> {
        // Customer numbers run from 1 without gaps: each identity goes to its slot, and the
        // slots become the list in place (no second copy of a large venue's identities).
        let mut slots: Vec<Option<PatronIdentity>> = vec![None; self.next_customer_no as usize - 1];
        for a in self.people.iter().flat_map(Person::accounts) {
            if let Some(no) = a.customer_no {
                slots[no as usize - 1] = Some(identity(customer_key(no), a.spelling.clone()));
            }
        }
        slots
            .into_iter()
            .map(|slot| slot.expect("every customer number is given once"))
            .collect()
    }
}

pub(crate) fn customer_number(no: u32) -> String {
    format!("C{no:06}")
}

fn customer_key(no: u32) -> PatronKey {
    format!("{TICKETING_SOURCE}-{}", customer_number(no))
        .parse()
        .expect("keys are ASCII")
}

pub(crate) fn identity(key: PatronKey, s: Spelling) -> PatronIdentity {
    PatronIdentity {
        key: Some(key),
        first_name: Some(s.first),
        last_name: Some(s.last),
        email: s.email.as_ref().and_then(|e| e.parse().ok()),
        phone: s.phone,
        postcode: Some(s.postcode),
        city: Some(s.city),
        country: Some(jauge_model::CountryCode::france()),
        birth_year: s
            .birth_year
            .and_then(|y| jauge_model::BirthYear::new(y).ok()),
        birth_date: None,
        address: None,
    }
}

/// Another way the same person gets written down.
pub(crate) fn variant(rng: &mut impl Rng, s: &Spelling) -> Spelling {
    let mut v = s.clone();
    match rng.random_range(0..6) {
        0 => {
            // A new address: another provider, or the same one with a number.
            let (local, _) = s
                .email
                .as_deref()
                .and_then(|e| e.split_once('@'))
                .unwrap_or(("contact", ""));
            let domain = weighted(rng, EMAIL_DOMAINS);
            v.email = Some(format!("{local}{}@{domain}", rng.random_range(1..99)));
        }
        1 => v.last = typo(rng, &s.last).into(),
        2 => {
            v.first = fold_accents(&s.first).to_uppercase().into();
            v.last = fold_accents(&s.last).to_uppercase().into();
            v.city = s.city.to_uppercase();
        }
        3 => std::mem::swap(&mut v.first, &mut v.last),
        4 => {
            v.email = s.email.as_ref().map(|e| {
                let typos: Vec<&(&str, &str)> = DOMAIN_TYPOS
                    .iter()
                    .filter(|(right, _)| e.ends_with(&format!("@{right}")))
                    .collect();
                match typos.choose(rng) {
                    Some((right, wrong)) => e.replace(right, wrong),
                    None => e.to_uppercase(),
                }
            });
        }
        _ => {
            v.email = None;
            v.first = s.first.to_lowercase();
        }
    }
    v
}

/// One slip of the keyboard: two letters swapped, or one dropped.
fn typo(rng: &mut impl Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return format!("{word}e");
    }
    let i = rng.random_range(1..chars.len() - 1);
    if rng.random_bool(0.5) {
        chars.swap(i, i + 1);
    } else {
        chars.remove(i);
    }
    chars.into_iter().collect()
}

/// A standard normal draw.
pub(crate) fn gaussian(rng: &mut impl Rng) -> f64 {
    rng.sample(rand_distr::StandardNormal)
}
