//! A PostgreSQL database of a test's own, for the tests of every crate: made on the server
//! `JAUGE_TEST_POSTGRES` names (a connection string, such as `host=127.0.0.1 port=5499
//! user=postgres`, which `.ci/run` sets) and dropped at the end. Without that variable there is
//! none, and the test says it is skipped.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::HubStore;

/// A database made for one test, dropped with it.
pub struct TestDatabase {
    admin: String,
    name: String,
}

impl TestDatabase {
    /// A new, empty database named after `prefix`, or none when `JAUGE_TEST_POSTGRES` is not
    /// set.
    pub fn new(prefix: &str) -> Option<TestDatabase> {
        let Ok(admin) = std::env::var("JAUGE_TEST_POSTGRES") else {
            eprintln!(
                "skipped: set JAUGE_TEST_POSTGRES to a PostgreSQL connection string (.ci/run does)"
            );
            return None;
        };
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut client = HubStore::connect(&admin).expect("JAUGE_TEST_POSTGRES answers");
        // One statement a call: neither may run in a transaction block.
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        Some(TestDatabase { admin, name })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connection string to this database, as `user` if given.
    pub fn url(&self, user: Option<&str>) -> String {
        let mut url = format!("{} dbname={}", self.admin, self.name);
        if let Some(user) = user {
            url.push_str(&format!(" user={user}"));
        }
        url
    }

    /// The same database as a `postgres://user@host:port/database` address, what `--db` takes.
    pub fn address(&self) -> String {
        let value = |key: &str, default: &str| {
            self.admin
                .split_whitespace()
                .find_map(|pair| pair.strip_prefix(&format!("{key}=")))
                .unwrap_or(default)
                .to_owned()
        };
        format!(
            "postgres://{}@{}:{}/{}",
            value("user", "postgres"),
            value("host", "127.0.0.1"),
            value("port", "5432"),
            self.name
        )
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = HubStore::connect(&self.admin) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
