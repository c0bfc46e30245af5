//! The outbox: a message is written in the transaction of the change that
//! sends it, together with the job that delivers it (`deliver`). Its status
//! goes queued → sending → sent, or failed with the reason; it shows on its
//! record's timeline and on the administrators' outbox page.

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::Admin;
use rapport_core::ids::{RecordId, UserId};
use rapport_core::mail::{Attachment, NewEmail};
use rapport_core::schema::RecordType;
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::jobs::{self, JobKind};
use crate::records::Page;
use crate::settings::Ctx;

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    /// An attempt started and has not recorded its outcome yet.
    Sending,
    Sent,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Queued, Self::Sending, Self::Sent, Self::Failed].into_iter().find(|s| s.as_str() == input)
    }
}

/// A message to queue, and what it is about.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub email: NewEmail,
    /// The record whose timeline shows the message.
    pub related: Option<(RecordType, RecordId)>,
    /// The user who sent it; `None` for the system (reminders, reports).
    pub queued_by: Option<UserId>,
    pub template_key: Option<String>,
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AttachmentInfo {
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

/// A message of the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub id: Uuid,
    /// The Message-ID header (without angle brackets), fixed when queued.
    pub message_id: String,
    pub related_type: Option<String>,
    pub related_id: Option<Uuid>,
    pub queued_by: Option<Uuid>,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    pub template_key: Option<String>,
    pub language: Option<String>,
    pub status: Status,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure, as the SMTP server or the connection gave it.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub attachments: Vec<AttachmentInfo>,
}

const COLUMNS: [&str; 19] = [
    "id",
    "message_id",
    "related_type",
    "related_id",
    "queued_by",
    "recipients",
    "subject",
    "body_text",
    "template_key",
    "language",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "created_at",
    "sent_at",
    "failed_at",
    "sending_since",
    "body_html",
];

/// Queues a message in the caller's transaction, with the job that sends
/// it: nothing is sent unless the change commits. Returns the message's id.
///
/// This is the one function features that send e-mail call (directly, or
/// through [`super::enqueue_from_template`]).
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    mail: Option<&super::MailSetup>,
    outgoing: &Outgoing,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    outgoing.email.check().map_err(DomainError::Validation)?;
    let id = Uuid::now_v7();
    let domain = super::smtp::sender_domain(mail, conn).await?;
    let message_id = format!("{}@{domain}", id.simple());
    let recipients: Vec<&str> = outgoing.email.to.iter().map(|e| e.as_str()).collect();
    let insert = Query::insert()
        .into_table("email_messages")
        .columns([
            "id",
            "message_id",
            "related_type",
            "related_id",
            "queued_by",
            "recipients",
            "subject",
            "body_text",
            "body_html",
            "template_key",
            "language",
            "status",
            "attempts",
            "created_at",
            "next_attempt_at",
        ])
        .values_panic([
            id.into(),
            message_id.into(),
            outgoing.related.map(|(t, _)| t.as_str().to_owned()).into(),
            outgoing.related.map(|(_, r)| r.0).into(),
            outgoing.queued_by.map(|u| u.0).into(),
            json!(recipients).into(),
            outgoing.email.subject.trim().to_owned().into(),
            outgoing.email.text.clone().into(),
            outgoing.email.html.clone().into(),
            outgoing.template_key.clone().into(),
            outgoing.language.clone().into(),
            Status::Queued.as_str().into(),
            0i64.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    conn.execute(&insert).await.context("queue an e-mail")?;
    for (position, file) in outgoing.email.attachments.iter().enumerate() {
        let insert = Query::insert()
            .into_table("email_attachments")
            .columns(["email_id", "position", "file_name", "content_type", "bytes"])
            .values_panic([
                id.into(),
                (position as i64).into(),
                file.file_name.trim().to_owned().into(),
                file.content_type.clone().into(),
                file.bytes.clone().into(),
            ])
            .to_owned();
        conn.execute(&insert).await.context("queue an attachment")?;
    }
    let dedup_key = format!("email:{id}");
    jobs::enqueue(conn, JobKind::SendEmail, &json!({"email_id": id}), now, Some(dedup_key.as_str()), now).await?;
    Ok(id)
}

fn from_row(row: &QueryResult, attachments: Vec<AttachmentInfo>) -> Result<OutboxMessage> {
    const CTX: &str = "read an e-mail";
    let status: String = row.try_get("", "status").context(CTX)?;
    let recipients: Value = row.try_get("", "recipients").context(CTX)?;
    Ok(OutboxMessage {
        id: row.try_get("", "id").context(CTX)?,
        message_id: row.try_get("", "message_id").context(CTX)?,
        related_type: row.try_get("", "related_type").context(CTX)?,
        related_id: row.try_get("", "related_id").context(CTX)?,
        queued_by: row.try_get("", "queued_by").context(CTX)?,
        to: serde_json::from_value(recipients).unwrap_or_default(),
        subject: row.try_get("", "subject").context(CTX)?,
        body: row.try_get("", "body_text").context(CTX)?,
        template_key: row.try_get("", "template_key").context(CTX)?,
        language: row.try_get("", "language").context(CTX)?,
        status: Status::parse(&status).unwrap_or(Status::Failed),
        attempts: row.try_get("", "attempts").context(CTX)?,
        next_attempt_at: row.try_get("", "next_attempt_at").context(CTX)?,
        last_error: row.try_get("", "last_error").context(CTX)?,
        created_at: row.try_get("", "created_at").context(CTX)?,
        sent_at: row.try_get("", "sent_at").context(CTX)?,
        failed_at: row.try_get("", "failed_at").context(CTX)?,
        attachments,
    })
}

async fn attachment_infos(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<AttachmentInfo>> {
    let query = Query::select()
        .columns(["file_name", "content_type"])
        .expr_as(Expr::cust("LENGTH(bytes)"), "size")
        .from("email_attachments")
        .and_where(Expr::col("email_id").eq(id))
        .order_by("position", Order::Asc)
        .to_owned();
    let rows = conn.query_all(&query).await.context("read attachments")?;
    rows.iter()
        .map(|r| {
            const CTX: &str = "read an attachment";
            Ok(AttachmentInfo {
                file_name: r.try_get("", "file_name").context(CTX)?,
                content_type: r.try_get("", "content_type").context(CTX)?,
                size: r
                    .try_get::<i64>("", "size")
                    .or_else(|_| r.try_get::<i32>("", "size").map(i64::from))
                    .context(CTX)?,
            })
        })
        .collect()
}

/// The attachments themselves, for the transport.
pub(crate) async fn attachments(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<Attachment>> {
    let query = Query::select()
        .columns(["file_name", "content_type", "bytes"])
        .from("email_attachments")
        .and_where(Expr::col("email_id").eq(id))
        .order_by("position", Order::Asc)
        .to_owned();
    let rows = conn.query_all(&query).await.context("read attachments")?;
    rows.iter()
        .map(|r| {
            const CTX: &str = "read an attachment";
            Ok(Attachment {
                file_name: r.try_get("", "file_name").context(CTX)?,
                content_type: r.try_get("", "content_type").context(CTX)?,
                bytes: r.try_get("", "bytes").context(CTX)?,
            })
        })
        .collect()
}

/// A message with its HTML body (for the transport), or `None`.
pub(crate) async fn load(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<(OutboxMessage, Option<String>)>> {
    let query = Query::select().columns(COLUMNS).from("email_messages").and_where(Expr::col("id").eq(id)).to_owned();
    let Some(row) = conn.query_one(&query).await.context("read an e-mail")? else { return Ok(None) };
    let html: Option<String> = row.try_get("", "body_html").context("read an e-mail")?;
    Ok(Some((from_row(&row, attachment_infos(conn, id).await?)?, html)))
}

/// One message of the outbox (administrators).
pub async fn get(ctx: &Ctx, _by: &Admin, id: Uuid) -> Result<OutboxMessage> {
    match load(ctx.db.conn(), id).await? {
        Some((message, _)) => Ok(message),
        None => Err(DomainError::not_found("e-mail").into()),
    }
}

/// The newest messages first (administrators); `cursor` is the page before's
/// `next_cursor` (ids grow with time).
pub async fn list(ctx: &Ctx, _by: &Admin, cursor: Option<&str>, limit: u64) -> Result<Page<OutboxMessage>> {
    let mut query = Query::select();
    query.columns(COLUMNS).from("email_messages");
    if let Some(cursor) = cursor {
        let before = Uuid::parse_str(cursor)
            .map_err(|_| DomainError::invalid("cursor", "invalid_cursor", "pass the next_cursor of the page before"))?;
        query.and_where(Expr::col("id").lt(before));
    }
    query.order_by("id", Order::Desc).limit(limit + 1);
    let rows = ctx.db.conn().query_all(&query).await.context("read the outbox")?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows.iter().take(limit as usize) {
        let id: Uuid = row.try_get("", "id").context("read an e-mail")?;
        items.push(from_row(row, attachment_infos(ctx.db.conn(), id).await?)?);
    }
    let next_cursor = if rows.len() as u64 > limit { items.last().map(|m| m.id.to_string()) } else { None };
    Ok(Page { items, next_cursor })
}

/// Sends a failed message again, with the same Message-ID (administrators).
pub async fn retry(ctx: &Ctx, _by: &Admin, id: Uuid) -> Result<OutboxMessage> {
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    let update = Query::update()
        .table("email_messages")
        .value("status", Status::Queued.as_str())
        .value("next_attempt_at", now)
        .value("failed_at", Option::<DateTime<Utc>>::None)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(Status::Failed.as_str()))
        .to_owned();
    if tx.execute(&update).await.context("retry an e-mail")?.rows_affected() == 0 {
        let exists = load(&*tx, id).await?.is_some();
        return Err(if exists {
            DomainError::Conflict { code: "not_failed", message: "only a failed message can be sent again".into() }
        } else {
            DomainError::not_found("e-mail")
        }
        .into());
    }
    // A job of its own: the first one is done. The status update above lets
    // only one retry through.
    jobs::enqueue(&*tx, JobKind::SendEmail, &json!({"email_id": id}), now, None, now).await?;
    tx.commit().await?;
    match load(ctx.db.conn(), id).await? {
        Some((message, _)) => Ok(message),
        None => Err(DomainError::not_found("e-mail").into()),
    }
}

/// The messages about a record, for its timeline: newest first, before
/// `(at, id)`; the caller has checked that the reader sees the record.
pub(crate) async fn timeline_entries(
    conn: &impl ConnectionTrait,
    record: RecordId,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<(DateTime<Utc>, Uuid, Value)>> {
    let mut query = Query::select();
    query.columns(COLUMNS).from("email_messages").and_where(Expr::col("related_id").eq(record.0));
    if let Some((at, id)) = before {
        query.cond_where(
            Cond::any()
                .add(Expr::col("created_at").lt(at))
                .add(Cond::all().add(Expr::col("created_at").eq(at)).add(Expr::col("id").lt(id))),
        );
    }
    query.order_by("created_at", Order::Desc).order_by("id", Order::Desc).limit(limit);
    let rows = conn.query_all(&query).await.context("read the e-mails of a record")?;
    rows.iter()
        .map(|row| {
            let message = from_row(row, Vec::new())?;
            let data = json!({
                "status": message.status,
                "to": message.to,
                "subject": message.subject,
                "body": message.body,
                "queued_by": message.queued_by,
                "last_error": message.last_error,
                "attempts": message.attempts,
                "sent_at": message.sent_at,
                "message_id": message.message_id,
            });
            Ok((message.created_at, message.id, data))
        })
        .collect()
}
