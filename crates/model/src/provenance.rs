use std::fmt;
use std::str::FromStr;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::InvalidValue;
use crate::organisation::string_newtype_serde;

/// The name a venue gives one of its sources (`billetterie`, `brevo`, `pretix-festival`):
/// lowercase letters, digits, `-`, `_` and `.`, 1 to 64 characters, so it is safe in file names
/// and URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SourceName(CompactString);

impl FromStr for SourceName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
        if ok {
            Ok(SourceName(CompactString::from(s)))
        } else {
            Err(InvalidValue::new(
                "source name",
                s,
                "1 to 64 lowercase letters, digits, '-', '_' or '.', such as billetterie",
            ))
        }
    }
}
string_newtype_serde!(SourceName);

/// What kind of system a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Ticket lists exported from a ticketing system.
    TicketingExport,
    /// Contacts and campaign activity exported from an emailing tool.
    EmailingExport,
    /// Contacts exported from a CRM.
    CrmExport,
    /// A live connection to a pretix server.
    Pretix,
}

impl SourceKind {
    pub fn code(self) -> &'static str {
        match self {
            SourceKind::TicketingExport => "ticketing_export",
            SourceKind::EmailingExport => "emailing_export",
            SourceKind::CrmExport => "crm_export",
            SourceKind::Pretix => "pretix",
        }
    }
}

impl FromStr for SourceKind {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            SourceKind::TicketingExport,
            SourceKind::EmailingExport,
            SourceKind::CrmExport,
            SourceKind::Pretix,
        ]
        .into_iter()
        .find(|k| k.code() == s)
        .ok_or_else(|| {
            InvalidValue::new(
                "source kind",
                s,
                "ticketing_export, emailing_export, crm_export or pretix",
            )
        })
    }
}

/// The import batch a stored fact came from, as numbered by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BatchId(pub i64);

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// An identifier as a source gives it (an order number, a performance code): trimmed, never
/// empty, at most 200 characters. Unique only within its source. Held inline up to 24 bytes,
/// since a million tickets each carry four of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalId(CompactString);

impl FromStr for ExternalId {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if !t.is_empty() && t.len() <= 200 {
            Ok(ExternalId(CompactString::from(t)))
        } else {
            Err(InvalidValue::new(
                "identifier",
                s,
                "a non-empty identifier of at most 200 characters",
            ))
        }
    }
}
string_newtype_serde!(ExternalId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names_are_slugs() {
        assert!("billetterie".parse::<SourceName>().is_ok());
        assert!("pretix-festival_2026.v2".parse::<SourceName>().is_ok());
        assert!("Billetterie".parse::<SourceName>().is_err());
        assert!("bil let".parse::<SourceName>().is_err());
        assert!("".parse::<SourceName>().is_err());
        assert!("../etc".parse::<SourceName>().is_err());
    }

    #[test]
    fn source_kinds_round_trip() {
        for k in [
            SourceKind::TicketingExport,
            SourceKind::EmailingExport,
            SourceKind::CrmExport,
            SourceKind::Pretix,
        ] {
            assert_eq!(k.code().parse::<SourceKind>().unwrap(), k);
        }
    }

    #[test]
    fn external_ids_are_trimmed_and_never_empty() {
        assert_eq!(" A-12 ".parse::<ExternalId>().unwrap().as_str(), "A-12");
        assert!("   ".parse::<ExternalId>().is_err());
        assert!("x".repeat(201).parse::<ExternalId>().is_err());
    }
}
