//! A quote as the PDF its customer receives: in the contact's language
//! when they have one, else the user's, with the account's branding.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;

use super::WebResult;
use super::session::WebUser;
use crate::documents::{QuoteDocument, QuotePdfError, quote_document};
use crate::state::AppState;

pub async fn download(State(state): State<AppState>, user: WebUser, Path(id): Path<uuid::Uuid>) -> WebResult {
    let ctx = &state.ctx;
    let quote =
        rapport_db::records::get(ctx, &user.actor, RecordType::QUOTE, RecordId(id)).await.map_err(|e| user.fail(e))?;
    match quote_document(ctx, &user.actor, &quote, user.tr.locale).await {
        Ok(document) => Ok(pdf_response(document)),
        Err(QuotePdfError::Storage(error)) => Err(user.fail(error)),
        Err(error) => {
            tracing::error!(%error, "a quote's PDF failed");
            Err(user.error(StatusCode::INTERNAL_SERVER_ERROR, "error.internal"))
        }
    }
}

/// The PDF to open in the browser, kept out of shared caches.
pub fn pdf_response(document: QuoteDocument) -> Response {
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{}\"", document.file_name))
        .unwrap_or(HeaderValue::from_static("inline; filename=\"quote.pdf\""));
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
    ];
    (headers, document.pdf).into_response()
}
