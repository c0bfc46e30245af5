//! Every place where SQLite and PostgreSQL truly differ, named and together.
//! Everything else is written once with sea-query.

use rapport_core::text::is_word_char;
use sea_orm::sea_query::{Cond, Expr, ExprTrait, InsertStatement, LikeExpr, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, ExecResult, Statement};

use crate::database::{Backend, Database, WRITER_CACHE_KIB};
use crate::error::{Result, StorageContext};

/// Serialises migrations across replicas starting at once.
pub async fn lock_migrations(tx: &DatabaseTransaction, backend: Backend) -> Result<()> {
    match backend {
        // The in-process writer lock plus SQLite's file lock already serialise writers.
        Backend::Sqlite => Ok(()),
        Backend::Postgres => tx
            .execute_unprepared("SELECT pg_advisory_xact_lock(7274277)")
            .await
            .map(|_| ())
            .context("take the migration lock"),
    }
}

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
pub async fn plan_for_current_sizes(tx: &DatabaseTransaction, backend: Backend) -> Result<()> {
    if backend == Backend::Postgres {
        tx.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await
            .context("plan for the current table sizes")?;
    }
    Ok(())
}

/// Column names of a table.
pub async fn table_columns(tx: &DatabaseTransaction, backend: Backend, table: &str) -> Result<Vec<String>> {
    let (sql, column) = match backend {
        Backend::Sqlite => ("SELECT name FROM pragma_table_info(?)", "name"),
        Backend::Postgres => (
            "SELECT column_name::text AS column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
            "column_name",
        ),
    };
    let rows = tx
        .query_all_raw(Statement::from_sql_and_values(tx.get_database_backend(), sql, [table.into()]))
        .await
        .context("list a table's columns")?;
    rows.iter().map(|r| r.try_get::<String>("", column).context("read a column name")).collect()
}

/// Whether NULL sorts before every value in ascending order (SQLite) or after
/// every value (PostgreSQL). Keyset pagination follows each engine's native
/// order so that indexes serve the sort.
pub fn nulls_sort_first(backend: Backend) -> bool {
    backend == Backend::Sqlite
}

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

/// Full-text search tables. SQLite: an FTS5 index with prefix indexes over
/// `search_rows`, written with them ([`index_search_rows`]). PostgreSQL: a
/// generated tsvector with GIN, plus a trigram index on titles for substring
/// matches.
pub fn search_schema(db: &Database) -> Vec<String> {
    match db.backend() {
        Backend::Sqlite => {
            let mut statements = vec![
                "CREATE TABLE search_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, record_type TEXT NOT NULL, \
                 record_id BLOB NOT NULL UNIQUE, owner_id BLOB, team_id BLOB, label TEXT NOT NULL, \
                 title TEXT NOT NULL, body TEXT NOT NULL)"
                    .into(),
            ];
            statements.extend(sqlite_search_index(""));
            statements
        }
        Backend::Postgres => vec![
            "CREATE EXTENSION IF NOT EXISTS pg_trgm".into(),
            "CREATE TABLE search_rows (id BIGSERIAL PRIMARY KEY, record_type TEXT NOT NULL, \
             record_id UUID NOT NULL UNIQUE, owner_id UUID, team_id UUID, label TEXT NOT NULL, \
             title TEXT NOT NULL, body TEXT NOT NULL, \
             tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || body)) STORED)"
                .into(),
            "CREATE INDEX search_rows_tsv ON search_rows USING GIN (tsv)".into(),
            "CREATE INDEX search_rows_title_trgm ON search_rows USING GIN (title gin_trgm_ops)".into(),
        ],
    }
}

/// SQLite's FTS5 index over `search_rows` (with extra `options`) and the
/// triggers that kept it in step until [`search_index_written_per_statement`].
fn sqlite_search_index(options: &str) -> [String; 3] {
    [
        format!(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_rows', content_rowid='id', \
             tokenize='unicode61 remove_diacritics 2', prefix='2 3'{options})"
        ),
        "CREATE TRIGGER search_rows_ai AFTER INSERT ON search_rows BEGIN \
         INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
            .into(),
        "CREATE TRIGGER search_rows_ad AFTER DELETE ON search_rows BEGIN \
         INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END"
            .into(),
    ]
}

/// SQLite: the search index keeps which column a word is in but not where
/// (searches match words, never phrases), and merges its segments eight at
/// a time instead of four. Merging segments was most of a large import's
/// time: importing 1M contacts took 144 s before, 100 s after (BENCHMARKS.md).
pub fn search_index_without_positions(db: &Database) -> Vec<String> {
    match db.backend() {
        Backend::Sqlite => {
            let mut statements: Vec<String> =
                ["DROP TRIGGER search_rows_ai", "DROP TRIGGER search_rows_ad", "DROP TABLE search_fts"]
                    .map(String::from)
                    .into();
            statements.extend(sqlite_search_index(", detail=column"));
            statements.push("INSERT INTO search_fts(search_fts) VALUES ('rebuild')".into());
            statements.push("INSERT INTO search_fts(search_fts, rank) VALUES ('automerge', 8)".into());
            statements
        }
        Backend::Postgres => Vec::new(),
    }
}

/// SQLite: the search index is written by the statement that writes search
/// rows ([`index_search_rows`]) instead of by a trigger, and holds up to 64
/// MiB of new words in memory before it writes them out. FTS5 writes its
/// pending words as a new segment at every statement that opens a savepoint,
/// as a trigger's does, and whenever they pass 1 MiB: an import made a
/// segment per thousand rows, and merging them back was a sixth of its time.
/// Now a write of 10,000 rows makes one segment.
pub fn search_index_written_per_statement(db: &Database) -> Vec<String> {
    match db.backend() {
        Backend::Sqlite => vec![
            "DROP TRIGGER search_rows_ai".into(),
            "INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', 67108864)".into(),
        ],
        Backend::Postgres => Vec::new(),
    }
}

/// PostgreSQL: the words of each search row's title, with the row's id, in a
/// B-tree. A GIN index cannot return its matches newest first: a search either
/// read every match of a common name from the heap and sorted them, or walked
/// the rows backwards testing each one (19,500 rows for "smith" at 1M
/// contacts, 6 ms). A word's entries here come in id order, so the newest
/// matches are the last entries of one index range. Kept in step by
/// statement triggers, which see all of a bulk insert's rows at once. SQLite's
/// FTS5 index already reads a word's rows in id order.
pub fn search_title_terms(db: &Database) -> Vec<String> {
    match db.backend() {
        Backend::Sqlite => Vec::new(),
        Backend::Postgres => vec![
            "CREATE TABLE search_title_terms (term TEXT NOT NULL, row_id BIGINT NOT NULL, \
             PRIMARY KEY (term, row_id))"
                .into(),
            "CREATE FUNCTION search_title_terms_add() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             INSERT INTO search_title_terms (term, row_id) \
             SELECT t.lexeme, n.id FROM new_rows n, unnest(to_tsvector('simple', n.title)) t; \
             RETURN NULL; END $$"
                .into(),
            "CREATE FUNCTION search_title_terms_remove() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             DELETE FROM search_title_terms s USING old_rows o, unnest(to_tsvector('simple', o.title)) t \
             WHERE s.term = t.lexeme AND s.row_id = o.id; \
             RETURN NULL; END $$"
                .into(),
            "CREATE TRIGGER search_rows_title_terms_ai AFTER INSERT ON search_rows \
             REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_title_terms_add()"
                .into(),
            "CREATE TRIGGER search_rows_title_terms_ad AFTER DELETE ON search_rows \
             REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_title_terms_remove()"
                .into(),
            "INSERT INTO search_title_terms (term, row_id) \
             SELECT t.lexeme, s.id FROM search_rows s, unnest(to_tsvector('simple', s.title)) t"
                .into(),
        ],
    }
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

/// The highest id of `search_rows`, before new rows are written; see
/// [`index_search_rows`]. PostgreSQL indexes rows as they are written.
pub async fn last_search_row(conn: &impl ConnectionTrait) -> Result<Option<i64>> {
    if conn.get_database_backend() != DbBackend::Sqlite {
        return Ok(None);
    }
    let row = conn
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT coalesce(max(id), 0) AS id FROM search_rows"))
        .await
        .context("find the last search row")?;
    Ok(Some(row.map(|r| r.try_get::<i64>("", "id")).transpose().context("read the last search row")?.unwrap_or(0)))
}

/// Adds the search rows written after `last` (from [`last_search_row`]) to
/// SQLite's full-text index in one statement, so in one segment.
pub async fn index_search_rows(conn: &impl ConnectionTrait, last: Option<i64>) -> Result<()> {
    let Some(last) = last else { return Ok(()) };
    let insert = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "INSERT INTO search_fts(rowid, title, body) SELECT id, title, body FROM search_rows WHERE id > ?",
        [last.into()],
    );
    conn.execute_raw(insert).await.context("index search rows")?;
    Ok(())
}

/// How the words of a search must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordMatch {
    /// Every word whole, in a record's title (its name): cheap however
    /// common the word, and the best-ranked hits.
    WholeInTitle,
    /// Every word as a prefix, anywhere; on PostgreSQL also the words as a
    /// substring of the title.
    Prefix,
}

/// Restricts `select` to search rows matching every folded word, newest
/// first, read in id order from an index so that the query stops after the
/// candidate window, however many rows match: SQLite's FTS5 index, and on
/// PostgreSQL the title words of [`search_title_terms`]. PostgreSQL's prefix
/// matches test the tsvector, or a name substring, row by row from the newest.
/// Columns of `search_rows` must be qualified.
pub fn search_match(select: &mut SelectStatement, backend: Backend, words: &[String], mode: WordMatch) {
    match backend {
        Backend::Sqlite => {
            // Each quoted string must be one index term: the index keeps no
            // positions to match a phrase with.
            let terms: Vec<&str> =
                words.iter().flat_map(|w| w.split(|c: char| !is_word_char(c))).filter(|t| !t.is_empty()).collect();
            if terms.is_empty() {
                select.from("search_rows").and_where(Expr::cust("1 = 0"));
                return;
            }
            let phrases = terms.iter().map(|t| format!("\"{t}\""));
            let query = match mode {
                WordMatch::WholeInTitle => format!("title : ({})", phrases.collect::<Vec<_>>().join(" ")),
                WordMatch::Prefix => phrases.map(|p| format!("{p}*")).collect::<Vec<_>>().join(" "),
            };
            select
                .from("search_fts")
                .inner_join("search_rows", Expr::col(("search_rows", "id")).equals(("search_fts", "rowid")))
                .and_where(Expr::cust_with_values("search_fts MATCH ?", [query]))
                .order_by(("search_fts", "rowid"), Order::Desc);
        }
        Backend::Postgres => {
            let mut lexemes: Vec<String> = words
                .iter()
                .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
                .filter(|w| !w.is_empty())
                .collect();
            match mode {
                WordMatch::WholeInTitle => {
                    // The longest word, likely the rarest, drives the query;
                    // the others' entries are matched against its own.
                    lexemes.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
                    let Some((first, others)) = lexemes.split_first() else {
                        select.from("search_rows").and_where(Expr::cust("1 = 0"));
                        return;
                    };
                    // `+ 0` leaves the planner one way to join: a primary key
                    // lookup per entry. A merge join would walk every search
                    // row newer than the last match, as the planner cannot
                    // tell that those of other types are newest.
                    let row = Expr::col(("t0", "row_id")).add(0);
                    select
                        .from_as("search_title_terms", "t0")
                        .inner_join("search_rows", Expr::col(("search_rows", "id")).eq(row))
                        .and_where(Expr::col(("t0", "term")).eq(first.as_str()));
                    for other in others {
                        let term = Query::select()
                            .expr(Expr::val(1))
                            .from_as("search_title_terms", "t")
                            .and_where(Expr::col(("t", "term")).eq(other.as_str()))
                            .and_where(Expr::col(("t", "row_id")).equals(("t0", "row_id")))
                            .to_owned();
                        select.and_where(Expr::exists(term));
                    }
                    select.order_by(("t0", "row_id"), Order::Desc);
                }
                WordMatch::Prefix => {
                    let query = lexemes.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ");
                    let pattern = format!("%{}%", rapport_core::text::escape_like(&words.join(" ")));
                    let any = Cond::any()
                        .add(Expr::cust_with_values("search_rows.tsv @@ to_tsquery('simple', $1)", [query]))
                        .add(Expr::col(("search_rows", "title")).like(LikeExpr::new(pattern).escape('\\')));
                    select.from("search_rows").cond_where(any).order_by(("search_rows", "id"), Order::Desc);
                }
            }
        }
    }
}

/// Claims up to `limit` due jobs with a lease; concurrent workers never get
/// the same job (PostgreSQL: `SKIP LOCKED`; SQLite: one writer at a time).
pub fn claim_jobs_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "UPDATE jobs SET leased_until = ?, attempts = attempts + 1 WHERE id IN (\
             SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ? AND (leased_until IS NULL OR leased_until < ?) \
             ORDER BY run_at LIMIT ?) RETURNING id, kind, payload, attempts, max_attempts"
        }
        Backend::Postgres => {
            "UPDATE jobs SET leased_until = $1, attempts = attempts + 1 WHERE id IN (\
             SELECT id FROM jobs WHERE status = 'pending' AND run_at <= $2 AND (leased_until IS NULL OR leased_until < $3) \
             ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING id, kind, payload, attempts, max_attempts"
        }
    }
}
