//! Jauge's presentation, shared by the terminal, the web pages and the reports: figures in the
//! conventions of each language ([`format`]), charts as SVG ([`chart`]), and the season report
//! ([`season`] composes a [`document::Document`] from a season's figures, [`narrative`] writes
//! its text; [`html`] and, with the `pdf` feature, `pdf` render it).
//!
//! It owns how a figure looks and how a report tells it, not what a figure is: figures come
//! computed from `jauge-analytics`. It must not read the store or know about HTTP.

pub mod chart;
pub mod document;
pub mod format;
pub mod html;
mod narrative;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod places;
pub mod season;
