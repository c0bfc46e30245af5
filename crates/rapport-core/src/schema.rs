//! The schema of every record type: its fields, how each is validated and
//! normalised, and which can be filtered, sorted and searched.
//!
//! One table drives the API (validation, OpenAPI), storage (columns), search
//! indexing, filters and the audit diff, so a field is declared exactly once.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::values::{Currency, Email, PhoneE164, Region, WebUrl};
use crate::{FieldError, ValidationErrors};

pub use crate::descriptor::RecordType;

/// What a field holds and how its input is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text {
        max: usize,
    },
    LongText,
    Email,
    EmailList,
    Phone,
    PhoneList,
    Url,
    /// A company's web domain (`acme.com.br`), also given as a web address:
    /// the key that finds the same company again.
    Domain,
    Date,
    DateTime,
    Bool,
    Integer {
        min: i64,
        max: i64,
    },
    Currency,
    /// ISO 3166-1 alpha-2, upper-cased.
    Country,
    Enum(&'static [&'static str]),
    /// A reference to another visible record, of the kind named (its API
    /// name: a name, as descriptors refer to each other and to themselves).
    Ref(&'static str),
    /// A list of references to visible records, with an optional role each.
    RefList,
    /// A reference to a pipeline stage (`Ref`-like, checked by the deal service).
    StageRef,
    PipelineRef,
    UserRef,
    UserList,
    /// Consent per channel: `[{channel, granted, at, origin}]`.
    Consents,
    /// An amount with its currency, `{"amount_minor": 123456, "currency": "BRL"}`,
    /// validated together. Kinds before it (deals) keep an `amount_minor` and
    /// `currency` pair.
    Money,
    /// Lines of a quote or an order (`line_items::LineItem`); their totals
    /// follow `line_items::totals`.
    LineItems,
    /// A structure with rules of its own (a product's prices or options),
    /// stored as JSON and checked by the function its module gives.
    Structured(&'static Structured),
}

/// A JSON structure a field holds, with the function that checks and
/// normalises it; compared by name.
#[derive(Debug)]
pub struct Structured {
    pub name: &'static str,
    pub normalize: fn(&Value) -> Result<Value, FieldError>,
    /// A valid value, for the API's documentation.
    pub example: fn() -> Value,
}

impl PartialEq for Structured {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Structured {}

/// How a field is stored: one column per field, but two for money
/// (`{field}_minor`, filtered and sorted on, and `{field}_currency`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Text,
    BigInt,
    Bool,
    Date,
    Timestamp,
    Uuid,
    Json,
    Money,
}

impl FieldKind {
    /// The kind a `Ref` field refers to. Every name is registered: the
    /// registry's tests check.
    pub fn ref_target(self) -> Option<RecordType> {
        match self {
            Self::Ref(name) => RecordType::parse(name),
            _ => None,
        }
    }

    pub fn storage(self) -> Storage {
        match self {
            Self::Text { .. } | Self::LongText | Self::Email | Self::Phone | Self::Url | Self::Domain => Storage::Text,
            Self::Currency | Self::Country | Self::Enum(_) => Storage::Text,
            Self::EmailList | Self::PhoneList | Self::RefList | Self::UserList | Self::Consents => Storage::Json,
            Self::LineItems | Self::Structured(_) => Storage::Json,
            Self::Money => Storage::Money,
            Self::Date => Storage::Date,
            Self::DateTime => Storage::Timestamp,
            Self::Bool => Storage::Bool,
            Self::Integer { .. } => Storage::BigInt,
            Self::Ref(_) | Self::StageRef | Self::PipelineRef | Self::UserRef => Storage::Uuid,
        }
    }
}

/// Where a field's text goes in the full-text index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchRole {
    None,
    /// Names: shown as the result title and weighted highest.
    Title,
    Body,
}

#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// Filters and sorts on this field are served by an index.
    pub indexed: bool,
    pub search: SearchRole,
    /// Translation key of the label, when it is not the shared `field.{name}`.
    pub label: Option<&'static str>,
    /// The form section the field is shown in (`group.{group}` translates it).
    pub group: &'static str,
    /// Whether it has help text (`field.{name}.help`, or the label key's).
    pub help: bool,
    /// Shown as a column of lists unless the user chooses otherwise.
    pub listed: bool,
    /// Set by Rapport, never by a client: why, for the error a client gets
    /// when it sends one (a deal's status follows its stage).
    pub derived: Option<&'static str>,
}

impl FieldSpec {
    pub const fn new(name: &'static str, kind: FieldKind) -> Self {
        Self {
            name,
            kind,
            required: false,
            indexed: false,
            search: SearchRole::None,
            label: None,
            group: "main",
            help: false,
            listed: false,
            derived: None,
        }
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn indexed(mut self) -> Self {
        self.indexed = true;
        self
    }
    pub const fn title(mut self) -> Self {
        self.search = SearchRole::Title;
        self
    }
    pub const fn body(mut self) -> Self {
        self.search = SearchRole::Body;
        self
    }
    pub const fn label(mut self, key: &'static str) -> Self {
        self.label = Some(key);
        self
    }
    pub const fn group(mut self, group: &'static str) -> Self {
        self.group = group;
        self
    }
    pub const fn help(mut self) -> Self {
        self.help = true;
        self
    }
    pub const fn listed(mut self) -> Self {
        self.listed = true;
        self
    }
    pub const fn derived(mut self, why: &'static str) -> Self {
        self.derived = Some(why);
        self
    }
    /// The label's translation key: fields of the same name mean the same
    /// thing across kinds (`field.city`) unless the descriptor says otherwise.
    pub fn label_key(&self) -> String {
        self.label.map_or_else(|| format!("field.{}", self.name), str::to_owned)
    }
    /// The help text's translation key, if the field has help.
    pub fn help_key(&self) -> Option<String> {
        self.help.then(|| format!("{}.help", self.label_key()))
    }
    /// Lists live in JSON columns and cannot be sorted on.
    pub fn sortable(&self) -> bool {
        self.kind.storage() != Storage::Json
    }
}

/// Settings validation needs from the account.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidationContext {
    pub default_region: Region,
}

/// Whether absent required fields are an error (create) or left alone (patch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Patch,
}

/// Keys every record accepts besides its own fields; handled by the service.
pub const SYSTEM_INPUT_KEYS: &[&str] = &["owner_id", "tags", "custom"];

/// Checks and normalises the record-type fields of `input`.
///
/// Unknown keys are errors; system keys (`owner_id`, `tags`, `custom`) are
/// skipped here. `null` clears an optional field. Returns only the keys given
/// (plus nothing else), normalised.
pub fn validate_fields(
    record_type: RecordType,
    input: &Map<String, Value>,
    mode: Mode,
    ctx: &ValidationContext,
) -> Result<Map<String, Value>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut out = Map::new();
    for (key, value) in input {
        if SYSTEM_INPUT_KEYS.contains(&key.as_str()) {
            continue;
        }
        let Some(spec) = record_type.field(key) else {
            errors.push(FieldError::new(key.clone(), "unknown_field", format!("{record_type} has no field '{key}'")));
            continue;
        };
        if let Some(why) = spec.derived {
            errors.push(FieldError::new(key.clone(), "derived_field", why));
            continue;
        }
        if value.is_null() {
            if spec.required {
                errors.push(FieldError::required(key.clone()));
            } else {
                out.insert(key.clone(), Value::Null);
            }
            continue;
        }
        match normalize_value(spec.kind, value, ctx) {
            Ok(Value::Null) if spec.required => errors.push(FieldError::required(key.clone())),
            Ok(v) => {
                out.insert(key.clone(), v);
            }
            Err(e) => errors.push(e.nested(key)),
        }
    }
    if mode == Mode::Create {
        for spec in record_type.fields().iter().filter(|f| f.required) {
            if !input.contains_key(spec.name) {
                errors.push(FieldError::required(spec.name));
            }
        }
    }
    errors.into_result().map(|()| out)
}

fn expect_str<'a>(value: &'a Value, what: &str) -> Result<&'a str, FieldError> {
    value.as_str().ok_or_else(|| FieldError::new("", "wrong_type", format!("expected {what}")))
}

fn expect_array<'a>(value: &'a Value, what: &str) -> Result<&'a Vec<Value>, FieldError> {
    value.as_array().ok_or_else(|| FieldError::new("", "wrong_type", format!("expected a list of {what}")))
}

/// The most items a list field (e-mails, phones, links…) holds.
pub const MAX_LIST: usize = 20;

fn bounded_list<'a>(value: &'a Value, what: &str) -> Result<&'a Vec<Value>, FieldError> {
    let items = expect_array(value, what)?;
    if items.len() > MAX_LIST {
        return Err(FieldError::new("", "too_many", format!("at most {MAX_LIST} {what}")));
    }
    Ok(items)
}

/// Validates one value of a given kind and returns its normalised JSON form.
/// An empty string for an optional text-like field becomes `null`.
pub fn normalize_value(kind: FieldKind, value: &Value, ctx: &ValidationContext) -> Result<Value, FieldError> {
    let text_or_null = |s: &str| if s.trim().is_empty() { None } else { Some(s.trim().to_owned()) };
    Ok(match kind {
        FieldKind::Text { max } => {
            let s = expect_str(value, "text")?;
            if s.chars().count() > max {
                return Err(FieldError::new("", "too_long", format!("at most {max} characters")));
            }
            text_or_null(s).map_or(Value::Null, Value::String)
        }
        FieldKind::LongText => {
            let s = expect_str(value, "text")?;
            if s.len() > 100_000 {
                return Err(FieldError::new("", "too_long", "at most 100000 bytes"));
            }
            if s.trim().is_empty() { Value::Null } else { Value::String(s.to_owned()) }
        }
        FieldKind::Email => match text_or_null(expect_str(value, "an e-mail address")?) {
            None => Value::Null,
            Some(s) => Value::String(Email::parse(&s)?.as_str().to_owned()),
        },
        FieldKind::EmailList => {
            let mut seen = Vec::new();
            for (i, item) in bounded_list(value, "e-mail addresses")?.iter().enumerate() {
                let s = expect_str(item, "an e-mail address").map_err(|e| e.nested(&format!("[{i}]")))?;
                let email = Email::parse(s).map_err(|e| e.nested(&format!("[{i}]")))?;
                if !seen.iter().any(|e: &Email| e.normalized() == email.normalized()) {
                    seen.push(email);
                }
            }
            Value::Array(seen.into_iter().map(|e| Value::String(e.into())).collect())
        }
        FieldKind::Phone => match text_or_null(expect_str(value, "a phone number")?) {
            None => Value::Null,
            Some(s) => Value::String(PhoneE164::parse(&s, ctx.default_region)?.into()),
        },
        FieldKind::PhoneList => {
            let mut seen: Vec<String> = Vec::new();
            for (i, item) in bounded_list(value, "phone numbers")?.iter().enumerate() {
                let s = expect_str(item, "a phone number").map_err(|e| e.nested(&format!("[{i}]")))?;
                let phone: String =
                    PhoneE164::parse(s, ctx.default_region).map_err(|e| e.nested(&format!("[{i}]")))?.into();
                if !seen.contains(&phone) {
                    seen.push(phone);
                }
            }
            Value::Array(seen.into_iter().map(Value::String).collect())
        }
        FieldKind::Url => match text_or_null(expect_str(value, "a web address")?) {
            None => Value::Null,
            Some(s) => Value::String(WebUrl::parse(&s)?.as_str().to_owned()),
        },
        FieldKind::Domain => match text_or_null(expect_str(value, "a domain name")?) {
            None => Value::Null,
            Some(s) => Value::String(
                WebUrl::parse(&s)
                    .map_err(|_| {
                        FieldError::new(
                            "",
                            "invalid_domain",
                            format!("'{}' is not a domain name", crate::values::email_truncate(&s)),
                        )
                    })?
                    .domain(),
            ),
        },
        FieldKind::Date => {
            let s = expect_str(value, "a date (YYYY-MM-DD)")?;
            let date = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                FieldError::new(
                    "",
                    "invalid_date",
                    format!("'{}' is not a date in YYYY-MM-DD form", crate::values::email_truncate(s)),
                )
            })?;
            Value::String(date.format("%Y-%m-%d").to_string())
        }
        FieldKind::DateTime => {
            let s = expect_str(value, "a date-time (RFC 3339)")?;
            let at = chrono::DateTime::parse_from_rfc3339(s.trim()).map_err(|_| {
                FieldError::new("", "invalid_datetime", "expected an RFC 3339 date-time such as 2026-03-01T14:00:00Z")
            })?;
            Value::String(at.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        }
        FieldKind::Bool => {
            Value::Bool(value.as_bool().ok_or_else(|| FieldError::new("", "wrong_type", "expected true or false"))?)
        }
        FieldKind::Integer { min, max } => {
            let n = value.as_i64().ok_or_else(|| FieldError::new("", "wrong_type", "expected a whole number"))?;
            if n < min || n > max {
                return Err(FieldError::new("", "out_of_range", format!("must be between {min} and {max}")));
            }
            Value::from(n)
        }
        FieldKind::Currency => Value::String(Currency::parse(expect_str(value, "a currency code")?)?.code().to_owned()),
        FieldKind::Country => {
            let s = expect_str(value, "a country code")?.trim().to_uppercase();
            if s.len() != 2 || !s.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(FieldError::new(
                    "",
                    "invalid_country",
                    "expected a two-letter ISO country code such as BR",
                ));
            }
            Value::String(s)
        }
        FieldKind::Enum(allowed) => {
            let s = expect_str(value, "text")?.trim();
            if !allowed.contains(&s) {
                return Err(FieldError::new("", "invalid_choice", format!("must be one of: {}", allowed.join(", "))));
            }
            Value::String(s.to_owned())
        }
        FieldKind::Ref(_) | FieldKind::StageRef | FieldKind::PipelineRef | FieldKind::UserRef => {
            Value::String(parse_uuid(value)?.to_string())
        }
        FieldKind::UserList => {
            let mut ids = Vec::new();
            for (i, item) in bounded_list(value, "user ids")?.iter().enumerate() {
                ids.push(Value::String(parse_uuid(item).map_err(|e| e.nested(&format!("[{i}]")))?.to_string()));
            }
            Value::Array(ids)
        }
        FieldKind::RefList => {
            let mut refs = Vec::new();
            for (i, item) in bounded_list(value, "record links")?.iter().enumerate() {
                let link: RecordLink = serde_json::from_value(item.clone()).map_err(|e| {
                    FieldError::new(
                        format!("[{i}]"),
                        "wrong_type",
                        format!("expected {{\"type\", \"id\", \"role\"?}}: {e}"),
                    )
                })?;
                if link.role.as_deref().is_some_and(|r| r.chars().count() > 100) {
                    return Err(FieldError::new(format!("[{i}].role"), "too_long", "at most 100 characters"));
                }
                refs.push(
                    serde_json::to_value(link)
                        .map_err(|e| FieldError::new(format!("[{i}]"), "wrong_type", e.to_string()))?,
                );
            }
            Value::Array(refs)
        }
        FieldKind::Money => crate::values::Money::parse_json(value)?.to_json(),
        FieldKind::LineItems => {
            let lines = crate::line_items::parse_line_items(value).map_err(|errors| {
                // The first problem, with its path inside the list: one field error per field.
                errors.0.into_iter().next().unwrap_or_else(|| FieldError::new("", "invalid", "invalid line items"))
            })?;
            Value::Array(lines.into_iter().map(Value::from).collect())
        }
        FieldKind::Structured(structure) => (structure.normalize)(value)?,
        FieldKind::Consents => {
            let mut out = Vec::new();
            for (i, item) in bounded_list(value, "consents")?.iter().enumerate() {
                let consent: Consent = serde_json::from_value(item.clone()).map_err(|e| {
                    FieldError::new(
                        format!("[{i}]"),
                        "wrong_type",
                        format!("expected {{\"channel\", \"granted\", \"at\", \"origin\"}}: {e}"),
                    )
                })?;
                if consent.origin.chars().count() > 200 {
                    return Err(FieldError::new(format!("[{i}].origin"), "too_long", "at most 200 characters"));
                }
                out.push(
                    serde_json::to_value(consent)
                        .map_err(|e| FieldError::new(format!("[{i}]"), "wrong_type", e.to_string()))?,
                );
            }
            Value::Array(out)
        }
    })
}

fn parse_uuid(value: &Value) -> Result<uuid::Uuid, FieldError> {
    let s = expect_str(value, "an id")?;
    uuid::Uuid::parse_str(s.trim()).map_err(|_| {
        FieldError::new("", "invalid_id", format!("'{}' is not a valid id", crate::values::email_truncate(s)))
    })
}

/// A link from one record to another (deal contacts, activity relations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordLink {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    pub id: uuid::Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// Communication channels a contact can prefer and consent to.
pub const CHANNELS: &[&str] = &["email", "phone", "whatsapp", "sms"];

/// The languages a person is written to in (quotes, e-mails, their pages).
pub const LANGUAGES: &[&str] = &["en", "pt-BR", "es"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Phone,
    Whatsapp,
    Sms,
}

/// Consent to be contacted on one channel, with when and where it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub channel: Channel,
    pub granted: bool,
    pub at: chrono::DateTime<chrono::Utc>,
    pub origin: String,
}

/// Links found in the `RefList` fields of a normalised record.
pub fn record_links(record_type: RecordType, data: &Map<String, Value>) -> Vec<RecordLink> {
    record_type
        .fields()
        .iter()
        .filter(|f| f.kind == FieldKind::RefList)
        .filter_map(|f| data.get(f.name))
        .filter_map(|v| serde_json::from_value::<Vec<RecordLink>>(v.clone()).ok())
        .flatten()
        .collect()
}
