//! Jauge's web pages, for people who will never write SQL: the season's figures beside last
//! season's, each with its definition one click away; its performances, audiences and
//! crossover; the glossary; the health of the sources. Server-rendered HTML in French or
//! English, usable without JavaScript, printable; every table downloads as CSV and every chart
//! as SVG.
//!
//! This crate owns HTTP: routes, pages, their layout and the pages kept between requests. It
//! must not compute figures (that is `jauge-analytics`), format numbers or draw charts
//! (`jauge-report`), or hold SQL (the store): each request takes a connection, asks the store
//! for facts, and builds a [`page::Page`] from what the other crates return.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use jauge_model::Lang;
use jauge_store::{Store, StoreError};

pub mod api;
pub mod auth;
mod cache;
mod download;
pub mod hub;
mod imports;
pub mod live;
mod login;
mod page;
mod pages;
pub mod report;

use page::Page;

/// What every request needs: the database, and its connections open between requests.
#[derive(Clone)]
struct AppState {
    db: Arc<PathBuf>,
    idle: Arc<std::sync::Mutex<Vec<Box<dyn Store + Send>>>>,
    pages: Arc<cache::PageCache>,
}

/// How many connections stay open between requests.
const IDLE_CONNECTIONS: usize = 8;

impl AppState {
    /// A new connection to the store (an SQLite file, or a PostgreSQL database).
    fn open(&self) -> Result<Box<dyn Store + Send>, StoreError> {
        jauge_store::open(&self.db.to_string_lossy())
    }

    /// An open connection to the store: an idle one, or a new one.
    fn take(&self) -> Result<Box<dyn Store + Send>, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(store) => Ok(store),
            None => self.open(),
        }
    }

    /// Gives a connection back for the next request.
    fn give_back(&self, store: Box<dyn Store + Send>) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE_CONNECTIONS
        {
            idle.push(store);
        }
    }
}

/// The query every page takes: the language, and for season pages, the season.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PageQuery {
    pub lang: Option<String>,
    pub saison: Option<String>,
    pub id: Option<i64>,
    /// A day, `yyyy-mm-dd`: the season's figures as they stood then.
    pub au: Option<String>,
    /// The table a `.csv` address asks for.
    pub tableau: Option<String>,
    /// The chart a `.svg` address asks for.
    pub graphique: Option<String>,
}

impl PageQuery {
    fn lang(&self) -> Lang {
        match self.lang.as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Fr,
        }
    }
}

/// The pages made of tables and charts, each of which downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Season,
    Performances,
    Performance,
    Audiences,
    Crossover,
    Upcoming,
    Campaigns,
    Sources,
}

impl Kind {
    const ALL: [Kind; 8] = [
        Kind::Season,
        Kind::Performances,
        Kind::Performance,
        Kind::Audiences,
        Kind::Crossover,
        Kind::Upcoming,
        Kind::Campaigns,
        Kind::Sources,
    ];

    fn path(self) -> &'static str {
        match self {
            Kind::Season => "/saison",
            Kind::Performances => "/representations",
            Kind::Performance => "/representation",
            Kind::Audiences => "/publics",
            Kind::Crossover => "/croisements",
            Kind::Upcoming => "/a-venir",
            Kind::Campaigns => "/campagnes",
            Kind::Sources => "/sources",
        }
    }
}

/// The pages of the database at `db`.
pub fn router(db: PathBuf) -> Router {
    let state = AppState {
        db: Arc::new(db),
        idle: Default::default(),
        pages: Default::default(),
    };
    let mut router = Router::new()
        .route("/", get(|| async { Redirect::to("/saison") }))
        .route("/glossaire", get(glossary))
        .route("/style.css", get(style))
        .route("/connexion", get(login::login_page).post(login::log_in))
        .route("/deconnexion", get(login::logout_page).post(login::log_out))
        .route("/partage/{token}/{file}", get(download::download))
        .route(
            "/bilan",
            get(|state: State<AppState>, q: Query<PageQuery>| season_report(state, q, false)),
        )
        .route(
            "/bilan.pdf",
            get(|state: State<AppState>, q: Query<PageQuery>| season_report(state, q, true)),
        );
    for kind in Kind::ALL {
        router = router
            .route(
                kind.path(),
                get(move |state: State<AppState>, q: Query<PageQuery>| html(state, q, kind)),
            )
            .route(
                &format!("{}.csv", kind.path()),
                get(move |state: State<AppState>, q: Query<PageQuery>| csv(state, q, kind)),
            )
            .route(
                &format!("{}.svg", kind.path()),
                get(move |state: State<AppState>, q: Query<PageQuery>| svg(state, q, kind)),
            );
    }
    router
        .merge(api::routes(state.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            login::guard,
        ))
        .with_state(state)
}

/// Serves the pages of `db` on `bind` until the process is stopped. Meanwhile, the rollups
/// built on first read are built at once, so that the first visitor does not wait for them.
pub async fn serve(db: PathBuf, bind: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let warming = db.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(e) =
            jauge_store::open(&warming.to_string_lossy()).and_then(|store| warm(&*store))
        {
            eprintln!("jauge: the rollups could not be built ahead: {e}");
        }
    });
    tokio::spawn(live::schedule(db.clone(), live::TICK));
    axum::serve(listener, router(db)).await
}

/// Builds the rollups a write emptied and the pages read (each season's audience and sales by
/// day): a page then reads them at once.
pub fn warm(store: &dyn Store) -> Result<(), StoreError> {
    for season in store.seasons()? {
        store.season_audience(season)?;
        store.season_sales_by_day(season)?;
    }
    Ok(())
}

/// Runs `work` on the store, off the async threads; a failure becomes a page that says what
/// went wrong.
async fn with_store<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Response> {
    match on_store(state, work).await {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) => Err((
            if e.is_user_error() {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            },
            Html(pages::error(&e.to_string())),
        )
            .into_response()),
        None => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}

/// Runs `work` on a pooled connection, off the async threads; `None` when it stopped short
/// (a panic).
/// Runs `work` on a connection that may write, off the async threads.
async fn on_store_mut<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Option<Result<T, StoreError>> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let mut store = state.take()?;
        let done = work(&mut *store);
        state.give_back(store);
        done
    })
    .await
    .ok()
}

async fn on_store<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Option<Result<T, StoreError>> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let store = state.take()?;
        let done = work(&*store);
        state.give_back(store);
        done
    })
    .await
    .ok()
}

/// The warning every page shows while the last quarter's SIBIL declaration is due soon, or
/// late.
fn declaration_warning(store: &dyn Store, lang: Lang) -> Result<Option<String>, StoreError> {
    let Some(setup) = store.setup()? else {
        return Ok(None);
    };
    let today = chrono::Utc::now()
        .with_timezone(&setup.venue.time_zone)
        .date_naive();
    jauge_sibil::from_store::warning(store, &setup, today, lang)
}

/// An answer that is a page saying what is wrong.
fn failure(status: StatusCode, message: &str) -> Response {
    (status, Html(pages::error(message))).into_response()
}

/// Gathers the figures of a page of `kind` and builds it; a page that does not exist, or a
/// query it cannot take, is an answer that says so.
async fn build(state: &AppState, kind: Kind, q: &PageQuery) -> Result<Arc<Page>, Response> {
    let lang = q.lang();
    let fr = lang == Lang::Fr;
    let as_of =
        q.au.as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d"))
            .transpose()
            .map_err(|_| {
                failure(
                    StatusCode::BAD_REQUEST,
                    if fr {
                        "La date doit s'écrire AAAA-MM-JJ."
                    } else {
                        "The date must be written YYYY-MM-DD."
                    },
                )
            })?;
    if kind == Kind::Performance && q.id.is_none() {
        return Err(Redirect::to("/saison").into_response());
    }
    let q = q.clone();
    let key = format!("{kind:?} {lang:?} {:?} {:?} {as_of:?}", q.saison, q.id);
    let cache = state.pages.clone();
    let db = state.db.clone();
    let page = with_store(state, move |store| {
        if let Some(page) = cache.get(&db, &key)? {
            return Ok(Some(page));
        }
        let wanted = q.saison.as_deref();
        let page = match kind {
            Kind::Season => match as_of {
                Some(day) => pages::season_data_as_of(store, wanted, day)?,
                None => pages::season_data(store, wanted)?,
            }
            .map(|data| pages::season(&data, lang)),
            Kind::Performances => {
                pages::season_data(store, wanted)?.map(|data| pages::performances(&data, lang))
            }
            Kind::Performance => {
                q.id.map(|id| pages::performance_data(store, id))
                    .transpose()?
                    .flatten()
                    .map(|data| pages::performance(&data, lang))
            }
            Kind::Audiences => {
                pages::audience_data(store, wanted)?.map(|data| pages::audiences(&data, lang))
            }
            Kind::Crossover => {
                pages::crossover_data(store, wanted)?.map(|data| pages::crossover(&data, lang))
            }
            Kind::Upcoming => pages::upcoming_data(store)?.map(|data| pages::upcoming(&data, lang)),
            Kind::Campaigns => {
                pages::campaign_data(store)?.map(|data| pages::campaigns(&data, lang))
            }
            Kind::Sources => Some(pages::sources(&store.sources()?, lang)),
        };
        let page = match page {
            Some(mut page) => {
                page.notice = declaration_warning(store, lang)?;
                Some(Arc::new(page))
            }
            None => None,
        };
        if let Some(page) = &page {
            cache.keep(key, page.clone());
        }
        Ok(page)
    })
    .await?;
    page.ok_or_else(|| {
        failure(
            StatusCode::NOT_FOUND,
            match kind {
                Kind::Performance if fr => "Cette représentation n'existe pas.",
                Kind::Performance => "There is no such performance.",
                _ => pages::no_season(lang),
            },
        )
    })
}

/// The season report: the whole self-contained document, or its PDF.
async fn season_report(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
    as_pdf: bool,
) -> Response {
    let lang = q.lang();
    let wanted = q.saison.clone();
    let made = with_store(&state, move |store| {
        let Some(setup) = store.setup()? else {
            return Ok(None);
        };
        let today = chrono::Utc::now()
            .with_timezone(&setup.venue.time_zone)
            .date_naive();
        let seasons = store.seasons()?;
        let Some(season) =
            pages::chosen_season(&seasons, wanted.as_deref(), setup.venue.season_start, today)
        else {
            return Ok(None);
        };
        let Some(figures) = report::season_figures(store, season, today, lang)? else {
            return Ok(None);
        };
        let document = jauge_report::season::compose(&figures, lang);
        Ok(Some((season, report_bytes(&document, as_pdf))))
    })
    .await;
    let (season, bytes) = match made {
        Ok(Some(made)) => made,
        Ok(None) => return failure(StatusCode::NOT_FOUND, pages::no_season(lang)),
        Err(response) => return response,
    };
    match bytes {
        Some(bytes) if as_pdf => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-{}.pdf\"",
                        lang.pick("bilan", "season-report"),
                        season.label()
                    ),
                ),
            ],
            bytes,
        )
            .into_response(),
        Some(bytes) => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned())],
            bytes,
        )
            .into_response(),
        None => failure(
            StatusCode::NOT_FOUND,
            lang.pick(
                "Ce serveur a été construit sans les rapports PDF : le bilan existe en HTML.",
                "This server was built without PDF reports: the report exists as HTML.",
            ),
        ),
    }
}

/// The report as HTML, or as PDF when asked and built in (`None` when it is not).
fn report_bytes(document: &jauge_report::document::Document, as_pdf: bool) -> Option<Vec<u8>> {
    if !as_pdf {
        return Some(jauge_report::html::render(document).into_bytes());
    }
    #[cfg(feature = "pdf")]
    {
        // A layout failure is a bug of ours; the HTML report still works.
        jauge_report::pdf::render(document)
            .ok()
            .map(|pdf| pdf.bytes)
    }
    #[cfg(not(feature = "pdf"))]
    {
        None
    }
}

async fn html(State(state): State<AppState>, Query(q): Query<PageQuery>, kind: Kind) -> Response {
    match build(&state, kind, &q).await {
        Ok(page) => Html(pages::html(&page, q.lang())).into_response(),
        Err(response) => response,
    }
}

/// A page's table, as CSV.
async fn csv(State(state): State<AppState>, Query(q): Query<PageQuery>, kind: Kind) -> Response {
    let page = match build(&state, kind, &q).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    let table = q.tableau.as_deref().unwrap_or_default();
    match page.csv(table, q.lang()) {
        Some(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-{table}.csv\"",
                        kind.path().trim_start_matches('/')
                    ),
                ),
            ],
            csv,
        )
            .into_response(),
        None => failure(
            StatusCode::NOT_FOUND,
            "Ce tableau n'existe pas sur cette page.",
        ),
    }
}

/// A page's chart, as SVG.
async fn svg(State(state): State<AppState>, Query(q): Query<PageQuery>, kind: Kind) -> Response {
    let page = match build(&state, kind, &q).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    match page.svg(q.graphique.as_deref().unwrap_or_default()) {
        Some(svg) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg.to_owned()).into_response(),
        None => failure(
            StatusCode::NOT_FOUND,
            "Ce graphique n'existe pas sur cette page.",
        ),
    }
}

async fn glossary(Query(q): Query<PageQuery>) -> Html<String> {
    Html(pages::glossary(q.lang()))
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css")], pages::STYLE)
}

#[cfg(test)]
mod tests;
