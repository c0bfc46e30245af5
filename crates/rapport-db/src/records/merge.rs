//! Merging likely duplicates: the survivor takes the chosen values, every
//! reference to a merged record (a `Ref` field of any kind, or a link in a
//! `RefList`, found through the descriptors) moves to the survivor, and the
//! merged records go to the trash with a pointer to it. Everything is
//! audited and kept in `merges`/`merged_records`, so that a merge can be undone.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::{Actor, ReadScope, Writer};
use rapport_core::audit::{AuditAction, FieldChange, diff};
use rapport_core::ids::RecordId;
use rapport_core::schema::{FieldKind, RecordType};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::service::{fetch_visible, update_in};
use super::{Record, duplicates, keys, repo};
use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// At most this many records are merged into one at a time.
const MAX_MERGED: usize = 10;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The record that stays.
    pub survivor_id: RecordId,
    /// The records merged into it (to the trash, pointing at the survivor).
    pub merged_ids: Vec<RecordId>,
    /// Field name → the id of the record (the survivor or a merged one)
    /// whose value wins. A field not named keeps the survivor's value, or
    /// takes a merged record's when the survivor has none; lists (e-mails,
    /// phones, links) are joined.
    #[serde(default)]
    pub fields: BTreeMap<String, RecordId>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MergeResult {
    /// Pass to `POST /api/v1/merges/{id}/undo` to undo the merge.
    pub merge_id: Uuid,
    #[schema(value_type = Object)]
    pub survivor: Record,
    pub merged_ids: Vec<RecordId>,
    /// How many references to the merged records were moved to the survivor.
    pub moved: u64,
}

impl utoipa::PartialSchema for Record {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new().into()
    }
}

impl utoipa::ToSchema for Record {}

/// One reference a merge moved, as kept to undo it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Moved {
    #[serde(rename = "type")]
    record_type: String,
    id: Uuid,
    field: String,
    old: Value,
}

fn invalid(field: &str, code: &str, message: &str) -> crate::Error {
    DomainError::invalid(field, code, message).into()
}

#[tracing::instrument(skip_all, fields(record_type = %record_type), err(level = "debug"))]
pub async fn merge(ctx: &Ctx, writer: &Writer, record_type: RecordType, input: &MergeInput) -> Result<MergeResult> {
    let actor: &Actor = writer;
    let mut merged_ids = input.merged_ids.clone();
    merged_ids.sort_unstable();
    merged_ids.dedup();
    if merged_ids.is_empty() || merged_ids.len() > MAX_MERGED {
        return Err(invalid("merged_ids", "out_of_range", "merge 1 to 10 records into the survivor"));
    }
    if merged_ids.contains(&input.survivor_id) {
        return Err(invalid("merged_ids", "same_record", "the survivor cannot be merged into itself"));
    }
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let conn = &*tx;
    let survivor = fetch_visible(conn, actor, &snapshot, record_type, input.survivor_id, false).await?;
    let mut merged = Vec::new();
    for id in &input.merged_ids {
        let record = fetch_visible(conn, actor, &snapshot, record_type, *id, false).await?;
        actor.ensure_can_delete(record.owner_id)?;
        merged.push(record);
    }
    let mut choices = BTreeMap::new();
    for (field, id) in &input.fields {
        let index = if *id == survivor.id { Some(0) } else { merged.iter().position(|m| m.id == *id).map(|i| i + 1) };
        let index = index.ok_or_else(|| {
            invalid(&format!("fields.{field}"), "unknown_record", "the chosen record is not one of those merged")
        })?;
        choices.insert(field.clone(), index);
    }
    let others: Vec<&Map<String, Value>> = merged.iter().map(|m| &m.fields).collect();
    let mut patch = rapport_core::duplicates::merged_fields(record_type, &survivor.fields, &others, &choices)
        .map_err(|e| DomainError::from(rapport_core::ValidationErrors::from(e)))?;
    let mut tags = survivor.tags.clone();
    for tag in merged.iter().flat_map(|m| &m.tags) {
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            tags.push(tag.clone());
        }
    }
    let mut before: Map<String, Value> =
        patch.keys().map(|k| (k.clone(), survivor.fields.get(k).cloned().unwrap_or(Value::Null))).collect();
    if tags != survivor.tags {
        before.insert("tags".into(), json!(survivor.tags));
        patch.insert("tags".into(), json!(tags));
    }
    let now = ctx.now();
    // The merged ones leave first: their keys go with them.
    for record in &merged {
        if !repo::set_deleted(conn, record, Some((now, actor.user_id))).await? {
            return Err(DomainError::VersionMismatch { current: record.version + 1 }.into());
        }
        keys::unindex(conn, record.id.0).await?;
        duplicates::forget_pairs(conn, record.id.0).await?;
        let pointer = FieldChange { field: "merged_into".into(), old: Value::Null, new: json!(survivor.id) };
        crate::audit::record(conn, now, Some(actor.user_id), record_type, record.id.0, AuditAction::Merge, &[pointer])
            .await?;
    }
    if !patch.is_empty() {
        update_in(ctx, conn, actor, &snapshot, record_type, survivor.id, &Value::Object(patch), None, None).await?;
    }
    let merge_id = Uuid::now_v7();
    let mut moved_total = 0;
    for record in &merged {
        let moved = move_references(conn, actor.user_id, now, record.record_type, record.id.0, survivor.id.0).await?;
        moved_total += moved.len() as u64;
        let insert = Query::insert()
            .into_table("merged_records")
            .columns(["merge_id", "record_id", "moved"])
            .values_panic([
                merge_id.into(),
                record.id.0.into(),
                serde_json::to_value(&moved).unwrap_or_default().into(),
            ])
            .to_owned();
        conn.execute(&insert).await.context("keep what a merge moved")?;
    }
    let insert = Query::insert()
        .into_table("merges")
        .columns(["id", "record_type", "survivor_id", "actor_id", "at", "survivor_before"])
        .values_panic([
            merge_id.into(),
            record_type.as_str().into(),
            survivor.id.0.into(),
            actor.user_id.into(),
            now.into(),
            Value::Object(before).into(),
        ])
        .to_owned();
    conn.execute(&insert).await.context("record a merge")?;
    let merged_change = FieldChange {
        field: "merged".into(),
        old: Value::Null,
        new: json!(merged.iter().map(|m| m.id).collect::<Vec<_>>()),
    };
    crate::audit::record(
        conn,
        now,
        Some(actor.user_id),
        record_type,
        survivor.id.0,
        AuditAction::Merge,
        &[merged_change],
    )
    .await?;
    let survivor = fetch_visible(conn, actor, &snapshot, record_type, survivor.id, false).await?;
    tx.commit().await?;
    Ok(MergeResult { merge_id, survivor, merged_ids: merged.iter().map(|m| m.id).collect(), moved: moved_total })
}

/// Points every reference to `from` (of kind `from_type`) at `to`, in
/// records of every kind, live or trashed; returns what it changed.
async fn move_references(
    conn: &impl ConnectionTrait,
    actor: Uuid,
    now: DateTime<Utc>,
    from_type: RecordType,
    from: Uuid,
    to: Uuid,
) -> Result<Vec<Moved>> {
    let mut moved = Vec::new();
    for kind in RecordType::all() {
        for spec in kind.fields().iter().filter(|s| s.kind.ref_target() == Some(from_type)) {
            for id in repo::ids_where(conn, kind, spec.name, from).await? {
                if kind == from_type && id == from {
                    continue;
                }
                // A survivor that referred to the merged record would refer to itself.
                let new = if kind == from_type && id == to { Value::Null } else { json!(to) };
                if let Some(change) = rewrite(conn, actor, now, kind, id, spec.name, |_| new.clone()).await? {
                    moved.push(change);
                }
            }
        }
    }
    let links = Query::select()
        .columns(["source_type", "source_id"])
        .from("record_links")
        .and_where(Expr::col("target_id").eq(from))
        .to_owned();
    for row in conn.query_all(&links).await.context("find links to a merged record")? {
        let source_type: String = row.try_get("", "source_type").context("read a link")?;
        let source_id: Uuid = row.try_get("", "source_id").context("read a link")?;
        let Some(kind) = RecordType::parse(&source_type) else { continue };
        for spec in kind.fields().iter().filter(|s| s.kind == FieldKind::RefList) {
            let relink = |old: &Value| {
                let mut items = old.as_array().cloned().unwrap_or_default();
                for item in &mut items {
                    if item.get("id").and_then(Value::as_str) == Some(from.to_string().as_str()) {
                        item["id"] = json!(to);
                    }
                }
                // The survivor may have been linked already.
                let mut seen = Vec::new();
                items.retain(|item| {
                    let id = item.get("id").cloned();
                    let first = !seen.contains(&id);
                    seen.push(id);
                    first
                });
                Value::Array(items)
            };
            if let Some(change) = rewrite(conn, actor, now, kind, source_id, spec.name, relink).await? {
                moved.push(change);
            }
        }
    }
    Ok(moved)
}

/// Sets one field of a record (live or trashed) to `new(old)`, audited and
/// re-indexed; `None` when that changes nothing.
async fn rewrite(
    conn: &impl ConnectionTrait,
    actor: Uuid,
    now: DateTime<Utc>,
    record_type: RecordType,
    id: Uuid,
    field: &str,
    new: impl Fn(&Value) -> Value,
) -> Result<Option<Moved>> {
    let Some(mut record) = repo::fetch_many(conn, record_type, &[id], &ReadScope::All, true).await?.pop() else {
        return Ok(None);
    };
    let old = record.fields.get(field).cloned().unwrap_or(Value::Null);
    let value = new(&old);
    if value == old {
        return Ok(None);
    }
    let before = record.clone();
    record.fields.insert(field.to_owned(), value);
    record.version += 1;
    record.updated_at = now;
    record.updated_by = Some(actor);
    if !repo::update_live_or_trashed(conn, &record, before.version).await? {
        return Err(DomainError::VersionMismatch { current: before.version + 1 }.into());
    }
    if record.deleted_at.is_none() {
        keys::index(conn, &record).await?;
    }
    let changes = diff(&before.audited(), &record.audited());
    crate::audit::record(conn, now, Some(actor), record_type, id, AuditAction::Update, &changes).await?;
    Ok(Some(Moved { record_type: record_type.as_str().into(), id, field: field.to_owned(), old }))
}

/// Where a trashed record went: the merge that took it, and its survivor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MergedPointer {
    pub merge_id: Uuid,
    pub survivor_id: RecordId,
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    pub undone: bool,
}

/// The latest merge a record was merged away by, if any.
pub async fn merged_into(ctx: &Ctx, record_id: RecordId) -> Result<Option<MergedPointer>> {
    let query = Query::select()
        .columns([("merges", "id"), ("merges", "survivor_id"), ("merges", "at"), ("merges", "undone_at")])
        .from("merged_records")
        .inner_join("merges", Expr::col(("merges", "id")).equals(("merged_records", "merge_id")))
        .and_where(Expr::col(("merged_records", "record_id")).eq(record_id.0))
        .order_by(("merges", "at"), sea_orm::sea_query::Order::Desc)
        .limit(1)
        .to_owned();
    let Some(row) = ctx.db.conn().query_one(&query).await.context("find a merge")? else { return Ok(None) };
    const CTX: &str = "read a merge";
    Ok(Some(MergedPointer {
        merge_id: row.try_get("", "id").context(CTX)?,
        survivor_id: RecordId(row.try_get("", "survivor_id").context(CTX)?),
        at: row.try_get("", "at").context(CTX)?,
        undone: row.try_get::<Option<DateTime<Utc>>>("", "undone_at").context(CTX)?.is_some(),
    }))
}

/// Undoes a merge: the merged records come back from the trash, the moved
/// references point at them again, and the survivor gets its values back.
#[tracing::instrument(skip_all, fields(%merge_id), err(level = "debug"))]
pub async fn undo_merge(ctx: &Ctx, writer: &Writer, merge_id: Uuid) -> Result<Record> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let conn = &*tx;
    let query = Query::select()
        .columns(["record_type", "survivor_id", "survivor_before", "undone_at"])
        .from("merges")
        .and_where(Expr::col("id").eq(merge_id))
        .to_owned();
    let row = conn.query_one(&query).await.context("load a merge")?.ok_or(DomainError::not_found("merge"))?;
    const CTX: &str = "read a merge";
    let type_name: String = row.try_get("", "record_type").context(CTX)?;
    let record_type = RecordType::parse(&type_name).ok_or(DomainError::not_found("merge"))?;
    let survivor_id = RecordId(row.try_get("", "survivor_id").context(CTX)?);
    let before: Value = row.try_get("", "survivor_before").context(CTX)?;
    // "Not found" also when the survivor is not the actor's to see.
    fetch_visible(conn, actor, &snapshot, record_type, survivor_id, false)
        .await
        .map_err(|_| DomainError::not_found("merge"))?;
    if row.try_get::<Option<DateTime<Utc>>>("", "undone_at").context(CTX)?.is_some() {
        return Err(
            DomainError::Conflict { code: "already_undone", message: "this merge was already undone".into() }.into()
        );
    }
    let now = ctx.now();
    let parts = Query::select()
        .columns(["record_id", "moved"])
        .from("merged_records")
        .and_where(Expr::col("merge_id").eq(merge_id))
        .to_owned();
    let mut moved_back = Vec::new();
    for part in conn.query_all(&parts).await.context("load what a merge moved")? {
        let id: Uuid = part.try_get("", "record_id").context(CTX)?;
        let moved: Value = part.try_get("", "moved").context(CTX)?;
        let mut record =
            fetch_visible(conn, actor, &snapshot, record_type, RecordId(id), true).await.map_err(|_| {
                DomainError::Conflict {
                    code: "merged_record_gone",
                    message: "a merged record is no longer in the trash".into(),
                }
            })?;
        actor.ensure_can_delete(record.owner_id)?;
        if !repo::set_deleted(conn, &record, None).await? {
            return Err(DomainError::VersionMismatch { current: record.version + 1 }.into());
        }
        record.version += 1;
        record.deleted_at = None;
        keys::index(conn, &record).await?;
        crate::audit::record(conn, now, Some(actor.user_id), record_type, id, AuditAction::Restore, &[]).await?;
        moved_back.extend(serde_json::from_value::<Vec<Moved>>(moved).unwrap_or_default());
    }
    for moved in moved_back {
        let Some(kind) = RecordType::parse(&moved.record_type) else { continue };
        rewrite(conn, actor.user_id, now, kind, moved.id, &moved.field, |_| moved.old.clone()).await?;
    }
    if before.as_object().is_some_and(|b| !b.is_empty()) {
        update_in(ctx, conn, actor, &snapshot, record_type, survivor_id, &before, None, None).await?;
    }
    let done = Query::update()
        .table("merges")
        .value("undone_at", now)
        .value("undone_by", actor.user_id)
        .and_where(Expr::col("id").eq(merge_id))
        .to_owned();
    conn.execute(&done).await.context("mark a merge undone")?;
    let survivor = fetch_visible(conn, actor, &snapshot, record_type, survivor_id, false).await?;
    tx.commit().await?;
    Ok(survivor)
}
