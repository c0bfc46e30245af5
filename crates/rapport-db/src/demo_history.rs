//! A past for generated demo data: **system-only**, used by `rapport demo`
//! and never by the product's own paths.
//!
//! The bulk record path stores every record as created "now", in its final
//! stage. The analytics (funnel, time in stage, sales cycle, win rates,
//! forecast accuracy, lead scoring) need a history, so after the load this
//! rewrites, in bulk statements, what only time could have written: deals'
//! creation, update and close times, status and stage, with their stage
//! history; leads' creation time and status; activities' creation time; and
//! forecast snapshots taken on past days.
//!
//! It writes no new record version and no audit entry: the audit log keeps
//! the load's own entries, dated at load time (a demo's audit trail says
//! when the demo was loaded, which is true).
//!
//! Each batch is one transaction of multi-row statements (`UPDATE … FROM
//! (VALUES …)`, which SQLite has had since 3.33, and multi-row INSERTs).

use chrono::{DateTime, NaiveDate, Utc};
use rapport_core::DomainError;
use rapport_core::forecast::{Forecast, Period};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// Deals (and leads, activities) written per transaction: on SQLite each
/// commit copies every index page the batch changed to the WAL, and the
/// dates' indexes are changed all over, so larger batches cost less.
const BATCH: usize = 10_000;
/// Rows per multi-row statement: at most 7 values each, 14,000 values, below
/// either backend's limit on bound values (32,766 and 65,535).
const ROWS_PER_STATEMENT: usize = 2000;

/// A deal's past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealPast {
    pub id: Uuid,
    pub pipeline_id: Uuid,
    pub created_at: DateTime<Utc>,
    /// The stages the deal entered, oldest first: the first at `created_at`
    /// (its stage when created), the last its stage now.
    pub path: Vec<(Uuid, DateTime<Utc>)>,
    /// `open`, `won` or `lost`, as the last stage says.
    pub status: String,
    /// When it reached its won or lost stage; `None` while open.
    pub closed_at: Option<DateTime<Utc>>,
    /// Who moved it (the stage history's `changed_by`).
    pub moved_by: Option<Uuid>,
}

/// A lead's past: when it came in, and its status now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadPast {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    /// Its last change (its conversion or disqualification, for closed leads).
    pub updated_at: DateTime<Utc>,
    pub status: String,
}

/// When a record (an activity) was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenAt {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A forecast as it was recorded on a past day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastForecast {
    pub period: Period,
    /// `everyone` or `team:{id}`, as `forecast::record_snapshots` names them.
    pub scope: String,
    pub taken_at: DateTime<Utc>,
    pub forecast: Forecast,
}

/// Everything [`backdate_for_demo`] writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoPast {
    pub deals: Vec<DealPast>,
    pub leads: Vec<LeadPast>,
    pub activities: Vec<WrittenAt>,
    pub forecasts: Vec<PastForecast>,
}

/// How many rows each part wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backdated {
    pub deals: usize,
    pub stage_changes: usize,
    pub leads: usize,
    pub activities: usize,
    pub forecasts: usize,
}

/// Checks that a deal's past is a history: a path that starts at its
/// creation and goes forward in time, closed when (and only when) won or
/// lost, at the time of its last move.
fn check_deal(deal: &DealPast) -> Result<()> {
    let invalid = |code: &str, rule: &str| -> crate::Error {
        DomainError::invalid(format!("deals[{}]", deal.id), code, rule.to_owned()).into()
    };
    let Some(&(_, first)) = deal.path.first() else {
        return Err(invalid("empty_path", "a deal's past needs the stage it was created in"));
    };
    if first != deal.created_at {
        return Err(invalid("path_start", "the first stage is entered when the deal is created"));
    }
    if deal.path.windows(2).any(|w| w[1].1 < w[0].1) {
        return Err(invalid("path_order", "the stages are entered in time order"));
    }
    let last = deal.path[deal.path.len() - 1].1;
    match (deal.status.as_str(), deal.closed_at) {
        ("open", None) => Ok(()),
        ("won" | "lost", Some(closed)) if closed == last => Ok(()),
        _ => Err(invalid("closed_at", "won and lost deals closed when they entered their last stage; open ones not")),
    }
}

/// Rewrites the past of stored demo records (see the module's notes).
/// Deals' stage histories are replaced by their paths. Every batch is
/// checked before anything of it is written.
#[tracing::instrument(skip_all, fields(deals = past.deals.len(), leads = past.leads.len()), err)]
pub async fn backdate_for_demo(ctx: &Ctx, past: &DemoPast) -> Result<Backdated> {
    for deal in &past.deals {
        check_deal(deal)?;
    }
    crate::backend::bulk_load_settings(&ctx.db, true).await?;
    let done = write_past(ctx, past).await;
    crate::backend::bulk_load_settings(&ctx.db, false).await?;
    done
}

async fn write_past(ctx: &Ctx, past: &DemoPast) -> Result<Backdated> {
    let backend = ctx.db.conn().get_database_backend();
    let mut done = Backdated::default();
    for batch in past.deals.chunks(BATCH) {
        let tx = ctx.db.write().await?;
        let rows: Vec<Vec<Value>> = batch
            .iter()
            .map(|d| {
                let last = d.path[d.path.len() - 1];
                vec![
                    d.id.into(),
                    d.created_at.into(),
                    last.1.into(),
                    d.closed_at.into(),
                    d.status.clone().into(),
                    last.0.into(),
                ]
            })
            .collect();
        let set = ["created_at", "updated_at", "closed_at", "status", "stage_id"];
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let statement = update_from_values(backend, "deals", &set, chunk.to_vec());
            tx.execute_raw(statement).await.context("date deals back")?;
        }
        let ids: Vec<Uuid> = batch.iter().map(|d| d.id).collect();
        tx.execute(
            &Query::delete()
                .from_table("deal_stage_changes")
                .and_where(Expr::col("deal_id").is_in(ids.iter().copied()))
                .to_owned(),
        )
        .await
        .context("replace deals' stage history")?;
        let changes: Vec<[Value; 7]> = batch
            .iter()
            .flat_map(|d| {
                d.path.iter().enumerate().map(move |(i, &(stage, at))| {
                    let from = i.checked_sub(1).map(|p| d.path[p].0);
                    [
                        Uuid::now_v7().into(),
                        d.id.into(),
                        d.pipeline_id.into(),
                        from.into(),
                        stage.into(),
                        at.into(),
                        d.moved_by.into(),
                    ]
                })
            })
            .collect();
        for chunk in changes.chunks(ROWS_PER_STATEMENT) {
            let mut insert = Query::insert()
                .into_table("deal_stage_changes")
                .columns(["id", "deal_id", "pipeline_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by"])
                .to_owned();
            for row in chunk {
                insert.values_panic(row.clone().map(Into::into));
            }
            tx.execute(&insert).await.context("write deals' stage history")?;
        }
        tx.commit().await?;
        done.deals += batch.len();
        done.stage_changes += changes.len();
    }
    for batch in past.leads.chunks(BATCH) {
        let tx = ctx.db.write().await?;
        let rows: Vec<Vec<Value>> = batch
            .iter()
            .map(|l| vec![l.id.into(), l.created_at.into(), l.updated_at.into(), l.status.clone().into()])
            .collect();
        let set = ["created_at", "updated_at", "status"];
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let statement = update_from_values(backend, "leads", &set, chunk.to_vec());
            tx.execute_raw(statement).await.context("date leads back")?;
        }
        tx.commit().await?;
        done.leads += batch.len();
    }
    for batch in past.activities.chunks(BATCH) {
        let tx = ctx.db.write().await?;
        let rows: Vec<Vec<Value>> =
            batch.iter().map(|a| vec![a.id.into(), a.created_at.into(), a.created_at.into()]).collect();
        let set = ["created_at", "updated_at"];
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let statement = update_from_values(backend, "activities", &set, chunk.to_vec());
            tx.execute_raw(statement).await.context("date activities back")?;
        }
        tx.commit().await?;
        done.activities += batch.len();
    }
    if !past.forecasts.is_empty() {
        let tx = ctx.db.write().await?;
        for chunk in past.forecasts.chunks(ROWS_PER_STATEMENT) {
            let mut insert = Query::insert()
                .into_table("forecast_snapshots")
                .columns(["id", "period", "scope", "taken_on", "currency", "forecast", "taken_at"])
                .on_conflict(
                    OnConflict::columns(["period", "scope", "taken_on"])
                        .update_columns(["currency", "forecast", "taken_at"])
                        .to_owned(),
                )
                .to_owned();
            for f in chunk {
                let json = serde_json::to_value(&f.forecast).map_err(|e| crate::row::column_error(e.to_string()))?;
                let taken_on: NaiveDate = f.taken_at.date_naive();
                insert.values_panic([
                    Uuid::now_v7().into(),
                    f.period.to_string().into(),
                    f.scope.clone().into(),
                    taken_on.into(),
                    f.forecast.currency.clone().into(),
                    json.into(),
                    f.taken_at.into(),
                ]);
            }
            tx.execute(&insert).await.context("record past forecasts")?;
        }
        tx.commit().await?;
        done.forecasts = past.forecasts.len();
    }
    Ok(done)
}

/// `UPDATE table SET a = v.column2, … FROM (VALUES (…), …) AS v WHERE
/// table.id = v.column1`: each row is the id, then one value per column of
/// `set`. Both engines name a VALUES list's columns `column1`, `column2`…
fn update_from_values(backend: DbBackend, table: &str, set: &[&str], rows: Vec<Vec<Value>>) -> Statement {
    let width = set.len() + 1;
    let mut sql = format!("UPDATE {table} SET ");
    for (i, column) in set.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("{column} = v.column{}", i + 2));
    }
    sql.push_str(" FROM (VALUES ");
    let mut values = Vec::with_capacity(rows.len() * width);
    for (r, row) in rows.into_iter().enumerate() {
        sql.push_str(if r > 0 { ", (" } else { "(" });
        for (c, value) in row.into_iter().enumerate() {
            if c > 0 {
                sql.push_str(", ");
            }
            values.push(value);
            match backend {
                DbBackend::Postgres => sql.push_str(&format!("${}", values.len())),
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql.push_str(&format!(") AS v WHERE {table}.id = v.column1"));
    Statement::from_sql_and_values(backend, sql, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_from_values_numbers_postgres_placeholders_in_row_order() {
        let rows = vec![vec![Value::from(1i64), Value::from("a")], vec![Value::from(2i64), Value::from("b")]];
        let statement = update_from_values(DbBackend::Postgres, "leads", &["status"], rows);
        assert_eq!(
            statement.sql,
            "UPDATE leads SET status = v.column2 FROM (VALUES ($1, $2), ($3, $4)) AS v WHERE leads.id = v.column1"
        );
        let sqlite = update_from_values(DbBackend::Sqlite, "leads", &["status"], vec![vec![1i64.into(), "a".into()]]);
        assert_eq!(
            sqlite.sql,
            "UPDATE leads SET status = v.column2 FROM (VALUES (?, ?)) AS v WHERE leads.id = v.column1"
        );
    }

    fn at(day: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 3, day).and_then(|d| d.and_hms_opt(12, 0, 0)).map(|t| t.and_utc()).unwrap()
    }

    #[test]
    fn a_deal_past_must_be_a_history() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let good = DealPast {
            id: Uuid::now_v7(),
            pipeline_id: Uuid::now_v7(),
            created_at: at(1),
            path: vec![(a, at(1)), (b, at(5))],
            status: "won".into(),
            closed_at: Some(at(5)),
            moved_by: None,
        };
        assert!(check_deal(&good).is_ok());
        // Two moves at the same time are in order.
        let same_time = DealPast { path: vec![(a, at(1)), (b, at(1))], closed_at: Some(at(1)), ..good.clone() };
        assert!(check_deal(&same_time).is_ok());
        assert!(check_deal(&DealPast { path: vec![(a, at(1)), (b, at(3)), (a, at(2))], ..good.clone() }).is_err());
        assert!(check_deal(&DealPast { path: Vec::new(), ..good.clone() }).is_err());
        assert!(check_deal(&DealPast { created_at: at(2), ..good.clone() }).is_err());
        assert!(check_deal(&DealPast { closed_at: Some(at(4)), ..good.clone() }).is_err());
        assert!(check_deal(&DealPast { status: "open".into(), ..good.clone() }).is_err());
        assert!(check_deal(&DealPast { status: "open".into(), closed_at: None, ..good }).is_ok());
    }
}
