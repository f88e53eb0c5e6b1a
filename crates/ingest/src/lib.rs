//! Jauge's importer: it takes the exports venues really have — CSV in any dialect, from
//! ticketing, CRM and emailing tools — and says what it found before anything is stored.
//!
//! This crate owns reading files: decoding bytes ([`dialect`]: encoding, line endings,
//! delimiter, quoting, header row), reading values ([`values`]: numbers, dates, empty
//! markers), matching columns to the model's fields ([`mapping`]) and reading the words of
//! statuses, channels and tariffs ([`vocabulary`]). Every decision is taken from evidence in
//! the file; what the evidence cannot settle is reported as an ambiguity, never guessed
//! silently. Arbitrary bytes never make it panic.
//!
//! A text file is streamed ([`input`]): read once to decide its dialect, once to read its rows,
//! whose facts [`Opened::read_parts`] gives in parts, so that a large export is never held in
//! memory whole.
//!
//! It must not touch the store or the terminal: it returns what it read and the problems, each
//! with its place, and its caller decides.

pub mod dialect;
pub mod input;
pub mod mapping;
pub mod profile;
pub mod read;
pub mod sheet;
pub mod supervision;
pub mod values;
pub mod vocabulary;

pub use input::Input;
use jauge_model::{SourceKind, SourceName};

/// A file read: its dialect, the profile inferred for it, and what its rows gave.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRead {
    pub dialect: dialect::Dialect,
    pub inferred: read::Inferred,
    pub read: read::Read,
}

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Detect(#[from] dialect::DetectError),
    #[error(transparent)]
    Read(#[from] read::ReadError),
    #[error(transparent)]
    Profile(#[from] profile::ProfileError),
    #[error(transparent)]
    Sheet(#[from] sheet::SheetError),
}

/// A file opened for import: its dialect decided and its profile inferred, its rows not read
/// yet — what a person checks (mapping, drift) before anything is stored.
#[derive(Debug)]
pub struct Opened {
    input: Input,
    detected: dialect::Detected,
    pub inferred: read::Inferred,
    /// What the file's columns say it is.
    pub kind: SourceKind,
}

/// Opens `input`: turns a spreadsheet or JSON lines into text, detects the dialect, infers the
/// profile with `defaults` and the source's saved `profile`. A delimited text file is streamed,
/// never held whole.
pub fn open(
    input: Input,
    defaults: read::Defaults,
    profile: Option<&profile::ProfileFile>,
) -> Result<Opened, FileError> {
    let unreadable = |e: std::io::Error| dialect::DetectError::Unreadable(e.to_string());
    let head = input.head(64).map_err(unreadable)?;
    // Spreadsheets and JSON lines are turned into delimited text first.
    let input = if sheet::is_spreadsheet(&head) {
        let bytes = input.all().map_err(unreadable)?;
        Input::Bytes(sheet::spreadsheet_to_text(&bytes)?.into_bytes())
    } else if sheet::is_json_lines(&head) {
        let bytes = input.all().map_err(unreadable)?;
        Input::Bytes(sheet::json_lines_to_text(&bytes)?.into_bytes())
    } else {
        input
    };
    let detected = dialect::detect_input(&input)?;
    let mut inferred = read::infer_profile(&detected, defaults);
    if let Some(profile) = profile {
        profile.apply(&mut inferred)?;
    }
    // What kind of tool exported it: orders come from ticketing; consents and campaign
    // activity from emailing; a programme of performances from ticketing; contacts alone
    // from a CRM.
    let has = |field| inferred.profile.columns.contains_key(&field);
    let kind = if has(mapping::Field::OrderId) {
        SourceKind::TicketingExport
    } else if has(mapping::Field::CampaignId)
        || has(mapping::Field::Campaign)
        || has(mapping::Field::Newsletter)
        || has(mapping::Field::UnsubscribeDate)
    {
        SourceKind::EmailingExport
    } else if has(mapping::Field::PerformanceDate) || has(mapping::Field::PerformanceId) {
        SourceKind::TicketingExport
    } else {
        SourceKind::CrmExport
    };
    Ok(Opened {
        input,
        detected,
        inferred,
        kind,
    })
}

impl Opened {
    pub fn dialect(&self) -> &dialect::Dialect {
        &self.detected.dialect
    }

    /// Reads the rows as facts of `source`, giving them to `part` every `part_rows` rows (see
    /// [`read::read_parts`]); each part carries the file's shape.
    pub fn read_parts(
        &self,
        source: SourceName,
        origin: &str,
        part_rows: usize,
        mut part: impl FnMut(jauge_model::Dataset) -> bool,
    ) -> Result<read::Summary, FileError> {
        let shape = self.inferred.fingerprint.to_text();
        Ok(read::read_parts(
            &self.detected,
            &self.input,
            &self.inferred.profile,
            (source, self.kind, origin),
            part_rows,
            |mut dataset| {
                dataset.shape = Some(shape.clone());
                part(dataset)
            },
        )?)
    }

    /// Reads every row into one dataset of `source`.
    pub fn read(self, source: SourceName, origin: &str) -> Result<FileRead, FileError> {
        let mut read = read::read(
            &self.detected,
            &self.input,
            &self.inferred.profile,
            source,
            self.kind,
            origin,
        )?;
        read.dataset.shape = Some(self.inferred.fingerprint.to_text());
        Ok(FileRead {
            dialect: self.detected.dialect,
            inferred: self.inferred,
            read,
        })
    }
}

/// Reads a whole file held in memory: detects its dialect, infers its profile with `defaults`
/// and the source's saved `profile`, and reads its rows as facts of `source`, in one dataset.
pub fn read_file(
    bytes: Vec<u8>,
    source: SourceName,
    defaults: read::Defaults,
    profile: Option<&profile::ProfileFile>,
    origin: &str,
) -> Result<FileRead, FileError> {
    open(Input::Bytes(bytes), defaults, profile)?.read(source, origin)
}
