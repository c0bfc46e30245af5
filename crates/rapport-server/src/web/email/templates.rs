//! Settings › E-mail › Templates: each template's subject and body per
//! language, edited with a preview on sample values; a broken template
//! shows its error beside the field instead of being saved.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::mail::LANGUAGES;
use rapport_core::mail::templates::{Rendered, TemplateText};
use rapport_db::mail::templates::{self, EmailTemplate};

use super::super::i18n::Locale;
use super::super::session::{FormPost, WebUser};
use super::super::{Frame, WebResult, html};
use super::{Errors, Tab, admin, field_errors, tabs};
use crate::state::AppState;

fn language_name(tag: &str) -> String {
    Locale::parse(tag).map_or_else(|| tag.to_owned(), |l| l.native_name().to_owned())
}

pub struct TemplateLine {
    pub title: String,
    pub description: String,
    /// `(href, language name, edited)`.
    pub versions: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "email/templates.html")]
struct ListPage {
    frame: Frame,
    tabs: Vec<Tab>,
    lines: Vec<TemplateLine>,
}

fn title_of(user: &WebUser, key: &str) -> (String, String) {
    (user.tr.t(&format!("email.template.{key}")), user.tr.t(&format!("email.template.{key}.help")))
}

pub async fn list(State(state): State<AppState>, user: WebUser) -> WebResult {
    let admin = admin(&user)?;
    let all = templates::list(&state.ctx, &admin).await.map_err(|e| user.fail(e))?;
    let lines = all
        .iter()
        .map(|template| {
            let (title, description) = title_of(&user, &template.key);
            TemplateLine {
                title,
                description,
                versions: template
                    .versions
                    .iter()
                    .map(|v| {
                        (
                            format!("/settings/email/templates/{}/{}", template.key, v.language),
                            language_name(&v.language),
                            v.edited,
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let page = ListPage {
        lines,
        tabs: tabs(&user.tr, "/settings/email/templates"),
        frame: user.frame("settings", user.tr.t("email.templates")),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "email/template.html")]
struct EditPage {
    frame: Frame,
    tabs: Vec<Tab>,
    key: String,
    language: String,
    language_label: String,
    description: String,
    placeholders: Vec<String>,
    others: Vec<(String, String)>,
    subject: String,
    body: String,
    edited: bool,
    preview: Option<Rendered>,
    errors: Errors,
    saved: bool,
}

async fn load(
    state: &AppState,
    user: &WebUser,
    key: &str,
    language: &str,
) -> Result<EmailTemplate, super::super::WebError> {
    let admin = admin(user)?;
    if !LANGUAGES.contains(&language) {
        return Err(user.error(StatusCode::NOT_FOUND, "error.not_found"));
    }
    templates::get(&state.ctx, &admin, key).await.map_err(|e| user.fail(e))
}

fn edit_page(user: &WebUser, template: &EmailTemplate, language: &str, text: TemplateText) -> EditPage {
    let (title, description) = title_of(user, &template.key);
    let edited = template.versions.iter().any(|v| v.language == language && v.edited);
    EditPage {
        key: template.key.clone(),
        language: language.to_owned(),
        language_label: language_name(language),
        description,
        placeholders: template.placeholders.iter().map(|p| format!("{{{{ {p} }}}}")).collect(),
        others: LANGUAGES
            .iter()
            .filter(|l| **l != language)
            .map(|l| (format!("/settings/email/templates/{}/{l}", template.key), language_name(l)))
            .collect(),
        subject: text.subject,
        body: text.body,
        edited,
        preview: None,
        errors: Errors::none(),
        saved: false,
        tabs: tabs(&user.tr, "/settings/email/templates"),
        frame: user.frame("settings", format!("{title} · {}", language_name(language))),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct EditQuery {
    saved: Option<String>,
}

pub async fn edit(
    State(state): State<AppState>,
    user: WebUser,
    Path((key, language)): Path<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<EditQuery>,
) -> WebResult {
    let template = load(&state, &user, &key, &language).await?;
    let version = template.versions.iter().find(|v| v.language == language);
    let text = version
        .map(|v| TemplateText { subject: v.subject.clone(), body: v.body.clone() })
        .unwrap_or(TemplateText { subject: String::new(), body: String::new() });
    let mut page = edit_page(&user, &template, &language, text);
    let admin = admin(&user)?;
    page.preview = templates::preview(&state.ctx, &admin, &key, &language, None).await.ok();
    page.saved = query.saved.is_some();
    Ok(html(StatusCode::OK, &page))
}

/// Saves the text, or (the "Preview" button) renders it without saving.
pub async fn save(
    State(state): State<AppState>,
    Path((key, language)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let template = load(&state, user, &key, &language).await?;
    let text = TemplateText {
        subject: form.value("subject").unwrap_or_default().to_owned(),
        body: form.value("body").unwrap_or_default().replace("\r\n", "\n"),
    };
    let previewing = form.value("action") == Some("preview");
    let outcome = if previewing {
        templates::preview(&state.ctx, &admin, &key, &language, Some(&text)).await.map(Some)
    } else {
        templates::save(&state.ctx, &admin, &key, &language, &text).await.map(|()| None)
    };
    match outcome {
        Ok(None) => Ok(Redirect::to(&format!("/settings/email/templates/{key}/{language}?saved=1")).into_response()),
        Ok(Some(rendered)) => {
            let mut page = edit_page(user, &template, &language, text);
            page.preview = Some(rendered);
            Ok(html(StatusCode::OK, &page))
        }
        Err(error) => {
            let Some(errors) = field_errors(&error) else { return Err(user.fail(error)) };
            let mut page = edit_page(user, &template, &language, text);
            page.errors = Errors::new(&user.tr, &errors);
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

pub async fn reset(
    State(state): State<AppState>,
    Path((key, language)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    templates::reset(&state.ctx, &admin, &key, &language).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/settings/email/templates/{key}/{language}")).into_response())
}
