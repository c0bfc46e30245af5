//! Exports of a list, written by the worker for sets too big to download
//! while the user waits: the list's filters and sort, read a page at a time
//! with the requester's visibility, as CSV or as an Excel workbook, kept for
//! the requester to download for a few days.

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Scope};
use rapport_core::export::{ExportColumns, unneutralize};
use rapport_core::ids::UserId;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// The file an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl ExportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            _ => Self::Failed,
        }
    }
}

/// An export, without its file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Export {
    pub id: Uuid,
    pub record_type: String,
    pub format: ExportFormat,
    pub status: ExportStatus,
    /// Records written so far.
    pub rows_done: u64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// What the download is called: the kind and the day it was asked for.
    pub file_name: String,
}

/// A worker holds an export this long without progress before another may take it over.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);

/// Records read per query.
const PAGE: &str = "200";

/// Finished exports are kept this long.
pub const KEEP: chrono::Duration = chrono::Duration::days(7);

/// Excel reads a CSV file as UTF-8 only after this mark; the importer skips it.
pub const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

const COLUMNS: [&str; 8] = ["id", "record_type", "format", "status", "rows_done", "error", "created_at", "finished_at"];

fn not_found() -> crate::Error {
    DomainError::not_found("export").into()
}

fn read_export(row: &sea_orm::QueryResult) -> Result<Export> {
    const CTX: &str = "read an export";
    let record_type: String = row.try_get("", "record_type").context(CTX)?;
    let format: String = row.try_get("", "format").context(CTX)?;
    let status: String = row.try_get("", "status").context(CTX)?;
    let created_at: DateTime<Utc> = row.try_get("", "created_at").context(CTX)?;
    let format = ExportFormat::parse(&format).unwrap_or(ExportFormat::Csv);
    Ok(Export {
        id: row.try_get("", "id").context(CTX)?,
        file_name: format!("{record_type}-{}.{}", created_at.format("%Y-%m-%d"), format.as_str()),
        record_type,
        format,
        status: ExportStatus::parse(&status),
        rows_done: u64::try_from(row.try_get::<i64>("", "rows_done").context(CTX)?).unwrap_or(0),
        error: row.try_get("", "error").context(CTX)?,
        created_at,
        finished_at: row.try_get("", "finished_at").context(CTX)?,
    })
}

/// The list query without its paging, which the export does itself.
fn without_paging(query: &[(String, String)]) -> Vec<(String, String)> {
    query.iter().filter(|(k, _)| k != "cursor" && k != "limit").cloned().collect()
}

/// Queues an export of the list `query` selects (the list API's filters and
/// sort). A filter the list would refuse is refused here, before queueing.
pub async fn request(
    ctx: &Ctx,
    actor: &Actor,
    record_type: RecordType,
    format: ExportFormat,
    query: &[(String, String)],
) -> Result<Export> {
    let mut query = without_paging(query);
    let mut probe = query.clone();
    probe.push(("limit".into(), "1".into()));
    crate::records::list(ctx, actor, record_type, &probe).await?;
    query.sort();
    let id = Uuid::now_v7();
    let insert = Query::insert()
        .into_table("exports")
        .columns(["id", "user_id", "record_type", "format", "query", "status", "created_at"])
        .values_panic([
            id.into(),
            actor.user_id.into(),
            record_type.plural().into(),
            format.as_str().into(),
            serde_json::to_string(&query).unwrap_or_default().into(),
            ExportStatus::Queued.as_str().into(),
            ctx.now().into(),
        ])
        .to_owned();
    let tx = ctx.db.write().await?;
    tx.execute(&insert).await.context("queue an export")?;
    tx.commit().await?;
    get(ctx, actor, id).await
}

/// An export the actor asked for (exports hold what its requester may see).
pub async fn get(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<Export> {
    let query = Query::select()
        .columns(COLUMNS)
        .from("exports")
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("user_id").eq(actor.user_id))
        .to_owned();
    let row = ctx.db.conn().query_one(&query).await.context("load an export")?;
    read_export(&row.ok_or_else(not_found)?)
}

/// A finished export's file.
pub async fn file(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<(Export, Vec<u8>)> {
    let export = get(ctx, actor, id).await?;
    let query = Query::select().column("file").from("exports").and_where(Expr::col("id").eq(id)).to_owned();
    let row = ctx.db.conn().query_one(&query).await.context("load an export's file")?.ok_or_else(not_found)?;
    let file: Option<Vec<u8>> = row.try_get("", "file").context("read an export's file")?;
    match file {
        Some(file) if export.status == ExportStatus::Done => Ok((export, file)),
        _ => Err(DomainError::Conflict { code: "export_not_ready", message: "this export is not finished yet".into() }
            .into()),
    }
}

/// Takes the oldest queued export (or one whose worker stopped) for this worker.
pub async fn claim_next(ctx: &Ctx) -> Result<Option<Uuid>> {
    let now = ctx.now();
    let due = Expr::col("status")
        .eq(ExportStatus::Queued.as_str())
        .or(Expr::col("status").eq(ExportStatus::Running.as_str()).and(Expr::col("leased_until").lt(now)));
    let query = Query::select()
        .column("id")
        .from("exports")
        .and_where(due.clone())
        .order_by("created_at", Order::Asc)
        .limit(1)
        .to_owned();
    let tx = ctx.db.write().await?;
    let Some(row) = tx.query_one(&query).await.context("find a due export")? else {
        return Ok(None);
    };
    let id: Uuid = row.try_get("", "id").context("read a due export")?;
    let claim = Query::update()
        .table("exports")
        .value("status", ExportStatus::Running.as_str())
        .value("leased_until", now + LEASE)
        .and_where(Expr::col("id").eq(id))
        .and_where(due)
        .to_owned();
    let claimed = tx.execute(&claim).await.context("claim an export")?.rows_affected() == 1;
    tx.commit().await?;
    Ok(claimed.then_some(id))
}

/// Writes a claimed export from its first record (a file half written by a
/// stopped worker is not kept, so a retry starts over) and stores the file.
pub async fn run(ctx: &Ctx, id: Uuid) -> Result<ExportStatus> {
    let query = Query::select()
        .columns(COLUMNS)
        .columns(["user_id", "query"])
        .from("exports")
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let row = ctx.db.conn().query_one(&query).await.context("load an export")?.ok_or_else(not_found)?;
    let export = read_export(&row)?;
    let user_id: Uuid = row.try_get("", "user_id").context("read an export")?;
    let list_query: String = row.try_get("", "query").context("read an export")?;
    let list_query: Vec<(String, String)> = serde_json::from_str(&list_query).unwrap_or_default();
    let outcome = write(ctx, &export, user_id, list_query).await;
    let (status, file, error) = match outcome {
        Ok(file) => (ExportStatus::Done, Some(file), None),
        Err(error) => {
            tracing::warn!(export = %id, %error, "an export failed");
            (ExportStatus::Failed, None, Some(error.to_string()))
        }
    };
    let finish = Query::update()
        .table("exports")
        .value("status", status.as_str())
        .value("file", file)
        .value("error", error)
        .value("finished_at", ctx.now())
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let tx = ctx.db.write().await?;
    tx.execute(&finish).await.context("finish an export")?;
    tx.commit().await?;
    Ok(status)
}

async fn write(ctx: &Ctx, export: &Export, user_id: Uuid, mut query: Vec<(String, String)>) -> Result<Vec<u8>> {
    let record_type = RecordType::from_plural(&export.record_type).ok_or_else(not_found)?;
    let actor = crate::users::actor(ctx.db.conn(), UserId(user_id), Scope::Read)
        .await?
        .ok_or(DomainError::Forbidden("the user who asked for this export can no longer sign in"))?;
    let snapshot = ctx.snapshot().await?;
    let columns = ExportColumns::new(record_type, snapshot.custom_fields_of(record_type));
    let (pages, receiver) = tokio::sync::mpsc::channel::<Vec<Vec<String>>>(2);
    let format = export.format;
    let headers = columns.headers();
    let writer = tokio::task::spawn_blocking(move || write_file(format, &headers, receiver));
    query.push(("limit".into(), PAGE.into()));
    let mut cursor: Option<String> = None;
    let mut done: u64 = 0;
    let read = async {
        loop {
            let mut paged = query.clone();
            if let Some(cursor) = &cursor {
                paged.push(("cursor".into(), cursor.clone()));
            }
            let page = crate::records::list(ctx, &actor, record_type, &paged).await?;
            let rows: Vec<Vec<String>> = page
                .items
                .iter()
                .filter_map(|record| match record.to_json() {
                    serde_json::Value::Object(fields) => Some(columns.row(&fields)),
                    _ => None,
                })
                .collect();
            done += rows.len() as u64;
            if pages.send(rows).await.is_err() {
                break;
            }
            record_progress(ctx, export.id, done).await?;
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok::<(), crate::Error>(())
    };
    let read = read.await;
    drop(pages);
    let file = writer.await.map_err(|e| crate::Error::Config(format!("the export stopped: {e}")))?;
    read?;
    file.map_err(|e| crate::Error::Config(format!("cannot write the export: {e}")))
}

async fn record_progress(ctx: &Ctx, id: Uuid, rows_done: u64) -> Result<()> {
    let update = Query::update()
        .table("exports")
        .value("rows_done", rows_done as i64)
        .value("leased_until", ctx.now() + LEASE)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let tx = ctx.db.write().await?;
    tx.execute(&update).await.context("record an export's progress")?;
    tx.commit().await
}

/// The file of the rows that arrive: CSV (with the mark Excel needs to read
/// UTF-8, and formula-like cells neutralised), or a workbook whose rows go to
/// disk as they are written, so that a million rows take constant memory.
fn write_file(
    format: ExportFormat,
    headers: &[String],
    mut pages: tokio::sync::mpsc::Receiver<Vec<Vec<String>>>,
) -> std::result::Result<Vec<u8>, String> {
    match format {
        ExportFormat::Csv => {
            let mut out =
                csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(BYTE_ORDER_MARK.to_vec());
            out.write_record(headers).map_err(|e| e.to_string())?;
            while let Some(rows) = pages.blocking_recv() {
                for row in rows {
                    out.write_record(&row).map_err(|e| e.to_string())?;
                }
            }
            out.into_inner().map_err(|e| e.to_string())
        }
        ExportFormat::Xlsx => {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            let sheet = workbook.add_worksheet_with_constant_memory().map_err(|e| e.to_string())?;
            let last_column = u16::try_from(headers.len().saturating_sub(1)).map_err(|e| e.to_string())?;
            sheet.set_column_range_width(0, last_column, 18).map_err(|e| e.to_string())?;
            sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
            for (column, header) in headers.iter().enumerate() {
                sheet.write_string_with_format(0, column as u16, header, &bold).map_err(|e| e.to_string())?;
            }
            let mut row_index: u32 = 0;
            while let Some(rows) = pages.blocking_recv() {
                for row in rows {
                    row_index += 1;
                    for (column, cell) in row.iter().enumerate() {
                        // A string cell is never run as a formula: the value is written as it is.
                        let cell = unneutralize(cell);
                        if !cell.is_empty() {
                            sheet.write_string(row_index, column as u16, cell).map_err(|e| e.to_string())?;
                        }
                    }
                }
            }
            sheet.autofilter(0, 0, row_index, last_column).map_err(|e| e.to_string())?;
            workbook.save_to_buffer().map_err(|e| e.to_string())
        }
    }
}

/// Removes exports finished before `before` (their files are the big part).
pub async fn purge_finished(ctx: &Ctx, before: DateTime<Utc>) -> Result<u64> {
    let delete = Query::delete().from_table("exports").and_where(Expr::col("finished_at").lt(before)).to_owned();
    let tx = ctx.db.write().await?;
    let removed = tx.execute(&delete).await.context("remove old exports")?.rows_affected();
    tx.commit().await?;
    Ok(removed)
}
