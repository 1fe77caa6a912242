//! The bearer-token extractor: a handler that takes [`AuthUser`] requires a valid token.

use crate::error::{ApiError, blocking};
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use mmm_service::{Actor, Claims};

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

/// Verifies a token with the auth service: its signature and expiry, then that its account
/// still takes it (not issued before the password changed). The account is read from storage,
/// off the request thread, only when the service has not read it in the last few seconds.
pub async fn verify(req: &HttpRequest, token: Option<String>) -> Result<AuthUser, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("state missing"))?
        .clone();
    let token = token.ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
    let claims = state.auth.verify(&token)?;
    match state.auth.cached_account_check(&claims) {
        Some(checked) => checked?,
        None => {
            let (auth, read) = (state.auth.clone(), claims.clone());
            blocking(move || auth.check_account(&read)).await?;
        }
    }
    Ok(AuthUser(claims))
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let token = bearer(&req)?;
            verify(&req, token).await
        })
    }
}

/// For the WebSocket route only: the token may come as `?token=` (browsers cannot set headers
/// on a WebSocket).
pub async fn from_header_or_query(
    req: &HttpRequest,
    query_token: Option<String>,
) -> Result<AuthUser, ApiError> {
    let token = bearer(req)?.or(query_token);
    verify(req, token).await
}
