//! Field-level change sets for the audit log and the timeline.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    Restore,
    Merge,
    Purge,
    /// A person's data erased on their request (LGPD/GDPR); the entry holds no personal data.
    Erase,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Restore => "restore",
            Self::Merge => "merge",
            Self::Purge => "purge",
            Self::Erase => "erase",
        }
    }
}

/// The fields whose value differs between `old` and `new`, by field name
/// (a map's own order depends on serde_json's features, which another crate
/// in the build may change). Missing keys count as `null`.
pub fn diff(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    for (key, new_value) in new {
        let old_value = old.get(key).unwrap_or(&Value::Null);
        if old_value != new_value {
            changes.push(FieldChange { field: key.clone(), old: old_value.clone(), new: new_value.clone() });
        }
    }
    for (key, old_value) in old {
        if !new.contains_key(key) && !old_value.is_null() {
            changes.push(FieldChange { field: key.clone(), old: old_value.clone(), new: Value::Null });
        }
    }
    changes.sort_by(|a, b| a.field.cmp(&b.field));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_added_and_removed_fields() {
        let old = json!({"a": 1, "b": "x", "c": true}).as_object().unwrap().clone();
        let new = json!({"a": 1, "b": "y", "d": null}).as_object().unwrap().clone();
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0], FieldChange { field: "b".into(), old: json!("x"), new: json!("y") });
        assert_eq!(changes[1], FieldChange { field: "c".into(), old: json!(true), new: Value::Null });
    }
}
