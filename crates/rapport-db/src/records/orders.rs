//! Orders beyond the generic record: made from a quote's lines, paid in
//! instalments, summed as a customer's purchases, and read through the
//! customer's secret link.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Writer};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Order};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::service::{fetch_visible, scope, update_in};
use super::{Record, repo};
use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// Adds a payment received to the order's paid amount; never beyond its total.
pub async fn record_payment(
    ctx: &Ctx,
    writer: &Writer,
    id: RecordId,
    amount_minor: i64,
    if_match: Option<i64>,
) -> Result<Record> {
    if amount_minor <= 0 {
        return Err(DomainError::invalid("amount_minor", "out_of_range", "a payment is more than zero").into());
    }
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let order = fetch_visible(&*tx, actor, &snapshot, RecordType::ORDER, id, false).await?;
    let paid = order.fields.get("paid_minor").and_then(Value::as_i64).unwrap_or(0);
    let total = paid
        .checked_add(amount_minor)
        .ok_or_else(|| DomainError::invalid("amount_minor", "out_of_range", "the payment is larger than any order"))?;
    let patch = json!({"paid_minor": total});
    let record = update_in(ctx, &*tx, actor, &snapshot, RecordType::ORDER, id, &patch, if_match, None)
        .await
        .map_err(|e| rename_field(e, "paid_minor", "amount_minor"))?;
    tx.commit().await?;
    Ok(record)
}

fn rename_field(error: crate::Error, from: &str, to: &str) -> crate::Error {
    match error {
        crate::Error::Domain(DomainError::Validation(mut errors)) => {
            errors.0.iter_mut().filter(|e| e.field == from).for_each(|e| e.field = to.to_owned());
            DomainError::Validation(errors).into()
        }
        other => other,
    }
}

/// A customer's purchases: their orders that were not cancelled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Purchases {
    pub count: u64,
    /// Total per currency (ISO code → minor units).
    pub totals: BTreeMap<String, i64>,
    pub last_ordered_at: Option<DateTime<Utc>>,
    pub last_order_id: Option<Uuid>,
}

/// The order field that refers to a record of `customer_type` (a contact's
/// or a company's orders), if orders refer to that kind.
fn customer_field(customer_type: RecordType) -> Option<&'static str> {
    RecordType::ORDER.fields().iter().find(|f| f.kind.ref_target() == Some(customer_type)).map(|f| f.name)
}

/// The visible orders of a customer, newest first, at most `limit`.
pub async fn orders_of(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &crate::settings::Snapshot,
    customer_type: RecordType,
    customer: Uuid,
    limit: Option<u64>,
) -> Result<Vec<Record>> {
    let Some(field) = customer_field(customer_type) else { return Ok(Vec::new()) };
    let mut query = repo::select(RecordType::ORDER);
    query
        .and_where(Expr::col(Alias::new(field)).eq(customer))
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(repo::scope_condition(&scope(actor, snapshot, RecordType::ORDER)))
        .order_by("ordered_at", Order::Desc)
        .order_by("id", Order::Desc);
    if let Some(limit) = limit {
        query.limit(limit);
    }
    let rows = conn.query_all(&query).await.context("read a customer's orders")?;
    rows.iter().map(|row| repo::from_row(RecordType::ORDER, row)).collect()
}

/// A customer's orders for their timeline: newest created first, before
/// the `(created_at, id)` cursor, at most `limit`.
pub(super) async fn timeline_orders(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &crate::settings::Snapshot,
    customer_type: RecordType,
    customer: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<Record>> {
    let Some(field) = customer_field(customer_type) else { return Ok(Vec::new()) };
    let mut query = repo::select(RecordType::ORDER);
    query
        .and_where(Expr::col(Alias::new(field)).eq(customer))
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(repo::scope_condition(&scope(actor, snapshot, RecordType::ORDER)));
    if let Some((at, id)) = before {
        query.cond_where(
            Cond::any()
                .add(Expr::col("created_at").lt(at))
                .add(Cond::all().add(Expr::col("created_at").eq(at)).add(Expr::col("id").lt(id))),
        );
    }
    query.order_by("created_at", Order::Desc).order_by("id", Order::Desc).limit(limit);
    let rows = conn.query_all(&query).await.context("read a customer's orders")?;
    rows.iter().map(|row| repo::from_row(RecordType::ORDER, row)).collect()
}

/// Count, totals per currency and the last purchase of a contact or company.
pub async fn purchases(ctx: &Ctx, actor: &Actor, customer_type: RecordType, customer: RecordId) -> Result<Purchases> {
    let snapshot = ctx.snapshot().await?;
    let conn = ctx.db.conn();
    fetch_visible(conn, actor, &snapshot, customer_type, customer, false).await?;
    let orders = orders_of(conn, actor, &snapshot, customer_type, customer.0, None).await?;
    let mut summary = Purchases::default();
    for order in orders.iter().filter(|o| o.text("status") != Some("cancelled")) {
        summary.count += 1;
        let total = order.fields.get("total_minor").and_then(Value::as_i64).unwrap_or(0);
        *summary.totals.entry(order.text("currency").unwrap_or_default().to_owned()).or_default() += total;
        let at = order.text("ordered_at").and_then(crate::row::parse_timestamp);
        if summary.last_order_id.is_none() {
            summary.last_ordered_at = at;
            summary.last_order_id = Some(order.id.0);
        }
    }
    Ok(summary)
}

/// The returns of an order the actor can see, newest first.
pub async fn returns_of_order(ctx: &Ctx, actor: &Actor, order: RecordId) -> Result<Vec<Record>> {
    let snapshot = ctx.snapshot().await?;
    let conn = ctx.db.conn();
    fetch_visible(conn, actor, &snapshot, RecordType::ORDER, order, false).await?;
    let mut query = repo::select(RecordType::RETURN);
    query
        .and_where(Expr::col("order_id").eq(order.0))
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(repo::scope_condition(&scope(actor, &snapshot, RecordType::RETURN)))
        .order_by("created_at", Order::Desc)
        .order_by("id", Order::Desc);
    let rows = conn.query_all(&query).await.context("read an order's returns")?;
    rows.iter().map(|row| repo::from_row(RecordType::RETURN, row)).collect()
}

/// What the customer's link shows: the order and its returns, whoever can
/// see them in the CRM (the link is the credential). Contacts hold no
/// language yet, so the page follows the browser's.
pub async fn order_for_customer(ctx: &Ctx, order: RecordId) -> Result<Option<(Record, Vec<Record>)>> {
    let conn = ctx.db.conn();
    let Some(record) = super::fetch_unscoped_for_system(conn, RecordType::ORDER, order).await? else {
        return Ok(None);
    };
    let mut query = repo::select(RecordType::RETURN);
    query
        .and_where(Expr::col("order_id").eq(order.0))
        .and_where(Expr::col("deleted_at").is_null())
        .order_by("created_at", Order::Desc)
        .order_by("id", Order::Desc);
    let rows = conn.query_all(&query).await.context("read an order's returns")?;
    let returns = rows.iter().map(|row| repo::from_row(RecordType::RETURN, row)).collect::<Result<Vec<_>>>()?;
    Ok(Some((record, returns)))
}
