//! `import --all`: a checked archive into an empty database, in one
//! transaction.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sha2::{Digest, Sha256};

use super::{ArchiveError, FORMAT_VERSION, MANIFEST, Manifest, Result, Table, damaged, hex, io, parse_cell, tables};
use crate::database::Database;
use crate::error::StorageContext;

/// A user as restored, with the password they were given.
#[derive(Debug, Clone)]
pub struct ImportedUser {
    pub email: String,
    pub disabled: bool,
    /// Random; the administrator hands it over or resets it
    /// (`rapport user reset-password`).
    pub password: String,
}

/// What an import restored.
#[derive(Debug, Clone)]
pub struct Restored {
    pub manifest: Manifest,
    /// Rows per file, as the manifest lists them.
    pub rows: Vec<(String, u64)>,
    pub users: Vec<ImportedUser>,
    /// References of live records to records that are not in the archive
    /// (restored as they were; the source had them too).
    pub dangling_references: i64,
}

type Archive = zip::ZipArchive<std::io::BufReader<std::fs::File>>;

/// Restores an archive into a database that has no records and no users.
///
/// First the manifest is read and every file's SHA-256 and row count checked
/// against it, before anything is written; then everything is written in
/// ONE transaction, so a failure at any point (a bad cell, a full disk)
/// leaves the database as it was. Pipelines and custom fields a new instance
/// may hold are replaced by the archive's. Every user is given a new random
/// password (the archive holds no password hashes), returned for the caller
/// to show.
#[tracing::instrument(skip_all, fields(from = %from.display()), err)]
pub async fn import_all(db: &Database, from: &Path) -> Result<Restored> {
    let file = std::fs::File::open(from).map_err(io(format!("open {}", from.display())))?;
    let mut zip =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| damaged(format!("not a zip file ({e})")))?;
    let manifest = read_manifest(&mut zip)?;
    let known: HashMap<String, Table> = tables().into_iter().map(|t| (t.file(), t)).collect();
    for entry in &manifest.files {
        if !known.contains_key(&entry.name) {
            return Err(damaged(format!(
                "{} holds nothing this Rapport knows; import it with a newer Rapport",
                entry.name
            )));
        }
        check_file(&mut zip, &entry.name, &entry.sha256, entry.rows)?;
    }
    let mut users = Vec::new();
    let tx = db.write().await?;
    ensure_empty(&*tx).await?;
    for table in ["custom_fields", "stages", "pipelines"] {
        tx.execute(&Query::delete().from_table(Alias::new(table)).to_owned())
            .await
            .context("clear the new instance")?;
    }
    let mut rows = Vec::new();
    for table in tables() {
        let Some(entry) = manifest.files.iter().find(|f| f.name == table.file()) else { continue };
        let mut ids = Vec::new();
        let count = insert_file(&*tx, &mut zip, &table, &mut ids).await?;
        if let Some(record_type) = table.record_type {
            for chunk in ids.chunks(table.page) {
                crate::records::index_restored(&*tx, record_type, chunk).await?;
            }
        }
        if table.name == "users" {
            users = new_passwords(&*tx, &ids).await?;
        }
        rows.push((entry.name.clone(), count));
    }
    let dangling_references = dangling_references(&*tx).await?;
    tx.commit().await?;
    Ok(Restored { manifest, rows, users, dangling_references })
}

fn read_manifest(zip: &mut Archive) -> Result<Manifest> {
    let mut json = String::new();
    zip.by_name(MANIFEST)
        .map_err(|_| damaged(format!("it has no {MANIFEST}")))?
        .read_to_string(&mut json)
        .map_err(|e| damaged(format!("{MANIFEST} cannot be read ({e})")))?;
    let version: serde_json::Value = serde_json::from_str(&json).map_err(|e| damaged(format!("{MANIFEST}: {e}")))?;
    let found = version.get("format_version").and_then(serde_json::Value::as_u64).unwrap_or(0);
    if found != u64::from(FORMAT_VERSION) {
        let rapport_version =
            version.get("rapport_version").and_then(serde_json::Value::as_str).unwrap_or("unknown").to_owned();
        return Err(ArchiveError::Version { found: u32::try_from(found).unwrap_or(u32::MAX), rapport_version });
    }
    serde_json::from_value(version).map_err(|e| damaged(format!("{MANIFEST}: {e}")))
}

/// Reads a file through, checking its hash and row count.
fn check_file(zip: &mut Archive, name: &str, sha256: &str, rows: u64) -> Result<()> {
    let entry = zip.by_name(name).map_err(|_| damaged(format!("{name} is listed in the manifest but missing")))?;
    let mut hashing = HashingReader { inner: entry, hasher: Sha256::new() };
    let mut csv = csv::Reader::from_reader(&mut hashing);
    let mut count = 0u64;
    let mut record = csv::ByteRecord::new();
    while csv.read_byte_record(&mut record).map_err(|e| damaged(format!("{name}: {e}")))? {
        count += 1;
    }
    drop(csv);
    std::io::copy(&mut hashing, &mut std::io::sink()).map_err(|e| damaged(format!("{name}: {e}")))?;
    let found = hex(&hashing.hasher.finalize());
    if found != sha256 {
        return Err(damaged(format!("{name} does not match its checksum (SHA-256 {found}, manifest {sha256})")));
    }
    if count != rows {
        return Err(damaged(format!("{name} has {count} rows, the manifest says {rows}")));
    }
    Ok(())
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.hasher.update(&buf[..read]);
        Ok(read)
    }
}

/// Refuses a database that has users or records of any kind.
async fn ensure_empty(conn: &impl ConnectionTrait) -> Result<()> {
    let mut found = Vec::new();
    for table in tables().iter().filter(|t| t.record_type.is_some() || t.name == "users") {
        let query = Query::select().expr(Expr::cust("1")).from(Alias::new(&table.name)).limit(1).to_owned();
        if conn.query_one(&query).await.context("check that the database is empty")?.is_some() {
            found.push(table.name.clone());
        }
    }
    if found.is_empty() { Ok(()) } else { Err(ArchiveError::NotEmpty(format!("it has {}", found.join(", ")))) }
}

/// Inserts a file's rows, in batches; collects the key column's values.
async fn insert_file(
    conn: &impl ConnectionTrait,
    zip: &mut Archive,
    table: &Table,
    ids: &mut Vec<uuid::Uuid>,
) -> Result<u64> {
    let name = table.file();
    let entry = zip.by_name(&name).map_err(|_| damaged(format!("{name} is missing")))?;
    let mut csv = csv::Reader::from_reader(entry);
    let headers = csv.headers().map_err(|e| damaged(format!("{name}: {e}")))?.clone();
    let columns = headers
        .iter()
        .map(|h| {
            table.columns.iter().find(|c| c.name == h).cloned().ok_or_else(|| {
                damaged(format!("{name} has a column {h:?} this Rapport does not have; import it with a newer Rapport"))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let key = table.key.and_then(|k| columns.iter().position(|c| c.name == k));
    let mut batch = Vec::with_capacity(table.page);
    let mut count = 0;
    for (line, row) in csv.records().enumerate() {
        let row = row.map_err(|e| damaged(format!("{name}: {e}")))?;
        let values = columns
            .iter()
            .zip(row.iter())
            .map(|(column, cell)| parse_cell(column, cell))
            .collect::<Result<Vec<_>>>()
            .map_err(|e| damaged(format!("{name}, line {}: {e}", line + 2)))?;
        if let Some(sea_orm::sea_query::Value::Uuid(Some(id))) = key.map(|k| &values[k]) {
            ids.push(*id);
        }
        batch.push(values);
        count += 1;
        if batch.len() == table.page {
            insert_batch(conn, table, &columns, std::mem::take(&mut batch)).await?;
        }
    }
    insert_batch(conn, table, &columns, batch).await?;
    Ok(count)
}

async fn insert_batch(
    conn: &impl ConnectionTrait,
    table: &Table,
    columns: &[super::Column],
    rows: Vec<Vec<sea_orm::sea_query::Value>>,
) -> Result<()> {
    let backend = conn.get_database_backend();
    for chunk in crate::row::statement_chunks(&rows, columns.len()) {
        let mut insert = Query::insert();
        insert.into_table(Alias::new(&table.name)).columns(columns.iter().map(|c| Alias::new(&c.name)));
        for row in chunk {
            insert.values_panic(row.iter().cloned().map(Into::into));
        }
        conn.execute_raw(crate::backend::bulk_insert(backend, &insert)).await.context("restore rows")?;
    }
    Ok(())
}

/// References of live records to records in no table: the reference fields
/// (`company_id`) and the links rebuilt from list fields (`related`).
/// Records were inserted without reference checks, so they are counted
/// afterwards.
async fn dangling_references(conn: &impl ConnectionTrait) -> Result<i64> {
    // Every name comes from the descriptors, never from the archive.
    let mut queries = Vec::new();
    for source in rapport_core::schema::RecordType::all() {
        for spec in source.fields() {
            if let Some(target) = spec.kind.ref_target() {
                queries.push(format!(
                    "SELECT COUNT(*) AS n FROM {source} s WHERE s.{field} IS NOT NULL AND s.deleted_at IS NULL \
                     AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.id = s.{field})",
                    source = source.plural(),
                    field = spec.name,
                    target = target.plural()
                ));
            }
        }
        queries.push(format!(
            "SELECT COUNT(*) AS n FROM record_links l WHERE l.target_type = '{}' \
             AND NOT EXISTS (SELECT 1 FROM {} r WHERE r.id = l.target_id)",
            source.as_str(),
            source.plural()
        ));
    }
    let mut dangling = 0;
    for sql in queries {
        let row = conn
            .query_one_raw(sea_orm::Statement::from_string(conn.get_database_backend(), sql))
            .await
            .context("check the restored references")?;
        dangling += row.map(|r| r.try_get::<i64>("", "n")).transpose().context("count references")?.unwrap_or(0);
    }
    Ok(dangling)
}

/// Gives every restored user a new random password.
async fn new_passwords(conn: &impl ConnectionTrait, ids: &[uuid::Uuid]) -> Result<Vec<ImportedUser>> {
    let mut out = Vec::new();
    for id in ids {
        let query =
            Query::select().columns(["email", "disabled"]).from("users").and_where(Expr::col("id").eq(*id)).to_owned();
        let row =
            conn.query_one(&query).await.context("load a restored user")?.ok_or_else(|| damaged("a user vanished"))?;
        let email: String = row.try_get("", "email").context("read a user")?;
        let disabled = crate::row::ColumnRead::boolean(&row, "disabled")?.unwrap_or(false);
        let password: String = crate::auth::random_secret().chars().take(20).collect();
        let hash = crate::passwords::hash_password(&password).await?;
        let update =
            Query::update().table("users").value("password_hash", hash).and_where(Expr::col("id").eq(*id)).to_owned();
        conn.execute(&update).await.context("set a restored user's password")?;
        out.push(ImportedUser { email, disabled, password });
    }
    Ok(out)
}
