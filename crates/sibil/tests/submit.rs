//! The sending, against a local stand-in of SIBIL's API that keeps its documented contract:
//! JWT login, domains, create, update, search by `idExtBilletterie`, the duplicate-declaration
//! error (HTTP 400, `errorKey: errorsDataSib`), expired tokens, and 503s that pass.

use std::collections::BTreeMap;
use std::time::Duration;

use jauge_sibil::client::{Credentials, Retry, Sent, SubmitError, submit};
use jauge_sibil::stand_in::{PASSWORD, USER, stand_in};
use jauge_sibil::{Declarant, Declaration, DomainMapping, PerformanceFacts, Place, build};
use serde_json::json;

fn credentials(url: &str, password: &str) -> Credentials {
    Credentials {
        url: url.to_owned(),
        username: USER.to_owned(),
        password: password.to_owned(),
    }
}

/// Quick retries, for tests.
const QUICK: Retry = Retry {
    attempts: 3,
    first_wait: Duration::from_millis(10),
};

/// Three performances' declarations, the last one's show `last_show`.
fn declarations(tickets: u64) -> Vec<Declaration> {
    use chrono::TimeZone;
    use jauge_model::{Cents, Discipline, PerformanceStatus, PlaceType, TariffCategory};
    let facts: Vec<PerformanceFacts> = (0..3)
        .map(|i| {
            let starts_at = chrono::Utc
                .with_ymd_and_hms(2026, 10, 10 + i, 18, 30, 0)
                .unwrap();
            PerformanceFacts {
                id: i64::from(i),
                external_id: format!("billetterie-P{i}"),
                show: if i == 2 {
                    "Danses".into()
                } else {
                    "Ondine".into()
                },
                company: None,
                discipline: if i == 2 {
                    Discipline::Dance
                } else {
                    Discipline::Theatre
                },
                young_audience: false,
                coproduction: false,
                festival: None,
                starts_at,
                local_start: starts_at.naive_utc(),
                capacity: Some(300),
                status: PerformanceStatus::Scheduled,
                tariffs: vec![(
                    TariffCategory::FullPrice,
                    tickets,
                    Cents::new(tickets * 2_000),
                )],
                analytics: jauge_analytics::SalesTotals {
                    tickets,
                    paid_tickets: tickets,
                    free_tickets: 0,
                    revenue: Cents::new(tickets * 2_000),
                    subscription_tickets: 0,
                },
            }
        })
        .collect();
    let built = build(
        "2026-Q4".parse().unwrap(),
        &Declarant {
            legal_name: "Quatre Vents".into(),
            siret: Some("78467169500087".into()),
            licence: Some("L-R-21-4512".into()),
        },
        &Place {
            name: "Théâtre des Quatre Vents".into(),
            address: "12 rue des Tanneurs".into(),
            postcode: "37300".into(),
            city: "Joué-lès-Tours".into(),
            siret: None,
            place_type: Some(PlaceType::Theatre),
        },
        &DomainMapping::default(),
        &facts,
        &Default::default(),
    );
    assert!(!built.blocked(), "{:?}", built.problems);
    built.declarations
}

fn ids(results: &[(String, Sent)]) -> BTreeMap<String, i64> {
    results
        .iter()
        .filter_map(|(ext, sent)| match sent {
            Sent::Created { sibil_id } | Sent::Updated { sibil_id } => {
                Some((ext.clone(), *sibil_id))
            }
            Sent::Failed { .. } => None,
        })
        .collect()
}

#[test]
fn a_quarter_is_created_then_updated_and_a_passing_503_is_tried_again() {
    let (url, state) = stand_in();
    state.lock().unwrap().unavailable_creations = 1;
    let first = submit(
        &credentials(&url, PASSWORD),
        QUICK,
        &declarations(40),
        &BTreeMap::new(),
    )
    .unwrap();
    assert!(
        first.iter().all(|(_, s)| matches!(s, Sent::Created { .. })),
        "{first:?}"
    );
    {
        let s = state.lock().unwrap();
        assert_eq!(s.declarations.len(), 3);
        assert_eq!(
            s.posts, 4,
            "the creation SIBIL could not take for a moment was sent again"
        );
        assert!(
            s.declarations
                .values()
                .all(|d| d["nbBilletsTotalBilletterie"] == 40)
        );
        assert!(
            s.declarations
                .values()
                .any(|d| d["domaineRepresentationId"] == 2)
        );
    }
    // Later sales: the same performances are updated, not duplicated.
    let known = ids(&first);
    let second = submit(
        &credentials(&url, PASSWORD),
        QUICK,
        &declarations(55),
        &known,
    )
    .unwrap();
    assert!(
        second
            .iter()
            .all(|(_, s)| matches!(s, Sent::Updated { .. })),
        "{second:?}"
    );
    assert_eq!(ids(&second), known);
    let s = state.lock().unwrap();
    assert_eq!(s.declarations.len(), 3);
    assert!(
        s.declarations
            .values()
            .all(|d| d["nbBilletsTotalBilletterie"] == 55)
    );
    assert!(
        s.declarations
            .values()
            .all(|d| d["recetteTotalBilletterie"] == 1100.0)
    );
}

#[test]
fn a_declaration_sent_before_but_not_recorded_is_found_and_updated() {
    let (url, state) = stand_in();
    let first = submit(
        &credentials(&url, PASSWORD),
        QUICK,
        &declarations(10),
        &BTreeMap::new(),
    )
    .unwrap();
    // The record of what was sent is lost: SIBIL's duplicate error leads to the declaration.
    let again = submit(
        &credentials(&url, PASSWORD),
        QUICK,
        &declarations(12),
        &BTreeMap::new(),
    )
    .unwrap();
    assert!(
        again.iter().all(|(_, s)| matches!(s, Sent::Updated { .. })),
        "{again:?}"
    );
    assert_eq!(ids(&again), ids(&first));
    let s = state.lock().unwrap();
    assert_eq!(s.declarations.len(), 3);
    assert!(
        s.declarations
            .values()
            .all(|d| d["nbBilletsTotalBilletterie"] == 12)
    );
}

#[test]
fn the_same_show_at_the_same_time_declared_by_another_is_reported_not_overwritten() {
    let (url, state) = stand_in();
    let mut theirs = serde_json::to_value(&declarations(5)[0]).unwrap();
    theirs["idExtBilletterie"] = json!("another-ticketing-77");
    theirs["id"] = json!(1);
    state.lock().unwrap().declarations.insert(1, theirs);
    let results = submit(
        &credentials(&url, PASSWORD),
        QUICK,
        &declarations(10),
        &BTreeMap::new(),
    )
    .unwrap();
    assert!(
        matches!(&results[0].1, Sent::Failed { message } if message.contains("errorsDataSib") || message.contains("existe déjà")),
        "{results:?}"
    );
    assert!(matches!(results[1].1, Sent::Created { .. }));
    assert_eq!(
        state.lock().unwrap().declarations[&1]["nbBilletsTotalBilletterie"],
        5
    );
}

#[test]
fn an_expired_token_is_renewed_once() {
    let (url, state) = stand_in();
    state.lock().unwrap().expire_after = Some(2);
    let results = submit(
        &credentials(&url, PASSWORD),
        QUICK,
        &declarations(3),
        &BTreeMap::new(),
    )
    .unwrap();
    assert!(
        results
            .iter()
            .all(|(_, s)| matches!(s, Sent::Created { .. })),
        "{results:?}"
    );
    assert_eq!(state.lock().unwrap().logins, 2);
}

#[test]
fn a_wrong_password_or_an_unreachable_sibil_stops_with_a_clear_error() {
    let (url, state) = stand_in();
    let refused = submit(
        &credentials(&url, "faux"),
        QUICK,
        &declarations(3),
        &BTreeMap::new(),
    )
    .unwrap_err();
    assert!(matches!(&refused, SubmitError::Login { username } if username == USER));
    assert!(refused.to_string().contains("JAUGE_SIBIL_PASSWORD"));
    // Busy for longer than the retries last.
    state.lock().unwrap().unavailable = 10;
    let busy = submit(
        &credentials(&url, PASSWORD),
        QUICK,
        &declarations(3),
        &BTreeMap::new(),
    )
    .unwrap_err();
    assert!(
        matches!(&busy, SubmitError::Unreachable { reason, .. } if reason.contains("503")),
        "{busy}"
    );
    assert!(state.lock().unwrap().declarations.is_empty());
    // Nobody there at all.
    let nobody = submit(
        &credentials("http://127.0.0.1:9", PASSWORD),
        QUICK,
        &declarations(3),
        &BTreeMap::new(),
    )
    .unwrap_err();
    assert!(matches!(nobody, SubmitError::Unreachable { .. }));
}

#[test]
fn a_domain_sibil_does_not_know_fails_that_declaration_only() {
    let (url, _state) = stand_in();
    let mut list = declarations(3);
    list[2].domaine_representation_libelle = Some("Danse contemporaine".into());
    let results = submit(&credentials(&url, PASSWORD), QUICK, &list, &BTreeMap::new()).unwrap();
    assert!(matches!(results[0].1, Sent::Created { .. }));
    assert!(
        matches!(&results[2].1, Sent::Failed { message } if message.contains("Danse contemporaine"))
    );
}
