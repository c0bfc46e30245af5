//! Contracts beyond the generic record: renewal (a new version and a
//! renewal deal), termination, the chain of versions, and the daily job that
//! moves contracts to expiring or expired, reminds owners of renewals and
//! renews the automatic ones. The rules are in
//! `rapport_core::records::contract`; every write goes through the generic
//! paths (hooks, audit).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Scope, Writer};
use rapport_core::ids::{RecordId, UserId};
use rapport_core::records::contract::{self, check_renewable, check_terminable, renewal_term};
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::service::{fetch_visible, prepare_new, scope, store_new, write_update};
use super::{Record, repo};
use crate::error::{Error, Result, StorageContext};
use crate::notifications::{NewNotification, insert as notify};
use crate::settings::{Ctx, Snapshot};

/// What renewing did: the new version, the old one (now renewed) and the
/// renewal deal the new version refers to.
#[derive(Debug, Clone, Serialize)]
pub struct Renewal {
    pub contract: Record,
    pub previous: Record,
    pub deal: Record,
}

/// Fields a new version copies from the one it renews; its dates, deal,
/// status and version are its own.
const COPIED: [&str; 9] = [
    "name",
    "company_id",
    "contact_id",
    "value_minor",
    "currency",
    "billing_frequency",
    "auto_renew",
    "renewal_notice_days",
    "terms",
];

/// Renews a visible active, expiring or expired contract by hand: a draft
/// new version (to be signed again) and a renewal deal. Of two renewals of
/// the same version at once, exactly one succeeds; the other gets the
/// conflict `contract_already_renewed`.
#[tracing::instrument(skip_all, fields(%id), err(level = "debug"))]
pub async fn renew(ctx: &Ctx, writer: &Writer, id: RecordId) -> Result<Renewal> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let old = fetch_visible(&*tx, actor, &snapshot, RecordType::CONTRACT, id, false).await?;
    let renewal = renew_in(ctx, &*tx, actor, &snapshot, old, false).await?;
    tx.commit().await.map_err(already_renewed)?;
    Ok(renewal)
}

async fn renew_in(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    old: Record,
    automatic: bool,
) -> Result<Renewal> {
    check_renewable(old.text("status").unwrap_or_default())?;
    let (start, end) = contract::date(&old.fields, "start_date")
        .zip(contract::date(&old.fields, "end_date"))
        .and_then(|(start, end)| renewal_term(start, end))
        .ok_or_else(|| DomainError::invalid("end_date", "invalid_date", "the contract's dates cannot be renewed"))?;
    // The old version first: a second renewal at the same moment finds it
    // changed and stops before it stores anything.
    let mut renewed = old.clone();
    renewed.fields.insert("status".into(), "renewed".into());
    let previous = write_update(ctx, conn, actor, snapshot, old.clone(), renewed, &Map::new(), None)
        .await
        .map_err(already_renewed)?;
    let deal = renewal_deal(ctx, conn, actor, snapshot, &old).await?;
    let mut input: Map<String, Value> = COPIED
        .iter()
        .filter_map(|k| old.fields.get(*k).filter(|v| !v.is_null()).map(|v| ((*k).into(), v.clone())))
        .collect();
    input.insert("start_date".into(), start.format("%Y-%m-%d").to_string().into());
    input.insert("end_date".into(), end.format("%Y-%m-%d").to_string().into());
    input.insert("deal_id".into(), deal.id.to_string().into());
    input.insert("status".into(), if automatic { "active" } else { "draft" }.into());
    input.insert("tags".into(), json!(old.tags));
    input.insert("owner_id".into(), json!(old.owner_id));
    let mut contract =
        prepare_new(ctx, conn, actor, snapshot, RecordType::CONTRACT, &[Value::Object(input)]).await?.remove(0)?;
    let version = old.fields.get("version_number").and_then(Value::as_i64).unwrap_or(1) + 1;
    contract.fields.insert("number".into(), old.fields.get("number").cloned().unwrap_or(Value::Null));
    contract.fields.insert("version_number".into(), version.into());
    contract.fields.insert("previous_contract_id".into(), old.id.to_string().into());
    store_new(conn, actor, std::slice::from_mut(&mut contract)).await.map_err(already_renewed)?;
    Ok(Renewal { contract, previous, deal })
}

/// The deal of a renewal: the company, the contract's value, closing by the
/// old end date, the contract's owner.
async fn renewal_deal(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    old: &Record,
) -> Result<Record> {
    let name = format!("{} – renewal", old.display_name());
    let input = json!({
        "name": name.chars().take(200).collect::<String>(),
        "company_id": old.fields.get("company_id"),
        "contact_id": old.fields.get("contact_id"),
        "amount_minor": old.fields.get("value_minor"),
        "currency": old.fields.get("currency"),
        "expected_close_date": old.fields.get("end_date"),
        "owner_id": old.owner_id,
        "source_channel": "contract_renewal",
    });
    let mut deal = prepare_new(ctx, conn, actor, snapshot, RecordType::DEAL, &[input]).await?.remove(0)?;
    store_new(conn, actor, std::slice::from_mut(&mut deal)).await?;
    Ok(deal)
}

/// Two renewals of one version: the loser finds the version changed, or
/// the unique index on `previous_contract_id` taken.
fn already_renewed(error: Error) -> Error {
    let conflict = || {
        DomainError::Conflict {
            code: "contract_already_renewed",
            message: "this contract version was renewed at the same moment: open its newer version".into(),
        }
        .into()
    };
    match error {
        Error::Domain(DomainError::VersionMismatch { .. }) => conflict(),
        e if e.is_unique_violation() => conflict(),
        other => other,
    }
}

/// Terminates a draft, sent, active or expiring contract today.
#[tracing::instrument(skip_all, fields(%id), err(level = "debug"))]
pub async fn terminate(ctx: &Ctx, writer: &Writer, id: RecordId) -> Result<Record> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let old = fetch_visible(&*tx, actor, &snapshot, RecordType::CONTRACT, id, false).await?;
    check_terminable(old.text("status").unwrap_or_default())?;
    let mut record = old.clone();
    record.fields.insert("status".into(), "terminated".into());
    record.fields.insert("terminated_on".into(), ctx.now().date_naive().format("%Y-%m-%d").to_string().into());
    let record =
        write_update(ctx, &*tx, actor, &snapshot, old, record, &Map::new(), None).await.map_err(|e| match e {
            Error::Domain(DomainError::VersionMismatch { .. }) => DomainError::Conflict {
                code: "contract_changed",
                message: "the contract was changed at the same moment: reload it".into(),
            }
            .into(),
            other => other,
        })?;
    tx.commit().await?;
    Ok(record)
}

/// Every version of a contract the actor can see, oldest first: the ones
/// it renewed and the ones that renewed it.
pub async fn versions(ctx: &Ctx, actor: &Actor, id: RecordId) -> Result<Vec<Record>> {
    let snapshot = ctx.snapshot().await?;
    let conn = ctx.db.conn();
    let contract = fetch_visible(conn, actor, &snapshot, RecordType::CONTRACT, id, false).await?;
    let Some(number) = contract.text("number").map(str::to_owned) else { return Ok(vec![contract]) };
    let mut query = repo::select(RecordType::CONTRACT);
    query
        .and_where(Expr::col("number").eq(number))
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(repo::scope_condition(&scope(actor, &snapshot, RecordType::CONTRACT)))
        .order_by("version_number", Order::Asc)
        .order_by("id", Order::Asc);
    let rows = conn.query_all(&query).await.context("read a contract's versions")?;
    rows.iter().map(|row| repo::from_row(RecordType::CONTRACT, row)).collect()
}

/// What a daily run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DailySummary {
    pub expiring: usize,
    pub expired: usize,
    pub reminders: usize,
    pub renewed: usize,
}

/// The day the renewal reminder is due, at noon UTC (the same date in the
/// Americas and Europe).
fn reminder_due(date: NaiveDate) -> String {
    crate::row::timestamp_json(date.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()).and_utc())
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The daily job: for every active or expiring contract ending within a
/// year, the status its dates give, the renewal reminder once per version
/// (a task for the owner and a notification), and the automatic renewal.
/// Each contract in its own transaction; running it twice changes nothing
/// more.
pub async fn run_daily(ctx: &Ctx) -> Result<DailySummary> {
    let today = ctx.now().date_naive();
    let horizon = today + chrono::Duration::days(contract::MAX_NOTICE_DAYS + 1);
    let mut query = repo::select(RecordType::CONTRACT);
    query
        .and_where(Expr::col("status").is_in(["active", "expiring"]))
        .and_where(Expr::col("end_date").lte(horizon))
        .and_where(Expr::col("deleted_at").is_null())
        .order_by("end_date", Order::Asc);
    let rows = ctx.db.conn().query_all(&query).await.context("read the contracts in force")?;
    let ids: Vec<RecordId> =
        rows.iter().map(|row| repo::from_row(RecordType::CONTRACT, row).map(|r| r.id)).collect::<Result<_>>()?;
    let snapshot = ctx.snapshot().await?;
    let mut summary = DailySummary::default();
    for id in ids {
        let tx = ctx.db.write().await?;
        // Read again in the transaction: a person may have acted meanwhile.
        let Some(contract) = super::fetch_unscoped_for_system(&*tx, RecordType::CONTRACT, id).await? else {
            continue;
        };
        let outcome = contract::daily(&contract.fields, today);
        let owner = match contract.owner_id {
            Some(owner) => crate::users::actor(&*tx, UserId(owner), Scope::ReadWrite).await?,
            None => None,
        };
        if outcome.renew {
            // The owner renews it; a contract without an active owner
            // waits for a person to.
            let Some(owner) = owner else { continue };
            let renewal = renew_in(ctx, &*tx, &owner, &snapshot, contract, true).await?;
            notify_owner(&*tx, &renewal.contract, "contract_renewed", ctx.now()).await?;
            tx.commit().await?;
            summary.renewed += 1;
            continue;
        }
        let mut changes = Map::new();
        if let Some(status) = outcome.status {
            changes.insert("status".into(), status.into());
            match status {
                "expiring" => summary.expiring += 1,
                "expired" => summary.expired += 1,
                _ => {}
            }
        }
        if let (true, Some(owner)) = (outcome.remind, owner.as_ref()) {
            let activity = reminder_task(ctx, &*tx, owner, &snapshot, &contract).await?;
            changes.insert("reminder_activity_id".into(), activity.id.to_string().into());
            notify_owner(&*tx, &contract, "contract_renewal", ctx.now()).await?;
            summary.reminders += 1;
        }
        if changes.is_empty() {
            continue;
        }
        super::returns::write_for_system(&*tx, &contract, changes, ctx.now(), None).await?;
        tx.commit().await?;
    }
    Ok(summary)
}

/// The owner's task to renew the contract, due on the notice date, linked
/// to the contract.
async fn reminder_task(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    owner: &Actor,
    snapshot: &Snapshot,
    contract: &Record,
) -> Result<Record> {
    let due = contract::notice_date(&contract.fields).unwrap_or_else(|| ctx.now().date_naive());
    let number = contract.text("number").unwrap_or_default();
    let input = json!({
        "kind": "task",
        "subject": format!("Renew contract {number}"),
        "body": format!("{} ends on {}.", contract.display_name(), contract.text("end_date").unwrap_or_default()),
        "due_at": reminder_due(due),
        "related": [{"type": "contract", "id": contract.id}],
        "owner_id": owner.user_id,
    });
    let mut task = prepare_new(ctx, conn, owner, snapshot, RecordType::ACTIVITY, &[input]).await?.remove(0)?;
    store_new(conn, owner, std::slice::from_mut(&mut task)).await?;
    Ok(task)
}

/// Tells the contract's owner that its renewal is due (`contract_renewal`)
/// or that it renewed itself (`contract_renewed`); once per version.
async fn notify_owner(
    conn: &impl ConnectionTrait,
    contract: &Record,
    kind: &'static str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let Some(owner) = contract.owner_id else { return Ok(()) };
    let number = contract.text("number").unwrap_or_default().to_owned();
    let date = contract.text("end_date").unwrap_or_default().to_owned();
    let title = match kind {
        "contract_renewed" => format!("Contract {number} renewed automatically, until {date}"),
        _ => format!("Contract {number} ends on {date}: renew it"),
    };
    let notification = NewNotification {
        user_id: UserId(owner),
        kind,
        title,
        params: BTreeMap::from([("number".to_owned(), number), ("date".to_owned(), date)]),
        body: None,
        record: Some((RecordType::CONTRACT, contract.id)),
        dedup_key: format!("{kind}:{}", contract.id.0),
    };
    notify(conn, notification, now).await
}

/// Queues today's run of the contract job, once a day whatever the number
/// of replicas (the job's dedup key).
pub async fn request_daily_run(ctx: &Ctx, day: &str) -> Result<()> {
    let now = ctx.now();
    let key = format!("contract_renewals:{day}");
    let tx = ctx.db.write().await?;
    crate::jobs::enqueue(&*tx, crate::jobs::JobKind::ContractRenewals, &json!({"day": day}), now, Some(&key), now)
        .await?;
    tx.commit().await
}
