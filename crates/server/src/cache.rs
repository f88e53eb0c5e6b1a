//! Pages kept between requests while the database stays as it was: a page is built from the
//! store once, then served as built until a change is committed (by this process or another,
//! such as an import) or a minute passes (the figures of a season under way depend on the
//! day).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jauge_store::{Store, StoreError};

use crate::page::Page;

/// How long a page is kept, changes or not.
const KEPT_FOR: Duration = Duration::from_secs(60);
/// How many pages are kept at most; past that, all are let go.
const MOST: usize = 512;

#[derive(Default)]
pub struct PageCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// A connection that only watches: its data version moves when another one commits.
    watcher: Option<Box<dyn Store + Send>>,
    version: i64,
    pages: HashMap<String, (Instant, Arc<Page>)>,
}

impl PageCache {
    /// The page kept under `key`, unless the database changed since.
    pub fn get(&self, db: &Path, key: &str) -> Result<Option<Arc<Page>>, StoreError> {
        let Ok(mut inner) = self.inner.lock() else {
            return Ok(None);
        };
        let inner = &mut *inner;
        let watcher = match &mut inner.watcher {
            Some(watcher) => watcher,
            empty => empty.insert(jauge_store::open(&db.to_string_lossy())?),
        };
        let version = watcher.data_version()?;
        if version != inner.version {
            inner.version = version;
            inner.pages.clear();
        }
        Ok(inner
            .pages
            .get(key)
            .filter(|(kept, _)| kept.elapsed() < KEPT_FOR)
            .map(|(_, page)| page.clone()))
    }

    /// Keeps `page` under `key`, built from the database as `get` last saw it.
    pub fn keep(&self, key: String, page: Arc<Page>) {
        if let Ok(mut inner) = self.inner.lock() {
            if inner.pages.len() >= MOST {
                inner.pages.clear();
            }
            inner.pages.insert(key, (Instant::now(), page));
        }
    }
}
