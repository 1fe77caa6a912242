//! Liveness and readiness.

use crate::dto::HealthOut;
use crate::error::{ApiError, ErrorBody, blocking};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use mmm_service::ServiceError;

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "ops",
    responses((status = 200, description = "Up", body = HealthOut)))]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .json(HealthOut { status: "ok".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() })
}

/// The database is reachable and every migration is applied.
#[utoipa::path(get, path = "/ready", tag = "ops",
    responses((status = 200, description = "Ready", body = HealthOut),
              (status = 503, description = "Not ready (database unreachable or migrations pending)", body = ErrorBody)))]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let check = state.health.clone();
    let result = blocking(move || check.ready().map_err(ServiceError::Internal)).await;
    match result {
        Ok(()) => Ok(HttpResponse::Ok().json(HealthOut {
            status: "ready".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        })),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the database is not ready",
        )),
    }
}
