//! The activities of a user's calendar feed.

use chrono::{DateTime, Utc};
use rapport_core::access::Actor;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order};

use super::{Record, repo};
use crate::error::{Result, StorageContext};

/// The most activities a feed holds.
pub const FEED_LIMIT: u64 = 2000;

/// The live activities the actor owns that are due or start after `since`,
/// soonest first, at most [`FEED_LIMIT`].
pub async fn calendar_activities(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    since: DateTime<Utc>,
) -> Result<Vec<Record>> {
    let mut query = repo::select(RecordType::ACTIVITY);
    query
        .and_where(Expr::col("owner_id").eq(actor.user_id))
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(Cond::any().add(Expr::col("due_at").gte(since)).add(Expr::col("starts_at").gte(since)))
        .order_by("id", Order::Asc)
        .limit(FEED_LIMIT);
    let rows = conn.query_all(&query).await.context("read a calendar feed's activities")?;
    rows.iter().map(|row| repo::from_row(RecordType::ACTIVITY, row)).collect()
}
