//! Follow-up cadences: a named list of steps ("call today, e-mail in two
//! days, call in five") that a record (a lead, contact or deal) runs through
//! once enrolled. Storage creates each step's activity when it is due and
//! stops an enrollment when a rule here says so. Pure: no I/O.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::schema::RecordType;
use crate::{DomainError, FieldError, ValidationErrors};

/// Most steps a cadence has.
pub const MAX_STEPS: usize = 30;
/// Most days after the start a step may be.
pub const MAX_DAY_OFFSET: i64 = 365;
const MAX_NAME: usize = 200;
const MAX_TITLE: usize = 200;
const MAX_NOTE: usize = 2000;

/// What a step asks the owner to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Call,
    Email,
    Task,
    Whatsapp,
}

impl StepKind {
    pub const ALL: [StepKind; 4] = [Self::Call, Self::Email, Self::Task, Self::Whatsapp];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Email => "email",
            Self::Task => "task",
            Self::Whatsapp => "whatsapp",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == input)
    }

    /// The kind of the activity the step creates (activities have no
    /// WhatsApp kind: a WhatsApp step is a task to send one).
    pub fn activity_kind(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Email => "email",
            Self::Task | Self::Whatsapp => "task",
        }
    }
}

/// One step of a cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Days after the enrollment started (0 = the same day).
    pub day_offset: i64,
    pub kind: StepKind,
    pub title: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A cadence as written by an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadenceInput {
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
    pub steps: Vec<Step>,
}

fn yes() -> bool {
    true
}

impl CadenceInput {
    /// Trims the texts and checks the rules: a name, 1 to 30 steps, each
    /// with a title and a day offset from 0 to 365, never earlier than the
    /// step before (steps run in order).
    pub fn checked(mut self) -> Result<Self, DomainError> {
        let mut errors = ValidationErrors::default();
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "required", "give the cadence a name"));
        } else if self.name.chars().count() > MAX_NAME {
            errors.push(FieldError::new("name", "too_long", format!("at most {MAX_NAME} characters")));
        }
        if self.steps.is_empty() {
            errors.push(FieldError::new("steps", "required", "a cadence needs at least one step"));
        }
        if self.steps.len() > MAX_STEPS {
            errors.push(FieldError::new("steps", "too_many", format!("at most {MAX_STEPS} steps")));
        }
        let mut previous = 0;
        for (i, step) in self.steps.iter_mut().enumerate() {
            let at = |field: &str| format!("steps[{i}].{field}");
            step.title = step.title.trim().to_owned();
            step.note = step.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
            if step.title.is_empty() {
                errors.push(FieldError::new(at("title"), "required", "each step needs a title"));
            } else if step.title.chars().count() > MAX_TITLE {
                errors.push(FieldError::new(at("title"), "too_long", format!("at most {MAX_TITLE} characters")));
            }
            if step.note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
                errors.push(FieldError::new(at("note"), "too_long", format!("at most {MAX_NOTE} characters")));
            }
            if !(0..=MAX_DAY_OFFSET).contains(&step.day_offset) {
                errors.push(FieldError::new(at("day_offset"), "out_of_range", "a day from 0 to 365"));
            } else if step.day_offset < previous {
                errors.push(FieldError::new(
                    at("day_offset"),
                    "step_before_previous",
                    "a step cannot come before the step above it",
                ));
            } else {
                previous = step.day_offset;
            }
        }
        errors.into_result().map_err(DomainError::from)?;
        Ok(self)
    }
}

/// When step `step` of an enrollment started at `started_at` is due.
pub fn due_at(started_at: DateTime<Utc>, step: &Step) -> DateTime<Utc> {
    started_at + Duration::days(step.day_offset)
}

/// The kinds a cadence can run on.
pub fn can_enroll(record_type: RecordType) -> bool {
    [RecordType::LEAD, RecordType::CONTACT, RecordType::DEAL].contains(&record_type)
}

/// Where an enrollment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentStatus {
    Active,
    /// Every step was created.
    Completed,
    Stopped,
}

impl EnrollmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Stopped => "stopped",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Active, Self::Completed, Self::Stopped].into_iter().find(|s| s.as_str() == input)
    }
}

/// Why an enrollment stopped before its last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The person answered: an activity on the record logged with the outcome "replied".
    Replied,
    /// The deal was won or lost.
    DealClosed,
    /// Its owner (or a manager) stopped it.
    ByOwner,
    /// The lead was converted.
    Converted,
    /// The lead was disqualified.
    Disqualified,
    /// The record was deleted.
    RecordDeleted,
}

impl StopReason {
    pub const ALL: [StopReason; 6] =
        [Self::Replied, Self::DealClosed, Self::ByOwner, Self::Converted, Self::Disqualified, Self::RecordDeleted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Replied => "replied",
            Self::DealClosed => "deal_closed",
            Self::ByOwner => "by_owner",
            Self::Converted => "converted",
            Self::Disqualified => "disqualified",
            Self::RecordDeleted => "record_deleted",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == input)
    }
}

/// Whether a write of a record ends its cadences: a deal that became won or
/// lost, a lead that became converted or disqualified.
pub fn stop_for_write(
    record_type: RecordType,
    old: Option<&Map<String, Value>>,
    new: &Map<String, Value>,
) -> Option<StopReason> {
    fn status(f: Option<&Map<String, Value>>) -> Option<&str> {
        f.and_then(|f| f.get("status")).and_then(Value::as_str)
    }
    let (before, after) = (status(old), status(Some(new)));
    if before == after {
        return None;
    }
    match (record_type, after) {
        (t, Some("won" | "lost")) if t == RecordType::DEAL => Some(StopReason::DealClosed),
        (t, Some("converted")) if t == RecordType::LEAD => Some(StopReason::Converted),
        (t, Some("disqualified")) if t == RecordType::LEAD => Some(StopReason::Disqualified),
        _ => None,
    }
}

/// The outcome that says the person answered.
pub const REPLIED_OUTCOME: &str = "replied";

/// Whether an activity write records a reply: a call, e-mail or meeting
/// whose outcome became "replied" (the composer's "They replied" choice).
pub fn is_reply(old: Option<&Map<String, Value>>, new: &Map<String, Value>) -> bool {
    fn outcome(f: Option<&Map<String, Value>>) -> Option<&str> {
        f.and_then(|f| f.get("outcome")).and_then(Value::as_str).map(str::trim)
    }
    let kind = new.get("kind").and_then(Value::as_str);
    let replied = outcome(Some(new)).is_some_and(|o| o.eq_ignore_ascii_case(REPLIED_OUTCOME));
    let was = outcome(old).is_some_and(|o| o.eq_ignore_ascii_case(REPLIED_OUTCOME));
    matches!(kind, Some("call" | "email" | "meeting")) && replied && !was
}

/// The rule that starts a cadence by itself: new leads whose source channel
/// is `lead_source` (compared without case) start `cadence_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoStart {
    pub lead_source: String,
    pub cadence_id: uuid::Uuid,
}

impl AutoStart {
    pub fn matches(&self, lead: &Map<String, Value>) -> bool {
        lead.get("source_channel")
            .and_then(Value::as_str)
            .is_some_and(|s| s.trim().eq_ignore_ascii_case(self.lead_source.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(day: i64, title: &str) -> Step {
        Step { day_offset: day, kind: StepKind::Call, title: title.into(), note: None }
    }

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_cadence_needs_a_name_and_steps_in_order() {
        let ok =
            CadenceInput { name: " Web leads ".into(), active: true, steps: vec![step(0, "Call"), step(2, "Mail")] };
        assert_eq!(ok.checked().unwrap().name, "Web leads");
        let bad =
            CadenceInput { name: " ".into(), active: true, steps: vec![step(3, "a"), step(1, " "), step(400, "b")] };
        let Err(DomainError::Validation(errors)) = bad.checked() else { panic!("must fail") };
        let fields: Vec<_> = errors.0.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert!(fields.contains(&("name", "required")));
        assert!(fields.contains(&("steps[1].title", "required")));
        assert!(fields.contains(&("steps[1].day_offset", "step_before_previous")));
        assert!(fields.contains(&("steps[2].day_offset", "out_of_range")));
        let empty = CadenceInput { name: "x".into(), active: true, steps: vec![] };
        assert!(empty.checked().is_err());
    }

    #[test]
    fn a_step_is_due_its_days_after_the_start() {
        let start = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(due_at(start, &step(0, "a")), start);
        assert_eq!(due_at(start, &step(5, "a")).to_rfc3339(), "2026-03-07T09:00:00+00:00");
    }

    #[test]
    fn closing_a_deal_or_converting_a_lead_stops_its_cadences() {
        let open = fields(json!({"status": "open"}));
        let won = fields(json!({"status": "won"}));
        assert_eq!(stop_for_write(RecordType::DEAL, Some(&open), &won), Some(StopReason::DealClosed));
        assert_eq!(stop_for_write(RecordType::DEAL, Some(&won), &won), None);
        assert_eq!(stop_for_write(RecordType::DEAL, Some(&won), &open), None);
        let converted = fields(json!({"status": "converted"}));
        assert_eq!(stop_for_write(RecordType::LEAD, None, &converted), Some(StopReason::Converted));
        assert_eq!(stop_for_write(RecordType::CONTACT, None, &converted), None);
    }

    #[test]
    fn a_call_logged_as_replied_is_a_reply_once() {
        let replied = fields(json!({"kind": "call", "outcome": " Replied "}));
        assert!(is_reply(None, &replied));
        assert!(!is_reply(Some(&replied), &replied));
        assert!(!is_reply(None, &fields(json!({"kind": "task", "outcome": "replied"}))));
        assert!(!is_reply(None, &fields(json!({"kind": "email", "outcome": "no answer"}))));
    }

    #[test]
    fn the_rule_matches_the_source_without_case() {
        let rule = AutoStart { lead_source: "web".into(), cadence_id: uuid::Uuid::nil() };
        assert!(rule.matches(&fields(json!({"source_channel": "Web"}))));
        assert!(!rule.matches(&fields(json!({"source_channel": "webinar"}))));
        assert!(!rule.matches(&fields(json!({}))));
    }
}
