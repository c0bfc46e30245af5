//! Each user's secret calendar feed URL: a random token shown once, stored
//! as its SHA-256 hash; reset (a new token) or turned off at any time.

use chrono::{DateTime, Duration, Utc};
use rapport_core::access::{AccountHolder, Scope};
use rapport_core::ids::UserId;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

use crate::auth::{random_secret, sha256_hex};
use crate::error::{Result, StorageContext};
use crate::records::Record;
use crate::settings::Ctx;
use crate::users::User;

/// How far back a feed goes: recent past activities stay visible.
pub const FEED_PAST_DAYS: i64 = 90;

/// When the user's feed was made, if they have one.
pub async fn status(ctx: &Ctx, user: UserId) -> Result<Option<DateTime<Utc>>> {
    let query = Query::select()
        .column("created_at")
        .from("calendar_feeds")
        .and_where(Expr::col("user_id").eq(user.0))
        .to_owned();
    let row = ctx.db.conn().query_one(&query).await.context("read a calendar feed")?;
    row.map(|r| r.try_get("", "created_at").context("read a calendar feed")).transpose()
}

/// A new secret for the holder's feed (the old link stops working); the
/// token is returned this once.
pub async fn create(ctx: &Ctx, holder: &AccountHolder) -> Result<String> {
    let token = random_secret();
    let tx = ctx.db.write().await?;
    delete(&*tx, holder.user()).await?;
    let insert = Query::insert()
        .into_table("calendar_feeds")
        .columns(["user_id", "token_hash", "created_at"])
        .values_panic([holder.user_id.into(), sha256_hex(&token).into(), ctx.now().into()])
        .to_owned();
    tx.execute(&insert).await.context("create a calendar feed")?;
    tx.commit().await?;
    Ok(token)
}

/// Turns the holder's feed off: its link stops working.
pub async fn turn_off(ctx: &Ctx, holder: &AccountHolder) -> Result<()> {
    let tx = ctx.db.write().await?;
    delete(&*tx, holder.user()).await?;
    tx.commit().await
}

async fn delete(conn: &impl ConnectionTrait, user: UserId) -> Result<()> {
    let delete = Query::delete().from_table("calendar_feeds").and_where(Expr::col("user_id").eq(user.0)).to_owned();
    conn.execute(&delete).await.context("remove a calendar feed")?;
    Ok(())
}

/// The user a feed token belongs to and their activities of the feed;
/// `None` for an unknown token or a disabled user. The token is the only
/// credential: it reads the feed, nothing else.
pub async fn feed(ctx: &Ctx, token: &str) -> Result<Option<(User, Vec<Record>)>> {
    let conn = ctx.db.conn();
    let query = Query::select()
        .column("user_id")
        .from("calendar_feeds")
        .and_where(Expr::col("token_hash").eq(sha256_hex(token)))
        .to_owned();
    let Some(row) = conn.query_one(&query).await.context("find a calendar feed")? else { return Ok(None) };
    let user_id = UserId(row.try_get("", "user_id").context("read a calendar feed")?);
    let Some(actor) = crate::users::actor(conn, user_id, Scope::Read).await? else { return Ok(None) };
    let Some(user) = crate::users::get(conn, user_id).await? else { return Ok(None) };
    let since = ctx.now() - Duration::days(FEED_PAST_DAYS);
    Ok(Some((user, crate::records::calendar_activities(conn, &actor, since).await?)))
}
