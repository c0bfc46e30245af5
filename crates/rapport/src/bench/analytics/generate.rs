//! The analytics workload's data: companies (the customers) and their orders,
//! written straight into the tables with multi-row INSERTs (the record
//! service would take hours at 10M orders), and the same orders as a CSV for
//! DuckDB. Purchases follow a BG/NBD-like process (seeded): each customer
//! buys at a Poisson rate λ ~ Gamma(r, α) a week and may stop after each
//! purchase with probability p ~ Beta(a, b); order values are Gamma(p, ν)
//! with ν ~ Gamma(q, γ) per customer (Gamma-Gamma), so RFM, CLV and cohorts
//! see real variety.

use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Beta, Distribution, Exp1, Gamma};
use rapport_db::{ConnectionTrait, Ctx};
use sea_orm::{DatabaseBackend, Statement};
use uuid::Uuid;

/// First purchases fall in the last three years, so cohorts span 36 months.
const WINDOW_DAYS: i64 = 3 * 365;
/// Rows per INSERT statement, and per transaction.
const ROWS_PER_STATEMENT: usize = 500;
const ROWS_PER_TRANSACTION: usize = 200_000;
/// BG/NBD shape of the purchase rate, and the dropout's Beta.
const RATE_SHAPE: f64 = 0.8;
const DROPOUT: (f64, f64) = (0.8, 12.0);
/// Gamma-Gamma: order values average about 300.00 in the account's currency.
const SPEND_P: f64 = 6.0;
const SPEND_Q: f64 = 4.0;
const MEAN_ORDER_MINOR: f64 = 30_000.0;
/// Countries of the companies (a category for k-means), with weights.
pub const COUNTRIES: &[(&str, u32)] = &[("BR", 55), ("PT", 12), ("AR", 10), ("MX", 10), ("US", 8), ("ES", 5)];

/// What was generated, and how long storing it took.
pub struct Generated {
    pub customers: usize,
    pub orders: usize,
    pub cancelled: usize,
    pub other_currency: usize,
    pub deleted: usize,
    /// Each company's id and country, in generation order.
    pub companies: Vec<(Uuid, &'static str)>,
    pub csv: PathBuf,
    /// Generating the rows and running the INSERTs (secondary indexes of `orders` dropped).
    pub load: Duration,
    /// Recreating the indexes of `orders` and refreshing the planner's statistics.
    pub index: Duration,
    /// How many secondary indexes of `orders` were dropped, and how many recreated.
    pub dropped_indexes: usize,
    pub indexes: usize,
}

/// One purchase before it is written.
struct Purchase {
    day: i64,
    second: u32,
    amount: i64,
}

/// Draws the purchases of one customer until `today` (days since 1970).
struct Process {
    rate: Gamma<f64>,
    dropout: Beta<f64>,
    spend_rate: Gamma<f64>,
}

impl Process {
    fn new(alpha: f64) -> anyhow::Result<Self> {
        let gamma = MEAN_ORDER_MINOR * (SPEND_Q - 1.0) / SPEND_P;
        Ok(Self {
            rate: Gamma::new(RATE_SHAPE, 1.0 / alpha).context("rate distribution")?,
            dropout: Beta::new(DROPOUT.0, DROPOUT.1).context("dropout distribution")?,
            spend_rate: Gamma::new(SPEND_Q, 1.0 / gamma).context("spend distribution")?,
        })
    }

    fn customer(&self, rng: &mut StdRng, today: i64, out: &mut Vec<Purchase>) {
        out.clear();
        let first = today - rng.gen_range(0..WINDOW_DAYS);
        let lambda: f64 = self.rate.sample(rng);
        let p: f64 = self.dropout.sample(rng);
        let nu: f64 = self.spend_rate.sample(rng);
        let Ok(order) = Gamma::new(SPEND_P, 1.0 / nu.max(1e-9)) else { return };
        let amount = |rng: &mut StdRng| (order.sample(rng).round() as i64).clamp(100, 100_000_000);
        out.push(Purchase { day: first, second: rng.gen_range(0..86_400), amount: amount(rng) });
        let weeks = (today - first) as f64 / 7.0;
        let mut time = 0.0;
        loop {
            let wait: f64 = Exp1.sample(rng);
            time += wait / lambda.max(1e-9);
            if !time.is_finite() || time > weeks {
                break;
            }
            out.push(Purchase {
                day: first + (time * 7.0) as i64,
                second: rng.gen_range(0..86_400),
                amount: amount(rng),
            });
            if rng.r#gen::<f64>() < p {
                break;
            }
        }
    }
}

/// The α (scale of the weekly purchase rate) that gives about `per_customer`
/// purchases a customer, found on a seeded pilot sample.
fn calibrate(per_customer: f64, today: i64, seed: u64) -> anyhow::Result<f64> {
    let mut alpha = 4.0;
    let mut buffer = Vec::new();
    for _ in 0..6 {
        let process = Process::new(alpha)?;
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        let pilot = 20_000;
        let mut total = 0usize;
        for _ in 0..pilot {
            process.customer(&mut rng, today, &mut buffer);
            total += buffer.len();
        }
        let mean = total as f64 / pilot as f64;
        if (mean - per_customer).abs() / per_customer < 0.02 || mean <= 1.0 {
            break;
        }
        alpha *= ((mean - 1.0) / (per_customer - 1.0).max(0.01)).max(0.05);
    }
    Ok(alpha)
}

/// A timestamp as the driver writes one (RFC 3339 text on SQLite; PostgreSQL casts it).
fn timestamp(day: i64, second: u32) -> String {
    let at = DateTime::<Utc>::from_timestamp(day * 86_400 + i64::from(second), 0).unwrap_or_default();
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// A uuid literal as the driver stores one: 16 bytes on SQLite, `uuid` on PostgreSQL.
fn uuid_sql(backend: DatabaseBackend, id: Uuid) -> String {
    match backend {
        DatabaseBackend::Sqlite => format!("X'{}'", id.simple()),
        _ => format!("'{id}'"),
    }
}

fn pick_country(rng: &mut StdRng) -> &'static str {
    let total: u32 = COUNTRIES.iter().map(|c| c.1).sum();
    let mut n = rng.gen_range(0..total);
    for (code, weight) in COUNTRIES {
        if n < *weight {
            return code;
        }
        n -= weight;
    }
    COUNTRIES[0].0
}

/// Secondary indexes of `orders` (name, CREATE statement), dropped during the
/// load and recreated after it: one sort per index instead of 10M random inserts.
async fn order_indexes(ctx: &Ctx) -> anyhow::Result<Vec<(String, String)>> {
    let backend = ctx.db.db_backend();
    let sql = match backend {
        DatabaseBackend::Sqlite => {
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' AND sql IS NOT NULL"
        }
        _ => {
            "SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename = 'orders' AND indexname <> 'orders_pkey'"
        }
    };
    let rows = ctx.db.conn().query_all_raw(Statement::from_string(backend, sql)).await.context("list indexes")?;
    rows.iter()
        .map(|row| Ok((row.try_get("", "name").context("index name")?, row.try_get("", "sql").context("index sql")?)))
        .collect()
}

/// Writes a batch of rows as multi-row INSERTs in one transaction.
async fn insert_rows(ctx: &Ctx, head: &str, rows: &[String]) -> anyhow::Result<()> {
    let tx = ctx.db.write().await?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!("{head} VALUES {}", chunk.join(","));
        tx.execute_unprepared(&sql).await.context("insert generated rows")?;
    }
    tx.commit().await?;
    Ok(())
}

/// What to generate.
#[derive(Clone, Copy)]
pub struct Plan<'a> {
    pub customers: usize,
    /// About this many orders (the process is calibrated to it on a pilot sample).
    pub orders: usize,
    /// The account's currency (one order in a hundred is in USD instead).
    pub currency: &'a str,
    /// Purchases are dated up to the day before.
    pub today: NaiveDate,
    pub seed: u64,
    /// Rebuild the orders' secondary indexes after the load (else they stay dropped).
    pub rebuild_indexes: bool,
}

/// Generates and stores the companies and orders of `plan`, owned by
/// `owner`, and writes the orders to `csv_path`.
pub async fn generate(ctx: &Ctx, owner: Uuid, plan: &Plan<'_>, csv_path: &Path) -> anyhow::Result<Generated> {
    let Plan { customers, orders, currency, today, seed, rebuild_indexes } = *plan;
    let today = (today - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days() - 1;
    let alpha = calibrate(orders as f64 / customers.max(1) as f64, today, seed)?;
    let process = Process::new(alpha)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let backend = ctx.db.db_backend();
    let owner_sql = uuid_sql(backend, owner);
    let indexes = order_indexes(ctx).await?;
    let started = Instant::now();
    for (name, _) in &indexes {
        ctx.db.conn().execute_unprepared(&format!("DROP INDEX {name}")).await.context("drop an index")?;
    }
    let mut csv = BufWriter::new(std::fs::File::create(csv_path).context("create the orders CSV")?);
    writeln!(csv, "id,company_id,status,currency,total_minor,refunded_minor,ordered_at,created_at,deleted_at")?;
    let company_head =
        "INSERT INTO companies (id, version, tags, custom, created_at, updated_at, owner_id, name, country)";
    let order_head = "INSERT INTO orders (id, version, tags, custom, created_at, updated_at, owner_id, number, status, \
                      company_id, currency, total_minor, paid_minor, refunded_minor, ordered_at, deleted_at)";
    let mut out = Generated {
        customers,
        orders: 0,
        cancelled: 0,
        other_currency: 0,
        deleted: 0,
        companies: Vec::with_capacity(customers),
        csv: csv_path.to_owned(),
        load: Duration::ZERO,
        index: Duration::ZERO,
        dropped_indexes: indexes.len(),
        indexes: if rebuild_indexes { indexes.len() } else { 0 },
    };
    let mut company_rows = Vec::with_capacity(ROWS_PER_TRANSACTION);
    let mut order_rows = Vec::with_capacity(ROWS_PER_TRANSACTION);
    let mut purchases = Vec::new();
    for index in 0..customers {
        let id = Uuid::now_v7();
        let country = pick_country(&mut rng);
        process.customer(&mut rng, today, &mut purchases);
        let created = timestamp(purchases.first().map_or(today, |p| p.day) - 30, 0);
        company_rows.push(format!(
            "({},1,'[]','{{}}','{created}','{created}',{owner_sql},'Customer {index}','{country}')",
            uuid_sql(backend, id)
        ));
        out.companies.push((id, country));
        for purchase in &purchases {
            let roll = rng.gen_range(0..1000);
            let status = if roll < 30 { "cancelled" } else { ["invoiced", "shipped", "delivered"][roll % 3] };
            let other = rng.gen_range(0..100) == 0;
            let deleted = rng.gen_range(0..200) == 0;
            let refunded = if rng.gen_range(0..50) == 0 { purchase.amount / 2 } else { 0 };
            let at = timestamp(purchase.day, purchase.second);
            // One order in twenty has no order date: the refresh falls back to when it was recorded.
            let ordered = if rng.gen_range(0..20) == 0 { None } else { Some(at.as_str()) };
            let order_currency = if other { "USD" } else { currency };
            let deleted_at = deleted.then(|| timestamp(today, 0));
            let order_id = Uuid::now_v7();
            let sql_text = |v: Option<&str>| v.map_or("NULL".to_owned(), |v| format!("'{v}'"));
            order_rows.push(format!(
                "({},1,'[]','{{}}','{at}','{at}',{owner_sql},'B-{n}','{status}',{},'{order_currency}',{total},{total},{refunded},{ordered},{deleted})",
                uuid_sql(backend, order_id),
                uuid_sql(backend, id),
                n = out.orders,
                total = purchase.amount,
                ordered = sql_text(ordered),
                deleted = sql_text(deleted_at.as_deref()),
            ));
            writeln!(
                csv,
                "{order_id},{id},{status},{order_currency},{},{refunded},{},{at},{}",
                purchase.amount,
                ordered.unwrap_or(""),
                deleted_at.as_deref().unwrap_or("")
            )?;
            out.orders += 1;
            out.cancelled += usize::from(status == "cancelled");
            out.other_currency += usize::from(other);
            out.deleted += usize::from(deleted);
        }
        if order_rows.len() >= ROWS_PER_TRANSACTION || index + 1 == customers {
            insert_rows(ctx, company_head, &company_rows).await?;
            insert_rows(ctx, order_head, &order_rows).await?;
            company_rows.clear();
            order_rows.clear();
            eprint!("\r   {} customers, {} orders", index + 1, out.orders);
        }
    }
    eprintln!();
    csv.flush()?;
    out.load = started.elapsed();
    let started = Instant::now();
    for (_, sql) in indexes.iter().filter(|_| rebuild_indexes) {
        ctx.db.conn().execute_unprepared(sql).await.context("recreate an index")?;
    }
    rapport_db::backend::refresh_statistics(&ctx.db).await?;
    out.index = started.elapsed();
    Ok(out)
}
