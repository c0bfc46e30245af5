//! Every place where SQLite and PostgreSQL truly differ, named and together,
//! split by concern. Everything else is written once with sea-query.
//!
//! One signature convention: a function that only builds SQL takes the
//! `Backend` first; one that runs statements takes what it runs them on
//! (a connection, a transaction or the `Database`) first, and learns the
//! backend from it.

mod bulk;
mod connection;
mod dates;
mod jobs;
mod json;
mod reads;
mod schema;
mod search;
mod statistics;

pub use bulk::{bulk_insert, bulk_load_settings, execute_insert, import_spans_batches};
pub use connection::WriteTx;
pub(crate) use connection::{
    Connections, WRITER_CACHE_KIB, Writer, open, open_read_replica, opened_by_another_process,
};
pub use dates::{date_bucket, epoch_day, epoch_month};
pub use jobs::claim_jobs_sql;
pub use json::{custom_field_bool, custom_field_number, custom_field_text, json_array_any_like, json_array_is_empty};
pub(crate) use reads::{RowDecoder, fetch_point};
pub use schema::{lock_migrations, serialize_logins, table_columns};
pub use search::{
    WordMatch, index_search_rows, last_search_row, search_index_without_positions, search_index_written_per_statement,
    search_match, search_schema, search_title_terms,
};
pub(crate) use statistics::sqlite_index_statistics;
pub use statistics::{
    maintain_statistics, plan_for_current_sizes, planner_needs_sort_hints, refresh_stale_statistics,
    refresh_statistics, refresh_table_statistics,
};

use sea_orm::{ConnectionTrait, DbBackend};

use crate::database::Backend;

impl Backend {
    /// The engine a connection or transaction talks to.
    pub fn of(conn: &impl ConnectionTrait) -> Self {
        match conn.get_database_backend() {
            DbBackend::Postgres => Self::Postgres,
            _ => Self::Sqlite,
        }
    }
}

/// Whether NULL sorts before every value in ascending order (SQLite) or after
/// every value (PostgreSQL). Keyset pagination follows each engine's native
/// order so that indexes serve the sort.
pub fn nulls_sort_first(backend: Backend) -> bool {
    backend == Backend::Sqlite
}
