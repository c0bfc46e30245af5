//! Workload 1: bulk-importing contacts, against plain prepared inserts.

use std::time::{Duration, Instant};

use anyhow::Context;
use rapport_core::access::Actor;
use rapport_core::schema::RecordType;
use rapport_db::records::{MAX_BULK_ITEMS, bulk_create};
use rapport_db::{ConnectionTrait, Ctx};
use sea_orm::sea_query::{ColumnDef, Index, Query, Table};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::demo::{self, DemoConfig};

pub struct ImportFigures {
    pub contacts: usize,
    pub rapport: Duration,
    pub baseline: Duration,
    pub companies: usize,
    pub company_time: Duration,
    pub rejected: usize,
}

fn first_text(record: &Map<String, Value>, key: &str) -> Option<String> {
    match record.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(items)) => items.first().and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// The baseline: the same rows through one prepared INSERT each, in one
/// transaction, into a table with a uuid key and a unique e-mail index.
async fn baseline(ctx: &Ctx, config: &DemoConfig) -> anyhow::Result<Duration> {
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
    let mut elapsed = Duration::ZERO;
    let tx = ctx.db.write().await?;
    for batch in demo::contact_batches(config, 2000) {
        let started = Instant::now();
        for record in &batch {
            let insert = Query::insert()
                .into_table("bench_baseline")
                .columns(["id", "first_name", "last_name", "email", "phone", "city", "country"])
                .values_panic([
                    Uuid::now_v7().into(),
                    first_text(record, "first_name").into(),
                    first_text(record, "last_name").into(),
                    first_text(record, "emails").map(|e| e.to_lowercase()).into(),
                    first_text(record, "phones").into(),
                    first_text(record, "city").into(),
                    first_text(record, "country").into(),
                ])
                .to_owned();
            tx.execute_raw(backend.build(&insert)).await.context("insert a baseline row")?;
        }
        elapsed += started.elapsed();
    }
    let started = Instant::now();
    tx.commit().await?;
    Ok(elapsed + started.elapsed())
}

/// Stores records through the bulk path; returns ids (None where rejected) and time spent storing.
async fn store(
    ctx: &Ctx,
    actor: &Actor,
    record_type: RecordType,
    items: &[Value],
) -> anyhow::Result<(Vec<Option<Uuid>>, Duration)> {
    let mut ids = Vec::with_capacity(items.len());
    let started = Instant::now();
    for chunk in items.chunks(MAX_BULK_ITEMS) {
        for result in bulk_create(ctx, actor, record_type, chunk).await? {
            match result.outcome {
                Ok(record) => ids.push(record.map(|r| r.id)),
                Err(error) => {
                    eprintln!("rejected {record_type}: {error}");
                    ids.push(None);
                }
            }
        }
    }
    Ok((ids, started.elapsed()))
}

pub async fn run(ctx: &Ctx, actor: &Actor, config: &DemoConfig) -> anyhow::Result<ImportFigures> {
    let baseline = baseline(ctx, config).await?;
    let companies: Vec<Value> = demo::companies(config).into_iter().map(Value::Object).collect();
    let (company_ids, company_time) = store(ctx, actor, RecordType::Company, &companies).await?;
    let mut rapport = Duration::ZERO;
    let mut rejected = company_ids.iter().filter(|id| id.is_none()).count();
    for batch in demo::contact_batches(config, MAX_BULK_ITEMS) {
        let items: Vec<Value> = batch
            .into_iter()
            .map(|mut contact| {
                let company = contact.remove("company_index").and_then(|v| v.as_u64()).map(|i| i as usize);
                if let Some(id) = company.and_then(|i| company_ids.get(i).copied().flatten()) {
                    contact.insert("company_id".into(), Value::String(id.to_string()));
                }
                Value::Object(contact)
            })
            .collect();
        let (ids, time) = store(ctx, actor, RecordType::Contact, &items).await?;
        rejected += ids.iter().filter(|id| id.is_none()).count();
        rapport += time;
    }
    Ok(ImportFigures {
        contacts: config.contacts,
        rapport,
        baseline,
        companies: company_ids.len(),
        company_time,
        rejected,
    })
}
