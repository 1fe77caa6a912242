//! Request and response bodies, with their OpenAPI schemas and examples.

use crate::error::ApiError;
use chrono::{DateTime, NaiveDate, Utc};
use mmm_core::checks::DataCheck;
use mmm_core::dataset::channel_name;
use mmm_service::domain::{DatasetInfo, JobRecord, ModelInfo, Page, User};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "2f1c...", "email": "ann@example.com", "full_name": "Ann Analyst",
    "role": "user", "created_at": "2026-11-22T10:00:00Z"}))]
pub struct UserOut {
    /// Identifier.
    pub id: String,
    /// Email (lower-cased).
    pub email: String,
    /// Display name.
    pub full_name: Option<String>,
    /// `user` or `admin`.
    pub role: String,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            email: u.email.clone(),
            full_name: u.full_name.clone(),
            role: u.role.to_string(),
            created_at: u.created_at.and_utc(),
        }
    }
}

/// Sign-up details.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "ann@example.com", "password": "correct horse", "full_name": "Ann Analyst"}))]
pub struct RegisterIn {
    /// Email address.
    #[schema(format = Email)]
    pub email: String,
    /// At least 8 characters, at most 72 bytes.
    #[schema(min_length = 8)]
    pub password: String,
    /// Display name.
    pub full_name: Option<String>,
}

/// A password change: the current password, and the new one.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"current_password": "correct horse", "new_password": "battery staple"}))]
pub struct PasswordChangeIn {
    /// The account's password now.
    pub current_password: String,
    /// The new password: at least 8 characters, at most 72 bytes.
    #[schema(min_length = 8)]
    pub new_password: String,
}

/// OAuth2 password form (`application/x-www-form-urlencoded`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginForm {
    /// The email.
    pub username: String,
    /// The password.
    pub password: String,
}

/// An access token.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9...", "token_type": "bearer", "expires_in": 1800}))]
pub struct TokenOut {
    /// The JWT, sent back as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

impl From<mmm_service::Token> for TokenOut {
    fn from(token: mmm_service::Token) -> Self {
        Self {
            access_token: token.access_token,
            token_type: token.token_type.to_owned(),
            expires_in: token.expires_in,
        }
    }
}

/// A new account's token and the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredOut {
    /// The JWT.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    /// The new user.
    pub user: UserOut,
}

/// Column roles of a data set.
#[derive(Debug, Serialize, ToSchema)]
pub struct RolesOut {
    /// Date column.
    pub date: String,
    /// KPI column.
    pub kpi: String,
    /// Media spend columns.
    pub media: Vec<String>,
    /// The channel each media column measures, in the same order: the name that models,
    /// lift tests and ROI priors use (the column name without `_spend`).
    pub channels: Vec<String>,
    /// Media-unit columns (`<channel>_media`, `<channel>_impressions`, `<channel>_grps`,
    /// `<channel>_clicks`, ... beside a media column).
    /// Their channels are fitted on them instead of the spend; ROI stays per unit of spend.
    pub media_units: Vec<String>,
    /// The media-unit column each media column's channel is fitted on, in the same order as
    /// `media`; null for a channel fitted on its spend.
    pub units: Vec<Option<String>>,
    /// Control columns.
    pub controls: Vec<String>,
    /// Columns not used.
    pub ignored: Vec<String>,
}

/// A stored data set.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "8d0e...", "name": "weekly sales", "frequency": "weekly", "rows": 156, "history_rows": 0,
    "start_date": "2022-01-03", "end_date": "2024-12-23",
    "roles": {"date": "date", "kpi": "revenue", "media": ["tv_spend", "search_spend"], "channels": ["tv", "search"], "media_units": [], "units": [null, null], "controls": ["price_index"], "ignored": []},
    "content_hash": "9f86d08...", "created_at": "2026-11-22T10:00:00Z", "owner_id": "2f1c..."}))]
pub struct DatasetOut {
    /// Identifier.
    pub id: String,
    /// Owner.
    pub owner_id: String,
    /// Name.
    pub name: String,
    /// `daily`, `weekly` or `monthly`.
    pub frequency: String,
    /// Periods with a KPI value: the model's periods.
    pub rows: i64,
    /// Periods of media history before `start_date` (leading rows with an empty KPI): their
    /// spend carries over into the first periods; they are not fitted.
    pub history_rows: i64,
    /// First period.
    pub start_date: NaiveDate,
    /// Last period.
    pub end_date: NaiveDate,
    /// Column roles.
    pub roles: RolesOut,
    /// SHA-256 of the uploaded file.
    pub content_hash: String,
    /// Upload time (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<&DatasetInfo> for DatasetOut {
    fn from(d: &DatasetInfo) -> Self {
        Self {
            id: d.id.clone(),
            owner_id: d.owner_id.clone(),
            name: d.name.clone(),
            frequency: d.frequency.clone(),
            rows: d.row_count,
            history_rows: d.history_count,
            start_date: d.start_date,
            end_date: d.end_date,
            roles: RolesOut {
                date: d.roles.date.clone(),
                kpi: d.roles.kpi.clone(),
                media: d.roles.media.clone(),
                channels: d.roles.media.iter().map(|m| channel_name(m).to_owned()).collect(),
                media_units: d.roles.media_units.clone(),
                units: d
                    .roles
                    .media
                    .iter()
                    .map(|m| d.roles.units_column(m).map(str::to_owned))
                    .collect(),
                controls: d.roles.controls.clone(),
                ignored: d.roles.ignored.clone(),
            },
            content_hash: d.content_hash.clone(),
            created_at: d.created_at.and_utc(),
        }
    }
}

/// A data set with its columns, first rows and data checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct DatasetDetailOut {
    /// The data set.
    #[serde(flatten)]
    pub dataset: DatasetOut,
    /// Column names, in file order.
    pub columns: Vec<String>,
    /// The first rows (at most 10), as text.
    pub preview: Vec<Vec<String>>,
    /// What in the data will limit what a model can tell, warnings first.
    pub checks: Vec<DataCheckOut>,
}

/// A stored data set with its data checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedOut {
    /// The data set.
    #[serde(flatten)]
    pub dataset: DatasetOut,
    /// What in the data will limit what a model can tell, warnings first.
    pub checks: Vec<DataCheckOut>,
}

/// A finding of the data checks: something in the data that will limit what a model can tell,
/// with what would help (docs/data-format.md, "Data checks"). A caution, not an error: the
/// data set is stored and can be fitted.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "correlated", "level": "warning", "columns": ["tv_spend", "search_spend"], "dates": [],
    "title": "tv and search spend move together",
    "message": "tv and search spend move together (correlation 0.91): the data can hardly tell their effects apart, so their split rests on the priors. Varying one without the other (a flight or a lift test) separates them.",
    "numbers": {"correlation": 0.91}}))]
pub struct DataCheckOut {
    /// What it is about: `few_periods`, `short_span`, `constant_control`, `kpi_outlier`,
    /// `spend_spike`, `correlated`, `multicollinear`, `few_active_periods`, `always_on`,
    /// `rarely_off` or `small_channel`.
    pub kind: String,
    /// `warning` (likely to distort results, or a possible data error) or `note` (limits how
    /// precisely the data measure something).
    pub level: String,
    /// Columns concerned.
    pub columns: Vec<String>,
    /// Periods concerned (KPI outliers and spend spikes; at most 5).
    pub dates: Vec<NaiveDate>,
    /// One-line headline.
    pub title: String,
    /// The finding in a sentence or two, with its numbers and what would help.
    pub message: String,
    /// The numbers cited, by name.
    pub numbers: BTreeMap<String, f64>,
}

impl From<&DataCheck> for DataCheckOut {
    fn from(c: &DataCheck) -> Self {
        // The core's names as they serialise (snake case).
        let name = |v: serde_json::Result<Value>| {
            v.ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
        };
        Self {
            kind: name(serde_json::to_value(c.kind)),
            level: name(serde_json::to_value(c.level)),
            columns: c.columns.clone(),
            dates: c.dates.clone(),
            title: c.title.clone(),
            message: c.message.clone(),
            numbers: c.numbers.clone(),
        }
    }
}

/// Optional column roles and name of an upload (query parameters for a `text/csv` body; form
/// fields for a multipart upload).
#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// Name of the data set (default: the file name, or "dataset").
    pub name: Option<String>,
    /// Date column (default `date`).
    pub date_column: Option<String>,
    /// KPI column (default `revenue`).
    pub kpi: Option<String>,
    /// Media columns, comma separated (default: every `*_spend` column). A name with a comma,
    /// an equals sign or a double quote in it goes in double quotes, a quote in it doubled, as
    /// in a CSV file: `"tv, national_spend",radio_spend`.
    pub media: Option<String>,
    /// Control columns, comma separated, names quoted as in `media` (default: every other
    /// numeric column).
    pub controls: Option<String>,
    /// Media-unit columns (impressions, GRPs, clicks) the channels are fitted on, as comma
    /// separated `media_column=units_column` pairs (`tv_spend=tv_exposure`), names quoted as in
    /// `media`; empty fits every channel on its spend. Default: a column named for a channel's
    /// units beside its media column (`tv_media`, `tv_impressions`, `tv_grps`, ...).
    #[param(example = "tv_spend=tv_exposure")]
    #[schema(example = "tv_spend=tv_exposure")]
    pub media_units: Option<String>,
    /// For a file that stacks several geos or markets (one row per geo and date, as Meridian's
    /// geo data): the column that tells them apart. The geos are added up for each date (KPI,
    /// spend and media units summed; controls averaged, weighted by a `population` column if
    /// the file has one) and the national series is stored.
    #[param(example = "geo")]
    #[schema(example = "geo")]
    pub geo_column: Option<String>,
}

/// What to fit.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"dataset_id": "8d0e...", "holdout": 13, "seed": 1}))]
pub struct TrainIn {
    /// Data set to fit.
    pub dataset_id: String,
    /// A name for the model, shown with it (1 to 200 characters once trimmed; none by default).
    /// It can be changed later with `PATCH /api/v1/models/{id}`.
    #[schema(example = "Q3 refresh, with the radio lift test")]
    pub name: Option<String>,
    /// KPI column (default: the data set's).
    pub kpi: Option<String>,
    /// Media columns (default: the data set's).
    pub media: Option<Vec<String>>,
    /// Control columns (default: the data set's).
    pub controls: Option<Vec<String>>,
    /// Media-unit columns to fit channels on, by media column (`{"tv_spend": "tv_exposure"}`);
    /// `{}` fits every channel on its spend. Default: the data set's pairs (`roles.units`) of
    /// the media columns kept, and for a media column the request adds, the unused column
    /// named for its units (`tv_media`, `tv_impressions`, ...), if any.
    #[schema(example = json!({"tv_spend": "tv_media"}))]
    pub media_units: Option<BTreeMap<String, String>>,
    /// Last periods kept out of the fit and scored.
    pub holdout: Option<usize>,
    /// Knots, spread evenly over the data, where the trend may bend (0-12, default 4; 0 keeps
    /// it straight). The fit bends it only when the data are more likely with a bent trend than
    /// with a straight one; the model's `baseline.trend_knots` then lists them.
    #[schema(minimum = 0, maximum = 12, example = 4)]
    pub trend_knots: Option<usize>,
    /// Most yearly harmonics the season may have (0-12, default 6). Beyond the 2 it always has,
    /// the fit adds the rest only when the data are more likely with them (a holiday peak);
    /// 2 keeps the season smooth.
    #[schema(minimum = 0, maximum = 12, example = 6)]
    pub max_yearly_harmonics: Option<usize>,
    /// Whether the noise may carry over from one period to the next (default `true`). The fit
    /// then lets it be autocorrelated (AR(1)) only when the data are more likely with noise
    /// that lingers, and weighs the periods accordingly; the model's
    /// `fit.noise_autocorrelation` gives its autocorrelation. `false` keeps it independent.
    #[schema(example = true)]
    pub autocorrelated_noise: Option<bool>,
    /// Whether a channel's carry-over may peak after its spend (default `true`), as TV's and
    /// radio's often do. The fit then also tries the Weibull adstock, which can delay the peak,
    /// and keeps it only when the data are more likely with it than with the geometric one;
    /// each channel's `adstock` in the model says which it got. `false` keeps the geometric.
    #[schema(example = true)]
    pub delayed_adstock: Option<bool>,
    /// Whether weekly and daily data may have recurring events the file does not mark (default
    /// `true`): a week (or day) the fit misses the same way every year (Black Friday, Christmas,
    /// a yearly sale) then gets a baseline term of its own (the period holding the same date
    /// every year), kept only when the data are more likely with it; the model's
    /// `baseline.events` lists them. Monthly data have none.
    /// `false` leaves them to the residuals, where the insights name them (`events` and
    /// `holidays` are still fitted).
    #[schema(example = true)]
    pub recurring_events: Option<bool>,
    /// Recurring events you know of (weekly and daily data): `MM-DD` (`11-27`), `MM-DD/Fri` for the
    /// first such weekday on or after the date (Black Friday: `11-23/Fri`), or a feast with the
    /// days from it: `easter`, `easter-2` (Good Friday), `orthodox_easter`, `lunar_new_year`,
    /// `eid_al_fitr`, `eid_al_adha`, `mid_autumn`, `dragon_boat`, `diwali`, `islamic_new_year`,
    /// `mawlid`, `isra_miraj`, `holi`, `dussehra` (these two known for 2001-2035),
    /// `buddhas_birthday`, `vernal_equinox`, `autumnal_equinox`, `qingming`, `seollal` or
    /// `chuseok`. An event of several days (92 at most) names its last day after `..`:
    /// `11-20..12-25` (a holiday season), `easter-2..+1` (Good Friday to Easter Monday), `ramadan`
    /// (`eid_al_fitr-30..-1`) or `navratri` (`dussehra-9..-1`); a period that holds part of it gets
    /// that share of its effect. Each gets a baseline term whatever the data's evidence, and must
    /// fall in the fitted periods in two years at least.
    #[serde(default)]
    #[schema(
        value_type = Vec<String>,
        example = json!(["11-27", "easter-2", "eid_al_fitr", "11-20..12-25", "ramadan"])
    )]
    pub events: Vec<mmm_core::events::Rule>,
    /// A country's holidays to ask the data about (`us`, `uk`, `de`, `fr`, `ca`, `au`, `es`,
    /// `it`, `nl`, `br`, `mx`, `jp`, `cn`, `kr`, `in`, `tr`, `sa`, `ae`, `eg` or `id`; weekly
    /// and daily data; Ramadan among the last five): each gets a
    /// term only where the data are more likely with it, at prior odds of one to the number of
    /// holidays, whatever `recurring_events` says (it turns off only the fit's own search). The
    /// model's `spec.candidate_events` lists them.
    #[schema(value_type = Option<String>, example = "us")]
    pub holidays: Option<mmm_core::events::Holidays>,
    /// Seed: the same seed gives the same model.
    pub seed: Option<u64>,
    /// `map` (default: point estimate in well under a second) or `bayes` (NUTS posterior with 90%
    /// intervals on every figure, a few seconds).
    pub method: Option<String>,
    /// Bayesian fit: chains (1-8, default 4).
    #[schema(minimum = 1, maximum = 8)]
    pub chains: Option<usize>,
    /// Bayesian fit: draws per chain (50-5000, default 1000).
    #[schema(minimum = 50, maximum = 5000)]
    pub draws: Option<usize>,
    /// Bayesian fit: warm-up draws per chain (50-5000, default 1000).
    #[schema(minimum = 50, maximum = 5000)]
    pub tune: Option<usize>,
    /// Lift-test results that calibrate the fit (MAP or Bayesian).
    #[serde(default)]
    pub lift_tests: Vec<LiftTestIn>,
    /// Priors: `roi_relative_sd`, `roi_median`, `channel_roi` ({channel: {median, relative_sd}}),
    /// `log_half_saturation_sd`, `shape_median`, `log_shape_sd`, `decay_beta` (see
    /// docs/methodology.md).
    #[schema(value_type = Option<Object>, example = json!({"channel_roi": {"tv": {"median": 1.5, "relative_sd": 0.3}}}))]
    #[serde(default, deserialize_with = "priors_object")]
    pub priors: Option<mmm_core::Priors>,
}

/// The measured result of a lift experiment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"channel": "search", "start": "2024-01-01", "end": "2024-03-25", "incremental": 480000, "standard_error": 40000}))]
pub struct LiftTestIn {
    /// Channel name.
    pub channel: String,
    /// First period of the experiment.
    pub start: NaiveDate,
    /// Last period (inclusive).
    pub end: NaiveDate,
    /// Measured incremental KPI of the channel over those periods.
    pub incremental: f64,
    /// Its standard error.
    pub standard_error: f64,
}

/// Priors given as a JSON object, as documented ([`mmm_core::Priors::from_json`]).
fn priors_object<'de, D>(d: D) -> Result<Option<mmm_core::Priors>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => mmm_core::Priors::from_json(v).map(Some).map_err(D::Error::custom),
    }
}

impl From<LiftTestIn> for mmm_core::spec::LiftTest {
    fn from(l: LiftTestIn) -> Self {
        Self {
            channel: l.channel,
            start: l.start,
            end: l.end,
            incremental: l.incremental,
            standard_error: l.standard_error,
        }
    }
}

/// What to backtest: a stored data set's MAP fits on growing windows.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"folds": 4, "horizon": 13, "seed": 1}))]
pub struct BacktestIn {
    /// Folds (1-20, default 4): fold k, counted from the end, fits the data up to k horizons
    /// before their end and scores the next horizon.
    #[schema(minimum = 1, maximum = 20)]
    pub folds: Option<usize>,
    /// Periods each fold scores (default: a quarter: 13 weeks, 3 months or 91 days).
    #[schema(minimum = 1)]
    pub horizon: Option<usize>,
    /// KPI column (default: the data set's).
    pub kpi: Option<String>,
    /// Media columns (default: the data set's).
    pub media: Option<Vec<String>>,
    /// Control columns (default: the data set's).
    pub controls: Option<Vec<String>>,
    /// Media-unit columns to fit channels on, by media column (`{"tv_spend": "tv_exposure"}`);
    /// `{}` fits every channel on its spend. Default: the data set's pairs (`roles.units`) of
    /// the media columns kept, and for a media column the request adds, the unused column
    /// named for its units (`tv_media`, `tv_impressions`, ...), if any.
    #[schema(example = json!({"tv_spend": "tv_media"}))]
    pub media_units: Option<BTreeMap<String, String>>,
    /// Knots where the trend may bend (0-12, default 4; 0 keeps it straight), as in training.
    #[schema(minimum = 0, maximum = 12)]
    pub trend_knots: Option<usize>,
    /// Most yearly harmonics the season may have (0-12, default 6), as in training.
    #[schema(minimum = 0, maximum = 12)]
    pub max_yearly_harmonics: Option<usize>,
    /// Whether the noise may carry over from period to period (default `true`), as in
    /// training.
    pub autocorrelated_noise: Option<bool>,
    /// Whether a channel's carry-over may peak after its spend (default `true`), as in
    /// training.
    pub delayed_adstock: Option<bool>,
    /// Whether weekly and daily data may have recurring events (default `true`), as in training.
    pub recurring_events: Option<bool>,
    /// Recurring events you know of, as in training.
    #[serde(default)]
    #[schema(value_type = Vec<String>, example = json!(["11-27"]))]
    pub events: Vec<mmm_core::events::Rule>,
    /// A country's holidays to ask the data about, as in training.
    #[schema(value_type = Option<String>, example = "us")]
    pub holidays: Option<mmm_core::events::Holidays>,
    /// Seed of each fit.
    pub seed: Option<u64>,
    /// Lift-test results; each fold uses those that end inside its window.
    #[serde(default)]
    pub lift_tests: Vec<LiftTestIn>,
    /// Priors, as for training.
    #[schema(value_type = Option<Object>)]
    #[serde(default, deserialize_with = "priors_object")]
    pub priors: Option<mmm_core::Priors>,
}

/// A training job was queued.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"model_id": "5b7a...", "job_id": "c3d4...", "status": "queued",
    "job_url": "/api/v1/jobs/c3d4...", "ws_url": "/api/v1/jobs/c3d4.../ws"}))]
pub struct TrainOut {
    /// The model being trained.
    pub model_id: String,
    /// Its training job.
    pub job_id: String,
    /// Job state (`queued`).
    pub status: String,
    /// Where to poll the job.
    pub job_url: String,
    /// Where to stream its progress (WebSocket).
    pub ws_url: String,
}

/// A model and, once fitted, its document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelOut {
    /// Identifier.
    pub id: String,
    /// Owner.
    pub owner_id: String,
    /// Data set it was fitted on.
    pub dataset_id: String,
    /// `training`, `succeeded`, `failed` or `cancelled`.
    pub status: String,
    /// What was asked for.
    #[schema(value_type = Object)]
    pub spec: Value,
    /// Fit metrics once fitted.
    #[schema(value_type = Option<Object>)]
    pub metrics: Option<Value>,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// When training ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// `fit` for models mmm fitted; for imports, where the model came from, e.g.
    /// `google-meridian 2.1.0 (model.binpb)`.
    pub origin: String,
    /// The name its owner gave it (`null` until one is given).
    #[schema(example = "Q3 refresh, with the radio lift test")]
    pub name: Option<String>,
    /// The model document (see docs/methodology.md), once fitted; omitted in listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub document: Option<Value>,
}

impl From<&ModelInfo> for ModelOut {
    fn from(m: &ModelInfo) -> Self {
        Self {
            id: m.id.clone(),
            owner_id: m.owner_id.clone(),
            dataset_id: m.dataset_id.clone(),
            status: m.status.to_string(),
            spec: serde_json::to_value(&m.spec).unwrap_or(Value::Null),
            metrics: m.metrics.clone(),
            created_at: m.created_at.and_utc(),
            finished_at: m.finished_at.map(|t| t.and_utc()),
            origin: m.spec.origin.clone().unwrap_or_else(|| "fit".to_owned()),
            name: m.name.clone(),
            document: None,
        }
    }
}

/// Changes to a data set's record. A field left out stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "weekly sales, 2022-2024"}))]
pub struct DatasetPatchIn {
    /// The data set's new name (1 to 200 characters once trimmed).
    pub name: Option<String>,
}

/// Changes to a model's record. A field left out stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Q3 refresh, with the radio lift test"}))]
pub struct ModelPatchIn {
    /// The model's new name (1 to 200 characters once trimmed), or `null` to take its name
    /// away.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub name: Option<Option<String>>,
}

/// A field that is present, as `Some` of its value (`null` included): absent fields stay `None`
/// through `#[serde(default)]`.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A training job.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "c3d4...", "model_id": "5b7a...", "state": "running", "progress": 0.42,
    "message": "start 5 done, best objective -101.2", "error": null,
    "created_at": "2026-11-22T10:00:00Z", "started_at": "2026-11-22T10:00:00Z", "finished_at": null}))]
pub struct JobOut {
    /// Identifier.
    pub id: String,
    /// Model being trained.
    pub model_id: String,
    /// `queued`, `running`, `succeeded`, `failed` or `cancelled`.
    pub state: String,
    /// Fraction done, 0 to 1.
    pub progress: f64,
    /// Latest progress message.
    pub message: String,
    /// Why it failed.
    pub error: Option<String>,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Start time.
    pub started_at: Option<DateTime<Utc>>,
    /// End time.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<&JobRecord> for JobOut {
    fn from(j: &JobRecord) -> Self {
        Self {
            id: j.id.clone(),
            model_id: j.model_id.clone(),
            state: j.state.to_string(),
            progress: j.progress,
            message: j.message.clone(),
            error: j.error.clone(),
            created_at: j.created_at.and_utc(),
            started_at: j.started_at.map(|t| t.and_utc()),
            finished_at: j.finished_at.map(|t| t.and_utc()),
        }
    }
}

/// A progress event on the WebSocket.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"job_id": "c3d4...", "state": "running", "progress": 0.42, "message": "start 5 done"}))]
pub struct JobEventOut {
    /// Job.
    pub job_id: String,
    /// State after the event.
    pub state: String,
    /// Fraction done.
    pub progress: f64,
    /// Message.
    pub message: String,
}

/// Which model an analytics route reads.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ModelQuery {
    /// Model id (default: the caller's most recent successfully fitted model).
    pub model_id: Option<String>,
}

/// A page of a listing; without either, the whole listing. The number of items in the whole
/// listing is in the `X-Total-Count` header.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Most items given (1 to 1000; default: all).
    #[param(minimum = 1, maximum = 1000, example = 50)]
    pub limit: Option<u64>,
    /// Items skipped, newest first (0 to 1,000,000,000; default 0).
    #[param(minimum = 0, maximum = 1_000_000_000, example = 0)]
    pub offset: Option<u64>,
}

impl ListQuery {
    /// The page asked for; 422 naming `limit` outside 1-1000 or `offset` past 10^9.
    pub fn page(&self) -> Result<Page, ApiError> {
        let refuse = |field: &str, reason: &str| {
            ApiError::invalid(format!("{field} must be {reason}"))
                .with_details(vec![json!({"field": field, "reason": reason})])
        };
        if self.limit.is_some_and(|l| !(1..=1000).contains(&l)) {
            return Err(refuse("limit", "between 1 and 1000"));
        }
        let offset = self.offset.unwrap_or(0);
        if offset > 1_000_000_000 {
            return Err(refuse("offset", "at most 1000000000"));
        }
        Ok(Page { offset, limit: self.limit })
    }
}

/// Response-curve options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CurveQuery {
    /// Model id (default: the caller's most recent successfully fitted model).
    pub model_id: Option<String>,
    /// Points per curve (2 to 500, default 61).
    #[param(minimum = 2, maximum = 500)]
    pub points: Option<usize>,
    /// The curve spans 0 to this multiple of the channel's largest historical spend (0.1 to 10,
    /// default 3).
    #[param(minimum = 0.1, maximum = 10)]
    pub max_multiple: Option<f64>,
}

/// Export format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Model id (default: the caller's most recent successfully fitted model).
    pub model_id: Option<String>,
    /// `json` (default), `csv` or `txt`.
    #[param(pattern = "^(json|csv|txt)$")]
    pub format: Option<String>,
}

/// The multipart form of a data set upload: the file and the same optional fields as the query
/// parameters of a `text/csv` upload.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DatasetUpload {
    /// The CSV file.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Name and column roles.
    #[serde(flatten)]
    pub fields: UploadParams,
}

/// The multipart form of a Meridian import.
#[derive(Debug, ToSchema)]
pub struct MeridianUpload {
    /// The `.binpb` file Meridian's `save_meridian` wrote.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Export format of the decomposition.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TableExportQuery {
    /// Model id (default: the caller's most recent successfully fitted model).
    pub model_id: Option<String>,
    /// `json` (default) or `csv`.
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// WebSocket authentication.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsQuery {
    /// The access token, for clients that cannot send an Authorization header.
    pub token: Option<String>,
}

/// A country whose holidays a fit can ask about (`holidays` in a training or backtest request).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "tr", "country": "Turkey", "events": [
    {"event": "01-01", "label": "1 January"}, {"event": "ramadan", "label": "Ramadan"},
    {"event": "eid_al_fitr..+2", "label": "Eid al-Fitr and the 2 days after"}]}))]
pub struct HolidaysOut {
    /// The code a request gives (`holidays: "tr"`).
    pub code: String,
    /// The country's name.
    pub country: String,
    /// The holidays asked, in the order the fit asks them.
    pub events: Vec<HolidayOut>,
}

/// One holiday of a country's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayOut {
    /// The event as a request's `events` would name it (`11-22/Thu`, `easter-2`, `ramadan`).
    #[schema(example = "11-22/Thu")]
    pub event: String,
    /// When it falls, as people write it.
    #[schema(example = "the Thursday of 22-28 November")]
    pub label: String,
    /// Only with `year`: the days it falls on that year, one run of days each. Mostly one; two
    /// where an Islamic feast falls twice in the year or a span runs over New Year; none where
    /// the feast's table does not reach the year (Holi and Dussehra are known for 2001-2035).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!([{"first": "2027-11-25", "last": "2027-11-25",
        "label": "25 November"}]))]
    pub days: Option<Vec<DaysOut>>,
}

/// A run of days a holiday holds in a year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"first": "2026-02-18", "last": "2026-03-19",
    "label": "18 February to 19 March"}))]
pub struct DaysOut {
    /// The first day.
    pub first: NaiveDate,
    /// The last day (the first, for a holiday of one day).
    pub last: NaiveDate,
    /// The days as people write them.
    pub label: String,
}

/// Options of the holiday lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HolidaysQuery {
    /// Also give the days each holiday falls on in this year (1 to 9999), to check a list
    /// against a calendar before fitting.
    #[param(minimum = 1, maximum = 9999, example = 2027)]
    pub year: Option<i32>,
}

impl HolidaysOut {
    /// A country's list, with each holiday's days in `year` if one is given.
    pub fn new(holidays: mmm_core::events::Holidays, year: Option<i32>) -> HolidaysOut {
        let days_of = |rule: mmm_core::events::Rule, year: i32| {
            let runs = rule.days_in(year).into_iter();
            runs.map(|(first, last)| DaysOut {
                first,
                last,
                label: mmm_core::events::day_span((first, last)),
            })
            .collect()
        };
        HolidaysOut {
            code: holidays.code().to_owned(),
            country: holidays.country().to_owned(),
            events: holidays
                .rules()
                .into_iter()
                .map(|rule| HolidayOut {
                    event: rule.to_string(),
                    label: rule.label(),
                    days: year.map(|year| days_of(rule, year)),
                })
                .collect(),
        }
    }
}

/// Process liveness.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok", "version": "0.1.0"}))]
pub struct HealthOut {
    /// `ok`.
    pub status: String,
    /// Server version.
    pub version: String,
}

/// Per-channel summary figures.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "tv", "spend": 8114056.43, "contribution": 11921789.76, "roi": 1.47,
    "mroi": 1.81, "share": 0.26, "current_spend": 52774.87, "saturation_point": 621301.45,
    "roi_interval": [1.21, 1.73], "roi_contraction": 0.94, "roi_contraction_limit": 0.99,
    "on_media_units": false}))]
pub struct ChannelSummaryOut {
    /// Channel.
    pub name: String,
    /// Total spend over the data.
    pub spend: f64,
    /// Total incremental KPI: the posterior mean (for MAP fits, averaged over the curve shapes
    /// the data allow). The channel's periods in `/mmm/contribution` add up to it.
    pub contribution: f64,
    /// contribution / spend.
    pub roi: f64,
    /// Marginal ROI at current spend: a posterior mean, like the ROI.
    pub mroi: f64,
    /// Share of the media contribution.
    pub share: f64,
    /// Mean spend per period over the last quarter: 13 weeks, 91 days or 3 months.
    pub current_spend: f64,
    /// Spend per period reaching 90% of the maximum effect.
    pub saturation_point: f64,
    /// 90% interval of the ROI: credible for Bayesian fits and imported models, approximate
    /// for MAP fits (from the importance sample over the curve shapes that gives the ROI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roi_interval: Option<[f64; 2]>,
    /// 90% interval of the mROI (credible, or approximate for MAP fits, like the ROI's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mroi_interval: Option<[f64; 2]>,
    /// 90% interval of the contribution (credible, or approximate for MAP fits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contribution_interval: Option<[f64; 2]>,
    /// 90% interval of the share over the posterior draws (credible for Bayesian fits and
    /// imported models, approximate for MAP fits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_interval: Option<[f64; 2]>,
    /// How much the data narrowed the ROI prior, `1 − posterior variance / prior variance`:
    /// near 0 the ROI is the prior's, near 1 the data's. Below 0.5 treat the ROI as weakly
    /// identified. Absent when the ROI has no prior (prior turned off, imported models).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roi_contraction: Option<f64>,
    /// The most the noise alone would let the data narrow the ROI prior: the contraction with
    /// the channel's curve known and its spend moving independently of everything else. Under
    /// 0.75 the channel is noise-limited: its effect is too faint beside the noise for these
    /// data to measure, whatever the spend pattern, and only a lift test or a prior moves it.
    /// Absent where `roi_contraction` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roi_contraction_limit: Option<f64>,
    /// Whether the channel was fitted on its media units (impressions, GRPs, ...) rather than
    /// its spend: its carry-over and saturation apply to the units, valued at the data's
    /// average spend per unit, and its ROI and mROI stay per unit of spend.
    pub on_media_units: bool,
}

/// Helper for examples in route docs.
pub fn example_problem() -> Value {
    json!({"column": "tv_spend", "line": 4, "reason": "negative spend -3"})
}
