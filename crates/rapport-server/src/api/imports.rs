//! Imports run in the background: upload a file, choose its mapping and
//! formats against a preview, start it, follow its progress, cancel it,
//! download the rows it left out, undo it. The web wizard is built on the
//! same calls.

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use rapport_db::imports::{self, Import, ImportSettings, PreviewRow};
use rapport_db::records::Encoding;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::{Auth, WriterUser};
use crate::error::{ApiResult, Problem};
use crate::json::{CsvBody, JsonBody, PathParams, QueryParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/imports", get(list).post(upload).layer(DefaultBodyLimit::max(imports::MAX_FILE_BYTES)))
        .route("/imports/{id}", get(read).patch(update))
        .route("/imports/{id}/preview", get(preview))
        .route("/imports/{id}/start", post(start))
        .route("/imports/{id}/cancel", post(cancel))
        .route("/imports/{id}/undo", post(undo))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The kind's plural: `contacts`, `companies`…
    pub kind: String,
    /// The file's name, shown in the list of imports.
    #[serde(default)]
    pub file_name: Option<String>,
    #[serde(default)]
    pub encoding: Encoding,
}

/// Keeps a CSV file as a draft import, with a proposed mapping (the last one
/// used for a file with the same columns, else from the headers' names in
/// English, Portuguese and Spanish) and the formats of its numbers and dates
/// guessed from its first rows. Nothing is imported until it is started.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports", params(UploadQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = Import), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn upload(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    QueryParams(query): QueryParams<UploadQuery>,
    CsvBody(body): CsvBody,
) -> ApiResult<(StatusCode, Json<Import>)> {
    let record_type = super::records::record_type(&query.kind)?;
    let file_name = query.file_name.unwrap_or_else(|| format!("{}.csv", record_type.plural()));
    let import = imports::upload(&state.ctx, &writer, record_type, &file_name, body.to_vec(), query.encoding).await?;
    Ok((StatusCode::CREATED, Json(import)))
}

/// The caller's imports (an administrator's: everyone's), newest first.
#[utoipa::path(get, path = "/api/v1/imports", tag = "imports", responses((status = 200, body = [Import])))]
pub(crate) async fn list(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<Import>>> {
    Ok(Json(imports::list(&state.ctx, &actor, 100).await?))
}

/// An import: its settings, status and progress (`percent_done`, counts
/// that add up to the rows read so far).
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", params(("id" = Uuid, Path)),
    responses((status = 200, body = Import), (status = 404, body = Problem)))]
pub(crate) async fn read(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Json<Import>> {
    Ok(Json(imports::get(&state.ctx, &actor, id).await?))
}

/// Changes a draft's mapping, formats, encoding or what to do with
/// duplicates.
#[utoipa::path(patch, path = "/api/v1/imports/{id}", tag = "imports", params(("id" = Uuid, Path)),
    request_body = ImportSettings,
    responses((status = 200, body = Import), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<Uuid>,
    JsonBody(settings): JsonBody<ImportSettings>,
) -> ApiResult<Json<Import>> {
    Ok(Json(imports::update_settings(&state.ctx, &writer, id, &settings).await?))
}

/// What importing the first rows would do with the draft's settings: each
/// row's outcome (`create`, `skip`, `reject`) and errors, checked against
/// the stored records; nothing is written.
#[utoipa::path(get, path = "/api/v1/imports/{id}/preview", tag = "imports", params(("id" = Uuid, Path)),
    responses((status = 200, body = [PreviewRow]), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn preview(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Json<Vec<PreviewRow>>> {
    Ok(Json(imports::preview(&state.ctx, &writer, id).await?))
}

/// Queues a draft: the worker imports it in batches, each stored whole or
/// not at all, and resumes it after a crash.
#[utoipa::path(post, path = "/api/v1/imports/{id}/start", tag = "imports", params(("id" = Uuid, Path)),
    responses((status = 202, body = Import), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn start(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<(StatusCode, Json<Import>)> {
    Ok((StatusCode::ACCEPTED, Json(imports::start(&state.ctx, &writer, id).await?)))
}

/// Stops an import: at once if it has not started, after the batch being
/// stored if it runs. The batches before stay, and can be undone.
#[utoipa::path(post, path = "/api/v1/imports/{id}/cancel", tag = "imports", params(("id" = Uuid, Path)),
    responses((status = 200, body = Import), (status = 409, body = Problem)))]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Json<Import>> {
    Ok(Json(imports::cancel(&state.ctx, &writer, id).await?))
}

/// Moves the records the import created to the trash (restorable from
/// there), each audited as the caller's delete.
#[utoipa::path(post, path = "/api/v1/imports/{id}/undo", tag = "imports", params(("id" = Uuid, Path)),
    responses((status = 200, body = Import), (status = 409, body = Problem)))]
pub(crate) async fn undo(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Json<Import>> {
    Ok(Json(imports::undo(&state.ctx, &writer, id).await?))
}
