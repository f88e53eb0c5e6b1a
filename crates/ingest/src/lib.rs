//! Jauge's importer: it takes the exports venues really have — CSV in any dialect, from
//! ticketing, CRM and emailing tools — and says what it found before anything is stored.
//!
//! This crate owns reading files: decoding bytes ([`dialect`]: encoding, line endings,
//! delimiter, quoting, header row), reading values ([`values`]: numbers, dates, empty
//! markers), matching columns to the model's fields ([`mapping`]) and reading the words of
//! statuses, channels and tariffs ([`vocabulary`]). Every decision is taken from evidence in the file; what the evidence cannot settle
//! is reported as an ambiguity, never guessed silently. Arbitrary bytes never make it panic.
//!
//! It must not touch the store or the terminal: it returns what it read and the problems, each
//! with its place, and its caller decides.

pub mod dialect;
pub mod mapping;
pub mod read;
pub mod values;
pub mod vocabulary;
