//! Networks of venues pooling their data, as Audience Finder does in the UK and Synapse C in
//! Québec: what one venue contributes to its network's hub, and what the hub may publish.
//!
//! - [`contribution`] (`jauge_model::network`): a venue's contribution for a season — per-performance aggregates
//!   (tickets, revenue, capacity, tariff mix, discipline, hall size band, month), its audience
//!   by commune and département, and for crossover only, patron tokens;
//! - [`token`]: a patron token is an HMAC-SHA256 of the normalised email under a key the
//!   network's venues share and the hub never holds;
//! - [`secrecy`]: the rules a published cell keeps (at least 5 venues and 11 patrons, no venue
//!   above 85 %);
//! - [`benchmark`]: a venue's figures beside its peers' distribution (median, quartiles), for
//!   the same discipline, size band and region;
//! - [`crossover`]: the share of each venue's patrons who also attend each other venue.
//!
//! `THREAT-MODEL.md` (in this crate) says what the hub, a venue and an outsider can learn.
//!
//! Pure functions over typed values, but for [`from_store`], which reads a venue's store. It
//! must not send anything (the CLI does), hold the network key anywhere but in memory, nor
//! publish a cell [`secrecy`] has not passed.

pub mod benchmark;
pub use jauge_model::network as contribution;
pub mod crossover;
pub mod from_store;
pub mod secrecy;
pub mod token;

#[cfg(test)]
mod tests;
