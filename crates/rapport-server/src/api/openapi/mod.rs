//! The OpenAPI 3.1 document: fixed endpoints from their `#[utoipa::path]`
//! annotations; the generic record endpoints and their schemas from the record
//! schema in `rapport-core`, so both stay true to the code.

use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, Schema};

use crate::error::Problem;

mod operations;
mod schemas;

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
        crate::api::branding::get_branding,
        crate::api::branding::put_branding,
        crate::api::branding::get_logo,
        crate::api::branding::put_logo,
        crate::api::branding::delete_logo,
        crate::api::admin::list_users,
        crate::api::admin::create_user,
        crate::api::admin::update_user,
        crate::api::admin::disable_user,
        crate::api::admin::enable_user,
        crate::api::admin::set_role,
        crate::api::admin::reset_password,
        crate::auth::routes::set_preferences,
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
        crate::api::misc::update_pipeline,
        crate::api::misc::convert_lead,
        crate::api::misc::list_notifications,
        crate::api::misc::mark_read,
        crate::api::records::import_report,
        crate::api::records::personal_data,
        crate::api::records::erase,
        crate::api::vcards::import_vcf,
        crate::api::records::export_vcf,
        crate::api::exports::request_export,
        crate::api::exports::read_export,
        crate::api::exports::export_file,
        crate::api::imports::upload,
        crate::api::imports::list,
        crate::api::imports::read,
        crate::api::imports::update,
        crate::api::imports::preview,
        crate::api::imports::start,
        crate::api::imports::cancel,
        crate::api::imports::undo,
        crate::api::views::list_views,
        crate::api::views::get_view,
        crate::api::views::create_view,
        crate::api::views::update_view,
        crate::api::views::delete_view,
        crate::api::views::get_columns,
        crate::api::views::set_columns,
        crate::api::duplicates::of_record,
        crate::api::duplicates::check,
        crate::api::duplicates::review_list,
        crate::api::duplicates::scan,
        crate::api::duplicates::dismiss,
        crate::api::duplicates::merge,
        crate::api::duplicates::undo,
        crate::api::email::get_email_settings,
        crate::api::email::put_email_settings,
        crate::api::email::send_test_email,
        crate::api::email::list_email_templates,
        crate::api::email::get_email_template,
        crate::api::email::save_email_template,
        crate::api::email::reset_email_template,
        crate::api::email::preview_email_template,
        crate::api::email::list_outbox,
        crate::api::email::get_outbox_message,
        crate::api::email::retry_outbox_message,
        crate::api::email::send_record_email,
        crate::api::orders::record_payment,
        crate::api::orders::list_order_returns,
        crate::api::orders::request_return,
        crate::api::orders::decide_return,
        crate::api::orders::create_public_link,
        crate::api::orders::revoke_public_link,
        crate::api::orders::purchases,
        crate::api::orders::list_return_rules,
        crate::api::orders::create_return_rule,
        crate::api::orders::delete_return_rule,
        crate::api::contracts::renew,
        crate::api::contracts::terminate,
        crate::api::contracts::versions,
        crate::api::contracts::list_documents,
        crate::api::contracts::upload_document,
        crate::api::contracts::download_document,
        crate::api::contracts::remove_document,
        crate::api::cadences::list_cadences,
        crate::api::cadences::create_cadence,
        crate::api::cadences::get_cadence,
        crate::api::cadences::update_cadence,
        crate::api::cadences::enroll,
        crate::api::cadences::record_enrollments,
        crate::api::cadences::get_enrollment,
        crate::api::cadences::stop_enrollment,
        crate::api::cadences::get_auto_start,
        crate::api::cadences::put_auto_start,
        crate::api::cadences::get_whatsapp_settings,
        crate::api::cadences::put_whatsapp_settings,
        crate::api::cadences::list_whatsapp_messages,
        crate::api::cadences::put_own_whatsapp,
        crate::api::quotes::send_quote,
        crate::api::quotes::email_quote,
        crate::api::quotes::accept_quote,
        crate::api::quotes::reject_quote,
        crate::api::quotes::revise_quote,
        crate::api::quotes::make_quote_primary,
        crate::api::quotes::configured_price,
        crate::api::forecast::forecast,
        crate::api::forecast::list_quotas,
        crate::api::forecast::set_quotas,
        crate::api::analytics::sales,
        crate::api::analytics::team,
        crate::api::analytics::market,
        crate::api::analytics::attribution,
        crate::api::customers::customers,
        crate::api::customers::segment_customers,
        crate::api::customers::refresh,
        crate::api::lead_scoring::status,
        crate::api::lead_scoring::set_rules,
        crate::api::lead_scoring::train,
        crate::api::lead_scoring::lead_score,
        crate::api::reports::run_report,
        crate::api::reports::list_reports,
        crate::api::reports::create_report,
        crate::api::reports::get_report,
        crate::api::reports::update_report,
        crate::api::reports::delete_report,
        crate::api::reports::report_results,
        crate::api::reports::list_schedules,
        crate::api::reports::create_schedule,
        crate::api::reports::delete_schedule,
        crate::api::reports::list_dashboards,
        crate::api::reports::create_dashboard,
        crate::api::reports::get_dashboard,
        crate::api::reports::update_dashboard,
        crate::api::reports::delete_dashboard,
    ),
    components(schemas(Problem, rapport_core::FieldError))
)]
struct FixedApi;

pub(super) fn json_content(schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

pub(super) fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", json_content(Ref::from_schema_name("Problem")))
        .build()
}

pub(super) fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

pub(super) fn formatted(format: KnownFormat) -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(format)))
}

/// `type` plus `null`: what an optional field takes to clear it, and what a
/// stored record shows for an empty one.
pub(super) fn or_null(schema_type: Type) -> SchemaType {
    SchemaType::from_iter([schema_type, Type::Null])
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
    operations::add_record_paths(&mut api);
    add_security(&mut api);
    api
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
