//! What every handler can reach: the services, through their traits only.

use crate::ratelimit::RateLimiter;
use mmm_service::repository::HealthCheck;
use mmm_service::{AuthService, DatasetService, JobService, ModelService, UserService};
use std::sync::Arc;

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
}
