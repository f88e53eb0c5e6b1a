//! The venue's setup, declarations, shares, tokens, accounts, sessions, the audit log and settings on PostgreSQL.

#![allow(unused_imports, unused_variables)]

use jauge_analytics::audience::SeasonAudience;
use jauge_analytics::calendar::DaySales;
use jauge_analytics::crossover::ShowAudience;
use jauge_analytics::places::BuyerPlace;
use jauge_analytics::{Bookings, PerformanceLine, PerformanceSales, SeasonFacts};
use jauge_model::{BatchId, Dataset, PatronIdentity, PatronKey, Season, SourceName, VenueSetup};
use jauge_model::{Capacity, Hall, Organisation, SeasonStartMonth, Venue};
use postgres::{Client, GenericClient};

use super::corrupt;
use crate::postgres::database;

use crate::{
    Account, ApiToken, AuditBreak, AuditEntry, BatchReport, Change, DeclarationRecord, LiveSource,
    PerformanceMix, PersonLink, ProgrammedPerformance, QuarantineEntry, RecordActivity, Session,
    ShareRecord, SourceStatus, StoreError, SubjectData, TicketFact,
};

pub(super) fn setup(db: &mut Client) -> Result<Option<VenueSetup>, StoreError> {
    read_setup(db)
}

/// The organisation, venue and halls, through any connection or transaction.
pub(super) fn read_setup(db: &mut impl GenericClient) -> Result<Option<VenueSetup>, StoreError> {
    let organisation = db
        .query_opt("SELECT legal_name, siret, licence FROM organisation", &[])
        .map_err(database)?;
    let venue = db
        .query_opt(
            "SELECT name, address, postcode, city, insee, time_zone, place_type, season_start_month
             FROM venue",
            &[],
        )
        .map_err(database)?;
    let (Some(o), Some(v)) = (organisation, venue) else {
        return Ok(None);
    };
    let organisation = Organisation {
        legal_name: o.get::<_, String>(0).parse().map_err(corrupt)?,
        siret: o.get::<_, String>(1).parse().map_err(corrupt)?,
        licence: o.get::<_, String>(2).parse().map_err(corrupt)?,
    };
    let month: i64 = v.get(7);
    let venue = Venue {
        name: v.get::<_, String>(0).parse().map_err(corrupt)?,
        address: v.get(1),
        postcode: v.get::<_, String>(2).parse().map_err(corrupt)?,
        city: v.get::<_, String>(3).parse().map_err(corrupt)?,
        insee: v.get::<_, String>(4).parse().map_err(corrupt)?,
        time_zone: v
            .get::<_, String>(5)
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("time zone: {e}")))?,
        place_type: v.get::<_, String>(6).parse().map_err(corrupt)?,
        season_start: SeasonStartMonth::new(month as u32).map_err(corrupt)?,
    };
    let halls = db
        .query("SELECT name, capacity FROM hall ORDER BY id", &[])
        .map_err(database)?
        .iter()
        .map(|r| {
            Ok(Hall {
                name: r.get::<_, String>(0).parse().map_err(corrupt)?,
                capacity: Capacity::new(r.get::<_, i64>(1) as u32).map_err(corrupt)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(VenueSetup {
        organisation,
        venue,
        halls,
    }))
}

pub(super) fn save_setup(db: &mut Client, setup: &VenueSetup) -> Result<(), StoreError> {
    let mut tx = db.transaction().map_err(database)?;
    let o = &setup.organisation;
    tx.execute(
        "INSERT INTO organisation (id, legal_name, siret, licence) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET legal_name = $1, siret = $2, licence = $3",
        &[
            &o.legal_name.as_str(),
            &o.siret.as_str(),
            &o.licence.as_str(),
        ],
    )
    .map_err(database)?;
    let v = &setup.venue;
    tx.execute(
        "INSERT INTO venue (id, name, address, postcode, city, insee, time_zone, place_type,
                            season_start_month)
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET name = $1, address = $2, postcode = $3, city = $4,
            insee = $5, time_zone = $6, place_type = $7, season_start_month = $8",
        &[
            &v.name.as_str(),
            &v.address,
            &v.postcode.as_str(),
            &v.city.as_str(),
            &v.insee.as_str(),
            &v.time_zone.name(),
            &v.place_type.sibil_code(),
            &i64::from(v.season_start.get()),
        ],
    )
    .map_err(database)?;
    for hall in &setup.halls {
        tx.execute(
            "INSERT INTO hall (name, capacity) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET capacity = $2",
            &[&hall.name.as_str(), &i64::from(hall.capacity.get())],
        )
        .map_err(database)?;
    }
    // The time zone or the season start may have changed: re-cut performances into seasons.
    super::write::reseason_performances(&mut tx, v.time_zone, v.season_start)?;
    tx.commit().map_err(database)
}

pub(super) fn record_declarations(
    db: &mut Client,
    records: &[DeclarationRecord],
) -> Result<(), StoreError> {
    unimplemented!("record_declarations")
}

pub(super) fn declarations(db: &mut Client) -> Result<Vec<DeclarationRecord>, StoreError> {
    unimplemented!("declarations")
}

pub(super) fn record_share(db: &mut Client, share: &ShareRecord) -> Result<i64, StoreError> {
    unimplemented!("record_share")
}

pub(super) fn shares(db: &mut Client) -> Result<Vec<ShareRecord>, StoreError> {
    unimplemented!("shares")
}

pub(super) fn share_by_download(
    db: &mut Client,
    download_hash: &str,
) -> Result<Option<ShareRecord>, StoreError> {
    unimplemented!("share_by_download")
}

pub(super) fn revoke_share(db: &mut Client, id: i64) -> Result<bool, StoreError> {
    unimplemented!("revoke_share")
}

pub(super) fn save_token(db: &mut Client, token: &ApiToken) -> Result<i64, StoreError> {
    unimplemented!("save_token")
}

pub(super) fn token_by_hash(
    db: &mut Client,
    token_hash: &str,
) -> Result<Option<ApiToken>, StoreError> {
    unimplemented!("token_by_hash")
}

pub(super) fn tokens(db: &mut Client) -> Result<Vec<ApiToken>, StoreError> {
    unimplemented!("tokens")
}

pub(super) fn revoke_token(db: &mut Client, id: i64) -> Result<bool, StoreError> {
    unimplemented!("revoke_token")
}

pub(super) fn save_account(db: &mut Client, account: &Account) -> Result<(), StoreError> {
    unimplemented!("save_account")
}

pub(super) fn account(db: &mut Client, name: &str) -> Result<Option<Account>, StoreError> {
    unimplemented!("account")
}

pub(super) fn accounts(db: &mut Client) -> Result<Vec<Account>, StoreError> {
    unimplemented!("accounts")
}

pub(super) fn open_session(db: &mut Client, session: &Session) -> Result<(), StoreError> {
    unimplemented!("open_session")
}

pub(super) fn session(
    db: &mut Client,
    token_hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<(Session, Account)>, StoreError> {
    unimplemented!("session")
}

pub(super) fn close_session(db: &mut Client, token_hash: &str) -> Result<(), StoreError> {
    unimplemented!("close_session")
}

pub(super) fn login_failed(
    db: &mut Client,
    name: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    unimplemented!("login_failed")
}

pub(super) fn login_failures(
    db: &mut Client,
    name: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<u64, StoreError> {
    unimplemented!("login_failures")
}

pub(super) fn audit(
    db: &mut Client,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    unimplemented!("audit")
}

pub(super) fn audit_log(db: &mut Client) -> Result<Vec<AuditEntry>, StoreError> {
    unimplemented!("audit_log")
}

pub(super) fn verify_audit(db: &mut Client) -> Result<Result<usize, AuditBreak>, StoreError> {
    unimplemented!("verify_audit")
}

pub(super) fn setting(db: &mut Client, key: &str) -> Result<Option<String>, StoreError> {
    unimplemented!("setting")
}

pub(super) fn set_setting(db: &mut Client, key: &str, value: &str) -> Result<(), StoreError> {
    unimplemented!("set_setting")
}
