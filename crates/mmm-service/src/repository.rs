//! Repository traits: what the services need from storage. `mmm-db` implements them with diesel;
//! the service tests use their mockall mocks (feature `mock`).

use crate::domain::{
    DatasetInfo, DatasetRecord, JobRecord, Listing, ModelInfo, ModelRecord, Page, User,
};
use crate::error::RepoError;
use chrono::NaiveDateTime;

/// Accounts.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait UserRepository: Send + Sync {
    /// Stores a new user; [`RepoError::Conflict`] if the email is taken (case-insensitively).
    fn insert(&self, user: &User) -> Result<(), RepoError>;
    /// Finds a user by lower-cased email.
    fn by_email(&self, email: &str) -> Result<Option<User>, RepoError>;
    /// Finds a user by id.
    fn by_id(&self, id: &str) -> Result<Option<User>, RepoError>;
    /// Every user, oldest first.
    fn list(&self) -> Result<Vec<User>, RepoError>;
    /// Replaces a user's password hash, and refuses tokens issued before `tokens_valid_after`;
    /// `false` if there is no such user.
    fn set_password_hash(
        &self,
        id: &str,
        hash: &str,
        tokens_valid_after: NaiveDateTime,
    ) -> Result<bool, RepoError>;
}

/// Uploaded data sets.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait DatasetRepository: Send + Sync {
    /// Stores a data set.
    fn insert(&self, dataset: &DatasetRecord) -> Result<(), RepoError>;
    /// A data set with its file.
    fn get(&self, id: &str) -> Result<Option<DatasetRecord>, RepoError>;
    /// A page of the data sets of one owner (or all for `None`), newest first, without files.
    // mockall needs the named lifetime for a reference inside an Option.
    #[allow(clippy::needless_lifetimes)]
    fn list<'a>(
        &self,
        owner: Option<&'a str>,
        page: Page,
    ) -> Result<Listing<DatasetInfo>, RepoError>;
    /// Gives a data set another name; nothing else changes. `false` if absent.
    fn rename(&self, id: &str, name: &str) -> Result<bool, RepoError>;
    /// Deletes a data set with its models and jobs, in one transaction. `false` if absent.
    fn delete(&self, id: &str) -> Result<bool, RepoError>;
}

/// Fitted (or training) models and their jobs.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait ModelRepository: Send + Sync {
    /// Stores a new model and its training job, in one transaction.
    fn insert_with_job(&self, model: &ModelInfo, job: &JobRecord) -> Result<(), RepoError>;
    /// A model with its document.
    fn get(&self, id: &str) -> Result<Option<ModelRecord>, RepoError>;
    /// A page of the models of one owner (or all for `None`), newest first, without documents.
    #[allow(clippy::needless_lifetimes)]
    fn list<'a>(&self, owner: Option<&'a str>, page: Page)
    -> Result<Listing<ModelInfo>, RepoError>;
    /// The most recent successfully fitted model of one owner, without its document.
    fn latest_fitted(&self, owner: &str) -> Result<Option<ModelInfo>, RepoError>;
    /// Records the end of training: the model's status, document and metrics and the job's final
    /// state, in one transaction.
    fn finish(&self, model: &ModelRecord, job: &JobRecord) -> Result<(), RepoError>;
    /// Gives a model a name (`None` takes it away); nothing else changes. `false` if absent.
    // mockall needs the named lifetime for a reference inside an Option.
    #[allow(clippy::needless_lifetimes)]
    fn rename<'a>(&self, id: &str, name: Option<&'a str>) -> Result<bool, RepoError>;
    /// Deletes a model and its jobs. `false` if absent.
    fn delete(&self, id: &str) -> Result<bool, RepoError>;
    /// Stores an imported model with the data set it was fitted on and its (finished) job, in
    /// one transaction.
    fn insert_imported(
        &self,
        dataset: &DatasetRecord,
        model: &ModelRecord,
        job: &JobRecord,
    ) -> Result<(), RepoError>;
}

/// Training jobs.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait JobRepository: Send + Sync {
    /// A job.
    fn get(&self, id: &str) -> Result<Option<JobRecord>, RepoError>;
    /// Writes a job's state, progress, message, error and times.
    fn update(&self, job: &JobRecord) -> Result<(), RepoError>;
    /// Marks every queued or running job failed with `message`, and their models failed, in one
    /// transaction; returns how many jobs it marked. Run at start, after a crash.
    fn fail_unfinished(&self, message: &str, at: NaiveDateTime) -> Result<usize, RepoError>;
}

/// Whether storage can serve requests: reachable, with every migration applied.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait HealthCheck: Send + Sync {
    /// `Err` says what is wrong, for logs and the readiness route.
    fn ready(&self) -> Result<(), String>;
}
