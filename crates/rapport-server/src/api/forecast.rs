//! Forecasts and quotas: `/api/v1/forecast` and `/api/v1/quotas`.

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use chrono::Datelike;
use rapport_core::forecast::Period;
use rapport_core::ids::{TeamId, UserId};
use rapport_db::forecast::{ForecastReport, ForecastRequest, QuotaInput, QuotaView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{AdminUser, Auth};
use crate::error::{ApiResult, AppError, Problem};
use crate::json::{JsonBody, QueryParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/forecast", get(forecast)).route("/quotas", get(list_quotas).put(set_quotas))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ForecastQuery {
    /// `2026-11` (a month) or `2026-Q4` (a quarter); the current quarter by default.
    pub period: Option<String>,
    /// A team's forecast (administrators: any team; managers: theirs).
    pub team: Option<TeamId>,
    /// Only this owner's line.
    pub owner: Option<UserId>,
}

/// A period's forecast: per owner, won (closed), commit, best case and
/// pipeline amounts, the weighted amount, quota, attainment and gap, in the
/// account's currency (deals in other currencies summed apart). Members get
/// their own line; managers their team's; administrators anyone's.
#[utoipa::path(get, path = "/api/v1/forecast", tag = "forecast", params(ForecastQuery),
    responses((status = 200, body = ForecastReport), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn forecast(
    State(state): State<AppState>,
    Auth(actor): Auth,
    QueryParams(query): QueryParams<ForecastQuery>,
) -> ApiResult<Json<ForecastReport>> {
    let period = match query.period.as_deref() {
        Some(text) => Period::parse(text)
            .map_err(|e| AppError::from(rapport_db::Error::from(rapport_core::DomainError::Validation(e.into()))))?,
        None => Period::containing(rapport_core::forecast::PeriodKind::Quarter, state.ctx.now().date_naive()),
    };
    let request = ForecastRequest { period, team: query.team, owner: query.owner };
    Ok(Json(rapport_db::forecast::report(&state.ctx, &actor, request).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QuotaQuery {
    /// The calendar year; the current one by default.
    pub year: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaList {
    pub items: Vec<QuotaView>,
}

/// The quotas of a year that the caller may see: their own; a manager's
/// teams' and their members' too; an administrator's all.
#[utoipa::path(get, path = "/api/v1/quotas", tag = "forecast", params(QuotaQuery),
    responses((status = 200, body = QuotaList), (status = 422, body = Problem)))]
pub(crate) async fn list_quotas(
    State(state): State<AppState>,
    Auth(actor): Auth,
    QueryParams(query): QueryParams<QuotaQuery>,
) -> ApiResult<Json<QuotaList>> {
    let year = query.year.unwrap_or_else(|| state.ctx.now().year());
    Ok(Json(QuotaList { items: rapport_db::forecast::list_quotas(&state.ctx, &actor, year).await? }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaChange {
    pub items: Vec<QuotaInput>,
}

/// Sets quotas (administrators), all or none: each for a user or a team,
/// a month or a quarter starting on its first day, an amount of zero or
/// more in the account's currency; `amount_minor: null` removes one. One
/// quota per user or team and period: the same one twice is refused.
#[utoipa::path(put, path = "/api/v1/quotas", tag = "forecast", request_body = QuotaChange,
    responses((status = 200, body = QuotaList), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn set_quotas(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<QuotaChange>,
) -> ApiResult<Json<QuotaList>> {
    Ok(Json(QuotaList { items: rapport_db::forecast::set_quotas(&state.ctx, &admin, &body.items).await? }))
}
