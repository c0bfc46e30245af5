//! Running a report: one `GROUP BY` query through sea-query (the same for
//! both engines but for date buckets, `backend::date_bucket`), with the
//! actor's visibility ANDed in exactly as lists do, over live records only.
//! Referenced users, stages, pipelines and records are then named with one
//! lookup per kind for the distinct ids, never one per row.

use std::collections::{BTreeSet, HashMap};

use rapport_core::access::{Actor, ReadScope};
use rapport_core::query::FieldRef;
use rapport_core::reports::{
    CheckedGrouping, CheckedMeasure, CheckedReport, DateBucket, FilterSpec, GroupLabel, MeasureOp, ReportDefinition,
    SortDirection, SortKey,
};
use rapport_core::schema::{RecordType, Storage};
use rapport_core::{DomainError, ValidationErrors};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Order, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::backend;
use crate::database::Backend;
use crate::error::{Result, StorageContext};
use crate::records::repo::{column_expr, filter_condition, scope_condition};
use crate::records::service::scope;
use crate::settings::{Ctx, Snapshot};

/// A grouping of a result, as the columns of its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResultGroup {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<DateBucket>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResultMeasure {
    pub op: MeasureOp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Values are minor units of the row's currency.
    pub money: bool,
}

/// One group's value: as stored (an id, a choice, a bucket's first day)
/// and, for references, the name shown for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupKey {
    /// None for records without a value.
    pub value: Option<String>,
    /// A user's, stage's, pipeline's or visible record's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportRow {
    /// One per grouping.
    pub keys: Vec<GroupKey>,
    /// The currency of the money measures of this row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// One per measure; none where there was nothing to aggregate.
    pub values: Vec<Option<f64>>,
    /// The list filters that open this row's records (the report's own and the row's groups).
    pub list_filter: Vec<FilterSpec>,
}

/// What a report found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportResult {
    pub record_type: RecordType,
    pub groups: Vec<ResultGroup>,
    pub measures: Vec<ResultMeasure>,
    pub rows: Vec<ReportRow>,
    /// More rows exist than the report's limit.
    pub truncated: bool,
}

/// Checks `definition` for the actor's account and runs it.
#[tracing::instrument(skip_all, fields(record_type = %definition.record_type), err)]
pub async fn run(ctx: &Ctx, actor: &Actor, definition: &ReportDefinition) -> Result<ReportResult> {
    let snapshot = ctx.snapshot().await?;
    let checked = definition.check(|kind| snapshot.custom_fields_of(kind)).map_err(DomainError::Validation)?;
    run_checked(ctx, actor, &snapshot, definition, &checked).await
}

fn group_expr(backend: Backend, group: &CheckedGrouping) -> SimpleExpr {
    let column = match &group.field {
        // Custom values are grouped as text, one way on both engines.
        FieldRef::Custom { key, .. } => backend::custom_field_text(backend, key),
        field => column_expr(backend, field),
    };
    match group.bucket {
        Some(bucket) => backend::date_bucket(backend, column, group.field.storage(), bucket),
        None => column,
    }
}

fn measure_expr(backend: Backend, measure: &CheckedMeasure) -> SimpleExpr {
    let Some(field) = &measure.field else { return Expr::col(Asterisk).count() };
    let column = column_expr(backend, field);
    let aggregate = match measure.op {
        MeasureOp::Count => return Func::count(column).into(),
        MeasureOp::Sum => Func::sum(column),
        MeasureOp::Avg => Func::avg(column),
        MeasureOp::Min => Func::min(column),
        MeasureOp::Max => Func::max(column),
    };
    // One type to read on both engines (PostgreSQL sums bigints as numeric).
    Func::cast_as(aggregate, "DOUBLE PRECISION").into()
}

fn read_group(row: &QueryResult, column: &str, group: &CheckedGrouping) -> Result<Option<String>> {
    let context = "read a report group";
    if group.bucket.is_some() {
        return row.try_get::<Option<String>>("", column).context(context);
    }
    match &group.field {
        FieldRef::Custom { .. } => {
            // SQLite's json_extract keeps numbers and booleans as such.
            if let Ok(text) = row.try_get::<Option<String>>("", column) {
                return Ok(text);
            }
            if let Ok(n) = row.try_get::<Option<i64>>("", column) {
                return Ok(n.map(|n| n.to_string()));
            }
            Ok(row.try_get::<Option<f64>>("", column).context(context)?.map(|n| n.to_string()))
        }
        field => Ok(match field.storage() {
            Storage::Uuid => row.try_get::<Option<Uuid>>("", column).context(context)?.map(|u| u.to_string()),
            Storage::Bool => row.try_get::<Option<bool>>("", column).context(context)?.map(|b| b.to_string()),
            Storage::BigInt | Storage::Money => {
                row.try_get::<Option<i64>>("", column).context(context)?.map(|n| n.to_string())
            }
            Storage::Date => {
                row.try_get::<Option<chrono::NaiveDate>>("", column).context(context)?.map(|d| d.to_string())
            }
            _ => row.try_get::<Option<String>>("", column).context(context)?,
        }),
    }
}

fn read_measure(row: &QueryResult, column: &str, measure: &CheckedMeasure) -> Result<Option<f64>> {
    let context = "read a report measure";
    if measure.field.is_none() || measure.op == MeasureOp::Count {
        return Ok(row.try_get::<Option<i64>>("", column).context(context)?.map(|n| n as f64));
    }
    Ok(row.try_get::<Option<f64>>("", column).context(context)?.filter(|v| v.is_finite()))
}

pub(crate) async fn run_checked(
    ctx: &Ctx,
    actor: &Actor,
    snapshot: &Snapshot,
    definition: &ReportDefinition,
    checked: &CheckedReport,
) -> Result<ReportResult> {
    let backend = ctx.db.backend();
    let record_type = checked.record_type;
    let mut select = Query::select();
    select.from(Alias::new(record_type.plural()));
    for (i, group) in checked.groups.iter().enumerate() {
        select.expr_as(group_expr(backend, group), Alias::new(format!("g{i}")));
    }
    if let Some(currency) = &checked.currency_column {
        select.expr_as(Expr::col(Alias::new(currency)), Alias::new("cur"));
    }
    for (i, measure) in checked.measures.iter().enumerate() {
        select.expr_as(measure_expr(backend, measure), Alias::new(format!("m{i}")));
    }
    select.cond_where(scope_condition(&scope(actor, snapshot, record_type)));
    select.and_where(Expr::col("deleted_at").is_null());
    for filter in &checked.filters {
        select.and_where(filter_condition(backend, filter, false));
    }
    let mut grouped: Vec<Alias> = (0..checked.groups.len()).map(|i| Alias::new(format!("g{i}"))).collect();
    if checked.currency_column.is_some() {
        grouped.push(Alias::new("cur"));
    }
    for column in &grouped {
        select.add_group_by([Expr::col(column.clone())]);
    }
    let order = if checked.sort.direction == SortDirection::Asc { Order::Asc } else { Order::Desc };
    let sort_column = match checked.sort.by {
        SortKey::Group(i) => format!("g{i}"),
        SortKey::Measure(i) => format!("m{i}"),
    };
    select.order_by(Alias::new(sort_column), order);
    for column in grouped {
        select.order_by(column, Order::Asc);
    }
    select.limit(checked.limit + 1);
    let found = ctx.db.analytics().query_all(&select).await.context("run a report")?;
    let truncated = found.len() as u64 > checked.limit;
    let mut rows = Vec::with_capacity(found.len());
    for row in found.iter().take(checked.limit as usize) {
        let mut keys = Vec::with_capacity(checked.groups.len());
        for (i, group) in checked.groups.iter().enumerate() {
            keys.push(GroupKey { value: read_group(row, &format!("g{i}"), group)?, label: None });
        }
        let currency = match &checked.currency_column {
            Some(_) => row.try_get::<Option<String>>("", "cur").context("read a report currency")?,
            None => None,
        };
        let mut values = Vec::with_capacity(checked.measures.len());
        for (i, measure) in checked.measures.iter().enumerate() {
            values.push(read_measure(row, &format!("m{i}"), measure)?);
        }
        let mut list_filter = definition.filters.clone();
        for (group, key) in checked.groups.iter().zip(&keys) {
            list_filter.extend(group.list_filter(key.value.as_deref()));
        }
        rows.push(ReportRow { keys, currency, values, list_filter });
    }
    name_references(ctx, actor, snapshot, checked, &mut rows).await?;
    Ok(ReportResult {
        record_type,
        groups: checked.groups.iter().map(|g| ResultGroup { field: g.name.clone(), bucket: g.bucket }).collect(),
        measures: checked
            .measures
            .iter()
            .map(|m| ResultMeasure { op: m.op, field: m.name.clone(), money: m.money })
            .collect(),
        rows,
        truncated,
    })
}

/// Names for the ids a grouping holds: users', stages', pipelines', and
/// records' the actor may see (others keep no label).
async fn name_references(
    ctx: &Ctx,
    actor: &Actor,
    snapshot: &Snapshot,
    checked: &CheckedReport,
    rows: &mut [ReportRow],
) -> Result<()> {
    for (g, group) in checked.groups.iter().enumerate() {
        let ids: BTreeSet<Uuid> =
            rows.iter().filter_map(|r| r.keys[g].value.as_deref().and_then(|v| Uuid::parse_str(v).ok())).collect();
        if ids.is_empty() {
            continue;
        }
        let names: HashMap<Uuid, String> = match group.label {
            GroupLabel::User => user_names(ctx.db.conn(), &ids).await?,
            GroupLabel::Stage | GroupLabel::Pipeline => {
                let pipelines = crate::pipelines::list(ctx.db.conn()).await?;
                if group.label == GroupLabel::Pipeline {
                    pipelines.into_iter().map(|p| (p.id, p.name)).collect()
                } else {
                    // Sorted by stage, rows follow the pipelines' order (a funnel's).
                    let order: HashMap<Uuid, usize> =
                        pipelines.iter().flat_map(|p| &p.stages).enumerate().map(|(i, s)| (s.id, i)).collect();
                    if checked.sort.by == SortKey::Group(g) {
                        let position = |row: &ReportRow| {
                            row.keys[g]
                                .value
                                .as_deref()
                                .and_then(|v| Uuid::parse_str(v).ok())
                                .and_then(|id| order.get(&id).copied())
                        };
                        rows.sort_by_key(|row| {
                            let at = position(row).unwrap_or(usize::MAX);
                            if checked.sort.direction == SortDirection::Desc { usize::MAX - at } else { at }
                        });
                    }
                    pipelines.into_iter().flat_map(|p| p.stages).map(|s| (s.id, s.name)).collect()
                }
            }
            GroupLabel::Record(kind) => {
                let scope: ReadScope = scope(actor, snapshot, kind);
                let ids: Vec<Uuid> = ids.into_iter().collect();
                crate::records::repo::fetch_many(ctx.db.conn(), kind, &ids, &scope, false)
                    .await?
                    .into_iter()
                    .map(|r| (r.id.0, r.display_name()))
                    .collect()
            }
            _ => continue,
        };
        for row in rows.iter_mut() {
            let key = &mut row.keys[g];
            key.label =
                key.value.as_deref().and_then(|v| Uuid::parse_str(v).ok()).and_then(|id| names.get(&id).cloned());
        }
    }
    Ok(())
}

async fn user_names(conn: &impl ConnectionTrait, ids: &BTreeSet<Uuid>) -> Result<HashMap<Uuid, String>> {
    let query = Query::select()
        .columns(["id", "name"])
        .from("users")
        .and_where(Expr::col("id").is_in(ids.iter().copied()))
        .to_owned();
    let rows = conn.query_all(&query).await.context("name report users")?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<Uuid>("", "id").context("read a user")?,
                r.try_get::<String>("", "name").context("read a user")?,
            ))
        })
        .collect()
}

/// A definition's field errors, for callers that check before saving.
pub fn check(
    snapshot: &Snapshot,
    definition: &ReportDefinition,
) -> std::result::Result<CheckedReport, ValidationErrors> {
    definition.check(|kind| snapshot.custom_fields_of(kind))
}
