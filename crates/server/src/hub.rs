//! The network's hub on the web: venues send it their season's contribution, and each reads
//! its benchmarks (its figures beside the quartiles of its peers), its crossover with the
//! other venues and the network's audience by commune — every cell under statistical secrecy
//! (`jauge-pool`). JSON under `/hub/v1`; every call carries the venue's hub token
//! (`jauge hub add-venue`) as `Authorization: Bearer …`; errors are RFC 9457 problems. The
//! same figures as web pages under `/hub/` ([`pages`]), for the venue's staff: the token pasted
//! once into a form, then kept in a cookie. The contributions live in PostgreSQL
//! (`jauge_store::postgres::HubStore`), each venue's rows kept to it by Row-Level Security.

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jauge_model::Discipline;
use jauge_model::network::{Contribution, SizeBand};
use jauge_pool::benchmark::{
    CommuneAudience, Comparison, Metric, Sums, VenueGroup, benchmarks_of_groups, territory_of,
};
use jauge_pool::crossover::{Shared, publish};
use jauge_pool::secrecy::Breach;
use jauge_store::StoreError;
use jauge_store::postgres::HubStore;
use serde::{Deserialize, Serialize};

use crate::api::Problem;
use crate::auth::token_hash;

mod pages;
#[cfg(test)]
mod tests;

#[derive(Clone)]
struct Hub {
    url: Arc<String>,
    /// One connection, opened on first use: the hub's calls are few and short.
    store: Arc<Mutex<Option<HubStore>>>,
}

/// The hub's routes, over the PostgreSQL database at `url`.
pub fn router(url: String) -> Router {
    let hub = Hub {
        url: Arc::new(url),
        store: Arc::default(),
    };
    Router::new()
        .route(
            "/hub/v1/contributions",
            post(contribute).layer(axum::extract::DefaultBodyLimit::max(512 << 20)),
        )
        .route("/hub/v1/benchmarks", get(benchmark))
        .route("/hub/v1/crossover", get(shared_audiences))
        .route("/hub/v1/territory", get(network_territory))
        .merge(pages::routes())
        .with_state(hub)
}

/// Runs `work` with the hub's store, off the async threads.
async fn with_hub<T: Send + 'static>(
    hub: &Hub,
    work: impl FnOnce(&mut HubStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Problem> {
    let hub = hub.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = hub
            .store
            .lock()
            .map_err(|_| StoreError::Postgres("a previous call failed midway".into()))?;
        if guard.is_none() {
            *guard = Some(HubStore::open(&hub.url)?);
        }
        let store = guard.as_mut().expect("opened above");
        let done = work(store);
        if matches!(done, Err(StoreError::Postgres(_))) {
            // A broken connection is opened again next time.
            *guard = None;
        }
        done
    })
    .await
    .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

/// The token an `Authorization: Bearer …` header carries.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The venue whose token the request carries.
async fn venue(hub: &Hub, headers: &HeaderMap) -> Result<String, Problem> {
    let Some(token) = bearer(headers) else {
        return Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "the hub needs the venue's token, as `Authorization: Bearer TOKEN`: the network's \
             coordinator gives it (`jauge hub add-venue`)",
        ));
    };
    venue_of_token(hub, token)
        .await?
        .ok_or_else(|| Problem::new(StatusCode::UNAUTHORIZED, "this token is no venue's"))
}

/// The venue `token` is the hub token of, if any.
async fn venue_of_token(hub: &Hub, token: &str) -> Result<Option<String>, Problem> {
    let hash = token_hash(token);
    with_hub(hub, move |store| store.venue_of(&hash)).await
}

async fn contribute(
    State(hub): State<Hub>,
    headers: HeaderMap,
    Json(contribution): Json<Contribution>,
) -> Response {
    let venue = match venue(&hub, &headers).await {
        Ok(venue) => venue,
        Err(problem) => return problem.into_response(),
    };
    if contribution.venue.id != venue {
        return Problem::new(
            StatusCode::FORBIDDEN,
            format!(
                "this token is venue {venue}'s; the contribution is venue {}'s",
                contribution.venue.id
            ),
        )
        .into_response();
    }
    if contribution.format != jauge_model::network::FORMAT {
        return Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "contribution format {} is not this hub's ({}): update Jauge",
                contribution.format,
                jauge_model::network::FORMAT
            ),
        )
        .into_response();
    }
    let summary = serde_json::json!({
        "venue": venue,
        "season": contribution.season,
        "performances": contribution.performances.len(),
        "buyers": contribution.buyers,
    });
    let season = contribution.season.clone();
    match with_hub(&hub, move |store| store.save_contribution(&contribution)).await {
        Ok(()) => {
            // Shared buyers are counted afterwards, on a connection of their own: seconds at a
            // hundred venues, which the venue need not wait for.
            let url = hub.url.clone();
            tokio::task::spawn_blocking(move || {
                let counted =
                    HubStore::open(&url).and_then(|mut s| s.count_shared(&venue, &season));
                if let Err(e) = counted {
                    eprintln!("jauge hub: the buyers {venue} shares could not be counted: {e}");
                }
            });
            (StatusCode::CREATED, Json(summary)).into_response()
        }
        Err(problem) => problem.into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct SeasonQuery {
    season: String,
}

/// The asking venue, once it has contributed for `season`.
async fn contributor(hub: &Hub, headers: &HeaderMap, season: &str) -> Result<String, Problem> {
    let venue = venue(hub, headers).await?;
    let (asked, season) = (venue.clone(), season.to_owned());
    if with_hub(hub, move |store| store.contributed(&season, &asked)).await? {
        Ok(venue)
    } else {
        Err(not_contributed())
    }
}

fn not_contributed() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "your venue has not contributed for this season: `jauge pool contribute --hub …`",
    )
}

/// One of the venue's figures beside its peers'.
#[derive(Debug, Serialize)]
struct BenchmarkCell {
    discipline: Discipline,
    size_band: SizeBand,
    region: String,
    metric: Metric,
    venue_value: Option<f64>,
    peers: usize,
    q1: Option<f64>,
    median: Option<f64>,
    q3: Option<f64>,
    /// Why the peers' figures are not shown, if they are not.
    suppressed: Option<Breach>,
}

/// `venue`'s figures beside its peers' for `season`; `None` when it has not contributed.
async fn comparisons(
    hub: &Hub,
    venue: &str,
    season: &str,
) -> Result<Option<Vec<Comparison>>, Problem> {
    // The performances added up by the database: the tokens are not read.
    let season = season.to_owned();
    let groups: Vec<VenueGroup> = with_hub(hub, move |store| store.groups(&season))
        .await?
        .into_iter()
        .map(|r| VenueGroup {
            venue: r.venue,
            region: r.region,
            buyers: r.buyers,
            discipline: r.discipline,
            size_band: r.size_band,
            sums: Sums {
                performances: r.performances,
                capacity: r.capacity,
                tickets: r.tickets,
                paid_tickets: r.paid_tickets,
                revenue_cents: r.revenue_cents,
            },
        })
        .collect();
    Ok(groups
        .iter()
        .any(|g| g.venue == venue)
        .then(|| benchmarks_of_groups(&groups, venue)))
}

async fn benchmark(
    State(hub): State<Hub>,
    headers: HeaderMap,
    Query(query): Query<SeasonQuery>,
) -> Response {
    let venue = match venue(&hub, &headers).await {
        Ok(venue) => venue,
        Err(problem) => return problem.into_response(),
    };
    let comparisons = match comparisons(&hub, &venue, &query.season).await {
        Ok(Some(comparisons)) => comparisons,
        Ok(None) => return not_contributed().into_response(),
        Err(problem) => return problem.into_response(),
    };
    let cells: Vec<BenchmarkCell> = comparisons
        .into_iter()
        .map(|c| BenchmarkCell {
            discipline: c.discipline,
            size_band: c.size_band,
            region: c.region,
            metric: c.metric,
            venue_value: c.venue_value,
            peers: c.peers,
            q1: c.distribution.as_ref().ok().map(|d| d.q1),
            median: c.distribution.as_ref().ok().map(|d| d.median),
            q3: c.distribution.as_ref().ok().map(|d| d.q3),
            suppressed: c.distribution.err(),
        })
        .collect();
    Json(cells).into_response()
}

/// Every pair of venues `venue` is in for `season`, both ways, as they may be published.
async fn crossover(hub: &Hub, venue: &str, season: &str) -> Result<Vec<Shared>, Problem> {
    // Counted when contributions arrived.
    let (season, venue) = (season.to_owned(), venue.to_owned());
    let pairs = with_hub(hub, move |store| store.crossover(&season, &venue)).await?;
    Ok(pairs
        .iter()
        .map(|(from, to, shared, buyers)| publish(from, to, *shared, *buyers))
        .collect())
}

/// The network's audience by commune for `season`.
async fn territory(hub: &Hub, season: &str) -> Result<Vec<CommuneAudience>, Problem> {
    let season = season.to_owned();
    let counts = with_hub(hub, move |store| store.communes(&season)).await?;
    Ok(territory_of(counts))
}

async fn shared_audiences(
    State(hub): State<Hub>,
    headers: HeaderMap,
    Query(query): Query<SeasonQuery>,
) -> Response {
    let venue = match contributor(&hub, &headers, &query.season).await {
        Ok(venue) => venue,
        Err(problem) => return problem.into_response(),
    };
    match crossover(&hub, &venue, &query.season).await {
        Ok(pairs) => Json(pairs).into_response(),
        Err(problem) => problem.into_response(),
    }
}

#[derive(Debug, Serialize)]
struct CommuneCell {
    insee: String,
    name: String,
    buyers: Option<u64>,
    per_thousand: Option<f64>,
    suppressed: Option<Breach>,
}

async fn network_territory(
    State(hub): State<Hub>,
    headers: HeaderMap,
    Query(query): Query<SeasonQuery>,
) -> Response {
    if let Err(problem) = contributor(&hub, &headers, &query.season).await {
        return problem.into_response();
    }
    let communes = match territory(&hub, &query.season).await {
        Ok(communes) => communes,
        Err(problem) => return problem.into_response(),
    };
    let communes: Vec<CommuneCell> = communes
        .into_iter()
        .map(|c| CommuneCell {
            insee: c.insee,
            name: c.name,
            buyers: c.buyers.as_ref().ok().copied(),
            per_thousand: c.per_thousand,
            suppressed: c.buyers.err(),
        })
        .collect();
    Json(communes).into_response()
}
