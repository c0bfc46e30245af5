//! Reports and dashboards: `/api/v1/reports` (saved reports, CRUD),
//! `POST /api/v1/reports/run` (an ad-hoc definition), `GET
//! /api/v1/reports/{id}/results` and `/api/v1/dashboards` (CRUD).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use rapport_core::ids::{DashboardId, ReportId};
use rapport_core::reports::ReportDefinition;
use rapport_db::reports::{
    Dashboard, DashboardInput, ReportInput, ReportResult, ReportSchedule, SavedReport, ScheduleInput,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::json::{JsonBody, PathParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/reports", get(list_reports).post(create_report))
        .route("/reports/run", post(run_report))
        .route("/reports/{id}", get(get_report).put(update_report).delete(delete_report))
        .route("/reports/{id}/results", get(report_results))
        .route("/reports/{id}/schedules", get(list_schedules).post(create_schedule))
        .route("/reports/{id}/schedules/{schedule}", axum::routing::delete(delete_schedule))
        .route("/dashboards", get(list_dashboards).post(create_dashboard))
        .route("/dashboards/{id}", get(get_dashboard).put(update_dashboard).delete(delete_dashboard))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub items: Vec<SavedReport>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardList {
    pub items: Vec<Dashboard>,
}

/// A saved report with what it finds now.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedReportResults {
    pub report: SavedReport,
    pub result: ReportResult,
}

/// Runs a report definition without saving it: records of one kind, with
/// the list API's filters, grouped by up to two fields (dates by day, week,
/// month, quarter or year), counted or summed; money per currency. Only the
/// records the caller may see count.
#[utoipa::path(post, path = "/api/v1/reports/run", tag = "reports", request_body = ReportDefinition,
    responses((status = 200, body = ReportResult), (status = 422, body = Problem)))]
pub(crate) async fn run_report(
    State(state): State<AppState>,
    Auth(actor): Auth,
    JsonBody(definition): JsonBody<ReportDefinition>,
) -> ApiResult<Json<ReportResult>> {
    Ok(Json(rapport_db::reports::run(&state.ctx, &actor, &definition).await?))
}

/// The saved reports the caller may open: their own, those shared with their teams (administrators: all).
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", responses((status = 200, body = ReportList)))]
pub(crate) async fn list_reports(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<ReportList>> {
    Ok(Json(ReportList { items: rapport_db::reports::list_reports(&state.ctx, &actor).await? }))
}

/// Saves a report, private or shared with one of the caller's teams.
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = ReportInput,
    responses((status = 201, body = SavedReport), (status = 422, body = Problem)))]
pub(crate) async fn create_report(
    State(state): State<AppState>,
    Auth(actor): Auth,
    JsonBody(input): JsonBody<ReportInput>,
) -> ApiResult<(StatusCode, Json<SavedReport>)> {
    Ok((StatusCode::CREATED, Json(rapport_db::reports::create_report(&state.ctx, &actor, &input).await?)))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = ReportId, Path)),
    responses((status = 200, body = SavedReport), (status = 404, body = Problem)))]
pub(crate) async fn get_report(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<ReportId>,
) -> ApiResult<Json<SavedReport>> {
    Ok(Json(rapport_db::reports::get_report(&state.ctx, &actor, id).await?))
}

/// Changes a saved report (its owner, or an administrator).
#[utoipa::path(put, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = ReportId, Path)), request_body = ReportInput,
    responses((status = 200, body = SavedReport), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update_report(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<ReportId>,
    JsonBody(input): JsonBody<ReportInput>,
) -> ApiResult<Json<SavedReport>> {
    Ok(Json(rapport_db::reports::update_report(&state.ctx, &actor, id, &input).await?))
}

/// Deletes a saved report (its owner, or an administrator) and takes it off dashboards.
#[utoipa::path(delete, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = ReportId, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn delete_report(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<ReportId>,
) -> ApiResult<StatusCode> {
    rapport_db::reports::delete_report(&state.ctx, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs a saved report for the caller: shared reports show each caller only the records they may see.
#[utoipa::path(get, path = "/api/v1/reports/{id}/results", tag = "reports", params(("id" = ReportId, Path)),
    responses((status = 200, body = SavedReportResults), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn report_results(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<ReportId>,
) -> ApiResult<Json<SavedReportResults>> {
    let (report, result) = rapport_db::reports::run_saved(&state.ctx, &actor, id).await?;
    Ok(Json(SavedReportResults { report, result }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleList {
    pub items: Vec<ReportSchedule>,
}

/// A saved report's e-mail schedules (its owner, or an administrator).
#[utoipa::path(get, path = "/api/v1/reports/{id}/schedules", tag = "reports", params(("id" = ReportId, Path)),
    responses((status = 200, body = ScheduleList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn list_schedules(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<ReportId>,
) -> ApiResult<Json<ScheduleList>> {
    Ok(Json(ScheduleList { items: rapport_db::reports::list_schedules(&state.ctx, &actor, id).await? }))
}

/// E-mails a saved report daily, weekly or monthly at an hour of the caller's
/// time zone, as PDF or CSV, to people who may see it (the caller when none
/// is named). Each recipient gets it with the records they may see, in
/// their language; a retry never sends it twice.
#[utoipa::path(post, path = "/api/v1/reports/{id}/schedules", tag = "reports", params(("id" = ReportId, Path)),
    request_body = ScheduleInput,
    responses((status = 201, body = ReportSchedule), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create_schedule(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<ReportId>,
    headers: axum::http::HeaderMap,
    JsonBody(input): JsonBody<ScheduleInput>,
) -> ApiResult<(StatusCode, Json<ReportSchedule>)> {
    let link = format!("{}/reports/{id}", crate::web::public::site_origin(&headers));
    let schedule = rapport_db::reports::create_schedule(&state.ctx, &actor, id, &input, &link).await?;
    Ok((StatusCode::CREATED, Json(schedule)))
}

/// Stops a schedule.
#[utoipa::path(delete, path = "/api/v1/reports/{id}/schedules/{schedule}", tag = "reports",
    params(("id" = ReportId, Path), ("schedule" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn delete_schedule(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams((id, schedule)): PathParams<(ReportId, uuid::Uuid)>,
) -> ApiResult<StatusCode> {
    rapport_db::reports::delete_schedule(&state.ctx, &actor, id, schedule).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The dashboards the caller may open: their own and their teams'.
#[utoipa::path(get, path = "/api/v1/dashboards", tag = "reports", responses((status = 200, body = DashboardList)))]
pub(crate) async fn list_dashboards(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<DashboardList>> {
    Ok(Json(DashboardList { items: rapport_db::reports::list_dashboards(&state.ctx, &actor).await? }))
}

/// Makes a dashboard of saved reports the caller may open.
#[utoipa::path(post, path = "/api/v1/dashboards", tag = "reports", request_body = DashboardInput,
    responses((status = 201, body = Dashboard), (status = 422, body = Problem)))]
pub(crate) async fn create_dashboard(
    State(state): State<AppState>,
    Auth(actor): Auth,
    JsonBody(input): JsonBody<DashboardInput>,
) -> ApiResult<(StatusCode, Json<Dashboard>)> {
    Ok((StatusCode::CREATED, Json(rapport_db::reports::create_dashboard(&state.ctx, &actor, &input).await?)))
}

#[utoipa::path(get, path = "/api/v1/dashboards/{id}", tag = "reports", params(("id" = DashboardId, Path)),
    responses((status = 200, body = Dashboard), (status = 404, body = Problem)))]
pub(crate) async fn get_dashboard(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<DashboardId>,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(rapport_db::reports::get_dashboard(&state.ctx, &actor, id).await?))
}

/// Renames a dashboard, shows it to a team, or sets its widgets in order.
#[utoipa::path(put, path = "/api/v1/dashboards/{id}", tag = "reports", params(("id" = DashboardId, Path)), request_body = DashboardInput,
    responses((status = 200, body = Dashboard), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update_dashboard(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<DashboardId>,
    JsonBody(input): JsonBody<DashboardInput>,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(rapport_db::reports::update_dashboard(&state.ctx, &actor, id, &input).await?))
}

#[utoipa::path(delete, path = "/api/v1/dashboards/{id}", tag = "reports", params(("id" = DashboardId, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn delete_dashboard(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<DashboardId>,
) -> ApiResult<StatusCode> {
    rapport_db::reports::delete_dashboard(&state.ctx, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
