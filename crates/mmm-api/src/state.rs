//! What every handler can reach: the services, through their traits only.

use crate::ratelimit::RateLimiter;
use actix_web::web::Bytes;
use mmm_core::ModelDocument;
use mmm_service::repository::HealthCheck;
use mmm_service::{AuthService, DatasetService, JobService, ModelService, UserService};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    /// Sign-up, sign-in, tokens.
    pub auth: Arc<dyn AuthService>,
    /// Users.
    pub users: Arc<dyn UserService>,
    /// Data sets.
    pub datasets: Arc<dyn DatasetService>,
    /// Models.
    pub models: Arc<dyn ModelService>,
    /// Training jobs.
    pub jobs: Arc<dyn JobService>,
    /// Storage readiness.
    pub health: Arc<dyn HealthCheck>,
    /// Login attempts per client address and per email.
    pub login_limiter: Arc<RateLimiter>,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// Serialised default response curves per parsed model document.
    pub curve_cache: Arc<ResponseCache>,
}

/// Serialised responses keyed by the identity of a parsed model document: an entry is used only
/// while the model cache still hands out the same document, so deleting or reloading a model
/// invalidates it without any bookkeeping.
#[derive(Default)]
pub struct ResponseCache {
    entries: Mutex<HashMap<usize, (Weak<ModelDocument>, Bytes)>>,
}

/// Entries kept before the cache is cleared.
const RESPONSE_CACHE_LIMIT: usize = 1024;

impl ResponseCache {
    /// The cached body for this document, if any.
    pub fn get(&self, doc: &Arc<ModelDocument>) -> Option<Bytes> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (weak, body) = entries.get(&(Arc::as_ptr(doc) as usize))?;
        weak.upgrade().filter(|d| Arc::ptr_eq(d, doc)).map(|_| body.clone())
    }

    /// Stores a body for this document.
    pub fn put(&self, doc: &Arc<ModelDocument>, body: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= RESPONSE_CACHE_LIMIT {
            entries.retain(|_, (weak, _)| weak.strong_count() > 0);
            if entries.len() >= RESPONSE_CACHE_LIMIT {
                entries.clear();
            }
        }
        entries.insert(Arc::as_ptr(doc) as usize, (Arc::downgrade(doc), body));
    }
}
