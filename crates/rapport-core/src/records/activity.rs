//! Tasks, calls, meetings, e-mails and notes, linked to the records they concern.

use serde_json::{Map, Value, json};

use super::{field_list, is_blank};
use crate::descriptor::{CrossFieldRule, Effect, ImportAlias, KindRules, PendingWrite, RecordKind, StoredWrite};
use crate::jobs::JobKind;
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::{FieldError, ValidationErrors};

pub const KINDS: &[&str] = &["task", "call", "meeting", "email", "note"];

pub const FIELDS: &[FieldSpec] = field_list!([
    FieldSpec::new("kind", FieldKind::Enum(KINDS)).required().indexed().label("activity.field.kind").listed(),
    FieldSpec::new("subject", FieldKind::Text { max: 300 }).title().listed(),
    FieldSpec::new("body", FieldKind::LongText).body(),
    FieldSpec::new("due_at", FieldKind::DateTime).indexed().group("schedule").listed(),
    FieldSpec::new("starts_at", FieldKind::DateTime).group("schedule"),
    FieldSpec::new("ends_at", FieldKind::DateTime).group("schedule"),
    FieldSpec::new("done", FieldKind::Bool).indexed().listed(),
    FieldSpec::new("outcome", FieldKind::Text { max: 500 }),
    FieldSpec::new("duration_minutes", FieldKind::Integer { min: 0, max: 100_000 }).group("schedule"),
    FieldSpec::new("related", FieldKind::RefList).help(),
    FieldSpec::new("participants", FieldKind::UserList),
    FieldSpec::new("reminder_at", FieldKind::DateTime).group("schedule").help(),
]);

pub static KIND: RecordKind = RecordKind {
    name: "activity",
    plural: "activities",
    fields: FIELDS,
    display_name: &["subject"],
    duplicate_key: None,
    import_aliases: &[&[
        ImportAlias { field: "subject", headers: &["assunto", "asunto", "title", "titulo"] },
        ImportAlias { field: "body", headers: &["description", "descricao", "descripcion", "notes", "notas"] },
        ImportAlias { field: "due_at", headers: &["due", "due_date", "prazo", "vencimiento"] },
    ]],
    rules: &Activity,
    example: || serde_json::json!({"kind": "call", "subject": "Ligar para a Ana", "due_at": "2026-03-02T14:00:00Z"}),
};

impl RecordType {
    pub const ACTIVITY: RecordType = RecordType::of(&KIND);
}

struct Activity;

const NEEDS_A_SUBJECT: CrossFieldRule =
    CrossFieldRule { field: "subject", code: "required", rule: "tasks, calls, meetings and e-mails need a subject" };
const NOTE_NEEDS_TEXT: CrossFieldRule =
    CrossFieldRule { field: "body", code: "required", rule: "a note needs text: a body or a subject" };
const ENDS_AFTER_START: CrossFieldRule =
    CrossFieldRule { field: "ends_at", code: "before_start", rule: "the end must not be before the start" };
const RULES: &[CrossFieldRule] = &[NEEDS_A_SUBJECT, NOTE_NEEDS_TEXT, ENDS_AFTER_START];

fn broken(rule: CrossFieldRule) -> FieldError {
    FieldError::new(rule.field, rule.code, rule.rule)
}

impl KindRules for Activity {
    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        RULES
    }

    fn check(&self, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        check(record)
    }

    /// An activity is open until someone says it is done: `false`, never
    /// empty, so that "my open tasks" is one indexed comparison.
    fn before_write(&self, write: &mut PendingWrite<'_>) -> Result<(), crate::DomainError> {
        if write.fields.get("done").is_none_or(Value::is_null) {
            write.fields.insert("done".into(), Value::Bool(false));
        }
        Ok(())
    }

    /// An open activity with a reminder time gets a reminder job, once per time.
    fn after_write(&self, write: &StoredWrite<'_>) -> Vec<Effect> {
        let reminder = write.text("reminder_at");
        let done = write.fields.get("done").and_then(Value::as_bool).unwrap_or(false);
        let changed = write.old.is_none() || write.old_text("reminder_at") != reminder;
        let at = reminder.and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
        match at {
            Some(at) if !done && changed => {
                let at = at.with_timezone(&chrono::Utc);
                vec![Effect::Enqueue {
                    kind: JobKind::ActivityReminder,
                    payload: json!({"activity_id": write.id, "reminder_at": reminder}),
                    run_at: at,
                    dedup_key: format!("reminder:{}:{}", write.id, at.timestamp_micros()),
                }]
            }
            _ => Vec::new(),
        }
    }
}

fn check(record: &Map<String, Value>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let kind = record.get("kind").and_then(Value::as_str);
    if kind != Some("note") && is_blank(record, "subject") {
        errors.push(broken(NEEDS_A_SUBJECT));
    }
    if kind == Some("note") && is_blank(record, "body") && is_blank(record, "subject") {
        errors.push(broken(NOTE_NEEDS_TEXT));
    }
    let time =
        |k: &str| record.get(k).and_then(Value::as_str).and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
    if let (Some(start), Some(end)) = (time("starts_at"), time("ends_at")) {
        if end < start {
            errors.push(broken(ENDS_AFTER_START));
        }
    }
    errors.into_result()
}
