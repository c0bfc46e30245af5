//! Someone who may become a customer, before qualification: converted into a
//! contact, a company and a deal when qualified.

use serde_json::{Map, Value, json};

use super::{common_aliases, field_list, is_blank, source_fields};
use crate::descriptor::{
    CrossFieldRule, Effect, ImportAlias, KindRules, MatchKey, PendingWrite, RecordKind, StoredWrite,
};
use crate::duplicates::DuplicateRules;
use crate::jobs::JobKind;
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::{DomainError, FieldError, ValidationErrors};

pub const STATUSES: &[&str] = &["new", "contacted", "qualified", "disqualified", "converted"];

pub const FIELDS: &[FieldSpec] = field_list!(
    [
        FieldSpec::new("first_name", FieldKind::Text { max: 100 }).title().listed(),
        FieldSpec::new("last_name", FieldKind::Text { max: 100 }).indexed().title().listed(),
        FieldSpec::new("company_name", FieldKind::Text { max: 200 }).indexed().title().listed(),
        FieldSpec::new("email", FieldKind::Email).indexed().body().listed(),
        FieldSpec::new("phone", FieldKind::Phone).body(),
        FieldSpec::new("job_title", FieldKind::Text { max: 150 }),
        FieldSpec::new("website", FieldKind::Url),
        FieldSpec::new("status", FieldKind::Enum(STATUSES)).indexed().label("lead.field.status").listed(),
        FieldSpec::new("disqualified_reason", FieldKind::Text { max: 500 }),
        FieldSpec::new("score", FieldKind::Integer { min: 0, max: 100 }).indexed().listed().help(),
        FieldSpec::new("converted_contact_id", FieldKind::Ref("contact")).group("conversion"),
        FieldSpec::new("converted_company_id", FieldKind::Ref("company")).group("conversion"),
        FieldSpec::new("converted_deal_id", FieldKind::Ref("deal")).group("conversion"),
    ],
    source_fields!(),
);

pub static KIND: RecordKind = RecordKind {
    name: "lead",
    plural: "leads",
    fields: FIELDS,
    display_name: &["first_name", "last_name", "company_name"],
    duplicate_key: Some(MatchKey::Email),
    import_aliases: &[
        &common_aliases!(email: "email", phone: "phone"),
        super::PERSON_ALIASES,
        &[ImportAlias { field: "company_name", headers: &["company", "empresa", "organization", "organizacao"] }],
    ],
    rules: &Lead,
    example: || {
        serde_json::json!({
            "first_name": "João", "last_name": "Silva", "company_name": "Transportes Silva",
            "email": "joao@transportessilva.com.br", "source_channel": "webinar",
        })
    },
};

impl RecordType {
    pub const LEAD: RecordType = RecordType::of(&KIND);
}

struct Lead;

const NEEDS_A_WAY_TO_REACH: CrossFieldRule = CrossFieldRule {
    field: "last_name",
    code: "required",
    rule: "a lead needs a name, a company name, an e-mail or a phone",
};
const DISQUALIFIED_NEEDS_A_REASON: CrossFieldRule =
    CrossFieldRule { field: "disqualified_reason", code: "required", rule: "a disqualified lead needs the reason why" };

impl KindRules for Lead {
    fn duplicates(&self) -> Option<&'static DuplicateRules> {
        Some(&DuplicateRules {
            name: &["first_name", "last_name"],
            organisation: false,
            scope: Some("company_name"),
            tax_id: None,
        })
    }

    fn cross_field_rules(&self) -> &'static [CrossFieldRule] {
        &[NEEDS_A_WAY_TO_REACH, DISQUALIFIED_NEEDS_A_REASON]
    }

    fn check(&self, record: &Map<String, Value>) -> Result<(), ValidationErrors> {
        check(record)
    }

    fn before_write(&self, write: &mut PendingWrite<'_>) -> Result<(), DomainError> {
        if write.fields.get("status").is_none_or(Value::is_null) {
            write.fields.insert("status".into(), DEFAULT_STATUS.into());
        }
        Ok(())
    }

    /// A lead given to someone else tells them so.
    fn after_write(&self, write: &StoredWrite<'_>) -> Vec<Effect> {
        let reassigned = write.old_owner_id.is_none_or(|old| old != write.owner_id);
        match write.owner_id {
            Some(owner) if reassigned && owner != write.actor => vec![Effect::Enqueue {
                kind: JobKind::LeadAssigned,
                payload: json!({"lead_id": write.id, "owner_id": owner, "assigned_by": write.actor}),
                run_at: write.at,
                dedup_key: format!("lead_assigned:{}:{}", write.id, write.version),
            }],
            _ => Vec::new(),
        }
    }
}

fn check(record: &Map<String, Value>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if ["first_name", "last_name", "company_name", "email", "phone"].iter().all(|k| is_blank(record, k)) {
        let rule = NEEDS_A_WAY_TO_REACH;
        errors.push(FieldError::new(rule.field, rule.code, rule.rule));
    }
    if record.get("status").and_then(Value::as_str) == Some("disqualified") && is_blank(record, "disqualified_reason") {
        let rule = DISQUALIFIED_NEEDS_A_REASON;
        errors.push(FieldError::new(rule.field, rule.code, rule.rule));
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
