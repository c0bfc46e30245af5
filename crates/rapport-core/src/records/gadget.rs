//! A kind that exists only in tests (feature `test-kind`): it proves that a
//! new kind gets storage, filters, search, audit, trash, import and OpenAPI
//! from its descriptor, its line in `KINDS` and its migration alone.

use serde_json::{Map, Value};

use super::field_list;
use crate::descriptor::{CrossFieldRule, ImportAlias, KindRules, MatchKey, RecordKind};
use crate::schema::{FieldKind, FieldSpec};
use crate::{FieldError, ValidationErrors};

pub const FIELDS: &[FieldSpec] = field_list!([
    FieldSpec::new("label", FieldKind::Text { max: 80 }).required().indexed().title().listed(),
    FieldSpec::new("serial", FieldKind::Text { max: 40 }).indexed().body(),
    FieldSpec::new("support_email", FieldKind::Email).body(),
    FieldSpec::new("colour", FieldKind::Enum(&["red", "green", "blue"])).indexed(),
    FieldSpec::new("weight_grams", FieldKind::Integer { min: 1, max: 100_000 }).indexed(),
    FieldSpec::new("made_on", FieldKind::Date),
    FieldSpec::new("maker_id", FieldKind::Ref("company")),
    FieldSpec::new("price", FieldKind::Money).indexed().listed(),
    FieldSpec::new("parts", FieldKind::LineItems),
    // Derived from `parts`, in the price's currency.
    FieldSpec::new("parts_total", FieldKind::Money).derived("the total of the parts, computed from them"),
]);

pub static KIND: RecordKind = RecordKind {
    name: "gadget",
    plural: "gadgets",
    fields: FIELDS,
    display_name: &["label"],
    duplicate_key: Some(MatchKey::Email),
    import_aliases: &[&[ImportAlias { field: "label", headers: &["rotulo", "etiqueta"] }]],
    rules: &Gadget,
    example: || serde_json::json!({"label": "Sprocket", "colour": "red", "weight_grams": 250}),
};

struct Gadget;

/// Blue gadgets are never lighter than 10 g: a rule across two fields.
impl KindRules for Gadget {
    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        &[CrossFieldRule { field: "weight_grams", code: "too_light", rule: "a blue gadget weighs at least 10 g" }]
    }

    fn check(&self, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        let blue = record.get("colour").and_then(Value::as_str) == Some("blue");
        if blue && record.get("weight_grams").and_then(Value::as_i64).is_some_and(|w| w < 10) {
            return Err(FieldError::new("weight_grams", "too_light", "a blue gadget weighs at least 10 g").into());
        }
        Ok(())
    }

    fn derive(&self, record: &mut Map<String, Value>) {
        if let Some(serial) = record.get("serial").and_then(Value::as_str) {
            let upper = serial.to_uppercase();
            record.insert("serial".into(), upper.into());
        }
        let currency = record.get("price").and_then(|p| p.get("currency")).cloned();
        let lines = record.get("parts").map(crate::line_items::parse_line_items);
        let total = match (currency, lines) {
            (Some(currency), Some(Ok(lines))) => crate::line_items::totals(&lines, 0)
                .map(|t| serde_json::json!({"amount_minor": t.total_minor, "currency": currency}))
                .unwrap_or(Value::Null),
            _ => Value::Null,
        };
        record.insert("parts_total".into(), total);
    }
}
