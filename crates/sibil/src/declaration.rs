//! A quarter's declaration: one entry per performance held, with the fields SIBIL takes, and the
//! checks that must pass before anything is sent.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use jauge_analytics::SalesTotals;
use jauge_model::{Cents, Discipline, Lang, PerformanceStatus, PlaceType, TariffCategory};
use serde::{Serialize, Serializer};

use crate::Quarter;

/// Who declares: the licensed entrepreneur responsible for the ticketing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declarant {
    pub legal_name: String,
    pub siret: Option<String>,
    pub licence: Option<String>,
}

/// Where the performances take place, as SIBIL names places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub name: String,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub siret: Option<String>,
    pub place_type: Option<PlaceType>,
}

/// What Jauge knows of one performance, for its declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct PerformanceFacts {
    /// The store's identifier, for records.
    pub id: i64,
    /// Stable across re-sends, so that SIBIL updates rather than duplicates: the source and the
    /// performance's identifier there.
    pub external_id: String,
    pub show: String,
    pub company: Option<String>,
    pub discipline: Discipline,
    pub young_audience: bool,
    pub coproduction: bool,
    pub festival: Option<String>,
    pub starts_at: DateTime<Utc>,
    /// The start in the venue's time zone, for messages.
    pub local_start: NaiveDateTime,
    pub capacity: Option<u32>,
    pub status: PerformanceStatus,
    /// Valid tickets by tariff category: (category, tickets, revenue).
    pub tariffs: Vec<(TariffCategory, u64, Cents)>,
    /// The sales the analytics count for it (the rollup), to cross-check the declaration.
    pub analytics: SalesTotals,
}

/// Where each tariff category goes in SIBIL's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SibilClass {
    /// *Tarif plein*.
    FullPrice,
    /// *Tarif abonnement ou forfait*.
    SubscriptionOrPackage,
    /// *Exonérés*: tickets at no charge.
    Free,
    /// Counted in the totals only.
    TotalsOnly,
}

impl SibilClass {
    pub fn of(category: TariffCategory) -> SibilClass {
        match category {
            TariffCategory::FullPrice => SibilClass::FullPrice,
            TariffCategory::Subscription => SibilClass::SubscriptionOrPackage,
            TariffCategory::Free => SibilClass::Free,
            _ => SibilClass::TotalsOnly,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            SibilClass::FullPrice => lang.pick("tarif plein", "full price"),
            SibilClass::SubscriptionOrPackage => {
                lang.pick("tarif abonnement ou forfait", "subscription or package")
            }
            SibilClass::Free => lang.pick("exonérés", "free (exonérés)"),
            SibilClass::TotalsOnly => lang.pick("totaux seulement", "totals only"),
        }
    }
}

/// The SIBIL domain each discipline is declared under, by its label (SIBIL's domains have no
/// stable codes: the label is matched against the list SIBIL gives when sending). A discipline
/// left out is a problem the checks report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainMapping(pub BTreeMap<Discipline, String>);

impl Default for DomainMapping {
    /// Labels for the disciplines whose SIBIL domain is plain; music (classical or current?) and
    /// "other" are left to the venue.
    fn default() -> DomainMapping {
        DomainMapping(
            [
                (Discipline::Theatre, "Théâtre"),
                (Discipline::Dance, "Danse"),
                (Discipline::Opera, "Opéra"),
                (Discipline::MusicalTheatre, "Comédie musicale"),
                (Discipline::Circus, "Cirque"),
                (Discipline::StreetArts, "Arts de la rue"),
                (Discipline::Puppetry, "Marionnettes"),
                (Discipline::Comedy, "Humour"),
                (Discipline::Storytelling, "Conte"),
                (Discipline::Cabaret, "Cabaret"),
                (Discipline::Multidisciplinary, "Pluridisciplinaire"),
            ]
            .into_iter()
            .map(|(d, label)| (d, label.to_owned()))
            .collect(),
        )
    }
}

/// Money as SIBIL takes it: euros, with cents.
fn euros<S: Serializer>(amount: &Cents, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(amount.get() as f64 / 100.0)
}

fn optional_euros<S: Serializer>(amount: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match amount {
        Some(cents) => s.serialize_f64(cents.round() / 100.0),
        None => s.serialize_none(),
    }
}

/// The place, as SIBIL's `lieuChamps`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaceFields {
    pub nom: String,
    pub adresse: String,
    pub code_postal: String,
    pub ville: String,
    pub siret: Option<String>,
    pub type_lieu: Option<&'static str>,
}

/// The show, as SIBIL's `spectacleChamps`: its title, then the people behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShowFields {
    pub critere1: String,
    pub critere2: Option<String>,
}

/// The festival, as SIBIL's `festivalChamps`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FestivalFields {
    pub nom: String,
    pub code_postal: String,
    pub ville: String,
}

/// One performance's declaration, with SIBIL's field names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Declaration {
    #[serde(skip)]
    pub performance: i64,
    pub id_ext_billetterie: String,
    /// The start, in UTC (`2026-10-14T18:30:00Z`).
    pub date_heure_representation_unique: String,
    pub nb_billets_total_billetterie: u64,
    #[serde(serialize_with = "euros")]
    pub recette_total_billetterie: Cents,
    /// Revenue ÷ paying tickets (free ones left out), in euros.
    #[serde(serialize_with = "optional_euros")]
    pub prix_moyen_total_billetterie: Option<f64>,
    pub nb_billets_tarif_plein: u64,
    #[serde(serialize_with = "euros")]
    pub recette_tarif_plein: Cents,
    #[serde(serialize_with = "optional_euros")]
    pub prix_moyen_tarif_plein: Option<f64>,
    pub nb_billets_tarif_abonnement_forfait: u64,
    pub nb_billets_exoneres: u64,
    pub jauge: Option<u32>,
    pub jeune_public: bool,
    pub co_production: bool,
    /// Filled when sending, from SIBIL's list of domains.
    pub domaine_representation_id: Option<i64>,
    pub domaine_representation_libelle: Option<String>,
    pub lieu_champs: PlaceFields,
    pub spectacle_champs: ShowFields,
    pub festival_champs: Option<FestivalFields>,
}

/// How grave a problem is: an error stops the sending; a warning is said, not blocking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Severity {
    Error,
    Warning,
}

/// What the checks find, in plain words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Problem {
    MissingSiret,
    MissingLicence,
    MissingPlaceType,
    UnmappedDomain {
        discipline: Discipline,
        performances: usize,
    },
    NoCapacity {
        performance: String,
    },
    /// A show with performances in this quarter and another: declared performance by
    /// performance, as SIBIL requires.
    SeriesAcrossQuarters {
        show: String,
    },
    SameStartTwice {
        show: String,
        start: NaiveDateTime,
    },
    PaidWithoutRevenue {
        performance: String,
        tickets: u64,
    },
    TotalsDisagree {
        performance: String,
        declared: (u64, Cents),
        analytics: (u64, Cents),
    },
}

impl Problem {
    pub fn severity(&self) -> Severity {
        match self {
            Problem::SeriesAcrossQuarters { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What is wrong and what to do, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        match self {
            Problem::MissingSiret => if fr {
                "Le SIRET du déclarant manque : renseignez-le avec `jauge setup`."
            } else {
                "The declarant's SIRET is missing: give it with `jauge setup`."
            }
            .to_owned(),
            Problem::MissingLicence => if fr {
                "Le numéro de licence d'entrepreneur de spectacles manque : renseignez-le avec `jauge setup`."
            } else {
                "The live-performance licence number is missing: give it with `jauge setup`."
            }
            .to_owned(),
            Problem::MissingPlaceType => if fr {
                "Le type de lieu SIBIL du lieu manque : choisissez-en un parmi les dix avec `jauge setup`."
            } else {
                "The venue's SIBIL place type is missing: choose one of the ten with `jauge setup`."
            }
            .to_owned(),
            Problem::UnmappedDomain { discipline, performances } => if fr {
                format!(
                    "La discipline « {} » ({performances} représentation(s)) n'a pas de domaine SIBIL : indiquez-le avec `jauge sibil domain {} \"LIBELLÉ SIBIL\"`.",
                    discipline.label(Lang::Fr),
                    discipline.code()
                )
            } else {
                format!(
                    "The discipline \"{}\" ({performances} performance(s)) has no SIBIL domain: give it with `jauge sibil domain {} \"SIBIL LABEL\"`.",
                    discipline.label(Lang::En),
                    discipline.code()
                )
            },
            Problem::NoCapacity { performance } => if fr {
                format!("{performance} : pas de jauge. Corrigez la jauge de la séance dans la billetterie, puis réimportez.")
            } else {
                format!("{performance}: no capacity. Correct the performance's capacity in the ticketing system, then import again.")
            },
            Problem::SeriesAcrossQuarters { show } => if fr {
                format!("« {show} » a des représentations dans un autre trimestre : chacune est déclarée à part, comme SIBIL le demande.")
            } else {
                format!("\"{show}\" has performances in another quarter: each is declared on its own, as SIBIL requires.")
            },
            Problem::SameStartTwice { show, start } => if fr {
                format!(
                    "« {show} » a deux représentations le {} : SIBIL refuse le doublon. Supprimez ou corrigez l'une des deux dans la billetterie.",
                    start.format("%d/%m/%Y à %H:%M")
                )
            } else {
                format!(
                    "\"{show}\" has two performances on {}: SIBIL refuses the duplicate. Remove or correct one of them in the ticketing system.",
                    start.format("%Y-%m-%d at %H:%M")
                )
            },
            Problem::PaidWithoutRevenue { performance, tickets } => if fr {
                format!("{performance} : {tickets} billet(s) à un tarif payant pour une recette nulle. Vérifiez les tarifs (une invitation doit être au tarif « exonéré »).")
            } else {
                format!("{performance}: {tickets} ticket(s) at a paying tariff for no revenue. Check the tariffs (an invitation belongs in the free category).")
            },
            Problem::TotalsDisagree { performance, declared, analytics } => if fr {
                format!(
                    "{performance} : la déclaration compte {} billets pour {} €, les tableaux de bord {} billets pour {} €. Relancez `jauge import` du dernier export, puis recommencez.",
                    declared.0, declared.1.get() as f64 / 100.0, analytics.0, analytics.1.get() as f64 / 100.0
                )
            } else {
                format!(
                    "{performance}: the declaration counts {} tickets for €{}, the dashboards {} tickets for €{}. Import the latest export again, then retry.",
                    declared.0, declared.1.get() as f64 / 100.0, analytics.0, analytics.1.get() as f64 / 100.0
                )
            },
        }
    }
}

/// A quarter's declarations and what the checks found.
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    pub quarter: Quarter,
    pub declarations: Vec<Declaration>,
    /// Performances of the quarter not declared: cancelled ones.
    pub cancelled: usize,
    pub problems: Vec<Problem>,
}

impl Built {
    /// Whether an error stops the sending.
    pub fn blocked(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.severity() == Severity::Error)
    }
}

/// How a performance is named in messages: its show, its start and its identifier.
fn named(p: &PerformanceFacts) -> String {
    format!(
        "« {} » du {} ({})",
        p.show,
        p.local_start.format("%d/%m/%Y %H:%M"),
        p.external_id
    )
}

/// Builds `quarter`'s declaration from its performances (`performances`, those starting in the
/// quarter) and checks it. `elsewhere` are the shows (by title) that also play in another
/// quarter.
pub fn build(
    quarter: Quarter,
    declarant: &Declarant,
    place: &Place,
    domains: &DomainMapping,
    performances: &[PerformanceFacts],
    elsewhere: &BTreeSet<String>,
) -> Built {
    let mut problems = Vec::new();
    if declarant.siret.as_deref().is_none_or(str::is_empty) {
        problems.push(Problem::MissingSiret);
    }
    if declarant.licence.as_deref().is_none_or(str::is_empty) {
        problems.push(Problem::MissingLicence);
    }
    if place.place_type.is_none() {
        problems.push(Problem::MissingPlaceType);
    }
    let held: Vec<&PerformanceFacts> = performances
        .iter()
        .filter(|p| p.status == PerformanceStatus::Scheduled)
        .collect();
    let mut unmapped: BTreeMap<Discipline, usize> = BTreeMap::new();
    let mut starts: BTreeMap<(&str, DateTime<Utc>), usize> = BTreeMap::new();
    let mut declarations = Vec::new();
    for p in &held {
        if !domains.0.contains_key(&p.discipline) {
            *unmapped.entry(p.discipline).or_default() += 1;
        }
        *starts.entry((p.show.as_str(), p.starts_at)).or_default() += 1;
        if p.capacity.is_none_or(|c| c == 0) {
            problems.push(Problem::NoCapacity {
                performance: named(p),
            });
        }
        let mut by_class: BTreeMap<SibilClass, (u64, Cents)> = BTreeMap::new();
        let mut paying_without_revenue = 0;
        for (category, tickets, revenue) in &p.tariffs {
            let entry = by_class
                .entry(SibilClass::of(*category))
                .or_insert((0, Cents::ZERO));
            entry.0 += tickets;
            entry.1 = entry.1 + *revenue;
            if *category != TariffCategory::Free && *tickets > 0 && revenue.is_zero() {
                paying_without_revenue += tickets;
            }
        }
        if paying_without_revenue > 0 {
            problems.push(Problem::PaidWithoutRevenue {
                performance: named(p),
                tickets: paying_without_revenue,
            });
        }
        let class = |c: SibilClass| by_class.get(&c).copied().unwrap_or((0, Cents::ZERO));
        let tickets: u64 = p.tariffs.iter().map(|t| t.1).sum();
        let revenue = p.tariffs.iter().fold(Cents::ZERO, |acc, t| acc + t.2);
        if (tickets, revenue) != (p.analytics.tickets, p.analytics.revenue) {
            problems.push(Problem::TotalsDisagree {
                performance: named(p),
                declared: (tickets, revenue),
                analytics: (p.analytics.tickets, p.analytics.revenue),
            });
        }
        let free = class(SibilClass::Free).0;
        let full = class(SibilClass::FullPrice);
        let average = |revenue: Cents, tickets: u64| {
            (tickets > 0).then(|| revenue.get() as f64 / tickets as f64)
        };
        declarations.push(Declaration {
            performance: p.id,
            id_ext_billetterie: p.external_id.clone(),
            date_heure_representation_unique: p.starts_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            nb_billets_total_billetterie: tickets,
            recette_total_billetterie: revenue,
            prix_moyen_total_billetterie: average(revenue, tickets - free),
            nb_billets_tarif_plein: full.0,
            recette_tarif_plein: full.1,
            prix_moyen_tarif_plein: average(full.1, full.0),
            nb_billets_tarif_abonnement_forfait: class(SibilClass::SubscriptionOrPackage).0,
            nb_billets_exoneres: free,
            jauge: p.capacity,
            jeune_public: p.young_audience,
            co_production: p.coproduction,
            domaine_representation_id: None,
            domaine_representation_libelle: domains.0.get(&p.discipline).cloned(),
            lieu_champs: PlaceFields {
                nom: place.name.clone(),
                adresse: place.address.clone(),
                code_postal: place.postcode.clone(),
                ville: place.city.clone(),
                siret: place.siret.clone(),
                type_lieu: place.place_type.map(PlaceType::sibil_code),
            },
            spectacle_champs: ShowFields {
                critere1: p.show.clone(),
                critere2: p.company.clone(),
            },
            festival_champs: p.festival.as_ref().map(|name| FestivalFields {
                nom: name.clone(),
                code_postal: place.postcode.clone(),
                ville: place.city.clone(),
            }),
        });
    }
    for (discipline, performances) in unmapped {
        problems.push(Problem::UnmappedDomain {
            discipline,
            performances,
        });
    }
    for ((show, start), n) in starts {
        if n > 1 {
            let local = held
                .iter()
                .find(|p| p.show == show && p.starts_at == start)
                .map_or(start.naive_utc(), |p| p.local_start);
            problems.push(Problem::SameStartTwice {
                show: show.to_owned(),
                start: local,
            });
        }
    }
    let shows: BTreeSet<&str> = held.iter().map(|p| p.show.as_str()).collect();
    for show in shows {
        if elsewhere.contains(show) {
            problems.push(Problem::SeriesAcrossQuarters {
                show: show.to_owned(),
            });
        }
    }
    Built {
        quarter,
        declarations,
        cancelled: performances.len() - held.len(),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn declarant() -> Declarant {
        Declarant {
            legal_name: "Association des Quatre Vents".into(),
            siret: Some("78467169500087".into()),
            licence: Some("PLATESV-R-2021-004512".into()),
        }
    }

    fn place() -> Place {
        Place {
            name: "Théâtre des Quatre Vents".into(),
            address: "12 rue des Tanneurs".into(),
            postcode: "37300".into(),
            city: "Joué-lès-Tours".into(),
            siret: None,
            place_type: Some(PlaceType::Theatre),
        }
    }

    /// A performance of `show` on 14 October 2026 at `hour` (UTC), with its tariffs.
    fn performance(
        show: &str,
        hour: u32,
        tariffs: Vec<(TariffCategory, u64, u64)>,
    ) -> PerformanceFacts {
        let tariffs: Vec<(TariffCategory, u64, Cents)> = tariffs
            .into_iter()
            .map(|(c, t, r)| (c, t, Cents::new(r)))
            .collect();
        let analytics = tariffs
            .iter()
            .fold(SalesTotals::default(), |acc, (_, t, r)| SalesTotals {
                tickets: acc.tickets + t,
                revenue: acc.revenue + *r,
                ..acc
            });
        let starts_at = Utc.with_ymd_and_hms(2026, 10, 14, hour, 0, 0).unwrap();
        PerformanceFacts {
            id: i64::from(hour),
            external_id: format!("billetterie-{show}-{hour}"),
            show: show.into(),
            company: Some("Compagnie des Ailes".into()),
            discipline: Discipline::Theatre,
            young_audience: false,
            coproduction: true,
            festival: None,
            starts_at,
            local_start: starts_at.naive_utc(),
            capacity: Some(200),
            status: PerformanceStatus::Scheduled,
            tariffs,
            analytics,
        }
    }

    fn quarter() -> Quarter {
        "2026-Q4".parse().unwrap()
    }

    fn built(performances: &[PerformanceFacts]) -> Built {
        build(
            quarter(),
            &declarant(),
            &place(),
            &DomainMapping::default(),
            performances,
            &BTreeSet::new(),
        )
    }

    #[test]
    fn tariff_categories_fill_sibils_figures_and_the_averages_leave_free_tickets_out() {
        let b = built(&[performance(
            "Ondine",
            18,
            vec![
                (TariffCategory::FullPrice, 10, 25_000),
                (TariffCategory::Reduced, 5, 7_500),
                (TariffCategory::Subscription, 4, 6_000),
                (TariffCategory::Free, 3, 0),
            ],
        )]);
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        let d = &b.declarations[0];
        assert_eq!(d.nb_billets_total_billetterie, 22);
        assert_eq!(d.recette_total_billetterie, Cents::new(38_500));
        assert_eq!(d.prix_moyen_total_billetterie, Some(38_500.0 / 19.0));
        assert_eq!(
            (d.nb_billets_tarif_plein, d.recette_tarif_plein),
            (10, Cents::new(25_000))
        );
        assert_eq!(d.prix_moyen_tarif_plein, Some(2_500.0));
        assert_eq!(
            (d.nb_billets_tarif_abonnement_forfait, d.nb_billets_exoneres),
            (4, 3)
        );
        assert_eq!(d.date_heure_representation_unique, "2026-10-14T18:00:00Z");
        let json: serde_json::Value = serde_json::to_value(d).unwrap();
        assert_eq!(json["recetteTotalBilletterie"], 385.0);
        assert_eq!(json["prixMoyenTarifPlein"], 25.0);
        assert_eq!(json["idExtBilletterie"], "billetterie-Ondine-18");
        assert_eq!(json["lieuChamps"]["typeLieu"], "THEATRE");
        assert_eq!(json["spectacleChamps"]["critere2"], "Compagnie des Ailes");
        assert_eq!(json["domaineRepresentationLibelle"], "Théâtre");
    }

    #[test]
    fn a_missing_siret_licence_or_place_type_is_an_error() {
        let mut who = declarant();
        who.siret = None;
        who.licence = Some(String::new());
        let mut venue = place();
        venue.place_type = None;
        let b = build(
            quarter(),
            &who,
            &venue,
            &DomainMapping::default(),
            &[],
            &BTreeSet::new(),
        );
        assert_eq!(
            b.problems,
            [
                Problem::MissingSiret,
                Problem::MissingLicence,
                Problem::MissingPlaceType
            ]
        );
        assert!(b.blocked());
        assert!(b.problems[0].message(Lang::Fr).contains("SIRET"));
    }

    #[test]
    fn a_discipline_without_a_sibil_domain_is_an_error_that_says_how_to_map_it() {
        let mut p = performance("Récital", 18, vec![(TariffCategory::FullPrice, 1, 2_000)]);
        p.discipline = Discipline::Music;
        let b = built(&[p.clone(), {
            let mut q = p;
            q.starts_at += chrono::Duration::days(1);
            q
        }]);
        assert_eq!(
            b.problems,
            [Problem::UnmappedDomain {
                discipline: Discipline::Music,
                performances: 2
            }]
        );
        assert!(
            b.problems[0]
                .message(Lang::Fr)
                .contains("jauge sibil domain music")
        );
        let mut domains = DomainMapping::default();
        domains
            .0
            .insert(Discipline::Music, "Musiques actuelles".into());
        let mut p = performance("Récital", 18, vec![(TariffCategory::FullPrice, 1, 2_000)]);
        p.discipline = Discipline::Music;
        let b = build(
            quarter(),
            &declarant(),
            &place(),
            &domains,
            &[p],
            &BTreeSet::new(),
        );
        assert!(b.problems.is_empty());
    }

    #[test]
    fn a_performance_without_capacity_is_an_error() {
        let mut p = performance("Ondine", 18, vec![]);
        p.capacity = None;
        let b = built(&[p]);
        assert!(
            matches!(&b.problems[..], [Problem::NoCapacity { performance }] if performance.contains("Ondine"))
        );
    }

    #[test]
    fn a_series_spanning_two_quarters_is_declared_performance_by_performance() {
        let b = build(
            quarter(),
            &declarant(),
            &place(),
            &DomainMapping::default(),
            &[
                performance("Ondine", 18, vec![]),
                performance("Ondine", 20, vec![]),
            ],
            &BTreeSet::from(["Ondine".to_owned()]),
        );
        assert_eq!(
            b.problems,
            [Problem::SeriesAcrossQuarters {
                show: "Ondine".into()
            }]
        );
        assert!(!b.blocked(), "a warning");
        assert_eq!(b.declarations.len(), 2);
    }

    #[test]
    fn the_same_show_at_the_same_start_twice_is_an_error() {
        let mut twin = performance("Ondine", 18, vec![]);
        twin.external_id.push_str("-bis");
        let b = built(&[
            performance("Ondine", 18, vec![]),
            twin,
            performance("Zoé", 18, vec![]),
        ]);
        assert!(
            matches!(&b.problems[..], [Problem::SameStartTwice { show, .. }] if show == "Ondine")
        );
    }

    #[test]
    fn paid_tickets_with_no_revenue_are_an_error() {
        let b = built(&[performance(
            "Ondine",
            18,
            vec![
                (TariffCategory::Reduced, 4, 0),
                (TariffCategory::Free, 2, 0),
            ],
        )]);
        assert_eq!(
            b.problems,
            [Problem::PaidWithoutRevenue {
                performance: named(&performance("Ondine", 18, vec![])),
                tickets: 4
            }]
        );
    }

    #[test]
    fn totals_that_disagree_with_the_analytics_are_an_error() {
        let mut p = performance("Ondine", 18, vec![(TariffCategory::FullPrice, 10, 25_000)]);
        p.analytics.tickets = 11;
        let b = built(&[p]);
        assert!(matches!(
            &b.problems[..],
            [Problem::TotalsDisagree {
                declared: (10, _),
                analytics: (11, _),
                ..
            }]
        ));
        assert!(b.problems[0].message(Lang::En).contains("11 tickets"));
    }

    #[test]
    fn cancelled_performances_are_not_declared() {
        let mut p = performance("Ondine", 18, vec![]);
        p.status = PerformanceStatus::Cancelled;
        let b = built(&[p, performance("Zoé", 20, vec![])]);
        assert_eq!((b.declarations.len(), b.cancelled), (1, 1));
    }
}
