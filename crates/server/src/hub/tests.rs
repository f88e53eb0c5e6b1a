//! The hub's pages against a real PostgreSQL: `JAUGE_TEST_POSTGRES` holds a connection string
//! of a role that may create databases and roles (`.ci/run` starts one); each test makes a
//! database of its own. Skipped, saying so, without it.
//!
//! What a page shows is compared with what the JSON API answers for the same venue and season.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use jauge_model::network::{AreaCount, Contribution, PerformanceAggregate, SizeBand, VenueCard};
use jauge_model::{Discipline, Lang, TariffCategory};
use jauge_pool::secrecy::Breach;
use jauge_report::chart::escape;
use jauge_report::format;
use jauge_store::postgres::HubStore;
use serde_json::Value;
use tower::ServiceExt;

use crate::auth::{new_token, token_hash};

const SEASON: &str = "2025-2026";

type Database = jauge_store::postgres::testing::TestDatabase;

fn performance(
    discipline: Discipline,
    capacity: u32,
    tickets: u64,
    price: i64,
) -> PerformanceAggregate {
    PerformanceAggregate {
        month: "2025-11".into(),
        discipline,
        size_band: SizeBand::of(capacity),
        capacity,
        tickets,
        paid_tickets: tickets - 10,
        revenue_cents: (tickets as i64 - 10) * price,
        tariffs: BTreeMap::from([
            (TariffCategory::FullPrice, tickets - 10),
            (TariffCategory::Free, 10),
        ]),
    }
}

/// Venue `i` of a network of six in Centre-Val de Loire: theatre in a medium hall and music in
/// a large one everywhere; dance in a small hall at venues 0 and 1 only (too few to be shown).
/// Venue 1 has the same 50 buyers as venue 0, venue 2 five of them, the others none. All sell
/// in Tours; only venues 0 and 1 in Chambray-lès-Tours.
fn member(i: u64) -> Contribution {
    let mut performances = vec![
        performance(
            Discipline::Theatre,
            300,
            150 + 20 * i,
            1500 + 100 * i as i64,
        ),
        performance(Discipline::Music, 600, 400 + 15 * i, 2500 - 50 * i as i64),
    ];
    let mut communes = vec![AreaCount {
        code: "37261".into(),
        buyers: 30,
    }];
    if i < 2 {
        performances.push(performance(Discipline::Dance, 150, 90 + i, 1200));
        communes.push(AreaCount {
            code: "37050".into(),
            buyers: 12,
        });
    }
    let first = match i {
        0 | 1 => 0,
        2 => 45,
        _ => 1000 * i,
    };
    Contribution {
        format: jauge_model::network::FORMAT,
        venue: VenueCard {
            id: format!("9{i:013}"),
            name: format!("Lieu {i}"),
            insee: "37261".into(),
            departement: "37".into(),
            region: "24".into(),
        },
        season: SEASON.into(),
        built_at: chrono::Utc::now(),
        performances,
        buyers: 50,
        communes,
        departements: vec![AreaCount {
            code: "37".into(),
            buyers: 40,
        }],
        patrons: (first..first + 50)
            .map(|p| vec![format!("{p:064x}")])
            .collect(),
    }
}

/// A hub holding `contributions`, their shared buyers counted; the first venue's token.
fn hub_of(db: &Database, contributions: &[Contribution]) -> (Router, String) {
    let mut store = HubStore::open(&db.url(None)).unwrap();
    let token = new_token();
    for (i, c) in contributions.iter().enumerate() {
        if i == 0 {
            store.admit_venue(&c.venue.id, &token_hash(&token)).unwrap();
        } else {
            store.add_venue(&c.venue).unwrap();
        }
        store.save_contribution(c).unwrap();
    }
    for c in contributions {
        store.count_shared(&c.venue.id, SEASON).unwrap();
    }
    (super::router(db.url(None)), token)
}

/// A request's answer: its status, its headers and its body.
async fn call(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

/// A page, read with the hub's cookie holding `token`.
async fn page(app: &Router, uri: &str, token: &str) -> (StatusCode, String) {
    let request = Request::get(uri)
        .header(header::COOKIE, format!("jauge_hub={token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = call(app, request).await;
    (status, body)
}

/// What the JSON API answers at `path`.
async fn json(app: &Router, path: &str, token: &str) -> Value {
    let request = Request::get(format!("/hub/v1/{path}?season={SEASON}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = call(app, request).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// Each row of the table `id` on a page: its cells' text, as written (escaped).
fn table(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!(r#"<table id="tableau-{id}""#))
        .unwrap_or_else(|| panic!("no table {id}"));
    let table = &html[start..];
    let table = &table[table.find("<tbody>").unwrap()..table.find("</table>").unwrap()];
    table
        .split("<tr")
        .skip(1)
        .map(|row| {
            let row = row.replace("</th>", "</td>");
            let cells: Vec<&str> = row.split("</td>").collect();
            cells[..cells.len() - 1]
                .iter()
                .map(|cell| cell[cell.rfind('>').unwrap() + 1..].to_owned())
                .collect()
        })
        .collect()
}

fn breach(code: &Value) -> Breach {
    match code.as_str().unwrap() {
        "few_venues" => Breach::FewVenues,
        "few_patrons" => Breach::FewPatrons,
        "dominated" => Breach::Dominated,
        other => panic!("a breach {other}"),
    }
}

/// Why a cell is withheld, as a page says it.
fn secret(breach: Breach, lang: Lang) -> String {
    escape(&format!(
        "{} : {}",
        lang.pick("secret statistique", "statistical secrecy"),
        breach.label(lang)
    ))
}

/// A benchmark's value as a page shows it: shares as percentages, prices in euros.
fn shown(metric: &str, value: &Value, lang: Lang) -> String {
    let Some(v) = value.as_f64() else {
        return "—".to_owned();
    };
    escape(&match metric {
        "fill_rate" | "free_share" => format::percent(v, lang),
        "average_price" => format::money_f64(v * 100.0, lang),
        "tickets_per_performance" => format::decimal(v, lang),
        other => panic!("a metric {other}"),
    })
}

/// Checks that the benchmark page in `lang` shows every cell the JSON API gives, and none it
/// withholds; how many cells were withheld.
fn same_benchmarks(html: &str, cells: &Value, lang: Lang) -> usize {
    let mut withheld = 0;
    for (metric, anchor) in [
        ("fill_rate", "remplissage"),
        ("average_price", "prix-moyen"),
        ("tickets_per_performance", "billets-par-representation"),
        ("free_share", "gratuits"),
    ] {
        let rows = table(html, anchor);
        let cells: Vec<&Value> = cells
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["metric"] == metric)
            .collect();
        assert_eq!(rows.len(), cells.len(), "{metric}");
        for c in cells {
            let discipline: Discipline = serde_json::from_value(c["discipline"].clone()).unwrap();
            let band: SizeBand = serde_json::from_value(c["size_band"].clone()).unwrap();
            let group = escape(&format!("{}, {}", discipline.label(lang), band.label(lang)));
            let row = rows
                .iter()
                .find(|r| r[0] == group)
                .unwrap_or_else(|| panic!("{metric}: no row {group}"));
            let peers = format::count(c["peers"].as_u64().unwrap(), lang);
            let expected = if c["suppressed"].is_null() {
                [
                    shown(metric, &c["venue_value"], lang),
                    peers,
                    shown(metric, &c["q1"], lang),
                    shown(metric, &c["median"], lang),
                    shown(metric, &c["q3"], lang),
                ]
            } else {
                withheld += 1;
                assert!(c["median"].is_null());
                [
                    shown(metric, &c["venue_value"], lang),
                    peers,
                    "—".to_owned(),
                    secret(breach(&c["suppressed"]), lang),
                    "—".to_owned(),
                ]
            };
            assert_eq!(row[1..], expected, "{metric}, {group}");
        }
    }
    withheld
}

/// Runs `test`: the hub's store is synchronous, so the database is made and dropped outside
/// the runtime.
fn run(test: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(test);
}

#[test]
fn a_venue_gives_its_token_and_reads_its_figures_beside_its_peers_quartiles() {
    let Some(db) = Database::new("jauge_hub_pages") else {
        return;
    };
    let network: Vec<Contribution> = (0..6).map(member).collect();
    let (app, token) = hub_of(&db, &network);
    run(async {
        let reperes = format!("/hub/reperes?saison={SEASON}");

        // Without a token: the form, which comes back here.
        let (status, _, html) =
            call(&app, Request::get(&reperes).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(html.contains(r#"name="jeton""#), "{html}");
        assert!(html.contains(r#"name="suite" value="/hub/reperes?saison=2025-2026""#));
        let (status, headers, html) =
            call(&app, Request::get("/hub/").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"action="/hub/connexion""#));

        // The form's CSRF token, in its cookie and in the form.
        let csrf_cookie = headers[header::SET_COOKIE].to_str().unwrap();
        let csrf = csrf_cookie
            .strip_prefix("jauge_hub_csrf=")
            .and_then(|c| c.split(';').next())
            .unwrap()
            .to_owned();
        assert!(html.contains(&format!(r#"name="csrf" value="{csrf}""#)));
        let post = |jeton: &str, csrf_cookie: &str| {
            Request::post("/hub/connexion")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("jauge_hub_csrf={csrf_cookie}"))
                .body(Body::from(format!(
                    "jeton={jeton}&csrf={csrf}&suite=%2Fhub%2Freperes%3Fsaison%3D{SEASON}"
                )))
                .unwrap()
        };

        // A wrong token: 401, and the form again; the CSRF token must match.
        let wrong = new_token();
        let (status, headers, html) = call(&app, post(&wrong, &csrf)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(html.contains(r#"name="jeton""#) && html.contains("aucun lieu du réseau"));
        assert!(
            !headers[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .starts_with("jauge_hub=")
        );
        let (status, _, _) = call(&app, post(&token, "autre")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The right one: kept in an HttpOnly, SameSite=Strict cookie, then back to the page.
        let (status, headers, _) = call(&app, post(&format!("+{token}%0A"), &csrf)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[header::LOCATION], reperes.as_str());
        let kept = headers[header::SET_COOKIE].to_str().unwrap();
        assert!(kept.starts_with(&format!("jauge_hub={token};")), "{kept}");
        assert!(
            kept.contains("HttpOnly")
                && kept.contains("SameSite=Strict")
                && kept.contains("Path=/hub")
        );

        // The page shows what the JSON API gives, and nothing it withholds, in both languages.
        let cells = json(&app, "benchmarks", &token).await;
        let (status, fr) = page(&app, &reperes, &token).await;
        assert_eq!(status, StatusCode::OK, "{fr}");
        let (status, en) = page(&app, &format!("{reperes}&lang=en"), &token).await;
        assert_eq!(status, StatusCode::OK, "{en}");
        let withheld = same_benchmarks(&fr, &cells, Lang::Fr);
        assert_eq!(withheld, same_benchmarks(&en, &cells, Lang::En));
        assert!(
            withheld > 0 && withheld < cells.as_array().unwrap().len(),
            "the network has both shown and withheld cells"
        );
        assert!(fr.contains(r#"<html lang="fr">"#) && fr.contains("Centre-Val de Loire"));
        assert!(
            en.contains(r#"<html lang="en">"#)
                && en.contains("<h2 id=\"remplissage\">Fill rate</h2>")
        );
        // Each figure beside its definition.
        for d in [
            jauge_analytics::definitions::FILL_RATE,
            jauge_analytics::definitions::PEER_QUARTILES,
            jauge_analytics::definitions::SHARED_BUYERS,
        ] {
            assert!(
                fr.contains(&escape(d.fr)) && en.contains(&escape(d.en)),
                "{}",
                d.key
            );
        }
        // The same cookie passes as a Bearer header.
        let request = Request::get(&reperes)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(call(&app, request).await.2, fr);

        // The crossover: each other venue, shared buyers shown from 11 only.
        let pairs = json(&app, "crossover", &token).await;
        let me = &network[0].venue.id;
        for (html, lang) in [(&fr, Lang::Fr), (&en, Lang::En)] {
            let rows = table(html, "croisements");
            assert_eq!(rows.len(), network.len() - 1);
            for pair in pairs
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["from"] == *me)
            {
                // Each other venue by its name and SIRET.
                let to = pair["to"].as_str().unwrap();
                let name = &network
                    .iter()
                    .find(|c| c.venue.id == to)
                    .unwrap()
                    .venue
                    .name;
                let row = rows
                    .iter()
                    .find(|r| r[0] == format!("{name} ({to})"))
                    .unwrap();
                match pair["buyers"].as_u64() {
                    Some(n) => {
                        assert_eq!(row[1], format::count(n, lang));
                        assert_eq!(
                            row[2],
                            escape(&format::percent(pair["share"].as_f64().unwrap(), lang))
                        );
                    }
                    None => assert_eq!(
                        row[1..3],
                        [secret(Breach::FewPatrons, lang), "—".to_owned()]
                    ),
                }
            }
            assert!(rows.iter().any(|r| r[1] == format::count(50, lang)));
            assert!(
                rows.iter()
                    .any(|r| r[1] == secret(Breach::FewPatrons, lang)),
                "5 shared"
            );
        }

        // The territory, on its own page, as the JSON gives it.
        let communes = json(&app, "territory", &token).await;
        for lang in [Lang::Fr, Lang::En] {
            let uri = format!(
                "/hub/territoire?saison={SEASON}{}",
                lang.pick("", "&lang=en")
            );
            let (status, html) = page(&app, &uri, &token).await;
            assert_eq!(status, StatusCode::OK);
            let rows = table(&html, "communes");
            assert_eq!(rows.len(), communes.as_array().unwrap().len());
            for (row, commune) in rows.iter().zip(communes.as_array().unwrap()) {
                assert_eq!(
                    row[..2],
                    [
                        escape(commune["name"].as_str().unwrap()),
                        commune["insee"].as_str().unwrap().to_owned()
                    ]
                );
                match commune["buyers"].as_u64() {
                    Some(n) => assert_eq!(
                        row[2..],
                        [
                            format::count(n, lang),
                            escape(&format::decimal(
                                commune["per_thousand"].as_f64().unwrap(),
                                lang
                            ))
                        ]
                    ),
                    None => assert_eq!(
                        row[2..],
                        [secret(breach(&commune["suppressed"]), lang), "—".to_owned()]
                    ),
                }
            }
            assert!(
                rows.iter().any(|r| r[2] == format::count(180, lang)),
                "Tours: 6 × 30"
            );
            assert!(
                rows.iter().any(|r| r[2] == secret(Breach::FewVenues, lang)),
                "2 venues"
            );
        }

        // Every table downloads.
        let (status, csv) = page(
            &app,
            &format!("/hub/reperes.csv?saison={SEASON}&tableau=remplissage"),
            &token,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(csv.starts_with("Discipline et salle;Votre lieu;"), "{csv}");

        // A season nobody contributed for says what to do; a season that is none, how to write one.
        let (status, html) = page(&app, "/hub/reperes?saison=2019-2020", &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            html.contains("jauge pool contribute --season 2019-2020"),
            "{html}"
        );
        let (status, html) = page(&app, "/hub/territoire?saison=2019-2020&lang=en", &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(html.contains("Your venue has sent no contribution for season 2019-2020"));
        let (status, html) = page(&app, "/hub/reperes?saison=%3Cb%3E", &token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(html.contains("2025-2026") && !html.contains("<b>"));

        // A token the hub does not know: 401 and the form; logging out forgets the cookie.
        let (status, html) = page(&app, &reperes, &wrong).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(html.contains(r#"name="jeton""#) && html.contains("n&#39;est plus celui"));
        let (status, headers, _) = call(
            &app,
            Request::post("/hub/deconnexion")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(
            headers[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .starts_with("jauge_hub=; ")
        );
    });
}

#[test]
fn what_a_contribution_names_cannot_become_markup() {
    let Some(db) = Database::new("jauge_hub_pages") else {
        return;
    };
    let mut crafted = member(0);
    crafted.venue.name = r#"<script>alert("nom")</script>"#.into();
    crafted.venue.region = r#""><img src=x onerror=alert(1)>"#.into();
    crafted.communes[0].code = "<b>37</b>".into();
    let (app, token) = hub_of(&db, &[crafted]);
    run(async {
        for uri in ["/hub/reperes", "/hub/territoire"] {
            let (status, html) = page(&app, &format!("{uri}?saison={SEASON}"), &token).await;
            assert_eq!(status, StatusCode::OK, "{html}");
            assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>"));
        }
        let (_, html) = page(&app, &format!("/hub/reperes?saison={SEASON}"), &token).await;
        assert!(
            html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
            "the region, escaped"
        );
        assert!(
            html.contains("&lt;script&gt;alert(&quot;nom&quot;)&lt;/script&gt;"),
            "the venue's name, escaped"
        );
        let (_, html) = page(&app, &format!("/hub/territoire?saison={SEASON}"), &token).await;
        assert!(
            html.contains("&lt;b&gt;37&lt;/b&gt;"),
            "the commune, escaped"
        );
    });
}
