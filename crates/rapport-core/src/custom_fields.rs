//! Custom fields: definitions per record type and validation of their values.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::schema::{FieldKind, RecordType, ValidationContext, normalize_value};
use crate::{FieldError, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    Text,
    Number,
    Money,
    Date,
    Boolean,
    Select,
    MultiSelect,
    Url,
    Email,
    Phone,
}

impl CustomFieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Money => "money",
            Self::Date => "date",
            Self::Boolean => "boolean",
            Self::Select => "select",
            Self::MultiSelect => "multi_select",
            Self::Url => "url",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        use CustomFieldType::*;
        [Text, Number, Money, Date, Boolean, Select, MultiSelect, Url, Email, Phone]
            .into_iter()
            .find(|t| t.as_str() == input)
    }
}

/// A custom field as an administrator defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldDefinition {
    pub record_type: RecordType,
    /// Machine key: lower-case letters, digits and `_`, starting with a letter.
    pub key: String,
    pub label: String,
    pub field_type: CustomFieldType,
    /// Choices for `select` and `multi_select`.
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

impl CustomFieldDefinition {
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let key_ok = (1..=64).contains(&self.key.len())
            && self.key.starts_with(|c: char| c.is_ascii_lowercase())
            && self.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            errors.push(FieldError::new(
                "key",
                "invalid_key",
                "use 1-64 lower-case letters, digits or _, starting with a letter",
            ));
        }
        if self.label.trim().is_empty() || self.label.chars().count() > 100 {
            errors.push(FieldError::new("label", "required", "a label of 1-100 characters is required"));
        }
        let needs_options = matches!(self.field_type, CustomFieldType::Select | CustomFieldType::MultiSelect);
        if needs_options && (self.options.is_empty() || self.options.len() > 200) {
            errors.push(FieldError::new("options", "required", "a select field needs between 1 and 200 options"));
        }
        if !needs_options && !self.options.is_empty() {
            errors.push(FieldError::new("options", "not_allowed", "only select fields have options"));
        }
        if self.options.iter().any(|o| o.trim().is_empty() || o.chars().count() > 100) {
            errors.push(FieldError::new("options", "invalid_choice", "options must be 1-100 characters"));
        }
        errors.into_result()
    }
}

/// Validates the `custom` object of a record against the type's definitions.
///
/// With `merge_into`, the result is the existing values patched by `input`;
/// required fields are checked on the result.
pub fn validate_custom(
    definitions: &[CustomFieldDefinition],
    input: Option<&Value>,
    existing: Option<&Map<String, Value>>,
    ctx: &ValidationContext,
) -> Result<Map<String, Value>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut out = existing.cloned().unwrap_or_default();
    match input {
        None | Some(Value::Null) => {}
        Some(Value::Object(values)) => {
            for (key, value) in values {
                let path = format!("custom.{key}");
                let Some(def) = definitions.iter().find(|d| &d.key == key) else {
                    errors.push(FieldError::new(path, "unknown_field", format!("there is no custom field '{key}'")));
                    continue;
                };
                if value.is_null() {
                    out.remove(key);
                    continue;
                }
                match normalize_custom(def, value, ctx) {
                    Ok(v) => {
                        out.insert(key.clone(), v);
                    }
                    Err(e) => errors.push(e.nested(&path)),
                }
            }
        }
        Some(_) => errors.push(FieldError::new("custom", "wrong_type", "expected an object of custom field values")),
    }
    for def in definitions.iter().filter(|d| d.required) {
        if out.get(&def.key).is_none_or(Value::is_null) {
            errors.push(FieldError::required(format!("custom.{}", def.key)));
        }
    }
    errors.into_result().map(|()| out)
}

fn normalize_custom(def: &CustomFieldDefinition, value: &Value, ctx: &ValidationContext) -> Result<Value, FieldError> {
    let kind = match def.field_type {
        CustomFieldType::Text => FieldKind::Text { max: 1000 },
        CustomFieldType::Date => FieldKind::Date,
        CustomFieldType::Boolean => FieldKind::Bool,
        CustomFieldType::Url => FieldKind::Url,
        CustomFieldType::Email => FieldKind::Email,
        CustomFieldType::Phone => FieldKind::Phone,
        CustomFieldType::Number => {
            return match value.as_f64() {
                Some(n) if n.is_finite() => Ok(value.clone()),
                _ => Err(FieldError::new("", "wrong_type", "expected a number")),
            };
        }
        CustomFieldType::Money => {
            let Some(obj) = value.as_object() else {
                return Err(FieldError::new(
                    "",
                    "wrong_type",
                    "expected {\"amount_minor\": 1000, \"currency\": \"BRL\"}",
                ));
            };
            if obj.keys().any(|k| k != "amount_minor" && k != "currency") {
                return Err(FieldError::new("", "unknown_field", "money has only amount_minor and currency"));
            }
            let amount = obj.get("amount_minor").and_then(Value::as_i64).ok_or_else(|| {
                FieldError::new("amount_minor", "wrong_type", "expected a whole number of minor units")
            })?;
            let currency = normalize_value(FieldKind::Currency, obj.get("currency").unwrap_or(&Value::Null), ctx)
                .map_err(|e| e.nested("currency"))?;
            return Ok(serde_json::json!({"amount_minor": amount, "currency": currency}));
        }
        CustomFieldType::Select => {
            let s = value.as_str().ok_or_else(|| FieldError::new("", "wrong_type", "expected one of the options"))?;
            if !def.options.iter().any(|o| o == s) {
                return Err(FieldError::new(
                    "",
                    "invalid_choice",
                    format!("must be one of: {}", def.options.join(", ")),
                ));
            }
            return Ok(value.clone());
        }
        CustomFieldType::MultiSelect => {
            let items =
                value.as_array().ok_or_else(|| FieldError::new("", "wrong_type", "expected a list of options"))?;
            for item in items {
                if !item.as_str().is_some_and(|s| def.options.iter().any(|o| o == s)) {
                    return Err(FieldError::new(
                        "",
                        "invalid_choice",
                        format!("each item must be one of: {}", def.options.join(", ")),
                    ));
                }
            }
            return Ok(value.clone());
        }
    };
    normalize_value(kind, value, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(key: &str, field_type: CustomFieldType, options: &[&str], required: bool) -> CustomFieldDefinition {
        CustomFieldDefinition {
            record_type: RecordType::CONTACT,
            key: key.into(),
            label: key.into(),
            field_type,
            options: options.iter().map(|s| s.to_string()).collect(),
            required,
        }
    }

    #[test]
    fn values_are_checked_by_type() {
        let defs = [
            def("tier", CustomFieldType::Select, &["gold", "silver"], false),
            def("seats", CustomFieldType::Number, &[], false),
        ];
        let ctx = ValidationContext::default();
        let ok = validate_custom(&defs, Some(&json!({"tier": "gold", "seats": 12})), None, &ctx).unwrap();
        assert_eq!(ok["tier"], "gold");
        let err =
            validate_custom(&defs, Some(&json!({"tier": "bronze", "seats": "x", "nope": 1})), None, &ctx).unwrap_err();
        let mut fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["custom.nope", "custom.seats", "custom.tier"]);
    }

    #[test]
    fn required_custom_fields_are_enforced_after_merge() {
        let defs = [def("region", CustomFieldType::Text, &[], true)];
        let ctx = ValidationContext::default();
        assert!(validate_custom(&defs, None, None, &ctx).is_err());
        let existing = json!({"region": "Sul"}).as_object().unwrap().clone();
        assert!(validate_custom(&defs, None, Some(&existing), &ctx).is_ok());
    }

    #[test]
    fn definitions_need_a_valid_key() {
        assert!(def("Bad Key", CustomFieldType::Text, &[], false).check().is_err());
        assert!(def("select_no_options", CustomFieldType::Select, &[], false).check().is_err());
    }
}
