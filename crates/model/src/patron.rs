use std::str::FromStr;

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::organisation::string_newtype_serde;
use crate::sale::coded_enum;
use crate::{ExternalId, InvalidValue, Name, SourceName};

/// The stable, opaque key by which behaviour (orders, tickets, consents, campaign events) refers
/// to a person. It carries no personal data: 1 to 64 ASCII letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PatronKey(CompactString);

impl FromStr for PatronKey {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(PatronKey(CompactString::from(s)))
        } else {
            Err(InvalidValue::new(
                "patron key",
                s,
                "1 to 64 ASCII letters, digits, '-' or '_'",
            ))
        }
    }
}
string_newtype_serde!(PatronKey);

/// An email address, trimmed, with one `@`, a local part and a dotted domain, no spaces.
/// Comparison is on the text as given; the identity crate normalises for matching.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(CompactString);

impl FromStr for Email {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let ok = t.len() <= 254
            && !t.chars().any(char::is_whitespace)
            && match t.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if ok {
            Ok(Email(CompactString::from(t)))
        } else {
            Err(InvalidValue::new(
                "email",
                s,
                "an address such as prenom.nom@exemple.fr",
            ))
        }
    }
}
string_newtype_serde!(Email);

/// An ISO 3166-1 alpha-2 country code, upper case (`FR`, `BE`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(CompactString);

impl CountryCode {
    pub fn france() -> CountryCode {
        CountryCode(CompactString::const_new("FR"))
    }
}

impl FromStr for CountryCode {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_uppercase();
        if t.len() == 2 && t.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(CountryCode(CompactString::from(t)))
        } else {
            Err(InvalidValue::new(
                "country",
                s,
                "a two-letter ISO country code such as FR",
            ))
        }
    }
}
string_newtype_serde!(CountryCode);

/// A year of birth, between 1880 and 2100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct BirthYear(i32);

impl BirthYear {
    pub fn new(year: i32) -> Result<BirthYear, InvalidValue> {
        if (1880..=2100).contains(&year) {
            Ok(BirthYear(year))
        } else {
            Err(InvalidValue::new(
                "birth year",
                year,
                "a four-digit year between 1880 and 2100",
            ))
        }
    }
    pub fn get(self) -> i32 {
        self.0
    }
}

impl TryFrom<i32> for BirthYear {
    type Error = InvalidValue;
    fn try_from(y: i32) -> Result<Self, Self::Error> {
        BirthYear::new(y)
    }
}

impl From<BirthYear> for i32 {
    fn from(y: BirthYear) -> i32 {
        y.0
    }
}

/// Who a patron is, as one source knows them. Kept apart from behaviour, which only refers to
/// the key: erasing this record leaves orders and tickets anonymous but intact. Texts are
/// compact strings (inline up to 24 bytes): a venue holds hundreds of thousands of these.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PatronIdentity {
    pub key: Option<PatronKey>,
    pub first_name: Option<CompactString>,
    pub last_name: Option<CompactString>,
    pub email: Option<Email>,
    pub phone: Option<CompactString>,
    /// As written by the source; French postcodes are five digits, foreign ones vary.
    pub postcode: Option<CompactString>,
    pub city: Option<CompactString>,
    pub country: Option<CountryCode>,
    pub birth_year: Option<BirthYear>,
    /// The whole birth date, when the source gives it (a CRM's, a membership's).
    pub birth_date: Option<chrono::NaiveDate>,
    /// The street address, as written by the source.
    pub address: Option<CompactString>,
}

impl PatronIdentity {
    /// The key; identities in a dataset always have one (see `Dataset::problems`).
    pub fn key(&self) -> Option<&PatronKey> {
        self.key.as_ref()
    }
}

coded_enum!(
    /// How a patron may be contacted.
    ConsentChannel, "consent channel" {
        Email => "email",
        Sms => "sms",
        Post => "post",
        Phone => "phone",
    }
);

coded_enum!(
    /// What a contact is for.
    ConsentPurpose, "consent purpose" {
        /// The venue's newsletter and season announcements.
        Newsletter => "newsletter",
        /// Offers and invitations from the venue.
        Offers => "offers",
        /// Offers from partners.
        PartnerOffers => "partner_offers",
    }
);

coded_enum!(
    /// A consent is given or withdrawn; the current state is the latest record.
    ConsentStatus, "consent status" {
        Given => "given",
        Withdrawn => "withdrawn",
    }
);

/// One change of a patron's consent, with who recorded it and the proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub patron: PatronKey,
    pub channel: ConsentChannel,
    pub purpose: ConsentPurpose,
    pub status: ConsentStatus,
    pub at: DateTime<Utc>,
    /// The source that reported it.
    pub source: SourceName,
    /// How it was obtained: the form, the box ticked, the unsubscribe link…
    pub proof: String,
}

coded_enum!(
    /// What happened to one recipient of an emailing campaign.
    CampaignEventKind, "campaign event" {
        Delivered => "delivered",
        Opened => "opened",
        Clicked => "clicked",
        Unsubscribed => "unsubscribed",
        Bounced => "bounced",
        /// Marked as spam: a withdrawal of consent, as an unsubscription is.
        Complained => "complained",
    }
);

/// One event of one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignEvent {
    pub patron: PatronKey,
    pub kind: CampaignEventKind,
    pub at: DateTime<Utc>,
}

/// An emailing campaign and its recipients' events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: ExternalId,
    pub name: Name,
    pub sent_at: DateTime<Utc>,
    pub events: Vec<CampaignEvent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!("claire.dupont@orange.fr".parse::<Email>().is_ok());
        assert_eq!(" a@b.fr ".parse::<Email>().unwrap().as_str(), "a@b.fr");
        for bad in [
            "", "a", "a@b", "@b.fr", "a@@b.fr", "a b@c.fr", "a@b.", "a@.fr",
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad}");
        }
    }

    #[test]
    fn patron_keys_carry_no_free_text() {
        assert!("p-00ab12".parse::<PatronKey>().is_ok());
        assert!("jean dupont".parse::<PatronKey>().is_err());
        assert!("claire@x.fr".parse::<PatronKey>().is_err());
    }

    #[test]
    fn birth_years_and_countries() {
        assert!(BirthYear::new(1975).is_ok());
        assert!(BirthYear::new(75).is_err());
        assert_eq!("fr".parse::<CountryCode>().unwrap(), CountryCode::france());
        assert!("FRA".parse::<CountryCode>().is_err());
    }

    #[test]
    fn unused_external_id_type_is_reexported() {
        // Campaign ids are external ids: a blank id cannot be built.
        assert!(" ".parse::<ExternalId>().is_err());
        assert!("Saison".parse::<Name>().is_ok());
    }
}
