//! The features of leads, read in bulk: one query for the leads, one for the
//! activities linked to them, one for when the closed ones closed — never a
//! query per lead.
//!
//! A lead's features are taken *as of* a moment: now for an open lead, the
//! moment it closed for a closed one, so the model learns only from what was
//! known before the outcome (an activity logged after a lead converted says
//! nothing about whether it would).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rapport_analytics::features::{FeatureSpec, FeatureValue};
use rapport_analytics::scoring::{default_lead_specs, keys};
use rapport_core::custom_fields::{CustomFieldDefinition, CustomFieldType};
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Order, Query, SelectStatement};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{Result, StorageContext};
use crate::row::ColumnRead;

/// Engagement counts the activities of a lead's first this many days.
pub const ENGAGEMENT_DAYS: i64 = 30;
/// Category features beyond the defaults: the campaign tags of the lead's source.
pub const UTM_SOURCE: &str = "utm_source";
pub const UTM_MEDIUM: &str = "utm_medium";
/// Custom fields become features under this prefix (`custom.budget_band`).
pub const CUSTOM_PREFIX: &str = "custom.";

/// The features leads are described by today: the defaults, the UTM tags, and
/// the leads' custom fields of kinds a model can read (select as a category,
/// number and boolean as numbers).
pub fn lead_specs(custom_fields: &[CustomFieldDefinition]) -> Vec<FeatureSpec> {
    let mut specs = default_lead_specs();
    specs.push(FeatureSpec::category(UTM_SOURCE));
    specs.push(FeatureSpec::category(UTM_MEDIUM));
    for field in custom_fields.iter().filter(|f| f.record_type == RecordType::LEAD) {
        let key = format!("{CUSTOM_PREFIX}{}", field.key);
        match field.field_type {
            CustomFieldType::Select => specs.push(FeatureSpec::category(key)),
            CustomFieldType::Number | CustomFieldType::Boolean => specs.push(FeatureSpec::number(key)),
            _ => {}
        }
    }
    specs
}

/// The columns of a lead that features come from.
#[derive(Debug, Clone)]
pub struct LeadRow {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status: Option<String>,
    pub score: Option<i64>,
    email: Option<String>,
    phone: Option<String>,
    company_name: Option<String>,
    job_title: Option<String>,
    source_channel: Option<String>,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    custom: Map<String, Value>,
}

const LEAD_COLUMNS: [&str; 13] = [
    "id",
    "created_at",
    "updated_at",
    "status",
    "score",
    "email",
    "phone",
    "company_name",
    "job_title",
    "source_channel",
    "utm_source",
    "utm_medium",
    "custom",
];

/// The live leads matching `condition`, by id; after `after` and at most
/// `limit` of them when paging.
pub async fn read_leads(
    conn: &impl ConnectionTrait,
    condition: Condition,
    after: Option<Uuid>,
    limit: Option<u64>,
) -> Result<Vec<LeadRow>> {
    let mut query = Query::select();
    query.columns(LEAD_COLUMNS).from("leads").and_where(Expr::col("deleted_at").is_null()).cond_where(condition);
    if let Some(after) = after {
        query.and_where(Expr::col("id").gt(after));
    }
    query.order_by("id", Order::Asc);
    if let Some(limit) = limit {
        query.limit(limit);
    }
    let rows = conn.query_all(&query).await.context("read leads to score")?;
    rows.iter()
        .map(|row| {
            Ok(LeadRow {
                id: row.required("id", ColumnRead::uuid)?,
                created_at: row.required("created_at", ColumnRead::timestamp)?,
                updated_at: row.required("updated_at", ColumnRead::timestamp)?,
                status: row.text("status")?,
                score: row.big_int("score")?,
                email: row.text("email")?,
                phone: row.text("phone")?,
                company_name: row.text("company_name")?,
                job_title: row.text("job_title")?,
                source_channel: row.text("source_channel")?,
                utm_source: row.text("utm_source")?,
                utm_medium: row.text("utm_medium")?,
                custom: match row.json("custom")? {
                    Some(Value::Object(map)) => map,
                    _ => Map::new(),
                },
            })
        })
        .collect()
}

/// The ids of the leads matching `condition`, as a subquery.
pub fn lead_ids(condition: Condition) -> SelectStatement {
    Query::select()
        .column("id")
        .from("leads")
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(condition)
        .to_owned()
}

/// When each activity linked to the leads of `leads` (a subquery of ids) was
/// logged, by lead: one query over `record_links`, as the timeline finds them.
pub async fn activity_times(
    conn: &impl ConnectionTrait,
    leads: SelectStatement,
) -> Result<HashMap<Uuid, Vec<DateTime<Utc>>>> {
    let query = Query::select()
        .expr_as(Expr::col(("record_links", "target_id")), "lead_id")
        .expr_as(Expr::col(("activities", "created_at")), "logged_at")
        .from("record_links")
        .inner_join("activities", Expr::col(("activities", "id")).equals(("record_links", "source_id")))
        .and_where(Expr::col(("record_links", "source_type")).eq(RecordType::ACTIVITY.as_str()))
        .and_where(Expr::col(("record_links", "target_type")).eq(RecordType::LEAD.as_str()))
        .and_where(Expr::col(("activities", "deleted_at")).is_null())
        .and_where(Expr::col(("record_links", "target_id")).in_subquery(leads))
        .to_owned();
    let mut times: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for row in conn.query_all(&query).await.context("read the leads' activities")? {
        let lead = row.required("lead_id", ColumnRead::uuid)?;
        times.entry(lead).or_default().push(row.required("logged_at", ColumnRead::timestamp)?);
    }
    Ok(times)
}

/// When each closed lead of `leads` (a subquery of ids) reached its status:
/// the latest audited change of its status to that value. Leads whose closing
/// was never audited (created closed, or loaded in bulk) are absent.
pub async fn closing_times(
    conn: &impl ConnectionTrait,
    leads: SelectStatement,
) -> Result<HashMap<(Uuid, String), DateTime<Utc>>> {
    let query = Query::select()
        .columns(["record_id", "at", "changes"])
        .from("audit_log")
        .and_where(Expr::col("record_type").eq(RecordType::LEAD.as_str()))
        .and_where(Expr::col("action").eq("update"))
        .and_where(Expr::col("record_id").in_subquery(leads))
        .order_by("at", Order::Asc)
        .to_owned();
    let mut closed = HashMap::new();
    for row in conn.query_all(&query).await.context("read when the leads closed")? {
        let changes = row.json("changes")?.unwrap_or(Value::Null);
        let new_status = changes.as_array().into_iter().flatten().find_map(|change| {
            (change.get("field").and_then(Value::as_str) == Some("status"))
                .then(|| change.get("new").and_then(Value::as_str))
                .flatten()
        });
        if let Some(status) = new_status {
            let id = row.required("record_id", ColumnRead::uuid)?;
            closed.insert((id, status.to_owned()), row.required("at", ColumnRead::timestamp)?);
        }
    }
    Ok(closed)
}

/// A category as features compare it: trimmed and lower-cased; blank is missing.
pub fn category(value: Option<&str>) -> FeatureValue {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => FeatureValue::Category(v.to_lowercase()),
        None => FeatureValue::Missing,
    }
}

fn present(value: &Option<String>) -> FeatureValue {
    FeatureValue::Number(if value.as_deref().is_some_and(|v| !v.trim().is_empty()) { 1.0 } else { 0.0 })
}

fn custom_value(spec: &FeatureSpec, value: Option<&Value>) -> FeatureValue {
    use rapport_analytics::features::FeatureKind;
    match (spec.kind, value) {
        (FeatureKind::Category, Some(Value::String(s))) => category(Some(s)),
        (FeatureKind::Number, Some(Value::Bool(b))) => FeatureValue::Number(if *b { 1.0 } else { 0.0 }),
        (FeatureKind::Number, Some(Value::Number(n))) => n.as_f64().map_or(FeatureValue::Missing, FeatureValue::Number),
        (FeatureKind::Number, Some(Value::String(s))) => {
            s.trim().parse::<f64>().ok().filter(|x| x.is_finite()).map_or(FeatureValue::Missing, FeatureValue::Number)
        }
        _ => FeatureValue::Missing,
    }
}

/// A lead's values for `specs` (in their order) as of `as_of`, given the
/// times of its activities. Engagement counts the activities of its first
/// [`ENGAGEMENT_DAYS`] days that were logged before `as_of`.
pub fn feature_values(
    lead: &LeadRow,
    specs: &[FeatureSpec],
    activities: &[DateTime<Utc>],
    as_of: DateTime<Utc>,
) -> Vec<FeatureValue> {
    let window_end = Ord::min(lead.created_at + Duration::days(ENGAGEMENT_DAYS), as_of);
    specs
        .iter()
        .map(|spec| match spec.key.as_str() {
            keys::SOURCE_CHANNEL => category(lead.source_channel.as_deref()),
            keys::HAS_EMAIL => present(&lead.email),
            keys::HAS_PHONE => present(&lead.phone),
            keys::HAS_COMPANY => present(&lead.company_name),
            keys::JOB_TITLE_PRESENT => present(&lead.job_title),
            keys::ACTIVITIES_30D => FeatureValue::Number(
                activities.iter().filter(|t| **t >= lead.created_at && **t < window_end).count() as f64,
            ),
            keys::DAYS_SINCE_CREATED => FeatureValue::Number(Ord::max((as_of - lead.created_at).num_days(), 0) as f64),
            UTM_SOURCE => category(lead.utm_source.as_deref()),
            UTM_MEDIUM => category(lead.utm_medium.as_deref()),
            key => match key.strip_prefix(CUSTOM_PREFIX) {
                Some(custom) => custom_value(spec, lead.custom.get(custom)),
                None => FeatureValue::Missing,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn lead() -> LeadRow {
        let created = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("a time");
        LeadRow {
            id: Uuid::nil(),
            created_at: created,
            updated_at: created,
            status: Some("new".into()),
            score: None,
            email: Some("a@b.com".into()),
            phone: Some("  ".into()),
            company_name: None,
            job_title: Some("CEO".into()),
            source_channel: Some("  Web Form ".into()),
            utm_source: Some("".into()),
            utm_medium: Some("CPC".into()),
            custom: serde_json::json!({"band": "Large", "budget": "12.5", "vip": true}).as_object().cloned().unwrap(),
        }
    }

    #[test]
    fn values_follow_the_specs_normalised() {
        let mut specs = lead_specs(&[]);
        specs.push(FeatureSpec::category("custom.band"));
        specs.push(FeatureSpec::number("custom.budget"));
        specs.push(FeatureSpec::number("custom.vip"));
        specs.push(FeatureSpec::number("custom.absent"));
        let created = lead().created_at;
        let activities = [
            created + Duration::days(1),
            created + Duration::days(29),
            created + Duration::days(31),
            created - Duration::days(1),
        ];
        let values = feature_values(&lead(), &specs, &activities, created + Duration::days(40));
        use FeatureValue::*;
        assert_eq!(
            values,
            vec![
                Category("web form".into()),
                Number(1.0),
                Number(0.0),
                Number(0.0),
                Number(1.0),
                Number(2.0),
                Number(40.0),
                Missing,
                Category("cpc".into()),
                Category("large".into()),
                Number(12.5),
                Number(1.0),
                Missing,
            ]
        );
        // Closed on day 10: what came after is not known.
        let early = feature_values(&lead(), &specs, &activities, created + Duration::days(10));
        assert_eq!((early[5].clone(), early[6].clone()), (Number(1.0), Number(10.0)));
    }
}
