//! Record kinds as data. Each kind (contact, company, deal…) is one
//! [`RecordKind`] descriptor in its own file under `records/`, registered in
//! [`crate::records::KINDS`]. Storage, filters, search, audit, trash, bulk,
//! import, OpenAPI and the UI read descriptors only; what one kind does beyond
//! the generic is in its [`KindRules`], as methods with no-op defaults.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::configurator::PricedProduct;
use crate::jobs::JobKind;
use crate::records::pipeline::Pipeline;
use crate::schema::FieldSpec;
use crate::{DomainError, ValidationErrors};

/// Everything the generic machinery knows about one kind of record.
pub struct RecordKind {
    /// API name, in the singular: `contact`.
    pub name: &'static str,
    /// Table name and URL segment: `contacts`.
    pub plural: &'static str,
    /// The kind's own fields, in the order forms show them.
    pub fields: &'static [FieldSpec],
    /// Fields joined with spaces make the record's display name (search
    /// title, timelines); a record whose fields are all empty is shown by
    /// its first e-mail address.
    pub display_name: &'static [&'static str],
    /// The key an import matches stored records and earlier rows on.
    pub duplicate_key: Option<MatchKey>,
    /// Column names people give the kind's fields, besides the field names,
    /// in groups (shared ones and the kind's own).
    pub import_aliases: &'static [&'static [ImportAlias]],
    /// Rules and hooks beyond the generic.
    pub rules: &'static dyn KindRules,
    /// A valid create input, for the API's documentation (and the tests
    /// that hold the documentation to what the API accepts).
    pub example: fn() -> Value,
}

/// Keys used to find the same person or company again (`record_keys.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchKey {
    Email,
    Phone,
    Domain,
}

impl MatchKey {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Domain => "domain",
        }
    }
}

/// Spreadsheet headers (normalised: lower case, no accents, `_` between
/// words) that fill `field`, in English, Portuguese and Spanish.
#[derive(Debug, Clone, Copy)]
pub struct ImportAlias {
    pub field: &'static str,
    pub headers: &'static [&'static str],
}

/// What a write of one kind needs loaded from storage before its hooks run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteNeeds {
    pub pipelines: bool,
    /// The live products, to price line items that name one.
    pub products: bool,
}

/// A record about to be written, as its hooks see it.
pub struct PendingWrite<'a> {
    /// The stored version's fields, on an update.
    pub old: Option<&'a Map<String, Value>>,
    /// The fields to be stored, input merged in; hooks may change them.
    pub fields: &'a mut Map<String, Value>,
    /// The create or patch input as given.
    pub input: &'a Map<String, Value>,
    pub now: DateTime<Utc>,
    /// Loaded when the kind's [`WriteNeeds`] asks for them.
    pub pipelines: &'a [Pipeline],
    pub products: &'a [PricedProduct],
}

/// A record just written (in the write's transaction), as its hooks see it.
pub struct StoredWrite<'a> {
    pub id: Uuid,
    pub version: i64,
    pub actor: Uuid,
    pub at: DateTime<Utc>,
    pub owner_id: Option<Uuid>,
    /// The previous version's owner and fields, on an update.
    pub old_owner_id: Option<Option<Uuid>>,
    pub old: Option<&'a Map<String, Value>>,
    pub fields: &'a Map<String, Value>,
}

impl StoredWrite<'_> {
    pub fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }
    pub fn old_text(&self, key: &str) -> Option<&str> {
        self.old.and_then(|o| o.get(key)).and_then(Value::as_str)
    }
}

/// Work a write causes, done by storage in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A job for the worker, added once per `dedup_key`.
    Enqueue { kind: JobKind, payload: Value, run_at: DateTime<Utc>, dedup_key: String },
    /// A deal moved to another stage: kept in the stage history.
    StageChange { pipeline_id: Uuid, from: Option<Uuid>, to: Uuid },
    /// A return request was written: storage checks its lines and refund
    /// against the order, brings the order's refunds up to date and, for a
    /// new request, applies the automatic rules.
    ReturnChanged { order_id: Uuid },
    /// Fields of another record follow this one (a deal's amount its
    /// primary quote's total): written without the other kind's hooks,
    /// audited under the writer. Nothing happens if that record is gone.
    Follow { record_type: RecordType, id: Uuid, fields: Map<String, Value> },
}

/// A number each new record of a kind gets from a gapless sequence per
/// year, taken in the creating transaction: `O-2026-0001`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbering {
    /// The field that holds the number (declared `derived`).
    pub field: &'static str,
    pub prefix: &'static str,
}

impl Numbering {
    pub fn format(self, year: i32, number: i64) -> String {
        format!("{}-{year}-{number:04}", self.prefix)
    }
}

/// A rule across fields that `check` enforces, as the API documents it: a
/// refusal names `field` and `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrossFieldRule {
    pub field: &'static str,
    pub code: &'static str,
    pub rule: &'static str,
}

/// What a kind does beyond the generic record machinery. Every method has
/// a no-op default, so a plain kind implements none.
pub trait KindRules: Sync {
    /// The rules `check` enforces across fields, for the API's document.
    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        &[]
    }

    /// Rules across fields of a whole record (after a patch is merged).
    fn check(&self, _record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        Ok(())
    }

    /// Values the record stores besides its input (a company's domain from
    /// its website). Runs after `check`.
    fn derive(&self, _record: &mut Map<String, Value>) {}

    fn needs(&self) -> WriteNeeds {
        WriteNeeds::default()
    }

    /// Whether new records get a number (the sequence is named after the kind).
    fn numbering(&self) -> Option<Numbering> {
        None
    }

    /// Fills defaults and derived fields before the rules run.
    fn before_write(&self, _write: &mut PendingWrite<'_>) -> Result<(), DomainError> {
        Ok(())
    }

    /// Work the write causes: jobs, history rows.
    fn after_write(&self, _write: &StoredWrite<'_>) -> Vec<Effect> {
        Vec::new()
    }

    /// Pairs of indexed fields `(filter, sort)` that get an index together:
    /// where a measurement showed a filter's values clustered in the sort's
    /// order (every Brazilian city sorts after Bogotá), so that walking the
    /// sort's index to find a page reads far more rows than the page.
    fn paired_indexes(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// How records of the kind are compared to find likely duplicates
    /// (besides e-mail, phone and domain fields, which every kind has by
    /// its field kinds); `None` when names and tax ids are not compared.
    fn duplicates(&self) -> Option<&'static crate::duplicates::DuplicateRules> {
        None
    }
}

/// The rules of a kind with none of its own.
pub struct NoRules;

impl KindRules for NoRules {}

/// A handle on a registered record kind: cheap to copy, compared by name.
#[derive(Clone, Copy)]
pub struct RecordType(&'static RecordKind);

impl RecordType {
    pub const fn of(kind: &'static RecordKind) -> Self {
        Self(kind)
    }

    /// Every registered kind, in registration order.
    pub fn all() -> impl Iterator<Item = RecordType> {
        crate::records::KINDS.iter().copied()
    }

    /// The kind named by its API name or plural.
    pub fn parse(input: &str) -> Option<Self> {
        Self::all().find(|t| t.as_str() == input || t.plural() == input)
    }

    /// The kind whose URL segment is `plural`.
    pub fn from_plural(plural: &str) -> Option<Self> {
        Self::all().find(|t| t.plural() == plural)
    }

    pub fn descriptor(self) -> &'static RecordKind {
        self.0
    }

    pub fn as_str(self) -> &'static str {
        self.0.name
    }

    /// Table name and URL segment.
    pub fn plural(self) -> &'static str {
        self.0.plural
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        self.0.fields
    }

    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.name == name)
    }

    pub fn rules(self) -> &'static dyn KindRules {
        self.0.rules
    }

    /// Cross-field rules, then derived values.
    pub fn check_and_derive(self, record: &mut Map<String, Value>) -> Result<(), ValidationErrors> {
        self.0.rules.check(record)?;
        self.0.rules.derive(record);
        Ok(())
    }

    /// The display name of a record, used as search title and in timelines.
    pub fn display_name(self, record: &Map<String, Value>) -> String {
        let name = self
            .0
            .display_name
            .iter()
            .filter_map(|k| record.get(*k).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() { crate::records::first_email(record).unwrap_or_default() } else { name }
    }
}

impl PartialEq for RecordType {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for RecordType {}

impl Hash for RecordType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl std::fmt::Debug for RecordType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl std::fmt::Display for RecordType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl Serialize for RecordType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.name)
    }
}

impl<'de> Deserialize<'de> for RecordType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        RecordType::all().find(|t| t.as_str() == name).ok_or_else(|| {
            let names: Vec<&str> = RecordType::all().map(RecordType::as_str).collect();
            serde::de::Error::custom(format!("unknown record type '{name}', expected one of: {}", names.join(", ")))
        })
    }
}

impl utoipa::PartialSchema for RecordType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(RecordType::all().map(RecordType::as_str)))
            .into()
    }
}

impl utoipa::ToSchema for RecordType {}
