//! `export --all`: every table of [`super::tables`] into one zip, page by page.

use std::io::Write;
use std::path::Path;

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sha2::{Digest, Sha256};

use super::{FORMAT_VERSION, MANIFEST, Manifest, ManifestFile, Result, Table, hex, io, read_cell, tables};
use crate::database::{Backend, Database};
use crate::error::StorageContext;

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    pub manifest: Manifest,
    pub bytes: u64,
}

/// Counts and hashes what passes through, on its way into the zip entry.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the whole instance to `to` (which must not exist), through a
/// `.partial` file renamed into place when complete. Each table is read in
/// keyset pages (of 1,000 rows, 20 photos), all in one read transaction: one
/// consistent snapshot while the server keeps serving.
#[tracing::instrument(skip_all, fields(to = %to.display()), err)]
pub async fn export_all(db: &Database, to: &Path, now: chrono::DateTime<chrono::Utc>) -> Result<Exported> {
    if to.exists() {
        return Err(super::ArchiveError::Io {
            doing: format!("write {}", to.display()),
            source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, "the file exists; choose a new name"),
        });
    }
    let partial = {
        let mut name = to.as_os_str().to_owned();
        name.push(".partial");
        std::path::PathBuf::from(name)
    };
    let file = std::fs::File::create(&partial).map_err(io(format!("create {}", partial.display())))?;
    let result = write_zip(db, file, now).await;
    match result {
        Ok(manifest) => {
            std::fs::rename(&partial, to).map_err(io(format!("put {} in place", to.display())))?;
            let bytes = std::fs::metadata(to).map_err(io("read the archive's size"))?.len();
            Ok(Exported { manifest, bytes })
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

async fn write_zip(db: &Database, file: std::fs::File, now: chrono::DateTime<chrono::Utc>) -> Result<Manifest> {
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    let mut files = Vec::new();
    let snapshot = snapshot(db).await?;
    for table in tables() {
        zip.start_file(table.file(), options).map_err(|e| super::damaged(format!("cannot write the zip: {e}")))?;
        let mut csv = csv::Writer::from_writer(Hashing { inner: &mut zip, hasher: Sha256::new() });
        csv.write_record(table.columns.iter().map(|c| c.name.as_str())).map_err(csv_error)?;
        let rows = write_rows(&snapshot, &table, &mut csv).await?;
        let hashing = csv.into_inner().map_err(|e| io("write the zip")(e.into_error()))?;
        files.push(ManifestFile {
            name: table.file(),
            kind: table.kind.clone(),
            rows,
            sha256: hex(&hashing.hasher.finalize()),
        });
    }
    snapshot.rollback().await.context("end the export's read")?;
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        rapport_version: env!("CARGO_PKG_VERSION").to_owned(),
        exported_at: now,
        backend: match db.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
        .to_owned(),
        files,
    };
    zip.start_file(MANIFEST, options).map_err(|e| super::damaged(format!("cannot write the zip: {e}")))?;
    let json = serde_json::to_vec_pretty(&manifest).map_err(super::damaged)?;
    zip.write_all(&json).map_err(io("write the manifest"))?;
    let mut out = zip.finish().map_err(|e| super::damaged(format!("cannot finish the zip: {e}")))?;
    out.flush().map_err(io("write the archive"))?;
    out.get_ref().sync_all().map_err(io("write the archive"))?;
    Ok(manifest)
}

/// One read transaction for every table, so that the files agree with each
/// other (no audit entry of a record the export missed) while the server
/// keeps writing: on SQLite a deferred transaction reads one WAL snapshot
/// from its first read; PostgreSQL needs REPEATABLE READ for that.
async fn snapshot(db: &Database) -> Result<sea_orm::DatabaseTransaction> {
    use sea_orm::{AccessMode, IsolationLevel, TransactionTrait};
    let tx = match db.backend() {
        Backend::Sqlite => db.conn().begin().await,
        Backend::Postgres => {
            db.conn().begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await
        }
    };
    Ok(tx.context("start the export's read")?)
}

fn csv_error(e: csv::Error) -> super::ArchiveError {
    super::ArchiveError::Io { doing: "write a CSV file".into(), source: std::io::Error::other(e) }
}

/// Writes a table's rows, in pages after the last key read; a table without
/// a one-column key (team memberships) is small and read at once.
async fn write_rows<W: Write>(conn: &impl ConnectionTrait, table: &Table, csv: &mut csv::Writer<W>) -> Result<u64> {
    let mut last: Option<uuid::Uuid> = None;
    let mut written = 0;
    loop {
        let mut query = Query::select();
        query.from(Alias::new(&table.name)).columns(table.columns.iter().map(|c| Alias::new(&c.name)));
        if let Some(key) = table.key {
            query.order_by(Alias::new(key), Order::Asc).limit(table.page as u64);
            if let Some(last) = last {
                query.and_where(Expr::col(Alias::new(key)).gt(last));
            }
        } else {
            for column in &table.columns {
                query.order_by(Alias::new(&column.name), Order::Asc);
            }
        }
        let rows = conn.query_all(&query).await.context("read a table for the archive")?;
        for row in &rows {
            let cells = table.columns.iter().map(|c| read_cell(row, c)).collect::<crate::Result<Vec<_>>>()?;
            csv.write_record(&cells).map_err(csv_error)?;
            written += 1;
        }
        match (table.key, rows.last()) {
            (Some(key), Some(row)) if rows.len() == table.page => {
                last = crate::row::ColumnRead::uuid(row, key)?;
            }
            _ => return Ok(written),
        }
    }
}
