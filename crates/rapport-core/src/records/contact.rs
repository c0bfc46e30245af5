//! A person the business deals with.

use serde_json::{Map, Value};

use super::{address_fields, common_aliases, field_list, is_blank, source_fields};
use crate::descriptor::{CrossFieldRule, ImportAlias, KindRules, MatchKey, RecordKind};
use crate::duplicates::DuplicateRules;
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::{FieldError, ValidationErrors};

pub const LIFECYCLE_STAGES: &[&str] =
    &["subscriber", "lead", "qualified", "opportunity", "customer", "evangelist", "other"];

pub const FIELDS: &[FieldSpec] = field_list!(
    [
        FieldSpec::new("first_name", FieldKind::Text { max: 100 }).indexed().title().listed(),
        FieldSpec::new("last_name", FieldKind::Text { max: 100 }).indexed().title().listed(),
        FieldSpec::new("emails", FieldKind::EmailList).body().listed(),
        FieldSpec::new("phones", FieldKind::PhoneList).body().listed(),
        FieldSpec::new("company_id", FieldKind::Ref("company")).indexed().listed(),
        FieldSpec::new("job_title", FieldKind::Text { max: 150 }).body(),
        FieldSpec::new("birth_date", FieldKind::Date).group("details"),
        FieldSpec::new("preferred_channel", FieldKind::Enum(crate::schema::CHANNELS)).group("details"),
        FieldSpec::new("language", FieldKind::Enum(crate::schema::LANGUAGES)).group("details").help(),
        FieldSpec::new("lifecycle_stage", FieldKind::Enum(LIFECYCLE_STAGES)).indexed().listed().help(),
        FieldSpec::new("consents", FieldKind::Consents).group("details").help(),
    ],
    address_fields!(),
    source_fields!(),
);

pub static KIND: RecordKind = RecordKind {
    name: "contact",
    plural: "contacts",
    fields: FIELDS,
    display_name: &["first_name", "last_name"],
    duplicate_key: Some(MatchKey::Email),
    import_aliases: &[
        &common_aliases!(email: "emails", phone: "phones"),
        super::PERSON_ALIASES,
        &[ImportAlias { field: "language", headers: &["idioma", "lingua", "preferred_language", "locale"] }],
        // A company named in a cell (name or domain) is found, or created if the user asks.
        &[ImportAlias {
            field: "company_id",
            headers: &[
                "company",
                "company_name",
                "empresa",
                "nome_da_empresa",
                "organization",
                "organizacao",
                "organizacion",
                "account_name",
                "associated_company",
            ],
        }],
    ],
    rules: &Contact,
    example: || {
        serde_json::json!({
            "first_name": "Ana", "last_name": "Souza", "emails": ["ana.souza@example.com.br"],
            "phones": ["+55 11 98765-4321"], "job_title": "Compradora", "city": "São Paulo", "lifecycle_stage": "lead",
        })
    },
};

impl RecordType {
    pub const CONTACT: RecordType = RecordType::of(&KIND);
}

struct Contact;

const NEEDS_A_WAY_TO_REACH: CrossFieldRule =
    CrossFieldRule { field: "first_name", code: "required", rule: "a contact needs a name, an e-mail or a phone" };

impl KindRules for Contact {
    fn duplicates(&self) -> Option<&'static DuplicateRules> {
        Some(&DuplicateRules {
            name: &["first_name", "last_name"],
            organisation: false,
            scope: Some("company_id"),
            tax_id: None,
        })
    }

    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        &[NEEDS_A_WAY_TO_REACH]
    }

    /// A country's contacts by city (BENCHMARKS.md: 88 ms a page without it, at 1M).
    fn paired_indexes(&self) -> &'static [(&'static str, &'static str)] {
        &[("country", "city")]
    }

    fn check(&self, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        if ["first_name", "last_name", "emails", "phones"].iter().all(|k| is_blank(record, k)) {
            let rule = NEEDS_A_WAY_TO_REACH;
            return Err(FieldError::new(rule.field, rule.code, rule.rule).into());
        }
        Ok(())
    }
}
