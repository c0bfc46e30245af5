//! The administrator's automatic rules for return requests.

use rapport_core::DomainError;
use rapport_core::access::Admin;
use rapport_core::returns::{ReturnRule, RuleCondition};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// At most this many rules: each request is checked against all of them.
pub const MAX_RULES: usize = 50;

const NOT_DELIVERED: &str = "not_delivered_after_promise";
const REFUND_AT_MOST: &str = "refund_at_most";

/// Every rule, oldest first (the order they are tried in).
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<ReturnRule>> {
    let query = Query::select()
        .columns(["id", "condition", "amount", "currency", "enabled"])
        .from("return_rules")
        .order_by("created_at", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    let rows = conn.query_all(&query).await.context("read the return rules")?;
    let mut rules = Vec::with_capacity(rows.len());
    for row in rows {
        let condition: String = row.try_get("", "condition").context("read a return rule")?;
        let amount: i64 = row.try_get("", "amount").context("read a return rule")?;
        let currency: Option<String> = row.try_get("", "currency").context("read a return rule")?;
        let condition = match condition.as_str() {
            NOT_DELIVERED => RuleCondition::NotDeliveredAfterPromise { days: amount },
            REFUND_AT_MOST => {
                RuleCondition::RefundAtMost { amount_minor: amount, currency: currency.unwrap_or_default() }
            }
            other => {
                tracing::warn!(condition = other, "a return rule of an unknown kind is skipped");
                continue;
            }
        };
        rules.push(ReturnRule {
            id: row.try_get("", "id").context("read a return rule")?,
            condition,
            enabled: row.try_get("", "enabled").context("read a return rule")?,
        });
    }
    Ok(rules)
}

/// The rules that are on.
pub async fn enabled(conn: &impl ConnectionTrait) -> Result<Vec<ReturnRule>> {
    Ok(list(conn).await?.into_iter().filter(|r| r.enabled).collect())
}

pub async fn create(ctx: &Ctx, admin: &Admin, condition: &RuleCondition) -> Result<ReturnRule> {
    condition.check().map_err(|e| DomainError::Validation(e.into()))?;
    let tx = ctx.db.write().await?;
    if list(&*tx).await?.len() >= MAX_RULES {
        return Err(DomainError::invalid("condition", "too_many", format!("at most {MAX_RULES} rules")).into());
    }
    let (kind, amount, currency) = match condition {
        RuleCondition::NotDeliveredAfterPromise { days } => (NOT_DELIVERED, *days, None),
        RuleCondition::RefundAtMost { amount_minor, currency } => {
            (REFUND_AT_MOST, *amount_minor, Some(currency.trim().to_uppercase()))
        }
    };
    let rule = ReturnRule { id: Uuid::now_v7(), condition: condition.clone(), enabled: true };
    let insert = Query::insert()
        .into_table("return_rules")
        .columns(["id", "condition", "amount", "currency", "enabled", "created_at", "created_by"])
        .values_panic([
            rule.id.into(),
            kind.into(),
            amount.into(),
            currency.into(),
            true.into(),
            ctx.now().into(),
            Some(admin.user_id).into(),
        ])
        .to_owned();
    tx.execute(&insert).await.context("add a return rule")?;
    tx.commit().await?;
    Ok(rule)
}

pub async fn set_enabled(ctx: &Ctx, _admin: &Admin, id: Uuid, enabled: bool) -> Result<()> {
    let update =
        Query::update().table("return_rules").value("enabled", enabled).and_where(Expr::col("id").eq(id)).to_owned();
    let tx = ctx.db.write().await?;
    let done = tx.execute(&update).await.context("switch a return rule")?;
    if done.rows_affected() == 0 {
        return Err(DomainError::not_found("return rule").into());
    }
    tx.commit().await
}

pub async fn delete(ctx: &Ctx, _admin: &Admin, id: Uuid) -> Result<()> {
    let delete = Query::delete().from_table("return_rules").and_where(Expr::col("id").eq(id)).to_owned();
    let tx = ctx.db.write().await?;
    let done = tx.execute(&delete).await.context("remove a return rule")?;
    if done.rows_affected() == 0 {
        return Err(DomainError::not_found("return rule").into());
    }
    tx.commit().await
}

/// Queues today's run of the rules that depend on the date, once a day
/// whatever the number of replicas (the job's dedup key).
pub async fn request_daily_run(ctx: &Ctx, day: &str) -> Result<()> {
    let now = ctx.now();
    let key = format!("return_rules:{day}");
    let payload = serde_json::json!({"day": day});
    let tx = ctx.db.write().await?;
    crate::jobs::enqueue(&*tx, crate::jobs::JobKind::ReturnRules, &payload, now, Some(&key), now).await?;
    tx.commit().await
}
