//! The job queue (outbox): jobs are written in the transaction of the change
//! that causes them, then claimed by workers with a lease and retried with
//! backoff. A job handler must be idempotent: a crash after it ran and before
//! the job was marked done runs it again.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use uuid::Uuid;

use crate::backend;
use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

pub use rapport_core::jobs::JobKind;

const MAX_ATTEMPTS: i64 = 8;
const LEASE: Duration = Duration::seconds(60);

/// Adds a job; a job with the same `dedup_key` is added only once.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    kind: JobKind,
    payload: &Value,
    run_at: DateTime<Utc>,
    dedup_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let insert = Query::insert()
        .into_table("jobs")
        .columns(["id", "kind", "payload", "run_at", "status", "attempts", "max_attempts", "dedup_key", "created_at"])
        .values_panic([
            Uuid::now_v7().into(),
            kind.as_str().into(),
            payload.clone().into(),
            run_at.into(),
            "pending".into(),
            0i64.into(),
            MAX_ATTEMPTS.into(),
            dedup_key.map(str::to_owned).into(),
            now.into(),
        ])
        .on_conflict(OnConflict::column("dedup_key").do_nothing().to_owned())
        .to_owned();
    conn.execute(&insert).await.context("enqueue a job")?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub kind: String,
    pub payload: Value,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Leases up to `limit` due jobs to this worker.
pub async fn claim(ctx: &Ctx, limit: u64) -> Result<Vec<Job>> {
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    let statement = Statement::from_sql_and_values(
        ctx.db.db_backend(),
        backend::claim_jobs_sql(ctx.db.backend()),
        [(now + LEASE).into(), now.into(), now.into(), (limit as i64).into()],
    );
    let rows = tx.query_all_raw(statement).await.context("claim jobs")?;
    tx.commit().await?;
    rows.iter()
        .map(|r| {
            const CTX: &str = "read a job";
            Ok(Job {
                id: r.try_get("", "id").context(CTX)?,
                kind: r.try_get("", "kind").context(CTX)?,
                payload: r.try_get("", "payload").context(CTX)?,
                attempts: r.try_get("", "attempts").context(CTX)?,
                max_attempts: r.try_get("", "max_attempts").context(CTX)?,
            })
        })
        .collect()
}

pub async fn mark_done(conn: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        &Query::update()
            .table("jobs")
            .value("status", "done")
            .value("finished_at", now)
            .value("leased_until", Option::<DateTime<Utc>>::None)
            .and_where(Expr::col("id").eq(id))
            .to_owned(),
    )
    .await
    .context("finish a job")?;
    Ok(())
}

/// Puts a leased job back to run at `run_at`, in the caller's transaction
/// (a handler that records its own outcome with the job's).
pub async fn retry_at(conn: &impl ConnectionTrait, id: Uuid, error: &str, run_at: DateTime<Utc>) -> Result<()> {
    conn.execute(
        &Query::update()
            .table("jobs")
            .value("last_error", error.chars().take(2000).collect::<String>())
            .value("leased_until", Option::<DateTime<Utc>>::None)
            .value("run_at", run_at)
            .and_where(Expr::col("id").eq(id))
            .to_owned(),
    )
    .await
    .context("put a job back")?;
    Ok(())
}

/// Exponential backoff: 30 s, 1 min, 2 min … capped at 1 h.
pub fn backoff(attempts: i64) -> Duration {
    let exponent = attempts.clamp(1, 8) as u32 - 1;
    Duration::seconds(Ord::min(30 * 2i64.pow(exponent), 3600))
}

/// Records a failure; the job is retried later or, out of attempts, failed.
pub async fn mark_failed(ctx: &Ctx, job: &Job, error: &str) -> Result<()> {
    let now = ctx.now();
    let exhausted = job.attempts >= job.max_attempts;
    let tx = ctx.db.write().await?;
    let mut update = Query::update();
    update
        .table("jobs")
        .value("last_error", error.chars().take(2000).collect::<String>())
        .value("leased_until", Option::<DateTime<Utc>>::None)
        .and_where(Expr::col("id").eq(job.id));
    if exhausted {
        update.value("status", "failed").value("finished_at", now);
    } else {
        update.value("run_at", now + backoff(job.attempts));
    }
    tx.execute(&update).await.context("record a job failure")?;
    tx.commit().await
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct JobCounts {
    pub pending: i64,
    pub failed: i64,
}

/// Queue depth for `/metrics` (indexed by status).
pub async fn counts(ctx: &Ctx) -> Result<JobCounts> {
    let count = |status: &'static str| {
        Query::select().expr(Expr::col("id").count()).from("jobs").and_where(Expr::col("status").eq(status)).to_owned()
    };
    let read = |row: Option<sea_orm::QueryResult>| -> Result<i64> {
        row.map(|r| r.try_get_by_index::<i64>(0)).transpose().context("count jobs").map(Option::unwrap_or_default)
    };
    Ok(JobCounts {
        pending: read(ctx.db.conn().query_one(&count("pending")).await.context("count jobs")?)?,
        failed: read(ctx.db.conn().query_one(&count("failed")).await.context("count jobs")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(20), Duration::seconds(3600));
    }
}
