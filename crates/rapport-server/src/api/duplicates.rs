//! Likely duplicates and merges: `/api/v1/{kind}/duplicates…`,
//! `/api/v1/{kind}/merge` and `/api/v1/merges/{id}/undo`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rapport_core::ids::RecordId;
use rapport_db::records::{self, Candidate, DuplicatePair, MergeInput, MergeResult};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::api::records::record_type;
use crate::auth::{Auth, WriterUser};
use crate::error::{ApiResult, Problem};
use crate::json::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/{kind}/duplicates", get(review_list))
        .route("/{kind}/duplicates/check", post(check))
        .route("/{kind}/duplicates/scan", post(scan))
        .route("/{kind}/duplicates/dismiss", post(dismiss))
        .route("/{kind}/merge", post(merge))
        .route("/{kind}/{id}/duplicates", get(of_record))
        .route("/merges/{id}/undo", post(undo))
}

/// Likely duplicates, surest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Candidates {
    pub items: Vec<Candidate>,
}

/// A page of the review list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PairPage {
    pub items: Vec<DuplicatePair>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Pairs per page (1–200, default 50).
    pub limit: Option<u64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dismissal {
    pub record_id: RecordId,
    pub other_id: RecordId,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScanQueued {
    pub queued: bool,
}

/// The likely duplicates of a stored record, among the records the caller sees.
#[utoipa::path(get, path = "/api/v1/{kind}/{id}/duplicates", tag = "duplicates", operation_id = "record_duplicates",
    params(("kind" = String, Path, description = "contacts, companies, leads…"), ("id" = Uuid, Path)),
    responses((status = 200, body = Candidates), (status = 404, body = Problem)))]
pub(crate) async fn of_record(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams((kind, id)): PathParams<(String, RecordId)>,
) -> ApiResult<Json<Candidates>> {
    let items = records::duplicates_of(&state.ctx, &actor, record_type(&kind)?, id).await?;
    Ok(Json(Candidates { items }))
}

/// The likely duplicates of a record before it is created: the body is the
/// create's, checked the same way (a 422 names what is invalid).
#[utoipa::path(post, path = "/api/v1/{kind}/duplicates/check", tag = "duplicates", operation_id = "check_duplicates",
    params(("kind" = String, Path, description = "contacts, companies, leads…")),
    request_body = Object,
    responses((status = 200, body = Candidates), (status = 422, body = Problem)))]
pub(crate) async fn check(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(kind): PathParams<String>,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Candidates>> {
    let items = records::check_draft(&state.ctx, &actor, record_type(&kind)?, &body).await?;
    Ok(Json(Candidates { items }))
}

/// The pairs the background scan found and nobody dismissed, surest first;
/// keyset paginated.
#[utoipa::path(get, path = "/api/v1/{kind}/duplicates", tag = "duplicates", operation_id = "list_duplicates",
    params(("kind" = String, Path, description = "contacts, companies, leads…"), ReviewQuery),
    responses((status = 200, body = PairPage), (status = 422, body = Problem)))]
pub(crate) async fn review_list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(kind): PathParams<String>,
    QueryParams(query): QueryParams<ReviewQuery>,
) -> ApiResult<Json<PairPage>> {
    let kind = record_type(&kind)?;
    let limit = query.limit.unwrap_or(50);
    let page = records::duplicate_review_list(&state.ctx, &actor, kind, query.cursor.as_deref(), limit).await?;
    Ok(Json(PairPage { items: page.items, next_cursor: page.next_cursor }))
}

/// Asks the background worker to scan every record of the kind now (the
/// scan also runs nightly). At most one request a minute is queued.
#[utoipa::path(post, path = "/api/v1/{kind}/duplicates/scan", tag = "duplicates", operation_id = "scan_duplicates",
    params(("kind" = String, Path, description = "contacts, companies, leads…")),
    responses((status = 202, body = ScanQueued), (status = 403, body = Problem)))]
pub(crate) async fn scan(
    State(state): State<AppState>,
    WriterUser(_writer): WriterUser,
    PathParams(kind): PathParams<String>,
) -> ApiResult<Response> {
    let minute = state.ctx.now().format("%Y%m%d%H%M").to_string();
    records::request_duplicate_scan(&state.ctx, record_type(&kind)?, &minute).await?;
    Ok((StatusCode::ACCEPTED, Json(ScanQueued { queued: true })).into_response())
}

/// "Not a duplicate": the pair leaves the review list and both records'
/// panels, and later scans keep it away.
#[utoipa::path(post, path = "/api/v1/{kind}/duplicates/dismiss", tag = "duplicates", operation_id = "dismiss_duplicate",
    params(("kind" = String, Path, description = "contacts, companies, leads…")),
    request_body = Dismissal,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn dismiss(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(kind): PathParams<String>,
    JsonBody(body): JsonBody<Dismissal>,
) -> ApiResult<StatusCode> {
    records::dismiss_duplicate(&state.ctx, &writer, record_type(&kind)?, body.record_id, body.other_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Merges records into a survivor: the chosen values win field by field,
/// every reference to a merged record moves to the survivor, and the merged
/// records go to the trash. The caller must be able to change all of them.
#[utoipa::path(post, path = "/api/v1/{kind}/merge", tag = "duplicates", operation_id = "merge_records",
    params(("kind" = String, Path, description = "contacts, companies, leads…")),
    request_body = MergeInput,
    responses((status = 200, body = MergeResult), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn merge(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(kind): PathParams<String>,
    JsonBody(body): JsonBody<MergeInput>,
) -> ApiResult<Json<MergeResult>> {
    Ok(Json(records::merge(&state.ctx, &writer, record_type(&kind)?, &body).await?))
}

/// Undoes a merge: the merged records come back, the moved references point
/// at them again, and the survivor gets its values back. Answers the survivor.
#[utoipa::path(post, path = "/api/v1/merges/{id}/undo", tag = "duplicates", operation_id = "undo_merge", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn undo(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Json<records::Record>> {
    Ok(Json(records::undo_merge(&state.ctx, &writer, id).await?))
}
