//! The derived rows of records stored as they were (`rapport import --all`):
//! matching keys, record links and search rows, rebuilt from the records.

use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait};
use uuid::Uuid;

use super::{keys, repo};
use crate::error::{Result, StorageContext};

/// Writes the matching keys, links and search rows of the live records among
/// `ids` (trashed records have none, as after a delete).
pub(crate) async fn index_restored(conn: &impl ConnectionTrait, record_type: RecordType, ids: &[Uuid]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut query = repo::select(record_type);
    query.and_where(Expr::col("id").is_in(ids.iter().copied())).and_where(Expr::col("deleted_at").is_null());
    let rows = conn.query_all(&query).await.context("load restored records")?;
    let records = rows.iter().map(|row| repo::from_row(record_type, row)).collect::<Result<Vec<_>>>()?;
    let last_search_row = crate::backend::last_search_row(conn).await?;
    let backend = conn.get_database_backend();
    for (writes, insert) in keys::inserts(&records) {
        conn.execute_raw(crate::backend::bulk_insert(backend, &insert)).await.context(writes)?;
    }
    crate::backend::index_search_rows(conn, last_search_row).await
}
