//! The store test suite, run on every backend: each test is written once, over any
//! [`Backend`], and [`on_both!`] runs it on SQLite and on PostgreSQL. PostgreSQL's runs need
//! `JAUGE_TEST_POSTGRES` (a connection string, such as `host=127.0.0.1 port=5499
//! user=postgres`, which `.ci/run` sets); without it they say so and pass, so that
//! `cargo test` works on a machine without PostgreSQL.
//!
//! What is SQLite's own (the file format, WAL, upgrades of old files) is tested in
//! `sqlite/tests.rs`, and PostgreSQL's own (the hub, its roles) in `postgres/tests.rs`.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::postgres::PgStore;
use crate::{SqliteStore, Store};

/// The rollups as their tables hold them: `performance_sales` and `patron_season`, in key order.
pub(crate) type Rollups = (
    Vec<(i64, i64, i64, i64, i64, i64)>,
    Vec<(String, i64, i64, i64)>,
);

/// What a test needs of a backend besides the [`Store`] interface: a fresh, empty store, and a
/// look at its tables.
pub(crate) trait Backend: Store + Sized {
    /// Its name, in messages.
    const NAME: &'static str;

    /// Whether this backend can be tested here.
    fn available() -> bool;

    /// An empty store of its own, or none when this backend cannot be tested here.
    fn fresh() -> Option<Fresh<Self>>;

    /// Another store on the same data, as a later run of Jauge opens it.
    fn reopen(&self) -> Self;

    /// The rows of `table`.
    fn count(&self, table: &str) -> i64;

    /// Runs one statement as Jauge's own connection would.
    fn execute(&self, sql: &str) -> Result<(), String>;

    /// The rollups as stored.
    fn rollups(&self) -> Rollups;

    /// The rollups as computing them again from every ticket gives them, in a transaction rolled
    /// back: the store is left as it was.
    fn rollups_read_back(&mut self) -> Rollups;

    /// Panics unless every reference points at a row and references are enforced.
    fn assert_referential_integrity(&self);
}

/// A store that lives as long as what holds its data (a directory, a schema).
pub(crate) struct Fresh<S: Backend> {
    store: Option<S>,
    cleanup: Option<Box<dyn FnOnce(S)>>,
}

impl<S: Backend> Deref for Fresh<S> {
    type Target = S;
    fn deref(&self) -> &S {
        self.store.as_ref().expect("store present until dropped")
    }
}

impl<S: Backend> DerefMut for Fresh<S> {
    fn deref_mut(&mut self) -> &mut S {
        self.store.as_mut().expect("store present until dropped")
    }
}

impl<S: Backend> Drop for Fresh<S> {
    fn drop(&mut self) {
        if let (Some(store), Some(cleanup)) = (self.store.take(), self.cleanup.take()) {
            cleanup(store);
        }
    }
}

/// A fresh store with the test venue set up.
pub(crate) fn set_up<S: Backend>() -> Option<Fresh<S>> {
    let mut store = S::fresh()?;
    store.save_setup(&crate::sqlite::tests::setup()).unwrap();
    Some(store)
}

/// Runs a property test: `test` on 24 cases drawn from `strategy`, shrinking a failure to
/// its simplest case.
pub(crate) fn cases<T: proptest::strategy::Strategy>(
    strategy: &T,
    test: impl Fn(T::Value) -> Result<(), proptest::test_runner::TestCaseError>,
) {
    let config = proptest::test_runner::Config::with_cases(24);
    proptest::test_runner::TestRunner::new(config)
        .run(strategy, test)
        .unwrap();
}

/// Runs each test function, generic over [`Backend`], on both backends.
macro_rules! on_both {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                #[test]
                fn sqlite() {
                    super::$test::<crate::SqliteStore>();
                }
                #[test]
                fn postgres() {
                    super::$test::<crate::postgres::PgStore>();
                }
            }
        )*
    };
}

impl Backend for SqliteStore {
    const NAME: &'static str = "SQLite";

    fn available() -> bool {
        true
    }

    fn reopen(&self) -> SqliteStore {
        SqliteStore::open(self.path()).unwrap()
    }

    fn fresh() -> Option<Fresh<SqliteStore>> {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("jauge.db")).unwrap();
        Some(Fresh {
            store: Some(store),
            cleanup: Some(Box::new(move |store| {
                drop(store);
                drop(dir);
            })),
        })
    }

    fn count(&self, table: &str) -> i64 {
        self.connection()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    fn execute(&self, sql: &str) -> Result<(), String> {
        self.connection()
            .execute_batch(sql)
            .map_err(|e| e.to_string())
    }

    fn rollups(&self) -> Rollups {
        crate::sqlite::tests::rollups_in(self.connection())
    }

    fn rollups_read_back(&mut self) -> Rollups {
        crate::sqlite::tests::rollups_read_back(self)
    }

    fn assert_referential_integrity(&self) {
        crate::sqlite::tests::assert_referential_integrity(self)
    }
}

/// The database the PostgreSQL runs make their schemas in.
const TEST_DATABASE: &str = "jauge_store_tests";

impl Backend for PgStore {
    const NAME: &'static str = "PostgreSQL";

    fn available() -> bool {
        let set = std::env::var_os("JAUGE_TEST_POSTGRES").is_some();
        if !set {
            eprintln!("JAUGE_TEST_POSTGRES is not set: the PostgreSQL run is skipped");
        }
        set
    }

    fn reopen(&self) -> PgStore {
        PgStore::open_in_schema(&test_database(), self.schema()).unwrap()
    }

    fn fresh() -> Option<Fresh<PgStore>> {
        static SCHEMAS: AtomicUsize = AtomicUsize::new(0);
        if !PgStore::available() {
            return None;
        }
        let server = std::env::var("JAUGE_TEST_POSTGRES").unwrap();
        let mut admin = postgres::Client::connect(&server, postgres::NoTls)
            .expect("JAUGE_TEST_POSTGRES names a server that answers");
        let exists = admin
            .query_opt(
                "SELECT 1 FROM pg_database WHERE datname = $1",
                &[&TEST_DATABASE],
            )
            .unwrap()
            .is_some();
        if !exists {
            // Tests running at once may race to make it: one wins, the others find it made.
            let _ = admin.batch_execute(&format!("CREATE DATABASE {TEST_DATABASE}"));
        }
        let url = test_database();
        let schema = format!(
            "t{}_{}",
            std::process::id(),
            SCHEMAS.fetch_add(1, Ordering::Relaxed)
        );
        let store = PgStore::open_in_schema(&url, &schema).unwrap();
        Some(Fresh {
            store: Some(store),
            cleanup: Some(Box::new(move |store| {
                drop(store);
                let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                client
                    .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
                    .unwrap();
            })),
        })
    }

    fn count(&self, table: &str) -> i64 {
        self.client()
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0)
    }

    fn execute(&self, sql: &str) -> Result<(), String> {
        self.client()
            .batch_execute(sql)
            .map_err(|e| crate::postgres::message(&e))
    }

    fn rollups(&self) -> Rollups {
        pg_rollups(&mut *self.client())
    }

    fn rollups_read_back(&mut self) -> Rollups {
        let before = self.rollups();
        let mut client = self.client();
        let mut tx = client.transaction().unwrap();
        let performances: Vec<i64> = tx
            .query("SELECT id FROM performance", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let seasons: std::collections::BTreeSet<i32> = tx
            .query("SELECT DISTINCT season_start_year FROM performance", &[])
            .unwrap()
            .iter()
            .map(|r| r.get::<_, i64>(0) as i32)
            .collect();
        crate::postgres::venue::write::refresh_performance_sales(&mut tx, &performances).unwrap();
        crate::postgres::venue::write::refresh_patron_seasons(&mut tx, &seasons).unwrap();
        let after = pg_rollups(&mut tx);
        tx.rollback().unwrap();
        drop(client);
        assert_eq!(self.rollups(), before);
        after
    }

    fn assert_referential_integrity(&self) {
        // PostgreSQL enforces every foreign key at each statement; none may have been left
        // unchecked (NOT VALID) or dropped.
        let unchecked: i64 = self
            .client()
            .query_one(
                "SELECT count(*) FROM pg_constraint
                 WHERE contype = 'f' AND NOT convalidated
                   AND connamespace = current_schema()::regnamespace",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(unchecked, 0, "foreign keys left unchecked");
        let declared: i64 = self
            .client()
            .query_one(
                "SELECT count(*) FROM pg_constraint
                 WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
                &[],
            )
            .unwrap()
            .get(0);
        assert!(declared >= 20, "only {declared} foreign keys declared");
    }
}

/// The connection string of the test database.
pub(super) fn test_database() -> String {
    let server = std::env::var("JAUGE_TEST_POSTGRES").unwrap();
    format!("{server} dbname={TEST_DATABASE}")
}

fn pg_rollups(db: &mut impl postgres::GenericClient) -> Rollups {
    let sales = db
        .query(
            "SELECT performance_id, tickets, paid_tickets, free_tickets, revenue_cents,
                    subscription_tickets
             FROM performance_sales ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
        .collect();
    let seasons = db
        .query(
            "SELECT patron_key, season_start_year, tickets, subscription_tickets
             FROM patron_season ORDER BY 1, 2",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    (sales, seasons)
}

mod admin;
mod import;
mod people;
mod postgres_only;
mod seasons;
