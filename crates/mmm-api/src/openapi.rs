//! The OpenAPI document.

use crate::dto;
use crate::error::{ErrorBody, ErrorDetail};
use crate::routes::{analytics, auth, datasets, jobs, models, ops, optimize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The mmm API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "mmm API",
        description = "Media mix modelling as a service: upload weekly KPI and media spend, fit a model \
                       in well under a second, and read each channel's contribution, ROI, marginal ROI, \
                       response curves and insights.\n\nEvery route but register, login, health and \
                       ready needs `Authorization: Bearer <token>` (get one from register or login). \
                       Errors are `{\"error\": {\"code\", \"message\", \"details\"}}`.",
    ),
    paths(
        auth::register, auth::login, auth::me,
        datasets::upload, datasets::list, datasets::detail, datasets::remove,
        models::train, models::import, models::list, models::detail, models::remove,
        optimize::optimize, optimize::plan, optimize::scenarios, optimize::frontier,
        jobs::detail, jobs::cancel, jobs::stream,
        analytics::status, analytics::channels, analytics::channels_summary, analytics::contribution,
        analytics::response_curves, analytics::list_insights, analytics::export_insights, analytics::export_contribution,
        ops::health, ops::ready,
    ),
    components(schemas(
        ErrorBody, ErrorDetail, dto::UserOut, dto::RegisterIn, dto::LoginForm, dto::TokenOut, dto::RegisteredOut,
        dto::RolesOut, dto::LiftTestIn, dto::DatasetOut, dto::DatasetDetailOut, dto::TrainIn, dto::TrainOut, dto::ModelOut,
        dto::JobOut, dto::JobEventOut, dto::HealthOut, dto::ChannelSummaryOut, analytics::StatusOut, analytics::CurveOut,
        optimize::ConstraintsIn, optimize::OptimizeIn, optimize::PlanIn, optimize::ScenarioIn, optimize::ScenariosIn,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts and tokens"),
        (name = "datasets", description = "Upload and manage data sets"),
        (name = "models", description = "Train and manage models"),
        (name = "jobs", description = "Training jobs and live progress"),
        (name = "analytics", description = "What a fitted model says"),
        (name = "optimize", description = "Budget decisions: optimise, plan, scenarios, frontier"),
        (name = "export", description = "Downloads"),
        (name = "ops", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
                ),
            );
        }
    }
}
