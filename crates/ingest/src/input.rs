//! Where a file's bytes come from. The importer reads them twice, as a stream each time: once
//! to gather the evidence its dialect is decided from, once to read the rows. A large export is
//! never held in memory whole.

use std::io::{self, Read};
use std::path::PathBuf;

/// A file on disk, or bytes already in memory (a spreadsheet turned into text, a test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Bytes(Vec<u8>),
}

impl Input {
    /// A new stream of the bytes, from their start.
    pub fn open(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        Ok(match self {
            Input::File(path) => Box::new(std::fs::File::open(path)?),
            Input::Bytes(bytes) => Box::new(&bytes[..]),
        })
    }

    /// The first `limit` bytes (fewer when the input is shorter).
    pub fn head(&self, limit: usize) -> io::Result<Vec<u8>> {
        let mut head = Vec::with_capacity(limit.min(1 << 20));
        self.open()?
            .take(u64::try_from(limit).unwrap_or(u64::MAX))
            .read_to_end(&mut head)?;
        Ok(head)
    }

    /// Every byte, for the formats that cannot be streamed (spreadsheets, JSON lines).
    pub fn all(&self) -> io::Result<Vec<u8>> {
        match self {
            Input::File(path) => std::fs::read(path),
            Input::Bytes(bytes) => Ok(bytes.clone()),
        }
    }
}
