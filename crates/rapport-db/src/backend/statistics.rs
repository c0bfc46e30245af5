//! Planner statistics: SQLite gathers none by itself and keeps them in tables;
//! PostgreSQL's may be stale after a bulk load.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement};

use crate::database::{Backend, Database};
use crate::error::{Result, StorageContext};

/// Rebuilds the planner's statistics, after a bulk load: with them the
/// planner walks the index that serves a list's sort instead of sorting
/// every row that a barely selective filter (country = 'BR') lets through.
/// They must be exact: sampled SQLite statistics misjudge such filters.
pub async fn refresh_statistics(db: &Database) -> Result<()> {
    analyze(db, "ANALYZE").await
}

/// Re-gathers one table's statistics after it changed wholesale (an import):
/// the planner would otherwise keep planning for the table it knew, and a
/// table analysed empty that now holds a million rows gets sorted in memory
/// instead of read through an index. Runs as a write: SQLite stores the
/// statistics in a table, and other connections pick them up from there.
pub async fn refresh_table_statistics(db: &Database, table: &str) -> Result<()> {
    analyze(db, &format!("ANALYZE {table}")).await
}

/// Runs `analyze` (`ANALYZE …`, or `PRAGMA optimize` on SQLite). On SQLite it
/// runs as a write, without samples of the search index's own tables, and
/// makes every connection load the result.
///
/// FTS5 finds a word's segments through prepared statements that bind the
/// word. Once ANALYZE has sampled those tables (`sqlite_stat4`: SQLite is
/// built with STAT4), SQLite re-prepares such a statement whenever a value is
/// bound to it: every search parsed and planned FTS5's lookups again. Without
/// those samples a 1M-contact search load ran at 4,420–4,940 req/s instead of
/// 3,250–3,430. Their row counts (`sqlite_stat1`) stay, so that `PRAGMA
/// optimize` does not take the tables for never analysed.
async fn analyze(db: &Database, analyze: &str) -> Result<()> {
    const CONTEXT: &str = "refresh planner statistics";
    if db.backend() == Backend::Postgres {
        db.conn().execute_unprepared(analyze).await.context(CONTEXT)?;
        db.stats_cache().forget();
        return Ok(());
    }
    let tx = db.write().await?;
    tx.execute_unprepared(analyze).await.context(CONTEXT)?;
    if sqlite_table_exists(&*tx, "sqlite_stat4").await? {
        let forget = "DELETE FROM sqlite_stat4 WHERE tbl LIKE 'search\\_fts\\_%' ESCAPE '\\'";
        tx.execute_unprepared(forget).await.context(CONTEXT)?;
    }
    // Other connections load statistics with the schema, and reload it only
    // when the schema changes: change it.
    tx.execute_unprepared("CREATE TABLE statistics_reload (x)").await.context(CONTEXT)?;
    tx.execute_unprepared("DROP TABLE statistics_reload").await.context(CONTEXT)?;
    tx.commit().await?;
    db.stats_cache().forget();
    Ok(())
}

/// Routine upkeep of the statistics. SQLite gathers none by itself:
/// a database that never had any gets them; later, `PRAGMA optimize`
/// re-analyzes what changed. PostgreSQL's autovacuum would do it, but it can
/// be switched off: tables that changed by a tenth since their last analysis
/// (autovacuum's own default) are analysed here.
pub async fn maintain_statistics(db: &Database) -> Result<()> {
    if db.backend() == Backend::Postgres {
        return refresh_stale_statistics(db, None, 0.1).await;
    }
    let has_statistics = sqlite_table_exists(db.conn(), "sqlite_stat1").await?;
    analyze(db, if has_statistics { "PRAGMA optimize" } else { "ANALYZE" }).await
}

/// Whether SQLite has created `table` (its statistics tables come with the
/// first ANALYZE).
async fn sqlite_table_exists(conn: &impl ConnectionTrait, table: &str) -> Result<bool> {
    let query = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "SELECT 1 AS present FROM sqlite_master WHERE name = ?",
        [table.into()],
    );
    Ok(conn.query_one_raw(query).await.context("look for planner statistics")?.is_some())
}

/// Re-gathers the PostgreSQL statistics of the tables (all of them for
/// `None`) where more rows changed since the last analysis than `fraction`
/// of the rows it counted. Without statistics the planner takes a table for
/// nearly empty: an import's e-mail lookups then walk every key of the kind
/// instead of probing the index (0.75 s per 500 e-mails at 540,000 contacts,
/// and growing with the table). Autovacuum cannot be counted on: it may be
/// off, and it looks at most once a minute. A no-op on SQLite, whose
/// planner probes an index for `IN` lists even without statistics.
pub async fn refresh_stale_statistics(db: &Database, tables: Option<&[&str]>, fraction: f64) -> Result<()> {
    if db.backend() != Backend::Postgres {
        return Ok(());
    }
    let mut stale = Query::select();
    stale.expr_as(Expr::cust("relname::text"), "name").from("pg_stat_user_tables").and_where(Expr::cust(format!(
        "n_mod_since_analyze > 50 + {fraction} * greatest(n_live_tup - n_mod_since_analyze, 0)"
    )));
    if let Some(tables) = tables {
        stale.and_where(Expr::col("relname").is_in(tables.iter().copied()));
    }
    let rows = db.conn().query_all(&stale).await.context("find tables with stale statistics")?;
    for row in &rows {
        let table: String = row.try_get("", "name").context("read a table name")?;
        let sql = format!("ANALYZE \"{}\"", table.replace('"', "\"\""));
        db.conn().execute_unprepared(&sql).await.context("refresh planner statistics")?;
    }
    if !rows.is_empty() {
        db.stats_cache().forget();
    }
    Ok(())
}

/// For the rest of the transaction, plans each statement for its values and
/// the tables' current size (PostgreSQL). An import grows its tables by
/// thousands of rows a batch; a statement planned once while they were
/// nearly empty keeps scanning them whole (at 1M contacts, each batch's
/// e-mail lookups took seconds by the 200,000th row).
pub async fn plan_for_current_sizes(tx: &DatabaseTransaction) -> Result<()> {
    if Backend::of(tx) == Backend::Postgres {
        tx.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await
            .context("plan for the current table sizes")?;
    }
    Ok(())
}

/// Whether list queries should hide an index from the planner when walking
/// the sort order finds a page sooner (see `planner`): SQLite's planner does
/// not weigh a LIMIT, PostgreSQL's does.
pub fn planner_needs_sort_hints(backend: Backend) -> bool {
    backend == Backend::Sqlite
}

/// SQLite's index statistics as (index, stat) rows of `sqlite_stat1`, empty
/// before any ANALYZE; `None` on PostgreSQL, which needs no hints.
pub(crate) async fn sqlite_index_statistics(db: &Database) -> Result<Option<Vec<(String, String)>>> {
    if !planner_needs_sort_hints(db.backend()) {
        return Ok(None);
    }
    const CONTEXT: &str = "read planner statistics";
    if !sqlite_table_exists(db.conn(), "sqlite_stat1").await? {
        return Ok(Some(Vec::new()));
    }
    let sql = "SELECT idx, stat FROM sqlite_stat1 WHERE idx IS NOT NULL";
    let rows = db.conn().query_all_raw(Statement::from_string(DbBackend::Sqlite, sql)).await.context(CONTEXT)?;
    rows.iter()
        .map(|r| {
            Ok((r.try_get::<String>("", "idx").context(CONTEXT)?, r.try_get::<String>("", "stat").context(CONTEXT)?))
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}
