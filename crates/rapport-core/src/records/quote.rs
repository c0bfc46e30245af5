//! A priced offer on a deal: numbered `Q-2026-0001` per year, lines of
//! (configured) products, a quote-level discount, and figures derived with
//! the one rounding rule of `line_items`.
//!
//! Life cycle: draft → sent → accepted | rejected, and a sent quote past its
//! valid-until date is expired (computed when read, see [`effective_status`]).
//! Only a draft is edited; a sent quote is changed by a new revision (same
//! number, `revision` + 1), the old one kept and pointing to it. The deal's
//! primary quote sets the deal's amount.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::field_list;
use crate::configurator;
use crate::descriptor::{
    CrossFieldRule, Effect, KindRules, Numbering, PendingWrite, RecordKind, StoredWrite, WriteNeeds,
};
use crate::line_items::{self, LineItem};
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::values::Money;
use crate::{DomainError, FieldError, ValidationErrors};

pub const STATUSES: &[&str] = &["draft", "sent", "accepted", "rejected", "expired"];

const FIGURE: FieldKind = FieldKind::Integer { min: -Money::MAX_ABS_MINOR, max: Money::MAX_ABS_MINOR };
const FIGURES: &str = "figures are computed from the lines and the discount";
const BY_ACTION: &str = "set by the quote's actions (send, accept, reject, revise, make primary)";

pub const FIELDS: &[FieldSpec] = field_list!([
    FieldSpec::new("number", FieldKind::Text { max: 40 })
        .indexed()
        .title()
        .listed()
        .derived("the number comes from the year's sequence"),
    FieldSpec::new("revision", FieldKind::Integer { min: 1, max: 10_000 }).derived(BY_ACTION),
    FieldSpec::new("title", FieldKind::Text { max: 200 }).title().listed(),
    FieldSpec::new("deal_id", FieldKind::Ref("deal")).required().indexed().listed(),
    FieldSpec::new("contact_id", FieldKind::Ref("contact")).indexed(),
    FieldSpec::new("company_id", FieldKind::Ref("company")).indexed(),
    FieldSpec::new("currency", FieldKind::Currency).required(),
    FieldSpec::new("lines", FieldKind::LineItems),
    FieldSpec::new("discount_bp", FieldKind::Integer { min: 0, max: 10_000 }).help(),
    FieldSpec::new("valid_until", FieldKind::Date).indexed().listed(),
    FieldSpec::new("status", FieldKind::Enum(STATUSES))
        .indexed()
        .label("quote.field.status")
        .listed()
        .derived(BY_ACTION),
    FieldSpec::new("primary", FieldKind::Bool).label("quote.field.primary").help().derived(BY_ACTION),
    FieldSpec::new("superseded_by", FieldKind::Ref("quote")).derived(BY_ACTION),
    FieldSpec::new("subtotal_minor", FIGURE).derived(FIGURES),
    FieldSpec::new("discount_minor", FIGURE).derived(FIGURES),
    FieldSpec::new("tax_minor", FIGURE).derived(FIGURES),
    FieldSpec::new("total_minor", FIGURE).indexed().listed().derived(FIGURES),
    FieldSpec::new("sent_at", FieldKind::DateTime).derived(BY_ACTION),
    FieldSpec::new("decided_at", FieldKind::DateTime).derived(BY_ACTION),
    FieldSpec::new("notes", FieldKind::LongText).body(),
]);

pub static KIND: RecordKind = RecordKind {
    name: "quote",
    plural: "quotes",
    fields: FIELDS,
    display_name: &["number", "title"],
    duplicate_key: None,
    import_aliases: &[],
    rules: &Quote,
    example: || {
        json!({
            "deal_id": "0190b5e4-8f7a-7cc0-9a3e-3f1f2b4c5d6e", "title": "Proposta 2026", "currency": "BRL",
            "valid_until": "2026-12-31", "discount_bp": 500,
            "lines": [{"description": "Implantação", "quantity_milli": 1000, "unit_price_minor": 500_000, "tax_rate_bp": 500}],
        })
    },
};

impl RecordType {
    pub const QUOTE: RecordType = RecordType::of(&KIND);
}

/// The number's sequence and prefix.
pub const NUMBERING: Numbering = Numbering { field: "number", prefix: "Q" };

struct Quote;

/// A quote belongs to a deal that exists: a reference the schema states as
/// a rule, since no example can name a stored deal.
const ON_A_STORED_DEAL: CrossFieldRule =
    CrossFieldRule { field: "deal_id", code: "unknown_reference", rule: "the deal must exist and be visible to you" };

impl KindRules for Quote {
    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        &[ON_A_STORED_DEAL]
    }

    fn needs(&self) -> WriteNeeds {
        WriteNeeds { pipelines: false, products: true }
    }

    fn numbering(&self) -> Option<Numbering> {
        Some(NUMBERING)
    }

    fn before_write(&self, write: &mut PendingWrite<'_>) -> Result<(), DomainError> {
        if let Some(old) = write.old {
            // The actions write with no client input; a client's edit has some.
            if text(old, "status") != Some("draft") && !write.input.is_empty() {
                return Err(DomainError::Conflict {
                    code: "quote_not_editable",
                    message: "a sent quote is not edited: make a revision of it".into(),
                });
            }
        }
        let fields = &mut *write.fields;
        for (key, default) in [("status", json!("draft")), ("revision", json!(1)), ("primary", json!(false))] {
            if fields.get(key).is_none_or(Value::is_null) {
                fields.insert(key.into(), default);
            }
        }
        if text(fields, "status") == Some("draft") {
            price_lines(fields, write.input, write.products)?;
        }
        Ok(())
    }

    fn check(&self, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        figures(record).map(|_| ()).map_err(ValidationErrors::from)
    }

    fn derive(&self, record: &mut Map<String, Value>) {
        let Ok(totals) = figures(record) else { return };
        for (key, value) in [
            ("subtotal_minor", totals.subtotal_minor),
            ("discount_minor", totals.discount_minor),
            ("tax_minor", totals.tax_minor),
            ("total_minor", totals.total_minor),
        ] {
            record.insert(key.into(), value.into());
        }
    }

    /// The primary quote's total is its deal's amount.
    fn after_write(&self, write: &StoredWrite<'_>) -> Vec<Effect> {
        if write.fields.get("primary") != Some(&Value::Bool(true)) {
            return Vec::new();
        }
        let Some(deal) = text(write.fields, "deal_id").and_then(|s| Uuid::parse_str(s).ok()) else { return Vec::new() };
        let unchanged = write.old.is_some_and(|old| {
            ["primary", "deal_id", "total_minor", "currency"].iter().all(|k| old.get(*k) == write.fields.get(*k))
        });
        if unchanged {
            return Vec::new();
        }
        let mut fields = Map::new();
        fields.insert("amount_minor".into(), write.fields.get("total_minor").cloned().unwrap_or(Value::Null));
        fields.insert("currency".into(), write.fields.get("currency").cloned().unwrap_or(Value::Null));
        vec![Effect::Follow { record_type: RecordType::DEAL, id: deal, fields }]
    }
}

fn text<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields.get(key).and_then(Value::as_str)
}

fn lines_of(record: &Map<String, Value>) -> Result<Vec<LineItem>, FieldError> {
    match record.get("lines") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(lines) => line_items::parse_line_items(lines).map_err(|e| {
            e.0.into_iter()
                .next()
                .unwrap_or_else(|| FieldError::new("", "invalid", "invalid line items"))
                .nested("lines")
        }),
    }
}

/// The quote's figures under `line_items`' rounding rule.
pub fn figures(record: &Map<String, Value>) -> Result<line_items::Totals, FieldError> {
    let lines = lines_of(record)?;
    let discount = record.get("discount_bp").and_then(Value::as_i64).unwrap_or_default();
    line_items::totals(&lines, discount).map_err(|e| {
        if e.field == "quote_discount_bp" { FieldError { field: "discount_bp".into(), ..e } } else { e.nested("lines") }
    })
}

/// Prices every product line of a draft from its product in the quote's
/// currency and the chosen options. A unit price sent on such a line must
/// be that price unless the line says `price_override`.
fn price_lines(
    fields: &mut Map<String, Value>,
    input: &Map<String, Value>,
    products: &[configurator::PricedProduct],
) -> Result<(), DomainError> {
    let Some(currency) = text(fields, "currency").map(str::to_owned) else { return Ok(()) };
    let lines = lines_of(fields).map_err(ValidationErrors::from)?;
    let typed = input.get("lines").and_then(Value::as_array);
    let typed_key =
        |i: usize, key: &str| typed.and_then(|t| t.get(i)).and_then(|l| l.get(key)).filter(|v| !v.is_null());
    let mut errors = ValidationErrors::default();
    let mut priced = Vec::with_capacity(lines.len());
    for (i, line) in lines.into_iter().enumerate() {
        let Some(product_id) = line.product_id() else {
            priced.push(line);
            continue;
        };
        let path = format!("lines[{i}]");
        let Some(product) = products.iter().find(|p| p.id == product_id) else {
            errors.push(FieldError::new("product_id", "unknown_product", "no product has this id").nested(&path));
            continue;
        };
        let configured = match configurator::configure(product, &currency, line.options()) {
            Ok(configured) => configured,
            Err(e) => {
                e.0.into_iter().for_each(|e| errors.push(e.nested(&path)));
                continue;
            }
        };
        if !line.price_override() {
            if let Some(sent) = typed_key(i, "unit_price_minor").and_then(Value::as_i64) {
                if sent != configured.unit_price_minor {
                    errors.push(
                        FieldError::new(
                            "unit_price_minor",
                            "computed_price",
                            "a product line's price is computed from the product and its options: leave it out, \
                             or mark the line as a price override",
                        )
                        .with("price", configured.unit_price_minor)
                        .nested(&path),
                    );
                    continue;
                }
            }
        }
        let keep_tax_rate = typed.is_none() || typed_key(i, "tax_rate_bp").is_some();
        priced.push(line.priced(&configured, keep_tax_rate));
    }
    errors.into_result()?;
    fields.insert("lines".into(), Value::Array(priced.into_iter().map(Value::from).collect()));
    Ok(())
}

/// A sent quote past its valid-until date is expired; other statuses stand.
pub fn effective_status(status: &str, valid_until: Option<NaiveDate>, today: NaiveDate) -> &str {
    match valid_until {
        Some(until) if status == "sent" && until < today => "expired",
        _ => status,
    }
}

/// What can be done to a quote, each allowed from some statuses only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteAction {
    Send,
    Accept,
    Reject,
    Revise,
    MakePrimary,
}

fn conflict(code: &'static str, message: &str) -> DomainError {
    DomainError::Conflict { code, message: message.into() }
}

/// Whether `action` is allowed on a quote with these fields today; the
/// status the quote then has.
pub fn transition(
    action: QuoteAction,
    fields: &Map<String, Value>,
    today: NaiveDate,
) -> Result<&'static str, DomainError> {
    let valid_until = text(fields, "valid_until").and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let stored = text(fields, "status").unwrap_or("draft");
    let status = effective_status(stored, valid_until, today);
    if !is_null(fields, "superseded_by") {
        return Err(conflict("quote_superseded", "a newer revision of this quote exists: act on that one"));
    }
    match (action, status) {
        (QuoteAction::Send, "draft") => {
            if lines_of(fields).map_err(ValidationErrors::from)?.is_empty() {
                return Err(DomainError::invalid("lines", "quote_has_no_lines", "add a line before sending the quote"));
            }
            if valid_until.is_some_and(|until| until < today) {
                return Err(DomainError::invalid("valid_until", "date_in_past", "choose a date from today on"));
            }
            Ok("sent")
        }
        (QuoteAction::Accept, "sent") => Ok("accepted"),
        (QuoteAction::Reject, "sent" | "expired") => Ok("rejected"),
        (QuoteAction::Revise, "sent" | "rejected" | "expired") => Ok("draft"),
        (QuoteAction::MakePrimary, "draft" | "sent" | "accepted") => Ok(stored_status(stored)),
        (_, "accepted") => Err(conflict("quote_already_accepted", "the quote was already accepted")),
        (QuoteAction::Accept, "expired") => {
            Err(conflict("quote_expired", "the quote is past its valid-until date: make a revision"))
        }
        (QuoteAction::Revise, "draft") => Err(conflict("quote_is_draft", "a draft is edited, not revised")),
        (QuoteAction::Accept | QuoteAction::Reject, "draft") => {
            Err(conflict("quote_not_sent", "send the quote before it is accepted or rejected"))
        }
        _ => Err(conflict("quote_transition", "the quote's status does not allow this")),
    }
}

fn stored_status(status: &str) -> &'static str {
    STATUSES.iter().find(|s| **s == status).copied().unwrap_or("draft")
}

fn is_null(fields: &Map<String, Value>, key: &str) -> bool {
    fields.get(key).is_none_or(Value::is_null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn code(result: Result<&'static str, DomainError>) -> String {
        match result {
            Ok(status) => status.to_owned(),
            Err(DomainError::Conflict { code, .. }) => code.to_owned(),
            Err(DomainError::Validation(e)) => e.0[0].code.clone(),
            Err(other) => other.to_string(),
        }
    }

    const LINE: &str = r#"[{"description": "x", "quantity_milli": 1000, "unit_price_minor": 100}]"#;

    #[test]
    fn quotes_move_from_draft_to_sent_to_a_decision() {
        let today = day("2026-03-10");
        let lines: Value = serde_json::from_str(LINE).unwrap();
        let draft = quote(json!({"status": "draft", "valid_until": "2026-03-31", "lines": lines}));
        assert_eq!(code(transition(QuoteAction::Send, &draft, today)), "sent");
        assert_eq!(code(transition(QuoteAction::Accept, &draft, today)), "quote_not_sent");
        assert_eq!(code(transition(QuoteAction::Revise, &draft, today)), "quote_is_draft");
        let empty = quote(json!({"status": "draft"}));
        assert_eq!(code(transition(QuoteAction::Send, &empty, today)), "quote_has_no_lines");
        let sent = quote(json!({"status": "sent", "valid_until": "2026-03-10"}));
        assert_eq!(code(transition(QuoteAction::Accept, &sent, today)), "accepted");
        assert_eq!(code(transition(QuoteAction::Reject, &sent, today)), "rejected");
        assert_eq!(code(transition(QuoteAction::Revise, &sent, today)), "draft");
        let accepted = quote(json!({"status": "accepted"}));
        assert_eq!(code(transition(QuoteAction::Accept, &accepted, today)), "quote_already_accepted");
        assert_eq!(code(transition(QuoteAction::Revise, &accepted, today)), "quote_already_accepted");
        let superseded = quote(json!({"status": "sent", "superseded_by": Uuid::from_u128(1).to_string()}));
        assert_eq!(code(transition(QuoteAction::Accept, &superseded, today)), "quote_superseded");
    }

    #[test]
    fn a_sent_quote_expires_after_its_valid_until_day() {
        let sent = quote(json!({"status": "sent", "valid_until": "2026-03-10"}));
        assert_eq!(effective_status("sent", Some(day("2026-03-10")), day("2026-03-10")), "sent");
        assert_eq!(effective_status("sent", Some(day("2026-03-10")), day("2026-03-11")), "expired");
        assert_eq!(effective_status("accepted", Some(day("2026-03-10")), day("2026-04-11")), "accepted");
        assert_eq!(code(transition(QuoteAction::Accept, &sent, day("2026-03-11"))), "quote_expired");
        assert_eq!(code(transition(QuoteAction::Reject, &sent, day("2026-03-11"))), "rejected");
        assert_eq!(code(transition(QuoteAction::Revise, &sent, day("2026-03-11"))), "draft");
    }

    #[test]
    fn figures_follow_the_rounding_rule_and_name_the_discount() {
        let lines: Value = serde_json::from_str(LINE).unwrap();
        let mut record = quote(json!({"lines": lines, "discount_bp": 1_000}));
        Quote.derive(&mut record);
        assert_eq!((record["subtotal_minor"].clone(), record["total_minor"].clone()), (json!(100), json!(90)));
        let over = quote(json!({"discount_bp": 10_001}));
        assert_eq!(Quote.check(&over).unwrap_err().0[0].field, "discount_bp");
    }
}
