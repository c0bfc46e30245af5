//! Notifications: the list, marking them read, and the live stream every
//! signed-in tab listens to (server-sent events), so that a reminder falling
//! due, a lead assigned or a deal moved by someone else shows without a
//! reload. The stream reads the user's newest notifications every few
//! seconds: indexed by `(user_id, id)`, and it works across replicas.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect};
use futures::Stream;
use rapport_core::schema::RecordType;
use rapport_db::notifications::Notification;
use serde::Deserialize;
use uuid::Uuid;

use super::i18n::Tr;
use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, format, html};
use crate::state::AppState;

const POLL_EVERY: Duration = Duration::from_secs(3);

pub struct Line {
    pub id: String,
    pub title: String,
    pub href: Option<String>,
    pub when: String,
    pub unread: bool,
}

/// A notification's title in the user's language, from its kind and what
/// it quotes; as stored (English) for a kind the catalogue does not word.
pub fn title(tr: &Tr, notification: &Notification) -> String {
    let key = format!("notification.{}", notification.kind);
    Some(&notification.params)
        .filter(|params| !params.is_empty())
        .and_then(|params| tr.try_t_params(&key, params))
        .unwrap_or_else(|| notification.title.clone())
}

fn href(notification: &Notification) -> Option<String> {
    let kind = notification.record_type.as_deref().and_then(RecordType::parse)?;
    Some(format!("/{}/{}", kind.plural(), notification.record_id?.0))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    frame: Frame,
    lines: Vec<Line>,
    more_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    cursor: Option<String>,
}

pub async fn page(State(state): State<AppState>, user: WebUser, Query(query): Query<PageQuery>) -> WebResult {
    let page = rapport_db::notifications::for_user(&state.ctx, user.actor.user(), false, query.cursor.as_deref(), 50)
        .await
        .map_err(|e| user.fail(e))?;
    let lines = page
        .items
        .iter()
        .map(|n| Line {
            id: n.id.to_string(),
            title: title(&user.tr, n),
            href: href(n),
            when: format::datetime(n.created_at, user.zone, user.tr.locale),
            unread: n.read_at.is_none(),
        })
        .collect();
    let more_href = page
        .next_cursor
        .map(|c| format!("/notifications?{}", serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()));
    let page = NotificationsPage { lines, more_href, frame: user.frame("", user.tr.t("notifications.title")) };
    Ok(html(StatusCode::OK, &page))
}

pub async fn mark_read(State(state): State<AppState>, Path(id): Path<Uuid>, form: FormPost) -> WebResult {
    let user = &form.user;
    rapport_db::notifications::mark_read(&state.ctx, user.actor.user(), id).await.map_err(|e| user.fail(e))?;
    let back = super::safe_next(form.value("_back")).to_owned();
    Ok(Redirect::to(&back).into_response())
}

/// New notifications as they arrive: `event: notification` with
/// `{"title", "href"}`; the first event says how many are unread.
pub async fn stream(
    State(state): State<AppState>,
    user: WebUser,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let user_id = user.actor.user();
    let start = (state, None::<Uuid>, true, user.tr);
    let events = futures::stream::unfold(start, move |(state, mut newest, first, tr)| async move {
        if !first {
            let mut stopping = state.stopping.clone();
            tokio::select! {
                () = tokio::time::sleep(POLL_EVERY) => {}
                _ = stopping.wait_for(|stop| *stop) => return None,
            }
        }
        if *state.stopping.borrow() {
            return None;
        }
        let unread = rapport_db::notifications::for_user(&state.ctx, user_id, true, None, 20).await;
        let mut events = Vec::new();
        match unread {
            Ok(page) => {
                if first {
                    let count = serde_json::json!({"unread": page.items.len()});
                    events.push(Event::default().event("count").data(count.to_string()));
                } else {
                    for n in page.items.iter().rev().filter(|n| newest.is_none_or(|seen| n.id > seen)) {
                        let data = serde_json::json!({"title": title(&tr, n), "href": href(n)});
                        events.push(Event::default().event("notification").data(data.to_string()));
                    }
                }
                if let Some(top) = page.items.first() {
                    newest = Some(newest.map_or(top.id, |seen| seen.max(top.id)));
                }
            }
            Err(error) => tracing::warn!(%error, "the notification stream could not read"),
        }
        Some((futures::stream::iter(events.into_iter().map(Ok)), (state, newest, false, tr)))
    });
    use futures::StreamExt;
    Sse::new(events.flatten()).keep_alive(KeepAlive::default())
}
