//! Jauge's storage: the [`Store`] interface and its embedded SQLite backend.
//!
//! This crate owns every line of SQL in Jauge, the schema and its versioned migrations, and the
//! rollups dashboards read: kept current inside the transaction that writes an import batch,
//! or, for those that need every person's history, emptied by that transaction and built again
//! by the first read after.
//! Callers see typed model values and typed analytics facts, never rows or SQL, so that a
//! PostgreSQL backend can implement the same [`Store`] without touching analytics or the UI.
//!
//! It must not compute figures (that is `jauge-analytics`), parse files (the importer) or know
//! about HTTP or the terminal. It never writes a partial batch: a dataset, or each part of a
//! batch that comes in parts, is checked, and the batch is written in one transaction, or not
//! at all.

use std::path::PathBuf;

use jauge_analytics::audience::SeasonAudience;
use jauge_analytics::calendar::DaySales;
use jauge_analytics::crossover::ShowAudience;
use jauge_analytics::places::BuyerPlace;
use jauge_analytics::{Bookings, PerformanceLine, PerformanceSales, SeasonFacts};
use jauge_model::{
    BatchId, Dataset, DatasetProblem, PatronIdentity, PatronKey, QuarantinedRow, Season,
    SourceName, VenueSetup,
};

mod audit;
mod batch;
pub mod postgres;
mod rollups;
mod rows;
mod sqlite;
#[cfg(test)]
mod suite;

pub use sqlite::{SCHEMA_VERSION, SqliteStore};

/// Whether `location` names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather
/// than an SQLite file.
pub fn is_postgres(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// Opens the store at `location`: a PostgreSQL database when it is a `postgres://` address (the
/// venue in the first schema of its `search_path`), otherwise the SQLite file at that path.
pub fn open(location: &str) -> Result<Box<dyn Store + Send>, StoreError> {
    Ok(if is_postgres(location) {
        Box::new(postgres::PgStore::open(location)?)
    } else {
        Box::new(SqliteStore::open(location)?)
    })
}

/// What a store does for the rest of Jauge. One store holds one venue's data.
pub trait Store {
    /// A number that changes whenever a change was committed (by this connection, another one,
    /// or another process) since it was last asked: what a reader's cache checks. It may also
    /// change when nothing a reader sees did.
    fn data_version(&self) -> Result<i64, StoreError>;

    /// Leaves no copy of what was deleted outside the store's main files, where the backend
    /// can: SQLite moves its write-ahead log into the database file and empties it. On
    /// PostgreSQL, [`Store::erase`] already vacuums what it deleted; the server's own log is
    /// its administrator's (see `PgStore`).
    fn checkpoint(&self) -> Result<(), StoreError>;

    /// The organisation, venue and halls, once set up.
    fn setup(&self) -> Result<Option<VenueSetup>, StoreError>;

    /// Sets up (or updates) the organisation, the venue and its halls. Halls are matched by
    /// name; a hall missing from `setup` is kept.
    fn save_setup(&mut self, setup: &VenueSetup) -> Result<(), StoreError>;

    /// Writes one import batch atomically, stamping every fact with its source and batch.
    /// Facts already stored under the same source identifiers are updated, so writing the same
    /// dataset twice leaves the same facts. A dataset with problems is refused whole.
    fn write_dataset(&mut self, dataset: &Dataset) -> Result<BatchReport, StoreError> {
        self.write_parts(&mut std::iter::once(Ok(dataset.clone())))
    }

    /// Writes one import batch that arrives in parts — a large file's rows as they are read —
    /// atomically, as [`Store::write_dataset`] writes one dataset: every part is checked, and
    /// a part with a problem, or an `Err` in place of a part (the file could not be read to
    /// its end), leaves the store as it was. All parts share the first one's source and origin.
    fn write_parts(
        &mut self,
        parts: &mut dyn Iterator<Item = Result<Dataset, String>>,
    ) -> Result<BatchReport, StoreError>;

    /// The seasons that have performances, oldest first.
    fn seasons(&self) -> Result<Vec<Season>, StoreError>;

    /// What the season summary is computed from, read from the rollups.
    fn season_facts(&self, season: Season) -> Result<SeasonFacts, StoreError>;

    /// The season's performances with their show, hall, start and sales, in start order.
    fn season_performances(&self, season: Season) -> Result<Vec<PerformanceLine>, StoreError>;

    /// Where each buyer of the season lives, as (postcode, commune) from their address: one
    /// entry a person, their linked records once.
    fn season_buyer_places(&self, season: Season) -> Result<Vec<BuyerPlace>, StoreError>;

    /// The season's sales by the day (in the venue's time zone) tickets were ordered: valid
    /// tickets of performances held, read from a rollup.
    fn season_sales_by_day(&self, season: Season) -> Result<Vec<DaySales>, StoreError>;

    /// The season's valid tickets of performances held by tariff category, as (category,
    /// tickets, revenue), most tickets first, read from a rollup built with the sales by day.
    fn season_tariff_mix(
        &self,
        season: Season,
    ) -> Result<Vec<(jauge_model::TariffCategory, u64, jauge_model::Cents)>, StoreError>;

    /// The season's audience as persons (their linked records once): buyers, first-timers,
    /// returning buyers, tickets per buyer and loyalty segments, read from a rollup.
    fn season_audience(&self, season: Season) -> Result<SeasonAudience, StoreError>;

    /// The people who came to each show of the season (valid tickets of performances held),
    /// their linked records as one. It reads the season's tickets: a page's figure, not a
    /// dashboard's.
    fn season_show_audiences(&self, season: Season) -> Result<Vec<ShowAudience>, StoreError>;

    /// Keeps, for `day`, the sales of every performance whose sales changed since its last
    /// snapshot; returns how many performances it kept.
    fn snapshot_sales(&mut self, day: chrono::NaiveDate) -> Result<usize, StoreError>;

    /// The season's performances with their sales as they stood on `day`, from the snapshots
    /// (a performance with none by then had sold nothing known).
    fn season_sales_as_of(
        &self,
        season: Season,
        day: chrono::NaiveDate,
    ) -> Result<Vec<PerformanceSales>, StoreError>;

    /// A performance's valid tickets by tariff category and by sales channel, as (category,
    /// tickets, revenue) and (channel, tickets), most tickets first.
    fn performance_mix(&self, id: i64) -> Result<PerformanceMix, StoreError>;

    /// One performance, by the identifier its line carries.
    fn performance_line(&self, id: i64) -> Result<Option<PerformanceLine>, StoreError>;

    /// The valid tickets of each performance by the day, in the venue's time zone, they were
    /// ordered, counted in days before the performance.
    fn bookings(&self, performances: &[i64]) -> Result<Vec<Bookings>, StoreError>;

    /// The performances a booking curve is compared with: those held in the same hall in the
    /// seasons before this performance's.
    fn comparable_performances(&self, id: i64) -> Result<Vec<i64>, StoreError>;

    /// The performances starting in `[from, to)`, with their show, source and sales, in start
    /// order: what a declaration is built from.
    fn programme_between(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<ProgrammedPerformance>, StoreError>;

    /// Of the shows with a performance in `[from, to)`, the titles of those with another one
    /// outside it.
    fn shows_also_outside(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<std::collections::BTreeSet<String>, StoreError>;

    /// Records what sending declarations did, one record a declaration (replacing its last);
    /// a failure keeps the identifier SIBIL gave before.
    fn record_declarations(&mut self, records: &[DeclarationRecord]) -> Result<(), StoreError>;

    /// The last record of every declaration sent, by external identifier.
    fn declarations(&self) -> Result<Vec<DeclarationRecord>, StoreError>;

    /// Every person who bought (their linked records as one), by person key, with their
    /// seasons, oldest first.
    fn person_seasons(
        &self,
    ) -> Result<Vec<(PatronKey, Vec<jauge_analytics::audience::PersonSeason>)>, StoreError>;

    /// Each person's valid tickets and spend (incl. VAT) over the seasons from `first` to
    /// `last`, for performances held, their linked records as one. It reads the tickets: a
    /// command's figure, not a dashboard's.
    fn spend_by_person(
        &self,
        first: Season,
        last: Season,
    ) -> Result<Vec<(PatronKey, u64, jauge_model::Cents)>, StoreError>;

    /// The consent ledger for one channel and purpose: every change, oldest first.
    fn consents(
        &self,
        channel: jauge_model::ConsentChannel,
        purpose: jauge_model::ConsentPurpose,
    ) -> Result<Vec<jauge_model::Consent>, StoreError>;

    /// Everything held about the patron records `patrons` (a person's): their identities,
    /// consents, purchases and campaign events.
    fn subject_data(&self, patrons: &[PatronKey]) -> Result<SubjectData, StoreError>;

    /// Erases the identity of the patron records `patrons` everywhere it lives: the identity
    /// rows, the quarantined rows that carry their email, phone or names, the proofs of their
    /// consents, the settings that mention them, and the `settings` named (such as a linkage
    /// model that keeps names); the facts stay, under their opaque keys. Deleted bytes are
    /// overwritten (`secure_delete`) and the write-ahead log emptied, so that no copy survives
    /// in the files. Returns how many rows it removed or blanked.
    fn erase(&mut self, patrons: &[PatronKey], settings: &[&str]) -> Result<usize, StoreError>;

    /// Each patron record with an identity, with its person (the record's own key when not
    /// linked), its last purchase and its last contact (a consent or a campaign event).
    fn activity(&self) -> Result<Vec<RecordActivity>, StoreError>;

    /// Every ticket with its buyer (none for anonymous sales), its performance's start and
    /// show, its tariff category, amount and status. It reads every ticket: for extracts.
    fn ticket_facts(&self) -> Result<Vec<TicketFact>, StoreError>;

    /// Records an extract shared with an external provider; returns its number.
    fn record_share(&mut self, share: &ShareRecord) -> Result<i64, StoreError>;

    /// Every extract shared, oldest first.
    fn shares(&self) -> Result<Vec<ShareRecord>, StoreError>;

    /// The extract whose download token has this hash.
    fn share_by_download(&self, download_hash: &str) -> Result<Option<ShareRecord>, StoreError>;

    /// Marks an extract revoked; false if there is no such extract.
    fn revoke_share(&mut self, id: i64) -> Result<bool, StoreError>;

    /// Keeps an API token (its hash); returns its number.
    fn save_token(&mut self, token: &ApiToken) -> Result<i64, StoreError>;

    /// The API token whose hash this is.
    fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError>;

    /// Every API token, oldest first.
    fn tokens(&self) -> Result<Vec<ApiToken>, StoreError>;

    /// Revokes an API token; false if there is no such token.
    fn revoke_token(&mut self, id: i64) -> Result<bool, StoreError>;

    /// Adds an account, or changes its role and password hash.
    fn save_account(&mut self, account: &Account) -> Result<(), StoreError>;

    /// An account by its name.
    fn account(&self, name: &str) -> Result<Option<Account>, StoreError>;

    /// Every account, by name.
    fn accounts(&self) -> Result<Vec<Account>, StoreError>;

    /// Opens a session: its token's hash, its account, its CSRF token, when it ends.
    fn open_session(&mut self, session: &Session) -> Result<(), StoreError>;

    /// The session whose token has this hash, if it has not ended by `now`.
    fn session(
        &self,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<(Session, Account)>, StoreError>;

    /// Ends a session.
    fn close_session(&mut self, token_hash: &str) -> Result<(), StoreError>;

    /// Records a failed login for `name` at `at`.
    fn login_failed(
        &mut self,
        name: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError>;

    /// How many logins failed for `name` since `since`.
    fn login_failures(
        &self,
        name: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, StoreError>;

    /// Appends an entry to the audit log: who (`actor`) did what (`action`), with `detail`
    /// (never personal data). The log is append-only and hash-chained.
    fn audit(&mut self, actor: &str, action: &str, detail: &str) -> Result<(), StoreError>;

    /// The audit log, oldest first.
    fn audit_log(&self) -> Result<Vec<AuditEntry>, StoreError>;

    /// Checks the audit log's chain: how many entries hold, or the first that does not.
    fn verify_audit(&self) -> Result<Result<usize, AuditBreak>, StoreError>;

    /// The rows imports could not take, of one source or of all, by source, file and line.
    fn quarantine(&self, source: Option<&SourceName>) -> Result<Vec<QuarantineEntry>, StoreError>;

    /// The shapes of the files imported from `source` (as the importer described them), the
    /// newest first, each once.
    fn shapes(&self, source: &SourceName) -> Result<Vec<String>, StoreError>;

    /// What later imports of `source` changed in its tickets and orders, oldest first.
    fn changes(&self, source: &SourceName) -> Result<Vec<Change>, StoreError>;

    /// Every source with its imports, for supervision.
    fn sources(&self) -> Result<Vec<SourceStatus>, StoreError>;

    /// The emailing campaigns, oldest first, their recipients' events and the orders placed
    /// since the first was sent (each with its valid tickets), people as their linked records
    /// as one: what campaign figures and attribution are computed from.
    fn campaign_facts(&self) -> Result<jauge_analytics::campaigns::CampaignFacts, StoreError>;

    /// Every patron's identity as its source last gave it (erased identities are not there),
    /// in key order, with the batch that last wrote it.
    fn identities(&self) -> Result<Vec<(PatronIdentity, BatchId)>, StoreError>;

    /// Records which person each patron is, replacing the previous linkage.
    fn save_persons(&mut self, persons: &[PersonLink]) -> Result<(), StoreError>;

    /// Each patron's person, as the last linkage saved it, in patron key order.
    fn persons(&self) -> Result<Vec<PersonLink>, StoreError>;

    /// The newest import batch, if any.
    fn last_batch(&self) -> Result<Option<BatchId>, StoreError>;

    /// Records a person's decision that two patrons are (or are not) the same person; it
    /// replaces an earlier decision on the same pair. Both must be known patrons.
    fn decide(&mut self, a: &PatronKey, b: &PatronKey, same: bool) -> Result<(), StoreError>;

    /// Every decision, as (a, b, same).
    fn decisions(&self) -> Result<Vec<(PatronKey, PatronKey, bool)>, StoreError>;

    /// A free-form setting of this database.
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;

    fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError>;

    /// Adds a live source, or replaces its connector, settings, schedule and webhook secret;
    /// its cursor and the record of its attempts are kept.
    fn save_live_source(&mut self, source: &LiveSource) -> Result<(), StoreError>;

    /// The live sources, by name.
    fn live_sources(&self) -> Result<Vec<LiveSource>, StoreError>;

    /// Records an attempt to sync `source` at `at`: on success the cursor the next sync starts
    /// from (`None` keeps the previous one), on failure what went wrong (the cursor stays).
    fn record_sync(
        &mut self,
        source: &SourceName,
        at: chrono::DateTime<chrono::Utc>,
        outcome: Result<Option<&str>, &str>,
    ) -> Result<(), StoreError>;

    /// Notes a webhook notification of `source`; false when it was noted before (a repeat,
    /// to be ignored).
    fn note_notification(
        &mut self,
        source: &SourceName,
        notification: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError>;
}

/// A source Jauge pulls from on a schedule: a ticketing system's API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSource {
    pub name: SourceName,
    /// Which connector reads it: `pretix`.
    pub connector: String,
    /// What it brings: a ticketing system's sales, a CRM's contacts…
    pub kind: jauge_model::SourceKind,
    /// The connector's settings as JSON (address, account, credentials): the store keeps them
    /// without reading them.
    pub settings: String,
    /// How often `jauge serve` syncs it.
    pub every_minutes: u32,
    /// Where the next sync starts, in the connector's terms; `None` before the first.
    pub cursor: Option<String>,
    /// The hash of the secret its webhooks carry, when it sends any.
    pub hook_secret_hash: Option<String>,
    pub last_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_success_at: Option<chrono::DateTime<chrono::Utc>>,
    /// What went wrong in the last attempt, if it failed.
    pub last_error: Option<String>,
}

impl LiveSource {
    /// Whether a sync is due at `now`: never tried, or tried `every_minutes` ago or more.
    pub fn due(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.last_attempt_at
            .is_none_or(|at| now - at >= chrono::Duration::minutes(i64::from(self.every_minutes)))
    }
}

/// What a performance sold, by tariff category and by channel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PerformanceMix {
    pub tariffs: Vec<(jauge_model::TariffCategory, u64, jauge_model::Cents)>,
    pub channels: Vec<(jauge_model::Channel, u64)>,
}

/// A performance with its show, its source and its sales.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammedPerformance {
    /// The store's identifier.
    pub id: i64,
    pub source: SourceName,
    pub performance: jauge_model::Performance,
    pub show: jauge_model::Show,
    pub sales: PerformanceSales,
}

/// Everything held about a person's records, for a subject access request.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct SubjectData {
    pub identities: Vec<PatronIdentity>,
    pub consents: Vec<jauge_model::Consent>,
    pub purchases: Vec<Purchase>,
    /// (campaign, what happened, when).
    pub campaign_events: Vec<(String, String, chrono::DateTime<chrono::Utc>)>,
}

/// One ticket a person bought.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Purchase {
    pub order: String,
    pub ordered_at: chrono::DateTime<chrono::Utc>,
    pub channel: String,
    pub show: String,
    pub performance_at: chrono::DateTime<chrono::Utc>,
    pub tariff: String,
    pub amount: jauge_model::Cents,
    pub status: String,
}

/// A patron record's activity, for retention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordActivity {
    pub patron: PatronKey,
    pub person: PatronKey,
    pub last_purchase: Option<chrono::DateTime<chrono::Utc>>,
    pub last_contact: Option<chrono::DateTime<chrono::Utc>>,
    /// When the record was last imported.
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// A ticket as an extract shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFact {
    pub buyer: Option<PatronKey>,
    pub performance_at: chrono::DateTime<chrono::Utc>,
    pub show: String,
    pub category: jauge_model::TariffCategory,
    pub amount: jauge_model::Cents,
    pub status: jauge_model::TicketStatus,
}

/// An extract shared with an external provider, as the GDPR's record of processing keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShareRecord {
    /// Set by the store.
    pub id: i64,
    pub recipient: String,
    pub purpose: String,
    pub legal_basis: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The files and their fields.
    pub fields: String,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Where its files are.
    pub directory: String,
    /// The hash of the token its recipient downloads it with.
    #[serde(skip)]
    pub download_hash: String,
}

/// Someone who may read the pages, with their role (`admin`, `staff`, `analyst`, `viewer`)
/// and their password's Argon2id hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub role: String,
    pub password_hash: String,
}

/// An API token: what it may do (scopes such as `read:aggregates`), until when, and the hash
/// of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Set by the store.
    pub id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    pub token_hash: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A session: the hash of its token (the token itself lives only in the browser's cookie), its
/// account, its CSRF token, and when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub account: String,
    pub csrf: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// Where the audit log's chain breaks: the first entry whose hash is not what its fields and
/// the entry before it give.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the audit log was altered: entry {id} does not follow from the entries before it (an entry was changed, removed or inserted there)"
)]
pub struct AuditBreak {
    pub id: i64,
}

/// What sending one performance's declaration did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationRecord {
    /// The declaration's external identifier (SIBIL's `idExtBilletterie`).
    pub external_id: String,
    pub performance: i64,
    /// The quarter, as `2026-Q3`.
    pub quarter: String,
    /// The identifier SIBIL gave it, once it holds it.
    pub sibil_id: Option<i64>,
    pub sent: bool,
    /// SIBIL's answer when it failed.
    pub message: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// A patron's person, as a linkage found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonLink {
    pub patron: PatronKey,
    /// The person, named by one of its patron keys.
    pub person: PatronKey,
    /// The records strong links or decisions join, named by one of their patron keys: a later
    /// linkage of new records clusters again the parts they reach.
    pub part: PatronKey,
}

/// A ticket or an order a later import changed: what it held before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `ticket` or `order`.
    pub record: String,
    pub external_id: String,
    pub batch: BatchId,
    pub changed_at: chrono::DateTime<chrono::Utc>,
    /// One `field: before → after` per change.
    pub changes: Vec<String>,
}

/// A source as supervision sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStatus {
    pub name: SourceName,
    pub kind: jauge_model::SourceKind,
    pub imports: u64,
    pub last_import: Option<chrono::DateTime<chrono::Utc>>,
    /// Facts the last import brought.
    pub last_facts: u64,
    /// Rows in quarantine.
    pub quarantined: u64,
    /// Imports whose change of shape a person accepted.
    pub drifts: u64,
    /// For a live source, why its last sync failed.
    pub sync_error: Option<String>,
}

/// What supervision finds wrong with a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    /// Nothing new for longer than allowed.
    Stale,
    /// Rows wait in quarantine for a corrected file.
    Quarantine,
    /// A live source's last sync failed.
    Failing,
}

impl Concern {
    pub fn label(self, lang: jauge_model::Lang) -> &'static str {
        match self {
            Concern::Stale => lang.pick("sans données récentes", "stale"),
            Concern::Quarantine => lang.pick("lignes en quarantaine", "rows in quarantine"),
            Concern::Failing => lang.pick("synchronisation en échec", "sync failing"),
        }
    }
}

impl SourceStatus {
    /// What is wrong with the source at `now`, when it should bring something every
    /// `stale_after_days`; healthy when empty.
    pub fn concerns(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        stale_after_days: u32,
    ) -> Vec<Concern> {
        let allowed = chrono::Duration::days(i64::from(stale_after_days));
        let mut concerns = Vec::new();
        if self.last_import.is_none_or(|at| now - at > allowed) {
            concerns.push(Concern::Stale);
        }
        if self.quarantined > 0 {
            concerns.push(Concern::Quarantine);
        }
        if self.sync_error.is_some() {
            concerns.push(Concern::Failing);
        }
        concerns
    }
}

/// How many days without new data make a source stale, unless said otherwise.
pub const STALE_AFTER_DAYS: u32 = 30;

/// A quarantined row with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineEntry {
    pub source: SourceName,
    /// The file (or feed) the row was in.
    pub origin: String,
    pub batch: BatchId,
    pub row: QuarantinedRow,
}

/// What a written batch held.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchReport {
    pub batch: Option<BatchId>,
    pub shows: usize,
    pub performances: usize,
    pub tariffs: usize,
    pub patrons: usize,
    pub orders: usize,
    pub tickets: usize,
    pub consents: usize,
    pub campaigns: usize,
    pub campaign_events: usize,
    pub quarantined: usize,
    /// What the batch did to tickets and orders: those new to the store, those an earlier
    /// batch stored and this one changed (their history keeps what they held), and those it
    /// gave again unchanged.
    pub changes: Changes,
    /// How long each step of the write took, in order, for supervision and benchmarks.
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

/// Tickets and orders a batch inserted, updated or left as they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Changes {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Changes {
    pub(crate) fn note(&mut self, stored_before: bool, changed: bool) {
        match (stored_before, changed) {
            (false, _) => self.inserted += 1,
            (true, true) => self.updated += 1,
            (true, false) => self.unchanged += 1,
        }
    }
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path} was written by a newer version of Jauge (schema version {found}; this version \
         knows versions up to {supported}). Upgrade Jauge to open it; the file was left untouched."
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error(
        "{path} is not a Jauge database ({reason}). Choose another file with --db or JAUGE_DB."
    )]
    NotJauge { path: PathBuf, reason: String },

    #[error("cannot open {path}: {source}. Check the path and its permissions.")]
    CannotOpen {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error(
        "the venue is not set up yet: set up the organisation, venue and halls before importing \
         (`jauge demo` does it for the demo venue)"
    )]
    NoVenue,

    #[error("{origin}: {count} problem(s), nothing was stored:\n{list}", count = problems.len(), list = list_problems(problems))]
    Rejected {
        origin: String,
        problems: Vec<DatasetProblem>,
    },

    #[error("{0}; nothing was stored")]
    Abandoned(String),

    #[error("there is no patron {0}; `jauge patrons` lists them")]
    UnknownPatron(String),

    #[error("there is no live source {0}; `jauge sources` lists them")]
    UnknownSource(String),

    #[error(
        "the database holds a value this version cannot read ({0}); it may have been edited by hand"
    )]
    Corrupt(String),

    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),

    #[error(
        "cannot connect to {location}: {reason}. Check the address, that PostgreSQL runs and \
         that the database exists"
    )]
    CannotConnect { location: String, reason: String },

    #[error("PostgreSQL: {0}")]
    Postgres(String),
}

impl StoreError {
    /// What went wrong and what to do, in `lang`: the errors a person can fix are said in
    /// French too; the others (and the problems of a rejected dataset, which name files, lines
    /// and fields) as [`std::fmt::Display`] says them.
    pub fn message(&self, lang: jauge_model::Lang) -> String {
        if lang != jauge_model::Lang::Fr {
            return self.to_string();
        }
        match self {
            StoreError::NewerSchema {
                path,
                found,
                supported,
            } => format!(
                "{} a été écrite par une version plus récente de Jauge (schéma {found} ; cette \
                 version connaît les schémas jusqu'au {supported}). Mettez Jauge à jour pour \
                 l'ouvrir ; le fichier n'a pas été modifié.",
                path.display()
            ),
            StoreError::NotJauge { path, reason } => format!(
                "{} n'est pas une base Jauge ({reason}). Choisissez un autre fichier avec --db ou \
                 JAUGE_DB.",
                path.display()
            ),
            StoreError::CannotOpen { path, source } => format!(
                "impossible d'ouvrir {} : {source}. Vérifiez le chemin et ses droits.",
                path.display()
            ),
            StoreError::NoVenue => "le lieu n'est pas encore paramétré : décrivez la structure, \
                 le lieu et ses salles avant d'importer (`jauge setup`, ou `jauge demo` pour le \
                 lieu de démonstration)"
                .to_owned(),
            StoreError::Rejected { origin, problems } => format!(
                "{origin} : {} problème(s), rien n'a été enregistré :\n{}",
                problems.len(),
                list_problems(problems)
            ),
            StoreError::Abandoned(why) => format!("{why} ; rien n'a été enregistré"),
            StoreError::UnknownPatron(key) => {
                format!("il n'y a pas de spectateur {key} ; `jauge patrons` les liste")
            }
            StoreError::UnknownSource(name) => {
                format!("il n'y a pas de source en direct {name} ; `jauge sources` les liste")
            }
            StoreError::CannotConnect { location, reason } => format!(
                "impossible de se connecter à {location} : {reason}. Vérifiez l'adresse, que \
                 PostgreSQL tourne et que la base existe"
            ),
            StoreError::Corrupt(_) | StoreError::Database(_) | StoreError::Postgres(_) => {
                self.to_string()
            }
        }
    }

    /// Whether the person running Jauge can fix this (wrong file, bad input, missing setup), as
    /// opposed to an internal failure.
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            StoreError::Database(_) | StoreError::Corrupt(_) | StoreError::Postgres(_)
        )
    }
}

fn list_problems(problems: &[DatasetProblem]) -> String {
    const SHOWN: usize = 20;
    let mut list: Vec<String> = problems
        .iter()
        .take(SHOWN)
        .map(|p| format!("  - {p}"))
        .collect();
    if problems.len() > SHOWN {
        list.push(format!("  … and {} more", problems.len() - SHOWN));
    }
    list.join("\n")
}

#[cfg(test)]
mod tests {
    use jauge_model::Lang;

    use super::StoreError;

    #[test]
    fn the_errors_a_person_can_fix_are_said_in_french_with_what_to_do() {
        let errors = [
            StoreError::NewerSchema {
                path: "jauge.db".into(),
                found: 30,
                supported: 18,
            },
            StoreError::NotJauge {
                path: "notes.db".into(),
                reason: "not SQLite".into(),
            },
            StoreError::NoVenue,
            StoreError::UnknownPatron("pk9".into()),
            StoreError::UnknownSource("pretix".into()),
            StoreError::Abandoned("line 9: the file ends inside quotes".into()),
        ];
        for (error, kept) in errors.iter().zip([
            "Mettez Jauge à jour",
            "--db ou JAUGE_DB",
            "jauge demo",
            "jauge patrons",
            "jauge sources",
            "line 9",
        ]) {
            assert!(error.is_user_error());
            let (fr, en) = (error.message(Lang::Fr), error.message(Lang::En));
            assert_eq!(en, error.to_string());
            assert_ne!(fr, en);
            assert!(fr.contains(kept), "{fr}");
        }
        let internal = StoreError::Corrupt("a season of -1".into());
        assert_eq!(internal.message(Lang::Fr), internal.to_string());
    }
}
