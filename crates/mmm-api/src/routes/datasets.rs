//! Data set upload, listing, detail and deletion.

use crate::auth::AuthUser;
use crate::dto::{
    DataCheckOut, DatasetDetailOut, DatasetOut, DatasetPatchIn, DatasetUpload, ListQuery,
    UploadParams, UploadedOut,
};
use crate::error::{ApiError, ErrorBody, blocking};
use crate::extract::{Json, Query};
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use futures_util::StreamExt;
use mmm_core::dataset::{parse_column_list, parse_media_units};
use mmm_service::{ServiceError, UploadRoles};

/// A list of column names from the upload's field `field`, 422 naming it if malformed.
fn list_param(v: &Option<String>, field: &str) -> Result<Option<Vec<String>>, ApiError> {
    v.as_deref()
        .map(parse_column_list)
        .transpose()
        .map_err(|e| ApiError::invalid(format!("{field}: {e}")))
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the upload is larger than the limit of {} MB", limit / (1024 * 1024)),
    )
}

/// Reads a byte stream into memory, refusing more than `limit` bytes with 413.
async fn read_limited<S, E>(stream: &mut S, limit: usize, what: &str) -> Result<Vec<u8>, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("{what}: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Reads a multipart upload: the `file` field and optional `name` and role fields.
pub(crate) async fn read_multipart(
    mut form: Multipart,
    limit: usize,
) -> Result<(Vec<u8>, UploadParams), ApiError> {
    let mut file: Option<Vec<u8>> = None;
    let mut params = UploadParams::default();
    let mut file_name = None;
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| ApiError::bad_request(format!("invalid multipart body: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            file_name =
                field.content_disposition().and_then(|d| d.get_filename()).map(str::to_owned);
        }
        let bytes = read_limited(&mut field, limit, "invalid multipart body").await?;
        let text = || {
            String::from_utf8(bytes.clone())
                .map_err(|_| ApiError::bad_request(format!("field '{name}' is not text")))
        };
        match name.as_str() {
            "file" => file = Some(bytes),
            "name" => params.name = Some(text()?),
            "date_column" => params.date_column = Some(text()?),
            "kpi" => params.kpi = Some(text()?),
            "media" => params.media = Some(text()?),
            "controls" => params.controls = Some(text()?),
            "media_units" => params.media_units = Some(text()?),
            "geo_column" => params.geo_column = Some(text()?),
            _ => {}
        }
    }
    let file = file.ok_or_else(|| ApiError::invalid("the multipart body has no 'file' field"))?;
    if params.name.is_none() {
        params.name = file_name;
    }
    Ok((file, params))
}

/// A CSV sent as multipart field `file` (with the other fields as parameters) or as the whole
/// body (with `query` as parameters), at most `limit` bytes.
pub(crate) async fn read_csv_upload(
    req: &HttpRequest,
    mut payload: web::Payload,
    query: UploadParams,
    limit: usize,
) -> Result<(Vec<u8>, UploadParams), ApiError> {
    let content_type =
        req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        read_multipart(Multipart::new(req.headers(), payload), limit).await
    } else {
        Ok((read_limited(&mut payload, limit, "cannot read the body").await?, query))
    }
}

/// Upload a CSV data set, as multipart field `file` (with optional fields `name`, `date_column`,
/// `kpi`, `media`, `controls`, `media_units`, `geo_column`) or as a `text/csv` body (with the same as query
/// parameters). A file that stacks geos (one row per geo and date) is added up to one national
/// series when `geo_column` names the column that tells them apart.
/// It is validated at once: every problem comes back with its column, line and reason. The
/// separator (comma, semicolon or tab) is read from the header line; semicolon-separated files
/// may use decimal commas (docs/data-format.md). A stored data set comes back with its data
/// checks: what in the data will limit what a model can tell (correlated or seasonal spend,
/// always-on, rarely-off or sparse channels, KPI outliers, spend spikes, too few periods).
#[utoipa::path(
    post, path = "/api/v1/datasets", tag = "datasets",
    security(("bearer" = [])),
    params(UploadParams),
    request_body(content(
        (String = "text/csv", example = "date,revenue,tv_spend,search_spend\n2024-01-01,1000,50,20\n"),
        (DatasetUpload = "multipart/form-data"))),
    responses(
        (status = 201, description = "Stored, with its data checks", body = UploadedOut),
        (status = 400, description = "A multipart body that cannot be parsed, or a text field that is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 413, description = "Larger than MAX_UPLOAD_MB", body = ErrorBody),
        (status = 422, description = "Invalid data (every problem is listed in details), or `media_units` that are not media=units pairs", body = ErrorBody),
    )
)]
#[post("/datasets")]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<UploadParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (bytes, params) =
        read_csv_upload(&req, payload, query.into_inner(), state.max_upload_bytes).await?;
    let roles = UploadRoles {
        date_column: params.date_column.clone(),
        kpi: params.kpi.clone(),
        media: list_param(&params.media, "media")?,
        controls: list_param(&params.controls, "controls")?,
        media_units: params
            .media_units
            .as_deref()
            .map(parse_media_units)
            .transpose()
            .map_err(|e| ApiError::invalid(format!("media_units: {e}")))?,
        geo_column: params.geo_column.clone().filter(|g| !g.is_empty()),
    };
    let name = params.name.clone().unwrap_or_else(|| "dataset".to_owned());
    let service = state.datasets.clone();
    let actor = user.actor();
    let uploaded = blocking(move || service.upload(&actor, &name, &bytes, &roles)).await?;
    Ok(HttpResponse::Created().json(UploadedOut {
        dataset: DatasetOut::from(&uploaded.info),
        checks: uploaded.checks.iter().map(DataCheckOut::from).collect(),
    }))
}

/// The header that gives how many items a whole listing holds.
pub const TOTAL_COUNT: &str = "X-Total-Count";

/// The caller's data sets (every user's for admins), newest first: all of them, or a page with
/// `limit` and `offset`. `X-Total-Count` gives how many there are.
#[utoipa::path(
    get, path = "/api/v1/datasets", tag = "datasets",
    security(("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "Data sets", body = Vec<DatasetOut>,
               headers(("X-Total-Count" = u64, description = "Data sets in the whole listing"))),
              (status = 401, description = "Not signed in", body = ErrorBody),
              (status = 422, description = "limit or offset out of range", body = ErrorBody))
)]
#[get("/datasets")]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = q.page()?;
    let service = state.datasets.clone();
    let actor = user.actor();
    let list = blocking(move || service.list(&actor, page)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((TOTAL_COUNT, list.total))
        .json(list.items.iter().map(DatasetOut::from).collect::<Vec<_>>()))
}

/// One data set with its columns, roles, date range, first rows and data checks.
#[utoipa::path(
    get, path = "/api/v1/datasets/{id}", tag = "datasets",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Data set id")),
    responses((status = 200, description = "The data set", body = DatasetDetailOut),
              (status = 404, description = "No such data set (or not yours)", body = ErrorBody))
)]
#[get("/datasets/{id}")]
pub async fn detail(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let service = state.datasets.clone();
    let actor = user.actor();
    let (record, checks) = blocking(move || {
        let record = service.get(&actor, &id)?;
        // A stored file that today's loader no longer reads still shows; it has no checks.
        let checks = match service.checks(&actor, &id) {
            Err(ServiceError::Data(_)) => Vec::new(),
            other => other?,
        };
        Ok((record, checks))
    })
    .await?;
    let mut rows = csv_rows(&record.csv);
    let columns = rows.next().unwrap_or_default();
    let preview = rows.take(10).collect();
    Ok(HttpResponse::Ok().json(DatasetDetailOut {
        dataset: DatasetOut::from(&record.info),
        columns,
        preview,
        checks: checks.iter().map(DataCheckOut::from).collect(),
    }))
}

/// Rows of stored CSV text (decoded on upload: no byte-order mark) as strings, header first,
/// split as the loader splits them.
fn csv_rows(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(mmm_core::dataset::Dialect::sniff(text.as_bytes()).delimiter)
        .from_reader(text.as_bytes())
        .into_records()
        .filter_map(Result::ok)
        .map(|r| r.iter().map(|c| c.trim().to_owned()).collect())
}

/// Change a data set's record: its name. A field left out stays as it is; the file, its roles
/// and its models are untouched. Answers with the data set, without its rows and checks.
#[utoipa::path(
    patch, path = "/api/v1/datasets/{id}", tag = "datasets",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Data set id")),
    request_body = DatasetPatchIn,
    responses((status = 200, description = "The data set, changed", body = DatasetOut),
              (status = 404, description = "No such data set (or not yours)", body = ErrorBody),
              (status = 422, description = "A name that is blank, longer than 200 characters or holds a control character", body = ErrorBody))
)]
#[patch("/datasets/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<DatasetPatchIn>,
) -> Result<HttpResponse, ApiError> {
    let service = state.datasets.clone();
    let actor = user.actor();
    let name = body.into_inner().name;
    let info = blocking(move || match name {
        Some(name) => service.rename(&actor, &id, &name),
        None => service.get(&actor, &id).map(|record| record.info),
    })
    .await?;
    Ok(HttpResponse::Ok().json(DatasetOut::from(&info)))
}

/// Delete a data set with its models and jobs.
#[utoipa::path(
    delete, path = "/api/v1/datasets/{id}", tag = "datasets",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Data set id")),
    responses((status = 204, description = "Deleted"),
              (status = 404, description = "No such data set (or not yours)", body = ErrorBody))
)]
#[delete("/datasets/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let service = state.datasets.clone();
    let actor = user.actor();
    blocking(move || service.delete(&actor, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
