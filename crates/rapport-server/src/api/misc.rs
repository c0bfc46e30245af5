//! Search, pipelines, lead conversion and notifications.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, patch, post};
use rapport_core::ids::RecordId;
use rapport_core::records::pipeline::{PipelineUpdate, StageDraft};
use rapport_core::schema::RecordType;
use rapport_db::notifications::Notification;
use rapport_db::pipelines::Pipeline;
use rapport_db::records::{ConversionInput, ConversionResult};
use rapport_db::search::SearchHit;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::idempotency::{IdempotencyKey, idempotent};
use crate::auth::{AccountUser, AdminUser, Auth, WriterUser};
use crate::error::{ApiResult, AppError, Problem};
use crate::json::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/search", get(search))
        .route("/pipelines", get(list_pipelines).post(create_pipeline))
        .route("/pipelines/{id}", patch(update_pipeline))
        .route("/leads/{id}/convert", post(convert_lead))
        .route("/notifications", get(list_notifications))
        .route("/notifications/{id}/read", post(mark_read))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words to find; each matches as a prefix, accents ignored.
    pub q: String,
    /// Comma-separated record types (`contact,company,lead,deal,activity`); all when absent.
    pub types: Option<String>,
    /// At most this many hits (1–100, default 20).
    pub limit: Option<u64>,
}

/// Full-text search across the records the caller can see.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = [SearchHit]), (status = 400, body = Problem)))]
async fn search(
    State(state): State<AppState>,
    Auth(actor): Auth,
    QueryParams(query): QueryParams<SearchQuery>,
) -> ApiResult<Json<Vec<SearchHit>>> {
    if query.q.chars().count() > 200 {
        return Err(AppError::bad_request("query_too_long", "a search has at most 200 characters"));
    }
    let mut types = Vec::new();
    for name in query.types.iter().flat_map(|t| t.split(',')).map(str::trim).filter(|t| !t.is_empty()) {
        types.push(
            RecordType::parse(name)
                .ok_or_else(|| AppError::bad_request("unknown_type", format!("unknown record type '{name}'")))?,
        );
    }
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    Ok(Json(rapport_db::search::search(&state.ctx, &actor, &query.q, &types, limit).await?))
}

/// Pipelines with their ordered stages.
#[utoipa::path(get, path = "/api/v1/pipelines", tag = "pipelines", responses((status = 200, body = [Pipeline])))]
async fn list_pipelines(State(state): State<AppState>, Auth(_actor): Auth) -> ApiResult<Json<Vec<Pipeline>>> {
    Ok(Json(rapport_db::pipelines::list(state.ctx.db.conn()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPipeline {
    pub name: String,
    pub stages: Vec<StageDraft>,
}

/// Creates a pipeline (administrators).
#[utoipa::path(post, path = "/api/v1/pipelines", tag = "pipelines", request_body = NewPipeline,
    responses((status = 201, body = Pipeline), (status = 422, body = Problem)))]
async fn create_pipeline(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<NewPipeline>,
) -> ApiResult<(StatusCode, Json<Pipeline>)> {
    let pipeline = rapport_db::pipelines::create(&state.ctx, &admin, &body.name, &body.stages).await?;
    Ok((StatusCode::CREATED, Json(pipeline)))
}

/// Changes a pipeline (administrators): its name, and its stages in the order
/// given. A stage with an `id` keeps it and its deals; one without is added;
/// a stored stage left out is removed, which is refused while any deal (in
/// the trash too) is in it. A stage holding deals cannot become won, lost or
/// open. One won and one lost stage remain.
#[utoipa::path(patch, path = "/api/v1/pipelines/{id}", tag = "pipelines", params(("id" = Uuid, Path)),
    request_body = PipelineUpdate,
    responses((status = 200, body = Pipeline), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_pipeline(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<Uuid>,
    JsonBody(body): JsonBody<PipelineUpdate>,
) -> ApiResult<Json<Pipeline>> {
    Ok(Json(rapport_db::pipelines::update(&state.ctx, &admin, id, &body).await?))
}

/// Converts a lead into a contact (and company, and optionally a deal),
/// reusing records that match its e-mail or company domain.
#[utoipa::path(post, path = "/api/v1/leads/{id}/convert", tag = "leads", params(("id" = Uuid, Path)),
    request_body = ConversionInput,
    responses((status = 200, body = ConversionResult), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn convert_lead(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    let input: ConversionInput =
        serde_json::from_value(body.clone()).map_err(|e| AppError::invalid_body(e.to_string()))?;
    let path = format!("/api/v1/leads/{id}/convert");
    let (ctx, writer_ref, input) = (&state.ctx, &writer, &input);
    idempotent(&state, &writer, &headers, &path, &body, |key| async move {
        let as_json = |result: &ConversionResult| serde_json::to_value(result).unwrap_or_default();
        let render = |result: &ConversionResult| (StatusCode::OK.as_u16(), as_json(result));
        let completion = IdempotencyKey::completion(&key, &render);
        let result =
            rapport_db::records::convert_lead_idempotent(ctx, writer_ref, id, input, completion.as_ref()).await?;
        Ok((StatusCode::OK, as_json(&result)))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// Only the unread ones.
    pub unread: Option<bool>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u64>,
}

/// A page of notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The caller's notifications, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, body = NotificationPage), (status = 422, body = Problem)))]
async fn list_notifications(
    State(state): State<AppState>,
    Auth(actor): Auth,
    QueryParams(query): QueryParams<NotificationQuery>,
) -> ApiResult<Json<NotificationPage>> {
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let unread = query.unread.unwrap_or(false);
    let page =
        rapport_db::notifications::for_user(&state.ctx, actor.user(), unread, query.cursor.as_deref(), limit).await?;
    Ok(Json(NotificationPage { items: page.items, next_cursor: page.next_cursor }))
}

/// Marks a notification read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn mark_read(
    State(state): State<AppState>,
    AccountUser(actor): AccountUser,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<StatusCode> {
    if rapport_db::notifications::mark_read(&state.ctx, actor.user(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(rapport_core::DomainError::not_found("notification").into())
    }
}
