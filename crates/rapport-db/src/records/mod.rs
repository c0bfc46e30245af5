//! The shared machinery of contacts, companies, leads, deals and activities:
//! storage, validation flow, visibility, audit, search indexing and hooks.

mod bulk;
mod convert;
mod hooks;
mod import;
mod keys;
mod repo;
mod service;
mod timeline;

pub use bulk::{BulkItemResult, BulkPatch, MAX_BULK_ITEMS, bulk_create, bulk_delete, bulk_update};
pub use convert::{ConversionInput, ConversionResult, convert_lead};
pub use import::{DuplicateRow, IMPORT_BATCH_ROWS, ImportOptions, ImportReport, OnDuplicate, RejectedRow, import_csv};
pub use repo::{purge_trash, scope_condition as repo_scope_condition};

/// Loads a live record whatever its visibility. Only for system work (job
/// handlers), never on behalf of a user.
pub async fn fetch_any(
    conn: &impl sea_orm::ConnectionTrait,
    record_type: RecordType,
    id: Uuid,
) -> crate::Result<Option<Record>> {
    repo::fetch(conn, record_type, id, &rapport_core::access::ReadScope::All, false).await
}
pub use service::{create, delete, get, list, restore, update};
pub use timeline::{TimelineEntry, timeline};

use chrono::{DateTime, Utc};
use rapport_core::schema::RecordType;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::row::timestamp_json;

/// A stored record: system columns plus the type's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub record_type: RecordType,
    pub id: Uuid,
    pub version: i64,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub custom: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<Uuid>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub fields: Map<String, Value>,
}

impl Record {
    /// The API representation: system keys, then the fields.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), Value::String(self.id.to_string()));
        out.insert("type".into(), Value::String(self.record_type.as_str().into()));
        out.insert("version".into(), Value::from(self.version));
        for (key, value) in &self.fields {
            out.insert(key.clone(), value.clone());
        }
        let uuid_json = |u: Option<Uuid>| u.map_or(Value::Null, |u| Value::String(u.to_string()));
        out.insert("owner_id".into(), uuid_json(self.owner_id));
        out.insert("team_id".into(), uuid_json(self.team_id));
        out.insert("tags".into(), Value::from(self.tags.clone()));
        out.insert("custom".into(), Value::Object(self.custom.clone()));
        out.insert("created_at".into(), timestamp_json(self.created_at));
        out.insert("created_by".into(), uuid_json(self.created_by));
        out.insert("updated_at".into(), timestamp_json(self.updated_at));
        out.insert("updated_by".into(), uuid_json(self.updated_by));
        out.insert("deleted_at".into(), self.deleted_at.map_or(Value::Null, timestamp_json));
        Value::Object(out)
    }

    /// Everything the audit log compares between versions.
    fn audited(&self) -> Map<String, Value> {
        let mut out = self.fields.clone();
        out.insert("owner_id".into(), self.owner_id.map_or(Value::Null, |u| Value::String(u.to_string())));
        out.insert("tags".into(), Value::from(self.tags.clone()));
        if !self.custom.is_empty() {
            out.insert("custom".into(), Value::Object(self.custom.clone()));
        }
        out.retain(|_, v| !v.is_null());
        out
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    pub fn uuid(&self, key: &str) -> Option<Uuid> {
        self.text(key).and_then(|s| Uuid::parse_str(s).ok())
    }

    pub fn display_name(&self) -> String {
        rapport_core::records::display_name(self.record_type, &self.fields)
    }
}

/// One page of a keyset-paginated list.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
