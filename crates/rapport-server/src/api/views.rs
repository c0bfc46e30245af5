//! Saved list views and each user's list columns: what the list screens
//! keep, for other clients too.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use rapport_core::schema::RecordType;
use rapport_core::views::ViewInput;
use rapport_db::views::SavedView;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{AccountUser, Auth};
use crate::error::{ApiResult, AppError, Problem};
use crate::json::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/views", get(list_views).post(create_view))
        .route("/views/{id}", get(get_view).patch(update_view).delete(delete_view))
        .route("/list-columns/{kind}", get(get_columns).put(set_columns))
}

fn kind(plural: &str) -> Result<RecordType, AppError> {
    RecordType::from_plural(plural)
        .ok_or_else(|| AppError::bad_request("unknown_type", format!("unknown record kind '{plural}'")))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ViewsQuery {
    /// The kind's plural: `contacts`, `deals`…
    pub kind: String,
}

/// The views of a kind the caller may open: their own and the shared ones.
#[utoipa::path(get, path = "/api/v1/views", tag = "views", params(ViewsQuery),
    responses((status = 200, body = [SavedView]), (status = 400, body = Problem)))]
async fn list_views(
    State(state): State<AppState>,
    Auth(actor): Auth,
    QueryParams(query): QueryParams<ViewsQuery>,
) -> ApiResult<Json<Vec<SavedView>>> {
    Ok(Json(rapport_db::views::list(&state.ctx, &actor, kind(&query.kind)?).await?))
}

#[utoipa::path(get, path = "/api/v1/views/{id}", tag = "views", params(("id" = Uuid, Path)),
    responses((status = 200, body = SavedView), (status = 404, body = Problem)))]
async fn get_view(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Json<SavedView>> {
    Ok(Json(rapport_db::views::get(&state.ctx, &actor, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewView {
    /// The kind's plural: `contacts`, `deals`…
    pub kind: String,
    #[serde(flatten)]
    pub view: ViewInput,
}

/// Saves a list's filters, sort and columns under a name.
#[utoipa::path(post, path = "/api/v1/views", tag = "views", request_body = NewView,
    responses((status = 201, body = SavedView), (status = 422, body = Problem)))]
async fn create_view(
    State(state): State<AppState>,
    AccountUser(holder): AccountUser,
    JsonBody(input): JsonBody<NewView>,
) -> ApiResult<(StatusCode, Json<SavedView>)> {
    let view = rapport_db::views::create(&state.ctx, &holder, kind(&input.kind)?, &input.view).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Replaces a view; only whoever made it, or an administrator.
#[utoipa::path(patch, path = "/api/v1/views/{id}", tag = "views", params(("id" = Uuid, Path)), request_body = ViewInput,
    responses((status = 200, body = SavedView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn update_view(
    State(state): State<AppState>,
    AccountUser(holder): AccountUser,
    PathParams(id): PathParams<Uuid>,
    JsonBody(input): JsonBody<ViewInput>,
) -> ApiResult<Json<SavedView>> {
    Ok(Json(rapport_db::views::update(&state.ctx, &holder, id, &input).await?))
}

#[utoipa::path(delete, path = "/api/v1/views/{id}", tag = "views", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delete_view(
    State(state): State<AppState>,
    AccountUser(holder): AccountUser,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<StatusCode> {
    rapport_db::views::delete(&state.ctx, &holder, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The columns a user's lists of a kind show; empty for the kind's defaults.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListColumns {
    pub columns: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/list-columns/{kind}", tag = "views", params(("kind" = String, Path)),
    responses((status = 200, body = ListColumns), (status = 400, body = Problem)))]
async fn get_columns(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(plural): PathParams<String>,
) -> ApiResult<Json<ListColumns>> {
    let columns = rapport_db::views::columns(&state.ctx, &actor, kind(&plural)?).await?;
    Ok(Json(ListColumns { columns: columns.unwrap_or_default() }))
}

#[utoipa::path(put, path = "/api/v1/list-columns/{kind}", tag = "views", params(("kind" = String, Path)),
    request_body = ListColumns, responses((status = 200, body = ListColumns), (status = 422, body = Problem)))]
async fn set_columns(
    State(state): State<AppState>,
    AccountUser(holder): AccountUser,
    PathParams(plural): PathParams<String>,
    JsonBody(input): JsonBody<ListColumns>,
) -> ApiResult<Json<ListColumns>> {
    let columns = rapport_db::views::set_columns(&state.ctx, &holder, kind(&plural)?, &input.columns).await?;
    Ok(Json(ListColumns { columns }))
}
