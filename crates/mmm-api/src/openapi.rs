//! The OpenAPI document.

use crate::dto;
use crate::error::{ErrorBody, ErrorDetail};
use crate::routes::{analytics, auth, datasets, jobs, models, ops, optimize, validation};
use std::sync::LazyLock;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
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
        auth::register, auth::login, auth::me, auth::change_password,
        datasets::upload, datasets::list, datasets::detail, datasets::update, datasets::remove,
        models::train, models::import, models::list, models::detail, models::update, models::remove, models::holidays,
        validation::score, validation::backtest,
        optimize::optimize, optimize::plan, optimize::scenarios, optimize::frontier,
        jobs::detail, jobs::cancel, jobs::stream,
        analytics::status, analytics::channels, analytics::channels_summary, analytics::contribution,
        analytics::response_curves, analytics::list_insights, analytics::export_insights, analytics::export_contribution,
        analytics::export_channels, analytics::export_curves,
        ops::health, ops::ready,
    ),
    components(schemas(
        ErrorBody, ErrorDetail, dto::UserOut, dto::RegisterIn, dto::LoginForm, dto::PasswordChangeIn, dto::TokenOut, dto::RegisteredOut,
        dto::RolesOut, dto::LiftTestIn, dto::DatasetOut, dto::DatasetDetailOut, dto::UploadedOut, dto::DataCheckOut, dto::TrainIn, dto::TrainOut, dto::ModelOut, dto::ModelPatchIn, dto::DatasetPatchIn,
        dto::MeridianUpload, dto::DatasetUpload, dto::UploadParams, dto::BacktestIn,
        dto::JobOut, dto::JobEventOut, dto::HealthOut, dto::HolidaysOut, dto::HolidayOut, dto::DaysOut, dto::ChannelSummaryOut, analytics::StatusOut, analytics::CurveOut,
        optimize::ConstraintsIn, optimize::OptimizeIn, optimize::PlanIn, optimize::ScenarioIn, optimize::ScenariosIn,
    )),
    modifiers(&BearerAuth, &CommonResponses),
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

/// The operations of a path, with their HTTP methods.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("GET", &mut item.get),
        ("PUT", &mut item.put),
        ("POST", &mut item.post),
        ("DELETE", &mut item.delete),
        ("OPTIONS", &mut item.options),
        ("HEAD", &mut item.head),
        ("PATCH", &mut item.patch),
        ("TRACE", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_mut().map(|op| (method, op)))
}

/// Answers any route can give, listed where a route does not list them itself: 401 on every
/// route behind the bearer token, 422 on every route that reads a body or query parameters
/// (a body or parameter that cannot be read at all is refused before the route runs).
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for (_, op) in operations_mut(item) {
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add_error(op, "401", "Missing, invalid or expired bearer token");
                }
                let query = op.parameters.iter().flatten().any(|p| match p {
                    RefOr::T(p) => p.parameter_in == ParameterIn::Query,
                    RefOr::Ref(_) => false,
                });
                if query || op.request_body.is_some() {
                    add_error(
                        op,
                        "422",
                        "A body or query parameter that cannot be read, or is invalid",
                    );
                }
            }
        }
    }
}

fn add_error(op: &mut Operation, status: &str, description: &str) {
    op.responses.responses.entry(status.to_owned()).or_insert_with(|| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody"))))
                .build(),
        )
    });
}

/// A documented path split into segments (`None` for a `{parameter}`), and its methods.
type Route = (Vec<Option<String>>, Vec<&'static str>);

/// Every documented path.
static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| {
    let mut doc = ApiDoc::openapi();
    doc.paths
        .paths
        .iter_mut()
        .map(|(path, item)| {
            let segments = path
                .split('/')
                .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
                .collect();
            (segments, operations_mut(item).map(|(method, _)| method).collect())
        })
        .collect()
});

/// The methods a documented route at `path` accepts (HEAD wherever GET, see
/// [`crate::head_as_get`]), or `None` if no documented route has that path. Tells a wrong method
/// (405) from an unknown path (404). A literal segment wins over a parameter:
/// `/api/v1/models/import` is the import route, not a model id.
pub fn allowed_methods(path: &str) -> Option<Vec<&'static str>> {
    let parts: Vec<&str> = path.split('/').collect();
    let literal_matches = |segments: &[Option<String>]| -> Option<usize> {
        (segments.len() == parts.len()).then_some(())?;
        let mut literals = 0;
        for (s, p) in segments.iter().zip(&parts) {
            match s {
                Some(fixed) if fixed == p => literals += 1,
                None if !p.is_empty() => {}
                _ => return None,
            }
        }
        Some(literals)
    };
    let matches: Vec<(usize, &Vec<&'static str>)> = ROUTES
        .iter()
        .filter_map(|(segments, methods)| Some((literal_matches(segments)?, methods)))
        .collect();
    let best = matches.iter().map(|(literals, _)| *literals).max()?;
    let mut methods: Vec<&'static str> = matches
        .into_iter()
        .filter(|(literals, _)| *literals == best)
        .flat_map(|(_, m)| m.iter().copied())
        .collect();
    if methods.contains(&"GET") {
        methods.push("HEAD");
    }
    methods.sort_unstable();
    methods.dedup();
    Some(methods)
}
