//! Credentials: sessions, personal API tokens and login throttling.
//! Only hashes of session ids and token secrets are stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use rapport_core::access::{Actor, Credential, Scope};
use rapport_core::auth::{LAST_USED_EVERY, LoginHistory, LoginThrottle, SessionPolicy, TOKEN_PREFIX};
use rapport_core::ids::{TokenId, UserId};
use rapport_core::{DomainError, FieldError};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::passwords::HashSlot;
use crate::settings::Ctx;
use crate::users::{self, User};

/// Recently checked credentials, so that a request costs no credential
/// queries. Any change to credentials, roles or teams in this process
/// clears it; other replicas see such a change within `CREDENTIAL_TTL`.
#[derive(Debug, Default)]
pub struct CredentialCache {
    entries: std::sync::Mutex<HashMap<String, CachedCredential>>,
}

#[derive(Debug)]
struct CachedCredential {
    checked: std::time::Instant,
    /// The credential's own expiry, in the services' clock.
    valid_until: Option<DateTime<Utc>>,
    actor: Actor,
    csrf: Option<String>,
}

const CREDENTIAL_TTL: std::time::Duration = std::time::Duration::from_secs(5);
const CREDENTIAL_CACHE_MAX: usize = 10_000;

impl CredentialCache {
    fn get(&self, key: &str, now: DateTime<Utc>) -> Option<(Actor, Option<String>)> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        let fresh = entry.checked.elapsed() < CREDENTIAL_TTL && entry.valid_until.is_none_or(|until| now < until);
        fresh.then(|| (entry.actor.clone(), entry.csrf.clone()))
    }

    fn put(&self, key: String, actor: &Actor, csrf: Option<&str>, valid_until: Option<DateTime<Utc>>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CREDENTIAL_CACHE_MAX {
                entries.retain(|_, e| e.checked.elapsed() < CREDENTIAL_TTL);
                if entries.len() >= CREDENTIAL_CACHE_MAX {
                    entries.clear();
                }
            }
            let entry = CachedCredential {
                checked: std::time::Instant::now(),
                valid_until,
                actor: actor.clone(),
                csrf: csrf.map(str::to_owned),
            };
            entries.insert(key, entry);
        }
    }

    /// Forgets everything: credentials, roles or teams changed.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn sha256_hex(input: &str) -> String {
    Sha256::digest(input.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks e-mail and password under the sign-in policy of [`LoginThrottle`].
///
/// Everything that can refuse the attempt is decided before any hashing:
/// the budgets are read and the attempt is counted (as a failure until it
/// succeeds) in one transaction, with the account's and the address's
/// attempts taken one at a time, and only then is the password checked on
/// the bounded hashing pool. However many guesses arrive at once, no more
/// passwords are checked than the budgets allow, and a refused attempt costs
/// one indexed read.
pub async fn login(ctx: &Ctx, email: &str, password: &str, ip: &str, throttle: &LoginThrottle) -> Result<User> {
    let now = ctx.now();
    let email_key = email.trim().to_lowercase();
    let attempt = Uuid::now_v7();
    let tx = ctx.db.write().await?;
    crate::backend::serialize_logins(&tx, &email_key, ip).await?;
    let history = login_history(&*tx, &email_key, ip, now, throttle).await?;
    throttle.check(&history, now)?;
    let slot = HashSlot::try_reserve()?;
    tx.execute(
        &Query::insert()
            .into_table("login_attempts")
            .columns(["id", "at", "email_normalized", "ip", "success"])
            .values_panic([attempt.into(), now.into(), email_key.clone().into(), ip.into(), false.into()])
            .to_owned(),
    )
    .await
    .context("record a login attempt")?;
    tx.commit().await?;
    let found = users::find_for_login(ctx, &email_key).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    let valid = slot.verify(password, hash).await;
    let success = valid && user.as_ref().is_some_and(|u| !u.disabled);
    if success {
        let tx = ctx.db.write().await?;
        let succeeded = Query::update()
            .table("login_attempts")
            .value("success", true)
            .and_where(Expr::col("id").eq(attempt))
            .to_owned();
        tx.execute(&succeeded).await.context("record a successful login")?;
        tx.commit().await?;
    }
    match user {
        Some(user) if success => Ok(user),
        _ => Err(DomainError::Unauthenticated.into()),
    }
}

/// The recent logins the policy looks at, through the `(email, at)` and
/// `(ip, at)` indexes. Refused attempts are not recorded, so each count is
/// bounded by the policy itself.
async fn login_history(
    conn: &impl ConnectionTrait,
    email_key: &str,
    ip: &str,
    now: DateTime<Utc>,
    throttle: &LoginThrottle,
) -> Result<LoginHistory> {
    let since = now - Duration::seconds(throttle.window_secs);
    let attempts = |success: bool, since: DateTime<Utc>| {
        Query::select()
            .from("login_attempts")
            .and_where(Expr::col("at").gt(since))
            .and_where(Expr::col("success").eq(success))
            .to_owned()
    };
    let count = |mut query: sea_orm::sea_query::SelectStatement| async move {
        query.expr(Expr::col("id").count());
        let row = conn.query_one(&query).await.context("count logins")?;
        row.map(|r| r.try_get_by_index::<i64>(0)).transpose().context("count logins").map(Option::unwrap_or_default)
    };
    let failures = attempts(false, since);
    let account_address_failures = count(
        failures
            .clone()
            .and_where(Expr::col("email_normalized").eq(email_key))
            .and_where(Expr::col("ip").eq(ip))
            .to_owned(),
    )
    .await?;
    let address_failures = count(failures.clone().and_where(Expr::col("ip").eq(ip)).to_owned()).await?;
    let account_failures =
        count(failures.clone().and_where(Expr::col("email_normalized").eq(email_key)).to_owned()).await?;
    let last_account_failure = conn
        .query_one(
            &failures
                .clone()
                .column("at")
                .and_where(Expr::col("email_normalized").eq(email_key))
                .order_by("at", Order::Desc)
                .limit(1)
                .to_owned(),
        )
        .await
        .context("read the last failed login")?
        .map(|r| r.try_get::<DateTime<Utc>>("", "at"))
        .transpose()
        .context("read the last failed login")?;
    let known_since = now - Duration::days(throttle.known_address_days);
    let known_address = count(
        attempts(true, known_since)
            .and_where(Expr::col("email_normalized").eq(email_key))
            .and_where(Expr::col("ip").eq(ip))
            .to_owned(),
    )
    .await?
        > 0;
    Ok(LoginHistory {
        account_address_failures,
        address_failures,
        account_failures,
        last_account_failure,
        known_address,
    })
}

/// A new session: the cookie value and the CSRF token that goes with it.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn create_session(ctx: &Ctx, user_id: UserId, policy: &SessionPolicy) -> Result<NewSession> {
    let now = ctx.now();
    let session = NewSession { token: random_secret(), csrf_token: random_secret(), expires_at: now + policy.lifetime };
    let tx = ctx.db.write().await?;
    tx.execute(
        &Query::insert()
            .into_table("sessions")
            .columns(["id_hash", "user_id", "csrf_token", "created_at", "expires_at", "last_used_at"])
            .values_panic([
                sha256_hex(&session.token).into(),
                user_id.0.into(),
                session.csrf_token.clone().into(),
                now.into(),
                session.expires_at.into(),
                now.into(),
            ])
            .to_owned(),
    )
    .await
    .context("create a session")?;
    tx.commit().await?;
    Ok(session)
}

/// The actor and CSRF token of a live session: signed in less than the
/// policy's lifetime ago and used within its idle time.
pub async fn session_actor(ctx: &Ctx, token: &str, policy: &SessionPolicy) -> Result<Option<(Actor, String)>> {
    let now = ctx.now();
    let id_hash = sha256_hex(token);
    let key = format!("s:{id_hash}");
    if let Some((actor, Some(csrf))) = ctx.credentials.get(&key, now) {
        return Ok(Some((actor, csrf)));
    }
    let row = ctx
        .db
        .conn()
        .query_one(
            &Query::select()
                .columns(["user_id", "csrf_token", "created_at", "expires_at", "last_used_at"])
                .from("sessions")
                .and_where(Expr::col("id_hash").eq(&id_hash))
                .and_where(Expr::col("expires_at").gt(now))
                .to_owned(),
        )
        .await
        .context("load a session")?;
    let Some(row) = row else { return Ok(None) };
    const CTX: &str = "read a session";
    let user_id: Uuid = row.try_get("", "user_id").context(CTX)?;
    let csrf: String = row.try_get("", "csrf_token").context(CTX)?;
    let expires: DateTime<Utc> = row.try_get("", "expires_at").context(CTX)?;
    let created: DateTime<Utc> = row.try_get("", "created_at").context(CTX)?;
    let last_used = row.try_get::<Option<DateTime<Utc>>>("", "last_used_at").context(CTX)?.unwrap_or(created);
    if now - last_used >= policy.idle {
        return Ok(None);
    }
    let last_used = touch(ctx, "sessions", "id_hash", id_hash.clone().into(), last_used).await?;
    let actor = users::actor(ctx.db.conn(), UserId(user_id), Scope::ReadWrite)
        .await?
        .map(|actor| Actor { credential: Credential::Session(id_hash), ..actor });
    if let Some(actor) = &actor {
        ctx.credentials.put(key, actor, Some(&csrf), Some(std::cmp::min(expires, last_used + policy.idle)));
    }
    Ok(actor.map(|a| (a, csrf)))
}

/// Writes a credential's `last_used_at` when the stored one is older than
/// [`LAST_USED_EVERY`]; returns the time now on record.
async fn touch(
    ctx: &Ctx,
    table: &'static str,
    key_column: &'static str,
    key: sea_orm::Value,
    last_used: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let now = ctx.now();
    if now - last_used < LAST_USED_EVERY {
        return Ok(last_used);
    }
    let tx = ctx.db.write().await?;
    let update =
        Query::update().table(table).value("last_used_at", now).and_where(Expr::col(key_column).eq(key)).to_owned();
    tx.execute(&update).await.context("note when a credential was used")?;
    tx.commit().await?;
    Ok(now)
}

pub async fn end_session(ctx: &Ctx, token: &str) -> Result<()> {
    let tx = ctx.db.write().await?;
    tx.execute(
        &Query::delete().from_table("sessions").and_where(Expr::col("id_hash").eq(sha256_hex(token))).to_owned(),
    )
    .await
    .context("end a session")?;
    tx.commit().await?;
    ctx.credentials.clear();
    Ok(())
}

pub async fn end_sessions(conn: &impl ConnectionTrait, user_id: UserId) -> Result<()> {
    conn.execute(&Query::delete().from_table("sessions").and_where(Expr::col("user_id").eq(user_id.0)).to_owned())
        .await
        .context("end a user's sessions")?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub scope: Scope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Creates a personal token; the secret is shown once and never stored.
pub async fn create_token(
    ctx: &Ctx,
    user_id: UserId,
    name: &str,
    scope: Scope,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(ApiToken, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(DomainError::Validation(
            FieldError::new("name", "required", "a token name of 1 to 100 characters is required").into(),
        )
        .into());
    }
    if users::get(ctx.db.conn(), user_id).await?.is_none_or(|u| u.disabled) {
        return Err(DomainError::not_found("user").into());
    }
    let token = ApiToken {
        id: TokenId::new(),
        user_id,
        name: name.to_owned(),
        scope,
        created_at: ctx.now(),
        last_used_at: None,
        expires_at,
        revoked_at: None,
    };
    let secret = random_secret();
    let tx = ctx.db.write().await?;
    tx.execute(
        &Query::insert()
            .into_table("api_tokens")
            .columns(["id", "user_id", "name", "secret_hash", "scope", "created_at", "expires_at"])
            .values_panic([
                token.id.0.into(),
                user_id.0.into(),
                token.name.clone().into(),
                sha256_hex(&secret).into(),
                scope.as_str().into(),
                token.created_at.into(),
                expires_at.into(),
            ])
            .to_owned(),
    )
    .await
    .context("create a token")?;
    tx.commit().await?;
    let raw = format!("{TOKEN_PREFIX}{}_{secret}", token.id.0.simple());
    Ok((token, raw))
}

/// The actor a bearer token stands for, if it is valid.
pub async fn token_actor(ctx: &Ctx, raw: &str) -> Result<Option<Actor>> {
    let Some((id, secret)) = raw.strip_prefix(TOKEN_PREFIX).and_then(|rest| rest.split_once('_')) else {
        return Ok(None);
    };
    let Ok(id) = Uuid::parse_str(id) else { return Ok(None) };
    let key = format!("t:{}", sha256_hex(raw));
    if let Some((actor, None)) = ctx.credentials.get(&key, ctx.now()) {
        return Ok(Some(actor));
    }
    let row = ctx
        .db
        .conn()
        .query_one(
            &Query::select()
                .columns(["user_id", "secret_hash", "scope", "created_at", "expires_at", "revoked_at", "last_used_at"])
                .from("api_tokens")
                .and_where(Expr::col("id").eq(id))
                .to_owned(),
        )
        .await
        .context("load a token")?;
    let Some(row) = row else { return Ok(None) };
    const CTX: &str = "read a token";
    let stored: String = row.try_get("", "secret_hash").context(CTX)?;
    let revoked: Option<DateTime<Utc>> = row.try_get("", "revoked_at").context(CTX)?;
    let expires: Option<DateTime<Utc>> = row.try_get("", "expires_at").context(CTX)?;
    let presented = sha256_hex(secret);
    let matches = stored.len() == presented.len()
        && stored.bytes().zip(presented.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !matches || revoked.is_some() || expires.is_some_and(|e| e <= ctx.now()) {
        return Ok(None);
    }
    let scope: String = row.try_get("", "scope").context(CTX)?;
    let user_id: Uuid = row.try_get("", "user_id").context(CTX)?;
    let created: DateTime<Utc> = row.try_get("", "created_at").context(CTX)?;
    let last_used = row.try_get::<Option<DateTime<Utc>>>("", "last_used_at").context(CTX)?;
    // A token never used has no `last_used_at`: the first use is written.
    let never = created - LAST_USED_EVERY;
    touch(ctx, "api_tokens", "id", id.into(), last_used.unwrap_or(never)).await?;
    let actor = users::actor(ctx.db.conn(), UserId(user_id), Scope::parse(&scope).unwrap_or(Scope::Read))
        .await?
        .map(|actor| Actor { credential: Credential::Token(TokenId(id)), ..actor });
    if let Some(actor) = &actor {
        ctx.credentials.put(key, actor, None, expires);
    }
    Ok(actor)
}

pub async fn list_tokens(ctx: &Ctx, user_id: UserId) -> Result<Vec<ApiToken>> {
    let rows = ctx
        .db
        .conn()
        .query_all(
            &Query::select()
                .columns(["id", "user_id", "name", "scope", "created_at", "last_used_at", "expires_at", "revoked_at"])
                .from("api_tokens")
                .and_where(Expr::col("user_id").eq(user_id.0))
                .order_by("created_at", Order::Desc)
                .to_owned(),
        )
        .await
        .context("list tokens")?;
    rows.iter()
        .map(|r| {
            const CTX: &str = "read a token";
            let scope: String = r.try_get("", "scope").context(CTX)?;
            Ok(ApiToken {
                id: TokenId(r.try_get("", "id").context(CTX)?),
                user_id: UserId(r.try_get("", "user_id").context(CTX)?),
                name: r.try_get("", "name").context(CTX)?,
                scope: Scope::parse(&scope).unwrap_or(Scope::Read),
                created_at: r.try_get("", "created_at").context(CTX)?,
                last_used_at: r.try_get("", "last_used_at").context(CTX)?,
                expires_at: r.try_get("", "expires_at").context(CTX)?,
                revoked_at: r.try_get("", "revoked_at").context(CTX)?,
            })
        })
        .collect()
}

/// Revokes every live token of a user, in the caller's transaction.
pub async fn revoke_all_tokens(conn: &impl ConnectionTrait, user_id: UserId, now: DateTime<Utc>) -> Result<()> {
    let update = Query::update()
        .table("api_tokens")
        .value("revoked_at", now)
        .and_where(Expr::col("user_id").eq(user_id.0))
        .and_where(Expr::col("revoked_at").is_null())
        .to_owned();
    conn.execute(&update).await.context("revoke a user's tokens")?;
    Ok(())
}

/// Revokes a token of `user_id` (any user's, when `user_id` is `None`).
pub async fn revoke_token(ctx: &Ctx, user_id: Option<UserId>, token_id: TokenId) -> Result<()> {
    let tx = ctx.db.write().await?;
    let mut update = Query::update();
    update
        .table("api_tokens")
        .value("revoked_at", ctx.now())
        .and_where(Expr::col("id").eq(token_id.0))
        .and_where(Expr::col("revoked_at").is_null());
    if let Some(user_id) = user_id {
        update.and_where(Expr::col("user_id").eq(user_id.0));
    }
    if tx.execute(&update).await.context("revoke a token")?.rows_affected() == 0 {
        return Err(DomainError::not_found("token").into());
    }
    tx.commit().await?;
    ctx.credentials.clear();
    Ok(())
}
