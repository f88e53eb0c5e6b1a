//! A venue's store on PostgreSQL: the [`Store`] the SQLite backend implements, with the same
//! schema (the migrations of the same numbers, written in PostgreSQL's dialect, in
//! `migrations/`) and the same behaviour, which the store test suite checks on both.
//!
//! One store is one venue, in one schema: the connection's `search_path` (its first schema)
//! names it, so that several venues may share a database, each in its schema
//! (`postgres://…?options=-csearch_path%3Dvenue_a`). Text columns compare bytewise
//! (`COLLATE "C"`), as SQLite does, whatever the database's locale.

use std::cell::{RefCell, RefMut};

use jauge_analytics::audience::SeasonAudience;
use jauge_analytics::calendar::DaySales;
use jauge_analytics::crossover::ShowAudience;
use jauge_analytics::places::BuyerPlace;
use jauge_analytics::{Bookings, PerformanceLine, PerformanceSales, SeasonFacts};
use jauge_model::{BatchId, Dataset, PatronIdentity, PatronKey, Season, SourceName, VenueSetup};
use postgres::Client;

use crate::Store;
use crate::postgres::{connect, database};
use crate::{
    Account, ApiToken, AuditBreak, AuditEntry, BatchReport, Change, DeclarationRecord, LiveSource,
    PerformanceMix, PersonLink, ProgrammedPerformance, QuarantineEntry, RecordActivity, Session,
    ShareRecord, SourceStatus, StoreError, SubjectData, TicketFact,
};

mod admin;
mod people;
mod read;
pub(crate) mod write;

/// The migrations, in order; migration `i` brings the schema to version `i + 1`, as in the
/// SQLite backend.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_model.sql"),
    include_str!("migrations/0002_rollups.sql"),
    include_str!("migrations/0003_quarantine.sql"),
    include_str!("migrations/0004_supervision.sql"),
    include_str!("migrations/0005_history.sql"),
    include_str!("migrations/0006_reserved.sql"),
    include_str!("migrations/0007_persons.sql"),
    include_str!("migrations/0008_snapshots.sql"),
    include_str!("migrations/0009_audiences.sql"),
    include_str!("migrations/0010_daily_sales.sql"),
    include_str!("migrations/0011_declarations.sql"),
    include_str!("migrations/0012_audit.sql"),
    include_str!("migrations/0013_shares.sql"),
    include_str!("migrations/0014_accounts.sql"),
    include_str!("migrations/0015_share_downloads.sql"),
    include_str!("migrations/0016_api_tokens.sql"),
    include_str!("migrations/0017_tariff_sales.sql"),
    include_str!("migrations/0018_live_sources.sql"),
];

/// The schema version this Jauge writes: the SQLite backend's.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A venue's store in a PostgreSQL schema.
pub struct PgStore {
    client: RefCell<Client>,
    schema: String,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/database`) and brings the schema of the
    /// connection's `search_path` up to date. A schema written by a newer Jauge is refused and
    /// left untouched.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let client = connect(url)?;
        PgStore::migrated(client)
    }

    /// Connects to `url` and keeps the venue in `schema`, made if missing: what tests and a
    /// network's server use to hold several venues in one database.
    pub fn open_in_schema(url: &str, schema: &str) -> Result<PgStore, StoreError> {
        if schema.is_empty()
            || !schema
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(StoreError::Corrupt(format!(
                "a schema's name is letters, digits and underscores; not {schema:?}"
            )));
        }
        let mut client = connect(url)?;
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
            ))
            .map_err(database)?;
        PgStore::migrated(client)
    }

    fn migrated(mut client: Client) -> Result<PgStore, StoreError> {
        let schema: Option<String> = client
            .query_one("SELECT current_schema()", &[])
            .map_err(database)?
            .get(0);
        let schema = schema.ok_or_else(|| {
            StoreError::Postgres(
                "the connection has no schema to work in: give one in its search_path".into(),
            )
        })?;
        let mut tx = client.transaction().map_err(database)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS jauge_schema (version BIGINT NOT NULL);
             LOCK TABLE jauge_schema IN EXCLUSIVE MODE",
        )
        .map_err(database)?;
        let found: i64 = tx
            .query_one("SELECT coalesce(max(version), 0) FROM jauge_schema", &[])
            .map_err(database)?
            .get(0);
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: format!("PostgreSQL schema {schema}").into(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.batch_execute(sql).map_err(database)?;
            tx.execute(
                "INSERT INTO jauge_schema (version) VALUES ($1)",
                &[&(i as i64 + 1)],
            )
            .map_err(database)?;
        }
        tx.commit().map_err(database)?;
        Ok(PgStore {
            client: RefCell::new(client),
            schema,
        })
    }

    /// The schema the venue lives in.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The schema version of the venue's schema.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .db()
            .query_one("SELECT coalesce(max(version), 0) FROM jauge_schema", &[])
            .map_err(database)?
            .get(0))
    }

    fn db(&self) -> RefMut<'_, Client> {
        self.client.borrow_mut()
    }

    /// Gives the connection to this crate's tests.
    #[cfg(test)]
    pub(crate) fn client(&self) -> RefMut<'_, Client> {
        self.db()
    }
}

fn corrupt(e: jauge_model::InvalidValue) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

impl Store for PgStore {
    /// Nothing to do: [`Store::erase`] vacuums the tables it deleted from, and what the
    /// server's write-ahead log and backups keep is for its administrator to age out.
    fn checkpoint(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Where the server's write-ahead log stands: it moves with every change committed to any
    /// database of the server, so a reader's cache is let go at least whenever this one
    /// changed.
    fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .db()
            .query_one("SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint", &[])
            .map_err(database)?
            .get(0))
    }

    fn setup(&self) -> Result<Option<VenueSetup>, StoreError> {
        admin::setup(&mut self.db())
    }

    fn save_setup(&mut self, setup: &VenueSetup) -> Result<(), StoreError> {
        admin::save_setup(self.client.get_mut(), setup)
    }

    fn write_dataset(&mut self, dataset: &Dataset) -> Result<BatchReport, StoreError> {
        write::write_parts(self.client.get_mut(), std::iter::once(Ok(dataset)))
    }

    fn write_parts(
        &mut self,
        parts: &mut dyn Iterator<Item = Result<Dataset, String>>,
    ) -> Result<BatchReport, StoreError> {
        write::write_parts(self.client.get_mut(), parts)
    }

    fn seasons(&self) -> Result<Vec<Season>, StoreError> {
        read::seasons(&mut self.db())
    }

    fn season_facts(&self, season: Season) -> Result<SeasonFacts, StoreError> {
        read::season_facts(&mut self.db(), season)
    }

    fn season_performances(&self, season: Season) -> Result<Vec<PerformanceLine>, StoreError> {
        read::season_performances(&mut self.db(), season)
    }

    fn season_buyer_places(&self, season: Season) -> Result<Vec<BuyerPlace>, StoreError> {
        read::season_buyer_places(&mut self.db(), season)
    }

    fn season_sales_by_day(&self, season: Season) -> Result<Vec<DaySales>, StoreError> {
        read::season_sales_by_day(&mut self.db(), season)
    }

    fn season_tariff_mix(
        &self,
        season: Season,
    ) -> Result<Vec<(jauge_model::TariffCategory, u64, jauge_model::Cents)>, StoreError> {
        read::season_tariff_mix(&mut self.db(), season)
    }

    fn season_audience(&self, season: Season) -> Result<SeasonAudience, StoreError> {
        read::season_audience(&mut self.db(), season)
    }

    fn season_show_audiences(&self, season: Season) -> Result<Vec<ShowAudience>, StoreError> {
        read::season_show_audiences(&mut self.db(), season)
    }

    fn snapshot_sales(&mut self, day: chrono::NaiveDate) -> Result<usize, StoreError> {
        write::snapshot_sales(self.client.get_mut(), day)
    }

    fn season_sales_as_of(
        &self,
        season: Season,
        day: chrono::NaiveDate,
    ) -> Result<Vec<PerformanceSales>, StoreError> {
        write::season_sales_as_of(&mut self.db(), season, day)
    }

    fn performance_mix(&self, id: i64) -> Result<PerformanceMix, StoreError> {
        read::performance_mix(&mut self.db(), id)
    }

    fn performance_line(&self, id: i64) -> Result<Option<PerformanceLine>, StoreError> {
        read::performance_line(&mut self.db(), id)
    }

    fn bookings(&self, performances: &[i64]) -> Result<Vec<Bookings>, StoreError> {
        read::bookings(&mut self.db(), performances)
    }

    fn comparable_performances(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        read::comparable_performances(&mut self.db(), id)
    }

    fn programme_between(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<ProgrammedPerformance>, StoreError> {
        read::programme_between(&mut self.db(), from, to)
    }

    fn shows_also_outside(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<std::collections::BTreeSet<String>, StoreError> {
        read::shows_also_outside(&mut self.db(), from, to)
    }

    fn record_declarations(&mut self, records: &[DeclarationRecord]) -> Result<(), StoreError> {
        admin::record_declarations(self.client.get_mut(), records)
    }

    fn declarations(&self) -> Result<Vec<DeclarationRecord>, StoreError> {
        admin::declarations(&mut self.db())
    }

    fn person_seasons(
        &self,
    ) -> Result<Vec<(PatronKey, Vec<jauge_analytics::audience::PersonSeason>)>, StoreError> {
        read::person_seasons(&mut self.db())
    }

    fn spend_by_person(
        &self,
        first: Season,
        last: Season,
    ) -> Result<Vec<(PatronKey, u64, jauge_model::Cents)>, StoreError> {
        read::spend_by_person(&mut self.db(), first, last)
    }

    fn consents(
        &self,
        channel: jauge_model::ConsentChannel,
        purpose: jauge_model::ConsentPurpose,
    ) -> Result<Vec<jauge_model::Consent>, StoreError> {
        people::consents(&mut self.db(), channel, purpose)
    }

    fn subject_data(&self, patrons: &[PatronKey]) -> Result<SubjectData, StoreError> {
        people::subject_data(&mut self.db(), patrons)
    }

    fn erase(&mut self, patrons: &[PatronKey], settings: &[&str]) -> Result<usize, StoreError> {
        people::erase(self.client.get_mut(), patrons, settings)
    }

    fn activity(&self) -> Result<Vec<RecordActivity>, StoreError> {
        people::activity(&mut self.db())
    }

    fn ticket_facts(&self) -> Result<Vec<TicketFact>, StoreError> {
        read::ticket_facts(&mut self.db())
    }

    fn record_share(&mut self, share: &ShareRecord) -> Result<i64, StoreError> {
        admin::record_share(self.client.get_mut(), share)
    }

    fn shares(&self) -> Result<Vec<ShareRecord>, StoreError> {
        admin::shares(&mut self.db())
    }

    fn share_by_download(&self, download_hash: &str) -> Result<Option<ShareRecord>, StoreError> {
        admin::share_by_download(&mut self.db(), download_hash)
    }

    fn revoke_share(&mut self, id: i64) -> Result<bool, StoreError> {
        admin::revoke_share(self.client.get_mut(), id)
    }

    fn save_token(&mut self, token: &ApiToken) -> Result<i64, StoreError> {
        admin::save_token(self.client.get_mut(), token)
    }

    fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        admin::token_by_hash(&mut self.db(), token_hash)
    }

    fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        admin::tokens(&mut self.db())
    }

    fn revoke_token(&mut self, id: i64) -> Result<bool, StoreError> {
        admin::revoke_token(self.client.get_mut(), id)
    }

    fn save_account(&mut self, account: &Account) -> Result<(), StoreError> {
        admin::save_account(self.client.get_mut(), account)
    }

    fn account(&self, name: &str) -> Result<Option<Account>, StoreError> {
        admin::account(&mut self.db(), name)
    }

    fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        admin::accounts(&mut self.db())
    }

    fn open_session(&mut self, session: &Session) -> Result<(), StoreError> {
        admin::open_session(self.client.get_mut(), session)
    }

    fn session(
        &self,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<(Session, Account)>, StoreError> {
        admin::session(&mut self.db(), token_hash, now)
    }

    fn close_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        admin::close_session(self.client.get_mut(), token_hash)
    }

    fn login_failed(
        &mut self,
        name: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        admin::login_failed(self.client.get_mut(), name, at)
    }

    fn login_failures(
        &self,
        name: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, StoreError> {
        admin::login_failures(&mut self.db(), name, since)
    }

    fn audit(&mut self, actor: &str, action: &str, detail: &str) -> Result<(), StoreError> {
        admin::audit(self.client.get_mut(), actor, action, detail)
    }

    fn audit_log(&self) -> Result<Vec<AuditEntry>, StoreError> {
        admin::audit_log(&mut self.db())
    }

    fn verify_audit(&self) -> Result<Result<usize, AuditBreak>, StoreError> {
        admin::verify_audit(&mut self.db())
    }

    fn quarantine(&self, source: Option<&SourceName>) -> Result<Vec<QuarantineEntry>, StoreError> {
        people::quarantine(&mut self.db(), source)
    }

    fn shapes(&self, source: &SourceName) -> Result<Vec<String>, StoreError> {
        people::shapes(&mut self.db(), source)
    }

    fn changes(&self, source: &SourceName) -> Result<Vec<Change>, StoreError> {
        people::changes(&mut self.db(), source)
    }

    fn sources(&self) -> Result<Vec<SourceStatus>, StoreError> {
        people::sources(&mut self.db())
    }

    fn campaign_facts(&self) -> Result<jauge_analytics::campaigns::CampaignFacts, StoreError> {
        read::campaign_facts(&mut self.db())
    }

    fn identities(&self) -> Result<Vec<(PatronIdentity, BatchId)>, StoreError> {
        people::identities(&mut self.db())
    }

    fn save_persons(&mut self, persons: &[PersonLink]) -> Result<(), StoreError> {
        people::save_persons(self.client.get_mut(), persons)
    }

    fn persons(&self) -> Result<Vec<PersonLink>, StoreError> {
        people::persons(&mut self.db())
    }

    fn last_batch(&self) -> Result<Option<BatchId>, StoreError> {
        people::last_batch(&mut self.db())
    }

    fn decide(&mut self, a: &PatronKey, b: &PatronKey, same: bool) -> Result<(), StoreError> {
        people::decide(self.client.get_mut(), a, b, same)
    }

    fn decisions(&self) -> Result<Vec<(PatronKey, PatronKey, bool)>, StoreError> {
        people::decisions(&mut self.db())
    }

    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        admin::setting(&mut self.db(), key)
    }

    fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        admin::set_setting(self.client.get_mut(), key, value)
    }

    fn save_live_source(&mut self, source: &LiveSource) -> Result<(), StoreError> {
        people::save_live_source(self.client.get_mut(), source)
    }

    fn live_sources(&self) -> Result<Vec<LiveSource>, StoreError> {
        people::live_sources(&mut self.db())
    }

    fn record_sync(
        &mut self,
        source: &SourceName,
        at: chrono::DateTime<chrono::Utc>,
        outcome: Result<Option<&str>, &str>,
    ) -> Result<(), StoreError> {
        people::record_sync(self.client.get_mut(), source, at, outcome)
    }

    fn note_notification(
        &mut self,
        source: &SourceName,
        notification: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError> {
        people::note_notification(self.client.get_mut(), source, notification, at)
    }
}

/// A row's columns, read in order into a tuple: what the conversions of `crate::rows` take.
pub(super) fn columns<T: Columns>(row: &postgres::Row) -> T {
    T::of(row)
}

/// A tuple that a row's first columns fill, one a column.
pub(super) trait Columns {
    fn of(row: &postgres::Row) -> Self;
}

macro_rules! columns_of {
    ($($t:ident $i:tt),+) => {
        impl<$($t),+> Columns for ($($t,)+)
        where
            $($t: for<'a> postgres::types::FromSql<'a>),+
        {
            fn of(row: &postgres::Row) -> Self {
                ($(row.get::<_, $t>($i),)+)
            }
        }
    };
}

columns_of!(A 0, B 1, C 2, D 3);
columns_of!(A 0, B 1, C 2, D 3, E 4);
columns_of!(A 0, B 1, C 2, D 3, E 4, F 5);
columns_of!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
columns_of!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
columns_of!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
columns_of!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
columns_of!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
columns_of!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
