//! The generic endpoints of every record kind, from its descriptor.

use rapport_core::schema::RecordType;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Required, ResponseBuilder, Schema};

use super::schemas::{line_item_schema, money_schema, record_schemas, type_name};
use super::{formatted, json_content, or_null, problem_response, string};

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
            "{columns, rows, created, skipped, rejected (rows = created + skipped + rejected), \
             first_rejected: [{line, errors}], first_skipped: [{line, key, existing_id?, first_line?, in_hidden_record?}] \
             (10 at most each), report: the path where every row left out downloads as CSV, or null}",
        ))
        .build();
    operations.push((
        format!("{base}/export.csv"),
        HttpMethod::Get,
        operation(
            format!("export_{plural}"),
            format!(
                "Export the {plural} a list query selects (its filters, sort and trash=true; every page) as CSV: \
                 id, every field, custom fields as custom.key, owner_id, tags, created_at, updated_at, headed by \
                 the names the import reads; cells starting with =, +, -, @, tab or CR are written after a ' \
                 (spreadsheet formula injection), which the import takes off again"
            ),
        )
        .parameter(query_param("filter[field][op]", "a filter; repeatable"))
        .parameter(query_param("sort", "sort field, - for descending"))
        .parameter(enum_param("trash", "export the trash instead", &["true", "false"]))
        .response(
            "200",
            ResponseBuilder::new()
                .description("the CSV file (UTF-8 with a byte order mark), streamed")
                .content("text/csv", utoipa::openapi::Content::new(Some(string().build())))
                .build(),
        )
        .response("422", problem_response("invalid filter or sort")),
    ));
    operations.push((
        format!("{base}/import"),
        HttpMethod::Post,
        operation(
            format!("import_{plural}"),
            format!(
                "Import {plural} from a CSV file (Content-Type: text/csv, up to 64 MiB) whose header row names \
                 the fields; each row is checked like a create; the answer counts the rows created, skipped as \
                 duplicates and rejected, shows the first problems by line, and links the report of every row left out"
            ),
        )
        .parameter(enum_param(
            "on_duplicate",
            "rows matching a stored record (by `match_by`) or an earlier row: skip them, create them anyway, or \
             update the stored record with the row's non-empty cells (undone with the import)",
            &["skip", "create", "update"],
        ))
        .parameter(enum_param(
            "match_by",
            "what rows are matched to stored records by: the kind's own key (e-mail, or a company's domain), \
             e-mail, phone, domain, or the record id of an exported file's `id` column",
            &["default", "email", "phone", "domain", "id"],
        ))
        .parameter(enum_param(
            "create_missing",
            "create the companies (by name or domain) and contacts (by e-mail) that rows name as their company or \
             contact and that are not stored yet, instead of rejecting those rows",
            &["true", "false"],
        ))
        .parameter(enum_param(
            "encoding",
            "how the file's bytes are text: auto (UTF-8 when its start reads as UTF-8, else Windows-1252, \
             as Excel saves CSV in Brazil and Spain), utf-8, or windows-1252 (also for Latin-1)",
            &["auto", "utf-8", "windows-1252"],
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

pub(super) fn add_record_paths(api: &mut utoipa::openapi::OpenApi) {
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
