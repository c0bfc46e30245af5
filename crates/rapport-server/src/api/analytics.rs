//! Analytics: `/api/v1/analytics/…`, the same figures as the analytics pages.

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use chrono::{Months, NaiveDate};
use rapport_core::forecast::{Period, PeriodKind};
use rapport_core::ids::TeamId;
use rapport_db::analytics::attribution::{Attribution, AttributionQuery, Dimension};
use rapport_db::analytics::market::MarketView;
use rapport_db::analytics::sales::{SalesAnalysis, SalesQuery};
use rapport_db::analytics::team::TeamPerformance;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::Auth;
use crate::error::{ApiResult, AppError, Problem};
use crate::json::QueryParams;
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/analytics/sales", get(sales))
        .route("/analytics/team", get(team))
        .route("/analytics/market", get(market))
        .route("/analytics/attribution", get(attribution))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SalesParams {
    /// The pipeline; the default one when left out.
    pub pipeline: Option<Uuid>,
    /// First day of the period (UTC); twelve months before `to` by default.
    pub from: Option<NaiveDate>,
    /// Day after the period's last (exclusive); tomorrow by default.
    pub to: Option<NaiveDate>,
}

/// Sales analytics of a pipeline over a period: the funnel and time in each
/// stage of the deals created in it; win rates by owner, source, industry
/// and company size, the sales cycle, lost reasons and competitors of the
/// deals closed in it; the open pipeline's velocity; and, for
/// administrators and managers, how accurate past forecasts were. Only the
/// deals the caller may see count.
#[utoipa::path(get, path = "/api/v1/analytics/sales", tag = "analytics", params(SalesParams),
    responses((status = 200, body = Object, description = "the analysis: `funnel`, `stage_times`, `won`, `lost`, `win_rate`, `average_won_minor`, `won_cycle`, `lost_cycle`, `by_owner`, `by_source`, `by_industry`, `by_size_band`, `lost_reasons`, `competitors`, `open_deals`, `velocity`, `forecast`"),
        (status = 422, body = Problem)))]
pub(crate) async fn sales(
    State(state): State<AppState>,
    Auth(actor): Auth,
    QueryParams(params): QueryParams<SalesParams>,
) -> ApiResult<Json<SalesAnalysis>> {
    let tomorrow = state.ctx.now().date_naive().succ_opt().unwrap_or_default();
    let to = params.to.unwrap_or(tomorrow);
    let from = params.from.unwrap_or_else(|| to - Months::new(12));
    let query = SalesQuery { pipeline: params.pipeline, from, to };
    Ok(Json(rapport_db::analytics::sales::analyse(&state.ctx, &actor, &query).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TeamParams {
    /// `2026-11` (a month) or `2026-Q4` (a quarter); the current month by default.
    pub period: Option<String>,
    /// A team (administrators: any; managers: theirs); by default a manager's first team.
    pub team: Option<TeamId>,
}

/// Team performance for a month or quarter: per person, activities logged by
/// kind, tasks done, overdue tasks now, new leads and the median time to their
/// first activity, deals won and lost, win rate, won amount, average cycle,
/// next to the period's forecast with quotas and attainment. Administrators
/// see everyone, managers their team, anyone else themselves.
#[utoipa::path(get, path = "/api/v1/analytics/team", tag = "analytics", params(TeamParams),
    responses((status = 200, body = Object, description = "`forecast` (as /api/v1/forecast) and `members`: one line per person"),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn team(
    State(state): State<AppState>,
    Auth(actor): Auth,
    QueryParams(params): QueryParams<TeamParams>,
) -> ApiResult<Json<TeamPerformance>> {
    let period = match params.period.as_deref() {
        Some(text) => Period::parse(text)
            .map_err(|e| AppError::from(rapport_db::Error::from(rapport_core::DomainError::Validation(e.into()))))?,
        None => Period::containing(PeriodKind::Month, state.ctx.now().date_naive()),
    };
    Ok(Json(rapport_db::analytics::team::performance(&state.ctx, &actor, period, params.team).await?))
}

/// The customer base as a market, over the records the caller may see:
/// contacts per age band, per Brazilian state, country and channel;
/// companies per industry and size; new customer companies per quarter of
/// their first order, by industry and region; competitors met in deals.
#[utoipa::path(get, path = "/api/v1/analytics/market", tag = "analytics",
    responses((status = 200, body = Object, description = "`age_bands`, `brazil_states`, `countries`, `channels`, `industries`, `sizes` as [value, count] pairs; `growth_by_industry`, `growth_by_region` with `quarters` and `segments`; `competitors`")))]
pub(crate) async fn market(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<MarketView>> {
    let today = state.ctx.now().date_naive();
    Ok(Json(rapport_db::analytics::market::view(&state.ctx, &actor, today).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AttributionParams {
    /// First day of the period (UTC); twelve months before `to` by default.
    pub from: Option<NaiveDate>,
    /// Day after the period's last (exclusive); tomorrow by default.
    pub to: Option<NaiveDate>,
    /// `channel` (UTM source, else source channel; the default) or `campaign`.
    pub by: Option<String>,
    /// Count calls, meetings and e-mails on the deal and its contact as touches.
    pub activities: Option<bool>,
}

/// Revenue of the deals won in the period, credited to channels or
/// campaigns under five models side by side (first touch, last touch,
/// linear, U-shaped, time decay with a 30-day half-life). A deal's touches
/// are the lead it was converted from, its contact and itself, each with
/// the source it recorded when created; unknown when none did.
#[utoipa::path(get, path = "/api/v1/analytics/attribution", tag = "analytics", params(AttributionParams),
    responses((status = 200, body = Object, description = "`models` (column keys), `rows`: per `source` the `revenue_minor` under each model and `journeys_touched`; `deals`, `revenue_minor`, `without_touches`, `other_currency_deals`"),
        (status = 422, body = Problem)))]
pub(crate) async fn attribution(
    State(state): State<AppState>,
    Auth(actor): Auth,
    QueryParams(params): QueryParams<AttributionParams>,
) -> ApiResult<Json<Attribution>> {
    let tomorrow = state.ctx.now().date_naive().succ_opt().unwrap_or_default();
    let to = params.to.unwrap_or(tomorrow);
    let from = params.from.unwrap_or_else(|| to - Months::new(12));
    let dimension = match params.by.as_deref() {
        None | Some("channel") => Dimension::Channel,
        Some("campaign") => Dimension::Campaign,
        Some(_) => {
            return Err(AppError::from(rapport_db::Error::from(rapport_core::DomainError::invalid(
                "by",
                "invalid_choice",
                "channel or campaign",
            ))));
        }
    };
    let query = AttributionQuery { from, to, dimension, with_activities: params.activities.unwrap_or(false) };
    Ok(Json(rapport_db::analytics::attribution::attribute(&state.ctx, &actor, &query).await?))
}
