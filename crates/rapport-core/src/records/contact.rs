use serde_json::{Map, Value};

use super::{address_fields, field_list, is_blank, source_fields};
use crate::schema::{FieldKind, FieldSpec, RecordType};
use crate::{FieldError, ValidationErrors};

pub const LIFECYCLE_STAGES: &[&str] =
    &["subscriber", "lead", "qualified", "opportunity", "customer", "evangelist", "other"];

pub const FIELDS: &[FieldSpec] = field_list!(
    [
        FieldSpec::new("first_name", FieldKind::Text { max: 100 }).indexed().title(),
        FieldSpec::new("last_name", FieldKind::Text { max: 100 }).indexed().title(),
        FieldSpec::new("emails", FieldKind::EmailList).body(),
        FieldSpec::new("phones", FieldKind::PhoneList).body(),
        FieldSpec::new("company_id", FieldKind::Ref(RecordType::Company)).indexed(),
        FieldSpec::new("job_title", FieldKind::Text { max: 150 }).body(),
        FieldSpec::new("birth_date", FieldKind::Date),
        FieldSpec::new("preferred_channel", FieldKind::Enum(crate::schema::CHANNELS)),
        FieldSpec::new("lifecycle_stage", FieldKind::Enum(LIFECYCLE_STAGES)).indexed(),
        FieldSpec::new("consents", FieldKind::Consents),
    ],
    address_fields!(),
    source_fields!(),
);

pub fn check(record: &Map<String, Value>) -> Result<(), ValidationErrors> {
    if ["first_name", "last_name", "emails", "phones"].iter().all(|k| is_blank(record, k)) {
        return Err(FieldError::new("first_name", "required", "a contact needs a name, an e-mail or a phone").into());
    }
    Ok(())
}
