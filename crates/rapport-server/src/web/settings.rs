//! Settings, for administrators: users and teams, who sees which records,
//! custom fields, pipelines, and the trash.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::DomainError;
use rapport_core::access::{Admin, Role, Visibility, Writer};
use rapport_core::custom_fields::{CustomFieldDefinition, CustomFieldType};
use rapport_core::ids::{RecordId, TeamId, UserId};
use rapport_core::records::pipeline::{PipelineEdit, StageDraft, StageUpdate, status_for_stage};
use rapport_core::schema::RecordType;
use rapport_db::users::NewUser;
use serde::Deserialize;
use uuid::Uuid;

use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, format, html};
use crate::state::AppState;

fn admin(user: &WebUser) -> Result<Admin, super::WebError> {
    Admin::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

/// The kinds a user works with (the test-only kind stays out of sight).
fn kinds() -> impl Iterator<Item = RecordType> {
    RecordType::all().filter(|k| k.plural() != "gadgets")
}

pub struct UserLine {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role_value: &'static str,
    pub disabled: bool,
    pub teams: String,
}

pub struct TeamLine {
    pub id: String,
    pub name: String,
    pub members: String,
}

pub struct KindSettings {
    pub plural: &'static str,
    pub label: String,
    pub visibility: &'static str,
    pub fields: Vec<(String, String, String)>,
}

pub struct PipelineLine {
    pub id: String,
    pub name: String,
    pub stages: Vec<StageLine>,
}

pub struct StageLine {
    pub id: String,
    pub name: String,
    pub probability: i64,
    /// `open`, `won` or `lost`.
    pub kind: &'static str,
    pub first: bool,
    pub last: bool,
}

pub struct TrashLine {
    pub restore: String,
    pub kind: String,
    pub name: String,
    pub deleted: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    frame: Frame,
    tab: &'static str,
    error: Option<String>,
    users: Vec<UserLine>,
    teams: Vec<TeamLine>,
    user_options: Vec<(String, String)>,
    roles: Vec<(&'static str, String)>,
    kinds: Vec<KindSettings>,
    visibilities: Vec<(&'static str, String)>,
    field_types: Vec<&'static str>,
    pipelines: Vec<PipelineLine>,
    stage_kinds: Vec<(&'static str, String)>,
    trash: Vec<TrashLine>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
}

async fn render(state: &AppState, user: &WebUser, tab: &str, error: Option<String>) -> WebResult {
    admin(user)?;
    let fail = |e| user.fail(e);
    let tr = &user.tr;
    let tab: &'static str = match tab {
        "records" => "records",
        "pipelines" => "pipelines",
        "trash" => "trash",
        _ => "people",
    };
    let all_users = rapport_db::users::list(&state.ctx).await.map_err(fail)?;
    let teams = rapport_db::users::list_teams(&state.ctx).await.map_err(fail)?;
    let name_of = |id: UserId| all_users.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let snapshot = state.ctx.snapshot().await.map_err(fail)?;
    let mut trash = Vec::new();
    if tab == "trash" {
        for kind in kinds() {
            let pairs = [("trash".to_owned(), "true".to_owned()), ("limit".to_owned(), "50".to_owned())];
            let page = rapport_db::records::list(&state.ctx, &user.actor, kind, &pairs).await.map_err(fail)?;
            trash.extend(page.items.iter().map(|r| TrashLine {
                restore: format!("/settings/trash/{}/{}/restore", kind.plural(), r.id.0),
                kind: tr.t(&format!("kind.{}.one", kind.plural())),
                name: r.display_name(),
                deleted: r.deleted_at.map(|at| format::datetime(at, user.zone, tr.locale)).unwrap_or_default(),
            }));
        }
    }
    let page = SettingsPage {
        users: all_users
            .iter()
            .map(|u| UserLine {
                id: u.id.0.to_string(),
                name: u.name.clone(),
                email: u.email.clone(),
                role_value: u.role.as_str(),
                disabled: u.disabled,
                teams: teams
                    .iter()
                    .filter(|t| t.member_ids.contains(&u.id))
                    .map(|t| t.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        teams: teams
            .iter()
            .map(|t| TeamLine {
                id: t.id.0.to_string(),
                name: t.name.clone(),
                members: t.member_ids.iter().map(|id| name_of(*id)).collect::<Vec<_>>().join(", "),
            })
            .collect(),
        user_options: all_users.iter().filter(|u| !u.disabled).map(|u| (u.id.0.to_string(), u.name.clone())).collect(),
        roles: [Role::Member, Role::Manager, Role::Admin, Role::ReadOnly]
            .iter()
            .map(|r| (r.as_str(), tr.t(&format!("role.{}", r.as_str()))))
            .collect(),
        kinds: kinds()
            .map(|kind| KindSettings {
                plural: kind.plural(),
                label: tr.t(&format!("kind.{}", kind.plural())),
                visibility: snapshot.settings.visibility(kind).as_str(),
                fields: snapshot
                    .custom_fields_of(kind)
                    .iter()
                    .map(|d| (d.key.clone(), d.label.clone(), d.field_type.as_str().to_owned()))
                    .collect(),
            })
            .collect(),
        visibilities: ["everyone", "team", "private"]
            .iter()
            .map(|v| (*v, tr.t(&format!("settings.visibility_{v}"))))
            .collect(),
        stage_kinds: ["open", "won", "lost"].iter().map(|k| (*k, tr.t(&format!("enum.status.{k}")))).collect(),
        field_types: ["text", "number", "money", "date", "boolean", "select", "multi_select", "url", "email", "phone"]
            .to_vec(),
        pipelines: rapport_db::pipelines::list(state.ctx.db.conn())
            .await
            .map_err(fail)?
            .iter()
            .map(|p| PipelineLine {
                id: p.id.to_string(),
                name: p.name.clone(),
                stages: p
                    .stages
                    .iter()
                    .enumerate()
                    .map(|(i, s)| StageLine {
                        id: s.id.to_string(),
                        name: s.name.clone(),
                        probability: s.probability,
                        kind: status_for_stage(s.is_won, s.is_lost),
                        first: i == 0,
                        last: i + 1 == p.stages.len(),
                    })
                    .collect(),
            })
            .collect(),
        trash,
        tab,
        error,
        frame: user.frame("settings", tr.t("settings.title")),
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(html(status, &page))
}

pub async fn page(State(state): State<AppState>, user: WebUser, Query(query): Query<TabQuery>) -> WebResult {
    render(&state, &user, query.tab.as_deref().unwrap_or("people"), None).await
}

/// After a change: back to the tab, or the tab with the service's objection.
async fn done(state: &AppState, user: &WebUser, tab: &str, outcome: rapport_db::Result<()>) -> WebResult {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/settings?tab={tab}")).into_response()),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let message =
                errors.0.iter().map(|e| super::fields::error_message(&user.tr, e)).collect::<Vec<_>>().join(" ");
            render(state, user, tab, Some(message)).await
        }
        Err(rapport_db::Error::Domain(DomainError::Conflict { message, .. })) => {
            render(state, user, tab, Some(message)).await
        }
        Err(error) => Err(user.fail(error)),
    }
}

pub async fn create_user(State(state): State<AppState>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    let role = form.value("role").and_then(Role::parse).unwrap_or(Role::Member);
    let input = NewUser {
        email: form.value("email").unwrap_or_default().to_owned(),
        name: form.value("name").unwrap_or_default().to_owned(),
        password: form.value("password").unwrap_or_default().to_owned(),
        role,
        locale: form.user.tr.locale.tag().to_owned(),
    };
    let created = rapport_db::users::create(&state.ctx, &admin, &input).await.map(|_| ());
    done(&state, &form.user, "people", created).await
}

pub async fn set_enabled(
    State(state): State<AppState>,
    Path((id, action)): Path<(Uuid, String)>,
    form: FormPost,
) -> WebResult {
    let admin = admin(&form.user)?;
    let disabled = action == "disable";
    let changed = rapport_db::users::set_disabled(&state.ctx, &admin, UserId(id), disabled).await;
    done(&state, &form.user, "people", changed).await
}

pub async fn rename_user(State(state): State<AppState>, Path(id): Path<Uuid>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    let name = form.value("name").unwrap_or_default();
    let renamed = rapport_db::users::rename(&state.ctx, &admin, UserId(id), name).await;
    done(&state, &form.user, "people", renamed).await
}

pub async fn set_role(State(state): State<AppState>, Path(id): Path<Uuid>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    let Some(role) = form.value("role").and_then(Role::parse) else {
        return render(&state, &form.user, "people", Some(form.user.tr.t("error.invalid_choice"))).await;
    };
    let changed = rapport_db::users::set_role(&state.ctx, &admin, UserId(id), role).await;
    done(&state, &form.user, "people", changed).await
}

/// A forgotten password, set by an administrator: the user's sessions end
/// and their API tokens are revoked.
pub async fn reset_password(State(state): State<AppState>, Path(id): Path<Uuid>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    let password = form.value("password").unwrap_or_default();
    let reset = rapport_db::users::reset_password(&state.ctx, &admin, UserId(id), password).await;
    done(&state, &form.user, "people", reset).await
}

pub async fn create_team(State(state): State<AppState>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    let created = rapport_db::users::create_team(&state.ctx, &admin, form.value("name").unwrap_or_default()).await;
    done(&state, &form.user, "people", created.map(|_| ())).await
}

pub async fn add_member(State(state): State<AppState>, Path(team): Path<Uuid>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    let Some(member) = form.value("user_id").and_then(|v| Uuid::parse_str(v).ok()) else {
        return render(&state, &form.user, "people", Some(form.user.tr.t("error.required"))).await;
    };
    let added = rapport_db::users::add_member(&state.ctx, &admin, TeamId(team), UserId(member)).await;
    done(&state, &form.user, "people", added).await
}

pub async fn save_visibility(State(state): State<AppState>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    let mut settings = state.ctx.snapshot().await.map_err(|e| form.user.fail(e))?.settings.clone();
    for kind in kinds() {
        if let Some(visibility) = form.value(&format!("visibility_{}", kind.plural())).and_then(Visibility::parse) {
            settings.visibility.insert(kind, visibility);
        }
    }
    let saved = rapport_db::settings::save(&state.ctx, &admin, &settings).await;
    done(&state, &form.user, "records", saved).await
}

pub async fn create_field(State(state): State<AppState>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    let Some(record_type) = form.value("kind").and_then(RecordType::from_plural) else {
        return render(&state, &form.user, "records", Some(form.user.tr.t("error.invalid_choice"))).await;
    };
    let definition = CustomFieldDefinition {
        record_type,
        key: form.value("key").unwrap_or_default().trim().to_owned(),
        label: form.value("label").unwrap_or_default().trim().to_owned(),
        field_type: form.value("field_type").and_then(CustomFieldType::parse).unwrap_or(CustomFieldType::Text),
        options: form
            .value("options")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect(),
        required: false,
    };
    let created = rapport_db::settings::create_custom_field(&state.ctx, &admin, &definition).await;
    done(&state, &form.user, "records", created).await
}

pub async fn delete_field(
    State(state): State<AppState>,
    Path((kind, key)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let admin = admin(&form.user)?;
    let Some(record_type) = RecordType::from_plural(&kind) else {
        return Err(form.user.error(StatusCode::NOT_FOUND, "error.not_found"));
    };
    let deleted = rapport_db::settings::delete_custom_field(&state.ctx, &admin, record_type, &key).await;
    done(&state, &form.user, "records", deleted).await
}

/// A new pipeline; its stages one per line as `Name: probability`, with
/// `won` or `lost` after the probability for closing stages.
pub async fn create_pipeline(State(state): State<AppState>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    let stages: Vec<StageDraft> = form
        .value("stages")
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (name, rest) = line.split_once(':').unwrap_or((line, ""));
            let mut words = rest.split_whitespace();
            let probability = words.next().and_then(|p| p.trim_end_matches('%').parse().ok()).unwrap_or(0);
            let flag = words.next().unwrap_or_default().to_lowercase();
            StageDraft { name: name.trim().to_owned(), probability, is_won: flag == "won", is_lost: flag == "lost" }
        })
        .collect();
    let name = form.value("name").unwrap_or_default();
    let created = rapport_db::pipelines::create(&state.ctx, &admin, name, &stages).await.map(|_| ());
    done(&state, &form.user, "pipelines", created).await
}

/// A stage as the settings form gives it: name, probability, and kind.
fn stage_form(form: &FormPost, id: Option<Uuid>) -> Option<StageUpdate> {
    let probability = form.value("probability").unwrap_or_default().trim().trim_end_matches('%').parse().ok()?;
    let kind = form.value("kind").unwrap_or("open");
    Some(StageUpdate {
        id,
        name: form.value("name").unwrap_or_default().to_owned(),
        probability,
        is_won: kind == "won",
        is_lost: kind == "lost",
    })
}

async fn edit_pipeline(state: &AppState, form: &FormPost, id: Uuid, edit: Option<PipelineEdit>) -> WebResult {
    let admin = admin(&form.user)?;
    let Some(edit) = edit else {
        return render(state, &form.user, "pipelines", Some(form.user.tr.t("error.invalid_number"))).await;
    };
    let edited = rapport_db::pipelines::edit(&state.ctx, &admin, id, edit).await.map(|_| ());
    done(state, &form.user, "pipelines", edited).await
}

pub async fn rename_pipeline(State(state): State<AppState>, Path(id): Path<Uuid>, form: FormPost) -> WebResult {
    let edit = PipelineEdit::Rename(form.value("name").unwrap_or_default().to_owned());
    edit_pipeline(&state, &form, id, Some(edit)).await
}

pub async fn add_stage(State(state): State<AppState>, Path(id): Path<Uuid>, form: FormPost) -> WebResult {
    let edit = stage_form(&form, None).map(|s| {
        PipelineEdit::Add(StageDraft { name: s.name, probability: s.probability, is_won: s.is_won, is_lost: s.is_lost })
    });
    edit_pipeline(&state, &form, id, edit).await
}

pub async fn save_stage(
    State(state): State<AppState>,
    Path((id, stage)): Path<(Uuid, Uuid)>,
    form: FormPost,
) -> WebResult {
    let edit = stage_form(&form, Some(stage)).map(PipelineEdit::SetStage);
    edit_pipeline(&state, &form, id, edit).await
}

pub async fn move_stage(
    State(state): State<AppState>,
    Path((id, stage)): Path<(Uuid, Uuid)>,
    form: FormPost,
) -> WebResult {
    let edit = PipelineEdit::Move { id: stage, up: form.value("direction") == Some("up") };
    edit_pipeline(&state, &form, id, Some(edit)).await
}

pub async fn remove_stage(
    State(state): State<AppState>,
    Path((id, stage)): Path<(Uuid, Uuid)>,
    form: FormPost,
) -> WebResult {
    edit_pipeline(&state, &form, id, Some(PipelineEdit::Remove(stage))).await
}

pub async fn restore(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, Uuid)>,
    form: FormPost,
) -> WebResult {
    admin(&form.user)?;
    let writer = Writer::try_from(form.user.actor.clone())
        .map_err(|_| form.user.error(StatusCode::FORBIDDEN, "error.forbidden"))?;
    let Some(record_type) = RecordType::from_plural(&kind) else {
        return Err(form.user.error(StatusCode::NOT_FOUND, "error.not_found"));
    };
    rapport_db::records::restore(&state.ctx, &writer, record_type, RecordId(id))
        .await
        .map_err(|e| form.user.fail(e))?;
    Ok(Redirect::to(&format!("/{}/{id}", record_type.plural())).into_response())
}
