//! The OpenAPI 3.1 document: fixed endpoints from their `#[utoipa::path]`
//! annotations; the generic record endpoints and their schemas from the record
//! schema in `rapport-core`, so both stay true to the code.

use axum::Json;
use rapport_core::schema::{FieldKind, FieldSpec, RecordType, Storage};
use utoipa::OpenApi;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
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

fn field_schema(spec: &FieldSpec) -> Schema {
    let string = |format: Option<KnownFormat>| {
        ObjectBuilder::new().schema_type(Type::String).format(format.map(SchemaFormat::KnownFormat)).build()
    };
    let object = match spec.kind {
        FieldKind::Text { max } => ObjectBuilder::new().schema_type(Type::String).max_length(Some(max)).build(),
        FieldKind::Email => string(Some(KnownFormat::Email)),
        FieldKind::Url => string(None),
        FieldKind::Date => string(Some(KnownFormat::Date)),
        FieldKind::DateTime => string(Some(KnownFormat::DateTime)),
        FieldKind::Ref(_) | FieldKind::StageRef | FieldKind::PipelineRef | FieldKind::UserRef => {
            string(Some(KnownFormat::Uuid))
        }
        FieldKind::Enum(values) => {
            ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.iter().copied())).build()
        }
        FieldKind::Integer { min, max } => {
            ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(min as f64)).maximum(Some(max as f64)).build()
        }
        FieldKind::Bool => ObjectBuilder::new().schema_type(Type::Boolean).build(),
        FieldKind::EmailList | FieldKind::PhoneList | FieldKind::UserList => {
            return ArrayBuilder::new()
                .items(string(None))
                .description(Some(kind_description(spec.kind)))
                .build()
                .into();
        }
        FieldKind::RefList => {
            return ArrayBuilder::new().items(Ref::from_schema_name("RecordLink")).build().into();
        }
        FieldKind::Consents => {
            return ArrayBuilder::new().items(Ref::from_schema_name("Consent")).build().into();
        }
        _ => ObjectBuilder::new()
            .schema_type(if spec.kind.storage() == Storage::Json { Type::Object } else { Type::String })
            .description(Some(kind_description(spec.kind)))
            .build(),
    };
    Schema::Object(object)
}

fn kind_description(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::EmailList => "e-mail addresses",
        FieldKind::PhoneList => "phone numbers, stored in E.164 form",
        FieldKind::Phone => "a phone number, stored in E.164 form",
        FieldKind::UserList => "user ids",
        FieldKind::Currency => "ISO 4217 currency code",
        FieldKind::Country => "ISO 3166-1 alpha-2 country code",
        FieldKind::LongText => "long text",
        _ => "",
    }
}

/// `Contact` (stored record) and `ContactInput` (create/update body) schemas.
fn record_schemas(record_type: RecordType) -> (Schema, Schema) {
    let uuid = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .build()
    };
    let time = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .build()
    };
    let tags = || {
        ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String).max_length(Some(50)).build()).build()
    };
    let custom =
        || ObjectBuilder::new().schema_type(Type::Object).description(Some("custom field values by key")).build();
    let mut input = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)))
        .property("owner_id", uuid())
        .property("tags", tags())
        .property("custom", custom());
    let mut output = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("id", uuid())
        .property("type", ObjectBuilder::new().schema_type(Type::String).build())
        .property("version", ObjectBuilder::new().schema_type(Type::Integer).build())
        .property("owner_id", uuid())
        .property("team_id", uuid())
        .property("tags", tags())
        .property("custom", custom())
        .property("created_at", time())
        .property("created_by", uuid())
        .property("updated_at", time())
        .property("updated_by", uuid())
        .property("deleted_at", time());
    for spec in record_type.fields() {
        input = input.property(spec.name, field_schema(spec));
        output = output.property(spec.name, field_schema(spec));
        if spec.required {
            input = input.required(spec.name);
        }
    }
    (Schema::Object(output.build()), Schema::Object(input.build()))
}

fn type_name(record_type: RecordType) -> String {
    let name = record_type.as_str();
    let mut chars = name.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn add_record_paths(api: &mut utoipa::openapi::OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    for record_type in RecordType::ALL {
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
    for record_type in RecordType::ALL {
        let plural = record_type.plural();
        let name = type_name(record_type);
        let tag = plural;
        let base = format!("/api/v1/{plural}");
        let item = format!("{base}/{{id}}");
        let record_ref = || Ref::from_schema_name(name.clone());
        let input_ref = || Ref::from_schema_name(format!("{name}Input"));
        let id_param = || {
            ParameterBuilder::new()
                .name("id")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                        .build(),
                ))
                .build()
        };
        let query_param = |name: &str, description: &str| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).build()))
                .build()
        };
        let body = |schema: RefOr<Schema>| {
            Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content("application/json", json_content(schema))
                    .build(),
            )
        };
        let ok = |description: &str, schema: RefOr<Schema>| {
            ResponseBuilder::new().description(description).content("application/json", json_content(schema)).build()
        };
        let page = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("items", ArrayBuilder::new().items(record_ref()).build())
            .property("next_cursor", ObjectBuilder::new().schema_type(Type::String).build())
            .build();
        let bulk_result = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("{results: [{index, status, record?, error?}]}"))
            .build();
        let operation = |id: String, summary: String| {
            OperationBuilder::new()
                .tag(tag)
                .operation_id(Some(id))
                .summary(Some(summary))
                .response("401", problem_response("not authenticated"))
        };
        let paths = &mut api.paths;
        paths.add_path_operation(&base, vec![HttpMethod::Get], operation(format!("list_{plural}"), format!("List {plural}: filter[field][op]=value (eq, ne, contains, starts_with, gt, lt, in, is_empty; custom fields as custom.key), sort=field or -field, cursor, limit (1-200), trash=true"))
            .parameter(query_param("filter[field][op]", "a filter; repeatable"))
            .parameter(query_param("sort", "sort field, - for descending"))
            .parameter(query_param("cursor", "next_cursor of the previous page"))
            .parameter(query_param("limit", "page size, 1 to 200 (default 50)"))
            .response("200", ok("a page", page.into()))
            .response("422", problem_response("invalid filter or sort"))
            .build());
        paths.add_path_operation(
            &base,
            vec![HttpMethod::Post],
            operation(
                format!("create_{}", record_type.as_str()),
                format!("Create a {}. Send Idempotency-Key to make retries safe.", record_type.as_str()),
            )
            .parameter(
                ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .build(),
            )
            .request_body(body(input_ref().into()))
            .response("201", ok("created", record_ref().into()))
            .response("400", problem_response("malformed JSON or unknown field"))
            .response("422", problem_response("invalid fields"))
            .build(),
        );
        paths.add_path_operation(
            &item,
            vec![HttpMethod::Get],
            operation(
                format!("get_{}", record_type.as_str()),
                format!("Get a {} (ETag carries its version)", record_type.as_str()),
            )
            .parameter(id_param())
            .response("200", ok("the record", record_ref().into()))
            .response("404", problem_response("no such record, or not visible to you"))
            .build(),
        );
        paths.add_path_operation(
            &item,
            vec![HttpMethod::Patch],
            operation(
                format!("update_{}", record_type.as_str()),
                format!("Update some fields of a {}; with If-Match, a stale version gets 412", record_type.as_str()),
            )
            .parameter(id_param())
            .parameter(
                ParameterBuilder::new()
                    .name("If-Match")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .build(),
            )
            .request_body(body(input_ref().into()))
            .response("200", ok("the updated record", record_ref().into()))
            .response("412", problem_response("the record changed since you read it"))
            .response("422", problem_response("invalid fields"))
            .build(),
        );
        paths.add_path_operation(
            &item,
            vec![HttpMethod::Delete],
            operation(
                format!("delete_{}", record_type.as_str()),
                format!("Move a {} to the trash", record_type.as_str()),
            )
            .parameter(id_param())
            .response("204", ResponseBuilder::new().description("moved to the trash").build())
            .response("404", problem_response("no such record"))
            .build(),
        );
        paths.add_path_operation(
            format!("{item}/restore"),
            vec![HttpMethod::Post],
            operation(
                format!("restore_{}", record_type.as_str()),
                format!("Restore a {} from the trash", record_type.as_str()),
            )
            .parameter(id_param())
            .response("200", ok("the restored record", record_ref().into()))
            .build(),
        );
        paths.add_path_operation(
            format!("{item}/timeline"),
            vec![HttpMethod::Get],
            operation(
                format!("timeline_{}", record_type.as_str()),
                "Activities, field changes and stage changes, newest first".into(),
            )
            .parameter(id_param())
            .parameter(query_param("cursor", "next_cursor of the previous page"))
            .parameter(query_param("limit", "page size, 1 to 200"))
            .response(
                "200",
                ok("a page of timeline entries", ObjectBuilder::new().schema_type(Type::Object).build().into()),
            )
            .build(),
        );
        paths.add_path_operation(
            format!("{base}/bulk"),
            vec![HttpMethod::Post],
            operation(
                format!("bulk_create_{plural}"),
                format!("Create up to 1000 {plural}; each item's result is reported"),
            )
            .request_body(body(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property("items", ArrayBuilder::new().items(input_ref()).max_items(Some(1000)).build())
                    .required("items")
                    .build()
                    .into(),
            ))
            .response("200", ok("per-item results", bulk_result.clone().into()))
            .build(),
        );
        paths.add_path_operation(
            format!("{base}/bulk"),
            vec![HttpMethod::Patch],
            operation(
                format!("bulk_update_{plural}"),
                format!("Update up to 1000 {plural}: items of {{id, version?, patch}}"),
            )
            .request_body(body(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property(
                        "items",
                        ArrayBuilder::new()
                            .items(
                                ObjectBuilder::new()
                                    .schema_type(Type::Object)
                                    .property("id", ObjectBuilder::new().schema_type(Type::String).build())
                                    .property("version", ObjectBuilder::new().schema_type(Type::Integer).build())
                                    .property("patch", input_ref())
                                    .build(),
                            )
                            .max_items(Some(1000))
                            .build(),
                    )
                    .build()
                    .into(),
            ))
            .response("200", ok("per-item results", bulk_result.clone().into()))
            .build(),
        );
        paths.add_path_operation(
            format!("{base}/bulk-delete"),
            vec![HttpMethod::Post],
            operation(format!("bulk_delete_{plural}"), format!("Move up to 1000 {plural} to the trash"))
                .request_body(body(
                    ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .property(
                            "ids",
                            ArrayBuilder::new()
                                .items(ObjectBuilder::new().schema_type(Type::String).build())
                                .max_items(Some(1000))
                                .build(),
                        )
                        .build()
                        .into(),
                ))
                .response("200", ok("per-item results", bulk_result.into()))
                .build(),
        );
        let query_enum = |name: &str, description: &str, values: &[&str]| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.to_vec())).build()))
                .build()
        };
        paths.add_path_operation(
            format!("{base}/import"),
            vec![HttpMethod::Post],
            operation(
                format!("import_{plural}"),
                format!(
                    "Import {plural} from a CSV file (Content-Type: text/csv, up to 64 MiB) whose header row names \
                     the fields; each row is checked like a create, and rejected rows and skipped duplicates are \
                     reported by line"
                ),
            )
            .parameter(query_enum("on_duplicate", "rows matching a stored record by e-mail (companies: domain), or an earlier row", &["skip", "create"]))
            .parameter(query_enum("ignore_unknown_columns", "skip columns that match no field instead of refusing the file", &["true", "false"]))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(
                        "text/csv",
                        utoipa::openapi::Content::new(Some(ObjectBuilder::new().schema_type(Type::String).build())),
                    )
                    .build(),
            ))
            .response(
                "200",
                ok(
                    "{columns, rows, created, duplicates: [{line, key, existing_id?, first_line?}], rejected: [{line, errors, cells}]}",
                    ObjectBuilder::new().schema_type(Type::Object).build().into(),
                ),
            )
            .response("413", problem_response("the file is larger than 64 MiB"))
            .response("415", problem_response("the body is not text/csv"))
            .response("422", problem_response("the header row names an unknown or repeated column"))
            .build(),
        );
    }
}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut api = FixedApi::openapi();
    api.info.version = env!("CARGO_PKG_VERSION").into();
    add_record_paths(&mut api);
    api
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
