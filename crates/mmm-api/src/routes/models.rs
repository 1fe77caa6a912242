//! Training, listing, reading and deleting models.

use crate::auth::AuthUser;
use crate::dto::{
    HolidaysOut, HolidaysQuery, ListQuery, MeridianUpload, ModelOut, ModelPatchIn, TrainIn,
    TrainOut,
};
use crate::error::{ApiError, ErrorBody, blocking};
use crate::extract::{Json, Query};
use crate::routes::datasets::{TOTAL_COUNT, read_multipart};
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use mmm_service::domain::{ModelStatus, SamplerRequest, TrainRequest};
use serde_json::json;

/// Start fitting a model on a data set. Answers at once with the model and job ids; follow the
/// job at `job_url` or stream its progress from `ws_url`.
#[utoipa::path(
    post, path = "/api/v1/models", tag = "models",
    security(("bearer" = [])),
    request_body = TrainIn,
    responses(
        (status = 202, description = "Training queued", body = TrainOut),
        (status = 404, description = "No such data set (or not yours)", body = ErrorBody),
        (status = 422, description = "Unknown columns, holdout too long for the data, or more than 12 trend knots or yearly harmonics", body = ErrorBody),
        (status = 503, description = "Too many models training; try again shortly", body = ErrorBody),
    )
)]
#[post("/models")]
pub async fn train(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<TrainIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let name = b.name;
    let request = TrainRequest {
        dataset_id: b.dataset_id,
        kpi: b.kpi,
        media: b.media,
        controls: b.controls,
        media_units: b.media_units,
        holdout: b.holdout.unwrap_or(0),
        trend_knots: b.trend_knots,
        max_yearly_harmonics: b.max_yearly_harmonics,
        autocorrelated_noise: b.autocorrelated_noise,
        delayed_adstock: b.delayed_adstock,
        recurring_events: b.recurring_events,
        events: b.events,
        holidays: b.holidays,
        seed: super::checked_seed(b.seed)?,
        method: b.method,
        sampler: (b.chains.is_some() || b.draws.is_some() || b.tune.is_some())
            .then_some(SamplerRequest { chains: b.chains, draws: b.draws, tune: b.tune }),
        lift_tests: b.lift_tests.into_iter().map(Into::into).collect(),
        priors: b.priors,
        origin: None,
    };
    let service = state.models.clone();
    let actor = user.actor();
    let (model, job) = blocking(move || service.train(&actor, &request, name.as_deref())).await?;
    Ok(HttpResponse::Accepted().json(TrainOut {
        model_id: model.id,
        status: job.state.to_string(),
        job_url: format!("/api/v1/jobs/{}", job.id),
        ws_url: format!("/api/v1/jobs/{}/ws", job.id),
        job_id: job.id,
    }))
}

/// The countries whose holidays a training or backtest request can ask about (`holidays`), each
/// with the events its list asks: each is kept only where the data are more likely with it.
/// With `year`, each holiday also gives the days it falls on that year, to check a list against
/// a calendar before fitting.
#[utoipa::path(
    get, path = "/api/v1/holidays", tag = "models",
    security(("bearer" = [])), params(HolidaysQuery),
    responses((status = 200, description = "Countries and their holidays", body = Vec<HolidaysOut>),
              (status = 401, description = "Not signed in", body = ErrorBody),
              (status = 422, description = "year out of range", body = ErrorBody))
)]
#[get("/holidays")]
pub async fn holidays(_user: AuthUser, q: Query<HolidaysQuery>) -> Result<HttpResponse, ApiError> {
    let year = q.into_inner().year;
    if let Some(year) = year
        && !(1..=9999).contains(&year)
    {
        return Err(ApiError::invalid(format!("year must be between 1 and 9999, not {year}"))
            .with_details(vec![json!({"field": "year", "reason": "between 1 and 9999"})]));
    }
    let countries = mmm_core::events::Holidays::ALL.map(|h| HolidaysOut::new(h, year));
    Ok(HttpResponse::Ok().json(countries))
}

/// The caller's models (every user's for admins), newest first, without documents: all of
/// them, or a page with `limit` and `offset`. `X-Total-Count` gives how many there are.
#[utoipa::path(
    get, path = "/api/v1/models", tag = "models",
    security(("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "Models", body = Vec<ModelOut>,
               headers(("X-Total-Count" = u64, description = "Models in the whole listing"))),
              (status = 401, description = "Not signed in", body = ErrorBody),
              (status = 422, description = "limit or offset out of range", body = ErrorBody))
)]
#[get("/models")]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.page()?;
    let service = state.models.clone();
    let actor = user.actor();
    let list = blocking(move || service.list(&actor, page)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((TOTAL_COUNT, list.total))
        .json(list.items.iter().map(ModelOut::from).collect::<Vec<_>>()))
}

/// One model with its document once fitted (`document` is absent while training).
#[utoipa::path(
    get, path = "/api/v1/models/{id}", tag = "models",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Model id")),
    responses((status = 200, description = "The model", body = ModelOut),
              (status = 404, description = "No such model (or not yours)", body = ErrorBody))
)]
#[get("/models/{id}")]
pub async fn detail(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let service = state.models.clone();
    let actor = user.actor();
    let id = id.into_inner();
    let (info, doc) = blocking(move || {
        let info = service.get(&actor, &id)?;
        let doc = if info.status == ModelStatus::Succeeded {
            Some(service.document(&actor, &id)?)
        } else {
            None
        };
        Ok((info, doc))
    })
    .await?;
    let mut out = ModelOut::from(&info);
    out.document =
        doc.map(|d| serde_json::to_value(&*d)).transpose().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(out))
}

/// Change a model's record: its name (`null` takes the name away). A field left out stays as
/// it is; the model itself, its document and its training are untouched. Answers with the
/// model, without its document.
#[utoipa::path(
    patch, path = "/api/v1/models/{id}", tag = "models",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Model id")),
    request_body = ModelPatchIn,
    responses((status = 200, description = "The model, changed", body = ModelOut),
              (status = 404, description = "No such model (or not yours)", body = ErrorBody),
              (status = 422, description = "A name that is blank, longer than 200 characters or holds a control character", body = ErrorBody))
)]
#[patch("/models/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<ModelPatchIn>,
) -> Result<HttpResponse, ApiError> {
    let service = state.models.clone();
    let actor = user.actor();
    let name = body.into_inner().name;
    let info = blocking(move || match name {
        Some(name) => service.rename(&actor, &id, name.as_deref()),
        None => service.get(&actor, &id),
    })
    .await?;
    Ok(HttpResponse::Ok().json(ModelOut::from(&info)))
}

/// Delete a model (stopping its training if it runs).
#[utoipa::path(
    delete, path = "/api/v1/models/{id}", tag = "models",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Model id")),
    responses((status = 204, description = "Deleted"),
              (status = 404, description = "No such model (or not yours)", body = ErrorBody))
)]
#[delete("/models/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let service = state.models.clone();
    let actor = user.actor();
    blocking(move || service.delete(&actor, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Import a Google Meridian model saved with `save_meridian(mmm, "model.binpb")`, as multipart
/// field `file`. The marketing data becomes a data set and the model is stored fitted: every
/// analytics, optimizer and export route then works on it as on a fitted one. A geo model is
/// imported as its national total. Reach and frequency (paid or organic) are refused by name;
/// legacy `.pkl` files are refused with how to convert them (mmm never unpickles). See
/// docs/meridian.md.
#[utoipa::path(
    post, path = "/api/v1/models/import", tag = "models",
    security(("bearer" = [])),
    request_body(content = MeridianUpload, content_type = "multipart/form-data",
        description = "Field `file`: the .binpb model file."),
    responses(
        (status = 201, description = "Imported; the model, fitted", body = ModelOut),
        (status = 400, description = "A multipart body that cannot be parsed", body = ErrorBody),
        (status = 413, description = "The file is larger than the upload limit", body = ErrorBody),
        (status = 422, description = "Not a Meridian model, a pickle, a newer Meridian, or an unsupported feature (named)", body = ErrorBody),
    )
)]
#[post("/models/import")]
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let content_type =
        req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.starts_with("multipart/form-data") {
        return Err(ApiError::invalid(
            "send the model as multipart/form-data with the file in field 'file'",
        ));
    }
    let form = Multipart::new(req.headers(), payload);
    let (bytes, params) = read_multipart(form, state.max_upload_bytes).await?;
    let file_name = params.name.unwrap_or_default();
    let service = state.models.clone();
    let actor = user.actor();
    let info = blocking(move || service.import(&actor, &file_name, &bytes)).await?;
    Ok(HttpResponse::Created().json(ModelOut::from(&info)))
}
