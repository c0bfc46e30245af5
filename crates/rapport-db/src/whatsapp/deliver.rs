//! The job that sends a queued WhatsApp message, at most once, as the
//! e-mail outbox does (`mail::deliver`): the attempt is recorded (`sending`,
//! committed) before the API hears of it, its outcome afterwards with the
//! job's end. A job that finds its message `sent` or `failed` sends
//! nothing; one that finds it `sending` (a worker stopped mid-request)
//! cannot know whether Meta took it and marks it failed as interrupted.
//! 4xx answers fail at once with Meta's reason; 5xx, 429 and timeouts are
//! retried with the job queue's backoff.

use chrono::{DateTime, Utc};
use rapport_core::whatsapp::SendError;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::Value;
use uuid::Uuid;

use super::{Status, load};
use crate::error::{Result, StorageContext};
use crate::jobs::{self, Job};
use crate::settings::Ctx;

const MAX_REASON: usize = 1000;
/// The reason recorded for a message whose attempt never reported back.
pub const INTERRUPTED: &str =
    "interrupted: the sending stopped before the API's answer was recorded; it is not sent again by itself";

pub(crate) async fn run(ctx: &Ctx, job: &Job) -> Result<()> {
    let id = job.payload.get("message_id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    let Some(id) = id else { return finish(ctx, job).await };
    let Some(transport) = ctx.whatsapp_transport().cloned() else {
        return retry_later(ctx, job, id, "this process has no WhatsApp transport; a server process sends it").await;
    };
    let api = match super::for_sending(ctx, ctx.db.conn()).await? {
        Ok(api) => api,
        Err(reason) => return retry_later(ctx, job, id, &reason).await,
    };

    let now = ctx.now();
    let tx = ctx.db.write().await?;
    let claim = Query::update()
        .table("whatsapp_messages")
        .value("status", Status::Sending.as_str())
        .value("sending_since", now)
        .value("attempts", Expr::col("attempts").add(1))
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(Status::Queued.as_str()))
        .to_owned();
    let claimed = tx.execute(&claim).await.context("start sending a WhatsApp message")?.rows_affected() == 1;
    let Some(message) = load(&*tx, id).await? else {
        jobs::mark_done(&*tx, job.id, now).await?;
        return tx.commit().await;
    };
    if !claimed {
        if message.status == Status::Sending {
            tracing::warn!(message = %id, "a WhatsApp message's attempt never reported back; marked failed");
            set_failed(&*tx, id, INTERRUPTED, now).await?;
        }
        jobs::mark_done(&*tx, job.id, now).await?;
        return tx.commit().await;
    }
    tx.commit().await?;

    let outcome = transport.send(&api, &message.body).await;

    let now = ctx.now();
    let tx = ctx.db.write().await?;
    match outcome {
        Ok(provider_id) => {
            let sent = Query::update()
                .table("whatsapp_messages")
                .value("status", Status::Sent.as_str())
                .value("sent_at", now)
                .value("last_error", Option::<String>::None)
                .value("provider_message_id", Some(provider_id))
                .and_where(Expr::col("id").eq(id))
                .to_owned();
            tx.execute(&sent).await.context("record a sent WhatsApp message")?;
        }
        Err(SendError::Permanent(reason)) => {
            tracing::warn!(message = %id, %reason, "WhatsApp message refused");
            set_failed(&*tx, id, &reason, now).await?;
        }
        Err(SendError::Temporary(reason)) if job.attempts >= job.max_attempts => {
            set_failed(&*tx, id, &format!("gave up after {} attempts: {reason}", job.attempts), now).await?;
        }
        Err(SendError::Temporary(reason)) => {
            tracing::info!(message = %id, %reason, attempts = job.attempts, "WhatsApp message deferred");
            set_queued(&*tx, id, &reason).await?;
            jobs::retry_at(&*tx, job.id, &reason, now + jobs::backoff(job.attempts)).await?;
            return tx.commit().await;
        }
    }
    jobs::mark_done(&*tx, job.id, now).await?;
    tx.commit().await
}

async fn finish(ctx: &Ctx, job: &Job) -> Result<()> {
    let tx = ctx.db.write().await?;
    jobs::mark_done(&*tx, job.id, ctx.now()).await?;
    tx.commit().await
}

/// A failure before any attempt: the message stays queued and the job
/// comes back after its backoff, until it is out of attempts.
async fn retry_later(ctx: &Ctx, job: &Job, id: Uuid, reason: &str) -> Result<()> {
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    if load(&*tx, id).await?.map(|m| m.status) == Some(Status::Queued) {
        if job.attempts >= job.max_attempts {
            set_failed(&*tx, id, &format!("gave up after {} attempts: {reason}", job.attempts), now).await?;
        } else {
            set_queued(&*tx, id, reason).await?;
            jobs::retry_at(&*tx, job.id, reason, now + jobs::backoff(job.attempts)).await?;
            return tx.commit().await;
        }
    }
    jobs::mark_done(&*tx, job.id, now).await?;
    tx.commit().await
}

fn bounded(reason: &str) -> String {
    reason.chars().take(MAX_REASON).collect()
}

async fn set_failed(conn: &impl ConnectionTrait, id: Uuid, reason: &str, now: DateTime<Utc>) -> Result<()> {
    let update = Query::update()
        .table("whatsapp_messages")
        .value("status", Status::Failed.as_str())
        .value("last_error", bounded(reason))
        .value("failed_at", now)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    conn.execute(&update).await.context("record a failed WhatsApp message")?;
    Ok(())
}

async fn set_queued(conn: &impl ConnectionTrait, id: Uuid, reason: &str) -> Result<()> {
    let update = Query::update()
        .table("whatsapp_messages")
        .value("status", Status::Queued.as_str())
        .value("last_error", bounded(reason))
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    conn.execute(&update).await.context("defer a WhatsApp message")?;
    Ok(())
}
