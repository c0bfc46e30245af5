//! The deal board's column heads: how many deals each stage holds and their
//! amounts per currency, under the actor's visibility, in one grouped query
//! over the `(pipeline_id)`-filtered deals.

use rapport_core::access::Actor;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use uuid::Uuid;

use super::repo;
use super::service::scope;
use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// One stage's deals in one currency (`None` for deals without an amount).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTotal {
    pub stage_id: Uuid,
    pub currency: Option<String>,
    pub deals: i64,
    pub amount_minor: i64,
}

/// The totals of a pipeline's stages, of one owner's deals when given.
pub async fn stage_totals(ctx: &Ctx, actor: &Actor, pipeline_id: Uuid, owner: Option<Uuid>) -> Result<Vec<StageTotal>> {
    let snapshot = ctx.snapshot().await?;
    let mut query = Query::select();
    query
        .column("stage_id")
        .column("currency")
        .expr_as(Expr::col("id").count(), Alias::new("deals"))
        // PostgreSQL sums bigints as numeric: back to a bigint.
        .expr_as(Expr::col("amount_minor").sum().cast_as(Alias::new("BIGINT")), Alias::new("amount"))
        .from(RecordType::DEAL.plural())
        .and_where(Expr::col("pipeline_id").eq(pipeline_id))
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(repo::scope_condition(&scope(actor, &snapshot, RecordType::DEAL)))
        .group_by_col("stage_id")
        .group_by_col("currency");
    if let Some(owner) = owner {
        query.and_where(Expr::col("owner_id").eq(owner));
    }
    let rows = ctx.db.conn().query_all(&query).await.context("total a pipeline's stages")?;
    rows.iter()
        .map(|row| {
            const CTX: &str = "read a stage total";
            let stage: Option<Uuid> = row.try_get("", "stage_id").context(CTX)?;
            let amount: Option<i64> = row.try_get("", "amount").context(CTX)?;
            Ok(StageTotal {
                stage_id: stage.unwrap_or_default(),
                currency: row.try_get("", "currency").context(CTX)?,
                deals: row.try_get("", "deals").context(CTX)?,
                amount_minor: amount.unwrap_or_default(),
            })
        })
        .collect()
}
