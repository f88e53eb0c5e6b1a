//! The pages: what each gathers from the store, and what it shows — sections of text, tables
//! and charts ([`Page`]), which render as HTML and download as CSV and SVG.

use std::fmt::Write;

use chrono::NaiveDate;
use jauge_analytics::audience::{SEGMENTS, SeasonAudience, Segment};
use jauge_analytics::calendar::{DaySales, season_summary_until, season_weeks, weekly};
use jauge_analytics::crossover::{ShowAudience, discipline_crossover, shared_audiences};
use jauge_analytics::definitions::{self, Definition};
use jauge_analytics::places::{AudienceGeography, BANDS, audience_geography};
use jauge_analytics::{
    Bookings, FREQUENCY_BANDS, LEAD_TIMES, PerformanceLine, SeasonFacts, SeasonSummary, fill_by,
    median_curve, season_summary, shows_by_fill_rate,
};
use jauge_model::{Discipline, Lang, PerformanceStatus, Season};
use jauge_report::chart::{Band, Bar, Series, bars, escape, lines, lines_with_band};
use jauge_report::format;
use jauge_store::{PerformanceMix, SourceStatus, Store, StoreError};

use crate::page::{Cell, Chart, Page, Part, Row, Section, Table, href};

fn fr(lang: Lang) -> bool {
    lang == Lang::Fr
}

/// French or English.
fn pick(lang: Lang, fr_text: &'static str, en_text: &'static str) -> &'static str {
    if fr(lang) { fr_text } else { en_text }
}

/// The pages a site's header links to: each one's path, French name and English name.
pub type Nav = [(&'static str, &'static str, &'static str)];

/// The venue's pages.
const VENUE_NAV: &Nav = &[
    ("/saison", "Saison", "Season"),
    ("/publics", "Publics", "Audiences"),
    ("/croisements", "Croisements", "Crossover"),
    ("/a-venir", "À venir", "Upcoming"),
    ("/campagnes", "Campagnes", "Campaigns"),
    ("/sources", "Sources", "Sources"),
    ("/glossaire", "Glossaire", "Glossary"),
];

/// The page around `body`: header, navigation, language switch.
pub fn layout(title: &str, lang: Lang, path: &str, query: &str, body: &str) -> String {
    framed(VENUE_NAV, "/style.css", title, lang, path, query, body)
}

/// The page around `body`, in a site whose header links to `nav` and whose style is at
/// `stylesheet`.
pub fn framed(
    nav: &Nav,
    stylesheet: &str,
    title: &str,
    lang: Lang,
    path: &str,
    query: &str,
    body: &str,
) -> String {
    let mut links = String::new();
    for &(target, fr_name, en_name) in nav {
        let current = if target == path {
            r#" aria-current="page""#
        } else {
            ""
        };
        let _ = write!(
            links,
            r#"<li><a href="{}"{current}>{}</a></li>"#,
            href(target, lang, ""),
            pick(lang, fr_name, en_name)
        );
    }
    let (other, other_name) = match lang {
        Lang::Fr => (Lang::En, "English"),
        Lang::En => (Lang::Fr, "Français"),
    };
    format!(
        r#"<!doctype html>
<html lang="{code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Jauge</title>
<link rel="stylesheet" href="{stylesheet}">
</head>
<body>
<header>
<p class="brand">Jauge</p>
<nav aria-label="Pages"><ul>{links}</ul></nav>
<p class="lang"><a href="{switch}" hreflang="{other_code}" lang="{other_code}">{other_name}</a></p>
</header>
<main>
{body}
</main>
</body>
</html>
"#,
        code = pick(lang, "fr", "en"),
        title = escape(title),
        switch = href(path, other, query),
        other_code = pick(other, "fr", "en"),
    )
}

/// A page in the layout.
pub fn html(page: &Page, lang: Lang) -> String {
    layout(&page.title, lang, page.path, &page.query, &page.body(lang))
}

/// An error page.
pub fn error(message: &str) -> String {
    layout(
        "Erreur",
        Lang::Fr,
        "/error",
        "",
        &format!("<h1>Erreur</h1><p>{}</p>", escape(message)),
    )
}

pub fn no_season(lang: Lang) -> &'static str {
    pick(
        lang,
        "Aucune représentation pour cette saison. Importez des données, ou lancez `jauge demo`.",
        "No performance in this season. Import data, or run `jauge demo`.",
    )
}

/// A figure's name, linked to its definition in the glossary, with the definition as a title.
fn figure_name(d: &Definition, lang: Lang) -> Cell {
    Cell::head(d.name(lang)).linked(
        format!("{}#{}", href("/glossaire", lang, ""), d.key),
        Some(d.text(lang)),
    )
}

/// A section holding one bar chart of counts, a bar for each (label, count).
fn counts_section(
    id: &'static str,
    heading: &str,
    title: &str,
    counts: impl Iterator<Item = (String, u64)>,
    lang: Lang,
) -> Section {
    let marks: Vec<Bar> = counts
        .map(|(label, n)| Bar {
            label,
            value: n as f64,
            shown: format::count(n, lang),
        })
        .collect();
    Section {
        id,
        heading: heading.to_owned(),
        parts: vec![Part::Chart(Chart {
            id,
            svg: bars(title, &marks, None),
        })],
    }
}

/// A table of a few key figures: each one's name, and its value.
fn figures_table(id: &'static str, lang: Lang, rows: Vec<Row>) -> Table {
    Table {
        id,
        caption: None,
        figures: true,
        head: vec![
            pick(lang, "Indicateur", "Figure").to_owned(),
            pick(lang, "Valeur", "Value").to_owned(),
        ],
        rows,
    }
}

/// A note under a section's heading, escaped.
fn note(text: &str) -> Part {
    Part::Html(format!(r#"<p class="note">{}</p>"#, escape(text)))
}

/// The venue's local day today.
fn today(tz: chrono_tz::Tz) -> NaiveDate {
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

/// The same day a year before (28 February for 29 February).
fn a_year_before(day: NaiveDate) -> NaiveDate {
    day.checked_sub_months(chrono::Months::new(12))
        .unwrap_or(day)
}

/// The figures of a season page: the season's, and the previous one's, whole and at the same
/// date.
pub struct SeasonData {
    pub venue: String,
    pub time_zone: chrono_tz::Tz,
    pub season: Season,
    pub seasons: Vec<Season>,
    pub summary: SeasonSummary,
    /// The previous season, whole.
    pub previous: Option<SeasonSummary>,
    /// The previous season as it stood a year before the day this season's figures stand on,
    /// while this season is under way or seen as of a day.
    pub previous_same_date: Option<(NaiveDate, SeasonSummary)>,
    pub performances: Vec<PerformanceLine>,
    /// The season's sales by order day, and the previous season's.
    pub by_day: Vec<DaySales>,
    pub previous_by_day: Vec<DaySales>,
    /// The day the figures stand on, when not today.
    pub as_of: Option<NaiveDate>,
}

/// The season a page asks for (a label such as `2025-2026`), else the one under way on
/// `today`, else the latest; `None` when there is no such season among `seasons`.
pub fn chosen_season(
    seasons: &[Season],
    wanted: Option<&str>,
    start: jauge_model::SeasonStartMonth,
    today: NaiveDate,
) -> Option<Season> {
    match wanted {
        Some(label) => Season::parse(label, start)
            .ok()
            .filter(|season| seasons.contains(season)),
        None => {
            let current = Season::containing(today, start);
            if seasons.contains(&current) {
                Some(current)
            } else {
                seasons.last().copied()
            }
        }
    }
}

/// Gathers a season page's figures: the season asked for (a label such as `2025-2026`), else
/// the one under way, else the latest. `None` when there is no venue or no such season.
pub fn season_data(
    store: &dyn Store,
    wanted: Option<&str>,
) -> Result<Option<SeasonData>, StoreError> {
    let Some(setup) = store.setup()? else {
        return Ok(None);
    };
    let seasons = store.seasons()?;
    let today = today(setup.venue.time_zone);
    let Some(season) = chosen_season(&seasons, wanted, setup.venue.season_start, today) else {
        return Ok(None);
    };
    let summary = season_summary(&store.season_facts(season)?);
    let before = season.previous();
    let (previous, previous_by_day, previous_same_date) = if seasons.contains(&before) {
        let facts = store.season_facts(before)?;
        let by_day = store.season_sales_by_day(before)?;
        let same_date = season.contains(today).then(|| {
            let day = a_year_before(today);
            (day, season_summary_until(&facts, &by_day, day))
        });
        (Some(season_summary(&facts)), by_day, same_date)
    } else {
        (None, Vec::new(), None)
    };
    Ok(Some(SeasonData {
        venue: setup.venue.name.to_string(),
        time_zone: setup.venue.time_zone,
        season,
        seasons,
        summary,
        previous,
        previous_same_date,
        performances: store.season_performances(season)?,
        by_day: store.season_sales_by_day(season)?,
        previous_by_day,
        as_of: None,
    }))
}

/// A season's figures as they stood on `day`, from the daily snapshots of sales, beside the
/// previous season's on the same day a year before. Audience figures need what each buyer
/// bought by then, which snapshots do not keep: they are left out.
pub fn season_data_as_of(
    store: &dyn Store,
    wanted: Option<&str>,
    day: NaiveDate,
) -> Result<Option<SeasonData>, StoreError> {
    let Some(mut data) = season_data(store, wanted)? else {
        return Ok(None);
    };
    let summary_on = |season: Season, day: NaiveDate| -> Result<SeasonSummary, StoreError> {
        Ok(season_summary(&SeasonFacts {
            season,
            performances: store.season_sales_as_of(season, day)?,
            audience: SeasonAudience::default(),
            previous_season_patrons: 0,
        }))
    };
    data.summary = summary_on(data.season, day)?;
    let year_before = a_year_before(day);
    data.previous_same_date = data
        .previous
        .is_some()
        .then(|| {
            Ok::<_, StoreError>((
                year_before,
                summary_on(data.season.previous(), year_before)?,
            ))
        })
        .transpose()?;
    data.by_day.retain(|d| d.day <= day);
    data.previous_by_day.retain(|d| d.day <= year_before);
    data.as_of = Some(day);
    Ok(Some(data))
}

/// Links to the same page for each season.
fn seasons_nav(data: &SeasonData, lang: Lang, path: &str) -> String {
    let mut nav = format!(
        r#"<nav aria-label="{}" class="seasons"><ul>"#,
        pick(lang, "Saisons", "Seasons")
    );
    for s in &data.seasons {
        let current = if *s == data.season {
            r#" aria-current="page""#
        } else {
            ""
        };
        let _ = write!(
            nav,
            r#"<li><a href="{}"{current}>{}</a></li>"#,
            href(path, lang, &format!("saison={}", s.label())),
            s.label()
        );
    }
    nav.push_str("</ul></nav>");
    nav
}

/// A season page's heading and the links to its other seasons.
fn season_intro(data: &SeasonData, lang: Lang, title: &str, path: &str) -> String {
    format!(
        "<h1>{title} {} <small>{}</small></h1>{}",
        data.season.label(),
        escape(&data.venue),
        seasons_nav(data, lang, path)
    )
}

/// The season's key figures, each beside the previous season's at the same date and whole.
fn key_figures(data: &SeasonData, lang: Lang) -> Table {
    let all = |s: &SeasonSummary| {
        [
            (definitions::TICKETS, Cell::count(s.tickets, lang)),
            (definitions::REVENUE, Cell::money(s.revenue, lang)),
            (definitions::FILL_RATE, Cell::percent(s.fill_rate, lang)),
            (
                definitions::PAID_FILL_RATE,
                Cell::percent(s.paid_fill_rate, lang),
            ),
            (
                definitions::AVERAGE_PRICE,
                Cell::money_f64(s.average_price, lang),
            ),
            (
                definitions::FREE_TICKET_SHARE,
                Cell::percent(s.free_ticket_share, lang),
            ),
            (
                definitions::SUBSCRIPTION_SHARE,
                Cell::percent(s.subscription_share, lang),
            ),
            (
                definitions::FIRST_TIMER_SHARE,
                Cell::percent(s.first_timer_share, lang),
            ),
            (definitions::RETENTION, Cell::percent(s.retention, lang)),
        ]
    };
    let before = data.season.previous().label();
    let mut head = vec![
        pick(lang, "Indicateur", "Figure").to_owned(),
        data.season.label(),
    ];
    let mut columns = vec![all(&data.summary)];
    if let Some((day, summary)) = &data.previous_same_date {
        head.push(format!(
            "{before} {} {}",
            pick(lang, "au", "on"),
            format::date(*day, lang)
        ));
        columns.push(all(summary));
    }
    if let Some(summary) = &data.previous {
        head.push(format!("{before} {}", pick(lang, "entière", "whole")));
        columns.push(all(summary));
    }
    let rows = (0..columns[0].len())
        .map(|i| {
            let d = columns[0][i].0;
            let mut cells = vec![figure_name(&d, lang)];
            cells.extend(columns.iter().map(|c| c[i].1.clone()));
            Row {
                id: Some(d.key),
                cells,
            }
        })
        .collect();
    Table {
        id: "chiffres",
        caption: None,
        figures: true,
        head,
        rows,
    }
}

/// The season's sales week by week, cumulated, beside the previous season's at the same week
/// of its season; and the table of weeks.
fn weekly_section(data: &SeasonData, lang: Lang) -> Option<Section> {
    let now = weekly(&data.by_day);
    let aligned = season_weeks(data.season, &data.by_day, &data.previous_by_day)?;
    let previous = data.season.previous();
    let last_season = &aligned.previous_season;
    let before_sold = !last_season.is_empty();
    let top = aligned.peak();
    let mut series = vec![Series {
        name: data.season.label(),
        values: aligned.shares(false),
        dashed: false,
    }];
    if before_sold {
        series.push(Series {
            name: format!(
                "{} {}",
                previous.label(),
                pick(
                    lang,
                    "(même semaine de saison)",
                    "(same week of its season)"
                )
            ),
            values: aligned.shares(true),
            dashed: true,
        });
    }
    let label = |week: NaiveDate| format::date(week, lang);
    let svg = lines(
        pick(
            lang,
            "Billets vendus depuis l'ouverture des ventes, semaine après semaine",
            "Tickets sold since sales opened, week after week",
        ),
        &series,
        (
            &label(aligned.weeks[0]),
            &label(aligned.weeks[aligned.weeks.len() - 1]),
        ),
        &format::count(top, lang),
    );
    let mut total = 0;
    let rows = now
        .iter()
        .map(|w| {
            total += w.sales.tickets;
            let before_then = aligned
                .weeks
                .iter()
                .position(|&week| week == w.day)
                .and_then(|at| last_season.get(at))
                .copied();
            vec![
                Cell::date(w.day, lang),
                Cell::count(w.sales.tickets, lang),
                Cell::money(w.sales.revenue, lang),
                Cell::count(total, lang),
                match before_then {
                    Some(n) if before_sold => Cell::count(n, lang),
                    _ => Cell::none(),
                },
            ]
            .into()
        })
        .collect();
    Some(Section {
        id: "semaines",
        heading: pick(lang, "Ventes par semaine", "Weekly sales").to_owned(),
        parts: vec![
            Part::Chart(Chart {
                id: "semaines",
                svg,
            }),
            Part::Table(Table {
                id: "semaines",
                caption: None,
                figures: false,
                head: vec![
                    pick(lang, "Semaine du", "Week of").to_owned(),
                    definitions::TICKETS.name(lang).to_owned(),
                    definitions::REVENUE.name(lang).to_owned(),
                    pick(lang, "Billets cumulés", "Tickets so far").to_owned(),
                    format!(
                        "{} {}",
                        previous.label(),
                        pick(lang, "cumulés, même semaine", "so far, same week")
                    ),
                ],
                rows,
            }),
            note(pick(
                lang,
                "Billets valides des représentations maintenues, selon le jour de la commande ; la saison précédente est alignée sur la même semaine de sa saison.",
                "Valid tickets of the performances held, by the day they were ordered; the previous season is aligned on the same week of its season.",
            )),
        ],
    })
}

/// How many shows the top and the bottom of the ranking show.
const RANKED: usize = 5;

/// The fullest and the emptiest shows of the season.
fn ranked_shows(data: &SeasonData, lang: Lang) -> Option<Section> {
    let shows = shows_by_fill_rate(&data.performances);
    if shows.len() < 2 {
        return None;
    }
    let half = RANKED.min(shows.len() / 2);
    let table = |id: &'static str, caption: &str, part: &[jauge_analytics::ShowSeason]| {
        Part::Table(Table {
            id,
            caption: Some(caption.to_owned()),
            figures: false,
            head: vec![
                pick(lang, "Spectacle", "Show").to_owned(),
                pick(lang, "Représentations", "Performances").to_owned(),
                definitions::TICKETS.name(lang).to_owned(),
                definitions::FILL_RATE.name(lang).to_owned(),
            ],
            rows: part
                .iter()
                .map(|show| {
                    vec![
                        Cell::head(&show.show),
                        Cell::count(show.performances, lang),
                        Cell::count(show.sales.tickets, lang),
                        Cell::percent(show.fill_rate, lang),
                    ]
                    .into()
                })
                .collect(),
        })
    };
    Some(Section {
        id: "shows",
        heading: pick(
            lang,
            "Spectacles les plus et les moins remplis",
            "Fullest and emptiest shows",
        )
        .to_owned(),
        parts: vec![
            table(
                "plus-remplis",
                pick(lang, "Les plus remplis", "Fullest"),
                &shows[..half],
            ),
            table(
                "moins-remplis",
                pick(lang, "Les moins remplis", "Emptiest"),
                &shows[shows.len() - half..],
            ),
        ],
    })
}

/// The fill rate of the performances held each month (in the venue's time zone), as bars.
fn fill_chart(data: &SeasonData, lang: Lang) -> String {
    use chrono::Datelike;
    let months = fill_by(&data.performances, |p| {
        let day = p.starts_at.with_timezone(&data.time_zone).date_naive();
        day.with_day(1).unwrap_or(day)
    });
    let marks: Vec<Bar> = months
        .iter()
        .filter_map(|(month, fill)| {
            let rate = fill.fill_rate?;
            Some(Bar {
                label: format::month(*month, lang),
                value: rate,
                shown: format::percent(rate, lang),
            })
        })
        .collect();
    bars(
        pick(
            lang,
            "Taux de remplissage des représentations de chaque mois",
            "Fill rate of each month's performances",
        ),
        &marks,
        Some(1.0),
    )
}

/// The season's performances, each linked to its page.
fn performances_table(data: &SeasonData, lang: Lang) -> Table {
    let head = if fr(lang) {
        [
            "Date",
            "Spectacle",
            "Salle",
            "Jauge",
            "Billets",
            "Remplissage",
            "Recette TTC",
        ]
    } else {
        [
            "Date",
            "Show",
            "Hall",
            "Capacity",
            "Tickets",
            "Fill rate",
            "Revenue",
        ]
    };
    let rows = data
        .performances
        .iter()
        .map(|p| {
            let local = p.starts_at.with_timezone(&data.time_zone).naive_local();
            let show = if p.sales.status == PerformanceStatus::Cancelled {
                format!("{} ({})", p.show, pick(lang, "annulée", "cancelled"))
            } else {
                p.show.clone()
            };
            vec![
                Cell::date_time(local, lang),
                Cell::text(show)
                    .linked(href("/representation", lang, &format!("id={}", p.id)), None),
                Cell::text(&p.hall),
                Cell::count(u64::from(p.sales.capacity.get()), lang),
                Cell::count(p.sales.sales.tickets, lang),
                Cell::percent(p.fill_rate(), lang),
                Cell::money(p.sales.sales.revenue, lang),
            ]
            .into()
        })
        .collect();
    Table {
        id: "representations",
        caption: None,
        figures: false,
        head: head.map(str::to_owned).to_vec(),
        rows,
    }
}

/// How many performances a season page lists itself; a season with more links to the page
/// that lists them all, so that the overview stays light whatever the venue's size.
const INLINE_PERFORMANCES: usize = 100;

/// The season's performances: the table, or when there are more than `most`, a link to the
/// page that lists them.
fn performances_section(data: &SeasonData, lang: Lang, most: usize) -> Section {
    let label = data.season.label();
    let part = if data.performances.len() <= most {
        Part::Table(performances_table(data, lang))
    } else {
        Part::Html(format!(
            r#"<p><a href="{}">{} {}</a></p>"#,
            href("/representations", lang, &format!("saison={label}")),
            pick(lang, "Les", "All"),
            escape(&if fr(lang) {
                format!(
                    "{} représentations de la saison, avec leur remplissage et leur recette",
                    format::count(data.performances.len() as u64, lang)
                )
            } else {
                format!(
                    "{} performances of the season, with their fill rate and revenue",
                    format::count(data.performances.len() as u64, lang)
                )
            })
        ))
    };
    Section {
        id: "performances",
        heading: pick(lang, "Représentations", "Performances").to_owned(),
        parts: vec![part],
    }
}

/// The page listing every performance of a season.
pub fn performances(data: &SeasonData, lang: Lang) -> Page {
    let label = data.season.label();
    let title = pick(lang, "Représentations", "Performances");
    Page {
        notice: None,
        title: format!("{title} {label}"),
        path: "/representations",
        query: format!("saison={label}"),
        intro: season_intro(data, lang, title, "/representations"),
        sections: vec![performances_section(data, lang, usize::MAX)],
    }
}

/// The season page.
pub fn season(data: &SeasonData, lang: Lang) -> Page {
    let label = data.season.label();
    let mut query = format!("saison={label}");
    if let Some(day) = data.as_of {
        let _ = write!(query, "&amp;au={day}");
    }
    let title = pick(lang, "Saison", "Season");
    let mut intro = season_intro(data, lang, title, "/saison");
    let _ = write!(
        intro,
        r#"<form method="get" action="/saison" class="as-of"><input type="hidden" name="saison" value="{label}">{}<label for="au">{}</label> <input type="date" id="au" name="au" value="{}"> <button type="submit">{}</button></form>"#,
        if lang == Lang::En {
            r#"<input type="hidden" name="lang" value="en">"#
        } else {
            ""
        },
        pick(lang, "Chiffres au", "Figures as of"),
        data.as_of.map(|d| d.to_string()).unwrap_or_default(),
        pick(lang, "Afficher", "Show"),
    );
    let en = if lang == Lang::En { "&amp;lang=en" } else { "" };
    let _ = write!(
        intro,
        r#"<p class="report">{} <a href="/bilan?saison={label}{en}">HTML</a>{}</p>"#,
        pick(
            lang,
            "Le bilan de la saison, pour un conseil d'administration ou un financeur :",
            "The season report, for a board or a funder:"
        ),
        // Linked only where this server was built with PDF reports.
        if cfg!(feature = "pdf") {
            format!(r#" · <a href="/bilan.pdf?saison={label}{en}">PDF</a>"#)
        } else {
            String::new()
        },
    );
    if let Some(day) = data.as_of {
        let _ = write!(
            intro,
            r#"<p class="note">{}</p>"#,
            escape(&if fr(lang) {
                format!(
                    "Ventes telles que connues le {} (et la saison précédente un an plus tôt), d'après les instantanés quotidiens ; les chiffres de publics sont ceux d'aujourd'hui et ne sont pas repris ici.",
                    format::date(day, lang)
                )
            } else {
                format!(
                    "Sales as known on {} (and the previous season a year earlier), from the daily snapshots; audience figures are today's and are not shown here.",
                    format::date(day, lang)
                )
            })
        );
    }
    let mut sections = vec![Section {
        id: "figures",
        heading: pick(lang, "Chiffres clés", "Key figures").to_owned(),
        parts: vec![
            Part::Table(key_figures(data, lang)),
            note(pick(
                lang,
                "Une saison en cours compte les billets déjà vendus ; « au » donne la saison précédente telle qu'elle était un an plus tôt, pour comparer à date égale (les figures de publics n'y sont pas connues).",
                "A season under way counts the tickets sold so far; \"on\" gives the previous season as it stood a year earlier, to compare at the same date (audience figures are not known there).",
            )),
        ],
    }];
    sections.extend(weekly_section(data, lang));
    sections.extend(ranked_shows(data, lang));
    sections.push(Section {
        id: "fill",
        heading: pick(lang, "Remplissage par mois", "Fill rate by month").to_owned(),
        parts: vec![Part::Chart(Chart {
            id: "remplissage",
            svg: fill_chart(data, lang),
        })],
    });
    sections.push(performances_section(data, lang, INLINE_PERFORMANCES));
    Page {
        notice: None,
        title: format!("{title} {label}"),
        path: "/saison",
        query,
        intro,
        sections,
    }
}

/// A performance's page: its figures and its booking curve beside comparable ones'.
pub struct PerformanceData {
    pub time_zone: chrono_tz::Tz,
    pub bookings: Bookings,
    pub comparables: Vec<Bookings>,
    pub mix: PerformanceMix,
    /// For a performance to come: the days until it, and its forecast final tickets.
    pub forecast: Option<(u32, jauge_forecast::Forecast)>,
}

fn capacity_f64(line: &PerformanceLine) -> f64 {
    f64::from(line.sales.capacity.get())
}

/// How many days before a performance its booking curve starts.
const HORIZON: u32 = 120;

pub fn performance_data(store: &dyn Store, id: i64) -> Result<Option<PerformanceData>, StoreError> {
    let Some(setup) = store.setup()? else {
        return Ok(None);
    };
    let Some(bookings) = store.bookings(&[id])?.pop() else {
        return Ok(None);
    };
    let comparables = store
        .bookings(&store.comparable_performances(id)?)?
        .into_iter()
        .filter(|b| b.performance.sales.sales.tickets > 0)
        .collect();
    let mix = store.performance_mix(id)?;
    let today = today(setup.venue.time_zone);
    let day = bookings
        .performance
        .starts_at
        .with_timezone(&setup.venue.time_zone)
        .date_naive();
    let forecast = if day >= today {
        let observed: Vec<jauge_forecast::Observed> =
            jauge_forecast::from_store::observed(store, &setup)?
                .into_iter()
                .map(|(o, _)| o)
                .collect();
        let days = u32::try_from((day - today).num_days()).unwrap_or(0);
        let past: Vec<&jauge_forecast::Observed> =
            observed.iter().filter(|o| o.day < today).collect();
        observed.iter().find(|o| o.id == id).and_then(|target| {
            let forecast =
                jauge_forecast::calibrate(days, &past, &observed)?.forecast(target, &observed)?;
            Some((days, forecast))
        })
    } else {
        None
    };
    Ok(Some(PerformanceData {
        time_zone: setup.venue.time_zone,
        bookings,
        comparables,
        mix,
        forecast,
    }))
}

/// The performance page.
pub fn performance(data: &PerformanceData, lang: Lang) -> Page {
    let line = &data.bookings.performance;
    let local = line.starts_at.with_timezone(&data.time_zone).naive_local();
    let intro = format!(
        "<h1>{} <small>{} — {}</small></h1>",
        escape(&line.show),
        escape(&format::date_time(local, lang)),
        escape(&line.hall)
    );
    let figures = figures_table(
        "chiffres",
        lang,
        vec![
            vec![
                Cell::head(pick(lang, "Jauge", "Capacity")),
                Cell::count(u64::from(line.sales.capacity.get()), lang),
            ]
            .into(),
            vec![
                figure_name(&definitions::TICKETS, lang),
                Cell::count(line.sales.sales.tickets, lang),
            ]
            .into(),
            vec![
                figure_name(&definitions::FILL_RATE, lang),
                Cell::percent(line.fill_rate(), lang),
            ]
            .into(),
            vec![
                figure_name(&definitions::REVENUE, lang),
                Cell::money(line.sales.sales.revenue, lang),
            ]
            .into(),
        ],
    );

    let own = data.bookings.curve(HORIZON);
    let others: Vec<Vec<f64>> = data.comparables.iter().map(|b| b.curve(HORIZON)).collect();
    let median = median_curve(&others);
    // A performance to come has sold nothing yet after today: its line stops today.
    let drawn: Vec<f64> = match data.forecast {
        Some((days, _)) => own
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if (HORIZON as usize) < i + days as usize {
                    f64::NAN
                } else {
                    *v
                }
            })
            .collect(),
        None => own.clone(),
    };
    let mut series = vec![Series {
        name: pick(lang, "Cette représentation", "This performance").to_owned(),
        values: drawn,
        dashed: false,
    }];
    if !median.is_empty() {
        series.push(Series {
            name: format!(
                "{} ({} {})",
                pick(
                    lang,
                    "Médiane des représentations comparables",
                    "Median of comparable performances"
                ),
                format::count(others.len() as u64, lang),
                pick(
                    lang,
                    "de la même salle, saisons précédentes",
                    "in the same hall, earlier seasons"
                )
            ),
            values: median.clone(),
            dashed: true,
        });
    }
    let band = data.forecast.map(|(_, f)| Band {
        low: f.low / capacity_f64(line),
        value: f.tickets / capacity_f64(line),
        high: f.high / capacity_f64(line),
        name: format!(
            "{} : {} ({} – {}, {})",
            pick(lang, "Prévision", "Forecast"),
            format::count(f.tickets.round() as u64, lang),
            format::count(f.low.round() as u64, lang),
            format::count(f.high.round() as u64, lang),
            pick(lang, "8 fois sur 10", "8 times out of 10"),
        ),
    });
    let curve = lines_with_band(
        pick(
            lang,
            "Part de la jauge vendue, jour après jour, jusqu'à la représentation",
            "Share of the capacity sold, day by day, up to the performance",
        ),
        &series,
        (&format!("J-{HORIZON}"), pick(lang, "J", "D")),
        &format::percent(1.0, lang),
        band.as_ref(),
    );
    let curve_rows = [90u32, 60, 30, 14, 7, 1, 0]
        .into_iter()
        .map(|days| {
            let at = (HORIZON - days) as usize;
            vec![
                Cell::head(days.to_string()),
                // Days not reached yet have no sales to show.
                match data.forecast {
                    Some((to_go, _)) if days < to_go => Cell::none(),
                    _ => Cell::percent(Some(own[at]), lang),
                },
                Cell::percent(median.get(at).copied(), lang),
            ]
            .into()
        })
        .collect();
    let sections = vec![
        Section {
            id: "figures",
            heading: pick(lang, "Chiffres", "Figures").to_owned(),
            parts: vec![Part::Table(figures)],
        },
        Section {
            id: "curve",
            heading: pick(lang, "Courbe de réservation", "Booking curve").to_owned(),
            parts: vec![
                Part::Chart(Chart {
                    id: "courbe",
                    svg: curve,
                }),
                Part::Table(Table {
                    id: "courbe",
                    caption: None,
                    figures: false,
                    head: vec![
                        pick(lang, "Jours avant", "Days before").to_owned(),
                        pick(lang, "Cette représentation", "This performance").to_owned(),
                        pick(lang, "Médiane", "Median").to_owned(),
                    ],
                    rows: curve_rows,
                }),
            ],
        },
        counts_section(
            "leads",
            pick(lang, "Délai d'achat", "Lead time"),
            pick(
                lang,
                "Billets selon le nombre de jours entre l'achat et la représentation (le jour même : les ventes de dernière minute)",
                "Tickets by the days between their order and the performance (on the day: walk-ups and last-minute sales)",
            ),
            LEAD_TIMES
                .iter()
                .zip(data.bookings.lead_times())
                .map(|((_, fr_name, en_name), n)| (pick(lang, fr_name, en_name).to_owned(), n)),
            lang,
        ),
        Section {
            id: "tariffs",
            heading: pick(lang, "Tarifs", "Tariffs").to_owned(),
            parts: vec![Part::Table(Table {
                id: "tarifs",
                caption: None,
                figures: false,
                head: vec![
                    pick(lang, "Catégorie", "Category").to_owned(),
                    definitions::TICKETS.name(lang).to_owned(),
                    definitions::REVENUE.name(lang).to_owned(),
                ],
                rows: data
                    .mix
                    .tariffs
                    .iter()
                    .map(|(category, tickets, revenue)| {
                        vec![
                            Cell::head(category.label(lang)),
                            Cell::count(*tickets, lang),
                            Cell::money(*revenue, lang),
                        ]
                        .into()
                    })
                    .collect(),
            })],
        },
        counts_section(
            "channels",
            pick(lang, "Canaux de vente", "Sales channels"),
            pick(
                lang,
                "Billets par canal de vente",
                "Tickets by sales channel",
            ),
            data.mix
                .channels
                .iter()
                .map(|(channel, n)| (channel.label(lang).to_owned(), *n)),
            lang,
        ),
    ];
    Page {
        notice: None,
        title: line.show.clone(),
        path: "/representation",
        query: format!("id={}", line.id),
        intro,
        sections,
    }
}

/// Where the season's buyers live, with the season's figures.
pub struct AudienceData {
    pub season: SeasonData,
    pub geography: AudienceGeography,
    pub audience: SeasonAudience,
    /// The venue's commune: where the map is centred.
    pub venue_insee: String,
}

pub fn audience_data(
    store: &dyn Store,
    wanted: Option<&str>,
) -> Result<Option<AudienceData>, StoreError> {
    let (Some(setup), Some(season)) = (store.setup()?, season_data(store, wanted)?) else {
        return Ok(None);
    };
    let places = store.season_buyer_places(season.season)?;
    let geography = audience_geography(
        &places,
        setup.venue.insee.as_str(),
        jauge_geo::Geography::france(),
    );
    let audience = store.season_audience(season.season)?;
    Ok(Some(AudienceData {
        season,
        geography,
        audience,
        venue_insee: setup.venue.insee.as_str().to_owned(),
    }))
}

/// The map of where buyers live, within 60 km of the venue.
fn audience_map(data: &AudienceData, lang: Lang) -> Option<Part> {
    Some(Part::Chart(Chart {
        id: "carte",
        svg: jauge_report::places::buyers_map(
            pick(
                lang,
                "Acheteurs par commune, à moins de 60 km du lieu (croix)",
                "Buyers by commune, within 60 km of the venue (cross)",
            ),
            &data.geography,
            &data.venue_insee,
            8,
            lang,
        )?,
    }))
}

/// The audiences page: who came, how loyal they are, and where they live.
pub fn audiences(data: &AudienceData, lang: Lang) -> Page {
    let label = data.season.season.label();
    let title = pick(lang, "Publics", "Audiences");
    let s = &data.season.summary;
    let a = &data.audience;
    let g = &data.geography;
    let who = figures_table(
        "qui",
        lang,
        vec![
            vec![
                Cell::head(pick(lang, "Acheteurs", "Buyers")),
                Cell::count(s.patrons, lang),
            ]
            .into(),
            vec![
                figure_name(&definitions::FIRST_TIMER_SHARE, lang),
                Cell::percent(s.first_timer_share, lang),
            ]
            .into(),
            vec![
                Cell::head(pick(
                    lang,
                    "dont revenus de la saison précédente",
                    "of whom back from the previous season",
                )),
                Cell::count(s.returning, lang),
            ]
            .into(),
            vec![
                figure_name(&definitions::RETENTION, lang),
                Cell::percent(s.retention, lang),
            ]
            .into(),
            vec![
                figure_name(&definitions::LAPSED, lang),
                Cell::count(a.segment(Segment::Lapsed), lang),
            ]
            .into(),
        ],
    );
    let everyone: u64 = a.segments.iter().sum();
    let share = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
    let segments = Table {
        id: "segments",
        caption: None,
        figures: false,
        head: vec![
            definitions::SEGMENTS.name(lang).to_owned(),
            pick(lang, "Personnes", "People").to_owned(),
            "%".to_owned(),
        ],
        rows: SEGMENTS
            .iter()
            .map(|&segment| {
                let n = a.segment(segment);
                vec![
                    Cell::head(segment.label(lang)),
                    Cell::count(n, lang),
                    Cell::percent(share(n, everyone), lang),
                ]
                .into()
            })
            .collect(),
    };
    let segment_bars: Vec<Bar> = SEGMENTS
        .iter()
        .map(|&segment| Bar {
            label: segment.label(lang).to_owned(),
            value: a.segment(segment) as f64,
            shown: format::count(a.segment(segment), lang),
        })
        .collect();

    let placed = g.buyers - g.unplaced;
    let marks: Vec<Bar> = BANDS
        .iter()
        .zip(g.bands)
        .map(|((_, fr_name, en_name), n)| Bar {
            label: pick(lang, fr_name, en_name).to_owned(),
            value: n as f64,
            shown: format!(
                "{} ({})",
                format::count(n, lang),
                format::optional(share(n, placed), lang, format::percent)
            ),
        })
        .collect();
    let mut geography = vec![Part::Chart(Chart {
        id: "distances",
        svg: bars(
            pick(
                lang,
                "Acheteurs par distance entre leur commune et celle du lieu",
                "Buyers by distance between their commune and the venue's",
            ),
            &marks,
            None,
        ),
    })];
    geography.extend(audience_map(data, lang));
    geography.push(note(&if fr(lang) {
        format!(
            "{} acheteurs sur {} ont une adresse qui désigne une commune connue.",
            format::count(placed, lang),
            format::count(g.buyers, lang)
        )
    } else {
        format!(
            "{} buyers out of {} have an address naming a known commune.",
            format::count(placed, lang),
            format::count(g.buyers, lang)
        )
    }));

    let sections = vec![
        Section {
            id: "who",
            heading: pick(lang, "Qui est venu", "Who came").to_owned(),
            parts: vec![Part::Table(who)],
        },
        Section {
            id: "segments",
            heading: definitions::SEGMENTS.name(lang).to_owned(),
            parts: vec![
                Part::Chart(Chart {
                    id: "segments",
                    svg: bars(
                        pick(
                            lang,
                            "Personnes déjà venues, selon leur fidélité cette saison",
                            "People who ever came, by their loyalty this season",
                        ),
                        &segment_bars,
                        None,
                    ),
                }),
                Part::Table(segments),
                Part::Html(format!(
                    r#"<p class="note"><a href="{}#segments">{}</a></p>"#,
                    href("/glossaire", lang, ""),
                    pick(lang, "Définition des segments", "How segments are defined")
                )),
            ],
        },
        counts_section(
            "frequency",
            pick(
                lang,
                "Billets achetés par personne",
                "Tickets bought per person",
            ),
            pick(
                lang,
                "Acheteurs selon le nombre de billets achetés dans la saison",
                "Buyers by the number of tickets they bought in the season",
            ),
            FREQUENCY_BANDS
                .iter()
                .zip(a.frequency)
                .map(|((_, band), n)| {
                    (
                        format!("{band} {}", pick(lang, "billet(s)", "ticket(s)")),
                        n,
                    )
                }),
            lang,
        ),
        Section {
            id: "distance",
            heading: pick(lang, "Distance au lieu", "Distance from the venue").to_owned(),
            parts: geography,
        },
        Section {
            id: "departements",
            heading: "Départements".to_owned(),
            parts: vec![Part::Table(Table {
                id: "departements",
                caption: None,
                figures: false,
                head: vec![
                    "Département".to_owned(),
                    pick(lang, "Acheteurs", "Buyers").to_owned(),
                    "%".to_owned(),
                ],
                rows: g
                    .departements
                    .iter()
                    .take(10)
                    .map(|(code, name, n)| {
                        vec![
                            Cell::head(format!("{name} ({code})")),
                            Cell::count(*n, lang),
                            Cell::percent(share(*n, placed), lang),
                        ]
                        .into()
                    })
                    .collect(),
            })],
        },
        Section {
            id: "communes",
            heading: "Communes".to_owned(),
            parts: vec![Part::Table(Table {
                id: "communes",
                caption: None,
                figures: false,
                head: vec![
                    "Commune".to_owned(),
                    pick(lang, "Acheteurs", "Buyers").to_owned(),
                    pick(lang, "Habitants", "Inhabitants").to_owned(),
                    pick(lang, "Pour 1 000 habitants", "Per 1,000 inhabitants").to_owned(),
                    "Distance (km)".to_owned(),
                ],
                rows: g
                    .communes
                    .iter()
                    .take(20)
                    .map(|c| {
                        vec![
                            Cell::head(&c.name),
                            Cell::count(c.buyers, lang),
                            Cell::count(u64::from(c.population), lang),
                            Cell::decimal(c.per_thousand, lang),
                            Cell::count(c.distance_km.round() as u64, lang),
                        ]
                        .into()
                    })
                    .collect(),
            })],
        },
    ];
    Page {
        notice: None,
        title: format!("{title} {label}"),
        path: "/publics",
        query: format!("saison={label}"),
        intro: season_intro(&data.season, lang, title, "/publics"),
        sections,
    }
}

/// Which shows and disciplines share their audience, in a season.
pub struct CrossoverData {
    pub season: SeasonData,
    pub shows: Vec<ShowAudience>,
}

pub fn crossover_data(
    store: &dyn Store,
    wanted: Option<&str>,
) -> Result<Option<CrossoverData>, StoreError> {
    let Some(season) = season_data(store, wanted)? else {
        return Ok(None);
    };
    let shows = store.season_show_audiences(season.season)?;
    Ok(Some(CrossoverData { season, shows }))
}

/// How many pairs of shows the crossover page lists.
const PAIRS: usize = 15;

/// The crossover page.
pub fn crossover(data: &CrossoverData, lang: Lang) -> Page {
    let label = data.season.season.label();
    let title = pick(lang, "Croisements", "Crossover");
    let pairs = shared_audiences(&data.shows);
    let pairs = Table {
        id: "paires",
        caption: None,
        figures: false,
        head: vec![
            pick(lang, "Spectacle A", "Show A").to_owned(),
            pick(lang, "Spectacle B", "Show B").to_owned(),
            pick(lang, "Personnes venues aux deux", "People who came to both").to_owned(),
            pick(lang, "Part du public de A", "Share of A's audience").to_owned(),
            pick(lang, "Part du public de B", "Share of B's audience").to_owned(),
        ],
        rows: pairs
            .iter()
            .take(PAIRS)
            .map(|p| {
                vec![
                    Cell::text(&p.a),
                    Cell::text(&p.b),
                    Cell::count(p.shared, lang),
                    Cell::percent(Some(p.share_of_a), lang),
                    Cell::percent(Some(p.share_of_b), lang),
                ]
                .into()
            })
            .collect(),
    };
    let matrix = discipline_crossover(&data.shows);
    let disciplines: Vec<Discipline> = {
        let mut seen: Vec<Discipline> = data.shows.iter().map(|s| s.discipline).collect();
        seen.sort();
        seen.dedup();
        seen
    };
    let mut head = vec![pick(lang, "Discipline", "Discipline").to_owned()];
    head.extend(disciplines.iter().map(|d| d.label(lang).to_owned()));
    let between = Table {
        id: "disciplines",
        caption: None,
        figures: false,
        head,
        rows: disciplines
            .iter()
            .map(|a| {
                let mut cells = vec![Cell::head(a.label(lang))];
                cells.extend(
                    disciplines
                        .iter()
                        .map(|b| Cell::percent(matrix.get(&(*a, *b)).copied(), lang)),
                );
                cells.into()
            })
            .collect(),
    };
    Page {
        notice: None,
        title: format!("{title} {label}"),
        path: "/croisements",
        query: format!("saison={label}"),
        intro: season_intro(&data.season, lang, title, "/croisements"),
        sections: vec![
            Section {
                id: "pairs",
                heading: pick(
                    lang,
                    "Les spectacles qui partagent le plus leur public",
                    "The shows that share their audience most",
                )
                .to_owned(),
                parts: vec![Part::Table(pairs)],
            },
            Section {
                id: "disciplines",
                heading: pick(lang, "Entre disciplines", "Between disciplines").to_owned(),
                parts: vec![
                    note(pick(
                        lang,
                        "Chaque ligne : la part du public de la discipline venue aussi à un spectacle de la discipline en colonne (sur la diagonale : à un autre spectacle de la même).",
                        "Each row: the share of the discipline's audience that also came to a show of the column's discipline (on the diagonal: to another show of the same).",
                    )),
                    Part::Table(between),
                ],
            },
        ],
    }
}

/// The upcoming performances and their forecasts.
pub struct UpcomingData {
    pub venue: String,
    pub today: NaiveDate,
    pub at_risk: f64,
    /// Each upcoming performance, at-risk ones first: its forecast, and its line.
    pub rows: Vec<(jauge_forecast::Upcoming, PerformanceLine)>,
    pub time_zone: chrono_tz::Tz,
}

/// A forecast fill below this share flags a performance as at risk.
pub const AT_RISK: f64 = 0.6;

pub fn upcoming_data(store: &dyn Store) -> Result<Option<UpcomingData>, StoreError> {
    let Some(setup) = store.setup()? else {
        return Ok(None);
    };
    let tz = setup.venue.time_zone;
    let today = today(tz);
    let observed: Vec<jauge_forecast::Observed> =
        jauge_forecast::from_store::observed(store, &setup)?
            .into_iter()
            .map(|(o, _)| o)
            .collect();
    let mut rows = Vec::new();
    for u in jauge_forecast::upcoming(&observed, today, AT_RISK) {
        if let Some(line) = store.performance_line(u.id)? {
            rows.push((u, line));
        }
    }
    Ok(Some(UpcomingData {
        venue: setup.venue.name.to_string(),
        today,
        at_risk: AT_RISK,
        rows,
        time_zone: tz,
    }))
}

/// The upcoming page: each performance's forecast final tickets with its 80% interval, the
/// ones at risk first.
pub fn upcoming(data: &UpcomingData, lang: Lang) -> Page {
    let title = pick(lang, "À venir", "Upcoming");
    let intro = format!(
        "<h1>{title} <small>{}</small></h1><p class=\"note\">{}</p>",
        escape(&data.venue),
        escape(&if fr(lang) {
            format!(
                "Prévisions du {} : billets vendus à la fin, d'après les ventes à ce jour et celles des représentations comparables (même salle, même discipline, même moment de la journée), avec un intervalle qui contient le résultat 8 fois sur 10. En tête, celles dont le remplissage prévu est sous {}.",
                format::date(data.today, lang),
                format::percent(data.at_risk, lang)
            )
        } else {
            format!(
                "Forecasts of {}: final tickets, from sales to date and those of comparable performances (same hall, discipline and time of day), with an interval that holds the outcome 8 times out of 10. First, those forecast to fill less than {}.",
                format::date(data.today, lang),
                format::percent(data.at_risk, lang)
            )
        })
    );
    let head = if fr(lang) {
        [
            "Date",
            "Spectacle",
            "Jauge",
            "Vendus",
            "Prévision",
            "Bas (80 %)",
            "Haut (80 %)",
            "Remplissage prévu",
            "À risque",
        ]
    } else {
        [
            "Date",
            "Show",
            "Capacity",
            "Sold",
            "Forecast",
            "Low (80%)",
            "High (80%)",
            "Forecast fill",
            "At risk",
        ]
    };
    let rows = data
        .rows
        .iter()
        .map(|(u, line)| {
            let capacity = f64::from(line.sales.capacity.get());
            let count = |v: f64| Cell::count(v.round() as u64, lang);
            // Revenue at the average price sold so far.
            let sold = line.sales.sales.tickets;
            let price = (sold > 0).then(|| line.sales.sales.revenue.get() as f64 / sold as f64);
            let (forecast, low, high, fill, revenue) = match u.forecast {
                Some(f) => (
                    count(f.tickets),
                    count(f.low),
                    count(f.high),
                    Cell::percent(Some(f.tickets / capacity), lang),
                    Cell::money_f64(price.map(|p| f.tickets * p), lang),
                ),
                None => (
                    Cell::none(),
                    Cell::none(),
                    Cell::none(),
                    Cell::none(),
                    Cell::none(),
                ),
            };
            let local = line.starts_at.with_timezone(&data.time_zone).naive_local();
            vec![
                Cell::date_time(local, lang),
                Cell::text(&line.show).linked(
                    href("/representation", lang, &format!("id={}", line.id)),
                    None,
                ),
                Cell::count(u64::from(line.sales.capacity.get()), lang),
                count(u.sold),
                forecast,
                low,
                high,
                fill,
                revenue,
                Cell::text(if u.at_risk {
                    pick(lang, "oui", "yes")
                } else {
                    ""
                }),
            ]
            .into()
        })
        .collect();
    let marks: Vec<Bar> = data
        .rows
        .iter()
        .filter_map(|(u, line)| {
            let f = u.forecast?;
            let rate = f.tickets / f64::from(line.sales.capacity.get());
            let local = line.starts_at.with_timezone(&data.time_zone).date_naive();
            Some(Bar {
                label: format!("{} — {}", format::date(local, lang), line.show),
                value: rate,
                shown: format!(
                    "{} ({}–{})",
                    format::percent(rate, lang),
                    format::percent(f.low / f64::from(line.sales.capacity.get()), lang),
                    format::percent(f.high / f64::from(line.sales.capacity.get()), lang)
                ),
            })
        })
        .take(40)
        .collect();
    Page {
        notice: None,
        title: title.to_owned(),
        path: "/a-venir",
        query: String::new(),
        intro,
        sections: vec![
            Section {
                id: "forecasts",
                heading: pick(lang, "Prévisions", "Forecasts").to_owned(),
                parts: vec![Part::Table(Table {
                    id: "previsions",
                    caption: None,
                    figures: false,
                    head: head.map(str::to_owned).to_vec(),
                    rows,
                })],
            },
            Section {
                id: "fill",
                heading: pick(lang, "Remplissage prévu", "Forecast fill").to_owned(),
                parts: vec![Part::Chart(Chart {
                    id: "remplissage-prevu",
                    svg: bars(
                        pick(
                            lang,
                            "Remplissage prévu de chaque représentation à venir, avec son intervalle à 80 %",
                            "Forecast fill of each upcoming performance, with its 80% interval",
                        ),
                        &marks,
                        Some(1.0),
                    ),
                })],
            },
        ],
    }
}

/// The glossary: every figure's definition.
pub fn glossary(lang: Lang) -> String {
    let title = pick(lang, "Glossaire", "Glossary");
    let mut body = format!("<h1>{title}</h1><dl class=\"glossary\">");
    for d in definitions::ALL {
        let _ = write!(
            body,
            r#"<dt id="{}">{}</dt><dd>{}</dd>"#,
            d.key,
            escape(d.name(lang)),
            escape(d.text(lang))
        );
    }
    body.push_str("</dl>");
    layout(title, lang, "/glossaire", "", &body)
}

/// The sources and their health.
pub fn sources(sources: &[SourceStatus], lang: Lang) -> Page {
    let title = pick(lang, "Sources de données", "Data sources");
    let intro = format!("<h1>{title}</h1>");
    let mut parts = Vec::new();
    if sources.is_empty() {
        parts.push(Part::Html(format!(
            "<p>{}</p>",
            pick(
                lang,
                "Aucune source encore : importez un fichier avec `jauge import`, ou connectez \
                 une billetterie pretix avec `jauge connect pretix`.",
                "No source yet: import a file with `jauge import`, or connect a pretix box \
                 office with `jauge connect pretix`."
            )
        )));
    } else {
        let now = chrono::Utc::now();
        let head = if fr(lang) {
            [
                "Source",
                "Imports",
                "Dernier import",
                "Lignes en quarantaine",
                "Dérives acceptées",
                "État",
            ]
        } else {
            [
                "Source",
                "Imports",
                "Last import",
                "Quarantined rows",
                "Accepted drifts",
                "Health",
            ]
        };
        let rows = sources
            .iter()
            .map(|s| {
                let concerns: Vec<&str> = s
                    .concerns(now, jauge_store::STALE_AFTER_DAYS)
                    .iter()
                    .map(|c| c.label(lang))
                    .collect();
                let mut health = if concerns.is_empty() {
                    pick(lang, "ok", "healthy").to_owned()
                } else {
                    concerns.join(", ")
                };
                // A failing live source says why.
                if let Some(error) = &s.sync_error {
                    health.push_str(" : ");
                    health.push_str(error);
                }
                vec![
                    Cell::head(s.name.as_str()),
                    Cell::count(s.imports, lang),
                    s.last_import
                        .map_or(Cell::none(), |at| Cell::date(at.date_naive(), lang)),
                    Cell::count(s.quarantined, lang),
                    Cell::count(s.drifts, lang),
                    Cell::text(health),
                ]
                .into()
            })
            .collect();
        parts.push(Part::Table(Table {
            id: "sources",
            caption: None,
            figures: false,
            head: head.map(str::to_owned).to_vec(),
            rows,
        }));
    }
    Page {
        notice: None,
        title: title.to_owned(),
        path: "/sources",
        query: String::new(),
        intro,
        sections: vec![Section {
            id: "health",
            heading: pick(lang, "État de chaque source", "Each source's health").to_owned(),
            parts,
        }],
    }
}

/// The pages' style: readable, high contrast (AA), printable, narrow screens first.
pub const STYLE: &str = r#"
:root { color: #1a1a1a; background: #ffffff; font: 16px/1.5 system-ui, sans-serif; }
body { margin: 0 auto; max-width: 72rem; padding: 0 1rem 2rem; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; border-bottom: 2px solid #1f5f8b; }
.brand { font-weight: 700; font-size: 1.25rem; margin: .5rem 0; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; margin: .5rem 0; }
.lang { margin-left: auto; }
a { color: #0b4f7c; }
a:focus { outline: 3px solid #b35c00; outline-offset: 2px; }
a[aria-current="page"] { font-weight: 700; text-decoration: none; color: #1a1a1a; }
h1 small { font-weight: 400; color: #444444; font-size: .6em; display: block; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #cccccc; }
td.number, .figures td { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #444444; font-size: .9rem; }
figure { margin: 0; }
dl.glossary dt { font-weight: 700; margin-top: 1rem; }
.download { margin-top: -.5rem; font-size: .9rem; }
.notice { background: #fff4e5; border-left: 4px solid #b35c00; padding: .5rem .75rem; }
@media (max-width: 40rem) { table { display: block; overflow-x: auto; } }
@media print { header nav, .lang, figcaption, .download, form { display: none; } a { color: inherit; text-decoration: none; } }
"#;

/// The attribution window, in days, unless `campaigns.attribution_days` says otherwise.
pub const ATTRIBUTION_DAYS: i64 = 7;

/// The rule bookings are attributed by: the venue's settings, else 7 days and clicks only.
pub fn attribution_rule(
    store: &dyn Store,
) -> Result<jauge_analytics::campaigns::AttributionRule, StoreError> {
    let days = store
        .setting("campaigns.attribution_days")?
        .and_then(|d| d.parse::<i64>().ok())
        .filter(|d| (1..=90).contains(d))
        .unwrap_or(ATTRIBUTION_DAYS);
    let opens = store.setting("campaigns.count_opens")?.as_deref() == Some("on");
    Ok(jauge_analytics::campaigns::AttributionRule {
        window: chrono::Duration::days(days),
        opens,
    })
}

/// The campaigns page's figures.
pub struct CampaignData {
    pub results: Vec<jauge_analytics::campaigns::CampaignResult>,
    pub rule: jauge_analytics::campaigns::AttributionRule,
    pub time_zone: chrono_tz::Tz,
}

pub fn campaign_data(store: &dyn Store) -> Result<Option<CampaignData>, StoreError> {
    let Some(setup) = store.setup()? else {
        return Ok(None);
    };
    let rule = attribution_rule(store)?;
    let results = jauge_analytics::campaigns::campaign_results(&store.campaign_facts()?, rule);
    Ok(Some(CampaignData {
        results,
        rule,
        time_zone: setup.venue.time_zone,
    }))
}

/// The emailing campaigns: whom each reached, and the bookings attributed to it.
pub fn campaigns(data: &CampaignData, lang: Lang) -> Page {
    let title = pick(lang, "Campagnes d'emailing", "Emailing campaigns");
    let days = data.rule.window.num_days();
    let rule = if fr(lang) {
        format!(
            "Une commande est attribuée à la campagne sur laquelle son acheteur a cliqué en dernier{}, si c'était dans les {days} jours qui la précèdent ; chaque personne compte une fois par campagne, ses fiches rapprochées. Réglages : `jauge config set campaigns.attribution_days N`, `jauge config set campaigns.count_opens on`.",
            if data.rule.opens {
                " (ou qu'il a ouverte)"
            } else {
                ""
            }
        )
    } else {
        format!(
            "An order is attributed to the campaign its buyer last clicked{}, if that was within the {days} days before it; each person counts once a campaign, their linked records as one. Settings: `jauge config set campaigns.attribution_days N`, `jauge config set campaigns.count_opens on`.",
            if data.rule.opens { " (or opened)" } else { "" }
        )
    };
    let intro = format!("<h1>{title}</h1><p class=\"note\">{}</p>", escape(&rule));
    let mut parts = Vec::new();
    if data.results.is_empty() {
        parts.push(Part::Html(format!(
            "<p>{}</p>",
            pick(
                lang,
                "Aucune campagne encore : importez l'activité d'un outil d'emailing (Brevo, Mailchimp…) avec `jauge import`.",
                "No campaign yet: import an emailing tool's activity (Brevo, Mailchimp…) with `jauge import`."
            )
        )));
    } else {
        let head: Vec<String> = if fr(lang) {
            [
                "Envoyée le",
                "Campagne",
                "Délivrés",
                "Ont ouvert",
                "Ont cliqué",
                "Taux d'ouverture",
                "Taux de clic",
                "Désinscriptions",
                "Erreurs",
                "Plaintes",
                "Commandes attribuées",
                "Billets",
                "Recette TTC",
            ]
        } else {
            [
                "Sent on",
                "Campaign",
                "Delivered",
                "Opened",
                "Clicked",
                "Open rate",
                "Click rate",
                "Unsubscribes",
                "Bounces",
                "Complaints",
                "Orders attributed",
                "Tickets",
                "Revenue incl. VAT",
            ]
        }
        .map(str::to_owned)
        .to_vec();
        let rows = data
            .results
            .iter()
            .rev()
            .map(|c| {
                vec![
                    Cell::date(c.sent_at.with_timezone(&data.time_zone).date_naive(), lang),
                    Cell::head(c.name.as_str()),
                    Cell::count(c.delivered, lang),
                    Cell::count(c.opened, lang),
                    Cell::count(c.clicked, lang),
                    Cell::percent(c.open_rate(), lang),
                    Cell::percent(c.click_rate(), lang),
                    Cell::count(c.unsubscribed, lang),
                    Cell::count(c.bounced, lang),
                    Cell::count(c.complained, lang),
                    Cell::count(c.orders, lang),
                    Cell::count(c.tickets, lang),
                    Cell::money(c.revenue, lang),
                ]
                .into()
            })
            .collect();
        parts.push(Part::Table(Table {
            id: "campagnes",
            caption: None,
            figures: false,
            head,
            rows,
        }));
        parts.push(note(pick(
            lang,
            "Chaque personne compte une fois par campagne. Taux d'ouverture et de clic : personnes ayant ouvert (cliqué) ÷ personnes délivrées, quand l'export liste les envois délivrés. Les ouvertures sont sous-estimées ou surestimées selon les messageries (images bloquées, ouvertures automatiques). Une désinscription ou une plainte retire le consentement à la lettre d'information.",
            "Each person counts once a campaign. Open and click rates: people who opened (clicked) ÷ people delivered, when the export lists deliveries. Opens are under- or over-counted depending on mail clients (blocked images, automatic opens). An unsubscribe or a complaint withdraws consent to the newsletter.",
        )));
    }
    Page {
        notice: None,
        title: title.to_owned(),
        path: "/campagnes",
        query: String::new(),
        intro,
        sections: vec![Section {
            id: "campagnes",
            heading: pick(
                lang,
                "Chaque campagne, la plus récente d'abord",
                "Each campaign, latest first",
            )
            .to_owned(),
            parts,
        }],
    }
}
