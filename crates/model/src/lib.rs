//! The domain model of Jauge: the words of live-performance ticketing as Rust types.
//!
//! This crate owns the vocabulary every other crate speaks: organisation, venue, hall, season,
//! show, performance, tariff, order, ticket, patron, consent, campaign, and the provenance of
//! each fact (its source and import batch). Every value that has a rule is a type whose
//! constructor checks the rule, so an invalid capacity, amount, SIRET or season cannot exist.
//!
//! It must not touch storage, files, the network, the clock or the terminal: it is pure data
//! and validation, and every other crate may depend on it.
//!
//! Personal data is kept apart from behaviour: [`PatronIdentity`] holds who a person is, while
//! orders and tickets only refer to an opaque [`PatronKey`]. Erasing an identity leaves the
//! facts, anonymous.

mod dataset;
mod error;
mod lang;
mod money;
pub mod network;
mod organisation;
mod patron;
mod provenance;
mod sale;
mod season;
mod show;

pub use dataset::{Dataset, DatasetProblem, QuarantinedRow, Reference};
pub use error::InvalidValue;
pub use lang::Lang;
pub use money::{Cents, VatRate};
pub use organisation::{
    Capacity, Hall, InseeCode, LicenceNumber, Name, Organisation, PlaceType, Postcode, Siret,
    Venue, VenueSetup,
};
pub use patron::{
    BirthYear, Campaign, CampaignEvent, CampaignEventKind, Consent, ConsentChannel, ConsentPurpose,
    ConsentStatus, CountryCode, Email, PatronIdentity, PatronKey,
};
pub use provenance::{BatchId, ExternalId, SourceKind, SourceName};
pub use sale::{Channel, Order, OrderStatus, Tariff, TariffCategory, Ticket, TicketStatus};
pub use season::{Season, SeasonStartMonth};
pub use show::{Discipline, Performance, PerformanceStatus, Show};

pub use compact_str::CompactString;

/// The time zone a venue uses when none is configured.
pub const DEFAULT_TIME_ZONE: chrono_tz::Tz = chrono_tz::Europe::Paris;
