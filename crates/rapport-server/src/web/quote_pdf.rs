//! A quote as the PDF its customer receives: in the contact's language
//! when they have one, else the user's, with the account's branding.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use rapport_core::ids::RecordId;
use rapport_core::line_items::parse_line_items;
use rapport_core::schema::RecordType;
use rapport_db::records::Record;
use rapport_documents::Party;
use serde_json::Value;

use super::WebResult;
use super::i18n::{Locale, Tr};
use super::session::WebUser;
use crate::documents::{QuoteSheet, quote_pdf};
use crate::state::AppState;

pub async fn download(State(state): State<AppState>, user: WebUser, Path(id): Path<uuid::Uuid>) -> WebResult {
    let ctx = &state.ctx;
    let fail = |e| user.fail(e);
    let quote = rapport_db::records::get(ctx, &user.actor, RecordType::QUOTE, RecordId(id)).await.map_err(fail)?;
    let referenced = |field: &str| quote.text(field).and_then(|id| uuid::Uuid::parse_str(id).ok()).map(RecordId);
    // A contact or company the user may not see is left off, not an error.
    let contact = match referenced("contact_id") {
        Some(id) => rapport_db::records::get(ctx, &user.actor, RecordType::CONTACT, id).await.ok(),
        None => None,
    };
    let company = match referenced("company_id") {
        Some(id) => rapport_db::records::get(ctx, &user.actor, RecordType::COMPANY, id).await.ok(),
        None => None,
    };
    let locale = contact.as_ref().and_then(|c| c.text("language")).and_then(Locale::parse).unwrap_or(user.tr.locale);
    let tr = Tr::new(locale);
    let salesperson = match quote.owner_id {
        Some(owner) => rapport_db::users::directory(ctx, &user.actor)
            .await
            .map_err(fail)?
            .into_iter()
            .find(|c| c.id.0 == owner)
            .map(|c| c.name),
        None => None,
    };
    let conn = ctx.db.conn();
    let branding = rapport_db::branding::load(conn).await.map_err(fail)?;
    let logo = rapport_db::branding::logo(conn).await.map_err(fail)?.map(|l| l.bytes);
    let lines = parse_line_items(quote.fields.get("lines").unwrap_or(&Value::Array(Vec::new())))
        .map_err(|_| user.error(StatusCode::INTERNAL_SERVER_ERROR, "error.internal"))?;
    let number = quote.text("number").unwrap_or_default();
    let number = match quote.fields.get("revision").and_then(Value::as_i64) {
        Some(revision) if revision > 1 => format!("{number} · rev. {revision}"),
        _ => number.to_owned(),
    };
    let sent = quote.text("sent_at").and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let sheet = QuoteSheet {
        number: number.clone(),
        issued: sent.map_or(quote.created_at.date_naive(), |at| at.date_naive()),
        valid_until: quote.text("valid_until").and_then(|d| d.parse().ok()),
        salesperson,
        customer: customer(contact.as_ref(), company.as_ref()),
        currency: quote.text("currency").unwrap_or("BRL").to_owned(),
        details: vec![Vec::new(); lines.len()],
        lines,
        discount_bp: quote.fields.get("discount_bp").and_then(Value::as_i64).unwrap_or_default(),
        terms: String::new(),
    };
    let pdf = quote_pdf(&sheet, &branding, logo, &tr).map_err(|error| {
        tracing::error!(%error, "a quote's PDF failed");
        user.error(StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
    })?;
    let file_name = format!("{}.pdf", number.split(' ').next().unwrap_or("quote"));
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{file_name}\""))
        .unwrap_or(HeaderValue::from_static("inline; filename=\"quote.pdf\""));
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
    ];
    Ok((headers, pdf).into_response())
}

/// The customer block: the contact, their company and e-mail.
fn customer(contact: Option<&Record>, company: Option<&Record>) -> Party {
    let company_name = company.and_then(|c| c.text("name")).unwrap_or_default().to_owned();
    match contact {
        Some(contact) => {
            let mut lines = Vec::new();
            if !company_name.is_empty() {
                lines.push(company_name);
            }
            let email = contact.fields.get("emails").and_then(Value::as_array).and_then(|e| e.first());
            if let Some(email) = email.and_then(Value::as_str) {
                lines.push(email.to_owned());
            }
            Party { name: contact.display_name(), lines }
        }
        None => Party { name: company_name, lines: Vec::new() },
    }
}
