//! The audit log: who changed what, when.

use chrono::{DateTime, Utc};
use rapport_core::audit::{AuditAction, FieldChange};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, InsertStatement, Order, Query};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Result, StorageContext};

/// An entry to append.
pub struct NewEntry {
    pub at: DateTime<Utc>,
    pub actor: Option<Uuid>,
    pub record_type: RecordType,
    pub record_id: Uuid,
    pub action: AuditAction,
    pub changes: Vec<FieldChange>,
    /// The import that made the change, which undoing it reverts.
    pub import_id: Option<Uuid>,
}

/// Appends one entry, in the caller's transaction.
pub async fn record(
    conn: &impl ConnectionTrait,
    at: DateTime<Utc>,
    actor: Option<Uuid>,
    record_type: RecordType,
    record_id: Uuid,
    action: AuditAction,
    changes: &[FieldChange],
) -> Result<()> {
    let entry = NewEntry { at, actor, record_type, record_id, action, changes: changes.to_vec(), import_id: None };
    record_many(conn, std::slice::from_ref(&entry)).await
}

/// Appends entries with multi-row inserts, in the caller's transaction.
pub async fn record_many(conn: &impl ConnectionTrait, entries: &[NewEntry]) -> Result<()> {
    for insert in inserts(entries) {
        crate::backend::execute_insert(conn, &insert).await.context("write the audit log")?;
    }
    Ok(())
}

/// The multi-row inserts that append `entries`.
pub(crate) fn inserts(entries: &[NewEntry]) -> impl Iterator<Item = InsertStatement> + '_ {
    crate::row::statement_chunks(entries, 8).map(|chunk| {
        let mut insert = Query::insert();
        insert.into_table("audit_log").columns([
            "id",
            "at",
            "actor_id",
            "record_type",
            "record_id",
            "action",
            "changes",
            "import_id",
        ]);
        for e in chunk {
            insert.values_panic([
                Uuid::now_v7().into(),
                e.at.into(),
                e.actor.into(),
                e.record_type.as_str().into(),
                e.record_id.into(),
                e.action.as_str().into(),
                serde_json::to_value(&e.changes).unwrap_or(Value::Null).into(),
                e.import_id.into(),
            ]);
        }
        insert
    })
}

/// The records an import created (its rows, and the companies or contacts
/// they named that it created), oldest first: (kind, id).
pub async fn created_by_import(conn: &impl ConnectionTrait, import_id: Uuid) -> Result<Vec<(String, Uuid)>> {
    let query = Query::select()
        .columns(["record_type", "record_id"])
        .from("audit_log")
        .and_where(Expr::col("import_id").eq(import_id))
        .and_where(Expr::col("action").eq(AuditAction::Create.as_str()))
        .order_by("id", Order::Asc)
        .to_owned();
    let rows = conn.query_all(&query).await.context("find what an import created")?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("", "record_type").context("read what an import created")?;
            Ok((kind, row.try_get("", "record_id").context("read what an import created")?))
        })
        .collect()
}

/// The changes an import made to records it did not create, newest first:
/// (record, changes as `FieldChange`s).
pub async fn updated_by_import(conn: &impl ConnectionTrait, import_id: Uuid) -> Result<Vec<(Uuid, Vec<FieldChange>)>> {
    let query = Query::select()
        .columns(["record_id", "changes"])
        .from("audit_log")
        .and_where(Expr::col("import_id").eq(import_id))
        .and_where(Expr::col("action").eq(AuditAction::Update.as_str()))
        .order_by("id", Order::Desc)
        .to_owned();
    let rows = conn.query_all(&query).await.context("find what an import changed")?;
    rows.iter()
        .map(|row| {
            let changes: Value = row.try_get("", "changes").context("read what an import changed")?;
            let changes = serde_json::from_value(changes).unwrap_or_default();
            Ok((row.try_get("", "record_id").context("read what an import changed")?, changes))
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub record_type: String,
    pub record_id: Uuid,
    pub action: String,
    #[schema(value_type = Object)]
    pub changes: Value,
}

/// Entries of one record, newest first, older than `before` when given.
pub async fn for_record(
    conn: &impl ConnectionTrait,
    record_id: RecordId,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<AuditEntry>> {
    let mut query = Query::select();
    query
        .columns(["id", "at", "actor_id", "record_type", "record_id", "action", "changes"])
        .from("audit_log")
        .and_where(Expr::col("record_id").eq(record_id.0));
    if let Some((at, id)) = before {
        query.cond_where(
            sea_orm::sea_query::Cond::any()
                .add(Expr::col("at").lt(at))
                .add(sea_orm::sea_query::Cond::all().add(Expr::col("at").eq(at)).add(Expr::col("id").lt(id))),
        );
    }
    query.order_by("at", Order::Desc).order_by("id", Order::Desc).limit(limit);
    let rows = conn.query_all(&query).await.context("read the audit log")?;
    rows.iter()
        .map(|r| {
            const CTX: &str = "read an audit entry";
            Ok(AuditEntry {
                id: r.try_get("", "id").context(CTX)?,
                at: r.try_get("", "at").context(CTX)?,
                actor_id: r.try_get("", "actor_id").context(CTX)?,
                record_type: r.try_get("", "record_type").context(CTX)?,
                record_id: r.try_get("", "record_id").context(CTX)?,
                action: r.try_get("", "action").context(CTX)?,
                changes: r.try_get("", "changes").context(CTX)?,
            })
        })
        .collect()
}

/// Replaces the personal values in every entry of one record with
/// `[erased]` (see [`rapport_core::privacy::Personal::redact_changes`]), in
/// the caller's transaction; how many entries changed.
pub async fn redact(
    conn: &impl ConnectionTrait,
    record_id: Uuid,
    personal: &rapport_core::privacy::Personal,
) -> Result<u64> {
    let query = Query::select()
        .columns(["id", "changes"])
        .from("audit_log")
        .and_where(Expr::col("record_id").eq(record_id))
        .to_owned();
    let mut redacted = 0;
    for row in conn.query_all(&query).await.context("read the audit log to redact it")? {
        let id: Uuid = row.try_get("", "id").context("read an audit entry")?;
        let mut changes: Value = row.try_get("", "changes").context("read an audit entry")?;
        if !personal.redact_changes(&mut changes) {
            continue;
        }
        let update =
            Query::update().table("audit_log").value("changes", changes).and_where(Expr::col("id").eq(id)).to_owned();
        conn.execute(&update).await.context("redact an audit entry")?;
        redacted += 1;
    }
    Ok(redacted)
}
