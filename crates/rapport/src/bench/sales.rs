//! Workload 8: the demo's orders (≈ one per contact, 1–5 product lines each) through the bulk-create path, against
//! plain prepared inserts of the same rows. Workload 9: quote PDFs of 10 and 120 lines, rendered in memory.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use rapport_core::access::Writer;
use rapport_core::branding::Branding;
use rapport_core::line_items::LineItem;
use rapport_core::records::order::order_totals;
use rapport_core::schema::RecordType;
use rapport_db::records::{MAX_BULK_ITEMS, bulk_create};
use rapport_db::{ConnectionTrait, Ctx};
use rapport_documents::Party;
use rapport_server::documents::{QuoteSheet, quote_pdf};
use rapport_server::web::i18n::{Locale, Tr};
use sea_orm::sea_query::{ColumnDef, Index, Order, Query, Table};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::load::percentile;
use crate::demo::{self, DemoConfig};
use crate::load::set_line_products;

pub struct OrderFigures {
    pub orders: usize,
    pub lines: usize,
    pub rapport: Duration,
    pub baseline: Duration,
    pub rejected: usize,
}

/// Stores the catalogue, then the orders of `config` (companies by `company_ids`, contacts found in storage: they
/// were imported in generation order, so their time-ordered ids sort them by index).
pub async fn orders(
    ctx: &Ctx,
    actor: &Writer,
    config: &DemoConfig,
    company_ids: &[Option<Uuid>],
) -> anyhow::Result<OrderFigures> {
    let products: Vec<Value> = demo::products().into_iter().map(Value::Object).collect();
    let mut product_ids = Vec::with_capacity(products.len());
    for result in bulk_create(ctx, actor, RecordType::PRODUCT, &products).await? {
        product_ids
            .push(result.outcome.map_err(|e| anyhow::anyhow!("a demo product was rejected: {e}"))?.map(|r| r.id.0));
    }
    let contacts = contacts_by_index(ctx).await?;
    anyhow::ensure!(
        contacts.len() == config.contacts,
        "found {} contacts, expected {}",
        contacts.len(),
        config.contacts
    );

    let mut lines = 0;
    let mut items = Vec::with_capacity(config.contacts);
    for mut order in demo::orders(config) {
        let company = take(&mut order, "company_index").and_then(|i| company_ids.get(i).copied().flatten());
        if let Some(company) = company {
            order.insert("company_id".into(), company.to_string().into());
        }
        if let Some((contact, contact_company)) = take(&mut order, "contact_index").map(|i| contacts[i]) {
            anyhow::ensure!(contact_company == company, "contact {contact} is not of the order's company");
            order.insert("contact_id".into(), contact.to_string().into());
        }
        set_line_products(&mut order, &product_ids);
        lines += order.get("lines").and_then(Value::as_array).map_or(0, Vec::len);
        items.push(Value::Object(order));
    }

    let baseline = baseline(ctx, &items).await?;
    let started = Instant::now();
    let mut rejected = 0;
    for chunk in items.chunks(MAX_BULK_ITEMS) {
        for result in bulk_create(ctx, actor, RecordType::ORDER, chunk).await? {
            if let Err(error) = result.outcome {
                rejected += 1;
                if rejected <= 3 {
                    eprintln!("rejected order: {error}");
                }
            }
        }
    }
    Ok(OrderFigures { orders: items.len(), lines, rapport: started.elapsed(), baseline, rejected })
}

fn take(record: &mut Map<String, Value>, key: &str) -> Option<usize> {
    record.remove(key).and_then(|v| v.as_u64()).map(|n| n as usize)
}

/// Every contact's id and company, in creation order.
async fn contacts_by_index(ctx: &Ctx) -> anyhow::Result<Vec<(Uuid, Option<Uuid>)>> {
    let query = Query::select().columns(["id", "company_id"]).from("contacts").order_by("id", Order::Asc).to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("read the contacts")?;
    rows.iter()
        .map(|row| {
            Ok((row.try_get("", "id").context("a contact id")?, row.try_get("", "company_id").context("a company")?))
        })
        .collect()
}

/// The baseline: the same orders, their totals computed and their lines serialised, inserted one prepared INSERT
/// per row in one transaction into a table with a uuid key and an index on the company.
async fn baseline(ctx: &Ctx, items: &[Value]) -> anyhow::Result<Duration> {
    let conn = ctx.db.conn();
    let backend = ctx.db.db_backend();
    let create = Table::create()
        .table("bench_orders_baseline")
        .if_not_exists()
        .col(ColumnDef::new("id").uuid().not_null().primary_key())
        .col(ColumnDef::new("status").text())
        .col(ColumnDef::new("currency").text())
        .col(ColumnDef::new("company_id").uuid())
        .col(ColumnDef::new("contact_id").uuid())
        .col(ColumnDef::new("lines").text())
        .col(ColumnDef::new("total_minor").big_integer())
        .col(ColumnDef::new("paid_minor").big_integer())
        .col(ColumnDef::new("ordered_at").text())
        .to_owned();
    conn.execute(&create).await.context("create the baseline table")?;
    let index = Index::create()
        .name("bench_orders_baseline_company")
        .table("bench_orders_baseline")
        .col("company_id")
        .to_owned();
    conn.execute(&index).await.context("index the baseline table")?;
    let text = |order: &Map<String, Value>, key: &str| order.get(key).and_then(Value::as_str).map(str::to_owned);
    let uuid = |order: &Map<String, Value>, key: &str| text(order, key).and_then(|s| Uuid::parse_str(&s).ok());
    let started = Instant::now();
    let tx = ctx.db.write().await?;
    for order in items.iter().filter_map(Value::as_object) {
        let total = order_totals(order).map_err(|e| anyhow::anyhow!("an order's figures: {}", e.message))?.total_minor;
        let insert = Query::insert()
            .into_table("bench_orders_baseline")
            .columns([
                "id",
                "status",
                "currency",
                "company_id",
                "contact_id",
                "lines",
                "total_minor",
                "paid_minor",
                "ordered_at",
            ])
            .values_panic([
                Uuid::now_v7().into(),
                text(order, "status").into(),
                text(order, "currency").into(),
                uuid(order, "company_id").into(),
                uuid(order, "contact_id").into(),
                order.get("lines").map(Value::to_string).into(),
                total.into(),
                order.get("paid_minor").and_then(Value::as_i64).into(),
                text(order, "ordered_at").into(),
            ])
            .to_owned();
        tx.execute_raw(backend.build(&insert)).await.context("insert a baseline row")?;
    }
    tx.commit().await?;
    Ok(started.elapsed())
}

/// The table rows of workload 8.
pub fn order_rows(figures: &OrderFigures) -> String {
    let rate = |d: Duration| figures.orders as f64 / d.as_secs_f64();
    let mut r = String::new();
    let _ = writeln!(
        r,
        "| 8. bulk-create {} orders ({} lines: validation, totals, numbering, search + audit) | {:.0} rows/s ({:.1} s) | {:.0} rows/s same orders, totals computed, one prepared INSERT per row, one tx ({:.1} s) | {:.2} |",
        figures.orders,
        figures.lines,
        rate(figures.rapport),
        figures.rapport.as_secs_f64(),
        rate(figures.baseline),
        figures.baseline.as_secs_f64(),
        rate(figures.rapport) / rate(figures.baseline)
    );
    r
}

/// Times and size of one quote PDF, rendered `runs` times.
pub struct PdfFigures {
    pub lines: usize,
    pub runs: usize,
    pub median: Duration,
    pub p95: Duration,
    pub bytes: usize,
    pub pages: usize,
}

fn branding() -> Branding {
    Branding {
        name: "Rapport Sistemas Comerciais Ltda.".into(),
        address: "Av. Paulista, 1578 — 12º andar\nBela Vista, São Paulo — SP\n01310-200".into(),
        tax_id: "CNPJ 12.345.678/0001-95".into(),
        website: "https://www.rapport.com.br".into(),
        email: "vendas@rapport.com.br".into(),
        phone: "+55 11 3000-1234".into(),
        accent: "#0f766e".into(),
        quote_terms: "Pagamento em 30 dias a partir da emissão da nota fiscal. Preços em reais, com impostos \
                      destacados. Proposta válida até a data indicada; implantação em até 20 dias úteis após o \
                      aceite. Suporte conforme o plano contratado."
            .into(),
    }
}

/// A quote of `count` lines from the demo catalogue in BRL, each with its SKU under the description.
fn sheet(count: usize) -> anyhow::Result<QuoteSheet> {
    let products = demo::products();
    let mut lines = Vec::with_capacity(count);
    let mut details = Vec::with_capacity(count);
    for i in 0..count {
        let product = &products[i % products.len()];
        let line = json!({
            "description": product["name"],
            "quantity_milli": (i as i64 % 7 + 1) * 1000,
            "unit_price_minor": product["prices"]["BRL"],
            "tax_rate_bp": product["tax_rate_bp"],
            "discount_bp": if i % 5 == 0 { 1000 } else { 0 },
        });
        lines.push(LineItem::parse_json(&line).map_err(|e| anyhow::anyhow!("a bench quote line: {e}"))?);
        details.push(vec![format!("SKU {}", product["sku"].as_str().unwrap_or_default())]);
    }
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).context("a date");
    Ok(QuoteSheet {
        number: format!("Q-2026-{count:04}"),
        issued: day(24)?,
        valid_until: Some(day(30)?),
        salesperson: Some("Ana Beatriz Souza".into()),
        customer: Party {
            name: "Mariana Oliveira".into(),
            lines: vec!["Aurora Logística Ltda.".into(), "mariana.oliveira@aurora-logistica.com.br".into()],
        },
        currency: "BRL".into(),
        lines,
        details,
        discount_bp: 500,
        terms: String::new(),
    })
}

/// Pages of a PDF written by `rapport-documents` (one `/Type /Page` object each).
fn pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1).filter(|w| w.starts_with(needle) && w[needle.len()] != b's').count()
}

/// Renders the quote of `lines` lines `runs` times (one warm-up first) in Portuguese, without a logo.
pub fn quote_pdfs(lines: usize, runs: usize) -> anyhow::Result<PdfFigures> {
    let (sheet, branding, tr) = (sheet(lines)?, branding(), Tr::new(Locale::PtBr));
    let mut pdf = quote_pdf(&sheet, &branding, None, &tr)?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        pdf = quote_pdf(&sheet, &branding, None, &tr)?;
        times.push(started.elapsed());
    }
    times.sort_unstable();
    let ms = |p| Duration::from_secs_f64(percentile(&times, p) / 1000.0);
    Ok(PdfFigures { lines, runs, median: ms(50.0), p95: ms(95.0), bytes: pdf.len(), pages: pages(&pdf) })
}

/// The table rows of workload 9.
pub fn pdf_rows(figures: &[PdfFigures]) -> String {
    let mut r = String::new();
    for f in figures {
        let _ = writeln!(
            r,
            "| 9. quote PDF, {} lines ({} page{}), {} renders | median {:.2} ms, p95 {:.2} ms; {} bytes | | |",
            f.lines,
            f.pages,
            if f.pages == 1 { "" } else { "s" },
            f.runs,
            f.median.as_secs_f64() * 1000.0,
            f.p95.as_secs_f64() * 1000.0,
            f.bytes
        );
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_quote_fills_several_pages_and_the_rows_report_them() {
        let short = quote_pdfs(10, 2).unwrap();
        let long = quote_pdfs(120, 2).unwrap();
        // Ten lines fill the first page; the terms go on the second.
        assert_eq!(short.pages, 2);
        assert!(long.pages >= 4, "{} pages", long.pages);
        assert!(long.bytes > short.bytes && short.bytes > 1_000);
        assert!(short.median <= short.p95);
        let rows = pdf_rows(&[short, long]);
        assert!(rows.contains("| 9. quote PDF, 10 lines (2 pages), 2 renders | median "), "{rows}");
    }
}
