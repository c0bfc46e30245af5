//! Calendar buckets of dates and times, the one place reports differ per
//! engine: SQLite's `strftime`/`date` against PostgreSQL's `date_trunc` and
//! `to_char`. Both give the bucket's first day as `YYYY-MM-DD` text, in UTC.

use rapport_core::reports::DateBucket;
use rapport_core::schema::Storage;
use sea_orm::sea_query::{Expr, SimpleExpr};

use crate::database::Backend;

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
