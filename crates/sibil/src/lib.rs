//! SIBIL, the quarterly ticketing declaration every licensed live-performance entrepreneur in
//! France owes the ministry of Culture: per performance, its tickets, revenue and average
//! price, split into full price, subscriptions and packages, and free tickets; its capacity,
//! place, show and festival.
//!
//! This crate owns the declaration: the calendar of quarters and deadlines ([`Quarter`]), how
//! Jauge's facts become SIBIL's fields and which checks they must pass ([`declaration`]), the
//! files for people ([`output`]), and the sending to SIBIL's API ([`client`], its only I/O).
//! It must not touch the store or the terminal: the CLI gathers the facts from the store, and
//! records what the sending says.

pub mod client;
pub mod declaration;
pub mod output;
mod quarter;

pub use declaration::{
    Built, Declarant, Declaration, DomainMapping, PerformanceFacts, Place, Problem, Severity,
    SibilClass, build,
};
pub use quarter::{BadQuarter, Quarter, QuarterState, WARN_DAYS, needs_warning, quarter_state};
