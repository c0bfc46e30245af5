//! Sending a quote to its customer: the form that confirms the address,
//! then the e-mail with the PDF and the secret link to accept or decline,
//! queued in the same transaction that marks the quote sent.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use rapport_core::access::Writer;
use rapport_core::ids::RecordId;
use rapport_core::mail::Attachment;
use rapport_core::schema::RecordType;
use rapport_db::records::quotes::{self, Delivery};
use rapport_db::records::{self, Record};

use super::email::{Errors, field_errors};
use super::public::site_origin;
use super::records::{record_id, writer};
use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, format, html};
use crate::documents::{QuotePdfError, quote_document};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "quotes/send.html")]
struct SendPage {
    frame: Frame,
    id: String,
    /// "Q-2026-0001 · Annual plan · R$ 9.900,00".
    summary: String,
    to: String,
    /// The customer's language, as the message and PDF will be written.
    language: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "quotes/sent.html")]
struct SentPage {
    frame: Frame,
    id: String,
    to: String,
    until: String,
}

/// The send form: to the quote's contact unless the user types another address.
pub async fn form(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let id = record_id(&user, &id)?;
    let writer = writer(&user)?;
    let quote = records::get(&state.ctx, &user.actor, RecordType::QUOTE, id).await.map_err(|e| user.fail(e))?;
    let person = rapport_db::mail::recipient_of(&state.ctx, &writer, &quote).await.map_err(|e| user.fail(e))?;
    let to = person.as_ref().and_then(|(_, email, _)| email.as_ref()).map(ToString::to_string).unwrap_or_default();
    let language = person.and_then(|(_, _, language)| language);
    Ok(html(StatusCode::OK, &send_page(&user, &quote, to, language, Errors::none())))
}

fn send_page(user: &WebUser, quote: &Record, to: String, language: Option<String>, errors: Errors) -> SendPage {
    let number = quote.text("number").unwrap_or_default().to_owned();
    let language = language
        .map(|tag| user.tr.choice("language", &tag))
        .unwrap_or_else(|| user.tr.t("quote.send.account_language"));
    let total = quote.fields.get("total_minor").and_then(serde_json::Value::as_i64).unwrap_or_default();
    let total = format::money(total, quote.text("currency").unwrap_or("BRL"), user.tr.locale);
    let summary = [number.as_str(), quote.text("title").unwrap_or_default(), total.as_str()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    SendPage {
        frame: user.frame("quotes", user.tr.t1("quote.send.title", "number", number)),
        id: quote.id.0.to_string(),
        summary,
        to,
        language,
        errors,
    }
}

pub async fn send(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let id = record_id(user, &id)?;
    let writer: Writer = writer(user)?;
    let ctx = &state.ctx;
    let quote = records::get(ctx, &user.actor, RecordType::QUOTE, id).await.map_err(|e| user.fail(e))?;
    let document = match quote_document(ctx, &user.actor, &quote, user.tr.locale).await {
        Ok(document) => document,
        Err(QuotePdfError::Storage(error)) => return Err(user.fail(error)),
        Err(error) => {
            tracing::error!(%error, "a quote's PDF failed");
            return Err(user.error(StatusCode::INTERNAL_SERVER_ERROR, "error.internal"));
        }
    };
    let to = form.value("to").unwrap_or_default().trim().to_owned();
    let delivery = Delivery {
        to: Some(to.clone()).filter(|t| !t.is_empty()),
        pdf: Attachment { file_name: document.file_name, content_type: "application/pdf".into(), bytes: document.pdf },
        link_base: format!("{}/p/quotes/", site_origin(&headers)),
        total: document.total,
        valid_until: document.valid_until,
    };
    match quotes::send_by_email(ctx, &writer, RecordId(id.0), delivery).await {
        Ok(sent) => {
            let until = format::date(sent.link_expires_at.with_timezone(&user.zone).date_naive(), user.tr.locale);
            let page = SentPage {
                frame: user.frame("quotes", user.tr.t("quote.sent.title")),
                id: id.0.to_string(),
                to: if to.is_empty() { sent_to(ctx, &writer, &sent.quote).await } else { to },
                until,
            };
            Ok(html(StatusCode::OK, &page))
        }
        Err(error) => {
            let Some(errors) = field_errors(&error) else { return Err(user.fail(error)) };
            let language = document.tr.locale.tag().to_owned();
            let page = send_page(user, &quote, to, Some(language), Errors::new(&user.tr, &errors));
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// The contact's address the message went to, for the confirmation.
async fn sent_to(ctx: &rapport_db::Ctx, writer: &Writer, quote: &Record) -> String {
    match rapport_db::mail::recipient_of(ctx, writer, quote).await {
        Ok(Some((_, Some(email), _))) => email.to_string(),
        _ => String::new(),
    }
}
