//! Runs a kind's hooks (`rapport_core::descriptor::KindRules`) around the
//! generic write path: loads what they need, and does the work they ask for
//! in the write's transaction.

use rapport_core::access::Actor;
use rapport_core::descriptor::{Effect, PendingWrite, StoredWrite};
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use serde_json::{Map, Value};

use super::Record;
use crate::error::Result;
use crate::jobs;
use crate::pipelines::{self, Pipeline};

/// What the hooks of a kind's writes read from storage, loaded once per batch.
#[derive(Debug, Default)]
pub struct HookData {
    pipelines: Vec<Pipeline>,
}

pub async fn load(conn: &impl ConnectionTrait, record_type: RecordType) -> Result<HookData> {
    let needs = record_type.rules().needs();
    Ok(HookData { pipelines: if needs.pipelines { pipelines::list(conn).await? } else { Vec::new() } })
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
        }
    }
    Ok(())
}
