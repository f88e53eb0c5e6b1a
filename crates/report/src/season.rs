//! The season report: a season's figures ([`SeasonFigures`], computed by `jauge-analytics` and
//! read by the caller) composed into a [`Document`] for a board or a funder — key figures with
//! their change, a narrative ([`crate::narrative`]), charts, tables, methods and sources.

use chrono::{NaiveDate, NaiveDateTime};
use jauge_analytics::audience::{SEGMENTS, SeasonAudience};
use jauge_analytics::calendar::{DaySales, season_weeks};
use jauge_analytics::places::{AudienceGeography, BANDS};
use jauge_analytics::{PerformanceLine, SeasonSummary, definitions, fill_by, shows_by_fill_rate};
use jauge_model::{Cents, Discipline, Lang, Season, TariffCategory};

use crate::chart::{self, Bar, Series};
use crate::document::{
    Block, Chart, Document, Figure, GroupField, KeyFigure, Measure, Section, Span, SummaryField,
    Table,
};
use crate::{format, narrative};

/// What a season report is made from.
#[derive(Debug, Clone)]
pub struct SeasonFigures {
    pub venue: String,
    /// The venue's commune (INSEE code): the centre of the audience map.
    pub venue_insee: String,
    pub season: Season,
    /// The venue's local day the report is made on.
    pub today: NaiveDate,
    pub summary: SeasonSummary,
    pub before: Option<Before>,
    /// The season's performances, cancelled ones included.
    pub performances: Vec<PerformanceLine>,
    pub by_day: Vec<DaySales>,
    pub previous_by_day: Vec<DaySales>,
    pub geography: AudienceGeography,
    pub audience: SeasonAudience,
    /// (category, valid tickets, revenue), most tickets first.
    pub tariffs: Vec<(TariffCategory, u64, Cents)>,
    pub sources: Vec<SourceLine>,
}

/// The season compared with: the previous one, whole, or as it stood a year before `today`
/// while this season is under way.
#[derive(Debug, Clone)]
pub struct Before {
    pub summary: SeasonSummary,
    /// The day of the previous season its figures stand on, when compared at the same date.
    pub same_date: Option<NaiveDate>,
}

/// A source of the data, and how fresh it is.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceLine {
    pub name: String,
    pub kind: String,
    /// The last import, in the venue's time zone.
    pub last_import: Option<NaiveDateTime>,
    pub imports: u64,
    pub quarantined: u64,
}

impl SeasonFigures {
    /// Whether the season still has days to come.
    pub fn under_way(&self) -> bool {
        self.today < self.season.end_exclusive()
    }
}

/// The key figures, in the order shown.
const KEY_FIGURES: [SummaryField; 8] = [
    SummaryField::Tickets,
    SummaryField::Revenue,
    SummaryField::FillRate,
    SummaryField::Performances,
    SummaryField::AveragePrice,
    SummaryField::Patrons,
    SummaryField::FirstTimerShare,
    SummaryField::SubscriptionShare,
];

/// How many shows the table of shows lists, and the map names.
const SHOWS_LISTED: usize = 12;
const COMMUNES_NAMED: usize = 8;
const DEPARTEMENTS_LISTED: usize = 8;

/// A figure's value shown in `lang`: counts grouped, money in euros, shares in percent.
pub fn show_value(field: SummaryField, value: f64, lang: Lang) -> String {
    match field {
        SummaryField::Revenue | SummaryField::AveragePrice => format::money_f64(value, lang),
        f if f.is_share() => format::percent(value, lang),
        _ => format::count(value.max(0.0).round() as u64, lang),
    }
}

/// A change shown with its sign: points for shares, percent otherwise.
pub fn show_change(field: SummaryField, change: f64, lang: Lang) -> String {
    // A change that rounds to nothing (0,0) takes no sign.
    let sign = match (change * 1000.0).round() {
        r if r > 0.0 => "+",
        r if r < 0.0 => "\u{2212}",
        _ => "",
    };
    if field.is_share() {
        format!("{sign}{}", format::points(change.abs(), lang))
    } else {
        format!("{sign}{}", format::percent(change.abs(), lang))
    }
}

/// The name of a figure of the summary.
pub fn field_name(field: SummaryField, lang: Lang) -> &'static str {
    match field {
        SummaryField::Tickets => definitions::TICKETS.name(lang),
        SummaryField::Revenue => definitions::REVENUE.name(lang),
        SummaryField::FillRate => definitions::FILL_RATE.name(lang),
        SummaryField::AveragePrice => definitions::AVERAGE_PRICE.name(lang),
        SummaryField::Performances => lang.pick("Représentations", "Performances"),
        SummaryField::CancelledPerformances => {
            lang.pick("Représentations annulées", "Cancelled performances")
        }
        SummaryField::Patrons => lang.pick("Spectateurs (personnes)", "Audience (people)"),
        SummaryField::FirstTimerShare => definitions::FIRST_TIMER_SHARE.name(lang),
        SummaryField::Retention => definitions::RETENTION.name(lang),
        SummaryField::SubscriptionShare => definitions::SUBSCRIPTION_SHARE.name(lang),
        SummaryField::FreeTicketShare => definitions::FREE_TICKET_SHARE.name(lang),
    }
}

/// Whether a figure can be compared with the previous season at the same date: audience
/// figures need each buyer's history by then, which is not kept.
fn comparable_at_same_date(field: SummaryField) -> bool {
    !matches!(
        field,
        SummaryField::Patrons | SummaryField::FirstTimerShare | SummaryField::Retention
    )
}

/// This season's figure, if it can be computed.
pub(crate) fn season_figure(f: &SeasonFigures, field: SummaryField, lang: Lang) -> Option<Figure> {
    let value = field.of(&f.summary)?;
    Some(Figure {
        measure: Measure::Season(field),
        value,
        shown: show_value(field, value, lang),
    })
}

/// The compared season's figure and the change since, if both can be computed.
pub(crate) fn compared(
    f: &SeasonFigures,
    field: SummaryField,
    lang: Lang,
) -> Option<(Figure, Figure)> {
    let before = f.before.as_ref()?;
    if before.same_date.is_some() && !comparable_at_same_date(field) {
        return None;
    }
    let now = field.of(&f.summary)?;
    let then = field.of(&before.summary)?;
    let change = field.change(now, then)?;
    Some((
        Figure {
            measure: Measure::Before(field),
            value: then,
            shown: show_value(field, then, lang),
        },
        Figure {
            measure: Measure::Change(field),
            value: change,
            shown: show_change(field, change, lang),
        },
    ))
}

fn group_figure(measure: Measure, field: GroupField, value: f64, lang: Lang) -> Figure {
    let shown = match field {
        GroupField::FillRate => format::percent(value, lang),
        GroupField::Revenue => format::money_f64(value, lang),
        GroupField::Tickets | GroupField::Performances => format::count(value as u64, lang),
    };
    Figure {
        measure,
        value,
        shown,
    }
}

/// Composes the report of a season.
pub fn compose(f: &SeasonFigures, lang: Lang) -> Document {
    let stands_on = if f.under_way() {
        format!(
            "{} {}",
            lang.pick(
                "Saison en cours — données arrêtées au",
                "Season under way — figures as of"
            ),
            format::date(f.today, lang)
        )
    } else {
        format!(
            "{} {}",
            lang.pick("Données arrêtées au", "Figures as of"),
            format::date(f.today, lang)
        )
    };
    let mut sections = vec![glance(f, lang), sales(f, lang), shows(f, lang)];
    sections.push(audiences(f, lang));
    sections.push(methods(f, lang));
    Document {
        lang,
        title: format!(
            "{} {}",
            lang.pick("Bilan de la saison", "Season report"),
            f.season.label()
        ),
        venue: f.venue.clone(),
        stands_on,
        sections,
    }
}

fn glance(f: &SeasonFigures, lang: Lang) -> Section {
    let keys = KEY_FIGURES
        .iter()
        .filter_map(|&field| {
            Some(KeyFigure {
                name: field_name(field, lang).to_owned(),
                figure: season_figure(f, field, lang)?,
                before: compared(f, field, lang),
            })
        })
        .collect();
    let mut blocks = vec![Block::KeyFigures(keys)];
    if let Some(before) = &f.before {
        blocks.push(Block::Note(match before.same_date {
            Some(day) => format!(
                "{} {} {}.",
                lang.pick(
                    "Évolutions calculées par rapport à la saison",
                    "Changes computed against season"
                ),
                f.season.previous().label(),
                match lang {
                    Lang::Fr => format!("telle qu'elle était le {}", format::date(day, lang)),
                    Lang::En => format!("as it stood on {}", format::date(day, lang)),
                }
            ),
            None => format!(
                "{} {} {}",
                lang.pick(
                    "Évolutions calculées par rapport à la saison",
                    "Changes computed against season"
                ),
                f.season.previous().label(),
                lang.pick(
                    "entière ; les parts varient en points.",
                    "as a whole; shares change in points."
                ),
            ),
        }));
    }
    // The whole story on one page, for those who read nothing else; the sections after it
    // hold the charts and tables it is drawn from.
    for paragraph in narrative::overview(f, lang)
        .into_iter()
        .chain(narrative::sales(f, lang))
        .chain(narrative::shows(f, lang))
        .chain(narrative::audiences(f, lang))
    {
        blocks.push(Block::Paragraph(paragraph));
    }
    Section {
        title: lang.pick("L'essentiel", "At a glance").to_owned(),
        blocks,
    }
}

fn sales(f: &SeasonFigures, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if let Some(weeks) = season_weeks(f.season, &f.by_day, &f.previous_by_day) {
        let top = weeks.peak();
        let mut series = vec![Series {
            name: f.season.label(),
            values: weeks.shares(false),
            dashed: false,
        }];
        if !weeks.previous_season.is_empty() {
            series.push(Series {
                name: f.season.previous().label(),
                values: weeks.shares(true),
                dashed: true,
            });
        }
        let title = lang
            .pick(
                "Billets vendus depuis l'ouverture des ventes, semaine après semaine",
                "Tickets sold since sales opened, week after week",
            )
            .to_owned();
        let label = |week: NaiveDate| format::date(week, lang);
        let last = weeks.weeks.len() - 1;
        let svg = chart::lines(
            &title,
            &series,
            (&label(weeks.weeks[0]), &label(weeks.weeks[last])),
            &format::count(top, lang),
        );
        let mut figures = Vec::new();
        for (previous, values) in [(false, &weeks.this_season), (true, &weeks.previous_season)] {
            for (week, &n) in values.iter().enumerate() {
                figures.push(Figure {
                    measure: Measure::WeekTickets { week, previous },
                    value: n as f64,
                    shown: format::count(n, lang),
                });
            }
        }
        blocks.push(Block::Chart(Chart {
            title,
            svg,
            figures,
            note: Some(
                lang.pick(
                    "Billets valides cumulés selon le jour de la commande ; la saison précédente, en pointillés, est alignée sur la même semaine de sa saison.",
                    "Valid tickets cumulated by the day they were ordered; the previous season, dashed, is aligned on the same week of its season.",
                )
                .to_owned(),
            ),
        }));
    }
    let total: u64 = f.tariffs.iter().map(|t| t.1).sum();
    if total > 0 {
        let title = lang
            .pick(
                "Répartition des billets par catégorie de tarif",
                "Tickets by tariff category",
            )
            .to_owned();
        let bars: Vec<Bar> = f
            .tariffs
            .iter()
            .map(|&(category, tickets, _)| {
                let share = tickets as f64 / total as f64;
                Bar {
                    label: category.label(lang).to_owned(),
                    value: share,
                    shown: format::percent(share, lang),
                }
            })
            .collect();
        let figures = f
            .tariffs
            .iter()
            .map(|&(category, tickets, _)| {
                let share = tickets as f64 / total as f64;
                Figure {
                    measure: Measure::TariffShare(category),
                    value: share,
                    shown: format::percent(share, lang),
                }
            })
            .collect();
        blocks.push(Block::Chart(Chart {
            svg: chart::bars(&title, &bars, None),
            title,
            figures,
            note: None,
        }));
        blocks.push(Block::Table(Table {
            caption: lang
                .pick(
                    "Billets et recette par tarif",
                    "Tickets and revenue by tariff",
                )
                .to_owned(),
            header: vec![
                lang.pick("Catégorie", "Category").to_owned(),
                definitions::TICKETS.name(lang).to_owned(),
                definitions::REVENUE.name(lang).to_owned(),
            ],
            rows: f
                .tariffs
                .iter()
                .map(|&(category, tickets, revenue)| {
                    vec![
                        Span::Text(category.label(lang).to_owned()),
                        Span::Figure(Figure {
                            measure: Measure::TariffTickets(category),
                            value: tickets as f64,
                            shown: format::count(tickets, lang),
                        }),
                        Span::Figure(Figure {
                            measure: Measure::TariffRevenue(category),
                            value: revenue.get() as f64,
                            shown: format::money(revenue, lang),
                        }),
                    ]
                })
                .collect(),
        }));
    }
    Section {
        title: lang.pick("Les ventes", "Sales").to_owned(),
        blocks,
    }
}

/// A chart of fill rates by group, with each bar's figure.
fn fill_chart<K>(
    title: String,
    groups: &[(K, jauge_analytics::Fill)],
    label: impl Fn(&K) -> String,
    measure: impl Fn(&K) -> Measure,
    lang: Lang,
) -> Block {
    let held: Vec<_> = groups
        .iter()
        .filter_map(|(k, fill)| Some((k, fill.fill_rate?)))
        .collect();
    let bars: Vec<Bar> = held
        .iter()
        .map(|(k, rate)| Bar {
            label: label(k),
            value: *rate,
            shown: format::percent(*rate, lang),
        })
        .collect();
    Block::Chart(Chart {
        svg: chart::bars(&title, &bars, Some(1.0)),
        title,
        figures: held
            .iter()
            .map(|(k, rate)| group_figure(measure(k), GroupField::FillRate, *rate, lang))
            .collect(),
        note: None,
    })
}

fn shows(f: &SeasonFigures, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    let by_discipline = fill_by(&f.performances, |p| p.discipline);
    if !by_discipline.is_empty() {
        blocks.push(fill_chart(
            lang.pick(
                "Taux de remplissage par discipline",
                "Fill rate by discipline",
            )
            .to_owned(),
            &by_discipline,
            |d: &Discipline| d.label(lang).to_owned(),
            |d: &Discipline| Measure::Discipline(*d, GroupField::FillRate),
            lang,
        ));
    }
    let by_hall = fill_by(&f.performances, |p| p.hall.clone());
    if by_hall.len() > 1 {
        blocks.push(fill_chart(
            lang.pick("Taux de remplissage par salle", "Fill rate by hall")
                .to_owned(),
            &by_hall,
            |h: &String| h.clone(),
            |h: &String| Measure::Hall(h.clone(), GroupField::FillRate),
            lang,
        ));
    }
    let ranked = shows_by_fill_rate(&f.performances);
    if !ranked.is_empty() {
        let listed = ranked.len().min(SHOWS_LISTED);
        let figure = |show: &str, field: GroupField, value: f64| {
            Span::Figure(group_figure(
                Measure::Show(show.to_owned(), field),
                field,
                value,
                lang,
            ))
        };
        blocks.push(Block::Table(Table {
            caption: if listed < ranked.len() {
                format!(
                    "{} {listed} {} {}",
                    lang.pick("Les", "The"),
                    lang.pick("spectacles les plus remplis, sur", "fullest shows, of"),
                    ranked.len()
                )
            } else {
                lang.pick(
                    "Les spectacles, du plus rempli au moins rempli",
                    "The shows, fullest first",
                )
                .to_owned()
            },
            header: vec![
                lang.pick("Spectacle", "Show").to_owned(),
                lang.pick("Représentations", "Performances").to_owned(),
                definitions::TICKETS.name(lang).to_owned(),
                definitions::FILL_RATE.name(lang).to_owned(),
                definitions::REVENUE.name(lang).to_owned(),
            ],
            rows: ranked
                .iter()
                .take(listed)
                .map(|s| {
                    vec![
                        Span::Text(s.show.clone()),
                        figure(&s.show, GroupField::Performances, s.performances as f64),
                        figure(&s.show, GroupField::Tickets, s.sales.tickets as f64),
                        match s.fill_rate {
                            Some(rate) => figure(&s.show, GroupField::FillRate, rate),
                            None => Span::Text("—".to_owned()),
                        },
                        figure(&s.show, GroupField::Revenue, s.sales.revenue.get() as f64),
                    ]
                })
                .collect(),
        }));
    }
    Section {
        title: lang.pick("Les spectacles", "The shows").to_owned(),
        blocks,
    }
}

fn audiences(f: &SeasonFigures, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if f.audience.patrons > 0 || f.audience.segments.iter().any(|&n| n > 0) {
        let title = lang
            .pick(
                "Spectateurs par profil de fidélité",
                "Audience by loyalty segment",
            )
            .to_owned();
        let bars: Vec<Bar> = SEGMENTS
            .iter()
            .map(|&s| Bar {
                label: s.label(lang).to_owned(),
                value: f.audience.segment(s) as f64,
                shown: format::count(f.audience.segment(s), lang),
            })
            .collect();
        blocks.push(Block::Chart(Chart {
            svg: chart::bars(&title, &bars, None),
            title,
            figures: SEGMENTS
                .iter()
                .map(|&s| Figure {
                    measure: Measure::Segment(s),
                    value: f.audience.segment(s) as f64,
                    shown: format::count(f.audience.segment(s), lang),
                })
                .collect(),
            note: Some(definitions::SEGMENTS.text(lang).to_owned()),
        }));
    }
    let title = lang
        .pick(
            "Où habitent les acheteurs : communes à moins de 60 km du lieu (croix)",
            "Where buyers live: communes within 60 km of the venue (cross)",
        )
        .to_owned();
    let mut map = None;
    if let Some(svg) =
        crate::places::buyers_map(&title, &f.geography, &f.venue_insee, COMMUNES_NAMED, lang)
    {
        map = Some(Block::Chart(Chart {
            svg,
            title,
            figures: Vec::new(),
            note: Some(
                lang.pick(
                    "L'aire de chaque disque est proportionnelle au nombre d'acheteurs de la commune.",
                    "Each disc's area is in proportion to the commune's buyers.",
                )
                .to_owned(),
            ),
        }));
    }
    let placed = f.geography.buyers - f.geography.unplaced;
    if placed > 0 {
        let title = lang
            .pick(
                "Acheteurs selon la distance du domicile au lieu",
                "Buyers by distance from home to the venue",
            )
            .to_owned();
        let bars: Vec<Bar> = BANDS
            .iter()
            .zip(f.geography.bands)
            .map(|(band, n)| Bar {
                label: lang.pick(band.1, band.2).to_owned(),
                value: n as f64,
                shown: format::count(n, lang),
            })
            .collect();
        let bands = Block::Chart(Chart {
            svg: chart::bars(&title, &bars, None),
            title,
            figures: f
                .geography
                .bands
                .iter()
                .enumerate()
                .map(|(i, &n)| Figure {
                    measure: Measure::BandBuyers(i),
                    value: n as f64,
                    shown: format::count(n, lang),
                })
                .collect(),
            note: None,
        });
        let departements = Block::Table(Table {
            caption: lang
                .pick("Acheteurs par département", "Buyers by département")
                .to_owned(),
            header: vec![
                lang.pick("Département", "Département").to_owned(),
                lang.pick("Acheteurs", "Buyers").to_owned(),
            ],
            rows: f
                .geography
                .departements
                .iter()
                .take(DEPARTEMENTS_LISTED)
                .map(|(code, name, n)| {
                    vec![
                        Span::Text(format!("{name} ({code})")),
                        Span::Figure(Figure {
                            measure: Measure::DepartementBuyers(code.clone()),
                            value: *n as f64,
                            shown: format::count(*n, lang),
                        }),
                    ]
                })
                .collect(),
        });
        // The map beside the départements: where buyers live, near and far.
        blocks.push(match map.take() {
            Some(map) => Block::SideBySide(vec![map, departements]),
            None => departements,
        });
        blocks.push(bands);
    }
    blocks.extend(map);
    Section {
        title: lang.pick("Les publics", "Audiences").to_owned(),
        blocks,
    }
}

fn methods(f: &SeasonFigures, lang: Lang) -> Section {
    let used = [
        definitions::TICKETS,
        definitions::REVENUE,
        definitions::FILL_RATE,
        definitions::AVERAGE_PRICE,
        definitions::SUBSCRIPTION_SHARE,
        definitions::FREE_TICKET_SHARE,
        definitions::FIRST_TIMER_SHARE,
        definitions::RETENTION,
        definitions::SEGMENTS,
    ];
    let mut blocks = vec![
        Block::Definitions(
            used.iter()
                .map(|d| (d.name(lang).to_owned(), d.text(lang).to_owned()))
                .collect(),
        ),
        Block::Note(
            lang.pick(
                "Une personne est comptée une fois, même quand plusieurs fiches la décrivent dans les sources : les fiches sont rapprochées par leurs noms, adresses électroniques, téléphones et adresses. Le lieu de résidence est la commune de l'adresse de l'acheteur ; les distances sont mesurées à vol d'oiseau depuis la commune du lieu. Les montants sont TTC.",
                "A person counts once even when several records in the sources describe them: records are linked by names, email addresses, phones and addresses. Where a buyer lives is the commune of their address; distances are as the crow flies from the venue's commune. Amounts include VAT.",
            )
            .to_owned(),
        ),
    ];
    if !f.sources.is_empty() {
        blocks.push(Block::Table(Table {
            caption: lang
                .pick(
                    "Sources des données et fraîcheur",
                    "Data sources and freshness",
                )
                .to_owned(),
            header: vec![
                lang.pick("Source", "Source").to_owned(),
                lang.pick("Nature", "Kind").to_owned(),
                lang.pick("Imports", "Imports").to_owned(),
                lang.pick("Dernier import", "Last import").to_owned(),
                lang.pick("Lignes en quarantaine", "Rows in quarantine")
                    .to_owned(),
            ],
            rows: f
                .sources
                .iter()
                .map(|s| {
                    vec![
                        Span::Text(s.name.clone()),
                        Span::Text(s.kind.clone()),
                        Span::Text(format::count(s.imports, lang)),
                        Span::Text(
                            s.last_import
                                .map_or("—".to_owned(), |at| format::date_time(at, lang)),
                        ),
                        Span::Text(format::count(s.quarantined, lang)),
                    ]
                })
                .collect(),
        }));
    }
    blocks.push(Block::Note(format!(
        "{} {}.",
        lang.pick("Rapport produit par Jauge le", "Report made by Jauge on"),
        format::date(f.today, lang)
    )));
    Section {
        title: lang
            .pick(
                "Méthodes, définitions et sources",
                "Methods, definitions and sources",
            )
            .to_owned(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_carry_their_sign_unless_they_round_to_nothing() {
        let fr = Lang::Fr;
        assert_eq!(
            show_change(SummaryField::FillRate, 0.031, fr),
            "+3,1\u{a0}pts"
        );
        assert_eq!(
            show_change(SummaryField::FillRate, -0.0312, fr),
            "\u{2212}3,1\u{a0}pts"
        );
        assert_eq!(
            show_change(SummaryField::FillRate, 0.0004, fr),
            "0,0\u{a0}pts"
        );
        assert_eq!(show_change(SummaryField::Revenue, 0.083, Lang::En), "+8.3%");
        assert_eq!(
            show_value(SummaryField::Revenue, 123_456.0, fr),
            "1\u{202f}234,56\u{a0}€"
        );
        assert_eq!(
            show_value(SummaryField::Tickets, 18_795.0, Lang::En),
            "18,795"
        );
    }
}
