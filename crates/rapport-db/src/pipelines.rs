//! Pipelines, their ordered stages, and the history of deals' stage changes.

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::ids::RecordId;
use rapport_core::records::pipeline::{StageDraft, check_pipeline, default_sales_stages};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

pub use rapport_core::records::pipeline::{Pipeline, Stage};

async fn stages_of(conn: &impl ConnectionTrait, pipeline_id: Uuid) -> Result<Vec<Stage>> {
    let rows = conn
        .query_all(
            &Query::select()
                .columns(["id", "name", "position", "probability", "is_won", "is_lost"])
                .from("stages")
                .and_where(Expr::col("pipeline_id").eq(pipeline_id))
                .order_by("position", Order::Asc)
                .to_owned(),
        )
        .await
        .context("read stages")?;
    rows.iter()
        .map(|r| {
            const CTX: &str = "read a stage";
            Ok(Stage {
                id: r.try_get("", "id").context(CTX)?,
                name: r.try_get("", "name").context(CTX)?,
                position: r.try_get("", "position").context(CTX)?,
                probability: r.try_get("", "probability").context(CTX)?,
                is_won: r.try_get("", "is_won").context(CTX)?,
                is_lost: r.try_get("", "is_lost").context(CTX)?,
            })
        })
        .collect()
}

async fn pipelines_where(
    conn: &impl ConnectionTrait,
    condition: sea_orm::sea_query::SimpleExpr,
) -> Result<Vec<Pipeline>> {
    let rows = conn
        .query_all(
            &Query::select()
                .columns(["id", "name", "is_default"])
                .from("pipelines")
                .and_where(condition)
                .order_by("position", Order::Asc)
                .to_owned(),
        )
        .await
        .context("read pipelines")?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        const CTX: &str = "read a pipeline";
        let id: Uuid = r.try_get("", "id").context(CTX)?;
        out.push(Pipeline {
            id,
            name: r.try_get("", "name").context(CTX)?,
            is_default: r.try_get("", "is_default").context(CTX)?,
            stages: stages_of(conn, id).await?,
        });
    }
    Ok(out)
}

pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<Pipeline>> {
    pipelines_where(conn, Expr::value(true)).await
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Pipeline>> {
    Ok(pipelines_where(conn, Expr::col("id").eq(id)).await?.pop())
}

pub async fn default_pipeline(conn: &impl ConnectionTrait) -> Result<Option<Pipeline>> {
    Ok(pipelines_where(conn, Expr::col("is_default").eq(true)).await?.pop())
}

/// Creates a pipeline; the first one becomes the default.
pub async fn create(
    ctx: &Ctx,
    _by: &rapport_core::access::Admin,
    name: &str,
    stages: &[StageDraft],
) -> Result<Pipeline> {
    let tx = ctx.db.write().await?;
    let pipeline = insert(&*tx, name, stages, ctx.now()).await?;
    tx.commit().await?;
    Ok(pipeline)
}

async fn insert(
    conn: &impl ConnectionTrait,
    name: &str,
    stages: &[StageDraft],
    now: DateTime<Utc>,
) -> Result<Pipeline> {
    check_pipeline(name, stages).map_err(DomainError::from)?;
    let existing = list(conn).await?;
    let id = Uuid::now_v7();
    let is_default = existing.is_empty();
    conn.execute(
        &Query::insert()
            .into_table("pipelines")
            .columns(["id", "name", "is_default", "position", "created_at"])
            .values_panic([
                id.into(),
                name.trim().into(),
                is_default.into(),
                (existing.len() as i64).into(),
                now.into(),
            ])
            .to_owned(),
    )
    .await
    .context("create a pipeline")?;
    let mut insert = Query::insert();
    insert.into_table("stages").columns(["id", "pipeline_id", "name", "position", "probability", "is_won", "is_lost"]);
    let mut out = Vec::new();
    for (position, draft) in stages.iter().enumerate() {
        let stage = Stage {
            id: Uuid::now_v7(),
            name: draft.name.trim().to_owned(),
            position: position as i64,
            probability: draft.probability,
            is_won: draft.is_won,
            is_lost: draft.is_lost,
        };
        insert.values_panic([
            stage.id.into(),
            id.into(),
            stage.name.clone().into(),
            stage.position.into(),
            stage.probability.into(),
            stage.is_won.into(),
            stage.is_lost.into(),
        ]);
        out.push(stage);
    }
    conn.execute(&insert).await.context("create stages")?;
    Ok(Pipeline { id, name: name.trim().to_owned(), is_default, stages: out })
}

/// Creates the default sales pipeline on first start.
pub async fn ensure_default(ctx: &Ctx) -> Result<()> {
    let tx = ctx.db.write().await?;
    if list(&*tx).await?.is_empty() {
        insert(&*tx, "Sales", &default_sales_stages(), ctx.now()).await?;
    }
    tx.commit().await
}

pub async fn record_stage_change(
    conn: &impl ConnectionTrait,
    deal_id: Uuid,
    pipeline_id: Uuid,
    from: Option<Uuid>,
    to: Uuid,
    at: DateTime<Utc>,
    by: Uuid,
) -> Result<()> {
    conn.execute(
        &Query::insert()
            .into_table("deal_stage_changes")
            .columns(["id", "deal_id", "pipeline_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by"])
            .values_panic([
                Uuid::now_v7().into(),
                deal_id.into(),
                pipeline_id.into(),
                from.into(),
                to.into(),
                at.into(),
                by.into(),
            ])
            .to_owned(),
    )
    .await
    .context("record a stage change")?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageChange {
    pub id: Uuid,
    pub deal_id: Uuid,
    pub from_stage_id: Option<Uuid>,
    pub to_stage_id: Uuid,
    pub changed_at: DateTime<Utc>,
    pub changed_by: Option<Uuid>,
}

/// Stage changes of a deal, newest first, before a position when given.
pub async fn stage_changes(
    conn: &impl ConnectionTrait,
    deal_id: RecordId,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<StageChange>> {
    let mut query = Query::select();
    query
        .columns(["id", "deal_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by"])
        .from("deal_stage_changes")
        .and_where(Expr::col("deal_id").eq(deal_id.0));
    if let Some((at, id)) = before {
        query.cond_where(
            sea_orm::sea_query::Cond::any()
                .add(Expr::col("changed_at").lt(at))
                .add(sea_orm::sea_query::Cond::all().add(Expr::col("changed_at").eq(at)).add(Expr::col("id").lt(id))),
        );
    }
    query.order_by("changed_at", Order::Desc).order_by("id", Order::Desc).limit(limit);
    let rows = conn.query_all(&query).await.context("read stage changes")?;
    rows.iter()
        .map(|r| {
            const CTX: &str = "read a stage change";
            Ok(StageChange {
                id: r.try_get("", "id").context(CTX)?,
                deal_id: r.try_get("", "deal_id").context(CTX)?,
                from_stage_id: r.try_get("", "from_stage_id").context(CTX)?,
                to_stage_id: r.try_get("", "to_stage_id").context(CTX)?,
                changed_at: r.try_get("", "changed_at").context(CTX)?,
                changed_by: r.try_get("", "changed_by").context(CTX)?,
            })
        })
        .collect()
}
