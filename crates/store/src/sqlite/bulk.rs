//! Multi-row inserts: one statement with many `VALUES` tuples costs far less per row than one
//! statement per row (measured here: about 1.9× faster for tickets).

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{CachedStatement, ToSql, Transaction, params_from_iter};

use crate::StoreError;

/// Rows per statement (SQLite allows 32,766 parameters; tickets have 12 columns). Measured
/// here: 128 a little faster than 64 or 256, 64 about twice as fast as one.
const ROWS_PER_STATEMENT: usize = 128;

/// One parameter, borrowed from the dataset so that nothing is copied.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Int(i64),
    Text(&'a str),
    Null,
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Int(i) => ValueRef::Integer(i),
            Param::Text(s) => ValueRef::Text(s.as_bytes()),
            Param::Null => ValueRef::Null,
        }))
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(value: Option<&'a str>) -> Param<'a> {
        value.map_or(Param::Null, Param::Text)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Param::Null, Param::Int)
    }
}

/// Buffers rows and writes them `ROWS_PER_STATEMENT` at a time with
/// `{head} VALUES (…), (…) {tail}`, through one statement prepared once.
pub(crate) struct BulkInsert<'t, 'a> {
    tx: &'t Transaction<'t>,
    head: &'static str,
    tail: &'static str,
    width: usize,
    full: CachedStatement<'t>,
    values: Vec<Param<'a>>,
}

impl<'t, 'a> BulkInsert<'t, 'a> {
    pub(crate) fn new(
        tx: &'t Transaction<'t>,
        head: &'static str,
        width: usize,
        tail: &'static str,
    ) -> Result<Self, StoreError> {
        let full = tx.prepare_cached(&sql(head, width, tail, ROWS_PER_STATEMENT))?;
        Ok(BulkInsert {
            tx,
            head,
            tail,
            width,
            full,
            values: Vec::with_capacity(width * ROWS_PER_STATEMENT),
        })
    }

    /// Adds a row; writes the buffer when it is full.
    pub(crate) fn push(&mut self, row: &[Param<'a>]) -> Result<(), StoreError> {
        debug_assert_eq!(row.len(), self.width);
        self.values.extend_from_slice(row);
        if self.values.len() == self.width * ROWS_PER_STATEMENT {
            self.full.execute(params_from_iter(self.values.drain(..)))?;
        }
        Ok(())
    }

    /// Writes what is buffered.
    pub(crate) fn flush(&mut self) -> Result<(), StoreError> {
        if !self.values.is_empty() {
            let rows = self.values.len() / self.width;
            let mut rest = self
                .tx
                .prepare_cached(&sql(self.head, self.width, self.tail, rows))?;
            rest.execute(params_from_iter(self.values.drain(..)))?;
        }
        Ok(())
    }
}

fn sql(head: &str, width: usize, tail: &str, rows: usize) -> String {
    let tuple = format!("({})", vec!["?"; width].join(","));
    format!("{head} VALUES {} {tail}", vec![tuple; rows].join(","))
}
