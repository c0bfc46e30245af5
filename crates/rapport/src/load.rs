//! `rapport demo`: writes generated data through the bulk record path.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Utc};
use rapport_core::access::{Scope, Writer};
use rapport_core::schema::RecordType;
use rapport_db::Ctx;
use rapport_db::records::{BulkItemResult, MAX_BULK_ITEMS, bulk_create};
use rapport_db::users::NewUser;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::demo::history::reference_time;
use crate::demo::{self, DemoConfig};

const DEMO_ADMIN: &str = "demo@rapport.local";

/// The demo's acting user: the first administrator, or a new demo admin.
async fn demo_actor(ctx: &Ctx) -> anyhow::Result<Writer> {
    let users = rapport_db::users::list(ctx).await?;
    let admin = match users.into_iter().find(|u| u.role == rapport_core::access::Role::Admin && !u.disabled) {
        Some(user) => user,
        None => {
            let password = format!("demo-{}", Uuid::new_v4().simple());
            let input = NewUser {
                email: DEMO_ADMIN.into(),
                name: "Demo Admin".into(),
                password: password.clone(),
                role: rapport_core::access::Role::Admin,
                locale: "pt-BR".into(),
            };
            let user = rapport_db::users::create_for_system(ctx, &input).await?;
            println!("created administrator {DEMO_ADMIN} with password {password}");
            user
        }
    };
    let actor = rapport_db::users::actor(ctx.db.conn(), admin.id, Scope::ReadWrite)
        .await?
        .context("the demo administrator is disabled")?;
    Ok(Writer::try_from(actor)?)
}

fn take_index(record: &mut Map<String, Value>, key: &str) -> Option<usize> {
    record.remove(key).and_then(|v| v.as_u64()).map(|n| n as usize)
}

/// Stores records in bulk batches; returns their ids in order (None where rejected).
async fn store(
    ctx: &Ctx,
    actor: &Writer,
    record_type: RecordType,
    records: Vec<Map<String, Value>>,
) -> anyhow::Result<Vec<Option<Uuid>>> {
    let mut ids = Vec::with_capacity(records.len());
    let mut rejected = 0;
    let items: Vec<Value> = records.into_iter().map(Value::Object).collect();
    for chunk in items.chunks(MAX_BULK_ITEMS) {
        for BulkItemResult { outcome, .. } in bulk_create(ctx, actor, record_type, chunk).await? {
            match outcome {
                Ok(Some(record)) => ids.push(Some(record.id.0)),
                Ok(None) => ids.push(None),
                Err(error) => {
                    rejected += 1;
                    if rejected <= 3 {
                        eprintln!("rejected {record_type}: {error}");
                    }
                    ids.push(None);
                }
            }
        }
    }
    if rejected > 0 {
        eprintln!("{rejected} {} were rejected", record_type.plural());
    }
    Ok(ids)
}

fn set_ref(record: &mut Map<String, Value>, key: &str, ids: &[Option<Uuid>], index: Option<usize>) {
    if let Some(id) = index.and_then(|i| ids.get(i).copied().flatten()) {
        record.insert(key.into(), Value::String(id.to_string()));
    }
}

/// Turns each line's `product_index` helper key into the stored product's `product_id`.
pub fn set_line_products(record: &mut Map<String, Value>, product_ids: &[Option<Uuid>]) {
    for line in record.get_mut("lines").and_then(Value::as_array_mut).into_iter().flatten() {
        if let Some(line) = line.as_object_mut() {
            let index = take_index(line, "product_index");
            set_ref(line, "product_id", product_ids, index);
        }
    }
}

pub async fn demo(ctx: &Ctx, scale: usize, seed: u64) -> anyhow::Result<()> {
    rapport_db::pipelines::ensure_default(ctx).await?;
    let actor = demo_actor(ctx).await?;
    let sellers = crate::load_past::ensure_sellers(ctx).await?;
    let teams: BTreeMap<Uuid, Uuid> = rapport_db::users::list(ctx)
        .await?
        .into_iter()
        .filter_map(|u| u.primary_team_id.map(|t| (u.id.0, t.0)))
        .collect();
    let currency = ctx.snapshot().await?.settings.default_currency.clone();
    let started = Instant::now();
    let data = demo::generate(&DemoConfig { contacts: scale, seed });
    let generated = started.elapsed();
    let pipeline = rapport_db::pipelines::default_pipeline(ctx.db.conn()).await?.context("no default pipeline")?;
    let stages = pipeline.stages.clone();
    let seller_id = |index: usize| Value::String(sellers[index % sellers.len()].to_string());

    let company_ids = store(ctx, &actor, RecordType::COMPANY, data.companies).await?;
    let contacts = data
        .contacts
        .into_iter()
        .map(|mut c| {
            let company = take_index(&mut c, "company_index");
            set_ref(&mut c, "company_id", &company_ids, company);
            c
        })
        .collect();
    let contact_ids = store(ctx, &actor, RecordType::CONTACT, contacts).await?;
    let generated_deals = data.deals.clone();
    let deals = data
        .deals
        .into_iter()
        .zip(&data.deal_pasts)
        .map(|(mut d, past)| {
            let company = take_index(&mut d, "company_index");
            let contact = take_index(&mut d, "contact_index");
            let stage = take_index(&mut d, "stage_index");
            set_ref(&mut d, "company_id", &company_ids, company);
            set_ref(&mut d, "contact_id", &contact_ids, contact);
            if let Some(stage) = stage.and_then(|s| stages.get(s)) {
                d.insert("stage_id".into(), Value::String(stage.id.to_string()));
            }
            d.insert("owner_id".into(), seller_id(past.owner));
            d
        })
        .collect::<Vec<_>>();
    let deal_count = deals.len();
    let deal_ids = store(ctx, &actor, RecordType::DEAL, deals).await?;
    let lead_count = data.leads.len();
    let lead_statuses: Vec<String> =
        data.leads.iter().map(|l| l.get("status").and_then(Value::as_str).unwrap_or("new").to_owned()).collect();
    let leads = data
        .leads
        .into_iter()
        .zip(&data.lead_pasts)
        .map(|(mut l, past)| {
            let contact = take_index(&mut l, "converted_contact_index");
            let company = take_index(&mut l, "converted_company_index");
            let deal = take_index(&mut l, "converted_deal_index");
            set_ref(&mut l, "converted_contact_id", &contact_ids, contact);
            set_ref(&mut l, "converted_company_id", &company_ids, company);
            set_ref(&mut l, "converted_deal_id", &deal_ids, deal);
            l.insert("owner_id".into(), seller_id(past.owner));
            l
        })
        .collect();
    let lead_ids = store(ctx, &actor, RecordType::LEAD, leads).await?;
    // Activities were written when they were due, or (those due later) by the reference day.
    let written_at = |a: &Map<String, Value>| {
        let due = a.get("due_at").and_then(Value::as_str).and_then(|d| DateTime::parse_from_rfc3339(d).ok());
        due.map(|d| d.with_timezone(&Utc).min(reference_time()))
    };
    let mut contact_activity_times = Vec::with_capacity(data.activities.len());
    let activities = data
        .activities
        .into_iter()
        .map(|mut a| {
            let contact = take_index(&mut a, "contact_index");
            if let Some(id) = contact.and_then(|i| contact_ids.get(i).copied().flatten()) {
                a.insert("related".into(), serde_json::json!([{"type": "contact", "id": id}]));
            }
            if let Some(owner) = take_index(&mut a, "owner_index") {
                a.insert("owner_id".into(), seller_id(owner));
            }
            contact_activity_times.push(written_at(&a));
            a
        })
        .collect::<Vec<_>>();
    let activity_count = activities.len() + data.lead_activities.len();
    let contact_activity_ids = store(ctx, &actor, RecordType::ACTIVITY, activities).await?;
    let mut lead_activity_times = Vec::with_capacity(data.lead_activities.len());
    let lead_activities = data
        .lead_activities
        .into_iter()
        .map(|mut a| {
            let lead = take_index(&mut a, "lead_index");
            if let Some(id) = lead.and_then(|i| lead_ids.get(i).copied().flatten()) {
                a.insert("related".into(), serde_json::json!([{"type": "lead", "id": id}]));
            }
            lead_activity_times.push(written_at(&a));
            a
        })
        .collect::<Vec<_>>();
    let lead_activity_ids = store(ctx, &actor, RecordType::ACTIVITY, lead_activities).await?;

    let product_ids = store(ctx, &actor, RecordType::PRODUCT, data.products).await?;
    let orders = data
        .orders
        .into_iter()
        .map(|mut o| {
            let company = take_index(&mut o, "company_index");
            let contact = take_index(&mut o, "contact_index");
            set_ref(&mut o, "company_id", &company_ids, company);
            set_ref(&mut o, "contact_id", &contact_ids, contact);
            set_line_products(&mut o, &product_ids);
            o
        })
        .collect::<Vec<_>>();
    let order_count = orders.len();
    store(ctx, &actor, RecordType::ORDER, orders).await?;
    let quotes = data
        .quotes
        .into_iter()
        .map(|mut q| {
            let deal = take_index(&mut q, "deal_index");
            let company = take_index(&mut q, "company_index");
            let contact = take_index(&mut q, "contact_index");
            set_ref(&mut q, "deal_id", &deal_ids, deal);
            set_ref(&mut q, "company_id", &company_ids, company);
            set_ref(&mut q, "contact_id", &contact_ids, contact);
            set_line_products(&mut q, &product_ids);
            q
        })
        .collect::<Vec<_>>();
    let quote_count = quotes.len();
    store(ctx, &actor, RecordType::QUOTE, quotes).await?;

    let history_started = Instant::now();
    // The generator always gives a due time; one without keeps its load time.
    let activity_times: Vec<(Option<Uuid>, DateTime<Utc>)> = contact_activity_ids
        .into_iter()
        .zip(contact_activity_times)
        .chain(lead_activity_ids.into_iter().zip(lead_activity_times))
        .filter_map(|(id, due)| due.map(|due| (id, due)))
        .collect();
    let backdated = crate::load_past::write(
        ctx,
        &crate::load_past::Stored {
            pipeline: &pipeline,
            sellers: &sellers,
            teams: &teams,
            deal_ids: &deal_ids,
            deals: &generated_deals,
            deal_pasts: &data.deal_pasts,
            lead_ids: &lead_ids,
            lead_statuses: &lead_statuses,
            lead_pasts: &data.lead_pasts,
            activities: &activity_times,
            currency: &currency,
        },
    )
    .await?;
    let history_seconds = history_started.elapsed().as_secs_f64();

    rapport_db::backend::refresh_statistics(&ctx.db).await?;
    let total = company_ids.len()
        + contact_ids.len()
        + lead_count
        + deal_count
        + activity_count
        + product_ids.len()
        + order_count
        + quote_count;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "loaded {} companies, {} contacts, {lead_count} leads, {deal_count} deals, {activity_count} activities, \
         {} products, {order_count} orders, {quote_count} quotes ({total} records) in {seconds:.1} s: \
         {:.0} records/s (generation {:.1} s; history of {} deals, {} stage changes, {} leads, {} forecasts \
         in {history_seconds:.1} s)",
        company_ids.len(),
        contact_ids.len(),
        product_ids.len(),
        total as f64 / seconds,
        generated.as_secs_f64(),
        backdated.deals,
        backdated.stage_changes,
        backdated.leads,
        backdated.forecasts,
    );
    Ok(())
}
