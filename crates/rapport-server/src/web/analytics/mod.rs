//! The analytics pages: what the data says, in plain words. Each page reads
//! its figures from `rapport_db::analytics` (computed by `rapport_analytics`)
//! and only formats them here.

mod attribution;
mod brazil_map;
mod customer_lists;
mod customers;
pub mod lead_scoring;
mod market;
mod personas;
mod sales;
mod team;
mod world_map;

pub use attribution::attribution_page;
pub use customers::{customers_page, refresh_now, segment_csv, segment_page};
pub use market::market_page;
pub use personas::{personas_page, save_persona, segment_page as saved_segment_page};
pub use sales::sales_page;
pub use team::team_page;

use askama::Template;
use axum::http::StatusCode;
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;

use super::i18n::{Locale, Tr};
use super::session::WebUser;
use super::{Frame, WebResult, format, html};

/// The analyses there are, in the order the index shows them: (path, name
/// key, description key).
const ANALYSES: &[(&str, &str, &str)] = &[
    ("/analytics/sales", "analytics.sales_title", "analytics.sales_text"),
    ("/analytics/customers", "analytics.customers_title", "analytics.customers_text"),
    ("/analytics/personas", "analytics.personas_title", "analytics.personas_text"),
    ("/analytics/team", "analytics.team_title", "analytics.team_text"),
    ("/analytics/market", "analytics.market_title", "analytics.market_text"),
    ("/analytics/lead-scoring", "analytics.lead_scoring_title", "analytics.lead_scoring_text"),
    ("/analytics/attribution", "analytics.attribution_title", "analytics.attribution_text"),
];

pub struct Card {
    pub href: &'static str,
    pub title: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "analytics/index.html")]
struct IndexPage {
    frame: Frame,
    cards: Vec<Card>,
}

pub async fn index(user: WebUser) -> WebResult {
    let tr = &user.tr;
    let cards =
        ANALYSES.iter().map(|(href, title, text)| Card { href, title: tr.t(title), text: tr.t(text) }).collect();
    Ok(html(StatusCode::OK, &IndexPage { frame: user.frame("analytics", tr.t("analytics.title")), cards }))
}

/// The period a page covers: a preset or two dates.
#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    /// `30d`, `quarter`, `year`, `12m` (the default) or `custom`.
    pub range: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub pipeline: Option<String>,
}

pub const RANGES: [&str; 5] = ["30d", "quarter", "year", "12m", "custom"];

/// `[from, to)` for the query as seen on `today`; custom dates are taken as
/// typed (`to` inclusive on the form, exclusive here).
pub fn period_of(query: &PeriodQuery, today: NaiveDate) -> (String, NaiveDate, NaiveDate) {
    let tomorrow = today.succ_opt().unwrap_or(today);
    let range = query.range.as_deref().filter(|r| RANGES.contains(r)).unwrap_or("12m");
    let (from, to) = match range {
        "30d" => (today - chrono::Days::new(29), tomorrow),
        "quarter" => {
            let first = NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1).unwrap_or(today);
            (first, tomorrow)
        }
        "year" => (NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today), tomorrow),
        "custom" => {
            let to = query.to.and_then(|d| d.succ_opt()).unwrap_or(tomorrow);
            (query.from.unwrap_or_else(|| to - Months::new(12)), to)
        }
        _ => (tomorrow - Months::new(12), tomorrow),
    };
    (range.to_owned(), from, to)
}

/// A share (0..=1) as a percentage, or a dash.
pub fn percent(share: Option<f64>, locale: Locale) -> String {
    match share {
        Some(share) if share.is_finite() => format::percent_bp((share * 10_000.0).round() as i64, locale),
        _ => "—".to_owned(),
    }
}

/// Days with one decimal ("12.5 days"), or a dash.
pub fn days(tr: &Tr, value: Option<f64>) -> String {
    match value {
        Some(days) if days.is_finite() => {
            let tenths = (days * 10.0).round() as i64;
            tr.t_with("analytics.days", &[("days", super::i18n::Arg::Text(format::scaled(tenths, 1, tr.locale)))])
        }
        _ => "—".to_owned(),
    }
}

/// A meter's value in basis points from a share.
pub fn meter(share: Option<f64>) -> i64 {
    share.filter(|s| s.is_finite()).map_or(0, |s| (s * 10_000.0).round() as i64).clamp(0, 10_000)
}
