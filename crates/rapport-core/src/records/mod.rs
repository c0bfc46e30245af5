//! Per-record-type fields and the rules that look at more than one field.

pub mod activity;
pub mod company;
pub mod contact;
pub mod contract;
pub mod deal;
#[cfg(feature = "test-kind")]
pub mod gadget;
pub mod lead;
pub mod order;
pub mod pipeline;
pub mod product;
pub mod quote;
pub mod return_request;

use serde_json::{Map, Value};

use crate::descriptor::ImportAlias;
use crate::schema::RecordType;

/// Whether this build registers the test-only kind. `cargo test --workspace`
/// builds the binary with it (Cargo unifies the tests' features), so the
/// binary refuses to open a database with it unless told it runs in a test.
pub const TEST_KIND_BUILT_IN: bool = cfg!(feature = "test-kind");

/// Every record kind, in the order menus and documents list them. Adding a
/// kind is its descriptor file, one line here and one migration.
pub static KINDS: &[RecordType] = &[
    RecordType::CONTACT,
    RecordType::COMPANY,
    RecordType::LEAD,
    RecordType::DEAL,
    RecordType::ACTIVITY,
    RecordType::ORDER,
    RecordType::RETURN,
    RecordType::PRODUCT,
    RecordType::QUOTE,
    RecordType::CONTRACT,
    #[cfg(feature = "test-kind")]
    RecordType::of(&gadget::KIND),
];

/// Address fields shared by contacts, companies and leads.
macro_rules! address_fields {
    () => {
        [
            FieldSpec::new("street", FieldKind::Text { max: 200 }).group("address"),
            FieldSpec::new("city", FieldKind::Text { max: 100 }).indexed().group("address").listed(),
            FieldSpec::new("state", FieldKind::Text { max: 100 }).group("address"),
            FieldSpec::new("postal_code", FieldKind::Text { max: 20 }).group("address"),
            FieldSpec::new("country", FieldKind::Country).indexed().group("address"),
        ]
    };
}
pub(crate) use address_fields;

/// Origin fields shared by contacts, leads and deals.
macro_rules! source_fields {
    () => {
        [
            FieldSpec::new("source_channel", FieldKind::Text { max: 100 }).indexed().group("source").help(),
            FieldSpec::new("source_campaign", FieldKind::Text { max: 200 }).group("source"),
            FieldSpec::new("utm_source", FieldKind::Text { max: 200 }).group("source"),
            FieldSpec::new("utm_medium", FieldKind::Text { max: 200 }).group("source"),
            FieldSpec::new("utm_campaign", FieldKind::Text { max: 200 }).group("source"),
        ]
    };
}
pub(crate) use source_fields;

/// Column names for e-mail, phone and address fields, in English,
/// Portuguese and Spanish, and as HubSpot, Salesforce, Pipedrive and Google
/// Contacts export them; each kind's descriptor adds its own.
macro_rules! common_aliases {
    (email: $email:literal, phone: $phone:literal) => {
        [
            ImportAlias {
                field: $email,
                headers: &[
                    "email",
                    "e_mail",
                    "emails",
                    "correo",
                    "correo_electronico",
                    "email_address",
                    "e_mail_1_value",
                    "person_email",
                    "primary_email",
                ],
            },
            ImportAlias {
                field: $phone,
                headers: &[
                    "phone",
                    "phones",
                    "telephone",
                    "telefone",
                    "telefono",
                    "mobile",
                    "celular",
                    "phone_number",
                    "phone_1_value",
                    "person_phone",
                    "mobile_phone_number",
                    "whatsapp",
                ],
            },
            ImportAlias {
                field: "street",
                headers: &[
                    "rua",
                    "endereco",
                    "logradouro",
                    "calle",
                    "direccion",
                    "street_address",
                    "mailing_street",
                    "billing_street",
                    "address_1_street",
                ],
            },
            ImportAlias {
                field: "city",
                headers: &["cidade", "ciudad", "municipio", "mailing_city", "billing_city", "address_1_city"],
            },
            ImportAlias {
                field: "state",
                headers: &[
                    "estado",
                    "uf",
                    "provincia",
                    "state_region",
                    "mailing_state_province",
                    "billing_state_province",
                    "address_1_region",
                ],
            },
            ImportAlias {
                field: "postal_code",
                headers: &[
                    "cep",
                    "codigo_postal",
                    "zip",
                    "zip_code",
                    "mailing_zip_postal_code",
                    "billing_zip_postal_code",
                    "address_1_postal_code",
                ],
            },
            ImportAlias {
                field: "country",
                headers: &["pais", "country_region", "mailing_country", "billing_country", "address_1_country"],
            },
        ]
    };
}
pub(crate) use common_aliases;

/// Column names for a person's fields (contacts, leads).
pub(crate) const PERSON_ALIASES: &[ImportAlias] = &[
    ImportAlias {
        field: "first_name",
        headers: &["firstname", "given_name", "nome", "nombre", "primeiro_nome", "person_first_name"],
    },
    ImportAlias {
        field: "last_name",
        headers: &["lastname", "surname", "family_name", "sobrenome", "apellido", "apellidos", "person_last_name"],
    },
    ImportAlias {
        field: "job_title",
        headers: &["title", "cargo", "puesto", "organization_1_title", "organization_title", "person_job_title"],
    },
    ImportAlias {
        field: "birth_date",
        headers: &["birthday", "birthdate", "data_de_nascimento", "nascimento", "fecha_de_nacimiento"],
    },
    ImportAlias { field: "source_channel", headers: &["lead_source", "origem", "origen", "source"] },
];

/// Builds a `&'static [FieldSpec]` from groups of fields.
macro_rules! field_list {
    ($($group:expr),* $(,)?) => {{
        const GROUPS: &[&[FieldSpec]] = &[$(&$group),*];
        const LEN: usize = {
            let mut n = 0;
            let mut i = 0;
            while i < GROUPS.len() {
                n += GROUPS[i].len();
                i += 1;
            }
            n
        };
        const LIST: [FieldSpec; LEN] = {
            let mut out = [FieldSpec::new("", FieldKind::LongText); LEN];
            let mut n = 0;
            let mut i = 0;
            while i < GROUPS.len() {
                let mut j = 0;
                while j < GROUPS[i].len() {
                    out[n] = GROUPS[i][j];
                    n += 1;
                    j += 1;
                }
                i += 1;
            }
            out
        };
        &LIST
    }};
}
pub(crate) use field_list;

pub fn first_email(record: &Map<String, Value>) -> Option<String> {
    match record.get("emails").or_else(|| record.get("email")) {
        Some(Value::Array(items)) => items.first().and_then(Value::as_str).map(str::to_owned),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

pub(crate) fn is_blank(record: &Map<String, Value>, key: &str) -> bool {
    match record.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

/// Search text of a record: (title, body), folded for search.
pub fn search_text(record_type: RecordType, record: &Map<String, Value>) -> (String, String) {
    use crate::schema::SearchRole;
    let mut title = String::new();
    let mut body = String::new();
    for spec in record_type.fields() {
        let target = match spec.search {
            SearchRole::None => continue,
            SearchRole::Title => &mut title,
            SearchRole::Body => &mut body,
        };
        match record.get(spec.name) {
            Some(Value::String(s)) => push_word(target, s),
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).for_each(|s| push_word(target, s)),
            _ => {}
        }
    }
    (crate::text::fold_for_search(&title), crate::text::fold_for_search(&body))
}

fn push_word(target: &mut String, word: &str) {
    if !target.is_empty() {
        target.push(' ');
    }
    target.push_str(word);
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn kinds_have_unique_names_and_every_reference_names_a_registered_kind() {
        let mut names = HashSet::new();
        for kind in RecordType::all() {
            assert!(names.insert(kind.as_str()) && names.insert(kind.plural()), "{kind} is registered twice");
            assert_eq!(RecordType::parse(kind.plural()), Some(kind));
            let mut fields = HashSet::new();
            for field in kind.fields() {
                assert!(fields.insert(field.name), "{kind}.{} is declared twice", field.name);
                if let crate::schema::FieldKind::Ref(target) = field.kind {
                    assert!(field.kind.ref_target().is_some(), "{kind}.{} refers to no kind '{target}'", field.name);
                }
            }
            let descriptor = kind.descriptor();
            for name in descriptor.display_name {
                assert!(kind.field(name).is_some(), "{kind}'s display name uses no field '{name}'");
            }
            for alias in descriptor.import_aliases.iter().flat_map(|g| g.iter()) {
                // Shared aliases may name a field the kind lacks; they are
                // then ignored. A kind's own must not.
                let shared = [
                    "emails",
                    "email",
                    "phones",
                    "phone",
                    "street",
                    "city",
                    "state",
                    "postal_code",
                    "country",
                    "job_title",
                    "birth_date",
                    "source_channel",
                ];
                assert!(
                    kind.field(alias.field).is_some() || shared.contains(&alias.field),
                    "{kind} has an import alias for no field '{}'",
                    alias.field
                );
            }
        }
    }

    #[test]
    fn display_names_follow_the_descriptor_then_the_first_email() {
        let record = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
        let ana = record(serde_json::json!({"first_name": "Ana", "last_name": "Silva"}));
        assert_eq!(RecordType::CONTACT.display_name(&ana), "Ana Silva");
        let nameless = record(serde_json::json!({"emails": ["ana@example.com"]}));
        assert_eq!(RecordType::CONTACT.display_name(&nameless), "ana@example.com");
        let lead = record(serde_json::json!({"last_name": "Souza", "company_name": "Acme"}));
        assert_eq!(RecordType::LEAD.display_name(&lead), "Souza Acme");
    }
}
