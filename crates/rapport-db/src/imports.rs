//! The reports of imports: every row an import left out, kept for a while
//! for the user who ran it to download, fix and import again. An import's
//! answer carries counts and the first few problems; this is the rest.

use rapport_core::DomainError;
use rapport_core::access::{Actor, Role};
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::records::{DuplicateRow, ImportReport};
use crate::settings::Ctx;

/// Days a report is kept before the worker purges it.
pub const REPORT_RETENTION_DAYS: i64 = 30;

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
    /// Data rows read: `created + skipped + rejected`.
    pub rows: u64,
    pub created: u64,
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
        Self {
            columns: report.columns.clone(),
            rows: report.rows,
            created: report.created,
            skipped: report.duplicates.len() as u64,
            rejected: report.rejected.len() as u64,
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
