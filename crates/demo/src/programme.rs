//! The programme: four seasons of shows and performances in two halls, and the tariff grid.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use jauge_model::{
    Capacity, Cents, Discipline, ExternalId, Name, Performance, PerformanceStatus, Season, Show,
    Tariff, TariffCategory, VatRate, VenueSetup,
};
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};

use crate::names::{
    CLASSICS, COMPANY_WORDS, ENSEMBLES, FIRST_NAMES_M, SURNAMES, TITLE_COMPLEMENTS, TITLE_NOUNS,
};
use crate::people::gaussian;
use crate::venue::{GRANDE_SALLE, STUDIO};

pub(crate) const FESTIVAL: &str = "Festival Vents Contraires";

#[derive(Debug, Clone)]
pub(crate) struct ShowPlan {
    pub show: Show,
    /// Full price in this show's hall.
    pub full_price: Cents,
    pub vat: VatRate,
    /// Median days between booking and performance for single tickets.
    pub lead_median_days: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct PerformancePlan {
    pub performance: Performance,
    pub show: usize,
    pub season: usize,
    /// A weekday performance for schools.
    pub school: bool,
    /// The share of seats the performance will sell in the end.
    pub fill: f64,
}

pub(crate) struct Programme {
    pub seasons: Vec<Season>,
    pub shows: Vec<ShowPlan>,
    /// Sorted by start.
    pub performances: Vec<PerformancePlan>,
}

/// The venue's tariffs, as its ticketing system names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TariffKind {
    Full,
    Reduced,
    Under26,
    Child,
    PassCulture,
    Subscription,
    School,
    Group,
    LastMinute,
    Invitation,
}

impl TariffKind {
    pub(crate) const ALL: [TariffKind; 10] = [
        TariffKind::Full,
        TariffKind::Reduced,
        TariffKind::Under26,
        TariffKind::Child,
        TariffKind::PassCulture,
        TariffKind::Subscription,
        TariffKind::School,
        TariffKind::Group,
        TariffKind::LastMinute,
        TariffKind::Invitation,
    ];

    pub(crate) fn code(self) -> &'static str {
        match self {
            TariffKind::Full => "PLEIN",
            TariffKind::Reduced => "REDUIT",
            TariffKind::Under26 => "MOINS26",
            TariffKind::Child => "ENFANT",
            TariffKind::PassCulture => "PASSCULT",
            TariffKind::Subscription => "ABO",
            TariffKind::School => "SCOL",
            TariffKind::Group => "GROUPE",
            TariffKind::LastMinute => "DERMIN",
            TariffKind::Invitation => "INVIT",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            TariffKind::Full => "Plein tarif",
            TariffKind::Reduced => "Tarif réduit (demandeurs d'emploi, +65 ans)",
            TariffKind::Under26 => "Moins de 26 ans",
            TariffKind::Child => "Enfant (-12 ans)",
            TariffKind::PassCulture => "Pass Culture",
            TariffKind::Subscription => "Abonnement 4 spectacles et +",
            TariffKind::School => "Scolaire",
            TariffKind::Group => "Groupe (10 pers. et +)",
            TariffKind::LastMinute => "Dernière minute",
            TariffKind::Invitation => "Invitation",
        }
    }

    fn category(self) -> TariffCategory {
        match self {
            TariffKind::Full => TariffCategory::FullPrice,
            TariffKind::Reduced
            | TariffKind::Under26
            | TariffKind::Child
            | TariffKind::PassCulture => TariffCategory::Reduced,
            TariffKind::Subscription => TariffCategory::Subscription,
            TariffKind::School | TariffKind::Group => TariffCategory::SchoolOrGroup,
            TariffKind::LastMinute => TariffCategory::Reduced,
            TariffKind::Invitation => TariffCategory::Free,
        }
    }

    /// What a ticket at this tariff costs for a show whose full price is `full`.
    pub(crate) fn price(self, full: Cents) -> Cents {
        let at_most = |cents: u64| Cents::new(cents.min(full.get()));
        let half_euro = |c: Cents| Cents::new((c.get() + 25) / 50 * 50);
        match self {
            TariffKind::Full => full,
            TariffKind::Reduced => half_euro(full.scaled_bp(8_000)),
            TariffKind::Under26 | TariffKind::PassCulture => at_most(1_200),
            TariffKind::Child => at_most(1_000),
            TariffKind::Subscription => half_euro(full.scaled_bp(7_000)),
            TariffKind::School => at_most(800),
            TariffKind::Group => half_euro(full.scaled_bp(7_500)),
            TariffKind::LastMinute => half_euro(full.scaled_bp(6_000)),
            TariffKind::Invitation => Cents::ZERO,
        }
    }

    pub(crate) fn tariff(self) -> Tariff {
        Tariff {
            id: id(self.code()),
            label: name(self.label()),
            category: self.category(),
        }
    }
}

fn id(s: &str) -> ExternalId {
    s.parse().expect("generated identifiers are valid")
}

fn name(s: &str) -> Name {
    s.parse().expect("generated names are valid")
}

const DISCIPLINES: &[(Discipline, u32)] = &[
    (Discipline::Theatre, 30),
    (Discipline::Music, 17),
    (Discipline::Dance, 14),
    (Discipline::Circus, 7),
    (Discipline::Comedy, 6),
    (Discipline::Puppetry, 5),
    (Discipline::Multidisciplinary, 5),
    (Discipline::Storytelling, 3),
    (Discipline::StreetArts, 3),
    (Discipline::Opera, 2),
    (Discipline::MusicalTheatre, 2),
    (Discipline::Cabaret, 2),
];

struct Traits {
    /// Share of its shows that play in the big hall.
    big_hall: f64,
    young_audience: f64,
    evenings: (u32, u32),
    lead_median_days: f64,
}

fn traits(d: Discipline) -> Traits {
    let t = |big_hall, young_audience, evenings, lead_median_days| Traits {
        big_hall,
        young_audience,
        evenings,
        lead_median_days,
    };
    match d {
        Discipline::Theatre => t(0.55, 0.1, (3, 6), 24.0),
        Discipline::Music => t(0.85, 0.06, (2, 3), 20.0),
        Discipline::Dance => t(0.9, 0.12, (2, 4), 30.0),
        Discipline::Circus => t(0.95, 0.35, (3, 5), 35.0),
        Discipline::Comedy => t(0.8, 0.0, (1, 3), 10.0),
        Discipline::Puppetry => t(0.15, 0.7, (2, 4), 18.0),
        Discipline::Multidisciplinary => t(0.6, 0.2, (1, 3), 21.0),
        Discipline::Storytelling => t(0.1, 0.6, (2, 3), 12.0),
        Discipline::StreetArts => t(0.7, 0.3, (1, 2), 6.0),
        Discipline::Opera => t(1.0, 0.0, (1, 2), 50.0),
        Discipline::MusicalTheatre => t(1.0, 0.25, (2, 3), 40.0),
        Discipline::Cabaret | Discipline::Other => t(0.5, 0.0, (1, 2), 14.0),
    }
}

fn title(rng: &mut impl Rng, d: Discipline) -> String {
    if d == Discipline::Theatre && rng.random_bool(0.35) {
        return (*CLASSICS.choose(rng).expect("titles")).to_owned();
    }
    let noun = TITLE_NOUNS.choose(rng).expect("nouns");
    let complement = TITLE_COMPLEMENTS.choose(rng).expect("complements");
    format!("Les {noun} {complement}")
}

fn company(rng: &mut impl Rng, d: Discipline) -> String {
    match d {
        Discipline::Music | Discipline::Opera => {
            (*ENSEMBLES.choose(rng).expect("ensembles")).to_owned()
        }
        Discipline::Comedy => format!(
            "{} {}",
            FIRST_NAMES_M.choose(rng).expect("names"),
            SURNAMES.choose(rng).expect("names")
        ),
        _ => {
            let word = COMPANY_WORDS.choose(rng).expect("words");
            if rng.random_bool(0.5) {
                format!("Compagnie {word}")
            } else {
                format!("Cie {word}")
            }
        }
    }
}

fn at_local(setup: &VenueSetup, date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("valid time");
    setup
        .venue
        .time_zone
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .expect("evening times exist in Paris")
        .with_timezone(&Utc)
}

fn money(euros: f64) -> Cents {
    Cents::new(((euros * 2.0).round() as u64) * 50)
}

/// A season's disciplines: each gets its share of `count` shows by weight (largest remainders
/// first, ties broken at random), in random order.
fn season_disciplines(rng: &mut impl Rng, count: usize) -> Vec<Discipline> {
    let total: u32 = DISCIPLINES.iter().map(|(_, w)| w).sum();
    let mut shares: Vec<(Discipline, usize, f64)> = DISCIPLINES
        .iter()
        .map(|&(d, w)| {
            let exact = count as f64 * f64::from(w) / f64::from(total);
            (
                d,
                exact.floor() as usize,
                exact.fract() + rng.random_range(0.0..0.5),
            )
        })
        .collect();
    let missing = count - shares.iter().map(|s| s.1).sum::<usize>();
    let mut by_remainder: Vec<usize> = (0..shares.len()).collect();
    by_remainder.sort_by(|&a, &b| shares[b].2.total_cmp(&shares[a].2));
    for &i in by_remainder.iter().take(missing) {
        shares[i].1 += 1;
    }
    let mut list: Vec<Discipline> = shares
        .iter()
        .flat_map(|&(d, n, _)| std::iter::repeat_n(d, n))
        .collect();
    list.shuffle(rng);
    list
}

/// Plans every season's shows and performances.
pub(crate) fn plan(
    rng: &mut impl Rng,
    setup: &VenueSetup,
    seasons: &[Season],
    scale: f64,
    as_of: DateTime<Utc>,
) -> Programme {
    let mut shows = Vec::new();
    let mut performances = Vec::new();
    let crowded = scale > 1.5;
    let mut booked: BTreeSet<(bool, NaiveDate)> = BTreeSet::new();
    for (si, season) in seasons.iter().enumerate() {
        let count = ((12.5 * scale) + rng.random_range(-0.5..0.5))
            .round()
            .max(3.0) as usize;
        let first_show = shows.len();
        let disciplines = season_disciplines(rng, count);
        let runs: Vec<u32> = disciplines
            .iter()
            .map(|&d| {
                let (low, high) = traits(d).evenings;
                rng.random_range(low..=high)
            })
            .collect();
        // The big hall takes the shows that suit it best, up to its evenings of a season.
        let mut by_preference: Vec<usize> = (0..count).collect();
        let preference: Vec<f64> = disciplines
            .iter()
            .map(|&d| traits(d).big_hall + rng.random_range(-0.2..0.2))
            .collect();
        by_preference.sort_by(|&a, &b| preference[b].total_cmp(&preference[a]));
        let mut in_big_hall = vec![false; count];
        let mut big_hall_evenings = (27.0 * scale).round() as i64;
        for &i in &by_preference {
            if big_hall_evenings > 0 {
                in_big_hall[i] = true;
                big_hall_evenings -= i64::from(runs[i]);
            }
        }
        for n in 0..count {
            let discipline = disciplines[n];
            let tr = traits(discipline);
            let big = in_big_hall[n];
            let young_audience = rng.random_bool(tr.young_audience);
            let in_festival = matches!(
                discipline,
                Discipline::Theatre | Discipline::Dance | Discipline::Multidisciplinary
            ) && rng.random_bool(0.15);
            let coproduction = rng.random_bool(0.15);
            let base_price = match (big, discipline) {
                (false, _) => 19.0,
                (true, Discipline::Opera) => 38.0,
                (true, Discipline::Comedy) => 32.0,
                (true, Discipline::Theatre | Discipline::Puppetry | Discipline::Storytelling) => {
                    26.0
                }
                (true, _) => 30.0,
            };
            let show_index = shows.len();
            let show_id = id(&format!("SPE-{}-{:03}", season.start_year(), n + 1));
            shows.push(ShowPlan {
                show: Show {
                    id: show_id.clone(),
                    title: name(&title(rng, discipline)),
                    discipline,
                    company: Some(name(&company(rng, discipline))),
                    young_audience,
                    coproduction,
                    festival: in_festival.then(|| name(FESTIVAL)),
                },
                full_price: money(base_price + f64::from(rng.random_range(-2i32..=2))),
                vat: if coproduction {
                    VatRate::from_basis_points(210).expect("2.1 %")
                } else {
                    VatRate::LIVE_PERFORMANCE
                },
                lead_median_days: tr.lead_median_days,
            });

            // The run: consecutive evenings from a first date, Mondays off.
            let popularity = (0.84f64.ln() + 0.25 * gaussian(rng)).exp();
            let offset = if in_festival {
                rng.random_range(190..205)
            } else {
                rng.random_range(24..282)
            };
            let mut date = season.first_day() + Days::new(offset);
            let evenings = runs[n];
            let hall = if big { GRANDE_SALLE } else { STUDIO };
            let mut dates = Vec::new();
            while dates.len() < evenings as usize {
                if date.weekday() != Weekday::Mon && (crowded || !booked.contains(&(big, date))) {
                    dates.push((date, false));
                    booked.insert((big, date));
                }
                date = date + Days::new(1);
            }
            if young_audience {
                let mut school_day = dates[0].0 - Days::new(1);
                for _ in 0..rng.random_range(1..=2) {
                    while matches!(
                        school_day.weekday(),
                        Weekday::Sat | Weekday::Sun | Weekday::Wed
                    ) {
                        school_day = school_day - Days::new(1);
                    }
                    dates.push((school_day, true));
                    school_day = school_day - Days::new(1);
                }
            }
            for (k, (date, school)) in dates.into_iter().enumerate() {
                let (hour, minute) = match (school, date.weekday(), young_audience) {
                    (true, ..) => {
                        if k % 2 == 0 {
                            (10, 0)
                        } else {
                            (14, 30)
                        }
                    }
                    (false, Weekday::Sun, _) => (16, 0),
                    (false, Weekday::Wed, true) => (15, 0),
                    (false, Weekday::Sat, true) => (17, 0),
                    (false, _, _) if discipline == Discipline::Theatre && rng.random_bool(0.3) => {
                        (20, 30)
                    }
                    _ => (20, 0),
                };
                let capacity = match (big, rng.random_range(0..20)) {
                    (true, 0) if discipline == Discipline::Circus => 520,
                    (true, 0..6) => 600,
                    (true, _) => 650,
                    (false, 0..4) => 150,
                    (false, _) => 180,
                };
                let fill = if school {
                    rng.random_range(0.85..1.0)
                } else {
                    (popularity * rng.random_range(0.88..1.08)).min(1.0)
                };
                performances.push(PerformancePlan {
                    performance: Performance {
                        id: id(&format!("{}-R{}", show_id, k + 1)),
                        show: show_id.clone(),
                        hall: name(hall),
                        starts_at: at_local(setup, date, hour, minute),
                        capacity: Capacity::new(capacity).expect("capacities are positive"),
                        status: PerformanceStatus::Scheduled,
                    },
                    show: show_index,
                    season: si,
                    school,
                    fill,
                });
            }
        }
        // One past evening performance a season was cancelled (an artist fell ill).
        let candidates: Vec<usize> = (0..performances.len())
            .filter(|&i| {
                let p = &performances[i];
                p.season == si
                    && !p.school
                    && p.performance.starts_at < as_of
                    && p.show >= first_show
            })
            .collect();
        if let Some(&i) = candidates.choose(rng) {
            performances[i].performance.status = PerformanceStatus::Cancelled;
        }
    }
    performances.shuffle(rng);
    performances.sort_by(|a, b| {
        (a.performance.starts_at, &a.performance.id)
            .cmp(&(b.performance.starts_at, &b.performance.id))
    });
    Programme {
        seasons: seasons.to_vec(),
        shows,
        performances,
    }
}
