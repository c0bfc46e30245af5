//! A contract's signed documents, the bytes kept in the database
//! (`contract_documents`): checked by `rapport_core::contract_documents`
//! (size, type from the bytes), seen by whoever sees the contract, added by
//! its writers, and audited on the contract.

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Writer};
use rapport_core::audit::{AuditAction, FieldChange};
use rapport_core::contract_documents::check;
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::service::fetch_visible;
use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// At most this many documents per contract.
pub const MAX_DOCUMENTS: usize = 50;

/// A stored document, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DocumentInfo {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub file_name: String,
    /// As read from the bytes when it was stored.
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the bytes, in hex: what was signed.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
}

/// A document with its bytes, for download.
#[derive(Debug, Clone)]
pub struct Document {
    pub info: DocumentInfo,
    pub bytes: Vec<u8>,
}

const INFO_COLUMNS: [&str; 8] =
    ["id", "contract_id", "file_name", "content_type", "size_bytes", "sha256", "created_at", "created_by"];

fn read_info(row: &sea_orm::QueryResult) -> Result<DocumentInfo> {
    const CTX: &str = "read a contract document";
    Ok(DocumentInfo {
        id: row.try_get("", "id").context(CTX)?,
        contract_id: row.try_get("", "contract_id").context(CTX)?,
        file_name: row.try_get("", "file_name").context(CTX)?,
        content_type: row.try_get("", "content_type").context(CTX)?,
        size_bytes: row.try_get("", "size_bytes").context(CTX)?,
        sha256: row.try_get("", "sha256").context(CTX)?,
        created_at: row.try_get("", "created_at").context(CTX)?,
        created_by: row.try_get("", "created_by").context(CTX)?,
    })
}

async fn list_in(conn: &impl ConnectionTrait, contract: RecordId) -> Result<Vec<DocumentInfo>> {
    let query = Query::select()
        .columns(INFO_COLUMNS)
        .from("contract_documents")
        .and_where(Expr::col("contract_id").eq(contract.0))
        .order_by("created_at", Order::Desc)
        .order_by("id", Order::Desc)
        .to_owned();
    let rows = conn.query_all(&query).await.context("read a contract's documents")?;
    rows.iter().map(read_info).collect()
}

/// Stores a signed document on a contract the writer can see. An oversized
/// file, one whose bytes are not a PDF, PNG, JPEG or DOCX, or whose name
/// says another type is refused (a validation error on `file`), and nothing
/// is stored.
#[tracing::instrument(skip_all, fields(%contract, size = bytes.len()), err(level = "debug"))]
pub async fn add(
    ctx: &Ctx,
    writer: &Writer,
    contract: RecordId,
    file_name: &str,
    bytes: &[u8],
) -> Result<DocumentInfo> {
    let (file_name, kind) = check(file_name, bytes).map_err(|e| DomainError::Validation(e.into()))?;
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    fetch_visible(&*tx, actor, &snapshot, RecordType::CONTRACT, contract, false).await?;
    if list_in(&*tx, contract).await?.len() >= MAX_DOCUMENTS {
        let error = rapport_core::FieldError::new(
            "file",
            "contract_too_many_documents",
            format!("at most {MAX_DOCUMENTS} documents"),
        )
        .with("max", MAX_DOCUMENTS);
        return Err(DomainError::Validation(error.into()).into());
    }
    let info = DocumentInfo {
        id: Uuid::now_v7(),
        contract_id: contract.0,
        file_name,
        content_type: kind.content_type.to_owned(),
        size_bytes: bytes.len() as i64,
        sha256: Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect(),
        created_at: ctx.now(),
        created_by: Some(actor.user_id),
    };
    let insert = Query::insert()
        .into_table("contract_documents")
        .columns(INFO_COLUMNS.into_iter().chain(["bytes"]))
        .values_panic([
            info.id.into(),
            info.contract_id.into(),
            info.file_name.clone().into(),
            info.content_type.clone().into(),
            info.size_bytes.into(),
            info.sha256.clone().into(),
            info.created_at.into(),
            info.created_by.into(),
            bytes.to_vec().into(),
        ])
        .to_owned();
    tx.execute(&insert).await.context("store a contract document")?;
    audit(&*tx, actor, contract, info.created_at, Value::Null, summary(&info)).await?;
    tx.commit().await?;
    Ok(info)
}

/// The document as the audit log keeps it: never its bytes.
fn summary(info: &DocumentInfo) -> Value {
    json!({"id": info.id, "file_name": info.file_name, "content_type": info.content_type,
        "size_bytes": info.size_bytes, "sha256": info.sha256})
}

async fn audit(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    contract: RecordId,
    at: DateTime<Utc>,
    old: Value,
    new: Value,
) -> Result<()> {
    let change = FieldChange { field: "documents".into(), old, new };
    crate::audit::record(
        conn,
        at,
        Some(actor.user_id),
        RecordType::CONTRACT,
        contract.0,
        AuditAction::Update,
        &[change],
    )
    .await
}

/// The documents of a contract the actor can see, newest first.
pub async fn list(ctx: &Ctx, actor: &Actor, contract: RecordId) -> Result<Vec<DocumentInfo>> {
    let snapshot = ctx.snapshot().await?;
    let conn = ctx.db.conn();
    fetch_visible(conn, actor, &snapshot, RecordType::CONTRACT, contract, false).await?;
    list_in(conn, contract).await
}

/// One document with its bytes, of a contract the actor can see.
pub async fn get(ctx: &Ctx, actor: &Actor, contract: RecordId, id: Uuid) -> Result<Document> {
    let snapshot = ctx.snapshot().await?;
    let conn = ctx.db.conn();
    fetch_visible(conn, actor, &snapshot, RecordType::CONTRACT, contract, false).await?;
    let query = Query::select()
        .columns(INFO_COLUMNS.into_iter().chain(["bytes"]))
        .from("contract_documents")
        .and_where(Expr::col("contract_id").eq(contract.0))
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let row = conn.query_one(&query).await.context("read a contract document")?;
    let row = row.ok_or(DomainError::not_found("document"))?;
    Ok(Document { info: read_info(&row)?, bytes: row.try_get("", "bytes").context("read a contract document")? })
}

/// Removes a document: by whoever may delete the contract (its owner, a
/// manager, an administrator). Audited with what it was.
pub async fn remove(ctx: &Ctx, writer: &Writer, contract: RecordId, id: Uuid) -> Result<()> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let record = fetch_visible(&*tx, actor, &snapshot, RecordType::CONTRACT, contract, false).await?;
    actor.ensure_can_delete(record.owner_id)?;
    let Some(info) = list_in(&*tx, contract).await?.into_iter().find(|d| d.id == id) else {
        return Err(DomainError::not_found("document").into());
    };
    let delete = Query::delete().from_table("contract_documents").and_where(Expr::col("id").eq(id)).to_owned();
    tx.execute(&delete).await.context("remove a contract document")?;
    audit(&*tx, actor, contract, ctx.now(), summary(&info), Value::Null).await?;
    tx.commit().await
}
