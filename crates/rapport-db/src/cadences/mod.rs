//! Follow-up cadences: templates an administrator writes, enrollments of
//! leads, contacts and deals in them, and the job that creates each step's
//! activity when it is due, exactly once.
//!
//! "Nothing lost": an enrollment and the job of its first step are written
//! in one transaction; each step's job creates the activity, records the
//! step in `cadence_step_runs` (primary key `(enrollment, step)`), queues
//! the reminders and the next step's job, and finishes, all in one
//! transaction. A retry, or a second worker, finds the step recorded (or
//! waits on its key, then finds it) and creates nothing.
//!
//! Stopping: a closed deal, a converted or disqualified lead, a reply (an
//! activity logged with the outcome "replied") or the owner ends the
//! enrollment; its pending step's job then finds it stopped and does
//! nothing. Activities already created stay: they were due, and are the
//! owner's to close. Future ones are never created.

pub(crate) mod schema;
mod steps;

pub use steps::run_step;

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Admin, Writer};
use rapport_core::cadences::{
    self as rules, AutoStart, CadenceInput, EnrollmentStatus, Step, StopReason, can_enroll, due_at,
};
use rapport_core::ids::RecordId;
use rapport_core::schema::{RecordType, record_links};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::{Error, Result, StorageContext};
use crate::jobs::{self, JobKind};
use crate::records::Record;
use crate::settings::Ctx;

/// The `settings` key of the rule that starts a cadence for new leads.
const AUTO_START_KEY: &str = "cadence_auto_start";

/// A cadence as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Cadence {
    pub id: Uuid,
    pub name: String,
    pub active: bool,
    pub steps: Vec<Step>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A record's run through a cadence.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Enrollment {
    pub id: Uuid,
    pub cadence_id: Uuid,
    pub cadence_name: String,
    pub record_type: String,
    pub record_id: Uuid,
    /// Who the steps' activities and reminders are for.
    pub owner_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub started_by: Option<Uuid>,
    /// The index of the next step to create (= the number of steps when completed).
    pub next_step: i64,
    pub steps: Vec<Step>,
    /// When the next step is due, while active.
    pub next_due_at: Option<DateTime<Utc>>,
    pub status: EnrollmentStatus,
    pub stop_reason: Option<StopReason>,
    pub ended_at: Option<DateTime<Utc>>,
}

fn not_found() -> Error {
    DomainError::not_found("cadence").into()
}

fn cadence_from_row(row: &QueryResult) -> Result<Cadence> {
    const CTX: &str = "read a cadence";
    let steps: Value = row.try_get("", "steps").context(CTX)?;
    Ok(Cadence {
        id: row.try_get("", "id").context(CTX)?,
        name: row.try_get("", "name").context(CTX)?,
        active: row.try_get("", "active").context(CTX)?,
        steps: serde_json::from_value(steps).map_err(|e| Error::Config(format!("stored cadence steps: {e}")))?,
        created_at: row.try_get("", "created_at").context(CTX)?,
        updated_at: row.try_get("", "updated_at").context(CTX)?,
    })
}

const CADENCE_COLUMNS: [&str; 6] = ["id", "name", "active", "steps", "created_at", "updated_at"];

pub(crate) async fn load_cadence(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Cadence>> {
    let query = Query::select().columns(CADENCE_COLUMNS).from("cadences").and_where(Expr::col("id").eq(id)).to_owned();
    conn.query_one(&query).await.context("read a cadence")?.as_ref().map(cadence_from_row).transpose()
}

/// Every cadence, by name (a handful: read whole). Anyone signed in may
/// list them, to start one on a record.
pub async fn list(ctx: &Ctx, _by: &Actor) -> Result<Vec<Cadence>> {
    let query = Query::select().columns(CADENCE_COLUMNS).from("cadences").order_by("name", Order::Asc).to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("read the cadences")?;
    rows.iter().map(cadence_from_row).collect()
}

pub async fn get(ctx: &Ctx, _by: &Actor, id: Uuid) -> Result<Cadence> {
    load_cadence(ctx.db.conn(), id).await?.ok_or_else(not_found)
}

/// Creates a cadence (administrators).
pub async fn create(ctx: &Ctx, by: &Admin, input: CadenceInput) -> Result<Cadence> {
    let input = input.checked()?;
    let now = ctx.now();
    let id = Uuid::now_v7();
    let tx = ctx.db.write().await?;
    let insert = Query::insert()
        .into_table("cadences")
        .columns(["id", "name", "active", "steps", "created_at", "created_by", "updated_at"])
        .values_panic([
            id.into(),
            input.name.into(),
            input.active.into(),
            json!(input.steps).into(),
            now.into(),
            by.actor().user_id.into(),
            now.into(),
        ])
        .to_owned();
    tx.execute(&insert).await.context("create a cadence")?;
    let cadence = load_cadence(&*tx, id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(cadence)
}

/// Replaces a cadence's name, state and steps (administrators). Running
/// enrollments keep the steps they started with.
pub async fn update(ctx: &Ctx, _by: &Admin, id: Uuid, input: CadenceInput) -> Result<Cadence> {
    let input = input.checked()?;
    let tx = ctx.db.write().await?;
    let update = Query::update()
        .table("cadences")
        .value("name", input.name)
        .value("active", input.active)
        .value("steps", json!(input.steps))
        .value("updated_at", ctx.now())
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    if tx.execute(&update).await.context("change a cadence")?.rows_affected() == 0 {
        return Err(not_found());
    }
    let cadence = load_cadence(&*tx, id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(cadence)
}

const ENROLLMENT_COLUMNS: [&str; 12] = [
    "id",
    "cadence_id",
    "record_type",
    "record_id",
    "owner_id",
    "steps",
    "started_at",
    "started_by",
    "next_step",
    "status",
    "stop_reason",
    "ended_at",
];

fn enrollment_from_row(row: &QueryResult, cadence_name: String) -> Result<Enrollment> {
    const CTX: &str = "read an enrollment";
    let steps: Value = row.try_get("", "steps").context(CTX)?;
    let steps: Vec<Step> =
        serde_json::from_value(steps).map_err(|e| Error::Config(format!("stored enrollment steps: {e}")))?;
    let status: String = row.try_get("", "status").context(CTX)?;
    let status = EnrollmentStatus::parse(&status).unwrap_or(EnrollmentStatus::Stopped);
    let stop_reason: Option<String> = row.try_get("", "stop_reason").context(CTX)?;
    let started_at: DateTime<Utc> = row.try_get("", "started_at").context(CTX)?;
    let next_step: i64 = row.try_get("", "next_step").context(CTX)?;
    let next_due_at = match status {
        EnrollmentStatus::Active => {
            usize::try_from(next_step).ok().and_then(|i| steps.get(i)).map(|s| due_at(started_at, s))
        }
        _ => None,
    };
    Ok(Enrollment {
        id: row.try_get("", "id").context(CTX)?,
        cadence_id: row.try_get("", "cadence_id").context(CTX)?,
        cadence_name,
        record_type: row.try_get("", "record_type").context(CTX)?,
        record_id: row.try_get("", "record_id").context(CTX)?,
        owner_id: row.try_get("", "owner_id").context(CTX)?,
        started_at,
        started_by: row.try_get("", "started_by").context(CTX)?,
        next_step,
        steps,
        next_due_at,
        status,
        stop_reason: stop_reason.as_deref().and_then(StopReason::parse),
        ended_at: row.try_get("", "ended_at").context(CTX)?,
    })
}

async fn cadence_name(conn: &impl ConnectionTrait, id: Uuid) -> Result<String> {
    let query = Query::select().column("name").from("cadences").and_where(Expr::col("id").eq(id)).to_owned();
    match conn.query_one(&query).await.context("read a cadence's name")? {
        Some(row) => row.try_get("", "name").context("read a cadence's name"),
        None => Ok(String::new()),
    }
}

pub(crate) async fn load_enrollment(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Enrollment>> {
    let query = Query::select()
        .columns(ENROLLMENT_COLUMNS)
        .from("cadence_enrollments")
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let Some(row) = conn.query_one(&query).await.context("read an enrollment")? else { return Ok(None) };
    let cadence_id: Uuid = row.try_get("", "cadence_id").context("read an enrollment")?;
    Ok(Some(enrollment_from_row(&row, cadence_name(conn, cadence_id).await?)?))
}

/// A record's enrollments, newest first; the actor must see the record.
pub async fn of_record(ctx: &Ctx, actor: &Actor, record_type: RecordType, id: RecordId) -> Result<Vec<Enrollment>> {
    crate::records::get(ctx, actor, record_type, id).await?;
    let query = Query::select()
        .columns(ENROLLMENT_COLUMNS)
        .from("cadence_enrollments")
        .and_where(Expr::col("record_id").eq(id.0))
        .order_by("started_at", Order::Desc)
        .order_by("id", Order::Desc)
        .limit(50)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("read a record's enrollments")?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let cadence_id: Uuid = row.try_get("", "cadence_id").context("read an enrollment")?;
        out.push(enrollment_from_row(row, cadence_name(ctx.db.conn(), cadence_id).await?)?);
    }
    Ok(out)
}

/// One enrollment, if the actor sees its record.
pub async fn get_enrollment(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<Enrollment> {
    let enrollment = load_enrollment(ctx.db.conn(), id).await?.ok_or_else(|| DomainError::not_found("enrollment"))?;
    let record_type = RecordType::parse(&enrollment.record_type).ok_or_else(|| DomainError::not_found("enrollment"))?;
    match crate::records::get(ctx, actor, record_type, RecordId(enrollment.record_id)).await {
        Ok(_) => Ok(enrollment),
        Err(Error::Domain(DomainError::NotFound { .. })) => Err(DomainError::not_found("enrollment").into()),
        Err(other) => Err(other),
    }
}

fn already_enrolled() -> Error {
    DomainError::Conflict {
        code: "cadence_already_running",
        message: "this record already runs this cadence; stop it before starting it again".into(),
    }
    .into()
}

/// Starts a cadence on a record, in the caller's transaction: the
/// enrollment and its first step's job. `owner` gets the steps.
pub(crate) async fn enroll_in(
    conn: &impl ConnectionTrait,
    cadence: &Cadence,
    record: &Record,
    started_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let insert = Query::insert()
        .into_table("cadence_enrollments")
        .columns([
            "id",
            "cadence_id",
            "record_type",
            "record_id",
            "owner_id",
            "steps",
            "started_at",
            "started_by",
            "next_step",
            "status",
        ])
        .values_panic([
            id.into(),
            cadence.id.into(),
            record.record_type.as_str().into(),
            record.id.0.into(),
            record.owner_id.or(started_by).into(),
            json!(cadence.steps).into(),
            now.into(),
            started_by.into(),
            0i64.into(),
            EnrollmentStatus::Active.as_str().into(),
        ])
        .to_owned();
    match conn.execute(&insert).await.context("start a cadence") {
        Ok(_) => {}
        Err(e) if e.is_unique_violation() => return Err(already_enrolled()),
        Err(e) => return Err(e),
    }
    if let Some(first) = cadence.steps.first() {
        schedule_step(conn, id, 0, due_at(now, first), now).await?;
    }
    Ok(id)
}

/// Queues the job of step `step` at `at`, once.
pub(crate) async fn schedule_step(
    conn: &impl ConnectionTrait,
    enrollment: Uuid,
    step: i64,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let payload = json!({"enrollment_id": enrollment, "step": step});
    let key = format!("cadence_step:{enrollment}:{step}");
    jobs::enqueue(conn, JobKind::CadenceStep, &payload, at, Some(&key), now).await
}

/// Starts cadence `cadence_id` on a record the writer sees. The cadence
/// must be active and the kind a lead, contact or deal; a record already
/// running it gets 409.
pub async fn enroll(
    ctx: &Ctx,
    writer: &Writer,
    cadence_id: Uuid,
    record_type: RecordType,
    record_id: RecordId,
) -> Result<Enrollment> {
    if !can_enroll(record_type) {
        return Err(DomainError::invalid("record_type", "invalid_choice", "a lead, contact or deal").into());
    }
    let record = crate::records::get(ctx, writer.actor(), record_type, record_id).await?;
    if let Some(reason) = rules::stop_for_write(record_type, None, &record.fields) {
        return Err(DomainError::Conflict {
            code: "cadence_record_closed",
            message: format!("this record is closed ({}): a cadence cannot start on it", reason.as_str()),
        }
        .into());
    }
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    let cadence = load_cadence(&*tx, cadence_id).await?.ok_or_else(not_found)?;
    if !cadence.active {
        return Err(
            DomainError::Conflict { code: "cadence_inactive", message: "this cadence is turned off".into() }.into()
        );
    }
    let id = enroll_in(&*tx, &cadence, &record, Some(writer.actor().user_id), now).await?;
    let enrollment = load_enrollment(&*tx, id).await?.ok_or_else(|| DomainError::not_found("enrollment"))?;
    tx.commit().await?;
    Ok(enrollment)
}

/// Ends every active enrollment of a record, in the caller's transaction.
pub(crate) async fn stop_record(
    conn: &impl ConnectionTrait,
    record_id: Uuid,
    reason: StopReason,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let update = Query::update()
        .table("cadence_enrollments")
        .value("status", EnrollmentStatus::Stopped.as_str())
        .value("stop_reason", reason.as_str())
        .value("stopped_by", by)
        .value("ended_at", now)
        .and_where(Expr::col("record_id").eq(record_id))
        .and_where(Expr::col("status").eq(EnrollmentStatus::Active.as_str()))
        .to_owned();
    Ok(conn.execute(&update).await.context("stop a record's cadences")?.rows_affected())
}

pub(crate) async fn stop_in(
    conn: &impl ConnectionTrait,
    id: Uuid,
    reason: StopReason,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let update = Query::update()
        .table("cadence_enrollments")
        .value("status", EnrollmentStatus::Stopped.as_str())
        .value("stop_reason", reason.as_str())
        .value("stopped_by", by)
        .value("ended_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(EnrollmentStatus::Active.as_str()))
        .to_owned();
    Ok(conn.execute(&update).await.context("stop an enrollment")?.rows_affected() == 1)
}

/// Stops an enrollment by hand: its owner, or a manager or administrator,
/// who sees the record. `reason` is `by_owner`, or `replied` when the
/// person answered outside Rapport.
pub async fn stop(ctx: &Ctx, writer: &Writer, id: Uuid, reason: StopReason) -> Result<Enrollment> {
    if !matches!(reason, StopReason::ByOwner | StopReason::Replied) {
        return Err(DomainError::invalid("reason", "invalid_choice", "by_owner or replied").into());
    }
    let enrollment = get_enrollment(ctx, writer.actor(), id).await?;
    let actor = writer.actor();
    if enrollment.owner_id != Some(actor.user_id) && !actor.is_manager_or_admin() {
        return Err(
            DomainError::Forbidden("only the cadence's owner, a manager or an administrator can stop it").into()
        );
    }
    let tx = ctx.db.write().await?;
    if !stop_in(&*tx, id, reason, Some(actor.user_id), ctx.now()).await? {
        return Err(DomainError::Conflict {
            code: "cadence_not_running",
            message: "this cadence has already ended".into(),
        }
        .into());
    }
    let enrollment = load_enrollment(&*tx, id).await?.ok_or_else(|| DomainError::not_found("enrollment"))?;
    tx.commit().await?;
    Ok(enrollment)
}

/// The rule that starts a cadence for new leads from a source, if set.
pub async fn auto_start(conn: &impl ConnectionTrait) -> Result<Option<AutoStart>> {
    let query =
        Query::select().column("value").from("settings").and_where(Expr::col("key").eq(AUTO_START_KEY)).to_owned();
    match conn.query_one(&query).await.context("read the cadence rule")? {
        None => Ok(None),
        Some(row) => {
            let value: Value = row.try_get("", "value").context("read the cadence rule")?;
            if Value::is_null(&value) {
                return Ok(None);
            }
            serde_json::from_value(value).map(Some).map_err(|e| Error::Config(format!("stored cadence rule: {e}")))
        }
    }
}

/// Sets (or, with `None`, removes) the rule (administrators).
pub async fn set_auto_start(ctx: &Ctx, _by: &Admin, rule: Option<AutoStart>) -> Result<Option<AutoStart>> {
    let tx = ctx.db.write().await?;
    let rule = match rule {
        Some(mut rule) => {
            rule.lead_source = rule.lead_source.trim().to_owned();
            if rule.lead_source.is_empty() || rule.lead_source.chars().count() > 100 {
                return Err(DomainError::invalid(
                    "lead_source",
                    "required",
                    "the source, such as web (1 to 100 characters)",
                )
                .into());
            }
            if load_cadence(&*tx, rule.cadence_id).await?.is_none() {
                return Err(DomainError::invalid("cadence_id", "unknown_reference", "no such cadence").into());
            }
            Some(rule)
        }
        None => None,
    };
    let value = serde_json::to_value(&rule).map_err(|e| Error::Config(e.to_string()))?;
    let upsert = Query::insert()
        .into_table("settings")
        .columns(["key", "value"])
        .values_panic([AUTO_START_KEY.into(), value.into()])
        .on_conflict(OnConflict::column("key").update_column("value").to_owned())
        .to_owned();
    tx.execute(&upsert).await.context("save the cadence rule")?;
    tx.commit().await?;
    Ok(rule)
}

/// What a stored write of any record means for cadences, in its
/// transaction: a new lead from the rule's source starts the rule's
/// cadence; a closed deal, a converted or disqualified lead, or a reply
/// logged on a record stops the record's cadences.
pub(crate) async fn after_record_write(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    old: Option<&Record>,
    record: &Record,
) -> Result<()> {
    let now = record.updated_at;
    if let Some(reason) = rules::stop_for_write(record.record_type, old.map(|o| &o.fields), &record.fields) {
        stop_record(conn, record.id.0, reason, Some(actor.user_id), now).await?;
        return Ok(());
    }
    if record.record_type == RecordType::ACTIVITY && rules::is_reply(old.map(|o| &o.fields), &record.fields) {
        for link in record_links(RecordType::ACTIVITY, &record.fields).into_iter().filter(|l| can_enroll(l.record_type))
        {
            stop_record(conn, link.id, StopReason::Replied, Some(actor.user_id), now).await?;
        }
        return Ok(());
    }
    let from_a_source = record.text("source_channel").is_some_and(|s| !s.trim().is_empty());
    if record.record_type == RecordType::LEAD && old.is_none() && from_a_source {
        let Some(rule) = auto_start(conn).await? else { return Ok(()) };
        if !rule.matches(&record.fields) {
            return Ok(());
        }
        match load_cadence(conn, rule.cadence_id).await? {
            Some(cadence) if cadence.active => {
                enroll_in(conn, &cadence, record, Some(actor.user_id), now).await?;
            }
            _ => tracing::warn!(cadence = %rule.cadence_id, "the cadence rule names a cadence that is gone or off"),
        }
    }
    Ok(())
}
