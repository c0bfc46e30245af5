//! Turning rows of a spreadsheet (CSV) into create inputs: which column feeds
//! which field, and how a cell's text becomes the JSON value the validator
//! expects. Validation itself is the API's (`schema::validate_fields`), so an
//! imported row is held to exactly the rules of a created one.

mod formats;

use serde_json::{Map, Value};

pub use self::formats::{CellFormats, DateOrder, DecimalMark};
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

impl Target {
    /// How a mapping names it: the field's name, `custom.key`, `tags` or `owner_id`.
    fn name(&self) -> String {
        match self {
            Self::Field(name, _) => (*name).to_owned(),
            Self::Custom(key, _) => format!("custom.{key}"),
            Self::Tags => "tags".into(),
            Self::Owner => "owner_id".into(),
        }
    }

    /// The target a mapping names, if the kind has it.
    fn named(record_type: RecordType, custom: &[CustomFieldDefinition], name: &str) -> Option<Self> {
        if let Some(key) = name.strip_prefix("custom.") {
            return custom.iter().find(|d| d.key == key).map(|d| Self::Custom(d.key.clone(), d.field_type));
        }
        match name {
            "tags" => Some(Self::Tags),
            "owner_id" => Some(Self::Owner),
            _ => record_type
                .field(name)
                .filter(|spec| importable(spec.kind))
                .map(|spec| Self::Field(spec.name, spec.kind)),
        }
    }
}

/// Fields a cell can fill: not those Rapport derives or keeps in structures
/// a spreadsheet has no column for.
fn importable(kind: FieldKind) -> bool {
    !matches!(kind, FieldKind::LineItems)
}

/// Every field a column of `record_type` can fill, as a mapping names them:
/// the kind's own (not those Rapport derives), its custom fields, `tags`
/// and `owner_id`.
pub fn mapping_targets(record_type: RecordType, custom: &[CustomFieldDefinition]) -> Vec<String> {
    record_type
        .fields()
        .iter()
        .filter(|spec| importable(spec.kind) && spec.derived.is_none() && spec.group != "system")
        .map(|spec| spec.name.to_owned())
        .chain(custom.iter().map(|d| format!("custom.{}", d.key)))
        .chain(["tags".to_owned(), "owner_id".to_owned()])
        .collect()
}

/// The columns of a file, resolved against a record type's fields.
#[derive(Debug, Clone)]
pub struct ColumnPlan {
    targets: Vec<Option<Target>>,
    formats: CellFormats,
}

/// The field a column named `header` (normalised) fills, by the kind's
/// import aliases, in the three product languages.
fn alias(record_type: RecordType, header: &str) -> Option<&'static str> {
    let groups = record_type.descriptor().import_aliases.iter();
    groups.flat_map(|group| group.iter()).find(|a| a.headers.contains(&header)).map(|a| a.field)
}

/// What a column a user maps to "a new custom field" becomes: a text field
/// labelled with the header, keyed by it ("Tamanho do sapato" →
/// `tamanho_do_sapato`), or `None` when the header has no letter to key it by.
pub fn custom_field_for_column(record_type: RecordType, header: &str) -> Option<CustomFieldDefinition> {
    let mut key = String::new();
    for c in normalize_header(header).chars() {
        match c {
            'a'..='z' => key.push(c),
            '0'..='9' | '_' | '.' if !key.is_empty() => {
                if c.is_ascii_digit() {
                    key.push(c);
                } else if !key.ends_with('_') {
                    key.push('_');
                }
            }
            // Letters beyond ASCII that folding keeps (º, ß) have no place in a key.
            _ => {}
        }
    }
    let key: String = key.trim_end_matches('_').chars().take(64).collect();
    (!key.is_empty()).then(|| CustomFieldDefinition {
        record_type,
        key,
        label: header.trim().chars().take(100).collect(),
        field_type: CustomFieldType::Text,
        options: Vec::new(),
        required: false,
    })
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
        Ok(Self { targets, formats: CellFormats::default() })
    }

    /// The field each column would fill by its header, as a mapping names
    /// it (`None`: no field matched, or an earlier column took it).
    pub fn suggest(record_type: RecordType, custom: &[CustomFieldDefinition], headers: &[&str]) -> Vec<Option<String>> {
        let mut taken: Vec<String> = Vec::new();
        headers
            .iter()
            .map(|header| {
                let plan = Self::new(record_type, custom, &[header], true).ok()?;
                let name = plan.targets.into_iter().next().flatten()?.name();
                (!taken.contains(&name)).then(|| {
                    taken.push(name.clone());
                    name
                })
            })
            .collect()
    }

    /// The plan a user chose: per column, the field it fills (as
    /// [`ColumnPlan::targets`] names them) or `None` to skip it.
    pub fn from_mapping(
        record_type: RecordType,
        custom: &[CustomFieldDefinition],
        mapping: &[Option<String>],
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut targets: Vec<Option<Target>> = Vec::with_capacity(mapping.len());
        for (index, name) in mapping.iter().enumerate() {
            let target = match name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                None => None,
                Some(name) => match Target::named(record_type, custom, name) {
                    Some(target) if targets.iter().flatten().any(|t| *t == target) => {
                        errors.push(FieldError::new(
                            format!("mapping[{index}]"),
                            "duplicate_column",
                            format!("two columns fill {name}; choose another field for one of them"),
                        ));
                        None
                    }
                    Some(target) => Some(target),
                    None => {
                        errors.push(FieldError::new(
                            format!("mapping[{index}]"),
                            "unknown_field",
                            format!("{record_type} has no field {name}"),
                        ));
                        None
                    }
                },
            };
            targets.push(target);
        }
        errors.into_result()?;
        if targets.iter().all(Option::is_none) {
            return Err(FieldError::new("mapping", "required", "choose the field of at least one column").into());
        }
        Ok(Self { targets, formats: CellFormats::default() })
    }

    /// Reads numbers and dates as `formats` says.
    pub fn with_formats(mut self, formats: CellFormats) -> Self {
        self.formats = formats;
        self
    }

    /// Per column, the field it fills as a mapping names it.
    pub fn mapping(&self) -> Vec<Option<String>> {
        self.targets.iter().map(|t| t.as_ref().map(Target::name)).collect()
    }

    /// Guesses the file's formats from sample rows: the cells of its number,
    /// money and date columns, with `fallback` for what they leave open.
    pub fn guess_formats(&self, fallback: CellFormats, rows: &[Vec<String>]) -> CellFormats {
        let cells_where = |wanted: fn(&Target) -> bool| {
            let columns: Vec<usize> = self
                .targets
                .iter()
                .enumerate()
                .filter(|(_, t)| t.as_ref().is_some_and(wanted))
                .map(|(i, _)| i)
                .collect();
            rows.iter()
                .flat_map(move |row| columns.clone().into_iter().filter_map(|i| row.get(i).map(String::as_str)))
                .collect::<Vec<_>>()
        };
        let numbers = cells_where(|t| {
            matches!(
                t,
                Target::Field(_, FieldKind::Integer { .. } | FieldKind::Money)
                    | Target::Custom(_, CustomFieldType::Number | CustomFieldType::Money)
            )
        });
        let dates = cells_where(|t| {
            matches!(
                t,
                Target::Field(_, FieldKind::Date | FieldKind::DateTime) | Target::Custom(_, CustomFieldType::Date)
            )
        });
        CellFormats::guess(fallback, numbers, dates)
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
                    input.insert((*name).to_owned(), field_value(&self.formats, *kind, cell));
                }
                Target::Custom(key, field_type) => {
                    custom.insert(key.clone(), custom_value(&self.formats, *field_type, cell));
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
fn number(formats: &CellFormats, cell: &str) -> Value {
    let Some(plain) = formats.number(cell) else {
        return Value::String(cell.to_owned());
    };
    if let Ok(n) = plain.parse::<i64>() {
        return Value::from(n);
    }
    plain
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(cell.to_owned()), Value::Number)
}

/// A date cell as ISO; text that is not a date stays for the validator.
fn date(formats: &CellFormats, cell: &str) -> Value {
    Value::String(formats.date(cell).map_or_else(|| cell.to_owned(), |d| d.to_string()))
}

fn field_value(formats: &CellFormats, kind: FieldKind, cell: &str) -> Value {
    match kind {
        FieldKind::EmailList | FieldKind::PhoneList | FieldKind::UserList => list(cell),
        FieldKind::Bool => boolean(cell),
        FieldKind::Integer { .. } => number(formats, cell),
        FieldKind::Money => money(formats, cell),
        FieldKind::Date => date(formats, cell),
        FieldKind::DateTime => Value::String(formats.date_time(cell).unwrap_or_else(|| cell.to_owned())),
        // Structured fields take their JSON form in a cell.
        FieldKind::RefList | FieldKind::Consents | FieldKind::LineItems | FieldKind::Structured(_) => {
            serde_json::from_str(cell).unwrap_or_else(|_| Value::String(cell.to_owned()))
        }
        _ => Value::String(cell.to_owned()),
    }
}

fn custom_value(formats: &CellFormats, field_type: CustomFieldType, cell: &str) -> Value {
    match field_type {
        CustomFieldType::Number => number(formats, cell),
        CustomFieldType::Boolean => boolean(cell),
        CustomFieldType::MultiSelect => list(cell),
        CustomFieldType::Money => money(formats, cell),
        CustomFieldType::Date => date(formats, cell),
        _ => Value::String(cell.to_owned()),
    }
}

/// "1.234,50 BRL" or "BRL 1234.50": an amount in major units and a
/// currency, to minor units by the currency's digits (JPY has none);
/// anything else stays text for the validator to reject.
fn money(formats: &CellFormats, cell: &str) -> Value {
    let mut amount = None;
    let mut currency = None;
    for part in cell.split_whitespace() {
        match formats.number(part).and_then(|n| n.parse::<f64>().ok()) {
            Some(n) => amount = Some(n),
            None => currency = crate::values::Currency::parse(part).ok(),
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
    #[test]
    fn a_column_becomes_a_text_custom_field_keyed_by_its_header() {
        let field = super::custom_field_for_column(RecordType::CONTACT, " Tamanho do Sapato ").expect("a field");
        assert_eq!((field.key.as_str(), field.label.as_str()), ("tamanho_do_sapato", "Tamanho do Sapato"));
        assert!(field.check().is_ok());
        assert_eq!(super::custom_field_for_column(RecordType::CONTACT, "2024").map(|f| f.key), None);
        assert_eq!(
            super::custom_field_for_column(RecordType::CONTACT, "Nº Cliente").expect("a field").key,
            "n_cliente"
        );
    }

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
    fn a_mapping_chosen_by_the_user_is_checked_and_named_back() {
        let suggested = ColumnPlan::suggest(RecordType::CONTACT, &[], &["Nome", "E-mail", "Email", "Shoe size"]);
        assert_eq!(suggested, [Some("first_name".into()), Some("emails".into()), None, None]);
        let mapping = [Some("last_name".to_owned()), None, Some("birth_date".into())];
        let plan = ColumnPlan::from_mapping(RecordType::CONTACT, &[], &mapping).unwrap();
        assert_eq!(plan.mapping(), mapping);
        let formats =
            plan.guess_formats(CellFormats::default(), &[vec!["Silva".into(), "x".into(), "25/12/1990".into()]]);
        assert_eq!(formats.dates, DateOrder::DayFirst);
        let input = plan.with_formats(formats).input(["Silva", "ignored", "25/12/1990"]);
        assert_eq!(Value::Object(input), serde_json::json!({"last_name": "Silva", "birth_date": "1990-12-25"}));
        let errors = ColumnPlan::from_mapping(
            RecordType::CONTACT,
            &[],
            &[Some("emails".into()), Some("emails".into()), Some("shoe".into())],
        )
        .unwrap_err();
        let codes: Vec<&str> = errors.0.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["duplicate_column", "unknown_field"]);
    }

    #[test]
    fn other_crms_exports_map_by_their_column_names() {
        let google =
            ["First Name", "Last Name", "E-mail 1 - Value", "Phone 1 - Value", "Organization Title", "Birthday"];
        let hubspot = ["First Name", "Last Name", "Email", "Mobile Phone Number", "State/Region", "Country/Region"];
        let salesforce = ["First Name", "Last Name", "Email", "Mailing City", "Mailing Zip/Postal Code", "Lead Source"];
        let expected: [&[&str]; 3] = [
            &["first_name", "last_name", "emails", "phones", "job_title", "birth_date"],
            &["first_name", "last_name", "emails", "phones", "state", "country"],
            &["first_name", "last_name", "emails", "city", "postal_code", "source_channel"],
        ];
        for (headers, expected) in [&google[..], &hubspot, &salesforce].into_iter().zip(expected) {
            let mapping = ColumnPlan::suggest(RecordType::CONTACT, &[], headers);
            let names: Vec<&str> = mapping.iter().map(|m| m.as_deref().unwrap_or("-")).collect();
            assert_eq!(names, expected, "{headers:?}");
        }
        let targets = mapping_targets(RecordType::DEAL, &[]);
        assert!(targets.contains(&"amount_minor".to_owned()) && !targets.contains(&"status".to_owned()));
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
        let us = CellFormats::default();
        let br = CellFormats { decimal: DecimalMark::Comma, dates: DateOrder::DayFirst };
        assert_eq!(number(&us, "42"), Value::from(42));
        assert_eq!(number(&us, "4.5"), serde_json::json!(4.5));
        assert_eq!(number(&br, "1.234"), Value::from(1234));
        assert_eq!(number(&us, "lots"), Value::String("lots".into()));
        assert_eq!(
            custom_value(&br, CustomFieldType::Money, "1.234,50 BRL"),
            serde_json::json!({"amount_minor": 123450, "currency": "BRL"})
        );
        assert_eq!(custom_value(&br, CustomFieldType::Date, "31/12/2026"), Value::String("2026-12-31".into()));
    }
}
