//! Contacts from vCard files: `POST /api/v1/contacts/import.vcf`.

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, header};
use axum::routing::post;
use rapport_core::vcard::NoteLabels;
use rapport_db::records::{self, MAX_VCARD_BYTES, VcardReport};

use crate::auth::WriterUser;
use crate::error::{ApiResult, Problem};
use crate::json::VcardBody;
use crate::state::AppState;
use crate::web::i18n::{Locale, Tr};

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/contacts/import.vcf", post(import_vcf).layer(DefaultBodyLimit::max(MAX_VCARD_BYTES + 1024)))
}

/// The words of the note that keeps what a contact has no field for, in the
/// language of `Accept-Language`.
fn note_words(headers: &HeaderMap) -> (String, String) {
    let locale =
        headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map_or(Locale::En, Locale::negotiate);
    let tr = Tr::new(locale);
    (tr.t("imports.vcard_address"), tr.t("imports.vcard_organization"))
}

/// Imports contacts from a vCard file (3.0 from Google Contacts or iPhone,
/// 2.1 from Outlook, 4.0): a contact per card unless one with its e-mail
/// exists; photos kept; notes, organization and further addresses kept as a
/// note. The report says, card by card, what was created, skipped or
/// rejected and why.
#[utoipa::path(post, path = "/api/v1/contacts/import.vcf", tag = "contacts",
    request_body(content = String, content_type = "text/vcard"),
    responses((status = 200, body = VcardReport), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn import_vcf(
    State(state): State<AppState>,
    WriterUser(writer): WriterUser,
    headers: HeaderMap,
    VcardBody(body): VcardBody,
) -> ApiResult<Json<VcardReport>> {
    let (address, organization) = note_words(&headers);
    let labels = NoteLabels { address: &address, organization: &organization };
    Ok(Json(records::import_vcards(&state.ctx, &writer, &body, labels).await?))
}
