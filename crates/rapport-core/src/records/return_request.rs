//! A customer's request to return part of an order: which lines and how
//! many, why, and what they want (refund, exchange, store credit). Storage
//! holds it to the order (`crate::returns`) whenever it is written.

use serde_json::{Map, Value};

use super::{field_list, is_blank};
use crate::descriptor::{CrossFieldRule, Effect, KindRules, Numbering, PendingWrite, RecordKind, StoredWrite};
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::values::Money;
use crate::{DomainError, FieldError, ValidationErrors};

pub const STATUSES: &[&str] = &["requested", "approved", "rejected", "received", "refunded", "closed"];

pub const TRANSITIONS: &[(&str, &[&str])] = &[
    ("requested", &["approved", "rejected"]),
    ("approved", &["received", "refunded", "closed"]),
    ("received", &["refunded", "closed"]),
    ("refunded", &["closed"]),
    ("rejected", &[]),
    ("closed", &[]),
];

pub const REASONS: &[&str] =
    &["damaged", "wrong_item", "not_as_described", "not_delivered", "late_delivery", "no_longer_needed", "other"];

pub const OUTCOMES: &[&str] = &["refund", "exchange", "store_credit"];

pub const FIELDS: &[FieldSpec] = field_list!([
    FieldSpec::new("number", FieldKind::Text { max: 20 })
        .indexed()
        .title()
        .listed()
        .derived("returns are numbered when requested (R-2026-0001)"),
    FieldSpec::new("order_id", FieldKind::Ref("order")).required().indexed().listed(),
    FieldSpec::new("status", FieldKind::Enum(STATUSES)).indexed().listed().label("return.field.status"),
    FieldSpec::new("lines", FieldKind::LineItems).required().label("return.field.lines").help(),
    FieldSpec::new("reason", FieldKind::Enum(REASONS)).required().indexed().label("return.field.reason"),
    FieldSpec::new("reason_detail", FieldKind::LongText).body().label("return.field.reason_detail"),
    FieldSpec::new("desired_outcome", FieldKind::Enum(OUTCOMES))
        .required()
        .indexed()
        .listed()
        .label("return.field.desired_outcome"),
    FieldSpec::new("refund_minor", FieldKind::Integer { min: 0, max: Money::MAX_ABS_MINOR })
        .listed()
        .label("return.field.refund")
        .help(),
    FieldSpec::new("refunded_at", FieldKind::DateTime)
        .label("return.field.refunded_at")
        .group("decision")
        .derived("set when the return is refunded"),
    FieldSpec::new("requested_by_customer", FieldKind::Bool)
        .label("return.field.requested_by_customer")
        .group("decision")
        .derived("set when the customer asks through their order's link"),
    FieldSpec::new("decided_by_rule", FieldKind::Text { max: 300 })
        .label("return.field.decided_by_rule")
        .group("decision")
        .derived("set when an automatic rule decides the request"),
    FieldSpec::new("decision_note", FieldKind::LongText).label("return.field.decision_note").group("decision"),
]);

pub static KIND: RecordKind = RecordKind {
    name: "return",
    plural: "returns",
    fields: FIELDS,
    display_name: &["number"],
    duplicate_key: None,
    import_aliases: &[],
    rules: &ReturnRequest,
    example: || {
        serde_json::json!({
            "order_id": "0190f1c2-0000-7000-8000-000000000001",
            "lines": [{"description": "Consultoria", "quantity_milli": 1000, "unit_price_minor": 50_000, "tax_rate_bp": 1000}],
            "reason": "damaged", "desired_outcome": "refund", "refund_minor": 55_000,
        })
    },
};

impl RecordType {
    pub const RETURN: RecordType = RecordType::of(&KIND);
}

pub const NUMBERING: Numbering = Numbering { field: "number", prefix: "R" };

const STATUS_MOVES_ON: CrossFieldRule = CrossFieldRule {
    field: "status",
    code: "invalid_transition",
    rule: "requested → approved or rejected; approved → received, refunded or closed; received → refunded or closed; refunded → closed",
};

const REFUND_NEEDS_AN_AMOUNT: CrossFieldRule =
    CrossFieldRule { field: "refund_minor", code: "required", rule: "a refunded return needs a refund amount" };

const REFUND_WITHIN_PAID: CrossFieldRule = CrossFieldRule {
    field: "refund_minor",
    code: "exceeds_paid",
    rule: "refunds of an order never exceed what was paid for it less what was refunded already",
};

const LINES_WITHIN_ORDER: CrossFieldRule = CrossFieldRule {
    field: "lines",
    code: "exceeds_returnable",
    rule: "each line is one of the order's, at most the quantity ordered less what was returned already",
};

/// A return needs a stored order: a request naming none the caller can see
/// is refused (the generic check of references, stated for the document).
const AGAINST_A_STORED_ORDER: CrossFieldRule = CrossFieldRule {
    field: "order_id",
    code: "unknown_reference",
    rule: "a return is against an order that exists and that the caller can see",
};

struct ReturnRequest;

impl KindRules for ReturnRequest {
    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        &[AGAINST_A_STORED_ORDER, STATUS_MOVES_ON, REFUND_NEEDS_AN_AMOUNT, REFUND_WITHIN_PAID, LINES_WITHIN_ORDER]
    }

    fn numbering(&self) -> Option<Numbering> {
        Some(NUMBERING)
    }

    fn before_write(&self, write: &mut PendingWrite<'_>) -> Result<(), DomainError> {
        let old_status = write.old.and_then(|o| o.get("status")).and_then(Value::as_str).map(str::to_owned);
        let fields = &mut *write.fields;
        if is_blank(fields, "status") {
            fields.insert("status".into(), "requested".into());
        }
        let status = fields.get("status").and_then(Value::as_str).unwrap_or("requested").to_owned();
        match old_status.as_deref() {
            None if status != "requested" => Err(invalid_transition("new", &status)),
            Some(from) if from != status && !can_move(from, &status) => Err(invalid_transition(from, &status)),
            _ => Ok(()),
        }?;
        if let (Some(old), "requested") = (write.old, status.as_str()) {
            // The order a request is against never changes.
            if old.get("order_id") != fields.get("order_id") {
                return Err(DomainError::invalid("order_id", "immutable", "a return stays with its order"));
            }
        }
        if status == "refunded" && is_blank(fields, "refunded_at") {
            let at = write.now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            fields.insert("refunded_at".into(), at.into());
        }
        if is_blank(fields, "requested_by_customer") {
            fields.insert("requested_by_customer".into(), false.into());
        }
        Ok(())
    }

    fn check(&self, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        let refunded = record.get("status").and_then(Value::as_str) == Some("refunded");
        if refunded && record.get("refund_minor").and_then(Value::as_i64).unwrap_or(0) == 0 {
            let rule = REFUND_NEEDS_AN_AMOUNT;
            return Err(FieldError::new(rule.field, rule.code, rule.rule).into());
        }
        Ok(())
    }

    fn after_write(&self, write: &StoredWrite<'_>) -> Vec<Effect> {
        let order_id = super::order::reference(write.fields, "order_id");
        order_id.map(|order_id| Effect::ReturnChanged { order_id }).into_iter().collect()
    }
}

fn invalid_transition(from: &str, to: &str) -> DomainError {
    let rule = STATUS_MOVES_ON;
    DomainError::Validation(
        FieldError::new(rule.field, rule.code, format!("a return cannot go from {from} to {to}"))
            .with("from", from)
            .with("to", to)
            .into(),
    )
}

pub fn can_move(from: &str, to: &str) -> bool {
    TRANSITIONS.iter().any(|(status, next)| *status == from && next.contains(&to))
}

pub fn next_statuses(from: &str) -> &'static [&'static str] {
    TRANSITIONS.iter().find(|(status, _)| *status == from).map_or(&[], |(_, next)| next)
}

/// Statuses whose lines count as returned (or on their way back).
pub fn counts_as_returned(status: &str) -> bool {
    !matches!(status, "rejected")
}

/// The refund paid out for a return: its amount once it was refunded.
pub fn refunded_amount(record: &Map<String, Value>) -> i64 {
    if is_blank(record, "refunded_at") { 0 } else { record.get("refund_minor").and_then(Value::as_i64).unwrap_or(0) }
}

/// The refund rule's error, with the amount still available to refund.
pub fn refund_exceeds_paid(available_minor: i64) -> FieldError {
    let rule = REFUND_WITHIN_PAID;
    FieldError::new(rule.field, rule.code, format!("at most {available_minor} can be refunded for this order"))
        .with("available", available_minor)
}

/// The line rule's error for line `index`, with the quantity still returnable.
pub fn line_exceeds_returnable(index: usize, available_milli: i64) -> FieldError {
    let rule = LINES_WITHIN_ORDER;
    FieldError::new(
        format!("lines[{index}].quantity_milli"),
        rule.code,
        format!("at most {available_milli} thousandths of this line can still be returned"),
    )
    .with("available", available_milli)
}
