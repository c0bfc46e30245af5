//! Turning rows of a spreadsheet (CSV) into create inputs: which column feeds
//! which field, and how a cell's text becomes the JSON value the validator
//! expects. Validation itself is the API's (`schema::validate_fields`), so an
//! imported row is held to exactly the rules of a created one.

use serde_json::{Map, Value};

use crate::custom_fields::{CustomFieldDefinition, CustomFieldType};
use crate::schema::{FieldKind, RecordType};
use crate::text::fold_for_search;
use crate::{FieldError, ValidationErrors};

/// Where a column's cells go.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Field(&'static str, FieldKind),
    Custom(String, CustomFieldType),
    Tags,
    Owner,
}

/// The columns of a file, resolved against a record type's fields.
#[derive(Debug, Clone)]
pub struct ColumnPlan {
    targets: Vec<Option<Target>>,
}

/// The field a column named `header` (normalised) fills, by the kind's
/// import aliases, in the three product languages.
fn alias(record_type: RecordType, header: &str) -> Option<&'static str> {
    let groups = record_type.descriptor().import_aliases.iter();
    groups.flat_map(|group| group.iter()).find(|a| a.headers.contains(&header)).map(|a| a.field)
}

/// Lower-case, accents stripped, separators as `_`: "E-mail" → "e_mail".
fn normalize_header(header: &str) -> String {
    let folded = fold_for_search(header.trim());
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

impl ColumnPlan {
    /// Resolves each header to a field, a custom field (`custom.key` or its
    /// label), `tags` or `owner_id`. With `ignore_unknown`, an unknown column
    /// is skipped; otherwise it is an error naming it, as is a field named twice.
    pub fn new(
        record_type: RecordType,
        custom: &[CustomFieldDefinition],
        headers: &[&str],
        ignore_unknown: bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut targets: Vec<Option<Target>> = Vec::with_capacity(headers.len());
        for (index, header) in headers.iter().enumerate() {
            let key = normalize_header(header);
            let field = record_type.field(&key).map(|f| f.name).or_else(|| alias(record_type, &key));
            let custom_key = key.strip_prefix("custom.").unwrap_or(&key);
            let target = if let Some(spec) = field.and_then(|name| record_type.field(name)) {
                Some(Target::Field(spec.name, spec.kind))
            } else if let Some(def) = custom.iter().find(|d| d.key == custom_key || normalize_header(&d.label) == key) {
                Some(Target::Custom(def.key.clone(), def.field_type))
            } else if matches!(key.as_str(), "tags" | "tag" | "etiquetas") {
                Some(Target::Tags)
            } else if key == "owner_id" {
                Some(Target::Owner)
            } else if matches!(key.as_str(), "id" | "created_at" | "updated_at") {
                // Rapport sets these; an export has them, and imports again without them.
                None
            } else {
                if !ignore_unknown && !key.is_empty() {
                    errors.push(FieldError::new(
                        format!("columns[{index}]"),
                        "unknown_column",
                        format!("column '{header}' matches no {record_type} field; rename it or skip unknown columns"),
                    ));
                }
                None
            };
            if let Some(target) = &target {
                if targets.iter().flatten().any(|t| t == target) {
                    errors.push(FieldError::new(
                        format!("columns[{index}]"),
                        "duplicate_column",
                        format!("column '{header}' fills a field an earlier column already fills"),
                    ));
                }
            }
            targets.push(target);
        }
        errors.into_result()?;
        if targets.iter().all(Option::is_none) {
            return Err(FieldError::new("columns", "required", "the header row names no field to import").into());
        }
        Ok(Self { targets })
    }

    /// How many columns the file has.
    pub fn width(&self) -> usize {
        self.targets.len()
    }

    /// The create input of one row; empty cells are left out.
    pub fn input<'a>(&self, cells: impl IntoIterator<Item = &'a str>) -> Map<String, Value> {
        let mut input = Map::new();
        let mut custom = Map::new();
        for (target, cell) in self.targets.iter().zip(cells) {
            let cell = crate::export::unneutralize(cell.trim()).trim();
            let Some(target) = target else { continue };
            if cell.is_empty() {
                continue;
            }
            match target {
                Target::Field(name, kind) => {
                    input.insert((*name).to_owned(), field_value(*kind, cell));
                }
                Target::Custom(key, field_type) => {
                    custom.insert(key.clone(), custom_value(*field_type, cell));
                }
                Target::Tags => {
                    input.insert("tags".into(), list(cell));
                }
                Target::Owner => {
                    input.insert("owner_id".into(), Value::String(cell.to_owned()));
                }
            }
        }
        if !custom.is_empty() {
            input.insert("custom".into(), Value::Object(custom));
        }
        input
    }
}

/// Items of a list cell, separated by `;`, `,` or line breaks.
fn list(cell: &str) -> Value {
    Value::Array(
        cell.split([';', ',', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .collect(),
    )
}

/// Yes/no in the product's languages; anything else stays text so that the
/// validator reports it.
fn boolean(cell: &str) -> Value {
    match fold_for_search(cell).as_str() {
        "true" | "yes" | "y" | "1" | "sim" | "si" | "s" | "verdadeiro" | "verdadero" | "x" => Value::Bool(true),
        "false" | "no" | "n" | "0" | "nao" | "falso" => Value::Bool(false),
        _ => Value::String(cell.to_owned()),
    }
}

/// A number cell; text that is not one stays text for the validator to reject.
fn number(cell: &str) -> Value {
    if let Ok(n) = cell.parse::<i64>() {
        return Value::from(n);
    }
    cell.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(cell.to_owned()), Value::Number)
}

fn field_value(kind: FieldKind, cell: &str) -> Value {
    match kind {
        FieldKind::EmailList | FieldKind::PhoneList | FieldKind::UserList => list(cell),
        FieldKind::Bool => boolean(cell),
        FieldKind::Integer { .. } => number(cell),
        FieldKind::Money => money(cell),
        // Structured fields take their JSON form in a cell.
        FieldKind::RefList | FieldKind::Consents | FieldKind::LineItems => {
            serde_json::from_str(cell).unwrap_or_else(|_| Value::String(cell.to_owned()))
        }
        _ => Value::String(cell.to_owned()),
    }
}

fn custom_value(field_type: CustomFieldType, cell: &str) -> Value {
    match field_type {
        CustomFieldType::Number => number(cell),
        CustomFieldType::Boolean => boolean(cell),
        CustomFieldType::MultiSelect => list(cell),
        CustomFieldType::Money => money(cell),
        _ => Value::String(cell.to_owned()),
    }
}

/// "1234.50 BRL" or "BRL 1234.50": an amount in major units and a currency,
/// to minor units by the currency's digits (JPY has none); anything else
/// stays text for the validator to reject.
fn money(cell: &str) -> Value {
    let mut amount = None;
    let mut currency = None;
    for part in cell.split_whitespace() {
        match part.replace(',', ".").parse::<f64>() {
            Ok(n) => amount = Some(n),
            Err(_) => currency = crate::values::Currency::parse(part).ok(),
        }
    }
    match (amount, currency) {
        (Some(amount), Some(currency)) => {
            let minor = (amount * 10f64.powi(i32::from(currency.minor_digits()))).round() as i64;
            serde_json::json!({"amount_minor": minor, "currency": currency.code()})
        }
        _ => Value::String(cell.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(headers: &[&str]) -> Result<ColumnPlan, ValidationErrors> {
        ColumnPlan::new(RecordType::CONTACT, &[], headers, false)
    }

    #[test]
    fn headers_match_fields_and_their_names_in_three_languages() {
        let plan = plan(&["Nome", "Sobrenome", "E-mail", "Telefone", "Cidade", "Tags"]).unwrap();
        let input = plan.input(["Ana", "Silva", "ana@x.com; ana@y.com", "+55 11 99999-0000", "", "vip, sp"]);
        assert_eq!(
            Value::Object(input),
            serde_json::json!({
                "first_name": "Ana",
                "last_name": "Silva",
                "emails": ["ana@x.com", "ana@y.com"],
                "phones": ["+55 11 99999-0000"],
                "tags": ["vip", "sp"],
            })
        );
    }

    #[test]
    fn unknown_and_repeated_columns_are_named() {
        let errors = plan(&["first_name", "shoe size", "Email", "emails"]).unwrap_err();
        let codes: Vec<(&str, &str)> = errors.0.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(codes, [("columns[1]", "unknown_column"), ("columns[3]", "duplicate_column")]);
        assert!(errors.0[0].message.contains("shoe size"));
        let plan = ColumnPlan::new(RecordType::CONTACT, &[], &["first_name", "shoe size"], true).unwrap();
        assert_eq!(Value::Object(plan.input(["Ana", "44"])), serde_json::json!({"first_name": "Ana"}));
    }

    #[test]
    fn a_file_without_known_columns_is_refused() {
        assert_eq!(ColumnPlan::new(RecordType::CONTACT, &[], &["a", "b"], true).unwrap_err().0[0].code, "required");
    }

    #[test]
    fn cells_become_typed_values_and_bad_ones_stay_text_for_the_validator() {
        assert_eq!(boolean("Sim"), Value::Bool(true));
        assert_eq!(boolean("não"), Value::Bool(false));
        assert_eq!(boolean("maybe"), Value::String("maybe".into()));
        assert_eq!(number("42"), Value::from(42));
        assert_eq!(number("4.5"), serde_json::json!(4.5));
        assert_eq!(number("lots"), Value::String("lots".into()));
        assert_eq!(
            custom_value(CustomFieldType::Money, "1234,50 BRL"),
            serde_json::json!({"amount_minor": 123450, "currency": "BRL"})
        );
    }
}
