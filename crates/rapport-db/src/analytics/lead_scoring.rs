//! Lead scoring in the product: a model learned from the closed leads
//! (converted = positive, disqualified = negative) once there are
//! [`MIN_CLOSED_LEADS`] of them, the administrator's rules meanwhile, and each
//! open lead's score with its reasons.
//!
//! The work runs in the background ([`run_job`]): weekly (and when an
//! administrator asks) it retrains and re-scores every open lead; hourly it
//! scores only the leads created or changed since the last pass. A score is
//! stored in `lead_scores` and copied to the lead's `score` column so lists
//! sort and filter by it. That copy is a plain `UPDATE` of the one column:
//! the score is derived, not a user's edit, so it neither bumps the lead's
//! version (no one's open form goes stale), nor its `updated_at` (the hourly
//! pass would otherwise see every scored lead as changed), nor the audit log.

mod features;
mod passes;
mod schema;

use chrono::{DateTime, Datelike, Utc};
use rapport_analytics::features::{CategoryLevel, FeatureKind, FeatureSpec, FeatureValue};
use rapport_analytics::scoring::{LeadModel, MIN_CLOSED_LEADS, Outcome, RuleCondition, ScoringRule, default_rules};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Admin};
use rapport_core::ids::RecordId;
use rapport_core::jobs::JobKind;
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict, Order, Query};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::{Error, Result, StorageContext};
use crate::row::ColumnRead;
use crate::settings::Ctx;

pub use features::{CUSTOM_PREFIX, ENGAGEMENT_DAYS, UTM_MEDIUM, UTM_SOURCE, lead_specs};
pub use passes::{PassSummary, retrain_and_score, score_all, score_changed};
pub(crate) use schema::m0025_lead_scoring;

/// Open leads: the ones scored.
pub const OPEN_STATUSES: [&str; 3] = ["new", "contacted", "qualified"];
/// Closed leads: the history learned from.
pub const CONVERTED: &str = "converted";
pub const DISQUALIFIED: &str = "disqualified";
/// Models kept (the active one and those before it).
pub const MODELS_KEPT: usize = 5;
/// At most this many rules.
pub const MAX_RULES: usize = 50;
/// A rule adds or takes away at most this many points.
pub const MAX_RULE_POINTS: i32 = 100;
/// How many features the status lists, strongest first.
pub const TOP_FEATURES: usize = 8;
/// Weights smaller than this (a feature the model all but ignores) are not listed.
pub const NEGLIGIBLE_WEIGHT: f64 = 0.01;

const RULES_KEY: &str = "lead_scoring_rules";
const STATE_KEY: &str = "lead_scoring_state";

/// How scores are being made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Model,
    Rules,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Model => "model",
            Method::Rules => "rules",
        }
    }

    fn parse(input: &str) -> Option<Self> {
        [Method::Model, Method::Rules].into_iter().find(|m| m.as_str() == input)
    }
}

/// Why the rules score leads rather than a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum WhyRules {
    /// No training has run yet; `closed` leads are there to learn from.
    NotTrainedYet {
        closed: u64,
        needed: u64,
    },
    NotEnoughHistory {
        closed: u64,
        needed: u64,
    },
    /// Too few converted (`outcome` = converted) or disqualified leads.
    TooFewOfOutcome {
        #[schema(value_type = String)]
        outcome: Outcome,
        found: u64,
        needed: u64,
    },
    /// The history was enough but the model could not be fitted.
    TrainingFailed {
        closed: u64,
    },
}

/// The latest training's outcome, kept in the scorer's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingAttempt {
    pub at: DateTime<Utc>,
    /// The trained model, or why there is none.
    pub model_id: Option<Uuid>,
    pub why_rules: Option<WhyRules>,
}

/// What the scorer remembers between passes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScorerState {
    pub last_pass_at: Option<DateTime<Utc>>,
    pub training: Option<TrainingAttempt>,
}

/// One learned weight, on the log-odds of converting (per standard deviation
/// for a number; for one value of a category).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FeatureWeight {
    pub key: String,
    /// The category's value (`other`, `missing` or the value); none for a number.
    pub level: Option<String>,
    pub weight: f64,
}

/// A trained model as the admin sees it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ModelSummary {
    pub id: Uuid,
    pub trained_at: DateTime<Utc>,
    pub closed: u64,
    pub converted: u64,
    pub cv_auc: f64,
    pub fold_aucs: Vec<f64>,
    pub active: bool,
    /// The strongest weights, strongest first (empty in the history).
    pub top_features: Vec<FeatureWeight>,
}

/// Open leads with a score in `from..=to`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScoreBand {
    pub from: u8,
    pub to: u8,
    pub leads: u64,
}

/// The scorer as the analytics page and `GET /analytics/lead-scoring` show it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScoringStatus {
    pub method: Method,
    /// Set when `method` is rules.
    pub why_rules: Option<WhyRules>,
    /// The active model.
    pub model: Option<ModelSummary>,
    /// Models trained before, newest first.
    pub history: Vec<ModelSummary>,
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<ScoringRule>,
    /// The features a rule may name.
    #[schema(value_type = Vec<Object>)]
    pub features: Vec<FeatureSpec>,
    /// Open leads the actor may see, per band of 20 points.
    pub distribution: Vec<ScoreBand>,
    /// Open leads the actor may see that have no score yet.
    pub unscored: u64,
    pub last_pass_at: Option<DateTime<Utc>>,
}

/// One feature's push on a lead's score, with the lead's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoreReason {
    pub key: String,
    /// The lead's value: `{"category": "web form"}`, `{"number": 3.0}` or `"missing"`.
    #[schema(value_type = Object)]
    pub value: FeatureValue,
    pub points: i32,
}

/// A lead's stored score.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredScore {
    pub lead_id: Uuid,
    /// 0..=100.
    pub points: u8,
    /// Strongest first.
    pub reasons: Vec<ScoreReason>,
    pub method: Method,
    pub model_id: Option<Uuid>,
    pub scored_at: DateTime<Utc>,
}

/// The scorer's status for `actor` (the distribution counts the open leads
/// they may see).
#[tracing::instrument(skip_all, err)]
pub async fn status(ctx: &Ctx, actor: &Actor) -> Result<ScoringStatus> {
    let conn = ctx.db.conn();
    let snapshot = ctx.snapshot().await?;
    let state = load_state(conn).await?;
    let models = models(conn).await?;
    let active = models.iter().find(|(summary, _)| summary.active);
    let model = active.map(|(summary, model)| ModelSummary { top_features: top_features(model), ..summary.clone() });
    let history = models.iter().filter(|(s, _)| !s.active).map(|(s, _)| s.clone()).collect();
    let why_rules = match (&model, state.training.as_ref().and_then(|t| t.why_rules.clone())) {
        (Some(_), _) => None,
        (None, Some(why)) => Some(why),
        (None, None) => {
            Some(WhyRules::NotTrainedYet { closed: closed_leads(conn).await?, needed: MIN_CLOSED_LEADS as u64 })
        }
    };
    let scope = crate::records::repo_scope_condition(&crate::records::read_scope(actor, &snapshot, RecordType::LEAD));
    let query = Query::select()
        .column("score")
        .expr_as(Func::count(Expr::col("id")), "n")
        .from("leads")
        .and_where(Expr::col("deleted_at").is_null())
        .and_where(Expr::col("status").is_in(OPEN_STATUSES))
        .cond_where(scope)
        .group_by_col("score")
        .to_owned();
    let mut distribution: Vec<ScoreBand> = (0..5)
        .map(|band| ScoreBand { from: band * 20, to: if band == 4 { 100 } else { band * 20 + 19 }, leads: 0 })
        .collect();
    let mut unscored = 0;
    for row in conn.query_all(&query).await.context("count the open leads by score")? {
        let leads = u64::try_from(row.big_int("n")?.unwrap_or(0)).unwrap_or(0);
        match row.big_int("score")? {
            Some(score) => distribution[(score.clamp(0, 100) as usize / 20).min(4)].leads += leads,
            None => unscored += leads,
        }
    }
    Ok(ScoringStatus {
        method: if model.is_some() { Method::Model } else { Method::Rules },
        why_rules,
        model,
        history,
        rules: rules(conn).await?,
        features: lead_specs(&snapshot.custom_fields),
        distribution,
        unscored,
        last_pass_at: state.last_pass_at,
    })
}

/// A lead's score, if it has one; "not found" for a lead the actor may not see.
#[tracing::instrument(skip_all, err)]
pub async fn lead_score(ctx: &Ctx, actor: &Actor, id: RecordId) -> Result<Option<StoredScore>> {
    crate::records::get(ctx, actor, RecordType::LEAD, id).await?;
    let query = Query::select()
        .columns(["lead_id", "points", "reasons", "method", "model_id", "scored_at"])
        .from("lead_scores")
        .and_where(Expr::col("lead_id").eq(id.0))
        .to_owned();
    let Some(row) = ctx.db.conn().query_one(&query).await.context("read a lead's score")? else {
        return Ok(None);
    };
    let reasons = row.json("reasons")?.unwrap_or(Value::Null);
    Ok(Some(StoredScore {
        lead_id: row.required("lead_id", ColumnRead::uuid)?,
        points: row.required("points", ColumnRead::big_int)?.clamp(0, 100) as u8,
        reasons: serde_json::from_value(reasons).map_err(|e| crate::row::column_error(e.to_string()))?,
        method: row
            .text("method")?
            .as_deref()
            .and_then(Method::parse)
            .ok_or_else(|| crate::row::column_error("unknown scoring method".into()))?,
        model_id: row.uuid("model_id")?,
        scored_at: row.required("scored_at", ColumnRead::timestamp)?,
    }))
}

/// The administrator's rules ([`default_rules`] until they are edited).
pub async fn rules(conn: &impl ConnectionTrait) -> Result<Vec<ScoringRule>> {
    match read_setting(conn, RULES_KEY).await? {
        Some(value) => serde_json::from_value(value).map_err(|e| Error::Config(format!("stored scoring rules: {e}"))),
        None => Ok(default_rules()),
    }
}

/// Replaces the rules, after checking them, and queues a pass that re-scores
/// every open lead (the rules may be what scores them).
#[tracing::instrument(skip_all, fields(rules = new_rules.len()), err)]
pub async fn save_rules(ctx: &Ctx, _by: &Admin, new_rules: &[ScoringRule]) -> Result<()> {
    let snapshot = ctx.snapshot().await?;
    check_rules(&lead_specs(&snapshot.custom_fields), new_rules)?;
    let value = serde_json::to_value(new_rules).map_err(|e| Error::Config(e.to_string()))?;
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    write_setting(&*tx, RULES_KEY, value).await?;
    crate::jobs::enqueue(&*tx, JobKind::LeadScoring, &json!({"pass": "all"}), now, None, now).await?;
    tx.commit().await
}

/// Rules name known features with a condition of their kind, and points within bounds.
pub fn check_rules(specs: &[FeatureSpec], rules: &[ScoringRule]) -> Result<(), DomainError> {
    if rules.len() > MAX_RULES {
        return Err(DomainError::invalid("rules", "too_many", format!("at most {MAX_RULES} rules")));
    }
    for (index, rule) in rules.iter().enumerate() {
        let field = |name: &str| format!("rules[{index}].{name}");
        let Some(spec) = specs.iter().find(|s| s.key == rule.key) else {
            return Err(DomainError::invalid(field("key"), "unknown_feature", "a feature leads are scored on"));
        };
        let fits = match (&rule.condition, spec.kind) {
            (RuleCondition::Present | RuleCondition::Missing, _) => true,
            (RuleCondition::Equals(value), FeatureKind::Category) => !value.trim().is_empty(),
            (RuleCondition::AtLeast(x) | RuleCondition::AtMost(x), FeatureKind::Number) => x.is_finite(),
            _ => false,
        };
        if !fits {
            return Err(DomainError::invalid(
                field("condition"),
                "condition_kind",
                "a category is compared with a value, a number with a limit",
            ));
        }
        if rule.points.abs() > MAX_RULE_POINTS {
            return Err(DomainError::invalid(field("points"), "out_of_range", "between -100 and 100 points"));
        }
    }
    Ok(())
}

/// Queues a retraining and a full re-score (the admin's "Retrain now").
pub async fn request_training(ctx: &Ctx, _by: &Admin) -> Result<()> {
    let now = ctx.now();
    let tx = ctx.db.write().await?;
    crate::jobs::enqueue(&*tx, JobKind::LeadScoring, &json!({"pass": "retrain"}), now, None, now).await?;
    tx.commit().await
}

/// From the worker's hourly pass: queues this ISO week's retraining and this
/// hour's pass over the changed leads, each once whatever the number of calls
/// or replicas (their keys name the week and the hour).
pub async fn request_scheduled(ctx: &Ctx) -> Result<()> {
    let now = ctx.now();
    let week = now.date_naive().iso_week();
    let weekly = format!("lead_scoring:{}-W{:02}", week.year(), week.week());
    let hourly = format!("lead_scoring_changed:{}", now.format("%Y-%m-%dT%H"));
    let tx = ctx.db.write().await?;
    crate::jobs::enqueue(&*tx, JobKind::LeadScoring, &json!({"pass": "retrain"}), now, Some(&weekly), now).await?;
    crate::jobs::enqueue(&*tx, JobKind::LeadScoring, &json!({"pass": "changed"}), now, Some(&hourly), now).await?;
    tx.commit().await
}

/// Runs a queued pass: `retrain`, `all` (re-score with what is in use) or `changed`.
pub async fn run_job(ctx: &Ctx, payload: &Value) -> Result<PassSummary> {
    match payload.get("pass").and_then(Value::as_str) {
        Some("retrain") => retrain_and_score(ctx).await,
        Some("all") => score_all(ctx).await,
        _ => score_changed(ctx).await,
    }
}

/// The strongest weights of a model, as the admin reads them.
fn top_features(model: &LeadModel) -> Vec<FeatureWeight> {
    let mut weights: Vec<FeatureWeight> = model
        .weights_by_column()
        .into_iter()
        .filter(|(_, weight)| weight.is_finite() && weight.abs() >= NEGLIGIBLE_WEIGHT)
        .map(|(column, weight)| {
            use rapport_analytics::features::Column;
            let key = model.specs.get(column.feature()).map(|s| s.key.clone()).unwrap_or_default();
            let level = match column {
                Column::Number { .. } => None,
                Column::Category { level: CategoryLevel::Value(v), .. } => Some(v),
                Column::Category { level: CategoryLevel::Other, .. } => Some("other".to_owned()),
                Column::Category { level: CategoryLevel::Missing, .. } => Some("missing".to_owned()),
            };
            FeatureWeight { key, level, weight }
        })
        .collect();
    weights.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
    weights.truncate(TOP_FEATURES);
    weights
}

/// Closed leads now (converted or disqualified).
async fn closed_leads(conn: &impl ConnectionTrait) -> Result<u64> {
    let query = Query::select()
        .expr_as(Func::count(Expr::col("id")), "n")
        .from("leads")
        .and_where(Expr::col("deleted_at").is_null())
        .and_where(Expr::col("status").is_in([CONVERTED, DISQUALIFIED]))
        .to_owned();
    let row = conn.query_one(&query).await.context("count the closed leads")?;
    Ok(u64::try_from(row.map(|r| r.big_int("n")).transpose()?.flatten().unwrap_or(0)).unwrap_or(0))
}

/// The kept models, newest first, with the active one's model.
async fn models(conn: &impl ConnectionTrait) -> Result<Vec<(ModelSummary, LeadModel)>> {
    let query = Query::select()
        .columns(["id", "trained_at", "model", "active"])
        .from("lead_scoring_models")
        .order_by("trained_at", Order::Desc)
        .order_by("id", Order::Desc)
        .to_owned();
    let mut out = Vec::new();
    for row in conn.query_all(&query).await.context("read the lead scoring models")? {
        let model: LeadModel = serde_json::from_value(row.required("model", ColumnRead::json)?)
            .map_err(|e| crate::row::column_error(e.to_string()))?;
        let summary = ModelSummary {
            id: row.required("id", ColumnRead::uuid)?,
            trained_at: row.required("trained_at", ColumnRead::timestamp)?,
            closed: model.closed as u64,
            converted: model.converted as u64,
            cv_auc: model.cv_auc,
            fold_aucs: model.cv_fold_aucs.clone(),
            active: row.required("active", ColumnRead::boolean)?,
            top_features: Vec::new(),
        };
        out.push((summary, model));
    }
    Ok(out)
}

/// The active model, if there is one.
async fn active_model(conn: &impl ConnectionTrait) -> Result<Option<(Uuid, LeadModel)>> {
    let query = Query::select()
        .columns(["id", "model"])
        .from("lead_scoring_models")
        .and_where(Expr::col("active").eq(true))
        .order_by("trained_at", Order::Desc)
        .limit(1)
        .to_owned();
    let Some(row) = conn.query_one(&query).await.context("read the active scoring model")? else {
        return Ok(None);
    };
    let model = serde_json::from_value(row.required("model", ColumnRead::json)?)
        .map_err(|e| crate::row::column_error(e.to_string()))?;
    Ok(Some((row.required("id", ColumnRead::uuid)?, model)))
}

async fn load_state(conn: &impl ConnectionTrait) -> Result<ScorerState> {
    match read_setting(conn, STATE_KEY).await? {
        Some(value) => serde_json::from_value(value).map_err(|e| Error::Config(format!("stored scorer state: {e}"))),
        None => Ok(ScorerState::default()),
    }
}

/// Changes the scorer's state in one write transaction, its row locked on
/// PostgreSQL (SQLite has one writer): two passes at once (two replicas'
/// workers) each keep the other's change instead of overwriting it.
async fn change_state(ctx: &Ctx, change: impl FnOnce(&mut ScorerState)) -> Result<()> {
    let tx = ctx.db.write().await?;
    let first = Query::insert()
        .into_table("settings")
        .columns(["key", "value"])
        .values_panic([STATE_KEY.into(), json!({}).into()])
        .on_conflict(OnConflict::column("key").do_nothing().to_owned())
        .to_owned();
    tx.execute(&first).await.context("make the scorer's state")?;
    let lock = Query::select()
        .column("key")
        .from("settings")
        .and_where(Expr::col("key").eq(STATE_KEY))
        .lock(sea_orm::sea_query::LockType::Update)
        .to_owned();
    tx.query_one(&lock).await.context("lock the scorer's state")?;
    let mut state = load_state(&*tx).await?;
    change(&mut state);
    save_state(&*tx, &state).await?;
    tx.commit().await
}

async fn save_state(conn: &impl ConnectionTrait, state: &ScorerState) -> Result<()> {
    write_setting(conn, STATE_KEY, serde_json::to_value(state).map_err(|e| Error::Config(e.to_string()))?).await
}

async fn read_setting(conn: &impl ConnectionTrait, key: &str) -> Result<Option<Value>> {
    let query = Query::select().column("value").from("settings").and_where(Expr::col("key").eq(key)).to_owned();
    let row = conn.query_one(&query).await.context("read a scoring setting")?;
    row.map(|r| r.required("value", ColumnRead::json)).transpose()
}

async fn write_setting(conn: &impl ConnectionTrait, key: &str, value: Value) -> Result<()> {
    let upsert = Query::insert()
        .into_table("settings")
        .columns(["key", "value"])
        .values_panic([key.into(), value.into()])
        .on_conflict(OnConflict::column("key").update_column("value").to_owned())
        .to_owned();
    conn.execute(&upsert).await.context("save a scoring setting")?;
    Ok(())
}
