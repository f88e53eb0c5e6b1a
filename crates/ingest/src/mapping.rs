//! Which column holds which fact: headers matched to the model's fields through the names French
//! and English tools give them, with a confidence and the reason for each match.
//!
//! A header is compared once normalised (lower case, accents and punctuation dropped, `n°`
//! read as `numero`). An exact synonym is certain; a header that contains every word of a
//! synonym is likely. Each field takes at most one column; when two columns claim one field
//! equally, neither is taken and the conflict is reported, never settled by chance.

use std::fmt;

/// A fact a column can hold, in a ticketing, CRM or emailing export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    OrderId,
    OrderDate,
    /// The order's time of day, when a column of its own gives it.
    OrderTime,
    Channel,
    OrderStatus,
    TicketId,
    Price,
    FaceValue,
    VatRate,
    TicketStatus,
    CheckIn,
    PerformanceId,
    PerformanceDate,
    PerformanceTime,
    PerformanceStatus,
    Capacity,
    Hall,
    ShowId,
    ShowTitle,
    Discipline,
    Company,
    YoungAudience,
    Coproduction,
    Festival,
    TariffId,
    Tariff,
    CustomerId,
    LastName,
    FirstName,
    Email,
    Phone,
    Postcode,
    City,
    Country,
    BirthYear,
    BirthDate,
    Address,
    SignupDate,
    Newsletter,
    UnsubscribeDate,
    CampaignId,
    Campaign,
    SentAt,
    Event,
    EventAt,
}

impl Field {
    /// The names tools give the field, French and English, already normalised.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::OrderId => &[
                "numero commande",
                "commande",
                "num commande",
                "no commande",
                "id commande",
                "reference commande",
                "ref commande",
                "order",
                "order id",
                "order code",
                "order number",
                "order no",
                "orderid",
                "order_id",
            ],
            Field::OrderDate => &[
                "date commande",
                "date de commande",
                "date achat",
                "date d achat",
                "date vente",
                "date de vente",
                "order date",
                "created",
                "create date",
                "creation date",
                "date creation",
                "purchase date",
                "order datetime",
            ],
            Field::OrderTime => &[
                "heure commande",
                "heure de commande",
                "heure achat",
                "heure d achat",
                "heure de vente",
                "order time",
                "purchase time",
            ],
            Field::Channel => &[
                "canal",
                "canal de vente",
                "point de vente",
                "channel",
                "sales channel",
            ],
            Field::OrderStatus => &["statut commande", "etat commande", "order status"],
            Field::TicketId => &[
                "numero billet",
                "billet",
                "num billet",
                "no billet",
                "id billet",
                "code billet",
                "ticket",
                "ticket id",
                "ticket number",
                "ticket no",
                "barcode",
                "code barre",
                "position id",
                "ticket item id",
            ],
            Field::Price => &[
                "prix ttc",
                "prix",
                "montant",
                "montant ttc",
                "prix paye",
                "tarif ttc",
                "price",
                "amount",
                "amount paid",
                "paid",
                "total",
            ],
            Field::FaceValue => &["valeur faciale", "prix facial", "face value", "list price"],
            Field::VatRate => &[
                "taux tva",
                "tva",
                "taux de tva",
                "vat",
                "vat rate",
                "tax rate",
            ],
            Field::TicketStatus => &[
                "statut billet",
                "etat billet",
                "statut",
                "etat",
                "ticket status",
                "status",
            ],
            Field::CheckIn => &[
                "date controle",
                "controle",
                "date de controle",
                "scan",
                "date scan",
                "entree",
                "check in",
                "checkin",
                "checked in",
                "scanned at",
            ],
            Field::PerformanceId => &[
                "code seance",
                "seance",
                "id seance",
                "code representation",
                "id representation",
                "performance id",
                "event date id",
                "subevent",
                "subevent id",
                "session id",
            ],
            Field::PerformanceDate => &[
                "date de representation",
                "date representation",
                "representation",
                "date seance",
                "date de la seance",
                "date spectacle",
                "date evenement",
                "performance date",
                "event date",
                "show date",
                "play date",
                "date",
            ],
            Field::PerformanceTime => &[
                "heure",
                "heure de representation",
                "heure seance",
                "horaire",
                "time",
                "performance time",
                "play time",
                "start time",
            ],
            Field::PerformanceStatus => &[
                "statut seance",
                "statut representation",
                "performance status",
            ],
            Field::Capacity => &[
                "jauge",
                "capacite",
                "places en vente",
                "capacity",
                "quota",
                "seats",
            ],
            Field::Hall => &["salle", "lieu", "hall", "room", "venue room", "auditorium"],
            Field::ShowId => &[
                "code spectacle",
                "id spectacle",
                "code manifestation",
                "show id",
                "event id",
                "program id",
            ],
            Field::ShowTitle => &[
                "spectacle",
                "titre",
                "titre spectacle",
                "manifestation",
                "evenement",
                "show",
                "title",
                "event",
                "event name",
                "program name",
                "production",
            ],
            Field::Discipline => &[
                "discipline",
                "genre",
                "categorie spectacle",
                "domaine",
                "category",
            ],
            Field::Company => &[
                "compagnie",
                "artiste",
                "artistes",
                "interprete",
                "company",
                "artist",
                "performer",
            ],
            Field::YoungAudience => &["jeune public", "young audience", "family"],
            Field::Coproduction => &["coproduction", "co production", "coprod"],
            Field::Festival => &["festival"],
            Field::TariffId => &[
                "code tarif",
                "id tarif",
                "tariff code",
                "price code",
                "item id",
            ],
            Field::Tariff => &[
                "tarif",
                "libelle tarif",
                "type tarif",
                "categorie tarif",
                "tariff",
                "price type",
                "price category",
                "product",
                "item",
                "ticket type",
                "standard ticket type name",
            ],
            Field::CustomerId => &[
                "numero client",
                "client",
                "num client",
                "no client",
                "id client",
                "code client",
                "customer",
                "customer id",
                "customer number",
                "contact id",
                "identity",
            ],
            Field::LastName => &[
                "nom",
                "nom de famille",
                "last name",
                "lastname",
                "surname",
                "family name",
            ],
            Field::FirstName => &["prenom", "first name", "firstname", "given name"],
            Field::Email => &[
                "courriel",
                "email",
                "e mail",
                "mail",
                "adresse email",
                "adresse mail",
                "adresse electronique",
                "adresse e mail",
                // Mailchimp's exports.
                "email address",
                "e mail address",
            ],
            Field::Phone => &[
                "telephone",
                "tel",
                "portable",
                "mobile",
                "phone",
                "phone number",
            ],
            Field::Postcode => &[
                "code postal",
                "cp",
                "postcode",
                "post code",
                "zip",
                "zip code",
                "zipcode",
                "shipping zip1",
                "invoice address zip code",
            ],
            Field::City => &["ville", "commune", "localite", "city", "town"],
            Field::Country => &["pays", "country", "country code"],
            Field::BirthYear => &[
                "annee de naissance",
                "annee naissance",
                "birth year",
                "year of birth",
            ],
            Field::BirthDate => &[
                "date de naissance",
                "date naissance",
                "naissance",
                "ne le",
                "nee le",
                "birth date",
                "birthdate",
                "date of birth",
                "dob",
            ],
            Field::Address => &[
                "adresse",
                "adresse postale",
                "rue",
                "voie",
                "address",
                "street",
                "street address",
                "address 1",
                "adresse 1",
            ],
            Field::SignupDate => &[
                "date inscription",
                "date d inscription",
                "inscription",
                "signup date",
                "subscribed at",
                "opt in date",
                // Mailchimp's members: CONFIRM_TIME, when the subscription was confirmed (its
                // OPTIN_TIME is often empty).
                "confirm time",
            ],
            Field::Newsletter => &[
                "newsletter",
                "lettre d information",
                "opt in",
                "optin",
                "abonne",
            ],
            Field::UnsubscribeDate => &[
                "date desinscription",
                "date de desinscription",
                "unsubscribed at",
                "unsubscribe date",
                // Mailchimp's unsubscribed members: UNSUB_TIME.
                "unsub time",
            ],
            Field::CampaignId => &[
                "campagne id",
                "id campagne",
                "id de la campagne",
                "campaign id",
                // Brevo's marketing events: camp_id.
                "camp id",
            ],
            Field::Campaign => &[
                "campagne",
                "nom campagne",
                "nom de la campagne",
                "campaign",
                "campaign name",
                "campaign title",
            ],
            Field::SentAt => &[
                "date envoi",
                "date d envoi",
                "date de l envoi",
                "envoye le",
                "sent at",
                "send date",
                "send time",
                "sent",
                // Brevo's marketing events: date_sent.
                "date sent",
            ],
            Field::Event => &[
                "evenement",
                "type d evenement",
                // Brevo's marketing events: event; read so beside campaign columns only.
                "event",
                "action",
                "event type",
                "activity",
                "type",
            ],
            Field::EventAt => &[
                "date evenement",
                "date de l evenement",
                "date action",
                "event date time",
                "activity date",
                "occurred at",
                // Brevo's marketing events: date_event; Mailchimp's email activity: timestamp.
                "date event",
                "timestamp",
            ],
        }
    }

    /// Every field, in a stable order.
    pub const ALL: [Field; 45] = [
        Field::OrderId,
        Field::OrderDate,
        Field::OrderTime,
        Field::Channel,
        Field::OrderStatus,
        Field::TicketId,
        Field::Price,
        Field::FaceValue,
        Field::VatRate,
        Field::TicketStatus,
        Field::CheckIn,
        Field::PerformanceId,
        Field::PerformanceDate,
        Field::PerformanceTime,
        Field::PerformanceStatus,
        Field::Capacity,
        Field::Hall,
        Field::ShowId,
        Field::ShowTitle,
        Field::Discipline,
        Field::Company,
        Field::YoungAudience,
        Field::Coproduction,
        Field::Festival,
        Field::TariffId,
        Field::Tariff,
        Field::CustomerId,
        Field::LastName,
        Field::FirstName,
        Field::Email,
        Field::Phone,
        Field::Postcode,
        Field::City,
        Field::Country,
        Field::BirthYear,
        Field::BirthDate,
        Field::Address,
        Field::SignupDate,
        Field::Newsletter,
        Field::UnsubscribeDate,
        Field::CampaignId,
        Field::Campaign,
        Field::SentAt,
        Field::Event,
        Field::EventAt,
    ];
}

impl Field {
    /// The field's code in profiles: `OrderId` is `order_id`.
    pub fn code(self) -> String {
        let mut code = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                code.push('_');
            }
            code.extend(c.to_lowercase());
        }
        code
    }

    /// The field a profile's code names.
    pub fn from_code(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }
}

impl fmt::Display for Field {
    /// `OrderId` reads "order id".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = format!("{self:?}");
        for (i, c) in name.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}", c.to_lowercase())?;
        }
        Ok(())
    }
}

/// Lower case, accents dropped, `n°` read as `numero`, anything but letters and digits turned
/// into single spaces.
pub fn normalise(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let lowered = header
        .trim()
        .to_lowercase()
        .replace("n°", "numero ")
        .replace('º', "o");
    for c in lowered.chars() {
        let c = match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'œ' => 'o',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        if c == ' ' {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_owned()
}

/// How sure a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// The header contains every word of a known name.
    Likely,
    /// The header is a known name.
    Certain,
    /// The source's profile names the column.
    Given,
}

impl ColumnMatch {
    /// How strongly the column claims its field: any certain match outranks a likely one; among
    /// likely ones, the name with more words is the more specific. Equal ranks are a conflict.
    fn rank(&self) -> (Confidence, usize) {
        match self.confidence {
            Confidence::Certain | Confidence::Given => (self.confidence, 0),
            Confidence::Likely => (Confidence::Likely, self.because.split(' ').count()),
        }
    }
}

/// One column's match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMatch {
    pub column: usize,
    pub header: String,
    pub field: Field,
    pub confidence: Confidence,
    /// The known name that matched.
    pub because: &'static str,
}

/// A column two fields would take, or a field two columns claim, left unmapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub field: Field,
    pub columns: Vec<(usize, String)>,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self
            .columns
            .iter()
            .map(|(i, h)| format!("{h:?} (column {})", i + 1))
            .collect();
        write!(
            f,
            "{} could be {}: none was taken; name the right one in a profile",
            self.field,
            names.join(" or ")
        )
    }
}

/// Every column's fate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mapping {
    pub matched: Vec<ColumnMatch>,
    /// Columns no field claims, by index and header.
    pub unmatched: Vec<(usize, String)>,
    pub conflicts: Vec<Conflict>,
}

impl Mapping {
    /// The column holding `field`, if one does.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.matched
            .iter()
            .find(|m| m.field == field)
            .map(|m| m.column)
    }
}

/// Headers that contain a field's name but hold none of them: Mailchimp's member exports say
/// when and from where someone asked to subscribe (`OPTIN_TIME`, `OPTIN_IP`: not a yes or
/// no), confirmed (`CONFIRM_IP`) or was cleaned (`CLEAN_TIME`: not a time of performance).
const NOT_FIELDS: [&str; 4] = ["optin time", "optin ip", "confirm ip", "clean time"];

/// The best match of one header: an exact name first, then the longest name whose every word it
/// contains.
fn best(normalised: &str) -> Option<(Field, Confidence, &'static str)> {
    if NOT_FIELDS.contains(&normalised) {
        return None;
    }
    let words: Vec<&str> = normalised.split(' ').collect();
    let mut found: Option<(Field, Confidence, &'static str)> = None;
    for field in Field::ALL {
        for &synonym in field.synonyms() {
            let confidence = if synonym == normalised {
                Confidence::Certain
            } else if synonym.split(' ').all(|w| words.contains(&w)) {
                Confidence::Likely
            } else {
                continue;
            };
            let better = match found {
                None => true,
                Some((_, c, s)) => (confidence, synonym.len()) > (c, s.len()),
            };
            if better {
                found = Some((field, confidence, synonym));
            }
        }
    }
    found
}

/// Matches headers to fields. A field goes to the column that matches it best; two columns
/// matching it equally well are a conflict, and neither is taken.
pub fn map_columns<S: AsRef<str>>(headers: &[S]) -> Mapping {
    let mut candidates: Vec<ColumnMatch> = Vec::new();
    let mut mapping = Mapping::default();
    for (column, header) in headers.iter().enumerate() {
        let header = header.as_ref();
        match best(&normalise(header)) {
            Some((field, confidence, because)) => candidates.push(ColumnMatch {
                column,
                header: header.to_owned(),
                field,
                confidence,
                because,
            }),
            None => mapping.unmatched.push((column, header.to_owned())),
        }
    }
    // "Événement" is a show in a ticketing export and an event in an emailing tool's activity:
    // beside campaign columns, a header that names both is read as the emailing's.
    if candidates
        .iter()
        .any(|m| matches!(m.field, Field::CampaignId | Field::Campaign))
    {
        for m in &mut candidates {
            let emailing = match m.field {
                Field::ShowTitle => Field::Event,
                Field::PerformanceDate => Field::EventAt,
                _ => continue,
            };
            if emailing.synonyms().contains(&m.because) {
                m.field = emailing;
            }
        }
    }
    for field in Field::ALL {
        let claims: Vec<&ColumnMatch> = candidates.iter().filter(|m| m.field == field).collect();
        let Some(top) = claims.iter().map(|m| m.rank()).max() else {
            continue;
        };
        let winners: Vec<&&ColumnMatch> = claims.iter().filter(|m| m.rank() == top).collect();
        if let [winner] = winners[..] {
            mapping.matched.push((*winner).clone());
        } else {
            mapping.conflicts.push(Conflict {
                field,
                columns: winners
                    .iter()
                    .map(|m| (m.column, m.header.clone()))
                    .collect(),
            });
        }
        for loser in claims.iter().filter(|m| m.rank() != top) {
            mapping.unmatched.push((loser.column, loser.header.clone()));
        }
    }
    mapping.matched.sort_by_key(|m| m.column);
    mapping.unmatched.sort();
    mapping
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(headers: &[&str]) -> Vec<Option<Field>> {
        let mapping = map_columns(headers);
        (0..headers.len())
            .map(|i| {
                mapping
                    .matched
                    .iter()
                    .find(|m| m.column == i)
                    .map(|m| m.field)
            })
            .collect()
    }

    #[test]
    fn headers_are_normalised() {
        assert_eq!(normalise("  N° commande "), "numero commande");
        assert_eq!(
            normalise("Date de représentation"),
            "date de representation"
        );
        assert_eq!(normalise("E-mail"), "e mail");
        assert_eq!(normalise("Prix TTC (€)"), "prix ttc");
        assert_eq!(normalise("SHIPPING_ZIP1"), "shipping zip1");
    }

    #[test]
    fn the_demo_venues_export_maps_completely() {
        let headers = jauge_demo::TICKETING_HEADERS;
        let expected = [
            Field::OrderId,
            Field::OrderDate,
            Field::Channel,
            Field::OrderStatus,
            Field::TicketId,
            Field::PerformanceId,
            Field::ShowTitle,
            Field::PerformanceDate,
            Field::Hall,
            Field::TariffId,
            Field::Tariff,
            Field::Price,
            Field::FaceValue,
            Field::VatRate,
            Field::TicketStatus,
            Field::CheckIn,
            Field::CustomerId,
            Field::LastName,
            Field::FirstName,
            Field::Email,
            Field::Phone,
            Field::Postcode,
            Field::City,
            Field::Country,
            Field::BirthYear,
        ];
        let mapping = map_columns(&headers);
        assert_eq!(mapping.conflicts, vec![]);
        assert_eq!(mapping.unmatched, vec![]);
        let got: Vec<Field> = mapping.matched.iter().map(|m| m.field).collect();
        assert_eq!(got, expected);
        assert!(
            mapping
                .matched
                .iter()
                .all(|m| m.confidence == Confidence::Certain)
        );
    }

    #[test]
    fn english_and_french_synonyms() {
        assert_eq!(
            fields(&[
                "Order code",
                "E-mail",
                "CP",
                "Séance",
                "Manifestation",
                "Montant"
            ]),
            vec![
                Some(Field::OrderId),
                Some(Field::Email),
                Some(Field::Postcode),
                Some(Field::PerformanceId),
                Some(Field::ShowTitle),
                Some(Field::Price),
            ]
        );
        assert_eq!(Field::OrderId.to_string(), "order id");
    }

    #[test]
    fn a_header_containing_a_known_name_is_a_likely_match() {
        let mapping = map_columns(&["Adresse email du spectateur", "Prix TTC payé"]);
        assert_eq!(mapping.matched[0].field, Field::Email);
        assert_eq!(mapping.matched[0].confidence, Confidence::Likely);
        assert_eq!(mapping.matched[1].field, Field::Price);
    }

    #[test]
    fn two_equal_claims_are_a_conflict_not_a_guess() {
        let mapping = map_columns(&["Courriel", "E-mail", "Nom", "CP", "Zip code"]);
        assert_eq!(mapping.column(Field::Email), None);
        assert_eq!(mapping.column(Field::Postcode), None);
        assert_eq!(mapping.conflicts.len(), 2);
        let message = mapping.conflicts[0].to_string();
        assert!(
            message.contains("\"Courriel\"") && message.contains("\"E-mail\""),
            "{message}"
        );
        assert!(message.starts_with("email could be"), "{message}");
        assert_eq!(mapping.column(Field::LastName), Some(2));
    }

    #[test]
    fn an_event_beside_campaign_columns_is_the_emailings() {
        let activity = [
            "CAMPAGNE_ID",
            "CAMPAGNE",
            "DATE_ENVOI",
            "EMAIL",
            "EVENEMENT",
            "DATE_EVENEMENT",
        ];
        assert_eq!(
            fields(&activity)[4..],
            [Some(Field::Event), Some(Field::EventAt)]
        );
        // Without campaign columns, an "événement" is a show.
        assert_eq!(
            fields(&["EVENEMENT", "DATE_EVENEMENT", "PRIX"]),
            [
                Some(Field::ShowTitle),
                Some(Field::PerformanceDate),
                Some(Field::Price)
            ]
        );
    }

    #[test]
    fn brevo_and_mailchimp_headers() {
        // Brevo's marketing events: its own "id" is the event's, and stays unread.
        assert_eq!(
            fields(&[
                "id",
                "camp_id",
                "campaign name",
                "email",
                "event",
                "date_sent",
                "date_event",
                "ts_sent",
            ]),
            [
                None,
                Some(Field::CampaignId),
                Some(Field::Campaign),
                Some(Field::Email),
                Some(Field::Event),
                Some(Field::SentAt),
                Some(Field::EventAt),
                None,
            ]
        );
        // Mailchimp's members: the times of a request to subscribe and of cleaning are not a
        // yes or no, nor a performance's time.
        assert_eq!(
            fields(&[
                "Email Address",
                "First Name",
                "OPTIN_TIME",
                "OPTIN_IP",
                "CONFIRM_TIME",
                "CONFIRM_IP",
                "UNSUB_TIME",
                "CLEAN_TIME",
            ]),
            [
                Some(Field::Email),
                Some(Field::FirstName),
                None,
                None,
                Some(Field::SignupDate),
                None,
                Some(Field::UnsubscribeDate),
                None,
            ]
        );
    }

    #[test]
    fn unknown_columns_are_listed() {
        let mapping = map_columns(&["Nom", "Couleur préférée"]);
        assert_eq!(mapping.unmatched, vec![(1, "Couleur préférée".to_owned())]);
    }

    #[test]
    fn the_real_concert_export_maps_its_key_columns() {
        let headers = [
            "SERIAL_ID",
            "ORDER_ID",
            "TICKET_ITEM_ID",
            "PRINT_TIMES",
            "IDENTITY",
            "PROGRAM_ID",
            "PROGRAM_NAME",
            "CREATE_DATE",
            "PLAY_DATE",
            "PLAY_TIME",
            "TICKET_BOOTH_RUNNING_NUM",
            "PRICE",
            "T_STANDARD_TICKET_TYPE_NAME",
            "SEAT_REGION_NAME",
            "FLOOR_NO",
            "SEAT_ROW",
            "SEAT_NO",
            "TICKET_SHIPPING_RATE_ID",
            "TICKET_FEE",
            "SHIPPING_ZIP1",
        ];
        let mapping = map_columns(&headers);
        for (field, column) in [
            (Field::OrderId, 1),
            (Field::TicketId, 2),
            (Field::CustomerId, 4),
            (Field::ShowId, 5),
            (Field::ShowTitle, 6),
            (Field::OrderDate, 7),
            (Field::PerformanceDate, 8),
            (Field::PerformanceTime, 9),
            (Field::Price, 11),
            (Field::Tariff, 12),
            (Field::Postcode, 19),
        ] {
            assert_eq!(
                mapping.column(field),
                Some(column),
                "{field:?}: {mapping:#?}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_headers_map_without_panicking(headers in proptest::collection::vec("\\PC{0,30}", 0..12)) {
            let mapping = map_columns(&headers);
            let total = mapping.matched.len()
                + mapping.unmatched.len()
                + mapping.conflicts.iter().map(|c| c.columns.len()).sum::<usize>();
            prop_assert_eq!(total, headers.len());
            let mut taken: Vec<Field> = mapping.matched.iter().map(|m| m.field).collect();
            taken.sort();
            taken.dedup();
            prop_assert_eq!(taken.len(), mapping.matched.len());
        }
    }
}
