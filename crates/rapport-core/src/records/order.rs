//! A purchase: from an accepted quote or entered directly. Its lines give
//! its totals (`line_items`); its status moves along [`TRANSITIONS`]; its
//! payment status follows what was paid and refunded.

use chrono::SecondsFormat;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{field_list, is_blank};
use crate::descriptor::{CrossFieldRule, KindRules, Numbering, PendingWrite, RecordKind};
use crate::line_items::{Totals, parse_line_items, totals};
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::values::Money;
use crate::{DomainError, FieldError, ValidationErrors};

pub const STATUSES: &[&str] = &["pending", "confirmed", "invoiced", "shipped", "delivered", "cancelled"];

/// Where each status may go next. An order is entered in any status (an
/// old order typed in is already delivered); after that it only moves on.
pub const TRANSITIONS: &[(&str, &[&str])] = &[
    ("pending", &["confirmed", "invoiced", "cancelled"]),
    ("confirmed", &["invoiced", "shipped", "cancelled"]),
    ("invoiced", &["shipped", "delivered", "cancelled"]),
    ("shipped", &["delivered"]),
    ("delivered", &[]),
    ("cancelled", &[]),
];

pub const PAYMENT_STATUSES: &[&str] = &["unpaid", "partially_paid", "paid", "refunded"];

const AMOUNT: FieldKind = FieldKind::Integer { min: 0, max: Money::MAX_ABS_MINOR };

pub const FIELDS: &[FieldSpec] = field_list!([
    FieldSpec::new("number", FieldKind::Text { max: 20 })
        .indexed()
        .title()
        .listed()
        .derived("orders are numbered when created (O-2026-0001)"),
    FieldSpec::new("status", FieldKind::Enum(STATUSES)).indexed().listed().label("order.field.status").help(),
    FieldSpec::new("contact_id", FieldKind::Ref("contact")).indexed().listed(),
    FieldSpec::new("company_id", FieldKind::Ref("company")).indexed().listed(),
    FieldSpec::new("deal_id", FieldKind::Ref("deal")).indexed(),
    FieldSpec::new("quote_id", FieldKind::Ref("quote"))
        .indexed()
        .derived("set when the order comes from an accepted quote"),
    FieldSpec::new("currency", FieldKind::Currency).required(),
    FieldSpec::new("lines", FieldKind::LineItems),
    FieldSpec::new("discount_bp", FieldKind::Integer { min: 0, max: 10_000 }).label("order.field.discount_bp"),
    FieldSpec::new("subtotal_minor", AMOUNT).label("order.field.subtotal").derived("computed from the lines"),
    FieldSpec::new("discount_minor", AMOUNT).label("order.field.discount").derived("computed from the lines"),
    FieldSpec::new("tax_minor", AMOUNT).label("order.field.tax").derived("computed from the lines"),
    FieldSpec::new("total_minor", AMOUNT)
        .indexed()
        .listed()
        .label("order.field.total")
        .derived("computed from the lines"),
    FieldSpec::new("ordered_at", FieldKind::DateTime).indexed().listed(),
    FieldSpec::new("invoice_number", FieldKind::Text { max: 40 }).indexed().body().group("invoice"),
    FieldSpec::new("invoice_due_date", FieldKind::Date).indexed().group("invoice"),
    FieldSpec::new("paid_minor", AMOUNT).label("order.field.paid").group("payment"),
    FieldSpec::new("refunded_minor", AMOUNT)
        .label("order.field.refunded")
        .group("payment")
        .derived("the sum of the order's refunded returns"),
    FieldSpec::new("payment_status", FieldKind::Enum(PAYMENT_STATUSES))
        .indexed()
        .listed()
        .label("order.field.payment_status")
        .group("payment")
        .derived("follows the paid and refunded amounts"),
    FieldSpec::new("tracking_code", FieldKind::Text { max: 100 }).body().group("delivery"),
    FieldSpec::new("promised_delivery_date", FieldKind::Date).indexed().group("delivery"),
    FieldSpec::new("delivered_on", FieldKind::Date).group("delivery"),
    FieldSpec::new("notes", FieldKind::LongText).body(),
]);

pub static KIND: RecordKind = RecordKind {
    name: "order",
    plural: "orders",
    fields: FIELDS,
    display_name: &["number"],
    duplicate_key: None,
    import_aliases: &[],
    rules: &Order,
    example: || {
        serde_json::json!({
            "currency": "BRL",
            "lines": [{"description": "Consultoria", "quantity_milli": 2000, "unit_price_minor": 50_000, "tax_rate_bp": 1000}],
            "promised_delivery_date": "2026-06-30", "paid_minor": 110_000,
        })
    },
};

impl RecordType {
    pub const ORDER: RecordType = RecordType::of(&KIND);
}

pub const NUMBERING: Numbering = Numbering { field: "number", prefix: "O" };

const PAID_WITHIN_TOTAL: CrossFieldRule =
    CrossFieldRule { field: "paid_minor", code: "exceeds_total", rule: "the paid amount is at most the order's total" };

const INVOICED_NEEDS_A_NUMBER: CrossFieldRule = CrossFieldRule {
    field: "invoice_number",
    code: "invoice_number_required",
    rule: "an invoiced order needs an invoice_number",
};

const STATUS_MOVES_ON: CrossFieldRule = CrossFieldRule {
    field: "status",
    code: "invalid_transition",
    rule: "pending → confirmed, invoiced or cancelled; confirmed → invoiced, shipped or cancelled; invoiced → shipped, delivered or cancelled; shipped → delivered",
};

struct Order;

impl KindRules for Order {
    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        &[PAID_WITHIN_TOTAL, INVOICED_NEEDS_A_NUMBER, STATUS_MOVES_ON]
    }

    fn numbering(&self) -> Option<Numbering> {
        Some(NUMBERING)
    }

    fn before_write(&self, write: &mut PendingWrite<'_>) -> Result<(), DomainError> {
        let old_status = write.old.and_then(|o| o.get("status")).and_then(Value::as_str).map(str::to_owned);
        let fields = &mut *write.fields;
        if is_blank(fields, "status") {
            fields.insert("status".into(), "pending".into());
        }
        let status = fields.get("status").and_then(Value::as_str).unwrap_or("pending").to_owned();
        if let Some(from) = old_status.as_deref().filter(|from| *from != status) {
            if !can_move(from, &status) {
                let rule = STATUS_MOVES_ON;
                return Err(DomainError::Validation(
                    FieldError::new(rule.field, rule.code, format!("an order cannot go from {from} to {status}"))
                        .with("from", from)
                        .with("to", &status)
                        .into(),
                ));
            }
        }
        if is_blank(fields, "ordered_at") {
            fields.insert("ordered_at".into(), write.now.to_rfc3339_opts(SecondsFormat::Micros, true).into());
        }
        if status == "delivered" && is_blank(fields, "delivered_on") {
            fields.insert("delivered_on".into(), write.now.date_naive().format("%Y-%m-%d").to_string().into());
        }
        for key in ["paid_minor", "refunded_minor", "discount_bp"] {
            if is_blank(fields, key) {
                fields.insert(key.into(), 0.into());
            }
        }
        Ok(())
    }

    fn check(&self, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match order_totals(record) {
            Ok(totals) => {
                if amount(record, "paid_minor") > totals.total_minor {
                    let rule = PAID_WITHIN_TOTAL;
                    errors.push(
                        FieldError::new(rule.field, rule.code, rule.rule).with("total_minor", totals.total_minor),
                    );
                }
            }
            Err(error) => errors.push(error),
        }
        if record.get("status").and_then(Value::as_str) == Some("invoiced") && is_blank(record, "invoice_number") {
            let rule = INVOICED_NEEDS_A_NUMBER;
            errors.push(FieldError::new(rule.field, rule.code, rule.rule));
        }
        errors.into_result()
    }

    fn derive(&self, record: &mut Map<String, Value>) {
        let Ok(totals) = order_totals(record) else { return };
        record.insert("subtotal_minor".into(), totals.subtotal_minor.into());
        record.insert("discount_minor".into(), totals.discount_minor.into());
        record.insert("tax_minor".into(), totals.tax_minor.into());
        record.insert("total_minor".into(), totals.total_minor.into());
        let status = payment_status(totals.total_minor, amount(record, "paid_minor"), amount(record, "refunded_minor"));
        record.insert("payment_status".into(), status.into());
    }
}

/// Whether an order may move from one status to another.
pub fn can_move(from: &str, to: &str) -> bool {
    TRANSITIONS.iter().any(|(status, next)| *status == from && next.contains(&to))
}

/// The statuses an order in `from` may move to.
pub fn next_statuses(from: &str) -> &'static [&'static str] {
    TRANSITIONS.iter().find(|(status, _)| *status == from).map_or(&[], |(_, next)| next)
}

/// Unpaid, partially paid or paid by what was received against the total;
/// refunded once refunds reach what was received.
pub fn payment_status(total_minor: i64, paid_minor: i64, refunded_minor: i64) -> &'static str {
    if paid_minor > 0 && refunded_minor >= paid_minor {
        "refunded"
    } else if paid_minor > 0 && paid_minor >= total_minor {
        "paid"
    } else if paid_minor > 0 {
        "partially_paid"
    } else {
        "unpaid"
    }
}

/// The order's figures from its lines and order-level discount.
pub fn order_totals(record: &Map<String, Value>) -> Result<Totals, FieldError> {
    let lines = match record.get("lines") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => parse_line_items(value)
            .map_err(|e| e.0.into_iter().next().unwrap_or_else(|| FieldError::new("", "invalid", "invalid lines")))
            .map_err(|e| e.nested("lines"))?,
    };
    totals(&lines, amount(record, "discount_bp")).map_err(|e| {
        if e.field == "quote_discount_bp" { FieldError { field: "discount_bp".into(), ..e } } else { e.nested("lines") }
    })
}

fn amount(record: &Map<String, Value>, key: &str) -> i64 {
    record.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// The id a reference field holds.
pub fn reference(record: &Map<String, Value>, key: &str) -> Option<Uuid> {
    record.get(key).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_status_follows_paid_and_refunded_amounts() {
        assert_eq!(payment_status(10_000, 0, 0), "unpaid");
        assert_eq!(payment_status(10_000, 4_000, 0), "partially_paid");
        assert_eq!(payment_status(10_000, 10_000, 0), "paid");
        assert_eq!(payment_status(10_000, 10_000, 2_500), "paid");
        assert_eq!(payment_status(10_000, 10_000, 10_000), "refunded");
        assert_eq!(payment_status(0, 0, 0), "unpaid");
    }

    #[test]
    fn statuses_only_move_forward() {
        assert!(can_move("pending", "confirmed"));
        assert!(can_move("shipped", "delivered"));
        assert!(!can_move("delivered", "pending"));
        assert!(!can_move("cancelled", "confirmed"));
        assert!(!can_move("shipped", "cancelled"));
        for (status, next) in TRANSITIONS {
            assert!(STATUSES.contains(status));
            assert!(next.iter().all(|n| STATUSES.contains(n)));
        }
    }

    #[test]
    fn numbers_have_the_year_and_four_digits_at_least() {
        assert_eq!(NUMBERING.format(2026, 1), "O-2026-0001");
        assert_eq!(NUMBERING.format(2026, 12_345), "O-2026-12345");
    }
}
