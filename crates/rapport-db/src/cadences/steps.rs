//! The job that creates a due step: its activity (a task, call or e-mail
//! for the owner, linked to the record, with a reminder), the e-mail and
//! WhatsApp reminders, and the next step's job, in one transaction.

use std::collections::BTreeMap;

use rapport_core::access::Scope;
use rapport_core::cadences::{EnrollmentStatus, StepKind, StopReason, due_at, stop_for_write};
use rapport_core::ids::{RecordId, UserId};
use rapport_core::mail::templates::CADENCE_STEP_DUE;
use rapport_core::schema::RecordType;
use rapport_core::values::Email;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Enrollment, load_enrollment, schedule_step, stop_in};
use crate::error::{Result, StorageContext};
use crate::jobs::{self, Job};
use crate::records::Record;
use crate::settings::Ctx;

/// Runs a `cadence_step` job: `{"enrollment_id", "step"}`.
pub async fn run_step(ctx: &Ctx, job: &Job) -> Result<()> {
    let now = ctx.now();
    let enrollment_id = job.payload.get("enrollment_id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    let step = job.payload.get("step").and_then(Value::as_i64);
    let tx = ctx.db.write().await?;
    if let (Some(enrollment_id), Some(step)) = (enrollment_id, step) {
        if let Some(enrollment) = load_enrollment(&*tx, enrollment_id).await? {
            run(ctx, &*tx, &enrollment, step, now).await?;
        }
    }
    jobs::mark_done(&*tx, job.id, now).await?;
    tx.commit().await
}

async fn run(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    enrollment: &Enrollment,
    step: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    // Stopped, completed, or this step done already: nothing to do.
    if enrollment.status != EnrollmentStatus::Active || enrollment.next_step != step {
        return Ok(());
    }
    let Some(spec) = usize::try_from(step).ok().and_then(|i| enrollment.steps.get(i)) else {
        return complete(conn, enrollment.id, step, now).await;
    };
    let record_type = RecordType::parse(&enrollment.record_type);
    let record = match record_type {
        Some(t) => crate::records::fetch_unscoped_for_system(conn, t, RecordId(enrollment.record_id)).await?,
        None => None,
    };
    let Some(record) = record else {
        stop_in(conn, enrollment.id, StopReason::RecordDeleted, None, now).await?;
        return Ok(());
    };
    // Closed by a way that has no hooks (a restore, an old import): stop now.
    if let Some(reason) = stop_for_write(record.record_type, None, &record.fields) {
        stop_in(conn, enrollment.id, reason, None, now).await?;
        return Ok(());
    }
    // The key that makes the step happen once: a second run waits here for
    // the first one's transaction, then finds the step taken.
    let claim = Query::insert()
        .into_table("cadence_step_runs")
        .columns(["enrollment_id", "step", "created_at"])
        .values_panic([enrollment.id.into(), step.into(), now.into()])
        .on_conflict(OnConflict::columns(["enrollment_id", "step"]).do_nothing().to_owned())
        .to_owned();
    if conn.execute(&claim).await.context("take a cadence step")?.rows_affected() == 0 {
        return Ok(());
    }
    let due = due_at(enrollment.started_at, spec);
    let owner = enrollment.owner_id.or(record.owner_id);
    let activity = create_activity(ctx, conn, enrollment, &record, spec, owner, due).await?;
    let record_step = Query::update()
        .table("cadence_step_runs")
        .value("activity_id", activity.id.0)
        .and_where(Expr::col("enrollment_id").eq(enrollment.id))
        .and_where(Expr::col("step").eq(step))
        .to_owned();
    conn.execute(&record_step).await.context("record a cadence step")?;
    if let Some(owner) = owner {
        remind(ctx, conn, enrollment, &record, &activity, spec, UserId(owner), step).await?;
    }
    let next = step + 1;
    match enrollment.steps.get(next as usize) {
        Some(following) => {
            let advance = Query::update()
                .table("cadence_enrollments")
                .value("next_step", next)
                .and_where(Expr::col("id").eq(enrollment.id))
                .to_owned();
            conn.execute(&advance).await.context("advance a cadence")?;
            schedule_step(conn, enrollment.id, next, due_at(enrollment.started_at, following), now).await
        }
        None => complete(conn, enrollment.id, next, now).await,
    }
}

async fn complete(conn: &impl ConnectionTrait, id: Uuid, next: i64, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let update = Query::update()
        .table("cadence_enrollments")
        .value("status", EnrollmentStatus::Completed.as_str())
        .value("next_step", next)
        .value("ended_at", now)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    conn.execute(&update).await.context("complete a cadence")?;
    Ok(())
}

/// The step's activity, as its owner would log it (their rights apply).
async fn create_activity(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    enrollment: &Enrollment,
    record: &Record,
    spec: &rapport_core::cadences::Step,
    owner: Option<Uuid>,
    due: chrono::DateTime<chrono::Utc>,
) -> Result<Record> {
    let acting = owner.or(enrollment.started_by).ok_or_else(|| rapport_core::DomainError::Conflict {
        code: "cadence_no_owner",
        message: "the enrollment has no owner".into(),
    })?;
    let Some(actor) = crate::users::actor(conn, UserId(acting), Scope::ReadWrite).await? else {
        // A disabled owner: the job fails with this and is retried (a
        // reassignment of the record is the fix), then given up.
        return Err(rapport_core::DomainError::Conflict {
            code: "cadence_owner_disabled",
            message: "the cadence's owner is disabled: give the record to someone else".into(),
        }
        .into());
    };
    let subject = match spec.kind {
        StepKind::Whatsapp => format!("WhatsApp: {}", spec.title),
        _ => spec.title.clone(),
    };
    let due_text = due.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let body = match &spec.note {
        Some(note) => format!("{note}\n\n({})", enrollment.cadence_name),
        None => format!("({})", enrollment.cadence_name),
    };
    let input = json!({
        "kind": spec.kind.activity_kind(),
        "subject": subject.chars().take(300).collect::<String>(),
        "body": body,
        "due_at": due_text,
        "reminder_at": due_text,
        "related": [{"type": record.record_type.as_str(), "id": record.id.0}],
        "owner_id": acting,
    });
    let snapshot = ctx.snapshot().await?;
    let mut activity =
        crate::records::prepare_new(ctx, conn, &actor, &snapshot, RecordType::ACTIVITY, &[input]).await?.remove(0)?;
    crate::records::store_new(conn, &actor, std::slice::from_mut(&mut activity)).await?;
    Ok(activity)
}

/// E-mail (when SMTP is set up) and WhatsApp (when configured and the
/// owner has a number) to the owner; the in-app one is the activity's
/// reminder.
#[allow(clippy::too_many_arguments)]
async fn remind(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    enrollment: &Enrollment,
    record: &Record,
    activity: &Record,
    spec: &rapport_core::cadences::Step,
    owner: UserId,
    step: i64,
) -> Result<()> {
    let Some(user) = crate::users::get(conn, owner).await? else { return Ok(()) };
    let context = json!({
        "recipient": {"name": user.name},
        "step": {"title": spec.title, "note": spec.note, "kind": spec.kind.as_str()},
        "record": {"name": record.display_name()},
        "cadence": {"name": enrollment.cadence_name},
        "link": format!("/activities/{}", activity.id.0),
    });
    let setup = ctx.mail().cloned().unwrap_or_default();
    let smtp_ready = crate::mail::smtp_ready(&setup, conn).await?;
    if let (true, Ok(to)) = (smtp_ready, Email::parse(&user.email)) {
        let message = crate::mail::TemplateMessage {
            template_key: CADENCE_STEP_DUE,
            to: vec![to],
            recipient_language: Some(user.locale.as_str()),
            context: context.clone(),
            attachments: Vec::new(),
            related: Some((RecordType::ACTIVITY, activity.id)),
            queued_by: None,
        };
        crate::mail::enqueue_from_template(conn, ctx, message).await?;
    }
    let params = BTreeMap::from([
        ("title".to_owned(), spec.title.clone()),
        ("record".to_owned(), record.display_name()),
        ("cadence".to_owned(), enrollment.cadence_name.clone()),
    ]);
    crate::whatsapp::remind(
        ctx,
        conn,
        crate::whatsapp::Reminder {
            user: &user,
            template_key: CADENCE_STEP_DUE,
            context: &context,
            params,
            related: (RecordType::ACTIVITY, activity.id),
            dedup_key: format!("cadence:{}:{step}", enrollment.id),
        },
    )
    .await
}
