//! What a contract's page shows beyond the generic record page: its status,
//! term and renewal notice, the chain of versions, the signed documents with
//! an upload, and the Renew and Terminate actions; and a contract's line in
//! a company's list of contracts.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::records::contract::{self, RENEWABLE};
use rapport_core::schema::RecordType;
use rapport_db::records::Record;
use rapport_db::records::contract_documents;
use rapport_db::records::contracts;
use serde_json::Value;
use uuid::Uuid;

use super::i18n::Tr;
use super::records::{record_id, writer};
use super::session::{FormPost, WebUser};
use super::{WebResult, format};
use crate::auth::constant_time_eq;
use crate::state::AppState;

/// A version of the contract, as the chain lists it.
pub struct Version {
    pub href: String,
    pub label: String,
    pub status: String,
    pub current: bool,
}

/// A stored document, as the page lists it.
pub struct DocumentRow {
    pub href: String,
    pub name: String,
    pub facts: String,
    pub remove_href: Option<String>,
}

/// The contract's panel on its record page.
pub struct ContractPanel {
    pub id: String,
    pub status: String,
    pub status_label: String,
    pub term: String,
    pub notice: Option<String>,
    pub versions: Vec<Version>,
    pub documents: Vec<DocumentRow>,
    pub can_write: bool,
    pub can_renew: bool,
    pub can_terminate: bool,
    /// Why the last upload was refused, in the user's words.
    pub upload_error: Option<String>,
    pub upload_hint: String,
}

/// A contract in a company's list: its status and end date.
pub fn summary(contract: &Record, tr: &Tr) -> String {
    let status = tr.choice("status", contract.text("status").unwrap_or_default());
    match contract::date(&contract.fields, "end_date") {
        Some(end) => format!("{status} · {}", tr.t1("contract.until", "date", format::date(end, tr.locale))),
        None => status,
    }
}

/// The message key of an upload refusal, by its code.
fn upload_error_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "contract_document_too_large" => "contract.upload_too_large",
        "contract_document_type" => "contract.upload_wrong_type",
        "empty_file" | "required" => "contract.upload_missing",
        "contract_too_many_documents" => "contract.upload_too_many",
        "invalid_file_name" | "too_long" => "contract.upload_bad_name",
        _ => return None,
    })
}

fn size_text(bytes: i64, tr: &Tr) -> String {
    if bytes >= 1024 * 1024 {
        tr.t1("contract.size_mb", "size", format!("{:.1}", bytes as f64 / (1024.0 * 1024.0)))
    } else {
        tr.t1("contract.size_kb", "size", ((bytes + 1023) / 1024).to_string())
    }
}

/// The panel of a contract's page; `None` for other kinds.
pub async fn panel(
    state: &AppState,
    user: &WebUser,
    record: &Record,
    upload_error: Option<&str>,
) -> rapport_db::Result<Option<ContractPanel>> {
    if record.record_type != RecordType::CONTRACT {
        return Ok(None);
    }
    let tr = &user.tr;
    let can_write = writer(user).is_ok();
    let status = record.text("status").unwrap_or("draft").to_owned();
    let (start, end) = (contract::date(&record.fields, "start_date"), contract::date(&record.fields, "end_date"));
    let term = match (start, end) {
        (Some(start), Some(end)) => tr.t_with(
            "contract.term",
            &[
                ("start", super::i18n::Arg::Text(format::date(start, tr.locale))),
                ("end", super::i18n::Arg::Text(format::date(end, tr.locale))),
            ],
        ),
        _ => String::new(),
    };
    let notice = contract::notice_date(&record.fields)
        .filter(|_| matches!(status.as_str(), "active" | "expiring"))
        .map(|date| {
            let key = if record.fields.get("auto_renew") == Some(&Value::Bool(true)) {
                "contract.renews_automatically"
            } else {
                "contract.notice_from"
            };
            tr.t1(key, "date", format::date(date, tr.locale))
        });
    let versions = contracts::versions(&state.ctx, &user.actor, record.id)
        .await?
        .into_iter()
        .map(|v| Version {
            href: format!("/contracts/{}", v.id.0),
            label: tr.t1(
                "contract.version",
                "number",
                v.fields.get("version_number").and_then(Value::as_i64).unwrap_or(1).to_string(),
            ),
            status: tr.choice("status", v.text("status").unwrap_or_default()),
            current: v.id == record.id,
        })
        .collect();
    let may_remove = can_write && user.actor.ensure_can_delete(record.owner_id).is_ok();
    let documents = contract_documents::list(&state.ctx, &user.actor, record.id)
        .await?
        .into_iter()
        .map(|d| DocumentRow {
            href: format!("/contracts/{}/documents/{}", record.id.0, d.id),
            facts: format!(
                "{} · {}",
                size_text(d.size_bytes, tr),
                format::datetime(d.created_at, user.zone, tr.locale)
            ),
            remove_href: may_remove.then(|| format!("/contracts/{}/documents/{}/delete", record.id.0, d.id)),
            name: d.file_name,
        })
        .collect();
    Ok(Some(ContractPanel {
        id: record.id.0.to_string(),
        status_label: tr.choice("status", &status),
        term,
        notice,
        versions,
        documents,
        can_write,
        can_renew: can_write && RENEWABLE.contains(&status.as_str()),
        can_terminate: can_write && contract::can_move(&status, "terminated"),
        upload_error: upload_error.and_then(upload_error_key).map(|key| tr.t(key)),
        upload_hint: tr.t1(
            "contract.upload_hint",
            "max",
            (rapport_core::contract_documents::MAX_DOCUMENT_BYTES / (1024 * 1024)).to_string(),
        ),
        status,
    }))
}

fn back_to(id: &str, error: Option<&str>) -> axum::response::Response {
    match error {
        Some(code) => Redirect::to(&format!("/contracts/{id}?document_error={code}#contract-documents")),
        None => Redirect::to(&format!("/contracts/{id}#contract-documents")),
    }
    .into_response()
}

/// Takes an uploaded signed document (a multipart form with the page's
/// CSRF token). A refused file comes back to the page with the reason.
pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    user: WebUser,
    mut form: Multipart,
) -> WebResult {
    let contract = record_id(&user, &id)?;
    let writer = writer(&user)?;
    let (mut csrf, mut file) = (None, None);
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("_csrf") => csrf = field.text().await.ok(),
                Some("file") => {
                    let name = field.file_name().unwrap_or_default().to_owned();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes)),
                        Err(_) => return Ok(back_to(&id, Some("contract_document_too_large"))),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return Ok(back_to(&id, Some("contract_document_too_large"))),
        }
    }
    if !csrf.as_deref().is_some_and(|token| constant_time_eq(token, &user.csrf)) {
        return Err(user.error(StatusCode::FORBIDDEN, "error.csrf"));
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(back_to(&id, Some("required")));
    };
    match contract_documents::add(&state.ctx, &writer, contract, &name, &bytes).await {
        Ok(_) => Ok(back_to(&id, None)),
        Err(rapport_db::Error::Domain(rapport_core::DomainError::Validation(errors))) => {
            let code = errors.0.first().map(|e| e.code.clone()).unwrap_or_default();
            let code = if upload_error_key(&code).is_some() { code } else { "contract_document_type".to_owned() };
            Ok(back_to(&id, Some(&code)))
        }
        Err(error) => Err(user.fail(error)),
    }
}

/// A stored document, as a download.
pub async fn download(
    State(state): State<AppState>,
    Path((id, document)): Path<(String, String)>,
    user: WebUser,
) -> WebResult {
    let contract = record_id(&user, &id)?;
    let document = Uuid::parse_str(&document).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))?;
    let document =
        contract_documents::get(&state.ctx, &user.actor, contract, document).await.map_err(|e| user.fail(e))?;
    Ok(crate::api::contracts::document_response(document))
}

pub async fn remove_document(
    State(state): State<AppState>,
    Path((id, document)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let contract = record_id(user, &id)?;
    let writer = writer(user)?;
    let document = Uuid::parse_str(&document).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))?;
    contract_documents::remove(&state.ctx, &writer, contract, document).await.map_err(|e| user.fail(e))?;
    Ok(back_to(&id, None))
}

/// Renews the contract and opens its new version.
pub async fn renew(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let contract = record_id(user, &id)?;
    let writer = writer(user)?;
    let renewal = contracts::renew(&state.ctx, &writer, contract).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/contracts/{}", renewal.contract.id.0)).into_response())
}

pub async fn terminate(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let contract = record_id(user, &id)?;
    let writer = writer(user)?;
    contracts::terminate(&state.ctx, &writer, contract).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/contracts/{id}")).into_response())
}
