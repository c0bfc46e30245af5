//! Cadences in the web UI: Settings › Cadences (the list, the rule for new
//! leads, and the step editor: plain forms that add, remove and reorder
//! steps on the server, no script needed), the panel of a lead's,
//! contact's or deal's page (start one, see where each stands, stop it),
//! and Settings › WhatsApp.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::DomainError;
use rapport_core::access::{Admin, Writer};
use rapport_core::cadences::{AutoStart, CadenceInput, EnrollmentStatus, Step, StepKind, StopReason, can_enroll};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_db::cadences;
use rapport_db::records::Record;
use rapport_db::whatsapp::{self, WhatsappSettingsChange};
use uuid::Uuid;

use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, format, html};
use crate::state::AppState;

fn admin(user: &WebUser) -> Result<Admin, super::WebError> {
    Admin::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

/// Each field's error in the user's language.
pub struct Errors(Vec<(String, String)>);

impl Errors {
    fn of_service(user: &WebUser, error: rapport_db::Error) -> Result<Self, super::WebError> {
        match error {
            rapport_db::Error::Domain(DomainError::Validation(errors)) => Ok(Self(
                errors.0.iter().map(|e| (e.field.clone(), super::fields::error_message(&user.tr, e))).collect(),
            )),
            other => Err(user.fail(other)),
        }
    }

    /// The error of `field`, or "".
    pub fn of(&self, field: &str) -> String {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A cadence as the list shows it.
pub struct Row {
    pub id: Uuid,
    pub name: String,
    pub active: bool,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "cadences/list.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    rule_source: String,
    rule_cadence: Option<Uuid>,
    rule_saved: bool,
    errors: Errors,
}

impl ListPage {
    fn selected(&self, id: &Uuid) -> bool {
        self.rule_cadence == Some(*id)
    }
}

/// "Day 0 · Call — Day 2 · E-mail …"
fn summary(user: &WebUser, steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| {
            let day = user.tr.t1("cadence.day", "day", s.day_offset.to_string());
            format!("{day} · {}", user.tr.t(&format!("cadence.kind.{}", s.kind.as_str())))
        })
        .collect::<Vec<_>>()
        .join(" — ")
}

async fn render_list(state: &AppState, user: &WebUser, status: StatusCode, saved: bool, errors: Errors) -> WebResult {
    admin(user)?;
    let all = cadences::list(&state.ctx, &user.actor).await.map_err(|e| user.fail(e))?;
    let rule = cadences::auto_start(state.ctx.db.conn()).await.map_err(|e| user.fail(e))?;
    let page = ListPage {
        frame: user.frame("settings", user.tr.t("cadence.title")),
        rows: all
            .iter()
            .map(|c| Row { id: c.id, name: c.name.clone(), active: c.active, summary: summary(user, &c.steps) })
            .collect(),
        rule_source: rule.as_ref().map(|r| r.lead_source.clone()).unwrap_or_else(|| "web".into()),
        rule_cadence: rule.map(|r| r.cadence_id),
        rule_saved: saved,
        errors,
    };
    Ok(html(status, &page))
}

pub async fn list(State(state): State<AppState>, user: WebUser) -> WebResult {
    render_list(&state, &user, StatusCode::OK, false, Errors(Vec::new())).await
}

pub async fn save_rule(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let rule = form.value("cadence_id").and_then(|v| Uuid::parse_str(v).ok()).map(|cadence_id| AutoStart {
        lead_source: form.value("lead_source").unwrap_or_default().to_owned(),
        cadence_id,
    });
    match cadences::set_auto_start(&state.ctx, &admin, rule).await {
        Ok(_) => render_list(&state, user, StatusCode::OK, true, Errors(Vec::new())).await,
        Err(error) => {
            let errors = Errors::of_service(user, error)?;
            render_list(&state, user, StatusCode::UNPROCESSABLE_ENTITY, false, errors).await
        }
    }
}

/// A step row of the editor, as typed.
pub struct StepRow {
    pub day_offset: String,
    pub kind: String,
    pub title: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "cadences/edit.html")]
struct EditPage {
    frame: Frame,
    /// `None` for a new cadence.
    id: Option<Uuid>,
    name: String,
    active: bool,
    steps: Vec<StepRow>,
    kinds: Vec<(&'static str, String)>,
    errors: Errors,
    saved: bool,
}

impl EditPage {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/settings/cadences/{id}"),
            None => "/settings/cadences/new".into(),
        }
    }

    /// The error of a step's field, or "".
    fn step_error(&self, index: &usize, field: &str) -> String {
        self.errors.of(&format!("steps[{index}].{field}"))
    }
}

fn kinds(user: &WebUser) -> Vec<(&'static str, String)> {
    StepKind::ALL.iter().map(|k| (k.as_str(), user.tr.t(&format!("cadence.kind.{}", k.as_str())))).collect()
}

fn editor(user: &WebUser, id: Option<Uuid>, name: String, active: bool, steps: Vec<StepRow>) -> EditPage {
    let title = if id.is_some() { user.tr.t("cadence.edit") } else { user.tr.t("cadence.new") };
    EditPage {
        frame: user.frame("settings", title),
        id,
        name,
        active,
        steps,
        kinds: kinds(user),
        errors: Errors(Vec::new()),
        saved: false,
    }
}

fn blank_step(day: i64) -> StepRow {
    StepRow { day_offset: day.to_string(), kind: "call".into(), title: String::new(), note: String::new() }
}

pub async fn new_page(user: WebUser) -> WebResult {
    admin(&user)?;
    Ok(html(StatusCode::OK, &editor(&user, None, String::new(), true, vec![blank_step(0)])))
}

pub async fn edit_page(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
    user: WebUser,
) -> WebResult {
    admin(&user)?;
    let cadence = cadences::get(&state.ctx, &user.actor, id).await.map_err(|e| user.fail(e))?;
    let steps = cadence
        .steps
        .iter()
        .map(|s| StepRow {
            day_offset: s.day_offset.to_string(),
            kind: s.kind.as_str().into(),
            title: s.title.clone(),
            note: s.note.clone().unwrap_or_default(),
        })
        .collect();
    let mut page = editor(&user, Some(id), cadence.name, cadence.active, steps);
    page.saved = query.contains_key("saved");
    Ok(html(StatusCode::OK, &page))
}

/// The step rows of a posted editor: its repeated fields, in order.
fn posted_steps(form: &FormPost) -> Vec<StepRow> {
    let all = |name: &str| form.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let (days, kinds, titles, notes) = (all("day_offset"), all("kind"), all("title"), all("note"));
    (0..days.len())
        .map(|i| StepRow {
            day_offset: days[i].clone(),
            kind: kinds.get(i).cloned().unwrap_or_default(),
            title: titles.get(i).cloned().unwrap_or_default(),
            note: notes.get(i).cloned().unwrap_or_default(),
        })
        .collect()
}

pub async fn save_new(State(state): State<AppState>, form: FormPost) -> WebResult {
    save(&state, form, None).await
}

pub async fn save_existing(State(state): State<AppState>, Path(id): Path<Uuid>, form: FormPost) -> WebResult {
    save(&state, form, Some(id)).await
}

/// Saves the editor, or applies one of its buttons (add, remove, move a
/// step) and shows it again.
async fn save(state: &AppState, form: FormPost, id: Option<Uuid>) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let name = form.value("name").unwrap_or_default().to_owned();
    let active = form.value("active") == Some("true");
    let mut steps = posted_steps(&form);
    let action = form.value("_action").unwrap_or("save");
    let index = |prefix: &str| action.strip_prefix(prefix).and_then(|i| i.parse::<usize>().ok());
    let edited = if action == "add" {
        let last = steps.last().and_then(|s| s.day_offset.trim().parse::<i64>().ok()).unwrap_or(0);
        steps.push(blank_step(last + 1));
        true
    } else if let Some(i) = index("remove:").filter(|i| *i < steps.len()) {
        steps.remove(i);
        true
    } else if let Some(i) = index("up:").filter(|i| *i > 0 && *i < steps.len()) {
        steps.swap(i - 1, i);
        true
    } else if let Some(i) = index("down:").filter(|i| i + 1 < steps.len()) {
        steps.swap(i, i + 1);
        true
    } else {
        false
    };
    if edited {
        return Ok(html(StatusCode::OK, &editor(user, id, name, active, steps)));
    }
    let input = CadenceInput {
        name: name.clone(),
        active,
        steps: steps
            .iter()
            .map(|s| Step {
                // Not a number: out of range, said beside the field.
                day_offset: s.day_offset.trim().parse().unwrap_or(-1),
                kind: StepKind::parse(&s.kind).unwrap_or(StepKind::Task),
                title: s.title.clone(),
                note: Some(s.note.clone()),
            })
            .collect(),
    };
    let result = match id {
        Some(id) => cadences::update(&state.ctx, &admin, id, input).await,
        None => cadences::create(&state.ctx, &admin, input).await,
    };
    match result {
        Ok(cadence) => Ok(Redirect::to(&format!("/settings/cadences/{}?saved=1", cadence.id)).into_response()),
        Err(error) => {
            let mut page = editor(user, id, name, active, steps);
            page.errors = Errors::of_service(user, error)?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// An enrollment as a record's panel shows it.
pub struct EnrollmentRow {
    pub id: Uuid,
    pub cadence: String,
    pub status: String,
    pub active: bool,
    pub progress: String,
    pub next: String,
    pub can_stop: bool,
}

/// The cadences panel of a lead's, contact's or deal's page.
pub struct Panel {
    pub plural: &'static str,
    pub rows: Vec<EnrollmentRow>,
    /// Active cadences to start: `(id, name)`.
    pub choices: Vec<(Uuid, String)>,
    pub can_write: bool,
}

pub async fn panel(state: &AppState, user: &WebUser, record: &Record) -> rapport_db::Result<Option<Panel>> {
    if !can_enroll(record.record_type) {
        return Ok(None);
    }
    let enrollments = cadences::of_record(&state.ctx, &user.actor, record.record_type, record.id).await?;
    let all = cadences::list(&state.ctx, &user.actor).await?;
    let running: Vec<Uuid> =
        enrollments.iter().filter(|e| e.status == EnrollmentStatus::Active).map(|e| e.cadence_id).collect();
    let can_write = Writer::try_from(user.actor.clone()).is_ok();
    let rows = enrollments
        .iter()
        .map(|e| {
            let status = match (e.status, e.stop_reason) {
                (EnrollmentStatus::Stopped, Some(reason)) => user.tr.t(&format!("cadence.stopped.{}", reason.as_str())),
                (status, _) => user.tr.t(&format!("cadence.status.{}", status.as_str())),
            };
            let done = e.next_step.min(e.steps.len() as i64);
            let progress = user.tr.t_with(
                "cadence.progress",
                &[
                    ("done", super::i18n::Arg::Text(done.to_string())),
                    ("total", super::i18n::Arg::Text(e.steps.len().to_string())),
                ],
            );
            let next = match (e.next_due_at, usize::try_from(e.next_step).ok().and_then(|i| e.steps.get(i))) {
                (Some(at), Some(step)) => {
                    format!("{} · {}", step.title, format::datetime(at, user.zone, user.tr.locale))
                }
                _ => String::new(),
            };
            let active = e.status == EnrollmentStatus::Active;
            let can_stop =
                can_write && active && (e.owner_id == Some(user.actor.user_id) || user.actor.is_manager_or_admin());
            EnrollmentRow { id: e.id, cadence: e.cadence_name.clone(), status, active, progress, next, can_stop }
        })
        .collect();
    let choices = all.into_iter().filter(|c| c.active && !running.contains(&c.id)).map(|c| (c.id, c.name)).collect();
    Ok(Some(Panel { plural: record.record_type.plural(), rows, choices, can_write }))
}

fn writer(user: &WebUser) -> Result<Writer, super::WebError> {
    Writer::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

/// Starts a cadence from a record's page.
pub async fn start(State(state): State<AppState>, Path((kind, id)): Path<(String, Uuid)>, form: FormPost) -> WebResult {
    let user = &form.user;
    let writer = writer(user)?;
    let record_type = RecordType::from_plural(&kind)
        .filter(|t| can_enroll(*t))
        .ok_or_else(|| user.error(StatusCode::NOT_FOUND, "error.not_found"))?;
    let cadence = form
        .value("cadence_id")
        .and_then(|v| Uuid::parse_str(v).ok())
        .ok_or_else(|| user.error(StatusCode::UNPROCESSABLE_ENTITY, "cadence.choose"))?;
    cadences::enroll(&state.ctx, &writer, cadence, record_type, RecordId(id)).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/{}/{id}#cadences", record_type.plural())).into_response())
}

/// Stops an enrollment (by its owner, or as "they replied").
pub async fn stop(State(state): State<AppState>, Path(id): Path<Uuid>, form: FormPost) -> WebResult {
    let user = &form.user;
    let writer = writer(user)?;
    let reason = match form.value("reason") {
        Some("replied") => StopReason::Replied,
        _ => StopReason::ByOwner,
    };
    let stopped = cadences::stop(&state.ctx, &writer, id, reason).await.map_err(|e| user.fail(e))?;
    let plural = RecordType::parse(&stopped.record_type).map(|t| t.plural()).unwrap_or("leads");
    Ok(Redirect::to(&format!("/{plural}/{}#cadences", stopped.record_id)).into_response())
}

/// A message of the WhatsApp outbox as the settings page lists it.
pub struct MessageRow {
    pub when: String,
    pub to: String,
    pub status: String,
    pub class: &'static str,
    pub error: String,
}

#[derive(Template)]
#[template(path = "cadences/whatsapp.html")]
struct WhatsappPage {
    frame: Frame,
    settings: rapport_db::whatsapp::WhatsappSettings,
    errors: Errors,
    saved: bool,
    messages: Vec<MessageRow>,
}

async fn render_whatsapp(
    state: &AppState,
    user: &WebUser,
    status: StatusCode,
    saved: bool,
    errors: Errors,
) -> WebResult {
    let admin = admin(user)?;
    let settings = whatsapp::get_settings(&state.ctx, &admin).await.map_err(|e| user.fail(e))?;
    let messages = whatsapp::recent(&state.ctx, &admin, 20)
        .await
        .map_err(|e| user.fail(e))?
        .into_iter()
        .map(|m| MessageRow {
            when: format::datetime(m.created_at, user.zone, user.tr.locale),
            to: m.to,
            status: user.tr.t(&format!("whatsapp.status.{}", m.status.as_str())),
            class: m.status.as_str(),
            error: m.last_error.unwrap_or_default(),
        })
        .collect();
    let page =
        WhatsappPage { frame: user.frame("settings", user.tr.t("whatsapp.title")), settings, errors, saved, messages };
    Ok(html(status, &page))
}

pub async fn whatsapp_page(State(state): State<AppState>, user: WebUser) -> WebResult {
    render_whatsapp(&state, &user, StatusCode::OK, false, Errors(Vec::new())).await
}

pub async fn save_whatsapp(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let text = |name: &str| form.value(name).map(str::to_owned);
    let change = WhatsappSettingsChange {
        enabled: form.value("enabled") == Some("true"),
        base_url: text("base_url"),
        api_version: text("api_version"),
        phone_number_id: text("phone_number_id"),
        access_token: text("access_token"),
        clear_token: form.value("clear_token") == Some("true"),
        template_name: text("template_name"),
    };
    match whatsapp::save_settings(&state.ctx, &admin, &change).await {
        Ok(_) => render_whatsapp(&state, user, StatusCode::OK, true, Errors(Vec::new())).await,
        Err(error) => {
            let errors = Errors::of_service(user, error)?;
            render_whatsapp(&state, user, StatusCode::UNPROCESSABLE_ENTITY, false, errors).await
        }
    }
}
