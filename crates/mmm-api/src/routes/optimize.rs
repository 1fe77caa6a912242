//! Budget decisions over a fitted model: optimise, plan, compare scenarios, frontier.

use super::owned_model;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use mmm_core::load_csv_for_scoring;
use mmm_core::optimize::{
    Constraints, OptimizeError, budget_for_target_mroi, frontier as run_frontier,
    optimize as run_optimize, scenarios as run_scenarios,
};
use mmm_core::plan::{PlanRequest, plan as run_plan};
use mmm_core::score::{check_controls, load_options, plan_csv, score};
use mmm_service::ServiceError;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

impl From<OptimizeError> for ApiError {
    fn from(e: OptimizeError) -> Self {
        let code = match e {
            OptimizeError::UnknownChannel(_) => "unknown_channel",
            OptimizeError::Invalid(_) => "invalid_request",
            OptimizeError::Infeasible(_) => "infeasible",
        };
        ApiError::new(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, code, e.to_string())
    }
}

/// Constraints shared by the budget routes (spend per period).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
#[schema(example = json!({"bounds_pct": 0.5, "min": {"tv": 20000}, "max": {"display": 15000}, "lock": {"radio": 10000}, "spend_all": true}))]
pub struct ConstraintsIn {
    /// Keep every channel within this fraction of its current spend (0.5 = ±50%).
    #[schema(minimum = 0)]
    pub bounds_pct: Option<f64>,
    /// Minimum per channel.
    pub min: BTreeMap<String, f64>,
    /// Maximum per channel.
    pub max: BTreeMap<String, f64>,
    /// Channels held at a spend.
    pub lock: BTreeMap<String, f64>,
    /// Spend the whole budget (default) or up to it.
    pub spend_all: Option<bool>,
}

impl From<ConstraintsIn> for Constraints {
    fn from(c: ConstraintsIn) -> Self {
        Constraints {
            spend_all: c.spend_all,
            bounds_pct: c.bounds_pct,
            min: c.min,
            max: c.max,
            lock: c.lock,
        }
    }
}

/// An optimisation request: a budget per period, or a target marginal ROI (exactly one of the
/// two).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"budget": 120000, "constraints": {"bounds_pct": 0.5, "lock": {"radio": 15000}}}))]
pub struct OptimizeIn {
    /// Budget per period.
    #[schema(minimum = 0)]
    pub budget: Option<f64>,
    /// Instead of a budget: find the largest budget at which every funded channel's marginal ROI
    /// is at least this.
    #[schema(exclusive_minimum = 0)]
    pub target_mroi: Option<f64>,
    /// Constraints.
    #[serde(default)]
    pub constraints: ConstraintsIn,
}

/// Recommend how to split a budget per period across channels: the global optimum under the
/// constraints (exact on a fine grid, then refined), with a bound on the remaining gap.
/// Infeasible constraints are refused with the reason, never repaired.
#[utoipa::path(
    post, path = "/api/v1/models/{id}/optimize", tag = "optimize",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Model id")),
    request_body = OptimizeIn,
    responses(
        (status = 200, description = "Allocation: current vs recommended per channel, responses, uplift, gap bound, and how sure the model is: `probability_better` (that the recommendation beats the current split) and `uplift_interval` (90%), over the model's posterior draws (Bayesian fits, and MAP fits with an ROI prior: draws over the curve shapes the data allow), else by the delta method over a MAP fit's Laplace covariance. When the budget is not the current total, `current_mix` also compares the recommendation with the current split scaled to the same spend: what moving money between channels adds, apart from spending more or less", body = Object,
         example = json!({"budget": 120000.0, "spent": 120000.0, "allocation": [{"name": "tv", "current": 65534.9, "recommended": 84367.8,
             "min": 32767.5, "max": 98302.4, "locked": false, "current_response": 86470.2, "expected_response": 113858.2, "mroi": 1.3}],
             "current_response": 168680.9, "optimized_response": 166928.6, "uplift": -1752.2, "uplift_pct": -0.0104, "gap_bound": 394.4,
             "probability_better": 0.445, "uplift_interval": [-16166.9, 10758.0],
             "current_mix": {"spend": 120000.0, "response": 157021.2, "uplift": 9907.4, "uplift_pct": 0.0631,
                             "probability_better": 0.865, "uplift_interval": [-4106.6, 22928.8]}})),
        (status = 404, description = "No such model (or not yours)", body = ErrorBody),
        (status = 422, description = "Infeasible or invalid constraints, unknown channel", body = ErrorBody),
    )
)]
#[post("/models/{id}/optimize")]
pub async fn optimize(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<OptimizeIn>,
) -> Result<HttpResponse, ApiError> {
    let doc = owned_model(&state, &user, id.into_inner()).await?;
    let body = body.into_inner();
    let constraints: Constraints = body.constraints.into();
    let result = match (body.budget, body.target_mroi) {
        (Some(budget), None) => run_optimize(&doc, budget, &constraints)?,
        (None, Some(target)) => {
            let current: f64 = doc.channels.iter().map(|c| c.current_spend).sum();
            budget_for_target_mroi(&doc, target, &constraints, 10.0 * current.max(1.0))?
                .optimization
        }
        _ => return Err(ApiError::invalid("give exactly one of budget and target_mroi")),
    };
    Ok(HttpResponse::Ok().json(result))
}

/// A multi-period plan request.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"periods": 8, "total_budget": 960000, "period_cap": 150000, "constraints": {"bounds_pct": 0.5}, "forecast": true, "controls": {"promo": 1.0}}))]
pub struct PlanIn {
    /// Periods to plan (1 to 156).
    #[schema(minimum = 1, maximum = 156)]
    pub periods: usize,
    /// Total budget over the planned periods.
    #[schema(minimum = 0)]
    pub total_budget: f64,
    /// Largest total spend in one period.
    #[schema(minimum = 0)]
    pub period_cap: Option<f64>,
    /// Per-channel constraints per period.
    #[serde(default)]
    pub constraints: ConstraintsIn,
    /// Also forecast the KPI of every planned period, baseline included, with each control at
    /// its value in `controls` or else at its mean over the fitting window: `forecast` in the
    /// response, as the score route gives it for a file of the plan, and that file as
    /// `forecast_file` (CSV text: edit its controls period by period and score it to forecast
    /// other conditions).
    #[serde(default)]
    pub forecast: bool,
    /// Values of the model's controls over the planned periods, for the forecast (a planned
    /// promotion, an expected price level). A name the model does not have is refused.
    #[serde(default)]
    #[schema(example = json!({"promo": 1.0}))]
    pub controls: BTreeMap<String, f64>,
}

/// Plan a total budget over future periods, with adstock carry-over from the spend before the
/// plan and within it. Returns the period-by-channel plan and the incremental KPI it causes, with
/// its 90% interval, and the chance that it beats spending the same budget evenly (the flat
/// plan) with the 90% interval of that gain. With `forecast`, also each planned period's KPI
/// with its 90% predictive interval (`forecast.periods`, actual null) and the plan as a file to
/// score (`forecast_file`).
#[utoipa::path(
    post, path = "/api/v1/models/{id}/plan", tag = "optimize",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Model id")),
    request_body = PlanIn,
    responses(
        (status = 200, description = "The plan", body = Object,
         example = json!({"periods": [{"date": "2024-12-30", "spend": {"tv": 88997.0, "search": 8349.0}, "total": 97346.0}],
             "total_budget": 480000.0, "expected_incremental": 687321.0, "flat_plan_incremental": 683997.0,
             "by_channel": {"tv": 400000.0}, "carry_over_periods": 8,
             "incremental_interval": [512004.0, 862638.0], "probability_beats_flat": 0.71,
             "gain_over_flat_interval": [-4012.0, 10660.0]})),
        (status = 404, description = "No such model (or not yours)", body = ErrorBody),
        (status = 422, description = "Infeasible or invalid request", body = ErrorBody),
    )
)]
#[post("/models/{id}/plan")]
pub async fn plan(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<PlanIn>,
) -> Result<HttpResponse, ApiError> {
    let doc = owned_model(&state, &user, id.into_inner()).await?;
    let b = body.into_inner();
    let request = PlanRequest {
        periods: b.periods,
        total_budget: b.total_budget,
        period_cap: b.period_cap,
        constraints: b.constraints.into(),
    };
    let (forecast, controls) = (b.forecast, b.controls);
    check_controls(&doc, &controls).map_err(ServiceError::Data)?;
    let result = web::block(move || -> Result<serde_json::Value, ApiError> {
        let plan = run_plan(&doc, &request)?;
        let mut out = serde_json::to_value(&plan).map_err(|e| ApiError::internal(e.to_string()))?;
        if forecast {
            // The plan as the file a user would score, so both give the same forecast.
            let csv = plan_csv(&doc, &plan, &controls).map_err(ServiceError::Data)?;
            let data = load_csv_for_scoring(csv.as_bytes(), &load_options(&doc, "date"))
                .and_then(|data| score(&doc, &data))
                .map_err(ServiceError::Data)?;
            out["forecast"] =
                serde_json::to_value(data).map_err(|e| ApiError::internal(e.to_string()))?;
            out["forecast_file"] = serde_json::Value::String(csv);
        }
        Ok(out)
    })
    .await??;
    Ok(HttpResponse::Ok().json(result))
}

/// One allocation to evaluate.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScenarioIn {
    /// Scenario name.
    pub name: String,
    /// Spend per period by channel; channels left out keep their current spend.
    pub spend: BTreeMap<String, f64>,
}

/// Allocations to compare.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"scenarios": [{"name": "more search", "spend": {"search": 40000}}, {"name": "no radio", "spend": {"radio": 0}}]}))]
pub struct ScenariosIn {
    /// The allocations (1 to 20).
    pub scenarios: Vec<ScenarioIn>,
}

/// Evaluate allocations side by side: response, ROI and uplift against the current allocation,
/// with the uplift's 90% interval and the chance that each beats the current allocation (left out
/// for a scenario that is the current allocation).
#[utoipa::path(
    post, path = "/api/v1/models/{id}/scenarios", tag = "optimize",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Model id")),
    request_body = ScenariosIn,
    responses(
        (status = 200, description = "One result per scenario: its response, and its uplift over the current split with the chance and 90% interval; for a scenario whose total differs from the current one, `current_mix` also sets it against the current split scaled to its spend", body = Vec<Object>,
         example = json!([{"name": "more search", "spend": 144715.9, "response": 184778.6, "roi": 1.28, "uplift": 12213.7,
             "probability_better": 1.0, "uplift_interval": [1898.7, 33914.2],
             "current_mix": {"spend": 144715.9, "response": 191359.8, "uplift": -6581.2, "uplift_pct": -0.0344,
                             "probability_better": 0.17, "uplift_interval": [-16546.1, 11029.4]},
             "channels": []}])),
        (status = 404, description = "No such model (or not yours)", body = ErrorBody),
        (status = 422, description = "Unknown channel or invalid spend", body = ErrorBody),
    )
)]
#[post("/models/{id}/scenarios")]
pub async fn scenarios(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<ScenariosIn>,
) -> Result<HttpResponse, ApiError> {
    let list = body.into_inner().scenarios;
    if list.is_empty() || list.len() > 20 {
        return Err(ApiError::invalid("give 1 to 20 scenarios"));
    }
    let doc = owned_model(&state, &user, id.into_inner()).await?;
    let input: Vec<(String, BTreeMap<String, f64>)> =
        list.into_iter().map(|s| (s.name, s.spend)).collect();
    Ok(HttpResponse::Ok().json(run_scenarios(&doc, &input)?))
}

/// Frontier parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FrontierQuery {
    /// Reference budget per period (default: the current total spend per period).
    #[param(minimum = 0)]
    pub budget: Option<f64>,
    /// Budgets from -50% to +50% in this many steps (2 to 101, default 11).
    #[param(minimum = 2, maximum = 101)]
    pub steps: Option<usize>,
    /// Keep every channel within this fraction of its current spend.
    #[param(minimum = 0)]
    pub bounds_pct: Option<f64>,
}

/// The efficient frontier: the optimal response and allocation for budgets from -50% to +50%,
/// each response with its 90% interval (posterior draws, or the delta method for a MAP fit
/// without them).
#[utoipa::path(
    get, path = "/api/v1/models/{id}/frontier", tag = "optimize",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Model id"), FrontierQuery),
    responses(
        (status = 200, description = "One point per budget", body = Vec<Object>,
         example = json!([{"budget": 60000.0, "change": -0.5, "response": 85303.0, "roi": 1.42, "marginal": 0.0,
             "response_interval": [71820.0, 98786.0], "allocation": []}])),
        (status = 404, description = "No such model (or not yours)", body = ErrorBody),
        (status = 422, description = "Invalid parameters", body = ErrorBody),
    )
)]
#[get("/models/{id}/frontier")]
pub async fn frontier(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    q: Query<FrontierQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let steps = q.steps.unwrap_or(11);
    if !(2..=101).contains(&steps) {
        return Err(ApiError::invalid("steps must be between 2 and 101"));
    }
    if let Some(b) = q.budget
        && !(b.is_finite() && b >= 0.0)
    {
        return Err(ApiError::invalid(format!("budget must be a non-negative number, got {b}")));
    }
    let doc = owned_model(&state, &user, id.into_inner()).await?;
    let budget = q.budget.unwrap_or_else(|| doc.channels.iter().map(|c| c.current_spend).sum());
    let constraints = Constraints { bounds_pct: q.bounds_pct, ..Constraints::default() };
    let points = web::block(move || run_frontier(&doc, budget, &constraints, steps)).await??;
    Ok(HttpResponse::Ok().json(points))
}
