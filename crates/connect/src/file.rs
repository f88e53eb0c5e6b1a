//! A file brought in, by `jauge import` or through the API: its shape checked against the
//! source's earlier files, its rows read on one core while the other stores them, as one batch.

use jauge_ingest::Opened;
use jauge_ingest::read::Summary;
use jauge_ingest::supervision::{Fingerprint, closest, drift};
use jauge_model::{Dataset, SourceName};
use jauge_store::{BatchReport, Store, StoreError};

/// What the files do not say, from the venue's setup: its time zone, and its hall when it has
/// only one.
pub fn defaults_for(setup: &jauge_model::VenueSetup) -> jauge_ingest::read::Defaults {
    jauge_ingest::read::Defaults {
        time_zone: setup.venue.time_zone,
        hall: match &setup.halls[..] {
            [only] => Some(only.name.clone()),
            _ => None,
        },
        ..jauge_ingest::read::Defaults::default()
    }
}

/// Rows per part a file is read and stored in: each part is written while the next is read,
/// and a large file is never held in memory whole.
pub const PART_ROWS: usize = 20_000;

/// What reading and storing one file gave.
pub struct Imported {
    pub summary: Summary,
    /// `None` for a dry run, or when no row could be taken.
    pub written: Option<BatchReport>,
}

/// Why a file was not stored. Nothing of it was.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The rows cannot be read (a broken quote, a file cut short…): the message says where.
    #[error("{0}")]
    Unreadable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How the file's columns differ from the closest of the source's earlier files: one line per
/// change, none when they do not (or for a source's first file).
pub fn drift_from_earlier<S: Store + ?Sized>(
    store: &S,
    source: &SourceName,
    opened: &Opened,
) -> Result<Vec<String>, StoreError> {
    let known: Vec<Fingerprint> = store
        .shapes(source)?
        .iter()
        .map(|s| Fingerprint::from_text(s))
        .collect();
    Ok(match closest(&known, &opened.inferred.fingerprint) {
        Some(before) => drift(before, &opened.inferred.fingerprint)
            .iter()
            .map(|c| format!("  - {c}"))
            .collect(),
        None => Vec::new(),
    })
}

/// Reads `opened` in parts on another core and writes them to `store` as one batch of
/// `source`, or, for a dry run, only reads them. Nothing is stored when a row cannot be read as
/// CSV, when no row could be taken (then `written` is `None`), or when a part has a problem.
pub fn import_parts<S: Store + ?Sized>(
    store: &mut S,
    opened: &Opened,
    (origin, source): (&str, &SourceName),
    drift_accepted: Option<String>,
    dry_run: bool,
) -> Result<Imported, ImportError> {
    if dry_run {
        let summary = opened
            .read_parts(source.clone(), origin, PART_ROWS, |_| true)
            .map_err(|e| ImportError::Unreadable(e.to_string()))?;
        return Ok(Imported {
            summary,
            written: None,
        });
    }
    let (read, written) = std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<Dataset, String>>(1);
        let reader = scope.spawn(move || {
            let read = opened.read_parts(source.clone(), origin, PART_ROWS, |mut part| {
                part.drift_accepted.clone_from(&drift_accepted);
                send.send(Ok(part)).is_ok()
            });
            // The store keeps nothing of a batch whose last part is an error.
            let refusal = match &read {
                Err(e) => Some(e.to_string()),
                Ok(summary) if summary.tally.facts() == 0 => Some("no row could be taken".into()),
                Ok(_) => None,
            };
            if let Some(reason) = refusal {
                let _ = send.send(Err(reason));
            }
            read
        });
        // The parts are taken as they come; when writing fails, the reader stops at its next
        // part.
        let written = store.write_parts(&mut receive.into_iter());
        (reader.join().expect("reading a file never panics"), written)
    });
    let summary = read.map_err(|e| ImportError::Unreadable(e.to_string()))?;
    if summary.tally.facts() == 0 {
        return Ok(Imported {
            summary,
            written: None,
        });
    }
    Ok(Imported {
        summary,
        written: Some(written?),
    })
}
