//! `Idempotency-Key` support: a retried POST gets the first answer back.

use rapport_core::ids::UserId;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use serde_json::Value;

use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// What a key's earlier use says about this request.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// First use: go ahead, then `complete` it.
    New,
    /// Done before with the same request: replay this answer.
    Replay { status: u16, body: Value },
    /// The key is in use by a request still running.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

/// Claims `key` for `request_hash` (method, path and body).
///
/// The insert comes first so that concurrent requests with one key cannot
/// both win: the loser's insert does nothing (on PostgreSQL it waits for the
/// winner to commit) and it then reads the winner's row.
pub async fn claim(ctx: &Ctx, user_id: UserId, key: &str, request_hash: &str) -> Result<Claim> {
    let tx = ctx.db.write().await?;
    let inserted = tx
        .execute(
            &Query::insert()
                .into_table("idempotency_keys")
                .columns(["user_id", "key", "request_hash", "created_at"])
                .values_panic([user_id.0.into(), key.into(), request_hash.into(), ctx.now().into()])
                .on_conflict(OnConflict::columns(["user_id", "key"]).do_nothing().to_owned())
                .to_owned(),
        )
        .await
        .context("claim an idempotency key")?
        .rows_affected();
    let claim = if inserted == 1 {
        Claim::New
    } else {
        let row = tx
            .query_one(
                &Query::select()
                    .columns(["request_hash", "status_code", "response"])
                    .from("idempotency_keys")
                    .and_where(Expr::col("user_id").eq(user_id.0))
                    .and_where(Expr::col("key").eq(key))
                    .to_owned(),
            )
            .await
            .context("look up an idempotency key")?;
        match row {
            Some(row) => {
                const CTX: &str = "read an idempotency key";
                let hash: String = row.try_get("", "request_hash").context(CTX)?;
                let status: Option<i64> = row.try_get("", "status_code").context(CTX)?;
                let body: Option<Value> = row.try_get("", "response").context(CTX)?;
                match (hash == request_hash, status) {
                    (false, _) => Claim::Mismatch,
                    (true, None) => Claim::InProgress,
                    (true, Some(status)) => Claim::Replay { status: status as u16, body: body.unwrap_or(Value::Null) },
                }
            }
            // Released by its owner between our insert and this read.
            None => Claim::InProgress,
        }
    };
    tx.commit().await?;
    Ok(claim)
}

/// The key a write completes in its own transaction, and how its outcome
/// becomes the answer to replay: a crash after the commit leaves the answer
/// stored, and a write that fails leaves no answer and changes nothing.
pub struct Completion<'a, T> {
    pub user_id: UserId,
    pub key: &'a str,
    /// The status and body the client got, from the write's outcome.
    pub render: &'a (dyn Fn(&T) -> (u16, Value) + Send + Sync),
}

/// Stores the answer to replay inside the write's transaction. The key must
/// still be claimed and unanswered; otherwise the write must not commit.
pub(crate) async fn complete_in<T>(
    conn: &impl ConnectionTrait,
    completion: Option<&Completion<'_, T>>,
    outcome: &T,
) -> Result<()> {
    let Some(completion) = completion else { return Ok(()) };
    let (status, body) = (completion.render)(outcome);
    let stored = conn
        .execute(
            &Query::update()
                .table("idempotency_keys")
                .value("status_code", i64::from(status))
                .value("response", body)
                .and_where(Expr::col("user_id").eq(completion.user_id.0))
                .and_where(Expr::col("key").eq(completion.key))
                .and_where(Expr::col("status_code").is_null())
                .to_owned(),
        )
        .await
        .context("store an idempotent response")?
        .rows_affected();
    if stored != 1 {
        return Err(crate::Error::Storage {
            context: "store an idempotent response",
            source: sea_orm::DbErr::Custom("the idempotency key is no longer claimed by this request".into()),
        });
    }
    Ok(())
}

/// Stores the answer to replay of a request that changed nothing (it was
/// refused), outside any write.
pub async fn complete(ctx: &Ctx, user_id: UserId, key: &str, status: u16, body: &Value) -> Result<()> {
    let tx = ctx.db.write().await?;
    tx.execute(
        &Query::update()
            .table("idempotency_keys")
            .value("status_code", i64::from(status))
            .value("response", body.clone())
            .and_where(Expr::col("user_id").eq(user_id.0))
            .and_where(Expr::col("key").eq(key))
            .to_owned(),
    )
    .await
    .context("store an idempotent response")?;
    tx.commit().await
}

/// Frees a key whose request failed on the server, so a retry can run.
pub async fn release(ctx: &Ctx, user_id: UserId, key: &str) -> Result<()> {
    let tx = ctx.db.write().await?;
    tx.execute(
        &Query::delete()
            .from_table("idempotency_keys")
            .and_where(Expr::col("user_id").eq(user_id.0))
            .and_where(Expr::col("key").eq(key))
            .to_owned(),
    )
    .await
    .context("release an idempotency key")?;
    tx.commit().await
}
