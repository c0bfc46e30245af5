//! E-mail pages: the administrators' settings (SMTP, test message),
//! templates and outbox, and the compose page of a record.

mod compose;
mod outbox;
mod settings;
mod templates;

pub use compose::{compose_page, send as send_from_record};
pub use outbox::{message as outbox_message, page as outbox_page, retry as outbox_retry};
pub use settings::{page as settings_page, save as save_settings, send_test};
pub use templates::{edit as template_page, list as templates_page, reset as reset_template, save as save_template};

use axum::http::StatusCode;
use rapport_core::FieldError;
use rapport_core::access::Admin;
use rapport_db::mail::Status;

use super::i18n::Tr;
use super::session::WebUser;

fn admin(user: &WebUser) -> Result<Admin, super::WebError> {
    Admin::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

/// The sub-navigation of the e-mail pages.
pub struct Tab {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

fn tabs(tr: &Tr, current: &str) -> Vec<Tab> {
    [
        ("/settings/email", "email.settings"),
        ("/settings/email/templates", "email.templates"),
        ("/settings/email/outbox", "email.outbox"),
    ]
    .into_iter()
    .map(|(href, key)| Tab { href, label: tr.t(key), current: href == current })
    .collect()
}

/// The field errors of a service error, if it is a validation failure.
pub(in crate::web) fn field_errors(error: &rapport_db::Error) -> Option<Vec<FieldError>> {
    match error {
        rapport_db::Error::Domain(rapport_core::DomainError::Validation(errors)) => Some(errors.0.clone()),
        _ => None,
    }
}

/// Each field's error in the user's language.
pub struct Errors(Vec<(String, String)>);

impl Errors {
    pub(in crate::web) fn new(tr: &Tr, errors: &[FieldError]) -> Self {
        Self(errors.iter().map(|e| (e.field.clone(), super::fields::error_message(tr, e))).collect())
    }

    pub(in crate::web) fn none() -> Self {
        Self(Vec::new())
    }

    /// The error of `field` (or of a part of it), or "".
    pub fn of(&self, field: &str) -> String {
        self.0
            .iter()
            .find(|(f, _)| f == field || f.starts_with(&format!("{field}.")) || f.starts_with(&format!("{field}[")))
            .map(|(_, message)| message.clone())
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A status as it reads, and the class that colours it.
pub fn status_label(tr: &Tr, status: Status) -> (String, &'static str) {
    (tr.t(&format!("email.status.{}", status.as_str())), status.as_str())
}

/// A message about a record, as its timeline shows it: to whom, the
/// subject, and where it stands (with the server's reason when it failed).
pub fn timeline_entry(user: &WebUser, when: String, data: &serde_json::Value) -> super::records::Entry {
    let text = |key: &str| data.get(key).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
    let to = data
        .get("to")
        .and_then(serde_json::Value::as_array)
        .map(|list| list.iter().filter_map(serde_json::Value::as_str).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let status = Status::parse(&text("status")).unwrap_or(Status::Queued);
    let (label, class) = status_label(&user.tr, status);
    let title = user.tr.t_with(
        "email.timeline",
        &[
            ("to", super::i18n::Arg::Text(to)),
            ("subject", super::i18n::Arg::Text(text("subject"))),
            ("status", super::i18n::Arg::Text(label)),
        ],
    );
    let error = text("last_error");
    let body = if error.is_empty() { text("body").chars().take(300).collect() } else { error };
    super::records::Entry { when, kind: "email", icon: format!("email {class}"), title, body, href: None }
}
