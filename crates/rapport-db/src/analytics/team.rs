//! Team performance over a month or quarter: the people a forecast shows the
//! actor (everyone for administrators, a manager's team, or oneself), with
//! what each did, how fast they reached new leads and what they closed, next
//! to their quota attainment from the forecast.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rapport_analytics::sales::Outcome;
use rapport_analytics::team::{self, Closed, Logged, MemberLine, NewLead, TeamInput};
use rapport_core::access::Actor;
use rapport_core::forecast::Period;
use rapport_core::ids::TeamId;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, Query};
use serde::Serialize;
use uuid::Uuid;

use super::day_start;
use crate::error::{Result, StorageContext};
use crate::forecast::{ForecastReport, ForecastRequest};
use crate::row::ColumnRead;
use crate::settings::Ctx;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamPerformance {
    /// Who is shown, their names, quotas and attainment.
    pub forecast: ForecastReport,
    /// One line per person of the forecast, in its order.
    pub members: Vec<MemberLine<Uuid>>,
}

/// The performance of the people the actor may see for `period`.
#[tracing::instrument(skip_all, fields(period = %period), err)]
pub async fn performance(ctx: &Ctx, actor: &Actor, period: Period, team: Option<TeamId>) -> Result<TeamPerformance> {
    let forecast = crate::forecast::report(ctx, actor, ForecastRequest { period, team, owner: None }).await?;
    let people: Vec<Uuid> = forecast.forecast.owners.iter().filter_map(|l| l.owner_id).collect();
    let conn = ctx.db.analytics();
    let (from, to) = (day_start(period.start()), day_start(period.end()));
    let input = if people.is_empty() {
        TeamInput::default()
    } else {
        TeamInput {
            logged: logged(conn, &people, from, to).await?,
            overdue: overdue(conn, &people, ctx.now()).await?,
            new_leads: new_leads(conn, &people, from, to).await?,
            closed: closed(conn, &people, from, to, &forecast.forecast.currency).await?,
        }
    };
    let members = team::lines(&people, &input).into_iter().filter(|l| people.contains(&l.owner)).collect();
    Ok(TeamPerformance { forecast, members })
}

fn live_of(people: &[Uuid]) -> Condition {
    Condition::all().add(Expr::col("deleted_at").is_null()).add(Expr::col("owner_id").is_in(people.iter().copied()))
}

fn between(column: &'static str, from: DateTime<Utc>, to: DateTime<Utc>) -> Condition {
    Condition::all().add(Expr::col(column).gte(from)).add(Expr::col(column).lt(to))
}

/// Activities created in the period, counted per owner, kind and done.
async fn logged(
    conn: &impl ConnectionTrait,
    people: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Logged<Uuid>>> {
    let query = Query::select()
        .columns(["owner_id", "kind", "done"])
        .expr_as(Func::count(Expr::col("id")), "n")
        .from("activities")
        .cond_where(live_of(people).add(between("created_at", from, to)))
        .group_by_columns(["owner_id", "kind", "done"])
        .to_owned();
    let mut out = Vec::new();
    for row in conn.query_all(&query).await.context("count activities per person")? {
        let (Some(owner), Some(kind)) = (row.uuid("owner_id")?, row.text("kind")?) else { continue };
        let done = row.boolean("done")?.unwrap_or(false);
        let count = u64::try_from(row.big_int("n")?.unwrap_or(0)).unwrap_or(0);
        out.push(Logged { owner, kind, done, count });
    }
    Ok(out)
}

/// Open activities past their due time now, per owner.
async fn overdue(conn: &impl ConnectionTrait, people: &[Uuid], now: DateTime<Utc>) -> Result<Vec<(Uuid, u64)>> {
    let query = Query::select()
        .column("owner_id")
        .expr_as(Func::count(Expr::col("id")), "n")
        .from("activities")
        .cond_where(live_of(people).add(Expr::col("done").eq(false)).add(Expr::col("due_at").lt(now)))
        .group_by_col("owner_id")
        .to_owned();
    let mut out = Vec::new();
    for row in conn.query_all(&query).await.context("count overdue activities")? {
        if let Some(owner) = row.uuid("owner_id")? {
            out.push((owner, u64::try_from(row.big_int("n")?.unwrap_or(0)).unwrap_or(0)));
        }
    }
    Ok(out)
}

/// Leads that arrived in the period and the time of their first activity.
async fn new_leads(
    conn: &impl ConnectionTrait,
    people: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<NewLead<Uuid>>> {
    let leads = Query::select()
        .columns(["id", "owner_id", "created_at"])
        .from("leads")
        .cond_where(live_of(people).add(between("created_at", from, to)))
        .to_owned();
    let mut arrived: HashMap<Uuid, (Uuid, DateTime<Utc>)> = HashMap::new();
    for row in conn.query_all(&leads).await.context("read the period's leads")? {
        if let Some(owner) = row.uuid("owner_id")? {
            arrived.insert(
                row.required("id", ColumnRead::uuid)?,
                (owner, row.required("created_at", ColumnRead::timestamp)?),
            );
        }
    }
    if arrived.is_empty() {
        return Ok(Vec::new());
    }
    let lead_ids = leads.clone().clear_selects().column("id").to_owned();
    let links = Query::select()
        .columns(["source_id", "target_id"])
        .from("record_links")
        .and_where(Expr::col("source_type").eq(RecordType::ACTIVITY.as_str()))
        .and_where(Expr::col("target_id").in_subquery(lead_ids))
        .to_owned();
    let activity_ids = links.clone().clear_selects().column("source_id").to_owned();
    let activities = Query::select()
        .columns(["id", "created_at"])
        .from("activities")
        .and_where(Expr::col("deleted_at").is_null())
        .and_where(Expr::col("id").in_subquery(activity_ids))
        .to_owned();
    let mut created: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for row in conn.query_all(&activities).await.context("read the leads' activities")? {
        created.insert(row.required("id", ColumnRead::uuid)?, row.required("created_at", ColumnRead::timestamp)?);
    }
    let mut first: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for row in conn.query_all(&links).await.context("read the leads' activity links")? {
        let (activity, lead) =
            (row.required("source_id", ColumnRead::uuid)?, row.required("target_id", ColumnRead::uuid)?);
        if let Some(&at) = created.get(&activity) {
            first.entry(lead).and_modify(|f| *f = Ord::min(*f, at)).or_insert(at);
        }
    }
    Ok(arrived
        .into_iter()
        .map(|(lead, (owner, arrived_at))| NewLead {
            owner,
            first_contact_after_seconds: first.get(&lead).map(|at| (*at - arrived_at).num_seconds()),
        })
        .collect())
}

async fn closed(
    conn: &impl ConnectionTrait,
    people: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    currency: &str,
) -> Result<Vec<Closed<Uuid>>> {
    let query = Query::select()
        .columns(["owner_id", "status", "amount_minor", "currency", "created_at", "closed_at"])
        .from("deals")
        .cond_where(live_of(people).add(Expr::col("status").is_in(["won", "lost"])).add(between("closed_at", from, to)))
        .to_owned();
    let mut out = Vec::new();
    for row in conn.query_all(&query).await.context("read the period's closed deals")? {
        let Some(owner) = row.uuid("owner_id")? else { continue };
        let outcome = if row.text("status")?.as_deref() == Some("won") { Outcome::Won } else { Outcome::Lost };
        let same = row.text("currency")?.is_some_and(|c| c.eq_ignore_ascii_case(currency));
        let created = row.required("created_at", ColumnRead::timestamp)?;
        let closed_at = row.timestamp("closed_at")?.unwrap_or(created);
        out.push(Closed {
            owner,
            outcome,
            amount_minor: if same { row.big_int("amount_minor")? } else { None },
            cycle_seconds: (closed_at - created).num_seconds(),
        });
    }
    Ok(out)
}
