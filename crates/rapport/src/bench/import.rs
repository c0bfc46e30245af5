//! Workload 1: importing a contacts CSV, against plain prepared inserts of
//! the same file.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use rapport_core::access::Writer;
use rapport_core::schema::RecordType;
use rapport_db::records::{ImportOptions, MAX_BULK_ITEMS, bulk_create, import_csv};
use rapport_db::{ConnectionTrait, Ctx};
use sea_orm::sea_query::{ColumnDef, Index, Query, Table};
use serde_json::Value;
use uuid::Uuid;

use crate::demo::{self, DemoConfig};

pub struct ImportFigures {
    pub contacts: usize,
    pub rapport: Duration,
    pub baseline: Duration,
    pub companies: usize,
    /// The stored companies' ids in generation order (None where rejected).
    pub company_ids: Vec<Option<Uuid>>,
    pub company_time: Duration,
    pub rejected: usize,
}

/// Writes the generated contacts as the CSV file a user would import, one
/// column per contact field, lists joined with `;`, companies by id.
fn write_csv(config: &DemoConfig, company_ids: &[Option<Uuid>], path: &Path) -> anyhow::Result<()> {
    let columns: Vec<&str> = RecordType::CONTACT.fields().iter().map(|f| f.name).filter(|n| *n != "consents").collect();
    let mut out = csv::Writer::from_writer(std::io::BufWriter::new(File::create(path).context("create the CSV")?));
    out.write_record(&columns)?;
    let mut cells: Vec<String> = Vec::with_capacity(columns.len());
    for batch in demo::contact_batches(config, 10_000) {
        for mut contact in batch {
            let company = contact.remove("company_index").and_then(|v| v.as_u64()).map(|i| i as usize);
            if let Some(id) = company.and_then(|i| company_ids.get(i).copied().flatten()) {
                contact.insert("company_id".into(), Value::String(id.to_string()));
            }
            cells.clear();
            cells.extend(columns.iter().map(|c| match contact.get(*c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(";"),
                Some(other) => other.to_string(),
            }));
            out.write_record(&cells)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The baseline: the same file parsed and inserted through one prepared
/// INSERT per row, in one transaction, into a table with a uuid key and a
/// unique e-mail index.
async fn baseline(ctx: &Ctx, path: &Path) -> anyhow::Result<Duration> {
    let conn = ctx.db.conn();
    let backend = ctx.db.db_backend();
    let create = Table::create()
        .table("bench_baseline")
        .if_not_exists()
        .col(ColumnDef::new("id").uuid().not_null().primary_key())
        .col(ColumnDef::new("first_name").text())
        .col(ColumnDef::new("last_name").text())
        .col(ColumnDef::new("email").text())
        .col(ColumnDef::new("phone").text())
        .col(ColumnDef::new("city").text())
        .col(ColumnDef::new("country").text())
        .to_owned();
    conn.execute(&create).await.context("create the baseline table")?;
    let index = Index::create().name("bench_baseline_email").table("bench_baseline").col("email").unique().to_owned();
    conn.execute(&index).await.context("index the baseline table")?;
    let started = Instant::now();
    let mut reader = csv::Reader::from_path(path).context("open the CSV")?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name).context("a CSV column");
    let columns = [column("first_name")?, column("last_name")?, column("emails")?, column("phones")?];
    let (city, country) = (column("city")?, column("country")?);
    let first =
        |cell: Option<&str>| cell.and_then(|c| c.split(';').next()).filter(|c| !c.is_empty()).map(str::to_owned);
    let tx = ctx.db.write().await?;
    for row in reader.records() {
        let row = row?;
        let insert = Query::insert()
            .into_table("bench_baseline")
            .columns(["id", "first_name", "last_name", "email", "phone", "city", "country"])
            .values_panic([
                Uuid::now_v7().into(),
                first(row.get(columns[0])).into(),
                first(row.get(columns[1])).into(),
                first(row.get(columns[2])).map(|e| e.to_lowercase()).into(),
                first(row.get(columns[3])).into(),
                first(row.get(city)).into(),
                first(row.get(country)).into(),
            ])
            .to_owned();
        tx.execute_raw(backend.build(&insert)).await.context("insert a baseline row")?;
    }
    tx.commit().await?;
    Ok(started.elapsed())
}

/// Stores records through the bulk path; returns ids (None where rejected) and time spent storing.
async fn store(
    ctx: &Ctx,
    actor: &Writer,
    record_type: RecordType,
    items: &[Value],
) -> anyhow::Result<(Vec<Option<Uuid>>, Duration)> {
    let mut ids = Vec::with_capacity(items.len());
    let started = Instant::now();
    for chunk in items.chunks(MAX_BULK_ITEMS) {
        for result in bulk_create(ctx, actor, record_type, chunk).await? {
            match result.outcome {
                Ok(record) => ids.push(record.map(|r| r.id.0)),
                Err(error) => {
                    eprintln!("rejected {record_type}: {error}");
                    ids.push(None);
                }
            }
        }
    }
    Ok((ids, started.elapsed()))
}

pub async fn run(ctx: &Ctx, actor: &Writer, config: &DemoConfig) -> anyhow::Result<ImportFigures> {
    let companies: Vec<Value> = demo::companies(config).into_iter().map(Value::Object).collect();
    let (company_ids, company_time) = store(ctx, actor, RecordType::COMPANY, &companies).await?;
    let company_rejected = company_ids.iter().filter(|id| id.is_none()).count();
    let path = std::env::temp_dir().join(format!("rapport-bench-contacts-{}.csv", Uuid::now_v7().simple()));
    let result = async {
        write_csv(config, &company_ids, &path)?;
        let baseline = baseline(ctx, &path).await?;
        let started = Instant::now();
        let file = File::open(&path).context("open the CSV")?;
        let report = import_csv(ctx, actor, RecordType::CONTACT, file, &ImportOptions::default()).await?;
        let rapport = started.elapsed();
        for row in &report.rejected {
            eprintln!("rejected contact on line {}: {:?}", row.line, row.errors);
        }
        anyhow::ensure!(report.duplicates.is_empty(), "the generator repeated e-mails: {:?}", &report.duplicates[..1]);
        Ok((baseline, rapport, report.rejected.len()))
    }
    .await;
    let _ = std::fs::remove_file(&path);
    let (baseline, rapport, contact_rejected) = result?;
    Ok(ImportFigures {
        contacts: config.contacts,
        rapport,
        baseline,
        companies: company_ids.len(),
        company_ids,
        company_time,
        rejected: company_rejected + contact_rejected,
    })
}
