//! The background refresh: read the purchases, compute RFM, lifetime value
//! and cohorts in memory, and replace the stored results in one transaction
//! (readers see the old results or the new, never half of each).

use std::time::Instant;

use chrono::{DateTime, Utc};
use rapport_analytics::purchases::{PurchaseSummary, day_of};
use rapport_analytics::{clv, cohorts, rfm};
use rapport_core::access::Admin;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};

use super::{ClvOutcome, CustomerAnalysis, CustomerKey, HORIZON_DAYS, RESULT_KEY, purchases};
use crate::error::{Result, StorageContext};
use crate::jobs::JobKind;
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
/// Reads go through the reader pool; the write is one short transaction.
#[tracing::instrument(skip_all, err)]
pub async fn refresh(ctx: &Ctx) -> Result<RefreshReport> {
    let started = Instant::now();
    let conn = ctx.db.conn();
    let currency = ctx.snapshot().await?.settings.default_currency.clone();
    let now = ctx.now();
    let as_of = now.date_naive();
    let today = day_of(as_of);

    let step = Instant::now();
    let (keys, rows) = purchases::summaries(conn, &currency).await?;
    let left_out = purchases::left_out(conn, &currency).await?;
    let read_ms = millis(step);

    let step = Instant::now();
    let cohort_table = cohorts::retention(&purchases::cohort_cells(conn, &currency).await?);
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
    let tx = ctx.db.write().await?;
    tx.execute(&Query::delete().from_table("customer_metrics").to_owned()).await.context("clear customer metrics")?;
    let backend = tx.get_database_backend();
    let all: Vec<usize> = (0..rows.len()).collect();
    for chunk in crate::row::statement_chunks(&all, COLUMNS.len()) {
        let mut insert = Query::insert();
        insert.into_table("customer_metrics").columns(COLUMNS);
        for &i in chunk {
            let prediction = predictions.as_ref().and_then(|p| p.get(i));
            insert.values_panic(metric_row(&keys[i], &rows[i], &scores[i], prediction, &currency, now));
        }
        tx.execute_raw(crate::backend::bulk_insert(backend, &insert)).await.context("store customer metrics")?;
    }
    analysis.refresh_ms = millis(started);
    store_result(
        &*tx,
        RESULT_KEY,
        now,
        &serde_json::to_value(&analysis)
            .map_err(|e| sea_orm::DbErr::Json(e.to_string()))
            .context("encode the customer analysis")?,
    )
    .await?;
    tx.commit().await?;
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
        total_ms: millis(started),
    };
    tracing::info!(
        customers = report.customers,
        read_ms = report.read_ms,
        cohorts_ms = report.cohorts_ms,
        rfm_ms = report.rfm_ms,
        clv_ms = report.clv_ms,
        write_ms = report.write_ms,
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

/// Replaces one stored result.
async fn store_result(
    conn: &impl ConnectionTrait,
    key: &str,
    at: DateTime<Utc>,
    payload: &serde_json::Value,
) -> Result<()> {
    conn.execute(&Query::delete().from_table("analytics_results").and_where(Expr::col("key").eq(key)).to_owned())
        .await
        .context("replace an analytics result")?;
    conn.execute(
        &Query::insert()
            .into_table("analytics_results")
            .columns(["key", "computed_at", "payload"])
            .values_panic([key.into(), at.into(), payload.clone().into()])
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
