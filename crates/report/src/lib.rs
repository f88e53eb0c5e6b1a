//! Jauge's presentation, shared by the terminal, the web pages and the reports: figures in the
//! conventions of each language ([`format`]) and charts as SVG ([`chart`]).
//!
//! It owns how a figure looks, not what it is: figures come computed from `jauge-analytics`.
//! It must not read the store or know about HTTP.

pub mod chart;
pub mod format;
