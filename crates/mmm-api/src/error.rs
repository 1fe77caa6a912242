//! The one error envelope of the API and the one place that maps errors to HTTP statuses.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use mmm_service::ServiceError;
use serde::Serialize;
use serde_json::{Value, json};
use std::fmt;
use utoipa::ToSchema;

/// Every 4xx and 5xx body: `{"error": {"code", "message", "details"}}`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": {"code": "invalid_data", "message": "2 problems in the data",
    "details": [{"column": "revenue", "line": 4, "reason": "not a number: 'abc'"},
                {"column": "tv_spend", "line": 4, "reason": "negative spend -3"}]}}))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `invalid_data`, `unauthorized`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// Further items, e.g. every data problem with its column, line and reason.
    #[schema(value_type = Vec<Object>)]
    pub details: Vec<Value>,
}

/// An error answered to the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<Value>,
    retry_after: Option<u64>,
    allow: Option<String>,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
            allow: None,
        }
    }

    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 422 for a request whose content is invalid.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
    }

    /// The same error with `details`.
    pub fn with_details(mut self, details: Vec<Value>) -> Self {
        self.details = details;
        self
    }

    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 404 for a path no route has, or 405 (with `Allow`) for a method its route does not take.
    pub fn no_route(method: &str, path: &str) -> Self {
        match crate::openapi::allowed_methods(path) {
            Some(allowed) => {
                let allowed = allowed.join(", ");
                let mut e = Self::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    format!("{path} does not take {method}; it takes {allowed}"),
                );
                e.allow = Some(allowed);
                e
            }
            None => Self::not_found(format!("no route for {method} {path}")),
        }
    }

    /// 429 with the seconds to wait.
    pub fn too_many(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many attempts; try again later",
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// 500; the cause is logged, never sent.
    pub fn internal(cause: impl fmt::Display) -> Self {
        log::error!("internal error: {cause}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal server error")
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
        {
            builder.insert_header((header::RETRY_AFTER, v));
        }
        if let Some(allow) = &self.allow
            && let Ok(v) = HeaderValue::from_str(allow)
        {
            builder.insert_header((header::ALLOW, v));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            builder.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        builder.json(
            json!({"error": {"code": self.code, "message": self.message, "details": self.details}}),
        )
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        use StatusCode as S;
        match e {
            ServiceError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            ServiceError::Invalid(m) => {
                ApiError::new(S::UNPROCESSABLE_ENTITY, "invalid_request", m)
            }
            ServiceError::Data(errors) => {
                let mut e = ApiError::new(S::UNPROCESSABLE_ENTITY, "invalid_data", {
                    let total = errors.problems.len() + errors.truncated;
                    format!("{total} problem{} in the data", if total == 1 { "" } else { "s" })
                });
                e.details = errors.problems.iter().map(|p| json!(p)).collect();
                if errors.truncated > 0 {
                    e.details.push(json!({"reason": format!("... and {} more", errors.truncated)}));
                }
                e
            }
            ServiceError::Unauthorized(m) => ApiError::unauthorized(m),
            ServiceError::Forbidden(m) => ApiError::new(S::FORBIDDEN, "forbidden", m),
            ServiceError::Conflict(m) => ApiError::new(S::CONFLICT, "conflict", m),
            ServiceError::State(m) => ApiError::new(S::CONFLICT, "invalid_state", m),
            ServiceError::Busy(m) => ApiError::new(S::SERVICE_UNAVAILABLE, "busy", m),
            ServiceError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}

/// Runs blocking service work (database, bcrypt) off the async workers.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ServiceError> + Send + 'static,
    T: Send + 'static,
{
    Ok(actix_web::web::block(f).await??)
}
