//! The two `GROUP BY`s over orders that everything else is computed from:
//! each customer's purchases, and the cohort cells. Plain SQL written once;
//! only the day and month of a timestamp differ per engine (`backend`).

use rapport_analytics::cohorts::CohortCell;
use rapport_analytics::purchases::PurchaseSummary;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query, SelectStatement};

use super::{CustomerKey, CustomerType, LeftOut};
use crate::backend::{epoch_day, epoch_month};
use crate::database::Backend;
use crate::error::{Result, StorageContext};
use crate::row::ColumnRead;

/// When an order was placed: its order date, else when it was recorded.
const PURCHASED_AT: &str = "COALESCE(ordered_at, created_at)";
/// The customer: the company when there is one, else the contact.
const CUSTOMER_ID: &str = "COALESCE(company_id, contact_id)";
const CUSTOMER_TYPE: &str = "CASE WHEN company_id IS NOT NULL THEN 'company' ELSE 'contact' END";
/// What the customer paid in the end.
const AMOUNT: &str = "COALESCE(total_minor, 0) - COALESCE(refunded_minor, 0)";

/// Live orders that were not cancelled.
fn purchases() -> Condition {
    Condition::all()
        .add(Expr::col("deleted_at").is_null())
        .add(Condition::any().add(Expr::col("status").is_null()).add(Expr::col("status").ne("cancelled")))
}

fn has_customer() -> Condition {
    Condition::any().add(Expr::col("company_id").is_not_null()).add(Expr::col("contact_id").is_not_null())
}

/// One row per purchase in `currency` with a customer: type, id, day, month
/// and amount (the month only when asked: the summary does not need it).
fn purchase_rows(backend: Backend, currency: &str, with_month: bool) -> SelectStatement {
    let mut query = Query::select();
    query
        .expr_as(Expr::cust(CUSTOMER_TYPE), "customer_type")
        .expr_as(Expr::cust(CUSTOMER_ID), "customer_id")
        .expr_as(epoch_day(backend, PURCHASED_AT), "day")
        .expr_as(Expr::cust(AMOUNT), "amount")
        .from("orders")
        .cond_where(purchases().add(has_customer()).add(Expr::col("currency").eq(currency)));
    if with_month {
        query.expr_as(epoch_month(backend, PURCHASED_AT), "month");
    }
    query.to_owned()
}

/// Each customer's purchases in `currency`, in one `GROUP BY`.
pub(super) async fn summaries(
    conn: &impl ConnectionTrait,
    currency: &str,
) -> Result<(Vec<CustomerKey>, Vec<PurchaseSummary>)> {
    let backend = Backend::of(conn);
    let query = Query::select()
        .columns(["customer_type", "customer_id"])
        .expr_as(Expr::col("day").min(), "first_day")
        .expr_as(Expr::col("day").max(), "last_day")
        .expr_as(Expr::col("day").count(), "purchases")
        .expr_as(Expr::cust("CAST(SUM(amount) AS BIGINT)"), "total_minor")
        .from_subquery(purchase_rows(backend, currency, false), "p")
        .group_by_columns(["customer_type", "customer_id"])
        .to_owned();
    let rows = conn.query_all(&query).await.context("group purchases by customer")?;
    let mut keys = Vec::with_capacity(rows.len());
    let mut summaries = Vec::with_capacity(rows.len());
    for row in rows {
        let customer_type = row.text("customer_type")?.as_deref().and_then(CustomerType::parse);
        let (Some(customer_type), Some(customer_id)) = (customer_type, row.uuid("customer_id")?) else { continue };
        let day = |column: &str| -> Result<i32> {
            Ok(row.big_int(column)?.map_or(0, |d| d.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32))
        };
        keys.push(CustomerKey { customer_type, customer_id });
        summaries.push(PurchaseSummary {
            first_day: day("first_day")?,
            last_day: day("last_day")?,
            purchases: u32::try_from(row.big_int("purchases")?.unwrap_or(0)).unwrap_or(u32::MAX),
            total_minor: row.big_int("total_minor")?.unwrap_or(0),
        });
    }
    Ok((keys, summaries))
}

/// Cohort cells in `currency`: customers by the month of their first
/// purchase × the month they bought in, with that month's spend.
pub(super) async fn cohort_cells(conn: &impl ConnectionTrait, currency: &str) -> Result<Vec<CohortCell>> {
    let backend = Backend::of(conn);
    let firsts = Query::select()
        .columns(["customer_type", "customer_id"])
        .expr_as(Expr::col("month").min(), "cohort_month")
        .from_subquery(purchase_rows(backend, currency, true), "q")
        .group_by_columns(["customer_type", "customer_id"])
        .to_owned();
    let (p, f) = (Alias::new("p"), Alias::new("f"));
    let query = Query::select()
        .expr_as(Expr::col((f.clone(), Alias::new("cohort_month"))), "cohort_month")
        .expr_as(Expr::col((p.clone(), Alias::new("month"))), "active_month")
        .expr_as(Expr::cust("COUNT(DISTINCT p.customer_id)"), "customers")
        .expr_as(Expr::cust("CAST(SUM(p.amount) AS BIGINT)"), "revenue_minor")
        .from_subquery(purchase_rows(backend, currency, true), p.clone())
        .inner_join(
            sea_orm::sea_query::TableRef::SubQuery(firsts.into(), f.clone().into()),
            Condition::all()
                .add(
                    Expr::col((f.clone(), Alias::new("customer_type")))
                        .equals((p.clone(), Alias::new("customer_type"))),
                )
                .add(Expr::col((f.clone(), Alias::new("customer_id"))).equals((p.clone(), Alias::new("customer_id")))),
        )
        .group_by_col((f, Alias::new("cohort_month")))
        .group_by_col((p, Alias::new("month")))
        .to_owned();
    let rows = conn.query_all(&query).await.context("group purchases by cohort and month")?;
    let month = |v: Option<i64>| v.map(|m| m.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32);
    let mut cells = Vec::with_capacity(rows.len());
    for row in rows {
        let (Some(cohort_month), Some(active_month)) =
            (month(row.big_int("cohort_month")?), month(row.big_int("active_month")?))
        else {
            continue;
        };
        cells.push(CohortCell {
            cohort_month,
            active_month,
            customers: u32::try_from(row.big_int("customers")?.unwrap_or(0)).unwrap_or(u32::MAX),
            revenue_minor: row.big_int("revenue_minor")?.unwrap_or(0),
        });
    }
    Ok(cells)
}

/// The purchases the figures leave out: those in other currencies, and
/// those in the account's currency that name no customer.
pub(super) async fn left_out(conn: &impl ConnectionTrait, currency: &str) -> Result<LeftOut> {
    let query = Query::select()
        .column("currency")
        .expr_as(Expr::col("id").count(), "orders")
        .expr_as(
            Expr::cust("CAST(SUM(CASE WHEN company_id IS NULL AND contact_id IS NULL THEN 1 ELSE 0 END) AS BIGINT)"),
            "without_customer",
        )
        .from("orders")
        .cond_where(purchases())
        .group_by_col("currency")
        .to_owned();
    let mut out = LeftOut::default();
    for row in conn.query_all(&query).await.context("count purchases by currency")? {
        let code = row.text("currency")?.unwrap_or_default();
        let orders = u64::try_from(row.big_int("orders")?.unwrap_or(0)).unwrap_or(0);
        let without = u64::try_from(row.big_int("without_customer")?.unwrap_or(0)).unwrap_or(0);
        if code == currency {
            out.orders_without_customer = without;
        } else if orders > 0 {
            out.other_currency_orders += orders;
            out.other_currencies.push((code, orders));
        }
    }
    out.other_currencies.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}
