//! Records as spreadsheet rows: the inverse of `import`'s column plan, so
//! that an exported file imports again as it was, and cells a spreadsheet
//! would run as formulas are neutralised.

use serde_json::{Map, Value};

use crate::custom_fields::{CustomFieldDefinition, CustomFieldType};
use crate::schema::{FieldKind, FieldSpec, RecordType};

/// Characters that make a spreadsheet read a cell as a formula (OWASP: CSV
/// injection). Such a cell is written after a `'`, which spreadsheets hide
/// and the importer takes off again.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as a spreadsheet may show it without running it.
pub fn neutralize(cell: String) -> String {
    if cell.starts_with(FORMULA_STARTS) { format!("'{cell}") } else { cell }
}

/// A cell as it was before `neutralize`.
pub fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

enum Column {
    Id,
    Field(&'static FieldSpec),
    Custom(String, CustomFieldType),
    Owner,
    Tags,
    CreatedAt,
    UpdatedAt,
}

/// The columns of a kind's export: its id, every field, its custom fields,
/// owner, tags and timestamps, headed by the names the importer reads.
pub struct ExportColumns(Vec<Column>);

impl ExportColumns {
    pub fn new(record_type: RecordType, custom: &[CustomFieldDefinition]) -> Self {
        let mut columns = vec![Column::Id];
        columns.extend(record_type.fields().iter().map(Column::Field));
        columns.extend(custom.iter().map(|d| Column::Custom(d.key.clone(), d.field_type)));
        columns.extend([Column::Owner, Column::Tags, Column::CreatedAt, Column::UpdatedAt]);
        Self(columns)
    }

    pub fn headers(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|column| match column {
                Column::Id => "id".to_owned(),
                Column::Field(spec) => spec.name.to_owned(),
                Column::Custom(key, _) => format!("custom.{key}"),
                Column::Owner => "owner_id".to_owned(),
                Column::Tags => "tags".to_owned(),
                Column::CreatedAt => "created_at".to_owned(),
                Column::UpdatedAt => "updated_at".to_owned(),
            })
            .collect()
    }

    /// The cells of a record as the API shows it (`Record::to_json`).
    pub fn row(&self, record: &Map<String, Value>) -> Vec<String> {
        let get = |key: &str| record.get(key).unwrap_or(&Value::Null);
        let custom = record.get("custom").and_then(Value::as_object);
        self.0
            .iter()
            .map(|column| {
                let cell = match column {
                    Column::Id => text(get("id")),
                    Column::Field(spec) => field_cell(spec.kind, get(spec.name)),
                    Column::Custom(key, field_type) => {
                        custom_cell(*field_type, custom.and_then(|c| c.get(key)).unwrap_or(&Value::Null))
                    }
                    Column::Owner => text(get("owner_id")),
                    Column::Tags => list(get("tags")),
                    Column::CreatedAt => text(get("created_at")),
                    Column::UpdatedAt => text(get("updated_at")),
                };
                neutralize(cell)
            })
            .collect()
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Items joined as the importer splits them.
fn list(value: &Value) -> String {
    value.as_array().map(|items| items.iter().map(text).collect::<Vec<_>>().join("; ")).unwrap_or_default()
}

/// Money as the importer reads it: `1234.50 BRL`.
fn money(value: &Value) -> String {
    let (Some(minor), Some(code)) =
        (value.get("amount_minor").and_then(Value::as_i64), value.get("currency").and_then(Value::as_str))
    else {
        return String::new();
    };
    format!("{} {code}", crate::values::money::plain_decimal(minor, code))
}

fn field_cell(kind: FieldKind, value: &Value) -> String {
    match kind {
        FieldKind::EmailList | FieldKind::PhoneList | FieldKind::UserList => list(value),
        FieldKind::Money => money(value),
        FieldKind::RefList | FieldKind::Consents | FieldKind::LineItems | FieldKind::Structured(_) => match value {
            Value::Array(items) if items.is_empty() => String::new(),
            Value::Null => String::new(),
            other => other.to_string(),
        },
        _ => text(value),
    }
}

fn custom_cell(field_type: CustomFieldType, value: &Value) -> String {
    match field_type {
        CustomFieldType::MultiSelect => list(value),
        CustomFieldType::Money => money(value),
        _ => text(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ColumnPlan;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised_and_come_back() {
        for formula in ["=HYPERLINK(\"http://x\")", "+55 11 99999-0000", "-5", "@SUM(A1)", "\tx", "\rx"] {
            let cell = neutralize(formula.to_owned());
            assert!(cell.starts_with('\''), "{cell}");
            assert_eq!(unneutralize(&cell), formula);
        }
        assert_eq!(neutralize("Ana".to_owned()), "Ana");
        assert_eq!(unneutralize("'quoted"), "'quoted", "a quote before plain text is the user's");
    }

    #[test]
    fn an_exported_row_imports_as_the_same_record() {
        let custom = [CustomFieldDefinition {
            record_type: RecordType::CONTACT,
            key: "budget".into(),
            label: "Budget".into(),
            field_type: CustomFieldType::Money,
            options: Vec::new(),
            required: false,
        }];
        let record = serde_json::json!({
            "id": "0193d1a8-0000-7000-8000-000000000001",
            "first_name": "Ana", "last_name": "=cmd|' /C calc'!A0",
            "emails": ["ana@example.com", "ana.souza@example.com"], "phones": ["+5511999990000"],
            "city": "São Paulo", "tags": ["vip", "sp"],
            "custom": {"budget": {"amount_minor": -123_456, "currency": "BRL"}},
            "created_at": "2026-03-02T09:00:00Z",
        });
        let columns = ExportColumns::new(RecordType::CONTACT, &custom);
        let headers = columns.headers();
        let row = columns.row(record.as_object().unwrap());
        assert!(row.contains(&"'=cmd|' /C calc'!A0".to_owned()), "{row:?}");
        assert!(row.contains(&"'-1234.56 BRL".to_owned()), "{row:?}");
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let plan = ColumnPlan::new(RecordType::CONTACT, &custom, &header_refs, false).unwrap();
        let input = plan.input(row.iter().map(String::as_str));
        for key in ["first_name", "last_name", "emails", "phones", "city", "tags", "custom"] {
            assert_eq!(input.get(key), record.get(key), "{key}");
        }
    }
}
