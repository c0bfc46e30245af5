//! Data-subject tools on a contact's page, for administrators: erase the
//! person's data after a confirmation that names them.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::DomainError;
use rapport_core::access::Admin;
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_db::records::{self, ErasedWords};

use super::session::{FormPost, WebUser};
use super::{Frame, WebError, WebResult, html};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "contacts/erase.html")]
struct ErasePage {
    frame: Frame,
    id: String,
    name: String,
    typed: String,
    error: Option<String>,
}

fn admin(user: &WebUser) -> Result<Admin, WebError> {
    Admin::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

async fn render(
    state: &AppState,
    user: &WebUser,
    admin: &Admin,
    id: RecordId,
    typed: &str,
    error: Option<String>,
) -> WebResult {
    let contact = records::get(&state.ctx, admin, RecordType::CONTACT, id).await.map_err(|e| user.fail(e))?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ErasePage {
        frame: user.frame("contacts", user.tr.t("privacy.erase_title")),
        id: id.0.to_string(),
        name: contact.display_name(),
        typed: typed.to_owned(),
        error,
    };
    Ok(html(status, &page))
}

/// What erasing will do, and the name to type to confirm it.
pub async fn confirm(State(state): State<AppState>, user: WebUser, Path(id): Path<uuid::Uuid>) -> WebResult {
    let admin = admin(&user)?;
    render(&state, &user, &admin, RecordId(id), "", None).await
}

/// Erases the contact when the typed name matches; back to its page.
pub async fn erase(State(state): State<AppState>, Path(id): Path<uuid::Uuid>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let id = RecordId(id);
    let typed = form.value("confirm_name").unwrap_or_default();
    let (name, subject) = (user.tr.t("privacy.erased_name"), user.tr.t("privacy.erased_subject"));
    let words = ErasedWords { name: &name, subject: &subject };
    match records::erase_contact(&state.ctx, &admin, id, words, Some(typed)).await {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/{}", id.0)).into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let message = errors.0.first().map(|e| super::fields::error_message(&user.tr, e)).unwrap_or_default();
            render(&state, user, &admin, id, typed, Some(message)).await
        }
        Err(error) => Err(user.fail(error)),
    }
}
