//! The report builder (`/reports/new`, `/reports/{id}`), the list of saved
//! reports and dashboards (`/reports`), exports of a result, and
//! dashboards (`/dashboards/{id}`). Pages work without JavaScript: the
//! builder is a GET form; `static/reports.js` adds drag and drop.

mod dashboards;
mod export;
mod files;
mod form;
mod schedules;
mod view;

pub use dashboards::{
    add_widget, arrange, create_dashboard, dashboard_page, default_dashboard, move_widget,
    refresh as refresh_dashboard, remove_widget, update_dashboard,
};
pub use export::export;
pub use files::ReportFiles;
pub use schedules::{create_schedule, delete_schedule};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::DomainError;
use rapport_core::ids::{ReportId, TeamId};
use rapport_core::reports::{ChartKind, DateBucket, MeasureOp, report_fields};
use rapport_core::schema::RecordType;
use rapport_db::reports::{ReportInput, SavedReport};
use uuid::Uuid;

use self::form::BuilderQuery;
use super::i18n::Tr;
use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, html};
use crate::state::AppState;

/// (value, label, selected) for a `<select>`.
type Choice = (String, String, bool);

fn choices(items: impl IntoIterator<Item = (String, String)>, selected: Option<&str>) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| {
            let chosen = selected == Some(value.as_str());
            (value, label, chosen)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "reports/list.html")]
struct ListPage {
    frame: Frame,
    /// (href, name, kind, the team it is shared with)
    reports: Vec<(String, String, String, Option<String>)>,
    /// (href, name, default, who sees it when shown to a team)
    dashboards: Vec<(String, String, bool, Option<String>)>,
    /// Who a new dashboard is shown to.
    teams: Vec<Choice>,
}

pub async fn list_page(State(state): State<AppState>, user: WebUser) -> WebResult {
    let tr = &user.tr;
    let reports = rapport_db::reports::list_reports(&state.ctx, &user.actor).await.map_err(|e| user.fail(e))?;
    let boards = rapport_db::reports::list_dashboards(&state.ctx, &user.actor).await.map_err(|e| user.fail(e))?;
    let teams = rapport_db::users::list_teams(&state.ctx).await.map_err(|e| user.fail(e))?;
    let me = rapport_core::ids::UserId(user.actor.user_id);
    let kind_label =
        |name: &str| RecordType::parse(name).map_or_else(|| name.to_owned(), |k| tr.t(&format!("kind.{}", k.plural())));
    let page = ListPage {
        frame: user.frame("reports", tr.t("report.title")),
        reports: reports
            .iter()
            .map(|r| {
                (
                    format!("/reports/{}", r.id),
                    r.name.clone(),
                    kind_label(&r.definition.record_type),
                    r.shared_team_id.map(|team| {
                        let name =
                            teams.iter().find(|t| t.id == team).map_or_else(|| team.to_string(), |t| t.name.clone());
                        tr.t1("report.shared_with", "team", name)
                    }),
                )
            })
            .collect(),
        // Mine and those shown to a team (an administrator may open anyone's,
        // but other people's private ones would only crowd the list).
        dashboards: boards
            .iter()
            .filter(|d| d.owner_id == me || d.team_id.is_some())
            .map(|d| {
                let team = d.team_id.map(|_| dashboards::audience(&user, &teams, d));
                (format!("/dashboards/{}", d.id), d.name.clone(), d.is_default, team)
            })
            .collect(),
        teams: dashboards::audience_choices(&user, &teams, None),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "reports/builder.html")]
struct BuilderPage {
    frame: Frame,
    action: String,
    kinds: Vec<Choice>,
    groups: Vec<Vec<Choice>>,
    buckets: Vec<Vec<Choice>>,
    ops: Vec<Choice>,
    numeric: Vec<Choice>,
    /// The second measure's choices (its operation may be none).
    ops1: Vec<Choice>,
    numeric1: Vec<Choice>,
    charts: Vec<Choice>,
    /// Per filter row: field choices, op choices, value.
    filters: Vec<(Vec<Choice>, Vec<Choice>, String)>,
    limit: String,
    /// Field errors of the definition, in words.
    errors: Vec<String>,
    chart: String,
    headings: Vec<String>,
    rows: Vec<view::TableRow>,
    has_currency: bool,
    ran: bool,
    truncated: bool,
    query: String,
    saved: Option<SavedReport>,
    /// New, or the user's to change.
    can_edit: bool,
    name: String,
    description: String,
    teams: Vec<Choice>,
    /// "Send by e-mail", for the report's editors.
    schedules: Option<schedules::ScheduleSection>,
}

fn custom_labels(snapshot: &rapport_db::settings::Snapshot, kind: RecordType) -> Vec<(String, String)> {
    snapshot.custom_fields_of(kind).iter().map(|d| (d.key.clone(), d.label.clone())).collect()
}

fn error_lines(tr: &Tr, error: rapport_db::Error) -> Result<Vec<String>, rapport_db::Error> {
    match error {
        rapport_db::Error::Domain(DomainError::Validation(errors)) => Ok(errors
            .0
            .iter()
            .map(|e| {
                let message =
                    tr.try_t_params(&format!("error.{}", e.code), &e.params).unwrap_or_else(|| e.message.clone());
                format!("{}: {message}", e.field)
            })
            .collect()),
        other => Err(other),
    }
}

async fn builder(state: &AppState, user: &WebUser, query: BuilderQuery, saved: Option<SavedReport>) -> WebResult {
    let tr = &user.tr;
    let definition = query.definition();
    let kind = RecordType::parse(&definition.record_type).unwrap_or(RecordType::DEAL);
    let snapshot = state.ctx.snapshot().await.map_err(|e| user.fail(e))?;
    let custom = custom_labels(&snapshot, kind);
    let offered = report_fields(kind, snapshot.custom_fields_of(kind));
    let label = |name: &String| view::field_label(tr, kind, name, &custom);
    let none = (String::new(), tr.t("report.none"));
    let group_choices = |selected: &Option<String>| {
        choices(
            std::iter::once(none.clone()).chain(offered.groupable.iter().map(|n| (n.clone(), label(n)))),
            selected.as_deref(),
        )
    };
    let bucket_choices = |selected: &Option<String>| {
        choices(
            std::iter::once(none.clone()).chain(
                DateBucket::ALL.iter().map(|b| (b.as_str().to_owned(), tr.t(&format!("report.bucket.{}", b.as_str())))),
            ),
            selected.as_deref(),
        )
    };
    let measure_ops =
        || MeasureOp::ALL.iter().map(|o| (o.as_str().to_owned(), tr.t(&format!("report.op.{}", o.as_str()))));
    let numeric = || {
        std::iter::once(none.clone()).chain(offered.numeric.iter().map(|n| (n.clone(), label(n)))).collect::<Vec<_>>()
    };
    let ops = ["eq", "ne", "contains", "starts_with", "gt", "lt", "in", "is_empty"];
    let filters = query
        .filter_rows()
        .into_iter()
        .map(|(field, op, value)| {
            let fields = choices(
                std::iter::once(none.clone()).chain(offered.filterable.iter().map(|n| (n.clone(), label(n)))),
                Some(field.as_str()),
            );
            let ops = choices(ops.iter().map(|o| ((*o).to_owned(), tr.t(&format!("op.{o}")))), Some(op.as_str()));
            (fields, ops, value)
        })
        .collect();
    let (mut chart, mut headings, mut rows, mut errors, mut ran, mut truncated) =
        (String::new(), Vec::new(), Vec::new(), Vec::new(), false, false);
    if query.submitted() {
        match rapport_db::reports::run(&state.ctx, &user.actor, &definition).await {
            Ok(result) => {
                let today = state.ctx.now().with_timezone(&user.zone).date_naive();
                let title = saved.as_ref().map_or_else(|| tr.t("report.result"), |s| s.name.clone());
                chart = view::chart(tr, &definition, &result, &title, "report-chart", today);
                (headings, rows) = view::table(tr, &result, &custom);
                truncated = result.truncated;
                ran = true;
            }
            Err(error) => errors = error_lines(tr, error).map_err(|e| user.fail(e))?,
        }
    }
    let teams = rapport_db::users::list_teams(&state.ctx).await.map_err(|e| user.fail(e))?;
    let shared = saved.as_ref().and_then(|s| s.shared_team_id).map(|t| t.to_string());
    let team_choices = choices(
        std::iter::once((String::new(), tr.t("report.private"))).chain(
            teams.iter().filter(|t| user.actor.team_ids.contains(&t.id.0)).map(|t| (t.id.to_string(), t.name.clone())),
        ),
        Some(shared.as_deref().unwrap_or("")),
    );
    let title = saved.as_ref().map_or_else(|| tr.t("report.new"), |s| s.name.clone());
    let schedules = match saved.as_ref().filter(|s| s.can_edit) {
        Some(report) => Some(schedules::section(state, user, report).await?),
        None => None,
    };
    let page = BuilderPage {
        frame: user.frame("reports", title),
        action: saved.as_ref().map_or_else(|| "/reports/new".to_owned(), |s| format!("/reports/{}", s.id)),
        kinds: choices(
            RecordType::all().map(|k| (k.as_str().to_owned(), tr.t(&format!("kind.{}", k.plural())))),
            Some(kind.as_str()),
        ),
        groups: vec![group_choices(&query.g0), group_choices(&query.g1)],
        buckets: vec![bucket_choices(&query.b0), bucket_choices(&query.b1)],
        ops: choices(measure_ops(), Some(definition.measures[0].op.as_str())),
        numeric: choices(numeric(), query.mf.as_deref()),
        ops1: choices(
            std::iter::once(none.clone()).chain(measure_ops()),
            Some(definition.measures.get(1).map_or("", |m| m.op.as_str())),
        ),
        numeric1: choices(numeric(), query.mf1.as_deref()),
        charts: choices(
            ChartKind::ALL.iter().map(|c| (c.as_str().to_owned(), tr.t(&format!("chart.kind.{}", c.as_str())))),
            Some(definition.chart.as_str()),
        ),
        filters,
        limit: definition.limit.to_string(),
        errors,
        chart,
        has_currency: headings.len() > definition.group_by.len() + definition.measures.len(),
        headings,
        rows,
        ran,
        truncated,
        query: query.query_string(),
        name: saved.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
        description: saved.as_ref().and_then(|s| s.description.clone()).unwrap_or_default(),
        can_edit: saved.as_ref().is_none_or(|s| s.can_edit),
        saved,
        teams: team_choices,
        schedules,
    };
    Ok(html(StatusCode::OK, &page))
}

pub async fn new_page(State(state): State<AppState>, user: WebUser, Query(query): Query<BuilderQuery>) -> WebResult {
    builder(&state, &user, query, None).await
}

fn report_id(user: &WebUser, id: &str) -> Result<ReportId, super::WebError> {
    Uuid::parse_str(id).map(ReportId).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))
}

pub async fn report_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Query(query): Query<BuilderQuery>,
) -> WebResult {
    let id = report_id(&user, &id)?;
    let saved = rapport_db::reports::get_report(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    let query = if query.submitted() { query } else { BuilderQuery::from_definition(&saved.definition) };
    builder(&state, &user, query, Some(saved)).await
}

/// The saved report's input from the builder's fields and the save form's.
fn input(form: &FormPost) -> ReportInput {
    // The builder's fields travel as one query string (`q`).
    let query: BuilderQuery = serde_urlencoded::from_str(form.value("q").unwrap_or("")).unwrap_or_default();
    ReportInput {
        name: form.value("name").unwrap_or("").to_owned(),
        description: form.value("description").map(str::to_owned),
        definition: query.definition(),
        shared_team_id: form.value("team").and_then(|t| Uuid::parse_str(t).ok()).map(TeamId),
    }
}

/// A refused save as a page: `key`'s words ("The report was not saved:")
/// and each field's error.
fn not_saved(user: &WebUser, key: &str, error: rapport_db::Error) -> super::WebError {
    match error_lines(&user.tr, error) {
        Ok(lines) => super::WebError::with_message(
            user.frame("", user.tr.t("error.title")),
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{} {}", user.tr.t(key), lines.join("; ")),
        ),
        Err(other) => user.fail(other),
    }
}

pub async fn create(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let saved = rapport_db::reports::create_report(&state.ctx, &user.actor, &input(&form))
        .await
        .map_err(|e| not_saved(user, "report.save_failed", e))?;
    Ok(Redirect::to(&format!("/reports/{}", saved.id)).into_response())
}

pub async fn update(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let id = report_id(user, &id)?;
    rapport_db::reports::update_report(&state.ctx, &user.actor, id, &input(&form))
        .await
        .map_err(|e| not_saved(user, "report.save_failed", e))?;
    Ok(Redirect::to(&format!("/reports/{id}")).into_response())
}

pub async fn delete(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let id = report_id(user, &id)?;
    rapport_db::reports::delete_report(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to("/reports").into_response())
}
