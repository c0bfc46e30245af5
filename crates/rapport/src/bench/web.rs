//! Workload 7: the web UI's pages as a browser asks for them (session
//! cookie, whole HTML page), server time per page against `/healthz` in the
//! same run, and what each page weighs.
//!
//! The list page is measured over a matrix of the filters and sorts its
//! screen offers, each pair cold (the first request of a server process just
//! started: SQLite's page cache empty, the operating system's file cache
//! warm) and warm (its first page and a page 1,000 rows deep, alternately).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::Context;
use rapport_core::access::Writer;
use rapport_core::auth::SessionPolicy;
use rapport_core::ids::UserId;
use rapport_core::schema::RecordType;
use rapport_db::records::{MAX_BULK_ITEMS, bulk_create};
use rapport_db::{ConnectionTrait, Ctx};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::{Value, json};
use uuid::Uuid;

use super::http::{self, Connection, Credential};
use super::load::{self, LoadStats};
use super::server::ServerProcess;

/// The filters of the contacts list (as its filter form sends them), from
/// common to rare, on the fields the screen lets a user filter by.
const FILTERS: &[(&str, &str)] = &[
    ("none", ""),
    ("country = BR (55 %)", "f=country&op=eq&v=BR"),
    ("country ≠ BR", "f=country&op=ne&v=BR"),
    ("city = Curitiba (3 %)", "f=city&op=eq&v=Curitiba"),
    ("city = Cusco (0.14 %)", "f=city&op=eq&v=Cusco"),
    ("city = Natal (none)", "f=city&op=eq&v=Natal"),
    ("lifecycle = customer", "f=lifecycle_stage&op=eq&v=customer"),
    ("last name = Silva", "f=last_name&op=eq&v=Silva"),
    ("first name starts with Mar", "f=first_name&op=starts_with&v=Mar"),
    ("city contains \"ana\"", "f=city&op=contains&v=ana"),
];

/// The sorts the list's column headers offer, and the default.
const SORTS: &[(&str, &str)] = &[
    ("default", ""),
    ("newest", "-created_at"),
    ("last name", "last_name"),
    ("city", "city"),
    ("lifecycle", "lifecycle_stage"),
    ("company", "company_id"),
];

/// How deep the warm workload's second page is.
const DEEP: usize = 1000;
/// Sequential requests per warm list pair and per page.
const WARM_ROUNDS: usize = 20;
const PAGE_ROUNDS: usize = 50;

/// The name of the contact whose record page is measured.
const TIMELINE_CONTACT: (&str, &str) = ("Bench", "Timeline");

/// Sessions of the bench's two users, and the contact with a long timeline.
pub struct WebFixture {
    admin: Credential,
    seller: Credential,
    record: Uuid,
    /// A saved report over every contact, and a dashboard showing it.
    report: Uuid,
    dashboard: Uuid,
}

/// The report over every contact whose page and dashboard are measured.
const BENCH_REPORT: &str = "Bench: contacts by country";

/// Before the server starts: browser sessions, and a contact with 200
/// activities on its timeline (created once; found again on a reused database).
pub async fn prepare(ctx: &Ctx, admin: &Writer, seller: Uuid) -> anyhow::Result<WebFixture> {
    let policy = SessionPolicy::default();
    let admin_session = rapport_db::auth::create_session(ctx, UserId(admin.user_id), &policy).await?.token;
    let seller_session = rapport_db::auth::create_session(ctx, UserId(seller), &policy).await?.token;
    let record = match timeline_contact(ctx).await? {
        Some(id) => id,
        None => {
            let (first, last) = TIMELINE_CONTACT;
            let contact = json!({"first_name": first, "last_name": last, "city": "Curitiba", "country": "BR"});
            let id = rapport_db::records::create(ctx, admin, RecordType::CONTACT, &contact).await?.id.0;
            let activities: Vec<Value> = (0..200)
                .map(|i| {
                    let kind = ["call", "note", "meeting", "email"][i % 4];
                    json!({"kind": kind, "subject": format!("Conversation {i}"), "body": "Talked about the renewal.",
                           "done": true, "related": [{"type": "contact", "id": id}]})
                })
                .collect();
            for chunk in activities.chunks(MAX_BULK_ITEMS) {
                bulk_create(ctx, admin, RecordType::ACTIVITY, chunk).await?;
            }
            id
        }
    };
    let (report, dashboard) = report_and_dashboard(ctx, admin).await?;
    Ok(WebFixture {
        admin: Credential::Session(admin_session),
        seller: Credential::Session(seller_session),
        record,
        report,
        dashboard,
    })
}

/// A report counting every contact by country, on a dashboard of its own
/// (made once; found again on a reused database).
async fn report_and_dashboard(ctx: &Ctx, admin: &Writer) -> anyhow::Result<(Uuid, Uuid)> {
    use rapport_db::reports::{DashboardInput, ReportInput, Widget, WidgetSize};
    let found = rapport_db::reports::list_reports(ctx, admin).await?.into_iter().find(|r| r.name == BENCH_REPORT);
    let report = match found {
        Some(report) => report,
        None => {
            let input = ReportInput {
                name: BENCH_REPORT.to_owned(),
                description: None,
                definition: rapport_core::reports::ReportDefinition::count_by("contact", "country"),
                shared_team_id: None,
            };
            rapport_db::reports::create_report(ctx, admin, &input).await?
        }
    };
    let dashboards = rapport_db::reports::list_dashboards(ctx, admin).await?;
    let dashboard = match dashboards.into_iter().find(|d| d.name == BENCH_REPORT) {
        Some(dashboard) => dashboard.id,
        None => {
            let input = DashboardInput {
                name: BENCH_REPORT.to_owned(),
                team_id: None,
                widgets: vec![Widget { report_id: report.id, size: WidgetSize::Large }],
            };
            rapport_db::reports::create_dashboard(ctx, admin, &input).await?.id
        }
    };
    Ok((report.id.0, dashboard.0))
}

async fn timeline_contact(ctx: &Ctx) -> anyhow::Result<Option<Uuid>> {
    let (first, last) = TIMELINE_CONTACT;
    let query = Query::select()
        .column("id")
        .from("contacts")
        .and_where(Expr::col("first_name").eq(first))
        .and_where(Expr::col("last_name").eq(last))
        .limit(1)
        .to_owned();
    let row = ctx.db.conn().query_one(&query).await.context("find the timeline contact")?;
    row.map(|r| r.try_get::<Uuid>("", "id")).transpose().context("read an id")
}

/// One list pair: its first request on a fresh server, then warm pages.
struct ListFigures {
    cold_ms: f64,
    warm: LoadStats,
}

/// The API query of a list page's query (`f`, `op`, `v` → `filter[f][op]=v`).
fn api_query(filter: &str, sort: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(filter).unwrap_or_default();
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();
    let mut query = Vec::new();
    if !filter.is_empty() {
        query.push((format!("filter[{}][{}]", value("f"), value("op")), value("v").to_owned()));
    }
    if !sort.is_empty() {
        query.push(("sort".to_owned(), sort.to_owned()));
    }
    serde_urlencoded::to_string(query).unwrap_or_default()
}

fn list_path(filter: &str, sort: &str, cursor: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(filter).unwrap_or_default();
    if !sort.is_empty() {
        pairs.push(("sort".into(), sort.into()));
    }
    if let Some(cursor) = cursor {
        pairs.push(("cursor".into(), cursor.into()));
    }
    format!("/contacts?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

/// The cursor `DEEP` rows into a list, through the API (not timed).
async fn deep_cursor(connection: &mut Connection, api: &Credential, query: &str) -> anyhow::Result<Option<String>> {
    let mut cursor: Option<String> = None;
    for _ in 0..DEEP / 200 {
        let mut path = format!("/api/v1/contacts?{query}&limit=200");
        if let Some(c) = &cursor {
            let _ = write!(path, "&cursor={c}");
        }
        let (status, body) = connection.get(&http::encode_brackets(&path), Some(api)).await?;
        anyhow::ensure!(status.is_success(), "{path}: {status}");
        let page: Value = serde_json::from_slice(&body).context("read a list page")?;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(None),
        }
    }
    Ok(cursor)
}

/// Sequential GETs of `paths` in turn, `rounds` times each.
async fn sequential(
    connection: &mut Connection,
    credential: &Credential,
    paths: &[String],
    rounds: usize,
) -> anyhow::Result<LoadStats> {
    let mut times = Vec::with_capacity(rounds * paths.len());
    let started = Instant::now();
    for _ in 0..rounds {
        for path in paths {
            let sent = Instant::now();
            let (status, _) = connection.get(path, Some(credential)).await?;
            anyhow::ensure!(status.is_success(), "{path}: {status}");
            times.push(sent.elapsed());
        }
    }
    Ok(LoadStats::from_times(times, 0, started.elapsed().as_secs_f64()))
}

/// HTML, stylesheet and scripts of a page, uncompressed and as sent with gzip.
struct Weight {
    plain: usize,
    wire: usize,
}

async fn weight(connection: &mut Connection, credential: &Credential, path: &str) -> anyhow::Result<Weight> {
    let (status, html) = connection.get(path, Some(credential)).await?;
    anyhow::ensure!(status.is_success(), "{path}: {status}");
    let mut assets = BTreeSet::new();
    let mut pending = assets_in(&html);
    let mut total = Weight { plain: html.len(), wire: connection.get_compressed(path, credential).await?.1.len() };
    while let Some(asset) = pending.pop() {
        if !assets.insert(asset.clone()) {
            continue;
        }
        let (_, body) = connection.get(&asset, Some(credential)).await?;
        pending.extend(assets_in(&body));
        total.plain += body.len();
        total.wire += connection.get_compressed(&asset, credential).await?.1.len();
    }
    Ok(total)
}

/// The stylesheets and scripts a page or script names (`/assets/x.css`, `/assets/x.js`).
fn assets_in(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    text.match_indices("/assets/")
        .filter_map(|(at, _)| {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'))
                .collect();
            (name.ends_with(".css") || name.ends_with(".js")).then_some(name)
        })
        .collect()
}

/// Runs workload 7 and returns its part of the report. Starts a server per
/// list pair (for the cold figure) and one for the other pages.
pub async fn run(
    database_url: &str,
    fixture: &WebFixture,
    api: &Credential,
    board_items: usize,
) -> anyhow::Result<String> {
    let mut cells = Vec::new();
    for (_, filter) in FILTERS {
        for (_, sort) in SORTS {
            let server = ServerProcess::start(database_url).await?;
            let mut connection = Connection::open(&server.host).await?;
            let first = list_path(filter, sort, None);
            let sent = Instant::now();
            let (status, _) = connection.get(&first, Some(&fixture.admin)).await?;
            anyhow::ensure!(status.is_success(), "{first}: {status}");
            let cold_ms = sent.elapsed().as_secs_f64() * 1000.0;
            let mut paths = vec![first];
            if let Some(cursor) = deep_cursor(&mut connection, api, &api_query(filter, sort)).await? {
                paths.push(list_path(filter, sort, Some(&cursor)));
            }
            let warm = sequential(&mut connection, &fixture.admin, &paths, WARM_ROUNDS).await?;
            cells.push(ListFigures { cold_ms, warm });
        }
    }

    let server = ServerProcess::start(database_url).await?;
    let mut connection = Connection::open(&server.host).await?;
    let healthz = sequential(&mut connection, api, &["/healthz".to_owned()], 2000).await?;
    let record = format!("/contacts/{}", fixture.record);
    let pages = [
        ("a contact's record page, 200 activities on its timeline", record.clone(), &fixture.admin),
        (&*format!("deal board of a user with {board_items} open deals"), "/deals/board".to_owned(), &fixture.seller),
        (&*format!("home of a user with {board_items} open tasks"), "/".to_owned(), &fixture.seller),
        ("contacts list, first page", "/contacts".to_owned(), &fixture.admin),
        (
            "a saved report over every contact, by country (run live)",
            format!("/reports/{}", fixture.report),
            &fixture.admin,
        ),
        (
            "a dashboard of that report (opens from the kept result)",
            format!("/dashboards/{}", fixture.dashboard),
            &fixture.admin,
        ),
    ];
    let mut report = String::new();
    let r = &mut report;
    let _ = writeln!(r, "\n#### 7. Web pages (whole HTML page, session cookie, {PAGE_ROUNDS} sequential requests)\n");
    let _ = writeln!(r, "| page | p50 | p99 | /healthz p99 (same run) | HTML + CSS + JS | on the wire (gzip) |");
    let _ = writeln!(r, "|---|---|---|---|---|---|");
    for (label, path, credential) in &pages {
        if path.starts_with("/dashboards/") {
            // The first open computes the kept result later opens read.
            connection.get(path, Some(credential)).await?;
        }
        let stats = sequential(&mut connection, credential, std::slice::from_ref(path), PAGE_ROUNDS).await?;
        let weight = weight(&mut connection, credential, path).await?;
        let _ = writeln!(
            r,
            "| {label} | {:.2} ms | {:.2} ms | {:.2} ms | {:.1} KB | {:.1} KB |",
            stats.p50_ms,
            stats.p99_ms,
            healthz.p99_ms,
            weight.plain as f64 / 1000.0,
            weight.wire as f64 / 1000.0
        );
    }
    drop(server);

    let _ = writeln!(
        r,
        "\n#### 7a. Contacts list page of 50: warm p99 / cold, ms (warm: first page and a page {DEEP} rows deep, {WARM_ROUNDS} times each)\n"
    );
    let _ = write!(r, "| filter \\ sort |");
    for (label, _) in SORTS {
        let _ = write!(r, " {label} |");
    }
    let _ = write!(r, "\n|---|");
    for _ in SORTS {
        let _ = write!(r, "---|");
    }
    let _ = writeln!(r);
    for (row, (label, _)) in FILTERS.iter().enumerate() {
        let _ = write!(r, "| {label} |");
        for cell in &cells[row * SORTS.len()..(row + 1) * SORTS.len()] {
            let _ = write!(r, " {:.1} / {:.0} |", cell.warm.p99_ms, cell.cold_ms);
        }
        let _ = writeln!(r);
    }
    let worst_warm = cells.iter().map(|c| c.warm.p99_ms).fold(0.0, f64::max);
    let worst_cold = cells.iter().map(|c| c.cold_ms).fold(0.0, f64::max);
    let median_warm = {
        let mut p50s: Vec<Duration> = cells.iter().map(|c| Duration::from_secs_f64(c.warm.p50_ms / 1000.0)).collect();
        p50s.sort_unstable();
        load::percentile(&p50s, 50.0)
    };
    let _ = writeln!(
        r,
        "\nOver all {} pairs: worst warm p99 {worst_warm:.1} ms, worst cold {worst_cold:.0} ms, median warm p50 {median_warm:.1} ms.",
        cells.len()
    );
    Ok(report)
}
