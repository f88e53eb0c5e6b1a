//! The pages: what each shows, in HTML. Text is escaped once, where it enters the page.

use std::fmt::Write;

use jauge_analytics::audience::{SeasonAudience, Segment};
use jauge_analytics::crossover::{ShowAudience, discipline_crossover, shared_audiences};
use jauge_analytics::definitions::{self, Definition};
use jauge_analytics::places::{AudienceGeography, BANDS, audience_geography};
use jauge_analytics::{
    Bookings, FREQUENCY_BANDS, LEAD_TIMES, PerformanceLine, SeasonFacts, SeasonSummary,
    median_curve, season_summary, shows_by_fill_rate,
};
use jauge_model::{Discipline, Lang, PerformanceStatus, Season};
use jauge_report::chart::{Bar, Series, bars, escape, lines};
use jauge_report::format;
use jauge_store::{PerformanceMix, SourceStatus, SqliteStore, Store, StoreError};

/// The figures of a season page: the season's and the previous one's.
pub struct SeasonData {
    pub venue: String,
    pub time_zone: chrono_tz::Tz,
    pub season: Season,
    pub seasons: Vec<Season>,
    pub summary: SeasonSummary,
    pub previous: Option<SeasonSummary>,
    pub performances: Vec<PerformanceLine>,
    /// The day the figures stand on, when not today.
    pub as_of: Option<chrono::NaiveDate>,
}

/// Gathers a season page's figures: the season asked for (a label such as `2025-2026`), else
/// the one under way, else the latest. `None` when there is no venue or no such season.
pub fn season_data(
    store: &SqliteStore,
    wanted: Option<&str>,
) -> Result<Option<SeasonData>, StoreError> {
    let Some(setup) = store.setup()? else {
        return Ok(None);
    };
    let seasons = store.seasons()?;
    let start = setup.venue.season_start;
    let today = chrono::Utc::now()
        .with_timezone(&setup.venue.time_zone)
        .date_naive();
    let season = match wanted {
        Some(label) => match Season::parse(label, start) {
            Ok(season) if seasons.contains(&season) => season,
            _ => return Ok(None),
        },
        None => {
            let current = Season::containing(today, start);
            match seasons.last() {
                _ if seasons.contains(&current) => current,
                Some(&latest) => latest,
                None => return Ok(None),
            }
        }
    };
    let summary = season_summary(&store.season_facts(season)?);
    let previous = seasons
        .contains(&season.previous())
        .then(|| store.season_facts(season.previous()))
        .transpose()?
        .map(|facts| season_summary(&facts));
    Ok(Some(SeasonData {
        venue: setup.venue.name.to_string(),
        time_zone: setup.venue.time_zone,
        season,
        seasons,
        summary,
        previous,
        performances: store.season_performances(season)?,
        as_of: None,
    }))
}

/// A season's figures as they stood on `day`, from the daily snapshots of sales, beside the
/// previous season's on the same day a year before. Audience figures need what each buyer
/// bought by then, which snapshots do not keep: they are left out.
pub fn season_data_as_of(
    store: &SqliteStore,
    wanted: Option<&str>,
    day: chrono::NaiveDate,
) -> Result<Option<SeasonData>, StoreError> {
    let Some(mut data) = season_data(store, wanted)? else {
        return Ok(None);
    };
    let summary_on =
        |season: Season, day: chrono::NaiveDate| -> Result<SeasonSummary, StoreError> {
            Ok(season_summary(&SeasonFacts {
                season,
                performances: store.season_sales_as_of(season, day)?,
                audience: Default::default(),
                previous_season_patrons: 0,
            }))
        };
    data.summary = summary_on(data.season, day)?;
    let year_before = day
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(day);
    data.previous = data
        .seasons
        .contains(&data.season.previous())
        .then(|| summary_on(data.season.previous(), year_before))
        .transpose()?;
    data.as_of = Some(day);
    Ok(Some(data))
}

fn fr(lang: Lang) -> bool {
    lang == Lang::Fr
}

/// A link to `path` in `lang`, with `query` (already escaped) if any.
fn href(path: &str, lang: Lang, query: &str) -> String {
    let mut parts = Vec::new();
    if lang == Lang::En {
        parts.push("lang=en".to_owned());
    }
    if !query.is_empty() {
        parts.push(query.to_owned());
    }
    if parts.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", parts.join("&amp;"))
    }
}

/// The page around `body`: header, navigation, language switch.
fn layout(title: &str, lang: Lang, path: &str, query: &str, body: &str) -> String {
    let nav = [
        ("/saison", "Saison", "Season"),
        ("/publics", "Publics", "Audiences"),
        ("/croisements", "Croisements", "Crossover"),
        ("/sources", "Sources", "Sources"),
        ("/glossaire", "Glossaire", "Glossary"),
    ];
    let mut links = String::new();
    for (target, fr_name, en_name) in nav {
        let current = if target == path {
            r#" aria-current="page""#
        } else {
            ""
        };
        let _ = write!(
            links,
            r#"<li><a href="{}"{current}>{}</a></li>"#,
            href(target, lang, ""),
            if fr(lang) { fr_name } else { en_name }
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
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header>
<p class="brand">Jauge</p>
<nav aria-label="{nav_label}"><ul>{links}</ul></nav>
<p class="lang"><a href="{switch}" hreflang="{other_code}" lang="{other_code}">{other_name}</a></p>
</header>
<main>
{body}
</main>
</body>
</html>
"#,
        code = if fr(lang) { "fr" } else { "en" },
        title = escape(title),
        nav_label = "Pages",
        switch = href(path, other, query),
        other_code = if fr(other) { "fr" } else { "en" },
    )
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
    if fr(lang) {
        "Aucune représentation pour cette saison. Importez des données, ou lancez `jauge demo`."
    } else {
        "No performance in this season. Import data, or run `jauge demo`."
    }
}

/// A figure's name, linked to its definition in the glossary, with the definition as a title.
fn figure_name(d: &Definition, lang: Lang) -> String {
    format!(
        r#"<a href="{}#{}" title="{}">{}</a>"#,
        href("/glossaire", lang, ""),
        d.key,
        escape(d.text(lang)),
        escape(d.name(lang))
    )
}

/// The season's figures, each beside the previous season's.
fn figures(data: &SeasonData, lang: Lang) -> Vec<(Definition, String, Option<String>)> {
    let pct = |v: Option<f64>| format::optional(v, lang, format::percent);
    let money = |v: Option<f64>| format::optional(v, lang, format::money_f64);
    let all = |s: &SeasonSummary| {
        [
            (definitions::TICKETS, format::count(s.tickets, lang)),
            (definitions::REVENUE, format::money(s.revenue, lang)),
            (definitions::FILL_RATE, pct(s.fill_rate)),
            (definitions::PAID_FILL_RATE, pct(s.paid_fill_rate)),
            (definitions::AVERAGE_PRICE, money(s.average_price)),
            (definitions::FREE_TICKET_SHARE, pct(s.free_ticket_share)),
            (definitions::FIRST_TIMER_SHARE, pct(s.first_timer_share)),
            (definitions::RETENTION, pct(s.retention)),
        ]
    };
    let previous = data.previous.as_ref().map(all);
    all(&data.summary)
        .into_iter()
        .enumerate()
        .map(|(i, (d, now))| (d, now, previous.as_ref().map(|p| p[i].1.clone())))
        .collect()
}

/// Links to the same page for each season.
fn seasons_nav(data: &SeasonData, lang: Lang, path: &str) -> String {
    let mut nav = String::from(r#"<nav aria-label="Saisons" class="seasons"><ul>"#);
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

/// Where the season's buyers live, with the season's figures.
pub struct AudienceData {
    pub season: SeasonData,
    pub geography: AudienceGeography,
    pub audience: SeasonAudience,
}

pub fn audience_data(
    store: &SqliteStore,
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
    }))
}

/// The audiences page: who came, and where they live.
pub fn audiences(data: &AudienceData, lang: Lang) -> String {
    let label = data.season.season.label();
    let query = format!("saison={label}");
    let s = &data.season.summary;
    let g = &data.geography;
    let mut body = format!(
        "<h1>{} {label} <small>{}</small></h1>",
        if fr(lang) { "Publics" } else { "Audiences" },
        escape(&data.season.venue)
    );
    body.push_str(&seasons_nav(&data.season, lang, "/publics"));
    let people = [
        (
            if fr(lang) { "Acheteurs" } else { "Buyers" },
            format::count(s.patrons, lang),
        ),
        (
            if fr(lang) {
                "dont primo-spectateurs"
            } else {
                "of whom first-timers"
            },
            format::count(s.first_timers, lang),
        ),
        (
            if fr(lang) {
                "dont revenus de la saison précédente"
            } else {
                "of whom back from the previous season"
            },
            format::count(s.returning, lang),
        ),
        (
            definitions::RETENTION.name(lang),
            format::optional(s.retention, lang, format::percent),
        ),
        (
            definitions::LAPSED.name(lang),
            format::count(data.audience.segment(Segment::Lapsed), lang),
        ),
    ];
    let _ = write!(
        body,
        r#"<section aria-labelledby="who"><h2 id="who">{}</h2><table class="figures"><tbody>"#,
        if fr(lang) { "Qui est venu" } else { "Who came" }
    );
    for (name, value) in people {
        let _ = write!(
            body,
            r#"<tr><th scope="row">{}</th><td>{}</td></tr>"#,
            escape(name),
            escape(&value)
        );
    }
    body.push_str("</tbody></table></section>");

    body.push_str(&counts_section(
        "frequency",
        if fr(lang) {
            "Billets achetés par personne"
        } else {
            "Tickets bought per person"
        },
        if fr(lang) {
            "Acheteurs selon le nombre de billets achetés dans la saison"
        } else {
            "Buyers by the number of tickets they bought in the season"
        },
        FREQUENCY_BANDS
            .iter()
            .zip(data.audience.frequency)
            .map(|((_, band), n)| {
                let unit = if fr(lang) { "billet(s)" } else { "ticket(s)" };
                (format!("{band} {unit}"), n)
            }),
        lang,
    ));

    let placed = g.buyers - g.unplaced;
    let share = |n: u64| {
        format::optional(
            (placed > 0).then(|| n as f64 / placed as f64),
            lang,
            format::percent,
        )
    };
    let marks: Vec<Bar> = BANDS
        .iter()
        .zip(g.bands)
        .map(|((_, fr_name, en_name), n)| Bar {
            label: if fr(lang) { fr_name } else { en_name }.to_string(),
            value: n as f64,
            shown: format!("{} ({})", format::count(n, lang), share(n)),
        })
        .collect();
    let _ = write!(
        body,
        r#"<section aria-labelledby="distance"><h2 id="distance">{}</h2><figure>{}</figure><p class="note">{}</p></section>"#,
        if fr(lang) {
            "Distance au lieu"
        } else {
            "Distance from the venue"
        },
        bars(
            if fr(lang) {
                "Acheteurs par distance entre leur commune et celle du lieu"
            } else {
                "Buyers by distance between their commune and the venue's"
            },
            &marks,
            None
        ),
        escape(&if fr(lang) {
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
        })
    );

    let _ = write!(
        body,
        r#"<section aria-labelledby="departements"><h2 id="departements">Départements</h2><table><thead><tr><th scope="col">Département</th><th scope="col">{}</th><th scope="col">%</th></tr></thead><tbody>"#,
        if fr(lang) { "Acheteurs" } else { "Buyers" },
    );
    for (code, name, n) in g.departements.iter().take(10) {
        let _ = write!(
            body,
            r#"<tr><th scope="row">{} ({code})</th><td class="number">{}</td><td class="number">{}</td></tr>"#,
            escape(name),
            format::count(*n, lang),
            share(*n)
        );
    }
    body.push_str("</tbody></table></section>");

    let _ = write!(
        body,
        r#"<section aria-labelledby="communes"><h2 id="communes">Communes</h2><table><thead><tr><th scope="col">Commune</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">Distance</th></tr></thead><tbody>"#,
        if fr(lang) { "Acheteurs" } else { "Buyers" },
        if fr(lang) { "Habitants" } else { "Inhabitants" },
        if fr(lang) {
            "Pour 1 000 habitants"
        } else {
            "Per 1,000 inhabitants"
        },
    );
    for c in g.communes.iter().take(20) {
        let _ = write!(
            body,
            r#"<tr><th scope="row">{}</th><td class="number">{}</td><td class="number">{}</td><td class="number">{}</td><td class="number">{} km</td></tr>"#,
            escape(&c.name),
            format::count(c.buyers, lang),
            format::count(u64::from(c.population), lang),
            c.per_thousand
                .map_or("—".to_owned(), |r| format::decimal(r, lang)),
            format::count(c.distance_km.round() as u64, lang),
        );
    }
    body.push_str("</tbody></table></section>");
    layout(
        &format!("{} {label}", if fr(lang) { "Publics" } else { "Audiences" }),
        lang,
        "/publics",
        &query,
        &body,
    )
}

/// Which shows and disciplines share their audience, in a season.
pub struct CrossoverData {
    pub season: SeasonData,
    pub shows: Vec<ShowAudience>,
}

pub fn crossover_data(
    store: &SqliteStore,
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
pub fn crossover(data: &CrossoverData, lang: Lang) -> String {
    let label = data.season.season.label();
    let query = format!("saison={label}");
    let title = if fr(lang) { "Croisements" } else { "Crossover" };
    let mut body = format!(
        "<h1>{title} {label} <small>{}</small></h1>",
        escape(&data.season.venue)
    );
    body.push_str(&seasons_nav(&data.season, lang, "/croisements"));
    let pairs = shared_audiences(&data.shows);
    let _ = write!(
        body,
        r#"<section aria-labelledby="pairs"><h2 id="pairs">{}</h2><table><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        if fr(lang) {
            "Les spectacles qui partagent le plus leur public"
        } else {
            "The shows that share their audience most"
        },
        if fr(lang) { "Spectacle A" } else { "Show A" },
        if fr(lang) { "Spectacle B" } else { "Show B" },
        if fr(lang) {
            "Personnes venues aux deux"
        } else {
            "People who came to both"
        },
        if fr(lang) {
            "Part du public de A"
        } else {
            "Share of A's audience"
        },
        if fr(lang) {
            "Part du public de B"
        } else {
            "Share of B's audience"
        },
    );
    for p in pairs.iter().take(PAIRS) {
        let _ = write!(
            body,
            r#"<tr><td>{}</td><td>{}</td><td class="number">{}</td><td class="number">{}</td><td class="number">{}</td></tr>"#,
            escape(&p.a),
            escape(&p.b),
            format::count(p.shared, lang),
            format::percent(p.share_of_a, lang),
            format::percent(p.share_of_b, lang),
        );
    }
    body.push_str("</tbody></table></section>");

    let matrix = discipline_crossover(&data.shows);
    let disciplines: Vec<Discipline> = {
        let mut seen: Vec<Discipline> = data.shows.iter().map(|s| s.discipline).collect();
        seen.sort();
        seen.dedup();
        seen
    };
    let _ = write!(
        body,
        r#"<section aria-labelledby="disciplines"><h2 id="disciplines">{}</h2><p class="note">{}</p><table><thead><tr><td></td>"#,
        if fr(lang) {
            "Entre disciplines"
        } else {
            "Between disciplines"
        },
        if fr(lang) {
            "Chaque ligne : la part du public de la discipline venue aussi à un spectacle de la discipline en colonne (sur la diagonale : à un autre spectacle de la même)."
        } else {
            "Each row: the share of the discipline's audience that also came to a show of the column's discipline (on the diagonal: to another show of the same)."
        },
    );
    for d in &disciplines {
        let _ = write!(body, r#"<th scope="col">{}</th>"#, escape(d.label(lang)));
    }
    body.push_str("</tr></thead><tbody>");
    for a in &disciplines {
        let _ = write!(
            body,
            r#"<tr><th scope="row">{}</th>"#,
            escape(a.label(lang))
        );
        for b in &disciplines {
            let _ = write!(
                body,
                r#"<td class="number">{}</td>"#,
                matrix
                    .get(&(*a, *b))
                    .map_or("—".to_owned(), |share| format::percent(*share, lang))
            );
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table></section>");
    layout(
        &format!("{title} {label}"),
        lang,
        "/croisements",
        &query,
        &body,
    )
}

/// The season page.
pub fn season(data: &SeasonData, lang: Lang) -> String {
    let label = data.season.label();
    let query = format!("saison={label}");
    let mut body = format!(
        "<h1>{} {label} <small>{}</small></h1>",
        if fr(lang) { "Saison" } else { "Season" },
        escape(&data.venue)
    );
    body.push_str(&seasons_nav(data, lang, "/saison"));

    let _ = write!(
        body,
        r#"<form method="get" action="/saison" class="as-of"><input type="hidden" name="saison" value="{label}">{}<label for="au">{}</label> <input type="date" id="au" name="au" value="{}"> <button type="submit">{}</button></form>"#,
        if lang == Lang::En {
            r#"<input type="hidden" name="lang" value="en">"#
        } else {
            ""
        },
        if fr(lang) {
            "Chiffres au"
        } else {
            "Figures as of"
        },
        data.as_of.map(|d| d.to_string()).unwrap_or_default(),
        if fr(lang) { "Afficher" } else { "Show" },
    );
    if let Some(day) = data.as_of {
        let _ = write!(
            body,
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
    let previous_label = data.season.previous().label();
    let _ = write!(
        body,
        r#"<section aria-labelledby="figures"><h2 id="figures">{}</h2><table class="figures"><thead><tr><th scope="col">{}</th><th scope="col">{label}</th><th scope="col">{previous_label}</th></tr></thead><tbody>"#,
        if fr(lang) {
            "Chiffres clés"
        } else {
            "Key figures"
        },
        if fr(lang) { "Indicateur" } else { "Figure" },
    );
    for (d, now, before) in figures(data, lang) {
        let _ = write!(
            body,
            r#"<tr id="{}"><th scope="row">{}</th><td>{}</td><td>{}</td></tr>"#,
            d.key,
            figure_name(&d, lang),
            escape(&now),
            escape(before.as_deref().unwrap_or("—"))
        );
    }
    body.push_str("</tbody></table>");
    let _ = write!(
        body,
        "<p class=\"note\">{}</p></section>",
        if fr(lang) {
            "La saison précédente est donnée entière ; une saison en cours compte les billets déjà vendus."
        } else {
            "The previous season is given whole; a season under way counts the tickets sold so far."
        }
    );

    body.push_str(&ranked_shows(data, lang));
    let _ = write!(
        body,
        r#"<section aria-labelledby="fill"><h2 id="fill">{}</h2><figure>{}<figcaption><a href="{}" download>{}</a></figcaption></figure></section>"#,
        if fr(lang) {
            "Remplissage par représentation"
        } else {
            "Fill rate by performance"
        },
        fill_chart(data, lang),
        href("/saison.svg", lang, &query),
        if fr(lang) {
            "Télécharger le graphique (SVG)"
        } else {
            "Download the chart (SVG)"
        }
    );

    let _ = write!(
        body,
        r#"<section aria-labelledby="performances"><h2 id="performances">{}</h2><p><a href="{}" download>{}</a></p><table><thead><tr>"#,
        if fr(lang) {
            "Représentations"
        } else {
            "Performances"
        },
        href("/saison.csv", lang, &query),
        if fr(lang) {
            "Télécharger le tableau (CSV)"
        } else {
            "Download the table (CSV)"
        }
    );
    for h in columns(lang) {
        let _ = write!(body, r#"<th scope="col">{h}</th>"#);
    }
    body.push_str("</tr></thead><tbody>");
    for (row, line) in rows(data, lang).iter().zip(&data.performances) {
        body.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if i >= 3 { r#" class="number""# } else { "" };
            if i == 1 {
                let _ = write!(
                    body,
                    r#"<td><a href="{}">{}</a></td>"#,
                    href("/representation", lang, &format!("id={}", line.id)),
                    escape(cell)
                );
            } else {
                let _ = write!(body, "<td{class}>{}</td>", escape(cell));
            }
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table></section>");
    layout(
        &format!("{} {label}", if fr(lang) { "Saison" } else { "Season" }),
        lang,
        "/saison",
        &query,
        &body,
    )
}

/// A performance's page: its figures and its booking curve beside comparable ones'.
pub struct PerformanceData {
    pub time_zone: chrono_tz::Tz,
    pub bookings: Bookings,
    pub comparables: Vec<Bookings>,
    pub mix: PerformanceMix,
}

/// How many days before a performance its booking curve starts.
const HORIZON: u32 = 120;

pub fn performance_data(
    store: &SqliteStore,
    id: i64,
) -> Result<Option<PerformanceData>, StoreError> {
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
    Ok(Some(PerformanceData {
        time_zone: setup.venue.time_zone,
        bookings,
        comparables,
        mix,
    }))
}

/// The performance page.
pub fn performance(data: &PerformanceData, lang: Lang) -> String {
    let line = &data.bookings.performance;
    let local = line.starts_at.with_timezone(&data.time_zone).naive_local();
    let when = format::date_time(local, lang);
    let query = format!("id={}", line.id);
    let mut body = format!(
        "<h1>{} <small>{} — {}</small></h1>",
        escape(&line.show),
        escape(&when),
        escape(&line.hall)
    );
    let figures = [
        (
            if fr(lang) { "Jauge" } else { "Capacity" },
            format::count(u64::from(line.sales.capacity.get()), lang),
        ),
        (
            definitions::TICKETS.name(lang),
            format::count(line.sales.sales.tickets, lang),
        ),
        (
            definitions::FILL_RATE.name(lang),
            format::optional(line.fill_rate(), lang, format::percent),
        ),
        (
            definitions::REVENUE.name(lang),
            format::money(line.sales.sales.revenue, lang),
        ),
    ];
    body.push_str(r#"<table class="figures"><tbody>"#);
    for (name, value) in figures {
        let _ = write!(
            body,
            r#"<tr><th scope="row">{}</th><td>{}</td></tr>"#,
            escape(name),
            escape(&value)
        );
    }
    body.push_str("</tbody></table>");

    let own = data.bookings.curve(HORIZON);
    let others: Vec<Vec<f64>> = data.comparables.iter().map(|b| b.curve(HORIZON)).collect();
    let median = median_curve(&others);
    let mut series = vec![Series {
        name: if fr(lang) {
            "Cette représentation".to_owned()
        } else {
            "This performance".to_owned()
        },
        values: own.clone(),
        dashed: false,
    }];
    if !median.is_empty() {
        series.push(Series {
            name: format!(
                "{} ({} {})",
                if fr(lang) {
                    "Médiane des représentations comparables"
                } else {
                    "Median of comparable performances"
                },
                format::count(others.len() as u64, lang),
                if fr(lang) {
                    "de la même salle, saisons précédentes"
                } else {
                    "in the same hall, earlier seasons"
                }
            ),
            values: median.clone(),
            dashed: true,
        });
    }
    let _ = write!(
        body,
        r#"<section aria-labelledby="curve"><h2 id="curve">{}</h2><figure>{}</figure><table><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        if fr(lang) {
            "Courbe de réservation"
        } else {
            "Booking curve"
        },
        lines(
            if fr(lang) {
                "Part de la jauge vendue, jour après jour, jusqu'à la représentation"
            } else {
                "Share of the capacity sold, day by day, up to the performance"
            },
            &series,
            (&format!("J-{HORIZON}"), if fr(lang) { "J" } else { "D" }),
            &format::percent(1.0, lang),
        ),
        if fr(lang) {
            "Jours avant"
        } else {
            "Days before"
        },
        if fr(lang) {
            "Cette représentation"
        } else {
            "This performance"
        },
        if fr(lang) { "Médiane" } else { "Median" },
    );
    for days in [90u32, 60, 30, 14, 7, 1, 0] {
        let at = (HORIZON - days) as usize;
        let _ = write!(
            body,
            r#"<tr><th scope="row">{days}</th><td class="number">{}</td><td class="number">{}</td></tr>"#,
            format::percent(own[at], lang),
            median
                .get(at)
                .map_or("—".to_owned(), |m| format::percent(*m, lang)),
        );
    }
    body.push_str("</tbody></table></section>");

    body.push_str(&counts_section(
        "leads",
        if fr(lang) {
            "Délai d'achat"
        } else {
            "Lead time"
        },
        if fr(lang) {
            "Billets selon le nombre de jours entre l'achat et la représentation (le jour même : les ventes de dernière minute)"
        } else {
            "Tickets by the days between their order and the performance (on the day: walk-ups and last-minute sales)"
        },
        LEAD_TIMES
            .iter()
            .zip(data.bookings.lead_times())
            .map(|((_, fr_name, en_name), n)| {
                (if fr(lang) { fr_name } else { en_name }.to_string(), n)
            }),
        lang,
    ));
    let _ = write!(
        body,
        r#"<section aria-labelledby="tariffs"><h2 id="tariffs">{}</h2><table><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        if fr(lang) { "Tarifs" } else { "Tariffs" },
        if fr(lang) { "Catégorie" } else { "Category" },
        definitions::TICKETS.name(lang),
        definitions::REVENUE.name(lang),
    );
    for (category, tickets, revenue) in &data.mix.tariffs {
        let _ = write!(
            body,
            r#"<tr><th scope="row">{}</th><td class="number">{}</td><td class="number">{}</td></tr>"#,
            escape(category.label(lang)),
            format::count(*tickets, lang),
            format::money(*revenue, lang)
        );
    }
    body.push_str("</tbody></table></section>");
    body.push_str(&counts_section(
        "channels",
        if fr(lang) {
            "Canaux de vente"
        } else {
            "Sales channels"
        },
        if fr(lang) {
            "Billets par canal de vente"
        } else {
            "Tickets by sales channel"
        },
        data.mix
            .channels
            .iter()
            .map(|(channel, n)| (channel.label(lang).to_owned(), *n)),
        lang,
    ));
    layout(&line.show, lang, "/representation", &query, &body)
}

/// A section holding one bar chart of counts, a bar for each (label, count); the heading is
/// Jauge's own text.
fn counts_section(
    id: &str,
    heading: &str,
    title: &str,
    counts: impl Iterator<Item = (String, u64)>,
    lang: Lang,
) -> String {
    let marks: Vec<Bar> = counts
        .map(|(label, n)| Bar {
            label,
            value: n as f64,
            shown: format::count(n, lang),
        })
        .collect();
    format!(
        r#"<section aria-labelledby="{id}"><h2 id="{id}">{heading}</h2><figure>{}</figure></section>"#,
        bars(title, &marks, None)
    )
}

/// How many shows the top and the bottom of the ranking show.
const RANKED: usize = 5;

/// The fullest and the emptiest shows of the season.
fn ranked_shows(data: &SeasonData, lang: Lang) -> String {
    let shows = shows_by_fill_rate(&data.performances);
    if shows.len() < 2 {
        return String::new();
    }
    let half = RANKED.min(shows.len() / 2);
    let mut out = format!(
        r#"<section aria-labelledby="shows"><h2 id="shows">{}</h2>"#,
        if fr(lang) {
            "Spectacles les plus et les moins remplis"
        } else {
            "Fullest and emptiest shows"
        }
    );
    let parts = [
        (
            if fr(lang) {
                "Les plus remplis"
            } else {
                "Fullest"
            },
            &shows[..half],
        ),
        (
            if fr(lang) {
                "Les moins remplis"
            } else {
                "Emptiest"
            },
            &shows[shows.len() - half..],
        ),
    ];
    for (caption, part) in parts {
        let _ = write!(
            out,
            r#"<table class="shows"><caption>{caption}</caption><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
            if fr(lang) { "Spectacle" } else { "Show" },
            if fr(lang) {
                "Représentations"
            } else {
                "Performances"
            },
            if fr(lang) { "Billets" } else { "Tickets" },
            if fr(lang) { "Remplissage" } else { "Fill rate" },
        );
        for show in part {
            let _ = write!(
                out,
                r#"<tr><th scope="row">{}</th><td class="number">{}</td><td class="number">{}</td><td class="number">{}</td></tr>"#,
                escape(&show.show),
                format::count(show.performances, lang),
                format::count(show.sales.tickets, lang),
                format::optional(show.fill_rate, lang, format::percent),
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
    out
}

fn columns(lang: Lang) -> [&'static str; 7] {
    if fr(lang) {
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
    }
}

/// The performances as rows of text, in the page's language.
fn rows(data: &SeasonData, lang: Lang) -> Vec<[String; 7]> {
    data.performances
        .iter()
        .map(|p| {
            let local = p.starts_at.with_timezone(&data.time_zone).naive_local();
            let cancelled = p.sales.status == PerformanceStatus::Cancelled;
            [
                format::date_time(local, lang),
                if cancelled {
                    format!(
                        "{} ({})",
                        p.show,
                        if fr(lang) { "annulée" } else { "cancelled" }
                    )
                } else {
                    p.show.clone()
                },
                p.hall.clone(),
                format::count(u64::from(p.sales.capacity.get()), lang),
                format::count(p.sales.sales.tickets, lang),
                format::optional(p.fill_rate(), lang, format::percent),
                format::money(p.sales.sales.revenue, lang),
            ]
        })
        .collect()
}

/// The season's performances as CSV, in the page's language (`;` and decimal commas in French,
/// as French spreadsheets expect).
pub fn season_csv(data: &SeasonData, lang: Lang) -> String {
    let sep = if fr(lang) { ";" } else { "," };
    let quote = |cell: &str| {
        if cell.contains(sep) || cell.contains('"') || cell.contains('\n') {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.to_owned()
        }
    };
    let mut out = columns(lang).join(sep);
    out.push('\n');
    for row in rows(data, lang) {
        let cells: Vec<String> = row.iter().map(|c| quote(c)).collect();
        out.push_str(&cells.join(sep));
        out.push('\n');
    }
    out
}

/// The fill rate of each performance held, as bars.
pub fn fill_chart(data: &SeasonData, lang: Lang) -> String {
    let marks: Vec<Bar> = data
        .performances
        .iter()
        .filter_map(|p| {
            let rate = p.fill_rate()?;
            let local = p.starts_at.with_timezone(&data.time_zone).date_naive();
            Some(Bar {
                label: format!("{} — {}", format::date(local, lang), p.show),
                value: rate,
                shown: format::percent(rate, lang),
            })
        })
        .collect();
    bars(
        if fr(lang) {
            "Taux de remplissage de chaque représentation"
        } else {
            "Fill rate of each performance"
        },
        &marks,
        Some(1.0),
    )
}

/// The glossary: every figure's definition.
pub fn glossary(lang: Lang) -> String {
    let mut body = format!(
        "<h1>{}</h1><dl class=\"glossary\">",
        if fr(lang) { "Glossaire" } else { "Glossary" }
    );
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
    layout(
        if fr(lang) { "Glossaire" } else { "Glossary" },
        lang,
        "/glossaire",
        "",
        &body,
    )
}

/// The sources and their health.
pub fn sources(sources: &[SourceStatus], lang: Lang) -> String {
    let mut body = format!(
        "<h1>{}</h1>",
        if fr(lang) {
            "Sources de données"
        } else {
            "Data sources"
        }
    );
    if sources.is_empty() {
        let _ = write!(
            body,
            "<p>{}</p>",
            if fr(lang) {
                "Aucune source encore : importez un fichier avec `jauge import`."
            } else {
                "No source yet: import a file with `jauge import`."
            }
        );
    } else {
        let heads: [&str; 6] = if fr(lang) {
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
        let now = chrono::Utc::now();
        body.push_str("<table><thead><tr>");
        for h in heads {
            let _ = write!(body, r#"<th scope="col">{h}</th>"#);
        }
        body.push_str("</tr></thead><tbody>");
        for s in sources {
            let last = s
                .last_import
                .map_or("—".to_owned(), |at| format::date(at.date_naive(), lang));
            let concerns: Vec<&str> = s
                .concerns(now, jauge_store::STALE_AFTER_DAYS)
                .iter()
                .map(|c| c.label(lang))
                .collect();
            let health = if concerns.is_empty() {
                if fr(lang) { "ok" } else { "healthy" }.to_owned()
            } else {
                concerns.join(", ")
            };
            let _ = write!(
                body,
                r#"<tr><th scope="row">{}</th><td class="number">{}</td><td>{}</td><td class="number">{}</td><td class="number">{}</td><td>{}</td></tr>"#,
                escape(s.name.as_str()),
                format::count(s.imports, lang),
                escape(&last),
                format::count(s.quarantined, lang),
                format::count(s.drifts, lang),
                escape(&health)
            );
        }
        body.push_str("</tbody></table>");
    }
    layout("Sources", lang, "/sources", "", &body)
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
@media print { header nav, .lang, figcaption { display: none; } a { color: inherit; text-decoration: none; } }
"#;
