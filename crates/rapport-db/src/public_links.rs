//! Secret links that show one record to someone without an account (a
//! customer following their order, accepting a quote): a random token shown
//! once, stored as its SHA-256 hash, for one purpose, until it expires or a
//! user revokes it. A record has at most one live link per purpose: a new
//! one revokes the old.

use chrono::{DateTime, Duration, Utc};
use rapport_core::access::{Actor, Scope, Writer};
use rapport_core::ids::{RecordId, UserId};
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::{random_secret, sha256_hex};
use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// What a link lets its holder do: follow an order and ask for a return.
pub const ORDER_STATUS: &str = "order_status";
/// Read a quote, download its PDF, accept or reject it.
pub const QUOTE_DECISION: &str = "quote_decision";

/// How long a new link works unless its creator says otherwise.
pub const DEFAULT_VALIDITY_DAYS: i64 = 90;
pub const MAX_VALIDITY_DAYS: i64 = 365;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublicLink {
    pub id: Uuid,
    pub record_type: RecordType,
    pub record_id: Uuid,
    pub purpose: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Why a token opens nothing. The public page says which, never more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Expired,
    Revoked,
}

/// A new link to a record the writer can see; the token is returned this once.
pub async fn create(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    record_id: RecordId,
    purpose: &str,
    valid_for_days: Option<i64>,
) -> Result<(PublicLink, String)> {
    let days = valid_for_days.unwrap_or(DEFAULT_VALIDITY_DAYS);
    if !(1..=MAX_VALIDITY_DAYS).contains(&days) {
        let message = format!("between 1 and {MAX_VALIDITY_DAYS} days");
        return Err(rapport_core::DomainError::invalid("valid_for_days", "out_of_range", message).into());
    }
    crate::records::get(ctx, writer, record_type, record_id).await?;
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    let created =
        create_in(&*tx, writer.user(), record_type, record_id, purpose, now + Duration::days(days), now).await?;
    tx.commit().await?;
    Ok(created)
}

/// [`create`] in the caller's transaction, for a record the caller checked
/// its user may see: the link is only given out if the change it belongs
/// to (a quote sent) commits.
pub(crate) async fn create_in(
    conn: &impl ConnectionTrait,
    created_by: UserId,
    record_type: RecordType,
    record_id: RecordId,
    purpose: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(PublicLink, String)> {
    let token = random_secret();
    let link = PublicLink {
        id: Uuid::now_v7(),
        record_type,
        record_id: record_id.0,
        purpose: purpose.to_owned(),
        created_at: now,
        created_by: Some(created_by.0),
        expires_at,
        revoked_at: None,
    };
    revoke_live(conn, record_id.0, purpose, now).await?;
    let insert = Query::insert()
        .into_table("public_links")
        .columns([
            "id",
            "token_hash",
            "record_type",
            "record_id",
            "purpose",
            "created_at",
            "created_by",
            "expires_at",
            "revoked_at",
        ])
        .values_panic([
            link.id.into(),
            sha256_hex(&token).into(),
            record_type.as_str().into(),
            link.record_id.into(),
            purpose.into(),
            now.into(),
            link.created_by.into(),
            link.expires_at.into(),
            None::<DateTime<Utc>>.into(),
        ])
        .to_owned();
    conn.execute(&insert).await.context("create a public link")?;
    Ok((link, token))
}

/// Revokes the record's live link for `purpose`, if it has one.
pub async fn revoke(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    record_id: RecordId,
    purpose: &str,
) -> Result<()> {
    crate::records::get(ctx, writer, record_type, record_id).await?;
    let tx = ctx.db.write().await?;
    revoke_live(&*tx, record_id.0, purpose, ctx.now()).await?;
    tx.commit().await
}

async fn revoke_live(conn: &impl ConnectionTrait, record_id: Uuid, purpose: &str, now: DateTime<Utc>) -> Result<()> {
    let update = Query::update()
        .table("public_links")
        .value("revoked_at", now)
        .and_where(Expr::col("record_id").eq(record_id))
        .and_where(Expr::col("purpose").eq(purpose))
        .and_where(Expr::col("revoked_at").is_null())
        .to_owned();
    conn.execute(&update).await.context("revoke a public link")?;
    Ok(())
}

/// The record's newest link for `purpose` (live or not), for its page.
pub async fn latest(
    ctx: &Ctx,
    actor: &Actor,
    record_type: RecordType,
    record_id: RecordId,
    purpose: &str,
) -> Result<Option<PublicLink>> {
    crate::records::get(ctx, actor, record_type, record_id).await?;
    let mut query = select();
    query
        .and_where(Expr::col("record_id").eq(record_id.0))
        .and_where(Expr::col("purpose").eq(purpose))
        .order_by("created_at", Order::Desc)
        .order_by("id", Order::Desc)
        .limit(1);
    let row = ctx.db.conn().query_one(&query).await.context("read a public link")?;
    row.map(|row| from_row(&row)).transpose()
}

/// The link a token opens for `purpose`, if it is still valid.
pub async fn resolve(ctx: &Ctx, token: &str, purpose: &str) -> Result<Result<PublicLink, Refusal>> {
    let mut query = select();
    query.and_where(Expr::col("token_hash").eq(sha256_hex(token))).and_where(Expr::col("purpose").eq(purpose));
    let Some(row) = ctx.db.conn().query_one(&query).await.context("find a public link")? else {
        return Ok(Err(Refusal::Unknown));
    };
    let link = from_row(&row)?;
    Ok(if link.revoked_at.is_some() {
        Err(Refusal::Revoked)
    } else if link.expires_at <= ctx.now() {
        Err(Refusal::Expired)
    } else {
        Ok(link)
    })
}

/// Who a link acts for: the user who shared it, while they may still write.
pub async fn acting_user(ctx: &Ctx, link: &PublicLink) -> Result<Option<Writer>> {
    let Some(user) = link.created_by else { return Ok(None) };
    let actor = crate::users::actor(ctx.db.conn(), UserId(user), Scope::ReadWrite).await?;
    Ok(actor.and_then(|a| Writer::try_from(a).ok()))
}

fn select() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .columns(["id", "record_type", "record_id", "purpose", "created_at", "created_by", "expires_at", "revoked_at"])
        .from("public_links")
        .to_owned()
}

fn from_row(row: &sea_orm::QueryResult) -> Result<PublicLink> {
    let record_type: String = row.try_get("", "record_type").context("read a public link")?;
    let record_type = RecordType::parse(&record_type).ok_or_else(|| crate::Error::Storage {
        context: "read a public link",
        source: sea_orm::DbErr::Custom(format!("unknown record type {record_type}")),
    })?;
    Ok(PublicLink {
        id: row.try_get("", "id").context("read a public link")?,
        record_type,
        record_id: row.try_get("", "record_id").context("read a public link")?,
        purpose: row.try_get("", "purpose").context("read a public link")?,
        created_at: row.try_get("", "created_at").context("read a public link")?,
        created_by: row.try_get("", "created_by").context("read a public link")?,
        expires_at: row.try_get("", "expires_at").context("read a public link")?,
        revoked_at: row.try_get("", "revoked_at").context("read a public link")?,
    })
}
