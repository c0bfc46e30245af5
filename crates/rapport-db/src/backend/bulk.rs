//! Bulk writes: SQLite's settings for a load and its cheaper conflict clause.

use sea_orm::sea_query::InsertStatement;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, Statement};

use super::WRITER_CACHE_KIB;
use crate::database::{Backend, Database};
use crate::error::{Result, StorageContext};

/// Sets the SQLite writer up for a bulk load, or back (`bulk = false`). A
/// load's rows land all over the random-order indexes (e-mails, names), so
/// each 10,000-row batch changes most of their pages: a larger cache keeps
/// them in memory between batches, and checkpoints every 64 MiB of WAL
/// instead of 4 MiB copy a page that many batches changed back into the
/// database once rather than once per batch. A no-op on PostgreSQL.
pub async fn bulk_load_settings(db: &Database, bulk: bool) -> Result<()> {
    if db.backend() != Backend::Sqlite {
        return Ok(());
    }
    // 1000 pages (4 MiB) is SQLite's own interval, which the writer keeps.
    let (cache_kib, checkpoint_pages) = if bulk { (256 * 1024, 16_384) } else { (WRITER_CACHE_KIB, 1000) };
    let tx = db.write().await?;
    tx.execute_unprepared(&format!("PRAGMA cache_size = -{cache_kib}")).await.context("size the writer's cache")?;
    tx.execute_unprepared(&format!("PRAGMA wal_autocheckpoint = {checkpoint_pages}"))
        .await
        .context("set the checkpoint interval")?;
    tx.commit().await
}

/// Runs a multi-row INSERT of a write whose every error rolls back the whole
/// transaction (records, their side tables, the audit log).
pub async fn execute_insert(
    conn: &impl ConnectionTrait,
    insert: &InsertStatement,
) -> std::result::Result<ExecResult, DbErr> {
    conn.execute_raw(bulk_insert(conn.get_database_backend(), insert)).await
}

/// Renders a multi-row INSERT for [`execute_insert`]'s kind of write.
///
/// SQLite's default conflict action, ABORT, undoes the failing statement
/// alone; to be able to, it first copies every page the statement changes
/// into a statement journal. A bulk insert spreads over the random-order
/// indexes (e-mails, phones, companies); leaving that copy out took 18 % off
/// a 1M-contact import. FAIL stops at the error without undoing the statement's
/// earlier rows, needs no journal, and the caller's rollback undoes them.
/// PostgreSQL keeps no such copy and has no such clause.
pub fn bulk_insert(backend: DbBackend, insert: &InsertStatement) -> Statement {
    let mut statement = backend.build(insert);
    if backend == DbBackend::Sqlite
        && let Some(rest) = statement.sql.strip_prefix("INSERT INTO ")
    {
        statement.sql = format!("INSERT OR FAIL INTO {rest}");
    }
    statement
}

/// Whether an import may keep its transaction open across batches. On SQLite
/// a commit copies every changed page to the WAL, and an import's batches
/// change the same index pages again (about +10 % at 1M rows, BENCHMARKS.md);
/// PostgreSQL gains nothing and commits each batch.
pub fn import_spans_batches(backend: Backend) -> bool {
    backend == Backend::Sqlite
}
