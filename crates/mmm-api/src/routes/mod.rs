//! Route handlers, one module per area.

pub mod analytics;
pub mod auth;
pub mod datasets;
pub mod jobs;
pub mod models;
pub mod ops;
pub mod optimize;
pub mod validation;

use crate::auth::AuthUser;
use crate::error::{ApiError, blocking};

/// A seed as the OpenAPI document states it (a non-negative 64-bit signed integer).
pub(crate) fn checked_seed(seed: Option<u64>) -> Result<Option<u64>, ApiError> {
    match seed {
        Some(s) if s > i64::MAX as u64 => {
            Err(ApiError::invalid(format!("seed must be at most {}, got {s}", i64::MAX)))
        }
        _ => Ok(seed),
    }
}
use crate::state::AppState;
use mmm_core::ModelDocument;
use std::sync::Arc;

/// The document of model `id` if the caller may read it (from the cache without leaving the
/// async thread when possible); 404 otherwise.
pub(crate) async fn owned_model(
    state: &AppState,
    user: &AuthUser,
    id: String,
) -> Result<Arc<ModelDocument>, ApiError> {
    if let Some(found) = state.models.cached_document(&user.actor(), &id) {
        return Ok(found?);
    }
    let service = state.models.clone();
    let actor = user.actor();
    blocking(move || service.document(&actor, &id)).await
}
