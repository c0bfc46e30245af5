//! The market view: the customer base by age band, region, country,
//! industry, company size and channel; how each segment grew (new customers,
//! by the quarter of their first order); and the competitors met in deals.
//! Every count is over the records the actor may see.

use std::collections::HashMap;

use chrono::NaiveDate;
use rapport_analytics::market::{self, Growth};
use rapport_analytics::sales::{self as figures, CompetitorDeal, CompetitorLine, Outcome};
use rapport_core::access::Actor;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, Order, Query};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::row::ColumnRead;
use crate::settings::{Ctx, Snapshot};

/// A count per value of a field (none: not filled in), largest first.
pub type Distribution = Vec<(Option<String>, u64)>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketView {
    pub contacts: u64,
    pub companies: u64,
    pub age_bands: Vec<(&'static str, u64)>,
    pub contacts_without_birth_date: u64,
    /// Contacts in Brazil per state (UF code as stored).
    pub brazil_states: Distribution,
    pub countries: Distribution,
    pub channels: Distribution,
    pub industries: Distribution,
    pub sizes: Distribution,
    /// New customer companies per quarter of their first order.
    pub growth_by_industry: Growth,
    pub growth_by_region: Growth,
    pub competitors: Vec<CompetitorLine>,
    pub currency: String,
}

/// Segments a growth chart shows apart (the rest are summed): one colour
/// each, and one for the rest, within the charts' six.
const GROWTH_SEGMENTS: usize = 5;

/// Company sizes smallest first, as the bands read, the unknown last.
fn in_band_order(mut sizes: Distribution) -> Distribution {
    let rank = |band: &Option<String>| {
        band.as_deref()
            .and_then(|b| rapport_core::records::company::SIZE_BANDS.iter().position(|s| *s == b))
            .unwrap_or(usize::MAX)
    };
    sizes.sort_by_key(|(band, _)| rank(band));
    sizes
}

fn scope(actor: &Actor, snapshot: &Snapshot, kind: RecordType) -> Condition {
    Condition::all()
        .add(Expr::col("deleted_at").is_null())
        .add(crate::records::repo_scope_condition(&crate::records::read_scope(actor, snapshot, kind)))
}

/// The market as the actor may see it, on `today`.
#[tracing::instrument(skip_all, err)]
pub async fn view(ctx: &Ctx, actor: &Actor, today: NaiveDate) -> Result<MarketView> {
    let conn = ctx.db.analytics();
    let snapshot = ctx.snapshot().await?;
    let contacts = scope(actor, &snapshot, RecordType::CONTACT);
    let companies = scope(actor, &snapshot, RecordType::COMPANY);
    let births = birth_dates(conn, contacts.clone()).await?;
    let known: u64 = births.iter().map(|(_, n)| n).sum();
    let contact_count = total(conn, "contacts", contacts.clone()).await?;
    let (by_industry, by_region) = growth(conn, companies.clone()).await?;
    let currency = snapshot.settings.default_currency.clone();
    Ok(MarketView {
        contacts: contact_count,
        companies: total(conn, "companies", companies.clone()).await?,
        age_bands: market::age_bands(&births, today),
        contacts_without_birth_date: contact_count.saturating_sub(known),
        brazil_states: count_by(conn, "contacts", "state", contacts.clone().add(Expr::col("country").eq("BR"))).await?,
        countries: count_by(conn, "contacts", "country", contacts.clone()).await?,
        channels: count_by(conn, "contacts", "source_channel", contacts).await?,
        industries: count_by(conn, "companies", "industry", companies.clone()).await?,
        sizes: in_band_order(count_by(conn, "companies", "size_band", companies).await?),
        growth_by_industry: market::growth(&by_industry, GROWTH_SEGMENTS),
        growth_by_region: market::growth(&by_region, GROWTH_SEGMENTS),
        competitors: figures::competitors(
            &competitor_deals(conn, scope(actor, &snapshot, RecordType::DEAL), &currency).await?,
        ),
        currency,
    })
}

async fn total(conn: &impl ConnectionTrait, table: &str, condition: Condition) -> Result<u64> {
    let query = Query::select()
        .expr_as(Func::count(Expr::col("id")), "n")
        .from(table.to_owned())
        .cond_where(condition)
        .to_owned();
    let row = conn.query_one(&query).await.context("count records")?;
    Ok(u64::try_from(row.map(|r| r.big_int("n")).transpose()?.flatten().unwrap_or(0)).unwrap_or(0))
}

/// Records per value of `column`, largest first (blank values counted as none).
async fn count_by(
    conn: &impl ConnectionTrait,
    table: &str,
    column: &'static str,
    condition: Condition,
) -> Result<Distribution> {
    let query = Query::select()
        .column(column)
        .expr_as(Func::count(Expr::col("id")), "n")
        .from(table.to_owned())
        .cond_where(condition)
        .group_by_col(column)
        .order_by_expr(Func::count(Expr::col("id")).into(), Order::Desc)
        .to_owned();
    let mut merged: Vec<(Option<String>, u64)> = Vec::new();
    for row in conn.query_all(&query).await.context("count records per value")? {
        let value = row.text(column)?.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let n = u64::try_from(row.big_int("n")?.unwrap_or(0)).unwrap_or(0);
        match merged.iter_mut().find(|(v, _)| *v == value) {
            Some(entry) => entry.1 += n,
            None => merged.push((value, n)),
        }
    }
    merged.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(merged)
}

async fn birth_dates(conn: &impl ConnectionTrait, contacts: Condition) -> Result<Vec<(NaiveDate, u64)>> {
    let query = Query::select()
        .column("birth_date")
        .expr_as(Func::count(Expr::col("id")), "n")
        .from("contacts")
        .cond_where(contacts.add(Expr::col("birth_date").is_not_null()))
        .group_by_col("birth_date")
        .to_owned();
    let mut out = Vec::new();
    for row in conn.query_all(&query).await.context("count contacts per birth date")? {
        if let Some(day) = row.date("birth_date")? {
            out.push((day, u64::try_from(row.big_int("n")?.unwrap_or(0)).unwrap_or(0)));
        }
    }
    Ok(out)
}

/// Each visible customer company's first order day, with its industry and
/// region (the state for Brazil, else the country).
type Firsts = Vec<(Option<String>, NaiveDate)>;

async fn growth(conn: &impl ConnectionTrait, companies: Condition) -> Result<(Firsts, Firsts)> {
    let visible = Query::select().column("id").from("companies").cond_where(companies).to_owned();
    let query = Query::select()
        .column("company_id")
        .expr_as(Func::min(Expr::col("ordered_at")), "first_order")
        .from("orders")
        .and_where(Expr::col("deleted_at").is_null())
        .and_where(Expr::col("status").ne("cancelled"))
        .and_where(Expr::col("company_id").in_subquery(visible))
        .group_by_col("company_id")
        .to_owned();
    let mut firsts: HashMap<Uuid, NaiveDate> = HashMap::new();
    for row in conn.query_all(&query).await.context("read first orders per company")? {
        let (Some(company), Some(first)) = (row.uuid("company_id")?, row.timestamp("first_order")?) else { continue };
        firsts.insert(company, first.date_naive());
    }
    let ids: Vec<Uuid> = firsts.keys().copied().collect();
    let (mut by_industry, mut by_region) = (Vec::with_capacity(ids.len()), Vec::with_capacity(ids.len()));
    for chunk in ids.chunks(500) {
        let query = Query::select()
            .columns(["id", "industry", "state", "country"])
            .from("companies")
            .and_where(Expr::col("id").is_in(chunk.iter().copied()))
            .to_owned();
        for row in conn.query_all(&query).await.context("read customer companies")? {
            let Some(&first) = firsts.get(&row.required("id", ColumnRead::uuid)?) else { continue };
            let blank = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
            let country = blank(row.text("country")?);
            let region = match country.as_deref() {
                Some("BR") => blank(row.text("state")?).map(|s| format!("BR-{s}")).or(country),
                _ => country,
            };
            by_industry.push((blank(row.text("industry")?), first));
            by_region.push((region, first));
        }
    }
    Ok((by_industry, by_region))
}

async fn competitor_deals(
    conn: &impl ConnectionTrait,
    deals: Condition,
    currency: &str,
) -> Result<Vec<CompetitorDeal>> {
    let query = Query::select()
        .columns(["competitor", "status", "amount_minor", "currency", "lost_reason"])
        .from("deals")
        .cond_where(deals.add(Expr::col("competitor").is_not_null()))
        .to_owned();
    let mut out = Vec::new();
    for row in conn.query_all(&query).await.context("read deals with competitors")? {
        let Some(competitor) = row.text("competitor")?.filter(|c| !c.trim().is_empty()) else { continue };
        let outcome = match row.text("status")?.as_deref() {
            Some("won") => Some(Outcome::Won),
            Some("lost") => Some(Outcome::Lost),
            _ => None,
        };
        let same = row.text("currency")?.is_some_and(|c| c.eq_ignore_ascii_case(currency));
        out.push(CompetitorDeal {
            competitor,
            outcome,
            amount_minor: if same { row.big_int("amount_minor")? } else { None },
            lost_reason: row.text("lost_reason")?.filter(|r| !r.trim().is_empty()),
        });
    }
    Ok(out)
}
