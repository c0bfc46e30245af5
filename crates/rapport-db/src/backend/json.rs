//! Reading inside JSON columns: custom fields and list fields.

use sea_orm::sea_query::{Expr, SimpleExpr};

use crate::database::Backend;

/// A custom field's value as text, from the record's JSON `custom` column.
/// `key` has been checked to be `[a-z][a-z0-9_]*`.
pub fn custom_field_text(backend: Backend, key: &str) -> SimpleExpr {
    debug_assert!(key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
    match backend {
        Backend::Sqlite => Expr::cust(format!("json_extract(custom, '$.{key}')")),
        Backend::Postgres => Expr::cust(format!("(custom ->> '{key}')")),
    }
}

/// A custom field's value as a number.
pub fn custom_field_number(backend: Backend, key: &str) -> SimpleExpr {
    match backend {
        Backend::Sqlite => Expr::cust(format!("json_extract(custom, '$.{key}')")),
        Backend::Postgres => Expr::cust(format!("(custom ->> '{key}')::double precision")),
    }
}

/// A custom field's value as a boolean.
pub fn custom_field_bool(backend: Backend, key: &str) -> SimpleExpr {
    match backend {
        Backend::Sqlite => Expr::cust(format!("json_extract(custom, '$.{key}')")),
        Backend::Postgres => Expr::cust(format!("(custom ->> '{key}')::boolean")),
    }
}

/// `column` (a JSON array of strings) has an element whose lower-cased text
/// is LIKE `pattern` (with `\` as escape).
///
/// sea-query binds custom SQL values at `?` for SQLite but at `$1`, `$2`…
/// for PostgreSQL, where a `?` is left as is.
pub fn json_array_any_like(backend: Backend, column: &str, pattern: String) -> SimpleExpr {
    match backend {
        Backend::Sqlite => Expr::cust_with_values(
            format!("EXISTS (SELECT 1 FROM json_each({column}) WHERE lower(json_each.value) LIKE ? ESCAPE '\\')"),
            [pattern],
        ),
        Backend::Postgres => Expr::cust_with_values(
            format!(
                "EXISTS (SELECT 1 FROM jsonb_array_elements_text({column}) AS e(v) WHERE lower(e.v) LIKE $1 ESCAPE '\\')"
            ),
            [pattern],
        ),
    }
}

/// `column` (a JSON array) is empty or null.
pub fn json_array_is_empty(backend: Backend, column: &str) -> SimpleExpr {
    match backend {
        Backend::Sqlite => Expr::cust(format!("({column} IS NULL OR json_array_length({column}) = 0)")),
        Backend::Postgres => Expr::cust(format!("({column} IS NULL OR jsonb_array_length({column}) = 0)")),
    }
}
