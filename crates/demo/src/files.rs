//! The files the demo venue's tools export, written as those tools write them: the ticketing
//! system in French Windows conventions (`;`, Windows-1252, CRLF, decimal commas,
//! `dd/mm/yyyy hh:mm` in local time), the emailing tool in UTF-8 with commas and ISO-like dates.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use jauge_model::{
    Cents, ConsentStatus, ExternalId, Order, PatronIdentity, PatronKey, Performance,
    PerformanceStatus, Show, Tariff, TicketStatus, VatRate,
};

use crate::DemoVenue;

/// Where the demo's files were written.
#[derive(Debug, Clone)]
pub struct DemoFiles {
    /// One row per ticket, as the ticketing system exports it.
    pub ticketing: PathBuf,
    /// One row per performance (séance), with its capacity.
    pub performances: PathBuf,
    /// The emailing tool's contacts.
    pub contacts: PathBuf,
    /// The emailing tool's campaign activity.
    pub activity: PathBuf,
    /// Which records are the same person: kept aside for linkage tests, never imported.
    pub truth: PathBuf,
}

impl DemoFiles {
    pub fn all(&self) -> [&Path; 5] {
        [
            &self.ticketing,
            &self.performances,
            &self.contacts,
            &self.activity,
            &self.truth,
        ]
    }
}

/// The header row of the demo venue's ticketing export, as a French ticketing tool names it.
pub const TICKETING_HEADERS: [&str; 25] = [
    "N° commande",
    "Date commande",
    "Canal",
    "Statut commande",
    "N° billet",
    "Code séance",
    "Spectacle",
    "Date de représentation",
    "Salle",
    "Code tarif",
    "Tarif",
    "Prix TTC",
    "Valeur faciale",
    "Taux TVA",
    "Statut billet",
    "Date contrôle",
    "N° client",
    "Nom",
    "Prénom",
    "Courriel",
    "Téléphone",
    "Code postal",
    "Ville",
    "Pays",
    "Année de naissance",
];

/// Writes the demo venue's files into `dir` (created if needed), replacing earlier ones.
pub fn write_files(venue: &DemoVenue, dir: &Path) -> io::Result<DemoFiles> {
    std::fs::create_dir_all(dir.join("verite"))?;
    let files = DemoFiles {
        ticketing: dir.join("billetterie_export.csv"),
        performances: dir.join("billetterie_seances.csv"),
        contacts: dir.join("emailing_contacts.csv"),
        activity: dir.join("emailing_activite.csv"),
        truth: dir.join("verite").join("doublons_patrons.csv"),
    };
    let tz = venue.setup.venue.time_zone;
    std::fs::write(
        &files.ticketing,
        windows_1252(&ticketing_export(venue, tz)?),
    )?;
    std::fs::write(
        &files.performances,
        windows_1252(&performances_export(venue, tz)?),
    )?;
    std::fs::write(&files.contacts, contacts_export(venue, tz)?)?;
    std::fs::write(&files.activity, activity_export(venue, tz)?)?;
    std::fs::write(&files.truth, truth_export(venue)?)?;
    Ok(files)
}

fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    debug_assert!(
        !unmappable,
        "the demo only writes characters Windows-1252 has"
    );
    bytes.into_owned()
}

fn ticketing_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn emailing_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::new())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> io::Result<String> {
    let bytes = writer
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))?;
    String::from_utf8(bytes).map_err(io::Error::other)
}

fn french_datetime(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string()
}

fn iso_local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `2850` cents → `28,50`.
fn french_amount(c: Cents) -> String {
    format!("{},{:02}", c.get() / 100, c.get() % 100)
}

/// `550` basis points → `5,5`; `2000` → `20`.
fn french_rate(rate: VatRate) -> String {
    let bp = rate.basis_points();
    let whole = bp / 100;
    let frac = format!("{:02}", bp % 100);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        whole.to_string()
    } else {
        format!("{whole},{frac}")
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "Oui" } else { "Non" }
}

fn customer_number(key: &PatronKey) -> &str {
    key.as_str()
        .strip_prefix("billetterie-")
        .unwrap_or(key.as_str())
}

fn contact_id(key: &PatronKey) -> &str {
    key.as_str()
        .strip_prefix("emailing-")
        .unwrap_or(key.as_str())
}

fn by_id<T>(items: &[T], id: impl Fn(&T) -> &ExternalId) -> HashMap<&str, &T> {
    items.iter().map(|item| (id(item).as_str(), item)).collect()
}

fn ticketing_export(venue: &DemoVenue, tz: Tz) -> io::Result<String> {
    let d = &venue.ticketing;
    let orders: HashMap<&str, &Order> = by_id(&d.orders, |o| &o.id);
    let performances: HashMap<&str, &Performance> = by_id(&d.performances, |p| &p.id);
    let shows: HashMap<&str, &Show> = by_id(&d.shows, |s| &s.id);
    let tariffs: HashMap<&str, &Tariff> = by_id(&d.tariffs, |t| &t.id);
    let patrons: HashMap<&PatronKey, &PatronIdentity> = d
        .patrons
        .iter()
        .filter_map(|p| p.key().map(|k| (k, p)))
        .collect();

    let mut w = ticketing_writer();
    w.write_record(TICKETING_HEADERS)?;
    for t in &d.tickets {
        let order = orders[t.order.as_str()];
        let performance = performances[t.performance.as_str()];
        let show = shows[performance.show.as_str()];
        let tariff = tariffs[t.tariff.as_str()];
        let buyer = order.buyer.as_ref().map(|k| patrons[k]);
        let text = |f: fn(&PatronIdentity) -> Option<&str>| buyer.and_then(f).unwrap_or_default();
        w.write_record([
            order.id.as_str(),
            &french_datetime(order.created_at, tz),
            match order.channel {
                jauge_model::Channel::Online => "Internet",
                jauge_model::Channel::BoxOffice => "Guichet",
                jauge_model::Channel::Phone => "Téléphone",
                jauge_model::Channel::Reseller => "Revendeur",
                jauge_model::Channel::Other => "Autre",
            },
            match order.status {
                jauge_model::OrderStatus::Paid => "Payée",
                jauge_model::OrderStatus::Pending => "En attente",
                jauge_model::OrderStatus::Cancelled => "Annulée",
            },
            t.id.as_str(),
            performance.id.as_str(),
            show.title.as_str(),
            &french_datetime(performance.starts_at, tz),
            performance.hall.as_str(),
            tariff.id.as_str(),
            tariff.label.as_str(),
            &french_amount(t.amount_paid),
            &french_amount(t.face_value),
            &french_rate(t.vat_rate),
            match t.status {
                TicketStatus::Valid => "Valide",
                TicketStatus::Cancelled => "Annulé",
                TicketStatus::Refunded => "Remboursé",
                TicketStatus::Reserved => "Réservé",
            },
            &t.checked_in_at
                .map(|at| french_datetime(at, tz))
                .unwrap_or_default(),
            order
                .buyer
                .as_ref()
                .map(customer_number)
                .unwrap_or_default(),
            text(|p| p.last_name.as_deref()),
            text(|p| p.first_name.as_deref()),
            text(|p| p.email.as_ref().map(|e| e.as_str())),
            text(|p| p.phone.as_deref()),
            text(|p| p.postcode.as_deref()),
            text(|p| p.city.as_deref()),
            text(|p| p.country.as_ref().map(|c| c.as_str())),
            &buyer
                .and_then(|p| p.birth_year)
                .map(|y| y.get().to_string())
                .unwrap_or_default(),
        ])?;
    }
    finish(w)
}

fn performances_export(venue: &DemoVenue, tz: Tz) -> io::Result<String> {
    let d = &venue.ticketing;
    let shows: HashMap<&str, &Show> = by_id(&d.shows, |s| &s.id);
    let mut w = ticketing_writer();
    w.write_record([
        "Code séance",
        "Code spectacle",
        "Spectacle",
        "Discipline",
        "Compagnie",
        "Jeune public",
        "Coproduction",
        "Festival",
        "Date de représentation",
        "Salle",
        "Jauge",
        "Statut séance",
    ])?;
    for p in &d.performances {
        let show = shows[p.show.as_str()];
        w.write_record([
            p.id.as_str(),
            show.id.as_str(),
            show.title.as_str(),
            show.discipline.label(jauge_model::Lang::Fr),
            show.company
                .as_ref()
                .map(|c| c.as_str())
                .unwrap_or_default(),
            yes_no(show.young_audience),
            yes_no(show.coproduction),
            show.festival
                .as_ref()
                .map(|f| f.as_str())
                .unwrap_or_default(),
            &french_datetime(p.starts_at, tz),
            p.hall.as_str(),
            &p.capacity.get().to_string(),
            match p.status {
                PerformanceStatus::Scheduled => "Programmée",
                PerformanceStatus::Cancelled => "Annulée",
            },
        ])?;
    }
    finish(w)
}

fn contacts_export(venue: &DemoVenue, tz: Tz) -> io::Result<String> {
    let d = &venue.emailing;
    let mut signed_up: HashMap<&PatronKey, DateTime<Utc>> = HashMap::new();
    let mut unsubscribed: HashMap<&PatronKey, DateTime<Utc>> = HashMap::new();
    for c in &d.consents {
        match c.status {
            ConsentStatus::Given => signed_up.insert(&c.patron, c.at),
            ConsentStatus::Withdrawn => unsubscribed.insert(&c.patron, c.at),
        };
    }
    let mut w = emailing_writer();
    w.write_record([
        "ID",
        "EMAIL",
        "NOM",
        "PRENOM",
        "CODE_POSTAL",
        "VILLE",
        "DATE_INSCRIPTION",
        "NEWSLETTER",
        "DATE_DESINSCRIPTION",
    ])?;
    for p in &d.patrons {
        let key = p.key().expect("demo contacts have keys");
        let gone = unsubscribed.get(key);
        w.write_record([
            contact_id(key),
            p.email.as_ref().map(|e| e.as_str()).unwrap_or_default(),
            p.last_name.as_deref().unwrap_or_default(),
            p.first_name.as_deref().unwrap_or_default(),
            p.postcode.as_deref().unwrap_or_default(),
            p.city.as_deref().unwrap_or_default(),
            &signed_up
                .get(key)
                .map(|at| iso_local(*at, tz))
                .unwrap_or_default(),
            if gone.is_some() { "non" } else { "oui" },
            &gone.map(|at| iso_local(*at, tz)).unwrap_or_default(),
        ])?;
    }
    finish(w)
}

fn activity_export(venue: &DemoVenue, tz: Tz) -> io::Result<String> {
    let d = &venue.emailing;
    let emails: HashMap<&PatronKey, &str> = d
        .patrons
        .iter()
        .filter_map(|p| Some((p.key()?, p.email.as_ref()?.as_str())))
        .collect();
    let mut w = emailing_writer();
    w.write_record([
        "CAMPAGNE_ID",
        "CAMPAGNE",
        "DATE_ENVOI",
        "CONTACT_ID",
        "EMAIL",
        "EVENEMENT",
        "DATE_EVENEMENT",
    ])?;
    for c in &d.campaigns {
        for e in &c.events {
            w.write_record([
                c.id.as_str(),
                c.name.as_str(),
                &iso_local(c.sent_at, tz),
                contact_id(&e.patron),
                emails.get(&e.patron).copied().unwrap_or_default(),
                match e.kind {
                    jauge_model::CampaignEventKind::Delivered => "délivré",
                    jauge_model::CampaignEventKind::Opened => "ouverture",
                    jauge_model::CampaignEventKind::Clicked => "clic",
                    jauge_model::CampaignEventKind::Unsubscribed => "désinscription",
                    jauge_model::CampaignEventKind::Bounced => "erreur définitive",
                    jauge_model::CampaignEventKind::Complained => "plainte",
                },
                &iso_local(e.at, tz),
            ])?;
        }
    }
    finish(w)
}

fn truth_export(venue: &DemoVenue) -> io::Result<String> {
    let mut w = emailing_writer();
    w.write_record(["source", "cle_patron", "personne"])?;
    for t in &venue.truth {
        w.write_record([t.source.as_str(), t.patron.as_str(), &t.person.to_string()])?;
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_number_formats() {
        assert_eq!(french_amount(Cents::new(2850)), "28,50");
        assert_eq!(french_amount(Cents::new(5)), "0,05");
        assert_eq!(french_rate(VatRate::LIVE_PERFORMANCE), "5,5");
        assert_eq!(french_rate(VatRate::from_basis_points(2000).unwrap()), "20");
        assert_eq!(french_rate(VatRate::from_basis_points(210).unwrap()), "2,1");
    }
}
