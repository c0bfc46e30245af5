//! The background refresh: read the purchases once, compute RFM, lifetime
//! value and cohorts in memory, and store the results as a new generation
//! that one short transaction makes current (readers see the old results or
//! the new, never half of each; writers never wait for the whole store).

use std::time::Instant;

use chrono::{DateTime, Utc};
use rapport_analytics::purchases::{PurchaseSummary, day_of};
use rapport_analytics::{clv, cohorts, rfm};
use rapport_core::access::Admin;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SimpleExpr};

use super::{ClvOutcome, CustomerAnalysis, CustomerKey, CustomerType, HORIZON_DAYS, RESULT_KEY, purchases};
use crate::backend::WriteTx;
use crate::error::{Result, StorageContext};
use crate::jobs::JobKind;
use crate::row::ColumnRead;
use crate::settings::Ctx;

/// What a refresh did, and how long each step took (for the logs and the bench).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefreshReport {
    pub customers: u64,
    pub clv_error: Option<String>,
    pub read_ms: u64,
    pub cohorts_ms: u64,
    pub rfm_ms: u64,
    pub clv_ms: u64,
    pub write_ms: u64,
    /// The write transactions the store took, and the longest of them: the
    /// longest any other write had to wait for the refresh on SQLite.
    pub write_transactions: u64,
    pub longest_write_ms: u64,
    pub total_ms: u64,
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Columns of a `customer_metrics` row, in insert order.
const COLUMNS: [&str; 16] = [
    "customer_type",
    "customer_id",
    "first_day",
    "last_day",
    "purchases",
    "total_minor",
    "currency",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "recency_days",
    "segment",
    "expected_purchases_12m",
    "p_alive",
    "clv_12m_minor",
    "refreshed_at",
];

/// Recomputes every customer's figures and the summaries, and stores them.
/// Reads go through the reader pool; the rows are written in short
/// transactions as a new generation, which one short transaction then makes
/// the current one (see [`store`]).
#[tracing::instrument(skip_all, err)]
pub async fn refresh(ctx: &Ctx) -> Result<RefreshReport> {
    refresh_with(ctx, &StoreOptions::default()).await
}

/// How a refresh stores its rows. Only tests change the defaults: smaller
/// transactions, and a refresh that stops midway as a crash would.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `customer_metrics` rows written or deleted per write transaction.
    pub rows_per_transaction: usize,
    /// Fail after writing this many transactions of new rows, before the
    /// switch, leaving what a crash there would leave.
    pub fail_after_transactions: Option<usize>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { rows_per_transaction: ROWS_PER_TRANSACTION, fail_after_transactions: None }
    }
}

/// Rows per write transaction. 5,000 took up to 111 ms in the bench (100k
/// customers, profiling build, load ~3 on 2 cores), and a write arriving
/// meanwhile waited that long; a 1M-row transaction had held the writer 11 s.
const ROWS_PER_TRANSACTION: usize = 2_000;

/// The `analytics_results` row of the refresh writing a generation: its
/// number, and when it last wrote (`computed_at`).
const WRITING_KEY: &str = "customers:writing";

/// A refresh that has not written for this long is taken to have crashed: the
/// next one takes over and deletes its rows.
const LEASE_SECONDS: i64 = 120;

#[doc(hidden)]
pub async fn refresh_with(ctx: &Ctx, options: &StoreOptions) -> Result<RefreshReport> {
    let started = Instant::now();
    let currency = ctx.snapshot().await?.settings.default_currency.clone();
    let now = ctx.now();
    let as_of = now.date_naive();
    let today = day_of(as_of);

    let step = Instant::now();
    let purchases::Purchases { keys, summaries: rows, cells, left_out } = purchases::read(&ctx.db, &currency).await?;
    let read_ms = millis(step);

    let step = Instant::now();
    let cohort_table = cohorts::retention(&cells);
    let cohorts_ms = millis(step);

    let step = Instant::now();
    let scores = rfm::score(&rows, today);
    let segments = rfm::summarize(&scores, &rows);
    let rfm_ms = millis(step);

    let step = Instant::now();
    let (clv, predictions) = match clv::fit(&rows, today) {
        Ok(model) => {
            let predictions = model.predict_all(&rows, today, HORIZON_DAYS);
            (fitted(model, &predictions), Some(predictions))
        }
        Err(error) => (ClvOutcome::Failed { code: error.code().to_owned() }, None),
    };
    let clv_ms = millis(step);

    let step = Instant::now();
    let repeat_customers = rows.iter().filter(|r| r.purchases >= 2).count() as u64;
    let mut analysis = CustomerAnalysis {
        computed_at: now,
        as_of,
        currency: currency.clone(),
        customers: rows.len() as u64,
        purchases: rows.iter().map(|r| u64::from(r.purchases)).sum(),
        revenue_minor: rows.iter().fold(0i64, |sum, r| sum.saturating_add(r.total_minor)),
        repeat_customers,
        repeat_purchase_rate: cohorts::repeat_purchase_rate(&rows),
        segments,
        cohorts: cohort_table,
        clv,
        left_out,
        refresh_ms: 0,
    };
    analysis.refresh_ms = millis(started);
    let metric_row = |i: usize| {
        let prediction = predictions.as_ref().and_then(|p| p.get(i));
        metric_row(&keys[i], &rows[i], &scores[i], prediction, &currency, now)
    };
    let payload = serde_json::to_value(&analysis)
        .map_err(|e| sea_orm::DbErr::Json(e.to_string()))
        .context("encode the customer analysis")?;
    let stored = store(ctx, rows.len(), metric_row, &payload, options).await?;
    let report = RefreshReport {
        customers: analysis.customers,
        clv_error: match &analysis.clv {
            ClvOutcome::Failed { code } => Some(code.clone()),
            ClvOutcome::Fitted { .. } => None,
        },
        read_ms,
        cohorts_ms,
        rfm_ms,
        clv_ms,
        write_ms: millis(step),
        write_transactions: stored.transactions,
        longest_write_ms: stored.longest_ms,
        total_ms: millis(started),
    };
    tracing::info!(
        customers = report.customers,
        read_ms = report.read_ms,
        cohorts_ms = report.cohorts_ms,
        rfm_ms = report.rfm_ms,
        clv_ms = report.clv_ms,
        write_ms = report.write_ms,
        write_transactions = report.write_transactions,
        longest_write_ms = report.longest_write_ms,
        total_ms = report.total_ms,
        clv_error = report.clv_error.as_deref().unwrap_or(""),
        "customer analytics refreshed"
    );
    Ok(report)
}

/// A finite value, or nothing (JSON and the columns never get NaN).
fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

fn fitted(model: clv::ClvModel, predictions: &[clv::ClvPrediction]) -> ClvOutcome {
    let n = predictions.len();
    let total_clv_minor = predictions.iter().fold(0i64, |sum, p| sum.saturating_add(p.value_minor));
    let share_alive = (n > 0)
        .then(|| predictions.iter().map(|p| p.p_alive).filter(|p| p.is_finite()).sum::<f64>() / n as f64)
        .and_then(finite);
    let params = model.bgnbd;
    ClvOutcome::Fitted {
        purchases_per_year: finite(params.r / params.alpha * 52.18),
        dropout_per_purchase: finite(params.a / (params.a + params.b)),
        share_alive,
        mean_order_value_minor: model
            .gamma_gamma
            .and_then(|gg| gg.mean_order_value())
            .and_then(finite)
            .map(|v| v.round() as i64),
        average_clv_minor: (n > 0).then(|| total_clv_minor / n as i64),
        total_clv_minor,
        model,
    }
}

fn metric_row(
    key: &CustomerKey,
    row: &PurchaseSummary,
    score: &rfm::RfmScore,
    prediction: Option<&clv::ClvPrediction>,
    currency: &str,
    now: DateTime<Utc>,
) -> Vec<SimpleExpr> {
    let date = |day: i32| rapport_analytics::purchases::date_of(day).unwrap_or_default();
    vec![
        key.customer_type.as_str().into(),
        key.customer_id.into(),
        date(row.first_day).into(),
        date(row.last_day).into(),
        i64::from(row.purchases).into(),
        row.total_minor.into(),
        currency.into(),
        i64::from(score.recency).into(),
        i64::from(score.frequency).into(),
        i64::from(score.monetary).into(),
        i64::from(score.recency_days).into(),
        score.segment.as_str().into(),
        prediction.and_then(|p| finite(p.expected_purchases)).into(),
        prediction.and_then(|p| finite(p.p_alive)).into(),
        prediction.map(|p| p.value_minor).into(),
        now.into(),
    ]
}

/// What storing took.
struct Stored {
    transactions: u64,
    longest_ms: u64,
}

/// Write transactions, counted and timed.
#[derive(Default)]
struct Writes {
    transactions: u64,
    longest_ms: u64,
}

impl Writes {
    async fn run<T>(&mut self, ctx: &Ctx, work: impl AsyncFnOnce(&WriteTx) -> Result<T>) -> Result<T> {
        let tx = ctx.db.write().await?;
        let started = Instant::now();
        let out = work(&tx).await?;
        tx.commit().await?;
        self.transactions += 1;
        self.longest_ms = Ord::max(self.longest_ms, millis(started));
        Ok(out)
    }
}

/// Stores the rows as a new generation of `customer_metrics` and the summary
/// beside it. Every write transaction is short, so on SQLite no other write
/// waits for the whole store:
/// 1. claim the next generation number (a lease in `analytics_results`, so
///    that two refreshes never write at once);
/// 2. delete rows a crashed refresh left (any generation but the current);
/// 3. write the rows, `rows_per_transaction` at a time, renewing the lease;
/// 4. in one transaction, store the summary naming the new generation: from
///    then on readers read it (they never read a generation being written);
/// 5. delete the previous generation, a chunk at a time.
///
/// A crash before 4 leaves the previous result readable as it was.
async fn store(
    ctx: &Ctx,
    count: usize,
    row: impl Fn(usize) -> Vec<SimpleExpr>,
    payload: &serde_json::Value,
    options: &StoreOptions,
) -> Result<Stored> {
    let chunk = options.rows_per_transaction.max(1);
    let mut writes = Writes::default();
    let (previous, generation) = writes.run(ctx, async |tx| claim_generation(tx, ctx.now()).await).await?;
    while let Some(leftover) = leftover_generation(ctx.db.conn(), previous, generation).await? {
        tracing::info!(leftover, "deleting customer metrics a stopped refresh left");
        delete_generation(ctx, &mut writes, leftover, chunk).await?;
    }
    let backend = ctx.db.db_backend();
    let all: Vec<usize> = (0..count).collect();
    for (written, batch) in all.chunks(chunk).enumerate() {
        if options.fail_after_transactions == Some(written) {
            return Err(sea_orm::DbErr::Custom("stopped midway (test)".into())).context("store customer metrics");
        }
        // Statements built before the writer is taken, to hold it only to run them.
        let statements: Vec<_> = crate::row::statement_chunks(batch, COLUMNS.len() + 1)
            .map(|part| {
                let mut insert = Query::insert();
                insert.into_table("customer_metrics").columns(std::iter::once("generation").chain(COLUMNS));
                for &i in part {
                    insert.values_panic(std::iter::once(generation.into()).chain(row(i)));
                }
                crate::backend::bulk_insert(backend, &insert)
            })
            .collect();
        writes
            .run(ctx, async |tx| {
                renew_lease(tx, generation, ctx.now()).await?;
                for statement in statements {
                    tx.execute_raw(statement).await.context("store customer metrics")?;
                }
                Ok(())
            })
            .await?;
    }
    writes
        .run(ctx, async |tx| {
            release_lease(tx, generation).await?;
            store_result(&**tx, RESULT_KEY, ctx.now(), payload, generation).await
        })
        .await?;
    if let Some(previous) = previous {
        delete_generation(ctx, &mut writes, previous, chunk).await?;
    }
    Ok(Stored { transactions: writes.transactions, longest_ms: writes.longest_ms })
}

fn lease_lost() -> crate::error::Error {
    crate::error::Error::Storage {
        context: "store customer metrics",
        source: sea_orm::DbErr::Custom("another refresh took over the customer metrics".into()),
    }
}

/// The generation the stored result names (`None` before the first refresh)
/// and the number of a new one, with the lease to write it.
async fn claim_generation(tx: &WriteTx, now: DateTime<Utc>) -> Result<(Option<i64>, i64)> {
    let generation_of = async |key: &str| -> Result<Option<(i64, DateTime<Utc>)>> {
        let query = Query::select()
            .columns(["generation", "computed_at"])
            .from("analytics_results")
            .and_where(Expr::col("key").eq(key))
            .to_owned();
        let Some(row) = tx.query_one(&query).await.context("read the customer metrics generation")? else {
            return Ok(None);
        };
        Ok(Some((
            row.required("generation", ColumnRead::big_int)?,
            row.required("computed_at", ColumnRead::timestamp)?,
        )))
    };
    let current = generation_of(RESULT_KEY).await?.map(|(generation, _)| generation);
    let lease = generation_of(WRITING_KEY).await?;
    if let Some((_, renewed)) = lease
        && (now - renewed).num_seconds() < LEASE_SECONDS
    {
        return Err(crate::error::Error::Storage {
            context: "store customer metrics",
            source: sea_orm::DbErr::Custom("another refresh is storing customer metrics".into()),
        });
    }
    let highest = tx
        .query_one(
            &Query::select().expr_as(Expr::col("generation").max(), "highest").from("customer_metrics").to_owned(),
        )
        .await
        .context("read the customer metrics generation")?
        .map(|row| row.big_int("highest"))
        .transpose()?
        .flatten();
    let generation =
        [current, highest, lease.map(|(generation, _)| generation)].into_iter().flatten().max().unwrap_or(0) + 1;
    store_result(&**tx, WRITING_KEY, now, &serde_json::json!({}), generation).await?;
    Ok((current, generation))
}

async fn renew_lease(tx: &WriteTx, generation: i64, now: DateTime<Utc>) -> Result<()> {
    let update = Query::update()
        .table("analytics_results")
        .value("computed_at", now)
        .and_where(Expr::col("key").eq(WRITING_KEY))
        .and_where(Expr::col("generation").eq(generation))
        .to_owned();
    let renewed = tx.execute(&update).await.context("renew the customer metrics lease")?.rows_affected();
    if renewed == 1 { Ok(()) } else { Err(lease_lost()) }
}

async fn release_lease(tx: &WriteTx, generation: i64) -> Result<()> {
    let delete = Query::delete()
        .from_table("analytics_results")
        .and_where(Expr::col("key").eq(WRITING_KEY))
        .and_where(Expr::col("generation").eq(generation))
        .to_owned();
    let released = tx.execute(&delete).await.context("release the customer metrics lease")?.rows_affected();
    if released == 1 { Ok(()) } else { Err(lease_lost()) }
}

/// A generation neither current nor the one being written: rows a refresh
/// that stopped midway left, or the previous generation it had not deleted.
async fn leftover_generation(conn: &impl ConnectionTrait, current: Option<i64>, writing: i64) -> Result<Option<i64>> {
    // Two ranges around the current generation, each the start of an index.
    let mut ranges = vec![Expr::col("generation").lt(writing)];
    if let Some(current) = current {
        ranges = vec![
            Expr::col("generation").lt(current),
            Expr::col("generation").gt(current).and(Expr::col("generation").lt(writing)),
        ];
    }
    for range in ranges {
        let query = Query::select()
            .expr_as(Expr::col("generation").min(), "leftover")
            .from("customer_metrics")
            .and_where(range)
            .to_owned();
        if let Some(row) = conn.query_one(&query).await.context("look for left customer metrics")?
            && let Some(leftover) = row.big_int("leftover")?
        {
            return Ok(Some(leftover));
        }
    }
    Ok(None)
}

/// Deletes a generation's rows, `chunk` at a time, each in its own transaction.
async fn delete_generation(ctx: &Ctx, writes: &mut Writes, generation: i64, chunk: usize) -> Result<()> {
    for customer_type in [CustomerType::Company, CustomerType::Contact] {
        let of_generation = || {
            Condition::all()
                .add(Expr::col("generation").eq(generation))
                .add(Expr::col("customer_type").eq(customer_type.as_str()))
        };
        let some = Query::select()
            .column("customer_id")
            .from("customer_metrics")
            .cond_where(of_generation())
            .limit(chunk as u64)
            .to_owned();
        let delete = Query::delete()
            .from_table("customer_metrics")
            .cond_where(of_generation())
            .and_where(Expr::col("customer_id").in_subquery(some))
            .to_owned();
        loop {
            let deleted = writes
                .run(ctx, async |tx| {
                    Ok(tx.execute(&delete).await.context("delete old customer metrics")?.rows_affected())
                })
                .await?;
            if deleted < chunk as u64 {
                break;
            }
        }
    }
    Ok(())
}

/// Replaces one stored result.
async fn store_result(
    conn: &impl ConnectionTrait,
    key: &str,
    at: DateTime<Utc>,
    payload: &serde_json::Value,
    generation: i64,
) -> Result<()> {
    conn.execute(&Query::delete().from_table("analytics_results").and_where(Expr::col("key").eq(key)).to_owned())
        .await
        .context("replace an analytics result")?;
    conn.execute(
        &Query::insert()
            .into_table("analytics_results")
            .columns(["key", "computed_at", "payload", "generation"])
            .values_panic([key.into(), at.into(), payload.clone().into(), generation.into()])
            .to_owned(),
    )
    .await
    .context("store an analytics result")?;
    Ok(())
}

/// Queues today's refresh, once a day whatever the number of calls (the
/// job's key names the day, so replicas and restarts agree).
pub async fn request_daily_refresh(ctx: &Ctx) -> Result<()> {
    let now = ctx.now();
    let key = format!("analytics_refresh:{}", now.format("%Y-%m-%d"));
    enqueue(ctx, &key, now).await
}

/// An administrator's "Refresh now": queued at once; clicks within the same
/// minute queue it once.
pub async fn request_refresh_now(ctx: &Ctx, _admin: &Admin) -> Result<()> {
    let now = ctx.now();
    let key = format!("analytics_refresh:now:{}", now.format("%Y-%m-%dT%H:%M"));
    enqueue(ctx, &key, now).await
}

async fn enqueue(ctx: &Ctx, key: &str, now: DateTime<Utc>) -> Result<()> {
    let tx = ctx.db.write().await?;
    crate::jobs::enqueue(&*tx, JobKind::AnalyticsRefresh, &serde_json::json!({}), now, Some(key), now).await?;
    tx.commit().await
}
