//! Attribution: which sources and campaigns brought the revenue of the deals
//! won in a period. Each won deal is a journey whose touches are the lead it
//! came from, its contact and the deal itself — each with the channel (UTM
//! source first, else the source channel) or campaign it recorded, at the
//! time it was created — and, when asked, the sales activities on the deal
//! and its contact before it was won. The models split each deal's amount
//! over its touches (`rapport_analytics::attribution`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rapport_analytics::attribution::{self, ComparisonRow, Journey, Model, Touch};
use rapport_analytics::purchases::day_of;
use rapport_core::DomainError;
use rapport_core::access::Actor;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

use super::day_start;
use crate::error::{Result, StorageContext};
use crate::row::ColumnRead;
use crate::settings::Ctx;

/// What a touch is named by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Channel,
    Campaign,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributionQuery {
    pub from: NaiveDate,
    /// Exclusive.
    pub to: NaiveDate,
    pub dimension: Dimension,
    /// Count calls, meetings and e-mails on the deal and its contact as touches.
    pub with_activities: bool,
}

/// The models compared, in column order.
pub const MODELS: [Model; 5] =
    [Model::FirstTouch, Model::LastTouch, Model::Linear, Model::UShaped, Model::TimeDecay { half_life_days: 30 }];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribution {
    pub currency: String,
    pub models: Vec<&'static str>,
    /// Won deals in the period, in the currency / in others (left out).
    pub deals: u64,
    pub other_currency_deals: u64,
    pub revenue_minor: i64,
    /// Deals with no touch at all (their revenue is credited to "unknown").
    pub without_touches: u64,
    pub rows: Vec<ComparisonRow<String>>,
}

struct Source {
    channel: Option<String>,
    campaign: Option<String>,
    at: DateTime<Utc>,
}

fn source_of(row: &sea_orm::QueryResult) -> Result<Source> {
    let blank = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    Ok(Source {
        channel: blank(row.text("utm_source")?).or(blank(row.text("source_channel")?)),
        campaign: blank(row.text("source_campaign")?).or(blank(row.text("utm_campaign")?)),
        at: row.required("created_at", ColumnRead::timestamp)?,
    })
}

const SOURCE_COLUMNS: [&str; 5] = ["source_channel", "source_campaign", "utm_source", "utm_campaign", "created_at"];

/// Revenue of the period's won deals per source under each model.
#[tracing::instrument(skip_all, fields(from = %query.from, to = %query.to), err)]
pub async fn attribute(ctx: &Ctx, actor: &Actor, query: &AttributionQuery) -> Result<Attribution> {
    if query.to <= query.from {
        return Err(
            DomainError::invalid("to", "period_order", "the end of the period must come after its start").into()
        );
    }
    let conn = ctx.db.analytics();
    let snapshot = ctx.snapshot().await?;
    let currency = snapshot.settings.default_currency.clone();
    let scope = crate::records::repo_scope_condition(&crate::records::read_scope(actor, &snapshot, RecordType::DEAL));
    let won: SelectStatement = Query::select()
        .columns(["id", "contact_id", "amount_minor", "currency", "closed_at"])
        .columns(SOURCE_COLUMNS)
        .from("deals")
        .cond_where(
            Condition::all()
                .add(Expr::col("deleted_at").is_null())
                .add(Expr::col("status").eq("won"))
                .add(Expr::col("closed_at").gte(day_start(query.from)))
                .add(Expr::col("closed_at").lt(day_start(query.to)))
                .add(scope),
        )
        .to_owned();
    struct Deal {
        contact: Option<Uuid>,
        amount: i64,
        closed: DateTime<Utc>,
        source: Source,
    }
    let mut deals: HashMap<Uuid, Deal> = HashMap::new();
    let mut other_currency = 0u64;
    for row in conn.query_all(&won).await.context("read the period's won deals")? {
        if !row.text("currency")?.is_some_and(|c| c.eq_ignore_ascii_case(&currency)) {
            other_currency += 1;
            continue;
        }
        let source = source_of(&row)?;
        deals.insert(
            row.required("id", ColumnRead::uuid)?,
            Deal {
                contact: row.uuid("contact_id")?,
                amount: row.big_int("amount_minor")?.unwrap_or(0),
                closed: row.timestamp("closed_at")?.unwrap_or(source.at),
                source,
            },
        );
    }
    let mut contacts: HashMap<Uuid, Source> = HashMap::new();
    let contact_ids: Vec<Uuid> = {
        let mut ids: Vec<Uuid> = deals.values().filter_map(|d| d.contact).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    for chunk in contact_ids.chunks(500) {
        let q = Query::select()
            .column("id")
            .columns(SOURCE_COLUMNS)
            .from("contacts")
            .and_where(Expr::col("id").is_in(chunk.iter().copied()))
            .to_owned();
        for row in conn.query_all(&q).await.context("read the deals' contacts")? {
            contacts.insert(row.required("id", ColumnRead::uuid)?, source_of(&row)?);
        }
    }
    let won_ids = won.clone().clear_selects().column("id").to_owned();
    let leads = Query::select()
        .column("converted_deal_id")
        .columns(SOURCE_COLUMNS)
        .from("leads")
        .and_where(Expr::col("converted_deal_id").in_subquery(won_ids.clone()))
        .to_owned();
    let mut from_leads: HashMap<Uuid, Vec<Source>> = HashMap::new();
    for row in conn.query_all(&leads).await.context("read the deals' leads")? {
        if let Some(deal) = row.uuid("converted_deal_id")? {
            from_leads.entry(deal).or_default().push(source_of(&row)?);
        }
    }
    let mut activities: HashMap<Uuid, Vec<(String, DateTime<Utc>)>> = HashMap::new();
    if query.with_activities && !deals.is_empty() {
        activities = sales_touches(conn, &won_ids, &contact_ids).await?;
    }

    let name = |s: &Source| match query.dimension {
        Dimension::Channel => s.channel.clone(),
        Dimension::Campaign => s.campaign.clone(),
    };
    let mut journeys = Vec::with_capacity(deals.len());
    let mut revenue: i64 = 0;
    let mut without = 0u64;
    for (id, deal) in &deals {
        let mut touches: Vec<Touch<String>> = Vec::new();
        let mut add = |source: Option<String>, at: DateTime<Utc>| {
            if let Some(source) = source {
                touches.push(Touch { day: day_of(at.date_naive()), source });
            }
        };
        for lead in from_leads.get(id).into_iter().flatten() {
            add(name(lead), lead.at);
        }
        if let Some(contact) = deal.contact.and_then(|c| contacts.get(&c)) {
            add(name(contact), contact.at);
        }
        add(name(&deal.source), deal.source.at);
        for key in [Some(*id), deal.contact].into_iter().flatten() {
            for (kind, at) in activities.get(&key).into_iter().flatten() {
                if *at <= deal.closed {
                    add(Some(format!("activity:{kind}")), *at);
                }
            }
        }
        touches.sort_by_key(|t| t.day);
        if touches.is_empty() {
            without += 1;
        }
        revenue = revenue.saturating_add(deal.amount);
        journeys.push(Journey {
            touches,
            conversion_day: day_of(deal.closed.date_naive()),
            revenue_minor: deal.amount,
        });
    }
    Ok(Attribution {
        currency,
        models: MODELS.iter().map(|m| m.key()).collect(),
        deals: deals.len() as u64,
        other_currency_deals: other_currency,
        revenue_minor: revenue,
        without_touches: without,
        rows: attribution::compare(&journeys, &MODELS),
    })
}

/// Calls, meetings and e-mails linked to the won deals or their contacts,
/// keyed by the record they are linked to.
async fn sales_touches(
    conn: &impl ConnectionTrait,
    won_ids: &SelectStatement,
    contact_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(String, DateTime<Utc>)>>> {
    let mut links: Vec<(Uuid, Uuid)> = Vec::new();
    let mut read_links = |rows: Vec<sea_orm::QueryResult>| -> Result<()> {
        for row in rows {
            links.push((row.required("source_id", ColumnRead::uuid)?, row.required("target_id", ColumnRead::uuid)?));
        }
        Ok(())
    };
    let base = Query::select()
        .columns(["source_id", "target_id"])
        .from("record_links")
        .and_where(Expr::col("source_type").eq(RecordType::ACTIVITY.as_str()))
        .to_owned();
    let on_deals = base.clone().and_where(Expr::col("target_id").in_subquery(won_ids.clone())).to_owned();
    read_links(conn.query_all(&on_deals).await.context("read the deals' activity links")?)?;
    for chunk in contact_ids.chunks(500) {
        let on_contacts = base.clone().and_where(Expr::col("target_id").is_in(chunk.iter().copied())).to_owned();
        read_links(conn.query_all(&on_contacts).await.context("read the contacts' activity links")?)?;
    }
    let mut ids: Vec<Uuid> = links.iter().map(|(a, _)| *a).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut kinds: HashMap<Uuid, (String, DateTime<Utc>)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let q = Query::select()
            .columns(["id", "kind", "created_at"])
            .from("activities")
            .and_where(Expr::col("deleted_at").is_null())
            .and_where(Expr::col("kind").is_in(["call", "meeting", "email"]))
            .and_where(Expr::col("id").is_in(chunk.iter().copied()))
            .to_owned();
        for row in conn.query_all(&q).await.context("read the touches' activities")? {
            if let Some(kind) = row.text("kind")? {
                kinds.insert(
                    row.required("id", ColumnRead::uuid)?,
                    (kind, row.required("created_at", ColumnRead::timestamp)?),
                );
            }
        }
    }
    let mut out: HashMap<Uuid, Vec<(String, DateTime<Utc>)>> = HashMap::new();
    for (activity, target) in links {
        if let Some(touch) = kinds.get(&activity) {
            out.entry(target).or_default().push(touch.clone());
        }
    }
    Ok(out)
}
