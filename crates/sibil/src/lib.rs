//! SIBIL, the quarterly ticketing declaration every licensed live-performance entrepreneur in
//! France owes the ministry of Culture: per performance, its tickets, revenue and average
//! price, split into full price, subscriptions and packages, and free tickets; its capacity,
//! place, show and festival.
//!
//! This crate owns the declaration: the calendar of quarters and deadlines ([`Quarter`]), how
//! Jauge's facts become SIBIL's fields and which checks they must pass ([`declaration`]), the
//! files for people ([`output`]) — all pure — and its two thin shells: reading the facts from
//! the store ([`from_store`]) and sending to SIBIL's API ([`client`]). It must not write to
//! the store or talk to the terminal: the CLI records what the sending says.

pub mod client;
pub mod declaration;
pub mod from_store;
pub mod output;
mod quarter;
#[cfg(feature = "stand-in")]
pub mod stand_in;

pub use declaration::{
    Built, Declarant, Declaration, DomainMapping, PerformanceFacts, Place, Problem, Severity,
    SibilClass, build,
};
pub use quarter::{
    BadQuarter, Quarter, QuarterState, WARN_DAYS, needs_warning, quarter_state, quarter_states,
};
