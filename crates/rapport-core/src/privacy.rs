//! Erasing a person (LGPD art. 18 VI, GDPR art. 17): which of a contact's
//! values are personal, what replaces them, and how the timeline's text
//! about the person is redacted. Aggregates (deal amounts, stages, dates,
//! counts, lifecycle stage, company link, tags) are kept.

use serde_json::{Map, Value};

use crate::custom_fields::{CustomFieldDefinition, CustomFieldType};

/// What an erased value reads as in the audit log.
pub const REDACTED: &str = "[erased]";

/// A contact's fields that identify, reach or describe the person.
pub const CONTACT_PERSONAL_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "emails",
    "phones",
    "job_title",
    "birth_date",
    "preferred_channel",
    "consents",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
];

/// An activity's free text, which may say anything about the people it is about.
pub const ACTIVITY_TEXT_FIELDS: &[&str] = &["subject", "body", "outcome"];

/// The values of one record kind that erasure clears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Personal {
    pub fields: &'static [&'static str],
    /// Custom fields holding free text or a way to reach someone.
    pub custom: Vec<String>,
}

impl Personal {
    /// A contact's personal values, given its kind's custom fields.
    pub fn contact(custom: &[CustomFieldDefinition]) -> Self {
        Self { fields: CONTACT_PERSONAL_FIELDS, custom: personal_custom(custom) }
    }

    /// An activity's free text, given its kind's custom fields.
    pub fn activity_text(custom: &[CustomFieldDefinition]) -> Self {
        Self { fields: ACTIVITY_TEXT_FIELDS, custom: personal_custom(custom) }
    }

    /// `fields` with every personal value cleared (`null`), and the custom
    /// values without the personal ones.
    pub fn clear(
        &self,
        fields: &Map<String, Value>,
        custom: &Map<String, Value>,
    ) -> (Map<String, Value>, Map<String, Value>) {
        let mut fields = fields.clone();
        for name in self.fields {
            if fields.contains_key(*name) {
                fields.insert((*name).to_owned(), Value::Null);
            }
        }
        let mut custom = custom.clone();
        custom.retain(|key, _| !self.custom.contains(key));
        (fields, custom)
    }

    /// Rewrites an audit entry's change list (`[{field, old, new}]`) with
    /// every personal value replaced by [`REDACTED`]; whether anything changed.
    pub fn redact_changes(&self, changes: &mut Value) -> bool {
        let Some(items) = changes.as_array_mut() else { return false };
        let mut redacted = false;
        for change in items {
            let Some(change) = change.as_object_mut() else { continue };
            let field = change.get("field").and_then(Value::as_str).unwrap_or_default().to_owned();
            for side in ["old", "new"] {
                let Some(value) = change.get_mut(side) else { continue };
                if self.fields.contains(&field.as_str()) {
                    redacted |= redact(value);
                } else if field == "custom" {
                    if let Some(values) = value.as_object_mut() {
                        for (key, value) in values.iter_mut() {
                            if self.custom.contains(key) {
                                redacted |= redact(value);
                            }
                        }
                    }
                }
            }
        }
        redacted
    }
}

/// A value replaced by [`REDACTED`] unless empty or already redacted.
fn redact(value: &mut Value) -> bool {
    if value.is_null() || value.as_str() == Some(REDACTED) {
        return false;
    }
    *value = Value::String(REDACTED.to_owned());
    true
}

/// Custom fields that hold text or contact details: all but numbers, money,
/// dates, yes/no and choices from a fixed list.
fn personal_custom(definitions: &[CustomFieldDefinition]) -> Vec<String> {
    definitions
        .iter()
        .filter(|d| {
            matches!(
                d.field_type,
                CustomFieldType::Text | CustomFieldType::Url | CustomFieldType::Email | CustomFieldType::Phone
            )
        })
        .map(|d| d.key.clone())
        .collect()
}

/// A contact's fields once erased: the personal values cleared and the
/// name replaced by `erased_name` (the localized "Erased contact").
pub fn erase_contact(
    personal: &Personal,
    fields: &Map<String, Value>,
    custom: &Map<String, Value>,
    erased_name: &str,
) -> (Map<String, Value>, Map<String, Value>) {
    let (mut fields, custom) = personal.clear(fields, custom);
    fields.insert("first_name".into(), Value::String(erased_name.to_owned()));
    (fields, custom)
}

/// An activity about an erased person: its free text cleared and its
/// subject replaced by `placeholder` (the localized "Erased"), which keeps
/// it a valid activity of its kind.
pub fn erase_activity(
    personal: &Personal,
    fields: &Map<String, Value>,
    custom: &Map<String, Value>,
    placeholder: &str,
) -> (Map<String, Value>, Map<String, Value>) {
    let (mut fields, custom) = personal.clear(fields, custom);
    fields.insert("subject".into(), Value::String(placeholder.to_owned()));
    (fields, custom)
}

/// Whether what the user typed to confirm names the record: the same
/// words, whatever the case and the spaces around and between them.
pub fn confirmation_matches(name: &str, typed: &str) -> bool {
    let words = |s: &str| s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>();
    let expected = words(name);
    !expected.is_empty() && expected == words(typed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::RecordType;
    use serde_json::json;

    fn definition(key: &str, field_type: CustomFieldType) -> CustomFieldDefinition {
        CustomFieldDefinition {
            record_type: RecordType::CONTACT,
            key: key.into(),
            label: key.into(),
            field_type,
            options: Vec::new(),
            required: false,
        }
    }

    fn personal() -> Personal {
        Personal::contact(&[
            definition("nickname", CustomFieldType::Text),
            definition("score", CustomFieldType::Number),
        ])
    }

    #[test]
    fn erasing_a_contact_clears_what_identifies_the_person_and_keeps_the_rest() {
        let fields = json!({
            "first_name": "José", "last_name": "Ávila", "emails": ["jose@example.com"], "phones": ["+5511999990000"],
            "birth_date": "1980-02-03", "street": "Rua Augusta, 1500", "city": "São Paulo", "country": "BR",
            "company_id": "0193d1a8-0000-7000-8000-000000000001", "lifecycle_stage": "customer",
        });
        let custom = json!({"nickname": "Zé", "score": 42});
        let (fields, custom) =
            erase_contact(&personal(), fields.as_object().unwrap(), custom.as_object().unwrap(), "Erased contact");
        assert_eq!(fields["first_name"], "Erased contact");
        for cleared in ["last_name", "emails", "phones", "birth_date", "street", "city", "country"] {
            assert_eq!(fields[cleared], Value::Null, "{cleared}");
        }
        assert_eq!(fields["lifecycle_stage"], "customer");
        assert_eq!(fields["company_id"], "0193d1a8-0000-7000-8000-000000000001");
        assert_eq!(Value::Object(custom), json!({"score": 42}));
    }

    #[test]
    fn audit_changes_lose_personal_values_but_keep_which_fields_changed() {
        let mut changes = json!([
            {"field": "emails", "old": ["a@example.com"], "new": ["b@example.com"]},
            {"field": "lifecycle_stage", "old": "lead", "new": "customer"},
            {"field": "custom", "old": {"nickname": "Zé", "score": 1}, "new": {"nickname": null, "score": 2}},
            {"field": "last_name", "old": null, "new": "Ávila"},
        ]);
        assert!(personal().redact_changes(&mut changes));
        assert_eq!(
            changes,
            json!([
                {"field": "emails", "old": REDACTED, "new": REDACTED},
                {"field": "lifecycle_stage", "old": "lead", "new": "customer"},
                {"field": "custom", "old": {"nickname": REDACTED, "score": 1}, "new": {"nickname": null, "score": 2}},
                {"field": "last_name", "old": null, "new": REDACTED},
            ])
        );
        assert!(!personal().redact_changes(&mut changes), "a second pass finds nothing left");
    }

    #[test]
    fn the_typed_name_must_match_in_words_not_in_case_or_spacing() {
        assert!(confirmation_matches("José Ávila", "  josé   ÁVILA "));
        assert!(!confirmation_matches("José Ávila", "Jose Avila"));
        assert!(!confirmation_matches("José Ávila", "José"));
        assert!(!confirmation_matches("", ""));
    }

    #[test]
    fn an_activitys_text_is_replaced_by_a_placeholder() {
        let personal = Personal::activity_text(&[]);
        let fields = json!({"kind": "call", "subject": "Called José", "body": "He is ill", "done": true});
        let (fields, _) = erase_activity(&personal, fields.as_object().unwrap(), &Map::new(), "Erased");
        assert_eq!(Value::Object(fields), json!({"kind": "call", "subject": "Erased", "body": null, "done": true}));
    }
}
