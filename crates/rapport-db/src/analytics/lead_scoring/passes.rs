//! The background passes: train on the closed leads, then score open leads
//! in batches (each batch one write transaction).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rapport_analytics::features::{FeatureSpec, FeatureValue};
use rapport_analytics::scoring::{
    LeadExample, LeadModel, LeadScore, MIN_CLOSED_LEADS, ScoringError, ScoringRule, score_by_rules, train,
};
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, OnConflict, Query};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::features::{LeadRow, activity_times, closing_times, feature_values, lead_ids, read_leads};
use super::{
    CONVERTED, DISQUALIFIED, MODELS_KEPT, Method, OPEN_STATUSES, ScoreReason, TrainingAttempt, WhyRules, active_model,
    change_state, lead_specs, load_state, rules,
};
use crate::error::{Error, Result, StorageContext};
use crate::settings::Ctx;

/// Open leads scored per transaction.
pub const BATCH: u64 = 500;
/// The seed of the cross-validation's folds: the same history trains the same model.
const TRAINING_SEED: u64 = 0x1ead_5c0e;

/// What a pass did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassSummary {
    pub method: Method,
    pub scored: u64,
    /// Set when the pass trained (or tried to).
    pub training: Option<TrainingAttempt>,
}

/// Trains on the closed leads (keeping the rules when that is not possible,
/// and saying why), then re-scores every open lead.
#[tracing::instrument(skip_all, err)]
pub async fn retrain_and_score(ctx: &Ctx) -> Result<PassSummary> {
    let started = ctx.now();
    let attempt = train_on_history(ctx, started).await?;
    change_state(ctx, |state| state.training = Some(attempt.clone())).await?;
    let mut summary = score_pass(ctx, Condition::all(), started).await?;
    summary.training = Some(attempt);
    Ok(summary)
}

/// Re-scores every open lead with the model or rules in use.
#[tracing::instrument(skip_all, err)]
pub async fn score_all(ctx: &Ctx) -> Result<PassSummary> {
    let started = ctx.now();
    score_pass(ctx, Condition::all(), started).await
}

/// Scores the open leads created or changed, or with an activity logged,
/// since the last pass (all of them when there was none).
#[tracing::instrument(skip_all, err)]
pub async fn score_changed(ctx: &Ctx) -> Result<PassSummary> {
    let started = ctx.now();
    let Some(since) = load_state(ctx.db.conn()).await?.last_pass_at else {
        return score_pass(ctx, Condition::all(), started).await;
    };
    let with_new_activity = Query::select()
        .column("target_id")
        .from("record_links")
        .and_where(Expr::col("source_type").eq(RecordType::ACTIVITY.as_str()))
        .and_where(Expr::col("target_type").eq(RecordType::LEAD.as_str()))
        .and_where(Expr::col("source_id").in_subquery(
            Query::select().column("id").from("activities").and_where(Expr::col("created_at").gte(since)).to_owned(),
        ))
        .to_owned();
    let changed = Condition::any()
        .add(Expr::col("created_at").gte(since))
        .add(Expr::col("updated_at").gte(since))
        .add(Expr::col("id").in_subquery(with_new_activity));
    score_pass(ctx, changed, started).await
}

/// Fits a model on the closed leads and makes it the active one, or records
/// why the rules stay in use.
async fn train_on_history(ctx: &Ctx, now: DateTime<Utc>) -> Result<TrainingAttempt> {
    let conn = ctx.db.conn();
    let snapshot = ctx.snapshot().await?;
    let specs = lead_specs(&snapshot.custom_fields);
    let closed_condition = Condition::all().add(Expr::col("status").is_in([CONVERTED, DISQUALIFIED]));
    let leads = read_leads(conn, closed_condition.clone(), None, None).await?;
    let activities = activity_times(conn, lead_ids(closed_condition.clone())).await?;
    let closings = closing_times(conn, lead_ids(closed_condition)).await?;
    let examples: Vec<LeadExample> = leads
        .iter()
        .map(|lead| {
            let status = lead.status.clone().unwrap_or_default();
            // Unaudited closings (created closed, loaded in bulk) closed at the last write at the latest.
            let closed_at = closings.get(&(lead.id, status.clone())).copied().unwrap_or(lead.updated_at);
            LeadExample {
                features: feature_values(lead, &specs, activities.get(&lead.id).map_or(&[], Vec::as_slice), closed_at),
                converted: status == CONVERTED,
            }
        })
        .collect();
    let closed = examples.len() as u64;
    let fitted = {
        let specs = specs.clone();
        tokio::task::spawn_blocking(move || train(&specs, &examples, TRAINING_SEED))
            .await
            .map_err(|e| Error::Config(format!("the training task failed: {e}")))?
    };
    let why_rules = match fitted {
        Ok(model) => {
            let id = store_model(ctx, &model, now).await?;
            tracing::info!(closed, cv_auc = model.cv_auc, "lead scoring model trained");
            return Ok(TrainingAttempt { at: now, model_id: Some(id), why_rules: None });
        }
        Err(ScoringError::NotEnoughHistory { closed, needed }) => {
            WhyRules::NotEnoughHistory { closed: closed as u64, needed: needed as u64 }
        }
        Err(ScoringError::TooFewOfOutcome { outcome, found, needed }) => {
            WhyRules::TooFewOfOutcome { outcome, found: found as u64, needed: needed as u64 }
        }
        Err(error) => {
            tracing::warn!(%error, closed, "lead scoring model could not be trained");
            if closed < MIN_CLOSED_LEADS as u64 {
                WhyRules::NotEnoughHistory { closed, needed: MIN_CLOSED_LEADS as u64 }
            } else {
                WhyRules::TrainingFailed { closed }
            }
        }
    };
    // Without a model trained on today's history, none is used.
    let tx = ctx.db.write().await?;
    let deactivate = Query::update().table("lead_scoring_models").value("active", false).to_owned();
    tx.execute(&deactivate).await.context("retire the scoring models")?;
    tx.commit().await?;
    Ok(TrainingAttempt { at: now, model_id: None, why_rules: Some(why_rules) })
}

/// Stores a model as the active one and forgets all but the newest few.
async fn store_model(ctx: &Ctx, model: &LeadModel, now: DateTime<Utc>) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let tx = ctx.db.write().await?;
    let deactivate = Query::update().table("lead_scoring_models").value("active", false).to_owned();
    tx.execute(&deactivate).await.context("retire the scoring models")?;
    let insert = Query::insert()
        .into_table("lead_scoring_models")
        .columns(["id", "trained_at", "closed", "converted", "cv_auc", "fold_aucs", "model", "active"])
        .values_panic([
            id.into(),
            now.into(),
            (model.closed as i64).into(),
            (model.converted as i64).into(),
            model.cv_auc.into(),
            json!(model.cv_fold_aucs).into(),
            serde_json::to_value(model).map_err(|e| Error::Config(e.to_string()))?.into(),
            true.into(),
        ])
        .to_owned();
    tx.execute(&insert).await.context("store a scoring model")?;
    let kept = Query::select()
        .column("id")
        .from("lead_scoring_models")
        .order_by("trained_at", sea_orm::Order::Desc)
        .order_by("id", sea_orm::Order::Desc)
        .limit(MODELS_KEPT as u64)
        .to_owned();
    let ids: Vec<Uuid> = tx
        .query_all(&kept)
        .await
        .context("list the scoring models")?
        .iter()
        .map(|row| crate::row::ColumnRead::required(row, "id", crate::row::ColumnRead::uuid))
        .collect::<Result<_>>()?;
    let forget = Query::delete().from_table("lead_scoring_models").and_where(Expr::col("id").is_not_in(ids)).to_owned();
    tx.execute(&forget).await.context("forget old scoring models")?;
    tx.commit().await?;
    Ok(id)
}

/// How open leads are scored in this pass.
enum Scorer {
    Model(Uuid, Box<LeadModel>),
    Rules(Vec<FeatureSpec>, Vec<ScoringRule>),
}

impl Scorer {
    fn specs(&self) -> &[FeatureSpec] {
        match self {
            Scorer::Model(_, model) => &model.specs,
            Scorer::Rules(specs, _) => specs,
        }
    }

    fn score(&self, row: &[FeatureValue]) -> LeadScore {
        match self {
            Scorer::Model(_, model) => model.score(row),
            Scorer::Rules(specs, rules) => score_by_rules(specs, rules, row),
        }
    }

    fn method(&self) -> (Method, Option<Uuid>) {
        match self {
            Scorer::Model(id, _) => (Method::Model, Some(*id)),
            Scorer::Rules(..) => (Method::Rules, None),
        }
    }
}

/// Scores the open leads matching `condition` in batches, then records the pass.
async fn score_pass(ctx: &Ctx, condition: Condition, started: DateTime<Utc>) -> Result<PassSummary> {
    let conn = ctx.db.conn();
    let scorer = match active_model(conn).await? {
        Some((id, model)) => Scorer::Model(id, Box::new(model)),
        None => {
            let snapshot = ctx.snapshot().await?;
            Scorer::Rules(lead_specs(&snapshot.custom_fields), rules(conn).await?)
        }
    };
    // `condition` may be an "any of": nest it rather than add to it.
    let open = Condition::all().add(condition).add(Expr::col("status").is_in(OPEN_STATUSES));
    let mut after = None;
    let mut scored = 0;
    loop {
        let batch = read_leads(conn, open.clone(), after, Some(BATCH)).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        let ids: Vec<Uuid> = batch.iter().map(|l| l.id).collect();
        let activities = activity_times(conn, lead_ids(Condition::all().add(Expr::col("id").is_in(ids)))).await?;
        let scores: Vec<(&LeadRow, LeadScore, Vec<FeatureValue>)> = batch
            .iter()
            .map(|lead| {
                let row =
                    feature_values(lead, scorer.specs(), activities.get(&lead.id).map_or(&[], Vec::as_slice), started);
                (lead, scorer.score(&row), row)
            })
            .collect();
        write_scores(ctx, &scorer, &scores, started).await?;
        scored += batch.len() as u64;
        if (batch.len() as u64) < BATCH {
            break;
        }
    }
    change_state(ctx, |state| state.last_pass_at = Some(started)).await?;
    Ok(PassSummary { method: scorer.method().0, scored, training: None })
}

/// The reasons with the lead's value of each feature.
fn reasons(specs: &[FeatureSpec], score: &LeadScore, row: &[FeatureValue]) -> Vec<ScoreReason> {
    score
        .reasons
        .iter()
        .map(|reason| {
            let value = specs
                .iter()
                .position(|s| s.key == reason.key)
                .and_then(|i| row.get(i).cloned())
                .unwrap_or(FeatureValue::Missing);
            ScoreReason { key: reason.key.clone(), value, points: reason.points }
        })
        .collect()
}

/// One transaction: the scores upserted, and each changed score copied to its lead.
async fn write_scores(
    ctx: &Ctx,
    scorer: &Scorer,
    scores: &[(&LeadRow, LeadScore, Vec<FeatureValue>)],
    at: DateTime<Utc>,
) -> Result<()> {
    let (method, model_id) = scorer.method();
    let tx = ctx.db.write().await?;
    for chunk in crate::row::statement_chunks(scores, 6) {
        let mut insert = Query::insert();
        insert.into_table("lead_scores").columns(["lead_id", "points", "reasons", "method", "model_id", "scored_at"]);
        for (lead, score, row) in chunk {
            let reasons =
                serde_json::to_value(reasons(scorer.specs(), score, row)).map_err(|e| Error::Config(e.to_string()))?;
            insert.values_panic([
                lead.id.into(),
                i64::from(score.points).into(),
                reasons.into(),
                method.as_str().into(),
                model_id.into(),
                at.into(),
            ]);
        }
        insert.on_conflict(
            OnConflict::column("lead_id")
                .update_columns(["points", "reasons", "method", "model_id", "scored_at"])
                .to_owned(),
        );
        tx.execute(&insert).await.context("store lead scores")?;
    }
    // The derived copy in the lead's own column: no version, no audit, no updated_at (see the module).
    let mut by_points: HashMap<u8, Vec<Uuid>> = HashMap::new();
    for (lead, score, _) in scores.iter().filter(|(lead, score, _)| lead.score != Some(i64::from(score.points))) {
        by_points.entry(score.points).or_default().push(lead.id);
    }
    for (points, ids) in by_points {
        let update = Query::update()
            .table("leads")
            .value("score", i64::from(points))
            .and_where(Expr::col("id").is_in(ids))
            .to_owned();
        tx.execute(&update).await.context("copy scores to the leads")?;
    }
    tx.commit().await
}
