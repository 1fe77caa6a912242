//! Analytics over a fitted model: status, channels, contributions, response curves, insights,
//! and their export.

use crate::auth::AuthUser;
use crate::dto::{ChannelSummaryOut, CurveQuery, ExportQuery, ModelQuery, TableExportQuery};
use crate::error::{ApiError, ErrorBody, blocking};
use crate::extract::Query;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use mmm_core::ModelDocument;
use mmm_core::document::{CURVE_MAX_MULTIPLE, CURVE_POINTS, CurvePoint, recent_mean};
use mmm_core::export::Table;
use mmm_core::insights::{Insight, insights, noise_limit};
use mmm_service::domain::ModelInfo;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa::ToSchema;

/// The document of the model a request names (from the cache without leaving the async thread
/// when possible), or of the caller's latest fitted one.
async fn document(
    state: &AppState,
    user: &AuthUser,
    model_id: Option<String>,
) -> Result<Arc<ModelDocument>, ApiError> {
    if let Some(id) = model_id.as_deref().filter(|s| !s.is_empty())
        && let Some(found) = state.models.cached_document(&user.actor(), id)
    {
        return Ok(found?);
    }
    Ok(resolve(state, user, model_id).await?.1)
}

/// The model a request names, or the caller's latest fitted one.
async fn resolve(
    state: &AppState,
    user: &AuthUser,
    model_id: Option<String>,
) -> Result<(ModelInfo, Arc<ModelDocument>), ApiError> {
    let service = state.models.clone();
    let actor = user.actor();
    blocking(move || {
        let info = match model_id.filter(|s| !s.is_empty()) {
            Some(id) => service.get(&actor, &id)?,
            None => service.latest(&actor)?,
        };
        let doc = service.document(&actor, &info.id)?;
        Ok((info, doc))
    })
    .await
}

/// Model, data range, fit metrics and cache state.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusOut {
    /// Model id.
    pub model_id: String,
    /// Data set id.
    pub dataset_id: String,
    /// Where the model comes from: `fit` (fitted by mmm) or `meridian` (imported).
    pub origin: String,
    /// The program that produced the model, e.g. `mmm 0.1.0` or
    /// `google-meridian 2.1.0 (imported by mmm 0.1.0)`.
    pub engine: String,
    /// For an imported model, how its figures relate to the tool's own: definitions that
    /// differ, and for a Meridian geo model, which figures are its geos' sum and which come
    /// from one national curve per channel. Empty for models mmm fitted.
    #[schema(example = json!(["a geo model of 5 geos, imported as its national total: ..."]))]
    pub notes: Vec<String>,
    /// Where the trend bends (positions over the fitting window, 0 at its first period and 1 at
    /// its last): the knots the data asked for. Empty for a straight trend.
    #[schema(example = json!([0.2, 0.4, 0.6, 0.8]))]
    pub trend_knots: Vec<f64>,
    /// Harmonics of the yearly season (2 unless the data asked for more; 0 without one).
    #[schema(example = 2)]
    pub yearly_harmonics: usize,
    /// The noise's autocorrelation from one period to the next, when the data asked for noise
    /// that lingers; `null` when it is independent.
    #[schema(example = 0.45)]
    pub noise_autocorrelation: Option<f64>,
    /// The share of the noise's variance that carries over, when the rest comes and goes within
    /// the period (a slow part beside independent noise); `null` when all of it carries over
    /// or the noise is independent.
    #[schema(example = 0.5)]
    pub noise_autocorrelated_share: Option<f64>,
    /// The channels whose carry-over peaks after the spend (the data asked for the Weibull
    /// adstock, or the model was fitted with it), with the lag of the peak in periods. Empty
    /// when every channel's effect is largest in the period of its spend.
    #[schema(example = json!([{"channel": "tv", "lag": 2}]))]
    pub late_peaks: Vec<LatePeakOut>,
    /// Recurring events the fit found in weekly or daily data: each the period (week or day)
    /// holding a calendar date every year (or a day that keeps its weekday, or that moves with
    /// Easter, Orthodox Easter, Lunar New Year or an Eid), and its effect on the KPI in that
    /// period.
    /// Empty when the data did not ask for any (or the model was fitted with
    /// `recurring_events: false`).
    #[schema(example = json!([{"month": 11, "day": 27, "label": "27 November", "effect": 181000.0, "named": false}]))]
    pub recurring_events: Vec<RecurringEventOut>,
    /// Estimation method: `map` or `bayes`.
    pub method: String,
    /// Posterior draws the model keeps (0 for a MAP fit without the ROI prior): its curves,
    /// intervals, saturation points and the optimiser's expected response come from them.
    #[schema(example = 200)]
    pub posterior_draws: usize,
    /// KPI name.
    pub kpi: String,
    /// `daily`, `weekly` or `monthly`.
    pub frequency: String,
    /// First period.
    pub start: String,
    /// Last period.
    pub end: String,
    /// Periods.
    pub periods: usize,
    /// Channel names.
    pub channels: Vec<String>,
    /// The model's controls and their usual levels: where a plan's forecast holds them unless
    /// the plan gives their values.
    pub controls: Vec<ControlLevelOut>,
    /// R², MAPE, NRMSE, residual sd, holdout scores.
    #[schema(value_type = Object)]
    pub fit: Value,
    /// Model cache counters.
    #[schema(value_type = Object, example = json!({"capacity": 64, "entries": 3, "hits": 120, "misses": 3}))]
    pub cache: Value,
}

/// A channel whose carry-over peaks after the spend.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"channel": "tv", "lag": 2}))]
pub struct LatePeakOut {
    /// Channel name.
    pub channel: String,
    /// Periods after the spend at which its effect is largest.
    pub lag: usize,
}

/// A recurring event of a model: the week holding a calendar date every year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"month": 11, "day": 27, "label": "27 November", "effect": 181000.0, "named": false}))]
pub struct RecurringEventOut {
    /// Month of the date, 1-12 (0 for an event that moves with a feast).
    pub month: u32,
    /// Day of the month (0 for an event that moves with a feast).
    pub day: u32,
    /// The weekday the event keeps in daily data ("Fri": the first Friday on or after the
    /// date, as Black Friday is the first on or after 23 November); absent when it keeps its
    /// date.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "Fri")]
    pub weekday: Option<chrono::Weekday>,
    /// Days from Easter Sunday, for an event that moves with Easter (Good Friday: -2; `month`
    /// and `day` are then 0); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub easter: Option<i32>,
    /// Days from Orthodox Easter Sunday, for an event that moves with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = -2)]
    pub orthodox_easter: Option<i32>,
    /// Days from Lunar New Year, for an event that moves with it (its eve: -1); absent
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = -1)]
    pub lunar_new_year: Option<i32>,
    /// Days from Eid al-Fitr (Umm al-Qura calendar), for an event that moves with it; absent
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub eid_al_fitr: Option<i32>,
    /// Days from Eid al-Adha (Umm al-Qura calendar), for an event that moves with it; absent
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub eid_al_adha: Option<i32>,
    /// Days from the Mid-Autumn Festival (15th day of the 8th lunar month), for an event that
    /// moves with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub mid_autumn: Option<i32>,
    /// Days from the Dragon Boat Festival (5th day of the 5th lunar month), for an event that
    /// moves with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub dragon_boat: Option<i32>,
    /// Days from Diwali, for an event that moves with it (Dhanteras: -2); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = -2)]
    pub diwali: Option<i32>,
    /// Days from the Islamic New Year (1 Muharram, Umm al-Qura calendar), for an event that
    /// moves with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub islamic_new_year: Option<i32>,
    /// Days from the Prophet's Birthday (12 Rabi' al-Awwal, Umm al-Qura calendar), for an event
    /// that moves with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub mawlid: Option<i32>,
    /// Days from Isra and Mi'raj (27 Rajab, Umm al-Qura calendar), for an event that moves
    /// with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub isra_miraj: Option<i32>,
    /// Days from Holi (India's gazetted day, 2001-2035), for an event that moves with it
    /// (Holika Dahan: -1); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = -1)]
    pub holi: Option<i32>,
    /// Days from Dussehra (India's gazetted day, 2001-2035), for an event that moves with it;
    /// absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub dussehra: Option<i32>,
    /// Days from Buddha's Birthday (8th day of the 4th month, Korean lunisolar calendar), for
    /// an event that moves with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub buddhas_birthday: Option<i32>,
    /// Days from Japan's Vernal Equinox Day, for an event that moves with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub vernal_equinox: Option<i32>,
    /// Days from Japan's Autumnal Equinox Day, for an event that moves with it; absent
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub autumnal_equinox: Option<i32>,
    /// Days from the Qingming Festival (the sun at 15°, China's time), for an event that moves
    /// with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub qingming: Option<i32>,
    /// Days from Seollal (the Korean lunisolar calendar's New Year), for an event that moves
    /// with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = -1)]
    pub seollal: Option<i32>,
    /// Days from Chuseok (15th day of the 8th month, Korean lunisolar calendar), for an event
    /// that moves with it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub chuseok: Option<i32>,
    /// How many days the event lasts from its day, when more than one (20 November to 25
    /// December: 36; Ramadan: 30); absent for an event of a day.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 36)]
    pub days: Option<u32>,
    /// When it falls, as people write it ("27 November", "the Friday of 23-29 November",
    /// "Easter Sunday", "Lunar New Year's Eve", "20 November to 25 December", "Ramadan").
    pub label: String,
    /// Effect on the KPI of the period (week or day) that holds it, in KPI units; for an event
    /// of several days, of a period that holds all of it or lies wholly within it (a week that
    /// holds three days of a holiday season gets 3/7 of it).
    pub effect: f64,
    /// Whether the training request named it (`events`): its term was given, not asked of the
    /// data.
    pub named: bool,
}

/// A control of a model and its usual levels.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "promo", "mean": 0.15, "recent_mean": 0.23}))]
pub struct ControlLevelOut {
    /// Control (column) name.
    pub name: String,
    /// Mean over the fitting window: a plan's forecast holds the control here unless told
    /// otherwise.
    pub mean: f64,
    /// Mean over the model's last quarter: 13 weeks, 91 days or 3 months (all its periods if it
    /// has fewer).
    pub recent_mean: f64,
}

/// A model's status: which model, what data, how well it fits, and the cache.
#[utoipa::path(
    get, path = "/api/v1/mmm/status", tag = "analytics",
    security(("bearer" = [])), params(ModelQuery),
    responses((status = 200, description = "Status", body = StatusOut),
              (status = 404, description = "No such model, or no fitted model yet", body = ErrorBody))
)]
#[get("/mmm/status")]
pub async fn status(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<ModelQuery>,
) -> Result<HttpResponse, ApiError> {
    let (info, doc) = resolve(&state, &user, q.into_inner().model_id).await?;
    Ok(HttpResponse::Ok().json(StatusOut {
        model_id: info.id,
        dataset_id: info.dataset_id,
        origin: match &doc.origin {
            Some(o) if o.tool == "google-meridian" => "meridian".to_owned(),
            Some(o) => o.tool.clone(),
            None => "fit".to_owned(),
        },
        engine: doc.engine.clone(),
        notes: doc.origin.as_ref().map(|o| o.notes.clone()).unwrap_or_default(),
        trend_knots: doc.baseline.trend_knots.clone(),
        yearly_harmonics: doc.baseline.yearly_harmonics(),
        noise_autocorrelation: doc.fit.noise_autocorrelation,
        noise_autocorrelated_share: doc.fit.noise_autocorrelated_share,
        late_peaks: doc
            .channels
            .iter()
            .map(|c| LatePeakOut { channel: c.name.clone(), lag: c.adstock.peak_lag() })
            .filter(|p| p.lag > 0)
            .collect(),
        recurring_events: doc
            .baseline
            .events
            .iter()
            .flat_map(|e| e.by_date())
            .map(|e| RecurringEventOut {
                month: e.month,
                day: e.day,
                weekday: e.weekday,
                easter: e.easter,
                orthodox_easter: e.orthodox_easter,
                lunar_new_year: e.lunar_new_year,
                eid_al_fitr: e.eid_al_fitr,
                eid_al_adha: e.eid_al_adha,
                mid_autumn: e.mid_autumn,
                dragon_boat: e.dragon_boat,
                diwali: e.diwali,
                islamic_new_year: e.islamic_new_year,
                mawlid: e.mawlid,
                isra_miraj: e.isra_miraj,
                holi: e.holi,
                dussehra: e.dussehra,
                buddhas_birthday: e.buddhas_birthday,
                vernal_equinox: e.vernal_equinox,
                autumnal_equinox: e.autumnal_equinox,
                qingming: e.qingming,
                seollal: e.seollal,
                chuseok: e.chuseok,
                days: e.days,
                label: e.label(),
                effect: e.coefficient,
                named: doc.spec.events.contains(&e.rule()),
            })
            .collect(),
        method: serde_json::to_value(doc.method)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        posterior_draws: doc.posterior.as_ref().map_or(0, Vec::len),
        kpi: doc.kpi.clone(),
        frequency: doc.frequency.to_string(),
        start: doc.start.to_string(),
        end: doc.end.to_string(),
        periods: doc.periods,
        channels: doc.channels.iter().map(|c| c.name.clone()).collect(),
        controls: doc
            .baseline
            .controls
            .iter()
            .map(|c| {
                let values = doc
                    .series
                    .control_values
                    .iter()
                    .find(|v| v.name == c.name)
                    .map_or(&[][..], |v| v.values.as_slice());
                ControlLevelOut {
                    name: c.name.clone(),
                    mean: c.mean,
                    recent_mean: recent_mean(values, doc.frequency).unwrap_or(c.mean),
                }
            })
            .collect(),
        fit: serde_json::to_value(&doc.fit).map_err(ApiError::internal)?,
        cache: serde_json::to_value(state.models.cache_stats()).map_err(ApiError::internal)?,
    }))
}

/// Each channel's fitted transforms and scale: the MAP point's for models fitted by mmm (MAP or
/// Bayesian), the parameters' posterior means for imports; and, when the model has draws, each
/// parameter's posterior mean and 90% interval over them in `posterior_parameters` (the
/// half-saturation in units of `scale`), in order: `coefficient`, the adstock's parameters
/// (`decay`; a Weibull's `adstock_shape` and `adstock_scale`; a binomial's `alpha`), the
/// saturation's (`half_saturation` and `shape` for a Hill curve, `rate` for a logistic one).
#[utoipa::path(
    get, path = "/api/v1/mmm/channels", tag = "analytics",
    security(("bearer" = [])), params(ModelQuery),
    responses((status = 200, description = "Channels with adstock, saturation, coefficient and scale, and the parameters' posterior summaries when the model has draws", body = Vec<Object>,
               example = json!([{"name": "tv", "column": "tv_spend", "adstock": {"type": "geometric", "decay": 0.6, "max_lag": 8},
                                 "saturation": {"type": "hill", "half_saturation": 1.3, "shape": 1.5},
                                 "coefficient": 430779.3, "scale": 108187.4, "current_spend": 52774.9, "saturation_point": 621301.5,
                                 "posterior_parameters": [{"name": "coefficient", "mean": 451200.7, "interval": [301554.2, 702318.9]},
                                                          {"name": "decay", "mean": 0.62, "interval": [0.55, 0.69]},
                                                          {"name": "half_saturation", "mean": 1.41, "interval": [0.88, 2.35]},
                                                          {"name": "shape", "mean": 1.62, "interval": [1.18, 2.2]}]}])),
              (status = 404, description = "No such model, or no fitted model yet", body = ErrorBody))
)]
#[get("/mmm/channels")]
pub async fn channels(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<ModelQuery>,
) -> Result<HttpResponse, ApiError> {
    let doc = document(&state, &user, q.into_inner().model_id).await?;
    let list: Vec<Value> = doc
        .channels
        .iter()
        .map(|c| {
            json!({"name": c.name, "column": c.column, "adstock": c.adstock, "saturation": c.saturation,
                   "coefficient": c.coefficient, "scale": c.scale, "current_spend": c.current_spend,
                   "saturation_point": c.saturation_point, "posterior_parameters": c.posterior_parameters})
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

fn summary(doc: &ModelDocument) -> Vec<ChannelSummaryOut> {
    doc.channels
        .iter()
        .zip(&doc.series.channels)
        .map(|(c, series)| ChannelSummaryOut {
            name: c.name.clone(),
            spend: c.spend,
            contribution: c.contribution,
            roi: c.roi,
            mroi: c.mroi,
            share: c.share,
            current_spend: c.current_spend,
            saturation_point: c.saturation_point,
            roi_interval: c.roi_interval,
            mroi_interval: c.mroi_interval,
            contribution_interval: c.contribution_interval,
            share_interval: c.share_interval,
            roi_contraction: c.roi_contraction,
            roi_contraction_limit: noise_limit(doc, c).map(|l| l.contraction),
            on_media_units: series.on_media_units(),
        })
        .collect()
}

/// Spend, contribution, ROI, marginal ROI and share per channel, with the ROI's 90% interval and
/// `roi_contraction` (how much the data, rather than the prior, decide the ROI).
#[utoipa::path(
    get, path = "/api/v1/mmm/channels/summary", tag = "analytics",
    security(("bearer" = [])), params(ModelQuery),
    responses((status = 200, description = "One row per channel", body = Vec<ChannelSummaryOut>),
              (status = 404, description = "No such model, or no fitted model yet", body = ErrorBody))
)]
#[get("/mmm/channels/summary")]
pub async fn channels_summary(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<ModelQuery>,
) -> Result<HttpResponse, ApiError> {
    let doc = document(&state, &user, q.into_inner().model_id).await?;
    Ok(HttpResponse::Ok().json(summary(&doc)))
}

/// Per-period decomposition: actual, fitted, baseline parts and each channel's contribution (with
/// its 90% interval over the posterior draws in `channel_intervals`: credible for Bayesian fits
/// and imported models, approximate for MAP fits). With draws, every part is its posterior mean,
/// so a channel's periods add up to its contribution in `/mmm/channels`.
#[utoipa::path(
    get, path = "/api/v1/mmm/contribution", tag = "analytics",
    security(("bearer" = [])), params(ModelQuery),
    responses((status = 200, description = "One row per period", body = Vec<Object>,
               example = json!([{"date": "2022-01-03", "actual": 725791.56, "fitted": 731002.1, "baseline": 590210.4,
                                 "intercept": 560000.0, "trend": 0.0, "seasonality": 25210.4, "controls": 5000.0,
                                 "channels": {"tv": 52000.3, "search": 40100.2}}])),
              (status = 404, description = "No such model, or no fitted model yet", body = ErrorBody))
)]
#[get("/mmm/contribution")]
pub async fn contribution(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<ModelQuery>,
) -> Result<HttpResponse, ApiError> {
    let doc = document(&state, &user, q.into_inner().model_id).await?;
    Ok(HttpResponse::Ok().json(decomposition(&doc)))
}

/// The per-period decomposition rows of `GET /mmm/contribution`.
fn decomposition(doc: &ModelDocument) -> Vec<Value> {
    let s = &doc.series;
    let intercept = doc.baseline.intercept;
    (0..doc.periods)
        .map(|t| {
            let per_channel: serde_json::Map<String, Value> =
                s.channels.iter().map(|c| (c.name.clone(), json!(c.contribution[t]))).collect();
            let mut row = json!({"date": s.dates[t], "actual": s.actual[t], "fitted": s.fitted[t],
                   "baseline": intercept + s.trend[t] + s.seasonality[t] + s.controls[t],
                   "intercept": intercept, "trend": s.trend[t], "seasonality": s.seasonality[t],
                   "controls": s.controls[t], "channels": per_channel});
            let bands: serde_json::Map<String, Value> = s
                .channels
                .iter()
                .filter_map(|c| {
                    c.contribution_interval.as_ref().map(|b| (c.name.clone(), json!(b[t])))
                })
                .collect();
            if !bands.is_empty() {
                row["channel_intervals"] = Value::Object(bands);
            }
            row
        })
        .collect()
}

/// Download the per-period decomposition (actual, fitted, baseline parts and each channel's
/// contribution) as CSV or JSON.
#[utoipa::path(
    get, path = "/api/v1/export/contribution", tag = "export",
    security(("bearer" = [])), params(TableExportQuery),
    responses((status = 200, description = "An attachment: CSV with one row per period (`date,actual,fitted,baseline,intercept,trend,seasonality,controls`, then each channel, with `<channel>_low` and `<channel>_high` where the model has intervals), or the rows of /mmm/contribution as JSON", content(
                   (String = "text/csv"), (Vec<Object> = "application/json"))),
              (status = 404, description = "No such model, or no fitted model yet", body = ErrorBody),
              (status = 422, description = "Unknown format", body = ErrorBody))
)]
#[get("/export/contribution")]
pub async fn export_contribution(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<TableExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let json = |doc: &ModelDocument| serde_json::to_string_pretty(&decomposition(doc));
    export_table(&state, &user, q.into_inner(), "contribution", Table::Decomposition, json).await
}

/// Download the channel results as CSV or JSON: spend, contribution, ROI, marginal ROI and
/// share with their 90% intervals, the data weight, and the fitted curve's parameters.
#[utoipa::path(
    get, path = "/api/v1/export/channels", tag = "export",
    security(("bearer" = [])), params(TableExportQuery),
    responses((status = 200, description = "An attachment: CSV with one row per channel (`channel,column,spend,contribution,contribution_low,contribution_high,roi,roi_low,roi_high,mroi,...,share,...,current_spend,saturation_point,data_weight,on_media_units,coefficient,scale,adstock,adstock_decay,adstock_max_lag,saturation,saturation_half_saturation,saturation_shape`; a parameter column is empty for a channel whose curve lacks it), or the rows of /mmm/channels/summary as JSON", content(
                   (String = "text/csv", example = "channel,column,spend,contribution,contribution_low,contribution_high,roi,roi_low,roi_high,...\ntv,tv_spend,1250000,2100000,1800000,2400000,1.68,1.44,1.92,...\n"),
                   (Vec<ChannelSummaryOut> = "application/json"))),
              (status = 404, description = "No such model, or no fitted model yet", body = ErrorBody),
              (status = 422, description = "Unknown format", body = ErrorBody))
)]
#[get("/export/channels")]
pub async fn export_channels(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<TableExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let json = |doc: &ModelDocument| serde_json::to_string_pretty(&summary(doc));
    export_table(&state, &user, q.into_inner(), "channels", Table::Channels, json).await
}

/// Download the response curves as CSV or JSON: for each channel, the steady-state incremental
/// KPI per period at constant spends from 0 to 3x its largest, with the marginal ROI and the
/// response's 90% interval.
#[utoipa::path(
    get, path = "/api/v1/export/curves", tag = "export",
    security(("bearer" = [])), params(TableExportQuery),
    responses((status = 200, description = "An attachment: CSV with one row per channel and point (`channel,spend,response,mroi,response_low,response_high`), or `[{\"channel\": ..., \"points\": [...]}]` as JSON", content(
                   (String = "text/csv", example = "channel,spend,response,mroi,response_low,response_high\ntv,0,0,2.91,0,0\ntv,1350.5,3711.2,2.62,2950.1,4420.8\n"),
                   (Vec<Object> = "application/json"))),
              (status = 404, description = "No such model, or no fitted model yet", body = ErrorBody),
              (status = 422, description = "Unknown format", body = ErrorBody))
)]
#[get("/export/curves")]
pub async fn export_curves(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<TableExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let json = |doc: &ModelDocument| {
        let curves: Vec<Value> = doc
            .channels
            .iter()
            .map(|c| json!({"channel": c.name, "points": c.response_curve}))
            .collect();
        serde_json::to_string_pretty(&curves)
    };
    export_table(&state, &user, q.into_inner(), "curves", Table::Curves, json).await
}

/// A table of the model `q` names as a download: `table` as CSV, or `json` of the model.
async fn export_table(
    state: &AppState,
    user: &AuthUser,
    q: TableExportQuery,
    what: &str,
    table: Table,
    json: impl FnOnce(&ModelDocument) -> serde_json::Result<String>,
) -> Result<HttpResponse, ApiError> {
    let format = export_format(q.format, &["json", "csv"])?;
    let (info, doc) = resolve(state, user, q.model_id).await?;
    let (content_type, body) = if format == "csv" {
        ("text/csv; charset=utf-8", mmm_core::export::table_csv(&doc, table))
    } else {
        ("application/json", json(&doc).map_err(ApiError::internal)?)
    };
    Ok(attachment(what, &info.id, &format, content_type, body))
}

/// The export format asked for (default `json`), if it is one of `allowed`.
fn export_format(asked: Option<String>, allowed: &[&str]) -> Result<String, ApiError> {
    let format = asked.unwrap_or_else(|| "json".to_owned()).to_lowercase();
    if allowed.contains(&format.as_str()) {
        return Ok(format);
    }
    let list = match allowed {
        [rest @ .., last] if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => allowed.join(""),
    };
    Err(ApiError::invalid(format!("format must be {list}")))
}

/// An export as a download named `mmm-<what>-<model>.<format>`.
fn attachment(
    what: &str,
    model_id: &str,
    format: &str,
    content_type: &str,
    body: String,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"mmm-{what}-{model_id}.{format}\""),
        ))
        .body(body)
}

/// One channel's response curve.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurveOut {
    /// Channel.
    pub channel: String,
    /// Current spend per period (marker).
    pub current_spend: f64,
    /// Response per period at current spend: the expected one over the posterior draws when the
    /// model has them, like the curve's points.
    pub current_response: f64,
    /// Spend per period reaching 90% of the maximum effect.
    pub saturation_point: f64,
    /// Steady-state response per period at each constant spend (the mean over the posterior
    /// draws), with its 90% `interval` over them: credible for Bayesian fits and Meridian
    /// imports, approximate for MAP fits (draws over the curve shapes the data allow). A MAP fit
    /// without draws (no ROI prior) has the Laplace band, on the default curve only.
    #[schema(value_type = Vec<Object>, example = json!([{"spend": 0.0, "response": 0.0, "mroi": 0.0, "interval": [0.0, 0.0]}, {"spend": 16408.3, "response": 15599.0, "mroi": 1.38, "interval": [11020.5, 20177.5]}]))]
    pub points: Vec<CurvePoint>,
}

/// Response curves: the steady-state incremental KPI per period at a constant spend per period.
///
/// Each point carries a 90% interval of the response when the model can give one: every point
/// of a model with posterior draws (Bayesian and MAP fits, Meridian imports); for a MAP fit
/// without draws (no ROI prior), the default curve (61 points from 0 to 3x the largest
/// historical spend), from the Laplace approximation.
#[utoipa::path(
    get, path = "/api/v1/mmm/response-curves", tag = "analytics",
    security(("bearer" = [])), params(CurveQuery),
    responses((status = 200, description = "One curve per channel", body = Vec<CurveOut>),
              (status = 404, description = "No such model, or no fitted model yet", body = ErrorBody),
              (status = 422, description = "points or max_multiple out of range", body = ErrorBody))
)]
#[get("/mmm/response-curves")]
pub async fn response_curves(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<CurveQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let points = q.points.unwrap_or(CURVE_POINTS);
    let multiple = q.max_multiple.unwrap_or(CURVE_MAX_MULTIPLE);
    if !(2..=500).contains(&points) {
        return Err(ApiError::invalid("points must be between 2 and 500"));
    }
    if !(0.1..=10.0).contains(&multiple) {
        return Err(ApiError::invalid("max_multiple must be between 0.1 and 10"));
    }
    let doc = document(&state, &user, q.model_id).await?;
    let default_shape = points == CURVE_POINTS && multiple == CURVE_MAX_MULTIPLE;
    // The default curves of a model never change: serialise them once per parsed document.
    if default_shape && let Some(body) = state.curve_cache.get(&doc) {
        return Ok(HttpResponse::Ok().content_type("application/json").body(body));
    }
    let draws = doc.posterior.as_deref().filter(|d| !d.is_empty());
    let expected = mmm_core::optimize::Curves::of(&doc);
    let curves: Vec<CurveOut> = doc
        .channels
        .iter()
        .zip(&doc.series.channels)
        .enumerate()
        .map(|(i, (c, s))| {
            let max_spend = s.spend.iter().copied().fold(0.0, f64::max);
            CurveOut {
                channel: c.name.clone(),
                current_spend: c.current_spend,
                current_response: expected.response(i, c.current_spend),
                saturation_point: c.saturation_point,
                // The document stores the default curve with its band; other shapes are
                // computed, with a band only where posterior draws can give one.
                points: if default_shape {
                    c.response_curve.clone()
                } else {
                    let mut custom = c.clone();
                    custom.response_curve = c.curve(points, multiple * max_spend);
                    if let Some(draws) = draws {
                        custom.apply_posterior_curve(draws, i);
                    }
                    custom.response_curve
                },
            }
        })
        .collect();
    let body = web::Bytes::from(serde_json::to_vec(&curves).map_err(ApiError::internal)?);
    if default_shape {
        state.curve_cache.put(&doc, body.clone());
    }
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Plain-language findings, each with the numbers it cites.
#[utoipa::path(
    get, path = "/api/v1/mmm/insights", tag = "analytics",
    security(("bearer" = [])), params(ModelQuery),
    responses((status = 200, description = "Insights, most important first", body = Vec<Object>,
               example = json!([{"kind": "reallocation", "channels": ["radio", "search"], "title": "Shift budget from radio to search",
                                 "message": "Moving 800 per week from radio (mROI 0.73) to search (mROI 1.09) adds about 250 revenue per week in the long run.",
                                 "numbers": {"moved_per_period": 800.0, "from_mroi": 0.73, "to_mroi": 1.09, "net_gain_per_period": 250.0}}])),
              (status = 404, description = "No such model, or no fitted model yet", body = ErrorBody))
)]
#[get("/mmm/insights")]
pub async fn list_insights(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<ModelQuery>,
) -> Result<HttpResponse, ApiError> {
    let doc = document(&state, &user, q.into_inner().model_id).await?;
    Ok(HttpResponse::Ok().json(insights(&doc)))
}

fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn insights_csv(list: &[Insight]) -> String {
    let mut out = String::from("kind,channels,title,message,numbers\n");
    for i in list {
        let kind = serde_json::to_value(i.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let numbers: Vec<String> = i.numbers.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out += &format!(
            "{},{},{},{},{}\n",
            kind,
            csv_escape(&i.channels.join(";")),
            csv_escape(&i.title),
            csv_escape(&i.message),
            csv_escape(&numbers.join(";"))
        );
    }
    out
}

/// Columns of the plain-text export.
const TEXT_WIDTH: usize = 100;

fn insights_txt(info: &ModelInfo, doc: &ModelDocument, list: &[Insight]) -> String {
    let mut out = format!(
        "mmm insights for model {} ({} {}, {} to {})\n\n",
        info.id, doc.frequency, doc.kpi, doc.start, doc.end
    );
    out += &mmm_core::insights::to_text(list, TEXT_WIDTH);
    out += "Channel summary\n";
    for c in &doc.channels {
        out += &format!(
            "  {:<12} spend {:>14}  contribution {:>14}  ROI {:>5.2}  mROI {:>5.2}  share {:>5.1}%\n",
            c.name,
            mmm_core::text::thousands(c.spend),
            mmm_core::text::thousands(c.contribution),
            c.roi,
            c.mroi,
            100.0 * c.share
        );
    }
    out
}

/// Download the insights (with the channel summary) as JSON, CSV or plain text.
#[utoipa::path(
    get, path = "/api/v1/export/insights", tag = "export",
    security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "An attachment in the format asked for", content(
                   (Object = "application/json"), (String = "text/csv"), (String = "text/plain"))),
              (status = 404, description = "No such model, or no fitted model yet", body = ErrorBody),
              (status = 422, description = "Unknown format", body = ErrorBody))
)]
#[get("/export/insights")]
pub async fn export_insights(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let format = export_format(q.format, &["json", "csv", "txt"])?;
    let (info, doc) = resolve(&state, &user, q.model_id).await?;
    let list = insights(&doc);
    let (content_type, body) = match format.as_str() {
        "csv" => ("text/csv; charset=utf-8", insights_csv(&list)),
        "txt" => ("text/plain; charset=utf-8", insights_txt(&info, &doc, &list)),
        _ => (
            "application/json",
            serde_json::to_string_pretty(&json!({"model_id": info.id, "kpi": doc.kpi, "insights": list, "channels": summary(&doc)}))
                .map_err(ApiError::internal)?,
        ),
    };
    Ok(attachment("insights", &info.id, &format, content_type, body))
}
