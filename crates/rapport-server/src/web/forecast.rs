//! The forecast page (`/forecast`): a month's or quarter's forecast per
//! owner of a team, against quota; and Settings › Quotas, the grid where
//! administrators set them.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::{Datelike, NaiveDate};
use rapport_core::access::Admin;
use rapport_core::forecast::{Period, PeriodKind, Totals};
use rapport_core::ids::{TeamId, UserId};
use rapport_db::forecast::{ForecastReport, ForecastRequest, ForecastScope, QuotaInput};
use serde::Deserialize;
use uuid::Uuid;

use super::i18n::{Arg, Tr};
use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, fields, format, html};
use crate::state::AppState;

/// A period as the page names it: "Q4 2026", "novembro de 2026".
pub fn period_label(tr: &Tr, period: Period) -> String {
    capitalised(&label(tr, period))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn label(tr: &Tr, period: Period) -> String {
    let year = period.start().year().to_string();
    match period.kind() {
        PeriodKind::Quarter => tr.t_with(
            "forecast.quarter_label",
            &[("quarter", Arg::Text((period.start().month0() / 3 + 1).to_string())), ("year", Arg::Text(year))],
        ),
        PeriodKind::Month => {
            let month = tr.t(&format!("forecast.month_{}", period.start().month()));
            tr.t_with("forecast.month_label", &[("month", Arg::Text(month)), ("year", Arg::Text(year))])
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ForecastQuery {
    period: Option<String>,
    /// A team's id, or `everyone`.
    team: Option<String>,
}

/// One amount of a line, and the deals list it stands for.
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

pub struct Line {
    pub name: String,
    pub quota: String,
    pub cells: Vec<Cell>,
    pub weighted: String,
    /// Won ÷ quota in basis points, capped for the bar.
    pub meter: i64,
    pub attainment: String,
    pub gap: String,
    /// "3 deals"
    pub deals: String,
}

pub struct Foreign {
    pub name: String,
    pub currency: String,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "forecast/page.html")]
struct ForecastPage {
    frame: Frame,
    period: String,
    period_label: String,
    month: bool,
    previous: String,
    next: String,
    as_month: String,
    as_quarter: String,
    /// (value, name, selected) for the team picker; empty: no picker.
    teams: Vec<(String, String, bool)>,
    heading: String,
    lines: Vec<Line>,
    total: Line,
    foreign: Vec<Foreign>,
    admin: bool,
    range: String,
}

fn deals_link(pairs: &[(&str, String)]) -> String {
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    format!("/deals?{query}")
}

/// The deals behind one amount: the owner's (or the team's) deals of the
/// period in that category; won deals by the day they were won.
fn cell_link(report: &ForecastReport, owner: Option<Uuid>, category: &str) -> Option<String> {
    let before = |d: NaiveDate| d.pred_opt().unwrap_or(d).to_string();
    let mut pairs: Vec<(&str, String)> = Vec::new();
    match owner {
        Some(owner) => pairs.push(("filter[owner_id][eq]", owner.to_string())),
        None => match (&report.scope, &report.team) {
            (ForecastScope::Team, Some(_)) | (ForecastScope::Everyone, _) => {}
            _ => return None,
        },
    }
    let end = report.forecast.period.end();
    if category == "closed" {
        pairs.push(("filter[status][eq]", "won".into()));
        pairs.push(("filter[closed_at][gt]", format!("{}T23:59:59.999999Z", before(report.period_start))));
        pairs.push(("filter[closed_at][lt]", format!("{end}T00:00:00Z")));
    } else {
        pairs.push(("filter[status][eq]", "open".into()));
        pairs.push(("filter[forecast_category][eq]", category.into()));
        pairs.push(("filter[expected_close_date][gt]", before(report.period_start)));
        pairs.push(("filter[expected_close_date][lt]", end.to_string()));
    }
    Some(deals_link(&pairs))
}

fn line(tr: &Tr, report: &ForecastReport, owner: Option<Uuid>, name: String, totals: &Totals) -> Line {
    let currency = &report.forecast.currency;
    let money = |minor: i64| format::money(minor, currency, tr.locale);
    let cell = |minor: i64, category: &str| Cell {
        text: money(minor),
        href: (minor != 0).then(|| cell_link(report, owner, category)).flatten(),
    };
    Line {
        name,
        quota: totals.quota_minor.map_or_else(|| "—".to_owned(), money),
        cells: vec![
            cell(totals.closed_minor, "closed"),
            cell(totals.commit_minor, "commit"),
            cell(totals.best_case_minor, "best_case"),
            cell(totals.pipeline_minor, "pipeline"),
        ],
        weighted: money(totals.weighted_minor),
        meter: totals.attainment_bp.unwrap_or(0).clamp(0, 10_000),
        attainment: totals.attainment_bp.map_or_else(|| "—".to_owned(), |bp| format::percent_bp(bp, tr.locale)),
        gap: totals.gap_minor.map_or_else(|| "—".to_owned(), money),
        deals: tr.count("forecast.deals", totals.deals),
    }
}

fn owner_name(tr: &Tr, report: &ForecastReport, owner: Option<Uuid>) -> String {
    owner.and_then(|id| report.names.get(&id).cloned()).unwrap_or_else(|| tr.t("forecast.no_owner"))
}

/// Whose figures a forecast-scoped page shows, as its controls need it: the
/// query suffix keeping the team, the team picker and the heading. Shared
/// by the forecast and team performance pages.
pub struct ScopeControls {
    pub team_param: String,
    /// (value, name, selected); empty: no picker.
    pub teams: Vec<(String, String, bool)>,
    pub heading: String,
}

pub fn scope_controls(user: &WebUser, report: &ForecastReport) -> ScopeControls {
    let tr = &user.tr;
    let team_param = match (&report.scope, &report.team) {
        (_, Some(team)) => format!("&team={}", team.id),
        (ForecastScope::Everyone, None) => "&team=everyone".to_owned(),
        _ => String::new(),
    };
    let mut teams: Vec<(String, String, bool)> = Vec::new();
    if !report.teams.is_empty() {
        if user.actor.role == rapport_core::access::Role::Admin {
            teams.push(("everyone".into(), tr.t("forecast.everyone"), report.team.is_none()));
        }
        for team in &report.teams {
            teams.push((team.id.to_string(), team.name.clone(), report.team.as_ref().is_some_and(|t| t.id == team.id)));
        }
    }
    let heading = match (&report.scope, &report.team) {
        (_, Some(team)) => team.name.clone(),
        (ForecastScope::Everyone, None) => tr.t("forecast.everyone"),
        _ => user.user.name.clone(),
    };
    ScopeControls { team_param, teams, heading }
}

pub async fn page(State(state): State<AppState>, user: WebUser, Query(query): Query<ForecastQuery>) -> WebResult {
    let tr = &user.tr;
    let today = state.ctx.now().with_timezone(&user.zone).date_naive();
    let period = match query.period.as_deref().filter(|p| !p.is_empty()) {
        Some(text) => Period::parse(text).map_err(|_| user.error(StatusCode::NOT_FOUND, "forecast.bad_period"))?,
        None => Period::containing(PeriodKind::Quarter, today),
    };
    let team = match query.team.as_deref() {
        None | Some("") | Some("everyone") => None,
        Some(id) => {
            Some(TeamId(Uuid::parse_str(id).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))?))
        }
    };
    let request = ForecastRequest { period, team, owner: None };
    let report = rapport_db::forecast::report(&state.ctx, &user.actor, request).await.map_err(|e| user.fail(e))?;
    let ScopeControls { team_param, teams, heading } = scope_controls(&user, &report);
    let link = |p: Period| format!("/forecast?period={p}{team_param}");
    let lines: Vec<Line> = report
        .forecast
        .owners
        .iter()
        .map(|l| line(tr, &report, l.owner_id, owner_name(tr, &report, l.owner_id), &l.totals))
        .collect();
    let total = line(tr, &report, None, tr.t("forecast.total"), &report.forecast.total);
    let foreign = report
        .forecast
        .other_currencies
        .iter()
        .map(|o| {
            let money = |m: i64| format::money(m, &o.currency, tr.locale);
            Foreign {
                name: owner_name(tr, &report, o.owner_id),
                currency: o.currency.clone(),
                cells: vec![
                    money(o.totals.closed_minor),
                    money(o.totals.commit_minor),
                    money(o.totals.best_case_minor),
                    money(o.totals.pipeline_minor),
                    money(o.totals.weighted_minor),
                ],
            }
        })
        .collect();
    let quarter_of = period.quarter();
    let page = ForecastPage {
        frame: user.frame("forecast", tr.t("forecast.title")),
        period: period.to_string(),
        period_label: period_label(tr, period),
        month: period.kind() == PeriodKind::Month,
        previous: link(period.previous()),
        next: link(period.next()),
        as_month: link(Period::containing(
            PeriodKind::Month,
            if quarter_of.contains(today) { today } else { period.start() },
        )),
        as_quarter: link(quarter_of),
        teams,
        heading,
        range: tr.t_with(
            "forecast.range",
            &[
                ("from", Arg::Text(format::date(report.period_start, tr.locale))),
                ("to", Arg::Text(format::date(report.period_end, tr.locale))),
            ],
        ),
        lines,
        total,
        foreign,
        admin: user.actor.role == rapport_core::access::Role::Admin,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct QuotaQuery {
    year: Option<i32>,
    kind: Option<String>,
    saved: Option<u8>,
}

pub struct GridRow {
    pub name: String,
    /// (input name, value as typed or stored)
    pub cells: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "forecast/quotas.html")]
struct QuotasPage {
    frame: Frame,
    year: i32,
    quarter: bool,
    currency: String,
    columns: Vec<String>,
    /// ("quota.users", rows), ("quota.teams", rows)
    sections: Vec<(&'static str, Vec<GridRow>)>,
    errors: Vec<String>,
    saved: bool,
    this_kind: &'static str,
}

fn admin(user: &WebUser) -> Result<Admin, super::WebError> {
    Admin::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

fn periods(year: i32, kind: PeriodKind) -> Vec<Period> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let count = if kind == PeriodKind::Quarter { 4 } else { 12 };
    std::iter::successors(Some(Period::containing(kind, first)), |p| Some(p.next())).take(count).collect()
}

fn cell_name(subject: &str, id: Uuid, period: Period) -> String {
    format!("q.{subject}.{id}.{period}")
}

struct Grid {
    year: i32,
    kind: PeriodKind,
    /// Values as typed, by input name, when re-rendering after an error.
    typed: Option<Vec<(String, String)>>,
    errors: Vec<String>,
    saved: bool,
}

async fn render_quotas(state: &AppState, user: &WebUser, status: StatusCode, grid: Grid) -> WebResult {
    admin(user)?;
    let tr = &user.tr;
    let snapshot = state.ctx.snapshot().await.map_err(|e| user.fail(e))?;
    let currency = snapshot.settings.default_currency.clone();
    let stored =
        rapport_db::forecast::list_quotas(&state.ctx, &user.actor, grid.year).await.map_err(|e| user.fail(e))?;
    let users = rapport_db::users::list(&state.ctx).await.map_err(|e| user.fail(e))?;
    let teams = rapport_db::users::list_teams(&state.ctx).await.map_err(|e| user.fail(e))?;
    let periods = periods(grid.year, grid.kind);
    let value = |subject: &str, id: Uuid, period: Period| -> String {
        let name = cell_name(subject, id, period);
        if let Some(typed) = &grid.typed {
            return typed.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        }
        stored
            .iter()
            .find(|q| {
                q.period == period.to_string()
                    && match subject {
                        "user" => q.user_id == Some(UserId(id)),
                        _ => q.team_id == Some(TeamId(id)),
                    }
            })
            .map(|q| rapport_core::values::money::plain_decimal(q.amount_minor, &q.currency))
            .unwrap_or_default()
    };
    let row = |subject: &str, id: Uuid, name: String| GridRow {
        name,
        cells: periods.iter().map(|p| (cell_name(subject, id, *p), value(subject, id, *p))).collect(),
    };
    let mut people: Vec<_> =
        users.iter().filter(|u| !u.disabled && u.role != rapport_core::access::Role::ReadOnly).collect();
    people.sort_by_key(|u| u.name.to_lowercase());
    let page = QuotasPage {
        frame: user.frame("settings", tr.t("quota.title")),
        year: grid.year,
        quarter: grid.kind == PeriodKind::Quarter,
        currency,
        columns: periods
            .iter()
            .map(|p| match p.kind() {
                PeriodKind::Quarter => period_label(tr, *p),
                PeriodKind::Month => capitalised(&tr.t(&format!("forecast.month_{}", p.start().month()))),
            })
            .collect(),
        sections: vec![
            ("quota.users", people.iter().map(|u| row("user", u.id.0, u.name.clone())).collect()),
            ("quota.teams", teams.iter().map(|t| row("team", t.id.0, t.name.clone())).collect()),
        ],
        errors: grid.errors,
        saved: grid.saved,
        this_kind: grid.kind.as_str(),
    };
    Ok(html(status, &page))
}

pub async fn quotas_page(State(state): State<AppState>, user: WebUser, Query(query): Query<QuotaQuery>) -> WebResult {
    let year = query.year.filter(|y| (1900..9999).contains(y)).unwrap_or_else(|| state.ctx.now().year());
    let kind = query.kind.as_deref().and_then(PeriodKind::parse).unwrap_or(PeriodKind::Month);
    render_quotas(
        &state,
        &user,
        StatusCode::OK,
        Grid { year, kind, typed: None, errors: Vec::new(), saved: query.saved.is_some() },
    )
    .await
}

/// Saves the whole grid: a filled cell sets its quota, an empty one removes it.
pub async fn save_quotas(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let year = form.value("year").and_then(|y| y.parse().ok()).filter(|y| (1900..9999).contains(y)).unwrap_or(2026);
    let kind = form.value("kind").and_then(PeriodKind::parse).unwrap_or(PeriodKind::Month);
    let snapshot = state.ctx.snapshot().await.map_err(|e| user.fail(e))?;
    let currency = snapshot.settings.default_currency.clone();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let typed: Vec<(String, String)> = form.fields.iter().filter(|(k, _)| k.starts_with("q.")).cloned().collect();
    for (name, text) in &typed {
        let mut parts = name.splitn(4, '.').skip(1);
        let (Some(subject), Some(id), Some(period)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let (Ok(id), Ok(period)) = (Uuid::parse_str(id), Period::parse(period)) else { continue };
        let amount_minor = match text.trim() {
            "" => None,
            number => match fields::parse_decimal(number, &currency) {
                Some(minor) => Some(minor),
                None => {
                    errors.push(format!("{}: {}", period_label(&user.tr, period), user.tr.t("error.invalid_number")));
                    continue;
                }
            },
        };
        let (user_id, team_id) = match subject {
            "user" => (Some(UserId(id)), None),
            _ => (None, Some(TeamId(id))),
        };
        items.push(QuotaInput {
            user_id,
            team_id,
            period_kind: period.kind(),
            period_start: period.start(),
            amount_minor,
            currency: Some(currency.clone()),
        });
    }
    if errors.is_empty() {
        match rapport_db::forecast::set_quotas(&state.ctx, &admin, &items).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/settings/quotas?year={year}&kind={}&saved=1", kind.as_str()))
                    .into_response());
            }
            Err(rapport_db::Error::Domain(rapport_core::DomainError::Validation(found))) => {
                let users = rapport_db::users::list(&state.ctx).await.map_err(|e| user.fail(e))?;
                let teams = rapport_db::users::list_teams(&state.ctx).await.map_err(|e| user.fail(e))?;
                let name_of = |item: &QuotaInput| match (item.user_id, item.team_id) {
                    (Some(id), _) => users.iter().find(|u| u.id == id).map(|u| u.name.clone()),
                    (_, Some(id)) => teams.iter().find(|t| t.id == id).map(|t| t.name.clone()),
                    _ => None,
                };
                for error in &found.0 {
                    // `items[3].amount_minor` → the cell's period.
                    let index: Option<usize> = error
                        .field
                        .strip_prefix("items[")
                        .and_then(|rest| rest.split(']').next())
                        .and_then(|i| i.parse().ok());
                    let item = index.and_then(|i| items.get(i));
                    let at = item.and_then(|item| Period::starting(item.period_kind, item.period_start).ok());
                    let message = fields::error_message(&user.tr, error);
                    errors.push(match (item.and_then(name_of), at) {
                        (Some(name), Some(period)) => format!("{name} · {}: {message}", period_label(&user.tr, period)),
                        _ => message,
                    });
                }
            }
            Err(error) => return Err(user.fail(error)),
        }
    }
    let grid = Grid { year, kind, typed: Some(typed), errors, saved: false };
    render_quotas(&state, user, StatusCode::UNPROCESSABLE_ENTITY, grid).await
}
