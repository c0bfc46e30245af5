use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectOptions, DatabaseConnection, DatabaseTransaction, DbBackend, TransactionTrait};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::{Error, Result, StorageContext};

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
    /// SQLite has one writer at a time; serialising writers in-process avoids
    /// `SQLITE_BUSY` on lock upgrades. PostgreSQL needs no such lock.
    write_lock: Option<Arc<Mutex<()>>>,
}

/// A write transaction; on SQLite it holds the writer lock until dropped.
pub struct WriteTx {
    // Field order matters: the transaction ends before the lock is released.
    pub tx: DatabaseTransaction,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await.context("commit a transaction")
    }
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
        match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| Error::Config(format!("cannot create data folder {}: {e}", parent.display())))?;
                }
                let mut options = ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
                options.max_connections(8).min_connections(1).sqlx_logging(false).map_sqlx_sqlite_opts(|o| {
                    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
                    o.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(10))
                        .pragma("cache_size", "-32768")
                        .pragma("temp_store", "memory")
                });
                let conn = sea_orm::Database::connect(options).await.context("open the SQLite database")?;
                Ok(Self { conn, backend: Backend::Sqlite, write_lock: Some(Arc::new(Mutex::new(()))) })
            }
            DatabaseUrl::Postgres(url) => {
                let mut options = ConnectOptions::new(url.clone());
                options
                    .max_connections(16)
                    .min_connections(1)
                    .sqlx_logging(false)
                    .acquire_timeout(Duration::from_secs(10));
                let conn = sea_orm::Database::connect(options).await.context("connect to PostgreSQL")?;
                Ok(Self { conn, backend: Backend::Postgres, write_lock: None })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn db_backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The pool, for reads outside a transaction.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Starts a transaction for a business write and everything it causes.
    pub async fn write(&self) -> Result<WriteTx> {
        let writer = match &self.write_lock {
            Some(lock) => Some(Arc::clone(lock).lock_owned().await),
            None => None,
        };
        let tx = self.conn.begin().await.context("begin a transaction")?;
        Ok(WriteTx { tx, _writer: writer })
    }

    pub async fn migrate(&self) -> Result<()> {
        crate::migrations::run(self).await
    }

    /// Liveness of the connection, for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        self.conn.ping().await.context("ping the database")
    }

    pub async fn close(self) -> Result<()> {
        self.conn.close().await.context("close the database")
    }
}
