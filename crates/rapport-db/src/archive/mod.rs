//! A whole instance as one zip of CSV files and a manifest
//! (`rapport export --all` / `rapport import --all`), to leave Rapport or to
//! move to another server or backend.
//!
//! Each file is one table, written column by column as it is stored (so it
//! comes back exactly: ids, version, owner, team, tags and custom fields as
//! JSON, timestamps to the microsecond, trashed records with `deleted_at`),
//! read in keyset pages. Secrets stay behind: password hashes, sessions, API
//! tokens, calendar feed tokens. Derived rows (matching keys, links, search)
//! are rebuilt on import. Contact photos are base64 cells. Not in the
//! archive: saved views, notifications, jobs, import history and settings,
//! and the computed analytics (a refresh makes them again).

mod read;
mod write;

use rapport_core::schema::{RecordType, Storage};
use serde::{Deserialize, Serialize};

pub use read::{ImportedUser, Restored, import_all};
pub use write::{Exported, export_all};

/// The archive layout this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The manifest's name inside the zip.
pub const MANIFEST: &str = "manifest.json";

/// What went wrong with an archive.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot {doing}: {source}")]
    Io {
        doing: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the archive is damaged or not a Rapport export: {0}")]
    Damaged(String),
    #[error(
        "the archive has format version {found}, this Rapport reads version {FORMAT_VERSION}; import it with the Rapport version that wrote it ({rapport_version}) or newer"
    )]
    Version { found: u32, rapport_version: String },
    #[error(
        "the database is not empty ({0}); import --all only fills a new instance: point it at a new database (e.g. --database-url sqlite://new.db)"
    )]
    NotEmpty(String),
    #[error(transparent)]
    Storage(#[from] crate::Error),
}

pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;

fn io(doing: impl Into<String>) -> impl FnOnce(std::io::Error) -> ArchiveError {
    let doing = doing.into();
    move |source| ArchiveError::Io { doing, source }
}

fn damaged(message: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Damaged(message.to_string())
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub rapport_version: String,
    pub exported_at: chrono::DateTime<chrono::Utc>,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub files: Vec<ManifestFile>,
}

/// One CSV file of the archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFile {
    pub name: String,
    /// The record type (`contact`) or the table (`users`, `audit_log`).
    pub kind: String,
    pub rows: u64,
    /// Of the file's bytes, lowercase hex.
    pub sha256: String,
}

/// A stored column and how its cells are written.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    storage: Storage,
    /// An empty cell is NULL in a nullable column and `""` in another.
    nullable: bool,
    /// Bytes (a photo), written in base64; `storage` is then unused.
    blob: bool,
}

fn col(name: &str, storage: Storage, nullable: bool) -> Column {
    Column { name: name.to_owned(), storage, nullable, blob: false }
}

fn blob(name: &str) -> Column {
    Column { name: name.to_owned(), storage: Storage::Text, nullable: false, blob: true }
}

/// Rows per page and per insert batch; fewer for tables of large cells.
const PAGE_ROWS: usize = 1000;
const PHOTO_PAGE_ROWS: usize = 20;

/// A table of the archive, in the order an import fills them.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    kind: String,
    record_type: Option<RecordType>,
    columns: Vec<Column>,
    /// Keyset pages on this column, when the table has a one-column key.
    key: Option<&'static str>,
    /// Rows read per page and written per batch.
    page: usize,
}

impl Table {
    fn file(&self) -> String {
        format!("{}.csv", self.name)
    }
}

/// Every table the archive holds, in dependency order: accounts, custom
/// fields, pipelines, then each record kind (through the descriptors), then
/// the history that refers to records.
fn tables() -> Vec<Table> {
    use Storage::{BigInt, Bool, Date, Json, Text, Timestamp, Uuid};
    let table = |name: &str, key: Option<&'static str>, columns: Vec<Column>| Table {
        name: name.to_owned(),
        kind: name.to_owned(),
        record_type: None,
        columns,
        key,
        page: PAGE_ROWS,
    };
    let mut out = vec![
        table(
            "teams",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("name", Text, false),
                col("name_normalized", Text, false),
                col("created_at", Timestamp, false),
            ],
        ),
        // No password_hash: every user gets a new password on import.
        table(
            "users",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("email", Text, false),
                col("email_normalized", Text, false),
                col("name", Text, false),
                col("role", Text, false),
                col("locale", Text, false),
                col("time_zone", Text, true),
                col("primary_team_id", Uuid, true),
                col("disabled", Bool, false),
                col("created_at", Timestamp, false),
                col("updated_at", Timestamp, false),
            ],
        ),
        table("team_members", None, vec![col("team_id", Uuid, false), col("user_id", Uuid, false)]),
        table(
            "custom_fields",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("record_type", Text, false),
                col("key", Text, false),
                col("label", Text, false),
                col("field_type", Text, false),
                col("options", Json, false),
                col("required", Bool, false),
                col("created_at", Timestamp, false),
            ],
        ),
        table(
            "pipelines",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("name", Text, false),
                col("is_default", Bool, false),
                col("position", BigInt, false),
                col("created_at", Timestamp, false),
            ],
        ),
        table(
            "stages",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("pipeline_id", Uuid, false),
                col("name", Text, false),
                col("position", BigInt, false),
                col("probability", BigInt, false),
                col("is_won", Bool, false),
                col("is_lost", Bool, false),
            ],
        ),
        // The last number of each year's quotes and orders: a restored
        // instance goes on from there instead of numbering from 1 again.
        table(
            "number_sequences",
            None,
            vec![col("key", Text, false), col("year", BigInt, false), col("last", BigInt, false)],
        ),
        table(
            "quotas",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("subject_type", Text, false),
                col("subject_id", Uuid, false),
                col("period_kind", Text, false),
                col("period_start", Date, false),
                col("amount_minor", BigInt, false),
                col("currency", Text, false),
                col("updated_at", Timestamp, false),
                col("updated_by", Uuid, true),
            ],
        ),
        table(
            "cadences",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("name", Text, false),
                col("active", Bool, false),
                col("steps", Json, false),
                col("created_at", Timestamp, false),
                col("created_by", Uuid, true),
                col("updated_at", Timestamp, false),
            ],
        ),
        table(
            "cadence_enrollments",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("cadence_id", Uuid, false),
                col("record_type", Text, false),
                col("record_id", Uuid, false),
                col("owner_id", Uuid, true),
                col("steps", Json, false),
                col("started_at", Timestamp, false),
                col("started_by", Uuid, true),
                col("next_step", BigInt, false),
                col("status", Text, false),
                col("stop_reason", Text, true),
                col("stopped_by", Uuid, true),
                col("ended_at", Timestamp, true),
            ],
        ),
        // Which steps were made: a restored instance does not make them again.
        table(
            "cadence_step_runs",
            None,
            vec![
                col("enrollment_id", Uuid, false),
                col("step", BigInt, false),
                col("activity_id", Uuid, true),
                col("created_at", Timestamp, false),
            ],
        ),
        table(
            "reports",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("owner_id", Uuid, false),
                col("name", Text, false),
                col("description", Text, true),
                col("definition", Json, false),
                col("shared_team_id", Uuid, true),
                col("created_at", Timestamp, false),
                col("updated_at", Timestamp, false),
            ],
        ),
        table(
            "dashboards",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("owner_id", Uuid, false),
                col("team_id", Uuid, true),
                col("name", Text, false),
                col("widgets", Json, false),
                col("default_for", Uuid, true),
                col("created_at", Timestamp, false),
                col("updated_at", Timestamp, false),
            ],
        ),
        // Schedules go on from their next time; what was sent before stays behind.
        table(
            "report_schedules",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("report_id", Uuid, false),
                col("owner_id", Uuid, false),
                col("frequency", Text, false),
                col("weekday", BigInt, true),
                col("month_day", BigInt, true),
                col("hour", BigInt, false),
                col("time_zone", Text, false),
                col("format", Text, false),
                col("recipients", Json, false),
                col("link", Text, false),
                col("next_run_at", Timestamp, false),
                col("last_run_at", Timestamp, true),
                col("created_at", Timestamp, false),
                col("updated_at", Timestamp, false),
            ],
        ),
    ];
    for record_type in RecordType::all() {
        let mut columns = vec![
            col("id", Uuid, false),
            col("version", BigInt, false),
            col("owner_id", Uuid, true),
            col("team_id", Uuid, true),
            col("tags", Json, false),
            col("custom", Json, false),
            col("created_at", Timestamp, false),
            col("created_by", Uuid, true),
            col("updated_at", Timestamp, false),
            col("updated_by", Uuid, true),
            col("deleted_at", Timestamp, true),
            col("deleted_by", Uuid, true),
        ];
        for spec in record_type.fields() {
            columns.extend(crate::row::field_columns(spec).into_iter().map(|(name, storage)| Column {
                name,
                storage,
                nullable: true,
                blob: false,
            }));
        }
        out.push(Table {
            name: record_type.plural().to_owned(),
            kind: record_type.as_str().to_owned(),
            record_type: Some(record_type),
            columns,
            key: Some("id"),
            page: PAGE_ROWS,
        });
    }
    // Up to 512 KB each: read and written a few at a time.
    out.push(Table {
        page: PHOTO_PAGE_ROWS,
        ..table(
            "contact_photos",
            Some("contact_id"),
            vec![
                col("contact_id", Uuid, false),
                col("content_type", Text, false),
                blob("bytes"),
                col("updated_at", Timestamp, false),
            ],
        )
    });
    // Signed contract documents, up to 10 MB each: two at a time.
    out.push(Table {
        page: 2,
        ..table(
            "contract_documents",
            Some("id"),
            vec![
                col("id", Uuid, false),
                col("contract_id", Uuid, false),
                col("file_name", Text, false),
                col("content_type", Text, false),
                col("size_bytes", BigInt, false),
                col("sha256", Text, false),
                blob("bytes"),
                col("created_at", Timestamp, false),
                col("created_by", Uuid, true),
            ],
        )
    });
    out.push(table(
        "deal_stage_changes",
        Some("id"),
        vec![
            col("id", Uuid, false),
            col("deal_id", Uuid, false),
            col("pipeline_id", Uuid, false),
            col("from_stage_id", Uuid, true),
            col("to_stage_id", Uuid, false),
            col("changed_at", Timestamp, false),
            col("changed_by", Uuid, true),
        ],
    ));
    out.push(table(
        "audit_log",
        Some("id"),
        vec![
            col("id", Uuid, false),
            col("at", Timestamp, false),
            col("actor_id", Uuid, true),
            col("record_type", Text, false),
            col("record_id", Uuid, false),
            col("action", Text, false),
            col("changes", Json, false),
            col("import_id", Uuid, true),
        ],
    ));
    out
}

/// A stored value as a CSV cell: text as it is, NULL as an empty cell,
/// numbers, booleans and JSON as JSON.
fn cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => canonical_json(other),
    }
}

/// JSON with every object's keys in order: PostgreSQL's `jsonb` and
/// SQLite's text keep them in different orders (and serde_json's map order
/// depends on the build's features), and an archive must not.
fn canonical_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            let items: Vec<String> = keys
                .into_iter()
                .map(|key| format!("{}:{}", serde_json::Value::String(key.clone()), canonical_json(&map[key])))
                .collect();
            format!("{{{}}}", items.join(","))
        }
        serde_json::Value::Array(items) => {
            format!("[{}]", items.iter().map(canonical_json).collect::<Vec<_>>().join(","))
        }
        other => other.to_string(),
    }
}

/// A CSV cell as the bound value of its column.
fn parse_cell(column: &Column, cell: &str) -> Result<sea_orm::sea_query::Value> {
    use sea_orm::sea_query::Value as V;
    let bad = |what: &str| damaged(format!("column {}: {cell:?} is not {what}", column.name));
    if column.blob {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD.decode(cell).map_err(|_| bad("base64"))?;
        return Ok(V::Bytes(Some(bytes)));
    }
    if cell.is_empty() && (column.nullable || column.storage != Storage::Text) {
        return Ok(crate::row::to_db(column.storage, &serde_json::Value::Null));
    }
    Ok(match column.storage {
        Storage::Text => V::String(Some(cell.to_owned())),
        Storage::BigInt | Storage::Money => V::BigInt(Some(cell.parse().map_err(|_| bad("an integer"))?)),
        Storage::Bool => V::Bool(Some(cell.parse().map_err(|_| bad("true or false"))?)),
        Storage::Date => {
            V::ChronoDate(Some(chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").map_err(|_| bad("a date"))?))
        }
        Storage::Timestamp => {
            V::ChronoDateTimeUtc(Some(crate::row::parse_timestamp(cell).ok_or_else(|| bad("a timestamp"))?))
        }
        Storage::Uuid => V::Uuid(Some(uuid::Uuid::parse_str(cell).map_err(|_| bad("an id"))?)),
        Storage::Json => V::Json(Some(Box::new(serde_json::from_str(cell).map_err(|_| bad("JSON"))?))),
    })
}

/// A stored cell, as [`cell`] writes it.
fn read_cell(row: &sea_orm::QueryResult, column: &Column) -> crate::Result<String> {
    use crate::error::StorageContext;
    if column.blob {
        use base64::Engine;
        let bytes: Option<Vec<u8>> = row.try_get("", &column.name).context("read stored bytes")?;
        return Ok(bytes.map(|b| base64::engine::general_purpose::STANDARD.encode(b)).unwrap_or_default());
    }
    crate::row::read(row, &column.name, column.storage).map(|value| cell(&value))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
