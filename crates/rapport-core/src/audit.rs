//! Field-level change sets for the audit log and the timeline.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// The patch that gives back the values an update replaced, where the
/// record (`current`, as audited) still holds what that update wrote: a
/// field edited since keeps its edit. Custom fields are compared key by key.
pub fn reverting_patch(changes: &[FieldChange], current: &Map<String, Value>) -> Map<String, Value> {
    let empty = Map::new();
    let mut patch = Map::new();
    for change in changes {
        let now = current.get(&change.field).unwrap_or(&Value::Null);
        if change.field == "custom" {
            let (was, wrote, now) = (
                change.old.as_object().unwrap_or(&empty),
                change.new.as_object().unwrap_or(&empty),
                now.as_object().unwrap_or(&empty),
            );
            let mut custom = Map::new();
            for key in was.keys().chain(wrote.keys()) {
                let (before, after) = (was.get(key).unwrap_or(&Value::Null), wrote.get(key).unwrap_or(&Value::Null));
                if before != after && now.get(key).unwrap_or(&Value::Null) == after {
                    custom.insert(key.clone(), before.clone());
                }
            }
            if !custom.is_empty() {
                patch.insert("custom".into(), Value::Object(custom));
            }
        } else if *now == change.new {
            patch.insert(change.field.clone(), change.old.clone());
        }
    }
    patch
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_reverting_patch_leaves_what_was_edited_since() {
        let changes = diff(
            json!({"city": "Recife", "title": "CEO", "custom": {"tier": "gold", "region": "NE"}}).as_object().unwrap(),
            json!({"city": "Olinda", "title": "CTO", "phone": "+5581999990000", "custom": {"tier": "silver", "region": "NE"}})
                .as_object()
                .unwrap(),
        );
        // Since the import, someone changed the title and the region.
        let current = json!({"city": "Olinda", "title": "COO", "phone": "+5581999990000", "custom": {"tier": "silver", "region": "S"}});
        let patch = reverting_patch(&changes, current.as_object().unwrap());
        assert_eq!(Value::Object(patch), json!({"city": "Recife", "phone": null, "custom": {"tier": "gold"}}));
    }

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
