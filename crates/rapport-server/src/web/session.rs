//! Who is signed in to a page, and forms that prove they came from our pages.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono_tz::Tz;
use rapport_core::access::Actor;
use rapport_db::users::User;

use super::i18n::{Locale, Tr};
use super::{Frame, WebError};
use crate::auth::{CSRF_HEADER, MAX_SESSION_COOKIES, SESSION_COOKIE, constant_time_eq, cookies};
use crate::state::AppState;

/// The signed-in user of a page (by session cookie; bearer tokens are for
/// the API). Without a live session the browser goes to the sign-in page
/// and comes back afterwards.
pub struct WebUser {
    pub actor: Actor,
    pub user: User,
    pub csrf: String,
    pub tr: Tr,
    pub zone: Tz,
}

impl WebUser {
    /// The frame of a page in `section`, titled by a message key.
    pub fn frame(&self, section: &'static str, title: impl Into<String>) -> Frame {
        Frame {
            tr: self.tr.clone(),
            csrf: self.csrf.clone(),
            user_name: self.user.name.clone(),
            admin: self.actor.role == rapport_core::access::Role::Admin,
            section,
            title: title.into(),
        }
    }

    /// An error page in this user's language.
    pub fn fail(&self, error: rapport_db::Error) -> WebError {
        WebError::from_service(self.frame("", self.tr.t("error.title")), error)
    }

    pub fn error(&self, status: StatusCode, key: &str) -> WebError {
        WebError::new(self.frame("", self.tr.t("error.title")), status, key)
    }
}

/// The language of someone not signed in: from their browser.
pub fn browser_locale(parts: &Parts) -> Locale {
    parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map_or(Locale::En, Locale::negotiate)
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let internal = |error: rapport_db::Error| {
            WebError::from_service(Frame::anonymous(Tr::new(browser_locale(parts)), "error.title"), error)
                .into_response()
        };
        for session in cookies(parts, SESSION_COOKIE).take(MAX_SESSION_COOKIES) {
            let found = rapport_db::auth::session_actor(&state.ctx, session, &state.config.sessions).await;
            let Some((actor, csrf)) = found.map_err(internal)? else { continue };
            let user = rapport_db::users::get(state.ctx.db.conn(), actor.user()).await.map_err(internal)?;
            let Some(user) = user else { continue };
            let tr = Tr::new(Locale::parse(&user.locale).unwrap_or_default());
            let zone = user.time_zone.parse().unwrap_or(chrono_tz::UTC);
            return Ok(Self { actor, user, csrf, tr, zone });
        }
        let back = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let query = serde_urlencoded::to_string([("next", back)]).unwrap_or_default();
        Err(Redirect::to(&format!("/sign-in?{query}")).into_response())
    }
}

/// A form posted by one of our pages: the signed-in user and the fields in
/// order (repeated names kept). Its `_csrf` field, or the `X-CSRF-Token`
/// header for scripts, must carry the session's token.
pub struct FormPost {
    pub user: WebUser,
    pub fields: Vec<(String, String)>,
}

impl FormPost {
    /// The last value given for a field (a checkbox after its hidden default).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The largest form accepted (a record with long notes).
const MAX_FORM_BYTES: usize = 256 * 1024;

impl FromRequest<AppState> for FormPost {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let user = WebUser::from_request_parts(&mut parts, state).await?;
        let header_token = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| user.error(StatusCode::PAYLOAD_TOO_LARGE, "error.form").into_response())?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| user.error(StatusCode::BAD_REQUEST, "error.form").into_response())?;
        let form_token = fields.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str());
        let presented = form_token.or(header_token.as_deref());
        if !presented.is_some_and(|token| constant_time_eq(token, &user.csrf)) {
            return Err(user.error(StatusCode::FORBIDDEN, "error.csrf").into_response());
        }
        Ok(Self { user, fields })
    }
}
