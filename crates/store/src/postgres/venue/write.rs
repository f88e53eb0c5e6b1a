//! Writing an import batch on PostgreSQL, with the rollups it keeps current, and the sales snapshots.

#![allow(unused_imports, unused_variables)]

use jauge_analytics::audience::SeasonAudience;
use jauge_analytics::calendar::DaySales;
use jauge_analytics::crossover::ShowAudience;
use jauge_analytics::places::BuyerPlace;
use jauge_analytics::{Bookings, PerformanceLine, PerformanceSales, SeasonFacts};
use jauge_model::{BatchId, Dataset, PatronIdentity, PatronKey, Season, SourceName, VenueSetup};
use postgres::Client;

use crate::{
    Account, ApiToken, AuditBreak, AuditEntry, BatchReport, Change, DeclarationRecord, LiveSource,
    PerformanceMix, PersonLink, ProgrammedPerformance, QuarantineEntry, RecordActivity, Session,
    ShareRecord, SourceStatus, StoreError, SubjectData, TicketFact,
};

pub(super) fn write_parts(
    db: &mut Client,
    parts: &mut dyn Iterator<Item = Result<Dataset, String>>,
) -> Result<BatchReport, StoreError> {
    unimplemented!("write_parts")
}

pub(super) fn snapshot_sales(db: &mut Client, day: chrono::NaiveDate) -> Result<usize, StoreError> {
    unimplemented!("snapshot_sales")
}

pub(super) fn season_sales_as_of(
    db: &mut Client,
    season: Season,
    day: chrono::NaiveDate,
) -> Result<Vec<PerformanceSales>, StoreError> {
    unimplemented!("season_sales_as_of")
}

/// Re-cuts every performance into its season, after the time zone or the season's first month
/// changed, and the rollups that depend on seasons with it (as the SQLite backend's
/// `write::reseason_performances`).
pub(super) fn reseason_performances(
    tx: &mut postgres::Transaction<'_>,
    time_zone: chrono_tz::Tz,
    season_start: jauge_model::SeasonStartMonth,
) -> Result<(), StoreError> {
    unimplemented!("reseason_performances")
}

/// Recomputes the sales of `performances` from their tickets.
pub(crate) fn refresh_performance_sales(
    tx: &mut postgres::Transaction<'_>,
    performances: &[i64],
) -> Result<(), StoreError> {
    unimplemented!("refresh_performance_sales")
}

/// Recomputes the buyers' valid tickets in `seasons` from the tickets.
pub(crate) fn refresh_patron_seasons(
    tx: &mut postgres::Transaction<'_>,
    seasons: &std::collections::BTreeSet<i32>,
) -> Result<(), StoreError> {
    unimplemented!("refresh_patron_seasons")
}
