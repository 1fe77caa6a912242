//! # mmm-api
//!
//! The HTTP API of mmm on actix-web: routes under `/api/v1`, the bearer-token extractor, one JSON
//! error envelope, security headers, the OpenAPI document and Swagger UI (served offline). It
//! knows the services only through their traits (`mmm-service`).

pub mod auth;
pub mod dto;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod ratelimit;
pub mod routes;
pub mod site;
pub mod state;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{HttpRequest, HttpResponse, web};
use error::ApiError;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

pub use openapi::ApiDoc;
pub use state::AppState;

/// Headers on every response: no MIME sniffing, no framing, no referrer.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"))
        .add((header::REFERRER_POLICY, "no-referrer"))
}

/// Answers HEAD wherever GET is answered (RFC 9110, 9.3.2), for use with
/// `actix_web::middleware::from_fn` around the whole app: the request is routed as a GET, and
/// the HTTP/1 codec, which remembers the method on the wire, sends the headers (`Content-Length`
/// included) without the body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

fn json_error(err: impl std::fmt::Display) -> actix_web::Error {
    ApiError::invalid(format!("invalid request: {err}")).into()
}

/// Registers every route, the extractor error handlers, the OpenAPI spec and Swagger UI.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(1 << 20).error_handler(|e, _| json_error(e)))
        .app_data(web::FormConfig::default().error_handler(|e, _| json_error(e)))
        .app_data(web::QueryConfig::default().error_handler(|e, _| json_error(e)))
        .app_data(web::PathConfig::default().error_handler(|e, _| json_error(e)))
        .service(routes::ops::health)
        .service(routes::ops::ready)
        .service(
            web::scope("/api/v1")
                .service(routes::auth::register)
                .service(routes::auth::login)
                .service(routes::auth::me)
                .service(routes::auth::change_password)
                .service(routes::datasets::upload)
                .service(routes::datasets::list)
                .service(routes::datasets::detail)
                .service(routes::datasets::update)
                .service(routes::datasets::remove)
                .service(routes::validation::backtest)
                .service(routes::models::import)
                .service(routes::models::train)
                .service(routes::models::list)
                .service(routes::models::holidays)
                .service(routes::models::detail)
                .service(routes::models::update)
                .service(routes::models::remove)
                .service(routes::validation::score)
                .service(routes::optimize::optimize)
                .service(routes::optimize::plan)
                .service(routes::optimize::scenarios)
                .service(routes::optimize::frontier)
                .service(routes::jobs::detail)
                .service(routes::jobs::cancel)
                .service(routes::jobs::stream)
                .service(routes::analytics::status)
                .service(routes::analytics::channels_summary)
                .service(routes::analytics::channels)
                .service(routes::analytics::contribution)
                .service(routes::analytics::response_curves)
                .service(routes::analytics::list_insights)
                .service(routes::analytics::export_insights)
                .service(routes::analytics::export_contribution)
                .service(routes::analytics::export_channels)
                .service(routes::analytics::export_curves),
        )
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .service(SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", ApiDoc::openapi()));
}

/// The JSON 404 for every unknown path (405 for a known path with a method it does not take).
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::no_route(req.method().as_str(), req.path()))
}
