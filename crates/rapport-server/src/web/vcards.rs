//! vCard files on the import page (a report, card by card), and contact
//! photos served to people who can see the contact.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use rapport_core::access::Writer;
use rapport_core::ids::RecordId;
use rapport_core::vcard::NoteLabels;
use rapport_db::records::{self, VcardReport};

use super::session::WebUser;
use super::{Frame, WebResult, html};
use crate::state::AppState;

/// Whether an uploaded file is a vCard file: by its name, or by its first line.
pub fn is_vcard(name: &str, bytes: &[u8]) -> bool {
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = &start[start.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(start.len())..];
    name.to_lowercase().ends_with(".vcf") || start.get(..11).is_some_and(|s| s.eq_ignore_ascii_case(b"BEGIN:VCARD"))
}

pub struct CardLine {
    pub line: usize,
    pub name: String,
    pub outcome: String,
    pub outcome_label: String,
    pub href: Option<String>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "imports/vcard.html")]
struct ReportPage {
    frame: Frame,
    file_name: String,
    summary: String,
    cards: Vec<CardLine>,
}

fn render(user: &WebUser, file_name: &str, report: &VcardReport) -> WebResult {
    let tr = &user.tr;
    let cards = report
        .cards
        .iter()
        .map(|card| {
            let mut reasons: Vec<String> = card.errors.iter().map(|e| super::fields::error_message(tr, e)).collect();
            reasons.extend(card.warnings.iter().map(|w| tr.t(&format!("imports.vcard_{w}"))));
            CardLine {
                line: card.line,
                name: card.name.clone(),
                outcome: card.outcome.clone(),
                outcome_label: tr.t(&format!("imports.vcard_{}", card.outcome)),
                href: card.contact_id.map(|id| format!("/contacts/{id}")),
                reason: reasons.join(" "),
            }
        })
        .collect();
    let summary = tr.t_with(
        "imports.vcard_summary",
        &[
            ("created", super::i18n::Arg::Number(report.created as i64)),
            ("skipped", super::i18n::Arg::Number(report.skipped as i64)),
            ("rejected", super::i18n::Arg::Number(report.rejected as i64)),
            ("photos", super::i18n::Arg::Number(report.photos as i64)),
        ],
    );
    let page = ReportPage {
        frame: user.frame("", tr.t("imports.vcard_title")),
        file_name: file_name.to_owned(),
        summary,
        cards,
    };
    Ok(html(StatusCode::OK, &page))
}

/// Imports the contacts of an uploaded vCard file and shows the report; a
/// refused file is `Err` with the words to show on the import page.
pub async fn import(
    state: &AppState,
    user: &WebUser,
    writer: &Writer,
    file_name: &str,
    bytes: &[u8],
) -> Result<WebResult, rapport_core::DomainError> {
    let (address, organization) = (user.tr.t("imports.vcard_address"), user.tr.t("imports.vcard_organization"));
    let labels = NoteLabels { address: &address, organization: &organization };
    match records::import_vcards(&state.ctx, writer, bytes, labels).await {
        Ok(report) => Ok(render(user, file_name, &report)),
        Err(rapport_db::Error::Domain(error)) => Err(error),
        Err(other) => Ok(Err(user.fail(other))),
    }
}

/// A contact's photo, with the type its bytes were checked to be.
pub async fn photo(State(state): State<AppState>, user: WebUser, Path(id): Path<uuid::Uuid>) -> WebResult {
    match records::contact_photo(&state.ctx, &user.actor, RecordId(id)).await.map_err(|e| user.fail(e))? {
        Some((content_type, bytes)) => {
            let content_type =
                HeaderValue::from_str(&content_type).unwrap_or_else(|_| HeaderValue::from_static("image/jpeg"));
            let headers = [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300")),
                (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            ];
            Ok((headers, bytes).into_response())
        }
        None => Err(user.error(StatusCode::NOT_FOUND, "error.not_found")),
    }
}
