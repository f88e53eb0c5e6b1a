use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jauge_model::{PerformanceStatus, Season, TicketStatus};
use jauge_store::{SqliteStore, Store};
use tower::ServiceExt;

use super::*;

/// A small demo venue in a database of its own; the directory lives as long as the guard.
fn demo_database() -> (tempfile::TempDir, PathBuf, jauge_demo::DemoVenue) {
    let venue = jauge_demo::generate(jauge_demo::DemoOptions {
        seed: 3,
        scale: 0.1,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jauge.db");
    let mut store = SqliteStore::open(&db).unwrap();
    store.save_setup(&venue.setup).unwrap();
    store.write_dataset(&venue.ticketing).unwrap();
    store.write_dataset(&venue.emailing).unwrap();
    (dir, db, venue)
}

/// The ids of the season's performances held, from the generated data.
fn held(venue: &jauge_demo::DemoVenue, season: Season) -> BTreeSet<&str> {
    let tz = venue.setup.venue.time_zone;
    venue
        .ticketing
        .performances
        .iter()
        .filter(|p| {
            p.status == PerformanceStatus::Scheduled
                && season.contains(p.starts_at.with_timezone(&tz).date_naive())
        })
        .map(|p| p.id.as_str())
        .collect()
}

async fn get(app: &Router, uri: &str) -> (StatusCode, String, String) {
    let (status, kind, body) = call(app, Request::get(uri)).await;
    (status, kind, String::from_utf8_lossy(&body).into_owned())
}

/// A request's answer: its status, its content type and its body.
async fn call(
    app: &Router,
    request: axum::http::request::Builder,
) -> (StatusCode, String, axum::body::Bytes) {
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, kind, body)
}

/// The links of a page to this site, with `&amp;` read back as `&`.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/'))
        .map(|href| href.replace("&amp;", "&"))
        .collect()
}

#[tokio::test]
async fn every_page_answers_in_both_languages_and_no_link_is_broken() {
    let (_dir, db, _venue) = demo_database();
    let app = router(db);
    let (status, _, _) = get(&app, "/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = vec!["/saison".into(), "/saison?lang=en".into()];
    while let Some(uri) = queue.pop() {
        if !seen.insert(uri.clone()) {
            continue;
        }
        let (status, kind, body) = get(&app, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        if kind.starts_with("text/html") {
            let english = uri.contains("lang=en");
            assert!(
                body.contains(if english {
                    r#"<html lang="en">"#
                } else {
                    r#"<html lang="fr">"#
                }),
                "{uri}"
            );
            let path = uri.split(['?', '#']).next().unwrap().to_owned();
            for link in links(&body) {
                let link = link.split('#').next().unwrap().to_owned();
                // The language switch goes to the other language; every other page keeps it.
                let switch = body.contains(&format!(
                    r#"href="{}" hreflang"#,
                    link.replace('&', "&amp;")
                ));
                if !switch && link != "/style.css" {
                    assert_eq!(link.contains("lang=en"), english, "{uri} → {link}");
                }
                if link.split('?').next() != Some(path.as_str()) || !seen.contains(&link) {
                    queue.push(link);
                }
            }
        }
    }
    // Every season, both languages, the downloads, the glossary and the sources were reached.
    assert!(
        seen.iter().any(|u| u.starts_with("/saison.csv")),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|u| u.starts_with("/saison.svg")),
        "{seen:?}"
    );
    assert!(seen.contains("/glossaire?lang=en"), "{seen:?}");
    assert!(seen.iter().any(|u| u.starts_with("/bilan?")), "{seen:?}");
    assert_eq!(
        seen.iter().any(|u| u.starts_with("/bilan.pdf?")),
        cfg!(feature = "pdf"),
        "{seen:?}"
    );
    assert!(seen.contains("/sources"), "{seen:?}");
    assert!(seen.len() >= 4 * 2 * 3, "{seen:?}");
}

#[tokio::test]
async fn the_season_page_shows_the_figures_computed_from_the_tickets() {
    let (_dir, db, venue) = demo_database();
    let app = router(db);
    let season = venue.seasons[venue.seasons.len() - 2];
    let label = season.label();
    // Independently: the season's valid tickets and revenue, from the generated tickets.
    let held = held(&venue, season);
    let sold: Vec<_> = venue
        .ticketing
        .tickets
        .iter()
        .filter(|t| t.status == TicketStatus::Valid && held.contains(t.performance.as_str()))
        .collect();
    let tickets = sold.len() as u64;
    let revenue = jauge_model::Cents::new(sold.iter().map(|t| t.amount_paid.get()).sum());

    let (status, _, html) = get(&app, &format!("/saison?saison={label}")).await;
    assert_eq!(status, StatusCode::OK);
    let row = |key: &str| {
        html.split(&format!(r#"<tr id="{key}">"#))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row {key}"))
            .to_owned()
    };
    let shown = |key: &str| {
        row(key)
            .split(r#"<td class="number">"#)
            .nth(1)
            .unwrap()
            .split("</td>")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        shown("tickets"),
        jauge_report::format::count(tickets, Lang::Fr)
    );
    assert_eq!(
        shown("revenue"),
        jauge_report::format::money(revenue, Lang::Fr)
    );
    // Each figure links to its definition.
    assert!(row("fill_rate").contains("/glossaire#fill_rate"));

    // The fullest show, computed from the tickets too.
    let mut by_show: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
    for p in venue
        .ticketing
        .performances
        .iter()
        .filter(|p| held.contains(p.id.as_str()))
    {
        let title = venue
            .ticketing
            .shows
            .iter()
            .find(|s| s.id == p.show)
            .map(|s| s.title.as_str())
            .unwrap();
        let sold_here = sold.iter().filter(|t| t.performance == p.id).count() as u64;
        let entry = by_show.entry(title).or_default();
        entry.0 += sold_here;
        entry.1 += u64::from(p.capacity.get());
    }
    let fullest = by_show
        .iter()
        .max_by(|a, b| {
            let rate = |(t, c): &(u64, u64)| *t as f64 / *c as f64;
            rate(a.1).total_cmp(&rate(b.1)).then(b.0.cmp(a.0))
        })
        .map(|(title, _)| *title)
        .unwrap();
    let ranking = html
        .split(r#"<h2 id="shows">"#)
        .nth(1)
        .expect("the ranking");
    let first = ranking
        .split("<tbody><tr><th scope=\"row\">")
        .nth(1)
        .unwrap();
    assert!(
        first.starts_with(&jauge_report::chart::escape(fullest)),
        "{fullest} first in {first}"
    );

    let (_, _, english) = get(&app, &format!("/saison?lang=en&saison={label}")).await;
    assert!(english.contains(&jauge_report::format::count(tickets, Lang::En)));
    assert!(english.contains("Key figures"));
}

#[tokio::test]
async fn the_performances_download_as_csv_and_svg() {
    let (_dir, db, venue) = demo_database();
    let app = router(db);
    let season: Season = venue.seasons[0];
    let tz = venue.setup.venue.time_zone;
    let performances = venue
        .ticketing
        .performances
        .iter()
        .filter(|p| season.contains(p.starts_at.with_timezone(&tz).date_naive()))
        .count();
    let (status, kind, csv) = get(
        &app,
        &format!(
            "/saison.csv?saison={}&tableau=representations",
            season.label()
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/csv"));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "Date;Spectacle;Salle;Jauge;Billets;Remplissage;Recette TTC"
    );
    assert_eq!(lines.len(), 1 + performances);
    let (_, _, english) = get(
        &app,
        &format!(
            "/saison.csv?lang=en&saison={}&tableau=representations",
            season.label()
        ),
    )
    .await;
    assert!(english.starts_with("Date,Show,Hall"));
    let (status, kind, svg) = get(
        &app,
        &format!(
            "/saison.svg?saison={}&graphique=remplissage",
            season.label()
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "image/svg+xml");
    assert!(svg.starts_with("<svg") && svg.contains("<rect"));
}

#[tokio::test]
async fn an_unknown_season_or_an_empty_database_is_a_clear_404() {
    let (_dir, db, _venue) = demo_database();
    let app = router(db);
    let (status, _, html) = get(&app, "/saison?saison=1999-2000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("jauge demo"), "{html}");
    let empty = tempfile::tempdir().unwrap();
    let app = router(empty.path().join("vide.db"));
    let (status, _, _) = get(&app, "/saison").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, html) = get(&app, "/glossaire").await;
    assert_eq!(status, StatusCode::OK);
    for d in jauge_analytics::definitions::ALL {
        assert!(html.contains(&format!(r#"id="{}""#, d.key)), "{}", d.key);
    }
}

#[tokio::test]
async fn a_performance_shows_its_booking_curve_beside_comparable_ones() {
    let (_dir, db, venue) = demo_database();
    let tz = venue.setup.venue.time_zone;
    // A performance of the last full season, and its tickets from the generated data.
    let season = venue.seasons[venue.seasons.len() - 2];
    let store = SqliteStore::open(&db).unwrap();
    let line = store
        .season_performances(season)
        .unwrap()
        .into_iter()
        .find(|l| l.sales.status == PerformanceStatus::Scheduled && l.sales.sales.tickets > 20)
        .unwrap();
    let generated = venue
        .ticketing
        .performances
        .iter()
        .find(|p| p.starts_at == line.starts_at && p.hall.as_str() == line.hall)
        .unwrap();
    let day = generated.starts_at.with_timezone(&tz).date_naive();
    let orders: std::collections::HashMap<_, _> = venue
        .ticketing
        .orders
        .iter()
        .map(|o| (o.id.clone(), o.created_at.with_timezone(&tz).date_naive()))
        .collect();
    let valid: Vec<_> = venue
        .ticketing
        .tickets
        .iter()
        .filter(|t| t.performance == generated.id && t.status == TicketStatus::Valid)
        .collect();
    let a_month_before = valid
        .iter()
        .filter(|t| (day - orders[&t.order]).num_days() >= 30)
        .count() as f64;
    let capacity = f64::from(generated.capacity.get());

    let app = router(db);
    let (status, _, html) = get(&app, &format!("/representation?id={}", line.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&jauge_report::format::count(valid.len() as u64, Lang::Fr)));
    let row = |days: u32| {
        html.split(&format!(
            r#"<tr><th scope="row">{days}</th><td class="number">"#
        ))
        .nth(1)
        .and_then(|rest| rest.split("</td>").next())
        .unwrap()
        .to_owned()
    };
    let percent = |share: f64| jauge_report::format::percent(share, Lang::Fr);
    assert_eq!(row(30), percent(a_month_before / capacity));
    assert_eq!(row(0), percent(valid.len() as f64 / capacity));
    // Earlier seasons' performances in the same hall give the median.
    assert!(html.contains("stroke-dasharray"), "a median curve");
    // Tariffs and channels: their tickets add up to the performance's.
    let mut by_category: std::collections::BTreeMap<String, u64> = Default::default();
    for t in &valid {
        let category = venue
            .ticketing
            .tariffs
            .iter()
            .find(|ta| ta.id == t.tariff)
            .unwrap()
            .category;
        *by_category
            .entry(category.label(Lang::Fr).to_owned())
            .or_default() += 1;
    }
    for (label, n) in &by_category {
        let row = format!(
            r#"<tr><th scope="row">{}</th><td class="number">{}</td>"#,
            jauge_report::chart::escape(label),
            jauge_report::format::count(*n, Lang::Fr)
        );
        assert!(html.contains(&row), "{row}");
    }
    assert!(
        html.contains(&jauge_report::chart::escape("Délai d'achat"))
            && html.contains("Canaux de vente")
    );
    let (status, _, _) = get(&app, "/representation?id=999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audiences_page_places_the_seasons_buyers() {
    let (_dir, db, venue) = demo_database();
    let season = venue.seasons[venue.seasons.len() - 2];
    // Independently: the season's buyers, from the generated orders and tickets.
    let held = held(&venue, season);
    let orders: BTreeSet<&str> = venue
        .ticketing
        .tickets
        .iter()
        .filter(|t| t.status == TicketStatus::Valid && held.contains(t.performance.as_str()))
        .map(|t| t.order.as_str())
        .collect();
    let buyers: BTreeSet<&str> = venue
        .ticketing
        .orders
        .iter()
        .filter(|o| orders.contains(o.id.as_str()))
        .filter_map(|o| o.buyer.as_ref().map(|b| b.as_str()))
        .collect();

    let app = router(db);
    let (status, _, html) = get(&app, &format!("/publics?saison={}", season.label())).await;
    assert_eq!(status, StatusCode::OK);
    let buyers_shown = html
        .split(r#"<th scope="row">Acheteurs</th><td class="number">"#)
        .nth(1)
        .and_then(|rest| rest.split("</td>").next())
        .unwrap();
    assert_eq!(
        buyers_shown,
        jauge_report::format::count(buyers.len() as u64, Lang::Fr)
    );
    // The venue's own commune is among those the audience comes from, at 0 km.
    assert!(
        html.contains("<th scope=\"row\">Joué-lès-Tours</th>"),
        "{html}"
    );
    assert!(html.contains("moins de 10 km"));
    assert!(html.contains("Billets achetés par personne"));
    assert!(html.contains(">Spectateurs perdus de vue</a></th>"));
    let (status, _, english) =
        get(&app, &format!("/publics?lang=en&saison={}", season.label())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(english.contains("under 10 km"));
}

#[tokio::test]
async fn the_crossover_page_counts_the_people_two_shows_share() {
    let (_dir, db, venue) = demo_database();
    let tz = venue.setup.venue.time_zone;
    let season = venue.seasons[venue.seasons.len() - 2];
    // Independently: each show's buyers, from the generated tickets, orders and shows.
    let buyer: std::collections::HashMap<&str, &str> = venue
        .ticketing
        .orders
        .iter()
        .filter_map(|o| Some((o.id.as_str(), o.buyer.as_ref()?.as_str())))
        .collect();
    let mut people: std::collections::BTreeMap<&str, BTreeSet<&str>> = Default::default();
    for p in venue.ticketing.performances.iter().filter(|p| {
        p.status == PerformanceStatus::Scheduled
            && season.contains(p.starts_at.with_timezone(&tz).date_naive())
    }) {
        let title = venue
            .ticketing
            .shows
            .iter()
            .find(|s| s.id == p.show)
            .unwrap()
            .title
            .as_str();
        let seen = people.entry(title).or_default();
        for t in venue
            .ticketing
            .tickets
            .iter()
            .filter(|t| t.performance == p.id && t.status == TicketStatus::Valid)
        {
            seen.extend(buyer.get(t.order.as_str()));
        }
    }
    let most = people
        .iter()
        .flat_map(|(a, pa)| {
            people
                .iter()
                .filter(move |(b, _)| a < *b)
                .map(move |(_, pb)| pa.intersection(pb).count())
        })
        .max()
        .unwrap();

    let app = router(db);
    let (status, _, html) = get(&app, &format!("/croisements?saison={}", season.label())).await;
    assert_eq!(status, StatusCode::OK);
    let first_pair = html
        .split(r#"<h2 id="pairs">"#)
        .nth(1)
        .and_then(|rest| rest.split("<tbody><tr>").nth(1))
        .unwrap();
    let shared = first_pair.split(r#"<td class="number">"#).nth(1).unwrap();
    assert!(
        shared.starts_with(&format!(
            "{}</td>",
            jauge_report::format::count(most as u64, Lang::Fr)
        )),
        "{most} in {first_pair}"
    );
    assert!(html.contains("Entre disciplines"));
}

#[tokio::test]
async fn a_season_shows_its_figures_as_of_a_day_from_the_snapshots() {
    let (_dir, db, venue) = demo_database();
    let season = venue.seasons[venue.seasons.len() - 2];
    let label = season.label();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let current = {
        let mut store = SqliteStore::open(&db).unwrap();
        store.snapshot_sales(day).unwrap();
        jauge_analytics::season_summary(&store.season_facts(season).unwrap()).tickets
    };
    let app = router(db);
    let tickets_on = |html: &str| {
        html.split(r#"<tr id="tickets">"#)
            .nth(1)
            .and_then(|rest| rest.split(r#"<td class="number">"#).nth(1))
            .and_then(|cell| cell.split("</td>").next())
            .unwrap()
            .to_owned()
    };
    let (status, _, html) = get(&app, &format!("/saison?saison={label}&au=2026-11-28")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        tickets_on(&html),
        jauge_report::format::count(current, Lang::Fr)
    );
    assert!(
        html.contains("instantanés"),
        "the page says where the figures come from"
    );
    // The day before the first snapshot, nothing was known yet.
    let (_, _, html) = get(&app, &format!("/saison?saison={label}&au=2026-11-27")).await;
    assert_eq!(tickets_on(&html), "0");
    let (status, _, _) = get(&app, &format!("/saison?saison={label}&au=hier")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // An empty day is today's figures, as the form sends it.
    let (status, _, html) = get(&app, &format!("/saison?saison={label}&au=")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        tickets_on(&html),
        jauge_report::format::count(current, Lang::Fr)
    );
}

#[tokio::test]
async fn a_page_kept_between_requests_follows_the_next_import() {
    let (_dir, db, venue) = demo_database();
    let app = router(db.clone());
    let season = venue.seasons[venue.seasons.len() - 2];
    let uri = format!("/saison?saison={}", season.label());
    let tickets = |html: &str| {
        html.split(r#"<tr id="tickets">"#)
            .nth(1)
            .and_then(|rest| rest.split(r#"<td class="number">"#).nth(1))
            .and_then(|cell| cell.split("</td>").next())
            .unwrap()
            .to_owned()
    };
    let (_, _, before) = get(&app, &uri).await;
    let (_, _, again) = get(&app, &uri).await;
    assert_eq!(before, again);
    // Another connection cancels a valid ticket of the season: the next request sees it.
    let held = held(&venue, season);
    let mut cancelled = venue.ticketing.clone();
    let ticket = cancelled
        .tickets
        .iter_mut()
        .find(|t| t.status == TicketStatus::Valid && held.contains(t.performance.as_str()))
        .unwrap();
    ticket.status = TicketStatus::Cancelled;
    SqliteStore::open(&db)
        .unwrap()
        .write_dataset(&cancelled)
        .unwrap();
    let (_, _, after) = get(&app, &uri).await;
    let count = |text: String| -> u64 { text.replace('\u{202f}', "").parse().unwrap() };
    assert_eq!(count(tickets(&after)), count(tickets(&before)) - 1);
}

#[tokio::test]
async fn every_performance_of_a_season_is_listed_on_its_own_page() {
    let (_dir, db, venue) = demo_database();
    let season = venue.seasons[0];
    let tz = venue.setup.venue.time_zone;
    let performances = venue
        .ticketing
        .performances
        .iter()
        .filter(|p| season.contains(p.starts_at.with_timezone(&tz).date_naive()))
        .count();
    let app = router(db);
    let (status, _, html) = get(&app, &format!("/representations?saison={}", season.label())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.matches(r#"<a href="/representation?id="#).count(),
        performances
    );
    let (status, _, csv) = get(
        &app,
        &format!(
            "/representations.csv?saison={}&tableau=representations",
            season.label()
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv.lines().count(), 1 + performances);
    let (status, _, _) = get(
        &app,
        &format!("/saison.csv?saison={}&tableau=nulle-part", season.label()),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_page_warns_while_the_last_quarters_declaration_is_unsent() {
    let (_dir, db, venue) = demo_database();
    // A performance in the quarter before today's, whatever today is.
    let tz = venue.setup.venue.time_zone;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let quarter = jauge_sibil::Quarter::containing(today).previous();
    let mut extra = venue.ticketing.clone();
    extra.tickets.clear();
    extra.orders.clear();
    extra.patrons.clear();
    let mut p = extra.performances[0].clone();
    p.id = "LAST-QUARTER".parse().unwrap();
    p.status = PerformanceStatus::Scheduled;
    p.starts_at = (quarter.first_day() + chrono::Days::new(20))
        .and_hms_opt(18, 0, 0)
        .unwrap()
        .and_utc();
    extra.performances = vec![p];
    let mut store = SqliteStore::open(&db).unwrap();
    store.write_dataset(&extra).unwrap();
    let app = router(db.clone());
    let (_, _, html) = get(&app, "/saison").await;
    assert!(
        html.contains(&format!("Déclaration SIBIL du trimestre {quarter}")),
        "{html}"
    );
    assert!(html.contains(&format!("jauge sibil submit --quarter {quarter}")));
    let (_, _, english) = get(&app, "/sources?lang=en").await;
    assert!(english.contains(&format!("The SIBIL declaration of {quarter}")));
    // Once sent, the warning goes.
    let id = store
        .programme_between(
            chrono::DateTime::<chrono::Utc>::MIN_UTC,
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
        )
        .unwrap()
        .into_iter()
        .find(|p| p.performance.id.as_str() == "LAST-QUARTER")
        .unwrap()
        .id;
    store
        .record_declarations(&[jauge_store::DeclarationRecord {
            external_id: "billetterie-LAST-QUARTER".into(),
            performance: id,
            quarter: quarter.to_string(),
            sibil_id: Some(1),
            sent: true,
            message: None,
            at: chrono::Utc::now(),
        }])
        .unwrap();
    let (_, _, html) = get(&app, "/saison").await;
    assert!(!html.contains("Déclaration SIBIL"), "{html}");
}

#[tokio::test]
async fn the_upcoming_page_forecasts_every_performance_to_come_at_risk_first() {
    let (_dir, db, venue) = demo_database();
    let tz = venue.setup.venue.time_zone;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let to_come = venue
        .ticketing
        .performances
        .iter()
        .filter(|p| {
            p.status == PerformanceStatus::Scheduled
                && p.starts_at.with_timezone(&tz).date_naive() >= today
        })
        .count();
    let app = router(db);
    let (status, _, html) = get(&app, "/a-venir").await;
    assert_eq!(status, StatusCode::OK);
    let table = html
        .split(r#"<table id="tableau-previsions">"#)
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap();
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), to_come);
    // At-risk rows come first.
    let risky: Vec<bool> = rows.iter().map(|r| r.contains("<td>oui</td>")).collect();
    assert!(risky.windows(2).all(|w| w[0] >= w[1]), "{risky:?}");
    // Each one's page draws its forecast's interval at the end of its booking curve.
    let first = rows[0]
        .split(r#"href="/representation?id="#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let (status, _, page) = get(&app, &format!("/representation?id={first}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Prévision :") && page.contains(r#"<circle cx="612""#),
        "{page}"
    );
    let (status, kind, csv) = get(&app, "/a-venir.csv?tableau=previsions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/csv"));
    // Each forecast lies within its interval, its interval within [sold, capacity].
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(';').collect();
        let n = |i: usize| cells[i].parse::<f64>().ok();
        if let (Some(capacity), Some(sold), Some(forecast), Some(low), Some(high)) =
            (n(2), n(3), n(4), n(5), n(6))
        {
            assert!(
                sold <= low && low <= forecast && forecast <= high && high <= capacity,
                "{line}"
            );
        }
    }
}

/// A request with cookies (and a form body when `form` is given); the answer's status,
/// `Location`, `Set-Cookie` values and body.
async fn send(
    app: &Router,
    uri: &str,
    cookies: &str,
    form: Option<&str>,
) -> (StatusCode, String, Vec<String>, String) {
    let builder = match form {
        Some(_) => {
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        }
        None => Request::get(uri),
    };
    let request = builder
        .header(header::COOKIE, cookies)
        .body(Body::from(form.unwrap_or_default().to_owned()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let set: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        location,
        set,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

/// Adds an account to the database at `db`.
fn add_account(db: &std::path::Path, name: &str, role: &str, password: &str) {
    SqliteStore::open(db)
        .unwrap()
        .save_account(&jauge_store::Account {
            name: name.into(),
            role: role.into(),
            password_hash: auth::hash_password(password),
        })
        .unwrap();
}

/// A cookie's `name=value` from `Set-Cookie` values.
fn set_cookie(set: &[String], name: &str) -> String {
    set.iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no cookie {name} in {set:?}"))
}

/// Logs `name` in with `password`: the login form's CSRF token first, then the form.
async fn log_in(app: &Router, name: &str, password: &str) -> (StatusCode, Vec<String>, String) {
    let (_, _, set, page) = send(app, "/connexion?suite=/publics", "", None).await;
    let csrf_cookie = set_cookie(&set, "jauge_csrf");
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let (status, location, set, _) = send(
        app,
        "/connexion",
        &csrf_cookie,
        Some(&format!(
            "nom={name}&mot_de_passe={}&csrf={csrf}&suite=%2Fpublics",
            password.replace(' ', "+")
        )),
    )
    .await;
    (status, set, location)
}

#[tokio::test]
async fn once_an_account_exists_every_page_asks_for_a_session_whatever_the_role() {
    let (_dir, db, venue) = demo_database();
    for role in auth::Role::ALL {
        let code = role.code();
        add_account(&db, code, code, &format!("{code} password long"));
    }
    let app = router(db);
    let season = venue.seasons[0].label();
    let routes = [
        format!("/saison?saison={season}"),
        format!("/saison.csv?saison={season}&tableau=representations"),
        format!("/saison.svg?saison={season}&graphique=remplissage"),
        format!("/representations?saison={season}"),
        format!("/publics?saison={season}"),
        format!("/croisements?saison={season}"),
        "/a-venir".to_owned(),
        "/sources".to_owned(),
        "/glossaire".to_owned(),
        "/representation?id=1".to_owned(),
        format!("/bilan?saison={season}"),
        format!("/bilan.pdf?saison={season}"),
    ];
    // No session: every route leads to the login, which says where to come back.
    for route in &routes {
        let (status, location, _, _) = send(&app, route, "", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{route}");
        assert!(
            location.starts_with("/connexion?suite=/"),
            "{route} → {location}"
        );
    }
    // A made-up session token is no session.
    let (status, _, _, _) = send(&app, "/saison", "jauge_session=0123abcd", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Every role reads every page (they all show aggregates).
    for role in auth::Role::ALL {
        let (status, set, location) =
            log_in(&app, role.code(), &format!("{} password long", role.code())).await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/publics")
        );
        let session = set_cookie(&set, "jauge_session");
        assert!(
            set.iter()
                .any(|c| c.contains("HttpOnly") && c.contains("SameSite=Strict"))
        );
        for route in &routes {
            if route.starts_with("/bilan.pdf") && !cfg!(feature = "pdf") {
                continue;
            }
            let (status, _, _, _) = send(&app, route, &session, None).await;
            assert_eq!(status, StatusCode::OK, "{} on {route}", role.code());
        }
    }
}

#[tokio::test]
async fn logins_check_csrf_are_throttled_and_never_keep_a_token_from_before() {
    let (_dir, db, _venue) = demo_database();
    add_account(&db, "billetterie", "staff", "un mot de passe long");
    let app = router(db.clone());
    // A form without its CSRF cookie, or with another token, is refused.
    let (status, _, _, _) = send(
        &app,
        "/connexion",
        "jauge_csrf=aaaa",
        Some("nom=billetterie&mot_de_passe=un+mot+de+passe+long&csrf=bbbb"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Session fixation: a session cookie set before the login is not the one given after.
    let (status, set, _) = log_in(&app, "billetterie", "un mot de passe long").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let first = set_cookie(&set, "jauge_session");
    let (_, set, _) = log_in(&app, "billetterie", "un mot de passe long").await;
    assert_ne!(
        set_cookie(&set, "jauge_session"),
        first,
        "a fresh token each login"
    );
    // Logging out needs the session's CSRF token, and ends the session.
    let (_, _, _, page) = send(&app, "/deconnexion", &first, None).await;
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let (status, _, _, _) = send(&app, "/deconnexion", &first, Some("csrf=forged")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _, _) = send(&app, "/deconnexion", &first, Some(&format!("csrf={csrf}"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _, _) = send(&app, "/saison", &first, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session is over");
    // Five wrong passwords, and even the right one waits.
    for _ in 0..5 {
        let (status, _, _) = log_in(&app, "billetterie", "pas le bon mot de passe").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, _) = log_in(&app, "billetterie", "un mot de passe long").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let log = SqliteStore::open(&db).unwrap().audit_log().unwrap();
    assert!(log.iter().filter(|e| e.action == "login failed").count() >= 5);
    assert!(log.iter().any(|e| e.action == "login") && log.iter().any(|e| e.action == "logout"));
}

#[tokio::test]
async fn after_logging_in_one_goes_back_to_this_site_only() {
    let (_dir, db, _venue) = demo_database();
    add_account(&db, "a", "viewer", "un mot de passe long");
    let app = router(db);
    let (_, _, set, page) = send(&app, "/connexion?suite=//ailleurs.example/piege", "", None).await;
    assert!(page.contains(r#"name="suite" value="/saison""#), "{page}");
    assert!(set_cookie(&set, "jauge_csrf").len() > 20);
}

#[tokio::test]
async fn an_extract_downloads_with_its_token_until_it_expires_or_is_revoked() {
    let (dir, db, _venue) = demo_database();
    // Accounts exist: the pages are closed, the extracts' links are not.
    add_account(&db, "a", "admin", "un mot de passe long");
    let files = dir.path().join("partage");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(
        files.join("patrons.csv"),
        "pseudonyme,lieu,naissance\nab12,37,*\n",
    )
    .unwrap();
    let token = auth::new_token();
    let share = |expires_in: i64, hash: String| jauge_store::ShareRecord {
        id: 0,
        recipient: "Agence".into(),
        purpose: "étude".into(),
        legal_basis: "intérêt légitime".into(),
        created_at: chrono::Utc::now(),
        expires_at: chrono::Utc::now() + chrono::Duration::days(expires_in),
        fields: String::new(),
        revoked_at: None,
        directory: files.display().to_string(),
        download_hash: hash,
    };
    let expired_token = auth::new_token();
    let id = {
        let mut store = SqliteStore::open(&db).unwrap();
        store
            .record_share(&share(-1, auth::token_hash(&expired_token)))
            .unwrap();
        store
            .record_share(&share(30, auth::token_hash(&token)))
            .unwrap()
    };
    let app = router(db.clone());
    let (status, _, _, body) = send(&app, &format!("/partage/{token}/patrons.csv"), "", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("ab12,37,*"));
    for (uri, expected) in [
        (format!("/partage/{token}/jauge.db"), StatusCode::NOT_FOUND),
        (
            format!("/partage/{token}/..%2Fjauge.db"),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/partage/{}/patrons.csv", auth::new_token()),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/partage/{expired_token}/patrons.csv"),
            StatusCode::GONE,
        ),
    ] {
        let (status, _, _, _) = send(&app, &uri, "", None).await;
        assert_eq!(status, expected, "{uri}");
    }
    SqliteStore::open(&db).unwrap().revoke_share(id).unwrap();
    let (status, _, _, _) = send(&app, &format!("/partage/{token}/patrons.csv"), "", None).await;
    assert_eq!(status, StatusCode::GONE);
    let log = SqliteStore::open(&db).unwrap().audit_log().unwrap();
    assert_eq!(
        log.iter().filter(|e| e.action == "share download").count(),
        1,
        "each download is audited, refusals are not downloads"
    );
}

#[tokio::test]
async fn an_api_token_reads_the_pages_with_its_scope_until_it_ends() {
    let (_dir, db, _venue) = demo_database();
    add_account(&db, "a", "admin", "un mot de passe long");
    let token = |scopes: &[&str], days: i64| {
        let secret = auth::new_token();
        let id = SqliteStore::open(&db)
            .unwrap()
            .save_token(&jauge_store::ApiToken {
                id: 0,
                name: "essai".into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                token_hash: auth::token_hash(&secret),
                expires_at: chrono::Utc::now() + chrono::Duration::days(days),
                revoked_at: None,
            })
            .unwrap();
        (id, secret)
    };
    let (reader_id, reader) = token(&["read:aggregates"], 30);
    let (_, importer) = token(&["write:import"], 30);
    let (_, expired) = token(&["admin"], -1);
    let app = router(db.clone());
    let with = |secret: &str| {
        let app = app.clone();
        let secret = secret.to_owned();
        async move {
            app.oneshot(
                Request::get("/saison.csv?tableau=representations")
                    .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap()
            .status()
        }
    };
    assert_eq!(with(&reader).await, StatusCode::OK);
    assert_eq!(with(&importer).await, StatusCode::FORBIDDEN);
    assert_eq!(with(&expired).await, StatusCode::UNAUTHORIZED);
    assert_eq!(with("made-up").await, StatusCode::UNAUTHORIZED);
    SqliteStore::open(&db)
        .unwrap()
        .revoke_token(reader_id)
        .unwrap();
    assert_eq!(with(&reader).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_season_report_is_served_as_html_and_pdf_in_each_language() {
    let (_dir, db, venue) = demo_database();
    let app = router(db);
    let season = venue.seasons[1].label();
    let (status, kind, html) = get(&app, &format!("/bilan?saison={season}")).await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "text/html; charset=utf-8")
    );
    assert!(
        html.contains(&format!("Bilan de la saison {season}")),
        "{html}"
    );
    let (_, _, english) = get(&app, &format!("/bilan?saison={season}&lang=en")).await;
    assert!(english.contains(&format!("Season report {season}")));
    let (status, _, _) = get(&app, "/bilan?saison=1999-2000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app
        .clone()
        .oneshot(
            axum::http::Request::get(format!("/bilan.pdf?saison={season}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    if cfg!(feature = "pdf") {
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[axum::http::header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"bilan-{season}.pdf\"").as_str()
        );
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert!(body.starts_with(b"%PDF-"));
    } else {
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
}

/// A call to the API with a bearer token (none when empty): status, content type, JSON body.
async fn api(app: &Router, uri: &str, token: &str) -> (StatusCode, String, serde_json::Value) {
    let mut request = Request::get(uri);
    if !token.is_empty() {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let (status, kind, body) = call(app, request).await;
    (status, kind, serde_json::from_slice(&body).unwrap())
}

fn api_token(db: &std::path::Path, scopes: &[&str]) -> String {
    let secret = auth::new_token();
    SqliteStore::open(db)
        .unwrap()
        .save_token(&jauge_store::ApiToken {
            id: 0,
            name: "api".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            token_hash: auth::token_hash(&secret),
            expires_at: chrono::Utc::now() + chrono::Duration::days(1),
            revoked_at: None,
        })
        .unwrap();
    secret
}

#[tokio::test]
async fn the_api_answers_only_a_token_that_may_read_and_its_errors_are_problems() {
    let (_dir, db, venue) = demo_database();
    let reader = api_token(&db, &["read:aggregates"]);
    let importer = api_token(&db, &["write:import"]);
    let app = router(db.clone());
    // Even with no account (the pages are open), the API needs a token.
    for (token, status) in [
        ("", StatusCode::UNAUTHORIZED),
        ("made-up", StatusCode::UNAUTHORIZED),
        (importer.as_str(), StatusCode::FORBIDDEN),
    ] {
        let (got, kind, problem) = api(&app, "/api/v1/seasons", token).await;
        assert_eq!(got, status, "{token}");
        assert_eq!(kind, "application/problem+json");
        assert_eq!(problem["status"], status.as_u16());
        assert_eq!(problem["type"], "about:blank");
        assert!(!problem["detail"].as_str().unwrap().is_empty());
    }
    let (status, kind, seasons) = api(&app, "/api/v1/seasons", &reader).await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "application/json")
    );
    let store = SqliteStore::open(&db).unwrap();
    let labels: Vec<String> = store.seasons().unwrap().iter().map(|s| s.label()).collect();
    let got: Vec<&str> = seasons
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["season"].as_str().unwrap())
        .collect();
    assert_eq!(got, labels);
    // A season's figures are the analytics' own.
    let season = venue.seasons[1];
    let (_, _, one) = api(
        &app,
        &format!("/api/v1/seasons/{}", season.label()),
        &reader,
    )
    .await;
    let summary = jauge_analytics::season_summary(&store.season_facts(season).unwrap());
    assert_eq!(one["summary"]["tickets"], summary.tickets);
    assert_eq!(one["summary"]["revenue"], summary.revenue.get());
    let (_, _, performances) = api(
        &app,
        &format!("/api/v1/seasons/{}/performances", season.label()),
        &reader,
    )
    .await;
    let performances = performances.as_array().unwrap();
    assert_eq!(
        performances.len(),
        store.season_performances(season).unwrap().len()
    );
    let held_tickets: u64 = performances
        .iter()
        .filter(|p| p["status"] == "scheduled")
        .map(|p| p["tickets"].as_u64().unwrap())
        .sum();
    assert_eq!(held_tickets, summary.tickets);
    let (_, _, shows) = api(
        &app,
        &format!("/api/v1/seasons/{}/shows", season.label()),
        &reader,
    )
    .await;
    let show_tickets: u64 = shows
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["tickets"].as_u64().unwrap())
        .sum();
    assert_eq!(show_tickets, summary.tickets);
    let (status, _, forecasts) = api(&app, "/api/v1/forecasts", &reader).await;
    assert_eq!(status, StatusCode::OK);
    let upcoming = crate::pages::upcoming_data(&store).unwrap().unwrap();
    assert_eq!(forecasts.as_array().unwrap().len(), upcoming.rows.len());
    assert!(
        !upcoming.rows.is_empty(),
        "the demo has performances to come"
    );
    for f in forecasts.as_array().unwrap() {
        if let Some(interval) = f["forecast"].as_object() {
            let (low, mid, high) = (
                interval["low"].as_f64().unwrap(),
                interval["tickets"].as_f64().unwrap(),
                interval["high"].as_f64().unwrap(),
            );
            assert!(low <= mid && mid <= high, "{f}");
        }
    }
    let (status, _, sources) = api(&app, "/api/v1/sources", &reader).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        sources.as_array().unwrap().len(),
        store.sources().unwrap().len()
    );
    // Errors: a season without performances, a label that is not one, a path that is not.
    for (uri, status) in [
        ("/api/v1/seasons/1999-2000", StatusCode::NOT_FOUND),
        ("/api/v1/seasons/printemps", StatusCode::NOT_FOUND),
        ("/api/v1/seasons/2025-2027", StatusCode::NOT_FOUND),
        ("/api/v1/nothing/here", StatusCode::NOT_FOUND),
    ] {
        let (got, kind, problem) = api(&app, uri, &reader).await;
        assert_eq!(
            (got, kind.as_str()),
            (status, "application/problem+json"),
            "{uri}"
        );
        assert_eq!(problem["status"], status.as_u16(), "{uri}");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_each_one_answers() {
    let (_dir, db, venue) = demo_database();
    let reader = api_token(&db, &["read:aggregates"]);
    let app = router(db);
    // The document needs no token: it is the API's description, not its data.
    let (status, _, document) = api(&app, "/api/v1/openapi.json", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document, api::document());
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 9);
    for (path, item) in paths {
        // The readings answer; the writings (tested with their modules) are posts.
        let Some(reading) = item.get("get") else {
            assert!(item["post"].is_object(), "{path}");
            continue;
        };
        let uri = path.replace("{season}", &venue.seasons[0].label());
        let (status, _, _) = api(&app, &uri, &reader).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        // Every answer it documents has a description, and every reference resolves.
        for (code, answer) in reading["responses"].as_object().unwrap() {
            assert!(answer["description"].is_string(), "{path} {code}");
        }
    }
    for (path, item) in paths {
        for (code, answer) in item
            .as_object()
            .unwrap()
            .values()
            .flat_map(|operation| operation["responses"].as_object().unwrap())
        {
            assert!(answer["description"].is_string(), "{path} {code}");
        }
    }
    let text = document.to_string();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = &reference[..reference.find('"').unwrap()];
        assert!(
            document["components"]["schemas"][name].is_object(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_campaigns_page_attributes_orders_by_the_venues_rule() {
    let (_dir, db, venue) = demo_database();
    let store = SqliteStore::open(&db).unwrap();
    let facts = store.campaign_facts().unwrap();
    assert_eq!(
        facts.campaigns.len(),
        venue.emailing.campaigns.len(),
        "every campaign of the demo is read back"
    );
    let app = router(db.clone());
    let (status, _, html) = get(&app, "/campagnes").await;
    assert_eq!(status, StatusCode::OK);
    for c in &venue.emailing.campaigns {
        assert!(
            html.contains(&jauge_report::chart::escape(c.name.as_str())),
            "{} is not listed",
            c.name
        );
    }
    assert!(
        html.contains("dans les 7 jours"),
        "the default window is said"
    );
    let (_, _, english) = get(&app, "/campagnes?lang=en").await;
    assert!(english.contains("within the 7 days"));
    // The page's totals are the attribution's under the venue's rule; a wider window, or
    // opens counted, never attributes fewer orders.
    let total = |rule| -> u64 {
        jauge_analytics::campaigns::campaign_results(&facts, rule)
            .iter()
            .map(|c| c.orders)
            .sum()
    };
    let default = jauge_analytics::campaigns::AttributionRule::default();
    let seven = total(default);
    let thirty = total(jauge_analytics::campaigns::AttributionRule {
        window: chrono::Duration::days(30),
        ..default
    });
    let opens = total(jauge_analytics::campaigns::AttributionRule {
        opens: true,
        ..default
    });
    assert!(
        seven <= thirty && seven <= opens,
        "{seven} {thirty} {opens}"
    );
    let mut store = store;
    store
        .set_setting("campaigns.attribution_days", "30")
        .unwrap();
    let (_, _, wider) = get(&app, "/campagnes").await;
    assert!(
        wider.contains("dans les 30 jours"),
        "the venue's window is used"
    );
    let csv = get(&app, "/campagnes.csv?tableau=campagnes").await.2;
    let attributed: u64 = csv
        .lines()
        .skip(1)
        .map(|line| {
            line.split(';')
                .nth(10)
                .unwrap()
                .replace(['\u{202f}', ' '], "")
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    assert_eq!(attributed, thirty);
    // Unlinked, a contact's click and a buyer's order are two people's. Linked as one person,
    // the buyer's first order within 30 days after the contact's first click goes to its
    // campaign.
    let click = facts
        .touches
        .iter()
        .find(|t| t.kind == jauge_model::CampaignEventKind::Clicked)
        .expect("the demo's contacts click");
    let order = facts
        .bookings
        .iter()
        .filter(|b| b.at >= click.at && b.at - click.at <= chrono::Duration::days(30))
        .min_by_key(|b| b.at)
        .expect("someone books within a month of a click");
    let person: jauge_model::PatronKey = click.person.parse().unwrap();
    store
        .save_persons(&[
            jauge_store::PersonLink {
                patron: person.clone(),
                person: person.clone(),
                part: person.clone(),
            },
            jauge_store::PersonLink {
                patron: order.person.parse().unwrap(),
                person: person.clone(),
                part: person,
            },
        ])
        .unwrap();
    let linked = store.campaign_facts().unwrap();
    let wide = jauge_analytics::campaigns::AttributionRule {
        window: chrono::Duration::days(30),
        ..default
    };
    let results = jauge_analytics::campaigns::campaign_results(&linked, wide);
    assert!(
        results[click.campaign].orders >= 1,
        "{:?}",
        results[click.campaign]
    );
    assert_eq!(
        results.iter().map(|c| c.orders).sum::<u64>(),
        thirty + 1,
        "exactly the linked buyer's order is attributed besides"
    );
}
