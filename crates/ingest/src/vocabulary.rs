//! The words exports use for statuses, channels, tariffs and yes/no, read into the model's codes.
//!
//! Each reader returns `None` for a word it does not know. Its caller decides: quarantine the
//! row, or ask for a profile entry. A label is compared once normalised (see
//! [`crate::mapping::normalise`]), so case, accents and punctuation do not matter.

use jauge_model::{
    CampaignEventKind, Channel, OrderStatus, PerformanceStatus, TariffCategory, TicketStatus,
};

use crate::mapping::normalise;

/// Whether `label` holds one of `words` as a whole word or phrase (labels are normalised:
/// words are separated by single spaces).
fn mentions(label: &str, words: &[&str]) -> bool {
    words.iter().any(|w| {
        if w.contains(' ') {
            let padded = format!(" {label} ");
            padded.contains(&format!(" {w} "))
        } else {
            label.split(' ').any(|token| token == *w)
        }
    })
}

/// A ticket's status; an empty cell means valid (exports often leave it blank).
pub fn ticket_status(raw: &str) -> Option<TicketStatus> {
    let label = normalise(raw);
    if label.is_empty() {
        return Some(TicketStatus::Valid);
    }
    if mentions(
        &label,
        &["rembourse", "remboursee", "refunded", "refund", "rembourst"],
    ) {
        Some(TicketStatus::Refunded)
    } else if mentions(
        &label,
        &[
            "annule",
            "annulee",
            "annulation",
            "cancelled",
            "canceled",
            "cancel",
            "expire",
            "expiree",
            "expired",
            "a",
            "c",
        ],
    ) {
        Some(TicketStatus::Cancelled)
    } else if mentions(
        &label,
        &[
            "en attente",
            "attente",
            "pending",
            "reserve",
            "reservee",
            "reserved",
            "option",
            "non paye",
            "non payee",
            "unpaid",
        ],
    ) {
        // Held by an order not paid yet: pretix's pending orders, a box office's options.
        Some(TicketStatus::Reserved)
    } else if mentions(
        &label,
        &[
            "valide",
            "valid",
            "paye",
            "payee",
            "paid",
            "ok",
            "emis",
            "imprime",
            "confirme",
            "confirmed",
            "n",
            "p",
        ],
    ) {
        Some(TicketStatus::Valid)
    } else {
        None
    }
}

/// An order's status; an empty cell means paid.
pub fn order_status(raw: &str) -> Option<OrderStatus> {
    let label = normalise(raw);
    if label.is_empty() {
        return Some(OrderStatus::Paid);
    }
    if mentions(
        &label,
        &[
            "annule",
            "annulee",
            "cancelled",
            "canceled",
            "expire",
            "expiree",
            "expired",
            "c",
            "e",
        ],
    ) {
        Some(OrderStatus::Cancelled)
    } else if mentions(
        &label,
        &[
            "en attente",
            "attente",
            "pending",
            "reserve",
            "reservee",
            "n",
        ],
    ) {
        Some(OrderStatus::Pending)
    } else if mentions(
        &label,
        &[
            "paye", "payee", "paid", "regle", "reglee", "valide", "validee", "confirme", "p",
        ],
    ) {
        Some(OrderStatus::Paid)
    } else {
        None
    }
}

/// A performance's status; an empty cell means scheduled.
pub fn performance_status(raw: &str) -> Option<PerformanceStatus> {
    let label = normalise(raw);
    if label.is_empty()
        || mentions(
            &label,
            &[
                "programmee",
                "programme",
                "scheduled",
                "ouverte",
                "en vente",
                "active",
            ],
        )
    {
        Some(PerformanceStatus::Scheduled)
    } else if mentions(&label, &["annulee", "annule", "cancelled", "canceled"]) {
        Some(PerformanceStatus::Cancelled)
    } else {
        None
    }
}

/// Where an order was taken.
pub fn channel(raw: &str) -> Option<Channel> {
    let label = normalise(raw);
    if mentions(
        &label,
        &[
            "internet",
            "web",
            "en ligne",
            "online",
            "site",
            "e billetterie",
            "billetterie en ligne",
        ],
    ) {
        Some(Channel::Online)
    } else if mentions(
        &label,
        &[
            "guichet",
            "caisse",
            "sur place",
            "box office",
            "accueil",
            "comptoir",
        ],
    ) {
        Some(Channel::BoxOffice)
    } else if mentions(&label, &["telephone", "tel", "phone"]) {
        Some(Channel::Phone)
    } else if mentions(
        &label,
        &[
            "revendeur",
            "reseller",
            "fnac",
            "ticketmaster",
            "see tickets",
            "partenaire",
        ],
    ) {
        Some(Channel::Reseller)
    } else if label.is_empty() {
        None
    } else {
        Some(Channel::Other)
    }
}

/// The normalised category of a tariff label, from the words French and English box offices
/// use. Unknown labels are `None`: a person maps them once, in the source's profile.
pub fn tariff_category(raw: &str) -> Option<TariffCategory> {
    let label = normalise(raw);
    let rules: [(&[&str], TariffCategory); 6] = [
        // The state's culture pass for the young is a reduced price, not a subscription.
        (&["pass culture", "culture pass"], TariffCategory::Reduced),
        (
            &[
                "invitation",
                "invite",
                "exonere",
                "exo",
                "gratuit",
                "gratuite",
                "free",
                "complimentary",
                "comp",
                "presse",
                "press",
                "offert",
            ],
            TariffCategory::Free,
        ),
        (
            &[
                "abonnement",
                "abonne",
                "abo",
                "pass",
                "forfait",
                "carte",
                "subscription",
                "subscriber",
                "season ticket",
                "package",
            ],
            TariffCategory::Subscription,
        ),
        (
            &[
                "scolaire",
                "scolaires",
                "ecole",
                "college",
                "lycee",
                "groupe",
                "groupes",
                "group",
                "school",
                "collectivite",
                "ce",
            ],
            TariffCategory::SchoolOrGroup,
        ),
        (
            &[
                "reduit",
                "reduction",
                "moins",
                "jeune",
                "jeunes",
                "etudiant",
                "etudiants",
                "enfant",
                "enfants",
                "senior",
                "seniors",
                "demandeur",
                "demandeurs",
                "chomeur",
                "rsa",
                "handicap",
                "famille",
                "pass culture",
                "reduced",
                "concession",
                "student",
                "child",
                "youth",
                "dernier minute",
                "derniere minute",
            ],
            TariffCategory::Reduced,
        ),
        (
            &[
                "plein",
                "plein tarif",
                "normal",
                "standard",
                "full",
                "full price",
                "adulte",
                "adult",
                "public",
            ],
            TariffCategory::FullPrice,
        ),
    ];
    rules
        .iter()
        .find(|(words, _)| mentions(&label, words))
        .map(|&(_, category)| category)
}

/// What happened to an emailing's recipient, in the words emailing tools export: French and
/// English labels, Brevo's event names (`delivered`, `opened`, `click`, `hard_bounce`,
/// `soft_bounce`, `spam`, `unsubscribe`, and the API's `hardBounce`, `uniqueOpened`…) and
/// Mailchimp's actions (`open`, `click`, `bounce`). Brevo's contact events (`list_addition`,
/// `contact_updated`, `contact_deleted`) and a message blocked before sending are not what a
/// recipient did with a campaign: they are `None`.
pub fn campaign_event(raw: &str) -> Option<CampaignEventKind> {
    let label = normalise(raw);
    let rules: [(&[&str], CampaignEventKind); 6] = [
        (
            &[
                "plainte",
                "spam",
                "complaint",
                "complained",
                "abuse",
                "signale comme spam",
                "abuse report",
                "spam report",
                "marked as spam",
            ],
            CampaignEventKind::Complained,
        ),
        (
            &[
                "desinscription",
                "desinscrit",
                "desabonnement",
                "desabonne",
                "desinscrire",
                "unsubscribe",
                "unsubscribed",
                "unsub",
                "optout",
                "opt out",
            ],
            CampaignEventKind::Unsubscribed,
        ),
        (
            &[
                "erreur",
                "erreur definitive",
                "bounce",
                "bounced",
                "hard bounce",
                "soft bounce",
                "hardbounce",
                "softbounce",
                "hard bounced",
                "soft bounced",
                "bounces",
                "rebond",
                "rebonds",
                "rejete",
                "invalide",
            ],
            CampaignEventKind::Bounced,
        ),
        (
            &[
                "clic", "clics", "click", "clicks", "clicked", "clique", "cliques",
            ],
            CampaignEventKind::Clicked,
        ),
        (
            &[
                "ouverture",
                "ouvertures",
                "ouvert",
                "open",
                "opens",
                "opened",
                "uniqueopened",
                "vu",
            ],
            CampaignEventKind::Opened,
        ),
        (
            &[
                "delivre",
                "delivres",
                "delivered",
                "remis",
                "envoye",
                "sent",
                "recu",
            ],
            CampaignEventKind::Delivered,
        ),
    ];
    rules
        .iter()
        .find(|(words, _)| mentions(&label, words))
        .map(|&(_, kind)| kind)
}

/// Yes or no, in the forms exports write them.
pub fn yes_no(raw: &str) -> Option<bool> {
    match normalise(raw).as_str() {
        "oui" | "o" | "yes" | "y" | "vrai" | "true" | "1" | "x" => Some(true),
        "non" | "n" | "no" | "faux" | "false" | "0" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ticket_and_order_statuses_in_french_english_and_pretix_codes() {
        assert_eq!(ticket_status("Valide"), Some(TicketStatus::Valid));
        assert_eq!(ticket_status(""), Some(TicketStatus::Valid));
        assert_eq!(ticket_status("Annulé"), Some(TicketStatus::Cancelled));
        assert_eq!(ticket_status("REMBOURSÉ"), Some(TicketStatus::Refunded));
        // pretix's statuses, in English and in French.
        for (raw, status) in [
            ("paid", TicketStatus::Valid),
            ("Payé", TicketStatus::Valid),
            ("pending", TicketStatus::Reserved),
            ("en attente", TicketStatus::Reserved),
            ("approval pending", TicketStatus::Reserved),
            ("pending (confirmed)", TicketStatus::Reserved),
            ("expired", TicketStatus::Cancelled),
            ("expiré", TicketStatus::Cancelled),
            ("canceled", TicketStatus::Cancelled),
            ("canceled (paid fee)", TicketStatus::Cancelled),
            ("annulé (frais payés)", TicketStatus::Cancelled),
        ] {
            assert_eq!(ticket_status(raw), Some(status), "{raw}");
        }
        assert_eq!(
            ticket_status("A"),
            Some(TicketStatus::Cancelled),
            "Sirius' cancelled flag"
        );
        assert_eq!(ticket_status("perdu"), None);
        assert_eq!(order_status("Payée"), Some(OrderStatus::Paid));
        assert_eq!(
            order_status("p"),
            Some(OrderStatus::Paid),
            "pretix's paid code"
        );
        assert_eq!(
            order_status("n"),
            Some(OrderStatus::Pending),
            "pretix's pending code"
        );
        assert_eq!(
            order_status("e"),
            Some(OrderStatus::Cancelled),
            "pretix's expired code"
        );
        assert_eq!(
            order_status("En attente de paiement"),
            Some(OrderStatus::Pending)
        );
        assert_eq!(
            performance_status("Annulée"),
            Some(PerformanceStatus::Cancelled)
        );
        assert_eq!(
            performance_status("Programmée"),
            Some(PerformanceStatus::Scheduled)
        );
    }

    #[test]
    fn channels() {
        assert_eq!(channel("Internet"), Some(Channel::Online));
        assert_eq!(channel("Guichet"), Some(Channel::BoxOffice));
        assert_eq!(channel("Téléphone"), Some(Channel::Phone));
        assert_eq!(channel("FNAC"), Some(Channel::Reseller));
        assert_eq!(channel("Salon du livre"), Some(Channel::Other));
        assert_eq!(channel(""), None);
    }

    #[test]
    fn the_demo_venues_tariffs_and_common_labels() {
        for (label, category) in [
            ("Plein tarif", TariffCategory::FullPrice),
            (
                "Tarif réduit (demandeurs d'emploi, +65 ans)",
                TariffCategory::Reduced,
            ),
            ("Moins de 26 ans", TariffCategory::Reduced),
            ("Enfant (-12 ans)", TariffCategory::Reduced),
            ("Pass Culture", TariffCategory::Reduced),
            ("Abonnement 4 spectacles et +", TariffCategory::Subscription),
            ("Scolaire", TariffCategory::SchoolOrGroup),
            ("Groupe (10 pers. et +)", TariffCategory::SchoolOrGroup),
            ("Dernière minute", TariffCategory::Reduced),
            ("Invitation", TariffCategory::Free),
            ("Exonéré presse", TariffCategory::Free),
            ("Full price", TariffCategory::FullPrice),
            ("Student", TariffCategory::Reduced),
        ] {
            assert_eq!(tariff_category(label), Some(category), "{label}");
        }
        assert_eq!(tariff_category("Catégorie 3"), None);
    }

    #[test]
    fn the_demo_venues_tariff_labels_read_as_the_demo_classes_them() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let demo = jauge_demo::generate(jauge_demo::DemoOptions {
            seed: 1,
            scale: 0.05,
            today,
        });
        for tariff in &demo.ticketing.tariffs {
            assert_eq!(
                tariff_category(tariff.label.as_str()),
                Some(tariff.category),
                "{}",
                tariff.label
            );
        }
    }

    #[test]
    fn campaign_events_in_french_and_english() {
        assert_eq!(campaign_event("ouverture"), Some(CampaignEventKind::Opened));
        assert_eq!(campaign_event("Clic"), Some(CampaignEventKind::Clicked));
        assert_eq!(
            campaign_event("désinscription"),
            Some(CampaignEventKind::Unsubscribed)
        );
        assert_eq!(
            campaign_event("erreur définitive"),
            Some(CampaignEventKind::Bounced)
        );
        assert_eq!(
            campaign_event("hard_bounce"),
            Some(CampaignEventKind::Bounced)
        );
        assert_eq!(
            campaign_event("délivré"),
            Some(CampaignEventKind::Delivered)
        );
        assert_eq!(campaign_event("transféré"), None);
    }

    #[test]
    fn brevo_and_mailchimp_event_names() {
        use CampaignEventKind::*;
        for (raw, kind) in [
            // Brevo's marketing events, as its event exports and webhooks name them.
            ("delivered", Delivered),
            ("opened", Opened),
            ("uniqueOpened", Opened),
            ("click", Clicked),
            ("hard_bounce", Bounced),
            ("soft_bounce", Bounced),
            ("hardBounce", Bounced),
            ("softBounce", Bounced),
            ("spam", Complained),
            ("unsubscribe", Unsubscribed),
            ("unsubscribed", Unsubscribed),
            // Its French interface's words.
            ("Délivré", Delivered),
            ("Ouvert", Opened),
            ("Cliqué", Clicked),
            ("Désinscrit", Unsubscribed),
            ("Désabonné", Unsubscribed),
            ("Hard bounce", Bounced),
            ("Soft bounce", Bounced),
            ("Spam", Complained),
            // Mailchimp's email activity and report words.
            ("open", Opened),
            ("opens", Opened),
            ("clicks", Clicked),
            ("bounce", Bounced),
            ("abuse", Complained),
            ("Abuse report", Complained),
            ("unsub", Unsubscribed),
        ] {
            assert_eq!(campaign_event(raw), Some(kind), "{raw}");
        }
        // Brevo's contact events say nothing of a campaign's recipient.
        for raw in [
            "list_addition",
            "contact_updated",
            "contact_deleted",
            "blocked",
        ] {
            assert_eq!(campaign_event(raw), None, "{raw}");
        }
    }

    #[test]
    fn yes_and_no() {
        assert_eq!(yes_no("Oui"), Some(true));
        assert_eq!(yes_no("NON"), Some(false));
        assert_eq!(yes_no(""), Some(false));
        assert_eq!(yes_no("peut-être"), None);
    }

    proptest! {
        #[test]
        fn any_label_is_read_or_refused_without_panicking(label in "\\PC{0,40}") {
            let _ = (ticket_status(&label), order_status(&label), performance_status(&label));
            let _ = (channel(&label), tariff_category(&label), yes_no(&label));
            let _ = campaign_event(&label);
        }
    }
}
