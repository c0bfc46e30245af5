//! Quote actions and the price of a configured product; the quotes and
//! products themselves go through the generic record endpoints.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use rapport_core::configurator::Configured;
use rapport_core::ids::RecordId;
use rapport_core::mail::Attachment;
use rapport_core::schema::RecordType;
use rapport_db::records::quotes;
use serde::Deserialize;

use crate::api::records::etag;
use crate::auth::{Auth, WriterUser};
use crate::documents::{QuotePdfError, quote_document};
use crate::error::{ApiResult, AppError, Problem};
use crate::json::{JsonBody, PathParams};
use crate::state::AppState;
use crate::web::i18n::Locale;
use crate::web::public::site_origin;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/quotes/{id}/send", post(send_quote))
        .route("/quotes/{id}/email", post(email_quote))
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

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailQuote {
    /// The recipient; the quote's contact's e-mail when absent.
    pub to: Option<String>,
}

/// Sends a draft quote to its customer by e-mail: marks it sent, attaches
/// its PDF in the contact's language and includes a secret link where the
/// customer reads, accepts or declines it (valid until 30 days after the
/// quote's valid-until date). All in one transaction: on any error the quote
/// stays a draft and nothing is queued. The message leaves through the
/// e-mail outbox.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/email", tag = "quotes", params(("id" = Uuid, Path)),
    request_body = EmailQuote,
    responses((status = 200, body = Object,
            description = "{\"quote\": the sent quote, \"message_id\": the outbox message, \"link_expires_at\": when the customer's link stops working}"),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the quote is not a draft"),
        (status = 422, body = Problem, description = "no lines, valid_until is past, or no e-mail address to send to")))]
pub(crate) async fn email_quote(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<EmailQuote>,
) -> ApiResult<Json<quotes::Delivered>> {
    let ctx = &state.ctx;
    let quote = rapport_db::records::get(ctx, &writer, RecordType::QUOTE, id).await?;
    let fallback =
        headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map_or(Locale::En, Locale::negotiate);
    let document = match quote_document(ctx, &writer, &quote, fallback).await {
        Ok(document) => document,
        Err(QuotePdfError::Storage(error)) => return Err(error.into()),
        Err(error) => {
            tracing::error!(%error, "a quote's PDF failed");
            return Err(AppError::Request {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                code: "internal",
                detail: "the quote's PDF could not be made".into(),
                errors: Vec::new(),
            });
        }
    };
    let delivery = quotes::Delivery {
        to: body.to,
        pdf: Attachment { file_name: document.file_name, content_type: "application/pdf".into(), bytes: document.pdf },
        link_base: format!("{}/p/quotes/", site_origin(&headers)),
        total: document.total,
        valid_until: document.valid_until,
    };
    Ok(Json(quotes::send_by_email(ctx, &writer, id, delivery).await?))
}

/// Accepts a sent quote that has not expired and makes its pending order
/// from the quote's lines. Of two concurrent accepts one succeeds and the
/// other gets a 409, so one order is made. With the account setting
/// `quote_acceptance_wins_deal` (on by default) the deal moves to its
/// pipeline's won stage.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/accept", tag = "quotes", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object, description = "{\"quote\": the accepted quote, \"order\": the order made, \"deal\": the deal or null}"),
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
