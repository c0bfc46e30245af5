//! Contracts beyond the generic record endpoints: renewal, termination, the
//! chain of versions, and the signed documents (upload, list, download,
//! removal).

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rapport_core::contract_documents::MAX_DOCUMENT_BYTES;
use rapport_core::ids::RecordId;
use rapport_core::{DomainError, FieldError};
use rapport_db::records::Record;
use rapport_db::records::contract_documents::{self, Document, DocumentInfo};
use rapport_db::records::contracts::{self, Renewal};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::records::record_response;
use crate::auth::{Auth, WriterUser};
use crate::error::{ApiResult, AppError, Problem};
use crate::json::PathParams;
use crate::state::AppState;

/// Room for the multipart envelope around the largest document.
pub const UPLOAD_LIMIT: usize = MAX_DOCUMENT_BYTES + 64 * 1024;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/contracts/{id}/renew", post(renew))
        .route("/contracts/{id}/terminate", post(terminate))
        .route("/contracts/{id}/versions", get(versions))
        .route(
            "/contracts/{id}/documents",
            get(list_documents).post(upload_document).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/contracts/{id}/documents/{document_id}", get(download_document).delete(remove_document))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RenewalResponse {
    /// The new version: the same number, `version_number` + 1.
    #[schema(value_type = Object)]
    pub contract: Record,
    /// The version renewed, now `renewed`.
    #[schema(value_type = Object)]
    pub previous: Record,
    /// The renewal deal the new version refers to.
    #[schema(value_type = Object)]
    pub deal: Record,
}

impl From<Renewal> for RenewalResponse {
    fn from(r: Renewal) -> Self {
        Self { contract: r.contract, previous: r.previous, deal: r.deal }
    }
}

/// Renews an active, expiring or expired contract: a new draft version
/// (dates shifted by the term, `previous_contract_id` the old one) and a
/// renewal deal; the old version becomes `renewed`. A version is renewed
/// once: a second renewal, even at the same moment, is a 409
/// `contract_already_renewed`.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/renew", tag = "contracts", params(("id" = Uuid, Path)),
    responses((status = 201, body = RenewalResponse), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn renew(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<(StatusCode, Json<RenewalResponse>)> {
    let renewal = contracts::renew(&state.ctx, &writer, id).await?;
    Ok((StatusCode::CREATED, Json(renewal.into())))
}

/// Terminates a contract today (from draft, sent for signature, active or
/// expiring); 409 `contract_not_terminable` otherwise.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/terminate", tag = "contracts", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object, description = "the contract"), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub(crate) async fn terminate(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<Response> {
    let contract = contracts::terminate(&state.ctx, &writer, id).await?;
    Ok(record_response(StatusCode::OK, &contract))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Record>,
}

/// Every version of the contract the caller can see, oldest first.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/versions", tag = "contracts", params(("id" = Uuid, Path)),
    responses((status = 200, body = VersionList), (status = 404, body = Problem)))]
pub(crate) async fn versions(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<Json<VersionList>> {
    Ok(Json(VersionList { items: contracts::versions(&state.ctx, &actor, id).await? }))
}

/// The contract's documents, newest first (without their bytes).
#[utoipa::path(get, path = "/api/v1/contracts/{id}/documents", tag = "contracts", params(("id" = Uuid, Path)),
    responses((status = 200, body = DocumentList), (status = 404, body = Problem)))]
pub(crate) async fn list_documents(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<Json<DocumentList>> {
    Ok(Json(DocumentList { items: contract_documents::list(&state.ctx, &actor, id).await? }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    pub items: Vec<DocumentInfo>,
}

/// A multipart upload, as the API documents it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentUpload {
    /// The signed document: a PDF, PNG, JPEG or Word (DOCX) file of at most
    /// 10 MB. Its type is read from its bytes; its name's extension must agree.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A refused upload: too large (413), or not a document we keep (415);
/// other field errors stay 422.
fn refused_upload(error: rapport_db::Error) -> AppError {
    let rapport_db::Error::Domain(DomainError::Validation(errors)) = &error else { return error.into() };
    let status = match errors.0.first().map(|e| e.code.as_str()) {
        Some("contract_document_too_large") => StatusCode::PAYLOAD_TOO_LARGE,
        Some("contract_document_type") => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => return error.into(),
    };
    let first = &errors.0[0];
    let code =
        if status == StatusCode::PAYLOAD_TOO_LARGE { "contract_document_too_large" } else { "contract_document_type" };
    AppError::Request { status, code, detail: first.message.clone(), errors: errors.0.clone() }
}

fn too_large() -> AppError {
    refused_upload(
        DomainError::Validation(
            FieldError::new("file", "contract_document_too_large", "a document of at most 10 MB")
                .with("max_mb", MAX_DOCUMENT_BYTES / (1024 * 1024))
                .into(),
        )
        .into(),
    )
}

/// Reads the `file` part of a multipart upload: its name and bytes.
pub async fn file_part(mut form: Multipart) -> Result<Option<(String, Vec<u8>)>, AppError> {
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(None),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(AppError::bad_request("malformed_multipart", e.body_text())),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        return match field.bytes().await {
            Ok(bytes) => Ok(Some((name, bytes.to_vec()))),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
            Err(e) => Err(AppError::bad_request("malformed_multipart", e.body_text())),
        };
    }
}

/// Stores a signed document on the contract: `multipart/form-data` with a
/// `file` part. Over 10 MB: 413; bytes that are not a PDF, PNG, JPEG or
/// DOCX, or a name that says another type (an executable named `.pdf`):
/// 415. Nothing is stored then. Audited on the contract.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/documents", tag = "contracts", params(("id" = Uuid, Path)),
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentInfo), (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn upload_document(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams(id): PathParams<RecordId>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<DocumentInfo>)> {
    let form = form
        .map_err(|e| AppError::request(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", e.body_text()))?;
    let Some((name, bytes)) = file_part(form).await? else {
        return Err(DomainError::invalid("file", "required", "send the document as the multipart part `file`").into());
    };
    let info = contract_documents::add(&state.ctx, &writer, id, &name, &bytes).await.map_err(refused_upload)?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// A document as a download: its stored type, never guessed by the browser.
pub fn document_response(document: Document) -> Response {
    let content_type = HeaderValue::from_str(&document.info.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let ascii: String = document
        .info
        .file_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' })
        .collect();
    let encoded: String = document
        .info
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox")),
    ];
    (headers, document.bytes).into_response()
}

/// Downloads a document, as an attachment.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/documents/{document_id}", tag = "contracts",
    params(("id" = Uuid, Path), ("document_id" = Uuid, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub(crate) async fn download_document(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams((id, document_id)): PathParams<(RecordId, Uuid)>,
) -> ApiResult<Response> {
    Ok(document_response(contract_documents::get(&state.ctx, &actor, id, document_id).await?))
}

/// Removes a document (the contract's owner, managers, administrators); audited.
#[utoipa::path(delete, path = "/api/v1/contracts/{id}/documents/{document_id}", tag = "contracts",
    params(("id" = Uuid, Path), ("document_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn remove_document(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    PathParams((id, document_id)): PathParams<(RecordId, Uuid)>,
) -> ApiResult<StatusCode> {
    contract_documents::remove(&state.ctx, &writer, id, document_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
