//! Reading what the refresh stored: the summary, and lists of customers
//! (a segment's, the top by lifetime value) with the same visibility as the
//! companies and contacts lists. A segment list is the saved filter other
//! features (campaigns) take by its segment key.

use std::collections::HashMap;

use chrono::NaiveDate;
use rapport_analytics::rfm::Segment;
use rapport_core::access::Actor;
use rapport_core::schema::RecordType;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, Order};
use serde::Serialize;
use uuid::Uuid;

use super::{CustomerAnalysis, CustomerType, RESULT_KEY};
use crate::error::{Result, StorageContext};
use crate::row::ColumnRead;
use crate::settings::{Ctx, Snapshot};

/// Customers per page of a segment list.
pub const PAGE_SIZE: u64 = 50;

/// One customer with their stored figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerLine {
    pub customer_type: CustomerType,
    pub customer_id: Uuid,
    /// The company's name or the contact's full name.
    pub name: String,
    pub segment: Option<Segment>,
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
    pub recency_days: i64,
    pub purchases: u64,
    pub total_minor: i64,
    pub currency: String,
    pub first_purchase: NaiveDate,
    pub last_purchase: NaiveDate,
    pub expected_purchases_12m: Option<f64>,
    pub p_alive: Option<f64>,
    pub clv_12m_minor: Option<i64>,
}

/// A page of a list and the cursor of the next one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerPage {
    pub items: Vec<CustomerLine>,
    pub next_cursor: Option<String>,
}

/// The summary stored by the last refresh; `None` before the first.
pub async fn stored(ctx: &Ctx) -> Result<Option<CustomerAnalysis>> {
    let query = Query::select()
        .column("payload")
        .from("analytics_results")
        .and_where(Expr::col("key").eq(RESULT_KEY))
        .to_owned();
    let Some(row) = ctx.db.conn().query_one(&query).await.context("read the customer analysis")? else {
        return Ok(None);
    };
    let Some(payload) = row.json("payload")? else { return Ok(None) };
    // A payload this version cannot read (written by another) counts as not
    // refreshed yet: the next refresh rewrites it.
    match serde_json::from_value(payload) {
        Ok(analysis) => Ok(Some(analysis)),
        Err(error) => {
            tracing::warn!(%error, "stored customer analysis unreadable; waiting for the next refresh");
            Ok(None)
        }
    }
}

/// The customers of one type whose company or contact the actor may see.
/// Lists ask once per type and merge: with `EXISTS (companies…) OR EXISTS
/// (contacts…)` PostgreSQL hashed every company before the first row (a
/// top 20 in 33–40 ms at 100k customers, 0.5 ms this way), and SQLite
/// walked no index unless the type test sat inside each EXISTS.
fn visible_as(actor: &Actor, snapshot: &Snapshot, customer_type: CustomerType) -> Condition {
    let record_type = match customer_type {
        CustomerType::Company => RecordType::COMPANY,
        CustomerType::Contact => RecordType::CONTACT,
    };
    let table = Alias::new(customer_type.table());
    let scope = crate::records::repo_scope_condition(&crate::records::read_scope(actor, snapshot, record_type));
    let record = Query::select()
        .expr(Expr::val(1))
        .from(table.clone())
        .and_where(Expr::col((table, Alias::new("id"))).equals(("customer_metrics", "customer_id")))
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(scope)
        .to_owned();
    Condition::all()
        .add(Expr::col(("customer_metrics", "customer_type")).eq(customer_type.as_str()))
        .add(Expr::exists(record))
}

/// The customers of both types `query` finds for the actor, in the list's
/// order (`key` descending, then the id), at most `limit`: one query per
/// type, merged.
async fn visible_lines(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    query: &SelectStatement,
    key: fn(&CustomerLine) -> Option<i64>,
    limit: u64,
) -> Result<Vec<CustomerLine>> {
    let mut all = Vec::new();
    for customer_type in [CustomerType::Company, CustomerType::Contact] {
        let mut one = query.clone();
        one.cond_where(visible_as(actor, snapshot, customer_type)).limit(limit);
        all.extend(lines(conn, &one).await?);
    }
    all.sort_by_key(|line| std::cmp::Reverse((key(line), line.customer_id)));
    all.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(all)
}

const COLUMNS: [&str; 15] = [
    "customer_type",
    "customer_id",
    "segment",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "recency_days",
    "purchases",
    "total_minor",
    "currency",
    "first_day",
    "last_day",
    "expected_purchases_12m",
    "p_alive",
    "clv_12m_minor",
];

fn select() -> SelectStatement {
    let mut query = Query::select();
    for column in COLUMNS {
        query.column(("customer_metrics", column));
    }
    query.from("customer_metrics").and_where(super::current_generation()).to_owned()
}

/// A segment's customers the actor may see, highest total spend first,
/// `PAGE_SIZE` at a time. `cursor` is the previous page's `next_cursor`; a
/// malformed one starts over.
pub async fn segment_customers(
    ctx: &Ctx,
    actor: &Actor,
    segment: Segment,
    cursor: Option<&str>,
    limit: u64,
) -> Result<CustomerPage> {
    let snapshot = ctx.snapshot().await?;
    let limit = limit.clamp(1, 1000);
    let mut query = select();
    query
        .and_where(Expr::col(("customer_metrics", "segment")).eq(segment.as_str()))
        .order_by(("customer_metrics", "total_minor"), Order::Desc)
        .order_by(("customer_metrics", "customer_id"), Order::Desc);
    if let Some((total, id)) = cursor.and_then(parse_cursor) {
        let total_col = Expr::col(("customer_metrics", "total_minor"));
        query.cond_where(
            Condition::any().add(total_col.clone().lt(total)).add(
                Condition::all().add(total_col.eq(total)).add(Expr::col(("customer_metrics", "customer_id")).lt(id)),
            ),
        );
    }
    let total = |line: &CustomerLine| Some(line.total_minor);
    let mut items = visible_lines(ctx.db.conn(), actor, &snapshot, &query, total, limit + 1).await?;
    let next_cursor = if items.len() as u64 > limit {
        items.truncate(limit as usize);
        items.last().map(|last| format!("{}:{}", last.total_minor, last.customer_id))
    } else {
        None
    };
    Ok(CustomerPage { items, next_cursor })
}

fn parse_cursor(cursor: &str) -> Option<(i64, Uuid)> {
    let (total, id) = cursor.split_once(':')?;
    Some((total.parse().ok()?, Uuid::parse_str(id).ok()?))
}

/// The `limit` customers the actor may see with the highest predicted value
/// over the next 12 months (none when no model could be fitted).
pub async fn top_by_clv(ctx: &Ctx, actor: &Actor, limit: u64) -> Result<Vec<CustomerLine>> {
    let snapshot = ctx.snapshot().await?;
    let mut query = select();
    query
        .and_where(Expr::col(("customer_metrics", "clv_12m_minor")).is_not_null())
        .order_by(("customer_metrics", "clv_12m_minor"), Order::Desc)
        .order_by(("customer_metrics", "customer_id"), Order::Desc);
    let clv = |line: &CustomerLine| line.clv_12m_minor;
    visible_lines(ctx.db.conn(), actor, &snapshot, &query, clv, limit.clamp(1, 1000)).await
}

/// Reads the rows of `query` and names their customers (one lookup per kind).
async fn lines(conn: &impl ConnectionTrait, query: &SelectStatement) -> Result<Vec<CustomerLine>> {
    let score = |v: Option<i64>| v.map_or(0, |v| v.clamp(0, 5) as u8);
    let mut out = Vec::new();
    for row in conn.query_all(query).await.context("read customer metrics")? {
        let Some(customer_type) = row.text("customer_type")?.as_deref().and_then(CustomerType::parse) else {
            continue;
        };
        out.push(CustomerLine {
            customer_type,
            customer_id: row.required("customer_id", ColumnRead::uuid)?,
            name: String::new(),
            segment: row.text("segment")?.as_deref().and_then(Segment::parse),
            recency: score(row.big_int("recency_score")?),
            frequency: score(row.big_int("frequency_score")?),
            monetary: score(row.big_int("monetary_score")?),
            recency_days: row.big_int("recency_days")?.unwrap_or(0),
            purchases: u64::try_from(row.big_int("purchases")?.unwrap_or(0)).unwrap_or(0),
            total_minor: row.big_int("total_minor")?.unwrap_or(0),
            currency: row.text("currency")?.unwrap_or_default(),
            first_purchase: row.required("first_day", ColumnRead::date)?,
            last_purchase: row.required("last_day", ColumnRead::date)?,
            expected_purchases_12m: real(&row, "expected_purchases_12m")?,
            p_alive: real(&row, "p_alive")?,
            clv_12m_minor: row.big_int("clv_12m_minor")?,
        });
    }
    let names = names(conn, &out).await?;
    for line in &mut out {
        if let Some(name) = names.get(&line.customer_id) {
            line.name.clone_from(name);
        }
    }
    Ok(out)
}

fn real(row: &sea_orm::QueryResult, column: &str) -> Result<Option<f64>> {
    let value: Option<f64> = row.try_get("", column).context(crate::row::COLUMN_CONTEXT)?;
    Ok(value.filter(|v| v.is_finite()))
}

async fn names(conn: &impl ConnectionTrait, lines: &[CustomerLine]) -> Result<HashMap<Uuid, String>> {
    let mut out = HashMap::new();
    for customer_type in [CustomerType::Company, CustomerType::Contact] {
        let ids: Vec<Uuid> = lines.iter().filter(|l| l.customer_type == customer_type).map(|l| l.customer_id).collect();
        if ids.is_empty() {
            continue;
        }
        let columns: &[&str] = match customer_type {
            CustomerType::Company => &["id", "name"],
            CustomerType::Contact => &["id", "first_name", "last_name"],
        };
        let query = Query::select()
            .columns(columns.iter().copied())
            .from(customer_type.table())
            .and_where(Expr::col("id").is_in(ids))
            .to_owned();
        for row in conn.query_all(&query).await.context("read customer names")? {
            let name = match customer_type {
                CustomerType::Company => row.text("name")?.unwrap_or_default(),
                CustomerType::Contact => [row.text("first_name")?, row.text("last_name")?]
                    .into_iter()
                    .flatten()
                    .filter(|part| !part.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            out.insert(row.required("id", ColumnRead::uuid)?, name);
        }
    }
    Ok(out)
}
