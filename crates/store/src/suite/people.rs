//! Patrons as persons: consents, subject access, erasure, linkage decisions, activity.

use chrono::{Duration, TimeZone, Utc};
use jauge_model::*;

use super::{Backend, set_up};
use crate::StoreError;
use crate::sqlite::tests::{dataset, id};

on_both!(
    erasure_removes_a_patrons_identity_everywhere_and_keeps_the_facts,
    decisions_and_linkage_round_trip_and_activity_reads_persons,
);

fn key(s: &str) -> PatronKey {
    s.parse().unwrap()
}

/// pk0 bought twice (P0 and P1); pk1 once. pk0 consented by email then withdrew, with
/// proofs naming them; a campaign reached pk0 and pk1.
fn with_people() -> Dataset {
    let mut d = dataset(&[
        (0, 2500, TicketStatus::Valid, 0),
        (1, 1800, TicketStatus::Valid, 0),
        (1, 2500, TicketStatus::Valid, 1),
    ]);
    let at = |days| Utc.with_ymd_and_hms(2024, 9, 1, 10, 0, 0).unwrap() + Duration::days(days);
    for (patron, status, days, proof) in [
        ("pk0", ConsentStatus::Given, 0, "form, p0@exemple.fr"),
        ("pk1", ConsentStatus::Given, 1, "box ticked"),
        ("pk0", ConsentStatus::Withdrawn, 30, "unsubscribe link"),
    ] {
        d.consents.push(Consent {
            patron: key(patron),
            channel: ConsentChannel::Email,
            purpose: ConsentPurpose::Newsletter,
            status,
            at: at(days),
            source: d.source.clone(),
            proof: proof.into(),
        });
    }
    d.campaigns.push(Campaign {
        id: id("C1"),
        name: "Rentrée".parse().unwrap(),
        sent_at: at(2),
        events: vec![
            CampaignEvent {
                patron: key("pk0"),
                kind: CampaignEventKind::Opened,
                at: at(3),
            },
            CampaignEvent {
                patron: key("pk1"),
                kind: CampaignEventKind::Clicked,
                at: at(4),
            },
        ],
    });
    // Rows that name pk0: by email (any case), by both names; and ones that do not.
    for (line, raw) in [
        (2, "x;P0@EXEMPLE.FR;y"),
        (3, "PRÉNOM0;martin;z"),
        (4, "prénom0;MARTIN"),
        (5, "Prénom1;Martin"),
        (6, "nobody"),
    ] {
        d.quarantined.push(QuarantinedRow {
            line,
            column: None,
            raw: raw.into(),
            reason: "bad".into(),
        });
    }
    d
}

fn erasure_removes_a_patrons_identity_everywhere_and_keeps_the_facts<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
    store.write_dataset(&with_people()).unwrap();
    store
        .set_setting("linkage.model", "Prénom0 Martin, p0@exemple.fr")
        .unwrap();
    store.set_setting("note", "write to P0@exemple.fr").unwrap();
    store.set_setting("other", "nothing personal").unwrap();

    let ledger = store
        .consents(ConsentChannel::Email, ConsentPurpose::Newsletter)
        .unwrap();
    assert_eq!(
        ledger
            .iter()
            .map(|c| (c.patron.as_str(), c.status))
            .collect::<Vec<_>>(),
        [
            ("pk0", ConsentStatus::Given),
            ("pk1", ConsentStatus::Given),
            ("pk0", ConsentStatus::Withdrawn)
        ],
        "oldest first"
    );
    assert!(
        store
            .consents(ConsentChannel::Sms, ConsentPurpose::Newsletter)
            .unwrap()
            .is_empty()
    );

    let before = store.subject_data(&[key("pk0")]).unwrap();
    assert_eq!(before.identities.len(), 1);
    assert_eq!(before.consents.len(), 2);
    assert_eq!(before.purchases.len(), 2);
    assert!(before.purchases[0].ordered_at <= before.purchases[1].ordered_at);
    assert_eq!(before.campaign_events.len(), 1);

    // The identity row, two proofs, two settings matched and the named one, two rows of
    // quarantine (names match whatever their ASCII case, as SQLite's `lower` folds it:
    // "PRÉNOM0" is not "Prénom0").
    let removed = store.erase(&[key("pk0")], &["linkage.model"]).unwrap();
    assert_eq!(removed, 1 + 2 + 2 + 2);
    assert!(
        store
            .identities()
            .unwrap()
            .iter()
            .all(|(i, _)| i.key != Some(key("pk0")))
    );
    assert_eq!(store.identities().unwrap().len(), 4);
    let after = store.subject_data(&[key("pk0")]).unwrap();
    assert!(after.identities.is_empty());
    assert!(after.consents.iter().all(|c| c.proof.is_empty()));
    assert_eq!(
        (after.purchases.len(), after.campaign_events.len()),
        (2, 1),
        "facts stay"
    );
    let raws: Vec<String> = store
        .quarantine(None)
        .unwrap()
        .into_iter()
        .map(|q| q.row.raw)
        .collect();
    assert_eq!(raws, ["PRÉNOM0;martin;z", "Prénom1;Martin", "nobody"]);
    assert_eq!(store.setting("linkage.model").unwrap().as_deref(), Some(""));
    assert_eq!(store.setting("note").unwrap().as_deref(), Some(""));
    assert_eq!(
        store.setting("other").unwrap().as_deref(),
        Some("nothing personal")
    );
    assert_eq!(store.count("ticket"), 3);
    assert_eq!(
        store.erase(&[key("pk0")], &["linkage.model"]).unwrap(),
        0,
        "nothing left"
    );
}

fn decisions_and_linkage_round_trip_and_activity_reads_persons<S: Backend>() {
    let Some(mut store) = set_up::<S>() else {
        return;
    };
    assert_eq!(store.last_batch().unwrap(), None);
    let batch = store.write_dataset(&with_people()).unwrap().batch;
    assert_eq!(store.last_batch().unwrap(), batch);
    assert_eq!(
        store
            .identities()
            .unwrap()
            .iter()
            .map(|(i, b)| (i.key.clone().unwrap(), Some(*b)))
            .collect::<Vec<_>>(),
        (0..5)
            .map(|n| (key(&format!("pk{n}")), batch))
            .collect::<Vec<_>>(),
        "in key order, with their batch"
    );

    assert!(matches!(
        store.decide(&key("pk0"), &key("nobody"), true),
        Err(StoreError::UnknownPatron(k)) if k == "nobody"
    ));
    store.decide(&key("pk3"), &key("pk1"), false).unwrap();
    store.decide(&key("pk2"), &key("pk2"), true).unwrap();
    assert_eq!(
        store.decisions().unwrap(),
        [(key("pk1"), key("pk3"), false)],
        "in key order, none on itself"
    );
    store.decide(&key("pk1"), &key("pk3"), true).unwrap();
    assert_eq!(
        store.decisions().unwrap(),
        [(key("pk1"), key("pk3"), true)],
        "replaced"
    );

    let link = |patron: &str, person: &str| crate::PersonLink {
        patron: key(patron),
        person: key(person),
        part: key(patron),
    };
    store
        .save_persons(&[link("pk1", "pk0"), link("pk0", "pk0")])
        .unwrap();
    store
        .save_persons(&[link("pk2", "pk0"), link("pk1", "pk0")])
        .unwrap();
    assert_eq!(
        store.persons().unwrap(),
        [link("pk1", "pk0"), link("pk2", "pk0")],
        "replaced, in key order"
    );

    let mut activity = store.activity().unwrap();
    activity.sort_by(|a, b| a.patron.as_str().cmp(b.patron.as_str()));
    assert_eq!(activity.len(), 5);
    assert_eq!(
        (activity[0].person.as_str(), activity[1].person.as_str()),
        ("pk0", "pk0")
    );
    assert_eq!(activity[3].person.as_str(), "pk3", "unlinked: its own key");
    assert_eq!(
        activity[0].last_contact,
        Some(Utc.with_ymd_and_hms(2024, 9, 1, 10, 0, 0).unwrap() + Duration::days(30)),
        "the withdrawal, after the campaign's opening"
    );
    assert_eq!(
        (activity[4].last_purchase, activity[4].last_contact),
        (None, None)
    );
}
