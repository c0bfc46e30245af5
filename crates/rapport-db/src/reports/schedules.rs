//! Saved reports e-mailed on a schedule. Whoever may change a report sets
//! up its schedules: when (`rapport_core::reports::schedule::Cadence`, on
//! their own clock), as what file, to which people of the account. Each
//! recipient gets the report as *they* would see it (their record
//! visibility, their language), so a schedule never shows anyone more than
//! the report page would.
//!
//! The worker asks [`queue_due`] on every pass: a due schedule becomes one
//! `ReportDelivery` job (deduplicated by schedule and due time) and moves
//! on to its next time, in one transaction. The job writes the file through
//! the process's [`ReportFileWriter`] (the server owns the words) and queues
//! one message per recipient, each in a transaction with its
//! `report_deliveries` row: a retry or a second worker sends nothing twice.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rapport_core::access::{Actor, Role, Scope};
use rapport_core::ids::{ReportId, UserId};
use rapport_core::mail::Attachment;
use rapport_core::mail::templates::REPORT_SCHEDULED;
use rapport_core::reports::schedule::{AttachmentFormat, Cadence, Frequency, MAX_RECIPIENTS};
use rapport_core::values::Email;
use rapport_core::{DomainError, FieldError, ValidationErrors};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::run::ReportResult;
use super::saved::{SavedReport, ensure_writes, get_report, run_saved};
use crate::error::{Error, Result, StorageContext};
use crate::jobs::{Job, JobKind};
use crate::settings::Ctx;

/// A report's schedule as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportSchedule {
    pub id: Uuid,
    pub report_id: ReportId,
    /// Who set it up; the hour is on their clock.
    pub owner_id: UserId,
    #[serde(flatten)]
    pub cadence: Cadence,
    /// The owner's zone when it was set up (`America/Sao_Paulo`).
    pub time_zone: String,
    pub format: AttachmentFormat,
    pub recipients: Vec<UserId>,
    pub next_run_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A schedule to set up.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    #[serde(flatten)]
    pub cadence: Cadence,
    pub format: AttachmentFormat,
    /// People of the account who may see the report; the one setting it up when left empty.
    #[serde(default)]
    pub recipients: Vec<UserId>,
}

/// What a scheduled e-mail's file is made of, for the process's writer.
pub struct ReportFileRequest<'a> {
    pub report: &'a SavedReport,
    pub result: &'a ReportResult,
    pub format: AttachmentFormat,
    /// The recipient's language (`pt-BR`) and zone, for words, figures and dates.
    pub locale: &'a str,
    pub time_zone: &'a str,
    /// Custom fields' (key, label) of the report's kind.
    pub custom_labels: Vec<(String, String)>,
    /// The account's name and colour, for the PDF.
    pub branding: &'a rapport_core::branding::Branding,
    pub now: DateTime<Utc>,
}

/// Writes a report's result as the file a scheduled e-mail carries. The
/// server installs one (`Ctx::install_report_files`): the words are its own.
pub trait ReportFileWriter: Send + Sync + std::fmt::Debug {
    fn write(&self, request: &ReportFileRequest<'_>) -> std::result::Result<Attachment, String>;
}

const COLUMNS: [&str; 14] = [
    "id",
    "report_id",
    "owner_id",
    "frequency",
    "weekday",
    "month_day",
    "hour",
    "time_zone",
    "format",
    "recipients",
    "link",
    "next_run_at",
    "last_run_at",
    "created_at",
];

/// A stored schedule and the link its messages carry.
struct Stored {
    schedule: ReportSchedule,
    link: String,
}

fn from_row(row: &QueryResult) -> Result<Stored> {
    const CTX: &str = "read a report schedule";
    let text = |column: &str| row.try_get::<String>("", column).context(CTX);
    let small = |column: &str| -> Result<Option<u8>> {
        Ok(row.try_get::<Option<i64>>("", column).context(CTX)?.and_then(|v| u8::try_from(v).ok()))
    };
    let frequency = text("frequency")?;
    let format = text("format")?;
    let recipients: Value = row.try_get("", "recipients").context(CTX)?;
    let schedule = ReportSchedule {
        id: row.try_get("", "id").context(CTX)?,
        report_id: ReportId(row.try_get("", "report_id").context(CTX)?),
        owner_id: UserId(row.try_get("", "owner_id").context(CTX)?),
        cadence: Cadence {
            frequency: Frequency::parse(&frequency)
                .ok_or_else(|| Error::Config(format!("a stored schedule's frequency: {frequency}")))?,
            weekday: small("weekday")?,
            month_day: small("month_day")?,
            hour: small("hour")?.unwrap_or(0),
        },
        time_zone: text("time_zone")?,
        format: AttachmentFormat::parse(&format)
            .ok_or_else(|| Error::Config(format!("a stored schedule's format: {format}")))?,
        recipients: serde_json::from_value(recipients)
            .map_err(|e| Error::Config(format!("a stored schedule's recipients: {e}")))?,
        next_run_at: row.try_get("", "next_run_at").context(CTX)?,
        last_run_at: row.try_get("", "last_run_at").context(CTX)?,
        created_at: row.try_get("", "created_at").context(CTX)?,
    };
    Ok(Stored { schedule, link: text("link")? })
}

fn zone(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// A report the actor may change; schedules are its editors' business.
async fn editable_report(ctx: &Ctx, actor: &Actor, id: ReportId) -> Result<SavedReport> {
    let report = get_report(ctx, actor, id).await?;
    if !report.can_edit {
        return Err(DomainError::Forbidden("only the report's owner schedules it").into());
    }
    Ok(report)
}

/// The schedules of a report the actor may change, soonest first.
#[tracing::instrument(skip_all, fields(%report_id), err)]
pub async fn list_schedules(ctx: &Ctx, actor: &Actor, report_id: ReportId) -> Result<Vec<ReportSchedule>> {
    editable_report(ctx, actor, report_id).await?;
    let query = Query::select()
        .columns(COLUMNS)
        .from("report_schedules")
        .and_where(Expr::col("report_id").eq(report_id.0))
        .order_by("next_run_at", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("list a report's schedules")?;
    rows.iter().map(|r| from_row(r).map(|s| s.schedule)).collect()
}

/// Whether `user` may see `report`: its owner, administrators, and the
/// members of the team it is shared with.
fn may_see(report: &SavedReport, user: &crate::users::User, teams: &[Uuid]) -> bool {
    user.role == Role::Admin
        || user.id == report.owner_id
        || report.shared_team_id.is_some_and(|team| teams.contains(&team.0))
}

/// The people a report's schedule may send to: active users who may see it,
/// by name.
pub async fn possible_recipients(ctx: &Ctx, actor: &Actor, report_id: ReportId) -> Result<Vec<crate::users::User>> {
    let report = editable_report(ctx, actor, report_id).await?;
    let conn = ctx.db.conn();
    let mut people = Vec::new();
    for user in crate::users::list(ctx).await?.into_iter().filter(|u| !u.disabled) {
        if may_see(&report, &user, &crate::users::team_ids(conn, user.id.0).await?) {
            people.push(user);
        }
    }
    people.sort_by_key(|p| p.name.to_lowercase());
    Ok(people)
}

/// Sets up a schedule; `link` is the report's address on this site.
#[tracing::instrument(skip_all, fields(%report_id), err)]
pub async fn create_schedule(
    ctx: &Ctx,
    actor: &Actor,
    report_id: ReportId,
    input: &ScheduleInput,
    link: &str,
) -> Result<ReportSchedule> {
    ensure_writes(actor)?;
    let report = editable_report(ctx, actor, report_id).await?;
    let conn = ctx.db.conn();
    let mut errors = ValidationErrors::default();
    if let Err(found) = input.cadence.check() {
        found.0.into_iter().for_each(|e| errors.push(e));
    }
    let mut recipients = input.recipients.clone();
    if recipients.is_empty() {
        recipients.push(UserId(actor.user_id));
    }
    recipients.dedup();
    if recipients.len() > MAX_RECIPIENTS {
        errors.push(
            FieldError::new("recipients", "too_many_recipients", format!("at most {MAX_RECIPIENTS} recipients"))
                .with("max", MAX_RECIPIENTS),
        );
    }
    for recipient in recipients.iter().take(MAX_RECIPIENTS) {
        let user = crate::users::get(conn, *recipient).await?.filter(|u| !u.disabled);
        let allowed = match &user {
            Some(user) => may_see(&report, user, &crate::users::team_ids(conn, recipient.0).await?),
            None => false,
        };
        if !allowed {
            let name = user.map(|u| u.name).unwrap_or_else(|| recipient.to_string());
            errors.push(
                FieldError::new("recipients", "report_recipient_cannot_see", "this person cannot see the report")
                    .with("name", name),
            );
        }
    }
    errors.into_result().map_err(DomainError::Validation)?;

    let owner = crate::users::get(conn, UserId(actor.user_id)).await?;
    let time_zone = owner.map(|u| u.time_zone).unwrap_or_else(|| "UTC".to_owned());
    let now = ctx.now();
    let id = Uuid::now_v7();
    let cadence = input.cadence;
    let insert = Query::insert()
        .into_table("report_schedules")
        .columns(COLUMNS.iter().copied().chain(["updated_at"]))
        .values_panic([
            id.into(),
            report_id.0.into(),
            actor.user_id.into(),
            cadence.frequency.as_str().into(),
            cadence.weekday.map(i64::from).into(),
            cadence.month_day.map(i64::from).into(),
            i64::from(cadence.hour).into(),
            time_zone.clone().into(),
            input.format.as_str().into(),
            json!(recipients).into(),
            link.into(),
            cadence.next_after(now, &zone(&time_zone)).into(),
            Option::<DateTime<Utc>>::None.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    conn.execute(&insert).await.context("save a report schedule")?;
    let schedules = list_schedules(ctx, actor, report_id).await?;
    schedules.into_iter().find(|s| s.id == id).ok_or_else(|| DomainError::not_found("schedule").into())
}

/// Stops a schedule of a report the actor may change.
#[tracing::instrument(skip_all, fields(%report_id, %schedule_id), err)]
pub async fn delete_schedule(ctx: &Ctx, actor: &Actor, report_id: ReportId, schedule_id: Uuid) -> Result<()> {
    ensure_writes(actor)?;
    editable_report(ctx, actor, report_id).await?;
    let delete = Query::delete()
        .from_table("report_schedules")
        .and_where(Expr::col("id").eq(schedule_id))
        .and_where(Expr::col("report_id").eq(report_id.0))
        .to_owned();
    let done = ctx.db.conn().execute(&delete).await.context("delete a report schedule")?;
    if done.rows_affected() == 0 {
        return Err(DomainError::not_found("schedule").into());
    }
    Ok(())
}

/// A deleted report's schedules go with it (in its transaction).
pub(crate) async fn forget_report(conn: &impl ConnectionTrait, report_id: ReportId) -> Result<()> {
    let delete =
        Query::delete().from_table("report_schedules").and_where(Expr::col("report_id").eq(report_id.0)).to_owned();
    conn.execute(&delete).await.context("delete a report's schedules")?;
    Ok(())
}

/// Turns every schedule due by now into a delivery job and moves it to its
/// next time; how many. A schedule missed while no worker ran is sent once,
/// not once per missed time. Cheap when nothing is due: one indexed read.
pub async fn queue_due(ctx: &Ctx) -> Result<usize> {
    let now = ctx.now();
    let due = Query::select()
        .columns(COLUMNS)
        .from("report_schedules")
        .and_where(Expr::col("next_run_at").lte(now))
        .order_by("next_run_at", Order::Asc)
        .limit(100)
        .to_owned();
    if ctx.db.conn().query_one(&due).await.context("look for due report schedules")?.is_none() {
        return Ok(0);
    }
    let tx = ctx.db.write().await?;
    let rows = tx.query_all(&due).await.context("read due report schedules")?;
    let mut queued = 0;
    for row in &rows {
        let schedule = from_row(row)?.schedule;
        let due_at = schedule.next_run_at;
        let next = schedule.cadence.next_after(now, &zone(&schedule.time_zone));
        let moved = Query::update()
            .table("report_schedules")
            .value("next_run_at", next)
            .value("last_run_at", due_at)
            .and_where(Expr::col("id").eq(schedule.id))
            .and_where(Expr::col("next_run_at").eq(due_at))
            .to_owned();
        // Another worker moved it first: its job is queued already.
        if tx.execute(&moved).await.context("move a report schedule on")?.rows_affected() == 0 {
            continue;
        }
        let key = format!("report_schedule:{}:{}", schedule.id, due_at.timestamp_micros());
        let payload = json!({"schedule_id": schedule.id, "due_at": due_at});
        crate::jobs::enqueue(&*tx, JobKind::ReportDelivery, &payload, now, Some(&key), now).await?;
        queued += 1;
    }
    tx.commit().await?;
    Ok(queued)
}

/// What became of one recipient of a delivery.
#[derive(Debug, Default)]
pub struct DeliverySummary {
    pub queued: usize,
    pub skipped: usize,
}

/// The job: the report to each recipient as they see it, once.
pub(crate) async fn deliver(ctx: &Ctx, job: &Job) -> Result<DeliverySummary> {
    let mut summary = DeliverySummary::default();
    let schedule_id = job.payload.get("schedule_id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    let due_at = job
        .payload
        .get("due_at")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|at| at.with_timezone(&Utc));
    let (Some(schedule_id), Some(due_at)) = (schedule_id, due_at) else { return Ok(summary) };
    let query =
        Query::select().columns(COLUMNS).from("report_schedules").and_where(Expr::col("id").eq(schedule_id)).to_owned();
    // Stopped since it was queued: nothing to send.
    let Some(row) = ctx.db.conn().query_one(&query).await.context("load a report schedule")? else {
        return Ok(summary);
    };
    let Stored { schedule, link } = from_row(&row)?;
    let writer = ctx
        .report_files()
        .cloned()
        .ok_or_else(|| Error::Config("this process cannot write report files".to_owned()))?;
    for recipient in &schedule.recipients {
        if delivered(ctx, schedule_id, due_at, *recipient).await? {
            continue;
        }
        match prepare(ctx, &schedule, *recipient, &writer).await? {
            Prepared::Send { email, language, name, attachment, report } => {
                let context = json!({
                    "recipient": {"name": name},
                    "report": {"name": report.name, "description": report.description.unwrap_or_default()},
                    "schedule": {"frequency": schedule.cadence.frequency.as_str()},
                    "link": link,
                });
                let tx = ctx.db.write().await?;
                if !claim(&*tx, schedule_id, due_at, *recipient, "queued", None, ctx.now()).await? {
                    continue;
                }
                let message = crate::mail::TemplateMessage {
                    template_key: REPORT_SCHEDULED,
                    to: vec![email],
                    recipient_language: Some(&language),
                    context,
                    attachments: vec![attachment],
                    related: None,
                    queued_by: Some(schedule.owner_id),
                };
                let email_id = crate::mail::enqueue_from_template(&*tx, ctx, message).await?;
                let update = Query::update()
                    .table("report_deliveries")
                    .value("email_id", email_id)
                    .and_where(Expr::col("schedule_id").eq(schedule_id))
                    .and_where(Expr::col("due_at").eq(due_at))
                    .and_where(Expr::col("user_id").eq(recipient.0))
                    .to_owned();
                tx.execute(&update).await.context("note a report delivery's message")?;
                tx.commit().await?;
                summary.queued += 1;
            }
            Prepared::Skip(reason) => {
                tracing::info!(schedule = %schedule_id, recipient = %recipient, reason, "scheduled report not sent");
                let tx = ctx.db.write().await?;
                claim(&*tx, schedule_id, due_at, *recipient, "skipped", Some(reason), ctx.now()).await?;
                tx.commit().await?;
                summary.skipped += 1;
            }
        }
    }
    Ok(summary)
}

enum Prepared {
    Send {
        email: Email,
        language: String,
        name: String,
        attachment: Attachment,
        report: Box<SavedReport>,
    },
    /// Why this person gets nothing this time (kept on the delivery row).
    Skip(&'static str),
}

/// The recipient's message, from the report run as them.
async fn prepare(
    ctx: &Ctx,
    schedule: &ReportSchedule,
    recipient: UserId,
    writer: &Arc<dyn ReportFileWriter>,
) -> Result<Prepared> {
    let conn = ctx.db.conn();
    let Some(user) = crate::users::get(conn, recipient).await?.filter(|u| !u.disabled) else {
        return Ok(Prepared::Skip("not an active user"));
    };
    let Some(actor) = crate::users::actor(conn, recipient, Scope::Read).await? else {
        return Ok(Prepared::Skip("not an active user"));
    };
    let Ok(email) = Email::parse(&user.email) else { return Ok(Prepared::Skip("no valid e-mail address")) };
    let (report, result) = match run_saved(ctx, &actor, schedule.report_id).await {
        Ok(found) => found,
        Err(Error::Domain(DomainError::NotFound { .. })) => return Ok(Prepared::Skip("cannot see the report")),
        Err(Error::Domain(DomainError::Validation(_))) => return Ok(Prepared::Skip("the report no longer runs")),
        Err(other) => return Err(other),
    };
    let snapshot = ctx.snapshot().await?;
    let custom_labels = rapport_core::schema::RecordType::parse(&report.definition.record_type)
        .map(|kind| snapshot.custom_fields_of(kind).iter().map(|d| (d.key.clone(), d.label.clone())).collect())
        .unwrap_or_default();
    let branding = crate::branding::load(conn).await?;
    let request = ReportFileRequest {
        report: &report,
        result: &result,
        format: schedule.format,
        locale: &user.locale,
        time_zone: &user.time_zone,
        custom_labels,
        branding: &branding,
        now: ctx.now(),
    };
    let attachment = writer.write(&request).map_err(|e| Error::Config(format!("a scheduled report's file: {e}")))?;
    Ok(Prepared::Send { email, language: user.locale.clone(), name: user.name, attachment, report: Box::new(report) })
}

async fn delivered(ctx: &Ctx, schedule_id: Uuid, due_at: DateTime<Utc>, user: UserId) -> Result<bool> {
    let query = Query::select()
        .column("status")
        .from("report_deliveries")
        .and_where(Expr::col("schedule_id").eq(schedule_id))
        .and_where(Expr::col("due_at").eq(due_at))
        .and_where(Expr::col("user_id").eq(user.0))
        .to_owned();
    Ok(ctx.db.conn().query_one(&query).await.context("look for a report delivery")?.is_some())
}

/// Records one recipient's delivery; false when it was recorded before
/// (a retry, or another worker), and then nothing must be sent.
async fn claim(
    conn: &impl ConnectionTrait,
    schedule_id: Uuid,
    due_at: DateTime<Utc>,
    user: UserId,
    status: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let insert = Query::insert()
        .into_table("report_deliveries")
        .columns(["schedule_id", "due_at", "user_id", "status", "email_id", "reason", "created_at"])
        .values_panic([
            schedule_id.into(),
            due_at.into(),
            user.0.into(),
            status.into(),
            Option::<Uuid>::None.into(),
            reason.map(str::to_owned).into(),
            now.into(),
        ])
        .on_conflict(OnConflict::columns(["schedule_id", "due_at", "user_id"]).do_nothing().to_owned())
        .to_owned();
    Ok(conn.execute(&insert).await.context("record a report delivery")?.rows_affected() == 1)
}
