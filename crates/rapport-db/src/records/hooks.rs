//! Runs a kind's hooks (`rapport_core::descriptor::KindRules`) around the
//! generic write path: loads what they need, and does the work they ask for
//! in the write's transaction.

use rapport_core::access::{Actor, ReadScope};
use rapport_core::audit::{AuditAction, diff};
use rapport_core::configurator::PricedProduct;
use rapport_core::descriptor::{Effect, PendingWrite, StoredWrite};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Record, keys, repo};
use crate::error::{Result, StorageContext};
use crate::jobs;
use crate::pipelines::{self, Pipeline};

/// What the hooks of a kind's writes read from storage, loaded once per batch.
#[derive(Debug, Default)]
pub struct HookData {
    pipelines: Vec<Pipeline>,
    products: Vec<PricedProduct>,
}

pub async fn load(conn: &impl ConnectionTrait, record_type: RecordType) -> Result<HookData> {
    let needs = record_type.rules().needs();
    Ok(HookData {
        pipelines: if needs.pipelines { pipelines::list(conn).await? } else { Vec::new() },
        products: if needs.products { live_products(conn).await? } else { Vec::new() },
    })
}

/// Every live product, as pricing reads it. A catalogue is hundreds of
/// products, not millions: read whole, once per write batch.
async fn live_products(conn: &impl ConnectionTrait) -> Result<Vec<PricedProduct>> {
    let mut query = repo::select(RecordType::PRODUCT);
    query.and_where(Expr::col("deleted_at").is_null());
    let rows = conn.query_all(&query).await.context("load the products")?;
    let mut products = Vec::with_capacity(rows.len());
    for row in &rows {
        let record = repo::from_row(RecordType::PRODUCT, row)?;
        // Rows are written through the product rules; one that does not
        // read is left out, and lines naming it get "unknown product".
        match rapport_core::records::product::priced(record.id.0, &record.fields) {
            Ok(product) => products.push(product),
            Err(e) => tracing::warn!(product = %record.id, error = %e.message, "a stored product does not read"),
        }
    }
    Ok(products)
}

/// Fills defaults and derived fields, then applies the kind's rules.
pub fn before_write(
    data: &HookData,
    old: Option<&Record>,
    record: &mut Record,
    input: &Map<String, Value>,
) -> Result<()> {
    let rules = record.record_type.rules();
    let mut write = PendingWrite {
        old: old.map(|o| &o.fields),
        fields: &mut record.fields,
        input,
        now: record.updated_at,
        pipelines: &data.pipelines,
        products: &data.products,
    };
    rules.before_write(&mut write)?;
    record.record_type.check_and_derive(&mut record.fields).map_err(rapport_core::DomainError::from)?;
    Ok(())
}

/// Gives each new record of a numbered kind the next number of its year, in
/// the creating transaction (a rollback gives the numbers back).
pub async fn number_new(conn: &impl ConnectionTrait, records: &mut [Record]) -> Result<()> {
    use chrono::Datelike;
    for record in records.iter_mut() {
        let Some(numbering) = record.record_type.rules().numbering() else { continue };
        // A revision keeps its quote's number.
        if record.fields.get(numbering.field).and_then(serde_json::Value::as_str).is_some_and(|s| !s.is_empty()) {
            continue;
        }
        let year = record.created_at.year();
        let number = crate::sequences::next(conn, record.record_type.as_str(), year).await?;
        record.fields.insert(numbering.field.into(), numbering.format(year, number).into());
    }
    Ok(())
}

/// Does the work a stored write causes, in the same transaction.
pub async fn after_write(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    old: Option<&Record>,
    record: &Record,
) -> Result<()> {
    let written = StoredWrite {
        id: record.id.0,
        version: record.version,
        actor: actor.user_id,
        at: record.updated_at,
        owner_id: record.owner_id,
        old_owner_id: old.map(|o| o.owner_id),
        old: old.map(|o| &o.fields),
        fields: &record.fields,
    };
    for effect in record.record_type.rules().after_write(&written) {
        match effect {
            Effect::Enqueue { kind, payload, run_at, dedup_key } => {
                jobs::enqueue(conn, kind, &payload, run_at, Some(&dedup_key), record.updated_at).await?;
            }
            Effect::StageChange { pipeline_id, from, to } => {
                pipelines::record_stage_change(
                    conn,
                    record.id.0,
                    pipeline_id,
                    from,
                    to,
                    record.updated_at,
                    actor.user_id,
                )
                .await?;
            }
            Effect::ReturnChanged { order_id } => {
                super::returns::hold_to_order(conn, actor, old, record, order_id).await?;
            }
            Effect::Follow { record_type, id, fields } => {
                follow(conn, actor, record_type, id, fields, record.updated_at).await?;
            }
        }
    }
    crate::cadences::after_record_write(conn, actor, old, record).await
}

/// Writes fields of a record that follow another one's (see
/// [`Effect::Follow`]): a new version and an audit entry, no hooks.
async fn follow(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    record_type: RecordType,
    id: Uuid,
    fields: Map<String, Value>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    // Bypasses visibility: the write that causes it was checked, and the
    // follower is the record it refers to.
    let Some(old) = repo::fetch(conn, record_type, RecordId(id), &ReadScope::All, false).await? else {
        return Ok(());
    };
    let mut record = old.clone();
    record.fields.extend(fields);
    let changes = diff(&old.audited(), &record.audited());
    if changes.is_empty() {
        return Ok(());
    }
    record.version = old.version + 1;
    record.updated_at = at;
    record.updated_by = Some(actor.user_id);
    if !repo::update(conn, &record, old.version).await? {
        return Err(rapport_core::DomainError::VersionMismatch { current: old.version + 1 }.into());
    }
    keys::index(conn, &record).await?;
    let entry = crate::audit::NewEntry {
        at,
        actor: Some(actor.user_id),
        record_type,
        record_id: id,
        action: AuditAction::Update,
        changes,
        import_id: None,
    };
    crate::audit::record_many(conn, std::slice::from_ref(&entry)).await
}
