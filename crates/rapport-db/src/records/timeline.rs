//! A record's timeline: linked activities, field changes and stage changes,
//! newest first, paginated by (time, id).

use chrono::{DateTime, Utc};
use rapport_core::DomainError;
use rapport_core::access::Actor;
use rapport_core::ids::RecordId;
use rapport_core::query::Cursor;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order, Query};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::service::{fetch_visible, scope};
use super::{Page, repo};
use crate::error::{Result, StorageContext};
use crate::row::timestamp_json;
use crate::settings::Ctx;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// `activity`, `change` (audit entry), `stage_change`, `email` (a message
    /// about the record) or `order` (a purchase).
    pub kind: String,
    pub id: Uuid,
    #[schema(value_type = Object)]
    pub data: Value,
}

pub async fn timeline(
    ctx: &Ctx,
    actor: &Actor,
    record_type: RecordType,
    id: RecordId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<TimelineEntry>> {
    let snapshot = ctx.snapshot().await?;
    let conn = ctx.db.conn();
    fetch_visible(conn, actor, &snapshot, record_type, id, false).await?;
    let before = match cursor {
        Some(raw) => {
            let cursor = Cursor::decode(raw).map_err(|e| DomainError::Validation(e.into()))?;
            let at = cursor.value.as_str().and_then(crate::row::parse_timestamp).ok_or_else(|| {
                DomainError::invalid("cursor", "invalid_cursor", "the cursor is not one this server returned")
            })?;
            Some((at, cursor.id))
        }
        None => None,
    };
    let fetch = limit + 1;
    let mut entries = Vec::new();

    let mut activities = repo::select(RecordType::ACTIVITY);
    activities
        .and_where(
            Expr::col("id").in_subquery(
                Query::select()
                    .column("source_id")
                    .from("record_links")
                    .and_where(Expr::col("target_id").eq(id.0))
                    .and_where(Expr::col("source_type").eq(RecordType::ACTIVITY.as_str()))
                    .to_owned(),
            ),
        )
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(repo::scope_condition(&scope(actor, &snapshot, RecordType::ACTIVITY)));
    if let Some((at, before_id)) = before {
        activities.cond_where(
            Cond::any()
                .add(Expr::col("created_at").lt(at))
                .add(Cond::all().add(Expr::col("created_at").eq(at)).add(Expr::col("id").lt(before_id))),
        );
    }
    activities.order_by("created_at", Order::Desc).order_by("id", Order::Desc).limit(fetch);
    for row in conn.query_all(&activities).await.context("read timeline activities")? {
        let activity = repo::from_row(RecordType::ACTIVITY, &row)?;
        entries.push(TimelineEntry {
            at: activity.created_at,
            kind: "activity".into(),
            id: activity.id.0,
            data: activity.to_json(),
        });
    }
    for entry in crate::audit::for_record(conn, id, before, fetch).await? {
        let data = serde_json::json!({"action": entry.action, "actor_id": entry.actor_id, "changes": entry.changes});
        entries.push(TimelineEntry { at: entry.at, kind: "change".into(), id: entry.id, data });
    }
    for (at, id, data) in crate::mail::timeline_entries(conn, id, before, fetch).await? {
        entries.push(TimelineEntry { at, kind: "email".into(), id, data });
    }
    // A contact's or company's purchases.
    for order in super::orders::timeline_orders(conn, actor, &snapshot, record_type, id.0, before, fetch).await? {
        entries.push(TimelineEntry {
            at: order.created_at,
            kind: "order".into(),
            id: order.id.0,
            data: order.to_json(),
        });
    }
    if record_type == RecordType::DEAL {
        for change in crate::pipelines::stage_changes(conn, id, before, fetch).await? {
            let data = serde_json::to_value(&change).unwrap_or(Value::Null);
            entries.push(TimelineEntry { at: change.changed_at, kind: "stage_change".into(), id: change.id, data });
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse((e.at, e.id)));
    let next_cursor = if entries.len() as u64 > limit {
        entries.truncate(limit as usize);
        entries.last().map(|e| Cursor { value: timestamp_json(e.at), id: e.id }.encode())
    } else {
        None
    };
    Ok(Page { items: entries, next_cursor })
}
