//! Saved list views: a list's filters, sort and columns under a name, kept
//! by the user who made it and, when shared, offered to everyone.

use serde::{Deserialize, Serialize};

use crate::custom_fields::CustomFieldDefinition;
use crate::query::{FieldRef, ListQuery};
use crate::schema::RecordType;
use crate::{FieldError, ValidationErrors};

pub const MAX_NAME: usize = 100;
/// Columns a list shows at most (beyond the name).
pub const MAX_COLUMNS: usize = 20;

/// A view as a client gives it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewInput {
    pub name: String,
    /// The list's query as the API takes it: `filter[country][eq]=BR&sort=last_name`.
    #[serde(default)]
    pub query: String,
    /// Field names shown as columns, in order (`custom.key` for custom fields);
    /// empty for the kind's default columns.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Offered to every user, not only its owner.
    #[serde(default)]
    pub shared: bool,
}

/// The query pairs a view stores, without paging.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    pairs.into_iter().filter(|(k, v)| k != "cursor" && k != "limit" && !(k == "sort" && v.is_empty())).collect()
}

/// Checks a view against its kind and returns it tidied: the name trimmed,
/// the query without paging, the columns known and without repeats.
pub fn validate(
    record_type: RecordType,
    custom: &[CustomFieldDefinition],
    input: &ViewInput,
) -> Result<ViewInput, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        errors.push(FieldError::new("name", "required", "a view needs a name"));
    } else if name.chars().count() > MAX_NAME {
        errors.push(FieldError::new("name", "too_long", format!("at most {MAX_NAME} characters")));
    }
    let pairs = query_pairs(&input.query);
    if let Err(invalid) = ListQuery::parse(record_type, custom, &pairs) {
        errors.push(FieldError::new("query", "invalid_query", invalid.to_string()));
    }
    let columns = validate_columns(record_type, custom, &input.columns).unwrap_or_else(|e| {
        errors.push(e);
        Vec::new()
    });
    errors.into_result()?;
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    Ok(ViewInput { name, query, columns, shared: input.shared })
}

/// Columns a list may show: known fields of the kind (not its name, which
/// always shows), each once, at most `MAX_COLUMNS`.
pub fn validate_columns(
    record_type: RecordType,
    custom: &[CustomFieldDefinition],
    columns: &[String],
) -> Result<Vec<String>, FieldError> {
    let mut kept: Vec<String> = Vec::new();
    for column in columns {
        FieldRef::resolve(record_type, column, custom).map_err(|e| FieldError { field: "columns".into(), ..e })?;
        if !kept.contains(column) {
            kept.push(column.clone());
        }
    }
    if kept.len() > MAX_COLUMNS {
        return Err(FieldError::new("columns", "too_many", format!("at most {MAX_COLUMNS} columns")));
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, query: &str, columns: &[&str]) -> ViewInput {
        ViewInput {
            name: name.into(),
            query: query.into(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            shared: false,
        }
    }

    #[test]
    fn a_view_keeps_its_filters_and_sort_but_not_its_page() {
        let view = validate(
            RecordType::CONTACT,
            &[],
            &input("  Curitiba  ", "filter%5Bcity%5D%5Beq%5D=Curitiba&sort=-created_at&cursor=00&limit=20", &[]),
        )
        .unwrap();
        assert_eq!(view.name, "Curitiba");
        assert_eq!(
            query_pairs(&view.query),
            [("filter[city][eq]".to_owned(), "Curitiba".to_owned()), ("sort".to_owned(), "-created_at".to_owned())]
        );
    }

    #[test]
    fn names_queries_and_columns_are_checked() {
        let errors = validate(RecordType::CONTACT, &[], &input(" ", "filter[shoe_size][eq]=42", &["city", "wings"]))
            .unwrap_err()
            .to_string();
        for field in ["name", "query", "columns"] {
            assert!(errors.contains(field), "{field} in {errors}");
        }
        let columns = validate_columns(RecordType::CONTACT, &[], &["city".into(), "city".into(), "created_at".into()]);
        assert_eq!(columns.unwrap(), ["city", "created_at"]);
    }
}
