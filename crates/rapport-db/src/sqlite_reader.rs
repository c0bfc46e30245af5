//! Point reads on SQLite on the calling thread.
//!
//! sqlx runs every SQLite connection on a thread of its own: a query is a
//! message to that thread and each row a message back. For a lookup by
//! primary key, which SQLite answers in microseconds, those hand-offs were
//! most of the server's CPU (perf at 19k GET/s: half of it in futex wake-ups
//! and task switches). Reads that touch a handful of pages run here instead,
//! on connections of their own, without leaving the runtime thread; anything
//! that may scan stays on the pool, where it holds up no other request.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags};
use sea_orm::sea_query::{SelectStatement, SqliteQueryBuilder, Value as DbValue};
use sea_orm::{DbErr, RuntimeErr};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::row::ColumnRead;

/// The page cache of one reader connection: point reads go through the
/// memory map, the cache holds little more than the upper B-tree levels.
const CACHE_KIB: i64 = 2 * 1024;

/// A point read waits this long for a lock (only recovery or a WAL reset
/// takes one a reader must wait for) before it fails: it holds a runtime
/// thread while it waits.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// Connections for point reads, opened on first use: at most one per thread
/// that reads at the same time, since a read never awaits while it holds one.
pub(crate) struct SqliteReader {
    path: PathBuf,
    mmap_bytes: u64,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteReader").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SqliteReader {
    pub(crate) fn new(path: PathBuf, mmap_bytes: u64) -> Self {
        Self { path, mmap_bytes, idle: Mutex::new(Vec::new()) }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        // Read-write without create: a read-only connection could not open
        // the WAL index if no other connection had created it yet.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "query_only", true)?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        // The pragma answers with the size it set, so it is read, not updated.
        conn.query_row(&format!("PRAGMA mmap_size = {}", self.mmap_bytes), [], |_| Ok(()))?;
        Ok(conn)
    }

    /// Runs `query` and decodes its first row, if any.
    pub(crate) fn query_one<T>(
        &self,
        query: &SelectStatement,
        context: &'static str,
        decode: impl FnOnce(&rusqlite::Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let storage = |e: rusqlite::Error| Error::Storage { context, source: query_error(e) };
        let (sql, values) = query.build(SqliteQueryBuilder);
        let params = values
            .into_iter()
            .map(parameter)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| Error::Storage { context, source })?;
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => self.open().map_err(storage)?,
        };
        let result = (|| {
            let mut statement = conn.prepare_cached(&sql).map_err(storage)?;
            let mut rows = statement.query(rusqlite::params_from_iter(params)).map_err(storage)?;
            match rows.next().map_err(storage)? {
                Some(row) => decode(row).map(Some),
                None => Ok(None),
            }
        })();
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
        result
    }
}

impl SqliteReader {
    /// Runs `query`, which may read millions of rows, on a connection of its
    /// own on a blocking thread, handing each row to `each` with `state`, and
    /// gives `state` back. Through the pool every row would be a message from
    /// sqlx's connection thread to the runtime.
    pub(crate) async fn scan<S, F>(
        &self,
        query: &SelectStatement,
        context: &'static str,
        mut state: S,
        each: F,
    ) -> Result<S>
    where
        S: Send + 'static,
        F: Fn(&mut S, &rusqlite::Row<'_>) -> Result<()> + Send + 'static,
    {
        let storage = move |e: rusqlite::Error| Error::Storage { context, source: query_error(e) };
        let (sql, values) = query.build(SqliteQueryBuilder);
        let params = values
            .into_iter()
            .map(parameter)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| Error::Storage { context, source })?;
        let conn = self.open().map_err(storage)?;
        let scan = tokio::task::spawn_blocking(move || {
            let mut statement = conn.prepare(&sql).map_err(storage)?;
            let mut rows = statement.query(rusqlite::params_from_iter(params)).map_err(storage)?;
            while let Some(row) = rows.next().map_err(storage)? {
                each(&mut state, row)?;
            }
            Ok(state)
        });
        scan.await.map_err(|e| Error::Storage { context, source: DbErr::Custom(e.to_string()) })?
    }
}

fn query_error(e: rusqlite::Error) -> DbErr {
    DbErr::Query(RuntimeErr::Internal(e.to_string()))
}

/// A bound value as sqlx-sqlite stores it (UUIDs as 16-byte blobs).
fn parameter(value: DbValue) -> Result<SqlValue, DbErr> {
    Ok(match value {
        DbValue::Bool(v) => v.map_or(SqlValue::Null, |b| SqlValue::Integer(b.into())),
        DbValue::Int(v) => v.map_or(SqlValue::Null, |i| SqlValue::Integer(i.into())),
        DbValue::BigInt(v) => v.map_or(SqlValue::Null, SqlValue::Integer),
        DbValue::String(v) => v.map_or(SqlValue::Null, SqlValue::Text),
        DbValue::Uuid(v) => v.map_or(SqlValue::Null, |u| SqlValue::Blob(u.as_bytes().to_vec())),
        other => return Err(DbErr::Type(format!("a point read cannot bind {other:?}"))),
    })
}

/// The columns of a row, decoded as sqlx-sqlite decodes what it wrote.
impl ColumnRead for rusqlite::Row<'_> {
    fn text(&self, column: &str) -> Result<Option<String>> {
        match value(self, column)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) => {
                String::from_utf8(bytes.to_vec()).map(Some).map_err(|_| type_error(column, "UTF-8 text"))
            }
            _ => Err(type_error(column, "text")),
        }
    }

    fn big_int(&self, column: &str) -> Result<Option<i64>> {
        match value(self, column)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(i) => Ok(Some(i)),
            _ => Err(type_error(column, "an integer")),
        }
    }

    fn boolean(&self, column: &str) -> Result<Option<bool>> {
        Ok(self.big_int(column)?.map(|i| i != 0))
    }

    fn date(&self, column: &str) -> Result<Option<NaiveDate>> {
        self.text(column)?
            .map(|text| NaiveDate::parse_from_str(&text, "%F").map_err(|_| type_error(column, "a date")))
            .transpose()
    }

    fn timestamp(&self, column: &str) -> Result<Option<DateTime<Utc>>> {
        let Some(text) = self.text(column)? else { return Ok(None) };
        // Rapport writes RFC 3339; SQLite's own datetime() leaves out the zone.
        DateTime::parse_from_rfc3339(&text)
            .map(|at| at.with_timezone(&Utc))
            .or_else(|_| NaiveDateTime::parse_from_str(&text, "%F %T%.f").map(|at| at.and_utc()))
            .map(Some)
            .map_err(|_| type_error(column, "a timestamp"))
    }

    fn uuid(&self, column: &str) -> Result<Option<Uuid>> {
        match value(self, column)? {
            ValueRef::Null => Ok(None),
            ValueRef::Blob(bytes) => Uuid::from_slice(bytes).map(Some).map_err(|_| type_error(column, "a UUID")),
            _ => Err(type_error(column, "a UUID")),
        }
    }

    fn json(&self, column: &str) -> Result<Option<Value>> {
        match value(self, column)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                serde_json::from_slice(bytes).map(Some).map_err(|_| type_error(column, "JSON"))
            }
            _ => Err(type_error(column, "JSON")),
        }
    }
}

fn value<'a>(row: &'a rusqlite::Row<'_>, column: &str) -> Result<ValueRef<'a>> {
    row.get_ref(column).map_err(|e| Error::Storage { context: crate::row::COLUMN_CONTEXT, source: query_error(e) })
}

fn type_error(column: &str, expected: &str) -> Error {
    crate::row::column_error(format!("column {column} does not hold {expected}"))
}
