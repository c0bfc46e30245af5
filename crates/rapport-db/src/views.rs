//! How each user looks at lists: saved views (their own, and those others
//! shared), the columns they chose per kind, and the records they opened last.

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Role};
use rapport_core::schema::RecordType;
use rapport_core::views::{self, ViewInput};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// Records kept per user in "recently viewed".
pub const RECENT_KEPT: u64 = 20;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SavedView {
    pub id: Uuid,
    /// Who made it; only they (or an administrator) change or delete it.
    pub user_id: Uuid,
    /// The kind's plural, as in `/api/v1/{kind}`.
    pub kind: String,
    pub name: String,
    /// The list's query as the API takes it (`filter[city][eq]=Curitiba&sort=-created_at`).
    pub query: String,
    /// Columns in order; empty for the kind's defaults (or the user's choice).
    pub columns: Vec<String>,
    pub shared: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SavedView {
    fn from_row(row: &QueryResult) -> Result<Self> {
        let columns: String = row.try_get("", "columns").context("read a view")?;
        Ok(Self {
            id: row.try_get("", "id").context("read a view")?,
            user_id: row.try_get("", "user_id").context("read a view")?,
            kind: row.try_get("", "record_type").context("read a view")?,
            name: row.try_get("", "name").context("read a view")?,
            query: row.try_get("", "query").context("read a view")?,
            columns: serde_json::from_str(&columns).unwrap_or_default(),
            shared: row.try_get("", "shared").context("read a view")?,
            created_at: row.try_get("", "created_at").context("read a view")?,
            updated_at: row.try_get("", "updated_at").context("read a view")?,
        })
    }

    /// Whether `actor` may change or delete it.
    pub fn editable_by(&self, actor: &Actor) -> bool {
        self.user_id == actor.user_id || actor.role == Role::Admin
    }
}

const COLUMNS: [&str; 9] =
    ["id", "user_id", "record_type", "name", "query", "columns", "shared", "created_at", "updated_at"];

fn visible_to(actor: &Actor) -> Cond {
    Cond::any().add(Expr::col("user_id").eq(actor.user_id)).add(Expr::col("shared").eq(true))
}

/// The views of a kind `actor` may open: their own and the shared ones, by name.
pub async fn list(ctx: &Ctx, actor: &Actor, record_type: RecordType) -> Result<Vec<SavedView>> {
    let query = Query::select()
        .columns(COLUMNS)
        .from("saved_views")
        .and_where(Expr::col("record_type").eq(record_type.plural()))
        .cond_where(visible_to(actor))
        .order_by("name", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("list saved views")?;
    rows.iter().map(SavedView::from_row).collect()
}

/// A view `actor` may open; one they may not is "not found".
pub async fn get(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<SavedView> {
    get_in(ctx.db.conn(), actor, id).await
}

async fn get_in(conn: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<SavedView> {
    let query = Query::select()
        .columns(COLUMNS)
        .from("saved_views")
        .and_where(Expr::col("id").eq(id))
        .cond_where(visible_to(actor))
        .to_owned();
    let row = conn.query_one(&query).await.context("load a saved view")?;
    SavedView::from_row(&row.ok_or(DomainError::not_found("view"))?)
}

pub async fn create(ctx: &Ctx, actor: &Actor, record_type: RecordType, input: &ViewInput) -> Result<SavedView> {
    let snapshot = ctx.snapshot().await?;
    let view =
        views::validate(record_type, snapshot.custom_fields_of(record_type), input).map_err(DomainError::Validation)?;
    let (id, now) = (Uuid::now_v7(), ctx.now());
    let tx = ctx.db.write().await?;
    let insert = Query::insert()
        .into_table("saved_views")
        .columns(COLUMNS)
        .values_panic([
            id.into(),
            actor.user_id.into(),
            record_type.plural().into(),
            view.name.into(),
            view.query.into(),
            serde_json::to_string(&view.columns).unwrap_or_default().into(),
            view.shared.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    tx.execute(&insert).await.context("save a view")?;
    let saved = get_in(&*tx, actor, id).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Replaces a view's name, query, columns and sharing; for its owner or an administrator.
pub async fn update(ctx: &Ctx, actor: &Actor, id: Uuid, input: &ViewInput) -> Result<SavedView> {
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let current = editable(&*tx, actor, id).await?;
    let record_type = RecordType::from_plural(&current.kind).ok_or(DomainError::not_found("view"))?;
    let view =
        views::validate(record_type, snapshot.custom_fields_of(record_type), input).map_err(DomainError::Validation)?;
    let update = Query::update()
        .table("saved_views")
        .value("name", view.name)
        .value("query", view.query)
        .value("columns", serde_json::to_string(&view.columns).unwrap_or_default())
        .value("shared", view.shared)
        .value("updated_at", ctx.now())
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    tx.execute(&update).await.context("change a view")?;
    let saved = get_in(&*tx, actor, id).await?;
    tx.commit().await?;
    Ok(saved)
}

pub async fn delete(ctx: &Ctx, actor: &Actor, id: Uuid) -> Result<()> {
    let tx = ctx.db.write().await?;
    editable(&*tx, actor, id).await?;
    tx.execute(&Query::delete().from_table("saved_views").and_where(Expr::col("id").eq(id)).to_owned())
        .await
        .context("delete a view")?;
    tx.commit().await
}

/// A view `actor` may change: a shared view of someone else can be opened, not changed.
async fn editable(conn: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<SavedView> {
    let view = get_in(conn, actor, id).await?;
    if !view.editable_by(actor) {
        return Err(DomainError::Forbidden("only the person who made a view, or an administrator, changes it").into());
    }
    Ok(view)
}

/// The columns `actor` chose for lists of a kind, if they chose.
pub async fn columns(ctx: &Ctx, actor: &Actor, record_type: RecordType) -> Result<Option<Vec<String>>> {
    let query = Query::select()
        .column("columns")
        .from("list_columns")
        .and_where(Expr::col("user_id").eq(actor.user_id))
        .and_where(Expr::col("record_type").eq(record_type.plural()))
        .to_owned();
    let Some(row) = ctx.db.conn().query_one(&query).await.context("load list columns")? else { return Ok(None) };
    let columns: String = row.try_get("", "columns").context("read list columns")?;
    Ok(serde_json::from_str(&columns).ok())
}

/// Keeps `actor`'s columns for lists of a kind; none goes back to the kind's defaults.
pub async fn set_columns(ctx: &Ctx, actor: &Actor, record_type: RecordType, columns: &[String]) -> Result<Vec<String>> {
    let snapshot = ctx.snapshot().await?;
    let columns = views::validate_columns(record_type, snapshot.custom_fields_of(record_type), columns)
        .map_err(|e| DomainError::Validation(e.into()))?;
    let tx = ctx.db.write().await?;
    let mine =
        Cond::all().add(Expr::col("user_id").eq(actor.user_id)).add(Expr::col("record_type").eq(record_type.plural()));
    tx.execute(&Query::delete().from_table("list_columns").cond_where(mine).to_owned())
        .await
        .context("change list columns")?;
    if !columns.is_empty() {
        let insert = Query::insert()
            .into_table("list_columns")
            .columns(["user_id", "record_type", "columns"])
            .values_panic([
                actor.user_id.into(),
                record_type.plural().into(),
                serde_json::to_string(&columns).unwrap_or_default().into(),
            ])
            .to_owned();
        tx.execute(&insert).await.context("change list columns")?;
    }
    tx.commit().await?;
    Ok(columns)
}

/// Notes that `actor` opened a record, keeping their last `RECENT_KEPT`.
pub async fn record_visit(ctx: &Ctx, actor: &Actor, record_type: RecordType, id: Uuid) -> Result<()> {
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    let upsert = Query::insert()
        .into_table("recent_records")
        .columns(["user_id", "record_id", "record_type", "viewed_at"])
        .values_panic([actor.user_id.into(), id.into(), record_type.plural().into(), now.into()])
        .on_conflict(OnConflict::columns(["user_id", "record_id"]).update_column("viewed_at").to_owned())
        .to_owned();
    tx.execute(&upsert).await.context("note a visit")?;
    // Forget what fell off the end: everything older than the last kept visit.
    let oldest_kept = Query::select()
        .column("viewed_at")
        .from("recent_records")
        .and_where(Expr::col("user_id").eq(actor.user_id))
        .order_by("viewed_at", Order::Desc)
        .limit(1)
        .offset(RECENT_KEPT - 1)
        .to_owned();
    if let Some(row) = tx.query_one(&oldest_kept).await.context("note a visit")? {
        let at: DateTime<Utc> = row.try_get("", "viewed_at").context("note a visit")?;
        let older = Query::delete()
            .from_table("recent_records")
            .and_where(Expr::col("user_id").eq(actor.user_id))
            .and_where(Expr::col("viewed_at").lt(at))
            .to_owned();
        tx.execute(&older).await.context("note a visit")?;
    }
    tx.commit().await
}

/// The records `actor` opened last, newest first (some may since be gone).
pub async fn recent(ctx: &Ctx, actor: &Actor, limit: u64) -> Result<Vec<(RecordType, Uuid)>> {
    let query = Query::select()
        .columns(["record_type", "record_id"])
        .from("recent_records")
        .and_where(Expr::col("user_id").eq(actor.user_id))
        .order_by("viewed_at", Order::Desc)
        .limit(limit)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("list recent records")?;
    let mut recent = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.try_get("", "record_type").context("read a recent record")?;
        let id: Uuid = row.try_get("", "record_id").context("read a recent record")?;
        if let Some(record_type) = RecordType::from_plural(&kind) {
            recent.push((record_type, id));
        }
    }
    Ok(recent)
}
