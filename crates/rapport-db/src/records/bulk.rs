//! Bulk create, update and delete: each item's outcome is reported.

use rapport_core::DomainError;
use rapport_core::access::{Actor, Writer};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use serde_json::Value;

use super::Record;
use super::service::{delete_in, prepare_new, store_new, update_in};
use crate::error::{Error, Result};
use crate::idempotency::Completion;
use crate::settings::Ctx;

pub const MAX_BULK_ITEMS: usize = 1000;

/// The outcome of one item of a bulk request, by its position in the request.
#[derive(Debug)]
pub struct BulkItemResult {
    pub index: usize,
    pub outcome: Result<Option<Record>>,
}

fn check_size(len: usize) -> Result<()> {
    if len == 0 || len > MAX_BULK_ITEMS {
        return Err(DomainError::invalid(
            "items",
            "out_of_range",
            format!("send between 1 and {MAX_BULK_ITEMS} items"),
        )
        .into());
    }
    Ok(())
}

/// Validates every item, then stores all valid ones in one transaction.
/// Invalid items are reported and do not stop the others.
pub async fn bulk_create(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    items: &[Value],
) -> Result<Vec<BulkItemResult>> {
    bulk_create_idempotent(ctx, writer, record_type, items, None).await
}

/// [`bulk_create`] that also stores the answer to an `Idempotency-Key` in its transaction.
pub async fn bulk_create_idempotent(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    items: &[Value],
    completion: Option<&Completion<'_, Vec<BulkItemResult>>>,
) -> Result<Vec<BulkItemResult>> {
    let actor: &Actor = writer;
    check_size(items.len())?;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let prepared = prepare_new(ctx, &*tx, actor, &snapshot, record_type, items).await?;
    let mut valid = Vec::new();
    let mut failed = Vec::new();
    for (index, outcome) in prepared.into_iter().enumerate() {
        match outcome {
            Ok(record) => valid.push((index, record)),
            Err(e @ Error::Domain(_)) => failed.push(BulkItemResult { index, outcome: Err(e) }),
            Err(e) => return Err(e),
        }
    }
    let (indexes, mut records): (Vec<usize>, Vec<Record>) = valid.into_iter().unzip();
    super::numbering::assign(&*tx, &mut records).await?;
    store_new(&*tx, actor, &records).await?;
    let stored =
        indexes.into_iter().zip(records).map(|(index, record)| BulkItemResult { index, outcome: Ok(Some(record)) });
    let mut results: Vec<BulkItemResult> = stored.chain(failed).collect();
    results.sort_unstable_by_key(|r| r.index);
    crate::idempotency::complete_in(&*tx, completion, &results).await?;
    tx.commit().await?;
    Ok(results)
}

/// One item of a bulk update: the record, an optional expected version, the patch.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkPatch {
    pub id: RecordId,
    #[serde(default)]
    pub version: Option<i64>,
    #[schema(value_type = Object)]
    pub patch: Value,
}

/// Each item in its own transaction, so one conflict does not undo the rest.
pub async fn bulk_update(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    items: &[BulkPatch],
) -> Result<Vec<BulkItemResult>> {
    let actor: &Actor = writer;
    check_size(items.len())?;
    let snapshot = ctx.snapshot().await?;
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let tx = ctx.db.write().await?;
        match update_in(ctx, &*tx, actor, &snapshot, record_type, item.id, &item.patch, item.version, None).await {
            Ok(record) => {
                tx.commit().await?;
                results.push(BulkItemResult { index, outcome: Ok(Some(record)) });
            }
            Err(e @ Error::Domain(_)) => results.push(BulkItemResult { index, outcome: Err(e) }),
            Err(e) => return Err(e),
        }
    }
    Ok(results)
}

pub async fn bulk_delete(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    ids: &[RecordId],
) -> Result<Vec<BulkItemResult>> {
    let actor: &Actor = writer;
    check_size(ids.len())?;
    let snapshot = ctx.snapshot().await?;
    let mut results = Vec::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        let tx = ctx.db.write().await?;
        match delete_in(ctx, &*tx, actor, &snapshot, record_type, *id, None).await {
            Ok(()) => {
                tx.commit().await?;
                results.push(BulkItemResult { index, outcome: Ok(None) });
            }
            Err(e @ Error::Domain(_)) => results.push(BulkItemResult { index, outcome: Err(e) }),
            Err(e) => return Err(e),
        }
    }
    Ok(results)
}
