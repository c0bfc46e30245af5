//! Orders and returns beyond the generic record endpoints: payments, return
//! requests and decisions, the customer's secret link, a customer's
//! purchases and the automatic return rules.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get, post};
use chrono::{DateTime, Utc};
use rapport_core::ids::RecordId;
use rapport_core::returns::{ReturnRule, RuleCondition};
use rapport_core::schema::RecordType;
use rapport_db::public_links::{self, ORDER_STATUS};
use rapport_db::records::{self, Purchases, Record, ReturnDecision, ReturnInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::records::{if_match, record_response, record_type};
use crate::auth::{AdminUser, Auth, WriterUser};
use crate::error::{ApiResult, Problem};
use crate::json::{JsonBody, PathParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/orders/{id}/payments", post(record_payment))
        .route("/orders/{id}/returns", get(list_order_returns).post(request_return))
        .route("/orders/{id}/public-link", post(create_public_link).delete(revoke_public_link))
        .route("/returns/{id}/decision", post(decide_return))
        .route("/{kind}/{id}/purchases", get(purchases))
        .route("/return-rules", get(list_return_rules).post(create_return_rule))
        .route("/return-rules/{id}", delete(delete_return_rule))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// What was received, in the order currency's minor units.
    pub amount_minor: i64,
}

/// Adds a payment to the order's paid amount; its payment status follows.
/// A payment beyond the order's total is refused and changes nothing.
#[utoipa::path(post, path = "/api/v1/orders/{id}/payments", tag = "orders", params(("id" = Uuid, Path)),
    request_body = Payment,
    responses((status = 200, body = Object, description = "the order"), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn record_payment(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Payment>,
) -> ApiResult<Response> {
    let order = records::record_payment(&state.ctx, &writer, id, body.amount_minor, if_match(&headers)?).await?;
    Ok(record_response(StatusCode::OK, &order))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Record>,
}

/// The order's returns, newest first.
#[utoipa::path(get, path = "/api/v1/orders/{id}/returns", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = ReturnList), (status = 404, body = Problem)))]
pub(crate) async fn list_order_returns(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<Json<ReturnList>> {
    Ok(Json(ReturnList { items: records::returns_of_order(&state.ctx, &actor, id).await? }))
}

/// Asks for a return of some of the order's lines. Quantities beyond what
/// is left to return, or a refund beyond what was paid less refunds, are
/// refused (422) and nothing is stored. The automatic rules may approve it
/// at once: the answer shows its status.
#[utoipa::path(post, path = "/api/v1/orders/{id}/returns", tag = "orders", params(("id" = Uuid, Path)),
    request_body = ReturnInput,
    responses((status = 201, body = Object, description = "the return"), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn request_return(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
    JsonBody(body): JsonBody<ReturnInput>,
) -> ApiResult<Response> {
    let request = records::request_return(&state.ctx, &writer, id, &body).await?;
    Ok(record_response(StatusCode::CREATED, &request))
}

/// Approves or rejects a request (managers and administrators), or records
/// that the goods came back, that the refund was paid (the order's refunds
/// and payment status follow) or that it is closed.
#[utoipa::path(post, path = "/api/v1/returns/{id}/decision", tag = "orders", params(("id" = Uuid, Path)),
    request_body = ReturnDecision,
    responses((status = 200, body = Object, description = "the return"), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn decide_return(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ReturnDecision>,
) -> ApiResult<Response> {
    let request = records::decide_return(&state.ctx, &writer, id, &body, if_match(&headers)?).await?;
    Ok(record_response(StatusCode::OK, &request))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPublicLink {
    /// How long the link works (1–365 days, default 90).
    pub valid_for_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPublicLink {
    /// The address to give the customer; shown this once.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// A secret link for the order's customer to follow it and ask for a
/// return; the order's earlier link stops working.
#[utoipa::path(post, path = "/api/v1/orders/{id}/public-link", tag = "orders", params(("id" = Uuid, Path)),
    request_body = NewPublicLink,
    responses((status = 201, body = CreatedPublicLink), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create_public_link(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewPublicLink>,
) -> ApiResult<(StatusCode, Json<CreatedPublicLink>)> {
    let (link, token) =
        public_links::create(&state.ctx, &writer, RecordType::ORDER, id, ORDER_STATUS, body.valid_for_days).await?;
    let url = crate::web::public::order_link(&headers, &token);
    Ok((StatusCode::CREATED, Json(CreatedPublicLink { url, expires_at: link.expires_at })))
}

/// Revokes the order's secret link: it then shows that it no longer works.
#[utoipa::path(delete, path = "/api/v1/orders/{id}/public-link", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn revoke_public_link(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<StatusCode> {
    public_links::revoke(&state.ctx, &writer, RecordType::ORDER, id, ORDER_STATUS).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A contact's or company's purchases: orders not cancelled, their count,
/// total per currency and the last one.
#[utoipa::path(get, path = "/api/v1/{kind}/{id}/purchases", tag = "orders",
    params(("kind" = String, Path, description = "contacts or companies"), ("id" = Uuid, Path)),
    responses((status = 200, body = Purchases), (status = 404, body = Problem)))]
pub(crate) async fn purchases(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams((kind, id)): PathParams<(String, RecordId)>,
) -> ApiResult<Json<Purchases>> {
    Ok(Json(records::purchases(&state.ctx, &actor, record_type(&kind)?, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnRuleList {
    pub items: Vec<ReturnRule>,
}

/// The automatic return rules, in the order they are tried.
#[utoipa::path(get, path = "/api/v1/return-rules", tag = "orders",
    responses((status = 200, body = ReturnRuleList)))]
pub(crate) async fn list_return_rules(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
) -> ApiResult<Json<ReturnRuleList>> {
    Ok(Json(ReturnRuleList { items: rapport_db::return_rules::list(state.ctx.db.conn()).await? }))
}

/// Adds a rule that approves refund requests at once: when the order is
/// still undelivered `days` after its promised date, or when the refund is
/// at most an amount. Every decision it makes is audited with its id.
#[utoipa::path(post, path = "/api/v1/return-rules", tag = "orders", request_body = RuleCondition,
    responses((status = 201, body = ReturnRule), (status = 422, body = Problem)))]
pub(crate) async fn create_return_rule(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<RuleCondition>,
) -> ApiResult<(StatusCode, Json<ReturnRule>)> {
    Ok((StatusCode::CREATED, Json(rapport_db::return_rules::create(&state.ctx, &admin, &body).await?)))
}

/// Removes a rule; the decisions it made stay as they are.
#[utoipa::path(delete, path = "/api/v1/return-rules/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn delete_return_rule(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<Uuid>,
) -> ApiResult<StatusCode> {
    rapport_db::return_rules::delete(&state.ctx, &admin, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
