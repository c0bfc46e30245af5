//! An organisation: a customer, a prospect, a partner.

use serde_json::{Map, Value};

use super::{address_fields, common_aliases, field_list};
use crate::descriptor::{CrossFieldRule, ImportAlias, KindRules, MatchKey, RecordKind};
use crate::duplicates::DuplicateRules;
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::values::{Cnpj, WebUrl};
use crate::{FieldError, ValidationErrors};

pub const SIZE_BANDS: &[&str] = &["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"];

pub const FIELDS: &[FieldSpec] = field_list!(
    [
        FieldSpec::new("name", FieldKind::Text { max: 200 }).required().indexed().title().listed(),
        FieldSpec::new("domain", FieldKind::Domain).indexed().body().listed().help(),
        FieldSpec::new("industry", FieldKind::Text { max: 100 }).indexed().listed(),
        FieldSpec::new("size_band", FieldKind::Enum(SIZE_BANDS)).listed(),
        FieldSpec::new("phones", FieldKind::PhoneList).body(),
        FieldSpec::new("tax_id", FieldKind::Text { max: 40 }).indexed().body().help(),
        FieldSpec::new("website", FieldKind::Url),
        FieldSpec::new("parent_company_id", FieldKind::Ref("company")).group("details"),
    ],
    address_fields!(),
);

pub static KIND: RecordKind = RecordKind {
    name: "company",
    plural: "companies",
    fields: FIELDS,
    display_name: &["name"],
    duplicate_key: Some(MatchKey::Domain),
    import_aliases: &[
        &common_aliases!(email: "email", phone: "phones"),
        &[
            ImportAlias {
                field: "name",
                headers: &[
                    "nome",
                    "nombre",
                    "razao_social",
                    "company_name",
                    "empresa",
                    "account_name",
                    "organization_name",
                    "organization",
                    "organizacao",
                ],
            },
            ImportAlias { field: "tax_id", headers: &["cnpj", "nif", "cif", "rfc", "cuit", "rut"] },
            ImportAlias { field: "domain", headers: &["company_domain_name", "dominio"] },
            ImportAlias {
                field: "website",
                headers: &["site", "sitio_web", "web", "website_url", "organization_website"],
            },
            ImportAlias { field: "industry", headers: &["setor", "sector", "industria", "organization_industry"] },
        ],
    ],
    rules: &Company,
    example: || {
        serde_json::json!({
            "name": "Padaria Pão Quente", "website": "https://paoquente.com.br", "industry": "Alimentos",
            "size_band": "11-50", "city": "Curitiba",
        })
    },
};

impl RecordType {
    pub const COMPANY: RecordType = RecordType::of(&KIND);
}

struct Company;

impl KindRules for Company {
    fn duplicates(&self) -> Option<&'static DuplicateRules> {
        Some(&DuplicateRules { name: &["name"], organisation: true, scope: None, tax_id: Some("tax_id") })
    }

    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        &[CrossFieldRule {
            field: "tax_id",
            code: "invalid_cnpj",
            rule: "a company in Brazil (country BR) has a valid CNPJ as its tax id",
        }]
    }

    fn check(&self, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        check(record)
    }

    fn derive(&self, record: &mut Map<String, Value>) {
        derive(record)
    }
}

/// A CNPJ is required to be valid when the company is in Brazil; elsewhere
/// the tax id is free text.
fn check(record: &Map<String, Value>) -> Result<(), ValidationErrors> {
    let country = record.get("country").and_then(Value::as_str);
    if let (Some("BR"), Some(tax_id)) = (country, record.get("tax_id").and_then(Value::as_str)) {
        Cnpj::parse(tax_id).map_err(|e| FieldError { field: "tax_id".into(), ..e })?;
    }
    Ok(())
}

/// Normalises the CNPJ to digits and fills the matching domain from the
/// website when none is given (a given one is normalised by its field kind).
fn derive(record: &mut Map<String, Value>) {
    if record.get("country").and_then(Value::as_str) == Some("BR") {
        if let Some(cnpj) = record.get("tax_id").and_then(Value::as_str).and_then(|t| Cnpj::parse(t).ok()) {
            record.insert("tax_id".into(), Value::String(cnpj.digits().to_owned()));
        }
    }
    if record.get("domain").is_none_or(Value::is_null) {
        let website = record.get("website").and_then(Value::as_str).and_then(|w| WebUrl::parse(w).ok());
        if let Some(website) = website {
            record.insert("domain".into(), Value::String(website.domain()));
        }
    }
}
