//! The OpenAPI 3.1 document: fixed endpoints from their `#[utoipa::path]`
//! annotations; the generic record endpoints and their schemas from the record
//! schema in `rapport-core`, so both stay true to the code.

use axum::Json;
use rapport_core::schema::{FieldKind, FieldSpec, RecordType};
use rapport_core::values::Currency;
use utoipa::OpenApi;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder, Schema};

use crate::error::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rapport API",
        description = "REST API of the Rapport CRM. Authenticate with a session cookie (plus X-CSRF-Token on changing requests) or `Authorization: Bearer <token>`."
    ),
    paths(
        crate::auth::routes::login,
        crate::auth::routes::logout,
        crate::auth::routes::me,
        crate::auth::routes::change_password,
        crate::auth::routes::setup,
        crate::auth::routes::list_tokens,
        crate::auth::routes::create_token,
        crate::auth::routes::revoke_token,
        crate::api::admin::list_users,
        crate::api::admin::create_user,
        crate::api::admin::disable_user,
        crate::api::admin::enable_user,
        crate::api::admin::list_teams,
        crate::api::admin::create_team,
        crate::api::admin::add_member,
        crate::api::admin::list_custom_fields,
        crate::api::admin::create_custom_field,
        crate::api::admin::delete_custom_field,
        crate::api::admin::get_settings,
        crate::api::admin::put_settings,
        crate::api::misc::search,
        crate::api::misc::list_pipelines,
        crate::api::misc::create_pipeline,
        crate::api::misc::convert_lead,
        crate::api::misc::list_notifications,
        crate::api::misc::mark_read,
    ),
    components(schemas(Problem, rapport_core::FieldError))
)]
struct FixedApi;

fn json_content(schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", json_content(Ref::from_schema_name("Problem")))
        .build()
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn formatted(format: KnownFormat) -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(format)))
}

/// `type` plus `null`: what an optional field takes to clear it, and what a
/// stored record shows for an empty one.
fn or_null(schema_type: Type) -> SchemaType {
    SchemaType::from_iter([schema_type, Type::Null])
}

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
    }
}

fn integer_in(min: i64, max: i64) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(min as f64)).maximum(Some(max as f64))
}

/// An amount in minor units with its currency, validated together.
fn money_schema() -> Schema {
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
fn line_item_schema() -> Schema {
    use rapport_core::line_items::LineItem;
    let max_price = rapport_core::values::Money::MAX_ABS_MINOR;
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some("description is required unless product_id names a product"))
        .property("product_id", formatted(KnownFormat::Uuid).schema_type(or_null(Type::String)))
        .property("description", string().max_length(Some(LineItem::MAX_DESCRIPTION_CHARS)))
        .property(
            "quantity_milli",
            integer_in(1, LineItem::MAX_QUANTITY_MILLI).description(Some("quantity in thousandths: 1500 is 1.5")),
        )
        .property("unit_price_minor", integer_in(0, max_price))
        .property("discount_bp", integer_in(0, 10_000).description(Some("basis points: 1000 is 10 %")))
        .property("tax_rate_bp", integer_in(0, 10_000).description(Some("basis points: 1000 is 10 %")))
        .required("quantity_milli")
        .required("unit_price_minor")
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
fn record_schemas(record_type: RecordType) -> (Schema, Schema) {
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

fn type_name(record_type: RecordType) -> String {
    let name = record_type.as_str();
    let mut chars = name.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn parameter(name: &str, location: ParameterIn, required: bool, description: &str, schema: Schema) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(location)
        .required(if required { Required::True } else { Required::False })
        .description((!description.is_empty()).then_some(description))
        .schema(Some(schema))
        .build()
}

fn id_param() -> Parameter {
    parameter("id", ParameterIn::Path, true, "", formatted(KnownFormat::Uuid).build().into())
}

fn query_param(name: &str, description: &str) -> Parameter {
    parameter(name, ParameterIn::Query, false, description, string().build().into())
}

fn header_param(name: &str, description: &str) -> Parameter {
    parameter(name, ParameterIn::Header, false, description, string().max_length(Some(200)).build().into())
}

fn json_body(schema: impl Into<RefOr<Schema>>) -> Option<utoipa::openapi::request_body::RequestBody> {
    Some(
        RequestBodyBuilder::new()
            .required(Some(Required::True))
            .content("application/json", json_content(schema))
            .build(),
    )
}

fn ok(description: &str, schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::Response {
    ResponseBuilder::new().description(description).content("application/json", json_content(schema)).build()
}

/// Per-item results of the bulk endpoints.
fn bulk_result() -> Schema {
    let item = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("index", ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0.0)))
        .property("status", ObjectBuilder::new().schema_type(Type::Integer))
        .property("record", ObjectBuilder::new().schema_type(Type::Object))
        .property("error", Ref::from_schema_name("Problem"))
        .required("index")
        .required("status");
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("results", ArrayBuilder::new().items(item))
        .required("results")
        .build()
        .into()
}

/// The generic endpoints of one record kind, from its descriptor.
fn record_operations(record_type: RecordType) -> Vec<(String, HttpMethod, OperationBuilder)> {
    let (name, plural) = (record_type.as_str(), record_type.plural());
    let schema = type_name(record_type);
    let base = format!("/api/v1/{plural}");
    let item = format!("{base}/{{id}}");
    let record = || Ref::from_schema_name(schema.clone());
    let input = || Ref::from_schema_name(format!("{schema}Input"));
    let operation =
        |id: String, summary: String| OperationBuilder::new().tag(plural).operation_id(Some(id)).summary(Some(summary));
    let page = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("items", ArrayBuilder::new().items(record()))
        .property("next_cursor", string().schema_type(or_null(Type::String)))
        .required("items");
    let ids = |max: usize| ArrayBuilder::new().items(formatted(KnownFormat::Uuid)).max_items(Some(max));
    let enum_param = |name: &str, description: &str, values: &[&str]| {
        parameter(
            name,
            ParameterIn::Query,
            false,
            description,
            string().enum_values(Some(values.to_vec())).build().into(),
        )
    };
    let mut operations = vec![
        (
            base.clone(),
            HttpMethod::Get,
            operation(
                format!("list_{plural}"),
                format!(
                    "List {plural}: filter[field][op]=value (eq, ne, contains, starts_with, gt, lt, in, is_empty; \
                     custom fields as custom.key), sort=field or -field, cursor, limit (1-200), trash=true"
                ),
            )
            .parameter(query_param("filter[field][op]", "a filter; repeatable"))
            .parameter(query_param("sort", "sort field, - for descending"))
            .parameter(query_param("cursor", "next_cursor of the previous page"))
            .parameter(parameter(
                "limit",
                ParameterIn::Query,
                false,
                "page size (default 50)",
                ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1.0)).maximum(Some(200.0)).build().into(),
            ))
            .parameter(enum_param("trash", "list the trash instead", &["true", "false"]))
            .response("200", ok("a page", page.build()))
            .response("422", problem_response("invalid filter or sort")),
        ),
        (
            base.clone(),
            HttpMethod::Post,
            operation(format!("create_{name}"), format!("Create a {name}. Send Idempotency-Key to make retries safe."))
                .parameter(header_param("Idempotency-Key", "makes a retry return the first answer"))
                .request_body(json_body(input()))
                .response("201", ok("created", record()))
                .response("400", problem_response("malformed JSON or unknown field"))
                .response("422", problem_response("invalid fields")),
        ),
        (
            item.clone(),
            HttpMethod::Get,
            operation(format!("get_{name}"), format!("Get a {name} (ETag carries its version)"))
                .parameter(id_param())
                .parameter(header_param("If-None-Match", "an ETag you hold: 304 while it is current"))
                .response("200", ok("the record", record()))
                .response("304", ResponseBuilder::new().description("the ETag you sent is current").build())
                .response("404", problem_response("no such record, or not visible to you")),
        ),
        (
            item.clone(),
            HttpMethod::Patch,
            operation(
                format!("update_{name}"),
                format!("Update some fields of a {name}; with If-Match, a stale version gets 412"),
            )
            .parameter(id_param())
            .parameter(header_param("If-Match", "the ETag you read; any other version gets 412"))
            .request_body(json_body(input()))
            .response("200", ok("the updated record", record()))
            .response("404", problem_response("no such record, or not visible to you"))
            .response("412", problem_response("the record changed since you read it"))
            .response("422", problem_response("invalid fields")),
        ),
        (
            item.clone(),
            HttpMethod::Delete,
            operation(format!("delete_{name}"), format!("Move a {name} to the trash"))
                .parameter(id_param())
                .parameter(header_param("If-Match", "the ETag you read; any other version gets 412"))
                .response("204", ResponseBuilder::new().description("moved to the trash").build())
                .response("404", problem_response("no such record"))
                .response("412", problem_response("the record changed since you read it")),
        ),
        (
            format!("{item}/restore"),
            HttpMethod::Post,
            operation(format!("restore_{name}"), format!("Restore a {name} from the trash"))
                .parameter(id_param())
                .response("200", ok("the restored record", record()))
                .response("404", problem_response("no such record in the trash")),
        ),
        (
            format!("{item}/timeline"),
            HttpMethod::Get,
            operation(format!("timeline_{name}"), "Activities, field changes and stage changes, newest first".into())
                .parameter(id_param())
                .parameter(query_param("cursor", "next_cursor of the previous page"))
                .parameter(query_param("limit", "page size, 1 to 200"))
                .response(
                    "200",
                    ok("a page of timeline entries", ObjectBuilder::new().schema_type(Type::Object).build()),
                )
                .response("404", problem_response("no such record, or not visible to you")),
        ),
        (
            format!("{base}/bulk"),
            HttpMethod::Post,
            operation(
                format!("bulk_create_{plural}"),
                format!("Create up to 1000 {plural}; each item's result is reported"),
            )
            .parameter(header_param("Idempotency-Key", "makes a retry return the first answer"))
            .request_body(json_body(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property("items", ArrayBuilder::new().items(input()).max_items(Some(1000)))
                    .required("items")
                    .build(),
            ))
            .response("200", ok("per-item results", bulk_result())),
        ),
        (
            format!("{base}/bulk"),
            HttpMethod::Patch,
            operation(
                format!("bulk_update_{plural}"),
                format!("Update up to 1000 {plural}: items of {{id, version?, patch}}"),
            )
            .request_body(json_body(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property(
                        "items",
                        ArrayBuilder::new()
                            .items(
                                ObjectBuilder::new()
                                    .schema_type(Type::Object)
                                    .property("id", formatted(KnownFormat::Uuid))
                                    .property("version", ObjectBuilder::new().schema_type(Type::Integer))
                                    .property("patch", input())
                                    .required("id")
                                    .required("patch"),
                            )
                            .max_items(Some(1000)),
                    )
                    .required("items")
                    .build(),
            ))
            .response("200", ok("per-item results", bulk_result())),
        ),
        (
            format!("{base}/bulk-delete"),
            HttpMethod::Post,
            operation(format!("bulk_delete_{plural}"), format!("Move up to 1000 {plural} to the trash"))
                .request_body(json_body(
                    ObjectBuilder::new().schema_type(Type::Object).property("ids", ids(1000)).required("ids").build(),
                ))
                .response("200", ok("per-item results", bulk_result())),
        ),
    ];
    let import_report = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "{columns, rows, created, duplicates: [{line, key, existing_id?, first_line?}], rejected: [{line, errors, cells}]}",
        ))
        .build();
    operations.push((
        format!("{base}/import"),
        HttpMethod::Post,
        operation(
            format!("import_{plural}"),
            format!(
                "Import {plural} from a CSV file (Content-Type: text/csv, up to 64 MiB) whose header row names \
                 the fields; each row is checked like a create, and rejected rows and skipped duplicates are \
                 reported by line"
            ),
        )
        .parameter(enum_param(
            "on_duplicate",
            "rows matching a stored record by its duplicate key, or an earlier row",
            &["skip", "create"],
        ))
        .parameter(enum_param(
            "ignore_unknown_columns",
            "skip columns that match no field instead of refusing the file",
            &["true", "false"],
        ))
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("text/csv", utoipa::openapi::Content::new(Some(string().build())))
                .build(),
        ))
        .response("200", ok("the import report", import_report))
        .response("413", problem_response("the file is larger than 64 MiB"))
        .response("415", problem_response("the body is not text/csv"))
        .response("422", problem_response("the header row names an unknown or repeated column")),
    ));
    operations
}

fn add_record_paths(api: &mut utoipa::openapi::OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    for record_type in RecordType::all() {
        let (output, input) = record_schemas(record_type);
        components.schemas.insert(type_name(record_type), output.into());
        components.schemas.insert(format!("{}Input", type_name(record_type)), input.into());
    }
    // The list items of record fields, with the schemas they refer to.
    let mut item_schemas = vec![
        ("RecordLink".to_owned(), <rapport_core::schema::RecordLink as utoipa::PartialSchema>::schema()),
        ("Consent".to_owned(), <rapport_core::schema::Consent as utoipa::PartialSchema>::schema()),
    ];
    <rapport_core::schema::RecordLink as utoipa::ToSchema>::schemas(&mut item_schemas);
    <rapport_core::schema::Consent as utoipa::ToSchema>::schemas(&mut item_schemas);
    components.schemas.extend(item_schemas);
    components.schemas.insert("Money".to_owned(), money_schema().into());
    components.schemas.insert("LineItem".to_owned(), line_item_schema().into());
    for record_type in RecordType::all() {
        for (path, method, operation) in record_operations(record_type) {
            api.paths.add_path_operation(path, vec![method], operation.build());
        }
    }
}

/// Endpoints that take no credentials.
const PUBLIC_OPERATIONS: &[&str] = &["/api/v1/auth/login", "/api/v1/auth/setup"];

/// Declares how clients authenticate, and on every other operation which of
/// the two it accepts and what a missing or insufficient credential gets.
fn add_security(api: &mut utoipa::openapi::OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("a personal API token: rapport token create, or POST /api/v1/tokens"))
                .build(),
        ),
    );
    let cookie = ApiKeyValue::with_description(
        crate::auth::SESSION_COOKIE,
        "the session of a signed-in browser; changing requests also need the X-CSRF-Token header",
    );
    components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(cookie)));
    let no_scopes: [&str; 0] = [];
    for (path, item) in api.paths.paths.iter_mut() {
        let public = PUBLIC_OPERATIONS.contains(&path.as_str());
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                parameter.schema.get_or_insert_with(|| string().build().into());
            }
            if public {
                operation.security = Some(vec![SecurityRequirement::default()]);
                continue;
            }
            operation.security = Some(vec![
                SecurityRequirement::new("bearer", no_scopes),
                SecurityRequirement::new("session", no_scopes),
            ]);
            let responses = &mut operation.responses.responses;
            responses
                .entry("401".into())
                .or_insert_with(|| problem_response("not signed in, or the token is not valid").into());
            responses
                .entry("403".into())
                .or_insert_with(|| problem_response("your role or token scope does not allow this").into());
        }
    }
}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut api = FixedApi::openapi();
    api.info.version = env!("CARGO_PKG_VERSION").into();
    add_record_paths(&mut api);
    add_security(&mut api);
    api
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
