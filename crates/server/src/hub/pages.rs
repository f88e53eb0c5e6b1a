//! The hub's web pages, for a venue's staff: its benchmarks (its figures beside its peers'
//! quartiles), its crossover with the other venues, and the network's territory. Server-rendered
//! HTML in French or English (`?lang=en`), usable without JavaScript, in the venue's pages'
//! style; every table downloads as CSV and every chart as SVG.
//!
//! The door is the venue's hub token: pasted once into `/hub/connexion`, kept in an HttpOnly,
//! SameSite=Strict cookie scoped to `/hub`, and checked against the hub at every request, as an
//! `Authorization: Bearer …` header is. The token is never written anywhere but that cookie.

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use jauge_analytics::definitions::{self, Definition};
use jauge_model::{Lang, Season, SeasonStartMonth};
use jauge_pool::benchmark::{CommuneAudience, Comparison, Metric};
use jauge_pool::crossover::Shared;
use jauge_pool::secrecy::Breach;
use jauge_report::chart::{Bar, Spread, SpreadLegend, bars, escape, spreads};
use jauge_report::format;

use super::{Hub, bearer, comparisons, crossover, territory, venue_of_token};
use crate::PageQuery;
use crate::api::Problem;
use crate::auth::{SESSION_HOURS, cookie, new_token, same};
use crate::login::{cookies, secure};
use crate::page::{Cell, Chart, Page, Part, Section, Table, href};
use crate::pages::{Nav, framed};

/// The cookie that holds the venue's hub token.
const TOKEN_COOKIE: &str = "jauge_hub";
/// The login form's CSRF token.
const CSRF_COOKIE: &str = "jauge_hub_csrf";
const STYLESHEET: &str = "/hub/style.css";
const NAV: &Nav = &[
    ("/hub/reperes", "Repères", "Benchmarks"),
    ("/hub/territoire", "Territoire", "Territory"),
    ("/hub/deconnexion", "Déconnexion", "Log out"),
];

/// The pages' routes.
pub(super) fn routes() -> Router<Hub> {
    let mut router = Router::new()
        .route("/hub", get(|| async { Redirect::to("/hub/") }))
        .route("/hub/", get(home))
        .route("/hub/connexion", get(login_page).post(log_in))
        .route("/hub/deconnexion", get(logout_page).post(log_out))
        .route("/hub/style.css", get(style));
    for kind in [Kind::Benchmarks, Kind::Territory] {
        router = router
            .route(
                kind.path(),
                get(
                    move |hub: State<Hub>, headers: HeaderMap, q: Query<PageQuery>| {
                        answer(hub, headers, q, kind, Output::Html)
                    },
                ),
            )
            .route(
                &format!("{}.csv", kind.path()),
                get(
                    move |hub: State<Hub>, headers: HeaderMap, q: Query<PageQuery>| {
                        answer(hub, headers, q, kind, Output::Csv)
                    },
                ),
            )
            .route(
                &format!("{}.svg", kind.path()),
                get(
                    move |hub: State<Hub>, headers: HeaderMap, q: Query<PageQuery>| {
                        answer(hub, headers, q, kind, Output::Svg)
                    },
                ),
            );
    }
    router
}

/// The pages that show figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The venue beside its peers, and its crossover with the other venues.
    Benchmarks,
    /// The network's buyers by commune.
    Territory,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Benchmarks => "/hub/reperes",
            Kind::Territory => "/hub/territoire",
        }
    }
}

/// What an address asks of a page: the page, one of its tables, or one of its charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Html,
    Csv,
    Svg,
}

fn pick(lang: Lang, fr: &'static str, en: &'static str) -> &'static str {
    lang.pick(fr, en)
}

/// A page of the hub's site.
fn site_page(title: &str, lang: Lang, path: &str, query: &str, body: &str) -> Html<String> {
    Html(framed(NAV, STYLESHEET, title, lang, path, query, body))
}

/// A page that says what is wrong, and what to do.
fn trouble(status: StatusCode, lang: Lang, title: &str, body: &str) -> Response {
    (
        status,
        site_page(
            title,
            lang,
            "/hub/erreur",
            "",
            &format!("<h1>{}</h1>{body}", escape(title)),
        ),
    )
        .into_response()
}

/// A failure of the hub itself (its database), as a page.
fn failed(problem: Problem, lang: Lang) -> Response {
    trouble(
        StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        lang,
        pick(lang, "Le hub ne répond pas", "The hub is not answering"),
        &format!(
            "<p>{}</p><p>{}</p>",
            escape(&problem.detail),
            pick(
                lang,
                "Réessayez dans un moment ; si cela dure, prévenez le coordinateur du réseau.",
                "Try again in a moment; if it lasts, tell the network's coordinator."
            )
        ),
    )
}

/// A token as `jauge hub add-venue` makes them: letters and digits (hex). Anything else is no
/// venue's token, and could not live in a cookie.
fn well_formed(token: &str) -> bool {
    !token.is_empty() && token.len() <= 128 && token.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The hub token the request carries: an `Authorization: Bearer …` header, else the cookie.
fn carried(headers: &HeaderMap) -> Option<&str> {
    bearer(headers).or_else(|| cookie(cookies(headers), TOKEN_COOKIE))
}

/// The venue the request's token belongs to; `None` when it carries none, or one that is no
/// venue's.
async fn reader(hub: &Hub, headers: &HeaderMap) -> Result<Option<String>, Problem> {
    match carried(headers) {
        Some(token) if well_formed(token) => venue_of_token(hub, token).await,
        _ => Ok(None),
    }
}

/// An address to go back to after the token is given: one of the hub's pages, never another
/// site's.
fn back_to(path: Option<&str>) -> String {
    match path {
        Some(p)
            if p.starts_with("/hub/")
                && !p.contains("//")
                && p.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            p.to_owned()
        }
        _ => Kind::Benchmarks.path().to_owned(),
    }
}

/// The form where a venue pastes its hub token, with a fresh CSRF token in a cookie and in the
/// form; `then` is the page to go to afterwards.
fn token_form(
    lang: Lang,
    then: &str,
    message: Option<&str>,
    status: StatusCode,
    headers: &HeaderMap,
) -> Response {
    let csrf = new_token();
    let title = pick(lang, "Le réseau : connexion", "The network: log in");
    let english = if lang == Lang::En {
        r#"<input type="hidden" name="lang" value="en">"#
    } else {
        ""
    };
    let body = format!(
        r#"<h1>{title}</h1>{message}<p>{explain}</p><form method="post" action="/hub/connexion"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="suite" value="{then}">{english}<p><label for="jeton">{label}</label><br><input id="jeton" name="jeton" type="password" autocomplete="off" spellcheck="false" size="70" required></p><p><button type="submit">{go}</button></p></form>"#,
        message = message.map_or(String::new(), |m| format!(
            r#"<p class="notice" role="alert">{}</p>"#,
            escape(m)
        )),
        explain = pick(
            lang,
            "Collez le jeton du hub de votre lieu : le coordinateur du réseau vous l'a remis une fois (`jauge hub add-venue`). Il reste dans ce navigateur, dans un cookie que les pages seules lisent, pour 12 heures.",
            "Paste your venue's hub token: the network's coordinator gave it to you once (`jauge hub add-venue`). It stays in this browser, in a cookie only the pages read, for 12 hours."
        ),
        then = escape(then),
        label = pick(lang, "Jeton du hub", "Hub token"),
        go = pick(lang, "Entrer", "Enter"),
    );
    let mut response = (
        status,
        [(
            header::SET_COOKIE,
            format!(
                "{CSRF_COOKIE}={csrf}; HttpOnly; SameSite=Strict; Path=/hub/connexion{}",
                secure(headers)
            ),
        )],
        site_page(title, lang, "/hub/connexion", "", &body),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            "Bearer".parse().expect("a header"),
        );
    }
    response
}

/// `/hub/`: the form, or the benchmarks once the browser holds a venue's token.
async fn home(State(hub): State<Hub>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    let lang = q.lang();
    match reader(&hub, &headers).await {
        Ok(Some(_)) => Redirect::to(&href(Kind::Benchmarks.path(), lang, "")).into_response(),
        Ok(None) => token_form(
            lang,
            Kind::Benchmarks.path(),
            None,
            StatusCode::OK,
            &headers,
        ),
        Err(problem) => failed(problem, lang),
    }
}

#[derive(Debug, serde::Deserialize)]
struct LoginQuery {
    suite: Option<String>,
    lang: Option<String>,
}

fn lang_of(code: Option<&str>) -> Lang {
    if code == Some("en") {
        Lang::En
    } else {
        Lang::Fr
    }
}

async fn login_page(Query(q): Query<LoginQuery>, headers: HeaderMap) -> Response {
    token_form(
        lang_of(q.lang.as_deref()),
        &back_to(q.suite.as_deref()),
        None,
        StatusCode::OK,
        &headers,
    )
}

#[derive(Debug, serde::Deserialize)]
struct LoginForm {
    jeton: String,
    csrf: String,
    suite: Option<String>,
    lang: Option<String>,
}

/// Checks the pasted token against the hub and, when it is a venue's, keeps it in the cookie.
async fn log_in(State(hub): State<Hub>, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let lang = lang_of(f.lang.as_deref());
    let then = back_to(f.suite.as_deref());
    let expected = cookie(cookies(&headers), CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(expected, &f.csrf) {
        return token_form(
            lang,
            &then,
            Some(pick(
                lang,
                "Le formulaire a expiré : collez le jeton à nouveau.",
                "The form expired: paste the token again.",
            )),
            StatusCode::FORBIDDEN,
            &headers,
        );
    }
    let token = f.jeton.trim();
    let venue = if well_formed(token) {
        match venue_of_token(&hub, token).await {
            Ok(venue) => venue,
            Err(problem) => return failed(problem, lang),
        }
    } else {
        None
    };
    if venue.is_none() {
        return token_form(
            lang,
            &then,
            Some(pick(
                lang,
                "Ce jeton n'est celui d'aucun lieu du réseau. Vérifiez qu'il est copié en entier, ou demandez-en un au coordinateur du réseau.",
                "This token is no venue's of the network. Check that it was copied whole, or ask the network's coordinator for one.",
            )),
            StatusCode::UNAUTHORIZED,
            &headers,
        );
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, then),
            (
                header::SET_COOKIE,
                format!(
                    "{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/hub; Max-Age={}{}",
                    SESSION_HOURS * 3600,
                    secure(&headers)
                ),
            ),
        ],
    )
        .into_response()
}

/// The logout button. The form needs no CSRF token: logging out is all a forged one could do.
async fn logout_page(Query(q): Query<PageQuery>) -> Html<String> {
    let lang = q.lang();
    let title = pick(lang, "Déconnexion", "Log out");
    site_page(
        title,
        lang,
        "/hub/deconnexion",
        "",
        &format!(
            r#"<h1>{title}</h1><form method="post" action="/hub/deconnexion"><p>{}</p><p><button type="submit">{title}</button></p></form>"#,
            pick(
                lang,
                "Le jeton du hub sera oublié par ce navigateur.",
                "This browser will forget the hub token."
            )
        ),
    )
}

/// Forgets the token: the cookie is emptied.
async fn log_out() -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/hub/connexion".to_owned()),
            (
                header::SET_COOKIE,
                format!("{TOKEN_COOKIE}=; HttpOnly; SameSite=Strict; Path=/hub; Max-Age=0"),
            ),
        ],
    )
        .into_response()
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css")], crate::pages::STYLE)
}

/// A season as contributions name it (`2025-2026`, or `2026` for seasons starting in
/// January): digits and a dash.
fn season_label(wanted: Option<&str>) -> Result<String, ()> {
    match wanted.map(str::trim) {
        None | Some("") => {
            let today = chrono::Utc::now().date_naive();
            Ok(Season::containing(today, SeasonStartMonth::default()).label())
        }
        Some(label)
            if label.len() <= 9 && label.bytes().all(|b| b.is_ascii_digit() || b == b'-') =>
        {
            Ok(label.to_owned())
        }
        Some(_) => Err(()),
    }
}

/// A form to choose another season.
fn season_form(path: &str, season: &str, lang: Lang) -> String {
    format!(
        r#"<form method="get" action="{path}" class="season"><p><label for="saison">{label}</label> <input id="saison" name="saison" value="{season}" pattern="[0-9]{{4}}(-[0-9]{{4}})?" size="9">{english} <button type="submit">{go}</button></p></form>"#,
        label = pick(lang, "Saison", "Season"),
        season = escape(season),
        english = if lang == Lang::En {
            r#"<input type="hidden" name="lang" value="en">"#
        } else {
            ""
        },
        go = pick(lang, "Afficher", "Show"),
    )
}

/// What the page for `kind` shows, read from the hub.
enum Figures {
    Benchmarks {
        comparisons: Vec<Comparison>,
        crossover: Vec<Shared>,
        /// The network's venues' names, by id.
        names: BTreeMap<String, String>,
    },
    Territory(Vec<CommuneAudience>),
}

/// Answers an address of a page: the page itself, or one of its tables or charts; the token
/// form when the request carries no venue's token; a page that says what to do when the venue
/// has not contributed for the season.
async fn answer(
    State(hub): State<Hub>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    kind: Kind,
    output: Output,
) -> Response {
    let lang = q.lang();
    let venue = match reader(&hub, &headers).await {
        Ok(Some(venue)) => venue,
        Ok(None) => {
            // Back here afterwards: the same page, season and language.
            let season = match q.saison.as_deref().map(|s| season_label(Some(s))) {
                Some(Ok(season)) => format!("saison={season}"),
                _ => String::new(),
            };
            let here = href(kind.path(), lang, &season).replace("&amp;", "&");
            let message = carried(&headers).map(|_| {
                pick(
                    lang,
                    "Le jeton que garde ce navigateur n'est plus celui d'un lieu du réseau : collez le jeton en vigueur.",
                    "The token this browser holds is no longer a venue's of the network: paste the current one.",
                )
            });
            return token_form(lang, &here, message, StatusCode::UNAUTHORIZED, &headers);
        }
        Err(problem) => return failed(problem, lang),
    };
    let Ok(season) = season_label(q.saison.as_deref()) else {
        return trouble(
            StatusCode::BAD_REQUEST,
            lang,
            pick(lang, "Saison inconnue", "Unknown season"),
            &format!(
                "<p>{}</p>{}",
                pick(
                    lang,
                    "Une saison s'écrit comme 2025-2026 (ou 2026 si vos saisons commencent en janvier).",
                    "A season is written as 2025-2026 (or 2026 if your seasons start in January)."
                ),
                season_form(kind.path(), "", lang)
            ),
        );
    };
    let figures = match kind {
        Kind::Benchmarks => match comparisons(&hub, &venue, &season).await {
            Ok(Some(comparisons)) => {
                let named = super::with_hub(&hub, |store| store.venue_names()).await;
                match (crossover(&hub, &venue, &season).await, named) {
                    (Ok(crossover), Ok(names)) => Some(Figures::Benchmarks {
                        comparisons,
                        crossover,
                        names,
                    }),
                    (Err(problem), _) | (_, Err(problem)) => return failed(problem, lang),
                }
            }
            Ok(None) => None,
            Err(problem) => return failed(problem, lang),
        },
        Kind::Territory => {
            let (asked, wanted) = (venue.clone(), season.clone());
            match super::with_hub(&hub, move |store| store.contributed(&wanted, &asked)).await {
                Ok(true) => match territory(&hub, &season).await {
                    Ok(communes) => Some(Figures::Territory(communes)),
                    Err(problem) => return failed(problem, lang),
                },
                Ok(false) => None,
                Err(problem) => return failed(problem, lang),
            }
        }
    };
    let Some(figures) = figures else {
        return not_contributed(kind, &season, lang);
    };
    let page = match figures {
        Figures::Benchmarks {
            comparisons,
            crossover,
            names,
        } => benchmarks_page(&venue, &season, &comparisons, &crossover, &names, lang),
        Figures::Territory(communes) => territory_page(&season, &communes, lang),
    };
    match output {
        Output::Html => {
            site_page(&page.title, lang, page.path, &page.query, &page.body(lang)).into_response()
        }
        Output::Csv => {
            let table = q.tableau.as_deref().unwrap_or_default();
            match page.csv(table, lang) {
                Some(csv) => (
                    [
                        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"reseau-{table}-{season}.csv\""),
                        ),
                    ],
                    csv,
                )
                    .into_response(),
                None => not_on_page(lang),
            }
        }
        Output::Svg => match page.svg(q.graphique.as_deref().unwrap_or_default()) {
            Some(svg) => {
                ([(header::CONTENT_TYPE, "image/svg+xml")], svg.to_owned()).into_response()
            }
            None => not_on_page(lang),
        },
    }
}

fn not_on_page(lang: Lang) -> Response {
    trouble(
        StatusCode::NOT_FOUND,
        lang,
        pick(lang, "Introuvable", "Not found"),
        pick(
            lang,
            "<p>Ce tableau ou ce graphique n'existe pas sur cette page.</p>",
            "<p>There is no such table or chart on this page.</p>",
        ),
    )
}

/// The page a venue gets for a season it has not contributed for (or that nobody has).
fn not_contributed(kind: Kind, season: &str, lang: Lang) -> Response {
    let season = escape(season);
    let body = match lang {
        Lang::Fr => format!(
            "<p>Votre lieu n'a pas envoyé de contribution pour la saison {season} : le réseau \
             ne compare que les lieux qui ont envoyé la leur. Depuis la Jauge de votre lieu, \
             envoyez-la :</p><pre>jauge pool contribute --season {season} --key CLÉ_DU_RÉSEAU \
             --hub ADRESSE_DU_HUB --hub-token JETON</pre><p>puis rechargez cette page. La clé du \
             réseau et l'adresse du hub vous viennent du coordinateur du réseau. Ou choisissez \
             une autre saison :</p>"
        ),
        Lang::En => format!(
            "<p>Your venue has sent no contribution for season {season}: the network compares \
             only venues that sent theirs. From your venue's Jauge, send it:</p><pre>jauge pool \
             contribute --season {season} --key NETWORK_KEY --hub HUB_ADDRESS --hub-token \
             TOKEN</pre><p>then reload this page. The network's key and the hub's address come \
             from the network's coordinator. Or choose another season:</p>"
        ),
    };
    trouble(
        StatusCode::NOT_FOUND,
        lang,
        &format!(
            "{} {season}",
            pick(lang, "Pas de contribution pour", "No contribution for")
        ),
        &format!("{body}{}", season_form(kind.path(), "", lang)),
    )
}

/// A metric's definition, as the venue's pages give it.
fn definition(metric: Metric) -> Definition {
    match metric {
        Metric::FillRate => definitions::FILL_RATE,
        Metric::AveragePrice => definitions::AVERAGE_PRICE,
        Metric::TicketsPerPerformance => definitions::TICKETS_PER_PERFORMANCE,
        Metric::FreeShare => definitions::FREE_TICKET_SHARE,
    }
}

/// Where a metric's section, table and chart live on the page.
fn anchor(metric: Metric) -> &'static str {
    match metric {
        Metric::FillRate => "remplissage",
        Metric::AveragePrice => "prix-moyen",
        Metric::TicketsPerPerformance => "billets-par-representation",
        Metric::FreeShare => "gratuits",
    }
}

/// A metric's value as shown (an average price is in euros).
fn shown(metric: Metric, value: f64, lang: Lang) -> String {
    match metric {
        Metric::FillRate | Metric::FreeShare => format::percent(value, lang),
        Metric::AveragePrice => format::money_f64(value * 100.0, lang),
        Metric::TicketsPerPerformance => format::decimal(value, lang),
    }
}

/// A metric's value as a table's cell.
fn cell(metric: Metric, value: Option<f64>, lang: Lang) -> Cell {
    match metric {
        Metric::FillRate | Metric::FreeShare => Cell::percent(value, lang),
        Metric::AveragePrice => Cell::money_f64(value.map(|v| v * 100.0), lang),
        Metric::TicketsPerPerformance => Cell::decimal(value, lang),
    }
}

/// Why a figure is not shown, in words.
fn secret(breach: Breach, lang: Lang) -> String {
    format!(
        "{} : {}",
        pick(lang, "secret statistique", "statistical secrecy"),
        breach.label(lang)
    )
}

/// The end of a scale that holds `top`: 1, 2 or 5 times a power of ten.
fn round_up(top: f64) -> f64 {
    if top <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(top.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|end| *end >= top)
        .unwrap_or(10.0 * power)
}

/// A section's note.
fn note(text: &str) -> Part {
    Part::Html(format!(r#"<p class="note">{}</p>"#, escape(text)))
}

/// The region's name, from its code.
fn region_name(code: &str) -> String {
    jauge_geo::Geography::france()
        .region(code)
        .map_or_else(|| code.to_owned(), |r| r.name.clone())
}

/// One metric's section: its definition, a chart of every group's spread with the venue's
/// value, and the table of the same figures.
fn metric_section(metric: Metric, cells: &[&Comparison], lang: Lang) -> Section {
    let d = definition(metric);
    let group =
        |c: &Comparison| format!("{}, {}", c.discipline.label(lang), c.size_band.label(lang));
    let rows: Vec<Spread> = cells
        .iter()
        .map(|c| {
            let own = c
                .venue_value
                .map_or_else(|| "—".to_owned(), |v| shown(metric, v, lang));
            let peers = match &c.distribution {
                Ok(d) => format!(
                    "{} {} – {}, {} {}",
                    pick(lang, "pairs", "peers"),
                    shown(metric, d.q1, lang),
                    shown(metric, d.q3, lang),
                    pick(lang, "médiane", "median"),
                    shown(metric, d.median, lang)
                ),
                Err(breach) => secret(*breach, lang),
            };
            Spread {
                label: group(c),
                peers: c
                    .distribution
                    .as_ref()
                    .map(|d| [d.q1, d.median, d.q3])
                    .map_err(|breach| secret(*breach, lang)),
                own: c.venue_value,
                shown: format!("{} {own} ; {peers}", pick(lang, "votre lieu", "your venue")),
            }
        })
        .collect();
    // Shares run to 100 %; the others to a round number above every value shown.
    let (full, full_shown) = match metric {
        Metric::FillRate | Metric::FreeShare => (1.0, format::percent(1.0, lang)),
        Metric::AveragePrice | Metric::TicketsPerPerformance => {
            let top = cells
                .iter()
                .flat_map(|c| {
                    [c.venue_value, c.distribution.as_ref().ok().map(|d| d.q3)]
                        .into_iter()
                        .flatten()
                })
                .fold(0.0, f64::max);
            let end = round_up(top);
            (end, shown(metric, end, lang))
        }
    };
    let svg = spreads(
        &format!(
            "{} : {}",
            d.name(lang),
            pick(lang, "votre lieu et ses pairs", "your venue and its peers")
        ),
        &rows,
        full,
        &full_shown,
        SpreadLegend {
            middle_half: pick(
                lang,
                "moitié centrale des pairs",
                "middle half of the peers",
            ),
            median: pick(lang, "médiane des pairs", "peers' median"),
            own: pick(lang, "votre lieu", "your venue"),
        },
    );
    let table = Table {
        id: anchor(metric),
        caption: None,
        figures: false,
        head: vec![
            pick(lang, "Discipline et salle", "Discipline and hall").to_owned(),
            pick(lang, "Votre lieu", "Your venue").to_owned(),
            pick(lang, "Lieux comparés", "Venues compared").to_owned(),
            pick(lang, "1er quartile", "First quartile").to_owned(),
            pick(lang, "Médiane", "Median").to_owned(),
            pick(lang, "3e quartile", "Third quartile").to_owned(),
        ],
        rows: cells
            .iter()
            .map(|c| {
                let mut row = vec![
                    Cell::head(group(c)),
                    cell(metric, c.venue_value, lang),
                    Cell::count(c.peers as u64, lang),
                ];
                match &c.distribution {
                    Ok(d) => row.extend([
                        cell(metric, Some(d.q1), lang),
                        cell(metric, Some(d.median), lang),
                        cell(metric, Some(d.q3), lang),
                    ]),
                    Err(breach) => row.extend([
                        Cell::none(),
                        Cell::withheld(secret(*breach, lang)),
                        Cell::none(),
                    ]),
                }
                row.into()
            })
            .collect(),
    };
    Section {
        id: anchor(metric),
        heading: d.name(lang).to_owned(),
        parts: vec![
            note(d.text(lang)),
            Part::Chart(Chart {
                id: anchor(metric),
                svg,
            }),
            Part::Table(table),
        ],
    }
}

/// How many venues the crossover chart shows.
const CHARTED_VENUES: usize = 15;

/// The venue's buyers shared with each other venue, most first.
fn crossover_section(
    venue: &str,
    pairs: &[Shared],
    names: &BTreeMap<String, String>,
    lang: Lang,
) -> Section {
    let named = |id: &str| match names.get(id) {
        Some(name) => format!("{name} ({id})"),
        None => id.to_owned(),
    };
    let d = definitions::SHARED_BUYERS;
    let mut mine: Vec<(&Shared, Option<&Shared>)> = pairs
        .iter()
        .filter(|p| p.from == venue)
        .map(|p| {
            let back = pairs.iter().find(|b| b.from == p.to && b.to == venue);
            (p, back)
        })
        .collect();
    mine.sort_by(|(a, _), (b, _)| b.buyers.cmp(&a.buyers).then_with(|| a.to.cmp(&b.to)));
    let withheld = || Cell::withheld(secret(Breach::FewPatrons, lang));
    let mut parts = vec![note(d.text(lang))];
    if mine.is_empty() {
        parts.push(Part::Html(format!(
            "<p>{}</p>",
            pick(
                lang,
                "Aucun autre lieu n'a contribué pour cette saison.",
                "No other venue has contributed for this season."
            )
        )));
    } else {
        let marks: Vec<Bar> = mine
            .iter()
            .filter_map(|(p, _)| p.share.map(|share| (p, share)))
            .take(CHARTED_VENUES)
            .map(|(p, share)| Bar {
                label: named(&p.to),
                value: share,
                shown: format::percent(share, lang),
            })
            .collect();
        if !marks.is_empty() {
            parts.push(Part::Chart(Chart {
                id: "croisements",
                svg: bars(
                    pick(
                        lang,
                        "Part de vos spectateurs venus aussi dans chaque lieu",
                        "Share of your buyers who also bought at each venue",
                    ),
                    &marks,
                    None,
                ),
            }));
        }
        parts.push(Part::Table(Table {
            id: "croisements",
            caption: None,
            figures: false,
            head: vec![
                pick(lang, "Lieu (SIRET)", "Venue (SIRET)").to_owned(),
                d.name(lang).to_owned(),
                pick(lang, "Part de vos spectateurs", "Share of your buyers").to_owned(),
                pick(
                    lang,
                    "Part de ses spectateurs venus chez vous",
                    "Share of its buyers who came to you",
                )
                .to_owned(),
            ],
            rows: mine
                .iter()
                .map(|(p, back)| {
                    let back_share = match back {
                        Some(Shared {
                            share: Some(share), ..
                        }) => Cell::percent(Some(*share), lang),
                        _ => withheld(),
                    };
                    match p.buyers {
                        Some(n) => vec![
                            Cell::head(named(&p.to)),
                            Cell::count(n, lang),
                            Cell::percent(p.share, lang),
                            back_share,
                        ],
                        None => vec![
                            Cell::head(named(&p.to)),
                            withheld(),
                            Cell::none(),
                            back_share,
                        ],
                    }
                    .into()
                })
                .collect(),
        }));
    }
    Section {
        id: "croisements",
        heading: pick(
            lang,
            "Vos spectateurs dans les autres lieux",
            "Your buyers at the other venues",
        )
        .to_owned(),
        parts,
    }
}

/// The benchmark page: each metric's section, then the crossover.
fn benchmarks_page(
    venue: &str,
    season: &str,
    comparisons: &[Comparison],
    crossover: &[Shared],
    names: &BTreeMap<String, String>,
    lang: Lang,
) -> Page {
    let title = pick(lang, "Repères", "Benchmarks");
    let region = comparisons
        .first()
        .map(|c| region_name(&c.region))
        .unwrap_or_default();
    let quartiles = definitions::PEER_QUARTILES;
    let mut intro = format!(
        "<h1>{title} {season} <small>{} {venue}{}</small></h1>{}",
        names.get(venue).map_or_else(
            || pick(lang, "Lieu", "Venue").to_owned(),
            |name| escape(name)
        ),
        if region.is_empty() {
            String::new()
        } else {
            format!(" — {}", escape(&region))
        },
        season_form(Kind::Benchmarks.path(), season, lang),
        season = escape(season),
        venue = escape(venue),
    );
    let _ = write!(
        intro,
        r#"<p>{}</p><p class="note"><strong>{}</strong> : {}</p>"#,
        pick(
            lang,
            "Vos chiffres de la saison à côté de ceux des lieux du réseau qui programment la même discipline, dans une salle de même taille et dans la même région. Le territoire du réseau est sur sa propre page.",
            "Your season's figures beside those of the network's venues that programme the same discipline, in a hall of the same size, in the same region. The network's territory has a page of its own.",
        ),
        escape(quartiles.name(lang)),
        escape(quartiles.text(lang)),
    );
    let mut sections: Vec<Section> = Metric::ALL
        .into_iter()
        .map(|metric| {
            let cells: Vec<&Comparison> =
                comparisons.iter().filter(|c| c.metric == metric).collect();
            metric_section(metric, &cells, lang)
        })
        .collect();
    sections.push(crossover_section(venue, crossover, names, lang));
    Page {
        title: format!("{title} {season}"),
        path: Kind::Benchmarks.path(),
        query: format!("saison={}", escape(season)),
        intro,
        sections,
        notice: None,
    }
}

/// How many communes the territory's chart shows.
const CHARTED_COMMUNES: usize = 20;

/// The network's buyers by commune, most first; withheld communes last.
fn territory_page(season: &str, communes: &[CommuneAudience], lang: Lang) -> Page {
    let title = pick(lang, "Territoire du réseau", "The network's territory");
    let d = definitions::NETWORK_REACH;
    let intro = format!(
        "<h1>{title} {season}</h1>{}<p>{}</p>",
        season_form(Kind::Territory.path(), season, lang),
        pick(
            lang,
            "Où vivent les acheteurs de tous les lieux du réseau, commune par commune.",
            "Where the buyers of all the network's venues live, commune by commune.",
        ),
        season = escape(season),
    );
    let marks: Vec<Bar> = communes
        .iter()
        .filter_map(|c| c.per_thousand.map(|reach| (c, reach)))
        .take(CHARTED_COMMUNES)
        .map(|(c, reach)| Bar {
            label: c.name.clone(),
            value: reach,
            shown: format::decimal(reach, lang),
        })
        .collect();
    let mut parts = vec![note(d.text(lang))];
    if !marks.is_empty() {
        parts.push(Part::Chart(Chart {
            id: "communes",
            svg: bars(
                &format!(
                    "{} : {}",
                    d.name(lang),
                    pick(
                        lang,
                        "les communes qui comptent le plus d'acheteurs",
                        "the communes with the most buyers"
                    )
                ),
                &marks,
                None,
            ),
        }));
    }
    parts.push(Part::Table(Table {
        id: "communes",
        caption: None,
        figures: false,
        head: vec![
            pick(lang, "Commune", "Commune").to_owned(),
            pick(lang, "Code INSEE", "INSEE code").to_owned(),
            pick(lang, "Acheteurs du réseau", "The network's buyers").to_owned(),
            d.name(lang).to_owned(),
        ],
        rows: communes
            .iter()
            .map(|c| {
                let mut row = vec![Cell::head(c.name.as_str()), Cell::text(c.insee.as_str())];
                match c.buyers {
                    Ok(n) => {
                        row.extend([Cell::count(n, lang), Cell::decimal(c.per_thousand, lang)])
                    }
                    Err(breach) => row.extend([Cell::withheld(secret(breach, lang)), Cell::none()]),
                }
                row.into()
            })
            .collect(),
    }));
    Page {
        title: format!("{title} {season}"),
        path: Kind::Territory.path(),
        query: format!("saison={}", escape(season)),
        intro,
        sections: vec![Section {
            id: "communes",
            heading: pick(lang, "Par commune", "By commune").to_owned(),
            parts,
        }],
        notice: None,
    }
}
