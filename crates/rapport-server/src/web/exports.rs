//! Exports prepared in the background, from a list's Export menu: the page
//! that follows one, and its download.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::schema::RecordType;
use rapport_db::exports::{self, ExportFormat, ExportStatus};
use uuid::Uuid;

use super::session::{FormPost, WebUser};
use super::{WebResult, html};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "exports/show.html")]
struct ShowPage {
    frame: super::Frame,
    id: Uuid,
    status: &'static str,
    message: String,
    back: String,
}

fn export_id(user: &WebUser, segment: &str) -> Result<Uuid, super::WebError> {
    Uuid::parse_str(segment).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))
}

/// Queues an export of the list the form's query selects.
pub async fn request(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record_type = form
        .value("kind")
        .and_then(RecordType::from_plural)
        .ok_or_else(|| user.error(StatusCode::NOT_FOUND, "error.not_found"))?;
    let format = match form.value("format") {
        Some("xlsx") => ExportFormat::Xlsx,
        _ => ExportFormat::Csv,
    };
    let pairs = super::records::api_pairs(&super::records::query_pairs(form.value("query")));
    let export =
        exports::request(&state.ctx, &user.actor, record_type, format, &pairs).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/exports/{}", export.id)).into_response())
}

/// An export's progress, and its download once done.
pub async fn show(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let id = export_id(&user, &id)?;
    let export = exports::get(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    let rows = super::format::integer(i64::try_from(export.rows_done).unwrap_or(i64::MAX), user.tr.locale);
    let message = match export.status {
        ExportStatus::Queued => user.tr.t("exports.waiting"),
        ExportStatus::Running => user.tr.t1("exports.running", "rows", rows),
        ExportStatus::Done => user.tr.t1("exports.done", "rows", rows),
        ExportStatus::Failed => user.tr.t1("exports.failed", "error", export.error.clone().unwrap_or_default()),
    };
    let page = ShowPage {
        frame: user.frame("", format!("{} · {}", user.tr.t("exports.title"), export.file_name)),
        id,
        status: export.status.as_str(),
        message,
        back: format!("/{}", export.record_type),
    };
    Ok(html(StatusCode::OK, &page))
}

/// A finished export's file.
pub async fn download(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let id = export_id(&user, &id)?;
    let (export, file) = exports::file(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    Ok(crate::api::exports::attachment(&export, file))
}
