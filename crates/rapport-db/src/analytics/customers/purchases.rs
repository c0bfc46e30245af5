//! What everything else is computed from: each customer's purchases, the
//! cohort cells and the purchases left out, from one read of the orders.
//! Plain SQL written once; only the day of a timestamp differs per engine
//! (`backend`).

use std::collections::HashMap;

use futures::TryStreamExt;
use rapport_analytics::cohorts::CohortCell;
use rapport_analytics::purchases::{PurchaseSummary, PurchaseTally};
use sea_orm::DatabaseConnection;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use uuid::Uuid;

use super::{CustomerKey, CustomerType, LeftOut};
use crate::backend::epoch_day;
use crate::database::{Backend, Database};
use crate::error::Result;
use crate::row::column_error;
use crate::sqlite_reader::SqliteReader;

/// When an order was placed: its order date, else when it was recorded.
const PURCHASED_AT: &str = "COALESCE(ordered_at, created_at)";
/// The customer: the company when there is one, else the contact.
const CUSTOMER_ID: &str = "COALESCE(company_id, contact_id)";
/// What the customer paid in the end.
const AMOUNT: &str = "COALESCE(total_minor, 0) - COALESCE(refunded_minor, 0)";

/// Live orders that were not cancelled.
fn purchases() -> Condition {
    Condition::all()
        .add(Expr::col("deleted_at").is_null())
        .add(Condition::any().add(Expr::col("status").is_null()).add(Expr::col("status").ne("cancelled")))
}

/// Everything the refresh reads from the orders.
pub(super) struct Purchases {
    /// The customers in key order, each with its summary.
    pub keys: Vec<CustomerKey>,
    pub summaries: Vec<PurchaseSummary>,
    pub cells: Vec<CohortCell>,
    pub left_out: LeftOut,
}

/// The purchases as they are read, tallied.
#[derive(Default)]
struct Reading {
    tally: PurchaseTally<CustomerKey>,
    other_currencies: HashMap<String, u64>,
    without_customer: u64,
}

/// One row of [`query`].
struct PurchaseRow {
    customer_id: Option<Uuid>,
    is_company: bool,
    day: Option<i64>,
    amount: Option<i64>,
    /// `None` for the account's currency.
    other_currency: Option<String>,
}

impl Reading {
    fn add(&mut self, row: PurchaseRow) {
        if let Some(code) = row.other_currency {
            *self.other_currencies.entry(code).or_default() += 1;
            return;
        }
        let Some(customer_id) = row.customer_id else {
            self.without_customer += 1;
            return;
        };
        // Never NULL: `created_at` is required.
        let Some(day) = row.day else { return };
        let customer_type = if row.is_company { CustomerType::Company } else { CustomerType::Contact };
        let day = day.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        self.tally.add(CustomerKey { customer_type, customer_id }, day, row.amount.unwrap_or(0));
    }

    fn finish(self) -> Purchases {
        let tallied = self.tally.finish();
        let mut other_currencies: Vec<(String, u64)> = self.other_currencies.into_iter().collect();
        other_currencies.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Purchases {
            keys: tallied.keys,
            summaries: tallied.summaries,
            cells: tallied.cells,
            left_out: LeftOut {
                other_currency_orders: other_currencies.iter().map(|(_, n)| n).sum(),
                other_currencies,
                orders_without_customer: self.without_customer,
            },
        }
    }
}

/// Every purchase, in every currency, with or without a customer: the
/// customer, whether it is a company, the day, the amount, and the currency
/// when it is not `currency`.
fn query(backend: Backend, currency: &str) -> SelectStatement {
    Query::select()
        .expr_as(Expr::cust(CUSTOMER_ID), "customer_id")
        .expr_as(Expr::cust("CAST(CASE WHEN company_id IS NOT NULL THEN 1 ELSE 0 END AS BIGINT)"), "is_company")
        .expr_as(epoch_day(backend, PURCHASED_AT), "day")
        .expr_as(Expr::cust(AMOUNT), "amount")
        // NULL for the account's currency, which nearly every row has: no text to decode.
        .expr_as(
            Expr::case(Expr::col("currency").eq(currency), Expr::cust("NULL"))
                .finally(Expr::cust("COALESCE(currency, '')")),
            "other_currency",
        )
        .from("orders")
        .cond_where(purchases())
        .to_owned()
}

/// One read of the purchases, tallied in memory as the rows come: no
/// `GROUP BY` and its sort, no second scan for the cohorts or for what is
/// left out. On SQLite the rows are read on a connection of their own
/// (`SqliteReader::scan`), elsewhere streamed from the pool.
pub(super) async fn read(db: &Database, currency: &str) -> Result<Purchases> {
    match db.sqlite_reader() {
        Some(reader) => read_sqlite(reader, currency).await,
        None => read_through_pool(db.conn(), currency).await,
    }
}

async fn read_sqlite(reader: &SqliteReader, currency: &str) -> Result<Purchases> {
    let query = query(Backend::Sqlite, currency);
    let reading = reader.scan(&query, "read the purchases", Reading::default(), |reading, row| {
        use rusqlite::types::ValueRef;
        let value =
            |index: usize| row.get_ref(index).map_err(|e| column_error(format!("purchase column {index}: {e}")));
        let int = |index: usize| -> Result<Option<i64>> {
            match value(index)? {
                ValueRef::Integer(i) => Ok(Some(i)),
                ValueRef::Null => Ok(None),
                other => Err(column_error(format!("purchase column {index}: {other:?}"))),
            }
        };
        let customer_id = match value(0)? {
            ValueRef::Blob(bytes) => Some(Uuid::from_slice(bytes).map_err(|e| column_error(format!("customer: {e}")))?),
            _ => None,
        };
        let other_currency = match value(4)? {
            ValueRef::Text(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        };
        reading.add(PurchaseRow {
            customer_id,
            is_company: int(1)? == Some(1),
            day: int(2)?,
            amount: int(3)?,
            other_currency,
        });
        Ok(())
    });
    Ok(reading.await?.finish())
}

/// The same read streamed from the pool through sqlx (sea-orm 2 streams only
/// with a feature that adds a dependency): PostgreSQL's way, and on SQLite
/// the bench's comparison (`probe`).
pub(super) async fn read_through_pool(conn: &DatabaseConnection, currency: &str) -> Result<Purchases> {
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
    use sea_orm::sqlx::{self, Row};
    let context = "read the purchases";
    let storage =
        |e: sqlx::Error| crate::error::Error::Storage { context, source: sea_orm::DbErr::Custom(e.to_string()) };
    let backend = Backend::of(conn);
    let (sql, values) = match backend {
        Backend::Sqlite => query(backend, currency).build(SqliteQueryBuilder),
        Backend::Postgres => query(backend, currency).build(PostgresQueryBuilder),
    };
    // The query binds only text: the currency and the cancelled status.
    let texts = values
        .into_iter()
        .map(|value| match value {
            sea_orm::sea_query::Value::String(Some(text)) => Ok(text),
            other => Err(column_error(format!("the purchases query binds {other:?}"))),
        })
        .collect::<Result<Vec<String>>>()?;
    let mut reading = Reading::default();
    // The same loop for each engine's row type.
    macro_rules! stream {
        ($pool:expr) => {{
            // Built by sea-query; the values are bound, not spliced.
            let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for text in &texts {
                statement = statement.bind(text.as_str());
            }
            let mut rows = statement.fetch($pool);
            while let Some(row) = rows.try_next().await.map_err(storage)? {
                reading.add(PurchaseRow {
                    customer_id: row.try_get(0).map_err(storage)?,
                    is_company: row.try_get::<Option<i64>, _>(1).map_err(storage)? == Some(1),
                    day: row.try_get(2).map_err(storage)?,
                    amount: row.try_get(3).map_err(storage)?,
                    other_currency: row.try_get(4).map_err(storage)?,
                });
            }
        }};
    }
    match backend {
        Backend::Sqlite => stream!(conn.get_sqlite_connection_pool()),
        Backend::Postgres => stream!(conn.get_postgres_connection_pool()),
    }
    Ok(reading.finish())
}
