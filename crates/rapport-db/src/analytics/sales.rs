//! Sales analytics over a pipeline and a period: the funnel and time in each
//! stage of the deals created in the period, win rates, the sales cycle,
//! lost reasons and competitors of the deals closed in it, the velocity of
//! the open pipeline, and how accurate the recorded forecasts were.
//!
//! Every deal query carries the actor's visibility scope, so a member's
//! figures are those of the deals their lists show them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rapport_analytics::sales::{
    self as figures, ClosedDeal, CompetitorDeal, CompetitorLine, DealPath, Durations, ForecastCall, ForecastCheck,
    GroupRate, Outcome, ReasonLine, Stage, Velocity,
};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Role};
use rapport_core::forecast::{Forecast, Period, PeriodKind};
use rapport_core::records::pipeline::Pipeline;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

use super::day_start;
use crate::error::{Result, StorageContext};
use crate::row::ColumnRead;
use crate::settings::Ctx;

/// What to analyse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesQuery {
    /// The default pipeline when none is given.
    pub pipeline: Option<Uuid>,
    pub from: NaiveDate,
    /// Exclusive.
    pub to: NaiveDate,
}

/// A funnel step with its stage's name (none for the final "won").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelLine {
    pub stage: Option<String>,
    pub reached: u64,
    pub conversion: Option<f64>,
    pub of_total: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageTimeLine {
    pub stage: String,
    pub durations: Option<Durations>,
    pub open_now: u64,
    pub longest_open_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastAccuracy {
    /// `everyone` or `team:{id}`.
    pub scope: String,
    pub checks: Vec<ForecastCheck>,
    pub commit_mean_error: Option<f64>,
    pub weighted_mean_error: Option<f64>,
}

/// The whole analysis; money in `currency` (deals in other currencies count
/// in the numbers of deals and rates, never in the amounts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SalesAnalysis {
    pub pipeline_id: Uuid,
    pub pipeline: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    pub created: u64,
    pub funnel: Vec<FunnelLine>,
    pub stage_times: Vec<StageTimeLine>,
    pub won: u64,
    pub lost: u64,
    pub win_rate: Option<f64>,
    pub average_won_minor: Option<i64>,
    pub won_cycle: Option<Durations>,
    pub lost_cycle: Option<Durations>,
    /// Keys are display names; none = not set (no owner, no source…).
    pub by_owner: Vec<GroupRate<Option<String>>>,
    pub by_source: Vec<GroupRate<Option<String>>>,
    pub by_industry: Vec<GroupRate<Option<String>>>,
    pub by_size_band: Vec<GroupRate<Option<String>>>,
    pub lost_reasons: Vec<ReasonLine<Option<String>>>,
    pub competitors: Vec<CompetitorLine>,
    pub open_deals: u64,
    pub velocity: Option<Velocity>,
    /// Administrators see everyone's, managers their first team's; none for others.
    pub forecast: Option<ForecastAccuracy>,
}

const LONGEST_PERIOD_DAYS: i64 = 3 * 366 + 1;

/// Analyses a pipeline over a period for the actor.
#[tracing::instrument(skip_all, fields(from = %query.from, to = %query.to), err)]
pub async fn analyse(ctx: &Ctx, actor: &Actor, query: &SalesQuery) -> Result<SalesAnalysis> {
    if query.to <= query.from {
        return Err(
            DomainError::invalid("to", "period_order", "the end of the period must come after its start").into()
        );
    }
    if (query.to - query.from).num_days() > LONGEST_PERIOD_DAYS {
        return Err(DomainError::invalid("from", "period_too_long", "a period of at most three years").into());
    }
    let conn = ctx.db.analytics();
    let snapshot = ctx.snapshot().await?;
    let currency = snapshot.settings.default_currency.clone();
    let pipeline = match query.pipeline {
        Some(id) => crate::pipelines::get(conn, id).await?,
        None => crate::pipelines::default_pipeline(conn).await?,
    }
    .ok_or_else(|| DomainError::invalid("pipeline", "unknown_reference", "no such pipeline"))?;
    let scope = crate::records::repo_scope_condition(&crate::records::read_scope(actor, &snapshot, RecordType::DEAL));
    let deals = Condition::all()
        .add(Expr::col("deleted_at").is_null())
        .add(Expr::col("pipeline_id").eq(pipeline.id))
        .add(scope.clone());
    let stages: Vec<Stage> = pipeline
        .stages
        .iter()
        .map(|s| Stage {
            closes: if s.is_won {
                Some(Outcome::Won)
            } else if s.is_lost {
                Some(Outcome::Lost)
            } else {
                None
            },
        })
        .collect();
    let now = ctx.now();
    let (from, to) = (day_start(query.from), day_start(query.to));

    let paths = deal_paths(conn, &pipeline, deals.clone().add(created_between(from, to))).await?;
    let funnel = figures::funnel(&stages, &paths);
    let stage_name = |index: usize| pipeline.stages.get(index).map(|s| s.name.clone()).unwrap_or_default();
    let funnel_lines = funnel
        .steps
        .iter()
        .map(|s| FunnelLine {
            stage: s.stage.map(stage_name),
            reached: s.reached,
            conversion: s.conversion,
            of_total: s.of_total,
        })
        .collect();
    let stage_times = figures::time_in_stages(&stages, &paths, now.timestamp())
        .into_iter()
        .map(|t| StageTimeLine {
            stage: stage_name(t.stage),
            durations: t.durations,
            open_now: t.open_now,
            longest_open_days: t.longest_open_days,
        })
        .collect();

    let closed = closed_deals(conn, deals.clone().add(closed_between(from, to))).await?;
    let owners = user_names(conn).await?;
    let companies = company_traits(conn, closed.iter().filter_map(|d| d.company_id)).await?;
    let priced = |d: &ClosedRow| ClosedDeal {
        outcome: d.outcome,
        amount_minor: d.currency.eq_ignore_ascii_case(&currency).then_some(d.amount_minor),
    };
    let group = |key: &dyn Fn(&ClosedRow) -> Option<String>| -> Vec<GroupRate<Option<String>>> {
        figures::win_rates(&closed.iter().map(|d| (key(d), priced(d))).collect::<Vec<_>>())
    };
    let overall = figures::win_rates(&closed.iter().map(|d| ((), priced(d))).collect::<Vec<_>>());
    let overall = overall.first();
    let as_paths: Vec<DealPath> = closed
        .iter()
        .map(|d| DealPath { created_at: d.created_at, entered: Vec::new(), closed: Some((d.outcome, d.closed_at)) })
        .collect();
    let won_cycle = figures::sales_cycle(&as_paths, Outcome::Won);
    let lost_cycle = figures::sales_cycle(&as_paths, Outcome::Lost);
    let lost_reasons = figures::reasons(
        &closed
            .iter()
            .filter(|d| d.outcome == Outcome::Lost)
            .map(|d| (d.lost_reason.clone(), priced(d).amount_minor))
            .collect::<Vec<_>>(),
    );
    let competitors = figures::competitors(&competitor_deals(conn, deals.clone(), from, to, &currency).await?);
    let open_deals = count(conn, deals.clone().add(Expr::col("status").eq("open"))).await?;
    let win_rate = overall.and_then(|o| o.win_rate);
    let average_won_minor = overall.and_then(|o| o.average_won_minor);
    let velocity = figures::pipeline_velocity(open_deals, win_rate, average_won_minor, won_cycle.as_ref());

    Ok(SalesAnalysis {
        pipeline_id: pipeline.id,
        pipeline: pipeline.name.clone(),
        from: query.from,
        to: query.to,
        currency: currency.clone(),
        created: funnel.deals,
        funnel: funnel_lines,
        stage_times,
        won: overall.map_or(0, |o| o.won),
        lost: overall.map_or(0, |o| o.lost),
        win_rate,
        average_won_minor,
        won_cycle,
        lost_cycle,
        by_owner: group(&|d| d.owner_id.and_then(|id| owners.get(&id).cloned())),
        by_source: group(&|d| d.source.clone()),
        by_industry: group(&|d| d.company_id.and_then(|c| companies.get(&c)).and_then(|c| c.0.clone())),
        by_size_band: group(&|d| d.company_id.and_then(|c| companies.get(&c)).and_then(|c| c.1.clone())),
        lost_reasons,
        competitors,
        open_deals,
        velocity,
        forecast: forecast_accuracy(ctx, actor, now).await?,
    })
}

fn created_between(from: DateTime<Utc>, to: DateTime<Utc>) -> Condition {
    Condition::all().add(Expr::col("created_at").gte(from)).add(Expr::col("created_at").lt(to))
}

fn closed_between(from: DateTime<Utc>, to: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(Expr::col("status").is_in(["won", "lost"]))
        .add(Expr::col("closed_at").gte(from))
        .add(Expr::col("closed_at").lt(to))
}

async fn count(conn: &impl ConnectionTrait, condition: Condition) -> Result<u64> {
    let query =
        Query::select().expr_as(Func::count(Expr::col("id")), "n").from("deals").cond_where(condition).to_owned();
    let row = conn.query_one(&query).await.context("count deals")?;
    let n = row.map(|r| r.big_int("n")).transpose()?.flatten().unwrap_or(0);
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The deals matching `condition` with the stages they entered, oldest first.
async fn deal_paths(conn: &impl ConnectionTrait, pipeline: &Pipeline, condition: Condition) -> Result<Vec<DealPath>> {
    let deals: SelectStatement = Query::select()
        .columns(["id", "created_at", "status", "closed_at"])
        .from("deals")
        .cond_where(condition)
        .to_owned();
    let mut paths: Vec<DealPath> = Vec::new();
    let mut index: HashMap<Uuid, usize> = HashMap::new();
    for row in conn.query_all(&deals).await.context("read the period's deals")? {
        let id = row.required("id", ColumnRead::uuid)?;
        let created_at = row.required("created_at", ColumnRead::timestamp)?.timestamp();
        let closed = outcome(row.text("status")?.as_deref()).zip(row.timestamp("closed_at")?.map(|t| t.timestamp()));
        index.insert(id, paths.len());
        paths.push(DealPath { created_at, entered: Vec::new(), closed });
    }
    if paths.is_empty() {
        return Ok(paths);
    }
    let positions: HashMap<Uuid, usize> = pipeline.stages.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let changes = Query::select()
        .columns(["deal_id", "to_stage_id", "changed_at"])
        .from("deal_stage_changes")
        .and_where(Expr::col("pipeline_id").eq(pipeline.id))
        .and_where(Expr::col("deal_id").in_subquery(deals_ids(deals)))
        .order_by("deal_id", sea_orm::Order::Asc)
        .order_by("changed_at", sea_orm::Order::Asc)
        .order_by("id", sea_orm::Order::Asc)
        .to_owned();
    for row in conn.query_all(&changes).await.context("read the deals' stage changes")? {
        let deal = row.required("deal_id", ColumnRead::uuid)?;
        let stage = row.required("to_stage_id", ColumnRead::uuid)?;
        let at = row.required("changed_at", ColumnRead::timestamp)?.timestamp();
        if let (Some(&i), Some(&position)) = (index.get(&deal), positions.get(&stage)) {
            paths[i].entered.push((position, at));
        }
    }
    Ok(paths)
}

/// The same deals' ids, as a subquery.
fn deals_ids(mut deals: SelectStatement) -> SelectStatement {
    deals.clear_selects().column("id").to_owned()
}

fn outcome(status: Option<&str>) -> Option<Outcome> {
    match status {
        Some("won") => Some(Outcome::Won),
        Some("lost") => Some(Outcome::Lost),
        _ => None,
    }
}

struct ClosedRow {
    outcome: Outcome,
    owner_id: Option<Uuid>,
    company_id: Option<Uuid>,
    source: Option<String>,
    lost_reason: Option<String>,
    amount_minor: i64,
    currency: String,
    created_at: i64,
    closed_at: i64,
}

async fn closed_deals(conn: &impl ConnectionTrait, condition: Condition) -> Result<Vec<ClosedRow>> {
    let query = Query::select()
        .columns([
            "status",
            "owner_id",
            "company_id",
            "source_channel",
            "lost_reason",
            "amount_minor",
            "currency",
            "created_at",
            "closed_at",
        ])
        .from("deals")
        .cond_where(condition)
        .to_owned();
    let mut out = Vec::new();
    for row in conn.query_all(&query).await.context("read the period's closed deals")? {
        let Some(outcome) = outcome(row.text("status")?.as_deref()) else { continue };
        let created_at = row.required("created_at", ColumnRead::timestamp)?.timestamp();
        out.push(ClosedRow {
            outcome,
            owner_id: row.uuid("owner_id")?,
            company_id: row.uuid("company_id")?,
            source: non_blank(row.text("source_channel")?),
            lost_reason: non_blank(row.text("lost_reason")?),
            amount_minor: row.big_int("amount_minor")?.unwrap_or(0),
            currency: row.text("currency")?.unwrap_or_default(),
            created_at,
            closed_at: row.timestamp("closed_at")?.map_or(created_at, |t| t.timestamp()),
        });
    }
    Ok(out)
}

fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Deals naming a competitor that were open in, created in or closed in the period.
async fn competitor_deals(
    conn: &impl ConnectionTrait,
    deals: Condition,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    currency: &str,
) -> Result<Vec<CompetitorDeal>> {
    let in_period = Condition::any()
        .add(Expr::col("status").eq("open"))
        .add(created_between(from, to))
        .add(closed_between(from, to));
    let query = Query::select()
        .columns(["competitor", "status", "amount_minor", "currency", "lost_reason"])
        .from("deals")
        .cond_where(deals.add(Expr::col("competitor").is_not_null()).add(in_period))
        .to_owned();
    let mut out = Vec::new();
    for row in conn.query_all(&query).await.context("read deals with competitors")? {
        let Some(competitor) = non_blank(row.text("competitor")?) else { continue };
        let same_currency = row.text("currency")?.is_some_and(|c| c.eq_ignore_ascii_case(currency));
        out.push(CompetitorDeal {
            competitor,
            outcome: outcome(row.text("status")?.as_deref()),
            amount_minor: if same_currency { row.big_int("amount_minor")? } else { None },
            lost_reason: non_blank(row.text("lost_reason")?),
        });
    }
    Ok(out)
}

async fn user_names(conn: &impl ConnectionTrait) -> Result<HashMap<Uuid, String>> {
    let rows = conn
        .query_all(&Query::select().columns(["id", "name"]).from("users").to_owned())
        .await
        .context("read user names")?;
    rows.iter().map(|r| Ok((r.required("id", ColumnRead::uuid)?, r.text("name")?.unwrap_or_default()))).collect()
}

/// Industry and size band of the given companies (read in chunks, once each).
async fn company_traits(
    conn: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, (Option<String>, Option<String>)>> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let query = Query::select()
            .columns(["id", "industry", "size_band"])
            .from("companies")
            .and_where(Expr::col("id").is_in(chunk.iter().copied()))
            .to_owned();
        for row in conn.query_all(&query).await.context("read companies of deals")? {
            out.insert(
                row.required("id", ColumnRead::uuid)?,
                (non_blank(row.text("industry")?), non_blank(row.text("size_band")?)),
            );
        }
    }
    Ok(out)
}

/// How many past periods the accuracy looks back on.
const PAST_MONTHS: u32 = 6;
const PAST_QUARTERS: u32 = 4;

/// Each past month's and quarter's first recorded forecast against what was
/// won in it. Administrators see everyone's, managers their first team's.
async fn forecast_accuracy(ctx: &Ctx, actor: &Actor, now: DateTime<Utc>) -> Result<Option<ForecastAccuracy>> {
    let (scope, team) = match actor.role {
        Role::Admin => ("everyone".to_owned(), None),
        Role::Manager => match actor.team_ids.first() {
            Some(team) => (format!("team:{team}"), Some(*team)),
            None => return Ok(None),
        },
        Role::Member | Role::ReadOnly => return Ok(None),
    };
    let today = now.date_naive();
    let mut periods = Vec::new();
    for (kind, count) in [(PeriodKind::Month, PAST_MONTHS), (PeriodKind::Quarter, PAST_QUARTERS)] {
        let mut period = Period::containing(kind, today).previous();
        for _ in 0..count {
            periods.push(period);
            period = period.previous();
        }
    }
    let mut calls = Vec::new();
    for period in periods {
        let recorded = crate::forecast::snapshots(ctx, period, &scope).await?;
        let Some((taken_on, first)) = recorded.into_iter().next() else { continue };
        let actual = won_in(ctx.db.analytics(), period, &first, team).await?;
        calls.push(call(period, taken_on, &first, actual));
    }
    calls.sort_by(|a, b| a.taken_on.cmp(&b.taken_on).then_with(|| a.period.cmp(&b.period)));
    let (checks, commit, weighted) = figures::check_forecasts(&calls);
    Ok(Some(ForecastAccuracy { scope, checks, commit_mean_error: commit, weighted_mean_error: weighted }))
}

fn call(period: Period, taken_on: NaiveDate, forecast: &Forecast, actual_minor: i64) -> ForecastCall {
    let t = &forecast.total;
    let commit = t.closed_minor.saturating_add(t.commit_minor);
    ForecastCall {
        period: period.to_string(),
        taken_on,
        commit_minor: commit,
        best_case_minor: commit.saturating_add(t.best_case_minor),
        weighted_minor: t.weighted_minor,
        actual_minor,
    }
}

/// Won in the period in the forecast's currency (everyone's, or a team's).
async fn won_in(conn: &impl ConnectionTrait, period: Period, forecast: &Forecast, team: Option<Uuid>) -> Result<i64> {
    let mut condition = Condition::all()
        .add(Expr::col("deleted_at").is_null())
        .add(Expr::col("status").eq("won"))
        .add(Expr::col("currency").eq(forecast.currency.as_str()))
        .add(Expr::col("closed_at").gte(day_start(period.start())))
        .add(Expr::col("closed_at").lt(day_start(period.end())));
    if let Some(team) = team {
        condition = condition.add(Expr::col("team_id").eq(team));
    }
    let query = Query::select().column("amount_minor").from("deals").cond_where(condition).to_owned();
    let mut total: i64 = 0;
    for row in conn.query_all(&query).await.context("read won deals of a period")? {
        total = total.saturating_add(row.big_int("amount_minor")?.unwrap_or(0));
    }
    Ok(total)
}
