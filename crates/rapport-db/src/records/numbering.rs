//! Numbers from per-year sequences (`Q-2026-0001`), taken in the creating
//! transaction: the sequence row stays locked until the transaction ends, so
//! concurrent creates wait for each other's number, and a rolled-back create
//! gives its number back. No gaps, no duplicates.

use chrono::Datelike;
use rapport_core::descriptor::Numbering;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use serde_json::Value;

use super::Record;
use crate::error::{Result, StorageContext};

/// Gives each new record whose kind is numbered the next number of its
/// sequence for the year it is created in, unless it has one (a revision
/// keeps its quote's number).
pub(crate) async fn assign(conn: &impl ConnectionTrait, records: &mut [Record]) -> Result<()> {
    for record in records {
        let Some(numbering) = record.record_type.rules().numbering() else { continue };
        if record.fields.get(numbering.field).and_then(Value::as_str).is_some_and(|s| !s.is_empty()) {
            continue;
        }
        let year = record.created_at.year();
        let number = next(conn, numbering, year).await?;
        record.fields.insert(numbering.field.into(), Value::String(numbering.format(year, number)));
    }
    Ok(())
}

/// The sequence's next value for `year`, counted from 1. One statement on
/// both backends: the first of a year inserts the row, later ones update it
/// (and wait on its lock while another transaction holds it).
pub async fn next(conn: &impl ConnectionTrait, numbering: Numbering, year: i32) -> Result<i64> {
    let upsert = Query::insert()
        .into_table("sequences")
        .columns(["name", "year", "last_value"])
        .values_panic([numbering.sequence.into(), i64::from(year).into(), 1i64.into()])
        .on_conflict(
            OnConflict::columns(["name", "year"])
                .value("last_value", Expr::col((Alias::new("sequences"), Alias::new("last_value"))).add(1))
                .to_owned(),
        )
        .returning_col("last_value")
        .to_owned();
    let row = conn.query_one(&upsert).await.context("take a number")?;
    let row = row.ok_or_else(|| crate::Error::Storage {
        context: "take a number",
        source: sea_orm::DbErr::RecordNotFound("the sequence returned no row".into()),
    })?;
    row.try_get::<i64>("", "last_value").context("read a number")
}
