//! Settings › E-mail: the SMTP server, the sender, the default language,
//! and a button that sends a real test message.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::mail::{LANGUAGES, Security};
use rapport_db::mail::{self, EmailSettings, EmailSettingsChange};

use super::super::session::{FormPost, WebUser};
use super::super::{Frame, WebResult, html};
use super::{Errors, Tab, admin, field_errors, tabs};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "email/settings.html")]
struct SettingsPage {
    frame: Frame,
    tabs: Vec<Tab>,
    settings: EmailSettings,
    /// Values as typed, after an error (the password never comes back).
    port: String,
    securities: Vec<(&'static str, String)>,
    languages: Vec<(&'static str, String)>,
    errors: Errors,
    test_to: String,
    test_error: String,
    saved: bool,
    /// The configuration sets SMTP: its fields are shown, not edited.
    configured: bool,
}

fn page_for(user: &WebUser, settings: EmailSettings, errors: Errors, test_error: String, saved: bool) -> SettingsPage {
    SettingsPage {
        configured: settings.source == "configuration",
        port: settings.port.to_string(),
        securities: Security::ALL
            .iter()
            .map(|s| (s.as_str(), user.tr.t(&format!("email.security.{}", s.as_str()))))
            .collect(),
        languages: LANGUAGES
            .iter()
            .map(|tag| {
                (*tag, super::super::i18n::Locale::parse(tag).map_or((*tag).to_owned(), |l| l.native_name().to_owned()))
            })
            .collect(),
        test_to: user.user.email.clone(),
        settings,
        errors,
        test_error,
        saved,
        tabs: tabs(&user.tr, "/settings/email"),
        frame: user.frame("settings", user.tr.t("email.title")),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    axum::extract::Query(query): axum::extract::Query<SavedQuery>,
) -> WebResult {
    let admin = admin(&user)?;
    let settings = mail::get_settings(&state.ctx, &admin).await.map_err(|e| user.fail(e))?;
    Ok(html(StatusCode::OK, &page_for(&user, settings, Errors::none(), String::new(), query.saved.is_some())))
}

pub async fn save(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let text = |name: &str| form.value(name).map(str::to_owned);
    let port = form.value("port").map(str::trim).filter(|p| !p.is_empty());
    let parsed_port = match port.map(str::parse::<u16>) {
        Some(Err(_)) => Err(()),
        Some(Ok(port)) => Ok(Some(port)),
        None => Ok(None),
    };
    let change = EmailSettingsChange {
        host: text("host"),
        port: parsed_port.unwrap_or(Some(0)),
        security: form.value("security").and_then(Security::parse).unwrap_or_default(),
        username: text("username"),
        password: text("password"),
        clear_password: form.value("clear_password") == Some("true"),
        from_address: text("from_address"),
        from_name: text("from_name"),
        default_language: text("default_language"),
    };
    match mail::save_settings(&state.ctx, &admin, &change).await {
        Ok(_) => Ok(Redirect::to("/settings/email?saved=1").into_response()),
        Err(error) => {
            let Some(errors) = field_errors(&error) else { return Err(user.fail(error)) };
            // Show what was typed beside its error (never the password).
            let stored = mail::get_settings(&state.ctx, &admin).await.map_err(|e| user.fail(e))?;
            let typed = EmailSettings {
                host: change.host.clone(),
                security: change.security,
                username: change.username.clone(),
                from_address: change.from_address.clone(),
                from_name: change.from_name.clone(),
                ..stored
            };
            let mut page = page_for(user, typed, Errors::new(&user.tr, &errors), String::new(), false);
            page.port = port.unwrap_or_default().to_owned();
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// Queues a real message to the address given and shows it in the outbox,
/// where its outcome appears.
pub async fn send_test(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let to = form.value("to").unwrap_or_default();
    match mail::send_test(&state.ctx, &admin, to).await {
        Ok(id) => Ok(Redirect::to(&format!("/settings/email/outbox/{id}")).into_response()),
        Err(error) => {
            let Some(errors) = field_errors(&error) else { return Err(user.fail(error)) };
            let settings = mail::get_settings(&state.ctx, &admin).await.map_err(|e| user.fail(e))?;
            let message = Errors::new(&user.tr, &errors);
            let test_error = if message.of("to").is_empty() { message.of("body") } else { message.of("to") };
            let mut page = page_for(user, settings, Errors::none(), test_error, false);
            page.test_to = to.to_owned();
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}
