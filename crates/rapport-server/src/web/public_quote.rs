//! The customer's page of a quote, opened by the secret link its e-mail
//! carries: the quote as sent, its PDF, and the buttons to accept or
//! decline it while it is valid. Accepting makes the order at once and tells
//! the customer its number. Same rules as the order page (`public`): no
//! account, the browser's language, forms only from this site, requests
//! limited per client address.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use rapport_core::DomainError;
use rapport_core::ids::RecordId;
use rapport_core::line_items::{parse_line_items, totals};
use rapport_db::public_links::{PublicLink, QUOTE_DECISION};
use rapport_db::records::quotes::{self, Decision};
use serde_json::Value;

use super::auth::BrowserLanguage;
use super::i18n::Tr;
use super::public::{failed, open, quantity, refused, same_site};
use super::quote_pdf::pdf_response;
use super::{Frame, format, html};
use crate::auth::ClientIp;
use crate::documents::quote_document;
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/p/quotes/{token}", get(page))
        .route("/p/quotes/{token}/pdf", get(pdf))
        .route("/p/quotes/{token}/{decision}", post(decide))
}

pub struct QuoteLine {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub total: String,
}

#[derive(Template)]
#[template(path = "public/quote.html")]
struct QuotePage {
    frame: Frame,
    token: String,
    seller: String,
    number: String,
    title: String,
    status: &'static str,
    status_label: String,
    valid_until: String,
    lines: Vec<QuoteLine>,
    figures: Vec<(String, String)>,
    total: String,
    /// The order the acceptance made, by number.
    order: Option<String>,
    can_decide: bool,
    notice: Option<String>,
    error: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    BrowserLanguage(tr): BrowserLanguage,
    ClientIp(client): ClientIp,
    Path(token): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let link = match open(&state, &tr, &client, &token, QUOTE_DECISION).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    let notice = ["accepted", "rejected"]
        .into_iter()
        .find(|k| query.contains_key(*k))
        .map(|k| tr.t(&format!("public.quote_{k}")));
    render(&state, tr, &link, &token, StatusCode::OK, notice, None).await
}

async fn render(
    state: &AppState,
    tr: Tr,
    link: &PublicLink,
    token: &str,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let (quote, order) = match quotes::quote_for_customer(&state.ctx, RecordId(link.record_id)).await {
        Ok(Some(found)) => found,
        Ok(None) => return refused(tr, StatusCode::GONE, "public.revoked"),
        Err(error) => return failed(tr, error),
    };
    let seller = match rapport_db::branding::load(state.ctx.db.conn()).await {
        Ok(branding) => branding.name,
        Err(error) => return failed(tr, error),
    };
    let locale = tr.locale;
    let currency = quote.text("currency").unwrap_or("BRL").to_owned();
    let money = |minor: i64| format::money(minor, &currency, locale);
    let figure = |key: &str| quote.fields.get(key).and_then(Value::as_i64).unwrap_or(0);
    let items = quote.fields.get("lines").and_then(|v| parse_line_items(v).ok()).unwrap_or_default();
    let discount_bp = figure("discount_bp");
    let line_totals = totals(&items, discount_bp).map(|t| t.lines).unwrap_or_default();
    let lines = items
        .iter()
        .enumerate()
        .map(|(i, line)| QuoteLine {
            description: line.description().to_owned(),
            quantity: quantity(line.quantity_milli(), locale),
            unit_price: money(line.unit_price_minor()),
            total: line_totals.get(i).map(|t| money(t.total_minor)).unwrap_or_default(),
        })
        .collect();
    let mut figures = vec![(tr.t("document.subtotal"), money(figure("subtotal_minor")))];
    if figure("discount_minor") != 0 {
        figures.push((tr.t("document.discount"), money(-figure("discount_minor"))));
    }
    if figure("tax_minor") != 0 {
        figures.push((tr.t("document.tax"), money(figure("tax_minor"))));
    }
    let effective = quotes::effective_status(&state.ctx, &quote);
    let valid_until = quote
        .text("valid_until")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| format::date(d, locale))
        .unwrap_or_default();
    let page = QuotePage {
        token: token.to_owned(),
        seller,
        number: quote.text("number").unwrap_or_default().to_owned(),
        title: quote.text("title").unwrap_or_default().to_owned(),
        status: effective,
        status_label: tr.choice("status", effective),
        valid_until,
        lines,
        figures,
        total: money(figure("total_minor")),
        order: order.as_ref().and_then(|o| o.text("number")).map(str::to_owned),
        can_decide: effective == "sent" && quote.fields.get("superseded_by").is_none_or(Value::is_null),
        notice,
        error,
        frame: Frame::anonymous(tr, "public.quote_title"),
    };
    html(status, &page)
}

pub async fn pdf(
    State(state): State<AppState>,
    BrowserLanguage(tr): BrowserLanguage,
    ClientIp(client): ClientIp,
    Path(token): Path<String>,
) -> Response {
    let link = match open(&state, &tr, &client, &token, QUOTE_DECISION).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    let ctx = &state.ctx;
    let (quote, sharer) = match (
        quotes::quote_for_customer(ctx, RecordId(link.record_id)).await,
        rapport_db::public_links::acting_user(ctx, &link).await,
    ) {
        (Ok(Some((quote, _))), Ok(Some(sharer))) => (quote, sharer),
        (Ok(_), Ok(_)) => return refused(tr, StatusCode::GONE, "public.revoked"),
        (Err(error), _) | (_, Err(error)) => return failed(tr, error),
    };
    // The PDF is the one the customer was sent: in their contact's language,
    // showing what its sender may show.
    match quote_document(ctx, &sharer, &quote, tr.locale).await {
        Ok(document) => pdf_response(document),
        Err(error) => {
            tracing::error!(%error, "a customer's quote PDF failed");
            refused(tr, StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
        }
    }
}

pub async fn decide(
    State(state): State<AppState>,
    BrowserLanguage(tr): BrowserLanguage,
    ClientIp(client): ClientIp,
    Path((token, decision)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !same_site(&headers) {
        return refused(tr, StatusCode::FORBIDDEN, "error.csrf");
    }
    let decision = match decision.as_str() {
        "accept" => Decision::Accept,
        "reject" => Decision::Reject,
        _ => return refused(tr, StatusCode::NOT_FOUND, "public.unknown"),
    };
    let link = match open(&state, &tr, &client, &token, QUOTE_DECISION).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    match quotes::decide_as_customer(&state.ctx, &link, decision).await {
        Ok(_) => {
            let done = if decision == Decision::Accept { "accepted" } else { "rejected" };
            Redirect::to(&format!("/p/quotes/{token}?{done}")).into_response()
        }
        // Expired meanwhile, already decided, revised: the page says why.
        Err(rapport_db::Error::Domain(DomainError::Conflict { code, .. })) => {
            // Worded for the customer: the team's messages speak of revisions.
            let key = match code {
                "quote_expired" => "public.quote_expired",
                "quote_already_accepted" => "public.quote_already_accepted",
                _ => "public.quote_cannot_decide",
            };
            let message = tr.t(key);
            render(&state, tr, &link, &token, StatusCode::CONFLICT, None, Some(message)).await
        }
        Err(error) => failed(tr, error),
    }
}
