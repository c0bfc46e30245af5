//! What a return may ask of its order, and the automatic rules that decide
//! requests: pure functions over the figures storage loads.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::line_items::LineItem;
use crate::records::return_request::{line_exceeds_returnable, refund_exceeds_paid};
use crate::{FieldError, ValidationErrors};

/// Lines are the same article when product, description, price, discount
/// and tax agree; an order listing one twice returns from both together.
fn same_article(a: &LineItem, b: &LineItem) -> bool {
    a.product_id() == b.product_id()
        && a.description() == b.description()
        && a.unit_price_minor() == b.unit_price_minor()
        && a.discount_bp() == b.discount_bp()
        && a.tax_rate_bp() == b.tax_rate_bp()
}

fn quantity_of(lines: &[LineItem], article: &LineItem) -> i64 {
    lines.iter().filter(|l| same_article(l, article)).map(LineItem::quantity_milli).sum()
}

/// How much of each order line can still be returned, given the lines of
/// the order's other returns that count.
pub fn returnable(ordered: &[LineItem], returned: &[LineItem]) -> Vec<i64> {
    ordered
        .iter()
        .map(|line| {
            let left = quantity_of(ordered, line) - quantity_of(returned, line);
            left.clamp(0, line.quantity_milli())
        })
        .collect()
}

/// Every requested line is an article of the order, within what is left of it.
pub fn check_lines(
    ordered: &[LineItem],
    returned: &[LineItem],
    requested: &[LineItem],
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    for (index, line) in requested.iter().enumerate() {
        let left = quantity_of(ordered, line) - quantity_of(returned, line);
        let asked_so_far = quantity_of(&requested[..=index], line);
        if asked_so_far > left {
            let available = (left - (asked_so_far - line.quantity_milli())).max(0);
            errors.push(line_exceeds_returnable(index, available));
        }
    }
    errors.into_result()
}

/// A refund is at most what was paid less what other returns refunded.
pub fn check_refund(paid_minor: i64, refunded_by_others_minor: i64, refund_minor: i64) -> Result<(), FieldError> {
    let available = (paid_minor - refunded_by_others_minor).max(0);
    if refund_minor > available { Err(refund_exceeds_paid(available)) } else { Ok(()) }
}

/// What an administrator's rule looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "condition", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleCondition {
    /// A refund is asked and the order is still not delivered `days` days
    /// after its promised delivery date.
    NotDeliveredAfterPromise { days: i64 },
    /// A refund of at most `amount_minor` (in the order's currency) is asked.
    RefundAtMost { amount_minor: i64, currency: String },
}

impl RuleCondition {
    pub const MAX_DAYS: i64 = 3650;

    pub fn check(&self) -> Result<(), FieldError> {
        match self {
            Self::NotDeliveredAfterPromise { days } if !(0..=Self::MAX_DAYS).contains(days) => {
                Err(FieldError::new("days", "out_of_range", format!("must be between 0 and {}", Self::MAX_DAYS)))
            }
            Self::RefundAtMost { amount_minor, .. }
                if !(0..=crate::values::Money::MAX_ABS_MINOR).contains(amount_minor) =>
            {
                Err(FieldError::new("amount_minor", "out_of_range", "must be zero or more"))
            }
            Self::RefundAtMost { currency, .. } => {
                crate::values::Currency::parse(currency).map(|_| ()).map_err(|e| e.nested("currency"))
            }
            Self::NotDeliveredAfterPromise { .. } => Ok(()),
        }
    }

    /// Whether a rule of this kind is checked again each day.
    pub fn depends_on_the_date(&self) -> bool {
        matches!(self, Self::NotDeliveredAfterPromise { .. })
    }

    /// The rule in English, as the audit log keeps it.
    pub fn describe(&self) -> String {
        match self {
            Self::NotDeliveredAfterPromise { days } => {
                format!("refund asked and the order not delivered {days} days after its promised date: approve")
            }
            Self::RefundAtMost { amount_minor, currency } => {
                format!("refund of at most {amount_minor} {currency} (minor units): approve")
            }
        }
    }
}

/// A rule as stored: its condition, and whether it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReturnRule {
    pub id: Uuid,
    #[serde(flatten)]
    pub condition: RuleCondition,
    pub enabled: bool,
}

impl ReturnRule {
    /// The rule's id and description, as a decided request and the audit
    /// log name it.
    pub fn decision_text(&self) -> String {
        format!("{}: {}", self.id, self.condition.describe())
    }
}

/// The facts of a request and its order that rules read.
#[derive(Debug, Clone)]
pub struct RequestFacts<'a> {
    pub status: &'a str,
    pub desired_outcome: &'a str,
    pub refund_minor: i64,
    pub currency: &'a str,
    pub order_status: &'a str,
    pub promised_delivery_date: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
}

/// The first enabled rule that approves the request on `today`, if any.
/// Only undecided refund requests are decided automatically.
pub fn approving_rule<'r>(
    rules: &'r [ReturnRule],
    facts: &RequestFacts<'_>,
    today: NaiveDate,
) -> Option<&'r ReturnRule> {
    if facts.status != "requested" || facts.desired_outcome != "refund" {
        return None;
    }
    rules.iter().filter(|rule| rule.enabled).find(|rule| match &rule.condition {
        RuleCondition::NotDeliveredAfterPromise { days } => {
            let undelivered = facts.delivered_on.is_none() && !matches!(facts.order_status, "delivered" | "cancelled");
            let late = facts.promised_delivery_date.and_then(|d| d.checked_add_days(chrono::Days::new(*days as u64)));
            undelivered && late.is_some_and(|due| today >= due)
        }
        RuleCondition::RefundAtMost { amount_minor, currency } => {
            facts.currency == currency && facts.refund_minor > 0 && facts.refund_minor <= *amount_minor
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn lines(value: serde_json::Value) -> Vec<LineItem> {
        crate::line_items::parse_line_items(&value).expect("valid lines")
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn a_return_takes_at_most_what_is_left_of_each_line() {
        let ordered = lines(json!([
            {"description": "Chair", "quantity_milli": 4000, "unit_price_minor": 10_000},
            {"description": "Desk", "quantity_milli": 1000, "unit_price_minor": 50_000},
        ]));
        let returned = lines(json!([{"description": "Chair", "quantity_milli": 3000, "unit_price_minor": 10_000}]));
        assert_eq!(returnable(&ordered, &returned), [1000, 1000]);
        let ok = lines(json!([{"description": "Chair", "quantity_milli": 1000, "unit_price_minor": 10_000}]));
        assert!(check_lines(&ordered, &returned, &ok).is_ok());
        let too_many = lines(json!([
            {"description": "Desk", "quantity_milli": 1000, "unit_price_minor": 50_000},
            {"description": "Chair", "quantity_milli": 2000, "unit_price_minor": 10_000},
        ]));
        let errors = check_lines(&ordered, &returned, &too_many).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, "lines[1].quantity_milli");
        assert_eq!(errors.0[0].params["available"], "1000");
        let foreign = lines(json!([{"description": "Lamp", "quantity_milli": 1000, "unit_price_minor": 1}]));
        assert_eq!(check_lines(&ordered, &[], &foreign).unwrap_err().0[0].params["available"], "0");
    }

    #[test]
    fn refunds_stay_within_what_was_paid() {
        assert!(check_refund(10_000, 4_000, 6_000).is_ok());
        let error = check_refund(10_000, 4_000, 6_001).unwrap_err();
        assert_eq!((error.field.as_str(), error.code.as_str()), ("refund_minor", "exceeds_paid"));
        assert_eq!(error.params["available"], "6000");
        assert!(check_refund(0, 0, 1).is_err());
    }

    #[test]
    fn the_late_delivery_rule_approves_refunds_from_the_nth_day() {
        let rule = ReturnRule {
            id: Uuid::nil(),
            condition: RuleCondition::NotDeliveredAfterPromise { days: 7 },
            enabled: true,
        };
        let facts = RequestFacts {
            status: "requested",
            desired_outcome: "refund",
            refund_minor: 5_000,
            currency: "BRL",
            order_status: "shipped",
            promised_delivery_date: Some(day("2026-03-01")),
            delivered_on: None,
        };
        let rules = std::slice::from_ref(&rule);
        assert!(approving_rule(rules, &facts, day("2026-03-07")).is_none());
        assert_eq!(approving_rule(rules, &facts, day("2026-03-08")), Some(&rule));
        let delivered =
            RequestFacts { order_status: "delivered", delivered_on: Some(day("2026-03-05")), ..facts.clone() };
        assert!(approving_rule(rules, &delivered, day("2026-03-20")).is_none());
        let exchange = RequestFacts { desired_outcome: "exchange", ..facts.clone() };
        assert!(approving_rule(rules, &exchange, day("2026-03-20")).is_none());
        let off = ReturnRule { enabled: false, ..rule.clone() };
        assert!(approving_rule(std::slice::from_ref(&off), &facts, day("2026-03-20")).is_none());
    }

    #[test]
    fn the_amount_rule_approves_small_refunds_in_its_currency() {
        let rule = ReturnRule {
            id: Uuid::nil(),
            condition: RuleCondition::RefundAtMost { amount_minor: 10_000, currency: "BRL".into() },
            enabled: true,
        };
        let facts = RequestFacts {
            status: "requested",
            desired_outcome: "refund",
            refund_minor: 10_000,
            currency: "BRL",
            order_status: "delivered",
            promised_delivery_date: None,
            delivered_on: None,
        };
        let rules = std::slice::from_ref(&rule);
        assert!(approving_rule(rules, &facts, day("2026-03-01")).is_some());
        assert!(
            approving_rule(rules, &RequestFacts { refund_minor: 10_001, ..facts.clone() }, day("2026-03-01")).is_none()
        );
        assert!(approving_rule(rules, &RequestFacts { currency: "USD", ..facts.clone() }, day("2026-03-01")).is_none());
        assert!(rule.condition.describe().contains("10000 BRL"));
    }

    #[test]
    fn rule_conditions_read_as_tagged_json() {
        let condition: RuleCondition =
            serde_json::from_value(json!({"condition": "not_delivered_after_promise", "days": 5}))
                .expect("a condition");
        assert_eq!(condition, RuleCondition::NotDeliveredAfterPromise { days: 5 });
        assert!(RuleCondition::NotDeliveredAfterPromise { days: -1 }.check().is_err());
        assert!(RuleCondition::RefundAtMost { amount_minor: 1, currency: "XYZ".into() }.check().is_err());
    }
}
