//! Pipelines, their ordered stages, and the history of deals' stage changes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::Admin;
use rapport_core::ids::RecordId;
use rapport_core::records::pipeline::{
    DEFAULT_PIPELINE_NAME, PipelineEdit, PipelineUpdate, StageDraft, check_pipeline, default_sales_stages, plan_update,
};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, LockType, Order, Query};
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

/// Changes a pipeline: its name, its stages' names, order, probabilities and
/// kinds, new stages and removed ones (see [`plan_update`] for the rules).
/// Stage ids stay, so deals stay in their stage. The update is checked and
/// stored in one write transaction that holds the pipeline's row, so that of
/// two concurrent updates the second sees the first's result.
pub async fn update(ctx: &Ctx, _by: &Admin, id: Uuid, update: &PipelineUpdate) -> Result<Pipeline> {
    change(ctx, id, |_| Ok(update.clone())).await
}

/// One change of the settings page, applied to the pipeline as it is when
/// stored: two administrators changing different stages both keep theirs.
pub async fn edit(ctx: &Ctx, _by: &Admin, id: Uuid, edit: PipelineEdit) -> Result<Pipeline> {
    change(ctx, id, |current| current.apply(edit)).await
}

/// Names the pipeline every account starts with in the first
/// administrator's language (`stage_names` in the stages' order), unless
/// someone already renamed it or its stages. On no one's behalf: the setup.
pub async fn name_default_for_system(ctx: &Ctx, name: &str, stage_names: &[String]) -> Result<()> {
    let Some(default) = default_pipeline(ctx.db.conn()).await? else { return Ok(()) };
    change(ctx, default.id, |current| Ok(current.rename_seeded(name, stage_names))).await.map(|_| ())
}

async fn change(
    ctx: &Ctx,
    id: Uuid,
    make: impl FnOnce(&Pipeline) -> std::result::Result<PipelineUpdate, DomainError>,
) -> Result<Pipeline> {
    let tx = ctx.db.write().await?;
    // Holds the pipeline against concurrent updates on PostgreSQL (SQLite
    // has one writer at a time anyway).
    let locked = tx
        .query_one(
            &Query::select()
                .column("id")
                .from("pipelines")
                .and_where(Expr::col("id").eq(id))
                .lock(LockType::Update)
                .to_owned(),
        )
        .await
        .context("lock a pipeline")?;
    if locked.is_none() {
        return Err(DomainError::not_found("pipeline").into());
    }
    let current = get(&*tx, id).await?.ok_or(DomainError::not_found("pipeline"))?;
    let update = make(&current)?;
    let plan = plan_update(&current, &update, &deals_per_stage(&*tx, id).await?).map_err(DomainError::from)?;
    tx.execute(
        &Query::update()
            .table("pipelines")
            .value("name", plan.name.clone())
            .and_where(Expr::col("id").eq(id))
            .to_owned(),
    )
    .await
    .context("rename a pipeline")?;
    if !plan.removed.is_empty() {
        tx.execute(
            &Query::delete().from_table("stages").and_where(Expr::col("id").is_in(plan.removed.clone())).to_owned(),
        )
        .await
        .context("remove stages")?;
    }
    for stage in &plan.stages {
        let stored = current.stages.iter().find(|s| s.id == stage.id);
        if stored == Some(stage) {
            continue;
        }
        let statement = if stored.is_some() {
            tx.execute(
                &Query::update()
                    .table("stages")
                    .value("name", stage.name.clone())
                    .value("position", stage.position)
                    .value("probability", stage.probability)
                    .value("is_won", stage.is_won)
                    .value("is_lost", stage.is_lost)
                    .and_where(Expr::col("id").eq(stage.id))
                    .to_owned(),
            )
            .await
        } else {
            tx.execute(
                &Query::insert()
                    .into_table("stages")
                    .columns(["id", "pipeline_id", "name", "position", "probability", "is_won", "is_lost"])
                    .values_panic([
                        stage.id.into(),
                        id.into(),
                        stage.name.clone().into(),
                        stage.position.into(),
                        stage.probability.into(),
                        stage.is_won.into(),
                        stage.is_lost.into(),
                    ])
                    .to_owned(),
            )
            .await
        };
        statement.context("store a stage")?;
    }
    tx.commit().await?;
    Ok(Pipeline { id, name: plan.name, is_default: current.is_default, stages: plan.stages })
}

/// How many deals, trashed ones too, are in each stage of a pipeline.
async fn deals_per_stage(conn: &impl ConnectionTrait, pipeline_id: Uuid) -> Result<HashMap<Uuid, i64>> {
    let rows = conn
        .query_all(
            &Query::select()
                .column("stage_id")
                .expr_as(Expr::col("id").count(), "deals")
                .from(rapport_core::schema::RecordType::DEAL.plural())
                .and_where(Expr::col("pipeline_id").eq(pipeline_id))
                .group_by_col("stage_id")
                .to_owned(),
        )
        .await
        .context("count deals per stage")?;
    let mut counts = HashMap::new();
    for row in rows {
        const CTX: &str = "read a count of deals";
        if let Some(stage) = row.try_get::<Option<Uuid>>("", "stage_id").context(CTX)? {
            counts.insert(stage, row.try_get::<i64>("", "deals").context(CTX)?);
        }
    }
    Ok(counts)
}

/// Creates the default sales pipeline on first start.
pub async fn ensure_default(ctx: &Ctx) -> Result<()> {
    let tx = ctx.db.write().await?;
    if list(&*tx).await?.is_empty() {
        insert(&*tx, DEFAULT_PIPELINE_NAME, &default_sales_stages(), ctx.now()).await?;
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
