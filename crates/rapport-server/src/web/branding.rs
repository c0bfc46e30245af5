//! Settings › Company: the name, address, colour, logo and terms customers
//! see on quotes, and a sample quote to check them on.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use chrono::Days;
use rapport_core::DomainError;
use rapport_core::access::Admin;
use rapport_core::branding::{Branding, MAX_LOGO_BYTES};
use rapport_core::line_items::LineItem;
use rapport_documents::Party;
use serde_json::json;

use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, html};
use crate::auth::constant_time_eq;
use crate::documents::{QuoteSheet, quote_pdf};
use crate::state::AppState;

fn admin(user: &WebUser) -> Result<Admin, super::WebError> {
    Admin::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

#[derive(Template)]
#[template(path = "branding.html")]
struct BrandingPage {
    frame: Frame,
    branding: Branding,
    /// The colour input needs a value; the default accent when none is set.
    accent: String,
    has_logo: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    user: &WebUser,
    branding: Option<Branding>,
    notice: Option<String>,
    error: Option<String>,
) -> WebResult {
    admin(user)?;
    let conn = state.ctx.db.conn();
    let branding = match branding {
        Some(branding) => branding,
        None => rapport_db::branding::load(conn).await.map_err(|e| user.fail(e))?,
    };
    let has_logo = rapport_db::branding::logo(conn).await.map_err(|e| user.fail(e))?.is_some();
    let accent = if branding.accent.is_empty() { "#1d4ed8".to_owned() } else { branding.accent.clone() };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let frame = user.frame("settings", user.tr.t("branding.title"));
    Ok(html(status, &BrandingPage { frame, branding, accent, has_logo, notice, error }))
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    saved: Option<String>,
}

/// The form; after a save (a redirect with `?saved=1`) with a notice.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(query): Query<PageQuery>) -> WebResult {
    let notice = query.saved.map(|_| user.tr.t("branding.saved"));
    render(&state, &user, None, notice, None).await
}

pub async fn save(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let text = |name: &str| form.value(name).unwrap_or_default().to_owned();
    let branding = Branding {
        name: text("name"),
        address: text("address"),
        tax_id: text("tax_id"),
        website: text("website"),
        email: text("email"),
        phone: text("phone"),
        accent: text("accent"),
        quote_terms: text("quote_terms"),
    };
    match rapport_db::branding::save(&state.ctx, &admin, branding.clone()).await {
        Ok(_) => Ok(Redirect::to("/settings/company?saved=1").into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let message =
                errors.0.iter().map(|e| super::fields::error_message(&user.tr, e)).collect::<Vec<_>>().join(" ");
            render(&state, user, Some(branding), None, Some(message)).await
        }
        Err(error) => Err(user.fail(error)),
    }
}

/// Takes an uploaded logo (a multipart form with the page's CSRF token).
pub async fn upload_logo(State(state): State<AppState>, user: WebUser, mut form: Multipart) -> WebResult {
    let admin = admin(&user)?;
    let (mut csrf, mut file) = (None, None);
    let too_large = |user: &WebUser| user.tr.t("branding.logo_too_large");
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("_csrf") => csrf = field.text().await.ok(),
                Some("logo") => match field.bytes().await {
                    Ok(bytes) => file = Some(bytes),
                    Err(_) => return render(&state, &user, None, None, Some(too_large(&user))).await,
                },
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return render(&state, &user, None, None, Some(too_large(&user))).await,
        }
    }
    if !csrf.as_deref().is_some_and(|token| constant_time_eq(token, &user.csrf)) {
        return Err(user.error(StatusCode::FORBIDDEN, "error.csrf"));
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return render(&state, &user, None, None, Some(user.tr.t("branding.logo_missing"))).await;
    };
    let outcome = rapport_db::branding::set_logo(&state.ctx, &admin, &bytes, |bytes| {
        rapport_documents::check_logo(bytes).map_err(|e| e.to_string())
    })
    .await;
    match outcome {
        Ok(()) => Ok(Redirect::to("/settings/company?saved=1").into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let code = errors.0.first().map(|e| e.code.as_str()).unwrap_or_default();
            let key = match code {
                "logo_too_large" => "branding.logo_too_large",
                "not_an_image" => "branding.logo_not_an_image",
                _ => "branding.logo_damaged",
            };
            render(&state, &user, None, None, Some(user.tr.t(key))).await
        }
        Err(error) => Err(user.fail(error)),
    }
}

pub async fn remove_logo(State(state): State<AppState>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    rapport_db::branding::remove_logo(&state.ctx, &admin).await.map_err(|e| form.user.fail(e))?;
    Ok(Redirect::to("/settings/company?saved=1").into_response())
}

/// The logo, for the settings page (signed-in users).
pub async fn logo(State(state): State<AppState>, user: WebUser) -> WebResult {
    match rapport_db::branding::logo(state.ctx.db.conn()).await.map_err(|e| user.fail(e))? {
        Some(logo) => Ok(crate::api::branding::image_response(logo)),
        None => Err(user.error(StatusCode::NOT_FOUND, "error.not_found")),
    }
}

/// A sample quote with the stored branding, in the user's language: what a
/// customer will receive.
pub async fn sample(State(state): State<AppState>, user: WebUser) -> WebResult {
    admin(&user)?;
    let conn = state.ctx.db.conn();
    let branding = rapport_db::branding::load(conn).await.map_err(|e| user.fail(e))?;
    let logo = rapport_db::branding::logo(conn).await.map_err(|e| user.fail(e))?.map(|l| l.bytes);
    let tr = &user.tr;
    let line = |description: String, quantity: i64, price: i64, discount: i64| {
        let value = json!({"description": description, "quantity_milli": quantity * 1000,
            "unit_price_minor": price, "discount_bp": discount * 100});
        LineItem::parse_json(&value).map_err(|_| user.error(StatusCode::INTERNAL_SERVER_ERROR, "error.internal"))
    };
    let lines = vec![
        line(tr.t("branding.sample_line_1"), 2, 123_456, 0)?,
        line(tr.t("branding.sample_line_2"), 1, 450_000, 10)?,
    ];
    let today = state.ctx.now().date_naive();
    let currency = state.ctx.snapshot().await.map_err(|e| user.fail(e))?.settings.default_currency.clone();
    let sheet = QuoteSheet {
        number: "Q-0000-0000".into(),
        issued: today,
        valid_until: today.checked_add_days(Days::new(30)),
        salesperson: Some(user.user.name.clone()),
        customer: Party { name: tr.t("branding.sample_customer"), lines: vec!["cliente@example.com".into()] },
        currency,
        details: vec![vec![tr.t("branding.sample_detail")], Vec::new()],
        lines,
        discount_bp: 0,
        terms: String::new(),
    };
    match quote_pdf(&sheet, &branding, logo, tr) {
        Ok(pdf) => {
            let headers = [
                (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
                (header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"sample-quote.pdf\"")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ];
            Ok((headers, pdf).into_response())
        }
        Err(error) => {
            tracing::error!(%error, "the sample quote failed");
            render(&state, &user, None, None, Some(tr.t("branding.sample_failed"))).await
        }
    }
}

/// The body limit of the logo upload: the logo and the form around it.
pub const MAX_UPLOAD_BYTES: usize = MAX_LOGO_BYTES + 64 * 1024;
