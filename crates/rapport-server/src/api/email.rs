//! E-mail out: SMTP settings, a test message, templates and the outbox
//! (administrators), and a message about a record (writers).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use rapport_core::ids::RecordId;
use rapport_core::mail::templates::{Rendered, TemplateText};
use rapport_db::mail::templates::EmailTemplate;
use rapport_db::mail::{self, EmailSettings, EmailSettingsChange, OutboxMessage, RecordEmail};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::records::record_type;
use crate::auth::{AdminUser, WriterUser};
use crate::error::{ApiResult, Problem};
use crate::json::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/email/settings", get(get_email_settings).put(put_email_settings))
        .route("/email/test", post(send_test_email))
        .route("/email/templates", get(list_email_templates))
        .route("/email/templates/{key}", get(get_email_template))
        .route("/email/templates/{key}/{language}", put(save_email_template).delete(reset_email_template))
        .route("/email/templates/{key}/{language}/preview", post(preview_email_template))
        .route("/email/outbox", get(list_outbox))
        .route("/email/outbox/{id}", get(get_outbox_message))
        .route("/email/outbox/{id}/retry", post(retry_outbox_message))
        .route("/{kind}/{id}/emails", post(send_record_email))
}

/// The SMTP settings (never the password: only whether one is set).
#[utoipa::path(get, path = "/api/v1/email/settings", tag = "email", responses((status = 200, body = EmailSettings)))]
async fn get_email_settings(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
) -> ApiResult<Json<EmailSettings>> {
    Ok(Json(mail::get_settings(&state.ctx, &admin).await?))
}

/// Changes the SMTP settings. The password is stored encrypted with the
/// server's `secret_key` (422 `secret_key_missing` without one); when the
/// server's configuration sets SMTP, only `default_language` changes here (409 otherwise).
#[utoipa::path(put, path = "/api/v1/email/settings", tag = "email", request_body = EmailSettingsChange,
    responses((status = 200, body = EmailSettings), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn put_email_settings(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<EmailSettingsChange>,
) -> ApiResult<Json<EmailSettings>> {
    Ok(Json(mail::save_settings(&state.ctx, &admin, &body).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestEmail {
    /// Where the test message goes.
    pub to: String,
}

/// Queues a test message; its outcome is the outbox message's status.
#[utoipa::path(post, path = "/api/v1/email/test", tag = "email", request_body = TestEmail,
    responses((status = 202, body = OutboxMessage), (status = 422, body = Problem)))]
async fn send_test_email(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<TestEmail>,
) -> ApiResult<(StatusCode, Json<OutboxMessage>)> {
    let id = mail::send_test(&state.ctx, &admin, &body.to).await?;
    Ok((StatusCode::ACCEPTED, Json(mail::get(&state.ctx, &admin, id).await?)))
}

/// Every template with its text in each language (edited or built in).
#[utoipa::path(get, path = "/api/v1/email/templates", tag = "email", responses((status = 200, body = [EmailTemplate])))]
async fn list_email_templates(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
) -> ApiResult<Json<Vec<EmailTemplate>>> {
    Ok(Json(mail::templates::list(&state.ctx, &admin).await?))
}

#[utoipa::path(get, path = "/api/v1/email/templates/{key}", tag = "email", params(("key" = String, Path)),
    responses((status = 200, body = EmailTemplate), (status = 404, body = Problem)))]
async fn get_email_template(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(key): PathParams<String>,
) -> ApiResult<Json<EmailTemplate>> {
    Ok(Json(mail::templates::get(&state.ctx, &admin, &key).await?))
}

/// Stores a template's text in one language; a template that does not
/// parse is a 422 naming the field and line.
#[utoipa::path(put, path = "/api/v1/email/templates/{key}/{language}", tag = "email",
    params(("key" = String, Path), ("language" = String, Path, description = "en, pt-BR or es")), request_body = TemplateText,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn save_email_template(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams((key, language)): PathParams<(String, String)>,
    JsonBody(body): JsonBody<TemplateText>,
) -> ApiResult<StatusCode> {
    mail::templates::save(&state.ctx, &admin, &key, &language, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Goes back to the built-in text in one language.
#[utoipa::path(delete, path = "/api/v1/email/templates/{key}/{language}", tag = "email",
    params(("key" = String, Path), ("language" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
async fn reset_email_template(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams((key, language)): PathParams<(String, String)>,
) -> ApiResult<StatusCode> {
    mail::templates::reset(&state.ctx, &admin, &key, &language).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// A draft to render instead of the stored text.
    pub draft: Option<TemplateText>,
}

/// Renders a template (the stored text or a draft) with sample values.
#[utoipa::path(post, path = "/api/v1/email/templates/{key}/{language}/preview", tag = "email",
    params(("key" = String, Path), ("language" = String, Path)), request_body = PreviewRequest,
    responses((status = 200, body = Rendered), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn preview_email_template(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams((key, language)): PathParams<(String, String)>,
    JsonBody(body): JsonBody<PreviewRequest>,
) -> ApiResult<Json<Rendered>> {
    Ok(Json(mail::templates::preview(&state.ctx, &admin, &key, &language, body.draft.as_ref()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxPage {
    pub items: Vec<OutboxMessage>,
    pub next_cursor: Option<String>,
}

/// The outbox, newest first.
#[utoipa::path(get, path = "/api/v1/email/outbox", tag = "email", params(OutboxQuery),
    responses((status = 200, body = OutboxPage), (status = 422, body = Problem)))]
async fn list_outbox(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    QueryParams(query): QueryParams<OutboxQuery>,
) -> ApiResult<Json<OutboxPage>> {
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let page = mail::list(&state.ctx, &admin, query.cursor.as_deref(), limit).await?;
    Ok(Json(OutboxPage { items: page.items, next_cursor: page.next_cursor }))
}

#[utoipa::path(get, path = "/api/v1/email/outbox/{id}", tag = "email", params(("id" = Uuid, Path)),
    responses((status = 200, body = OutboxMessage), (status = 404, body = Problem)))]
async fn get_outbox_message(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Json<OutboxMessage>> {
    Ok(Json(mail::get(&state.ctx, &admin, id).await?))
}

/// Sends a failed message again, with its Message-ID (409 unless it failed).
#[utoipa::path(post, path = "/api/v1/email/outbox/{id}/retry", tag = "email", params(("id" = Uuid, Path)),
    responses((status = 202, body = OutboxMessage), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retry_outbox_message(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<(StatusCode, Json<OutboxMessage>)> {
    Ok((StatusCode::ACCEPTED, Json(mail::retry(&state.ctx, &admin, id).await?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedEmail {
    /// The outbox message; it shows on the record's timeline.
    pub id: Uuid,
}

/// Sends an e-mail about a record (to its e-mail, or its contact's, unless
/// `to` says otherwise); it shows on the record's timeline.
#[utoipa::path(post, path = "/api/v1/{kind}/{id}/emails", tag = "email",
    params(("kind" = String, Path, description = "contacts, leads, deals…"), ("id" = Uuid, Path)), request_body = RecordEmail,
    responses((status = 202, body = QueuedEmail), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn send_record_email(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams((kind, id)): PathParams<(String, Uuid)>,
    JsonBody(body): JsonBody<RecordEmail>,
) -> ApiResult<(StatusCode, Json<QueuedEmail>)> {
    let id = mail::send_about_record(&state.ctx, &writer, record_type(&kind)?, RecordId(id), &body).await?;
    Ok((StatusCode::ACCEPTED, Json(QueuedEmail { id })))
}
