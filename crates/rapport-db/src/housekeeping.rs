//! What the worker deletes once it has served its purpose: ended sessions,
//! login attempts older than the sign-in policy looks back, answers kept for
//! `Idempotency-Key` retries, and old import reports.

use chrono::Duration;
use rapport_core::auth::{LoginThrottle, SessionPolicy};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Func, Query};

use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// How long the answer to an `Idempotency-Key` is kept for a retry.
pub const IDEMPOTENCY_RETENTION: Duration = Duration::hours(24);

/// Rows deleted, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub login_attempts: u64,
    pub idempotency_keys: u64,
    pub import_reports: u64,
}

pub async fn purge(ctx: &Ctx, sessions: &SessionPolicy, throttle: &LoginThrottle) -> Result<Purged> {
    let now = ctx.now();
    let idle_since = now - sessions.idle;
    let last_use = Func::coalesce([Expr::col("last_used_at"), Expr::col("created_at")]);
    let ended_sessions = Query::delete()
        .from_table("sessions")
        .cond_where(Cond::any().add(Expr::col("expires_at").lte(now)).add(Expr::expr(last_use).lte(idle_since)))
        .to_owned();
    // Failures count for the throttle's window, successes make an address
    // known for longer.
    let failures_before = now - Duration::seconds(throttle.window_secs).max(Duration::days(1));
    let successes_before = now - Duration::days(throttle.known_address_days);
    let old_attempts = Query::delete()
        .from_table("login_attempts")
        .cond_where(
            Cond::any()
                .add(Cond::all().add(Expr::col("success").eq(false)).add(Expr::col("at").lt(failures_before)))
                .add(Expr::col("at").lt(successes_before)),
        )
        .to_owned();
    let old_keys = Query::delete()
        .from_table("idempotency_keys")
        .and_where(Expr::col("created_at").lt(now - IDEMPOTENCY_RETENTION))
        .to_owned();
    let old_reports = Query::delete()
        .from_table("import_reports")
        .and_where(Expr::col("created_at").lt(now - Duration::days(crate::imports::REPORT_RETENTION_DAYS)))
        .to_owned();
    let tx = ctx.db.write().await?;
    let purged = Purged {
        sessions: tx.execute(&ended_sessions).await.context("purge ended sessions")?.rows_affected(),
        login_attempts: tx.execute(&old_attempts).await.context("purge old login attempts")?.rows_affected(),
        idempotency_keys: tx.execute(&old_keys).await.context("purge old idempotency keys")?.rows_affected(),
        import_reports: tx.execute(&old_reports).await.context("purge old import reports")?.rows_affected(),
    };
    tx.commit().await?;
    Ok(purged)
}
