use serde_json::{Map, Value};

use super::{address_fields, field_list};
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::values::{Cnpj, WebUrl};
use crate::{FieldError, ValidationErrors};

pub const SIZE_BANDS: &[&str] = &["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"];

pub const FIELDS: &[FieldSpec] = field_list!(
    [
        FieldSpec::new("name", FieldKind::Text { max: 200 }).required().indexed().title(),
        FieldSpec::new("domain", FieldKind::Text { max: 253 }).indexed().body(),
        FieldSpec::new("industry", FieldKind::Text { max: 100 }).indexed(),
        FieldSpec::new("size_band", FieldKind::Enum(SIZE_BANDS)),
        FieldSpec::new("phones", FieldKind::PhoneList).body(),
        FieldSpec::new("tax_id", FieldKind::Text { max: 40 }).indexed().body(),
        FieldSpec::new("website", FieldKind::Url),
        FieldSpec::new("parent_company_id", FieldKind::Ref(RecordType::Company)),
    ],
    address_fields!(),
);

/// A CNPJ is required to be valid when the company is in Brazil; elsewhere
/// the tax id is free text.
pub fn check(record: &Map<String, Value>) -> Result<(), ValidationErrors> {
    let country = record.get("country").and_then(Value::as_str);
    if let (Some("BR"), Some(tax_id)) = (country, record.get("tax_id").and_then(Value::as_str)) {
        Cnpj::parse(tax_id).map_err(|e| FieldError { field: "tax_id".into(), ..e })?;
    }
    if let Some(domain) = record.get("domain").and_then(Value::as_str) {
        WebUrl::parse(domain)
            .map_err(|_| FieldError::new("domain", "invalid_domain", format!("'{domain}' is not a domain name")))?;
    }
    Ok(())
}

/// Normalises the CNPJ to digits and fills the matching domain from the website.
pub fn derive(record: &mut Map<String, Value>) {
    if record.get("country").and_then(Value::as_str) == Some("BR") {
        if let Some(cnpj) = record.get("tax_id").and_then(Value::as_str).and_then(|t| Cnpj::parse(t).ok()) {
            record.insert("tax_id".into(), Value::String(cnpj.digits().to_owned()));
        }
    }
    let domain = match record.get("domain").and_then(Value::as_str) {
        Some(d) => WebUrl::parse(d).ok().map(|u| u.domain()),
        None => record.get("website").and_then(Value::as_str).and_then(|w| WebUrl::parse(w).ok()).map(|u| u.domain()),
    };
    if let Some(domain) = domain {
        record.insert("domain".into(), Value::String(domain));
    }
}
