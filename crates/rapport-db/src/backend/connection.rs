//! Connecting: SQLite's pools and single writer, PostgreSQL's pool.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sea_orm::{
    ConnectOptions, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::database::{Backend, DatabaseUrl};
use crate::error::{Error, Result, StorageContext};
use crate::sqlite_reader::SqliteReader;

/// SQLite reads database pages through a memory map of this size rather
/// than copying each one from the kernel: the pages are shared by every
/// connection instead of being cached once per connection, and a cold index
/// page costs a page fault, not a system call and a copy.
const MMAP_BYTES: u64 = 8 << 30;

/// The SQLite writer's page cache. It holds the indexes a write updates, in
/// random order for e-mails and names: larger than a reader's.
pub(crate) const WRITER_CACHE_KIB: i64 = 64 * 1024;

/// What a database is used through.
pub(crate) struct Connections {
    /// The pool, for reads outside a transaction (and PostgreSQL's writes).
    pub conn: DatabaseConnection,
    pub writer: Writer,
    /// SQLite only: point reads without a thread hop, see `sqlite_reader`.
    pub reader: Option<Arc<SqliteReader>>,
}

/// Where write transactions start.
#[derive(Clone, Debug)]
pub(crate) enum Writer {
    /// PostgreSQL: any pooled connection; writers do not wait for one another.
    Pool,
    Sqlite(SqliteWriter),
}

impl Writer {
    /// Starts a write transaction: on SQLite it waits for the writer lock.
    pub async fn begin(&self, pool: &DatabaseConnection) -> Result<WriteTx> {
        let (conn, guard, queue) = match self {
            Self::Sqlite(writer) => {
                let queued = Waiting::enter(&writer.queue.waiting);
                let guard = Arc::clone(&writer.lock).lock_owned().await;
                drop(queued);
                (&writer.conn, Some(guard), Some(Arc::clone(&writer.queue)))
            }
            Self::Pool => (pool, None, None),
        };
        // SQLite: IMMEDIATE takes the write lock now, waiting for another
        // process's writer under the busy timeout. A deferred transaction
        // that reads first and writes later fails at once instead
        // (SQLITE_BUSY_SNAPSHOT) when another process wrote in between.
        let options = TransactionOptions {
            sqlite_transaction_mode: guard.is_some().then_some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let tx = conn.begin_with_options(options).await.context("begin a transaction")?;
        Ok(WriteTx { tx, _writer: guard, queue })
    }

    pub async fn close(self) -> Result<()> {
        match self {
            Self::Sqlite(writer) => writer.conn.close().await.context("close the database"),
            Self::Pool => Ok(()),
        }
    }
}

/// SQLite has one writer at a time. Serialising writers in-process avoids
/// `SQLITE_BUSY` on lock upgrades, and giving them one dedicated connection
/// keeps its page cache warm: a connection drops its cache whenever another
/// one wrote since it last ran, so writes spread over a pool would read every
/// index page they touch again.
#[derive(Clone, Debug)]
pub(crate) struct SqliteWriter {
    lock: Arc<Mutex<()>>,
    queue: Arc<WriterQueue>,
    conn: DatabaseConnection,
}

/// Who may be waiting for the SQLite writer, so that a long write can make way.
#[derive(Debug)]
pub(crate) struct WriterQueue {
    /// Writes of this process waiting for the lock.
    waiting: AtomicUsize,
    /// The database's shared-memory index, whose locks show other processes.
    shm: PathBuf,
}

impl WriterQueue {
    fn others_may_wait(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) > 0 || opened_by_another_process(&self.shm)
    }
}

/// Whether a process other than this one has the SQLite database open, and
/// so may be waiting to write: another process waits on SQLite's file lock,
/// unseen by this one's queue.
///
/// Every connection to a WAL database holds a shared POSIX lock on byte 128
/// of the `-shm` file (SQLite's "DMS" lock) while it is open, and Linux lists
/// the locks with their holder's pid in `/proc/locks`. Where that cannot be
/// read the answer is yes, the cautious one.
pub(crate) fn opened_by_another_process(shm: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let (Ok(shm), Ok(locks)) = (std::fs::metadata(shm), std::fs::read_to_string("/proc/locks")) else {
            return true;
        };
        let (inode, me) = (shm.ino().to_string(), std::process::id().to_string());
        // "1: POSIX  ADVISORY  READ 26263 fe:00:10010850 128 128": pid, then device:inode.
        locks.lines().any(|line| {
            let mut fields = line.split_whitespace().skip(1);
            fields.next() == Some("POSIX")
                && fields.nth(2).is_some_and(|pid| pid != me)
                && fields.next().and_then(|file| file.rsplit(':').next()) == Some(inode.as_str())
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = shm;
        true
    }
}

/// Counts a write as waiting for the writer lock until dropped, also when
/// the waiting future is cancelled.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Self(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A write transaction; on SQLite it holds the writer lock until dropped.
pub struct WriteTx {
    // Field order matters: the transaction ends before the lock is released.
    pub tx: DatabaseTransaction,
    _writer: Option<OwnedMutexGuard<()>>,
    queue: Option<Arc<WriterQueue>>,
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

    /// Ends the transaction storing nothing of it.
    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await.context("roll back a transaction")
    }

    /// Whether other writes may be waiting for this one to end: writes of
    /// this process queued behind it, or another process that has the
    /// database open. Always `false` on PostgreSQL, where writers do not wait
    /// for one another.
    pub fn others_may_wait(&self) -> bool {
        self.queue.as_ref().is_some_and(|queue| queue.others_may_wait())
    }
}

/// Opens the pools the URL names (creating a SQLite file and its folder).
/// A pool on a PostgreSQL read replica, for analytic reads.
pub(crate) async fn open_read_replica(url: &str) -> Result<sea_orm::DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(8)
        .min_connections(1)
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    sea_orm::Database::connect(options).await.context("connect to the PostgreSQL read replica")
}

pub(crate) async fn open(url: &DatabaseUrl) -> Result<(Backend, Connections)> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| Error::Config(format!("cannot create data folder {}: {e}", parent.display())))?;
            }
            let sqlite_pool = |connections: u32, cache_kib: i64| {
                let mut options = ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
                // A file does not drop connections: no ping per checkout,
                // which is a round trip to the connection's worker thread.
                options
                    .max_connections(connections)
                    .min_connections(1)
                    .test_before_acquire(false)
                    .sqlx_logging(false)
                    .map_sqlx_sqlite_opts(move |o| {
                        use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
                        o.journal_mode(SqliteJournalMode::Wal)
                            .synchronous(SqliteSynchronous::Normal)
                            .foreign_keys(true)
                            .busy_timeout(Duration::from_secs(10))
                            .pragma("cache_size", format!("-{cache_kib}"))
                            .pragma("temp_store", "memory")
                            .pragma("mmap_size", MMAP_BYTES.to_string())
                    });
                sea_orm::Database::connect(options)
            };
            let writer = sqlite_pool(1, WRITER_CACHE_KIB).await.context("open the SQLite database")?;
            let conn = sqlite_pool(8, 32 * 1024).await.context("open the SQLite database")?;
            let mut shm = path.clone().into_os_string();
            shm.push("-shm");
            let queue = Arc::new(WriterQueue { waiting: AtomicUsize::new(0), shm: shm.into() });
            let writer = SqliteWriter { lock: Arc::new(Mutex::new(())), queue, conn: writer };
            let reader = Arc::new(SqliteReader::new(path.clone(), MMAP_BYTES));
            Ok((Backend::Sqlite, Connections { conn, writer: Writer::Sqlite(writer), reader: Some(reader) }))
        }
        DatabaseUrl::Postgres(url) => {
            let mut options = ConnectOptions::new(url.clone());
            options
                .max_connections(16)
                .min_connections(1)
                // A ping per checkout would double the round trips of a
                // point read; only a connection idle long enough to have
                // been dropped by the server or a proxy is checked first.
                .test_before_acquire_if_idle_for(Duration::from_secs(30))
                .sqlx_logging(false)
                .acquire_timeout(Duration::from_secs(10));
            let conn = sea_orm::Database::connect(options).await.context("connect to PostgreSQL")?;
            Ok((Backend::Postgres, Connections { conn, writer: Writer::Pool, reader: None }))
        }
    }
}
