//! Personas: the customers of the last analytics refresh clustered by
//! k-means over features the user picks — their RFM figures and lifetime
//! value, and fields of the customer (a company's industry, size and
//! region; a contact's age band and region; select and number custom
//! fields). A cluster can be saved as a segment (its customers, named).
//!
//! Clustering is seeded, so the same data, features and k give the same
//! clusters: saving re-runs it rather than keeping state between requests.

pub(crate) mod schema;

use std::collections::HashMap;

use chrono::NaiveDate;
use rapport_analytics::features::{FeatureKind, FeatureSpec, FeatureValue};
use rapport_analytics::market::{age_band, age_on};
use rapport_analytics::personas::{self, Cluster, KChoice, PersonaError};
use rapport_core::access::{Actor, Writer};
use rapport_core::custom_fields::CustomFieldType;
use rapport_core::schema::RecordType;
use rapport_core::{DomainError, FieldError};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::customers::CustomerType;
use crate::error::{Result, StorageContext};
use crate::row::ColumnRead;
use crate::settings::{Ctx, Snapshot};

/// The seed of every clustering: the same input, the same personas.
const SEED: u64 = 20_261_204;

/// A feature the user may pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureChoice {
    /// `recency_days`, `industry`, `custom.income_band`…
    pub key: String,
    pub number: bool,
    /// A custom field's label (built-in features are named by the UI).
    pub label: Option<String>,
}

/// Built-in features: (key, is a number).
pub const BUILT_IN: [(&str, bool); 9] = [
    ("recency_days", true),
    ("purchases", true),
    ("total_minor", true),
    ("clv_12m_minor", true),
    ("country", false),
    ("state", false),
    ("industry", false),
    ("size_band", false),
    ("age_band", false),
];

/// Features picked when the user has not chosen.
pub const DEFAULT_FEATURES: [&str; 4] = ["recency_days", "purchases", "total_minor", "state"];

fn custom_features(snapshot: &Snapshot) -> Vec<FeatureChoice> {
    let mut out = Vec::new();
    for kind in [RecordType::COMPANY, RecordType::CONTACT] {
        for field in snapshot.custom_fields_of(kind) {
            let number = match field.field_type {
                CustomFieldType::Number | CustomFieldType::Money => true,
                CustomFieldType::Select | CustomFieldType::Boolean => false,
                _ => continue,
            };
            let key = format!("custom.{}", field.key);
            if !out.iter().any(|f: &FeatureChoice| f.key == key) {
                out.push(FeatureChoice { key, number, label: Some(field.label.clone()) });
            }
        }
    }
    out
}

/// Every feature the clustering can use, built-in first.
pub async fn feature_choices(ctx: &Ctx) -> Result<Vec<FeatureChoice>> {
    let snapshot = ctx.snapshot().await?;
    let mut out: Vec<FeatureChoice> = BUILT_IN
        .iter()
        .map(|(key, number)| FeatureChoice { key: (*key).to_owned(), number: *number, label: None })
        .collect();
    out.extend(custom_features(&snapshot));
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonaRequest {
    pub features: Vec<String>,
    /// None: chosen by silhouette between 2 and 8.
    pub k: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonaView {
    pub features: Vec<FeatureChoice>,
    pub customers: u64,
    pub k: usize,
    pub silhouette: f64,
    pub tried: Vec<(usize, f64)>,
    pub clusters: Vec<Cluster>,
    pub currency: String,
}

/// One customer's figures and fields, as the clustering reads them.
struct Customer {
    kind: CustomerType,
    id: Uuid,
    numbers: HashMap<&'static str, f64>,
    value_minor: i64,
}

async fn customers(conn: &impl ConnectionTrait) -> Result<Vec<Customer>> {
    let query = Query::select()
        .columns(["customer_type", "customer_id", "recency_days", "purchases", "total_minor", "clv_12m_minor"])
        .from("customer_metrics")
        .and_where(crate::analytics::customers::current_generation())
        .order_by("customer_type", Order::Asc)
        .order_by("customer_id", Order::Asc)
        .to_owned();
    let mut out = Vec::new();
    for row in conn.query_all(&query).await.context("read the customers' figures")? {
        let Some(kind) = row.text("customer_type")?.as_deref().and_then(CustomerType::parse) else { continue };
        let mut numbers = HashMap::new();
        for key in ["recency_days", "purchases", "total_minor", "clv_12m_minor"] {
            if let Some(n) = row.big_int(key)? {
                numbers.insert(key, n as f64);
            }
        }
        let value_minor = row.big_int("clv_12m_minor")?.or(row.big_int("total_minor")?).unwrap_or(0);
        out.push(Customer { kind, id: row.required("customer_id", ColumnRead::uuid)?, numbers, value_minor });
    }
    Ok(out)
}

/// The fields of each customer record the features need (by id).
async fn fields(
    conn: &impl ConnectionTrait,
    kind: CustomerType,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, serde_json::Map<String, Value>>> {
    let (table, columns): (&str, &[&str]) = match kind {
        CustomerType::Company => ("companies", &["id", "country", "state", "industry", "size_band", "custom"]),
        CustomerType::Contact => ("contacts", &["id", "country", "state", "birth_date", "custom", "company_id"]),
    };
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let query = Query::select()
            .columns(columns.iter().copied())
            .from(table)
            .and_where(Expr::col("id").is_in(chunk.iter().copied()))
            .to_owned();
        for row in conn.query_all(&query).await.context("read the customers' fields")? {
            let mut map = serde_json::Map::new();
            for column in &columns[1..] {
                let value = match *column {
                    "custom" => row.json("custom")?.unwrap_or(Value::Null),
                    "birth_date" => row.date("birth_date")?.map_or(Value::Null, |d| Value::String(d.to_string())),
                    "company_id" => row.uuid("company_id")?.map_or(Value::Null, |u| Value::String(u.to_string())),
                    other => row.text(other)?.map_or(Value::Null, Value::String),
                };
                map.insert((*column).to_owned(), value);
            }
            out.insert(row.required("id", ColumnRead::uuid)?, map);
        }
    }
    Ok(out)
}

fn category(value: Option<&Value>) -> FeatureValue {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => FeatureValue::Category(s.trim().to_owned()),
        Some(Value::Bool(b)) => FeatureValue::Category(b.to_string()),
        _ => FeatureValue::Missing,
    }
}

fn number(value: Option<&Value>) -> FeatureValue {
    match value {
        Some(Value::Number(n)) => n.as_f64().map_or(FeatureValue::Missing, FeatureValue::Number),
        Some(Value::Object(o)) => {
            o.get("amount_minor").and_then(Value::as_f64).map_or(FeatureValue::Missing, FeatureValue::Number)
        }
        _ => FeatureValue::Missing,
    }
}

fn feature_value(
    choice: &FeatureChoice,
    customer: &Customer,
    record: Option<&serde_json::Map<String, Value>>,
    today: NaiveDate,
) -> FeatureValue {
    if let Some(n) =
        BUILT_IN.iter().find(|(k, number)| *number && *k == choice.key).and_then(|(k, _)| customer.numbers.get(k))
    {
        // Purchases, spend and value are heavy-tailed: on a log scale a few
        // big customers do not squeeze everyone else into one "average" group.
        return FeatureValue::Number(f64::max(*n, 0.0).ln_1p());
    }
    let Some(record) = record else { return FeatureValue::Missing };
    match choice.key.as_str() {
        "age_band" => record
            .get("birth_date")
            .and_then(Value::as_str)
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .and_then(|d| age_on(d, today))
            .map_or(FeatureValue::Missing, |age| FeatureValue::Category(age_band(age).to_owned())),
        key => match key.strip_prefix("custom.") {
            Some(custom) => {
                let value = record.get("custom").and_then(|c| c.get(custom));
                if choice.number { number(value) } else { category(value) }
            }
            None => category(record.get(key)),
        },
    }
}

/// A clustering outcome with each customer's persona, for saving.
struct Clustered {
    view: PersonaView,
    members: Vec<(CustomerType, Uuid, u16)>,
}

fn persona_error(error: PersonaError) -> DomainError {
    let field = |field: &str, code: &str, message: String| {
        DomainError::Validation(FieldError::new(field, code, message).into())
    };
    match error {
        PersonaError::NoRows => field("features", "persona_no_customers", error.to_string()),
        PersonaError::NoFeatures => field("features", "persona_no_features", error.to_string()),
        PersonaError::KTooLarge { k, max } => DomainError::Validation(
            FieldError::new("k", "persona_k_too_large", error.to_string()).with("k", k).with("max", max).into(),
        ),
        PersonaError::KExceedsDistinctRows { k, distinct } => DomainError::Validation(
            FieldError::new("k", "persona_k_over_customers", error.to_string())
                .with("k", k)
                .with("distinct", distinct)
                .into(),
        ),
        PersonaError::AllIdentical { rows } => DomainError::Validation(
            FieldError::new("features", "persona_all_identical", error.to_string()).with("rows", rows).into(),
        ),
        PersonaError::KTooSmall { .. } | PersonaError::EmptyKRange { .. } => {
            field("k", "persona_k_too_small", error.to_string())
        }
        other => field("features", "persona_failed", other.to_string()),
    }
}

async fn run(ctx: &Ctx, request: &PersonaRequest) -> Result<Clustered> {
    let conn = ctx.db.analytics();
    let snapshot = ctx.snapshot().await?;
    let choices = feature_choices(ctx).await?;
    let mut picked: Vec<FeatureChoice> = Vec::new();
    for key in &request.features {
        match choices.iter().find(|c| c.key == *key) {
            Some(choice) if !picked.contains(choice) => picked.push(choice.clone()),
            Some(_) => {}
            None => return Err(DomainError::invalid("features", "unknown_field", format!("no feature {key}")).into()),
        }
    }
    let customers = customers(conn).await?;
    let mut records: HashMap<Uuid, serde_json::Map<String, Value>> = HashMap::new();
    for kind in [CustomerType::Company, CustomerType::Contact] {
        let ids: Vec<Uuid> = customers.iter().filter(|c| c.kind == kind).map(|c| c.id).collect();
        records.extend(fields(conn, kind, &ids).await?);
    }
    let today = ctx.now().date_naive();
    let specs: Vec<FeatureSpec> = picked
        .iter()
        .map(|c| FeatureSpec {
            key: c.key.clone(),
            kind: if c.number { FeatureKind::Number } else { FeatureKind::Category },
        })
        .collect();
    let rows: Vec<Vec<FeatureValue>> = customers
        .iter()
        .map(|c| picked.iter().map(|f| feature_value(f, c, records.get(&c.id), today)).collect())
        .collect();
    let values: Vec<i64> = customers.iter().map(|c| c.value_minor).collect();
    let choice = match request.k {
        Some(k) => KChoice::Fixed(k),
        None => KChoice::default(),
    };
    let found = personas::cluster(&specs, &rows, &values, choice, SEED).map_err(persona_error)?;
    let members = customers.iter().zip(&found.assignments).map(|(c, a)| (c.kind, c.id, *a)).collect();
    Ok(Clustered {
        view: PersonaView {
            features: picked,
            customers: customers.len() as u64,
            k: found.k,
            silhouette: found.silhouette,
            tried: found.tried,
            clusters: found.clusters,
            currency: snapshot.settings.default_currency.clone(),
        },
        members,
    })
}

/// Clusters the customers of the last refresh on the requested features.
#[tracing::instrument(skip_all, err)]
pub async fn cluster(ctx: &Ctx, _actor: &Actor, request: &PersonaRequest) -> Result<PersonaView> {
    Ok(run(ctx, request).await?.view)
}

/// Saves persona `index` of the clustering `request` gives as a segment
/// named `name`; returns its id.
#[tracing::instrument(skip_all, err)]
pub async fn save_segment(
    ctx: &Ctx,
    writer: &Writer,
    request: &PersonaRequest,
    index: usize,
    name: &str,
) -> Result<Uuid> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(DomainError::invalid("name", "required", "a name of 1 to 120 characters").into());
    }
    let clustered = run(ctx, request).await?;
    let Some(cluster) = clustered.view.clusters.get(index) else {
        return Err(DomainError::invalid("persona", "unknown_reference", "no such persona").into());
    };
    let id = Uuid::now_v7();
    let definition = serde_json::json!({"features": request.features, "k": clustered.view.k, "persona": index, "traits": cluster.traits});
    let members: Vec<&(CustomerType, Uuid, u16)> =
        clustered.members.iter().filter(|(_, _, persona)| usize::from(*persona) == index).collect();
    let tx = ctx.db.write().await?;
    tx.execute(
        &Query::insert()
            .into_table("saved_segments")
            .columns(["id", "name", "source", "definition", "customers", "created_by", "created_at"])
            .values_panic([
                id.into(),
                name.to_owned().into(),
                "persona".into(),
                definition.into(),
                (members.len() as i64).into(),
                writer.user_id.into(),
                ctx.now().into(),
            ])
            .to_owned(),
    )
    .await
    .context("save a segment")?;
    for chunk in members.chunks(crate::row::statement_sizes(members.len(), 3).first().copied().unwrap_or(1).max(1)) {
        let mut insert = Query::insert();
        insert.into_table("saved_segment_members").columns(["segment_id", "customer_type", "customer_id"]);
        for (kind, customer, _) in chunk {
            insert.values_panic([id.into(), kind.as_str().into(), (*customer).into()]);
        }
        tx.execute(&insert).await.context("save a segment's customers")?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A saved segment and the customers of it the actor may see (at most `limit`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SavedSegment {
    pub id: Uuid,
    pub name: String,
    pub customers: u64,
    pub definition: Value,
    /// (type, id, display name) of the visible members, by name.
    pub members: Vec<(String, Uuid, String)>,
}

pub async fn saved_segment(ctx: &Ctx, actor: &Actor, id: Uuid, limit: usize) -> Result<SavedSegment> {
    let conn = ctx.db.conn();
    let snapshot = ctx.snapshot().await?;
    let row = conn
        .query_one(
            &Query::select()
                .columns(["id", "name", "customers", "definition"])
                .from("saved_segments")
                .and_where(Expr::col("id").eq(id))
                .to_owned(),
        )
        .await
        .context("read a segment")?
        .ok_or_else(|| DomainError::not_found("segment"))?;
    let mut members = Vec::new();
    for (kind, record_type) in
        [(CustomerType::Company, RecordType::COMPANY), (CustomerType::Contact, RecordType::CONTACT)]
    {
        let ids = Query::select()
            .column("customer_id")
            .from("saved_segment_members")
            .and_where(Expr::col("segment_id").eq(id))
            .and_where(Expr::col("customer_type").eq(kind.as_str()))
            .to_owned();
        let scope = crate::records::repo_scope_condition(&crate::records::read_scope(actor, &snapshot, record_type));
        let query = match kind {
            CustomerType::Company => Query::select().columns(["id", "name"]).from("companies").to_owned(),
            CustomerType::Contact => {
                Query::select().columns(["id", "first_name", "last_name"]).from("contacts").to_owned()
            }
        }
        .and_where(Expr::col("id").in_subquery(ids))
        .and_where(Expr::col("deleted_at").is_null())
        .cond_where(scope)
        .limit(limit as u64)
        .to_owned();
        for r in conn.query_all(&query).await.context("read a segment's customers")? {
            let name = match kind {
                CustomerType::Company => r.text("name")?.unwrap_or_default(),
                CustomerType::Contact => {
                    [r.text("first_name")?, r.text("last_name")?].into_iter().flatten().collect::<Vec<_>>().join(" ")
                }
            };
            members.push((kind.as_str().to_owned(), r.required("id", ColumnRead::uuid)?, name));
        }
    }
    members.sort_by_key(|m| m.2.to_lowercase());
    members.truncate(limit);
    Ok(SavedSegment {
        id,
        name: row.text("name")?.unwrap_or_default(),
        customers: u64::try_from(row.big_int("customers")?.unwrap_or(0)).unwrap_or(0),
        definition: row.json("definition")?.unwrap_or(Value::Null),
        members,
    })
}

/// The saved segments, newest first: (id, name, customers).
pub async fn saved_segments(ctx: &Ctx) -> Result<Vec<(Uuid, String, u64)>> {
    let query = Query::select()
        .columns(["id", "name", "customers"])
        .from("saved_segments")
        .order_by("created_at", Order::Desc)
        .limit(100)
        .to_owned();
    let rows = ctx.db.conn().query_all(&query).await.context("list segments")?;
    rows.iter()
        .map(|r| {
            Ok((
                r.required("id", ColumnRead::uuid)?,
                r.text("name")?.unwrap_or_default(),
                u64::try_from(r.big_int("customers")?.unwrap_or(0)).unwrap_or(0),
            ))
        })
        .collect()
}
