//! Quotas and forecasts, stored: the rules are `rapport_core::forecast`'s.
//!
//! A forecast reads only the columns it sums of the period's deals: open ones
//! by `(status, expected_close_date)` and won ones by `(status, closed_at)`,
//! each through the deal kind's paired index, so a period costs its own
//! deals, never a scan of all of them.
//!
//! Who sees what: an administrator any team's forecast or everyone's; a
//! manager their teams'; anyone else only their own line. The scope is in
//! the deals query (never filtered after loading).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Admin, Role};
use rapport_core::forecast::{
    self, DealRow, Forecast, ForecastCategory, ForecastInput, Period, PeriodKind, Quota, Subject,
};
use rapport_core::ids::{TeamId, UserId};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, OnConflict, Query, SelectStatement};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::row::ColumnRead;
use crate::settings::Ctx;

/// A quota as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QuotaView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<TeamId>,
    pub period_kind: PeriodKind,
    pub period_start: NaiveDate,
    /// `2026-11` or `2026-Q4`.
    #[schema(example = "2026-Q4")]
    pub period: String,
    pub amount_minor: i64,
    pub currency: String,
}

impl From<&Quota> for QuotaView {
    fn from(quota: &Quota) -> Self {
        let (user_id, team_id) = match quota.subject {
            Subject::User(id) => (Some(UserId(id)), None),
            Subject::Team(id) => (None, Some(TeamId(id))),
        };
        Self {
            user_id,
            team_id,
            period_kind: quota.period.kind(),
            period_start: quota.period.start(),
            period: quota.period.to_string(),
            amount_minor: quota.amount_minor,
            currency: quota.currency.clone(),
        }
    }
}

/// One quota to set: a user's or a team's, for the month or quarter that
/// starts on `period_start`. `amount_minor: null` removes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaInput {
    #[serde(default)]
    pub user_id: Option<UserId>,
    #[serde(default)]
    pub team_id: Option<TeamId>,
    pub period_kind: PeriodKind,
    /// The first day of the month, or of the quarter (1 January, 1 April, 1 July, 1 October).
    pub period_start: NaiveDate,
    pub amount_minor: Option<i64>,
    /// The account's currency when left out.
    #[serde(default)]
    pub currency: Option<String>,
}

fn subject_row(subject: Subject) -> (&'static str, Uuid) {
    match subject {
        Subject::User(id) => ("user", id),
        Subject::Team(id) => ("team", id),
    }
}

/// The users and teams whose quotas and forecast lines the actor sees:
/// `None` for everyone.
fn visible_subjects(actor: &Actor, members: &[(Uuid, Uuid)]) -> Option<Vec<Uuid>> {
    match actor.role {
        Role::Admin => None,
        Role::Manager => {
            let mut ids: Vec<Uuid> = actor.team_ids.clone();
            ids.push(actor.user_id);
            ids.extend(members.iter().filter(|(team, _)| actor.team_ids.contains(team)).map(|(_, user)| *user));
            Some(ids)
        }
        Role::Member | Role::ReadOnly => Some(vec![actor.user_id]),
    }
}

async fn memberships(conn: &impl ConnectionTrait) -> Result<Vec<(Uuid, Uuid)>> {
    let rows = conn
        .query_all(&Query::select().columns(["team_id", "user_id"]).from("team_members").to_owned())
        .await
        .context("read team members")?;
    rows.iter()
        .map(|r| {
            Ok((r.try_get("", "team_id").context("read a member")?, r.try_get("", "user_id").context("read a member")?))
        })
        .collect()
}

async fn read_quotas(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
    subjects: Option<&[Uuid]>,
) -> Result<Vec<Quota>> {
    let mut query = Query::select()
        .columns(["subject_type", "subject_id", "period_kind", "period_start", "amount_minor", "currency"])
        .from("quotas")
        .and_where(Expr::col("period_start").gte(from))
        .and_where(Expr::col("period_start").lt(to))
        .order_by("period_start", sea_orm::Order::Asc)
        .order_by("subject_type", sea_orm::Order::Asc)
        .order_by("subject_id", sea_orm::Order::Asc)
        .to_owned();
    if let Some(ids) = subjects {
        query.and_where(Expr::col("subject_id").is_in(ids.iter().copied()));
    }
    let rows = conn.query_all(&query).await.context("read quotas")?;
    let mut quotas = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.try_get("", "subject_type").context("read a quota")?;
        let id: Uuid = row.try_get("", "subject_id").context("read a quota")?;
        let period_kind: String = row.try_get("", "period_kind").context("read a quota")?;
        let start: NaiveDate = row.try_get("", "period_start").context("read a quota")?;
        let (Some(period_kind), true) = (PeriodKind::parse(&period_kind), kind == "user" || kind == "team") else {
            tracing::warn!(kind, period_kind, "a quota of an unknown kind is skipped");
            continue;
        };
        let Ok(period) = Period::starting(period_kind, start) else {
            tracing::warn!(%start, "a quota with a period that does not start on its first day is skipped");
            continue;
        };
        quotas.push(Quota {
            subject: if kind == "user" { Subject::User(id) } else { Subject::Team(id) },
            period,
            amount_minor: row.try_get("", "amount_minor").context("read a quota")?,
            currency: row.try_get("", "currency").context("read a quota")?,
        });
    }
    Ok(quotas)
}

/// The quotas of a calendar year the actor may see (theirs; a manager's
/// teams and their members too; an administrator's all).
#[tracing::instrument(skip_all, fields(year), err)]
pub async fn list_quotas(ctx: &Ctx, actor: &Actor, year: i32) -> Result<Vec<QuotaView>> {
    let conn = ctx.db.conn();
    let (Some(from), Some(to)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year + 1, 1, 1)) else {
        return Err(DomainError::invalid("year", "out_of_range", "a year between 1900 and 9998").into());
    };
    let members = memberships(conn).await?;
    let subjects = visible_subjects(actor, &members);
    Ok(read_quotas(conn, from, to, subjects.as_deref()).await?.iter().map(QuotaView::from).collect())
}

/// Sets (or, with no amount, removes) quotas, all or none. Every item is
/// checked first; errors name the item (`items[2].period_start`).
#[tracing::instrument(skip_all, fields(items = items.len()), err)]
pub async fn set_quotas(ctx: &Ctx, admin: &Admin, items: &[QuotaInput]) -> Result<Vec<QuotaView>> {
    let snapshot = ctx.snapshot().await?;
    let account_currency = snapshot.settings.default_currency.clone();
    if items.len() > 1000 {
        return Err(DomainError::invalid("items", "too_many", "at most 1000 quotas at once").into());
    }
    let tx = ctx.db.write().await?;
    let mut errors = rapport_core::ValidationErrors::default();
    let mut checked: Vec<(Subject, Period, Option<i64>, String)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("items[{i}]");
        let subject = match (item.user_id, item.team_id) {
            (Some(user), None) => Subject::User(user.0),
            (None, Some(team)) => Subject::Team(team.0),
            _ => {
                errors.push(
                    rapport_core::FieldError::new("user_id", "quota_subject", "give either a user_id or a team_id")
                        .nested(&at),
                );
                continue;
            }
        };
        let (table, id) = match subject {
            Subject::User(id) => ("users", id),
            Subject::Team(id) => ("teams", id),
        };
        let exists = tx
            .query_one(&Query::select().column("id").from(table).and_where(Expr::col("id").eq(id)).to_owned())
            .await
            .context("find a quota's user or team")?
            .is_some();
        if !exists {
            let field = if table == "users" { "user_id" } else { "team_id" };
            errors.push(rapport_core::FieldError::new(field, "unknown_reference", "no such user or team").nested(&at));
            continue;
        }
        let currency = item.currency.clone().unwrap_or_else(|| account_currency.clone()).trim().to_uppercase();
        match forecast::check_quota(
            item.period_kind,
            item.period_start,
            item.amount_minor.unwrap_or(0),
            &currency,
            &account_currency,
        ) {
            Ok(period) => checked.push((subject, period, item.amount_minor, currency)),
            Err(found) => found.0.into_iter().for_each(|e| errors.push(e.nested(&at))),
        }
    }
    errors.into_result().map_err(DomainError::Validation)?;
    let keys: Vec<(Subject, Period)> = checked.iter().map(|(s, p, _, _)| (*s, *p)).collect();
    forecast::check_distinct(&keys)?;
    let now = ctx.now();
    for (subject, period, amount, currency) in &checked {
        let (kind, id) = subject_row(*subject);
        let key = Condition::all()
            .add(Expr::col("subject_type").eq(kind))
            .add(Expr::col("subject_id").eq(id))
            .add(Expr::col("period_kind").eq(period.kind().as_str()))
            .add(Expr::col("period_start").eq(period.start()));
        let Some(amount) = amount else {
            tx.execute(&Query::delete().from_table("quotas").cond_where(key).to_owned())
                .await
                .context("remove a quota")?;
            continue;
        };
        let insert = Query::insert()
            .into_table("quotas")
            .columns([
                "id",
                "subject_type",
                "subject_id",
                "period_kind",
                "period_start",
                "amount_minor",
                "currency",
                "updated_at",
                "updated_by",
            ])
            .values_panic([
                Uuid::now_v7().into(),
                kind.into(),
                id.into(),
                period.kind().as_str().into(),
                period.start().into(),
                (*amount).into(),
                currency.clone().into(),
                now.into(),
                Some(admin.user_id).into(),
            ])
            .on_conflict(
                OnConflict::columns(["subject_type", "subject_id", "period_kind", "period_start"])
                    .update_columns(["amount_minor", "currency", "updated_at", "updated_by"])
                    .to_owned(),
            )
            .to_owned();
        tx.execute(&insert).await.context("set a quota")?;
    }
    tx.commit().await?;
    Ok(checked
        .iter()
        .filter_map(|(subject, period, amount, currency)| {
            amount.map(|amount_minor| {
                QuotaView::from(&Quota { subject: *subject, period: *period, amount_minor, currency: currency.clone() })
            })
        })
        .collect())
}

/// What forecast is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecastRequest {
    pub period: Period,
    /// A team's forecast; by default a manager's first team's.
    pub team: Option<TeamId>,
    /// Only this owner's line.
    pub owner: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TeamRef {
    pub id: TeamId,
    pub name: String,
}

/// Whose forecast a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForecastScope {
    /// Every owner (administrators).
    Everyone,
    Team,
    /// The actor's own line.
    Own,
}

/// A forecast with what the page needs around it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ForecastReport {
    pub scope: ForecastScope,
    pub team: Option<TeamRef>,
    /// The teams the actor may switch to.
    pub teams: Vec<TeamRef>,
    /// Each line's owner's name.
    #[schema(value_type = Object)]
    pub names: BTreeMap<Uuid, String>,
    pub period_start: NaiveDate,
    /// The period's last day.
    pub period_end: NaiveDate,
    #[serde(flatten)]
    pub forecast: Forecast,
}

/// The lines a forecast shows even without deals, by name: a team's
/// enabled members, or (no team) every enabled user who sells.
fn owners_of(users: &[crate::users::User], members: &[(Uuid, Uuid)], team: Option<TeamId>) -> Vec<Uuid> {
    let mut shown: Vec<&crate::users::User> = users
        .iter()
        .filter(|u| !u.disabled)
        .filter(|u| match team {
            Some(team) => members.iter().any(|(t, m)| *t == team.0 && *m == u.id.0),
            None => u.role != Role::ReadOnly,
        })
        .collect();
    shown.sort_by_key(|u| u.name.to_lowercase());
    shown.into_iter().map(|u| u.id.0).collect()
}

async fn teams(conn: &impl ConnectionTrait) -> Result<Vec<TeamRef>> {
    let rows = conn
        .query_all(
            &Query::select()
                .columns(["id", "name"])
                .from("teams")
                .order_by("name_normalized", sea_orm::Order::Asc)
                .to_owned(),
        )
        .await
        .context("list teams")?;
    rows.iter()
        .map(|r| {
            Ok(TeamRef {
                id: TeamId(r.try_get("", "id").context("read a team")?),
                name: r.try_get("", "name").context("read a team")?,
            })
        })
        .collect()
}

/// A period's forecast as the actor may see it (see the module's rules).
#[tracing::instrument(skip_all, fields(period = %request.period), err)]
pub async fn report(ctx: &Ctx, actor: &Actor, request: ForecastRequest) -> Result<ForecastReport> {
    let conn = ctx.db.conn();
    let snapshot = ctx.snapshot().await?;
    let currency = snapshot.settings.default_currency.clone();
    let all_teams = teams(conn).await?;
    let members = memberships(conn).await?;
    let pickable: Vec<TeamRef> = match actor.role {
        Role::Admin => all_teams.clone(),
        Role::Manager => all_teams.iter().filter(|t| actor.team_ids.contains(&t.id.0)).cloned().collect(),
        Role::Member | Role::ReadOnly => Vec::new(),
    };
    let team = match request.team {
        Some(id) => Some(pickable.iter().find(|t| t.id == id).cloned().ok_or(DomainError::not_found("team"))?),
        None if actor.role == Role::Manager => pickable.first().cloned(),
        None => None,
    };
    let scope = match (&team, actor.role) {
        (Some(_), _) => ForecastScope::Team,
        (None, Role::Admin) => ForecastScope::Everyone,
        (None, _) => ForecastScope::Own,
    };
    let users = crate::users::list(ctx).await?;
    let mut owners: Vec<Uuid> = match (scope, &team) {
        (ForecastScope::Team, Some(team)) => owners_of(&users, &members, Some(team.id)),
        (ForecastScope::Everyone, _) => owners_of(&users, &members, None),
        _ => vec![actor.user_id],
    };
    if let Some(owner) = request.owner {
        let visible = scope != ForecastScope::Own || owner.0 == actor.user_id;
        if !visible {
            return Err(DomainError::not_found("user").into());
        }
        owners = vec![owner.0];
    }
    let mut scope_condition = Condition::all();
    match (scope, &team) {
        (ForecastScope::Team, Some(team)) => scope_condition = scope_condition.add(Expr::col("team_id").eq(team.id.0)),
        (ForecastScope::Own, _) => scope_condition = scope_condition.add(Expr::col("owner_id").eq(actor.user_id)),
        _ => {}
    }
    if let Some(owner) = request.owner {
        scope_condition = scope_condition.add(Expr::col("owner_id").eq(owner.0));
    }
    let deals = period_deals(conn, request.period, scope_condition).await?;
    let quotas = read_quotas(conn, request.period.start(), request.period.end(), None).await?;
    let forecast = forecast::compute(&ForecastInput {
        period: request.period,
        currency: &currency,
        owners: &owners,
        team: team.as_ref().filter(|_| request.owner.is_none()).map(|t| t.id.0),
        deals: &deals,
        quotas: &quotas,
    });
    let names = users.iter().map(|u| (u.id.0, u.name.clone())).collect();
    Ok(ForecastReport {
        scope,
        team,
        teams: pickable,
        names,
        period_start: request.period.start(),
        period_end: request.period.last_day(),
        forecast,
    })
}

const DEAL_COLUMNS: [&str; 9] = [
    "owner_id",
    "team_id",
    "amount_minor",
    "currency",
    "probability",
    "forecast_category",
    "status",
    "expected_close_date",
    "closed_at",
];

/// The period's open deals (by expected close date) and won deals (by the
/// day they were won), inside `scope`.
async fn period_deals(conn: &impl ConnectionTrait, period: Period, scope: Condition) -> Result<Vec<DealRow>> {
    let base = |status: &str| -> SelectStatement {
        Query::select()
            .columns(DEAL_COLUMNS)
            .from("deals")
            .and_where(Expr::col("deleted_at").is_null())
            .and_where(Expr::col("status").eq(status))
            .cond_where(scope.clone())
            .to_owned()
    };
    let open = base("open")
        .and_where(Expr::col("expected_close_date").gte(period.start()))
        .and_where(Expr::col("expected_close_date").lt(period.end()))
        .to_owned();
    let start = period.start().and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let end = period.end().and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let won =
        base("won").and_where(Expr::col("closed_at").gte(start)).and_where(Expr::col("closed_at").lt(end)).to_owned();
    let mut deals = Vec::new();
    for query in [open, won] {
        for row in conn.query_all(&query).await.context("read the period's deals")? {
            deals.push(DealRow {
                owner_id: row.uuid("owner_id")?,
                team_id: row.uuid("team_id")?,
                amount_minor: row.big_int("amount_minor")?.unwrap_or(0),
                currency: row.text("currency")?,
                probability: row.big_int("probability")?.unwrap_or(0),
                category: row.text("forecast_category")?.as_deref().and_then(ForecastCategory::parse),
                status: row.text("status")?.unwrap_or_default(),
                expected_close_date: row.date("expected_close_date")?,
                closed_at: row.timestamp("closed_at")?,
            });
        }
    }
    Ok(deals)
}

/// Records the period's forecast as it stands today: everyone's, and each
/// team's (one row per period, scope and day; a second run on a day
/// replaces the first). For comparing forecasts with what was won later.
#[tracing::instrument(skip_all, fields(period = %period), err)]
pub async fn record_snapshots(ctx: &Ctx, period: Period) -> Result<usize> {
    let conn = ctx.db.conn();
    let snapshot = ctx.snapshot().await?;
    let currency = snapshot.settings.default_currency.clone();
    let deals = period_deals(conn, period, Condition::all()).await?;
    let quotas = read_quotas(conn, period.start(), period.end(), None).await?;
    let users = crate::users::list(ctx).await?;
    let members = memberships(conn).await?;
    let mut forecasts = Vec::new();
    let everyone = owners_of(&users, &members, None);
    forecasts.push((
        "everyone".to_owned(),
        forecast::compute(&ForecastInput {
            period,
            currency: &currency,
            owners: &everyone,
            team: None,
            deals: &deals,
            quotas: &quotas,
        }),
    ));
    for team in teams(conn).await? {
        let owners = owners_of(&users, &members, Some(team.id));
        let team_deals: Vec<DealRow> = deals.iter().filter(|d| d.team_id == Some(team.id.0)).cloned().collect();
        forecasts.push((
            format!("team:{}", team.id.0),
            forecast::compute(&ForecastInput {
                period,
                currency: &currency,
                owners: &owners,
                team: Some(team.id.0),
                deals: &team_deals,
                quotas: &quotas,
            }),
        ));
    }
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    for (scope, forecast) in &forecasts {
        let json = serde_json::to_value(forecast).map_err(|e| crate::row::column_error(e.to_string()))?;
        let insert = Query::insert()
            .into_table("forecast_snapshots")
            .columns(["id", "period", "scope", "taken_on", "currency", "forecast", "taken_at"])
            .values_panic([
                Uuid::now_v7().into(),
                period.to_string().into(),
                scope.clone().into(),
                now.date_naive().into(),
                currency.clone().into(),
                json.into(),
                now.into(),
            ])
            .on_conflict(
                OnConflict::columns(["period", "scope", "taken_on"])
                    .update_columns(["currency", "forecast", "taken_at"])
                    .to_owned(),
            )
            .to_owned();
        tx.execute(&insert).await.context("record a forecast")?;
    }
    tx.commit().await?;
    Ok(forecasts.len())
}

/// The forecasts recorded for a period and scope (`everyone` or
/// `team:{id}`), oldest first, with the day each was taken.
pub async fn snapshots(ctx: &Ctx, period: Period, scope: &str) -> Result<Vec<(NaiveDate, Forecast)>> {
    let query = Query::select()
        .columns(["taken_on", "forecast"])
        .from("forecast_snapshots")
        .and_where(Expr::col("period").eq(period.to_string()))
        .and_where(Expr::col("scope").eq(scope))
        .order_by("taken_on", sea_orm::Order::Asc)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("read recorded forecasts")?;
    rows.iter()
        .map(|row| {
            let day = row.required("taken_on", ColumnRead::date)?;
            let json = row.required("forecast", ColumnRead::json)?;
            let forecast = serde_json::from_value(json).map_err(|e| crate::row::column_error(e.to_string()))?;
            Ok((day, forecast))
        })
        .collect()
}

/// Records the forecasts of the month and the quarter of today (UTC).
pub async fn record_current(ctx: &Ctx) -> Result<usize> {
    let today = ctx.now().date_naive();
    let month = record_snapshots(ctx, Period::containing(PeriodKind::Month, today)).await?;
    Ok(month + record_snapshots(ctx, Period::containing(PeriodKind::Quarter, today)).await?)
}

/// Queues this ISO week's forecast snapshot, once a week whatever the
/// number of calls (the job's key names the week).
pub async fn request_weekly_snapshot(ctx: &Ctx) -> Result<()> {
    let now = ctx.now();
    let week = now.date_naive().iso_week();
    let key = format!("forecast_snapshot:{}-W{:02}", week.year(), week.week());
    let tx = ctx.db.write().await?;
    crate::jobs::enqueue(&*tx, crate::jobs::JobKind::ForecastSnapshot, &serde_json::json!({}), now, Some(&key), now)
        .await?;
    tx.commit().await
}
