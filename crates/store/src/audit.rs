//! The audit log's chain: each entry's hash is SHA-256 over the previous entry's hash and the
//! entry's own fields, so that any change to the log shows at the first entry it touches.

use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an entry that follows `previous`.
pub(crate) fn chain(previous: &str, at: i64, actor: &str, action: &str, detail: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [previous, &at.to_string(), actor, action, detail] {
        // Each field with its length, so that moving text from one field to the next shows.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An entry as stored, with the hashes that chain it: `id, at, actor, action, detail,
/// previous, hash`.
pub(crate) type ChainedEntry = (i64, i64, String, String, String, String, String);

/// Checks the chain of `entries`, read in id order: how many hold, or the first that does not
/// follow from the entries before it.
pub(crate) fn verify<E>(
    entries: impl IntoIterator<Item = Result<ChainedEntry, E>>,
) -> Result<Result<usize, crate::AuditBreak>, E> {
    let mut expected_previous = GENESIS.to_owned();
    let mut count = 0;
    for entry in entries {
        let (id, at, actor, action, detail, previous, hash) = entry?;
        let recomputed = chain(&expected_previous, at, &actor, &action, &detail);
        if previous != expected_previous || hash != recomputed {
            return Ok(Err(crate::AuditBreak { id }));
        }
        expected_previous = hash;
        count += 1;
    }
    Ok(Ok(count))
}
