//! The results dashboards open from. A dashboard shows each report as its
//! viewer would see it run now, but running every widget's `GROUP BY` on
//! every open does not scale to a million records; so each (report, viewer)
//! result is kept with the scope it was computed for (role, teams, the
//! kind's visibility), shown while it is younger than [`FRESH_FOR`] and the
//! report has not changed since, and recomputed in the background by the
//! worker for results looked at in the last day ([`refresh_stale`]). A
//! result computed for another scope is never shown: a viewer moved to
//! another team sees their new scope's figures at once.

use chrono::{DateTime, Duration, Utc};
use rapport_core::access::{Actor, Scope};
use rapport_core::ids::{ReportId, UserId};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde_json::Value;
use uuid::Uuid;

use super::run::ReportResult;
use super::saved::{SavedReport, run_saved};
use crate::error::{Error, Result, StorageContext};
use crate::settings::Ctx;

/// How long a dashboard shows a result before it is run again.
pub const FRESH_FOR: Duration = Duration::minutes(5);
/// Results not looked at for this long are no longer kept fresh.
const WATCHED_FOR: Duration = Duration::days(1);
/// A view is noted at most this often (a write), not on every open.
const VIEW_NOTED_EVERY: Duration = Duration::hours(1);
/// Results the worker recomputes per pass.
const REFRESHED_PER_PASS: u64 = 20;

/// A report's result for one viewer and when it was computed.
#[derive(Debug, Clone)]
pub struct DashboardResult {
    pub report: SavedReport,
    pub result: ReportResult,
    pub computed_at: DateTime<Utc>,
}

/// What a result depends on besides the records: who looks, and how the
/// account shows the report's kind.
async fn scope_key(ctx: &Ctx, actor: &Actor, report: &SavedReport) -> Result<String> {
    let snapshot = ctx.snapshot().await?;
    let mut teams = actor.team_ids.clone();
    teams.sort_unstable();
    let teams: Vec<String> = teams.iter().map(Uuid::to_string).collect();
    let visibility = rapport_core::schema::RecordType::parse(&report.definition.record_type)
        .map(|kind| format!("{:?}", snapshot.settings.visibility(kind)))
        .unwrap_or_default();
    Ok(format!("{:?}|{}|{visibility}", actor.role, teams.join(",")))
}

/// The report's result for the actor: the kept one while fresh, else run
/// now (and kept). `fresh` forces a run.
#[tracing::instrument(skip_all, fields(%id), err)]
pub async fn dashboard_result(ctx: &Ctx, actor: &Actor, id: ReportId, fresh: bool) -> Result<DashboardResult> {
    let report = super::saved::get_report(ctx, actor, id).await?;
    let key = scope_key(ctx, actor, &report).await?;
    let now = ctx.now();
    if !fresh {
        let query = Query::select()
            .columns(["result", "computed_at", "viewed_at"])
            .from("report_results")
            .and_where(Expr::col("report_id").eq(id.0))
            .and_where(Expr::col("user_id").eq(actor.user_id))
            .and_where(Expr::col("scope_key").eq(key.as_str()))
            .to_owned();
        if let Some(row) = ctx.db.conn().query_one(&query).await.context("read a kept report result")? {
            const CTX: &str = "read a kept report result";
            let computed_at: DateTime<Utc> = row.try_get("", "computed_at").context(CTX)?;
            let viewed_at: DateTime<Utc> = row.try_get("", "viewed_at").context(CTX)?;
            if computed_at > now - FRESH_FOR && computed_at >= report.updated_at {
                let value: Value = row.try_get("", "result").context(CTX)?;
                let result =
                    serde_json::from_value(value).map_err(|e| Error::Config(format!("a kept report result: {e}")))?;
                if viewed_at < now - VIEW_NOTED_EVERY {
                    note_view(ctx, actor.user_id, id, now).await?;
                }
                return Ok(DashboardResult { report, result, computed_at });
            }
        }
    }
    let (report, result) = run_saved(ctx, actor, id).await?;
    keep(ctx, actor.user_id, id, &key, &result, now, now).await?;
    Ok(DashboardResult { report, result, computed_at: now })
}

async fn note_view(ctx: &Ctx, user: Uuid, id: ReportId, now: DateTime<Utc>) -> Result<()> {
    let update = Query::update()
        .table("report_results")
        .value("viewed_at", now)
        .and_where(Expr::col("report_id").eq(id.0))
        .and_where(Expr::col("user_id").eq(user))
        .to_owned();
    let tx = ctx.db.write().await?;
    tx.execute(&update).await.context("note a dashboard view")?;
    tx.commit().await
}

async fn keep(
    ctx: &Ctx,
    user: Uuid,
    id: ReportId,
    key: &str,
    result: &ReportResult,
    computed_at: DateTime<Utc>,
    viewed_at: DateTime<Utc>,
) -> Result<()> {
    let value = serde_json::to_value(result).map_err(|e| Error::Config(format!("keep a report result: {e}")))?;
    let upsert = Query::insert()
        .into_table("report_results")
        .columns(["report_id", "user_id", "scope_key", "result", "computed_at", "viewed_at"])
        .values_panic([id.0.into(), user.into(), key.into(), value.into(), computed_at.into(), viewed_at.into()])
        .on_conflict(
            OnConflict::columns(["report_id", "user_id"])
                .update_columns(["scope_key", "result", "computed_at", "viewed_at"])
                .to_owned(),
        )
        .to_owned();
    let tx = ctx.db.write().await?;
    tx.execute(&upsert).await.context("keep a report result")?;
    tx.commit().await
}

/// Recomputes the kept results looked at in the last day that are older
/// than half their freshness, so that dashboards open from them; drops
/// those of reports or people gone. How many were recomputed.
pub async fn refresh_stale(ctx: &Ctx) -> Result<usize> {
    let now = ctx.now();
    let query = Query::select()
        .columns(["report_id", "user_id", "viewed_at"])
        .from("report_results")
        .and_where(Expr::col("computed_at").lt(now - FRESH_FOR / 2))
        .and_where(Expr::col("viewed_at").gt(now - WATCHED_FOR))
        .order_by("computed_at", Order::Asc)
        .limit(REFRESHED_PER_PASS)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("find stale report results")?;
    let mut refreshed = 0;
    for row in rows {
        const CTX: &str = "read a stale report result";
        let id = ReportId(row.try_get("", "report_id").context(CTX)?);
        let user: Uuid = row.try_get("", "user_id").context(CTX)?;
        let viewed_at: DateTime<Utc> = row.try_get("", "viewed_at").context(CTX)?;
        let outcome = match crate::users::actor(ctx.db.conn(), UserId(user), Scope::Read).await? {
            Some(actor) => match run_saved(ctx, &actor, id).await {
                Ok((report, result)) => Some((actor, report, result)),
                Err(Error::Domain(_)) => None,
                Err(other) => return Err(other),
            },
            None => None,
        };
        match outcome {
            Some((actor, report, result)) => {
                let key = scope_key(ctx, &actor, &report).await?;
                keep(ctx, user, id, &key, &result, ctx.now(), viewed_at).await?;
                refreshed += 1;
            }
            // The report is gone or no longer runs for them, or they left: forget it.
            None => forget(ctx, Some(user), id).await?,
        }
    }
    Ok(refreshed)
}

/// Drops kept results of a report (for one viewer, or all).
pub(crate) async fn forget(ctx: &Ctx, user: Option<Uuid>, id: ReportId) -> Result<()> {
    let mut delete = Query::delete();
    delete.from_table("report_results").and_where(Expr::col("report_id").eq(id.0));
    if let Some(user) = user {
        delete.and_where(Expr::col("user_id").eq(user));
    }
    let tx = ctx.db.write().await?;
    tx.execute(&delete).await.context("forget kept report results")?;
    tx.commit().await
}

/// A deleted report's kept results go with it, in its transaction.
pub(crate) async fn forget_report(conn: &impl ConnectionTrait, id: ReportId) -> Result<()> {
    let delete = Query::delete().from_table("report_results").and_where(Expr::col("report_id").eq(id.0)).to_owned();
    conn.execute(&delete).await.context("forget a report's kept results")?;
    Ok(())
}
