//! Dashboards: a grid of saved reports. Private to their owner or shown to
//! one team; the owner (and administrators) arrange them. Every user gets a
//! default sales dashboard the first time they open one.

use chrono::{DateTime, Utc};
use rapport_core::access::{Actor, Role};
use rapport_core::ids::{DashboardId, ReportId, TeamId, UserId};
use rapport_core::reports::{
    ChartKind, DateBucket, FilterSpec, Grouping, Measure, MeasureOp, ReportDefinition, ReportSort, SortDirection,
    SortKey,
};
use rapport_core::{DomainError, FieldError, ValidationErrors};
use sea_orm::sea_query::{Cond, Condition, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::saved::{ReportInput, create_report, ensure_writes, get_report};
use crate::error::{Error, Result, StorageContext};
use crate::settings::Ctx;

pub const MAX_WIDGETS: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WidgetSize {
    /// A third of the grid's width (a KPI).
    Small,
    #[default]
    Medium,
    /// The whole width.
    Large,
}

impl WidgetSize {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Small, Self::Medium, Self::Large].into_iter().find(|s| s.as_str() == name)
    }
}

/// One report on a dashboard; widgets are shown in their list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Widget {
    pub report_id: ReportId,
    #[serde(default)]
    pub size: WidgetSize,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub id: DashboardId,
    pub owner_id: UserId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<TeamId>,
    pub name: String,
    pub widgets: Vec<Widget>,
    /// The owner's default dashboard, made on first open.
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardInput {
    pub name: String,
    /// Show it to this team (one of the owner's); none keeps it private.
    #[serde(default)]
    pub team_id: Option<TeamId>,
    #[serde(default)]
    pub widgets: Vec<Widget>,
}

const COLUMNS: [&str; 8] = ["id", "owner_id", "team_id", "name", "widgets", "default_for", "created_at", "updated_at"];

fn visible(actor: &Actor) -> Condition {
    if actor.role == Role::Admin {
        return Cond::all();
    }
    let mut any = Cond::any().add(Expr::col("owner_id").eq(actor.user_id));
    if !actor.team_ids.is_empty() {
        any = any.add(Expr::col("team_id").is_in(actor.team_ids.iter().copied()));
    }
    any
}

fn from_row(actor: &Actor, row: &QueryResult) -> Result<Dashboard> {
    const CTX: &str = "read a dashboard";
    let owner: Uuid = row.try_get("", "owner_id").context(CTX)?;
    let widgets: Value = row.try_get("", "widgets").context(CTX)?;
    Ok(Dashboard {
        id: DashboardId(row.try_get("", "id").context(CTX)?),
        owner_id: UserId(owner),
        team_id: row.try_get::<Option<Uuid>>("", "team_id").context(CTX)?.map(TeamId),
        name: row.try_get("", "name").context(CTX)?,
        widgets: serde_json::from_value(widgets)
            .map_err(|e| Error::Config(format!("stored dashboard widgets: {e}")))?,
        is_default: row.try_get::<Option<Uuid>>("", "default_for").context(CTX)?.is_some(),
        created_at: row.try_get("", "created_at").context(CTX)?,
        updated_at: row.try_get("", "updated_at").context(CTX)?,
        can_edit: actor.role == Role::Admin || actor.user_id == owner,
    })
}

#[tracing::instrument(skip_all, err)]
pub async fn list_dashboards(ctx: &Ctx, actor: &Actor) -> Result<Vec<Dashboard>> {
    let query = Query::select()
        .columns(COLUMNS)
        .from("dashboards")
        .cond_where(visible(actor))
        .order_by("name", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("list dashboards")?;
    rows.iter().map(|r| from_row(actor, r)).collect()
}

#[tracing::instrument(skip_all, fields(%id), err)]
pub async fn get_dashboard(ctx: &Ctx, actor: &Actor, id: DashboardId) -> Result<Dashboard> {
    let query = Query::select()
        .columns(COLUMNS)
        .from("dashboards")
        .and_where(Expr::col("id").eq(id.0))
        .cond_where(visible(actor))
        .to_owned();
    let row = ctx.db.conn().query_one(&query).await.context("load a dashboard")?;
    row.map(|r| from_row(actor, &r)).transpose()?.ok_or_else(|| DomainError::not_found("dashboard").into())
}

async fn check_input(ctx: &Ctx, actor: &Actor, input: &DashboardInput) -> Result<()> {
    let mut errors = ValidationErrors::default();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::required("name"));
    } else if name.chars().count() > super::saved::MAX_NAME {
        errors.push(FieldError::new("name", "too_long", "too long").with("max", super::saved::MAX_NAME));
    }
    if input.widgets.len() > MAX_WIDGETS {
        errors.push(FieldError::new("widgets", "too_many", format!("at most {MAX_WIDGETS}")).with("max", MAX_WIDGETS));
    }
    for (i, widget) in input.widgets.iter().enumerate() {
        if input.widgets[..i].iter().any(|w| w.report_id == widget.report_id) {
            errors.push(FieldError::new(format!("widgets[{i}].report_id"), "duplicate", "already on this dashboard"));
            continue;
        }
        match get_report(ctx, actor, widget.report_id).await {
            Ok(_) => {}
            Err(Error::Domain(DomainError::NotFound { .. })) => {
                errors.push(FieldError::new(format!("widgets[{i}].report_id"), "unknown_reference", "no such report"))
            }
            Err(other) => return Err(other),
        }
    }
    if let Some(team) = input.team_id
        && actor.role != Role::Admin
        && !actor.team_ids.contains(&team.0)
    {
        errors.push(FieldError::new("team_id", "report_not_your_team", "show it to one of your teams"));
    }
    errors.into_result().map_err(|e| DomainError::Validation(e).into())
}

#[tracing::instrument(skip_all, err)]
pub async fn create_dashboard(ctx: &Ctx, actor: &Actor, input: &DashboardInput) -> Result<Dashboard> {
    ensure_writes(actor)?;
    check_input(ctx, actor, input).await?;
    let id = DashboardId::new();
    insert(ctx.db.conn(), actor.user_id, id, input, None, ctx.now()).await?;
    get_dashboard(ctx, actor, id).await
}

async fn insert(
    conn: &impl ConnectionTrait,
    owner: Uuid,
    id: DashboardId,
    input: &DashboardInput,
    default_for: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    let insert = Query::insert()
        .into_table("dashboards")
        .columns(COLUMNS)
        .values_panic([
            id.0.into(),
            owner.into(),
            input.team_id.map(|t| t.0).into(),
            input.name.trim().into(),
            serde_json::json!(input.widgets).into(),
            default_for.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    conn.execute(&insert).await.context("save a dashboard")?;
    Ok(())
}

/// Renames, re-teams and re-arranges a dashboard the actor may edit.
#[tracing::instrument(skip_all, fields(%id), err)]
pub async fn update_dashboard(ctx: &Ctx, actor: &Actor, id: DashboardId, input: &DashboardInput) -> Result<Dashboard> {
    ensure_writes(actor)?;
    let current = get_dashboard(ctx, actor, id).await?;
    if !current.can_edit {
        return Err(DomainError::Forbidden("only the dashboard's owner changes it").into());
    }
    check_input(ctx, actor, input).await?;
    let update = Query::update()
        .table("dashboards")
        .value("name", input.name.trim())
        .value("team_id", input.team_id.map(|t| t.0))
        .value("widgets", serde_json::json!(input.widgets))
        .value("updated_at", ctx.now())
        .and_where(Expr::col("id").eq(id.0))
        .to_owned();
    ctx.db.conn().execute(&update).await.context("change a dashboard")?;
    get_dashboard(ctx, actor, id).await
}

/// Puts the widgets in the order of `order` (every widget's report, once).
#[tracing::instrument(skip_all, fields(%id), err)]
pub async fn arrange_widgets(ctx: &Ctx, actor: &Actor, id: DashboardId, order: &[ReportId]) -> Result<Dashboard> {
    let current = get_dashboard(ctx, actor, id).await?;
    let mut sorted: Vec<ReportId> = order.to_vec();
    sorted.sort();
    let mut present: Vec<ReportId> = current.widgets.iter().map(|w| w.report_id).collect();
    present.sort();
    if sorted != present {
        return Err(DomainError::invalid("order", "report_bad_order", "list every widget of the dashboard once").into());
    }
    let widgets =
        order.iter().filter_map(|report| current.widgets.iter().find(|w| w.report_id == *report).copied()).collect();
    let input = DashboardInput { name: current.name.clone(), team_id: current.team_id, widgets };
    update_dashboard(ctx, actor, id, &input).await
}

#[tracing::instrument(skip_all, fields(%id), err)]
pub async fn delete_dashboard(ctx: &Ctx, actor: &Actor, id: DashboardId) -> Result<()> {
    ensure_writes(actor)?;
    let current = get_dashboard(ctx, actor, id).await?;
    if !current.can_edit {
        return Err(DomainError::Forbidden("only the dashboard's owner deletes it").into());
    }
    let delete = Query::delete().from_table("dashboards").and_where(Expr::col("id").eq(id.0)).to_owned();
    ctx.db.conn().execute(&delete).await.context("delete a dashboard")?;
    Ok(())
}

/// Takes a deleted report off every dashboard.
pub(crate) async fn forget_report(conn: &impl ConnectionTrait, report: ReportId, now: DateTime<Utc>) -> Result<()> {
    let rows = conn
        .query_all(&Query::select().columns(["id", "widgets"]).from("dashboards").to_owned())
        .await
        .context("find dashboards of a report")?;
    for row in rows {
        let id: Uuid = row.try_get("", "id").context("read a dashboard")?;
        let widgets: Value = row.try_get("", "widgets").context("read a dashboard")?;
        let mut widgets: Vec<Widget> =
            serde_json::from_value(widgets).map_err(|e| Error::Config(format!("stored dashboard widgets: {e}")))?;
        let before = widgets.len();
        widgets.retain(|w| w.report_id != report);
        if widgets.len() != before {
            let update = Query::update()
                .table("dashboards")
                .value("widgets", serde_json::json!(widgets))
                .value("updated_at", now)
                .and_where(Expr::col("id").eq(id))
                .to_owned();
            conn.execute(&update).await.context("take a report off a dashboard")?;
        }
    }
    Ok(())
}

/// The reports of the default sales dashboard, named by catalogue key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultReport {
    PipelineByStage,
    WonThisQuarter,
    WonByMonth,
    OpenDealsByOwner,
    ActivitiesPerWeek,
}

impl DefaultReport {
    /// In the dashboard's order: two halves, a whole row, two halves.
    pub const ALL: [DefaultReport; 5] = [
        Self::WonThisQuarter,
        Self::PipelineByStage,
        Self::WonByMonth,
        Self::OpenDealsByOwner,
        Self::ActivitiesPerWeek,
    ];

    /// The catalogue key of its name.
    pub fn name_key(self) -> &'static str {
        match self {
            Self::PipelineByStage => "report.default.pipeline_by_stage",
            Self::WonThisQuarter => "report.default.won_this_quarter",
            Self::WonByMonth => "report.default.won_by_month",
            Self::OpenDealsByOwner => "report.default.open_deals_by_owner",
            Self::ActivitiesPerWeek => "report.default.activities_per_week",
        }
    }

    pub fn definition(self) -> ReportDefinition {
        let status = |value: &str| FilterSpec { field: "status".into(), op: "eq".into(), value: value.into() };
        let by = |field: &str, bucket: Option<DateBucket>| Grouping { field: field.into(), bucket };
        let newest_first = Some(ReportSort { by: SortKey::Group(0), direction: SortDirection::Desc });
        let deals = |filters, group_by, measures, sort, limit, chart| ReportDefinition {
            record_type: "deal".into(),
            filters,
            group_by,
            measures,
            sort,
            limit,
            chart,
        };
        match self {
            Self::PipelineByStage => deals(
                vec![status("open")],
                vec![by("stage_id", None)],
                vec![Measure::count()],
                Some(ReportSort { by: SortKey::Group(0), direction: SortDirection::Asc }),
                50,
                ChartKind::Funnel,
            ),
            Self::WonThisQuarter => deals(
                vec![status("won")],
                vec![by("closed_at", Some(DateBucket::Quarter))],
                vec![Measure::count()],
                newest_first,
                2,
                ChartKind::Kpi,
            ),
            Self::WonByMonth => deals(
                vec![status("won")],
                vec![by("closed_at", Some(DateBucket::Month))],
                vec![Measure { op: MeasureOp::Sum, field: Some("amount_minor".into()) }],
                newest_first,
                36,
                ChartKind::Bar,
            ),
            Self::OpenDealsByOwner => deals(
                vec![status("open")],
                vec![by("owner_id", None)],
                vec![Measure::count()],
                None,
                20,
                ChartKind::HorizontalBar,
            ),
            Self::ActivitiesPerWeek => ReportDefinition {
                record_type: "activity".into(),
                filters: Vec::new(),
                group_by: vec![by("created_at", Some(DateBucket::Week)), by("kind", None)],
                measures: vec![Measure::count()],
                sort: newest_first,
                limit: 120,
                chart: ChartKind::StackedBar,
            },
        }
    }

    fn size(self) -> WidgetSize {
        match self {
            Self::WonThisQuarter => WidgetSize::Small,
            Self::PipelineByStage | Self::OpenDealsByOwner | Self::ActivitiesPerWeek => WidgetSize::Medium,
            Self::WonByMonth => WidgetSize::Large,
        }
    }
}

/// The actor's default dashboard, made with its reports (private to them)
/// the first time; `name` gives the words for a catalogue key.
#[tracing::instrument(skip_all, err)]
pub async fn default_dashboard(ctx: &Ctx, actor: &Actor, name: impl Fn(&str) -> String) -> Result<Dashboard> {
    if let Some(found) = find_default(ctx, actor).await? {
        return Ok(found);
    }
    ensure_writes(actor)?;
    let mut widgets = Vec::new();
    for report in DefaultReport::ALL {
        let input = ReportInput {
            name: name(report.name_key()),
            description: None,
            definition: report.definition(),
            shared_team_id: None,
        };
        let saved = create_report(ctx, actor, &input).await?;
        widgets.push(Widget { report_id: saved.id, size: report.size() });
    }
    let input = DashboardInput { name: name("dashboard.default_name"), team_id: None, widgets };
    match insert(ctx.db.conn(), actor.user_id, DashboardId::new(), &input, Some(actor.user_id), ctx.now()).await {
        Ok(()) => {}
        // Opened twice at once: the other made it; drop this one's reports.
        Err(e) if e.is_unique_violation() => {
            for widget in &input.widgets {
                let delete =
                    Query::delete().from_table("reports").and_where(Expr::col("id").eq(widget.report_id.0)).to_owned();
                ctx.db.conn().execute(&delete).await.context("drop a spare default report")?;
            }
        }
        Err(e) => return Err(e),
    }
    find_default(ctx, actor).await?.ok_or_else(|| DomainError::not_found("dashboard").into())
}

async fn find_default(ctx: &Ctx, actor: &Actor) -> Result<Option<Dashboard>> {
    let query = Query::select()
        .columns(COLUMNS)
        .from("dashboards")
        .and_where(Expr::col("default_for").eq(actor.user_id))
        .to_owned();
    let row = ctx.db.conn().query_one(&query).await.context("find the default dashboard")?;
    row.map(|r| from_row(actor, &r)).transpose()
}
