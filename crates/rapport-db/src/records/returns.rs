//! Return requests held to their order: whatever path writes one (API,
//! form, import, the customer's link), its lines and refund are checked
//! against the order in the write's transaction, the order's refunds follow,
//! and a new request meets the administrator's automatic rules.

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::access::{Actor, Writer};
use rapport_core::audit::{AuditAction, diff};
use rapport_core::ids::RecordId;
use rapport_core::line_items::{LineItem, parse_line_items};
use rapport_core::records::return_request::{counts_as_returned, refunded_amount};
use rapport_core::returns::{RequestFacts, ReturnRule, approving_rule, check_lines, check_refund};
use rapport_core::schema::RecordType;
use rapport_core::{DomainError, FieldError};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::service::{fetch_visible, prepare_new, store_new, update_in};
use super::{Record, keys, repo};
use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// Checks a written return against its order and brings the order's
/// refunds up to date; a new request then meets the automatic rules.
pub(super) async fn hold_to_order(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    old: Option<&Record>,
    record: &Record,
    order_id: Uuid,
) -> Result<()> {
    let order = super::fetch_unscoped_for_system(conn, RecordType::ORDER, RecordId(order_id))
        .await?
        .ok_or_else(|| DomainError::invalid("order_id", "unknown_reference", "no order with this id"))?;
    let others = other_returns(conn, order_id, record.id.0).await?;
    let status = record.text("status").unwrap_or_default();
    let old_status = old.and_then(|o| o.text("status"));
    if matches!(old_status, Some("requested"))
        && matches!(status, "approved" | "rejected")
        && !actor.is_manager_or_admin()
    {
        return Err(DomainError::Forbidden("only managers and administrators approve or reject returns").into());
    }
    let lines_changed = old.is_none_or(|o| o.fields.get("lines") != record.fields.get("lines"));
    if lines_changed && counts_as_returned(status) {
        let returned: Vec<LineItem> = others
            .iter()
            .filter(|r| counts_as_returned(r.text("status").unwrap_or_default()))
            .flat_map(lines_of)
            .collect();
        check_lines(&lines_of(&order), &returned, &lines_of(record)).map_err(DomainError::from)?;
    }
    let refunded_by_others: i64 = others.iter().map(|r| refunded_amount(&r.fields)).sum();
    let refund = record.fields.get("refund_minor").and_then(Value::as_i64).unwrap_or(0);
    let refund_changed = old.is_none_or(|o| o.fields.get("refund_minor") != record.fields.get("refund_minor"));
    if refund > 0 && status != "rejected" && (refund_changed || old_status != Some(status)) {
        let paid = order.fields.get("paid_minor").and_then(Value::as_i64).unwrap_or(0);
        check_refund(paid, refunded_by_others, refund).map_err(|e| DomainError::Validation(e.into()))?;
    }
    let refunded = refunded_by_others + refunded_amount(&record.fields);
    if order.fields.get("refunded_minor").and_then(Value::as_i64).unwrap_or(0) != refunded {
        let changes = Map::from_iter([("refunded_minor".to_owned(), Value::from(refunded))]);
        write_for_system(conn, &order, changes, record.updated_at, Some(actor.user_id)).await?;
    }
    if old.is_none() {
        let rules = crate::return_rules::enabled(conn).await?;
        decide_by_rules(conn, &rules, &order, record, record.updated_at).await?;
    }
    Ok(())
}

fn lines_of(record: &Record) -> Vec<LineItem> {
    record.fields.get("lines").and_then(|v| parse_line_items(v).ok()).unwrap_or_default()
}

fn date_of(record: &Record, key: &str) -> Option<NaiveDate> {
    record.text(key).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// The order's live returns other than `except`.
async fn other_returns(conn: &impl ConnectionTrait, order_id: Uuid, except: Uuid) -> Result<Vec<Record>> {
    let mut query = repo::select(RecordType::RETURN);
    query
        .and_where(Expr::col("order_id").eq(order_id))
        .and_where(Expr::col("id").ne(except))
        .and_where(Expr::col("deleted_at").is_null());
    let rows = conn.query_all(&query).await.context("read an order's returns")?;
    rows.iter().map(|row| repo::from_row(RecordType::RETURN, row)).collect()
}

/// Approves the request if an enabled rule says so: the decision names the
/// rule, and the audit log keeps it with no user as its author.
async fn decide_by_rules(
    conn: &impl ConnectionTrait,
    rules: &[ReturnRule],
    order: &Record,
    request: &Record,
    now: DateTime<Utc>,
) -> Result<Option<Record>> {
    let facts = RequestFacts {
        status: request.text("status").unwrap_or_default(),
        desired_outcome: request.text("desired_outcome").unwrap_or_default(),
        refund_minor: request.fields.get("refund_minor").and_then(Value::as_i64).unwrap_or(0),
        currency: order.text("currency").unwrap_or_default(),
        order_status: order.text("status").unwrap_or_default(),
        promised_delivery_date: date_of(order, "promised_delivery_date"),
        delivered_on: date_of(order, "delivered_on"),
    };
    let Some(rule) = approving_rule(rules, &facts, now.date_naive()) else { return Ok(None) };
    let changes = Map::from_iter([
        ("status".to_owned(), Value::from("approved")),
        ("decided_by_rule".to_owned(), Value::from(rule.decision_text())),
    ]);
    tracing::info!(rule = %rule.id, request = %request.id, "return approved by an automatic rule");
    write_for_system(conn, request, changes, now, None).await.map(Some)
}

/// A new version of a record with `changes` (derived fields included),
/// written without a user's rights: the system's own follow-up of a write
/// already authorized, or of a rule. Audited, with `author` if any.
pub(super) async fn write_for_system(
    conn: &impl ConnectionTrait,
    old: &Record,
    changes: Map<String, Value>,
    at: DateTime<Utc>,
    author: Option<Uuid>,
) -> Result<Record> {
    let mut record = old.clone();
    record.fields.extend(changes);
    record.record_type.check_and_derive(&mut record.fields).map_err(DomainError::from)?;
    record.version = old.version + 1;
    record.updated_at = at;
    record.updated_by = author;
    if !repo::update(conn, &record, old.version).await? {
        return Err(DomainError::VersionMismatch { current: old.version + 1 }.into());
    }
    keys::index(conn, &record).await?;
    let changes = diff(&old.audited(), &record.audited());
    crate::audit::record(conn, at, author, record.record_type, record.id.0, AuditAction::Update, &changes).await?;
    Ok(record)
}

/// Applies the rules to every undecided refund request: run daily by the
/// worker for rules that depend on the date. Returns how many were approved.
pub async fn apply_rules(ctx: &Ctx) -> Result<usize> {
    let tx = ctx.db.write().await?;
    let rules = crate::return_rules::enabled(&*tx).await?;
    if rules.is_empty() {
        return Ok(0);
    }
    let mut query = repo::select(RecordType::RETURN);
    query
        .and_where(Expr::col("status").eq("requested"))
        .and_where(Expr::col("desired_outcome").eq("refund"))
        .and_where(Expr::col("deleted_at").is_null());
    let rows = tx.query_all(&query).await.context("read undecided returns")?;
    let mut approved = 0;
    for row in &rows {
        let request = repo::from_row(RecordType::RETURN, row)?;
        let Some(order_id) = request.uuid("order_id") else { continue };
        let Some(order) = super::fetch_unscoped_for_system(&*tx, RecordType::ORDER, RecordId(order_id)).await? else {
            continue;
        };
        if decide_by_rules(&*tx, &rules, &order, &request, ctx.now()).await?.is_some() {
            approved += 1;
        }
    }
    tx.commit().await?;
    Ok(approved)
}

/// A request for a return of some of an order's lines, as the API and the
/// customer's page send it.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    /// Which of the order's lines (by position, from 0) and how many, in thousandths.
    pub items: Vec<ReturnItem>,
    pub reason: String,
    #[serde(default)]
    pub reason_detail: Option<String>,
    pub desired_outcome: String,
    /// The refund asked for; by default the returned lines' value, at most
    /// what can still be refunded.
    #[serde(default)]
    pub refund_minor: Option<i64>,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnItem {
    pub line: usize,
    pub quantity_milli: i64,
}

/// The return's lines: copies of the order's chosen lines with the
/// quantities asked, and their value.
fn requested_lines(order: &Record, items: &[ReturnItem]) -> Result<(Value, i64)> {
    let ordered = lines_of(order);
    let mut lines = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let Some(line) = ordered.get(item.line) else {
            let error = FieldError::new(format!("items[{index}].line"), "unknown_line", "the order has no such line");
            return Err(DomainError::Validation(error.into()).into());
        };
        let mut copy = line.to_json();
        copy["quantity_milli"] = item.quantity_milli.into();
        lines.push(copy);
    }
    if lines.is_empty() {
        return Err(DomainError::invalid("items", "required", "choose at least one line to return").into());
    }
    let value = parse_line_items(&Value::Array(lines.clone()))
        .ok()
        .and_then(|parsed| rapport_core::line_items::totals(&parsed, 0).ok())
        .map_or(0, |t| t.total_minor);
    Ok((Value::Array(lines), value))
}

/// Asks for a return against an order the writer can see; the automatic
/// rules decide it at once when one applies.
pub async fn request_return(ctx: &Ctx, writer: &Writer, order_id: RecordId, input: &ReturnInput) -> Result<Record> {
    request(ctx, writer, order_id, input, false).await
}

/// [`request_return`] for the customer, through their order's link: made
/// in the name of the user who shared the link, marked as the customer's.
pub async fn request_return_by_customer(
    ctx: &Ctx,
    link_owner: &Writer,
    order_id: RecordId,
    input: &ReturnInput,
) -> Result<Record> {
    request(ctx, link_owner, order_id, input, true).await
}

async fn request(
    ctx: &Ctx,
    writer: &Writer,
    order_id: RecordId,
    input: &ReturnInput,
    by_customer: bool,
) -> Result<Record> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let order = fetch_visible(&*tx, actor, &snapshot, RecordType::ORDER, order_id, false).await?;
    let (lines, value) = requested_lines(&order, &input.items)?;
    let refund = match (input.refund_minor, input.desired_outcome.as_str()) {
        (Some(amount), _) => amount,
        (None, "refund") => {
            let others = other_returns(&*tx, order_id.0, Uuid::nil()).await?;
            let refunded: i64 = others.iter().map(|r| refunded_amount(&r.fields)).sum();
            let paid = order.fields.get("paid_minor").and_then(Value::as_i64).unwrap_or(0);
            Ord::min(value, Ord::max(paid - refunded, 0))
        }
        (None, _) => 0,
    };
    let body = json!({
        "order_id": order_id.0, "lines": lines, "reason": input.reason, "reason_detail": input.reason_detail,
        "desired_outcome": input.desired_outcome, "refund_minor": refund,
    });
    let mut record = prepare_new(ctx, &*tx, actor, &snapshot, RecordType::RETURN, std::slice::from_ref(&body))
        .await?
        .remove(0)
        .map_err(items_named_as_given)?;
    record.fields.insert("requested_by_customer".into(), by_customer.into());
    store_new(&*tx, actor, std::slice::from_mut(&mut record)).await.map_err(items_named_as_given)?;
    let stored = super::fetch_unscoped_for_system(&*tx, RecordType::RETURN, record.id).await?.unwrap_or(record);
    tx.commit().await?;
    Ok(stored)
}

/// The return's `lines[i]` are the request's `items[i]`: errors name what the caller sent.
fn items_named_as_given(error: crate::Error) -> crate::Error {
    match error {
        crate::Error::Domain(DomainError::Validation(mut errors)) => {
            for e in &mut errors.0 {
                if let Some(rest) = e.field.strip_prefix("lines") {
                    e.field = format!("items{rest}");
                }
            }
            DomainError::Validation(errors).into()
        }
        other => other,
    }
}

/// What a manager does with a request.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReturnDecision {
    Approve {
        #[serde(default)]
        refund_minor: Option<i64>,
        #[serde(default)]
        note: Option<String>,
    },
    Reject {
        #[serde(default)]
        note: Option<String>,
    },
    /// The goods came back.
    Receive,
    /// The refund was paid: the order's refunds and payment status follow.
    Refund {
        #[serde(default)]
        refund_minor: Option<i64>,
    },
    Close,
}

/// Moves a request on; approving and rejecting need a manager (checked for
/// every path when the return is written), the rest a writer.
pub async fn decide(
    ctx: &Ctx,
    writer: &Writer,
    id: RecordId,
    decision: &ReturnDecision,
    if_match: Option<i64>,
) -> Result<Record> {
    let (status, refund, note) = match decision {
        ReturnDecision::Approve { refund_minor, note } => ("approved", *refund_minor, note.clone()),
        ReturnDecision::Reject { note } => ("rejected", None, note.clone()),
        ReturnDecision::Receive => ("received", None, None),
        ReturnDecision::Refund { refund_minor } => ("refunded", *refund_minor, None),
        ReturnDecision::Close => ("closed", None, None),
    };
    let mut patch = Map::from_iter([("status".to_owned(), Value::from(status))]);
    if let Some(amount) = refund {
        patch.insert("refund_minor".into(), amount.into());
    }
    if let Some(note) = note {
        patch.insert("decision_note".into(), note.into());
    }
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let record =
        update_in(ctx, &*tx, actor, &snapshot, RecordType::RETURN, id, &Value::Object(patch), if_match, None).await?;
    tx.commit().await?;
    Ok(record)
}
