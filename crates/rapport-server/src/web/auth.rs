//! Signing in and out, the first administrator, and the user's preferences.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rapport_core::DomainError;
use rapport_core::access::{AccountHolder, Role};
use rapport_db::users::NewUser;
use serde::Deserialize;

use super::i18n::{Locale, Tr};
use super::session::{FormPost, browser_locale};
use super::{Frame, html, safe_next};
use crate::auth::routes::session_cookie;
use crate::auth::{ClientIp, SessionToken, constant_time_eq};
use crate::state::AppState;

/// The language of an anonymous request, as an extractor.
pub struct BrowserLanguage(pub Tr);

impl axum::extract::FromRequestParts<AppState> for BrowserLanguage {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(Tr::new(browser_locale(parts))))
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    frame: Frame,
    next: String,
    email: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    done: Option<String>,
    changed: Option<String>,
}

pub async fn sign_in_page(BrowserLanguage(tr): BrowserLanguage, Query(query): Query<SignInQuery>) -> Response {
    let notice = if query.done.is_some() {
        Some(tr.t("setup.done"))
    } else {
        query.changed.is_some().then(|| tr.t("profile.password_changed"))
    };
    let next = safe_next(query.next.as_deref()).to_owned();
    let page =
        SignInPage { frame: Frame::anonymous(tr, "sign_in.title"), next, email: String::new(), error: None, notice };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// Signs in with the same service and policy as the API's login. The form
/// needs no CSRF token (there is no session yet); `SameSite` cookies and the
/// form-action policy keep other sites from signing a browser in.
pub async fn sign_in(
    State(state): State<AppState>,
    BrowserLanguage(tr): BrowserLanguage,
    ClientIp(ip): ClientIp,
    axum::Form(form): axum::Form<SignInForm>,
) -> Response {
    let next = safe_next(form.next.as_deref()).to_owned();
    let login = rapport_db::auth::login(&state.ctx, &form.email, &form.password, &ip, &state.config.login_throttle);
    let failed = |tr: Tr, status: StatusCode, message: String| {
        let frame = Frame::anonymous(tr, "sign_in.title");
        html(
            status,
            &SignInPage { frame, next: next.clone(), email: form.email.clone(), error: Some(message), notice: None },
        )
    };
    let user = match login.await {
        Ok(user) => user,
        Err(rapport_db::Error::Domain(DomainError::Throttled { retry_after_secs })) => {
            let message = tr.t1("sign_in.throttled", "seconds", retry_after_secs.to_string());
            return failed(tr, StatusCode::TOO_MANY_REQUESTS, message);
        }
        Err(rapport_db::Error::Domain(DomainError::Busy { .. })) => {
            let message = tr.t("sign_in.busy");
            return failed(tr, StatusCode::SERVICE_UNAVAILABLE, message);
        }
        Err(rapport_db::Error::Domain(DomainError::Unauthenticated)) => {
            let message = tr.t("sign_in.failed");
            return failed(tr, StatusCode::UNAUTHORIZED, message);
        }
        Err(error) => {
            tracing::error!(%error, "sign-in failed");
            let message = tr.t("error.internal");
            return failed(tr, StatusCode::INTERNAL_SERVER_ERROR, message);
        }
    };
    match rapport_db::auth::create_session(&state.ctx, user.id, &state.config.sessions).await {
        Ok(session) => {
            let max_age = state.config.sessions.lifetime.num_seconds();
            let cookie = session_cookie(&state, &session.token, max_age);
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "could not start a session");
            let message = tr.t("error.internal");
            failed(tr, StatusCode::INTERNAL_SERVER_ERROR, message)
        }
    }
}

pub async fn sign_out(State(state): State<AppState>, SessionToken(token): SessionToken, form: FormPost) -> Response {
    // The form's CSRF check proved this is the user's own page asking.
    drop(form);
    if let Some(token) = token {
        if let Err(error) = rapport_db::auth::end_session(&state.ctx, &token).await {
            tracing::error!(%error, "could not end a session");
        }
    }
    ([(header::SET_COOKIE, session_cookie(&state, "", 0))], Redirect::to("/sign-in")).into_response()
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    frame: Frame,
    token: String,
    name: String,
    email: String,
    errors: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct SetupQuery {
    token: Option<String>,
}

fn setup_token_valid(state: &AppState, token: &str) -> bool {
    state.setup_token.as_deref().is_some_and(|expected| constant_time_eq(expected, token))
}

/// The first run: `serve` prints this page's address with its one-time token.
pub async fn setup_page(
    State(state): State<AppState>,
    BrowserLanguage(tr): BrowserLanguage,
    Query(query): Query<SetupQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    let users = rapport_db::users::count(&state.ctx).await.unwrap_or(1);
    if !setup_token_valid(&state, &token) || users > 0 {
        let frame = Frame::anonymous(tr, "setup.title");
        let message = frame.t("setup.invalid");
        return html(StatusCode::FORBIDDEN, &super::ErrorPage { frame, message });
    }
    let page = SetupPage {
        frame: Frame::anonymous(tr, "setup.title"),
        token,
        name: String::new(),
        email: String::new(),
        errors: vec![],
    };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct SetupForm {
    token: String,
    name: String,
    email: String,
    password: String,
}

pub async fn setup(
    State(state): State<AppState>,
    BrowserLanguage(tr): BrowserLanguage,
    axum::Form(form): axum::Form<SetupForm>,
) -> Response {
    if !setup_token_valid(&state, &form.token) {
        let frame = Frame::anonymous(tr, "setup.title");
        let message = frame.t("setup.invalid");
        return html(StatusCode::FORBIDDEN, &super::ErrorPage { frame, message });
    }
    let input = NewUser {
        email: form.email.clone(),
        name: form.name.clone(),
        password: form.password,
        role: Role::Admin,
        locale: tr.locale.tag().to_owned(),
    };
    match rapport_db::users::create_first_admin(&state.ctx, &input).await {
        Ok(_) => {
            if tr.locale != Locale::En {
                name_default_pipeline(&state, &tr).await;
            }
            Redirect::to("/sign-in?done=1").into_response()
        }
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let errors = errors.0.iter().map(|e| super::fields::error_message(&tr, e)).collect();
            let frame = Frame::anonymous(tr, "setup.title");
            let page = SetupPage { frame, token: form.token, name: form.name, email: form.email, errors };
            html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(_) => {
            let frame = Frame::anonymous(tr, "setup.title");
            let message = frame.t("setup.invalid");
            html(StatusCode::FORBIDDEN, &super::ErrorPage { frame, message })
        }
    }
}

/// The pipeline made at first start, in the first administrator's language.
async fn name_default_pipeline(state: &AppState, tr: &Tr) {
    let stages: Vec<String> = (0..6).map(|i| tr.t(&format!("pipeline.default_stage_{i}"))).collect();
    let name = tr.t("pipeline.default_name");
    if let Err(error) = rapport_db::pipelines::name_default_for_system(&state.ctx, &name, &stages).await {
        // The account works without: the pipeline keeps its English names.
        tracing::error!(%error, "could not name the default pipeline");
    }
}

/// The language (and time zone) the user sees; back to the page they were on.
pub async fn preferences(State(state): State<AppState>, form: FormPost) -> Response {
    let locale = form.value("locale").and_then(Locale::parse).map(Locale::tag);
    let zone = form.value("time_zone").filter(|z| !z.is_empty());
    let next = safe_next(form.value("next")).to_owned();
    let Ok(account) = AccountHolder::try_from(form.user.actor.clone()) else {
        return form.user.error(StatusCode::FORBIDDEN, "error.forbidden").into_response();
    };
    match rapport_db::users::set_preferences(&state.ctx, &account, None, locale, zone).await {
        Ok(()) => Redirect::to(&next).into_response(),
        Err(error) => form.user.fail(error).into_response(),
    }
}
