//! Dashboards on screen: a grid of saved reports' charts, widgets added,
//! removed and moved by forms (and by drag and drop with `reports.js`); the
//! default sales dashboard made on first visit.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::DomainError;
use rapport_core::access::Role;
use rapport_core::ids::{DashboardId, ReportId, TeamId};
use rapport_db::reports::{Dashboard, DashboardInput, Widget, WidgetSize};
use rapport_db::users::Team;
use uuid::Uuid;

use super::{Choice, choices, not_saved, view};
use crate::state::AppState;
use crate::web::session::{FormPost, WebUser};
use crate::web::{Frame, WebError, WebResult, html};

pub struct WidgetView {
    pub report_id: String,
    pub name: String,
    pub href: String,
    pub size: &'static str,
    /// The chart, or an explanation when the report cannot run.
    pub chart: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "reports/dashboard.html")]
struct DashboardPage {
    frame: Frame,
    id: String,
    can_edit: bool,
    /// "Only you" or the team it is shown to.
    audience: String,
    /// The name and audience form's choices (for those who may edit).
    teams: Vec<Choice>,
    widgets: Vec<WidgetView>,
    /// Reports that could be added: (id, name).
    addable: Vec<(String, String)>,
    /// "Figures as of 14:05": when the oldest widget's result was computed.
    as_of: Option<String>,
}

/// Who a dashboard may be shown to: "Only me", then the user's teams
/// (an administrator's: every team), the service's own rule.
pub fn audience_choices(user: &WebUser, teams: &[Team], selected: Option<TeamId>) -> Vec<Choice> {
    let selected = selected.map(|t| t.to_string()).unwrap_or_default();
    choices(
        std::iter::once((String::new(), user.tr.t("dashboard.only_me"))).chain(
            teams
                .iter()
                .filter(|t| user.actor.role == Role::Admin || user.actor.team_ids.contains(&t.id.0))
                .map(|t| (t.id.to_string(), t.name.clone())),
        ),
        Some(selected.as_str()),
    )
}

/// The team a dashboard is shown to, by name ("Only you" when private).
pub fn audience(user: &WebUser, teams: &[Team], dashboard: &Dashboard) -> String {
    match dashboard.team_id {
        None => user.tr.t("dashboard.only_owner"),
        Some(team) => user.tr.t1(
            "dashboard.shown_to_team",
            "team",
            teams.iter().find(|t| t.id == team).map_or_else(|| team.to_string(), |t| t.name.clone()),
        ),
    }
}

/// The form's team: empty for "Only me".
fn team_field(form: &FormPost) -> Option<TeamId> {
    form.value("team").and_then(|t| Uuid::parse_str(t).ok()).map(TeamId)
}

fn dashboard_id(user: &WebUser, id: &str) -> Result<DashboardId, WebError> {
    Uuid::parse_str(id).map(DashboardId).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))
}

/// `/dashboards`: the user's default dashboard, made on the first visit.
pub async fn default_dashboard(State(state): State<AppState>, user: WebUser) -> WebResult {
    let tr = user.tr.clone();
    let dashboard = rapport_db::reports::default_dashboard(&state.ctx, &user.actor, |key| tr.t(key))
        .await
        .map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/dashboards/{}", dashboard.id)).into_response())
}

pub async fn dashboard_page(State(state): State<AppState>, user: WebUser, Path(id): Path<String>) -> WebResult {
    let tr = &user.tr;
    let id = dashboard_id(&user, &id)?;
    let dashboard = rapport_db::reports::get_dashboard(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    let today = state.ctx.now().with_timezone(&user.zone).date_naive();
    let count = dashboard.widgets.len();
    let mut widgets = Vec::with_capacity(count);
    let mut oldest: Option<chrono::DateTime<chrono::Utc>> = None;
    for (i, widget) in dashboard.widgets.iter().enumerate() {
        let found = rapport_db::reports::dashboard_result(&state.ctx, &user.actor, widget.report_id, false).await;
        let (name, chart) = match found {
            Ok(kept) => {
                oldest = Some(oldest.map_or(kept.computed_at, |o| o.min(kept.computed_at)));
                let (report, result) = (kept.report, kept.result);
                let chart = view::chart(tr, &report.definition, &result, &report.name, &format!("widget-{i}"), today);
                (report.name, chart)
            }
            // Deleted, or no longer visible to this user: not shown.
            Err(rapport_db::Error::Domain(DomainError::NotFound { .. })) => continue,
            Err(rapport_db::Error::Domain(DomainError::Validation(_))) => (tr.t("report.broken"), String::new()),
            Err(other) => return Err(user.fail(other)),
        };
        widgets.push(WidgetView {
            report_id: widget.report_id.to_string(),
            name,
            href: format!("/reports/{}", widget.report_id),
            size: widget.size.as_str(),
            chart,
            first: i == 0,
            last: i + 1 == count,
        });
    }
    let on_board: Vec<ReportId> = dashboard.widgets.iter().map(|w| w.report_id).collect();
    let addable = if dashboard.can_edit {
        rapport_db::reports::list_reports(&state.ctx, &user.actor)
            .await
            .map_err(|e| user.fail(e))?
            .into_iter()
            .filter(|r| !on_board.contains(&r.id))
            .map(|r| (r.id.to_string(), r.name))
            .collect()
    } else {
        Vec::new()
    };
    let teams = rapport_db::users::list_teams(&state.ctx).await.map_err(|e| user.fail(e))?;
    let page = DashboardPage {
        frame: user.frame("reports", dashboard.name.clone()),
        id: dashboard.id.to_string(),
        can_edit: dashboard.can_edit,
        audience: audience(&user, &teams, &dashboard),
        teams: if dashboard.can_edit { audience_choices(&user, &teams, dashboard.team_id) } else { Vec::new() },
        widgets,
        addable,
        as_of: oldest
            .map(|at| tr.t1("dashboard.as_of", "time", crate::web::format::datetime(at, user.zone, tr.locale))),
    };
    Ok(html(StatusCode::OK, &page))
}

/// Runs every widget's report again now, for this viewer.
pub async fn refresh(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let id = dashboard_id(user, &id)?;
    let dashboard = rapport_db::reports::get_dashboard(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    for widget in &dashboard.widgets {
        match rapport_db::reports::dashboard_result(&state.ctx, &user.actor, widget.report_id, true).await {
            Ok(_) | Err(rapport_db::Error::Domain(_)) => {}
            Err(other) => return Err(user.fail(other)),
        }
    }
    Ok(Redirect::to(&format!("/dashboards/{id}")).into_response())
}

pub async fn create_dashboard(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let input = DashboardInput {
        name: form.value("name").unwrap_or("").to_owned(),
        team_id: team_field(&form),
        widgets: Vec::new(),
    };
    let created = rapport_db::reports::create_dashboard(&state.ctx, &user.actor, &input)
        .await
        .map_err(|e| not_saved(user, "dashboard.save_failed", e))?;
    Ok(Redirect::to(&format!("/dashboards/{}", created.id)).into_response())
}

/// Renames a dashboard and sets who sees it; its widgets stay.
pub async fn update_dashboard(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let id = dashboard_id(user, &id)?;
    let current = rapport_db::reports::get_dashboard(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    let input = DashboardInput {
        name: form.value("name").unwrap_or("").to_owned(),
        team_id: team_field(&form),
        widgets: current.widgets,
    };
    rapport_db::reports::update_dashboard(&state.ctx, &user.actor, id, &input)
        .await
        .map_err(|e| not_saved(user, "dashboard.save_failed", e))?;
    Ok(Redirect::to(&format!("/dashboards/{id}")).into_response())
}

async fn change(state: &AppState, form: &FormPost, id: &str, edit: impl FnOnce(&mut Vec<Widget>)) -> WebResult {
    let user = &form.user;
    let id = dashboard_id(user, id)?;
    let current: Dashboard =
        rapport_db::reports::get_dashboard(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    let mut widgets = current.widgets.clone();
    edit(&mut widgets);
    let input = DashboardInput { name: current.name, team_id: current.team_id, widgets };
    rapport_db::reports::update_dashboard(&state.ctx, &user.actor, id, &input).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/dashboards/{id}")).into_response())
}

fn report_field(form: &FormPost) -> Option<ReportId> {
    form.value("report").and_then(|r| Uuid::parse_str(r).ok()).map(ReportId)
}

pub async fn add_widget(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let Some(report_id) = report_field(&form) else {
        return Err(form.user.error(StatusCode::UNPROCESSABLE_ENTITY, "report.pick_report"));
    };
    let size = form.value("size").and_then(WidgetSize::parse).unwrap_or_default();
    change(&state, &form, &id, |widgets| widgets.push(Widget { report_id, size })).await
}

pub async fn remove_widget(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let report = report_field(&form);
    change(&state, &form, &id, |widgets| widgets.retain(|w| Some(w.report_id) != report)).await
}

/// The no-JavaScript way to arrange: one place up or down.
pub async fn move_widget(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let report = report_field(&form);
    let up = form.value("direction") == Some("up");
    change(&state, &form, &id, |widgets| {
        if let Some(at) = widgets.iter().position(|w| Some(w.report_id) == report) {
            let to = if up { at.checked_sub(1) } else { Some(at + 1).filter(|to| *to < widgets.len()) };
            if let Some(to) = to {
                widgets.swap(at, to);
            }
        }
    })
    .await
}

/// Drag and drop's order (`order`: report ids, comma separated).
pub async fn arrange(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let id = dashboard_id(user, &id)?;
    let order: Vec<ReportId> = form
        .value("order")
        .unwrap_or("")
        .split(',')
        .filter_map(|r| Uuid::parse_str(r.trim()).ok())
        .map(ReportId)
        .collect();
    rapport_db::reports::arrange_widgets(&state.ctx, &user.actor, id, &order).await.map_err(|e| user.fail(e))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
