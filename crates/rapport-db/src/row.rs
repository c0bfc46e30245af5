//! Conversions between JSON field values and database values, by storage kind.

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::schema::{FieldSpec, Storage};
use sea_orm::QueryResult;
use sea_orm::sea_query::Value as DbValue;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Result, StorageContext};

/// A JSON value (already validated for its field) as a bound parameter.
pub fn to_db(storage: Storage, value: &Value) -> DbValue {
    let text = value.as_str();
    match storage {
        Storage::Text => DbValue::String(text.map(str::to_owned)),
        Storage::BigInt => DbValue::BigInt(value.as_i64()),
        Storage::Bool => DbValue::Bool(value.as_bool()),
        Storage::Date => DbValue::ChronoDate(text.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())),
        Storage::Timestamp => DbValue::ChronoDateTimeUtc(text.and_then(parse_timestamp)),
        Storage::Uuid => DbValue::Uuid(text.and_then(|s| Uuid::parse_str(s).ok())),
        Storage::Json => DbValue::Json(if value.is_null() { None } else { Some(Box::new(value.clone())) }),
        // Compared and sorted on its amount (`{field}_minor`).
        Storage::Money => DbValue::BigInt(value.get("amount_minor").unwrap_or(value).as_i64()),
    }
}

/// The columns a field is stored in: its own, or for money the amount in
/// minor units (`{field}_minor`, which filters, sorts and indexes use) and the
/// currency (`{field}_currency`).
pub fn field_columns(spec: &FieldSpec) -> Vec<(String, Storage)> {
    match spec.kind.storage() {
        Storage::Money => {
            vec![(money_amount_column(spec.name), Storage::BigInt), (money_currency_column(spec.name), Storage::Text)]
        }
        storage => vec![(spec.name.to_owned(), storage)],
    }
}

/// The column a filter or sort on a field reads.
pub fn sort_column(name: &str, storage: Storage) -> String {
    if storage == Storage::Money { money_amount_column(name) } else { name.to_owned() }
}

fn money_amount_column(name: &str) -> String {
    format!("{name}_minor")
}

fn money_currency_column(name: &str) -> String {
    format!("{name}_currency")
}

/// A field's value (already validated) as the values of its columns.
pub fn field_to_db(spec: &FieldSpec, value: &Value) -> Vec<(String, DbValue)> {
    match spec.kind.storage() {
        Storage::Money => {
            let currency = value.get("currency").and_then(Value::as_str).map(str::to_owned);
            vec![
                (money_amount_column(spec.name), to_db(Storage::Money, value)),
                (money_currency_column(spec.name), DbValue::String(currency)),
            ]
        }
        storage => vec![(spec.name.to_owned(), to_db(storage, value))],
    }
}

/// A field's value from its columns.
pub fn read_field(row: &impl ColumnRead, spec: &FieldSpec) -> Result<Value> {
    match spec.kind.storage() {
        Storage::Money => {
            let amount = row.big_int(&money_amount_column(spec.name))?;
            let currency = row.text(&money_currency_column(spec.name))?;
            Ok(match (amount, currency) {
                (Some(amount), Some(currency)) => serde_json::json!({"amount_minor": amount, "currency": currency}),
                _ => Value::Null,
            })
        }
        storage => read(row, spec.name, storage),
    }
}

pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.with_timezone(&Utc))
}

/// Timestamps are kept to the microsecond on both engines.
pub fn timestamp_json(at: DateTime<Utc>) -> Value {
    Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

/// A result row of either driver, read by column name: sea-orm's rows, and
/// rusqlite's for point reads on SQLite (`sqlite_reader`).
pub trait ColumnRead {
    fn text(&self, column: &str) -> Result<Option<String>>;
    fn big_int(&self, column: &str) -> Result<Option<i64>>;
    fn boolean(&self, column: &str) -> Result<Option<bool>>;
    fn date(&self, column: &str) -> Result<Option<NaiveDate>>;
    fn timestamp(&self, column: &str) -> Result<Option<DateTime<Utc>>>;
    fn uuid(&self, column: &str) -> Result<Option<Uuid>>;
    fn json(&self, column: &str) -> Result<Option<Value>>;

    /// A column that may not be NULL.
    fn required<T>(&self, column: &str, read: fn(&Self, &str) -> Result<Option<T>>) -> Result<T> {
        read(self, column)?.ok_or_else(|| column_error(format!("column {column} is NULL")))
    }
}

impl ColumnRead for QueryResult {
    fn text(&self, column: &str) -> Result<Option<String>> {
        self.try_get("", column).context(COLUMN_CONTEXT)
    }
    fn big_int(&self, column: &str) -> Result<Option<i64>> {
        self.try_get("", column).context(COLUMN_CONTEXT)
    }
    fn boolean(&self, column: &str) -> Result<Option<bool>> {
        self.try_get("", column).context(COLUMN_CONTEXT)
    }
    fn date(&self, column: &str) -> Result<Option<NaiveDate>> {
        self.try_get("", column).context(COLUMN_CONTEXT)
    }
    fn timestamp(&self, column: &str) -> Result<Option<DateTime<Utc>>> {
        self.try_get("", column).context(COLUMN_CONTEXT)
    }
    fn uuid(&self, column: &str) -> Result<Option<Uuid>> {
        self.try_get("", column).context(COLUMN_CONTEXT)
    }
    fn json(&self, column: &str) -> Result<Option<Value>> {
        self.try_get("", column).context(COLUMN_CONTEXT)
    }
}

pub(crate) const COLUMN_CONTEXT: &str = "read a column";

/// A column that does not hold what its reader expects.
pub(crate) fn column_error(message: String) -> crate::Error {
    crate::Error::Storage { context: COLUMN_CONTEXT, source: sea_orm::DbErr::Type(message) }
}

/// Reads one column as JSON, by storage kind.
pub fn read(row: &impl ColumnRead, column: &str, storage: Storage) -> Result<Value> {
    Ok(match storage {
        Storage::Text => row.text(column)?.map_or(Value::Null, Value::String),
        Storage::BigInt => row.big_int(column)?.map_or(Value::Null, Value::from),
        Storage::Bool => row.boolean(column)?.map_or(Value::Null, Value::Bool),
        Storage::Date => row.date(column)?.map_or(Value::Null, |d| Value::String(d.format("%Y-%m-%d").to_string())),
        Storage::Timestamp => row.timestamp(column)?.map_or(Value::Null, timestamp_json),
        Storage::Uuid => row.uuid(column)?.map_or(Value::Null, |u| Value::String(u.to_string())),
        Storage::Json => row.json(column)?.unwrap_or(Value::Null),
        Storage::Money => row.big_int(column)?.map_or(Value::Null, Value::from),
    })
}

/// `Utc::now()` cut to microseconds, so values read back compare equal.
pub fn now_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// Rows per multi-row INSERT: at most 1024 and within SQLite's limit of
/// bound parameters (32766; PostgreSQL allows 65535), a power of two.
fn rows_per_statement(columns: usize) -> usize {
    let fit = (30_000 / columns.max(1)).clamp(1, 1024);
    1 << fit.ilog2()
}

/// How many rows each INSERT of `len` rows takes: full statements, then the
/// rest in falling powers of two. Statement texts thus repeat from batch to
/// batch and the prepared statement cache serves them; a new row count for
/// every batch would parse a new statement each time, and fill the cache with
/// statements of thousands of parameters.
pub fn statement_sizes(len: usize, columns: usize) -> Vec<usize> {
    let full = rows_per_statement(columns);
    let mut sizes = vec![full; len / full];
    let mut rest = len % full;
    while rest > 0 {
        let size = 1 << rest.ilog2();
        sizes.push(size);
        rest -= size;
    }
    sizes
}

/// `items` cut as [`statement_sizes`] says.
pub fn statement_chunks<T>(items: &[T], columns: usize) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    statement_sizes(items.len(), columns).into_iter().map(move |size| {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        chunk
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_sizes_repeat_and_cover_every_row() {
        assert_eq!(statement_sizes(0, 7), Vec::<usize>::new());
        assert_eq!(statement_sizes(600, 7), [512, 64, 16, 8]);
        // 35 columns: 857 rows would fit, 512 do.
        assert_eq!(rows_per_statement(35), 512);
        assert_eq!(rows_per_statement(4), 1024);
        for len in [1, 5, 255, 256, 257, 10_000] {
            assert_eq!(statement_sizes(len, 35).iter().sum::<usize>(), len);
        }
        let items: Vec<usize> = (0..300).collect();
        let chunks: Vec<&[usize]> = statement_chunks(&items, 4).collect();
        assert_eq!(chunks.iter().map(|c| c.len()).collect::<Vec<_>>(), [256, 32, 8, 4]);
        let chunks: Vec<&[usize]> = statement_chunks(&items, 200).collect();
        assert_eq!(chunks.iter().map(|c| c.len()).collect::<Vec<_>>(), [128, 128, 32, 8, 4]);
        assert_eq!(chunks.concat(), items);
    }
}
