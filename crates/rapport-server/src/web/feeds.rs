//! `GET /calendar/{secret}.ics`: a user's activities for calendar apps, with
//! no session (the secret is the credential; an unknown one is "not found").

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn serve(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics").filter(|t| !t.is_empty() && t.len() <= 100) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match rapport_db::calendar_feeds::feed(&state.ctx, token).await {
        Ok(Some((user, activities))) => {
            let items: Vec<serde_json::Map<String, serde_json::Value>> = activities
                .iter()
                .filter_map(|a| match a.to_json() {
                    serde_json::Value::Object(map) => Some(map),
                    _ => None,
                })
                .collect();
            let body = rapport_core::ical::calendar(&format!("Rapport · {}", user.name), &items, state.ctx.now());
            let headers = [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ];
            (headers, body).into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "a calendar feed failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
