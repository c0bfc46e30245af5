//! Calendar arithmetic on timestamp and date columns, which the engines spell
//! differently: SQLite keeps timestamps as RFC 3339 text (UTC), PostgreSQL as
//! `timestamptz`. Epoch days and months come out as BIGINTs; report buckets
//! as the bucket's first day, `YYYY-MM-DD` text, in UTC.

use rapport_core::reports::DateBucket;
use rapport_core::schema::Storage;
use sea_orm::sea_query::{Expr, SimpleExpr};

use crate::database::Backend;

/// Days since 1970-01-01 (UTC) of a timestamp expression. `timestamp_sql`
/// must be trusted SQL (a column name or an expression over columns).
pub fn epoch_day(backend: Backend, timestamp_sql: &str) -> SimpleExpr {
    Expr::cust(match backend {
        // julianday of a date is its midnight, N.5; 1970-01-01 is 2440587.5.
        Backend::Sqlite => format!("CAST(julianday(substr({timestamp_sql}, 1, 10)) - 2440587.5 AS INTEGER)"),
        Backend::Postgres => {
            format!("CAST((CAST(({timestamp_sql}) AT TIME ZONE 'UTC' AS DATE) - DATE '1970-01-01') AS BIGINT)")
        }
    })
}

/// Months since 1970-01 (January 1970 is 0) of a timestamp expression, in UTC.
pub fn epoch_month(backend: Backend, timestamp_sql: &str) -> SimpleExpr {
    Expr::cust(match backend {
        Backend::Sqlite => format!(
            "((CAST(substr({timestamp_sql}, 1, 4) AS INTEGER) - 1970) * 12 + CAST(substr({timestamp_sql}, 6, 2) AS INTEGER) - 1)"
        ),
        Backend::Postgres => format!(
            "CAST((EXTRACT(YEAR FROM ({timestamp_sql}) AT TIME ZONE 'UTC') - 1970) * 12 \
             + EXTRACT(MONTH FROM ({timestamp_sql}) AT TIME ZONE 'UTC') - 1 AS BIGINT)"
        ),
    })
}

/// The first day of `bucket` holding `column` (a `Date` or a `Timestamp`),
/// as `YYYY-MM-DD` text; NULL stays NULL.
pub fn date_bucket(backend: Backend, column: SimpleExpr, storage: Storage, bucket: DateBucket) -> SimpleExpr {
    match backend {
        // Each `?` takes the next expression given.
        Backend::Sqlite => match bucket {
            DateBucket::Day => Expr::cust_with_expr("strftime('%Y-%m-%d', ?)", column),
            DateBucket::Week => Expr::cust_with_expr("date(?, 'weekday 0', '-6 days')", column),
            DateBucket::Month => Expr::cust_with_expr("strftime('%Y-%m-01', ?)", column),
            DateBucket::Quarter => Expr::cust_with_exprs(
                "printf('%s-%02d-01', strftime('%Y', ?), ((CAST(strftime('%m', ?) AS INTEGER) - 1) / 3) * 3 + 1)",
                [column.clone(), column],
            ),
            DateBucket::Year => Expr::cust_with_expr("strftime('%Y-01-01', ?)", column),
        },
        Backend::Postgres => {
            let unit = match bucket {
                DateBucket::Day => "day",
                DateBucket::Week => "week",
                DateBucket::Month => "month",
                DateBucket::Quarter => "quarter",
                DateBucket::Year => "year",
            };
            let source = if storage == Storage::Timestamp { "($1 AT TIME ZONE 'UTC')" } else { "($1)::timestamp" };
            Expr::cust_with_expr(format!("to_char(date_trunc('{unit}', {source}), 'YYYY-MM-DD')"), column)
        }
    }
}
