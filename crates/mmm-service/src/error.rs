//! Errors of the repositories and the services.

use mmm_core::DataErrors;

/// A storage failure, as the repositories report it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RepoError {
    /// A unique constraint refused the write (e.g. an email already registered).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A referenced row does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The database failed; the text is for logs, never for clients.
    #[error("database error: {0}")]
    Backend(String),
}

/// What a service call can fail with. The API maps each variant to one HTTP status.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServiceError {
    /// The object does not exist, or belongs to someone else.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request is well-formed but its content is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The uploaded data has problems; every one is listed.
    #[error("{0}")]
    Data(DataErrors),
    /// Wrong credentials or a bad token.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The object already exists (e.g. email taken).
    #[error("{0}")]
    Conflict(String),
    /// The object is in a state that does not allow this (e.g. cancelling a finished job).
    #[error("{0}")]
    State(String),
    /// Too much work queued; try again later.
    #[error("{0}")]
    Busy(String),
    /// Something failed inside; the text is for logs, never for clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<RepoError> for ServiceError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Conflict(m) => ServiceError::Conflict(m),
            RepoError::NotFound(_) => ServiceError::NotFound("object"),
            RepoError::Backend(m) => ServiceError::Internal(m),
        }
    }
}
