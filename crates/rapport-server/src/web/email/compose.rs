//! Writing to a record's person from its page: to the record's e-mail (or
//! its contact's), subject and body, optionally started from a template.
//! The message goes through the outbox and shows on the record's timeline.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::mail::templates::BUILT_IN;
use rapport_db::mail::{self, RecordEmail};

use super::super::records::{kind, record_id, section_of, writer};
use super::super::session::{FormPost, WebUser};
use super::super::{Frame, WebResult, html};
use super::{Errors, field_errors};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "email/compose.html")]
struct ComposePage {
    frame: Frame,
    back: String,
    action: String,
    name: String,
    to: String,
    template: String,
    templates: Vec<(String, String)>,
    subject: String,
    body: String,
    errors: Errors,
}

/// The templates a user may start a message from: those written to a
/// record's person with no more than a record's message knows (not the test
/// message, not a quote's, which its own send form writes).
fn template_choices(user: &WebUser) -> Vec<(String, String)> {
    let known = |placeholder: &&str| ["recipient.", "record.", "sender."].iter().any(|p| placeholder.starts_with(p));
    BUILT_IN
        .iter()
        .filter(|t| t.placeholders.contains(&"recipient.name") && t.placeholders.iter().all(known))
        .map(|t| (t.key.to_owned(), user.tr.t(&format!("email.template.{}", t.key))))
        .collect()
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ComposeQuery {
    template: Option<String>,
}

pub async fn compose_page(
    State(state): State<AppState>,
    user: WebUser,
    Path((segment, id)): Path<(String, String)>,
    Query(query): Query<ComposeQuery>,
) -> WebResult {
    let record_type = kind(&user, &segment)?;
    let id = record_id(&user, &id)?;
    let writer = writer(&user)?;
    let record = rapport_db::records::get(&state.ctx, &user.actor, record_type, id).await.map_err(|e| user.fail(e))?;
    let template = query.template.unwrap_or_default();
    let (draft, errors) = match mail::draft(&state.ctx, &writer, record_type, id, Some(template.as_str())).await {
        Ok(draft) => (draft, Errors::none()),
        Err(error) => {
            let Some(errors) = field_errors(&error) else { return Err(user.fail(error)) };
            let draft = mail::draft(&state.ctx, &writer, record_type, id, None).await.map_err(|e| user.fail(e))?;
            (draft, Errors::new(&user.tr, &errors))
        }
    };
    let base = format!("/{}/{}", record_type.plural(), id.0);
    let page = ComposePage {
        action: format!("{base}/email"),
        back: base,
        name: record.display_name(),
        to: draft.to,
        template,
        templates: template_choices(&user),
        subject: draft.subject,
        body: draft.body,
        errors,
        frame: user.frame(section_of(record_type), user.tr.t1("email.compose_title", "name", record.display_name())),
    };
    Ok(html(StatusCode::OK, &page))
}

pub async fn send(
    State(state): State<AppState>,
    Path((segment, id)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let record_type = kind(user, &segment)?;
    let id = record_id(user, &id)?;
    let writer = writer(user)?;
    let text = |name: &str| form.value(name).map(str::to_owned);
    let input = RecordEmail {
        to: text("to"),
        template: text("template").filter(|t| !t.is_empty()),
        subject: text("subject"),
        body: text("body").map(|b| b.replace("\r\n", "\n")),
    };
    let base = format!("/{}/{}", record_type.plural(), id.0);
    match mail::send_about_record(&state.ctx, &writer, record_type, id, &input).await {
        Ok(_) => Ok(Redirect::to(&base).into_response()),
        Err(error) => {
            let Some(errors) = field_errors(&error) else { return Err(user.fail(error)) };
            let record =
                rapport_db::records::get(&state.ctx, &user.actor, record_type, id).await.map_err(|e| user.fail(e))?;
            let page = ComposePage {
                action: format!("{base}/email"),
                back: base,
                name: record.display_name(),
                to: input.to.unwrap_or_default(),
                template: input.template.unwrap_or_default(),
                templates: template_choices(user),
                subject: input.subject.unwrap_or_default(),
                body: input.body.unwrap_or_default(),
                errors: Errors::new(&user.tr, &errors),
                frame: user
                    .frame(section_of(record_type), user.tr.t1("email.compose_title", "name", record.display_name())),
            };
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}
