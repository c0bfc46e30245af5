//! Customer value: `/api/v1/analytics/customers…`, the figures of the
//! customers page as the last refresh stored them, the segment lists (the
//! saved filter campaigns take by segment key), and "refresh now".

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rapport_analytics::rfm::Segment;
use rapport_core::DomainError;
use rapport_db::analytics::customers::{self as store, CustomerAnalysis, CustomerPage, PAGE_SIZE};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::auth::{AdminUser, Auth};
use crate::error::{ApiResult, Problem};
use crate::json::{PathParams, QueryParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/analytics/customers", get(customers))
        .route("/analytics/customers/segments/{segment}", get(segment_customers))
        .route("/analytics/refresh", post(refresh))
}

/// The stored summary, or why there is none yet.
#[derive(Debug, Serialize)]
pub struct CustomersSummary {
    /// False until the first refresh has run.
    pub refreshed: bool,
    pub analysis: Option<CustomerAnalysis>,
}

/// Customer value as the last refresh computed it (daily, or on an
/// administrator's request): customers, purchases, revenue and the repeat
/// rate; RFM segments with their customers, share, revenue, mean recency and
/// purchases; the cohort retention table; the lifetime-value model's
/// parameters (or the `code` of why none could be fitted); and the orders
/// left out (other currencies, no customer). Aggregates over every customer.
#[utoipa::path(get, path = "/api/v1/analytics/customers", tag = "analytics",
    responses((status = 200, body = Object, description = "`refreshed` and `analysis`: `computed_at`, `as_of`, `currency`, `customers`, `purchases`, `revenue_minor`, `repeat_customers`, `repeat_purchase_rate`, `segments`, `cohorts`, `clv` (`status` fitted or failed), `left_out`")))]
pub(crate) async fn customers(State(state): State<AppState>, Auth(_actor): Auth) -> ApiResult<Json<CustomersSummary>> {
    let analysis = store::stored(&state.ctx).await?;
    Ok(Json(CustomersSummary { refreshed: analysis.is_some(), analysis }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SegmentParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Customers per page, 1 to 1000 (50 by default).
    pub limit: Option<u64>,
}

/// The customers of an RFM segment the caller may see (through their
/// company or contact), highest total spend first, keyset-paginated. Segment
/// keys: champions, loyal, potential_loyalists, new_customers, promising,
/// need_attention, about_to_sleep, at_risk, cant_lose_them, hibernating, lost.
#[utoipa::path(get, path = "/api/v1/analytics/customers/segments/{segment}", tag = "analytics",
    params(("segment" = String, Path, description = "a segment key"), SegmentParams),
    responses((status = 200, body = Object, description = "`items` (customer_type, customer_id, name, segment, recency, frequency, monetary, recency_days, purchases, total_minor, currency, first_purchase, last_purchase, expected_purchases_12m, p_alive, clv_12m_minor) and `next_cursor`"),
        (status = 404, body = Problem)))]
pub(crate) async fn segment_customers(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(segment): PathParams<String>,
    QueryParams(params): QueryParams<SegmentParams>,
) -> ApiResult<Json<CustomerPage>> {
    let segment = Segment::parse(&segment).ok_or(DomainError::NotFound { entity: "segment" })?;
    let limit = params.limit.unwrap_or(PAGE_SIZE);
    let cursor = params.cursor.as_deref().filter(|c| !c.is_empty());
    Ok(Json(store::segment_customers(&state.ctx, &actor, segment, cursor, limit).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RefreshQueued {
    pub queued: bool,
}

/// Queues a refresh of the stored analytics now (it also runs daily).
/// Administrators only; requests within the same minute queue one refresh.
#[utoipa::path(post, path = "/api/v1/analytics/refresh", tag = "analytics",
    responses((status = 202, body = RefreshQueued), (status = 403, body = Problem)))]
pub(crate) async fn refresh(State(state): State<AppState>, AdminUser(admin): AdminUser) -> ApiResult<Response> {
    store::request_refresh_now(&state.ctx, &admin).await?;
    Ok((StatusCode::ACCEPTED, Json(RefreshQueued { queued: true })).into_response())
}
