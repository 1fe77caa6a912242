//! Accounts: registration, login, tokens and users.

use crate::domain::{Actor, Role, User, new_id, now};
use crate::error::{RepoError, ServiceError};
use crate::repository::UserRepository;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lru::LruCache;
use serde::{Deserialize, Serialize};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shortest password accepted for a new account.
pub const MIN_PASSWORD_LEN: usize = 8;
/// bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// User email.
    pub email: String,
    /// User role.
    pub role: Role,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
}

impl Claims {
    /// The actor these claims stand for.
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.sub.clone(), role: self.role }
    }
}

/// An issued access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// The JWT.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// Whether the password rules for new accounts apply (the seeded test users keep their short,
/// documented passwords).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordPolicy {
    /// Enforce the minimum length.
    Enforce,
    /// Accept any non-empty password (seeding only).
    SeedOnly,
}

/// Sign-up, sign-in and token checks.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait AuthService: Send + Sync {
    /// Creates an account and signs it in.
    fn register(
        &self,
        email: &str,
        password: &str,
        full_name: Option<String>,
    ) -> Result<(User, Token), ServiceError>;
    /// Signs in; the same error for an unknown email and a wrong password, in the same time.
    fn login(&self, email: &str, password: &str) -> Result<(User, Token), ServiceError>;
    /// Checks a token's signature and expiry.
    fn verify(&self, token: &str) -> Result<Claims, ServiceError>;
    /// Whether the account behind verified claims still takes them, from what this process
    /// read of it less than [`ACCOUNT_CHECK_TTL`] ago; `None` when it must be read again with
    /// [`AuthService::check_account`]. Never touches storage.
    fn cached_account_check(&self, claims: &Claims) -> Option<Result<(), ServiceError>>;
    /// Reads the account behind verified claims (from storage) and refuses a token issued
    /// before its password last changed, or whose account no longer exists.
    fn check_account(&self, claims: &Claims) -> Result<(), ServiceError>;
    /// Changes the password of the signed-in user `user_id`, who gives the current one. A new
    /// password follows the rules of registration. Every token issued before is refused from
    /// then on; the answer is a new one.
    fn change_password(
        &self,
        user_id: &str,
        current: &str,
        new: &str,
    ) -> Result<Token, ServiceError>;
}

/// How long a process trusts what it read of an account when checking tokens: a password
/// changed through another process of the same database refuses the older tokens here within
/// this time (at once in the process that changed it).
pub const ACCOUNT_CHECK_TTL: Duration = Duration::from_secs(10);

/// Accounts whose token cut-off a process remembers.
const ACCOUNT_CHECK_CAPACITY: usize = 10_000;

/// What a token check needs of an account: `None` when it no longer exists, else the time
/// (Unix seconds) before which its tokens are refused, if any.
type Cutoff = Option<Option<i64>>;

/// The refusal of a password change whose current password is wrong.
pub const WRONG_CURRENT_PASSWORD: &str = "current_password is not the account's password";

/// Users.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait UserService: Send + Sync {
    /// Creates a user.
    fn create(
        &self,
        email: &str,
        password: &str,
        full_name: Option<String>,
        role: Role,
        policy: PasswordPolicy,
    ) -> Result<User, ServiceError>;
    /// A user: oneself, or anyone for an admin.
    fn get(&self, actor: &Actor, id: &str) -> Result<User, ServiceError>;
    /// Finds a user by email (for seeding; no actor: not exposed over HTTP).
    fn find_by_email(&self, email: &str) -> Result<Option<User>, ServiceError>;
    /// Every user (admins only).
    fn list(&self, actor: &Actor) -> Result<Vec<User>, ServiceError>;
}

/// bcrypt cost used unless configured otherwise (about 250 ms per hash in a release build).
pub const DEFAULT_BCRYPT_COST: u32 = 12;
/// Access token lifetime unless configured otherwise.
pub const DEFAULT_TOKEN_TTL_MINUTES: i64 = 30;

/// Settings of the account service.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// HS256 signing secret.
    pub secret: String,
    /// Token lifetime in minutes.
    pub token_ttl_minutes: i64,
    /// bcrypt cost (4 to 31; 12 in production).
    pub bcrypt_cost: u32,
}

/// The account service: implements [`AuthService`] and [`UserService`].
pub struct Accounts {
    users: Arc<dyn UserRepository>,
    config: AuthConfig,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Hash checked when the email is unknown, so both failures take the same time.
    dummy_hash: String,
    /// Each account's token cut-off as last read, and when.
    cutoffs: Mutex<LruCache<String, (Instant, Cutoff)>>,
}

impl Accounts {
    /// Creates the service; fails only for an invalid bcrypt cost.
    pub fn new(users: Arc<dyn UserRepository>, config: AuthConfig) -> Result<Self, ServiceError> {
        let dummy_hash = bcrypt::hash("not a real password", config.bcrypt_cost).map_err(|e| {
            ServiceError::Invalid(format!("bcrypt cost {}: {e}", config.bcrypt_cost))
        })?;
        Ok(Self {
            users,
            encoding: EncodingKey::from_secret(config.secret.as_bytes()),
            decoding: DecodingKey::from_secret(config.secret.as_bytes()),
            config,
            dummy_hash,
            cutoffs: Mutex::new(LruCache::new(
                NonZeroUsize::new(ACCOUNT_CHECK_CAPACITY).unwrap_or(NonZeroUsize::MIN),
            )),
        })
    }

    /// Remembers an account's cut-off, and returns it. A cut-off only moves forward, so a read
    /// that began before a password change this process made cannot put back the earlier one.
    fn remember(&self, user_id: &str, cutoff: Cutoff) -> Cutoff {
        let mut cutoffs = self.cutoffs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let known = cutoffs.peek(user_id).and_then(|(_, known)| known.flatten());
        let cutoff = match (cutoff, known) {
            (Some(read), Some(known)) => Some(Some(read.map_or(known, |read| read.max(known)))),
            (cutoff, _) => cutoff,
        };
        cutoffs.put(user_id.to_owned(), (Instant::now(), cutoff));
        cutoff
    }

    fn issue(&self, user: &User) -> Result<Token, ServiceError> {
        let iat = chrono::Utc::now().timestamp();
        let ttl = self.config.token_ttl_minutes.max(1) * 60;
        let claims = Claims {
            sub: user.id.clone(),
            email: user.email.clone(),
            role: user.role,
            iat,
            exp: iat + ttl,
        };
        let access_token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
                .map_err(|e| ServiceError::Internal(format!("signing a token: {e}")))?;
        Ok(Token { access_token, token_type: "bearer", expires_in: ttl })
    }
}

/// Trims and lower-cases an email and checks its shape.
pub fn normalise_email(email: &str) -> Result<String, ServiceError> {
    let e = email.trim().to_lowercase();
    let valid = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(e.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
               && !domain.ends_with('.') && !domain.contains('@'));
    if valid {
        Ok(e)
    } else {
        Err(ServiceError::Invalid(format!("'{}' is not a valid email address", email.trim())))
    }
}

fn check_password(password: &str, policy: PasswordPolicy) -> Result<(), ServiceError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ServiceError::Invalid(format!(
            "password must be at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    let min = match policy {
        PasswordPolicy::Enforce => MIN_PASSWORD_LEN,
        PasswordPolicy::SeedOnly => 1,
    };
    if password.chars().count() < min {
        return Err(ServiceError::Invalid(format!("password must be at least {min} characters")));
    }
    Ok(())
}

const BAD_CREDENTIALS: &str = "incorrect email or password";

/// Whether an account with `cutoff` takes a token with `claims`.
fn accepts(cutoff: Cutoff, claims: &Claims) -> Result<(), ServiceError> {
    match cutoff {
        None => Err(ServiceError::Unauthorized("the account no longer exists".to_owned())),
        Some(Some(after)) if claims.iat < after => Err(ServiceError::Unauthorized(
            "the token was issued before the password changed; sign in again".to_owned(),
        )),
        Some(_) => Ok(()),
    }
}

impl AuthService for Accounts {
    fn register(
        &self,
        email: &str,
        password: &str,
        full_name: Option<String>,
    ) -> Result<(User, Token), ServiceError> {
        let user = self.create(email, password, full_name, Role::User, PasswordPolicy::Enforce)?;
        let token = self.issue(&user)?;
        Ok((user, token))
    }

    fn login(&self, email: &str, password: &str) -> Result<(User, Token), ServiceError> {
        let email = email.trim().to_lowercase();
        // No account has an email with a control character (registration refuses them), and
        // PostgreSQL cannot even compare a NUL: such an email is unknown, and answered as one.
        let user =
            if email.chars().any(char::is_control) { None } else { self.users.by_email(&email)? };
        let hash = user.as_ref().map_or(self.dummy_hash.as_str(), |u| u.password_hash.as_str());
        let matches = bcrypt::verify(password, hash).unwrap_or(false);
        match user {
            Some(user) if matches => {
                let token = self.issue(&user)?;
                Ok((user, token))
            }
            _ => Err(ServiceError::Unauthorized(BAD_CREDENTIALS.to_owned())),
        }
    }

    fn change_password(
        &self,
        user_id: &str,
        current: &str,
        new: &str,
    ) -> Result<Token, ServiceError> {
        let user = self.users.by_id(user_id)?.ok_or(ServiceError::NotFound("user"))?;
        if !bcrypt::verify(current, &user.password_hash).unwrap_or(false) {
            return Err(ServiceError::Invalid(WRONG_CURRENT_PASSWORD.to_owned()));
        }
        check_password(new, PasswordPolicy::Enforce)?;
        let hash = bcrypt::hash(new, self.config.bcrypt_cost)
            .map_err(|e| ServiceError::Internal(format!("hashing a password: {e}")))?;
        // Whole seconds, as tokens carry them: the new token, issued now, is not before it.
        let changed = chrono::Utc::now().timestamp();
        let at = chrono::DateTime::from_timestamp(changed, 0)
            .ok_or_else(|| ServiceError::Internal(format!("the time {changed}")))?
            .naive_utc();
        if !self.users.set_password_hash(user_id, &hash, at)? {
            return Err(ServiceError::NotFound("user"));
        }
        self.remember(user_id, Some(Some(changed)));
        self.issue(&user)
    }

    fn cached_account_check(&self, claims: &Claims) -> Option<Result<(), ServiceError>> {
        let mut cutoffs = self.cutoffs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match cutoffs.get(&claims.sub) {
            Some((read, cutoff)) if read.elapsed() < ACCOUNT_CHECK_TTL => {
                Some(accepts(*cutoff, claims))
            }
            _ => None,
        }
    }

    fn check_account(&self, claims: &Claims) -> Result<(), ServiceError> {
        let user = self.users.by_id(&claims.sub)?;
        let cutoff = user.map(|u| u.tokens_valid_after.map(|t| t.and_utc().timestamp()));
        accepts(self.remember(&claims.sub, cutoff), claims)
    }

    fn verify(&self, token: &str) -> Result<Claims, ServiceError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| {
                let reason = match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => "token expired",
                    jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                        "token signature is invalid"
                    }
                    _ => "token is malformed",
                };
                ServiceError::Unauthorized(reason.to_owned())
            })
    }
}

impl UserService for Accounts {
    fn create(
        &self,
        email: &str,
        password: &str,
        full_name: Option<String>,
        role: Role,
        policy: PasswordPolicy,
    ) -> Result<User, ServiceError> {
        let email = normalise_email(email)?;
        check_password(password, policy)?;
        let full_name = full_name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        if full_name.as_ref().is_some_and(|n| n.chars().count() > 200) {
            return Err(ServiceError::Invalid(
                "full name must be at most 200 characters".to_owned(),
            ));
        }
        if full_name.as_ref().is_some_and(|n| n.chars().any(char::is_control)) {
            return Err(ServiceError::Invalid(
                "full name must not hold control characters".to_owned(),
            ));
        }
        let password_hash = bcrypt::hash(password, self.config.bcrypt_cost)
            .map_err(|e| ServiceError::Internal(format!("hashing a password: {e}")))?;
        let user = User {
            id: new_id(),
            email,
            full_name,
            password_hash,
            role,
            created_at: now(),
            tokens_valid_after: None,
        };
        self.users.insert(&user).map_err(|e| match e {
            RepoError::Conflict(_) => {
                ServiceError::Conflict("an account with this email already exists".to_owned())
            }
            other => other.into(),
        })?;
        Ok(user)
    }

    fn get(&self, actor: &Actor, id: &str) -> Result<User, ServiceError> {
        match self.users.by_id(id)? {
            Some(user) if actor.can_see(&user.id) => Ok(user),
            _ => Err(ServiceError::NotFound("user")),
        }
    }

    fn find_by_email(&self, email: &str) -> Result<Option<User>, ServiceError> {
        Ok(self.users.by_email(&email.trim().to_lowercase())?)
    }

    fn list(&self, actor: &Actor) -> Result<Vec<User>, ServiceError> {
        if actor.role != Role::Admin {
            return Err(ServiceError::Forbidden("only admins may list users".to_owned()));
        }
        Ok(self.users.list()?)
    }
}

#[cfg(test)]
mod tests;
