use serde_json::{Map, Value};

use super::{field_list, is_blank};
use crate::schema::{FieldKind, FieldSpec};
use crate::{FieldError, ValidationErrors};

pub const KINDS: &[&str] = &["task", "call", "meeting", "email", "note"];

pub const FIELDS: &[FieldSpec] = field_list!([
    FieldSpec::new("kind", FieldKind::Enum(KINDS)).required().indexed(),
    FieldSpec::new("subject", FieldKind::Text { max: 300 }).title(),
    FieldSpec::new("body", FieldKind::LongText).body(),
    FieldSpec::new("due_at", FieldKind::DateTime).indexed(),
    FieldSpec::new("starts_at", FieldKind::DateTime),
    FieldSpec::new("ends_at", FieldKind::DateTime),
    FieldSpec::new("done", FieldKind::Bool).indexed(),
    FieldSpec::new("outcome", FieldKind::Text { max: 500 }),
    FieldSpec::new("duration_minutes", FieldKind::Integer { min: 0, max: 100_000 }),
    FieldSpec::new("related", FieldKind::RefList),
    FieldSpec::new("participants", FieldKind::UserList),
    FieldSpec::new("reminder_at", FieldKind::DateTime),
]);

pub fn check(record: &Map<String, Value>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let kind = record.get("kind").and_then(Value::as_str);
    if kind != Some("note") && is_blank(record, "subject") {
        errors.push(FieldError::required("subject"));
    }
    if kind == Some("note") && is_blank(record, "body") && is_blank(record, "subject") {
        errors.push(FieldError::new("body", "required", "a note needs text"));
    }
    let time =
        |k: &str| record.get(k).and_then(Value::as_str).and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
    if let (Some(start), Some(end)) = (time("starts_at"), time("ends_at")) {
        if end < start {
            errors.push(FieldError::new("ends_at", "before_start", "the end must not be before the start"));
        }
    }
    errors.into_result()
}
