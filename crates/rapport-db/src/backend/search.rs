//! Full-text search: SQLite's FTS5 against PostgreSQL's tsvector, trigram
//! and title-word indexes.

use rapport_core::text::is_word_char;
use sea_orm::sea_query::{Cond, Expr, ExprTrait, LikeExpr, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::database::{Backend, Database};
use crate::error::{Result, StorageContext};

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
