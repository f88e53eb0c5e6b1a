//! Jauge's web pages, for people who will never write SQL: the season's figures beside last
//! season's, each with its definition one click away; the performances as a table (CSV) and a
//! chart (SVG); the glossary; the health of the sources. Server-rendered HTML in French or
//! English, usable without JavaScript, printable.
//!
//! This crate owns HTTP: routes, pages and their layout. It must not compute figures (that is
//! `jauge-analytics`), format numbers or draw charts (`jauge-report`), or hold SQL (the store):
//! each request opens the store, asks it for facts, and renders what the other crates return.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use jauge_model::Lang;
use jauge_store::{SqliteStore, StoreError};

mod pages;

/// What every request needs: the database, and its connections open between requests.
#[derive(Clone)]
struct AppState {
    db: Arc<PathBuf>,
    idle: Arc<std::sync::Mutex<Vec<SqliteStore>>>,
}

/// How many connections stay open between requests.
const IDLE_CONNECTIONS: usize = 8;

impl AppState {
    /// An open connection to the store: an idle one, or a new one.
    fn take(&self) -> Result<SqliteStore, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(store) => Ok(store),
            None => SqliteStore::open(self.db.as_path()),
        }
    }

    /// Gives a connection back for the next request.
    fn give_back(&self, store: SqliteStore) {
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
}

impl PageQuery {
    fn lang(&self) -> Lang {
        match self.lang.as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Fr,
        }
    }
}

/// The pages of the database at `db`.
pub fn router(db: PathBuf) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/saison") }))
        .route("/saison", get(season))
        .route("/saison.csv", get(season_csv))
        .route("/saison.svg", get(season_svg))
        .route("/representation", get(performance))
        .route("/publics", get(audiences))
        .route("/croisements", get(crossover))
        .route("/glossaire", get(glossary))
        .route("/sources", get(sources))
        .route("/style.css", get(style))
        .with_state(AppState {
            db: Arc::new(db),
            idle: Default::default(),
        })
}

/// Serves the pages of `db` on `bind` until the process is stopped.
pub async fn serve(db: PathBuf, bind: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    axum::serve(listener, router(db)).await
}

/// Runs `work` on the store, off the async threads; a failure becomes a page that says what
/// went wrong.
async fn with_store<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&SqliteStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Response> {
    let state = state.clone();
    let done = tokio::task::spawn_blocking(move || {
        let store = state.take()?;
        let done = work(&store);
        state.give_back(store);
        done
    })
    .await;
    match done {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err((
            if e.is_user_error() {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            },
            Html(pages::error(&e.to_string())),
        )
            .into_response()),
        Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}

async fn season(State(state): State<AppState>, Query(q): Query<PageQuery>) -> Response {
    let lang = q.lang();
    let wanted = q.saison.clone();
    let as_of =
        q.au.as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d"));
    let as_of = match as_of.transpose() {
        Ok(day) => day,
        Err(_) => {
            return (
                StatusCode::BAD_REQUEST,
                Html(pages::error(if lang == Lang::Fr {
                    "La date doit s'écrire AAAA-MM-JJ."
                } else {
                    "The date must be written YYYY-MM-DD."
                })),
            )
                .into_response();
        }
    };
    let gathered = with_store(&state, move |store| match as_of {
        Some(day) => pages::season_data_as_of(store, wanted.as_deref(), day),
        None => pages::season_data(store, wanted.as_deref()),
    });
    match gathered.await {
        Ok(Some(data)) => Html(pages::season(&data, lang)).into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            Html(pages::error(pages::no_season(lang))),
        )
            .into_response(),
        Err(response) => response,
    }
}

/// A season page: the figures `gather` finds for the season asked, rendered by `render`; a
/// season that does not exist is a page that says so.
async fn season_page<T: Send + 'static>(
    state: &AppState,
    q: &PageQuery,
    gather: fn(&SqliteStore, Option<&str>) -> Result<Option<T>, StoreError>,
    render: impl FnOnce(&T, Lang) -> Response,
) -> Response {
    let lang = q.lang();
    let wanted = q.saison.clone();
    match with_store(state, move |store| gather(store, wanted.as_deref())).await {
        Ok(Some(data)) => render(&data, lang),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            Html(pages::error(pages::no_season(lang))),
        )
            .into_response(),
        Err(response) => response,
    }
}

async fn season_csv(State(state): State<AppState>, Query(q): Query<PageQuery>) -> Response {
    season_page(&state, &q, pages::season_data, |data, lang| {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"saison.csv\"",
                ),
            ],
            pages::season_csv(data, lang),
        )
            .into_response()
    })
    .await
}

async fn season_svg(State(state): State<AppState>, Query(q): Query<PageQuery>) -> Response {
    season_page(&state, &q, pages::season_data, |data, lang| {
        (
            [(header::CONTENT_TYPE, "image/svg+xml")],
            pages::fill_chart(data, lang),
        )
            .into_response()
    })
    .await
}

async fn performance(State(state): State<AppState>, Query(q): Query<PageQuery>) -> Response {
    let lang = q.lang();
    let Some(id) = q.id else {
        return Redirect::to("/saison").into_response();
    };
    match with_store(&state, move |store| pages::performance_data(store, id)).await {
        Ok(Some(data)) => Html(pages::performance(&data, lang)).into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            Html(pages::error(if lang == Lang::Fr {
                "Cette représentation n'existe pas."
            } else {
                "There is no such performance."
            })),
        )
            .into_response(),
        Err(response) => response,
    }
}

async fn audiences(State(state): State<AppState>, Query(q): Query<PageQuery>) -> Response {
    season_page(&state, &q, pages::audience_data, |data, lang| {
        Html(pages::audiences(data, lang)).into_response()
    })
    .await
}

async fn crossover(State(state): State<AppState>, Query(q): Query<PageQuery>) -> Response {
    season_page(&state, &q, pages::crossover_data, |data, lang| {
        Html(pages::crossover(data, lang)).into_response()
    })
    .await
}

async fn glossary(Query(q): Query<PageQuery>) -> Html<String> {
    Html(pages::glossary(q.lang()))
}

async fn sources(State(state): State<AppState>, Query(q): Query<PageQuery>) -> Response {
    let lang = q.lang();
    match with_store(&state, jauge_store::Store::sources).await {
        Ok(sources) => Html(pages::sources(&sources, lang)).into_response(),
        Err(response) => response,
    }
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css")], pages::STYLE)
}

#[cfg(test)]
mod tests;
