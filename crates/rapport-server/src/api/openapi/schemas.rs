//! Record schemas from the descriptors, with the constraints the validators enforce.

use rapport_core::schema::{FieldKind, FieldSpec, RecordType};
use rapport_core::values::Currency;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr, Schema};

use super::{formatted, or_null, string};

/// Phone numbers as the API returns them.
const E164_PATTERN: &str = r"^\+[1-9][0-9]{6,14}$";

/// Phone numbers as clients may send them, international or national
/// (`(11) 98765-4321` in the account's region); the number must also exist.
const PHONE_INPUT_PATTERN: &str = r"^\s*\+?[0-9 ().\-/]{4,40}\s*$";

/// What `WebUrl::parse` accepts: an http(s) address whose scheme may be left
/// out, with a host of two or more labels (international names are accepted
/// too, which this ASCII pattern leaves out).
const WEB_ADDRESS_PATTERN: &str =
    r"^\s*(https?://)?([^\s/?#@]*@)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[^\s/?#]*)?([/?#]\S*)?\s*$";

/// Whether a schema describes what a client sends or what the API returns:
/// input is looser where the API normalises (national phone numbers, any
/// case of a country code), output states the stored form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Input,
    Output,
}

/// A field's schema with the constraints its validator enforces.
fn field_schema(spec: &FieldSpec, side: Side) -> Schema {
    let nullable = side == Side::Output || !spec.required;
    let scalar = |builder: ObjectBuilder, schema_type: Type| {
        let builder = builder.schema_type(if nullable { or_null(schema_type) } else { SchemaType::new(schema_type) });
        let description = kind_description(spec.kind);
        Schema::Object(builder.description((!description.is_empty()).then_some(description)).build())
    };
    let list = |items: RefOr<Schema>| {
        let array = ArrayBuilder::new().items(items).max_items(Some(MAX_LIST_ITEMS));
        let array = if nullable { array.schema_type(or_null(Type::Array)) } else { array };
        Schema::Array(
            array.description((!kind_description(spec.kind).is_empty()).then(|| kind_description(spec.kind))).build(),
        )
    };
    let phone = || match side {
        Side::Input => string().pattern(Some(PHONE_INPUT_PATTERN)).build(),
        Side::Output => string().pattern(Some(E164_PATTERN)).build(),
    };
    match spec.kind {
        FieldKind::Text { max } => scalar(ObjectBuilder::new().max_length(Some(max)), Type::String),
        FieldKind::LongText => scalar(ObjectBuilder::new(), Type::String),
        FieldKind::Email => scalar(formatted(KnownFormat::Email).max_length(Some(254)), Type::String),
        FieldKind::Phone => scalar(
            ObjectBuilder::new().pattern(Some(if side == Side::Input { PHONE_INPUT_PATTERN } else { E164_PATTERN })),
            Type::String,
        ),
        FieldKind::Url => {
            scalar(ObjectBuilder::new().max_length(Some(2048)).pattern(Some(WEB_ADDRESS_PATTERN)), Type::String)
        }
        FieldKind::Domain => scalar(
            match side {
                Side::Input => ObjectBuilder::new().max_length(Some(2048)).pattern(Some(WEB_ADDRESS_PATTERN)),
                Side::Output => formatted(KnownFormat::Hostname),
            },
            Type::String,
        ),
        FieldKind::Date => scalar(formatted(KnownFormat::Date), Type::String),
        FieldKind::DateTime => scalar(formatted(KnownFormat::DateTime), Type::String),
        FieldKind::Bool => scalar(ObjectBuilder::new(), Type::Boolean),
        FieldKind::Integer { min, max } => {
            scalar(ObjectBuilder::new().minimum(Some(min as f64)).maximum(Some(max as f64)), Type::Integer)
        }
        FieldKind::Currency => scalar(ObjectBuilder::new().enum_values(Some(Currency::codes())), Type::String),
        FieldKind::Country => scalar(
            ObjectBuilder::new().pattern(Some(if side == Side::Input { "^ *[A-Za-z]{2} *$" } else { "^[A-Z]{2}$" })),
            Type::String,
        ),
        FieldKind::Enum(values) => {
            // JSON Schema's enum must list null itself for null to pass.
            let values = values.iter().map(|v| serde_json::Value::from(*v));
            let values: Vec<serde_json::Value> =
                if nullable { values.chain([serde_json::Value::Null]).collect() } else { values.collect() };
            scalar(ObjectBuilder::new().enum_values(Some(values)), Type::String)
        }
        FieldKind::Ref(_) | FieldKind::StageRef | FieldKind::PipelineRef | FieldKind::UserRef => {
            scalar(formatted(KnownFormat::Uuid), Type::String)
        }
        FieldKind::EmailList => list(formatted(KnownFormat::Email).max_length(Some(254)).build().into()),
        FieldKind::PhoneList => list(phone().into()),
        FieldKind::UserList => list(formatted(KnownFormat::Uuid).build().into()),
        FieldKind::RefList => list(Ref::from_schema_name("RecordLink").into()),
        FieldKind::Consents => list(Ref::from_schema_name("Consent").into()),
        FieldKind::Money if nullable => Schema::OneOf(
            utoipa::openapi::schema::OneOfBuilder::new()
                .item(Ref::from_schema_name("Money"))
                .item(ObjectBuilder::new().schema_type(Type::Null))
                .build(),
        ),
        FieldKind::Money => money_schema(),
        FieldKind::LineItems => {
            let array = ArrayBuilder::new()
                .items(Ref::from_schema_name("LineItem"))
                .max_items(Some(rapport_core::line_items::MAX_LINES));
            let array = if nullable { array.schema_type(or_null(Type::Array)) } else { array };
            Schema::Array(array.build())
        }
        FieldKind::Structured(structure) => Schema::Object(
            ObjectBuilder::new()
                .schema_type(if nullable { or_null(Type::Object) } else { SchemaType::new(Type::Object) })
                .description(Some(format!("a {} structure, checked as a whole", structure.name.replace('_', " "))))
                .examples([(structure.example)()])
                .build(),
        ),
    }
}

fn integer_in(min: i64, max: i64) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(min as f64)).maximum(Some(max as f64))
}

/// An amount in minor units with its currency, validated together.
pub(super) fn money_schema() -> Schema {
    let max = rapport_core::values::Money::MAX_ABS_MINOR;
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("amount_minor", integer_in(-max, max).description(Some("in the currency's minor units (cents)")))
        .property("currency", string().enum_values(Some(Currency::codes())))
        .required("amount_minor")
        .required("currency")
        .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)))
        .into()
}

/// A line of a quote or an order; totals follow `rapport_core::line_items`.
pub(super) fn line_item_schema() -> Schema {
    use rapport_core::line_items::LineItem;
    let max_price = rapport_core::values::Money::MAX_ABS_MINOR;
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "description is required unless product_id names a product; a product line's unit price is computed \
             from the product's price in the document's currency and the chosen options, and a unit_price_minor \
             sent with it must equal that price unless price_override is true",
        ))
        .property("product_id", formatted(KnownFormat::Uuid).schema_type(or_null(Type::String)))
        .property("description", string().max_length(Some(LineItem::MAX_DESCRIPTION_CHARS)))
        .property(
            "quantity_milli",
            integer_in(1, LineItem::MAX_QUANTITY_MILLI).description(Some("quantity in thousandths: 1500 is 1.5")),
        )
        .property("unit_price_minor", integer_in(0, max_price))
        .property("discount_bp", integer_in(0, 10_000).description(Some("basis points: 1000 is 10 %")))
        .property("tax_rate_bp", integer_in(0, 10_000).description(Some("basis points: 1000 is 10 %")))
        .property(
            "options",
            ArrayBuilder::new()
                .items(string().max_length(Some(40)))
                .max_items(Some(rapport_core::line_items::MAX_LINE_OPTIONS))
                .description(Some("codes of the product's options chosen")),
        )
        .property(
            "price_override",
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .description(Some("keep the typed unit price instead of the product's computed one")),
        )
        .required("quantity_milli")
        .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)))
        .into()
}

fn kind_description(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::EmailList => "e-mail addresses",
        FieldKind::PhoneList => "phone numbers, stored in E.164 form",
        FieldKind::Phone => "a phone number, stored in E.164 form",
        FieldKind::UserList => "user ids",
        FieldKind::Currency => "ISO 4217 currency code",
        FieldKind::Country => "ISO 3166-1 alpha-2 country code",
        FieldKind::Url => "a web address; the scheme may be left out",
        FieldKind::Domain => "a domain name, or a web address whose domain is kept",
        FieldKind::LongText => "long text, up to 100,000 bytes",
        _ => "",
    }
}

/// The most items a list field holds (`schema::MAX_LIST`).
const MAX_LIST_ITEMS: usize = rapport_core::schema::MAX_LIST;

/// `Contact` (stored record) and `ContactInput` (create/update body) schemas.
pub(super) fn record_schemas(record_type: RecordType) -> (Schema, Schema) {
    let uuid = || formatted(KnownFormat::Uuid).build();
    let nullable_uuid = || formatted(KnownFormat::Uuid).schema_type(or_null(Type::String)).build();
    let time = || formatted(KnownFormat::DateTime).build();
    let tags = || {
        ArrayBuilder::new().items(string().min_length(Some(1)).max_length(Some(50)).build()).max_items(Some(50)).build()
    };
    let custom =
        || ObjectBuilder::new().schema_type(Type::Object).description(Some("custom field values by key")).build();
    let mut input = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)))
        .property("owner_id", nullable_uuid())
        .property("tags", tags())
        .property("custom", custom());
    let mut output = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("id", uuid())
        .property("type", string().enum_values(Some([record_type.as_str()])).build())
        .property("version", ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1.0)).build())
        .property("owner_id", nullable_uuid())
        .property("team_id", nullable_uuid())
        .property("tags", tags())
        .property("custom", custom())
        .property("created_at", time())
        .property("created_by", nullable_uuid())
        .property("updated_at", time())
        .property("updated_by", nullable_uuid())
        .property("deleted_at", formatted(KnownFormat::DateTime).schema_type(or_null(Type::String)).build());
    for key in ["id", "type", "version", "owner_id", "team_id", "tags", "custom", "created_at", "updated_at"] {
        output = output.required(key);
    }
    for spec in record_type.fields() {
        output = output.property(spec.name, field_schema(spec, Side::Output)).required(spec.name);
        // Derived fields are refused in input: the input schema leaves them out.
        if spec.derived.is_some() {
            continue;
        }
        input = input.property(spec.name, field_schema(spec, Side::Input));
        if spec.required {
            input = input.required(spec.name);
        }
    }
    let rules = record_type.rules().cross_field_rules();
    let mut description = "Send only the fields to set; null clears an optional field.".to_owned();
    for rule in rules {
        description.push_str(&format!("\n- {} (refused as `{}` on `{}`)", rule.rule, rule.code, rule.field));
    }
    let listed: Vec<serde_json::Value> =
        rules.iter().map(|r| serde_json::json!({"field": r.field, "code": r.code, "rule": r.rule})).collect();
    let input = input.description(Some(description)).examples([(record_type.descriptor().example)()]).extensions(Some(
        utoipa::openapi::extensions::ExtensionsBuilder::new().add("x-cross-field-rules", listed).build(),
    ));
    (Schema::Object(output.build()), Schema::Object(input.build()))
}

pub(super) fn type_name(record_type: RecordType) -> String {
    let name = record_type.as_str();
    let mut chars = name.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
