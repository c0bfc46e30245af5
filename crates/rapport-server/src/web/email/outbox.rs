//! Settings › E-mail › Outbox: recent messages, their status and error, and
//! "send again" for a failed one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect};
use rapport_db::mail::{self, OutboxMessage, Status};
use uuid::Uuid;

use super::super::session::{FormPost, WebUser};
use super::super::{Frame, WebResult, format, html};
use super::{Tab, admin, status_label, tabs};
use crate::state::AppState;

pub struct Line {
    pub id: String,
    pub when: String,
    pub to: String,
    pub subject: String,
    pub status: String,
    pub status_class: &'static str,
    pub error: String,
    pub failed: bool,
    /// The record the message is about, as a link.
    pub record_href: Option<String>,
}

fn line(user: &WebUser, message: &OutboxMessage) -> Line {
    let (status, status_class) = status_label(&user.tr, message.status);
    Line {
        id: message.id.to_string(),
        when: format::datetime(message.created_at, user.zone, user.tr.locale),
        to: message.to.join(", "),
        subject: message.subject.clone(),
        status,
        status_class,
        error: message.last_error.clone().unwrap_or_default(),
        failed: message.status == Status::Failed,
        record_href: match (&message.related_type, message.related_id) {
            (Some(kind), Some(id)) => {
                rapport_core::schema::RecordType::parse(kind).map(|k| format!("/{}/{id}", k.plural()))
            }
            _ => None,
        },
    }
}

#[derive(Template)]
#[template(path = "email/outbox.html")]
struct OutboxPage {
    frame: Frame,
    tabs: Vec<Tab>,
    lines: Vec<Line>,
    more: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct OutboxQuery {
    cursor: Option<String>,
}

pub async fn page(State(state): State<AppState>, user: WebUser, Query(query): Query<OutboxQuery>) -> WebResult {
    let admin = admin(&user)?;
    let page = mail::list(&state.ctx, &admin, query.cursor.as_deref(), 50).await.map_err(|e| user.fail(e))?;
    let more = page.next_cursor.map(|c| {
        format!("/settings/email/outbox?{}", serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default())
    });
    let page = OutboxPage {
        lines: page.items.iter().map(|m| line(&user, m)).collect(),
        more,
        tabs: tabs(&user.tr, "/settings/email/outbox"),
        frame: user.frame("settings", user.tr.t("email.outbox")),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct MessagePage {
    frame: Frame,
    tabs: Vec<Tab>,
    line: Line,
    message: OutboxMessage,
    pending: bool,
    sent_at: String,
}

/// One message; while it waits for the worker the page reloads itself
/// every 2 s (a `Refresh` header: no script needed), so that the test
/// message's outcome appears.
pub async fn message(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let admin = admin(&user)?;
    let id = Uuid::parse_str(&id).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))?;
    let message = mail::get(&state.ctx, &admin, id).await.map_err(|e| user.fail(e))?;
    let pending = matches!(message.status, Status::Queued | Status::Sending);
    let page = MessagePage {
        line: line(&user, &message),
        sent_at: message.sent_at.map(|at| format::datetime(at, user.zone, user.tr.locale)).unwrap_or_default(),
        pending,
        message,
        tabs: tabs(&user.tr, "/settings/email/outbox"),
        frame: user.frame("settings", user.tr.t("email.message_title")),
    };
    let mut response = html(StatusCode::OK, &page);
    if pending {
        response.headers_mut().insert("refresh", HeaderValue::from_static("2"));
    }
    Ok(response)
}

pub async fn retry(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let id = Uuid::parse_str(&id).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))?;
    match mail::retry(&state.ctx, &admin, id).await {
        // Sent or queued meanwhile: the page shows where it stands.
        Ok(_) | Err(rapport_db::Error::Domain(rapport_core::DomainError::Conflict { .. })) => {
            Ok(Redirect::to(&format!("/settings/email/outbox/{id}")).into_response())
        }
        Err(error) => Err(user.fail(error)),
    }
}
