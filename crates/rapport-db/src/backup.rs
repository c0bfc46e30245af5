//! Backups of the embedded SQLite database, made while the server serves,
//! and their restore. (PostgreSQL has `pg_dump` and `pg_restore`; the README
//! says how.)

use std::path::{Path, PathBuf};

use rapport_core::DomainError;
use sea_orm::{ConnectionTrait, Statement};

use crate::database::{Database, DatabaseUrl};
use crate::error::{Result, StorageContext};

/// What a checked backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupCheck {
    /// The newest migration it has.
    pub schema_version: i64,
    pub contacts: i64,
}

/// A file operation's error, saying what was being done.
fn file<T>(result: std::io::Result<T>, doing: &str) -> Result<T> {
    result.map_err(|e| crate::Error::Config(format!("cannot {doing}: {e}")))
}

fn refused(message: impl Into<String>) -> crate::Error {
    DomainError::Conflict { code: "backup_refused", message: message.into() }.into()
}

/// A consistent copy of a live SQLite database at `to`, which must not exist:
/// `VACUUM INTO` reads one snapshot (writers go on meanwhile) into a file
/// beside `to`, renamed into place once complete. Returns its size in bytes.
pub async fn backup(db: &Database, to: &Path) -> Result<u64> {
    if db.backend() != crate::Backend::Sqlite {
        return Err(refused("PostgreSQL is backed up with pg_dump (see the README)"));
    }
    if to.exists() {
        return Err(refused(format!("{} exists; a backup never overwrites a file", to.display())));
    }
    if let Some(folder) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        file(std::fs::create_dir_all(folder), "create the backup folder")?;
    }
    let partial = with_suffix(to, "partial");
    let _ = std::fs::remove_file(&partial);
    let target = partial.to_string_lossy().replace('\'', "''");
    let vacuum = Statement::from_string(db.conn().get_database_backend(), format!("VACUUM INTO '{target}'"));
    db.conn().execute_raw(vacuum).await.context("copy the database")?;
    file(std::fs::rename(&partial, to), "put the backup in place")?;
    Ok(file(std::fs::metadata(to), "read the backup's size")?.len())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    PathBuf::from(name)
}

/// Opens a backup read-only and checks it: SQLite's integrity check, and a
/// Rapport schema no newer than this build's.
pub async fn check(path: &Path) -> Result<BackupCheck> {
    if !path.is_file() {
        return Err(refused(format!("{} is not a file", path.display())));
    }
    let url = format!("sqlite://{}?mode=ro", path.display());
    let conn = sea_orm::Database::connect(url.as_str())
        .await
        .map_err(|_| refused(format!("{} is not a SQLite database", path.display())))?;
    let result = check_open(&conn).await;
    let _ = conn.close().await;
    result
}

async fn check_open(conn: &sea_orm::DatabaseConnection) -> Result<BackupCheck> {
    let backend = conn.get_database_backend();
    let one = async |sql: &str| conn.query_one_raw(Statement::from_string(backend, sql.to_owned())).await;
    let integrity = one("PRAGMA integrity_check").await.map_err(|_| refused("the file is not a SQLite database"))?;
    let verdict: String = integrity.and_then(|row| row.try_get_by_index(0).ok()).unwrap_or_default();
    if verdict != "ok" {
        return Err(refused(format!("the backup is damaged: {verdict}")));
    }
    let version = one("SELECT max(version) FROM schema_migrations")
        .await
        .map_err(|_| refused("the file is not a Rapport database"))?
        .and_then(|row| row.try_get_by_index::<Option<i64>>(0).ok().flatten())
        .ok_or_else(|| refused("the file is not a Rapport database"))?;
    if version > crate::migrations::newest_version() {
        return Err(refused(format!("the backup comes from a newer Rapport (schema {version}); upgrade first")));
    }
    let contacts = one("SELECT count(*) FROM contacts")
        .await
        .context("count the backup's contacts")?
        .and_then(|row| row.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0);
    Ok(BackupCheck { schema_version: version, contacts })
}

/// Puts a checked backup in place of the database at `url`, which no process
/// may have open (stop the server first). The database it replaces is kept
/// beside it as `….before-restore`.
pub async fn restore(backup: &Path, url: &DatabaseUrl) -> Result<BackupCheck> {
    let DatabaseUrl::Sqlite(target) = url else {
        return Err(refused("PostgreSQL is restored with pg_restore (see the README)"));
    };
    let checked = check(backup).await?;
    // An open WAL database has its `-shm` file, locked by every process that has it open.
    let shm = with_suffix_plain(target, "shm");
    if shm.exists() && crate::backend::opened_by_another_process(&shm) {
        return Err(refused("the database is open in another process: stop the server first"));
    }
    let incoming = with_suffix(target, "restoring");
    file(std::fs::copy(backup, &incoming), "copy the backup")?;
    file(std::fs::File::open(&incoming).and_then(|f| f.sync_all()), "write the backup to disk")?;
    if target.exists() {
        file(std::fs::rename(target, with_suffix(target, "before-restore")), "keep the current database")?;
    }
    for stale in ["wal", "shm"] {
        let _ = std::fs::remove_file(with_suffix_plain(target, stale));
    }
    file(std::fs::rename(&incoming, target), "put the backup in place")?;
    Ok(checked)
}

/// `rapport.db-shm`: SQLite's names for a database's companions.
fn with_suffix_plain(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!("-{suffix}"));
    PathBuf::from(name)
}

/// Where backups of the SQLite database at `database` go unless told otherwise.
pub fn folder_beside(database: &Path) -> PathBuf {
    database.parent().map_or_else(|| PathBuf::from("backups"), |folder| folder.join("backups"))
}

/// Backups the server takes by itself: into `folder`, one when the newest
/// there is `every` old, keeping the newest `keep`.
#[derive(Debug, Clone)]
pub struct BackupSchedule {
    pub folder: PathBuf,
    pub every: chrono::Duration,
    pub keep: usize,
}

/// Scheduled backups are named by their UTC time, so that names sort by age.
const SCHEDULED_PREFIX: &str = "rapport-";
const SCHEDULED_FORMAT: &str = "%Y%m%d-%H%M%S";

/// The name of the backup a schedule takes at `at`.
pub fn scheduled_name(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{SCHEDULED_PREFIX}{}.db", at.format(SCHEDULED_FORMAT))
}

fn taken_at(name: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let stamp = name.strip_prefix(SCHEDULED_PREFIX)?.strip_suffix(".db")?;
    chrono::NaiveDateTime::parse_from_str(stamp, SCHEDULED_FORMAT).ok().map(|t| t.and_utc())
}

/// Takes the schedule's backup if one is due, then removes the oldest beyond
/// `keep` (only files the schedule named). Returns the new backup, if any.
pub async fn run_schedule(
    db: &Database,
    schedule: &BackupSchedule,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<PathBuf>> {
    let names: Vec<(String, PathBuf)> = match std::fs::read_dir(&schedule.folder) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| Some((entry.file_name().into_string().ok()?, entry.path())))
            .collect(),
        Err(_) => Vec::new(),
    };
    // What a backup cut short (the server stopped during the copy) left.
    for (name, path) in &names {
        if taken_at(name.trim_end_matches(".partial")).is_some() && name.ends_with(".partial") {
            let _ = std::fs::remove_file(path);
        }
    }
    let mut taken: Vec<(chrono::DateTime<chrono::Utc>, PathBuf)> =
        names.into_iter().filter_map(|(name, path)| Some((taken_at(&name)?, path))).collect();
    taken.sort();
    let due = taken.last().is_none_or(|(at, _)| now - *at >= schedule.every);
    let mut made = None;
    if due {
        let path = schedule.folder.join(scheduled_name(now));
        backup(db, &path).await?;
        taken.push((now, path.clone()));
        made = Some(path);
    }
    let surplus = taken.len().saturating_sub(schedule.keep.max(1));
    for (_, old) in taken.drain(..surplus) {
        file(std::fs::remove_file(&old), "remove an old backup")?;
    }
    Ok(made)
}
