//! What is special about one record type, around the generic write path.

use rapport_core::access::Actor;
use rapport_core::records::pipeline::status_for_stage;
use rapport_core::schema::RecordType;
use rapport_core::{DomainError, FieldError};
use sea_orm::ConnectionTrait;
use serde_json::{Map, Value, json};

use super::Record;
use crate::error::Result;
use crate::jobs::{self, JobKind};
use crate::pipelines::{self, Pipeline};
use crate::row::timestamp_json;

/// The pipelines a write of this record type needs (deals only).
pub async fn pipelines_for(conn: &impl ConnectionTrait, record_type: RecordType) -> Result<Vec<Pipeline>> {
    match record_type {
        RecordType::Deal => pipelines::list(conn).await,
        _ => Ok(Vec::new()),
    }
}

/// Fills defaults and derived fields before the rules run.
pub fn before_write(
    pipelines: &[Pipeline],
    old: Option<&Record>,
    record: &mut Record,
    input: &Map<String, Value>,
) -> Result<()> {
    match record.record_type {
        RecordType::Deal => deal_stage(pipelines, old, record, input),
        RecordType::Lead => {
            if record.fields.get("status").is_none_or(Value::is_null) {
                record.fields.insert("status".into(), rapport_core::records::lead::DEFAULT_STATUS.into());
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A deal sits in a stage of its pipeline; its status, probability (unless
/// overridden) and close time follow the stage.
fn deal_stage(
    pipelines: &[Pipeline],
    old: Option<&Record>,
    record: &mut Record,
    input: &Map<String, Value>,
) -> Result<()> {
    if input.contains_key("status") {
        return Err(DomainError::invalid(
            "status",
            "derived_field",
            "status follows the stage: move the deal to a won or lost stage",
        )
        .into());
    }
    let pipeline_changed = old.is_none_or(|o| o.uuid("pipeline_id") != record.uuid("pipeline_id"));
    let pipeline = match record.uuid("pipeline_id") {
        Some(id) => pipelines
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| DomainError::invalid("pipeline_id", "unknown_reference", "no pipeline with this id"))?,
        None => pipelines.iter().find(|p| p.is_default).ok_or_else(|| {
            DomainError::invalid("pipeline_id", "required", "there is no default pipeline: create one first")
        })?,
    };
    record.fields.insert("pipeline_id".into(), pipeline.id.to_string().into());
    let stage_given = input.get("stage_id").is_some_and(|v| !v.is_null());
    let stage = match record.uuid("stage_id") {
        Some(id) if stage_given || !pipeline_changed => {
            pipeline.stages.iter().find(|s| s.id == id).ok_or_else(|| {
                DomainError::Validation(
                    FieldError::new(
                        "stage_id",
                        "stage_not_in_pipeline",
                        "the stage does not belong to the deal's pipeline",
                    )
                    .into(),
                )
            })?
        }
        _ => pipeline
            .stages
            .first()
            .ok_or_else(|| DomainError::invalid("pipeline_id", "empty_pipeline", "the pipeline has no stages"))?,
    };
    record.fields.insert("stage_id".into(), stage.id.to_string().into());
    if input.get("probability").is_some_and(|v| !v.is_null()) {
        record.fields.insert("probability_overridden".into(), true.into());
    }
    let overridden = record.fields.get("probability_overridden").and_then(Value::as_bool).unwrap_or(false);
    if !overridden || record.fields.get("probability").is_none_or(Value::is_null) {
        record.fields.insert("probability".into(), stage.probability.into());
        record.fields.insert("probability_overridden".into(), false.into());
    }
    let status = status_for_stage(stage.is_won, stage.is_lost);
    let was_closed = old.and_then(|o| o.text("status")).is_some_and(|s| s != "open");
    record.fields.insert("status".into(), status.into());
    if status == "open" {
        record.fields.insert("closed_at".into(), Value::Null);
    } else if !was_closed || record.fields.get("closed_at").is_none_or(Value::is_null) {
        record.fields.insert("closed_at".into(), timestamp_json(record.updated_at));
    }
    Ok(())
}

/// Work a write causes, in the same transaction: stage history, jobs.
pub async fn after_write(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    old: Option<&Record>,
    record: &Record,
) -> Result<()> {
    match record.record_type {
        RecordType::Deal => {
            let from = old.and_then(|o| o.uuid("stage_id"));
            let to = record.uuid("stage_id");
            if let (Some(to), Some(pipeline)) = (to, record.uuid("pipeline_id")) {
                if from != Some(to) {
                    pipelines::record_stage_change(
                        conn,
                        record.id,
                        pipeline,
                        from,
                        to,
                        record.updated_at,
                        actor.user_id,
                    )
                    .await?;
                }
            }
        }
        RecordType::Activity => {
            let reminder = record.text("reminder_at");
            let done = record.fields.get("done").and_then(Value::as_bool).unwrap_or(false);
            let changed = old.is_none_or(|o| o.text("reminder_at") != reminder);
            if let (Some(at), false, true) = (reminder.and_then(crate::row::parse_timestamp), done, changed) {
                let payload = json!({"activity_id": record.id, "reminder_at": reminder});
                let dedup = format!("reminder:{}:{}", record.id, at.timestamp_micros());
                jobs::enqueue(conn, JobKind::ActivityReminder, &payload, at, Some(&dedup), record.updated_at).await?;
            }
        }
        RecordType::Lead => {
            let owner = record.owner_id;
            let reassigned = old.is_none_or(|o| o.owner_id != owner);
            if let (Some(owner), true) = (owner, reassigned) {
                if owner != actor.user_id {
                    let payload = json!({"lead_id": record.id, "owner_id": owner, "assigned_by": actor.user_id});
                    let dedup = format!("lead_assigned:{}:{}", record.id, record.version);
                    jobs::enqueue(
                        conn,
                        JobKind::LeadAssigned,
                        &payload,
                        record.updated_at,
                        Some(&dedup),
                        record.updated_at,
                    )
                    .await?;
                }
            }
        }
        RecordType::Contact | RecordType::Company => {}
    }
    Ok(())
}
