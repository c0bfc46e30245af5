//! The fields of any record kind, read from its descriptor: how a value
//! reads on a page, which input edits it, and how a form's text becomes the
//! API's JSON input (so that the UI and the API take the same path).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use rapport_core::FieldError;
use rapport_core::custom_fields::{CustomFieldDefinition, CustomFieldType};
use rapport_core::schema::{FieldKind, FieldSpec, RecordType};
use rapport_db::records::Record;
use rapport_db::users::Colleague;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::format;
use super::i18n::Tr;
use crate::state::AppState;

/// Names a page shows for ids: users, pipelines' stages, referenced records.
#[derive(Default)]
pub struct Names {
    pub users: HashMap<Uuid, String>,
    pub stages: HashMap<Uuid, String>,
    pub pipelines: HashMap<Uuid, String>,
    pub records: HashMap<Uuid, (RecordType, String)>,
    pub colleagues: Vec<Colleague>,
    pub pipeline_list: Vec<rapport_db::pipelines::Pipeline>,
    /// The account's custom fields, of every kind.
    pub custom: Vec<CustomFieldDefinition>,
}

impl Names {
    /// Users and pipelines (few), and the display names of the records that
    /// `records` refer to, one query per referenced kind.
    pub async fn load(
        state: &AppState,
        actor: &rapport_core::access::Actor,
        records: &[&Record],
    ) -> rapport_db::Result<Self> {
        let colleagues = rapport_db::users::directory(&state.ctx, actor).await?;
        let pipeline_list = rapport_db::pipelines::list(state.ctx.db.conn()).await?;
        let custom = state.ctx.snapshot().await?.custom_fields.clone();
        let mut names = Names {
            custom,
            users: colleagues.iter().map(|c| (c.id.0, c.name.clone())).collect(),
            stages: pipeline_list.iter().flat_map(|p| p.stages.iter().map(|s| (s.id, s.name.clone()))).collect(),
            pipelines: pipeline_list.iter().map(|p| (p.id, p.name.clone())).collect(),
            records: HashMap::new(),
            colleagues,
            pipeline_list,
        };
        let mut wanted: HashMap<RecordType, Vec<Uuid>> = HashMap::new();
        for record in records {
            for spec in record.record_type.fields() {
                if let FieldKind::Ref(kind) = spec.kind {
                    if let (Some(target), Some(id)) = (RecordType::parse(kind), record.uuid(spec.name)) {
                        wanted.entry(target).or_default().push(id);
                    }
                }
            }
        }
        for (record_type, mut ids) in wanted {
            ids.sort();
            ids.dedup();
            for chunk in ids.chunks(100) {
                let list: Vec<String> = chunk.iter().map(Uuid::to_string).collect();
                let pairs = [("filter[id][in]".to_owned(), list.join(",")), ("limit".to_owned(), "100".to_owned())];
                let page = rapport_db::records::list(&state.ctx, actor, record_type, &pairs).await?;
                for found in page.items {
                    names.records.insert(found.id.0, (record_type, found.display_name()));
                }
            }
        }
        Ok(names)
    }
}

impl Names {
    pub fn custom_of(&self, record_type: RecordType) -> impl Iterator<Item = &CustomFieldDefinition> {
        self.custom.iter().filter(move |d| d.record_type == record_type)
    }
}

/// A value as a page shows it, and where it links to.
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

impl Cell {
    fn text(text: impl Into<String>) -> Self {
        Self { text: text.into(), href: None }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// A field of a record as it reads, in the user's language and zone.
pub fn display(tr: &Tr, zone: Tz, names: &Names, record: &Record, spec: &FieldSpec) -> Cell {
    let value = record.fields.get(spec.name).unwrap_or(&Value::Null);
    if value.is_null() {
        return Cell::text("");
    }
    let locale = tr.locale;
    match spec.kind {
        FieldKind::Date => {
            let day = value.as_str().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
            Cell::text(day.map(|d| format::date(d, locale)).unwrap_or_default())
        }
        FieldKind::DateTime => {
            let at = value.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok());
            Cell::text(at.map(|at| format::datetime(at.with_timezone(&Utc), zone, locale)).unwrap_or_default())
        }
        FieldKind::Bool => Cell::text(tr.t(if value.as_bool() == Some(true) { "value.yes" } else { "value.no" })),
        FieldKind::Enum(_) => Cell::text(value.as_str().map(|v| tr.choice(spec.name, v)).unwrap_or_default()),
        FieldKind::Integer { .. } if spec.name.ends_with("_minor") => {
            let currency = record.text("currency").unwrap_or("BRL");
            Cell::text(value.as_i64().map(|minor| format::money(minor, currency, locale)).unwrap_or_default())
        }
        FieldKind::Integer { .. } => Cell::text(value.as_i64().map(|n| format::integer(n, locale)).unwrap_or_default()),
        FieldKind::Money => {
            let minor = value.get("amount_minor").and_then(Value::as_i64);
            let currency = value.get("currency").and_then(Value::as_str).unwrap_or("BRL");
            Cell::text(minor.map(|m| format::money(m, currency, locale)).unwrap_or_default())
        }
        FieldKind::Ref(_) => {
            let id = value.as_str().and_then(|s| Uuid::parse_str(s).ok());
            match id.and_then(|id| names.records.get(&id).map(|(kind, name)| (id, kind, name))) {
                Some((id, kind, name)) => Cell { text: name.clone(), href: Some(format!("/{}/{id}", kind.plural())) },
                None => Cell::text(""),
            }
        }
        FieldKind::StageRef => Cell::text(uuid_name(value, &names.stages)),
        FieldKind::PipelineRef => Cell::text(uuid_name(value, &names.pipelines)),
        FieldKind::UserRef => Cell::text(uuid_name(value, &names.users)),
        FieldKind::UserList => Cell::text(
            strings(value)
                .iter()
                .filter_map(|id| Uuid::parse_str(id).ok())
                .filter_map(|id| names.users.get(&id).cloned())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        FieldKind::EmailList | FieldKind::PhoneList => Cell::text(strings(value).join(", ")),
        FieldKind::Email => {
            let email = value.as_str().unwrap_or_default();
            Cell { text: email.to_owned(), href: Some(format!("mailto:{email}")) }
        }
        FieldKind::Url => {
            let url = value.as_str().unwrap_or_default();
            let safe = url.starts_with("https://") || url.starts_with("http://");
            Cell { text: url.to_owned(), href: safe.then(|| url.to_owned()) }
        }
        FieldKind::RefList | FieldKind::Consents | FieldKind::LineItems | FieldKind::Structured(_) => {
            let count = value.as_array().map_or(0, Vec::len);
            Cell::text(if count == 0 { String::new() } else { format::integer(count as i64, locale) })
        }
        _ => Cell::text(match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
    }
}

/// A custom field of a record as it reads.
pub fn display_custom(tr: &Tr, definition: &CustomFieldDefinition, record: &Record) -> Cell {
    let value = record.custom.get(&definition.key).unwrap_or(&Value::Null);
    let locale = tr.locale;
    match (definition.field_type, value) {
        (_, Value::Null) => Cell::text(""),
        (CustomFieldType::Number, Value::Number(n)) => Cell::text(match n.as_i64() {
            Some(whole) => format::integer(whole, locale),
            None => n.to_string(),
        }),
        (CustomFieldType::Money, _) => {
            let minor = value.get("amount_minor").and_then(Value::as_i64);
            let currency = value.get("currency").and_then(Value::as_str).unwrap_or("BRL");
            Cell::text(minor.map(|m| format::money(m, currency, locale)).unwrap_or_default())
        }
        (CustomFieldType::Date, Value::String(day)) => Cell::text(
            NaiveDate::parse_from_str(day, "%Y-%m-%d").map(|d| format::date(d, locale)).unwrap_or_else(|_| day.clone()),
        ),
        (CustomFieldType::Boolean, _) => {
            Cell::text(tr.t(if value.as_bool() == Some(true) { "value.yes" } else { "value.no" }))
        }
        (CustomFieldType::MultiSelect, _) => Cell::text(strings(value).join(", ")),
        (CustomFieldType::Email, Value::String(email)) => {
            Cell { text: email.clone(), href: Some(format!("mailto:{email}")) }
        }
        (CustomFieldType::Url, Value::String(url)) => {
            let safe = url.starts_with("https://") || url.starts_with("http://");
            Cell { text: url.clone(), href: safe.then(|| url.clone()) }
        }
        (_, Value::String(text)) => Cell::text(text.clone()),
        (_, other) => Cell::text(other.to_string()),
    }
}

/// A deal's amount in its currency, as the user's language writes it;
/// empty without one.
pub fn deal_amount(deal: &Record, tr: &Tr) -> String {
    deal.fields
        .get("amount_minor")
        .and_then(Value::as_i64)
        .map(|minor| format::money(minor, deal.text("currency").unwrap_or("BRL"), tr.locale))
        .unwrap_or_default()
}

fn uuid_name(value: &Value, names: &HashMap<Uuid, String>) -> String {
    value.as_str().and_then(|s| Uuid::parse_str(s).ok()).and_then(|id| names.get(&id).cloned()).unwrap_or_default()
}

/// One input of a form, with what to show in it.
pub struct Input {
    pub name: String,
    pub label: String,
    pub help: String,
    /// `text`, `email`, `tel`, `url`, `date`, `datetime-local`, `number`,
    /// `textarea`, `lines`, `select`, `checkbox`, `money` or `ref`.
    pub control: &'static str,
    pub value: String,
    /// For `money`: the currency; for `ref`: the referenced record's name.
    pub second: String,
    pub required: bool,
    pub error: String,
    pub options: Vec<(String, String)>,
    /// For `ref`: the kind to search (`companies`).
    pub target: &'static str,
}

impl Input {
    pub fn selected(&self, option: &str) -> bool {
        self.value == option
    }
}

/// A group of inputs with its heading.
pub struct Section {
    pub title: String,
    pub inputs: Vec<Input>,
}

/// Whether the UI edits a field in its forms (lists of references, consents
/// and line items have their own screens to come).
pub fn editable(spec: &FieldSpec) -> bool {
    spec.derived.is_none()
        && spec.group != "system"
        && spec.group != "conversion"
        && !matches!(
            spec.kind,
            FieldKind::RefList
                | FieldKind::UserList
                | FieldKind::Consents
                | FieldKind::LineItems
                | FieldKind::Structured(_)
        )
}

/// What a form shows: a stored record's values, or what the user typed.
pub enum FormValues<'a> {
    Record(&'a Record),
    Typed(&'a [(String, String)]),
    /// A stored record with what the user typed over some of its fields
    /// (an edit that came back with an error: one field, or all).
    Edited(&'a Record, &'a [(String, String)]),
    Empty,
}

impl FormValues<'_> {
    fn typed(&self, name: &str) -> Option<String> {
        match self {
            Self::Typed(fields) | Self::Edited(_, fields) => {
                fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone())
            }
            _ => None,
        }
    }

    fn record(&self) -> Option<&Record> {
        match self {
            Self::Record(record) | Self::Edited(record, _) => Some(record),
            _ => None,
        }
    }
}

/// The form of a kind, grouped as its descriptor groups fields.
pub fn form_sections(
    tr: &Tr,
    zone: Tz,
    names: &Names,
    record_type: RecordType,
    values: &FormValues<'_>,
    errors: &[FieldError],
    me: Uuid,
) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for spec in record_type.fields().iter().filter(|s| editable(s)) {
        let input = input(tr, zone, names, record_type, spec, values, errors);
        let title = tr.t(&format!("group.{}", spec.group));
        match sections.iter_mut().find(|s| s.title == title) {
            Some(section) => section.inputs.push(input),
            None => sections.push(Section { title, inputs: vec![input] }),
        }
    }
    let mut owner = Input {
        name: "owner_id".into(),
        label: tr.t("field.owner_id"),
        help: String::new(),
        control: "select",
        value: String::new(),
        second: String::new(),
        required: false,
        error: field_error(tr, errors, "owner_id"),
        options: names
            .colleagues
            .iter()
            .filter(|c| !c.disabled)
            .map(|c| (c.id.0.to_string(), c.name.clone()))
            .collect(),
        target: "",
    };
    owner.value = match (values.typed("owner_id"), values.record()) {
        (Some(typed), _) => typed,
        (None, Some(record)) => record.owner_id.map(|id| id.to_string()).unwrap_or_default(),
        // A new record is the user's own unless they give it away.
        (None, None) if matches!(values, FormValues::Empty) => me.to_string(),
        (None, None) => String::new(),
    };
    let tags = Input {
        name: "tags".into(),
        label: tr.t("field.tags"),
        help: String::new(),
        control: "text",
        value: values
            .typed("tags")
            .or_else(|| values.record().map(|record| record.tags.join(", ")))
            .unwrap_or_default(),
        second: String::new(),
        required: false,
        error: field_error(tr, errors, "tags"),
        options: Vec::new(),
        target: "",
    };
    if let Some(first) = sections.first_mut() {
        first.inputs.push(owner);
        first.inputs.push(tags);
    }
    let custom: Vec<Input> =
        names.custom_of(record_type).map(|definition| custom_input(tr, definition, values, errors)).collect();
    if !custom.is_empty() {
        sections.push(Section { title: tr.t("group.custom"), inputs: custom });
    }
    sections
}

/// The input of a custom field: `custom.{key}`, as the API names it in errors.
fn custom_input(tr: &Tr, definition: &CustomFieldDefinition, values: &FormValues<'_>, errors: &[FieldError]) -> Input {
    let name = format!("custom.{}", definition.key);
    let stored = values.record().and_then(|r| r.custom.get(&definition.key).cloned()).unwrap_or(Value::Null);
    let typed = values.typed(&name);
    let mut input = Input {
        label: definition.label.clone(),
        help: String::new(),
        control: "text",
        value: String::new(),
        second: String::new(),
        required: definition.required,
        error: field_error(tr, errors, &name),
        options: Vec::new(),
        target: "",
        name,
    };
    let options = || definition.options.iter().map(|o| (o.clone(), o.clone())).collect();
    input.value = match (definition.field_type, &stored) {
        (CustomFieldType::Money, _) => {
            input.control = "money";
            let currency = stored.get("currency").and_then(Value::as_str).unwrap_or("BRL").to_owned();
            let minor = stored.get("amount_minor").and_then(Value::as_i64);
            input.second = currency.clone();
            minor.map(|m| decimal(m, &currency)).unwrap_or_default()
        }
        (CustomFieldType::Boolean, _) => {
            input.control = "checkbox";
            if stored.as_bool() == Some(true) { "true".into() } else { String::new() }
        }
        (CustomFieldType::MultiSelect, _) => strings(&stored).join(", "),
        (_, Value::Null) => String::new(),
        (_, Value::String(text)) => text.clone(),
        (_, other) => other.to_string(),
    };
    input.control = match definition.field_type {
        CustomFieldType::Number => "number",
        CustomFieldType::Date => "date",
        CustomFieldType::Url => "url",
        CustomFieldType::Email => "email",
        CustomFieldType::Phone => "tel",
        CustomFieldType::Select => {
            input.options = options();
            "select"
        }
        _ => input.control,
    };
    if let Some(typed) = typed {
        input.value = typed;
    }
    input
}

fn field_error(tr: &Tr, errors: &[FieldError], name: &str) -> String {
    errors
        .iter()
        .find(|e| {
            e.field == name || e.field.starts_with(&format!("{name}[")) || e.field.starts_with(&format!("{name}."))
        })
        .map(|e| error_message(tr, e))
        .unwrap_or_default()
}

/// A field error in the user's language: by its code where the catalogue
/// has one, else the service's own words.
pub fn error_message(tr: &Tr, error: &FieldError) -> String {
    tr.try_t_params(&format!("error.{}", error.code), &error.params).unwrap_or_else(|| error.message.clone())
}

fn input(
    tr: &Tr,
    zone: Tz,
    names: &Names,
    record_type: RecordType,
    spec: &FieldSpec,
    values: &FormValues<'_>,
    errors: &[FieldError],
) -> Input {
    let stored = values.record().and_then(|r| r.fields.get(spec.name).cloned()).unwrap_or(Value::Null);
    let typed = values.typed(spec.name);
    let text_of = |value: &Value| match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut input = Input {
        name: spec.name.to_owned(),
        label: tr.t(&spec.label_key()),
        help: spec.help_key().map(|key| tr.t(&key)).unwrap_or_default(),
        control: "text",
        value: typed.clone().unwrap_or_else(|| text_of(&stored)),
        second: String::new(),
        required: spec.required,
        error: field_error(tr, errors, spec.name),
        options: Vec::new(),
        target: "",
    };
    let _ = record_type;
    match spec.kind {
        FieldKind::LongText => input.control = "textarea",
        FieldKind::Email => input.control = "email",
        FieldKind::Phone => input.control = "tel",
        FieldKind::Url => input.control = "url",
        FieldKind::Date => input.control = "date",
        FieldKind::DateTime => {
            input.control = "datetime-local";
            if typed.is_none() {
                let at = stored.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok());
                input.value = at.map(|at| format::datetime_input(at.with_timezone(&Utc), zone)).unwrap_or_default();
            }
        }
        FieldKind::Bool => {
            input.control = "checkbox";
            if typed.is_none() {
                input.value = if stored.as_bool() == Some(true) { "true".into() } else { String::new() };
            }
        }
        FieldKind::Integer { .. } if spec.name.ends_with("_minor") => {
            input.control = "money";
            let currency = values
                .typed("currency")
                .or_else(|| values.record().and_then(|r| r.text("currency")).map(str::to_owned))
                .unwrap_or_else(|| "BRL".into());
            if typed.is_none() {
                input.value = stored.as_i64().map(|minor| decimal(minor, &currency)).unwrap_or_default();
            }
            input.second = currency;
        }
        FieldKind::Integer { .. } => input.control = "number",
        FieldKind::EmailList | FieldKind::PhoneList => {
            input.control = "lines";
            if typed.is_none() {
                input.value = strings(&stored).join("\n");
            }
        }
        FieldKind::Enum(options) => {
            input.control = "select";
            input.options = options.iter().map(|o| ((*o).to_owned(), tr.choice(spec.name, o))).collect();
        }
        FieldKind::Currency => {
            input.control = "select";
            input.options = ["BRL", "USD", "EUR", "ARS", "MXN", "CLP", "COP", "PEN", "UYU", "GBP"]
                .iter()
                .map(|c| ((*c).to_owned(), (*c).to_owned()))
                .collect();
            if input.value.is_empty() && matches!(values, FormValues::Empty) {
                input.value = "BRL".into();
            }
        }
        FieldKind::StageRef => {
            input.control = "select";
            input.options = names
                .pipeline_list
                .iter()
                .flat_map(|p| p.stages.iter().map(move |s| (s.id.to_string(), format!("{} · {}", p.name, s.name))))
                .collect();
        }
        FieldKind::PipelineRef => {
            input.control = "select";
            input.options = names.pipeline_list.iter().map(|p| (p.id.to_string(), p.name.clone())).collect();
        }
        FieldKind::UserRef => {
            input.control = "select";
            input.options = names.colleagues.iter().map(|c| (c.id.0.to_string(), c.name.clone())).collect();
        }
        FieldKind::Ref(kind) => {
            input.control = "ref";
            input.target = RecordType::parse(kind).map_or("", RecordType::plural);
            input.second = values.typed(&format!("{}__label", spec.name)).unwrap_or_else(|| {
                Uuid::parse_str(&input.value)
                    .ok()
                    .and_then(|id| names.records.get(&id).map(|(_, name)| name.clone()))
                    .unwrap_or_default()
            });
        }
        _ => {}
    }
    input
}

/// Minor units as the plain decimal an input holds (`1234.50`).
fn decimal(minor: i64, currency: &str) -> String {
    rapport_core::values::money::plain_decimal(minor, currency)
}

/// A decimal as typed in any of our languages (`1.234,56`, `1,234.56`,
/// `1234.5`) in minor units of `currency`; `None` when it is not a number.
pub fn parse_decimal(text: &str, currency: &str) -> Option<i64> {
    let digits = rapport_core::values::Currency::parse(currency).map_or(2, |c| c.minor_digits()) as usize;
    parse_scaled(text, digits)
}

/// A decimal as typed in any of our languages, in units of 10^-`digits`
/// (`1,5` with 3 digits is 1500: a quantity in thousandths).
pub fn parse_scaled(text: &str, digits: usize) -> Option<i64> {
    let cleaned: String = text.trim().chars().filter(|c| !c.is_whitespace()).collect();
    if cleaned.is_empty() {
        return None;
    }
    // The separator that comes last, with at most `digits` digits after it,
    // is the decimal mark; the other groups thousands.
    let last = cleaned.rfind([',', '.']);
    let (whole, fraction) = match last {
        Some(i) if cleaned.len() - i - 1 <= digits && cleaned.len() - i - 1 > 0 && digits > 0 => {
            (&cleaned[..i], &cleaned[i + 1..])
        }
        _ => (cleaned.as_str(), ""),
    };
    let whole: String = whole.chars().filter(|c| *c != ',' && *c != '.').collect();
    let negative = whole.starts_with('-');
    let whole = whole.trim_start_matches('-');
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut padded = fraction.to_owned();
    while padded.len() < digits {
        padded.push('0');
    }
    let value = format!("{}{padded}", if whole.is_empty() { "0" } else { whole }).parse::<i64>().ok()?;
    Some(if negative { -value } else { value })
}

/// The API's input for a kind from a form's fields: every editable field of
/// the descriptor the form carried, converted by its kind. Text that does not
/// convert goes through as typed, for the service to refuse with a message.
///
/// Custom fields come as `custom.{key}` (money with `custom.{key}.currency`).
pub fn form_input(
    record_type: RecordType,
    custom: &[&CustomFieldDefinition],
    fields: &[(String, String)],
    zone: Tz,
) -> Value {
    let last = |name: &str| fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let mut input = Map::new();
    for spec in record_type.fields().iter().filter(|s| editable(s)) {
        let Some(text) = last(spec.name) else { continue };
        let value = match spec.kind {
            _ if text.is_empty() && !matches!(spec.kind, FieldKind::Bool) => Value::Null,
            FieldKind::Bool => Value::Bool(text == "true"),
            FieldKind::Integer { .. } if spec.name.ends_with("_minor") => {
                let currency = last("currency").unwrap_or_else(|| "BRL".into());
                parse_decimal(&text, &currency).map_or(Value::String(text), Value::from)
            }
            FieldKind::Integer { .. } => text.parse::<i64>().map_or(Value::String(text), Value::from),
            FieldKind::EmailList | FieldKind::PhoneList => Value::Array(
                text.split(['\n', ',', ';']).map(str::trim).filter(|s| !s.is_empty()).map(Value::from).collect(),
            ),
            FieldKind::DateTime => NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M")
                .ok()
                .and_then(|local| local.and_local_timezone(zone).earliest())
                .map_or(Value::String(text), |at| Value::String(at.with_timezone(&Utc).to_rfc3339())),
            _ => Value::String(text),
        };
        input.insert(spec.name.to_owned(), value);
    }
    if let Some(owner) = last("owner_id") {
        input.insert("owner_id".into(), if owner.is_empty() { Value::Null } else { Value::String(owner) });
    }
    if let Some(tags) = last("tags") {
        let tags: Vec<Value> = tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(Value::from).collect();
        input.insert("tags".into(), Value::Array(tags));
    }
    let mut values = Map::new();
    for definition in custom {
        let name = format!("custom.{}", definition.key);
        let Some(text) = last(&name) else { continue };
        let value = match definition.field_type {
            CustomFieldType::Boolean => Value::Bool(text == "true"),
            _ if text.is_empty() => Value::Null,
            CustomFieldType::Number => text
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
                .map_or(Value::String(text), |n| {
                    if n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                        n.as_f64().map_or(Value::Null, |f| Value::from(f as i64))
                    } else {
                        n
                    }
                }),
            CustomFieldType::Money => {
                let currency = last(&format!("{name}.currency")).unwrap_or_else(|| "BRL".into());
                match parse_decimal(&text, &currency) {
                    Some(minor) => serde_json::json!({"amount_minor": minor, "currency": currency}),
                    None => Value::String(text),
                }
            }
            CustomFieldType::MultiSelect => {
                Value::Array(text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Value::from).collect())
            }
            _ => Value::String(text),
        };
        values.insert(definition.key.clone(), value);
    }
    if !values.is_empty() {
        input.insert("custom".into(), Value::Object(values));
    }
    Value::Object(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(parse_decimal("1.234,56", "BRL"), Some(123_456));
        assert_eq!(parse_decimal("1,234.56", "USD"), Some(123_456));
        assert_eq!(parse_decimal("1234,5", "BRL"), Some(123_450));
        assert_eq!(parse_decimal("1.234", "BRL"), Some(123_400));
        assert_eq!(parse_decimal("1.234.567", "BRL"), Some(123_456_700));
        assert_eq!(parse_decimal("5000", "JPY"), Some(5000));
        assert_eq!(parse_decimal("abc", "BRL"), None);
        assert_eq!(decimal(123_456, "BRL"), "1234.56");
    }

    #[test]
    fn a_form_becomes_the_apis_input() {
        let fields: Vec<(String, String)> = [
            ("first_name", "Ana"),
            ("emails", "ana@example.com\nana.souza@example.com"),
            ("birth_date", ""),
            ("tags", "vip, 2026"),
            ("_csrf", "x"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let input = form_input(RecordType::CONTACT, &[], &fields, chrono_tz::UTC);
        assert_eq!(input["first_name"], "Ana");
        assert_eq!(input["emails"], serde_json::json!(["ana@example.com", "ana.souza@example.com"]));
        assert_eq!(input["birth_date"], Value::Null);
        assert_eq!(input["tags"], serde_json::json!(["vip", "2026"]));
        assert!(input.get("_csrf").is_none() && input.get("last_name").is_none());
    }
}
