use serde_json::{Map, Value};

use super::{field_list, is_blank, source_fields};
use crate::schema::{FieldKind, FieldSpec};
use crate::{FieldError, ValidationErrors};

pub const STATUSES: &[&str] = &["new", "contacted", "qualified", "disqualified", "converted"];

pub const FIELDS: &[FieldSpec] = field_list!(
    [
        FieldSpec::new("first_name", FieldKind::Text { max: 100 }).title(),
        FieldSpec::new("last_name", FieldKind::Text { max: 100 }).indexed().title(),
        FieldSpec::new("company_name", FieldKind::Text { max: 200 }).indexed().title(),
        FieldSpec::new("email", FieldKind::Email).indexed().body(),
        FieldSpec::new("phone", FieldKind::Phone).body(),
        FieldSpec::new("job_title", FieldKind::Text { max: 150 }),
        FieldSpec::new("website", FieldKind::Url),
        FieldSpec::new("status", FieldKind::Enum(STATUSES)).indexed(),
        FieldSpec::new("disqualified_reason", FieldKind::Text { max: 500 }),
        FieldSpec::new("score", FieldKind::Integer { min: 0, max: 100 }).indexed(),
        FieldSpec::new("converted_contact_id", FieldKind::Ref(crate::schema::RecordType::Contact)),
        FieldSpec::new("converted_company_id", FieldKind::Ref(crate::schema::RecordType::Company)),
        FieldSpec::new("converted_deal_id", FieldKind::Ref(crate::schema::RecordType::Deal)),
    ],
    source_fields!(),
);

pub fn check(record: &Map<String, Value>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if ["first_name", "last_name", "company_name", "email", "phone"].iter().all(|k| is_blank(record, k)) {
        errors.push(FieldError::new(
            "last_name",
            "required",
            "a lead needs a name, a company name, an e-mail or a phone",
        ));
    }
    if record.get("status").and_then(Value::as_str) == Some("disqualified") && is_blank(record, "disqualified_reason") {
        errors.push(FieldError::new("disqualified_reason", "required", "say why the lead is disqualified"));
    }
    errors.into_result()
}

/// Status a lead gets when none is given.
pub const DEFAULT_STATUS: &str = "new";

/// Mailbox providers whose domain says nothing about the person's company.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.com.br",
    "outlook.com",
    "outlook.com.br",
    "live.com",
    "yahoo.com",
    "yahoo.com.br",
    "yahoo.es",
    "icloud.com",
    "me.com",
    "aol.com",
    "uol.com.br",
    "bol.com.br",
    "terra.com.br",
    "ig.com.br",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "zoho.com",
];

/// The company domain an e-mail address points to, unless it is a free mailbox.
pub fn company_domain_of_email(email: &str) -> Option<String> {
    let domain = email.rsplit_once('@')?.1.to_lowercase();
    (!FREE_MAIL_DOMAINS.contains(&domain.as_str())).then_some(domain)
}
