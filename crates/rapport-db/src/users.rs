//! Users, teams and passwords.

use chrono::{DateTime, Utc};
use rapport_core::access::{Actor, Admin, Credential, Role, Scope};
use rapport_core::auth::{check_new_password, user_name};
use rapport_core::ids::{TeamId, UserId};
use rapport_core::values::Email;
use rapport_core::{DomainError, FieldError, ValidationErrors};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result, StorageContext};
use crate::settings::Ctx;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub locale: String,
    /// An IANA zone (`America/Sao_Paulo`); dates are shown in it.
    pub time_zone: String,
    pub disabled: bool,
    pub primary_team_id: Option<TeamId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password: String,
    pub role: Role,
    #[serde(default = "default_locale")]
    pub locale: String,
}

fn default_locale() -> String {
    "en".into()
}

pub const LOCALES: &[&str] = &["en", "pt-BR", "es"];

const COLUMNS: [&str; 9] =
    ["id", "email", "name", "role", "locale", "time_zone", "disabled", "primary_team_id", "created_at"];

/// The zone of users who chose none.
pub const DEFAULT_TIME_ZONE: &str = "UTC";

fn from_row(row: &QueryResult) -> Result<User> {
    const CTX: &str = "read a user";
    let role: String = row.try_get("", "role").context(CTX)?;
    Ok(User {
        id: UserId(row.try_get("", "id").context(CTX)?),
        email: row.try_get("", "email").context(CTX)?,
        name: row.try_get("", "name").context(CTX)?,
        role: Role::parse(&role).ok_or_else(|| Error::Config(format!("unknown role {role}")))?,
        locale: row.try_get("", "locale").context(CTX)?,
        time_zone: row
            .try_get::<Option<String>>("", "time_zone")
            .context(CTX)?
            .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned()),
        disabled: row.try_get("", "disabled").context(CTX)?,
        primary_team_id: row.try_get::<Option<Uuid>>("", "primary_team_id").context(CTX)?.map(TeamId),
        created_at: row.try_get("", "created_at").context(CTX)?,
    })
}

fn check_new_user(input: &NewUser) -> Result<Email, DomainError> {
    let mut errors = ValidationErrors::default();
    let email = Email::parse(&input.email).map_err(|e| errors.push(e.nested("email"))).ok();
    if let Err(e) = user_name(&input.name) {
        errors.push(e);
    }
    if let Err(e) = check_new_password(&input.password) {
        errors.push(e);
    }
    if !LOCALES.contains(&input.locale.as_str()) {
        errors.push(FieldError::new("locale", "invalid_choice", format!("must be one of: {}", LOCALES.join(", "))));
    }
    errors.into_result()?;
    email.ok_or_else(|| DomainError::invalid("email", "invalid_email", "invalid e-mail"))
}

/// Creates a user, for an administrator.
pub async fn create(ctx: &Ctx, _by: &Admin, input: &NewUser) -> Result<User> {
    create_for_system(ctx, input).await
}

/// Creates a user on no one's behalf: the command line, tests.
pub async fn create_for_system(ctx: &Ctx, input: &NewUser) -> Result<User> {
    let (user, normalized, hash) = prepare_user(ctx, input).await?;
    let tx = ctx.db.write().await?;
    insert_user(&*tx, &user, &normalized, hash).await?;
    tx.commit().await?;
    Ok(user)
}

/// Creates the first administrator, once: of concurrent calls only one
/// succeeds, and none does once any user exists.
pub async fn create_first_admin(ctx: &Ctx, input: &NewUser) -> Result<User> {
    let refused = || DomainError::Forbidden("the first administrator already exists");
    let (user, normalized, hash) = prepare_user(ctx, &NewUser { role: Role::Admin, ..input.clone() }).await?;
    let tx = ctx.db.write().await?;
    let claimed = tx
        .execute(
            &Query::insert()
                .into_table("settings")
                .columns(["key", "value"])
                .values_panic(["first_admin".into(), serde_json::json!({"user_id": user.id}).into()])
                .on_conflict(sea_orm::sea_query::OnConflict::column("key").do_nothing().to_owned())
                .to_owned(),
        )
        .await
        .context("claim the first-administrator setup")?
        .rows_affected();
    if claimed != 1 || count_in(&*tx).await? > 0 {
        return Err(refused().into());
    }
    insert_user(&*tx, &user, &normalized, hash).await?;
    tx.commit().await?;
    Ok(user)
}

async fn prepare_user(ctx: &Ctx, input: &NewUser) -> Result<(User, String, String)> {
    let email = check_new_user(input)?;
    let hash = crate::passwords::hash_password(&input.password).await?;
    let user = User {
        id: UserId::new(),
        email: email.as_str().to_owned(),
        name: input.name.trim().to_owned(),
        role: input.role,
        locale: input.locale.clone(),
        time_zone: DEFAULT_TIME_ZONE.to_owned(),
        disabled: false,
        primary_team_id: None,
        created_at: ctx.now(),
    };
    Ok((user, email.normalized(), hash))
}

async fn insert_user(conn: &impl ConnectionTrait, user: &User, email_normalized: &str, hash: String) -> Result<()> {
    let insert = Query::insert()
        .into_table("users")
        .columns([
            "id",
            "email",
            "email_normalized",
            "name",
            "password_hash",
            "role",
            "locale",
            "disabled",
            "created_at",
            "updated_at",
        ])
        .values_panic([
            user.id.0.into(),
            user.email.clone().into(),
            email_normalized.into(),
            user.name.clone().into(),
            hash.into(),
            user.role.as_str().into(),
            user.locale.clone().into(),
            false.into(),
            user.created_at.into(),
            user.created_at.into(),
        ])
        .to_owned();
    match conn.execute(&insert).await.context("create a user") {
        Err(e) if e.is_unique_violation() => {
            Err(DomainError::Conflict { code: "email_taken", message: "a user with this e-mail already exists".into() }
                .into())
        }
        other => other.map(|_| ()),
    }
}

pub async fn list(ctx: &Ctx) -> Result<Vec<User>> {
    let rows = ctx
        .db
        .conn()
        .query_all(&Query::select().columns(COLUMNS).from("users").order_by("email_normalized", Order::Asc).to_owned())
        .await
        .context("list users")?;
    rows.iter().map(from_row).collect()
}

/// Sets the account holder's own name, and the language and time zone they
/// see the UI in; what is `None` stays.
pub async fn set_preferences(
    ctx: &Ctx,
    account: &rapport_core::access::AccountHolder,
    name: Option<&str>,
    locale: Option<&str>,
    time_zone: Option<&str>,
) -> Result<()> {
    let mut update = Query::update();
    update.table("users").and_where(Expr::col("id").eq(account.user().0));
    if let Some(name) = name {
        update.value("name", user_name(name).map_err(|e| DomainError::Validation(e.into()))?);
    }
    if let Some(locale) = locale {
        if !LOCALES.contains(&locale) {
            return Err(DomainError::invalid(
                "locale",
                "invalid_choice",
                format!("must be one of: {}", LOCALES.join(", ")),
            )
            .into());
        }
        update.value("locale", locale);
    }
    if let Some(zone) = time_zone {
        if zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(DomainError::invalid(
                "time_zone",
                "invalid_choice",
                "an IANA time zone such as America/Sao_Paulo",
            )
            .into());
        }
        update.value("time_zone", zone);
    }
    if name.is_none() && locale.is_none() && time_zone.is_none() {
        return Ok(());
    }
    update.value("updated_at", ctx.now());
    let tx = ctx.db.write().await?;
    tx.execute(&update).await.context("set a user's preferences")?;
    tx.commit().await
}

/// Changes a user's display name, for an administrator.
/// (Users change their own through [`set_preferences`].)
pub async fn rename(ctx: &Ctx, _by: &Admin, user_id: UserId, name: &str) -> Result<()> {
    let name = user_name(name).map_err(|e| DomainError::Validation(e.into()))?;
    let tx = ctx.db.write().await?;
    let updated = tx
        .execute(
            &Query::update()
                .table("users")
                .value("name", name)
                .value("updated_at", ctx.now())
                .and_where(Expr::col("id").eq(user_id.0))
                .to_owned(),
        )
        .await
        .context("rename a user")?;
    if updated.rows_affected() == 0 {
        return Err(DomainError::not_found("user").into());
    }
    tx.commit().await
}

/// A user as a colleague sees them: managers and administrators see
/// everything of a user, everyone else the name and team only (an e-mail
/// address and a role are not every colleague's business).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Colleague {
    pub id: UserId,
    pub name: String,
    pub disabled: bool,
    pub primary_team_id: Option<TeamId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
}

/// Every user, as `actor` may see them.
pub async fn directory(ctx: &Ctx, actor: &Actor) -> Result<Vec<Colleague>> {
    let details = actor.is_manager_or_admin();
    let users = list(ctx).await?;
    Ok(users
        .into_iter()
        .map(|user| Colleague {
            id: user.id,
            name: user.name,
            disabled: user.disabled,
            primary_team_id: user.primary_team_id,
            email: details.then_some(user.email),
            role: details.then_some(user.role),
            locale: details.then_some(user.locale),
            created_at: details.then_some(user.created_at),
        })
        .collect())
}

pub async fn get(conn: &impl ConnectionTrait, id: UserId) -> Result<Option<User>> {
    let row = conn
        .query_one(&Query::select().columns(COLUMNS).from("users").and_where(Expr::col("id").eq(id.0)).to_owned())
        .await
        .context("load a user")?;
    row.as_ref().map(from_row).transpose()
}

/// The user and password hash for an e-mail, if any.
pub async fn find_for_login(ctx: &Ctx, email: &str) -> Result<Option<(User, Option<String>)>> {
    let mut columns = COLUMNS.to_vec();
    columns.push("password_hash");
    let row = ctx
        .db
        .conn()
        .query_one(
            &Query::select()
                .columns(columns)
                .from("users")
                .and_where(Expr::col("email_normalized").eq(email.trim().to_lowercase()))
                .to_owned(),
        )
        .await
        .context("find a user by e-mail")?;
    match row {
        None => Ok(None),
        Some(row) => Ok(Some((from_row(&row)?, row.try_get("", "password_hash").context("read a password hash")?))),
    }
}

pub async fn find_by_email(ctx: &Ctx, email: &str) -> Result<Option<User>> {
    Ok(find_for_login(ctx, email).await?.map(|(user, _)| user))
}

pub async fn count(ctx: &Ctx) -> Result<i64> {
    count_in(ctx.db.conn()).await
}

async fn count_in(conn: &impl ConnectionTrait) -> Result<i64> {
    let row = conn
        .query_one(&Query::select().expr(Expr::col("id").count()).from("users").to_owned())
        .await
        .context("count users")?;
    row.map(|r| r.try_get_by_index::<i64>(0)).transpose().context("count users").map(Option::unwrap_or_default)
}

/// What else a new password ends besides the user's sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnPasswordChange {
    /// Revoke every API token too: whoever learnt the old password may have made one.
    RevokeTokens,
    KeepTokens,
}

/// Sets a new password and ends the user's sessions (and tokens, as asked).
pub async fn set_password(ctx: &Ctx, user_id: UserId, password: &str, then: OnPasswordChange) -> Result<()> {
    check_new_password(password).map_err(|e| DomainError::Validation(e.into()))?;
    let hash = crate::passwords::hash_password(password).await?;
    let tx = ctx.db.write().await?;
    let updated = tx
        .execute(
            &Query::update()
                .table("users")
                .value("password_hash", hash)
                .value("updated_at", ctx.now())
                .and_where(Expr::col("id").eq(user_id.0))
                .to_owned(),
        )
        .await
        .context("set a password")?;
    if updated.rows_affected() == 0 {
        return Err(DomainError::not_found("user").into());
    }
    crate::auth::end_sessions(&*tx, user_id).await?;
    if then == OnPasswordChange::RevokeTokens {
        crate::auth::revoke_all_tokens(&*tx, user_id, ctx.now()).await?;
    }
    tx.commit().await?;
    ctx.credentials.clear();
    Ok(())
}

/// Disables (or re-enables) a user. Disabling ends their sessions and revokes
/// their tokens for good: re-enabling brings neither back.
/// Changes a user's role, for an administrator. The last enabled
/// administrator keeps theirs, so that someone can always manage the account.
pub async fn set_role(ctx: &Ctx, _by: &Admin, user_id: UserId, role: Role) -> Result<()> {
    let tx = ctx.db.write().await?;
    if role != Role::Admin {
        let admins = tx
            .query_all(
                &Query::select()
                    .column("id")
                    .from("users")
                    .and_where(Expr::col("role").eq(Role::Admin.as_str()))
                    .and_where(Expr::col("disabled").eq(false))
                    .to_owned(),
            )
            .await
            .context("count administrators")?;
        let only_this_one =
            admins.len() == 1 && admins[0].try_get::<Uuid>("", "id").context("read an administrator")? == user_id.0;
        if only_this_one {
            return Err(DomainError::Conflict {
                code: "last_admin",
                message: "the account needs an administrator: make someone else one first".into(),
            }
            .into());
        }
    }
    let updated = tx
        .execute(
            &Query::update()
                .table("users")
                .value("role", role.as_str())
                .value("updated_at", ctx.now())
                .and_where(Expr::col("id").eq(user_id.0))
                .to_owned(),
        )
        .await
        .context("change a user's role")?;
    if updated.rows_affected() == 0 {
        return Err(DomainError::not_found("user").into());
    }
    tx.commit().await?;
    ctx.credentials.clear();
    Ok(())
}

/// Sets another user's password, for an administrator (a forgotten
/// password): their sessions end and their API tokens are revoked.
pub async fn reset_password(ctx: &Ctx, _by: &Admin, user_id: UserId, password: &str) -> Result<()> {
    set_password(ctx, user_id, password, OnPasswordChange::RevokeTokens).await
}

pub async fn set_disabled(ctx: &Ctx, _by: &Admin, user_id: UserId, disabled: bool) -> Result<()> {
    set_disabled_for_system(ctx, user_id, disabled).await
}

/// [`set_disabled`] on no one's behalf: the command line.
pub async fn set_disabled_for_system(ctx: &Ctx, user_id: UserId, disabled: bool) -> Result<()> {
    let tx = ctx.db.write().await?;
    let updated = tx
        .execute(
            &Query::update()
                .table("users")
                .value("disabled", disabled)
                .value("updated_at", ctx.now())
                .and_where(Expr::col("id").eq(user_id.0))
                .to_owned(),
        )
        .await
        .context("disable a user")?;
    if updated.rows_affected() == 0 {
        return Err(DomainError::not_found("user").into());
    }
    if disabled {
        crate::auth::end_sessions(&*tx, user_id).await?;
        crate::auth::revoke_all_tokens(&*tx, user_id, ctx.now()).await?;
    }
    tx.commit().await?;
    ctx.credentials.clear();
    Ok(())
}

pub(crate) async fn team_ids(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<Uuid>> {
    let rows = conn
        .query_all(
            &Query::select()
                .column("team_id")
                .from("team_members")
                .and_where(Expr::col("user_id").eq(user_id))
                .to_owned(),
        )
        .await
        .context("read team memberships")?;
    rows.iter().map(|r| r.try_get::<Uuid>("", "team_id").context("read a team id")).collect()
}

/// The actor for an enabled user, or `None`.
pub async fn actor(conn: &impl ConnectionTrait, user_id: UserId, scope: Scope) -> Result<Option<Actor>> {
    match get(conn, user_id).await? {
        Some(user) if !user.disabled => {
            let team_ids = team_ids(conn, user_id.0).await?;
            Ok(Some(Actor { user_id: user_id.0, role: user.role, team_ids, scope, credential: Credential::Internal }))
        }
        _ => Ok(None),
    }
}

/// The team a record owned by `owner` belongs to: `Some(team)` for an
/// enabled user (`team` may be `None`), `None` if there is no such user.
pub async fn assignable_team(conn: &impl ConnectionTrait, owner: Uuid) -> Result<Option<Option<Uuid>>> {
    Ok(get(conn, UserId(owner)).await?.filter(|u| !u.disabled).map(|u| u.primary_team_id.map(|t| t.0)))
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub member_ids: Vec<UserId>,
}

/// Creates a team, for an administrator.
pub async fn create_team(ctx: &Ctx, _by: &Admin, name: &str) -> Result<Team> {
    create_team_for_system(ctx, name).await
}

/// Creates a team on no one's behalf: the command line, demo data, tests.
pub async fn create_team_for_system(ctx: &Ctx, name: &str) -> Result<Team> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(DomainError::invalid("name", "required", "a team name of 1 to 100 characters is required").into());
    }
    let id = Uuid::now_v7();
    let tx = ctx.db.write().await?;
    let insert = Query::insert()
        .into_table("teams")
        .columns(["id", "name", "name_normalized", "created_at"])
        .values_panic([id.into(), name.into(), name.to_lowercase().into(), ctx.now().into()])
        .to_owned();
    match tx.execute(&insert).await.context("create a team") {
        Err(e) if e.is_unique_violation() => {
            return Err(DomainError::Conflict {
                code: "team_exists",
                message: "a team with this name already exists".into(),
            }
            .into());
        }
        other => other?,
    };
    tx.commit().await?;
    Ok(Team { id: TeamId(id), name: name.to_owned(), member_ids: Vec::new() })
}

/// Adds a member; the first team a user joins becomes their records' team.
pub async fn add_member(ctx: &Ctx, _by: &Admin, team_id: TeamId, user_id: UserId) -> Result<()> {
    add_member_for_system(ctx, team_id, user_id).await
}

/// Adds a member on no one's behalf: the command line, demo data, tests.
pub async fn add_member_for_system(ctx: &Ctx, team_id: TeamId, user_id: UserId) -> Result<()> {
    let tx = ctx.db.write().await?;
    if get(&*tx, user_id).await?.is_none() {
        return Err(DomainError::not_found("user").into());
    }
    let team_exists = tx
        .query_one(&Query::select().column("id").from("teams").and_where(Expr::col("id").eq(team_id.0)).to_owned())
        .await
        .context("find a team")?
        .is_some();
    if !team_exists {
        return Err(DomainError::not_found("team").into());
    }
    let insert = Query::insert()
        .into_table("team_members")
        .columns(["team_id", "user_id"])
        .values_panic([team_id.0.into(), user_id.0.into()])
        .on_conflict(sea_orm::sea_query::OnConflict::columns(["team_id", "user_id"]).do_nothing().to_owned())
        .to_owned();
    tx.execute(&insert).await.context("add a team member")?;
    tx.execute(
        &Query::update()
            .table("users")
            .value("primary_team_id", team_id.0)
            .and_where(Expr::col("id").eq(user_id.0))
            .and_where(Expr::col("primary_team_id").is_null())
            .to_owned(),
    )
    .await
    .context("set a primary team")?;
    tx.commit().await?;
    ctx.credentials.clear();
    Ok(())
}

pub async fn list_teams(ctx: &Ctx) -> Result<Vec<Team>> {
    let conn = ctx.db.conn();
    let rows = conn
        .query_all(
            &Query::select().columns(["id", "name"]).from("teams").order_by("name_normalized", Order::Asc).to_owned(),
        )
        .await
        .context("list teams")?;
    let members = conn
        .query_all(&Query::select().columns(["team_id", "user_id"]).from("team_members").to_owned())
        .await
        .context("list team members")?;
    let members: Vec<(Uuid, Uuid)> = members
        .iter()
        .map(|r| {
            Ok((r.try_get("", "team_id").context("read a member")?, r.try_get("", "user_id").context("read a member")?))
        })
        .collect::<Result<_>>()?;
    rows.iter()
        .map(|r| {
            let id: Uuid = r.try_get("", "id").context("read a team")?;
            Ok(Team {
                id: TeamId(id),
                name: r.try_get("", "name").context("read a team")?,
                member_ids: members.iter().filter(|(t, _)| *t == id).map(|(_, u)| UserId(*u)).collect(),
            })
        })
        .collect()
}
