//! Workload 10 (issue 23, "Speed and scale"): the customer analytics refresh
//! on generated customers and orders, each step timed on its own, against
//! DuckDB running the same RFM query on the same orders (a CSV) in the same
//! run; the customers page opened from the stored results; single-row writes
//! timed while the refresh runs against the same writes alone.
//!
//! DuckDB is only a yardstick: `python3` with the `duckdb` package runs it,
//! and the workload is skipped with a note when it is not installed.

mod generate;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use rapport_analytics::features::{FeatureSpec, FeatureValue};
use rapport_analytics::personas::{self, KChoice};
use rapport_analytics::purchases::day_of;
use rapport_analytics::{clv, cohorts, rfm};
use rapport_core::auth::SessionPolicy;
use rapport_core::clock::SystemClock;
use rapport_core::ids::UserId;
use rapport_core::schema::RecordType;
use rapport_db::analytics::customers::{self, HORIZON_DAYS, RefreshReport, probe};
use rapport_db::{Ctx, Database, DatabaseUrl};
use serde_json::json;
use uuid::Uuid;

use super::BenchArgs;
use super::http::{Connection, Credential};
use super::load::LoadStats;
use super::server::ServerProcess;

/// Sequential GETs of the customers page, and of `/healthz` beside it.
const PAGE_ROUNDS: usize = 200;
/// The pause between two timed writes: a user's writes, not a write flood
/// that would starve the refresh.
const WRITE_PAUSE: Duration = Duration::from_millis(5);

/// The DuckDB baseline: loads the CSV, then runs the RFM query (per customer:
/// last day, purchases, total; then NTILE(5) of each) three times; prints
/// the load time and the median query time as JSON.
const DUCKDB_RFM: &str = r#"
import duckdb, json, sys, time
path, currency = sys.argv[1], sys.argv[2]
con = duckdb.connect()
started = time.perf_counter()
con.execute("""CREATE TABLE orders AS SELECT * FROM read_csv(?, header = true, columns = {
  'id': 'VARCHAR', 'company_id': 'VARCHAR', 'status': 'VARCHAR', 'currency': 'VARCHAR',
  'total_minor': 'BIGINT', 'refunded_minor': 'BIGINT', 'ordered_at': 'TIMESTAMP',
  'created_at': 'TIMESTAMP', 'deleted_at': 'TIMESTAMP'})""", [path])
load_ms = (time.perf_counter() - started) * 1000
query = """CREATE OR REPLACE TABLE rfm AS
WITH s AS (
  SELECT company_id AS customer_id,
         max(CAST(COALESCE(ordered_at, created_at) AS DATE)) AS last_day,
         count(*) AS purchases,
         sum(COALESCE(total_minor, 0) - COALESCE(refunded_minor, 0)) AS total_minor
  FROM orders
  WHERE deleted_at IS NULL AND (status IS NULL OR status <> 'cancelled') AND currency = ? AND company_id IS NOT NULL
  GROUP BY company_id)
SELECT customer_id, last_day, purchases, total_minor,
       NTILE(5) OVER (ORDER BY last_day) AS r,
       NTILE(5) OVER (ORDER BY purchases) AS f,
       NTILE(5) OVER (ORDER BY total_minor) AS m
FROM s"""
times = []
for _ in range(3):
    started = time.perf_counter()
    con.execute(query, [currency])
    times.append((time.perf_counter() - started) * 1000)
customers = con.execute("SELECT count(*) FROM rfm").fetchone()[0]
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
print(json.dumps({"load_ms": load_ms, "query_ms": sorted(times)[1], "first_ms": times[0],
                  "customers": customers, "threads": threads, "version": duckdb.__version__}))
"#;

#[derive(Debug, serde::Deserialize)]
struct DuckDbFigures {
    load_ms: f64,
    query_ms: f64,
    first_ms: f64,
    customers: u64,
    threads: i64,
    version: String,
}

fn duckdb_rfm(csv: &std::path::Path, currency: &str) -> anyhow::Result<DuckDbFigures> {
    let output = std::process::Command::new("python3")
        .args(["-c", DUCKDB_RFM])
        .arg(csv)
        .arg(currency)
        .output()
        .context("run python3 for the DuckDB baseline")?;
    anyhow::ensure!(
        output.status.success(),
        "the DuckDB baseline failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().context("no output from the DuckDB baseline")?;
    serde_json::from_str(line).context("read the DuckDB baseline's figures")
}

/// Each step of the refresh timed on its own (same process, same database).
struct Steps {
    customers: usize,
    purchases_ms: f64,
    /// The same read streamed through sqlx's pool.
    pool_read_ms: f64,
    cohorts_ms: f64,
    cohort_cells: usize,
    rfm_ms: f64,
    clv_ms: f64,
    clv_outcome: String,
    kmeans_ms: f64,
    kmeans_outcome: String,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

async fn steps(ctx: &Ctx, currency: &str, countries: &HashMap<Uuid, &'static str>) -> anyhow::Result<Steps> {
    let today = day_of(Utc::now().date_naive());
    let t = Instant::now();
    let probe::Purchases { customers: keys, summaries: rows, cohort_cells } = probe::purchases(ctx, currency).await?;
    let purchases_ms = ms(t);
    let t = Instant::now();
    let through_pool = probe::purchases_through_pool(ctx, currency).await?;
    let pool_read_ms = ms(t);
    anyhow::ensure!(through_pool.summaries == rows, "the pool's read differs from the refresh's");
    let t = Instant::now();
    let table = cohorts::retention(&cohort_cells);
    let cohorts_ms = ms(t);
    let t = Instant::now();
    let scores = rfm::score(&rows, today);
    let segments = rfm::summarize(&scores, &rows);
    let rfm_ms = ms(t);
    let t = Instant::now();
    let fitted = clv::fit(&rows, today).map(|model| {
        let predictions = model.predict_all(&rows, today, HORIZON_DAYS);
        (model, predictions)
    });
    let clv_ms = ms(t);
    let clv_outcome = match &fitted {
        Ok((model, _)) => format!(
            "BG/NBD r {:.2}, α {:.2}, a {:.2}, b {:.2}",
            model.bgnbd.r, model.bgnbd.alpha, model.bgnbd.a, model.bgnbd.b
        ),
        Err(error) => format!("not fitted: {}", error.code()),
    };
    let t = Instant::now();
    let specs = [
        FeatureSpec::number("recency_days"),
        FeatureSpec::number("purchases"),
        FeatureSpec::number("total_minor"),
        FeatureSpec::category("country"),
    ];
    let features: Vec<Vec<FeatureValue>> = keys
        .iter()
        .zip(&scores)
        .zip(&rows)
        .map(|(((_, id), score), row)| {
            vec![
                FeatureValue::Number(f64::from(score.recency_days)),
                FeatureValue::Number(f64::from(row.purchases)),
                FeatureValue::Number(row.total_minor as f64),
                countries.get(id).map_or(FeatureValue::Missing, |c| FeatureValue::Category((*c).to_owned())),
            ]
        })
        .collect();
    let values: Vec<i64> = match &fitted {
        Ok((_, predictions)) => predictions.iter().map(|p| p.value_minor).collect(),
        Err(_) => rows.iter().map(|r| r.total_minor).collect(),
    };
    let kmeans_outcome = match personas::cluster(&specs, &features, &values, KChoice::default(), 7) {
        Ok(found) => format!("k = {} (silhouette {:.2}, chosen among 2–8)", found.k, found.silhouette),
        Err(error) => format!("no personas: {error}"),
    };
    let kmeans_ms = ms(t);
    anyhow::ensure!(!segments.is_empty() || rows.is_empty(), "RFM gave no segments");
    Ok(Steps {
        customers: rows.len(),
        purchases_ms,
        pool_read_ms,
        cohorts_ms,
        cohort_cells: table.cohorts.len(),
        rfm_ms,
        clv_ms,
        clv_outcome,
        kmeans_ms,
        kmeans_outcome,
    })
}

/// Single-row writes (an activity through the record service), one after
/// another with a short pause, for as long as `until` is pending (at least
/// `min` of them), or exactly `min` when there is nothing to wait for.
async fn timed_writes(
    ctx: &Ctx,
    writer: &rapport_core::access::Writer,
    min: usize,
    until: Option<&tokio::task::JoinHandle<rapport_db::Result<RefreshReport>>>,
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::new();
    loop {
        let running = until.is_some_and(|h| !h.is_finished());
        if times.len() >= min && !running {
            break;
        }
        let input = json!({"kind": "note", "subject": format!("Bench write {}", times.len()), "done": true});
        let t = Instant::now();
        rapport_db::records::create(ctx, writer, RecordType::ACTIVITY, &input).await?;
        times.push(t.elapsed());
        tokio::time::sleep(WRITE_PAUSE).await;
    }
    Ok(times)
}

/// Sequential GETs of `path` on one keep-alive connection: [`PAGE_ROUNDS`],
/// or as many as fit in `limit` (at least ten).
async fn get_times(
    host: &str,
    credential: &Credential,
    path: &str,
    limit: Duration,
) -> anyhow::Result<(LoadStats, usize)> {
    let mut connection = Connection::open(host).await?;
    let mut times = Vec::with_capacity(PAGE_ROUNDS);
    let mut bytes = 0;
    let started = Instant::now();
    for round in 0..PAGE_ROUNDS {
        if round >= 10 && started.elapsed() > limit {
            break;
        }
        let t = Instant::now();
        let (status, body) = connection.get(path, Some(credential)).await?;
        anyhow::ensure!(status.is_success(), "{path}: {status}");
        times.push(t.elapsed());
        bytes = body.len();
    }
    Ok((LoadStats::from_times(times, 0, started.elapsed().as_secs_f64()), bytes))
}

fn percentiles(times: &[Duration]) -> (f64, f64, f64) {
    let stats = LoadStats::from_times(times.to_vec(), 0, 0.0);
    let max = times.iter().max().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    (stats.p50_ms, stats.p99_ms, max)
}

/// Runs the analytics workload on one backend and returns its Markdown table.
pub async fn run_on(
    args: &BenchArgs,
    url: &DatabaseUrl,
    name: &str,
    scratch: &std::path::Path,
) -> anyhow::Result<String> {
    let db = Database::open(url).await?;
    let ctx = Ctx::new(db, Arc::new(SystemClock));
    rapport_db::pipelines::ensure_default(&ctx).await?;
    let users = super::bench_users(&ctx).await?;
    let currency = ctx.snapshot().await?.settings.default_currency.clone();
    std::fs::create_dir_all(scratch)?;
    let csv = scratch.join("analytics-orders.csv");
    eprintln!("== {name}: generating {} customers and about {} orders", args.customers, args.orders);
    let plan = generate::Plan {
        customers: args.customers,
        orders: args.orders,
        currency: &currency,
        today: Utc::now().date_naive(),
        seed: args.seed,
        rebuild_indexes: !args.skip_order_indexes,
    };
    let data = generate::generate(&ctx, users.admin.user_id, &plan, &csv).await?;
    let countries: HashMap<Uuid, &'static str> = data.companies.iter().copied().collect();

    eprintln!("== {name}: DuckDB's RFM on the same orders");
    let duck = duckdb_rfm(&data.csv, &currency);
    if args.keep_in.is_none() {
        let _ = std::fs::remove_file(&data.csv);
        // On SQLite the caller removes the folder with the database; here it only held the CSV.
        if matches!(url, DatabaseUrl::Postgres(_)) {
            let _ = std::fs::remove_dir(scratch);
        }
    }
    let duck = duck?;
    eprintln!("== {name}: the refresh, step by step");
    let steps = steps(&ctx, &currency, &countries).await?;
    eprintln!("== {name}: writes alone");
    let alone = timed_writes(&ctx, &users.admin, args.writes, None).await?;
    eprintln!("== {name}: the whole refresh, with writes beside it");
    let refresh_ctx = ctx.clone();
    let refresh = tokio::spawn(async move { customers::refresh(&refresh_ctx).await });
    let during = timed_writes(&ctx, &users.admin, args.writes, Some(&refresh)).await?;
    let report = refresh.await.context("the refresh task")??;

    eprintln!("== {name}: the customers page");
    let session =
        rapport_db::auth::create_session(&ctx, UserId(users.admin.user_id), &SessionPolicy::default()).await?.token;
    let url_text = match url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    ctx.db.clone().close().await?;
    let server = ServerProcess::start(&url_text).await?;
    let session = Credential::Session(session);
    let limit = Duration::from_secs(args.seconds);
    let (page, page_bytes) = get_times(&server.host, &session, "/analytics/customers", limit).await?;
    let (healthz, _) = get_times(&server.host, &session, "/healthz", limit).await?;
    drop(server);

    let mut r = format!(
        "\n### {name} — analytics: {} customers, {} orders ({} cancelled, {} in USD, {} deleted)\n\n\
         | step | Rapport | baseline (same run) | ratio |\n|---|---|---|---|\n",
        data.customers, data.orders, data.cancelled, data.other_currency, data.deleted
    );
    let secs = |d: Duration| d.as_secs_f64();
    let _ = writeln!(
        r,
        "| generate + multi-row INSERTs (orders' indexes dropped) | {:.1} s ({:.0} orders/s) | | |",
        secs(data.load),
        data.orders as f64 / secs(data.load)
    );
    let _ = writeln!(
        r,
        "| recreate {} of the {} secondary indexes of orders dropped for the load, + ANALYZE | {:.1} s | | |",
        data.indexes,
        data.dropped_indexes,
        secs(data.index)
    );
    let _ = writeln!(
        r,
        "| DuckDB {} ({} threads): load the CSV | | {:.0} ms | |",
        duck.version, duck.threads, duck.load_ms
    );
    let _ = writeln!(
        r,
        "| one read of the orders: summaries, cohort cells, left out ({} customers) | {:.0} ms | DuckDB RFM query {:.0} ms (median of 3, first {:.0} ms, {} customers) | {:.1} |",
        steps.customers,
        steps.purchases_ms,
        duck.query_ms,
        duck.first_ms,
        duck.customers,
        steps.purchases_ms / duck.query_ms
    );
    let _ = writeln!(
        r,
        "| the same read streamed through the sqlx pool (the refresh reads so on PostgreSQL only) | {:.0} ms | | |",
        steps.pool_read_ms
    );
    let _ = writeln!(
        r,
        "| cohort retention from the cells ({} cohorts) | {:.0} ms | | |",
        steps.cohort_cells, steps.cohorts_ms
    );
    let _ = writeln!(r, "| RFM scores + segment summary | {:.0} ms | | |", steps.rfm_ms);
    let _ = writeln!(r, "| CLV fit + predict 12 months ({}) | {:.0} ms | | |", steps.clv_outcome, steps.clv_ms);
    let _ = writeln!(r, "| k-means over RFM + country ({}) | {:.0} ms | | |", steps.kmeans_outcome, steps.kmeans_ms);
    let _ = writeln!(
        r,
        "| whole refresh (job): read {} + cohorts {} + RFM {} + CLV {} + store {} ms ({} write transactions, longest {} ms) | {} ms | | |",
        report.read_ms,
        report.cohorts_ms,
        report.rfm_ms,
        report.clv_ms,
        report.write_ms,
        report.write_transactions,
        report.longest_write_ms,
        report.total_ms
    );
    let modelling = report.clv_ms as f64 + steps.kmeans_ms;
    let measured = report.total_ms as f64 + steps.kmeans_ms;
    let target = 2.0 * duck.query_ms + modelling;
    let _ = writeln!(
        r,
        "| **target**: refresh + k-means ≤ 2 × DuckDB's RFM + model fitting (CLV + k-means) | {measured:.0} ms | {target:.0} ms | {:.2} |",
        measured / target
    );
    let _ = writeln!(
        r,
        "| /analytics/customers, {} sequential GETs, session ({:.0} KB) | p50 {:.2} ms, p99 {:.2} ms | /healthz p50 {:.2} ms, p99 {:.2} ms | p99 {:.1} |",
        page.requests,
        page_bytes as f64 / 1024.0,
        page.p50_ms,
        page.p99_ms,
        healthz.p50_ms,
        healthz.p99_ms,
        page.p99_ms / healthz.p99_ms
    );
    let (a50, a99, amax) = percentiles(&alone);
    let (d50, d99, dmax) = percentiles(&during);
    let _ = writeln!(
        r,
        "| single-row writes (activity via the record service) during the refresh: {} | p50 {d50:.2} ms, p99 {d99:.2} ms, max {dmax:.0} ms | alone, {}: p50 {a50:.2} ms, p99 {a99:.2} ms, max {amax:.0} ms | p99 {:.1} |",
        during.len(),
        alone.len(),
        d99 / a99
    );
    Ok(r)
}
