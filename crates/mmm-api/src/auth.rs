//! The bearer-token extractor: a handler that takes [`AuthUser`] requires a valid token.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use mmm_service::{Actor, Claims};
use std::future::{Ready, ready};

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Claims);

impl AuthUser {
    /// The actor for service calls.
    pub fn actor(&self) -> Actor {
        self.0.actor()
    }
}

fn bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else { return Ok(None) };
    let value =
        value.to_str().map_err(|_| ApiError::unauthorized("authorization header is not text"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(ApiError::unauthorized("authorization header must be 'Bearer <token>'")),
    }
}

/// Verifies a token with the auth service.
pub fn verify(req: &HttpRequest, token: Option<String>) -> Result<AuthUser, ApiError> {
    let state =
        req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal("state missing"))?;
    let token = token.ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
    Ok(AuthUser(state.auth.verify(&token)?))
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer(req).and_then(|token| verify(req, token)))
    }
}

/// For the WebSocket route only: the token may come as `?token=` (browsers cannot set headers
/// on a WebSocket).
pub fn from_header_or_query(
    req: &HttpRequest,
    query_token: Option<String>,
) -> Result<AuthUser, ApiError> {
    let token = bearer(req)?.or(query_token);
    verify(req, token)
}
