//! The shared machinery of every record kind: storage, validation flow,
//! visibility, audit, search indexing and hooks; and the services of kinds
//! that do more (lead conversion, quote actions).

mod board;
mod bulk;
mod calendar;
pub mod contract_documents;
pub mod contracts;
mod convert;
mod duplicates;
mod hooks;
mod import;
mod keys;
mod merge;
mod orders;
mod privacy;
pub mod quotes;
mod reindex;
pub(crate) mod repo;
mod returns;
pub(crate) mod service;
mod timeline;
mod vcards;
mod workbook;

pub use crate::row::field_columns;
pub use board::{StageTotal, stage_totals};
pub use bulk::{
    BulkItemResult, BulkPatch, MAX_BULK_ITEMS, bulk_create, bulk_create_idempotent, bulk_delete, bulk_update,
};
pub use calendar::{FEED_LIMIT, calendar_activities};
pub use convert::{
    ConversionInput, ConversionMatches, ConversionResult, conversion_matches, convert_lead, convert_lead_idempotent,
};
pub(crate) use duplicates::backfill_blocking_keys;
pub use duplicates::{
    Candidate, DuplicatePair, PairSide, ScanSummary, check_draft, dismiss as dismiss_duplicate, duplicates_of,
    request_scan as request_duplicate_scan, review_list as duplicate_review_list, scan as scan_duplicates,
};
pub use import::{
    DuplicateRow, Encoding, FORMAT_SAMPLE_ROWS, IMPORT_BATCH_ROWS, ImportCounts, ImportOptions, ImportReport, MatchBy,
    OnDuplicate, ProgressHook, RejectedRow, Tracked, UndoCounts, import_csv, read_sample, undo_import,
};
pub(crate) use keys::{PHONE_TAIL, phone_tail};
pub use merge::{MergeInput, MergeResult, MergedPointer, merge, merged_into, undo_merge};
pub use repo::{purge_trash, scope_condition as repo_scope_condition};

/// Loads a live record whatever its visibility: a bypass of the visibility scope, for system work (job
/// handlers), never on behalf of a user.
pub async fn fetch_unscoped_for_system(
    conn: &impl sea_orm::ConnectionTrait,
    record_type: RecordType,
    id: RecordId,
) -> crate::Result<Option<Record>> {
    repo::fetch(conn, record_type, id, &rapport_core::access::ReadScope::All, false).await
}
pub use orders::{Purchases, order_for_customer, orders_of, purchases, record_payment, returns_of_order};
pub use privacy::{ErasedWords, Erasure, erase_contact, personal_data};
pub(crate) use reindex::index_restored;
pub use returns::{
    ReturnDecision, ReturnInput, ReturnItem, apply_rules as apply_return_rules, decide as decide_return,
    request_return, request_return_by_customer,
};
pub use service::{create, create_idempotent, delete, get, list, restore, update};
pub(crate) use service::{prepare_new, scope as read_scope, store_new};
pub use timeline::{TimelineEntry, timeline};
pub use vcards::{MAX_VCARD_BYTES, VcardOutcome, VcardReport, contact_photo, has_photo, import_vcards};
pub use workbook::{FileKind, as_csv as spreadsheet_as_csv, kind_of as file_kind};

use chrono::{DateTime, Utc};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// A stored record: system columns plus the type's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub record_type: RecordType,
    pub id: RecordId,
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
    /// The API representation (see the `Serialize` impl) as a JSON value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
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
        self.record_type.display_name(&self.fields)
    }
}

/// A timestamp as the API writes it: RFC 3339, UTC, to the microsecond.
struct ApiTimestamp(DateTime<Utc>);

impl Serialize for ApiTimestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
    }
}

/// The API representation: id, type and version, the fields, then the
/// system keys. Written straight from the record, without copying it into a
/// JSON map first: list pages write fifty of them.
impl Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.fields.len() + 14))?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("type", self.record_type.as_str())?;
        map.serialize_entry("version", &self.version)?;
        for (key, value) in &self.fields {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("owner_id", &self.owner_id)?;
        map.serialize_entry("team_id", &self.team_id)?;
        map.serialize_entry("tags", &self.tags)?;
        map.serialize_entry("custom", &self.custom)?;
        map.serialize_entry("created_at", &ApiTimestamp(self.created_at))?;
        map.serialize_entry("created_by", &self.created_by)?;
        map.serialize_entry("updated_at", &ApiTimestamp(self.updated_at))?;
        map.serialize_entry("updated_by", &self.updated_by)?;
        map.serialize_entry("deleted_at", &self.deleted_at.map(ApiTimestamp))?;
        map.end()
    }
}

/// One page of a keyset-paginated list.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_serialise_with_system_keys_and_microsecond_utc_timestamps() {
        let at = DateTime::from_timestamp_micros(1_764_000_000_123_456).expect("a timestamp");
        let id = Uuid::now_v7();
        let mut fields = Map::new();
        fields.insert("first_name".into(), Value::String("Ana".into()));
        let record = Record {
            record_type: RecordType::CONTACT,
            id: RecordId(id),
            version: 2,
            owner_id: Some(id),
            team_id: None,
            tags: vec!["vip".into()],
            custom: Map::new(),
            created_at: at,
            created_by: None,
            updated_at: at,
            updated_by: Some(id),
            deleted_at: None,
            fields,
        };
        assert_eq!(
            record.to_json(),
            serde_json::json!({
                "id": id.to_string(), "type": "contact", "version": 2, "first_name": "Ana",
                "owner_id": id.to_string(), "team_id": null, "tags": ["vip"], "custom": {},
                "created_at": "2025-11-24T16:00:00.123456Z", "created_by": null,
                "updated_at": "2025-11-24T16:00:00.123456Z", "updated_by": id.to_string(), "deleted_at": null,
            })
        );
        assert_eq!(crate::row::timestamp_json(at), "2025-11-24T16:00:00.123456Z");
    }
}
