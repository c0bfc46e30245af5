use serde_json::{Map, Value};

use super::{field_list, is_blank, source_fields};
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::{FieldError, ValidationErrors};

pub const FIELDS: &[FieldSpec] = field_list!(
    [
        FieldSpec::new("name", FieldKind::Text { max: 200 }).required().indexed().title(),
        FieldSpec::new("company_id", FieldKind::Ref(RecordType::Company)).indexed(),
        FieldSpec::new("contact_id", FieldKind::Ref(RecordType::Contact)).indexed(),
        FieldSpec::new("contacts", FieldKind::RefList),
        FieldSpec::new("pipeline_id", FieldKind::PipelineRef).indexed(),
        FieldSpec::new("stage_id", FieldKind::StageRef).indexed(),
        FieldSpec::new("amount_minor", FieldKind::Integer { min: 0, max: 1_000_000_000_000_000 }).indexed(),
        FieldSpec::new("currency", FieldKind::Currency),
        FieldSpec::new("expected_close_date", FieldKind::Date).indexed(),
        FieldSpec::new("probability", FieldKind::Integer { min: 0, max: 100 }),
        // Set when `probability` is given; while false, the stage's probability applies.
        FieldSpec::new("probability_overridden", FieldKind::Bool),
        FieldSpec::new("competitor", FieldKind::Text { max: 200 }),
        FieldSpec::new("lost_reason", FieldKind::Text { max: 500 }),
        FieldSpec::new("status", FieldKind::Enum(&["open", "won", "lost"])).indexed(),
        FieldSpec::new("closed_at", FieldKind::DateTime),
    ],
    source_fields!(),
);

pub fn check(record: &Map<String, Value>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if !is_blank(record, "amount_minor") && is_blank(record, "currency") {
        errors.push(FieldError::new("currency", "required", "an amount needs a currency"));
    }
    if let Some(Value::Array(links)) = record.get("contacts") {
        for (i, link) in links.iter().enumerate() {
            if link.get("type").and_then(Value::as_str) != Some("contact") {
                errors.push(FieldError::new(
                    format!("contacts[{i}].type"),
                    "invalid_choice",
                    "deal contacts must be contacts",
                ));
            }
        }
    }
    errors.into_result()
}
