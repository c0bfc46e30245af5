//! The generic record endpoints, shared by contacts, companies, leads, deals
//! and activities: `/api/v1/{type}`.

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rapport_core::DomainError;
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_db::imports::{self, ImportSummary};
use rapport_db::records::{self, BulkItemResult, Record};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::idempotency::{IdempotencyKey, idempotent};
use crate::auth::{AdminUser, Auth, WriterUser};
use crate::error::{ApiResult, AppError, Problem};
use crate::json::{CsvBody, JsonBody, PathParams, QueryParams};
use crate::state::AppState;

/// The largest CSV file accepted by `/{kind}/import` (about 500,000 contacts).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/{kind}", get(list).post(create))
        .route("/{kind}/bulk", post(bulk_create).patch(bulk_update))
        .route("/{kind}/bulk-delete", post(bulk_delete))
        .route("/{kind}/export.csv", get(export_csv))
        .route("/contacts/{id}/personal-data", get(personal_data))
        .route("/contacts/{id}/erase", post(erase))
        .route("/contacts/export.vcf", get(export_vcf))
        .route("/{kind}/import", post(import).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .route("/imports/{id}/report", get(import_report))
        .route("/{kind}/{id}", get(read).patch(update).delete(remove))
        .route("/{kind}/{id}/restore", post(restore))
        .route("/{kind}/{id}/timeline", get(timeline))
}

/// The record type named by a URL segment (`contacts`, `deals`, …).
pub fn record_type(segment: &str) -> ApiResult<RecordType> {
    RecordType::from_plural(segment).ok_or_else(|| AppError::Service(DomainError::not_found("resource").into()))
}

pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// The entity tags of an `If-Match` or `If-None-Match` header: `None` for
/// `*` (any version) or no header. A tag is a quoted string, weak or not.
fn entity_tags(headers: &HeaderMap, name: header::HeaderName) -> ApiResult<Option<Vec<String>>> {
    let Some(value) = headers.get(&name) else { return Ok(None) };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let tags: Option<Vec<String>> = text
        .split(',')
        .map(|tag| {
            let tag = tag.trim().trim_start_matches("W/");
            let inner = tag.strip_prefix('"')?.strip_suffix('"')?;
            (!inner.contains('"')).then(|| inner.to_owned())
        })
        .collect();
    tags.filter(|t| !t.is_empty()).map(Some).ok_or_else(|| {
        let message = format!("{name} must be an ETag this server returned, e.g. \"3\"");
        AppError::bad_request(
            if name == header::IF_MATCH { "invalid_if_match" } else { "invalid_if_none_match" },
            message,
        )
    })
}

/// Versions start at 1: a tag this server never gave matches no version.
const NO_VERSION: i64 = 0;

/// The version an `If-Match` header demands, if any. A well-formed tag that
/// is not one of ours still demands a version, which none matches (412).
pub fn if_match(headers: &HeaderMap) -> ApiResult<Option<i64>> {
    Ok(entity_tags(headers, header::IF_MATCH)?
        .map(|tags| tags.iter().find_map(|t| t.parse::<i64>().ok()).unwrap_or(NO_VERSION)))
}

/// Whether an `If-None-Match` header names the record's current version.
fn not_modified(headers: &HeaderMap, version: i64) -> ApiResult<bool> {
    match entity_tags(headers, header::IF_NONE_MATCH)? {
        None => Ok(headers.contains_key(header::IF_NONE_MATCH)),
        Some(tags) => Ok(tags.iter().any(|t| t.parse::<i64>().ok() == Some(version))),
    }
}

pub(crate) fn record_response(status: StatusCode, record: &Record) -> Response {
    let mut response = (status, Json(record)).into_response();
    response.headers_mut().insert(header::ETAG, etag(record.version));
    response
}

async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(kind): PathParams<String>,
    QueryParams(pairs): QueryParams<Vec<(String, String)>>,
) -> ApiResult<Json<records::Page<Record>>> {
    Ok(Json(records::list(&state.ctx, &actor, record_type(&kind)?, &pairs).await?))
}

/// Everything held about one person: the contact, its company, deals and
/// whole timeline (LGPD/GDPR access requests); administrators only.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/personal-data", tag = "contacts", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn personal_data(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<uuid::Uuid>,
) -> ApiResult<Response> {
    let document = records::personal_data(&state.ctx, &admin, RecordId(id)).await?;
    let name = format!("attachment; filename=\"contact-{id}.json\"");
    let disposition = HeaderValue::from_str(&name).unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(document)).into_response())
}

/// What confirms an erasure: the contact's name as it is shown.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EraseRequest {
    /// The contact's current name (e.g. "Ana Souza"), as a check that the right person is erased.
    confirm_name: String,
}

/// Erases a contact on the person's request (LGPD/GDPR): personal fields
/// cleared and the name replaced by "Erased contact" (in the
/// `Accept-Language`), the text of activities about them removed, their
/// audit values redacted; deals and their amounts kept. Cannot be undone;
/// administrators only.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/erase", tag = "contacts", params(("id" = Uuid, Path)),
    request_body = EraseRequest,
    responses((status = 200, body = records::Erasure), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn erase(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    PathParams(id): PathParams<RecordId>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<EraseRequest>,
) -> ApiResult<Json<records::Erasure>> {
    let locale = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(crate::web::i18n::Locale::En, crate::web::i18n::Locale::negotiate);
    let tr = crate::web::i18n::Tr::new(locale);
    let (name, subject) = (tr.t("privacy.erased_name"), tr.t("privacy.erased_subject"));
    let words = records::ErasedWords { name: &name, subject: &subject };
    Ok(Json(records::erase_contact(&state.ctx, &admin, id, words, Some(&request.confirm_name)).await?))
}

/// The contacts a list query selects, as one vCard 3.0 (default) or 4.0 file.
#[utoipa::path(get, path = "/api/v1/contacts/export.vcf", tag = "contacts",
    params(("filter[field][op]" = String, Query, description = "a filter, as the list takes it; repeatable"),
        ("version" = Option<String>, Query, description = "vCard version: 3.0 (default) or 4.0"),
        ("sort" = String, Query, description = "sort field, - for descending")),
    responses((status = 200, content_type = "text/vcard", body = String), (status = 422, body = Problem)))]
pub(crate) async fn export_vcf(
    State(state): State<AppState>,
    Auth(actor): Auth,
    QueryParams(pairs): QueryParams<Vec<(String, String)>>,
) -> ApiResult<Response> {
    Ok(crate::export::vcards(&state, &actor, &pairs).await?)
}

/// The list the query selects as a CSV file (every page, streamed).
async fn export_csv(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(kind): PathParams<String>,
    QueryParams(pairs): QueryParams<Vec<(String, String)>>,
) -> ApiResult<Response> {
    Ok(crate::export::csv(&state, &actor, record_type(&kind)?, &pairs).await?)
}

async fn create(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(kind): PathParams<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    let record_type = record_type(&kind)?;
    let path = format!("/api/v1/{kind}");
    let (ctx, writer_ref, input) = (&state.ctx, &writer, &body);
    idempotent(&state, &writer, &headers, &path, &body, |key| async move {
        let render = |record: &Record| (StatusCode::CREATED.as_u16(), record.to_json());
        let completion = IdempotencyKey::completion(&key, &render);
        let record = records::create_idempotent(ctx, writer_ref, record_type, input, completion.as_ref()).await?;
        Ok((StatusCode::CREATED, record.to_json()))
    })
    .await
}

async fn read(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams((kind, id)): PathParams<(String, RecordId)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let record = records::get(&state.ctx, &actor, record_type(&kind)?, id).await?;
    if not_modified(&headers, record.version)? {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag(record.version))]).into_response());
    }
    Ok(record_response(StatusCode::OK, &record))
}

async fn update(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams((kind, id)): PathParams<(String, RecordId)>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    let record = records::update(&state.ctx, &writer, record_type(&kind)?, id, &body, if_match(&headers)?).await?;
    Ok(record_response(StatusCode::OK, &record))
}

async fn remove(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams((kind, id)): PathParams<(String, RecordId)>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    records::delete(&state.ctx, &writer, record_type(&kind)?, id, if_match(&headers)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn restore(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams((kind, id)): PathParams<(String, RecordId)>,
) -> ApiResult<Response> {
    let record = records::restore(&state.ctx, &writer, record_type(&kind)?, id).await?;
    Ok(record_response(StatusCode::OK, &record))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimelineQuery {
    cursor: Option<String>,
    limit: Option<u64>,
}

async fn timeline(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams((kind, id)): PathParams<(String, RecordId)>,
    QueryParams(query): QueryParams<TimelineQuery>,
) -> ApiResult<Json<Value>> {
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let page = records::timeline(&state.ctx, &actor, record_type(&kind)?, id, query.cursor.as_deref(), limit).await?;
    Ok(Json(json!({"items": page.items, "next_cursor": page.next_cursor})))
}

/// Each item's outcome: its position, HTTP status, and record or problem.
fn bulk_results(results: &[BulkItemResult]) -> Value {
    let items: Vec<Value> = results
        .iter()
        .map(|r| match &r.outcome {
            Ok(Some(record)) => json!({"index": r.index, "status": 200, "record": record.to_json()}),
            Ok(None) => json!({"index": r.index, "status": 204}),
            Err(error) => {
                let problem = crate::error::service_problem(error);
                json!({"index": r.index, "status": problem.status, "error": problem})
            }
        })
        .collect();
    json!({ "results": items })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkCreate {
    items: Vec<Value>,
}

async fn bulk_create(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(kind): PathParams<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    let record_type = record_type(&kind)?;
    let request: BulkCreate = serde_json::from_value(body.clone())
        .map_err(|e| AppError::invalid_body(format!("expected {{\"items\": [...]}}: {e}")))?;
    let path = format!("/api/v1/{kind}/bulk");
    let (ctx, writer_ref, items) = (&state.ctx, &writer, &request.items);
    idempotent(&state, &writer, &headers, &path, &body, |key| async move {
        let render = |results: &Vec<BulkItemResult>| (StatusCode::OK.as_u16(), bulk_results(results));
        let completion = IdempotencyKey::completion(&key, &render);
        let results = records::bulk_create_idempotent(ctx, writer_ref, record_type, items, completion.as_ref()).await?;
        Ok((StatusCode::OK, bulk_results(&results)))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkUpdate {
    items: Vec<records::BulkPatch>,
}

async fn bulk_update(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(kind): PathParams<String>,
    JsonBody(body): JsonBody<BulkUpdate>,
) -> ApiResult<Json<Value>> {
    let results = records::bulk_update(&state.ctx, &writer, record_type(&kind)?, &body.items).await?;
    Ok(Json(bulk_results(&results)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkDelete {
    ids: Vec<RecordId>,
}

async fn bulk_delete(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(kind): PathParams<String>,
    JsonBody(body): JsonBody<BulkDelete>,
) -> ApiResult<Json<Value>> {
    let results = records::bulk_delete(&state.ctx, &writer, record_type(&kind)?, &body.ids).await?;
    Ok(Json(bulk_results(&results)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportParams {
    #[serde(default)]
    on_duplicate: records::OnDuplicate,
    #[serde(default)]
    match_by: records::MatchBy,
    #[serde(default)]
    create_missing: bool,
    #[serde(default)]
    ignore_unknown_columns: bool,
    #[serde(default)]
    encoding: records::Encoding,
}

/// Imports a CSV file: counts, the first problems by line, and a report of
/// every row left out to download.
async fn import(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(kind): PathParams<String>,
    QueryParams(params): QueryParams<ImportParams>,
    CsvBody(body): CsvBody,
) -> ApiResult<Json<ImportSummary>> {
    let options = records::ImportOptions {
        on_duplicate: params.on_duplicate,
        match_by: params.match_by,
        create_missing: params.create_missing,
        ignore_unknown_columns: params.ignore_unknown_columns,
        encoding: params.encoding,
        ..records::ImportOptions::default()
    };
    let source = std::io::Cursor::new(body);
    let record_type = record_type(&kind)?;
    let report = records::import_csv(&state.ctx, &writer, record_type, source, &options).await?;
    let kept = imports::save_report(&state.ctx, &writer, record_type, &report).await?;
    Ok(Json(ImportSummary::new(&report, kept.map(|id| format!("/api/v1/imports/{id}/report")))))
}

/// The rows an import left out, as CSV with `line`, `outcome` and `reason`
/// columns (for the user who ran it, or an administrator).
#[utoipa::path(get, path = "/api/v1/imports/{id}/report", tag = "records", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem)))]
pub(crate) async fn import_report(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<uuid::Uuid>,
) -> ApiResult<Response> {
    // A background import's rows left out, or else an immediate import's report.
    let csv = match imports::left_out_report(&state.ctx, &actor, id).await {
        Err(rapport_db::Error::Domain(DomainError::NotFound { .. })) => {
            imports::report_csv(&state.ctx, &actor, id).await?
        }
        other => other?,
    };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
        (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"import-report.csv\"")),
    ];
    Ok((headers, csv).into_response())
}
