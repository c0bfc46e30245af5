//! Per-record-type fields and the rules that look at more than one field.

pub mod activity;
pub mod company;
pub mod contact;
pub mod deal;
pub mod lead;
pub mod pipeline;

use serde_json::{Map, Value};

use crate::ValidationErrors;
use crate::schema::RecordType;

/// Address fields shared by contacts, companies and leads.
macro_rules! address_fields {
    () => {
        [
            FieldSpec::new("street", FieldKind::Text { max: 200 }),
            FieldSpec::new("city", FieldKind::Text { max: 100 }).indexed(),
            FieldSpec::new("state", FieldKind::Text { max: 100 }),
            FieldSpec::new("postal_code", FieldKind::Text { max: 20 }),
            FieldSpec::new("country", FieldKind::Country).indexed(),
        ]
    };
}
pub(crate) use address_fields;

/// Origin fields shared by contacts, leads and deals.
macro_rules! source_fields {
    () => {
        [
            FieldSpec::new("source_channel", FieldKind::Text { max: 100 }).indexed(),
            FieldSpec::new("source_campaign", FieldKind::Text { max: 200 }),
            FieldSpec::new("utm_source", FieldKind::Text { max: 200 }),
            FieldSpec::new("utm_medium", FieldKind::Text { max: 200 }),
            FieldSpec::new("utm_campaign", FieldKind::Text { max: 200 }),
        ]
    };
}
pub(crate) use source_fields;

/// Builds a `&'static [FieldSpec]` from groups of fields.
macro_rules! field_list {
    ($($group:expr),* $(,)?) => {{
        const GROUPS: &[&[FieldSpec]] = &[$(&$group),*];
        const LEN: usize = {
            let mut n = 0;
            let mut i = 0;
            while i < GROUPS.len() {
                n += GROUPS[i].len();
                i += 1;
            }
            n
        };
        const LIST: [FieldSpec; LEN] = {
            let mut out = [FieldSpec::new("", FieldKind::LongText); LEN];
            let mut n = 0;
            let mut i = 0;
            while i < GROUPS.len() {
                let mut j = 0;
                while j < GROUPS[i].len() {
                    out[n] = GROUPS[i][j];
                    n += 1;
                    j += 1;
                }
                i += 1;
            }
            out
        };
        &LIST
    }};
}
pub(crate) use field_list;

/// Rules across fields of a whole record (after a patch is merged).
pub fn check(record_type: RecordType, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
    match record_type {
        RecordType::Contact => contact::check(record),
        RecordType::Company => company::check(record),
        RecordType::Lead => lead::check(record),
        RecordType::Deal => deal::check(record),
        RecordType::Activity => activity::check(record),
    }
}

/// Derived values the record stores besides its input (e.g. a company's
/// domain from its website). Called after `check`.
pub fn derive(record_type: RecordType, record: &mut Map<String, Value>) {
    if record_type == RecordType::Company {
        company::derive(record);
    }
}

/// The display name of a record, used as search title and in timelines.
pub fn display_name(record_type: RecordType, record: &Map<String, Value>) -> String {
    let text = |k: &str| record.get(k).and_then(Value::as_str).unwrap_or_default();
    let joined = |keys: &[&str]| keys.iter().map(|k| text(k)).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    let name = match record_type {
        RecordType::Contact => joined(&["first_name", "last_name"]),
        RecordType::Lead => joined(&["first_name", "last_name", "company_name"]),
        RecordType::Company | RecordType::Deal => text("name").to_owned(),
        RecordType::Activity => text("subject").to_owned(),
    };
    if name.is_empty() { first_email(record).unwrap_or_default() } else { name }
}

pub(crate) fn first_email(record: &Map<String, Value>) -> Option<String> {
    match record.get("emails").or_else(|| record.get("email")) {
        Some(Value::Array(items)) => items.first().and_then(Value::as_str).map(str::to_owned),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

pub(crate) fn is_blank(record: &Map<String, Value>, key: &str) -> bool {
    match record.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

/// Search text of a record: (title, body), folded for search.
pub fn search_text(record_type: RecordType, record: &Map<String, Value>) -> (String, String) {
    use crate::schema::SearchRole;
    let mut title = String::new();
    let mut body = String::new();
    for spec in record_type.fields() {
        let target = match spec.search {
            SearchRole::None => continue,
            SearchRole::Title => &mut title,
            SearchRole::Body => &mut body,
        };
        match record.get(spec.name) {
            Some(Value::String(s)) => push_word(target, s),
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).for_each(|s| push_word(target, s)),
            _ => {}
        }
    }
    (crate::text::fold_for_search(&title), crate::text::fold_for_search(&body))
}

fn push_word(target: &mut String, word: &str) {
    if !target.is_empty() {
        target.push(' ');
    }
    target.push_str(word);
}
