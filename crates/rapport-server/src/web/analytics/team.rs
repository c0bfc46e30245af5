//! `/analytics/team`: each person's month or quarter — activities, tasks
//! done and overdue, time to first contact of new leads, deals won, win
//! rate, cycle and quota attainment. Administrators see everyone, managers
//! their team, anyone else themselves.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use rapport_core::forecast::{Period, PeriodKind};
use rapport_core::ids::TeamId;
use serde::Deserialize;
use uuid::Uuid;

use super::{days, meter, percent};
use crate::state::AppState;
use crate::web::charts::{self, ChartData, ChartKind, ChartText, Series, ValueFormat};
use crate::web::forecast::{ScopeControls, period_label, scope_controls};
use crate::web::i18n::Arg;
use crate::web::session::WebUser;
use crate::web::{Frame, WebResult, format, html};

/// The activity kinds as columns, in this order.
const KINDS: [&str; 4] = ["call", "meeting", "email", "task"];

#[derive(Debug, Deserialize)]
pub struct TeamQuery {
    period: Option<String>,
    team: Option<String>,
}

pub struct PersonRow {
    pub name: String,
    pub href: String,
    pub activities: Vec<String>,
    pub tasks_done: String,
    pub overdue: String,
    pub overdue_high: bool,
    pub new_leads: String,
    pub first_contact: String,
    pub not_contacted: String,
    pub won: String,
    pub win_rate: String,
    pub won_amount: String,
    pub cycle: String,
    pub attainment: String,
    pub meter: i64,
}

#[derive(Template)]
#[template(path = "analytics/team.html")]
struct TeamPage {
    frame: Frame,
    heading: String,
    period: String,
    period_label: String,
    month: bool,
    previous: String,
    next: String,
    as_month: String,
    as_quarter: String,
    teams: Vec<(String, String, bool)>,
    kinds: Vec<String>,
    rows: Vec<PersonRow>,
    chart: String,
}

pub async fn team_page(State(state): State<AppState>, user: WebUser, Query(query): Query<TeamQuery>) -> WebResult {
    let tr = &user.tr;
    let today = state.ctx.now().with_timezone(&user.zone).date_naive();
    let period = match query.period.as_deref().filter(|p| !p.is_empty()) {
        Some(text) => Period::parse(text).map_err(|_| user.error(StatusCode::NOT_FOUND, "forecast.bad_period"))?,
        None => Period::containing(PeriodKind::Month, today),
    };
    let team = match query.team.as_deref() {
        None | Some("") | Some("everyone") => None,
        Some(id) => {
            Some(TeamId(Uuid::parse_str(id).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))?))
        }
    };
    let report = rapport_db::analytics::team::performance(&state.ctx, &user.actor, period, team)
        .await
        .map_err(|e| user.fail(e))?;
    let forecast = &report.forecast;
    let ScopeControls { team_param, teams, heading } = scope_controls(&user, forecast);
    let link = |p: Period| format!("/analytics/team?period={p}{team_param}");
    let currency = forecast.forecast.currency.clone();
    let int = |n: u64| format::integer(n as i64, tr.locale);
    let name_of = |id: &Uuid| forecast.names.get(id).cloned().unwrap_or_else(|| tr.t("forecast.no_owner"));
    let quota_of = |id: &Uuid| forecast.forecast.owners.iter().find(|l| l.owner_id == Some(*id)).map(|l| &l.totals);
    let rows: Vec<PersonRow> = report
        .members
        .iter()
        .map(|m| {
            let totals = quota_of(&m.owner);
            let attainment = totals.and_then(|t| t.attainment_bp);
            PersonRow {
                name: name_of(&m.owner),
                href: format!("/activities?filter[owner_id][eq]={}", m.owner),
                activities: KINDS.iter().map(|k| int(m.activities.get(*k).copied().unwrap_or(0))).collect(),
                tasks_done: tr.t_with("analytics.done_count", &[("count", Arg::Text(int(m.tasks_done)))]),
                overdue: int(m.overdue),
                overdue_high: m.overdue >= 10,
                new_leads: int(m.new_leads),
                first_contact: m.median_first_contact_hours.map_or_else(
                    || "—".to_owned(),
                    |h| {
                        if h < 48.0 {
                            tr.t_with(
                                "analytics.hours",
                                &[("hours", Arg::Text(format::scaled((h * 10.0).round() as i64, 1, tr.locale)))],
                            )
                        } else {
                            days(tr, Some(h / 24.0))
                        }
                    },
                ),
                not_contacted: tr
                    .t_with("analytics.not_contacted_count", &[("count", Arg::Text(int(m.leads_not_contacted)))]),
                won: int(m.won),
                win_rate: percent(m.win_rate, tr.locale),
                won_amount: format::money(m.won_minor, &currency, tr.locale),
                cycle: days(tr, m.average_cycle_days),
                attainment: attainment.map_or_else(|| "—".to_owned(), |bp| format::percent_bp(bp, tr.locale)),
                meter: meter(attainment.map(|bp| bp as f64 / 10_000.0)),
            }
        })
        .collect();
    let kind_names: Vec<String> = KINDS.iter().map(|k| tr.t(&format!("enum.kind.{k}"))).collect();
    let data = ChartData::new(
        rows.iter().map(|r| r.name.clone()).collect(),
        KINDS
            .iter()
            .zip(&kind_names)
            .map(|(kind, name)| Series {
                name: name.clone(),
                values: report.members.iter().map(|m| m.activities.get(*kind).copied().unwrap_or(0) as f64).collect(),
            })
            .collect(),
    );
    let chart = charts::render(
        ChartKind::StackedBar,
        &data,
        &ChartText::new(
            tr,
            tr.t("analytics.activities_chart"),
            tr.t("analytics.activities_chart_help"),
            ValueFormat::Number,
        )
        .with_id("an-chart-activities"),
    );
    let quarter_of = period.quarter();
    let page = TeamPage {
        frame: user.frame("analytics", tr.t("analytics.team_title")),
        heading,
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
        kinds: kind_names,
        rows,
        chart,
    };
    Ok(html(StatusCode::OK, &page))
}
