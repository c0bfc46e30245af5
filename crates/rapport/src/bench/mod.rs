//! `rapport bench`: fixed workloads against a freshly generated database,
//! each with a baseline measured in the same run (issue 3, BENCHMARKS.md).

mod analytics;
mod http;
mod import;
mod load;
mod sales;
mod server;
mod web;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use rapport_core::access::{Role, Scope, Writer};
use rapport_core::clock::SystemClock;
use rapport_core::query::Cursor;
use rapport_core::schema::RecordType;
use rapport_db::records::{MAX_BULK_ITEMS, bulk_create};
use rapport_db::users::NewUser;
use rapport_db::{ConnectionTrait, Ctx, Database, DatabaseUrl};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Order, Query};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::demo::DemoConfig;
use http::Credential;
use load::LoadStats;
use server::{Memory, ServerProcess};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Contacts to generate (companies are a tenth of that).
    #[arg(long, default_value_t = 100_000)]
    pub scale: usize,
    /// Also run on PostgreSQL: an admin URL where a scratch database is created and dropped.
    #[arg(long)]
    pub postgres_url: Option<String>,
    /// Requests per HTTP workload.
    #[arg(long, default_value_t = 20_000)]
    pub requests: usize,
    /// Concurrent clients of the HTTP workloads.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Time limit of each HTTP workload, in seconds.
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Keep the SQLite database in this folder instead of a temporary one (for inspection).
    #[arg(long)]
    pub keep_in: Option<std::path::PathBuf>,
    /// With --keep-in: measure workloads 2–6 again on the database an earlier run kept there,
    /// without generating and importing it again (to compare builds or settings quickly).
    #[arg(long, requires = "keep_in", conflicts_with_all = ["import_only", "postgres_url"])]
    pub reuse: bool,
    /// Keep the PostgreSQL bench database instead of dropping it (its name is printed), for inspection.
    #[arg(long, requires = "postgres_url")]
    pub keep_postgres: bool,
    /// Open deals and open tasks of the user whose deal board and home page are measured.
    #[arg(long, default_value_t = 5000)]
    pub board_items: usize,
    /// Measure PostgreSQL only (with --postgres-url), to profile it without the SQLite part.
    #[arg(long, requires = "postgres_url")]
    pub skip_sqlite: bool,
    /// Measure the import alone (workload 1), to profile or compare it quickly.
    #[arg(long)]
    pub import_only: bool,
    /// Measure the web pages alone (workload 7), to profile or compare them quickly.
    #[arg(long, conflicts_with = "import_only")]
    pub web_only: bool,
    /// Measure the orders' bulk load and the quote PDFs alone (workloads 8 and 9, after the import they need).
    #[arg(long, conflicts_with_all = ["import_only", "web_only", "reuse"])]
    pub sales_only: bool,
    /// Renders of each quote PDF (workload 9).
    #[arg(long, default_value_t = 50)]
    pub pdf_runs: usize,
    /// Measure the customer analytics alone (workload 10): generated customers and orders, the refresh step by
    /// step against DuckDB's RFM on the same orders, the customers page, writes during the refresh.
    #[arg(long, conflicts_with_all = ["import_only", "web_only", "sales_only", "reuse"])]
    pub analytics_only: bool,
    /// Customers (companies) of the analytics workload.
    #[arg(long, default_value_t = 10_000)]
    pub customers: usize,
    /// Orders of the analytics workload (about: drawn from a seeded BG/NBD-like process).
    #[arg(long, default_value_t = 100_000)]
    pub orders: usize,
    /// Single-row writes timed alone, and at least as many during the refresh (analytics workload).
    #[arg(long, default_value_t = 200)]
    pub writes: usize,
    /// Leave the orders' secondary indexes dropped after generating them (analytics workload): the refresh scans
    /// the table and uses none of them, and rebuilding 17 indexes at 10M orders takes minutes.
    #[arg(long)]
    pub skip_order_indexes: bool,
}

const SEARCHES: &[&str] =
    &["silva", "santos", "maria", "garcia", "sil", "mar", "joao silva", "gonzalez", "smith", "oliveira"];

/// Prints each backend's table as soon as it is measured, so that a run
/// stopped during PostgreSQL keeps the SQLite figures.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let scratch = match &args.keep_in {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("rapport-bench-{}", Uuid::now_v7().simple())),
    };
    if !args.skip_sqlite {
        let sqlite = DatabaseUrl::sqlite_in(&scratch);
        let result = match args.analytics_only {
            true => analytics::run_on(&args, &sqlite, "SQLite", &scratch).await,
            false => run_on(&args, &sqlite, "SQLite").await,
        };
        if args.keep_in.is_none() {
            let _ = std::fs::remove_dir_all(&scratch);
        }
        println!("{}", result?);
    }
    if let Some(admin_url) = &args.postgres_url {
        let name = format!("rapport_bench_{}", Uuid::now_v7().simple());
        let admin = sea_orm::Database::connect(admin_url.as_str()).await.context("connect to PostgreSQL")?;
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.context("create the bench database")?;
        let url = match admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => anyhow::bail!("the PostgreSQL URL needs a database path"),
        };
        let postgres = DatabaseUrl::Postgres(url.clone());
        let result = match args.analytics_only {
            true => analytics::run_on(&args, &postgres, "PostgreSQL", &scratch).await,
            false => run_on(&args, &postgres, "PostgreSQL").await,
        };
        if args.keep_postgres {
            eprintln!("== PostgreSQL: kept the bench database at {url}");
        } else {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .context("drop the bench database")?;
        }
        println!("{}", result?);
    }
    Ok(())
}

struct Users {
    admin: Writer,
    admin_token: String,
    owner: Writer,
    owner_token: String,
}

/// The bench's admin and seller, created on a new database and found again
/// on a reused one, each with a new API token.
async fn bench_users(ctx: &Ctx) -> anyhow::Result<Users> {
    let password = format!("bench-{}", Uuid::new_v4().simple());
    let mut tokens = Vec::new();
    let mut actors = Vec::new();
    for (email, role) in [("bench-admin@rapport.local", Role::Admin), ("bench-seller@rapport.local", Role::Member)] {
        let user = match rapport_db::users::find_by_email(ctx, email).await? {
            Some(user) => user,
            None => {
                let input = NewUser {
                    email: email.into(),
                    name: email.into(),
                    password: password.clone(),
                    role,
                    locale: "en".into(),
                };
                rapport_db::users::create_for_system(ctx, &input).await?
            }
        };
        tokens.push(rapport_db::auth::create_token(ctx, user.id, "bench", Scope::Read, None).await?.1);
        let actor = rapport_db::users::actor(ctx.db.conn(), user.id, Scope::ReadWrite).await?.context("bench user")?;
        actors.push(Writer::try_from(actor)?);
    }
    Ok(Users {
        owner_token: tokens.pop().context("token")?,
        admin_token: tokens.pop().context("token")?,
        owner: actors.pop().context("actor")?,
        admin: actors.pop().context("actor")?,
    })
}

/// The seller's open deals (spread over the open stages) and open tasks.
async fn board_data(ctx: &Ctx, owner: &Writer, count: usize) -> anyhow::Result<()> {
    let stages = rapport_db::pipelines::default_pipeline(ctx.db.conn()).await?.context("default pipeline")?.stages;
    let open: Vec<_> = stages.iter().filter(|s| !s.is_won && !s.is_lost).collect();
    let deals: Vec<Value> = (0..count)
        .map(|i| {
            json!({"name": format!("Bench deal {i}"), "stage_id": open[i % open.len()].id.to_string(),
                   "amount_minor": (i as i64 % 97 + 1) * 100_000, "currency": "BRL",
                   "expected_close_date": format!("2027-{:02}-{:02}", i % 12 + 1, i % 28 + 1)})
        })
        .collect();
    let tasks: Vec<Value> = (0..count)
        .map(|i| {
            json!({"kind": "task", "subject": format!("Follow up {i}"), "done": false,
                        "due_at": format!("2026-{:02}-{:02}T{:02}:00:00Z", i % 12 + 1, i % 28 + 1, i % 10 + 8)})
        })
        .collect();
    for (record_type, items) in [(RecordType::DEAL, deals), (RecordType::ACTIVITY, tasks)] {
        for chunk in items.chunks(MAX_BULK_ITEMS) {
            bulk_create(ctx, owner, record_type, chunk).await?;
        }
    }
    Ok(())
}

/// Cursors deep in the BR contacts sorted by last name (found once, not timed).
async fn deep_cursors(ctx: &Ctx, scale: usize) -> anyhow::Result<Vec<String>> {
    let mut cursors = Vec::new();
    for step in 0..20u64 {
        let offset = (scale as u64 / 2) * (10 + step * 4) / 100;
        let query = Query::select()
            .columns(["last_name", "id"])
            .from("contacts")
            .and_where(Expr::col("country").eq("BR"))
            .and_where(Expr::col("last_name").is_not_null())
            .order_by("last_name", Order::Asc)
            .order_by("id", Order::Asc)
            .limit(1)
            .offset(offset)
            .to_owned();
        if let Some(row) = ctx.db.conn().query_one(&query).await.context("find a deep cursor")? {
            let last_name: String = row.try_get("", "last_name").context("read a cursor")?;
            let id: Uuid = row.try_get("", "id").context("read a cursor")?;
            cursors.push(Cursor { value: Value::String(last_name), id }.encode());
        }
    }
    anyhow::ensure!(!cursors.is_empty(), "no contacts to page through");
    Ok(cursors)
}

/// Once, before the timed workloads: no list page counts.
async fn contact_count(ctx: &Ctx) -> anyhow::Result<usize> {
    let query = Query::select().expr_as(Expr::col(Asterisk).count(), "n").from("contacts").to_owned();
    let row = ctx.db.conn().query_one(&query).await.context("count the contacts")?.context("count row")?;
    let n: i64 = row.try_get("", "n").context("read the count")?;
    Ok(n as usize)
}

async fn sample_ids(ctx: &Ctx, count: u64) -> anyhow::Result<Vec<Uuid>> {
    let query = Query::select().column("id").from("contacts").limit(count).to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("sample contact ids")?;
    rows.iter().map(|r| r.try_get::<Uuid>("", "id").context("read an id")).collect()
}

/// Runs `work` while sampling the server's memory every 20 ms (PSS every
/// 500 ms: the kernel walks every mapping to sum it); returns the peak.
async fn with_peak_memory<F: std::future::Future<Output = T>, T>(server: &ServerProcess, work: F) -> (T, Memory) {
    let pid = server.pid();
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let sampler = tokio::spawn(async move {
        let mut peak = Memory::default();
        for sample in 0usize.. {
            peak = peak.max(server::memory_of(pid, sample % 25 == 0));
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                _ = stopped.changed() => break,
            }
        }
        peak
    });
    let result = work.await;
    let _ = stop.send(true);
    (result, sampler.await.unwrap_or_default())
}

/// Sequential round trips of a page made of several requests.
async fn page_times(host: &str, credential: &Credential, urls: &[String], rounds: usize) -> anyhow::Result<LoadStats> {
    let mut connection = http::Connection::open(host).await?;
    let mut times = Vec::with_capacity(rounds);
    let started = Instant::now();
    for _ in 0..rounds {
        let t = Instant::now();
        for url in urls {
            let (status, _) = connection.get(url, Some(credential)).await?;
            anyhow::ensure!(status.is_success(), "{url}: {status}");
        }
        times.push(t.elapsed());
    }
    Ok(LoadStats::from_times(times, 0, started.elapsed().as_secs_f64()))
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// Runs every workload on one backend and returns its Markdown table.
async fn run_on(args: &BenchArgs, url: &DatabaseUrl, name: &str) -> anyhow::Result<String> {
    let db = Database::open(url).await?;
    let ctx = Ctx::new(db, Arc::new(SystemClock));
    rapport_db::pipelines::ensure_default(&ctx).await?;
    let users = bench_users(&ctx).await?;
    let mut sales_report = String::new();
    let mut sales_rejected = 0;
    let import = if args.reuse {
        eprintln!("== {name}: reusing the database in the --keep-in folder");
        None
    } else {
        eprintln!("== {name}: generating and importing {} contacts", args.scale);
        let config = DemoConfig { contacts: args.scale, seed: args.seed };
        let import = import::run(&ctx, &users.admin, &config).await?;
        if args.import_only {
            ctx.db.close().await?;
            let mut report = import_rows(name, &import, None);
            let _ = writeln!(report, "\nRejected while importing: {}.", import.rejected);
            return Ok(report);
        }
        eprintln!("== {name}: bulk-loading the orders");
        let orders = sales::orders(&ctx, &users.admin, &config, &import.company_ids).await?;
        sales_report.push_str(&sales::order_rows(&orders));
        sales_rejected = orders.rejected;
        if args.sales_only {
            ctx.db.close().await?;
            let mut report = import_rows(name, &import, None);
            report.push_str(&sales_report);
            report.push_str(&pdf_rows(args.pdf_runs).await?);
            let _ = writeln!(
                report,
                "\nRejected while importing: {}; orders rejected: {}.",
                import.rejected, orders.rejected
            );
            return Ok(report);
        }
        board_data(&ctx, &users.owner, args.board_items).await?;
        rapport_db::backend::refresh_statistics(&ctx.db).await?;
        Some(import)
    };
    let contacts = match &import {
        Some(import) => import.contacts,
        None => contact_count(&ctx).await?,
    };
    let cursors = deep_cursors(&ctx, contacts).await?;
    let ids = sample_ids(&ctx, 5000).await?;
    let web_fixture = web::prepare(&ctx, &users.admin, users.owner.user_id).await?;
    let url_text = match url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    ctx.db.clone().close().await?;
    let api_token = Credential::Bearer(users.admin_token.clone());
    if args.web_only {
        eprintln!("== {name}: web pages");
        let mut report = table_heading(&format!("{name} — {contacts} contacts, web pages only"));
        report.push_str(&web::run(&url_text, &web_fixture, &api_token, args.board_items).await?);
        return Ok(report);
    }

    eprintln!("== {name}: starting the server");
    let server = ServerProcess::start(&url_text).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = server::memory_of(server.pid(), true);
    let limit = Duration::from_secs(args.seconds);
    let host = server.host.clone();
    let (c, n) = (args.concurrency, args.requests);
    let token = api_token;
    let owner_token = Credential::Bearer(users.owner_token.clone());

    eprintln!("== {name}: HTTP workloads");
    let ((healthz, by_id, search, list), peak) = with_peak_memory(&server, async {
        let healthz = load::run(&host, &token, c, n, limit, Arc::new(|_| "/healthz".to_owned())).await;
        let ids = ids.clone();
        let by_id = load::run(
            &host,
            &token,
            c,
            n,
            limit,
            Arc::new(move |i| format!("/api/v1/contacts/{}", ids[i % ids.len()])),
        )
        .await;
        let search = load::run(
            &host,
            &token,
            c,
            n,
            limit,
            Arc::new(|i| {
                format!("/api/v1/search?types=contact&limit=20&q={}", SEARCHES[i % SEARCHES.len()].replace(' ', "+"))
            }),
        )
        .await;
        let cursors = cursors.clone();
        let list = load::run(
            &host,
            &token,
            c,
            n,
            limit,
            Arc::new(move |i| {
                http::encode_brackets(&format!(
                    "/api/v1/contacts?filter[country][eq]=BR&sort=last_name&limit=50&cursor={}",
                    cursors[i % cursors.len()]
                ))
            }),
        )
        .await;
        (healthz, by_id, search, list)
    })
    .await;

    // One candidate lookup (blocking keys, then scoring) per request, over
    // the same ids as the by-id reads, after them.
    let duplicate_ids = ids.clone();
    let duplicates = load::run(
        &host,
        &token,
        c,
        n,
        limit,
        Arc::new(move |i| format!("/api/v1/contacts/{}/duplicates", duplicate_ids[i % duplicate_ids.len()])),
    )
    .await;

    let owner = users.owner.user_id;
    let stages = {
        let mut connection = http::Connection::open(&host).await?;
        let (_, body) = connection.get("/api/v1/pipelines", Some(&owner_token)).await?;
        let pipelines: Value = serde_json::from_slice(&body).context("read the pipelines")?;
        pipelines[0]["stages"].as_array().cloned().unwrap_or_default()
    };
    let board: Vec<String> = stages
        .iter()
        .filter_map(|s| s["id"].as_str())
        .map(|stage| {
            http::encode_brackets(&format!(
                "/api/v1/deals?filter[owner_id][eq]={owner}&filter[stage_id][eq]={stage}&sort=-amount_minor&limit=50"
            ))
        })
        .collect();
    let home = [
        format!("/api/v1/activities?filter[owner_id][eq]={owner}&filter[done][eq]=false&sort=due_at&limit=20"),
        format!("/api/v1/deals?filter[owner_id][eq]={owner}&filter[status][eq]=open&sort=expected_close_date&limit=20"),
        "/api/v1/notifications?unread=true&limit=20".to_owned(),
    ]
    .map(|path| http::encode_brackets(&path));
    let board_stats = page_times(&host, &owner_token, &board, 50).await?;
    let home_stats = page_times(&host, &owner_token, &home, 50).await?;
    let binary = std::fs::metadata(std::env::current_exe()?)?.len();
    let startup = server.startup;
    drop(server);
    eprintln!("== {name}: web pages");
    let web_report = web::run(&url_text, &web_fixture, &token, args.board_items).await?;

    let errors = healthz.errors + by_id.errors + search.errors + list.errors + duplicates.errors;
    let mut report = match &import {
        Some(import) => import_rows(name, import, Some(c)),
        None => table_heading(&format!("{name} — the database kept by an earlier run, {c} clients")),
    };
    let r = &mut report;
    let _ = writeln!(
        r,
        "| 2. search top 20, contacts | p50 {:.2} ms, p99 {:.2} ms, {:.0} req/s | /healthz {:.0} req/s | {:.2} |",
        search.p50_ms,
        search.p99_ms,
        search.rate(),
        healthz.rate(),
        search.rate() / healthz.rate()
    );
    let _ = writeln!(
        r,
        "| 3. list page of 50, BR by last name, deep cursor | p50 {:.2} ms, p99 {:.2} ms, {:.0} req/s | /healthz p99 {:.2} ms | |",
        list.p50_ms,
        list.p99_ms,
        list.rate(),
        healthz.p99_ms
    );
    let _ = writeln!(
        r,
        "| 4. GET contact by id | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | /healthz {:.0} req/s, p99 {:.2} ms | {:.2} |",
        by_id.rate(),
        by_id.p50_ms,
        by_id.p99_ms,
        healthz.rate(),
        healthz.p99_ms,
        by_id.rate() / healthz.rate()
    );
    let _ = writeln!(
        r,
        "| 4b. duplicate candidates of a contact (blocking keys, scored) | p50 {:.2} ms, p99 {:.2} ms, {:.0} req/s | GET by id p50 {:.2} ms, p99 {:.2} ms | {:.2} |",
        duplicates.p50_ms,
        duplicates.p99_ms,
        duplicates.rate(),
        by_id.p50_ms,
        by_id.p99_ms,
        duplicates.p50_ms / by_id.p50_ms
    );
    let _ = writeln!(
        r,
        "| 5a. deal board: {} stage lists of a user with {} open deals | p50 {:.1} ms, p99 {:.1} ms | | |",
        board.len(),
        args.board_items,
        board_stats.p50_ms,
        board_stats.p99_ms
    );
    let _ = writeln!(
        r,
        "| 5b. home page: open tasks, open deals, notifications ({} each) | p50 {:.1} ms, p99 {:.1} ms | | |",
        args.board_items, home_stats.p50_ms, home_stats.p99_ms
    );
    let _ = writeln!(
        r,
        "| 6. server memory idle / peak under 2–4 | PSS {:.1} / {:.1} MB; VmRSS {:.1} / {:.1} MB; heap {:.1} / {:.1} MB | | |",
        mb(idle.pss_kb),
        mb(peak.pss_kb),
        mb(idle.rss_kb),
        mb(peak.rss_kb),
        mb(idle.anon_kb),
        mb(peak.anon_kb)
    );
    let _ = writeln!(r, "| start-up to first HTTP 200 | {:.0} ms | | |", startup.as_secs_f64() * 1000.0);
    let _ = writeln!(
        r,
        "| binary size | {:.1} MiB = {:.1} MB | | |",
        binary as f64 / 1_048_576.0,
        binary as f64 / 1_000_000.0
    );
    r.push_str(&sales_report);
    r.push_str(&pdf_rows(args.pdf_runs).await?);
    let rejected = import
        .map(|i| format!("Rejected while importing: {}; orders rejected: {sales_rejected}; ", i.rejected))
        .unwrap_or_default();
    let _ = writeln!(r, "\n{rejected}failed HTTP requests: {errors}.");
    report.push_str(&web_report);
    Ok(report)
}

/// Workload 9 on a blocking thread: a quote of 10 lines and one of 120 (several pages).
async fn pdf_rows(runs: usize) -> anyhow::Result<String> {
    eprintln!("== quote PDFs");
    let figures = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<sales::PdfFigures>> {
        Ok(vec![sales::quote_pdfs(10, runs)?, sales::quote_pdfs(120, runs)?])
    })
    .await
    .context("render the quote PDFs")??;
    Ok(sales::pdf_rows(&figures))
}

fn table_heading(title: &str) -> String {
    format!("\n### {title}\n\n| workload | Rapport | baseline (same run) | ratio |\n|---|---|---|---|\n")
}

/// The table's heading and its import rows.
fn import_rows(name: &str, import: &import::ImportFigures, clients: Option<usize>) -> String {
    let clients = clients.map(|c| format!(", {c} clients")).unwrap_or_default();
    let mut report =
        table_heading(&format!("{name} — {} contacts, {} companies{clients}", import.contacts, import.companies));
    let r = &mut report;
    let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    let (rapport_rate, baseline_rate) = (rate(import.contacts, import.rapport), rate(import.contacts, import.baseline));
    let _ = writeln!(
        r,
        "| 1. import a contacts CSV (parse, validation, e-mail dedup, search + key indexing, audit) | {:.0} rows/s ({:.1} s) | {:.0} rows/s same CSV, one prepared INSERT per row, one tx ({:.1} s) | {:.2} |",
        rapport_rate,
        import.rapport.as_secs_f64(),
        baseline_rate,
        import.baseline.as_secs_f64(),
        rapport_rate / baseline_rate
    );
    let _ = writeln!(
        r,
        "| companies through the bulk-create API path | {:.0} rows/s | | |",
        rate(import.companies, import.company_time)
    );
    report
}
