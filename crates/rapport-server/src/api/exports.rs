//! Exports written in the background: ask for a list (its filters and sort,
//! as the list API takes them) as CSV or Excel, follow its progress, and
//! download the file when it is done. For small lists, `GET
//! /api/v1/{kind}/export.csv` streams the same file at once.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rapport_db::exports::{self, Export, ExportFormat};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::json::{JsonBody, PathParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/exports", post(request_export))
        .route("/exports/{id}", get(read_export))
        .route("/exports/{id}/file", get(export_file))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// The kind's plural: `contacts`, `companies`…
    pub kind: String,
    pub format: ExportFormat,
    /// The list's query parameters (`filter[city][eq]`, `sort`, `q`…).
    #[serde(default)]
    pub query: BTreeMap<String, String>,
}

/// Queues an export of the list the query selects, with the caller's
/// visibility; a filter the list would refuse is refused here.
#[utoipa::path(post, path = "/api/v1/exports", tag = "exports", request_body = ExportRequest,
    responses((status = 202, body = Export), (status = 422, body = Problem)))]
pub(crate) async fn request_export(
    State(state): State<AppState>,
    Auth(actor): Auth,
    JsonBody(body): JsonBody<ExportRequest>,
) -> ApiResult<(StatusCode, Json<Export>)> {
    let record_type = super::records::record_type(&body.kind)?;
    let query: Vec<(String, String)> = body.query.into_iter().collect();
    let export = exports::request(&state.ctx, &actor, record_type, body.format, &query).await?;
    Ok((StatusCode::ACCEPTED, Json(export)))
}

/// An export the caller asked for: its status and the records written so far.
#[utoipa::path(get, path = "/api/v1/exports/{id}", tag = "exports", params(("id" = Uuid, Path)),
    responses((status = 200, body = Export), (status = 404, body = Problem)))]
pub(crate) async fn read_export(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Json<Export>> {
    Ok(Json(exports::get(&state.ctx, &actor, id).await?))
}

/// The file of a finished export (409 while it is being written).
#[utoipa::path(get, path = "/api/v1/exports/{id}/file", tag = "exports", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = String),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn export_file(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Response> {
    let (export, file) = exports::file(&state.ctx, &actor, id).await?;
    Ok(attachment(&export, file))
}

/// A finished export as a download named after its kind and day.
pub(crate) fn attachment(export: &Export, file: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.file_name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(export.format.content_type())),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    (headers, file).into_response()
}
