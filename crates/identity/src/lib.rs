//! Jauge's record linkage: which patron records, from one source or several, are the same
//! person — with the reasons, field by field, and a person's corrections respected.
//!
//! It owns normalising personal details ([`normalise`]), comparing two records field by field
//! ([`compare`]), the Fellegi–Sunter model whose weights are estimated from the records
//! themselves, without labels ([`model`]), blocking ([`block`]), clustering that does not chain
//! unrelated people through one bad link ([`cluster`]), the whole run ([`link`]), the golden
//! record of each person ([`golden`]) and measuring
//! a linkage against a truth ([`evaluate`]). Everything here is a pure function over records in
//! memory.
//!
//! It must not touch the store, files or the terminal: its callers give it records and keep
//! what it returns.

pub mod block;
pub mod cluster;
pub mod compare;
pub mod evaluate;
pub mod golden;
pub mod link;
pub mod model;
pub mod normalise;

pub use cluster::Constraints;
pub use compare::Record;
pub use link::{Linkage, Previous, explain, link, link_new, link_with};
