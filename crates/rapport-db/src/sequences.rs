//! Gapless numbers per key and year (`O-2026-0001`): the next number is
//! taken by an upsert in the caller's transaction, so that the row stays
//! locked until it commits (PostgreSQL) or the single writer holds it
//! (SQLite), and a rolled-back write gives its number back.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};

use crate::error::{Result, StorageContext};

/// The next number of `key` in `year`, starting at 1.
pub async fn next(conn: &impl ConnectionTrait, key: &str, year: i32) -> Result<i64> {
    let insert = Query::insert()
        .into_table("number_sequences")
        .columns(["key", "year", "last"])
        .values_panic([key.into(), year.into(), 1i64.into()])
        .on_conflict(
            OnConflict::columns(["key", "year"])
                .value("last", Expr::col(("number_sequences", "last")).add(1))
                .to_owned(),
        )
        .returning_col("last")
        .to_owned();
    let row = conn.query_one(&insert).await.context("take the next number")?;
    let row = row.ok_or_else(|| crate::Error::Storage {
        context: "take the next number",
        source: sea_orm::DbErr::RecordNotFound("number_sequences".into()),
    })?;
    row.try_get("", "last").context("read the next number")
}
