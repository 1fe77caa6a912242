//! Sign-up, sign-in, who am I.

use crate::auth::AuthUser;
use crate::dto::{LoginForm, PasswordChangeIn, RegisterIn, RegisteredOut, TokenOut, UserOut};
use crate::error::{ApiError, ErrorBody, blocking};
use crate::extract::Json;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

/// Create an account; the response carries a token, so registration also signs in.
#[utoipa::path(
    post, path = "/api/v1/auth/register", tag = "auth",
    request_body = RegisterIn,
    responses(
        (status = 201, description = "Account created and signed in", body = RegisteredOut),
        (status = 409, description = "Email already registered", body = ErrorBody),
        (status = 422, description = "Invalid email or password too short", body = ErrorBody),
    )
)]
#[post("/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    body: Json<RegisterIn>,
) -> Result<HttpResponse, ApiError> {
    let RegisterIn { email, password, full_name } = body.into_inner();
    let auth = state.auth.clone();
    let (user, token) = blocking(move || auth.register(&email, &password, full_name)).await?;
    Ok(HttpResponse::Created().json(RegisteredOut {
        access_token: token.access_token,
        token_type: token.token_type.to_owned(),
        expires_in: token.expires_in,
        user: UserOut::from(&user),
    }))
}

/// Sign in with the OAuth2 password form (`username` = email). Attempts are limited per client
/// address and per email.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth",
    request_body(content = LoginForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Signed in", body = TokenOut),
        (status = 401, description = "Incorrect email or password", body = ErrorBody),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let LoginForm { username, password } = form.into_inner();
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let keys = [format!("ip:{address}"), format!("email:{}", username.trim().to_lowercase())];
    state.login_limiter.check(&keys).map_err(ApiError::too_many)?;
    let auth = state.auth.clone();
    let (_, token) = blocking(move || auth.login(&username, &password)).await?;
    Ok(HttpResponse::Ok().json(TokenOut::from(token)))
}

/// The signed-in user.
#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = UserOut),
        (status = 401, description = "Missing, malformed, expired or forged token", body = ErrorBody),
    )
)]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let users = state.users.clone();
    let actor = user.actor();
    let found = blocking(move || users.get(&actor, &actor.user_id)).await?;
    Ok(HttpResponse::Ok().json(UserOut::from(&found)))
}

/// Change the signed-in user's password, giving the current one. Attempts count against the
/// sign-in limit, per account. Every token issued before is refused from then on (within 10
/// seconds on other server processes of the same database): the answer carries a new one.
#[utoipa::path(
    post, path = "/api/v1/auth/password", tag = "auth",
    security(("bearer" = [])),
    request_body = PasswordChangeIn,
    responses(
        (status = 200, description = "Changed; a new token, since the older ones are refused", body = TokenOut),
        (status = 401, description = "Missing, malformed, expired or forged token", body = ErrorBody),
        (status = 422, description = "The current password is wrong, or the new one too short or too long", body = ErrorBody),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody),
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<PasswordChangeIn>,
) -> Result<HttpResponse, ApiError> {
    let PasswordChangeIn { current_password, new_password } = body.into_inner();
    let id = user.actor().user_id;
    state.login_limiter.check(&[format!("password:{id}")]).map_err(ApiError::too_many)?;
    let auth = state.auth.clone();
    let token =
        blocking(move || auth.change_password(&id, &current_password, &new_password)).await?;
    Ok(HttpResponse::Ok().json(TokenOut::from(token)))
}
