//! The customer's page of their order, opened by its secret link with no
//! account: the order, its status and returns, and a form to ask for a
//! return. In the browser's language; an expired, revoked or unknown link
//! shows why and nothing of the order.
//!
//! Forms cannot be forged from another site: the secret is part of the
//! address they post to, and a request whose `Origin` names another site is
//! refused. Requests are limited per client address.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use rapport_core::ids::RecordId;
use rapport_core::line_items::parse_line_items;
use rapport_core::records::return_request::{OUTCOMES, REASONS};
use rapport_db::public_links::{self, ORDER_STATUS, PublicLink, Refusal};
use rapport_db::records::{self, Record, ReturnInput, ReturnItem};
use serde_json::Value;

use super::auth::BrowserLanguage;
use super::i18n::Tr;
use super::{Frame, format, html};
use crate::auth::ClientIp;
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/p/orders/{token}", axum::routing::get(page).post(request_return))
        .merge(super::public_quote::router())
}

/// The address of an order's page for a token, on this site as the
/// request named it.
pub fn order_link(headers: &HeaderMap, token: &str) -> String {
    format!("{}/p/orders/{token}", site_origin(headers))
}

/// This site's origin as the browser sent it (`Origin`, else `Host`).
pub fn site_origin(headers: &HeaderMap) -> String {
    let header = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    header(header::ORIGIN)
        .filter(|o| o.starts_with("http"))
        .or_else(|| header(header::HOST).map(|host| format!("http://{host}")))
        .unwrap_or_default()
}

/// Requests per client address per minute, in this process.
const REQUESTS_PER_MINUTE: u32 = 60;

pub(super) fn within_rate(client: &str) -> bool {
    static SEEN: OnceLock<Mutex<HashMap<String, (Instant, u32)>>> = OnceLock::new();
    let Ok(mut seen) = SEEN.get_or_init(Default::default).lock() else { return false };
    let now = Instant::now();
    if seen.len() > 10_000 {
        seen.retain(|_, (since, _)| now.duration_since(*since) < Duration::from_secs(60));
    }
    let entry = seen.entry(client.to_owned()).or_insert((now, 0));
    if now.duration_since(entry.0) >= Duration::from_secs(60) {
        *entry = (now, 0);
    }
    entry.1 += 1;
    entry.1 <= REQUESTS_PER_MINUTE
}

pub struct LineRow {
    pub index: usize,
    pub description: String,
    pub quantity: String,
    pub total: String,
    /// Whole units that can still be returned.
    pub returnable: i64,
}

pub struct ReturnRow {
    pub number: String,
    pub status: String,
    pub outcome: String,
    pub refund: Option<String>,
}

#[derive(Template)]
#[template(path = "public/order.html")]
struct OrderPage {
    frame: Frame,
    token: String,
    number: String,
    status: String,
    payment: String,
    ordered: String,
    promised: String,
    tracking: String,
    total: String,
    lines: Vec<LineRow>,
    returns: Vec<ReturnRow>,
    reasons: Vec<(&'static str, String)>,
    outcomes: Vec<(&'static str, String)>,
    can_return: bool,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "public/refused.html")]
struct RefusedPage {
    frame: Frame,
    message: String,
}

pub(super) fn refused(tr: Tr, status: StatusCode, key: &str) -> Response {
    let message = tr.t(key);
    html(status, &RefusedPage { frame: Frame::anonymous(tr, "public.title"), message })
}

pub(super) fn failed(tr: Tr, error: rapport_db::Error) -> Response {
    tracing::error!(%error, "a customer's page failed");
    refused(tr, StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
}

/// The link a token opens for `purpose`, or the page that says why it
/// opens nothing.
pub(super) async fn open(
    state: &AppState,
    tr: &Tr,
    client: &str,
    token: &str,
    purpose: &str,
) -> Result<PublicLink, Response> {
    if !within_rate(client) {
        return Err(refused(tr.clone(), StatusCode::TOO_MANY_REQUESTS, "public.too_many"));
    }
    if token.len() > 100 {
        return Err(refused(tr.clone(), StatusCode::NOT_FOUND, "public.unknown"));
    }
    match public_links::resolve(&state.ctx, token, purpose).await {
        Ok(Ok(link)) => Ok(link),
        Ok(Err(Refusal::Unknown)) => Err(refused(tr.clone(), StatusCode::NOT_FOUND, "public.unknown")),
        Ok(Err(Refusal::Expired)) => Err(refused(tr.clone(), StatusCode::GONE, "public.expired")),
        Ok(Err(Refusal::Revoked)) => Err(refused(tr.clone(), StatusCode::GONE, "public.revoked")),
        Err(error) => Err(failed(tr.clone(), error)),
    }
}

pub async fn page(
    State(state): State<AppState>,
    BrowserLanguage(tr): BrowserLanguage,
    ClientIp(client): ClientIp,
    Path(token): Path<String>,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let link = match open(&state, &tr, &client, &token, ORDER_STATUS).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    let notice = query.contains_key("requested").then(|| tr.t("public.requested"));
    render(&state, tr, &link, &token, StatusCode::OK, None, notice).await
}

async fn render(
    state: &AppState,
    tr: Tr,
    link: &PublicLink,
    token: &str,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let (order, returns) = match records::order_for_customer(&state.ctx, RecordId(link.record_id)).await {
        Ok(Some(found)) => found,
        Ok(None) => return refused(tr, StatusCode::GONE, "public.revoked"),
        Err(error) => return failed(tr, error),
    };
    let locale = tr.locale;
    let currency = order.text("currency").unwrap_or("BRL").to_owned();
    let money = |minor: i64| format::money(minor, &currency, locale);
    let figure = |record: &Record, key: &str| record.fields.get(key).and_then(Value::as_i64).unwrap_or(0);
    let day = |record: &Record, key: &str| {
        record
            .text(key)
            .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok())
            .map(|d| format::date(d, locale))
            .unwrap_or_default()
    };
    let ordered = order.fields.get("lines").and_then(|v| parse_line_items(v).ok()).unwrap_or_default();
    let returned: Vec<_> = returns
        .iter()
        .filter(|r| rapport_core::records::return_request::counts_as_returned(r.text("status").unwrap_or_default()))
        .filter_map(|r| r.fields.get("lines").and_then(|v| parse_line_items(v).ok()))
        .flatten()
        .collect();
    let left = rapport_core::returns::returnable(&ordered, &returned);
    let totals = rapport_core::line_items::totals(&ordered, 0).map(|t| t.lines).unwrap_or_default();
    let lines: Vec<LineRow> = ordered
        .iter()
        .enumerate()
        .map(|(index, line)| LineRow {
            index,
            description: line.description().to_owned(),
            quantity: quantity(line.quantity_milli(), locale),
            total: totals.get(index).map(|t| money(t.total_minor)).unwrap_or_default(),
            returnable: left.get(index).copied().unwrap_or(0) / 1000,
        })
        .collect();
    let status_of = |record: &Record| tr.choice("status", record.text("status").unwrap_or_default());
    let order_status = order.text("status").unwrap_or_default();
    let page = OrderPage {
        token: token.to_owned(),
        number: order.text("number").unwrap_or_default().to_owned(),
        status: status_of(&order),
        payment: tr.choice("payment_status", order.text("payment_status").unwrap_or_default()),
        ordered: day(&order, "ordered_at"),
        promised: day(&order, "promised_delivery_date"),
        tracking: order.text("tracking_code").unwrap_or_default().to_owned(),
        total: money(figure(&order, "total_minor")),
        can_return: order_status != "cancelled" && lines.iter().any(|l| l.returnable > 0),
        lines,
        returns: returns
            .iter()
            .map(|r| ReturnRow {
                number: r.text("number").unwrap_or_default().to_owned(),
                status: status_of(r),
                outcome: tr.choice("desired_outcome", r.text("desired_outcome").unwrap_or_default()),
                refund: Some(figure(r, "refund_minor")).filter(|m| *m > 0).map(money),
            })
            .collect(),
        reasons: REASONS.iter().map(|r| (*r, tr.choice("reason", r))).collect(),
        outcomes: OUTCOMES.iter().map(|o| (*o, tr.choice("desired_outcome", o))).collect(),
        error,
        notice,
        frame: Frame::anonymous(tr, "public.title"),
    };
    html(status, &page)
}

/// A quantity in whole units when it is whole, else with its decimals.
pub fn quantity(milli: i64, locale: super::i18n::Locale) -> String {
    if milli % 1000 == 0 {
        format::integer(milli / 1000, locale)
    } else {
        let text = format!("{:.3}", milli as f64 / 1000.0);
        if locale == super::i18n::Locale::En { text } else { text.replace('.', ",") }
    }
}

/// Whether a form came from this site: no `Origin`, or ours.
pub(super) fn same_site(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}

pub async fn request_return(
    State(state): State<AppState>,
    BrowserLanguage(tr): BrowserLanguage,
    ClientIp(client): ClientIp,
    Path(token): Path<String>,
    headers: HeaderMap,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    if !same_site(&headers) {
        return refused(tr, StatusCode::FORBIDDEN, "error.csrf");
    }
    let link = match open(&state, &tr, &client, &token, ORDER_STATUS).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    let value = |name: &str| fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let mut items = Vec::new();
    for (name, text) in &fields {
        let Some(line) = name.strip_prefix("qty_").and_then(|i| i.parse::<usize>().ok()) else { continue };
        match text.trim().parse::<i64>() {
            Ok(0) => {}
            Ok(units) if (1..=1_000_000).contains(&units) => {
                items.push(ReturnItem { line, quantity_milli: units * 1000 })
            }
            _ if text.trim().is_empty() => {}
            _ => {
                let error = tr.t("error.invalid_number");
                return render(&state, tr, &link, &token, StatusCode::UNPROCESSABLE_ENTITY, Some(error), None).await;
            }
        }
    }
    let input = ReturnInput {
        items,
        reason: value("reason").unwrap_or_default(),
        reason_detail: value("reason_detail").filter(|d| !d.is_empty()),
        desired_outcome: value("desired_outcome").unwrap_or_default(),
        refund_minor: None,
    };
    let sharer = match public_links::acting_user(&state.ctx, &link).await {
        Ok(Some(writer)) => writer,
        Ok(None) => return refused(tr, StatusCode::GONE, "public.revoked"),
        Err(error) => return failed(tr, error),
    };
    match records::request_return_by_customer(&state.ctx, &sharer, RecordId(link.record_id), &input).await {
        Ok(_) => Redirect::to(&format!("/p/orders/{token}?requested")).into_response(),
        Err(rapport_db::Error::Domain(rapport_core::DomainError::Validation(errors))) => {
            let message = errors.0.iter().map(|e| super::fields::error_message(&tr, e)).collect::<Vec<_>>().join(" ");
            render(&state, tr, &link, &token, StatusCode::UNPROCESSABLE_ENTITY, Some(message), None).await
        }
        Err(error) => failed(tr, error),
    }
}
