//! In-app notifications, and the built-in job handlers that create them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::ids::{RecordId, UserId};
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::jobs::{self, Job, JobKind};
use crate::records::{Page, Record};
use crate::settings::Ctx;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    /// In English; `kind` and `params` say it in any language.
    pub title: String,
    /// What the title quotes (`name`, `stage`), for a client to word it in its user's language.
    pub params: BTreeMap<String, String>,
    pub body: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<RecordId>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub struct NewNotification<'a> {
    pub user_id: UserId,
    pub kind: &'a str,
    pub title: String,
    pub params: BTreeMap<String, String>,
    pub body: Option<String>,
    pub record: Option<(RecordType, RecordId)>,
    /// The same key never notifies twice, however often a job runs.
    pub dedup_key: String,
}

pub async fn insert(conn: &impl ConnectionTrait, n: NewNotification<'_>, now: DateTime<Utc>) -> Result<()> {
    let insert = Query::insert()
        .into_table("notifications")
        .columns([
            "id",
            "user_id",
            "kind",
            "title",
            "params",
            "body",
            "record_type",
            "record_id",
            "created_at",
            "dedup_key",
        ])
        .values_panic([
            Uuid::now_v7().into(),
            n.user_id.0.into(),
            n.kind.into(),
            n.title.into(),
            serde_json::to_string(&n.params).unwrap_or_default().into(),
            n.body.into(),
            n.record.map(|(t, _)| t.as_str().to_owned()).into(),
            n.record.map(|(_, id)| id.0).into(),
            now.into(),
            n.dedup_key.into(),
        ])
        .on_conflict(OnConflict::column("dedup_key").do_nothing().to_owned())
        .to_owned();
    conn.execute(&insert).await.context("create a notification")?;
    Ok(())
}

/// A page of a user's notifications, newest first; `cursor` is the
/// `next_cursor` of the page before (the last id it showed: ids grow with time).
pub async fn for_user(
    ctx: &Ctx,
    user_id: UserId,
    unread_only: bool,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<Notification>> {
    let mut query = Query::select();
    query
        .columns(["id", "kind", "title", "params", "body", "record_type", "record_id", "created_at", "read_at"])
        .from("notifications")
        .and_where(Expr::col("user_id").eq(user_id.0));
    if unread_only {
        query.and_where(Expr::col("read_at").is_null());
    }
    if let Some(cursor) = cursor {
        let before = Uuid::parse_str(cursor)
            .map_err(|_| DomainError::invalid("cursor", "invalid_cursor", "pass the next_cursor of the page before"))?;
        query.and_where(Expr::col("id").lt(before));
    }
    query.order_by("id", Order::Desc).limit(limit + 1);
    let rows = ctx.db.conn().query_all(&query).await.context("read notifications")?;
    let mut items = rows
        .iter()
        .map(|r| {
            const CTX: &str = "read a notification";
            Ok(Notification {
                id: r.try_get("", "id").context(CTX)?,
                kind: r.try_get("", "kind").context(CTX)?,
                title: r.try_get("", "title").context(CTX)?,
                params: r
                    .try_get::<Option<String>>("", "params")
                    .context(CTX)?
                    .and_then(|p| serde_json::from_str(&p).ok())
                    .unwrap_or_default(),
                body: r.try_get("", "body").context(CTX)?,
                record_type: r.try_get("", "record_type").context(CTX)?,
                record_id: r.try_get::<Option<Uuid>>("", "record_id").context(CTX)?.map(RecordId),
                created_at: r.try_get("", "created_at").context(CTX)?,
                read_at: r.try_get("", "read_at").context(CTX)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let next_cursor = if items.len() as u64 > limit {
        items.truncate(limit as usize);
        items.last().map(|n| n.id.to_string())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

pub async fn mark_read(ctx: &Ctx, user_id: UserId, id: Uuid) -> Result<bool> {
    let tx = ctx.db.write().await?;
    let result = tx
        .execute(
            &Query::update()
                .table("notifications")
                .value("read_at", ctx.now())
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("user_id").eq(user_id.0))
                .and_where(Expr::col("read_at").is_null())
                .to_owned(),
        )
        .await
        .context("mark a notification read")?;
    tx.commit().await?;
    Ok(result.rows_affected() == 1)
}

/// Runs due jobs until none is left or `max` ran; returns how many ran.
/// Tests call this directly to drain the queue deterministically.
pub async fn run_due_jobs(ctx: &Ctx, max: usize) -> Result<usize> {
    let mut ran = 0;
    while ran < max {
        let batch = jobs::claim(ctx, 20).await?;
        if batch.is_empty() {
            break;
        }
        for job in batch {
            ran += 1;
            match run_job(ctx, &job).await {
                Ok(()) => {}
                Err(error) => {
                    tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, error = %error, "job failed");
                    jobs::mark_failed(ctx, &job, &error.to_string()).await?;
                }
            }
        }
    }
    Ok(ran)
}

/// The most characters of a record's name a notification title quotes.
const MAX_QUOTED_NAME: usize = 80;

/// A record's name as a title quotes it: on one line, bounded, and in
/// quotation marks, so that text a user typed never reads as the system
/// speaking. (Pages escape it when they show it.)
fn quoted_name(name: &str) -> String {
    format!("“{}”", one_line(name))
}

/// A record's name on one line, at most `MAX_QUOTED_NAME` characters.
fn one_line(name: &str) -> String {
    let words: String = name
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut bounded: String = words.chars().take(MAX_QUOTED_NAME).collect();
    if words.chars().count() > MAX_QUOTED_NAME {
        bounded.push('…');
    }
    bounded
}

/// Runs one job: those that notify a user are marked done in the same
/// transaction as their notification; the others commit their work
/// themselves (talking to a provider, or in batches) and are marked done
/// after, or mark themselves.
async fn run_job(ctx: &Ctx, job: &Job) -> Result<()> {
    let Some(kind) = JobKind::parse(&job.kind) else {
        // A kind this version does not know: finish it rather than retry forever.
        tracing::warn!(kind = %job.kind, "unknown job kind");
        return finish(ctx, job).await;
    };
    match kind {
        JobKind::ActivityReminder | JobKind::LeadAssigned | JobKind::DealMoved => notify(ctx, job, kind).await,
        // Talk to the SMTP server or the WhatsApp Cloud API between transactions of their own.
        JobKind::SendEmail => crate::mail::deliver(ctx, job).await,
        JobKind::SendWhatsapp => crate::whatsapp::deliver(ctx, job).await,
        // The step, its reminders and the job's end in one transaction.
        JobKind::CadenceStep => crate::cadences::run_step(ctx, job).await,
        JobKind::DuplicateScan => {
            // A long read in batches of its own transactions, then done.
            let record_type = job.payload.get("record_type").and_then(Value::as_str).and_then(RecordType::parse);
            if let Some(record_type) = record_type {
                let summary = crate::records::scan_duplicates(ctx, record_type).await?;
                tracing::info!(%record_type, records = summary.records, pairs = summary.pairs, "duplicate scan done");
            }
            finish(ctx, job).await
        }
        JobKind::ReturnRules => {
            // Its own write transaction; running it twice approves nothing twice.
            let approved = crate::records::apply_return_rules(ctx).await?;
            tracing::info!(approved, "return rules applied");
            finish(ctx, job).await
        }
        JobKind::AnalyticsRefresh => {
            // Logs its own timings; a failure is retried like any job.
            crate::analytics::customers::refresh(ctx).await?;
            finish(ctx, job).await
        }
        JobKind::ForecastSnapshot => {
            // A second run on a day replaces the first day's record.
            let recorded = crate::forecast::record_current(ctx).await?;
            tracing::info!(recorded, "forecasts recorded");
            finish(ctx, job).await
        }
        JobKind::ContractRenewals => {
            // A transaction per contract; running it twice reminds and renews nothing twice.
            let summary = crate::records::contracts::run_daily(ctx).await?;
            tracing::info!(?summary, "contract renewals run");
            finish(ctx, job).await
        }
        JobKind::ReportDelivery => {
            // A transaction per recipient with its delivery row; a retry sends nothing twice.
            let summary = crate::reports::deliver(ctx, job).await?;
            tracing::info!(queued = summary.queued, skipped = summary.skipped, "scheduled report sent");
            finish(ctx, job).await
        }
        JobKind::LeadScoring => {
            // Batches of their own transactions; running a pass twice scores the same.
            let summary = crate::analytics::lead_scoring::run_job(ctx, &job.payload).await?;
            tracing::info!(method = summary.method.as_str(), scored = summary.scored, "leads scored");
            finish(ctx, job).await
        }
    }
}

/// Marks a job done whose work committed on its own.
async fn finish(ctx: &Ctx, job: &Job) -> Result<()> {
    let tx = ctx.db.write().await?;
    jobs::mark_done(&*tx, job.id, ctx.now()).await?;
    tx.commit().await
}

/// The jobs that tell a user something: the notification and the job's end
/// in one transaction, so that a retry never notifies twice.
async fn notify(ctx: &Ctx, job: &Job, kind: JobKind) -> Result<()> {
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    let payload_id = |key: &str| job.payload.get(key).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    match kind {
        JobKind::ActivityReminder => {
            if let Some(activity) = load(&*tx, RecordType::ACTIVITY, payload_id("activity_id")).await? {
                let still_due = activity.text("reminder_at") == job.payload.get("reminder_at").and_then(Value::as_str);
                let done = activity.fields.get("done").and_then(Value::as_bool).unwrap_or(false);
                if let (Some(owner), true, false) = (activity.owner_id, still_due, done) {
                    let notification = NewNotification {
                        user_id: UserId(owner),
                        kind: "reminder",
                        title: format!("Reminder: {}", quoted_name(&activity.display_name())),
                        params: BTreeMap::from([("name".to_owned(), one_line(&activity.display_name()))]),
                        body: activity.text("due_at").map(|d| format!("due {d}")),
                        record: Some((RecordType::ACTIVITY, activity.id)),
                        dedup_key: format!("job:{}", job.id),
                    };
                    insert(&*tx, notification, now).await?;
                }
            }
        }
        JobKind::LeadAssigned => {
            let lead = load(&*tx, RecordType::LEAD, payload_id("lead_id")).await?;
            if let (Some(lead), Some(owner)) = (lead, payload_id("owner_id")) {
                let notification = NewNotification {
                    user_id: UserId(owner),
                    kind: "lead_assigned",
                    title: format!("New lead assigned to you: {}", quoted_name(&lead.display_name())),
                    params: BTreeMap::from([("name".to_owned(), one_line(&lead.display_name()))]),
                    body: None,
                    record: Some((RecordType::LEAD, lead.id)),
                    dedup_key: format!("job:{}", job.id),
                };
                insert(&*tx, notification, now).await?;
            }
        }
        JobKind::DealMoved => {
            let deal = load(&*tx, RecordType::DEAL, payload_id("deal_id")).await?;
            if let (Some(deal), Some(owner)) = (deal, payload_id("owner_id")) {
                let pipelines = crate::pipelines::list(&*tx).await?;
                let to = payload_id("to_stage_id");
                let stage = pipelines.iter().flat_map(|p| &p.stages).find(|s| Some(s.id) == to).map(|s| s.name.clone());
                let params = BTreeMap::from([
                    ("name".to_owned(), one_line(&deal.display_name())),
                    ("stage".to_owned(), one_line(stage.as_deref().unwrap_or_default())),
                ]);
                let notification = NewNotification {
                    params,
                    user_id: UserId(owner),
                    kind: "deal_moved",
                    title: format!(
                        "Your deal {} was moved to {}",
                        quoted_name(&deal.display_name()),
                        quoted_name(&stage.unwrap_or_default())
                    ),
                    body: None,
                    record: Some((RecordType::DEAL, deal.id)),
                    dedup_key: format!("job:{}", job.id),
                };
                insert(&*tx, notification, now).await?;
            }
        }
        // `run_job` sends only the kinds above here.
        _ => {}
    }
    jobs::mark_done(&*tx, job.id, now).await?;
    tx.commit().await
}

async fn load(conn: &impl ConnectionTrait, record_type: RecordType, id: Option<Uuid>) -> Result<Option<Record>> {
    match id {
        // The worker acts for the system: it reads regardless of visibility.
        Some(id) => crate::records::fetch_unscoped_for_system(conn, record_type, id.into()).await,
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::quoted_name;

    #[test]
    fn a_quoted_name_is_one_bounded_line_in_quotation_marks() {
        assert_eq!(quoted_name("Ana Souza"), "“Ana Souza”");
        let forged = "Acme\n\nSYSTEM NOTICE:\tyour password expired";
        assert_eq!(quoted_name(forged), "“Acme SYSTEM NOTICE: your password expired”");
        let long = "x".repeat(200);
        assert_eq!(quoted_name(&long).chars().count(), 80 + 3);
    }
}
