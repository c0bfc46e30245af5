use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbBackend};

pub use crate::backend::WriteTx;
use crate::backend::{Connections, Writer};
use crate::error::{Error, Result, StorageContext};
use crate::sqlite_reader::SqliteReader;

/// The two engines Rapport runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database location, checked before anything is opened: an unknown scheme
/// is an error, never a new SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl FromStr for DatabaseUrl {
    type Err = Error;

    fn from_str(url: &str) -> Result<Self> {
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(Error::Config("a SQLite URL needs a file path, e.g. sqlite://data/rapport.db".into()));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err(Error::Config(format!(
            "unsupported database URL scheme in '{}': use sqlite://PATH or postgres://…",
            url.split("://").next().unwrap_or(url)
        )))
    }
}

impl DatabaseUrl {
    pub fn sqlite_in(data_dir: &Path) -> Self {
        Self::Sqlite(data_dir.join("rapport.db"))
    }

    /// The URL with any password removed, for logs.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    let userinfo = &url[scheme_end + 3..at];
                    let user = userinfo.split(':').next().unwrap_or_default();
                    format!("{}{}@{}", &url[..scheme_end + 3], user, &url[at + 1..])
                }
                _ => url.clone(),
            },
        }
    }
}

/// A connection pool plus what the backend needs to be used safely.
#[derive(Clone, Debug)]
pub struct Database {
    conn: DatabaseConnection,
    backend: Backend,
    /// Where write transactions start: SQLite's single writer, or the pool.
    writer: Writer,
    /// SQLite only: point reads without a thread hop, see `sqlite_reader`.
    reader: Option<Arc<SqliteReader>>,
    /// PostgreSQL only, when configured: a read replica for analytic reads.
    replica: Option<DatabaseConnection>,
    stats: crate::planner::StatsCache,
}

impl Database {
    /// Opens (creating a SQLite file and its folder if needed) and migrates.
    #[tracing::instrument(skip_all, fields(url = %url.redacted()), err)]
    pub async fn open(url: &DatabaseUrl) -> Result<Self> {
        let db = Self::connect(url).await?;
        db.migrate().await?;
        crate::backend::maintain_statistics(&db).await?;
        Ok(db)
    }

    /// Opens without migrating.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self> {
        let (backend, Connections { conn, writer, reader }) = crate::backend::open(url).await?;
        Ok(Self { conn, backend, writer, reader, replica: None, stats: Default::default() })
    }

    /// Sends analytic reads (reports, dashboards, analyses, the customer
    /// refresh's scans) to a PostgreSQL read replica, so that they never load
    /// the primary. On SQLite they already run beside the writer; a replica
    /// URL there is a configuration error.
    pub async fn with_read_replica(mut self, url: &DatabaseUrl) -> Result<Self> {
        match (self.backend, url) {
            (Backend::Postgres, DatabaseUrl::Postgres(url)) => {
                self.replica = Some(crate::backend::open_read_replica(url).await?);
                Ok(self)
            }
            _ => Err(Error::Config("a read replica needs PostgreSQL for both the database and the replica".into())),
        }
    }

    /// The pool for analytic reads: the read replica when one is configured,
    /// else the primary's. What a user just wrote may not be there yet.
    pub fn analytics(&self) -> &DatabaseConnection {
        self.replica.as_ref().unwrap_or(&self.conn)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn db_backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The planner statistics last read, see `planner`.
    pub(crate) fn stats_cache(&self) -> &crate::planner::StatsCache {
        &self.stats
    }

    /// The pool, for reads outside a transaction.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// SQLite's point reader; `None` on PostgreSQL.
    pub(crate) fn sqlite_reader(&self) -> Option<&SqliteReader> {
        self.reader.as_deref()
    }

    /// Starts a transaction for a business write and everything it causes.
    pub async fn write(&self) -> Result<WriteTx> {
        self.writer.begin(&self.conn).await
    }

    pub async fn migrate(&self) -> Result<()> {
        crate::migrations::run(self).await
    }

    /// Liveness of the connection, for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        self.conn.ping().await.context("ping the database")
    }

    pub async fn close(self) -> Result<()> {
        self.writer.close().await?;
        if let Some(replica) = self.replica {
            replica.close().await.context("close the read replica")?;
        }
        self.conn.close().await.context("close the database")
    }
}
