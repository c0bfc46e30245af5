//! What the pages of orders, returns and customers show beyond the
//! generic record page: an order's status moves, payments and customer
//! link; a return's decisions; a customer's purchases.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use rapport_core::line_items::parse_line_items;
use rapport_core::records::{order, return_request};
use rapport_core::schema::RecordType;
use rapport_db::public_links::{self, ORDER_STATUS};
use rapport_db::records::{self, Record, ReturnDecision};
use serde_json::Value;

use super::i18n::Tr;
use super::records::{record_id, writer};
use super::session::{FormPost, WebUser};
use super::{Frame, WebError, WebResult, fields, format, html};
use crate::state::AppState;

/// An order in a list of a customer's orders: its total and status.
pub fn order_summary(order: &Record, tr: &Tr) -> String {
    let total = order.fields.get("total_minor").and_then(Value::as_i64).unwrap_or(0);
    let money = format::money(total, order.text("currency").unwrap_or("BRL"), tr.locale);
    format!("{money} · {}", tr.choice("status", order.text("status").unwrap_or_default()))
}

/// A purchase on a customer's timeline.
pub fn timeline_entry(tr: &Tr, when: String, order: &Value) -> super::records::Entry {
    let text = |key: &str| order.get(key).and_then(Value::as_str).unwrap_or_default();
    let total = order.get("total_minor").and_then(Value::as_i64).unwrap_or(0);
    let summary =
        format!("{} · {}", format::money(total, text("currency"), tr.locale), tr.choice("status", text("status")));
    super::records::Entry {
        when,
        kind: "order",
        icon: "stage".into(),
        title: tr.t1("timeline.order", "number", text("number")),
        body: summary,
        href: Some(format!("/orders/{}", text("id"))),
    }
}

/// One line of an order as its page lists it.
pub struct OrderLine {
    pub description: String,
    pub quantity: String,
    pub total: String,
}

/// An order's lines with each one's total (the rounding rule of `line_items`).
fn order_lines(order: &Record, tr: &Tr) -> Vec<OrderLine> {
    let lines = order.fields.get("lines").and_then(|v| parse_line_items(v).ok()).unwrap_or_default();
    let discount = order.fields.get("discount_bp").and_then(Value::as_i64).unwrap_or(0);
    let totals = rapport_core::line_items::totals(&lines, discount).map(|t| t.lines).unwrap_or_default();
    let currency = order.text("currency").unwrap_or("BRL");
    lines
        .iter()
        .zip(totals)
        .map(|(line, figures)| OrderLine {
            description: line.description().to_owned(),
            quantity: super::public::quantity(line.quantity_milli(), tr.locale),
            total: format::money(figures.total_minor, currency, tr.locale),
        })
        .collect()
}

/// The extra panel of a record page, when its kind has one.
pub enum Panel {
    Purchases {
        count: String,
        totals: Vec<String>,
        last: Option<(String, String)>,
    },
    Order {
        lines: Vec<OrderLine>,
        moves: Vec<(&'static str, String)>,
        link: Option<String>,
        link_live: bool,
        currency: String,
    },
    Return {
        actions: Vec<(&'static str, String)>,
        refund: String,
        currency: String,
    },
}

pub async fn panel(state: &AppState, user: &WebUser, record: &Record) -> rapport_db::Result<Option<Panel>> {
    let tr = &user.tr;
    let can_write = writer(user).is_ok();
    Ok(match record.record_type.plural() {
        "contacts" | "companies" => {
            let summary = records::purchases(&state.ctx, &user.actor, record.record_type, record.id).await?;
            let totals = summary.totals.iter().map(|(currency, minor)| format::money(*minor, currency, tr.locale));
            let last = summary
                .last_order_id
                .zip(summary.last_ordered_at)
                .map(|(id, at)| (format!("/orders/{id}"), format::datetime(at, user.zone, tr.locale)));
            Some(Panel::Purchases {
                count: tr.count("order.purchases_count", summary.count as i64),
                totals: totals.collect(),
                last,
            })
        }
        "orders" => {
            let status = record.text("status").unwrap_or_default();
            let moves = if can_write {
                order::next_statuses(status).iter().map(|s| (*s, tr.choice("status", s))).collect()
            } else {
                Vec::new()
            };
            let latest =
                public_links::latest(&state.ctx, &user.actor, RecordType::ORDER, record.id, ORDER_STATUS).await?;
            let now = state.ctx.now();
            let link_live = latest.as_ref().is_some_and(|l| l.revoked_at.is_none() && l.expires_at > now);
            let link = latest.map(|l| match (l.revoked_at, l.expires_at > now) {
                (Some(at), _) => tr.t1("order.link_revoked", "when", format::datetime(at, user.zone, tr.locale)),
                (None, false) => tr.t("order.link_expired"),
                (None, true) => tr.t1("order.link_live", "when", format::datetime(l.expires_at, user.zone, tr.locale)),
            });
            let currency = record.text("currency").unwrap_or("BRL").to_owned();
            Some(Panel::Order { lines: order_lines(record, tr), moves, link, link_live, currency })
        }
        "returns" if can_write => {
            let status = record.text("status").unwrap_or_default();
            let decide = user.actor.is_manager_or_admin();
            let actions = return_request::next_statuses(status)
                .iter()
                .filter(|next| decide || !matches!(**next, "approved" | "rejected"))
                .map(|next| (action_of(next), tr.t(&format!("return.action.{}", action_of(next)))))
                .collect();
            let refund = record.fields.get("refund_minor").and_then(Value::as_i64).unwrap_or(0);
            let currency = match record.uuid("order_id") {
                Some(order) => records::get(&state.ctx, &user.actor, RecordType::ORDER, order.into()).await?,
                None => return Ok(None),
            }
            .text("currency")
            .unwrap_or("BRL")
            .to_owned();
            let refund = format::money(refund, &currency, tr.locale);
            Some(Panel::Return { actions, refund, currency })
        }
        _ => None,
    })
}

/// The decision that moves a return to `status`.
fn action_of(status: &str) -> &'static str {
    match status {
        "approved" => "approve",
        "rejected" => "reject",
        "received" => "receive",
        "refunded" => "refund",
        _ => "close",
    }
}

/// An error page that says what the service refused, in the user's words.
fn refused(user: &WebUser, error: rapport_db::Error) -> WebError {
    match error {
        rapport_db::Error::Domain(rapport_core::DomainError::Validation(errors)) => {
            let message = errors.0.iter().map(|e| fields::error_message(&user.tr, e)).collect::<Vec<_>>().join(" ");
            WebError::with_message(user.frame("", user.tr.t("error.title")), StatusCode::UNPROCESSABLE_ENTITY, message)
        }
        other => user.fail(other),
    }
}

fn back_to(plural: &str, id: &str) -> axum::response::Response {
    Redirect::to(&format!("/{plural}/{id}")).into_response()
}

/// Moves an order to its next status.
pub async fn move_order(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record = record_id(user, &id)?;
    let writer = writer(user)?;
    let status = form.value("status").unwrap_or_default();
    let patch = serde_json::json!({"status": status});
    records::update(&state.ctx, &writer, RecordType::ORDER, record, &patch, None)
        .await
        .map_err(|e| refused(user, e))?;
    Ok(back_to("orders", &id))
}

/// Records a payment typed as the user writes money (`300,00`).
pub async fn pay(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record = record_id(user, &id)?;
    let writer = writer(user)?;
    let currency = form.value("currency").unwrap_or("BRL");
    let Some(amount) = form.value("amount").and_then(|a| fields::parse_decimal(a, currency)) else {
        return Err(user.error(StatusCode::UNPROCESSABLE_ENTITY, "error.invalid_number"));
    };
    records::record_payment(&state.ctx, &writer, record, amount, None).await.map_err(|e| refused(user, e))?;
    Ok(back_to("orders", &id))
}

#[derive(Template)]
#[template(path = "orders/link.html")]
struct LinkPage {
    frame: Frame,
    id: String,
    url: String,
    expires: String,
}

/// A new customer link, shown this once (the old one stops working).
pub async fn create_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let record = record_id(user, &id)?;
    let writer = writer(user)?;
    let (link, token) = public_links::create(&state.ctx, &writer, RecordType::ORDER, record, ORDER_STATUS, None)
        .await
        .map_err(|e| refused(user, e))?;
    let page = LinkPage {
        frame: user.frame("orders", user.tr.t("order.link_title")),
        url: super::public::order_link(&headers, &token),
        expires: format::datetime(link.expires_at, user.zone, user.tr.locale),
        id,
    };
    Ok(html(StatusCode::OK, &page))
}

pub async fn revoke_link(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record = record_id(user, &id)?;
    let writer = writer(user)?;
    public_links::revoke(&state.ctx, &writer, RecordType::ORDER, record, ORDER_STATUS)
        .await
        .map_err(|e| refused(user, e))?;
    Ok(back_to("orders", &id))
}

/// A decision on a return: approve, reject, receive, refund, close.
pub async fn decide(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record = record_id(user, &id)?;
    let writer = writer(user)?;
    let note = form.value("note").map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    let refund = match form.value("refund").map(str::trim).filter(|r| !r.is_empty()) {
        Some(text) => match fields::parse_decimal(text, form.value("currency").unwrap_or("BRL")) {
            Some(minor) => Some(minor),
            None => return Err(user.error(StatusCode::UNPROCESSABLE_ENTITY, "error.invalid_number")),
        },
        None => None,
    };
    let decision = match form.value("action").unwrap_or_default() {
        "approve" => ReturnDecision::Approve { refund_minor: refund, note },
        "reject" => ReturnDecision::Reject { note },
        "receive" => ReturnDecision::Receive,
        "refund" => ReturnDecision::Refund { refund_minor: refund },
        "close" => ReturnDecision::Close,
        _ => return Err(user.error(StatusCode::UNPROCESSABLE_ENTITY, "error.invalid_choice")),
    };
    records::decide_return(&state.ctx, &writer, record, &decision, None).await.map_err(|e| refused(user, e))?;
    Ok(back_to("returns", &id))
}
