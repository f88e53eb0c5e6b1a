//! A source's profile, saved as a small TOML file: which header holds which field when the
//! names do not say it, what the files do not say (hall, capacity, time zone…), and the
//! category of tariffs the vocabulary does not know, and when campaigns were sent when activity
//! files do not say it. Formats are not saved: they are read from each file again.
//!
//! ```toml
//! [columns]
//! order_id = "ORDER_ID"
//! price = "PRICE"
//!
//! [defaults]
//! hall = "Arena"
//! capacity = 12000
//! time_zone = "Asia/Taipei"
//!
//! [tariffs]
//! "member" = "reduced"
//!
//! [campaigns]
//! "4f2a9c01b7" = "2026-11-02 10:00"
//! ```

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, NaiveTime, TimeZone, Utc};
use jauge_model::{Capacity, TariffCategory, VatRate};
use serde::{Deserialize, Serialize};

use crate::mapping::{ColumnMatch, Confidence, Field, normalise};
use crate::read::Inferred;

/// A profile as saved.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    /// Field code → the header holding it.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub defaults: DefaultsFile,
    /// Tariff label → category code (`full_price`, `reduced`, `subscription`, `free`,
    /// `school_or_group`, `other`).
    #[serde(default)]
    pub tariffs: BTreeMap<String, String>,
    /// Campaign identifier → when it was sent, for activity files that do not say it: a local
    /// time `2026-11-02 10:00` in the profile's time zone, or ISO 8601 with its offset.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub campaigns: BTreeMap<String, String>,
}

/// What the files do not say.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultsFile {
    pub hall: Option<String>,
    pub capacity: Option<u32>,
    /// An IANA time zone such as `Europe/Paris`.
    pub time_zone: Option<String>,
    /// The VAT rate in basis points (550 for 5.5 %).
    pub vat_basis_points: Option<u16>,
    /// The start of performances when the files give only the day, `hh:mm`.
    pub performance_time: Option<String>,
}

/// Why a profile cannot be used, with what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("the profile is not valid TOML: {0}")]
    Syntax(String),
    #[error("the profile names an unknown field {0:?}; fields are {1}")]
    UnknownField(String, String),
    #[error(
        "the profile maps {field} to column {header:?}, which the file does not have; its columns are {columns}"
    )]
    NoSuchColumn {
        field: String,
        header: String,
        columns: String,
    },
    #[error("the profile's {what} {value:?} is not valid: {expected}")]
    Invalid {
        what: &'static str,
        value: String,
        expected: String,
    },
}

/// The profiles Jauge ships, by name: pretix, pretix-fr, emailing-contacts, emailing-activity,
/// brevo-activity, mailchimp-activity, mailchimp-members, mailchimp-unsubscribed.
pub const BUILTIN: [(&str, &str); 8] = [
    (
        "pretix",
        "# pretix's \"Order data\" export, sheet \"Order positions\", as pretix writes it in English,\n\
         # for an event series (one date per performance). It does not say the capacity or the\n\
         # hall: save this profile (--save-profile) and add them under [defaults].\n\
         [columns]\norder_id = \"Order code\"\norder_date = \"Order date\"\n\
         order_time = \"Order time\"\norder_status = \"Status\"\nticket_status = \"Status\"\n\
         show_id = \"Event slug\"\nshow_title = \"Event name\"\n\
         performance_date = \"Start date\"\ntariff_id = \"Product ID\"\ntariff = \"Product\"\n\
         price = \"Price\"\nvat_rate = \"Tax rate\"\nemail = \"Email\"\nphone = \"Phone number\"\n\
         postcode = \"Invoice address ZIP code\"\ncity = \"Invoice address city\"\n\
         country = \"Invoice address country\"\nchannel = \"Sales channel\"\n\
         # A position's number is unique in its order only; check-in lists are not times.\n\
         ticket_id = \"\"\ncheck_in = \"\"\n",
    ),
    (
        "pretix-fr",
        "# The same export as pretix writes it in French.\n\
         [columns]\norder_id = \"Code de commande\"\norder_date = \"Date de commande\"\n\
         order_time = \"Heure de commande\"\norder_status = \"Statut\"\n\
         ticket_status = \"Statut\"\nshow_id = \"Titre de l'événement\"\n\
         show_title = \"Nom de l'événement\"\nperformance_date = \"Date de début\"\n\
         tariff_id = \"ID produit\"\ntariff = \"Produit\"\nprice = \"Prix\"\n\
         vat_rate = \"Taux d'imposition\"\nemail = \"E-Mail\"\nphone = \"Numéro de téléphone\"\n\
         postcode = \"Adresse de facturation (Code postal)\"\n\
         city = \"Adresse de facturation (ville)\"\ncountry = \"Adresse de facturation (pays)\"\n\
         channel = \"Canal de vente\"\nticket_id = \"\"\ncheck_in = \"\"\n",
    ),
    (
        "emailing-contacts",
        "# An emailing tool's contacts (Brevo-style French export).\n\
         [columns]\ncustomer_id = \"ID\"\nemail = \"EMAIL\"\nlast_name = \"NOM\"\n\
         first_name = \"PRENOM\"\npostcode = \"CODE_POSTAL\"\ncity = \"VILLE\"\n\
         signup_date = \"DATE_INSCRIPTION\"\nnewsletter = \"NEWSLETTER\"\n\
         unsubscribe_date = \"DATE_DESINSCRIPTION\"\n",
    ),
    (
        "emailing-activity",
        "# An emailing tool's campaign activity (Brevo-style French export).\n\
         [columns]\ncampaign_id = \"CAMPAGNE_ID\"\ncampaign = \"CAMPAGNE\"\n\
         sent_at = \"DATE_ENVOI\"\ncustomer_id = \"CONTACT_ID\"\nemail = \"EMAIL\"\n\
         event = \"EVENEMENT\"\nevent_at = \"DATE_EVENEMENT\"\n",
    ),
    (
        "brevo-activity",
        "# Brevo's marketing events (its export of events, with the fields of its marketing\n\
         # webhooks): one row per event, named delivered, opened, click, hard_bounce,\n\
         # soft_bounce, spam or unsubscribe; dates in the account's time zone. Its \"id\" is\n\
         # the event's, not the contact's: recipients are known by their email.\n\
         [columns]\ncampaign_id = \"camp_id\"\ncampaign = \"campaign name\"\n\
         sent_at = \"date_sent\"\nemail = \"email\"\nevent = \"event\"\n\
         event_at = \"date_event\"\ncustomer_id = \"\"\n",
    ),
    (
        "mailchimp-activity",
        "# Mailchimp's email activity (its reports' fields: one row per open, click or\n\
         # bounce, times in ISO 8601). It does not say when campaigns were sent: save this\n\
         # profile (--save-profile) and give each campaign's sending under [campaigns].\n\
         [columns]\ncampaign_id = \"campaign_id\"\nemail = \"email_address\"\n\
         event = \"action\"\nevent_at = \"timestamp\"\n",
    ),
    (
        "mailchimp-members",
        "# Mailchimp's audience export, subscribed or cleaned members: consent given when the\n\
         # subscription was confirmed. Its times are taken as UTC.\n\
         [columns]\nemail = \"Email Address\"\nsignup_date = \"CONFIRM_TIME\"\n\
         country = \"CC\"\n\n[defaults]\ntime_zone = \"UTC\"\n",
    ),
    (
        "mailchimp-unsubscribed",
        "# Mailchimp's audience export, unsubscribed members: consent given when the\n\
         # subscription was confirmed, withdrawn when they left. It names the campaign they\n\
         # left through but not when it was sent: no campaign event is made of it. Its times\n\
         # are taken as UTC.\n\
         [columns]\nemail = \"Email Address\"\nsignup_date = \"CONFIRM_TIME\"\n\
         unsubscribe_date = \"UNSUB_TIME\"\ncountry = \"CC\"\n\n[defaults]\n\
         time_zone = \"UTC\"\n",
    ),
];

/// A profile Jauge ships.
pub fn builtin(name: &str) -> Option<ProfileFile> {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, toml)| ProfileFile::from_toml(toml).expect("built-in profiles are valid"))
}

impl ProfileFile {
    pub fn from_toml(text: &str) -> Result<ProfileFile, ProfileError> {
        toml::from_str(text).map_err(|e| ProfileError::Syntax(e.to_string()))
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a profile always serialises")
    }

    /// The profile a person would save for this file: the columns as mapped, so a later
    /// renaming is noticed against them, and empty defaults to fill in.
    pub fn from_inferred(inferred: &Inferred) -> ProfileFile {
        ProfileFile {
            columns: inferred
                .mapping
                .matched
                .iter()
                .map(|m| (m.field.code(), m.header.clone()))
                .collect(),
            ..ProfileFile::default()
        }
    }

    /// Applies the profile to what was inferred from a file: its columns replace the inferred
    /// ones for their fields, its defaults and tariff categories are added.
    pub fn apply(&self, inferred: &mut Inferred) -> Result<(), ProfileError> {
        let mut named = Vec::new();
        for (code, header) in &self.columns {
            let field = Field::from_code(code).ok_or_else(|| {
                let all: Vec<String> = Field::ALL.iter().map(|f| f.code()).collect();
                ProfileError::UnknownField(code.clone(), all.join(", "))
            })?;
            let mapping = &mut inferred.mapping;
            if header.is_empty() {
                // No column holds the field, whatever its headers suggest.
                inferred.profile.columns.remove(&field);
                inferred.profile.kinds.remove(&field);
                for m in mapping.matched.iter().filter(|m| m.field == field) {
                    mapping.unmatched.push((m.column, m.header.clone()));
                }
                mapping.matched.retain(|m| m.field != field);
                mapping.conflicts.retain(|c| c.field != field);
                continue;
            }
            let column = inferred
                .headers
                .iter()
                .position(|h| h == header)
                .or_else(|| {
                    inferred
                        .headers
                        .iter()
                        .position(|h| normalise(h) == normalise(header))
                })
                .ok_or_else(|| ProfileError::NoSuchColumn {
                    field: code.clone(),
                    header: header.clone(),
                    columns: inferred
                        .headers
                        .iter()
                        .map(|h| format!("{h:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            // The column now holds the fields the profile names for it, and no other.
            named.push(field);
            inferred
                .profile
                .columns
                .retain(|f, c| *c != column || named.contains(f));
            inferred.profile.columns.insert(field, column);
            let mapping = &mut inferred.mapping;
            mapping
                .matched
                .retain(|m| m.field != field && (m.column != column || named.contains(&m.field)));
            mapping.matched.push(ColumnMatch {
                column,
                header: inferred.headers[column].clone(),
                field,
                confidence: Confidence::Given,
                because: "the profile",
            });
            mapping.matched.sort_by_key(|m| m.column);
            mapping.unmatched.retain(|(c, _)| *c != column);
            mapping.conflicts.retain(|c| c.field != field);
            if let Some(kind) = inferred.column_kinds.get(column) {
                inferred.profile.kinds.insert(field, *kind);
            }
        }
        let invalid = |what, value: &dyn ToString, expected: &str| ProfileError::Invalid {
            what,
            value: value.to_string(),
            expected: expected.to_owned(),
        };
        let d = &self.defaults;
        let defaults = &mut inferred.profile.defaults;
        if let Some(hall) = &d.hall {
            defaults.hall = Some(
                hall.parse()
                    .map_err(|_| invalid("hall", hall, "a hall's name"))?,
            );
        }
        if let Some(seats) = d.capacity {
            defaults.capacity = Some(
                Capacity::new(seats)
                    .map_err(|_| invalid("capacity", &seats, "a number of seats above zero"))?,
            );
        }
        if let Some(zone) = &d.time_zone {
            defaults.time_zone = zone
                .parse()
                .map_err(|_| invalid("time zone", zone, "an IANA name such as Europe/Paris"))?;
        }
        if let Some(bp) = d.vat_basis_points {
            defaults.vat = VatRate::from_basis_points(bp).map_err(|_| {
                invalid(
                    "VAT rate",
                    &bp,
                    "basis points from 0 to 10000 (550 for 5.5 %)",
                )
            })?;
        }
        if let Some(time) = &d.performance_time {
            defaults.performance_time = Some(
                NaiveTime::parse_from_str(time, "%H:%M")
                    .map_err(|_| invalid("performance time", time, "a time such as 20:30"))?,
            );
        }
        for (label, code) in &self.tariffs {
            let category: TariffCategory = code.parse().map_err(|_| {
                invalid(
                    "tariff category",
                    code,
                    "full_price, reduced, subscription, free, school_or_group or other",
                )
            })?;
            defaults.tariff_categories.insert(label.clone(), category);
        }
        for (id, when) in &self.campaigns {
            let local = || {
                ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
                    .iter()
                    .find_map(|f| NaiveDateTime::parse_from_str(when.trim(), f).ok())
                    .and_then(|t| defaults.time_zone.from_local_datetime(&t).single())
                    .map(|t| t.with_timezone(&Utc))
            };
            let at = crate::values::parse_iso8601(when)
                .map(|t| t.with_timezone(&Utc))
                .or_else(local)
                .ok_or_else(|| {
                    invalid(
                        "campaign's sending date",
                        when,
                        "a local time such as 2026-11-02 10:00 (one that exists once in the \
                         time zone), or ISO 8601 with an offset",
                    )
                })?;
            defaults.campaigns_sent.insert(id.clone(), at);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::detect;
    use crate::read::{Defaults, infer_profile};

    fn inferred(csv: &str) -> Inferred {
        infer_profile(&detect(csv.as_bytes()).unwrap(), Defaults::default())
    }

    #[test]
    fn a_profile_names_the_columns_the_headers_do_not() {
        let mut i = inferred("Ref;Quand;Combien\nA1;14/03/2026 20:30;12,50\n");
        assert_eq!(i.profile.columns.get(&Field::OrderId), None);
        let profile = ProfileFile::from_toml(
            "[columns]\norder_id = \"Ref\"\norder_date = \"quand\"\nprice = \"Combien\"\n\n\
             [defaults]\ncapacity = 300\nhall = \"Studio\"\ntime_zone = \"Europe/Brussels\"\n\n\
             [tariffs]\n\"Tarif ami\" = \"reduced\"\n",
        )
        .unwrap();
        profile.apply(&mut i).unwrap();
        assert_eq!(i.profile.columns.get(&Field::OrderId), Some(&0));
        assert_eq!(
            i.profile.columns.get(&Field::OrderDate),
            Some(&1),
            "headers match whatever their case"
        );
        assert!(matches!(
            i.profile.kinds.get(&Field::Price),
            Some(crate::values::ValueKind::Decimal(_))
        ));
        assert_eq!(i.profile.defaults.capacity.map(Capacity::get), Some(300));
        assert_eq!(i.profile.defaults.time_zone, chrono_tz::Europe::Brussels);
        assert_eq!(
            i.profile.defaults.tariff_categories["Tarif ami"],
            TariffCategory::Reduced
        );
    }

    #[test]
    fn built_in_profiles_are_valid() {
        for (name, _) in BUILTIN {
            assert!(
                builtin(name).is_some_and(|p| !p.columns.is_empty()),
                "{name}"
            );
        }
        assert_eq!(builtin("nothing"), None);
    }

    #[test]
    fn a_profile_may_give_one_column_two_fields_or_a_field_no_column() {
        let mut i = inferred("N° commande;N° billet;Statut;Prix TTC\nA1;1;Payé;12,50\n");
        assert_eq!(i.profile.columns.get(&Field::TicketId), Some(&1));
        let p = ProfileFile::from_toml(
            "[columns]\norder_status = \"Statut\"\nticket_status = \"Statut\"\nticket_id = \"\"\n",
        )
        .unwrap();
        p.apply(&mut i).unwrap();
        let c = &i.profile.columns;
        assert_eq!(
            (c.get(&Field::OrderStatus), c.get(&Field::TicketStatus)),
            (Some(&2), Some(&2))
        );
        assert_eq!(c.get(&Field::TicketId), None);
        assert!(i.mapping.matched.iter().all(|m| m.field != Field::TicketId));
        assert!(i.mapping.unmatched.iter().any(|(c, _)| *c == 1));
    }

    #[test]
    fn a_saved_profile_reads_back() {
        let i = inferred("N° commande;Prix TTC\nA1;12,50\n");
        let saved = ProfileFile::from_inferred(&i);
        assert_eq!(saved.columns["order_id"], "N° commande");
        assert_eq!(ProfileFile::from_toml(&saved.to_toml()).unwrap(), saved);
    }

    #[test]
    fn a_wrong_profile_says_what_to_change() {
        let mut i = inferred("Ref;Prix\nA1;12,50\n");
        let error = |toml: &str| {
            ProfileFile::from_toml(toml)
                .and_then(|p| p.apply(&mut i.clone()))
                .unwrap_err()
                .to_string()
        };
        assert!(error("[columns]\nprix = \"Prix\"\n").contains("unknown field \"prix\""));
        assert!(error("[columns]\nprice = \"Montant\"\n").contains("\"Ref\", \"Prix\""));
        assert!(error("[defaults]\ncapacity = 0\n").contains("above zero"));
        assert!(error("[defaults]\ntime_zone = \"Paris\"\n").contains("Europe/Paris"));
        assert!(error("[tariffs]\n\"Ami\" = \"cheap\"\n").contains("school_or_group"));
        assert!(error("colonnes = 1\n").contains("not valid TOML"));
        let _ = &mut i;
    }
}
