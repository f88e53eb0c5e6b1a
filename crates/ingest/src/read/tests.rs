use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone};
use jauge_model::*;

use super::*;
use crate::dialect::detect;

fn read_file(bytes: &[u8], defaults: Defaults, source: &str) -> (Read, Inferred) {
    let detected = detect(bytes).unwrap_or_else(|e| panic!("{e}"));
    let inferred = infer_profile(&detected, defaults);
    let read = read(
        &detected,
        &Input::Bytes(bytes.to_vec()),
        &inferred.profile,
        source.parse().unwrap(),
        SourceKind::TicketingExport,
        "test.csv",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (read, inferred)
}

/// A small demo venue and its export files, in a directory that lives as long as the guard.
fn demo_venue_files() -> (
    jauge_demo::DemoVenue,
    jauge_demo::DemoFiles,
    tempfile::TempDir,
) {
    let venue = jauge_demo::generate(jauge_demo::DemoOptions {
        seed: 3,
        scale: 0.1,
        today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    });
    let dir = tempfile::tempdir().unwrap();
    let files = jauge_demo::write_files(&venue, dir.path()).unwrap();
    (venue, files, dir)
}

fn by_id<T: Clone, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> BTreeMap<K, T> {
    items.iter().map(|i| (key(i), i.clone())).collect()
}

#[test]
fn the_demo_venues_exports_read_back_to_the_facts_they_were_written_from() {
    let (venue, files, _dir) = demo_venue_files();
    let generated = &venue.ticketing;

    // The performances file: shows and performances.
    let (performances, _) = read_file(
        &std::fs::read(&files.performances).unwrap(),
        Defaults::default(),
        "billetterie",
    );
    assert_eq!(performances.dataset.quarantined, vec![]);
    assert_eq!(
        by_id(&performances.dataset.performances, |p| p.id.clone()),
        by_id(&generated.performances, |p| p.id.clone())
    );
    assert_eq!(
        by_id(&performances.dataset.shows, |s| s.id.clone()),
        by_id(&generated.shows, |s| s.id.clone())
    );

    // The ticket export: tariffs, buyers, orders and tickets.
    let (tickets, inferred) = read_file(
        &std::fs::read(&files.ticketing).unwrap(),
        Defaults::default(),
        "billetterie",
    );
    assert_eq!(inferred.mapping.unmatched, vec![]);
    assert_eq!(tickets.dataset.quarantined, vec![]);
    assert_eq!(tickets.rows as usize, generated.tickets.len());
    let read = &tickets.dataset;
    assert_eq!(
        read.performances,
        vec![],
        "a ticket list without capacities defines no performance"
    );
    assert_eq!(
        by_id(&read.tariffs, |t| t.id.clone()),
        by_id(&generated.tariffs, |t| t.id.clone())
    );
    assert_eq!(
        by_id(&read.patrons, |p| p.key.clone()),
        by_id(&generated.patrons, |p| p.key.clone())
    );
    assert_eq!(
        by_id(&read.tickets, |t| t.id.clone()),
        by_id(&generated.tickets, |t| t.id.clone())
    );

    // Orders: their times are written in local time without an offset, so an order placed in
    // the hour that repeats when clocks go back cannot be told from its twin; every other one
    // reads back exactly.
    let written = by_id(&generated.orders, |o| o.id.clone());
    let tz = jauge_model::DEFAULT_TIME_ZONE;
    assert_eq!(read.orders.len(), written.len());
    for order in &read.orders {
        let original = &written[&order.id];
        if order.created_at != original.created_at {
            let local = original.created_at.with_timezone(&tz).naive_local();
            assert!(
                matches!(
                    tz.from_local_datetime(&local),
                    chrono::LocalResult::Ambiguous(..)
                ),
                "order {} read as {} instead of {}",
                order.id,
                order.created_at,
                original.created_at
            );
        }
        assert_eq!(
            Order {
                created_at: original.created_at,
                ..order.clone()
            },
            *original
        );
    }
}

#[test]
fn rows_that_cannot_be_taken_are_quarantined_with_their_place_and_reason() {
    let csv = "N° commande;Date commande;Code séance;Tarif;Prix TTC;Statut billet\n\
               C1;14/03/2026 20:30;S1;Plein tarif;12,50;Valide\n\
               C2;14/03/2026 20:31;S1;Plein tarif;douze;Valide\n\
               C3;14/03/2026 20:32;S1;Plein tarif;-5,00;Valide\n\
               C4;;S1;Plein tarif;12,50;Valide\n\
               C5;29/03/2026 02:30;S1;Plein tarif;12,50;Valide\n\
               C6;14/03/2026 20:33;S1;Plein tarif;12,50;Perdu\n\
               C7;14/03/2026 20:34;S1;Tarif mystère;8,00;\n";
    let (read, _) = read_file(csv.as_bytes(), Defaults::default(), "billetterie");
    assert_eq!(read.rows, 7);
    let taken: BTreeSet<&str> = read.dataset.orders.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(taken, BTreeSet::from(["C1", "C7"]));
    let quarantined: Vec<(u64, usize, &str)> = read
        .dataset
        .quarantined
        .iter()
        .map(|q| (q.line, q.column.as_ref().unwrap().0, q.raw.as_str()))
        .collect();
    assert_eq!(
        quarantined,
        vec![
            (3, 4, "douze"),
            (4, 4, "-5,00"),
            (5, 1, ""),
            (6, 1, "29/03/2026 02:30"),
            (7, 5, "Perdu")
        ]
    );
    let message = read.dataset.quarantined[1].to_string();
    assert!(
        message.starts_with("line 4, column 5 (Prix TTC)") && message.contains("refund"),
        "{message}"
    );
    // An unknown tariff does not lose its row: it is counted as other, and said.
    assert_eq!(
        read.dataset
            .tariffs
            .iter()
            .find(|t| t.id.as_str() == "Tarif mystère")
            .unwrap()
            .category,
        TariffCategory::Other
    );
    assert!(
        read.notes.iter().any(|n| n.contains("Tarif mystère")),
        "{:?}",
        read.notes
    );
}

#[test]
fn a_file_that_gives_nothing_the_model_needs_says_so() {
    let bytes = b"Nom;Ville\nDupont;Tours\n";
    let detected = detect(bytes).unwrap();
    let inferred = infer_profile(&detected, Defaults::default());
    let error = read(
        &detected,
        &Input::Bytes(bytes.to_vec()),
        &inferred.profile,
        "crm".parse().unwrap(),
        SourceKind::CrmExport,
        "x.csv",
    )
    .unwrap_err();
    assert_eq!(error, ReadError::NothingToRead);
}

#[test]
fn customer_numbers_that_are_not_keys_are_hashed_the_same_way_every_time() {
    assert_eq!(
        patron_key("billetterie", "C000123").as_str(),
        "billetterie-C000123"
    );
    let odd = patron_key("billetterie", "Client n°12 / Tours");
    assert!(odd.as_str().starts_with("billetterie-h"));
    assert_eq!(odd, patron_key("billetterie", "Client n°12 / Tours"));
    assert_ne!(odd, patron_key("billetterie", "Client n°13 / Tours"));
}

/// The real concert export (bare CR lines, `2010/10/14 p.m. 11:25:58.` timestamps) reads with
/// a profile that adds what the file does not say: no row lost or invented.
#[test]
fn the_real_concert_export_reads_without_losing_or_inventing_a_row() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/tickets/concert_taipei_2010.csv"
    );
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("skipped: {path} is not here");
        return;
    };
    let defaults = Defaults {
        hall: Some("Arena".parse().unwrap()),
        capacity: Some(Capacity::new(12_000).unwrap()),
        time_zone: chrono_tz::Asia::Taipei,
        ..Defaults::default()
    };
    let (read, inferred) = read_file(&bytes, defaults, "taipei");
    assert_eq!(
        read.dataset.quarantined,
        vec![],
        "{:?}",
        read.dataset.quarantined.first()
    );

    // An independent count, straight from the text.
    let text = String::from_utf8_lossy(&bytes).replace('\r', "\n");
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (order, price) = (
        header.iter().position(|h| *h == "ORDER_ID").unwrap(),
        header.iter().position(|h| *h == "PRICE").unwrap(),
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let orders: BTreeSet<&str> = rows.iter().map(|r| r[order]).collect();
    let cents: i64 = rows
        .iter()
        .map(|r| r[price].trim().parse::<i64>().unwrap() * 100)
        .sum();

    assert_eq!(read.rows as usize, rows.len());
    assert_eq!(read.dataset.tickets.len(), rows.len());
    assert_eq!(read.dataset.orders.len(), orders.len());
    assert_eq!(
        read.dataset
            .tickets
            .iter()
            .map(|t| t.amount_paid.as_i64())
            .sum::<i64>(),
        cents
    );
    assert_eq!(inferred.profile.columns.get(&Field::OrderDate), Some(&7));
    // One concert, one performance; its buyers are the masked identities.
    assert_eq!(read.dataset.performances.len(), 1);
    assert_eq!(read.dataset.patrons.len(), 2724);
    // The "member" and "non-member" tariffs are in no known category: said once each.
    assert_eq!(read.notes.len(), 2, "{:?}", read.notes);
}

#[test]
fn spreadsheets_and_json_lines_read_like_any_export() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sheets");
    let jsonl = "{\"N° commande\": \"C1\", \"Date commande\": \"2026-03-14 20:30:00\", \"Code séance\": \"S1\", \"Tarif\": \"Plein tarif\", \"Prix TTC\": 12.5, \"Statut billet\": \"Valide\", \"N° client\": \"K1\", \"Courriel\": \"ana@exemple.fr\"}\n\
                 {\"N° commande\": \"C1\", \"Date commande\": \"2026-03-14 20:30:00\", \"Code séance\": \"S1\", \"Tarif\": \"Tarif réduit\", \"Prix TTC\": 10, \"Statut billet\": \"Valide\", \"N° client\": \"K1\", \"Courriel\": \"ana@exemple.fr\"}\n\
                 {\"N° commande\": \"C2\", \"Date commande\": \"2026-03-15 09:05:00\", \"Code séance\": \"S1\", \"Tarif\": \"Invitation\", \"Prix TTC\": 0, \"Statut billet\": \"Annulé\"}\n";
    let sources: Vec<(&str, Vec<u8>)> = vec![
        (
            "xlsx",
            std::fs::read(format!("{dir}/billetterie.xlsx")).unwrap(),
        ),
        (
            "ods",
            std::fs::read(format!("{dir}/billetterie.ods")).unwrap(),
        ),
        ("jsonl", jsonl.as_bytes().to_vec()),
    ];
    for (what, bytes) in sources {
        let file = crate::read_file(
            bytes,
            "billetterie".parse().unwrap(),
            Defaults::default(),
            None,
            what,
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        let d = &file.read.dataset;
        assert_eq!(d.quarantined, vec![], "{what}");
        let amounts: Vec<u64> = d.tickets.iter().map(|t| t.amount_paid.get()).collect();
        assert_eq!(amounts, [1250, 1000, 0], "{what}");
        let statuses: Vec<TicketStatus> = d.tickets.iter().map(|t| t.status).collect();
        assert_eq!(
            statuses,
            [
                TicketStatus::Valid,
                TicketStatus::Valid,
                TicketStatus::Cancelled
            ],
            "{what}"
        );
        assert_eq!(d.orders.len(), 2, "{what}");
        let paris = jauge_model::DEFAULT_TIME_ZONE
            .with_ymd_and_hms(2026, 3, 14, 20, 30, 0)
            .unwrap();
        assert_eq!(
            d.orders[0].created_at,
            paris.with_timezone(&chrono::Utc),
            "{what}"
        );
        assert_eq!(d.patrons.len(), 1, "{what}");
    }
}

#[test]
fn the_demo_venues_emailing_exports_read_back_to_their_contacts_consents_and_campaigns() {
    let (venue, files, _dir) = demo_venue_files();
    let generated = &venue.emailing;
    let read = |path: &std::path::Path, profile: &str| {
        let bytes = std::fs::read(path).unwrap();
        let profile = crate::profile::builtin(profile).unwrap();
        crate::read_file(
            bytes,
            "emailing".parse().unwrap(),
            Defaults::default(),
            Some(&profile),
            "export.csv",
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .read
        .dataset
    };
    let tz = jauge_model::DEFAULT_TIME_ZONE;
    // Local times without an offset cannot tell the repeated autumn hour's twins apart.
    let same_instant = |a: chrono::DateTime<chrono::Utc>, b: chrono::DateTime<chrono::Utc>| {
        a == b
            || matches!(
                tz.from_local_datetime(&b.with_timezone(&tz).naive_local()),
                chrono::LocalResult::Ambiguous(..)
            )
    };

    let contacts = read(&files.contacts, "emailing-contacts");
    assert_eq!(contacts.quarantined, vec![]);
    assert_eq!(
        by_id(&contacts.patrons, |p| p.key.clone()),
        by_id(&generated.patrons, |p| p.key.clone())
    );
    assert_eq!(contacts.consents.len(), generated.consents.len());
    for (read, written) in contacts.consents.iter().zip(&generated.consents) {
        assert_eq!(
            (&read.patron, read.status, read.channel, read.purpose),
            (
                &written.patron,
                written.status,
                written.channel,
                written.purpose
            )
        );
        assert!(
            same_instant(read.at, written.at),
            "{} read as {}",
            written.at,
            read.at
        );
    }

    let activity = read(&files.activity, "emailing-activity");
    assert_eq!(activity.quarantined, vec![]);
    let written = by_id(&generated.campaigns, |c| c.id.clone());
    let campaigns = by_id(&activity.campaigns, |c| c.id.clone());
    // A campaign nobody opened, clicked or left has no row in the activity export.
    assert!(campaigns.keys().all(|id| written.contains_key(id)));
    for (id, campaign) in &campaigns {
        let original = &written[id];
        assert_eq!(
            (&campaign.name, campaign.sent_at),
            (&original.name, original.sent_at)
        );
        assert_eq!(campaign.events.len(), original.events.len(), "{id}");
        for (read, written) in campaign.events.iter().zip(&original.events) {
            assert_eq!((&read.patron, read.kind), (&written.patron, written.kind));
            assert!(same_instant(read.at, written.at));
        }
    }
}

#[test]
fn a_file_read_in_parts_gives_the_facts_it_gives_whole_each_once() {
    let (_venue, files, _dir) = demo_venue_files();
    let source: SourceName = "billetterie".parse().unwrap();
    let whole = crate::open(
        Input::File(files.ticketing.clone()),
        Defaults::default(),
        None,
    )
    .unwrap()
    .read(source.clone(), "export.csv")
    .unwrap()
    .read
    .dataset;
    let opened = crate::open(
        Input::File(files.ticketing.clone()),
        Defaults::default(),
        None,
    )
    .unwrap();
    let mut parts = Vec::new();
    let summary = opened
        .read_parts(source, "export.csv", 1000, |part| {
            parts.push(part);
            true
        })
        .unwrap();
    assert!(parts.len() > 3, "{} parts", parts.len());
    assert!(
        parts
            .iter()
            .all(|p| p.shape == whole.shape && p.shape.is_some())
    );
    let joined = |each: fn(&Dataset) -> Vec<String>| -> Vec<String> {
        parts.iter().flat_map(each).collect()
    };
    // Every ticket once, in the file's order; every order, patron and tariff once, in the
    // part of its first row.
    let ids = |d: &Dataset| d.tickets.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(joined(ids), ids(&whole));
    let orders = |d: &Dataset| d.orders.iter().map(|o| o.id.to_string()).collect();
    assert_eq!(joined(orders), orders(&whole));
    let patrons = |d: &Dataset| d.patrons.iter().map(|p| format!("{:?}", p.key)).collect();
    assert_eq!(joined(patrons), patrons(&whole));
    let tariffs = |d: &Dataset| d.tariffs.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(joined(tariffs), tariffs(&whole));
    assert_eq!(summary.tally.tickets, whole.tickets.len());
    assert_eq!(summary.tally.facts(), whole.len());
    assert_eq!(summary.preview.tickets[..], whole.tickets[..20]);
}

#[test]
fn reading_in_parts_stops_when_told() {
    let (_venue, files, _dir) = demo_venue_files();
    let opened = crate::open(
        Input::File(files.ticketing.clone()),
        Defaults::default(),
        None,
    )
    .unwrap();
    let mut given = 0;
    opened
        .read_parts("billetterie".parse().unwrap(), "export.csv", 100, |_| {
            given += 1;
            given < 2
        })
        .unwrap();
    assert_eq!(given, 2);
}

/// pretix's order positions export, as a real pretix wrote it in English and in French, reads
/// through the built-in profiles with no row lost or invented: the figures equal those computed
/// from the file's own columns.
#[test]
fn pretix_exports_read_through_the_built_in_profiles() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pretix");
    // The file, its profile, and its headers for order, status, price, date, time, ZIP code.
    let cases = [
        (
            "positions_en.csv",
            "pretix",
            [
                "Order code",
                "Status",
                "Price",
                "Order date",
                "Order time",
                "Invoice address ZIP code",
                "Start date",
            ],
            ["paid", "pending"],
        ),
        (
            "positions_fr.csv",
            "pretix-fr",
            [
                "Code de commande",
                "Statut",
                "Prix",
                "Date de commande",
                "Heure de commande",
                "Adresse de facturation (Code postal)",
                "Date de début",
            ],
            ["Payé", "en attente"],
        ),
    ];
    for (name, profile, headers, [paid, pending]) in cases {
        let bytes = std::fs::read(format!("{dir}/{name}")).unwrap();
        // Independently: the rows as the csv crate reads them, by header.
        let delimiter = if name.ends_with("fr.csv") { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(&bytes[..]);
        let head = reader.headers().unwrap().clone();
        let at = |h: &str| head.iter().position(|x| x == h).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let value = |r: &csv::StringRecord, h: &str| r[at(h)].to_owned();
        let [order, status, price, date, time, zip, start] = headers;
        let cents = |raw: String| -> u64 {
            let (units, hundredths) = raw.split_once(['.', ',']).unwrap();
            units.parse::<u64>().unwrap() * 100 + hundredths.parse::<u64>().unwrap()
        };
        let orders: BTreeSet<String> = rows.iter().map(|r| value(r, order)).collect();
        let paid_cents: u64 = rows
            .iter()
            .filter(|r| value(r, status) == paid)
            .map(|r| cents(value(r, price)))
            .sum();
        let pending_rows = rows.iter().filter(|r| value(r, status) == pending).count();
        let starts: BTreeSet<String> = rows.iter().map(|r| value(r, start)).collect();

        let mut p = crate::profile::builtin(profile).unwrap();
        p.defaults.capacity = Some(180);
        p.defaults.hall = Some("Studio".to_owned());
        let file = crate::read_file(
            bytes,
            "pretix".parse().unwrap(),
            Defaults::default(),
            Some(&p),
            name,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let d = &file.read.dataset;
        assert_eq!(d.quarantined, vec![], "{name}");
        assert_eq!(d.tickets.len(), rows.len(), "{name}");
        let read_orders: BTreeSet<String> = d.orders.iter().map(|o| o.id.to_string()).collect();
        assert_eq!(read_orders, orders, "{name}");
        let sold: u64 = d
            .tickets
            .iter()
            .filter(|t| t.counts_as_sold())
            .map(|t| t.amount_paid.get())
            .sum();
        assert_eq!(sold, paid_cents, "{name}");
        let reserved = d
            .tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Reserved)
            .count();
        assert_eq!(reserved, pending_rows, "{name}");
        assert!(
            d.tickets.iter().all(|t| t.vat_rate.basis_points() == 550),
            "{name}"
        );
        // One performance per date of the series, at its time in Paris.
        let read_starts: BTreeSet<String> = d
            .performances
            .iter()
            .map(|p| {
                p.starts_at
                    .with_timezone(&chrono_tz::Europe::Paris)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .collect();
        assert_eq!(read_starts, starts, "{name}");
        // Each order: placed at its date and time in Paris, by a buyer with the invoice's
        // ZIP code.
        for r in &rows {
            let o = d
                .orders
                .iter()
                .find(|o| o.id.as_str() == value(r, order))
                .unwrap();
            let local = o.created_at.with_timezone(&chrono_tz::Europe::Paris);
            assert_eq!(
                local.format("%Y-%m-%d %H:%M:%S").to_string(),
                format!("{} {}", value(r, date), value(r, time)),
                "{name}"
            );
            let buyer = d.patrons.iter().find(|p| p.key == o.buyer).unwrap();
            assert_eq!(buyer.postcode.as_deref(), Some(value(r, zip).as_str()));
        }
    }
}

#[test]
fn a_files_columns_say_which_kind_of_tool_exported_it() {
    let (_venue, files, _dir) = demo_venue_files();
    let kind = |path: &std::path::Path| {
        crate::open(Input::File(path.to_owned()), Defaults::default(), None)
            .unwrap()
            .kind
    };
    assert_eq!(kind(&files.ticketing), SourceKind::TicketingExport);
    // A programme of performances, without a single order, comes from ticketing too.
    assert_eq!(kind(&files.performances), SourceKind::TicketingExport);
    assert_eq!(kind(&files.contacts), SourceKind::EmailingExport);
    assert_eq!(kind(&files.activity), SourceKind::EmailingExport);
    let crm = "Nom;Prénom;Courriel;Code postal\nMartin;Léa;lea@exemple.org;37000\n";
    let opened = crate::open(
        Input::Bytes(crm.as_bytes().to_vec()),
        Defaults::default(),
        None,
    )
    .unwrap();
    assert_eq!(opened.kind, SourceKind::CrmExport);
}

#[test]
fn an_unsubscribe_or_a_complaint_through_a_campaign_withdraws_consent() {
    let csv = "CAMPAGNE_ID,CAMPAGNE,DATE_ENVOI,CONTACT_ID,EMAIL,EVENEMENT,DATE_EVENEMENT\n\
        C1,Lettre de novembre,2026-11-02 10:00:00,7,ana@exemple.org,clic,2026-11-02 11:00:00\n\
        C1,Lettre de novembre,2026-11-02 10:00:00,8,bob@exemple.org,désinscription,2026-11-03 09:30:00\n\
        C1,Lettre de novembre,2026-11-02 10:00:00,9,cy@exemple.org,signalé comme spam,2026-11-04 18:00:00\n";
    let (read, _) = read_file(csv.as_bytes(), Defaults::default(), "emailing");
    let dataset = &read.dataset;
    assert_eq!(dataset.campaigns.len(), 1);
    assert_eq!(
        dataset.campaigns[0]
            .events
            .iter()
            .map(|e| e.kind)
            .collect::<Vec<_>>(),
        [
            CampaignEventKind::Clicked,
            CampaignEventKind::Unsubscribed,
            CampaignEventKind::Complained
        ]
    );
    let withdrawn: Vec<(&str, ConsentStatus, &str)> = dataset
        .consents
        .iter()
        .map(|c| (c.patron.as_str(), c.status, c.proof.as_str()))
        .collect();
    assert_eq!(withdrawn.len(), 2, "{withdrawn:?}");
    for (consent, who) in dataset.consents.iter().zip(["8", "9"]) {
        assert!(consent.patron.as_str().ends_with(who), "{consent:?}");
        assert_eq!(consent.status, ConsentStatus::Withdrawn);
        assert_eq!(consent.purpose, ConsentPurpose::Newsletter);
        assert!(consent.proof.contains("campaign C1"), "{}", consent.proof);
        assert!(consent.proof.contains("line"), "{}", consent.proof);
    }
}

/// One of the emailing exports under `tests/fixtures/emailing`, read as `source` with a
/// built-in profile (or none) and the extra sending dates a venue would give.
fn read_emailing(name: &str, profile: Option<&str>, sent: &[(&str, &str)]) -> crate::FileRead {
    let path = format!(
        "{}/tests/fixtures/emailing/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    read_emailing_bytes(bytes, name, profile, sent)
}

fn read_emailing_bytes(
    bytes: Vec<u8>,
    name: &str,
    profile: Option<&str>,
    sent: &[(&str, &str)],
) -> crate::FileRead {
    let mut profile = profile.map(|p| crate::profile::builtin(p).unwrap());
    for (id, when) in sent {
        profile
            .get_or_insert_with(Default::default)
            .campaigns
            .insert((*id).to_owned(), (*when).to_owned());
    }
    crate::read_file(
        bytes,
        "emailing".parse().unwrap(),
        Defaults::default(),
        profile.as_ref(),
        name,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn utc(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().unwrap()
}

/// Each campaign as (id, name, sent at, its events as (kind, whose email, when)).
type CampaignSummary = (
    String,
    String,
    chrono::DateTime<chrono::Utc>,
    Vec<(CampaignEventKind, PatronKey, chrono::DateTime<chrono::Utc>)>,
);

fn campaigns_of(d: &Dataset) -> Vec<CampaignSummary> {
    d.campaigns
        .iter()
        .map(|c| {
            (
                c.id.to_string(),
                c.name.to_string(),
                c.sent_at,
                c.events
                    .iter()
                    .map(|e| (e.kind, e.patron.clone(), e.at))
                    .collect(),
            )
        })
        .collect()
}

fn by_email(email: &str) -> PatronKey {
    patron_key("emailing", email)
}

/// The withdrawn consents, as (whose email, when, proof).
fn withdrawals(d: &Dataset) -> Vec<(PatronKey, chrono::DateTime<chrono::Utc>, String)> {
    d.consents
        .iter()
        .map(|c| {
            assert_eq!(
                (c.status, c.channel, c.purpose),
                (
                    ConsentStatus::Withdrawn,
                    ConsentChannel::Email,
                    ConsentPurpose::Newsletter
                ),
                "{c:?}"
            );
            (c.patron.clone(), c.at, c.proof.clone())
        })
        .collect()
}

/// Brevo's marketing events, in English with the fields its documentation names and in French
/// with `;`, dd/mm/yyyy dates and its interface's words, become the same campaigns, events
/// and withdrawn consents, by their column names alone or through the built-in profile.
#[test]
fn brevo_event_exports_give_campaigns_events_and_withdrawals() {
    use CampaignEventKind::*;
    let (ana, bruno, chloe, david, emma) = (
        by_email("ana.martin@exemple.fr"),
        by_email("bruno.petit@exemple.fr"),
        by_email("chloe.bernard@exemple.fr"),
        by_email("david.roux@exemple.fr"),
        by_email("emma.leroy@exemple.fr"),
    );
    // Times written in Paris (UTC+1 in November).
    let paris = |text: &str| utc(text);
    for (name, profile, november, december) in [
        (
            "brevo_events_en.csv",
            None,
            "November newsletter",
            "December shows",
        ),
        (
            "brevo_events_en.csv",
            Some("brevo-activity"),
            "November newsletter",
            "December shows",
        ),
        (
            "brevo_evenements_fr.csv",
            None,
            "Lettre de novembre",
            "Les spectacles de décembre",
        ),
    ] {
        let file = read_emailing(name, profile, &[]);
        let d = &file.read.dataset;
        assert_eq!(d.kind, SourceKind::EmailingExport, "{name}");
        assert_eq!(d.quarantined, vec![], "{name}");
        assert_eq!(file.read.rows, 10, "{name}");
        assert_eq!(file.inferred.mapping.conflicts, vec![], "{name}");
        let got = campaigns_of(d);
        let kinds = |c: &CampaignSummary| -> Vec<(CampaignEventKind, PatronKey)> {
            c.3.iter().map(|(k, p, _)| (*k, p.clone())).collect()
        };
        assert_eq!(got.len(), 2, "{name}");
        assert_eq!(
            (got[0].0.as_str(), got[0].1.as_str(), got[0].2),
            ("12", november, paris("2026-11-14T09:00:00Z")),
            "{name}"
        );
        assert_eq!(
            kinds(&got[0]),
            [
                (Delivered, ana.clone()),
                (Opened, ana.clone()),
                (Clicked, ana.clone()),
                (Delivered, bruno.clone()),
                (Unsubscribed, bruno.clone()),
                (Bounced, chloe.clone()),
                (Bounced, david.clone()),
            ],
            "{name}"
        );
        assert_eq!(
            (got[1].0.as_str(), got[1].1.as_str(), got[1].2),
            ("13", december, paris("2026-11-28T16:30:00Z")),
            "{name}"
        );
        assert_eq!(
            kinds(&got[1]),
            [
                (Delivered, ana.clone()),
                (Delivered, emma.clone()),
                (Complained, emma.clone()),
            ],
            "{name}"
        );
        // The unsubscription and the complaint withdraw the newsletter consent, when they
        // happened, with the file's line as proof.
        let withdrawn = withdrawals(d);
        assert_eq!(withdrawn.len(), 2, "{name}: {withdrawn:?}");
        assert_eq!(withdrawn[0].0, bruno, "{name}");
        assert_eq!(
            withdrawn[0].1.format("%Y-%m-%d %H:%M").to_string(),
            "2026-11-15 07:05",
            "{name}"
        );
        assert!(
            withdrawn[0].2.contains("unsubscribed through campaign 12")
                && withdrawn[0].2.contains("line 6"),
            "{}",
            withdrawn[0].2
        );
        assert_eq!(withdrawn[1].0, emma, "{name}");
        assert_eq!(
            withdrawn[1].1.format("%Y-%m-%d %H:%M").to_string(),
            "2026-11-29 08:12",
            "{name}"
        );
        assert!(
            withdrawn[1].2.contains("complained through campaign 13"),
            "{}",
            withdrawn[1].2
        );
        // Activity refers to its recipients; their identities come with the contacts.
        assert_eq!(d.patrons, vec![], "{name}");
    }
}

/// A row of an events export that cannot be taken (an unknown event, a time the clocks skipped,
/// no campaign) is quarantined with its line, its column and its value; the others are read.
#[test]
fn a_malformed_event_row_is_quarantined_with_its_line_and_column() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/emailing/brevo_evenements_fr.csv"
    );
    let mut bytes = std::fs::read(path).unwrap();
    bytes.extend_from_slice(
        "12;Lettre de novembre;14/11/2026 10:00;felix.blanc@exemple.fr;Transféré;14/11/2026 11:00\n\
         12;Lettre de novembre;14/11/2026 10:00;gina.faure@exemple.fr;Ouvert;29/03/2026 02:30\n\
         ;;14/11/2026 10:00;hugo.lambert@exemple.fr;Ouvert;14/11/2026 12:00\n"
            .as_bytes(),
    );
    let file = read_emailing_bytes(bytes, "brevo_evenements_fr.csv", None, &[]);
    let d = &file.read.dataset;
    assert_eq!(file.read.rows, 13);
    let events: usize = d.campaigns.iter().map(|c| c.events.len()).sum();
    assert_eq!(events, 10);
    let quarantined: Vec<String> = d
        .quarantined
        .iter()
        .map(|q| {
            let (column, header) = q.column.clone().unwrap();
            format!("{} {column} {header} {:?}", q.line, q.raw)
        })
        .collect();
    assert_eq!(
        quarantined,
        [
            "12 4 Événement \"Transféré\"",
            "13 5 Date de l'événement \"29/03/2026 02:30\"",
            "14 1 Nom de la campagne \"\"",
        ]
    );
    assert!(
        d.quarantined[0].reason.contains("not an emailing event"),
        "{}",
        d.quarantined[0].reason
    );
    let message = d.quarantined[1].to_string();
    assert!(
        message.starts_with("line 13, column 6 (Date de l'événement)")
            && message.contains("does not exist"),
        "{message}"
    );
}

/// Mailchimp's email activity names campaigns by identifier and never says when they were
/// sent: given in the profile, its opens, clicks and bounces become campaign events; not
/// given, each row says what is missing rather than inventing a date.
#[test]
fn mailchimp_email_activity_reads_with_the_sending_dates_a_profile_gives() {
    use CampaignEventKind::*;
    let sent = [
        ("4f2a9c01b7", "2026-11-14 10:00"),
        ("9c7e0d2f11", "2026-11-28T16:30:00Z"),
    ];
    let file = read_emailing(
        "mailchimp_email_activity.csv",
        Some("mailchimp-activity"),
        &sent,
    );
    let d = &file.read.dataset;
    assert_eq!(d.kind, SourceKind::EmailingExport);
    assert_eq!(d.quarantined, vec![]);
    let got = campaigns_of(d);
    let ana = by_email("ana.martin@exemple.fr");
    let emma = by_email("emma.leroy@exemple.fr");
    assert_eq!(
        got,
        vec![
            (
                "4f2a9c01b7".to_owned(),
                "4f2a9c01b7".to_owned(),
                utc("2026-11-14T09:00:00Z"),
                vec![
                    (Opened, ana.clone(), utc("2026-11-14T17:42:10Z")),
                    (Clicked, ana.clone(), utc("2026-11-14T17:43:02Z")),
                    (
                        Bounced,
                        by_email("chloe.bernard@exemple.fr"),
                        utc("2026-11-14T09:00:30Z")
                    ),
                    (
                        Bounced,
                        by_email("david.roux@exemple.fr"),
                        utc("2026-11-14T09:00:31Z")
                    ),
                ]
            ),
            (
                "9c7e0d2f11".to_owned(),
                "9c7e0d2f11".to_owned(),
                utc("2026-11-28T16:30:00Z"),
                vec![
                    (Opened, ana.clone(), utc("2026-11-28T17:00:05Z")),
                    (Opened, emma.clone(), utc("2026-11-28T20:15:00Z")),
                    (Clicked, emma.clone(), utc("2026-11-28T20:16:40Z")),
                ]
            ),
        ]
    );
    // Opens, clicks and bounces withdraw nothing.
    assert_eq!(d.consents, vec![]);

    // Without the sending dates: no campaign, every row says what to give.
    let file = read_emailing(
        "mailchimp_email_activity.csv",
        Some("mailchimp-activity"),
        &[],
    );
    let d = &file.read.dataset;
    assert_eq!(d.campaigns, vec![]);
    assert_eq!(d.quarantined.len(), 7);
    assert!(
        d.quarantined
            .iter()
            .all(|q| q.reason.contains("[campaigns]") && q.column.is_none()),
        "{:?}",
        d.quarantined[0]
    );
    assert!(d.quarantined[0].reason.contains("campaign 4f2a9c01b7"));

    // By its names alone, "action" and "type" both claim the event: said, not settled.
    let file = crate::open(
        Input::Bytes(
            std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/emailing/mailchimp_email_activity.csv"
            ))
            .unwrap(),
        ),
        Defaults::default(),
        None,
    )
    .unwrap();
    assert_eq!(
        file.inferred
            .mapping
            .conflicts
            .iter()
            .map(|c| c.field)
            .collect::<Vec<_>>(),
        [Field::Event]
    );
}

/// Mailchimp's unsubscribed members are contacts: who they are, their consent given when they
/// confirmed it and withdrawn when they left.
#[test]
fn mailchimp_unsubscribed_members_give_patrons_and_withdrawn_consents() {
    let file = read_emailing(
        "mailchimp_unsubscribed.csv",
        Some("mailchimp-unsubscribed"),
        &[],
    );
    let d = &file.read.dataset;
    assert_eq!(d.kind, SourceKind::EmailingExport);
    assert_eq!(d.quarantined, vec![]);
    assert_eq!(d.campaigns, vec![]);
    let (bruno, gilles) = (
        by_email("bruno.petit@exemple.fr"),
        by_email("gilles.moreau@exemple.fr"),
    );
    let patrons: Vec<String> = d
        .patrons
        .iter()
        .map(|p| {
            format!(
                "{} {:?} {:?} {:?} {:?} {:?}",
                p.key.as_ref().unwrap(),
                p.first_name.as_deref(),
                p.last_name.as_deref(),
                p.email.as_ref().map(|e| e.as_str()),
                p.phone.as_deref(),
                p.country.as_ref().map(|c| c.as_str()),
            )
        })
        .collect();
    assert_eq!(
        patrons,
        [
            format!(
                "{bruno} Some(\"Bruno\") Some(\"Petit\") Some(\"bruno.petit@exemple.fr\") None \
                 Some(\"FR\")"
            ),
            format!(
                "{gilles} Some(\"Gilles\") Some(\"Moreau\") Some(\"gilles.moreau@exemple.fr\") \
                 Some(\"+33 6 12 34 56 78\") Some(\"FR\")"
            ),
        ]
    );
    let consents: Vec<(PatronKey, ConsentStatus, chrono::DateTime<chrono::Utc>)> = d
        .consents
        .iter()
        .map(|c| (c.patron.clone(), c.status, c.at))
        .collect();
    assert_eq!(
        consents,
        vec![
            (
                bruno.clone(),
                ConsentStatus::Given,
                utc("2024-03-02T14:05:11Z")
            ),
            (bruno, ConsentStatus::Withdrawn, utc("2026-11-15T07:05:00Z")),
            (
                gilles.clone(),
                ConsentStatus::Given,
                utc("2023-09-18T08:30:00Z")
            ),
            (
                gilles,
                ConsentStatus::Withdrawn,
                utc("2026-10-02T11:20:45Z")
            ),
        ]
    );
    // When they asked to subscribe and from where are not a yes or no.
    let unmatched: Vec<&str> = file
        .inferred
        .mapping
        .unmatched
        .iter()
        .map(|(_, h)| h.as_str())
        .collect();
    for header in [
        "OPTIN_TIME",
        "OPTIN_IP",
        "CONFIRM_IP",
        "UNSUB_REASON",
        "LEID",
    ] {
        assert!(unmatched.contains(&header), "{header}: {unmatched:?}");
    }
}

#[test]
fn a_campaigns_sending_date_in_a_profile_is_checked() {
    let mut i = infer_profile(
        &detect(b"campaign_id,email_address,action\nA,a@exemple.fr,open\n").unwrap(),
        Defaults::default(),
    );
    let mut p = crate::profile::ProfileFile::default();
    p.campaigns.insert("A".to_owned(), "14/11/2026".to_owned());
    let error = p.apply(&mut i).unwrap_err().to_string();
    assert!(error.contains("2026-11-02 10:00"), "{error}");
}
