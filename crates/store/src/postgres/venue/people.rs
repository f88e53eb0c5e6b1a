//! Patrons, persons, consents, erasure and the supervision of sources on PostgreSQL.

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

pub(super) fn consents(
    db: &mut Client,
    channel: jauge_model::ConsentChannel,
    purpose: jauge_model::ConsentPurpose,
) -> Result<Vec<jauge_model::Consent>, StoreError> {
    unimplemented!("consents")
}

pub(super) fn subject_data(
    db: &mut Client,
    patrons: &[PatronKey],
) -> Result<SubjectData, StoreError> {
    unimplemented!("subject_data")
}

pub(super) fn erase(
    db: &mut Client,
    patrons: &[PatronKey],
    settings: &[&str],
) -> Result<usize, StoreError> {
    unimplemented!("erase")
}

pub(super) fn activity(db: &mut Client) -> Result<Vec<RecordActivity>, StoreError> {
    unimplemented!("activity")
}

pub(super) fn quarantine(
    db: &mut Client,
    source: Option<&SourceName>,
) -> Result<Vec<QuarantineEntry>, StoreError> {
    unimplemented!("quarantine")
}

pub(super) fn shapes(db: &mut Client, source: &SourceName) -> Result<Vec<String>, StoreError> {
    unimplemented!("shapes")
}

pub(super) fn changes(db: &mut Client, source: &SourceName) -> Result<Vec<Change>, StoreError> {
    unimplemented!("changes")
}

pub(super) fn sources(db: &mut Client) -> Result<Vec<SourceStatus>, StoreError> {
    unimplemented!("sources")
}

pub(super) fn identities(db: &mut Client) -> Result<Vec<(PatronIdentity, BatchId)>, StoreError> {
    unimplemented!("identities")
}

pub(super) fn save_persons(db: &mut Client, persons: &[PersonLink]) -> Result<(), StoreError> {
    unimplemented!("save_persons")
}

pub(super) fn persons(db: &mut Client) -> Result<Vec<PersonLink>, StoreError> {
    unimplemented!("persons")
}

pub(super) fn last_batch(db: &mut Client) -> Result<Option<BatchId>, StoreError> {
    unimplemented!("last_batch")
}

pub(super) fn decide(
    db: &mut Client,
    a: &PatronKey,
    b: &PatronKey,
    same: bool,
) -> Result<(), StoreError> {
    unimplemented!("decide")
}

pub(super) fn decisions(db: &mut Client) -> Result<Vec<(PatronKey, PatronKey, bool)>, StoreError> {
    unimplemented!("decisions")
}

pub(super) fn save_live_source(db: &mut Client, source: &LiveSource) -> Result<(), StoreError> {
    unimplemented!("save_live_source")
}

pub(super) fn live_sources(db: &mut Client) -> Result<Vec<LiveSource>, StoreError> {
    unimplemented!("live_sources")
}

pub(super) fn record_sync(
    db: &mut Client,
    source: &SourceName,
    at: chrono::DateTime<chrono::Utc>,
    outcome: Result<Option<&str>, &str>,
) -> Result<(), StoreError> {
    unimplemented!("record_sync")
}

pub(super) fn note_notification(
    db: &mut Client,
    source: &SourceName,
    notification: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, StoreError> {
    unimplemented!("note_notification")
}
