//! The records the services work with, independent of any database.

use chrono::{NaiveDate, NaiveDateTime};
use mmm_core::dataset::ColumnRoles;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The current time as stored (UTC, microsecond precision, which both databases keep exactly).
pub fn now() -> NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// A new random identifier.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown {} '{other}'", stringify!($name))),
                }
            }
        }
    };
}

text_enum!(
    /// What a user may do.
    Role {
        /// Sees and manages their own objects.
        User => "user",
        /// Sees every user's objects.
        Admin => "admin",
    }
);

text_enum!(
    /// Where a model is in its life.
    ModelStatus {
        /// A training job is queued or running.
        Training => "training",
        /// Fitted; the document is stored.
        Succeeded => "succeeded",
        /// Training failed.
        Failed => "failed",
        /// Training was cancelled.
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// Where a training job is.
    JobState {
        /// Waiting for a worker.
        Queued => "queued",
        /// Fitting.
        Running => "running",
        /// Done; the model is stored.
        Succeeded => "succeeded",
        /// Failed; see the error.
        Failed => "failed",
        /// Cancelled by its owner.
        Cancelled => "cancelled",
    }
);

impl JobState {
    /// Whether the job can no longer change.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobState::Succeeded | JobState::Failed | JobState::Cancelled)
    }
}

/// Who is acting: every service call that touches owned data takes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User id.
    pub user_id: String,
    /// The user's role.
    pub role: Role,
}

impl Actor {
    /// Whether this actor may see an object owned by `owner_id`.
    pub fn can_see(&self, owner_id: &str) -> bool {
        self.role == Role::Admin || self.user_id == owner_id
    }

    /// The owner filter for listings: `None` (everything) for admins.
    pub fn owner_filter(&self) -> Option<&str> {
        (self.role != Role::Admin).then_some(self.user_id.as_str())
    }
}

/// A slice of a listing (newest first): at most `limit` items after the first `offset`, or
/// every item from `offset` on when `limit` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Page {
    /// Items skipped.
    pub offset: u64,
    /// Most items given.
    pub limit: Option<u64>,
}

impl Page {
    /// The whole listing.
    pub const ALL: Page = Page { offset: 0, limit: None };
}

/// A page of a listing, and how many items the whole listing holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// Items in the whole listing.
    pub total: u64,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    /// Identifier.
    pub id: String,
    /// Email, lower-cased.
    pub email: String,
    /// Display name.
    pub full_name: Option<String>,
    /// bcrypt hash of the password.
    #[serde(skip)]
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
    /// Tokens issued before this time (UTC, whole seconds) are refused: the last password
    /// change. `None` until the password first changes.
    #[serde(skip)]
    pub tokens_valid_after: Option<NaiveDateTime>,
}

impl User {
    /// The actor this user acts as.
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.id.clone(), role: self.role }
    }
}

/// A stored data set without its file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetInfo {
    /// Identifier.
    pub id: String,
    /// Owner's user id.
    pub owner_id: String,
    /// Name given at upload (or the file name).
    pub name: String,
    /// Role of each column.
    pub roles: ColumnRoles,
    /// `daily`, `weekly` or `monthly`.
    pub frequency: String,
    /// Periods with a KPI value (the model's periods).
    pub row_count: i64,
    /// Periods of media history before them (leading rows with an empty KPI).
    pub history_count: i64,
    /// First period.
    pub start_date: NaiveDate,
    /// Last period.
    pub end_date: NaiveDate,
    /// SHA-256 of the file, hex.
    pub content_hash: String,
    /// Upload time (UTC).
    pub created_at: NaiveDateTime,
}

/// A stored data set with the original file.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetRecord {
    /// Everything but the file.
    pub info: DatasetInfo,
    /// The CSV as uploaded.
    pub csv: String,
}

/// What to fit, as stored with a model.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TrainRequest {
    /// Data set to fit.
    pub dataset_id: String,
    /// KPI column (default: the data set's).
    pub kpi: Option<String>,
    /// Media columns (default: the data set's).
    pub media: Option<Vec<String>>,
    /// Control columns (default: the data set's).
    pub controls: Option<Vec<String>>,
    /// Media-unit columns by media column (default: the data set's pairs, for the media
    /// columns fitted, and for one the request adds, the column named for its units that the
    /// data set left unused); an empty map fits every channel on its spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_units: Option<std::collections::BTreeMap<String, String>>,
    /// Periods held out of the fit.
    #[serde(default)]
    pub holdout: usize,
    /// Knots where the trend may bend (default: the engine's, 4; 0 keeps it straight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend_knots: Option<usize>,
    /// Most yearly harmonics the season may have (default: the engine's, 6; 2 keeps it smooth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_yearly_harmonics: Option<usize>,
    /// Whether the noise may carry over from period to period (default: the engine's, yes;
    /// `false` keeps it independent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocorrelated_noise: Option<bool>,
    /// Whether a channel's carry-over may peak after its spend (default: the engine's, yes;
    /// `false` keeps the geometric adstock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delayed_adstock: Option<bool>,
    /// Whether weekly and daily data may have recurring events the file does not mark (default: the
    /// engine's, yes; `false` leaves them to the residuals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_events: Option<bool>,
    /// Recurring events the caller knows of: each gets a baseline term.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<mmm_core::events::Rule>,
    /// A country's holidays to ask the data about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holidays: Option<mmm_core::events::Holidays>,
    /// Seed of the search.
    pub seed: Option<u64>,
    /// `map` (default) or `bayes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Bayesian fit: chains, draws and warm-up draws per chain (defaults 4, 1000, 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampler: Option<SamplerRequest>,
    /// Lift-test results that calibrate a Bayesian fit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lift_tests: Vec<mmm_core::spec::LiftTest>,
    /// Priors (default: the documented weakly-informative ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priors: Option<mmm_core::Priors>,
    /// Set by the server on imported models: where the model came from, e.g.
    /// `google-meridian 2.1.0 (model.binpb)`. `None` for models mmm fitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// Sampler settings asked for with a Bayesian fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SamplerRequest {
    /// Chains (1 to 8).
    pub chains: Option<usize>,
    /// Draws per chain after warm-up (50 to 5000).
    pub draws: Option<usize>,
    /// Warm-up draws per chain (50 to 5000).
    pub tune: Option<usize>,
}

/// A stored model without its document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// Identifier.
    pub id: String,
    /// Owner's user id.
    pub owner_id: String,
    /// Data set it was fitted on.
    pub dataset_id: String,
    /// What was asked for.
    pub spec: TrainRequest,
    /// Status.
    pub status: ModelStatus,
    /// Fit metrics (R², MAPE, ...) once fitted, as JSON.
    pub metrics: Option<serde_json::Value>,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
    /// When training ended.
    pub finished_at: Option<NaiveDateTime>,
    /// The name its owner gave it, if any (1 to [`MAX_NAME_LEN`](crate::datasets::MAX_NAME_LEN)
    /// characters).
    pub name: Option<String>,
}

/// A stored model with its document (JSON text) once fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRecord {
    /// Everything but the document.
    pub info: ModelInfo,
    /// The model document as JSON.
    pub document: Option<String>,
}

/// A training job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRecord {
    /// Identifier.
    pub id: String,
    /// Owner's user id.
    pub owner_id: String,
    /// Model being trained.
    pub model_id: String,
    /// State.
    pub state: JobState,
    /// Fraction done, 0 to 1.
    pub progress: f64,
    /// Latest progress message.
    pub message: String,
    /// Why it failed.
    pub error: Option<String>,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
    /// When a worker picked it up.
    pub started_at: Option<NaiveDateTime>,
    /// When it ended.
    pub finished_at: Option<NaiveDateTime>,
}

/// A progress event, as streamed to subscribers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobEvent {
    /// Job.
    pub job_id: String,
    /// State after the event.
    pub state: JobState,
    /// Fraction done.
    pub progress: f64,
    /// Message.
    pub message: String,
}

impl From<&JobRecord> for JobEvent {
    fn from(j: &JobRecord) -> Self {
        JobEvent {
            job_id: j.id.clone(),
            state: j.state,
            progress: j.progress,
            message: j.message.clone(),
        }
    }
}
