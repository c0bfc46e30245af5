//! Follow-up cadences (administrators write them; anyone lists them),
//! enrollments of leads, contacts and deals (writers start and stop them),
//! the rule that starts one for new leads, and WhatsApp reminders'
//! settings and outbox (administrators) and users' own numbers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use rapport_core::cadences::{AutoStart, CadenceInput, StopReason};
use rapport_core::ids::RecordId;
use rapport_db::cadences::{self, Cadence, Enrollment};
use rapport_db::whatsapp::{self, WhatsappMessage, WhatsappSettings, WhatsappSettingsChange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::records::record_type;
use crate::auth::{AccountUser, AdminUser, Auth, WriterUser};
use crate::error::{ApiResult, Problem};
use crate::json::{JsonBody, PathParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/cadences", get(list_cadences).post(create_cadence))
        .route("/cadences/auto-start", get(get_auto_start).put(put_auto_start))
        .route("/cadences/enrollments/{id}", get(get_enrollment))
        .route("/cadences/enrollments/{id}/stop", post(stop_enrollment))
        .route("/cadences/{id}", get(get_cadence).put(update_cadence))
        .route("/cadences/{id}/enrollments", post(enroll))
        .route("/{kind}/{id}/enrollments", get(record_enrollments))
        .route("/whatsapp/settings", get(get_whatsapp_settings).put(put_whatsapp_settings))
        .route("/whatsapp/messages", get(list_whatsapp_messages))
        .route("/me/whatsapp", put(put_own_whatsapp))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CadenceList {
    pub items: Vec<Cadence>,
}

/// Every cadence, by name.
#[utoipa::path(get, path = "/api/v1/cadences", tag = "cadences", responses((status = 200, body = CadenceList)))]
pub(crate) async fn list_cadences(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<CadenceList>> {
    Ok(Json(CadenceList { items: cadences::list(&state.ctx, &actor).await? }))
}

/// Creates a cadence: a name and 1 to 30 steps, each `day_offset` days
/// after the start (0 to 365, never before the step above).
#[utoipa::path(post, path = "/api/v1/cadences", tag = "cadences", request_body = CadenceInput,
    responses((status = 201, body = Cadence), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create_cadence(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<CadenceInput>,
) -> ApiResult<(StatusCode, Json<Cadence>)> {
    Ok((StatusCode::CREATED, Json(cadences::create(&state.ctx, &admin, body).await?)))
}

#[utoipa::path(get, path = "/api/v1/cadences/{id}", tag = "cadences", params(("id" = Uuid, Path)),
    responses((status = 200, body = Cadence), (status = 404, body = Problem)))]
pub(crate) async fn get_cadence(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Json<Cadence>> {
    Ok(Json(cadences::get(&state.ctx, &actor, id).await?))
}

/// Replaces a cadence's name, state and steps. Running enrollments keep
/// the steps they started with; turning a cadence off stops new starts only.
#[utoipa::path(put, path = "/api/v1/cadences/{id}", tag = "cadences", params(("id" = Uuid, Path)),
    request_body = CadenceInput,
    responses((status = 200, body = Cadence), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update_cadence(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<Uuid>,
    JsonBody(body): JsonBody<CadenceInput>,
) -> ApiResult<Json<Cadence>> {
    Ok(Json(cadences::update(&state.ctx, &admin, id, body).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnrollment {
    /// `lead`, `contact` or `deal`.
    pub record_type: String,
    pub record_id: Uuid,
}

/// Starts the cadence on a record the caller sees; its owner gets the
/// steps. 409 `cadence_already_running` when the record runs it already,
/// `cadence_inactive` when it is off, `cadence_record_closed` on a closed
/// deal or a converted or disqualified lead.
#[utoipa::path(post, path = "/api/v1/cadences/{id}/enrollments", tag = "cadences", params(("id" = Uuid, Path)),
    request_body = NewEnrollment,
    responses((status = 201, body = Enrollment), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn enroll(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<Uuid>,
    JsonBody(body): JsonBody<NewEnrollment>,
) -> ApiResult<(StatusCode, Json<Enrollment>)> {
    let kind = rapport_core::schema::RecordType::parse(&body.record_type)
        .ok_or_else(|| rapport_core::DomainError::invalid("record_type", "invalid_choice", "lead, contact or deal"))?;
    let enrollment = cadences::enroll(&state.ctx, &writer, id, kind, RecordId(body.record_id)).await?;
    Ok((StatusCode::CREATED, Json(enrollment)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentList {
    pub items: Vec<Enrollment>,
}

/// A lead's, contact's or deal's cadences, newest first.
#[utoipa::path(get, path = "/api/v1/{kind}/{id}/enrollments", tag = "cadences",
    params(("kind" = String, Path, description = "leads, contacts or deals"), ("id" = Uuid, Path)),
    responses((status = 200, body = EnrollmentList), (status = 404, body = Problem)))]
pub(crate) async fn record_enrollments(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams((kind, id)): PathParams<(String, RecordId)>,
) -> ApiResult<Json<EnrollmentList>> {
    Ok(Json(EnrollmentList { items: cadences::of_record(&state.ctx, &actor, record_type(&kind)?, id).await? }))
}

#[utoipa::path(get, path = "/api/v1/cadences/enrollments/{id}", tag = "cadences", params(("id" = Uuid, Path)),
    responses((status = 200, body = Enrollment), (status = 404, body = Problem)))]
pub(crate) async fn get_enrollment(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<Json<Enrollment>> {
    Ok(Json(cadences::get_enrollment(&state.ctx, &actor, id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopEnrollment {
    /// `by_owner` (the default) or `replied` (the person answered outside Rapport).
    pub reason: Option<StopReason>,
}

/// Stops a running cadence: its owner, a manager or an administrator. No
/// later step is created; tasks already created stay open.
#[utoipa::path(post, path = "/api/v1/cadences/enrollments/{id}/stop", tag = "cadences", params(("id" = Uuid, Path)),
    request_body = StopEnrollment,
    responses((status = 200, body = Enrollment), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub(crate) async fn stop_enrollment(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<Uuid>,
    JsonBody(body): JsonBody<StopEnrollment>,
) -> ApiResult<Json<Enrollment>> {
    let reason = body.reason.unwrap_or(StopReason::ByOwner);
    Ok(Json(cadences::stop(&state.ctx, &writer, id, reason).await?))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AutoStartRule {
    /// Absent: no cadence starts by itself.
    pub rule: Option<AutoStart>,
}

/// The rule that starts a cadence for every new lead from a source (such as `web`).
#[utoipa::path(get, path = "/api/v1/cadences/auto-start", tag = "cadences",
    responses((status = 200, body = AutoStartRule), (status = 403, body = Problem)))]
pub(crate) async fn get_auto_start(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
) -> ApiResult<Json<AutoStartRule>> {
    Ok(Json(AutoStartRule { rule: cadences::auto_start(state.ctx.db.conn()).await? }))
}

#[utoipa::path(put, path = "/api/v1/cadences/auto-start", tag = "cadences", request_body = AutoStartRule,
    responses((status = 200, body = AutoStartRule), (status = 422, body = Problem)))]
pub(crate) async fn put_auto_start(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<AutoStartRule>,
) -> ApiResult<Json<AutoStartRule>> {
    Ok(Json(AutoStartRule { rule: cadences::set_auto_start(&state.ctx, &admin, body.rule).await? }))
}

/// The WhatsApp Business Cloud API settings (never the token).
#[utoipa::path(get, path = "/api/v1/whatsapp/settings", tag = "whatsapp",
    responses((status = 200, body = WhatsappSettings), (status = 403, body = Problem)))]
pub(crate) async fn get_whatsapp_settings(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
) -> ApiResult<Json<WhatsappSettings>> {
    Ok(Json(whatsapp::get_settings(&state.ctx, &admin).await?))
}

/// Changes the settings; the token is stored encrypted with the server's
/// `secret_key` (422 `secret_key_missing` without one) and kept unless a
/// new one is given or `clear_token` is set.
#[utoipa::path(put, path = "/api/v1/whatsapp/settings", tag = "whatsapp", request_body = WhatsappSettingsChange,
    responses((status = 200, body = WhatsappSettings), (status = 422, body = Problem)))]
pub(crate) async fn put_whatsapp_settings(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<WhatsappSettingsChange>,
) -> ApiResult<Json<WhatsappSettings>> {
    Ok(Json(whatsapp::save_settings(&state.ctx, &admin, &body).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WhatsappMessageList {
    pub items: Vec<WhatsappMessage>,
}

/// The latest 50 WhatsApp messages, newest first, with their outcome.
#[utoipa::path(get, path = "/api/v1/whatsapp/messages", tag = "whatsapp",
    responses((status = 200, body = WhatsappMessageList), (status = 403, body = Problem)))]
pub(crate) async fn list_whatsapp_messages(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
) -> ApiResult<Json<WhatsappMessageList>> {
    Ok(Json(WhatsappMessageList { items: whatsapp::recent(&state.ctx, &admin, 50).await? }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OwnWhatsapp {
    /// In E.164 (`+5511987654321`) or national in the account's region; empty removes it.
    pub phone: Option<String>,
}

/// Sets the caller's WhatsApp number, where their reminders go.
#[utoipa::path(put, path = "/api/v1/me/whatsapp", tag = "whatsapp", request_body = OwnWhatsapp,
    responses((status = 200, body = OwnWhatsapp), (status = 422, body = Problem)))]
pub(crate) async fn put_own_whatsapp(
    State(state): State<AppState>,
    AccountUser(holder): AccountUser,
    JsonBody(body): JsonBody<OwnWhatsapp>,
) -> ApiResult<Json<OwnWhatsapp>> {
    let phone = whatsapp::set_own_number(&state.ctx, &holder, body.phone.as_deref().unwrap_or_default()).await?;
    Ok(Json(OwnWhatsapp { phone }))
}
