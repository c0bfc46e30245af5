//! Administration: users, teams, custom fields and account settings.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use rapport_core::access::Role;
use rapport_core::custom_fields::CustomFieldDefinition;
use rapport_core::ids::{TeamId, UserId};
use rapport_db::settings::Settings;
use rapport_db::users::{Colleague, NewUser, Team, User};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::records::record_type;
use crate::auth::{AdminUser, Auth};
use crate::error::{ApiResult, Problem};
use crate::json::{JsonBody, PathParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", patch(update_user))
        .route("/users/{id}/disable", post(disable_user))
        .route("/users/{id}/enable", post(enable_user))
        .route("/users/{id}/role", axum::routing::put(set_role))
        .route("/users/{id}/password", post(reset_password))
        .route("/teams", get(list_teams).post(create_team))
        .route("/teams/{id}/members", post(add_member))
        .route("/custom-fields", get(list_custom_fields).post(create_custom_field))
        .route("/custom-fields/{kind}/{key}", delete(delete_custom_field))
        .route("/settings", get(get_settings).put(put_settings))
}

/// All users: managers and administrators see every detail, others names and teams.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", responses((status = 200, body = [Colleague])))]
async fn list_users(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<Colleague>>> {
    Ok(Json(rapport_db::users::directory(&state.ctx, &actor).await?))
}

/// Creates a user (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = NewUser,
    responses((status = 201, body = User), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((StatusCode::CREATED, Json(rapport_db::users::create(&state.ctx, &admin, &body).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// The name others see: 1 to 100 characters, trimmed.
    pub name: String,
}

/// Renames a user (administrators; users rename themselves with PATCH /api/v1/auth/me).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "admin", params(("id" = Uuid, Path)), request_body = UserChange,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<UserId>,
    JsonBody(body): JsonBody<UserChange>,
) -> ApiResult<StatusCode> {
    rapport_db::users::rename(&state.ctx, &admin, id, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Disables a user: their sessions end and their tokens stop working.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "admin", params(("id" = Uuid, Path)), responses((status = 204)))]
async fn disable_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<UserId>,
) -> ApiResult<StatusCode> {
    rapport_db::users::set_disabled(&state.ctx, &admin, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables a disabled user again.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "admin", params(("id" = Uuid, Path)), responses((status = 204)))]
async fn enable_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<UserId>,
) -> ApiResult<StatusCode> {
    rapport_db::users::set_disabled(&state.ctx, &admin, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
}

/// Changes a user's role (administrators); the last administrator keeps theirs.
#[utoipa::path(put, path = "/api/v1/users/{id}/role", tag = "admin", params(("id" = Uuid, Path)), request_body = RoleChange,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn set_role(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<UserId>,
    JsonBody(body): JsonBody<RoleChange>,
) -> ApiResult<StatusCode> {
    rapport_db::users::set_role(&state.ctx, &admin, id, body.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

/// Sets a user's password for them (administrators, for a forgotten one):
/// their sessions end and their API tokens are revoked.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "admin", params(("id" = Uuid, Path)), request_body = PasswordReset,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn reset_password(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<UserId>,
    JsonBody(body): JsonBody<PasswordReset>,
) -> ApiResult<StatusCode> {
    rapport_db::users::reset_password(&state.ctx, &admin, id, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Teams and their members.
#[utoipa::path(get, path = "/api/v1/teams", tag = "admin", responses((status = 200, body = [Team])))]
async fn list_teams(State(state): State<AppState>, Auth(_actor): Auth) -> ApiResult<Json<Vec<Team>>> {
    Ok(Json(rapport_db::users::list_teams(&state.ctx).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    pub name: String,
}

/// Creates a team (administrators).
#[utoipa::path(post, path = "/api/v1/teams", tag = "admin", request_body = NewTeam, responses((status = 201, body = Team)))]
async fn create_team(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<NewTeam>,
) -> ApiResult<(StatusCode, Json<Team>)> {
    Ok((StatusCode::CREATED, Json(rapport_db::users::create_team(&state.ctx, &admin, &body.name).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub user_id: UserId,
}

/// Adds a user to a team (administrators).
#[utoipa::path(post, path = "/api/v1/teams/{id}/members", tag = "admin", params(("id" = Uuid, Path)),
    request_body = NewMember, responses((status = 204), (status = 404, body = Problem)))]
async fn add_member(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<TeamId>,
    JsonBody(body): JsonBody<NewMember>,
) -> ApiResult<StatusCode> {
    rapport_db::users::add_member(&state.ctx, &admin, id, body.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Custom field definitions of every record type.
#[utoipa::path(get, path = "/api/v1/custom-fields", tag = "admin", responses((status = 200, body = [CustomFieldDefinition])))]
async fn list_custom_fields(
    State(state): State<AppState>,
    Auth(_actor): Auth,
) -> ApiResult<Json<Vec<CustomFieldDefinition>>> {
    Ok(Json(state.ctx.snapshot().await?.custom_fields.clone()))
}

/// Defines a custom field (administrators).
#[utoipa::path(post, path = "/api/v1/custom-fields", tag = "admin", request_body = CustomFieldDefinition,
    responses((status = 201, body = CustomFieldDefinition), (status = 422, body = Problem)))]
async fn create_custom_field(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<CustomFieldDefinition>,
) -> ApiResult<(StatusCode, Json<CustomFieldDefinition>)> {
    rapport_db::settings::create_custom_field(&state.ctx, &admin, &body).await?;
    Ok((StatusCode::CREATED, Json(body)))
}

/// Removes a custom field definition (stored values stay in the records).
#[utoipa::path(delete, path = "/api/v1/custom-fields/{kind}/{key}", tag = "admin",
    params(("kind" = String, Path, description = "contacts, companies, leads, deals or activities"), ("key" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_custom_field(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams((kind, key)): PathParams<(String, String)>,
) -> ApiResult<StatusCode> {
    rapport_db::settings::delete_custom_field(&state.ctx, &admin, record_type(&kind)?, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Account settings.
#[utoipa::path(get, path = "/api/v1/settings", tag = "admin", responses((status = 200, body = Settings)))]
async fn get_settings(State(state): State<AppState>, Auth(_actor): Auth) -> ApiResult<Json<Settings>> {
    Ok(Json(state.ctx.snapshot().await?.settings.clone()))
}

/// Replaces the account settings (administrators).
#[utoipa::path(put, path = "/api/v1/settings", tag = "admin", request_body = Settings,
    responses((status = 200, body = Settings), (status = 422, body = Problem)))]
async fn put_settings(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<Settings>,
) -> ApiResult<Json<Settings>> {
    rapport_db::settings::save(&state.ctx, &admin, &body).await?;
    Ok(Json(body))
}
