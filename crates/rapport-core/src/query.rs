//! List queries: filters, sort order and keyset cursors, checked against the
//! record schema before storage sees them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::custom_fields::{CustomFieldDefinition, CustomFieldType};
use crate::schema::{RecordType, Storage};
use crate::{FieldError, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    Ne,
    Contains,
    StartsWith,
    Gt,
    Lt,
    In,
    IsEmpty,
}

impl FilterOp {
    pub fn parse(input: &str) -> Option<Self> {
        use FilterOp::*;
        Some(match input {
            "eq" => Eq,
            "ne" => Ne,
            "contains" => Contains,
            "starts_with" => StartsWith,
            "gt" => Gt,
            "lt" => Lt,
            "in" => In,
            "is_empty" => IsEmpty,
            _ => return None,
        })
    }
}

/// A column every record has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemField {
    Id,
    OwnerId,
    CreatedAt,
    UpdatedAt,
    CreatedBy,
    UpdatedBy,
    Tags,
}

impl SystemField {
    pub const ALL: [SystemField; 7] =
        [Self::Id, Self::OwnerId, Self::CreatedAt, Self::UpdatedAt, Self::CreatedBy, Self::UpdatedBy, Self::Tags];

    pub fn column(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::OwnerId => "owner_id",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
            Self::CreatedBy => "created_by",
            Self::UpdatedBy => "updated_by",
            Self::Tags => "tags",
        }
    }

    /// Whether every record table has an index on it (with `id`, for keyset pages).
    pub fn indexed(self) -> bool {
        matches!(self, Self::Id | Self::OwnerId | Self::CreatedAt | Self::UpdatedAt)
    }

    pub fn storage(self) -> Storage {
        match self {
            Self::Id | Self::OwnerId | Self::CreatedBy | Self::UpdatedBy => Storage::Uuid,
            Self::CreatedAt | Self::UpdatedAt => Storage::Timestamp,
            Self::Tags => Storage::Json,
        }
    }
}

/// The field a filter or sort applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    System(SystemField),
    Standard {
        column: &'static str,
        storage: Storage,
    },
    /// A custom field, read from the record's JSON `custom` column.
    Custom {
        key: String,
        field_type: CustomFieldType,
    },
}

impl FieldRef {
    /// Whether the field has an index of its own, so that sorting by it or
    /// an equality filter on it reads a range rather than the whole table.
    /// What lists offer to sort by on screen.
    pub fn indexed(&self, record_type: RecordType) -> bool {
        match self {
            Self::System(system) => system.indexed(),
            Self::Standard { column, .. } => record_type.field(column).is_some_and(|f| f.indexed),
            Self::Custom { .. } => false,
        }
    }

    pub fn resolve(record_type: RecordType, name: &str, custom: &[CustomFieldDefinition]) -> Result<Self, FieldError> {
        if let Some(key) = name.strip_prefix("custom.") {
            return custom
                .iter()
                .find(|d| d.key == key)
                .map(|d| Self::Custom { key: d.key.clone(), field_type: d.field_type })
                .ok_or_else(|| FieldError::new(name, "unknown_field", format!("there is no custom field '{key}'")));
        }
        if let Some(system) = SystemField::ALL.into_iter().find(|s| s.column() == name) {
            return Ok(Self::System(system));
        }
        record_type
            .field(name)
            .map(|f| Self::Standard { column: f.name, storage: f.kind.storage() })
            .ok_or_else(|| FieldError::new(name, "unknown_field", format!("{record_type} has no field '{name}'")))
    }

    pub fn storage(&self) -> Storage {
        match self {
            Self::System(s) => s.storage(),
            Self::Standard { storage, .. } => *storage,
            Self::Custom { field_type, .. } => match field_type {
                CustomFieldType::Number => Storage::BigInt,
                CustomFieldType::Boolean => Storage::Bool,
                CustomFieldType::MultiSelect | CustomFieldType::Money => Storage::Json,
                _ => Storage::Text,
            },
        }
    }
}

/// A typed operand, converted from the query string by the field's storage.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(chrono::NaiveDate),
    Timestamp(chrono::DateTime<chrono::Utc>),
    Uuid(uuid::Uuid),
    List(Vec<Operand>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub field: FieldRef,
    pub op: FilterOp,
    pub operand: Operand,
}

impl Filter {
    /// Builds a filter from `field`, `op` and the raw string value.
    pub fn parse(
        record_type: RecordType,
        custom: &[CustomFieldDefinition],
        field: &str,
        op: &str,
        raw: &str,
    ) -> Result<Self, FieldError> {
        let path = format!("filter[{field}][{op}]");
        let field_ref =
            FieldRef::resolve(record_type, field, custom).map_err(|e| FieldError { field: path.clone(), ..e })?;
        let op = FilterOp::parse(op).ok_or_else(|| {
            FieldError::new(
                path.clone(),
                "unknown_operator",
                "use one of eq, ne, contains, starts_with, gt, lt, in, is_empty",
            )
        })?;
        let storage = field_ref.storage();
        let allowed = match storage {
            Storage::Json => matches!(op, FilterOp::Contains | FilterOp::IsEmpty),
            Storage::Text => true,
            Storage::Bool => matches!(op, FilterOp::Eq | FilterOp::Ne | FilterOp::IsEmpty),
            Storage::Uuid => matches!(op, FilterOp::Eq | FilterOp::Ne | FilterOp::In | FilterOp::IsEmpty),
            _ => !matches!(op, FilterOp::Contains | FilterOp::StartsWith),
        };
        if !allowed {
            return Err(FieldError::new(
                path,
                "unsupported_operator",
                "this operator does not apply to this field's type",
            ));
        }
        let operand = match op {
            FilterOp::IsEmpty => Operand::Bool(
                parse_bool(raw).ok_or_else(|| FieldError::new(path.clone(), "wrong_type", "expected true or false"))?,
            ),
            FilterOp::In => {
                let items: Result<Vec<_>, _> =
                    raw.split(',').take(100).map(|item| parse_operand(storage, item.trim())).collect();
                Operand::List(items.map_err(|e| e.nested(&path))?)
            }
            FilterOp::Contains | FilterOp::StartsWith => Operand::Text(raw.to_owned()),
            _ => parse_operand(storage, raw).map_err(|e| e.nested(&path))?,
        };
        Ok(Self { field: field_ref, op, operand })
    }
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn parse_operand(storage: Storage, raw: &str) -> Result<Operand, FieldError> {
    let wrong = |what: &str| FieldError::new("", "wrong_type", format!("expected {what}"));
    Ok(match storage {
        Storage::Text | Storage::Json => Operand::Text(raw.to_owned()),
        // A money field is filtered on its amount, in minor units.
        Storage::BigInt | Storage::Money => match raw.parse::<i64>() {
            Ok(n) => Operand::Int(n),
            Err(_) => {
                Operand::Float(raw.parse::<f64>().ok().filter(|f| f.is_finite()).ok_or_else(|| wrong("a number"))?)
            }
        },
        Storage::Bool => Operand::Bool(parse_bool(raw).ok_or_else(|| wrong("true or false"))?),
        Storage::Date => {
            Operand::Date(chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| wrong("a date YYYY-MM-DD"))?)
        }
        Storage::Timestamp => Operand::Timestamp(
            chrono::DateTime::parse_from_rfc3339(raw)
                .map(|d| d.with_timezone(&chrono::Utc))
                .or_else(|_| {
                    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
                })
                .map_err(|_| wrong("an RFC 3339 date-time or a date"))?,
        ),
        Storage::Uuid => Operand::Uuid(uuid::Uuid::parse_str(raw).map_err(|_| wrong("an id"))?),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// Sort key; ties are always broken by id in the same direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    pub field: FieldRef,
    pub direction: Direction,
}

impl Sort {
    /// `created_at`, `-created_at` (descending), `last_name`, `custom.tier`.
    pub fn parse(record_type: RecordType, custom: &[CustomFieldDefinition], raw: &str) -> Result<Self, FieldError> {
        let (direction, name) = match raw.strip_prefix('-') {
            Some(name) => (Direction::Desc, name),
            None => (Direction::Asc, raw),
        };
        let field =
            FieldRef::resolve(record_type, name, custom).map_err(|e| FieldError { field: "sort".into(), ..e })?;
        if field.storage() == Storage::Json || matches!(field, FieldRef::Custom { .. }) {
            return Err(FieldError::new("sort", "unsortable", format!("cannot sort by '{name}'")));
        }
        Ok(Self { field, direction })
    }

    /// Newest first.
    pub fn default_order() -> Self {
        Self { field: FieldRef::System(SystemField::Id), direction: Direction::Desc }
    }
}

/// Position after the last row of a page: its sort value and id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    pub value: Value,
    pub id: uuid::Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        json.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn decode(raw: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("cursor", "invalid_cursor", "the cursor is not one this server returned");
        if !raw.len().is_multiple_of(2) || raw.len() > 4096 {
            return Err(invalid());
        }
        let bytes: Result<Vec<u8>, _> =
            (0..raw.len()).step_by(2).map(|i| u8::from_str_radix(raw.get(i..i + 2).unwrap_or("zz"), 16)).collect();
        serde_json::from_slice(&bytes.map_err(|_| invalid())?).map_err(|_| invalid())
    }
}

pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 200;

/// A checked list request.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub filters: Vec<Filter>,
    pub sort: Sort,
    pub cursor: Option<Cursor>,
    pub limit: u64,
    pub include_deleted: bool,
}

impl ListQuery {
    /// Parses `filter[field][op]=v`, `sort`, `cursor`, `limit` and `trash` pairs.
    pub fn parse(
        record_type: RecordType,
        custom: &[CustomFieldDefinition],
        pairs: &[(String, String)],
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut query = Self {
            filters: Vec::new(),
            sort: Sort::default_order(),
            cursor: None,
            limit: DEFAULT_PAGE_SIZE,
            include_deleted: false,
        };
        for (key, value) in pairs {
            match key.as_str() {
                "sort" => match Sort::parse(record_type, custom, value) {
                    Ok(s) => query.sort = s,
                    Err(e) => errors.push(e),
                },
                "cursor" => match Cursor::decode(value) {
                    Ok(c) => query.cursor = Some(c),
                    Err(e) => errors.push(e),
                },
                "limit" => match value.parse::<u64>() {
                    Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => query.limit = n,
                    _ => errors.push(FieldError::new(
                        "limit",
                        "out_of_range",
                        format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
                    )),
                },
                "trash" => query.include_deleted = value == "true",
                other => match parse_filter_key(other) {
                    Some((field, op)) => match Filter::parse(record_type, custom, field, op, value) {
                        Ok(f) => query.filters.push(f),
                        Err(e) => errors.push(e),
                    },
                    None => errors.push(FieldError::new(
                        other,
                        "unknown_parameter",
                        "use filter[field][op], sort, cursor or limit",
                    )),
                },
            }
        }
        if query.filters.len() > 20 {
            errors.push(FieldError::new("filter", "too_many", "at most 20 filters"));
        }
        errors.into_result().map(|()| query)
    }
}

/// `filter[city][eq]` → (`city`, `eq`); `filter[city]` means `eq`.
fn parse_filter_key(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix("filter[")?;
    let (field, rest) = rest.split_once(']')?;
    if rest.is_empty() {
        return Some((field, "eq"));
    }
    let op = rest.strip_prefix('[')?.strip_suffix(']')?;
    Some((field, op))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_filters_sort_and_limit() {
        let q = ListQuery::parse(
            RecordType::DEAL,
            &[],
            &pairs(&[
                ("filter[amount_minor][gt]", "1000"),
                ("filter[status]", "open"),
                ("sort", "-expected_close_date"),
                ("limit", "10"),
            ]),
        )
        .unwrap();
        assert_eq!(q.filters.len(), 2);
        assert_eq!(q.filters[0].operand, Operand::Int(1000));
        assert_eq!(q.sort.direction, Direction::Desc);
        assert_eq!(q.limit, 10);
    }

    #[test]
    fn reports_every_bad_parameter() {
        let err = ListQuery::parse(
            RecordType::CONTACT,
            &[],
            &pairs(&[
                ("filter[nope][eq]", "1"),
                ("filter[birth_date][gt]", "yesterday"),
                ("limit", "0"),
                ("cursor", "zz"),
            ]),
        )
        .unwrap_err();
        assert_eq!(err.0.len(), 4);
    }

    #[test]
    fn cursor_roundtrips() {
        let c = Cursor { value: serde_json::json!("Silva"), id: uuid::Uuid::now_v7() };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
    }
}
