//! Calendar arithmetic on timestamp columns, which the engines spell
//! differently: SQLite keeps timestamps as RFC 3339 text (UTC), PostgreSQL as
//! `timestamptz`. Both functions give BIGINTs, so one reader serves both.

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
