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
pub mod profile;
pub mod read;
pub mod sheet;
pub mod supervision;
pub mod values;
pub mod vocabulary;

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

/// Detects a file's dialect, infers its profile with `defaults` and the source's saved
/// `profile`, and reads its rows as facts of `source`. It takes the bytes to give them back as
/// soon as they are decoded.
pub fn read_file(
    bytes: Vec<u8>,
    source: SourceName,
    defaults: read::Defaults,
    profile: Option<&profile::ProfileFile>,
    origin: &str,
) -> Result<FileRead, FileError> {
    // Spreadsheets and JSON lines are turned into delimited text first.
    let converted = if sheet::is_spreadsheet(&bytes) {
        Some(sheet::spreadsheet_to_text(&bytes)?)
    } else if sheet::is_json_lines(&bytes) {
        Some(sheet::json_lines_to_text(&bytes)?)
    } else {
        None
    };
    let detected = dialect::detect(converted.as_deref().map_or(&bytes[..], str::as_bytes))?;
    // The decoded text is all that is read from now on: a large file's bytes go back now.
    drop((bytes, converted));
    let mut inferred = read::infer_profile(&detected, defaults);
    if let Some(profile) = profile {
        profile.apply(&mut inferred)?;
    }
    let kind = if inferred
        .profile
        .columns
        .contains_key(&mapping::Field::OrderId)
    {
        SourceKind::TicketingExport
    } else {
        SourceKind::CrmExport
    };
    let mut read = read::read(&detected, &inferred.profile, source, kind, origin)?;
    read.dataset.shape = Some(inferred.fingerprint.to_text());
    Ok(FileRead {
        dialect: detected.dialect,
        inferred,
        read,
    })
}
