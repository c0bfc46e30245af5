//! Quote actions and the price of a configured product; the quotes and
//! products themselves go through the generic record endpoints.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use rapport_core::configurator::Configured;
use rapport_core::ids::RecordId;
use rapport_db::records::quotes;
use serde::Deserialize;

use crate::api::records::etag;
use crate::auth::{Auth, WriterUser};
use crate::error::{ApiResult, Problem};
use crate::json::{JsonBody, PathParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/quotes/{id}/send", post(send_quote))
        .route("/quotes/{id}/accept", post(accept_quote))
        .route("/quotes/{id}/reject", post(reject_quote))
        .route("/quotes/{id}/revise", post(revise_quote))
        .route("/quotes/{id}/make-primary", post(make_quote_primary))
        .route("/products/{id}/configured-price", post(configured_price))
}

fn quote_response(status: StatusCode, quote: &rapport_db::records::Record) -> Response {
    let mut response = (status, Json(quote)).into_response();
    response.headers_mut().insert(axum::http::header::ETAG, etag(quote.version));
    response
}

/// Marks a draft quote as sent (it needs at least one line and a valid-until
/// date not in the past). From then on it is read-only: changes are made in
/// a revision.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/send", tag = "quotes", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object, description = "the quote, now sent"), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the quote is not a draft"),
        (status = 422, body = Problem, description = "no lines, or valid_until is past")))]
pub(crate) async fn send_quote(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<Response> {
    Ok(quote_response(StatusCode::OK, &quotes::send(&state.ctx, &writer, id).await?))
}

/// Accepts a sent quote that has not expired. Of two concurrent accepts one
/// succeeds and the other gets a 409. With the account setting
/// `quote_acceptance_wins_deal` (on by default) the deal moves to its
/// pipeline's won stage; the answer has the quote and, if moved, the deal.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/accept", tag = "quotes", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object, description = "{\"quote\": the accepted quote, \"deal\": the deal or null}"),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "not sent, expired, already accepted or accepted meanwhile")))]
pub(crate) async fn accept_quote(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<Json<quotes::Acceptance>> {
    Ok(Json(quotes::accept(&state.ctx, &writer, id).await?))
}

/// Rejects a sent or expired quote.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/reject", tag = "quotes", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object, description = "the quote, now rejected"), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the quote is not sent")))]
pub(crate) async fn reject_quote(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<Response> {
    Ok(quote_response(StatusCode::OK, &quotes::reject(&state.ctx, &writer, id).await?))
}

/// Makes a new draft revision of a sent, rejected or expired quote: same
/// number, next revision, lines repriced from the products (typed overrides
/// kept). The old revision stays, with `superseded_by` pointing to the new.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/revise", tag = "quotes", params(("id" = Uuid, Path)),
    responses((status = 201, body = Object, description = "the new revision"), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "a draft, an accepted quote, or already revised"),
        (status = 422, body = Problem, description = "a product of a line can no longer be priced")))]
pub(crate) async fn revise_quote(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<Response> {
    Ok(quote_response(StatusCode::CREATED, &quotes::revise(&state.ctx, &writer, id).await?))
}

/// Makes the quote its deal's primary quote: the deal's amount and currency
/// follow its total (audited on the deal); the deal's other quotes stop
/// being primary.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/make-primary", tag = "quotes", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object, description = "the quote, now primary"), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the quote was revised or decided against")))]
pub(crate) async fn make_quote_primary(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<Response> {
    Ok(quote_response(StatusCode::OK, &quotes::make_primary(&state.ctx, &writer, id).await?))
}

/// A configuration of a product to price.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigurationRequest {
    /// ISO 4217 code of the quote's currency.
    currency: String,
    /// Codes of the options chosen.
    #[serde(default)]
    options: Vec<String>,
}

/// The unit price a quote line gets for this product with these options in
/// this currency, with the line's default description and tax rate. Broken
/// rules (an option another excludes or requires, a currency without a
/// price) are 422 errors on `options` or `product_id`.
#[utoipa::path(post, path = "/api/v1/products/{id}/configured-price", tag = "products", params(("id" = Uuid, Path)),
    request_body = ConfigurationRequest,
    responses((status = 200, body = Configured), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn configured_price(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<RecordId>,
    JsonBody(request): JsonBody<ConfigurationRequest>,
) -> ApiResult<Json<Configured>> {
    Ok(Json(quotes::configured_price(&state.ctx, &actor, id, &request.currency, &request.options).await?))
}
