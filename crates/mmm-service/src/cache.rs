//! An LRU cache of parsed model documents, shared by the services that read or delete models.

use lru::LruCache;
use mmm_core::ModelDocument;
use serde::Serialize;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A cached document and what is needed to check access without the database.
#[derive(Debug, Clone)]
pub struct CachedModel {
    /// Owner's user id.
    pub owner_id: String,
    /// Data set the model was fitted on (deleting it drops the entry).
    pub dataset_id: String,
    /// The parsed document.
    pub document: Arc<ModelDocument>,
}

/// Counters for the status route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    /// Most documents kept.
    pub capacity: usize,
    /// Documents kept now.
    pub entries: usize,
    /// Reads served from the cache.
    pub hits: u64,
    /// Reads that had to load and parse the document.
    pub misses: u64,
}

/// The model document cache.
pub struct ModelCache {
    entries: Mutex<LruCache<String, CachedModel>>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl ModelCache {
    /// A cache of at most `capacity` documents (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let cap = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: Mutex::new(LruCache::new(cap)),
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, LruCache<String, CachedModel>> {
        // A panic while holding the lock cannot leave the LRU inconsistent for our use.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Looks a model up, counting a hit or a miss.
    pub fn get(&self, model_id: &str) -> Option<CachedModel> {
        let found = self.lock().get(model_id).cloned();
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores a model.
    pub fn put(&self, model_id: &str, entry: CachedModel) {
        self.lock().put(model_id.to_owned(), entry);
    }

    /// Drops a model.
    pub fn remove(&self, model_id: &str) {
        self.lock().pop(model_id);
    }

    /// Drops every model fitted on a data set.
    pub fn remove_dataset(&self, dataset_id: &str) {
        let mut entries = self.lock();
        let ids: Vec<String> = entries
            .iter()
            .filter(|(_, e)| e.dataset_id == dataset_id)
            .map(|(k, _)| k.clone())
            .collect();
        for id in ids {
            entries.pop(&id);
        }
    }

    /// Current counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            capacity: self.capacity,
            entries: self.lock().len(),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}
