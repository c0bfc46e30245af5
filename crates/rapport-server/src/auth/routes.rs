use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use chrono::{DateTime, Utc};
use rapport_core::access::{Role, Scope, Writer};
use rapport_core::ids::TokenId;
use rapport_core::{DomainError, FieldError};
use rapport_db::auth::ApiToken;
use rapport_db::users::OnPasswordChange;
use rapport_db::users::{NewUser, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AccountUser, Auth, ClientIp, SESSION_COOKIE, SessionToken, constant_time_eq};
use crate::error::{ApiResult, Problem};
use crate::json::{JsonBody, PathParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me).patch(set_preferences))
        .route("/auth/password", post(change_password))
        .route("/auth/setup", post(setup))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub user: User,
    /// Send as `X-CSRF-Token` on every changing request made with the session cookie.
    pub csrf_token: Option<String>,
}

pub(crate) fn session_cookie(state: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Logs in with e-mail and password and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = SessionInfo), (status = 401, body = Problem), (status = 429, body = Problem),
        (status = 503, description = "too many logins are being checked; retry after `Retry-After` seconds", body = Problem)))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let user =
        rapport_db::auth::login(&state.ctx, &body.email, &body.password, &ip, &state.config.login_throttle).await?;
    let session = rapport_db::auth::create_session(&state.ctx, user.id, &state.config.sessions).await?;
    let mut response = Json(SessionInfo { user, csrf_token: Some(session.csrf_token) }).into_response();
    let max_age = state.config.sessions.lifetime.num_seconds();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, &session.token, max_age));
    Ok(response)
}

/// Ends the current session (a changing request: it needs the CSRF token).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = Problem)))]
async fn logout(State(state): State<AppState>, _auth: Auth, SessionToken(token): SessionToken) -> ApiResult<Response> {
    if let Some(token) = token {
        rapport_db::auth::end_session(&state.ctx, &token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(response)
}

/// The current user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = User), (status = 401, body = Problem)))]
async fn me(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<User>> {
    let user = rapport_db::users::get(state.ctx.db.conn(), actor.user()).await?.ok_or(DomainError::Unauthenticated)?;
    Ok(Json(user))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// The name others see: 1 to 100 characters, trimmed.
    pub name: Option<String>,
    /// `en`, `pt-BR` or `es`.
    pub locale: Option<String>,
    /// An IANA time zone, such as `America/Sao_Paulo`.
    pub time_zone: Option<String>,
}

/// Sets the current user's name, language and time zone; what is absent stays.
#[utoipa::path(patch, path = "/api/v1/auth/me", tag = "auth", request_body = Preferences,
    responses((status = 200, body = User), (status = 422, body = Problem)))]
async fn set_preferences(
    State(state): State<AppState>,
    AccountUser(account): AccountUser,
    JsonBody(body): JsonBody<Preferences>,
) -> ApiResult<Json<User>> {
    let (name, locale, zone) = (body.name.as_deref(), body.locale.as_deref(), body.time_zone.as_deref());
    rapport_db::users::set_preferences(&state.ctx, &account, name, locale, zone).await?;
    let user =
        rapport_db::users::get(state.ctx.db.conn(), account.user()).await?.ok_or(DomainError::Unauthenticated)?;
    Ok(Json(user))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    /// Revoke the user's API tokens too (the default): whoever learnt the old
    /// password may have made one.
    #[serde(default = "revoke_by_default")]
    pub revoke_tokens: bool,
}

fn revoke_by_default() -> bool {
    true
}

/// Changes the current user's password; all their sessions end.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = Problem)))]
async fn change_password(
    State(state): State<AppState>,
    AccountUser(actor): AccountUser,
    ClientIp(ip): ClientIp,
    JsonBody(body): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    let user = rapport_db::users::get(state.ctx.db.conn(), actor.user()).await?.ok_or(DomainError::Unauthenticated)?;
    let checked =
        rapport_db::auth::login(&state.ctx, &user.email, &body.current_password, &ip, &state.config.login_throttle)
            .await;
    if let Err(rapport_db::Error::Domain(DomainError::Unauthenticated)) = checked {
        return Err(DomainError::Validation(
            FieldError::new("current_password", "wrong_password", "the current password is not correct").into(),
        )
        .into());
    }
    checked?;
    let then = if body.revoke_tokens { OnPasswordChange::RevokeTokens } else { OnPasswordChange::KeepTokens };
    rapport_db::users::set_password(&state.ctx, actor.user(), &body.new_password, then).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The one-time token `rapport serve` printed on first start.
    pub token: String,
    pub email: String,
    pub name: String,
    pub password: String,
}

/// Creates the first administrator with the one-time setup token.
#[utoipa::path(post, path = "/api/v1/auth/setup", tag = "auth", request_body = SetupRequest,
    responses((status = 201, body = User), (status = 403, body = Problem)))]
async fn setup(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<SetupRequest>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let valid = state.setup_token.as_deref().is_some_and(|expected| constant_time_eq(expected, &body.token));
    if !valid {
        return Err(DomainError::Forbidden("setup is only possible once, with the token printed at first start").into());
    }
    let input =
        NewUser { email: body.email, name: body.name, password: body.password, role: Role::Admin, locale: "en".into() };
    let user = rapport_db::users::create_first_admin(&state.ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    pub scope: Scope,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// Shown once: send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// The current user's API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", responses((status = 200, body = [ApiToken])))]
async fn list_tokens(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(rapport_db::auth::list_tokens(&state.ctx, actor.user()).await?))
}

/// Creates a personal API token for the current user.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    AccountUser(actor): AccountUser,
    JsonBody(body): JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    // A read-only credential cannot mint a read-write one.
    if body.scope == Scope::ReadWrite {
        Writer::try_from(actor.actor().clone())?;
    }
    let (token, secret) =
        rapport_db::auth::create_token(&state.ctx, actor.user(), &body.name, body.scope, body.expires_at).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })))
}

/// Revokes one of the current user's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "auth", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn revoke_token(
    State(state): State<AppState>,
    AccountUser(actor): AccountUser,
    PathParams(id): PathParams<TokenId>,
) -> ApiResult<StatusCode> {
    rapport_db::auth::revoke_token(&state.ctx, Some(actor.user()), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
