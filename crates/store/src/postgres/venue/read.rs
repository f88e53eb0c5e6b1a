//! The season, performance and audience figures on PostgreSQL, from the rollups (built again on read where the SQLite backend does).

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

pub(super) fn seasons(db: &mut Client) -> Result<Vec<Season>, StoreError> {
    unimplemented!("seasons")
}

pub(super) fn season_facts(db: &mut Client, season: Season) -> Result<SeasonFacts, StoreError> {
    unimplemented!("season_facts")
}

pub(super) fn season_performances(
    db: &mut Client,
    season: Season,
) -> Result<Vec<PerformanceLine>, StoreError> {
    unimplemented!("season_performances")
}

pub(super) fn season_buyer_places(
    db: &mut Client,
    season: Season,
) -> Result<Vec<BuyerPlace>, StoreError> {
    unimplemented!("season_buyer_places")
}

pub(super) fn season_sales_by_day(
    db: &mut Client,
    season: Season,
) -> Result<Vec<DaySales>, StoreError> {
    unimplemented!("season_sales_by_day")
}

pub(super) fn season_tariff_mix(
    db: &mut Client,
    season: Season,
) -> Result<Vec<(jauge_model::TariffCategory, u64, jauge_model::Cents)>, StoreError> {
    unimplemented!("season_tariff_mix")
}

pub(super) fn season_audience(
    db: &mut Client,
    season: Season,
) -> Result<SeasonAudience, StoreError> {
    unimplemented!("season_audience")
}

pub(super) fn season_show_audiences(
    db: &mut Client,
    season: Season,
) -> Result<Vec<ShowAudience>, StoreError> {
    unimplemented!("season_show_audiences")
}

pub(super) fn performance_mix(db: &mut Client, id: i64) -> Result<PerformanceMix, StoreError> {
    unimplemented!("performance_mix")
}

pub(super) fn performance_line(
    db: &mut Client,
    id: i64,
) -> Result<Option<PerformanceLine>, StoreError> {
    unimplemented!("performance_line")
}

pub(super) fn bookings(db: &mut Client, performances: &[i64]) -> Result<Vec<Bookings>, StoreError> {
    unimplemented!("bookings")
}

pub(super) fn comparable_performances(db: &mut Client, id: i64) -> Result<Vec<i64>, StoreError> {
    unimplemented!("comparable_performances")
}

pub(super) fn programme_between(
    db: &mut Client,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<ProgrammedPerformance>, StoreError> {
    unimplemented!("programme_between")
}

pub(super) fn shows_also_outside(
    db: &mut Client,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Result<std::collections::BTreeSet<String>, StoreError> {
    unimplemented!("shows_also_outside")
}

pub(super) fn person_seasons(
    db: &mut Client,
) -> Result<Vec<(PatronKey, Vec<jauge_analytics::audience::PersonSeason>)>, StoreError> {
    unimplemented!("person_seasons")
}

pub(super) fn spend_by_person(
    db: &mut Client,
    first: Season,
    last: Season,
) -> Result<Vec<(PatronKey, u64, jauge_model::Cents)>, StoreError> {
    unimplemented!("spend_by_person")
}

pub(super) fn ticket_facts(db: &mut Client) -> Result<Vec<TicketFact>, StoreError> {
    unimplemented!("ticket_facts")
}

pub(super) fn campaign_facts(
    db: &mut Client,
) -> Result<jauge_analytics::campaigns::CampaignFacts, StoreError> {
    unimplemented!("campaign_facts")
}
