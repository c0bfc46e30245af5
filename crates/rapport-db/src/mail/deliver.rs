//! The job that sends a queued message.
//!
//! Never twice: the attempt is recorded (`sending`, committed) before the
//! SMTP server hears of it, and its outcome afterwards together with the
//! job's end. A job that finds its message
//! - `sent` or `failed` (a retry of the job after its outcome was recorded)
//!   sends nothing;
//! - `sending` (a worker stopped mid-send: crash, kill, lost lease) cannot
//!   know whether the server took it. We choose at most once: the message
//!   is marked failed with `interrupted` and is not sent again by itself;
//!   an administrator who checks with the recipient can send it again from
//!   the outbox (same Message-ID, so a mail client that sees both can tell
//!   they are one).
//!
//! Temporary failures (4xx, no connection, timeouts, SMTP not set up) are
//! retried with the job queue's backoff up to its attempts; permanent ones
//! (5xx) fail at once with the server's reason.

use chrono::{DateTime, Utc};
use rapport_core::mail::{Envelope, SendError};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

use super::outbox::{self, Status};
use crate::error::{Result, StorageContext};
use crate::jobs::{self, Job};
use crate::settings::Ctx;

/// The most characters of a server's answer kept as the reason.
const MAX_REASON: usize = 1000;
/// The reason recorded for a message whose attempt never reported back.
pub const INTERRUPTED: &str = "interrupted: the sending stopped before the SMTP server's answer was recorded; it may or \
                               may not have been delivered, so it is not sent again by itself";

pub(crate) async fn run(ctx: &Ctx, job: &Job) -> Result<()> {
    let now = ctx.now();
    let id = job.payload.get("email_id").and_then(|v| v.as_str()).and_then(|s| Uuid::parse_str(s).ok());
    let Some(id) = id else { return finish(ctx, job).await };
    let setup = ctx.mail().cloned().unwrap_or_default();
    let Some(transport) = setup.transport.clone() else {
        // A process that cannot send (a command-line run) leaves it to a server.
        return retry_later(ctx, job, id, "this process has no mail transport; a server process sends it").await;
    };
    let smtp = match super::smtp::for_sending(&setup, ctx.db.conn()).await? {
        Ok(smtp) => smtp,
        Err(reason) => return retry_later(ctx, job, id, &reason).await,
    };

    // Record the attempt before talking to the server.
    let tx = ctx.db.write().await?;
    let claim = Query::update()
        .table("email_messages")
        .value("status", Status::Sending.as_str())
        .value("sending_since", now)
        .value("attempts", Expr::col("attempts").add(1))
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(Status::Queued.as_str()))
        .to_owned();
    let claimed = tx.execute(&claim).await.context("start sending an e-mail")?.rows_affected() == 1;
    let Some((message, html)) = outbox::load(&*tx, id).await? else {
        jobs::mark_done(&*tx, job.id, now).await?;
        return tx.commit().await;
    };
    if !claimed {
        if message.status == Status::Sending {
            tracing::warn!(email = %id, "an e-mail's attempt never reported back; marked failed, not sent again");
            set_failed(&*tx, id, INTERRUPTED, now).await?;
        }
        // Sent or failed already: a retry of the job sends nothing.
        jobs::mark_done(&*tx, job.id, now).await?;
        return tx.commit().await;
    }
    tx.commit().await?;

    let files = outbox::attachments(ctx.db.conn(), id).await?;
    let envelope = Envelope {
        message_id: &message.message_id,
        to: &message.to,
        subject: &message.subject,
        text: &message.body,
        html: html.as_deref(),
        attachments: &files,
        date: now,
    };
    let outcome = transport.send(&smtp, &envelope).await;

    let now = ctx.now();
    let tx = ctx.db.write().await?;
    match outcome {
        Ok(()) => {
            let sent = Query::update()
                .table("email_messages")
                .value("status", Status::Sent.as_str())
                .value("sent_at", now)
                .value("last_error", Option::<String>::None)
                .value("next_attempt_at", Option::<DateTime<Utc>>::None)
                .and_where(Expr::col("id").eq(id))
                .to_owned();
            tx.execute(&sent).await.context("record a sent e-mail")?;
            tracing::info!(email = %id, message_id = %message.message_id, "e-mail sent");
        }
        Err(SendError::Permanent(reason)) => {
            tracing::warn!(email = %id, %reason, "e-mail refused");
            set_failed(&*tx, id, &reason, now).await?;
        }
        Err(SendError::Temporary(reason)) if job.attempts >= job.max_attempts => {
            let reason = format!("gave up after {} attempts: {reason}", job.attempts);
            tracing::warn!(email = %id, %reason, "e-mail not delivered");
            set_failed(&*tx, id, &reason, now).await?;
        }
        Err(SendError::Temporary(reason)) => {
            tracing::info!(email = %id, %reason, attempts = job.attempts, "e-mail deferred");
            let at = now + jobs::backoff(job.attempts);
            set_queued(&*tx, id, &reason, at).await?;
            jobs::retry_at(&*tx, job.id, &reason, at).await?;
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

/// A failure before any attempt: the message stays queued (unless the job is
/// out of attempts) and the job comes back after its backoff.
async fn retry_later(ctx: &Ctx, job: &Job, id: Uuid, reason: &str) -> Result<()> {
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    let status = outbox::load(&*tx, id).await?.map(|(m, _)| m.status);
    if status == Some(Status::Queued) {
        if job.attempts >= job.max_attempts {
            set_failed(&*tx, id, &format!("gave up after {} attempts: {reason}", job.attempts), now).await?;
        } else {
            let at = now + jobs::backoff(job.attempts);
            set_queued(&*tx, id, reason, at).await?;
            jobs::retry_at(&*tx, job.id, reason, at).await?;
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
        .table("email_messages")
        .value("status", Status::Failed.as_str())
        .value("last_error", bounded(reason))
        .value("failed_at", now)
        .value("next_attempt_at", Option::<DateTime<Utc>>::None)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    conn.execute(&update).await.context("record a failed e-mail")?;
    Ok(())
}

async fn set_queued(conn: &impl ConnectionTrait, id: Uuid, reason: &str, at: DateTime<Utc>) -> Result<()> {
    let update = Query::update()
        .table("email_messages")
        .value("status", Status::Queued.as_str())
        .value("last_error", bounded(reason))
        .value("next_attempt_at", at)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    conn.execute(&update).await.context("defer an e-mail")?;
    Ok(())
}
