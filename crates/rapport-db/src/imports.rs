//! Imports kept in the database: the web wizard's (and the API's) uploads,
//! their mapping and formats, their progress while the worker runs them,
//! every row they left out, and their undoing. Also the reports of the
//! imports the API runs at once: every row left out, kept for a while for
//! the user who ran it to download, fix and import again.

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Role, Scope, Writer};
use rapport_core::ids::UserId;
use rapport_core::import::{CellFormats, ColumnPlan};
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::records::{
    DuplicateRow, Encoding, FileKind, ImportCounts, ImportOptions, ImportReport, MatchBy, OnDuplicate, Tracked,
};
use crate::settings::Ctx;

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Uploaded; its mapping is being chosen.
    Draft,
    /// Waiting for the worker.
    Queued,
    Running,
    Done,
    /// Stopped by the user between two batches; the batches before stay.
    Cancelled,
    /// The file could not be read, or storage failed: `error` says why.
    Failed,
    /// The records it created went to the trash.
    Undone,
}

impl ImportStatus {
    const ALL: [Self; 7] =
        [Self::Draft, Self::Queued, Self::Running, Self::Done, Self::Cancelled, Self::Failed, Self::Undone];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
            Self::Undone => "undone",
        }
    }

    fn parse(text: &str) -> Self {
        Self::ALL.into_iter().find(|s| s.as_str() == text).unwrap_or(Self::Failed)
    }

    /// Whether the worker has yet to finish it.
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }

    /// Whether what it stored can be undone.
    pub fn can_undo(self) -> bool {
        matches!(self, Self::Done | Self::Cancelled | Self::Failed)
    }
}

/// What the user chose in the wizard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportSettings {
    pub encoding: Encoding,
    /// Per column of the file, the field it fills (`custom.key`, `tags`,
    /// `owner_id` or a field name), or `null` to skip it.
    pub mapping: Vec<Option<String>>,
    pub formats: CellFormats,
    pub on_duplicate: OnDuplicate,
    /// What a row is matched to a stored record by.
    #[serde(default)]
    pub match_by: MatchBy,
    /// Creates the companies and contacts rows name (by name, domain or
    /// e-mail) that are not stored yet, instead of rejecting those rows.
    #[serde(default)]
    pub create_missing: bool,
}

/// An import kept in the database (its file is not part of it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Import {
    pub id: Uuid,
    pub user_id: Uuid,
    pub record_type: String,
    pub file_name: String,
    pub file_bytes: i64,
    pub status: ImportStatus,
    pub settings: ImportSettings,
    /// The file's header row.
    pub columns: Vec<String>,
    pub counts: ImportCounts,
    /// How much of the file the stored batches cover, 0–100.
    pub percent_done: u8,
    pub error: Option<String>,
    pub cancel_requested: bool,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub undone_at: Option<DateTime<Utc>>,
}

/// How long a worker holds an import between two of its commits; a worker
/// killed mid-import lets another take it up after this.
const LEASE: chrono::Duration = chrono::Duration::minutes(2);

/// The largest file kept for an import.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Rows shown in the wizard's preview.
pub const PREVIEW_ROWS: usize = 20;

const COLUMNS: [&str; 21] = [
    "id",
    "user_id",
    "record_type",
    "file_name",
    "file_bytes",
    "status",
    "settings",
    "columns",
    "next_line",
    "bytes_done",
    "rows_read",
    "created",
    "updated",
    "skipped",
    "rejected",
    "error",
    "cancel_requested",
    "created_at",
    "started_at",
    "finished_at",
    "undone_at",
];

fn read_import(row: &sea_orm::QueryResult) -> Result<(Import, u64)> {
    const CTX: &str = "read an import";
    let json = |column: &str| -> Result<String> { row.try_get("", column).context(CTX) };
    let count = |column: &str| -> Result<u64> { Ok(Ord::max(row.try_get::<i64>("", column).context(CTX)?, 0) as u64) };
    let settings: ImportSettings = serde_json::from_str(&json("settings")?)
        .map_err(|e| crate::Error::Config(format!("an import's settings cannot be read: {e}")))?;
    let columns: Vec<String> = serde_json::from_str(&json("columns")?).unwrap_or_default();
    let status = ImportStatus::parse(&json("status")?);
    let file_bytes: i64 = row.try_get("", "file_bytes").context(CTX)?;
    let bytes_done = count("bytes_done")?;
    let percent_done = match status {
        ImportStatus::Done | ImportStatus::Undone => 100,
        _ if file_bytes <= 0 => 0,
        // The decoded text of a Windows-1252 file is a little longer than the file.
        _ => Ord::min(bytes_done * 100 / file_bytes as u64, 99) as u8,
    };
    let import = Import {
        id: row.try_get("", "id").context(CTX)?,
        user_id: row.try_get("", "user_id").context(CTX)?,
        record_type: json("record_type")?,
        file_name: json("file_name")?,
        file_bytes,
        status,
        settings,
        columns,
        counts: ImportCounts {
            rows: count("rows_read")?,
            created: count("created")?,
            updated: count("updated")?,
            skipped: count("skipped")?,
            rejected: count("rejected")?,
        },
        percent_done,
        error: row.try_get("", "error").context(CTX)?,
        cancel_requested: row.try_get("", "cancel_requested").context(CTX)?,
        created_at: row.try_get("", "created_at").context(CTX)?,
        started_at: row.try_get("", "started_at").context(CTX)?,
        finished_at: row.try_get("", "finished_at").context(CTX)?,
        undone_at: row.try_get("", "undone_at").context(CTX)?,
    };
    Ok((import, count("next_line")?))
}

fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn not_found() -> crate::Error {
    DomainError::not_found("import").into()
}

/// Keeps an uploaded file as a draft import, with the mapping and formats
/// the wizard proposes: the user's mapping of the last file of this kind
/// with the same header row, else one from the headers' names; formats
/// guessed from the first rows, and the user's language's usual formats for
/// what they leave open.
pub async fn upload(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    file_name: &str,
    file: Vec<u8>,
    encoding: Encoding,
) -> Result<Import> {
    let actor: &Actor = writer;
    let language = crate::users::get(ctx.db.conn(), UserId(actor.user_id)).await?.map(|u| u.locale);
    let fallback = CellFormats::for_language(language.as_deref().unwrap_or("en"));
    if file.len() > MAX_FILE_BYTES {
        return Err(DomainError::invalid(
            "file",
            "too_large",
            format!("the file is larger than {} MB: split it and import the parts", MAX_FILE_BYTES / (1024 * 1024)),
        )
        .into());
    }
    // A spreadsheet is kept as the CSV text of its first sheet, in UTF-8.
    let encoding = match crate::records::file_kind(&file) {
        FileKind::Csv => encoding,
        _ => Encoding::Utf8,
    };
    let file = crate::records::spreadsheet_as_csv(file)?;
    let (columns, sample) = crate::records::read_sample(&file, encoding, crate::records::FORMAT_SAMPLE_ROWS)?;
    let snapshot = ctx.snapshot().await?;
    let custom = snapshot.custom_fields_of(record_type);
    let headers: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mapping = match earlier_mapping(ctx, actor, record_type, &columns).await? {
        Some(mapping) => mapping,
        None => ColumnPlan::suggest(record_type, custom, &headers),
    };
    let rows: Vec<Vec<String>> = sample.into_iter().map(|(_, cells)| cells).collect();
    let formats = ColumnPlan::from_mapping(record_type, custom, &mapping)
        .map_or(fallback, |plan| plan.guess_formats(fallback, &rows));
    let settings = ImportSettings {
        encoding,
        mapping,
        formats,
        on_duplicate: OnDuplicate::Skip,
        match_by: MatchBy::Default,
        create_missing: false,
    };
    let id = Uuid::now_v7();
    let file_name: String = file_name.chars().filter(|c| !c.is_control()).take(200).collect();
    let file_bytes = file.len() as i64;
    let insert = Query::insert()
        .into_table("imports")
        .columns([
            "id",
            "user_id",
            "record_type",
            "file_name",
            "file",
            "file_bytes",
            "status",
            "settings",
            "columns",
            "created_at",
        ])
        .values_panic([
            id.into(),
            actor.user_id.into(),
            record_type.plural().into(),
            file_name.into(),
            file.into(),
            file_bytes.into(),
            ImportStatus::Draft.as_str().into(),
            to_json(&settings).into(),
            to_json(&columns).into(),
            ctx.now().into(),
        ])
        .to_owned();
    let tx = ctx.db.write().await?;
    tx.execute(&insert).await.context("keep an uploaded import")?;
    tx.commit().await?;
    get(ctx, actor, id).await
}

/// Days a report is kept before the worker purges it.
pub const REPORT_RETENTION_DAYS: i64 = 30;

/// The mapping this user chose for the last file of this kind with these
/// columns: a monthly export from the same system maps the same way.
async fn earlier_mapping(
    ctx: &Ctx,
    actor: &Actor,
    record_type: RecordType,
    columns: &[String],
) -> Result<Option<Vec<Option<String>>>> {
    let query = Query::select()
        .column("settings")
        .from("imports")
        .and_where(Expr::col("user_id").eq(actor.user_id))
        .and_where(Expr::col("record_type").eq(record_type.plural()))
        .and_where(Expr::col("columns").eq(to_json(&columns)))
        .and_where(Expr::col("status").ne(ImportStatus::Draft.as_str()))
        .order_by("created_at", Order::Desc)
        .limit(1)
        .to_owned();
    let Some(row) = ctx.db.conn().query_one(&query).await.context("find an earlier mapping")? else {
        return Ok(None);
    };
    let settings: String = row.try_get("", "settings").context("read an earlier mapping")?;
    Ok(serde_json::from_str::<ImportSettings>(&settings).ok().map(|s| s.mapping))
}

/// Restricts `query` to imports `actor` may see: their own, or any for an
/// administrator.
fn visible_to(query: &mut sea_orm::sea_query::SelectStatement, actor: &Actor) {
    if actor.role != Role::Admin {
        query.and_where(Expr::col("user_id").eq(actor.user_id));
    }
}

/// An import the actor may see.
pub async fn get(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<Import> {
    let mut query = Query::select();
    query.columns(COLUMNS).from("imports").and_where(Expr::col("id").eq(id));
    visible_to(&mut query, actor);
    let row = ctx.db.conn().query_one(&query).await.context("load an import")?;
    Ok(read_import(&row.ok_or_else(not_found)?)?.0)
}

/// The actor's imports (an administrator's: everyone's), newest first.
pub async fn list(ctx: &Ctx, actor: &Actor, limit: u64) -> Result<Vec<Import>> {
    let mut query = Query::select();
    query.columns(COLUMNS).from("imports").order_by("created_at", Order::Desc).limit(Ord::min(limit, 200));
    visible_to(&mut query, actor);
    let rows = ctx.db.conn().query_all(&query).await.context("list imports")?;
    rows.iter().map(|row| read_import(row).map(|(import, _)| import)).collect()
}

/// A draft's file, for the preview.
async fn file_of(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<u8>> {
    let query = Query::select().column("file").from("imports").and_where(Expr::col("id").eq(id)).to_owned();
    let row = conn.query_one(&query).await.context("load an import's file")?.ok_or_else(not_found)?;
    let file: Option<Vec<u8>> = row.try_get("", "file").context("read an import's file")?;
    file.ok_or_else(|| {
        DomainError::Conflict { code: "import_file_gone", message: "the file of this import is no longer kept".into() }
            .into()
    })
}

/// Changes a draft's settings; the mapping must name fields of the kind.
pub async fn update_settings(ctx: &Ctx, writer: &Writer, id: Uuid, settings: &ImportSettings) -> Result<Import> {
    let actor: &Actor = writer;
    let import = get(ctx, actor, id).await?;
    if import.status != ImportStatus::Draft {
        return Err(DomainError::Conflict {
            code: "import_started",
            message: "this import has started: its settings can no longer change".into(),
        }
        .into());
    }
    check_mapping(ctx, &import, &settings.mapping).await?;
    let mut settings = settings.clone();
    if settings.mapping != import.settings.mapping && settings.formats == import.settings.formats {
        // Formats the user left alone follow the columns now mapped.
        let record_type = kind_of(&import)?;
        let file = file_of(ctx.db.conn(), id).await?;
        let (_, sample) = crate::records::read_sample(&file, settings.encoding, crate::records::FORMAT_SAMPLE_ROWS)?;
        let rows: Vec<Vec<String>> = sample.into_iter().map(|(_, cells)| cells).collect();
        let snapshot = ctx.snapshot().await?;
        let mut mapping = settings.mapping.clone();
        mapping.resize(import.columns.len(), None);
        if let Ok(plan) = ColumnPlan::from_mapping(record_type, snapshot.custom_fields_of(record_type), &mapping) {
            settings.formats = plan.guess_formats(settings.formats, &rows);
        }
    }
    let update = Query::update()
        .table("imports")
        .value("settings", to_json(&settings))
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let tx = ctx.db.write().await?;
    tx.execute(&update).await.context("change an import's settings")?;
    tx.commit().await?;
    get(ctx, actor, id).await
}

async fn check_mapping(ctx: &Ctx, import: &Import, mapping: &[Option<String>]) -> Result<()> {
    let record_type = kind_of(import)?;
    let snapshot = ctx.snapshot().await?;
    let mut mapping = mapping.to_vec();
    mapping.resize(import.columns.len(), None);
    ColumnPlan::from_mapping(record_type, snapshot.custom_fields_of(record_type), &mapping)
        .map_err(DomainError::from)?;
    Ok(())
}

fn kind_of(import: &Import) -> Result<RecordType> {
    RecordType::from_plural(&import.record_type).ok_or_else(not_found)
}

/// One row of the preview: the cells as read, and what importing would do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewRow {
    pub line: u64,
    pub cells: Vec<String>,
    /// `create`, `skip` (a duplicate) or `reject`.
    pub outcome: &'static str,
    pub errors: Vec<rapport_core::FieldError>,
    /// Why it would be skipped.
    pub reason: Option<String>,
}

/// What importing the first rows would do with the draft's settings, checked
/// against what is stored and written nowhere.
pub async fn preview(ctx: &Ctx, writer: &Writer, id: Uuid) -> Result<Vec<PreviewRow>> {
    let import = get(ctx, writer, id).await?;
    let record_type = kind_of(&import)?;
    let file = file_of(ctx.db.conn(), id).await?;
    let settings = &import.settings;
    let (_, sample) = crate::records::read_sample(&file, settings.encoding, PREVIEW_ROWS)?;
    let options = ImportOptions {
        on_duplicate: settings.on_duplicate,
        match_by: settings.match_by,
        create_missing: settings.create_missing,
        encoding: settings.encoding,
        mapping: Some(settings.mapping.clone()),
        decimal: Some(settings.formats.decimal),
        dates: Some(settings.formats.dates),
        dry_run: true,
        row_limit: Some(PREVIEW_ROWS as u64),
        ..ImportOptions::default()
    };
    let report = crate::records::import_csv(ctx, writer, record_type, std::io::Cursor::new(file), &options).await?;
    Ok(sample
        .into_iter()
        .map(|(line, cells)| {
            let rejected = report.rejected.iter().find(|r| r.line == line);
            let skipped = report.left_out().into_iter().find(|r| r.line == line && r.outcome == "skipped");
            PreviewRow {
                line,
                cells,
                outcome: if rejected.is_some() {
                    "reject"
                } else if skipped.is_some() {
                    "skip"
                } else if report.updated_lines.contains(&line) {
                    "update"
                } else {
                    "create"
                },
                errors: rejected.map(|r| r.errors.clone()).unwrap_or_default(),
                reason: skipped.map(|s| s.reason),
            }
        })
        .collect())
}

/// The mapping value that asks for a new custom field named after the column.
pub const NEW_CUSTOM_FIELD: &str = "new_custom_field";

/// Creates a text custom field for each column `mapping` maps to
/// [`NEW_CUSTOM_FIELD`] (an administrator's choice in the wizard), or takes
/// the one of that key if it exists, and maps the column to it.
pub async fn create_fields_for_columns(
    ctx: &Ctx,
    admin: &rapport_core::access::Admin,
    import: &Import,
    mapping: &mut [Option<String>],
) -> Result<()> {
    let record_type = kind_of(import)?;
    for (index, target) in mapping.iter_mut().enumerate() {
        if target.as_deref() != Some(NEW_CUSTOM_FIELD) {
            continue;
        }
        let header = import.columns.get(index).map(String::as_str).unwrap_or_default();
        let definition = rapport_core::import::custom_field_for_column(record_type, header).ok_or_else(|| {
            DomainError::invalid(
                format!("mapping[{index}]"),
                "invalid_key",
                format!("the column '{header}' needs a name with letters to become a field"),
            )
        })?;
        let snapshot = ctx.snapshot().await?;
        if !snapshot.custom_fields_of(record_type).iter().any(|d| d.key == definition.key) {
            crate::settings::create_custom_field(ctx, admin, &definition).await?;
        }
        *target = Some(format!("custom.{}", definition.key));
    }
    Ok(())
}

/// Queues a draft for the worker.
pub async fn start(ctx: &Ctx, writer: &Writer, id: Uuid) -> Result<Import> {
    let actor: &Actor = writer;
    let import = get(ctx, actor, id).await?;
    if import.status != ImportStatus::Draft {
        return Err(DomainError::Conflict {
            code: "import_started",
            message: "this import has already started".into(),
        }
        .into());
    }
    check_mapping(ctx, &import, &import.settings.mapping).await?;
    set_status(ctx, id, ImportStatus::Draft, ImportStatus::Queued).await?;
    get(ctx, actor, id).await
}

async fn set_status(ctx: &Ctx, id: Uuid, from: ImportStatus, to: ImportStatus) -> Result<()> {
    let update = Query::update()
        .table("imports")
        .value("status", to.as_str())
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(from.as_str()))
        .to_owned();
    let tx = ctx.db.write().await?;
    let done = tx.execute(&update).await.context("change an import's status")?.rows_affected();
    tx.commit().await?;
    if done == 0 {
        return Err(DomainError::Conflict {
            code: "import_changed",
            message: "this import changed meanwhile; reload it".into(),
        }
        .into());
    }
    Ok(())
}

/// Stops an import: one not started yet at once, a running one after the
/// batch being stored (the batches before stay, and can be undone).
pub async fn cancel(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<Import> {
    let import = get(ctx, actor, id).await?;
    let update =
        Query::update().table("imports").value("cancel_requested", true).and_where(Expr::col("id").eq(id)).to_owned();
    let tx = ctx.db.write().await?;
    match import.status {
        ImportStatus::Draft | ImportStatus::Queued => {
            let finish = Query::update()
                .table("imports")
                .value("status", ImportStatus::Cancelled.as_str())
                .value("finished_at", ctx.now())
                .value("file", Option::<Vec<u8>>::None)
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("status").is_in([ImportStatus::Draft.as_str(), ImportStatus::Queued.as_str()]))
                .to_owned();
            tx.execute(&finish).await.context("cancel an import")?;
        }
        ImportStatus::Running => {
            tx.execute(&update).await.context("cancel an import")?;
        }
        _ => {
            return Err(DomainError::Conflict {
                code: "import_finished",
                message: "this import has finished: undo it instead".into(),
            }
            .into());
        }
    }
    tx.commit().await?;
    get(ctx, actor, id).await
}

/// Moves the records an import created to the trash.
pub async fn undo(ctx: &Ctx, writer: &Writer, id: Uuid) -> Result<Import> {
    let actor: &Actor = writer;
    let import = get(ctx, actor, id).await?;
    if !import.status.can_undo() {
        let (code, message) = match import.status {
            ImportStatus::Undone => ("import_undone", "this import is already undone"),
            _ => ("import_unfinished", "this import has not finished: cancel it first"),
        };
        return Err(DomainError::Conflict { code, message: message.into() }.into());
    }
    let undone = crate::records::undo_import(ctx, writer, kind_of(&import)?, id).await?;
    tracing::info!(import = %id, removed = undone.removed, reverted = undone.reverted, left = undone.left, "import undone");
    let update = Query::update()
        .table("imports")
        .value("status", ImportStatus::Undone.as_str())
        .value("undone_at", ctx.now())
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let tx = ctx.db.write().await?;
    tx.execute(&update).await.context("mark an import undone")?;
    tx.commit().await?;
    get(ctx, actor, id).await
}

/// How far a tracked import has come, stored with each batch it commits.
pub struct Progress {
    pub counts: ImportCounts,
    pub next_line: u64,
    pub bytes_done: u64,
}

/// A row an import left out, for its report.
pub struct LeftOut<'a> {
    pub line: u64,
    pub cells: &'a [String],
    /// `rejected` or `skipped`.
    pub outcome: &'static str,
    pub reason: String,
}

/// Stores a tracked import's progress and the rows its batch left out, in
/// the batch's transaction, and extends the worker's lease.
pub(crate) async fn record_progress(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    id: Uuid,
    progress: &Progress,
    left_out: &[LeftOut<'_>],
) -> Result<()> {
    let counts = &progress.counts;
    let update = Query::update()
        .table("imports")
        .value("next_line", progress.next_line as i64)
        .value("bytes_done", progress.bytes_done as i64)
        .value("rows_read", counts.rows as i64)
        .value("created", counts.created as i64)
        .value("updated", counts.updated as i64)
        .value("skipped", counts.skipped as i64)
        .value("rejected", counts.rejected as i64)
        .value("leased_until", now + LEASE)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    conn.execute(&update).await.context("record an import's progress")?;
    for chunk in left_out.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table("import_left_out").columns(["import_id", "line", "outcome", "cells", "reason"]);
        for row in chunk {
            // PostgreSQL's text holds no NUL, which a rejected row may have.
            let cells: Vec<String> = row.cells.iter().map(|cell| cell.replace('\0', "\u{FFFD}")).collect();
            insert.values_panic([
                id.into(),
                (row.line as i64).into(),
                row.outcome.into(),
                to_json(&cells).into(),
                row.reason.replace('\0', "\u{FFFD}").into(),
            ]);
        }
        // A resumed batch may have stored its rows left out before the crash.
        insert.on_conflict(sea_orm::sea_query::OnConflict::columns(["import_id", "line"]).do_nothing().to_owned());
        conn.execute(&insert).await.context("keep the rows an import left out")?;
    }
    Ok(())
}

/// Whether the user asked a running import to stop.
pub(crate) async fn cancel_requested(conn: &impl ConnectionTrait, id: Uuid) -> Result<bool> {
    let query = Query::select().column("cancel_requested").from("imports").and_where(Expr::col("id").eq(id)).to_owned();
    let row = conn.query_one(&query).await.context("check an import")?;
    Ok(row.map(|r| r.try_get::<bool>("", "cancel_requested")).transpose().context("check an import")?.unwrap_or(false))
}

/// Takes the next import due: a queued one, or a running one whose worker
/// stopped holding it (it crashed, or was killed). `None` when there is none.
pub async fn claim_next(ctx: &Ctx) -> Result<Option<Uuid>> {
    let now = ctx.now();
    let due = Expr::col("status")
        .eq(ImportStatus::Queued.as_str())
        .or(Expr::col("status").eq(ImportStatus::Running.as_str()).and(Expr::col("leased_until").lt(now)));
    let query = Query::select()
        .column("id")
        .from("imports")
        .and_where(due.clone())
        .order_by("created_at", Order::Asc)
        .limit(1)
        .to_owned();
    let tx = ctx.db.write().await?;
    let Some(row) = tx.query_one(&query).await.context("find a due import")? else {
        return Ok(None);
    };
    let id: Uuid = row.try_get("", "id").context("read a due import")?;
    let claim = Query::update()
        .table("imports")
        .value("status", ImportStatus::Running.as_str())
        .value("leased_until", now + LEASE)
        .value("started_at", Expr::col("started_at").if_null(now))
        .and_where(Expr::col("id").eq(id))
        .and_where(due)
        .to_owned();
    let claimed = tx.execute(&claim).await.context("claim an import")?.rows_affected() == 1;
    tx.commit().await?;
    Ok(claimed.then_some(id))
}

/// Runs a claimed import to its end, from where an earlier run stopped.
pub async fn run(ctx: &Ctx, id: Uuid) -> Result<ImportStatus> {
    let mut query = Query::select();
    query.columns(COLUMNS).from("imports").and_where(Expr::col("id").eq(id));
    let row = ctx.db.conn().query_one(&query).await.context("load an import")?.ok_or_else(not_found)?;
    let (import, next_line) = read_import(&row)?;
    let finish = |status: ImportStatus, error: Option<String>| {
        Query::update()
            .table("imports")
            .value("status", status.as_str())
            .value("error", error)
            .value("finished_at", ctx.now())
            .value("leased_until", Option::<DateTime<Utc>>::None)
            .value("file", Option::<Vec<u8>>::None)
            .and_where(Expr::col("id").eq(id))
            .to_owned()
    };
    let writer = crate::users::actor(ctx.db.conn(), UserId(import.user_id), Scope::ReadWrite)
        .await?
        .and_then(|actor| Writer::try_from(actor).ok());
    let outcome = match writer {
        None => Err(DomainError::Forbidden("the user who started this import can no longer write records").into()),
        Some(writer) => {
            let file = file_of(ctx.db.conn(), id).await?;
            let settings = &import.settings;
            let options = ImportOptions {
                on_duplicate: settings.on_duplicate,
                match_by: settings.match_by,
                create_missing: settings.create_missing,
                encoding: settings.encoding,
                mapping: Some(settings.mapping.clone()),
                decimal: Some(settings.formats.decimal),
                dates: Some(settings.formats.dates),
                tracked: Some(Tracked { id, resume_at_line: next_line, counts: import.counts }),
                ..ImportOptions::default()
            };
            crate::records::import_csv(ctx, &writer, kind_of(&import)?, std::io::Cursor::new(file), &options).await
        }
    };
    let (status, error) = match outcome {
        Ok(report) if report.cancelled => (ImportStatus::Cancelled, None),
        Ok(_) => (ImportStatus::Done, None),
        Err(crate::Error::Domain(error)) => (ImportStatus::Failed, Some(error.to_string())),
        // Storage failed: the lease runs out and a worker resumes it.
        Err(other) => return Err(other),
    };
    let tx = ctx.db.write().await?;
    tx.execute(&finish(status, error)).await.context("finish an import")?;
    // What it brought in is looked over for likely duplicates (rows whose
    // key is already stored were skipped; similar names and other keys were not).
    let kind = kind_of(&import)?;
    if status == ImportStatus::Done && kind.rules().duplicates().is_some() {
        let key = format!("duplicate_scan:{}:import:{id}", kind.as_str());
        let payload = serde_json::json!({"record_type": kind.as_str()});
        let now = ctx.now();
        crate::jobs::enqueue(&*tx, rapport_core::jobs::JobKind::DuplicateScan, &payload, now, Some(&key), now).await?;
    }
    tx.commit().await?;
    Ok(status)
}

/// Every row a tracked import left out, as CSV: the file's columns, then
/// `line`, `outcome` and `reason`.
pub async fn left_out_report(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<String> {
    let import = get(ctx, actor, id).await?;
    let query = Query::select()
        .columns(["line", "outcome", "cells", "reason"])
        .from("import_left_out")
        .and_where(Expr::col("import_id").eq(id))
        .order_by("line", Order::Asc)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("load an import's report")?;
    let mut read = Vec::with_capacity(rows.len());
    for row in &rows {
        const CTX: &str = "read an import's report";
        let cells: String = row.try_get("", "cells").context(CTX)?;
        read.push((
            row.try_get::<i64>("", "line").context(CTX)? as u64,
            serde_json::from_str::<Vec<String>>(&cells).unwrap_or_default(),
            row.try_get::<String>("", "outcome").context(CTX)?,
            row.try_get::<String>("", "reason").context(CTX)?,
        ));
    }
    left_out_csv(
        &import.columns,
        read.iter().map(|(line, cells, outcome, reason)| (*line, cells.as_slice(), outcome.as_str(), reason.as_str())),
    )
}

/// The first rows a tracked import left out, for its page.
pub async fn first_left_out(ctx: &Ctx, actor: &Actor, id: Uuid, limit: u64) -> Result<Vec<(u64, String, String)>> {
    get(ctx, actor, id).await?;
    let query = Query::select()
        .columns(["line", "outcome", "reason"])
        .from("import_left_out")
        .and_where(Expr::col("import_id").eq(id))
        .order_by("line", Order::Asc)
        .limit(limit)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("load an import's report")?;
    rows.iter()
        .map(|row| {
            const CTX: &str = "read an import's report";
            Ok((
                row.try_get::<i64>("", "line").context(CTX)? as u64,
                row.try_get("", "outcome").context(CTX)?,
                row.try_get("", "reason").context(CTX)?,
            ))
        })
        .collect()
}

/// Rows left out, as CSV: each row's cells under the file's header, then its
/// line, what happened to it and why. Rows with more cells than the header
/// keep them all.
pub(crate) fn left_out_csv<'a>(
    columns: &[String],
    rows: impl Iterator<Item = (u64, &'a [String], &'a str, &'a str)>,
) -> Result<String> {
    let mut out = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let write = |e: csv::Error| crate::Error::Config(format!("cannot write the import report: {e}"));
    let mut header: Vec<&str> = columns.iter().map(String::as_str).collect();
    header.extend(["line", "outcome", "reason"]);
    out.write_record(&header).map_err(write)?;
    for (line, cells, outcome, reason) in rows {
        // PostgreSQL's text holds no NUL, which a rejected row may have.
        let mut record: Vec<String> = cells.iter().map(|cell| cell.replace('\0', "\u{FFFD}")).collect();
        if record.len() < columns.len() {
            record.resize(columns.len(), String::new());
        }
        record.extend([line.to_string(), outcome.to_owned(), reason.to_owned()]);
        out.write_record(&record).map_err(write)?;
    }
    let bytes = out.into_inner().map_err(|e| crate::Error::Config(format!("cannot write the import report: {e}")))?;
    String::from_utf8(bytes).map_err(|e| crate::Error::Config(format!("the import report is not UTF-8: {e}")))
}

/// Keeps the report of an import that left rows out; `None` when it left
/// none out.
pub async fn save_report(
    ctx: &Ctx,
    actor: &Actor,
    record_type: RecordType,
    report: &ImportReport,
) -> Result<Option<Uuid>> {
    if report.rejected.is_empty() && report.duplicates.is_empty() {
        return Ok(None);
    }
    let csv = report.left_out_csv()?;
    let id = Uuid::now_v7();
    let tx = ctx.db.write().await?;
    let insert = Query::insert()
        .into_table("import_reports")
        .columns(["id", "user_id", "record_type", "created_at", "csv"])
        .values_panic([id.into(), actor.user_id.into(), record_type.plural().into(), ctx.now().into(), csv.into()])
        .to_owned();
    tx.execute(&insert).await.context("keep an import report")?;
    tx.commit().await?;
    Ok(Some(id))
}

/// A report as CSV, for the user who ran the import (or an administrator).
/// Anyone else is told it does not exist.
pub async fn report_csv(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<String> {
    let mut query = Query::select();
    query.column("csv").from("import_reports").and_where(Expr::col("id").eq(id));
    if actor.role != Role::Admin {
        query.and_where(Expr::col("user_id").eq(actor.user_id));
    }
    let row = ctx.db.conn().query_one(&query).await.context("load an import report")?;
    let row = row.ok_or(DomainError::not_found("import report"))?;
    row.try_get("", "csv").context("read an import report")
}

/// Problems an import's answer shows; the report has all of them.
pub const FIRST_SHOWN: usize = 10;

/// What an import's answer says: counts that add up to the rows read, the
/// first few problems, and the report with every row left out. A file of a
/// million bad rows gets an answer of a few kilobytes.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    /// The file's header row.
    pub columns: Vec<String>,
    /// Data rows read: `created + updated + skipped + rejected`.
    pub rows: u64,
    pub created: u64,
    /// Written into the stored record they matched (`on_duplicate=update`).
    pub updated: u64,
    /// Left out as duplicates of a stored record or of an earlier row.
    pub skipped: u64,
    pub rejected: u64,
    /// The first rejected rows: line and errors (their cells are in the report).
    pub first_rejected: Vec<RejectedLine>,
    pub first_skipped: Vec<DuplicateRow>,
    /// Where the report of every row left out downloads as CSV, while kept.
    pub report: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectedLine {
    pub line: u64,
    pub errors: Vec<rapport_core::FieldError>,
}

impl ImportSummary {
    /// The summary of `report`, whose rows left out download at `report_url`.
    pub fn new(report: &ImportReport, report_url: Option<String>) -> Self {
        let counts = report.counts();
        Self {
            columns: report.columns.clone(),
            rows: counts.rows,
            created: counts.created,
            updated: counts.updated,
            skipped: counts.skipped,
            rejected: counts.rejected,
            first_rejected: report
                .rejected
                .iter()
                .take(FIRST_SHOWN)
                .map(|row| RejectedLine { line: row.line, errors: row.errors.clone() })
                .collect(),
            first_skipped: report.duplicates.iter().take(FIRST_SHOWN).cloned().collect(),
            report: report_url,
        }
    }
}
