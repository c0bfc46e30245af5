//! Saved reports: private to their owner, or shared with one of the owner's
//! teams. The owner (and administrators) change and delete them; members
//! of the team see shared ones. Running a shared report shows each viewer
//! only the records they may see.

use chrono::{DateTime, Utc};
use rapport_core::access::{Actor, Role, Scope};
use rapport_core::ids::{ReportId, TeamId, UserId};
use rapport_core::reports::ReportDefinition;
use rapport_core::{DomainError, FieldError, ValidationErrors};
use sea_orm::sea_query::{Cond, Condition, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::run::{ReportResult, run_checked};
use crate::error::{Error, Result, StorageContext};
use crate::settings::Ctx;

pub const MAX_NAME: usize = 120;
pub const MAX_DESCRIPTION: usize = 2000;

/// A saved report as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SavedReport {
    pub id: ReportId,
    pub owner_id: UserId,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub definition: ReportDefinition,
    /// The team it is shared with; none when private.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_team_id: Option<TeamId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Whether the asking user may change or delete it.
    pub can_edit: bool,
}

/// A report to save.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub definition: ReportDefinition,
    /// Share with this team (one of the owner's); none keeps it private.
    #[serde(default)]
    pub shared_team_id: Option<TeamId>,
}

pub(crate) fn ensure_writes(actor: &Actor) -> Result<()> {
    if actor.scope == Scope::Read {
        return Err(DomainError::Forbidden("this token is read-only").into());
    }
    Ok(())
}

/// Reports the actor may see: their own, their teams' shared ones, all for administrators.
fn visible(actor: &Actor) -> Condition {
    if actor.role == Role::Admin {
        return Cond::all();
    }
    let mut any = Cond::any().add(Expr::col("owner_id").eq(actor.user_id));
    if !actor.team_ids.is_empty() {
        any = any.add(Expr::col("shared_team_id").is_in(actor.team_ids.iter().copied()));
    }
    any
}

fn can_edit(actor: &Actor, owner: Uuid) -> bool {
    actor.role == Role::Admin || actor.user_id == owner
}

const COLUMNS: [&str; 8] =
    ["id", "owner_id", "name", "description", "definition", "shared_team_id", "created_at", "updated_at"];

fn from_row(actor: &Actor, row: &QueryResult) -> Result<SavedReport> {
    const CTX: &str = "read a saved report";
    let owner: Uuid = row.try_get("", "owner_id").context(CTX)?;
    let definition: Value = row.try_get("", "definition").context(CTX)?;
    Ok(SavedReport {
        id: ReportId(row.try_get("", "id").context(CTX)?),
        owner_id: UserId(owner),
        name: row.try_get("", "name").context(CTX)?,
        description: row.try_get("", "description").context(CTX)?,
        definition: serde_json::from_value(definition)
            .map_err(|e| Error::Config(format!("a stored report definition: {e}")))?,
        shared_team_id: row.try_get::<Option<Uuid>>("", "shared_team_id").context(CTX)?.map(TeamId),
        created_at: row.try_get("", "created_at").context(CTX)?,
        updated_at: row.try_get("", "updated_at").context(CTX)?,
        can_edit: can_edit(actor, owner),
    })
}

/// Name, description, definition and team checked; every problem at once.
async fn check_input(ctx: &Ctx, actor: &Actor, owner: Uuid, input: &ReportInput) -> Result<()> {
    let mut errors = ValidationErrors::default();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::required("name"));
    } else if name.chars().count() > MAX_NAME {
        errors
            .push(FieldError::new("name", "too_long", format!("at most {MAX_NAME} characters")).with("max", MAX_NAME));
    }
    if input.description.as_deref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        errors.push(
            FieldError::new("description", "too_long", format!("at most {MAX_DESCRIPTION} characters"))
                .with("max", MAX_DESCRIPTION),
        );
    }
    let snapshot = ctx.snapshot().await?;
    if let Err(found) = input.definition.check(|kind| snapshot.custom_fields_of(kind)) {
        found.0.into_iter().for_each(|e| errors.push(e.nested("definition")));
    }
    if let Some(team) = input.shared_team_id {
        let owner_teams = owner_teams(ctx.db.conn(), owner).await?;
        if !owner_teams.contains(&team.0) && actor.role != Role::Admin {
            errors.push(FieldError::new("shared_team_id", "report_not_your_team", "share with one of your teams"));
        } else if !team_exists(ctx.db.conn(), team.0).await? {
            errors.push(FieldError::new("shared_team_id", "unknown_reference", "no such team"));
        }
    }
    errors.into_result().map_err(|e| DomainError::Validation(e).into())
}

async fn owner_teams(conn: &impl ConnectionTrait, user: Uuid) -> Result<Vec<Uuid>> {
    let query =
        Query::select().column("team_id").from("team_members").and_where(Expr::col("user_id").eq(user)).to_owned();
    let rows = conn.query_all(&query).await.context("read a user's teams")?;
    rows.iter().map(|r| r.try_get("", "team_id").context("read a team id")).collect()
}

async fn team_exists(conn: &impl ConnectionTrait, team: Uuid) -> Result<bool> {
    let query = Query::select().column("id").from("teams").and_where(Expr::col("id").eq(team)).to_owned();
    Ok(conn.query_one(&query).await.context("find a team")?.is_some())
}

#[tracing::instrument(skip_all, err)]
pub async fn list_reports(ctx: &Ctx, actor: &Actor) -> Result<Vec<SavedReport>> {
    let query = Query::select()
        .columns(COLUMNS)
        .from("reports")
        .cond_where(visible(actor))
        .order_by("name", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("list saved reports")?;
    rows.iter().map(|r| from_row(actor, r)).collect()
}

/// A report the actor may see; "not found" otherwise.
#[tracing::instrument(skip_all, fields(%id), err)]
pub async fn get_report(ctx: &Ctx, actor: &Actor, id: ReportId) -> Result<SavedReport> {
    let query = Query::select()
        .columns(COLUMNS)
        .from("reports")
        .and_where(Expr::col("id").eq(id.0))
        .cond_where(visible(actor))
        .to_owned();
    let row = ctx.db.conn().query_one(&query).await.context("load a saved report")?;
    row.map(|r| from_row(actor, &r)).transpose()?.ok_or_else(|| DomainError::not_found("report").into())
}

#[tracing::instrument(skip_all, err)]
pub async fn create_report(ctx: &Ctx, actor: &Actor, input: &ReportInput) -> Result<SavedReport> {
    ensure_writes(actor)?;
    check_input(ctx, actor, actor.user_id, input).await?;
    let id = ReportId::new();
    let now = ctx.now();
    let insert = Query::insert()
        .into_table("reports")
        .columns(COLUMNS)
        .values_panic([
            id.0.into(),
            actor.user_id.into(),
            input.name.trim().into(),
            input.description.as_deref().map(str::trim).filter(|d| !d.is_empty()).into(),
            serde_json::json!(input.definition).into(),
            input.shared_team_id.map(|t| t.0).into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    ctx.db.conn().execute(&insert).await.context("save a report")?;
    get_report(ctx, actor, id).await
}

/// Changes a report the actor owns (or any, for administrators).
#[tracing::instrument(skip_all, fields(%id), err)]
pub async fn update_report(ctx: &Ctx, actor: &Actor, id: ReportId, input: &ReportInput) -> Result<SavedReport> {
    ensure_writes(actor)?;
    let current = get_report(ctx, actor, id).await?;
    if !current.can_edit {
        return Err(DomainError::Forbidden("only the report's owner changes it").into());
    }
    check_input(ctx, actor, current.owner_id.0, input).await?;
    let update = Query::update()
        .table("reports")
        .value("name", input.name.trim())
        .value("description", input.description.as_deref().map(str::trim).filter(|d| !d.is_empty()))
        .value("definition", serde_json::json!(input.definition))
        .value("shared_team_id", input.shared_team_id.map(|t| t.0))
        .value("updated_at", ctx.now())
        .and_where(Expr::col("id").eq(id.0))
        .to_owned();
    ctx.db.conn().execute(&update).await.context("change a saved report")?;
    get_report(ctx, actor, id).await
}

/// Deletes a report the actor owns (or any, for administrators), and its dashboard widgets.
#[tracing::instrument(skip_all, fields(%id), err)]
pub async fn delete_report(ctx: &Ctx, actor: &Actor, id: ReportId) -> Result<()> {
    ensure_writes(actor)?;
    let current = get_report(ctx, actor, id).await?;
    if !current.can_edit {
        return Err(DomainError::Forbidden("only the report's owner deletes it").into());
    }
    let tx = ctx.db.write().await?;
    tx.execute(&Query::delete().from_table("reports").and_where(Expr::col("id").eq(id.0)).to_owned())
        .await
        .context("delete a saved report")?;
    super::dashboards::forget_report(&*tx, id, ctx.now()).await?;
    super::schedules::forget_report(&*tx, id).await?;
    super::cache::forget_report(&*tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Runs a saved report for the actor (with the actor's record visibility).
#[tracing::instrument(skip_all, fields(%id), err)]
pub async fn run_saved(ctx: &Ctx, actor: &Actor, id: ReportId) -> Result<(SavedReport, ReportResult)> {
    let report = get_report(ctx, actor, id).await?;
    let snapshot = ctx.snapshot().await?;
    // A custom field removed since saving makes the report invalid: say so.
    let checked = report.definition.check(|kind| snapshot.custom_fields_of(kind)).map_err(|e| {
        DomainError::Validation(ValidationErrors(e.0.into_iter().map(|e| e.nested("definition")).collect()))
    })?;
    let result = run_checked(ctx, actor, &snapshot, &report.definition, &checked).await?;
    Ok((report, result))
}
