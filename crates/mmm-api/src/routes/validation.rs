//! Checking models against data: a saved model scored on new periods (predictions, accuracy, a
//! drift test), and a data set backtested on growing windows.

use super::datasets::read_csv_upload;
use super::owned_model;
use crate::auth::AuthUser;
use crate::dto::{BacktestIn, UploadParams};
use crate::error::{ApiError, ErrorBody, blocking};
use crate::extract::{Json, Query};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, post, web};
use mmm_core::score::{load_options, score as run_score};
use mmm_service::ServiceError;
use mmm_service::domain::TrainRequest;
use serde::Deserialize;
use utoipa::IntoParams;

/// Scoring parameters (as query parameters, or fields of a multipart body).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// Date column of the data (default `date`).
    pub date_column: Option<String>,
    /// For data that stack several geos (one row per geo and date): the column that tells them
    /// apart. They are added up for each date first, as on upload.
    pub geo_column: Option<String>,
}

/// Score a model on data, such as the periods that arrived after it was fitted: each period's
/// predicted KPI with its 90% predictive interval, the accuracy (R², MAPE, NRMSE, bias, interval
/// coverage) and a drift test (the periods outside their interval against the tenth a model that
/// still holds leaves out). The data are a CSV with the model's date, KPI, spend and control
/// columns, as a `text/csv` body or multipart field `file`; leading rows with an empty KPI are
/// media history, and the last rows may leave the KPI empty too: they are forecasts of the
/// planned spend and controls they give (`actual` null), and the accuracy and drift test cover
/// the other periods (both null when every period is a forecast). Carry-over into the first
/// periods comes from the history rows, else from the spend the model was fitted on. A channel
/// fitted on media units takes them from the column it was fitted on (`tv_impressions`; for a
/// Meridian import, `<channel>_media`) instead of its spend. Data that stack several geos are
/// added up for each date when `geo_column` names the column that tells them apart. Nothing is
/// stored.
#[utoipa::path(
    post, path = "/api/v1/models/{id}/score", tag = "models",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Model id"), ScoreQuery),
    request_body(content(
        (String = "text/csv", example = "date,revenue,tv_spend,search_spend,social_spend,display_spend,radio_spend,price_index,promo\n2025-01-06,1150000,52000,30000,18000,16000,9000,101.2,0\n"),
        (crate::dto::DatasetUpload = "multipart/form-data"))),
    responses(
        (status = 200, description = "Every period's prediction, the accuracy and the drift test", body = Object,
         example = json!({"periods": [{"date": "2025-01-06", "actual": 1150000.0, "predicted": 1168212.0,
             "interval": [1073520.0, 1262904.0], "media": 121500.0, "in_fit": false},
             {"date": "2025-01-13", "actual": null, "predicted": 1181400.0,
             "interval": [1085210.0, 1277630.0], "media": 128300.0, "in_fit": false}],
             "metrics": {"r2": 0.0, "mape": 0.0158, "nrmse": 0.0, "bias": -0.0158, "coverage": 1.0},
             "forecasts": 1, "out_of_sample": 2, "unknown_carry_over": 0,
             "drift": {"outside": 0, "expected_outside": 0.1, "p_value": 1.0, "drifted": false}})),
        (status = 400, description = "A multipart body that cannot be parsed", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such model (or not yours)", body = ErrorBody),
        (status = 413, description = "Larger than MAX_UPLOAD_MB", body = ErrorBody),
        (status = 422, description = "Data the model cannot score: every problem is listed in details", body = ErrorBody),
    )
)]
#[post("/models/{id}/score")]
pub async fn score(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    query: Query<ScoreQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let doc = owned_model(&state, &user, id.into_inner()).await?;
    let query = query.into_inner();
    let upload = UploadParams {
        date_column: query.date_column,
        geo_column: query.geo_column,
        ..UploadParams::default()
    };
    let (bytes, params) = read_csv_upload(&req, payload, upload, state.max_upload_bytes).await?;
    let date_column =
        params.date_column.filter(|c| !c.trim().is_empty()).unwrap_or_else(|| "date".into());
    let geo_column = params.geo_column.filter(|c| !c.trim().is_empty());
    let scored = web::block(move || {
        let options = load_options(&doc, &date_column);
        let bytes = match &geo_column {
            Some(geo) => mmm_core::dataset::add_up_geos(&bytes, geo, &options)?.into_bytes(),
            None => bytes,
        };
        let data = mmm_core::load_csv_for_scoring(&bytes, &options)?;
        run_score(&doc, &data)
    })
    .await?
    .map_err(ServiceError::Data)?;
    Ok(HttpResponse::Ok().json(scored))
}

/// Backtest a data set: MAP fits on growing windows, each scored on the `horizon` periods after
/// it (R², MAPE, bias, interval coverage and the drift test per fold and pooled), and each
/// channel's ROI fold by fold with its spread, `(max − min) / mean`: how far the ROI moves
/// between windows a few months apart. Lift tests that end after a window are left out of its
/// fit. Nothing is stored. Runs while the request waits (a few hundred milliseconds for three
/// years of weekly data); at most as many at once as there are training workers (503 `busy`).
#[utoipa::path(
    post, path = "/api/v1/datasets/{id}/backtest", tag = "datasets",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Data set id")),
    request_body = BacktestIn,
    responses(
        (status = 200, description = "Every fold's accuracy and channel ROIs, the pooled accuracy and each channel's ROI stability", body = Object,
         example = json!({"horizon": 13, "folds": [{"fit_periods": 117, "fit_end": "2024-03-25", "start": "2024-04-01", "end": "2024-06-24",
             "metrics": {"r2": 0.41, "mape": 0.036, "nrmse": 0.14, "bias": -0.004, "coverage": 0.92},
             "drift": {"outside": 1, "expected_outside": 1.3, "p_value": 0.75, "drifted": false},
             "channels": [{"name": "tv", "roi": 1.02, "roi_interval": [0.85, 1.21]}]}],
             "metrics": {"r2": 0.51, "mape": 0.038, "nrmse": 0.12, "bias": -0.006, "coverage": 0.92},
             "channels": [{"name": "tv", "min": 0.97, "max": 1.02, "mean": 0.99, "spread": 0.05}]})),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such data set (or not yours)", body = ErrorBody),
        (status = 422, description = "Folds that do not fit in the data, invalid roles, priors or lift tests", body = ErrorBody),
        (status = 503, description = "Too many backtests running", body = ErrorBody),
    )
)]
#[post("/datasets/{id}/backtest")]
pub async fn backtest(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<BacktestIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let request = TrainRequest {
        dataset_id: id.into_inner(),
        kpi: b.kpi,
        media: b.media,
        controls: b.controls,
        media_units: b.media_units,
        trend_knots: b.trend_knots,
        max_yearly_harmonics: b.max_yearly_harmonics,
        autocorrelated_noise: b.autocorrelated_noise,
        delayed_adstock: b.delayed_adstock,
        recurring_events: b.recurring_events,
        events: b.events,
        holidays: b.holidays,
        seed: super::checked_seed(b.seed)?,
        lift_tests: b.lift_tests.into_iter().map(Into::into).collect(),
        priors: b.priors,
        ..TrainRequest::default()
    };
    let (folds, horizon) = (b.folds.unwrap_or(4), b.horizon);
    let service = state.models.clone();
    let actor = user.actor();
    let result = blocking(move || service.backtest(&actor, &request, folds, horizon)).await?;
    Ok(HttpResponse::Ok().json(result))
}
