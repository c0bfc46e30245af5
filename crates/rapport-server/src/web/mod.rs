//! The web UI at `/`: server-rendered HTML (askama templates under
//! `templates/`) over the same services as the API, enhanced by our own ES
//! modules (`static/`). Pages work without JavaScript; scripts add partial
//! updates, drag and drop, type-ahead and shortcuts.

mod analytics;
mod assets;
mod auth;
mod board;
mod branding;
mod cadences;
mod calendar;
pub mod charts;
mod contracts;
mod duplicates;
mod email;
mod exports;
mod feeds;
mod fields;
mod forecast;
pub mod format;
mod home;
pub mod i18n;
mod imports;
mod notifications;
mod orders;
mod privacy;
mod products;
mod profile;
pub mod public;
mod public_quote;
mod quote_pdf;
mod quote_send;
mod quotes;
mod records;
mod reports;
pub(crate) use reports::ReportFiles;
mod return_rules;
mod search;
mod session;
mod settings;
mod vcards;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

pub use session::WebUser;

use self::i18n::{Locale, Tr};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(home::page))
        .route("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/sign-out", post(auth::sign_out))
        .route("/setup", get(auth::setup_page).post(auth::setup))
        .route("/preferences", post(auth::preferences))
        .route("/profile", get(profile::page))
        .route("/profile/name", post(profile::name))
        .route("/profile/password", post(profile::password))
        .route("/profile/tokens", post(profile::create_token))
        .route("/profile/tokens/{id}/revoke", post(profile::revoke_token))
        .route("/profile/calendar", post(profile::create_calendar))
        .route("/profile/calendar/off", post(profile::turn_off_calendar))
        .route("/profile/whatsapp", post(profile::whatsapp))
        .route("/calendar/{file}", get(feeds::serve))
        .merge(public::router())
        .route("/assets/{file}", get(assets::serve))
        .route("/search", get(search::page))
        .route("/notifications", get(notifications::page))
        .route("/notifications/{id}/read", post(notifications::mark_read))
        .route("/events", get(notifications::stream))
        .route("/settings", get(settings::page))
        .route("/settings/email", get(email::settings_page).post(email::save_settings))
        .route("/settings/email/test", post(email::send_test))
        .route("/settings/email/templates", get(email::templates_page))
        .route("/settings/email/templates/{key}/{language}", get(email::template_page).post(email::save_template))
        .route("/settings/email/templates/{key}/{language}/reset", post(email::reset_template))
        .route("/settings/email/outbox", get(email::outbox_page))
        .route("/settings/email/outbox/{id}", get(email::outbox_message))
        .route("/settings/email/outbox/{id}/retry", post(email::outbox_retry))
        .route("/{kind}/{id}/email", get(email::compose_page).post(email::send_from_record))
        .route("/settings/users", post(settings::create_user))
        .route("/settings/users/{id}/{action}", post(settings::set_enabled))
        .route("/settings/users/{id}/role", post(settings::set_role))
        .route("/settings/users/{id}/name", post(settings::rename_user))
        .route("/settings/users/{id}/password", post(settings::reset_password))
        .route("/settings/teams", post(settings::create_team))
        .route("/settings/teams/{id}/members", post(settings::add_member))
        .route("/settings/visibility", post(settings::save_visibility))
        .route("/settings/fields", post(settings::create_field))
        .route("/settings/fields/{kind}/{key}/delete", post(settings::delete_field))
        .route("/settings/pipelines", post(settings::create_pipeline))
        .route("/settings/pipelines/{id}/name", post(settings::rename_pipeline))
        .route("/settings/pipelines/{id}/stages", post(settings::add_stage))
        .route("/settings/pipelines/{id}/stages/{stage}", post(settings::save_stage))
        .route("/settings/pipelines/{id}/stages/{stage}/move", post(settings::move_stage))
        .route("/settings/pipelines/{id}/stages/{stage}/delete", post(settings::remove_stage))
        .route("/settings/trash/{kind}/{id}/restore", post(settings::restore))
        .route("/settings/company", get(branding::page).post(branding::save))
        .route(
            "/settings/company/logo",
            get(branding::logo)
                .post(branding::upload_logo)
                .layer(axum::extract::DefaultBodyLimit::max(branding::MAX_UPLOAD_BYTES)),
        )
        .route("/settings/company/logo/delete", post(branding::remove_logo))
        .route("/settings/company/sample.pdf", get(branding::sample))
        .route("/settings/return-rules", get(return_rules::page).post(return_rules::create))
        .route("/settings/return-rules/{id}/delete", post(return_rules::delete))
        .route("/settings/cadences", get(cadences::list))
        .route("/settings/cadences/rule", post(cadences::save_rule))
        .route("/settings/cadences/new", get(cadences::new_page).post(cadences::save_new))
        .route("/settings/cadences/{id}", get(cadences::edit_page).post(cadences::save_existing))
        .route("/settings/whatsapp", get(cadences::whatsapp_page).post(cadences::save_whatsapp))
        .route("/cadences/enrollments/{id}/stop", post(cadences::stop))
        .route("/{kind}/{id}/cadences", post(cadences::start))
        .route(
            "/imports",
            get(imports::list)
                .post(imports::upload)
                .layer(axum::extract::DefaultBodyLimit::max(rapport_db::imports::MAX_FILE_BYTES + 64 * 1024)),
        )
        .route("/imports/{id}", get(imports::show).post(imports::save))
        .route("/imports/{id}/report.csv", get(imports::report))
        .route("/imports/{id}/{action}", post(imports::act))
        .route("/deals/board", get(board::page))
        .route("/activities/week", get(calendar::week))
        .route("/deals/board/column", get(board::column))
        .route("/deals/{id}/stage", post(board::move_deal))
        .route("/leads/{id}/convert", post(records::convert))
        .route("/forecast", get(forecast::page))
        .route("/analytics", get(analytics::index))
        .route("/analytics/sales", get(analytics::sales_page))
        .route("/analytics/team", get(analytics::team_page))
        .route("/analytics/market", get(analytics::market_page))
        .route("/analytics/personas", get(analytics::personas_page))
        .route("/analytics/personas/save", post(analytics::save_persona))
        .route("/analytics/segments/{id}", get(analytics::saved_segment_page))
        .route("/analytics/attribution", get(analytics::attribution_page))
        .route("/analytics/customers", get(analytics::customers_page))
        .route("/analytics/customers/refresh", post(analytics::refresh_now))
        .route("/analytics/customers/segments/{segment}", get(analytics::segment_page))
        .route("/analytics/customers/segments/{segment}/csv", get(analytics::segment_csv))
        .route("/analytics/lead-scoring", get(analytics::lead_scoring::page))
        .route("/analytics/lead-scoring/train", post(analytics::lead_scoring::train))
        .route("/analytics/lead-scoring/rules", post(analytics::lead_scoring::add_rule))
        .route("/analytics/lead-scoring/rules/{index}/delete", post(analytics::lead_scoring::remove_rule))
        .route("/reports", get(reports::list_page).post(reports::create))
        .route("/reports/new", get(reports::new_page))
        .route("/reports/export/{format}", get(reports::export))
        .route("/reports/{id}", get(reports::report_page).post(reports::update))
        .route("/reports/{id}/delete", post(reports::delete))
        .route("/reports/{id}/schedules", post(reports::create_schedule))
        .route("/reports/{id}/schedules/{schedule}/delete", post(reports::delete_schedule))
        .route("/dashboards", get(reports::default_dashboard).post(reports::create_dashboard))
        .route("/dashboards/{id}", get(reports::dashboard_page).post(reports::update_dashboard))
        .route("/dashboards/{id}/widgets", post(reports::add_widget))
        .route("/dashboards/{id}/widgets/remove", post(reports::remove_widget))
        .route("/dashboards/{id}/widgets/move", post(reports::move_widget))
        .route("/dashboards/{id}/arrange", post(reports::arrange))
        .route("/dashboards/{id}/refresh", post(reports::refresh_dashboard))
        .route("/settings/quotas", get(forecast::quotas_page).post(forecast::save_quotas))
        .route("/orders/{id}/status", post(orders::move_order))
        .route("/orders/{id}/payment", post(orders::pay))
        .route("/orders/{id}/link", post(orders::create_link))
        .route("/orders/{id}/link/revoke", post(orders::revoke_link))
        .route("/returns/{id}/decision", post(orders::decide))
        .route(
            "/contracts/{id}/documents",
            post(contracts::upload).layer(axum::extract::DefaultBodyLimit::max(crate::api::contracts::UPLOAD_LIMIT)),
        )
        .route("/contracts/{id}/documents/{document}", get(contracts::download))
        .route("/contracts/{id}/documents/{document}/delete", post(contracts::remove_document))
        .route("/contracts/{id}/renew", post(contracts::renew))
        .route("/contracts/{id}/terminate", post(contracts::terminate))
        .route("/merges/{id}/undo", post(duplicates::undo))
        .route("/{kind}/duplicates", get(duplicates::review))
        .route("/{kind}/duplicates/scan", post(duplicates::scan))
        .route("/{kind}/duplicates/dismiss", post(duplicates::dismiss))
        .route("/{kind}/merge", get(duplicates::merge_page).post(duplicates::merge))
        .route("/{kind}", get(records::list).post(records::create))
        .route("/{kind}/new", get(records::new))
        .route("/{kind}/bulk", post(records::bulk))
        .route("/{kind}/columns", post(records::choose_columns))
        .route("/{kind}/export.csv", get(records::export_csv))
        .route("/exports", post(exports::request))
        .route("/exports/{id}", get(exports::show))
        .route("/exports/{id}/file", get(exports::download))
        .route("/contacts/export.vcf", get(records::export_vcf))
        .route("/contacts/{id}/erase", get(privacy::confirm).post(privacy::erase))
        .route("/contacts/{id}/photo", get(vcards::photo))
        .route("/products/{id}/configure", get(products::page).post(products::save))
        .route("/quotes/{id}/lines", post(quotes::save_lines))
        .route("/quotes/{id}/pdf", get(quote_pdf::download))
        .route("/quotes/{id}/send", get(quote_send::form).post(quote_send::send))
        .route("/quotes/{id}/act/{action}", post(quotes::act))
        .route("/deals/{id}/quotes", post(quotes::new_for_deal))
        .route("/{kind}/views", post(records::save_view))
        .route("/{kind}/views/{id}/delete", post(records::delete_view))
        .route("/{kind}/{id}", get(records::show).post(records::update))
        .route("/{kind}/{id}/edit", get(records::edit))
        .route("/{kind}/{id}/delete", post(records::delete))
        .route("/{kind}/{id}/timeline", get(records::timeline))
        .route("/{kind}/{id}/activities", post(records::log_activity))
}

/// What every page shows around its content: navigation, the user's menu,
/// the CSRF token for forms, and the words of the user's language.
pub struct Frame {
    pub tr: Tr,
    pub csrf: String,
    /// Empty on pages for people not signed in.
    pub user_name: String,
    pub admin: bool,
    /// The navigation entry to mark as current.
    pub section: &'static str,
    pub title: String,
}

impl Frame {
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    pub fn lang(&self) -> &'static str {
        self.tr.locale.tag()
    }

    pub fn signed_in(&self) -> bool {
        !self.user_name.is_empty()
    }

    pub fn initials(&self) -> String {
        self.user_name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect::<String>().to_uppercase()
    }

    pub fn nav(&self) -> Vec<NavItem> {
        [
            ("home", "/", "nav.home"),
            ("contacts", "/contacts", "nav.contacts"),
            ("companies", "/companies", "nav.companies"),
            ("leads", "/leads", "nav.leads"),
            ("deals", "/deals/board", "nav.deals"),
            ("activities", "/activities", "nav.activities"),
            ("orders", "/orders", "nav.orders"),
            ("quotes", "/quotes", "nav.quotes"),
            ("products", "/products", "nav.products"),
            ("contracts", "/contracts", "kind.contracts"),
            ("forecast", "/forecast", "forecast.nav"),
            ("analytics", "/analytics", "analytics.nav"),
            ("reports", "/reports", "report.nav"),
        ]
        .into_iter()
        .map(|(section, href, key)| NavItem {
            href,
            label: self.t(key),
            current: section == self.section,
            icon: section,
            on_phone_bar: PHONE_BAR.contains(&section),
        })
        .collect()
    }

    /// Whether the current page is one of the places under "More" on a phone.
    pub fn in_more(&self) -> bool {
        !self.section.is_empty() && !PHONE_BAR.contains(&self.section)
    }

    /// What the command palette offers before anything is typed: "new …"
    /// for every kind, then the places of the navigation.
    pub fn commands(&self) -> Vec<(String, String)> {
        let kinds = ["contacts", "companies", "leads", "deals", "activities", "products"];
        let new = kinds.iter().map(|kind| {
            let one = self.t(&format!("kind.{kind}.one"));
            (format!("/{kind}/new"), self.tr.t1("action.new", "kind", one))
        });
        let places = self.nav().into_iter().map(|item| (item.href.to_owned(), item.label));
        new.chain(places).collect()
    }

    pub fn locales(&self) -> Vec<(&'static str, &'static str, bool)> {
        Locale::ALL.iter().map(|l| (l.tag(), l.native_name(), *l == self.tr.locale)).collect()
    }

    /// A frame for people not signed in, in the language their browser asks for.
    pub fn anonymous(tr: Tr, title_key: &str) -> Self {
        let title = tr.t(title_key);
        Self { tr, csrf: String::new(), user_name: String::new(), admin: false, section: "", title }
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
    pub icon: &'static str,
    /// On a phone's bottom bar itself; the others are under "More".
    pub on_phone_bar: bool,
}

/// The places a phone's bottom bar shows; the rest open from "More".
const PHONE_BAR: [&str; 4] = ["home", "contacts", "deals", "activities"];

/// A rendered page: HTML that no cache keeps (it holds personal data).
pub fn html(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => {
            let mut response = (status, Html(body)).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            tracing::error!(%error, "a template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// An error page in the user's language.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub frame: Frame,
    pub message: String,
}

/// What a page handler fails with: shown as an error page.
pub struct WebError {
    status: StatusCode,
    page: Box<ErrorPage>,
}

impl WebError {
    pub fn new(frame: Frame, status: StatusCode, key: &str) -> Self {
        let message = frame.t(key);
        Self { status, page: Box::new(ErrorPage { frame, message }) }
    }

    /// An error page that says `message`, already in the user's language.
    pub fn with_message(frame: Frame, status: StatusCode, message: String) -> Self {
        Self { status, page: Box::new(ErrorPage { frame, message }) }
    }

    /// The page for a service error: not found, forbidden, or ours (logged).
    pub fn from_service(frame: Frame, error: rapport_db::Error) -> Self {
        use rapport_core::DomainError;
        match error {
            rapport_db::Error::Domain(DomainError::NotFound { .. }) => {
                Self::new(frame, StatusCode::NOT_FOUND, "error.not_found")
            }
            rapport_db::Error::Domain(DomainError::Forbidden(_)) => {
                Self::new(frame, StatusCode::FORBIDDEN, "error.forbidden")
            }
            rapport_db::Error::Domain(DomainError::Validation(_)) => {
                Self::new(frame, StatusCode::UNPROCESSABLE_ENTITY, "error.form")
            }
            // A rule refused the change (a sent quote edited, a second
            // accept): the rule's own words when the catalogue has them.
            rapport_db::Error::Domain(DomainError::Conflict { code, .. }) => {
                let message = frame.tr.try_t(&format!("error.{code}")).unwrap_or_else(|| frame.t("error.conflict"));
                Self { status: StatusCode::CONFLICT, page: Box::new(ErrorPage { frame, message }) }
            }
            other => {
                tracing::error!(error = %other, "a page failed");
                Self::new(frame, StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
            }
        }
    }
}

impl WebError {
    pub fn status_code(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        html(self.status, &*self.page)
    }
}

pub type WebResult = Result<Response, WebError>;

/// A path to come back to after signing in: ours only, never another site's.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => path,
        _ => "/",
    }
}
