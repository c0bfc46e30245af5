//! The user's own account: name, language, time zone, password, API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::{AccountHolder, Scope, Writer};
use rapport_core::ids::TokenId;
use rapport_db::users::OnPasswordChange;
use uuid::Uuid;

use super::i18n::Locale;
use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, format, html};
use crate::auth::ClientIp;
use crate::state::AppState;

/// Zones offered first; any IANA zone typed is accepted.
const ZONES: &[&str] = &[
    "America/Sao_Paulo",
    "America/Manaus",
    "America/Recife",
    "America/Fortaleza",
    "America/Belem",
    "America/Cuiaba",
    "America/Rio_Branco",
    "America/Argentina/Buenos_Aires",
    "America/Santiago",
    "America/Montevideo",
    "America/Asuncion",
    "America/La_Paz",
    "America/Lima",
    "America/Bogota",
    "America/Caracas",
    "America/Mexico_City",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/London",
    "UTC",
];

pub struct TokenLine {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    frame: Frame,
    name: String,
    email: String,
    locale: &'static str,
    locales: Vec<(&'static str, &'static str)>,
    time_zone: String,
    zones: &'static [&'static str],
    tokens: Vec<TokenLine>,
    /// A token just made: its secret, shown this once.
    new_secret: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    /// "On since …" when the user has a calendar feed.
    calendar_since: Option<String>,
    /// The feed's link, just made: shown this once.
    calendar_url: Option<String>,
    /// Where WhatsApp reminders go (E.164), if given.
    whatsapp_phone: String,
}

async fn render(
    state: &AppState,
    user: &WebUser,
    new_secret: Option<String>,
    notice: Option<String>,
    error: Option<String>,
) -> WebResult {
    render_with(state, user, new_secret, notice, error, None).await
}

async fn render_with(
    state: &AppState,
    user: &WebUser,
    new_secret: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    calendar_url: Option<String>,
) -> WebResult {
    let whatsapp_phone = rapport_db::whatsapp::number_of(state.ctx.db.conn(), user.actor.user())
        .await
        .map_err(|e| user.fail(e))?
        .unwrap_or_default();
    let calendar = rapport_db::calendar_feeds::status(&state.ctx, user.actor.user()).await.map_err(|e| user.fail(e))?;
    let tokens = rapport_db::auth::list_tokens(&state.ctx, user.actor.user()).await.map_err(|e| user.fail(e))?;
    let when =
        |at: Option<DateTime<Utc>>| at.map(|at| format::datetime(at, user.zone, user.tr.locale)).unwrap_or_default();
    let page = ProfilePage {
        name: user.user.name.clone(),
        email: user.user.email.clone(),
        locale: user.tr.locale.tag(),
        locales: Locale::ALL.iter().map(|l| (l.tag(), l.native_name())).collect(),
        time_zone: user.user.time_zone.clone(),
        zones: ZONES,
        tokens: tokens
            .iter()
            .map(|t| TokenLine {
                id: t.id.0.to_string(),
                name: t.name.clone(),
                scope: user.tr.t(&format!("profile.scope_{}", t.scope.as_str())),
                created: when(Some(t.created_at)),
                last_used: when(t.last_used_at),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        new_secret,
        notice,
        error,
        calendar_since: calendar
            .map(|at| user.tr.t1("profile.calendar_since", "when", format::datetime(at, user.zone, user.tr.locale))),
        calendar_url,
        whatsapp_phone,
        frame: user.frame("", user.tr.t("profile.title")),
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(html(status, &page))
}

pub async fn page(State(state): State<AppState>, user: WebUser) -> WebResult {
    render(&state, &user, None, None, None).await
}

fn account(user: &WebUser) -> Result<AccountHolder, super::WebError> {
    AccountHolder::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

/// The name others see.
pub async fn name(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let account = account(user)?;
    let name = form.value("name").unwrap_or_default();
    match rapport_db::users::set_preferences(&state.ctx, &account, Some(name), None, None).await {
        Ok(()) => Ok(Redirect::to("/profile").into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let message = errors.0.first().map(|e| super::fields::error_message(&user.tr, e)).unwrap_or_default();
            render(&state, user, None, None, Some(message)).await
        }
        Err(error) => Err(user.fail(error)),
    }
}

/// The user's WhatsApp number, where cadence reminders go.
pub async fn whatsapp(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let account = account(user)?;
    let phone = form.value("whatsapp_phone").unwrap_or_default();
    match rapport_db::whatsapp::set_own_number(&state.ctx, &account, phone).await {
        Ok(_) => Ok(Redirect::to("/profile").into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let message = errors.0.first().map(|e| super::fields::error_message(&user.tr, e)).unwrap_or_default();
            render(&state, user, None, None, Some(message)).await
        }
        Err(error) => Err(user.fail(error)),
    }
}

/// A new password: checked against the current one under the sign-in
/// policy; all sessions end (this one too), and API tokens are revoked
/// unless the user keeps them.
pub async fn password(State(state): State<AppState>, ClientIp(ip): ClientIp, form: FormPost) -> WebResult {
    let user = &form.user;
    account(user)?;
    let current = form.value("current_password").unwrap_or_default();
    let new = form.value("new_password").unwrap_or_default();
    let checked =
        rapport_db::auth::login(&state.ctx, &user.user.email, current, &ip, &state.config.login_throttle).await;
    if checked.is_err() {
        return render(&state, user, None, None, Some(user.tr.t("profile.wrong_password"))).await;
    }
    let then = if form.value("keep_tokens") == Some("true") {
        OnPasswordChange::KeepTokens
    } else {
        OnPasswordChange::RevokeTokens
    };
    match rapport_db::users::set_password(&state.ctx, user.actor.user(), new, then).await {
        Ok(()) => Ok(Redirect::to("/sign-in?changed=1").into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let message = errors.0.first().map(|e| super::fields::error_message(&user.tr, e)).unwrap_or_default();
            render(&state, user, None, None, Some(message)).await
        }
        Err(error) => Err(user.fail(error)),
    }
}

pub async fn create_token(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    account(user)?;
    let scope = if form.value("scope") == Some("read_write") { Scope::ReadWrite } else { Scope::Read };
    if scope == Scope::ReadWrite && Writer::try_from(user.actor.clone()).is_err() {
        return Err(user.error(StatusCode::FORBIDDEN, "error.forbidden"));
    }
    let name = form.value("name").unwrap_or_default();
    match rapport_db::auth::create_token(&state.ctx, user.actor.user(), name, scope, None).await {
        Ok((_, secret)) => render(&state, user, Some(secret), None, None).await,
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let message = errors.0.first().map(|e| super::fields::error_message(&user.tr, e)).unwrap_or_default();
            render(&state, user, None, None, Some(message)).await
        }
        Err(error) => Err(user.fail(error)),
    }
}

pub async fn revoke_token(State(state): State<AppState>, Path(id): Path<Uuid>, form: FormPost) -> WebResult {
    let user = &form.user;
    account(user)?;
    rapport_db::auth::revoke_token(&state.ctx, Some(user.actor.user()), TokenId(id)).await.map_err(|e| user.fail(e))?;
    render(&state, user, None, Some(user.tr.t("profile.revoked")), None).await
}

/// A new secret link to the user's calendar feed (the old one stops
/// working), shown once with this site's address as the browser sent it.
pub async fn create_calendar(State(state): State<AppState>, headers: HeaderMap, form: FormPost) -> WebResult {
    let user = &form.user;
    let holder = account(user)?;
    let token = rapport_db::calendar_feeds::create(&state.ctx, &holder).await.map_err(|e| user.fail(e))?;
    let url = format!("{}/calendar/{token}.ics", super::public::site_origin(&headers));
    render_with(&state, user, None, Some(user.tr.t("profile.calendar_created")), None, Some(url)).await
}

/// Turns the calendar feed off: its link stops working.
pub async fn turn_off_calendar(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let holder = account(user)?;
    rapport_db::calendar_feeds::turn_off(&state.ctx, &holder).await.map_err(|e| user.fail(e))?;
    render(&state, user, None, Some(user.tr.t("profile.calendar_turned_off")), None).await
}
