//! Lead scoring: how likely an open lead is to convert, learned from closed
//! leads (converted or disqualified) by L2-regularised logistic regression
//! over the shared feature encoding, with the reasons behind each score.
//! While history is short, [`score_by_rules`] scores by editable rules.
//!
//! Training measures the model honestly before trusting it: a stratified,
//! seeded [`CV_FOLDS`]-fold cross-validation (the encoding refitted inside each
//! fold, so nothing about the held-out leads leaks in) gives the mean held-out
//! AUC; then the model is fitted on all closed leads.
//!
//! A score's reasons: for each feature, its contribution to the log-odds
//! against a lead at the training average (weight × (encoded value − training
//! mean), summed over a category's one-hot columns), converted to points as
//! the change in probability × 100 when that feature alone is put back at the
//! average. So "source: referral +12" means this lead's source moves it 12
//! points above an average source.

mod auc;
mod rules;

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, ArrayView2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::features::{CategoryLevel, Encoding, EncodingError, FeatureSpec, FeatureValue};
pub use auc::auc;
pub use rules::{
    RULES_BASE_POINTS, RuleCondition, ScoringRule, default_lead_specs, default_rules, keys, score_by_rules,
};

/// Fewer closed leads than this is too little history to learn from.
pub const MIN_CLOSED_LEADS: usize = 200;
/// Each outcome (converted, not converted) needs at least this many leads.
pub const MIN_PER_OUTCOME: usize = 20;
/// Folds of the cross-validation.
pub const CV_FOLDS: usize = 5;
/// The L2 penalty (on the summed log-loss, over standardised features): mild,
/// enough to keep weights finite when a category separates perfectly.
pub const L2_PENALTY: f64 = 1.0;
/// At most this many reasons come with a score.
pub const MAX_REASONS: usize = 4;
const MAX_ITERATIONS: u64 = 200;

/// One closed lead: its features (in spec order) and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadExample {
    pub features: Vec<FeatureValue>,
    /// Became a customer or was qualified; false = disqualified.
    pub converted: bool,
}

/// How a closed lead ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Converted,
    NotConverted,
}

/// Why no model could be trained.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScoringError {
    #[error("there are no features to learn from")]
    NoFeatures,
    #[error("lead {row} has {found} values but there are {expected} features")]
    RowLength { row: usize, expected: usize, found: usize },
    #[error("{closed} closed leads; at least {needed} are needed")]
    NotEnoughHistory { closed: usize, needed: usize },
    #[error("{found} closed leads ended {outcome:?}; at least {needed} are needed")]
    TooFewOfOutcome { outcome: Outcome, found: usize, needed: usize },
    #[error("the logistic regression could not be fitted")]
    FitFailed,
}

impl From<EncodingError> for ScoringError {
    fn from(error: EncodingError) -> Self {
        match error {
            EncodingError::NoFeatures => ScoringError::NoFeatures,
            EncodingError::RowLength { row, expected, found } => ScoringError::RowLength { row, expected, found },
        }
    }
}

/// A trained scorer, stored as JSON and used to score open leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadModel {
    /// The features it was trained on, in the order rows must follow.
    pub specs: Vec<FeatureSpec>,
    pub encoding: Encoding,
    /// One per encoded column ([`Encoding::columns`]), on the log-odds of converting.
    pub weights: Vec<f64>,
    pub intercept: f64,
    /// The mean of each encoded column over the training leads: the
    /// "average lead" reasons are measured against.
    pub column_means: Vec<f64>,
    /// Mean held-out AUC over the folds (0.5 = no better than chance).
    pub cv_auc: f64,
    pub cv_fold_aucs: Vec<f64>,
    /// Closed leads trained on, and how many of them converted.
    pub closed: usize,
    pub converted: usize,
}

/// A lead's score and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadScore {
    /// 0..=100: the chance of converting × 100, rounded (or the rules' total).
    pub points: u8,
    /// Strongest first, both signs.
    pub reasons: Vec<Reason>,
}

/// One feature's push on a score, e.g. `source_channel` = referral, +12.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub key: String,
    /// The lead's category for a category feature; `None` for a number.
    pub value: Option<CategoryLevel>,
    pub points: i32,
}

/// Trains a lead scorer on closed leads (features in `specs` order).
pub fn train(specs: &[FeatureSpec], examples: &[LeadExample], seed: u64) -> Result<LeadModel, ScoringError> {
    if specs.is_empty() {
        return Err(ScoringError::NoFeatures);
    }
    if let Some((row, example)) = examples.iter().enumerate().find(|(_, e)| e.features.len() != specs.len()) {
        return Err(ScoringError::RowLength { row, expected: specs.len(), found: example.features.len() });
    }
    let closed = examples.len();
    if closed < MIN_CLOSED_LEADS {
        return Err(ScoringError::NotEnoughHistory { closed, needed: MIN_CLOSED_LEADS });
    }
    let converted = examples.iter().filter(|e| e.converted).count();
    for (outcome, found) in [(Outcome::Converted, converted), (Outcome::NotConverted, closed - converted)] {
        if found < MIN_PER_OUTCOME {
            return Err(ScoringError::TooFewOfOutcome { outcome, found, needed: MIN_PER_OUTCOME });
        }
    }

    let folds = stratified_folds(examples, CV_FOLDS, seed);
    let mut cv_fold_aucs = Vec::with_capacity(CV_FOLDS);
    for fold in 0..CV_FOLDS {
        let train: Vec<&LeadExample> =
            examples.iter().zip(&folds).filter(|(_, f)| **f != fold).map(|(e, _)| e).collect();
        let held_out: Vec<&LeadExample> =
            examples.iter().zip(&folds).filter(|(_, f)| **f == fold).map(|(e, _)| e).collect();
        let model = fit(specs, &train)?;
        let scores: Vec<f64> = held_out.iter().map(|e| model.probability(&e.features)).collect();
        let labels: Vec<bool> = held_out.iter().map(|e| e.converted).collect();
        // Stratification puts both outcomes in every fold, so the AUC exists.
        cv_fold_aucs.push(auc(&scores, &labels).ok_or(ScoringError::FitFailed)?);
    }
    let all: Vec<&LeadExample> = examples.iter().collect();
    let fitted = fit(specs, &all)?;
    let cv_auc = cv_fold_aucs.iter().sum::<f64>() / cv_fold_aucs.len() as f64;
    Ok(LeadModel {
        specs: specs.to_vec(),
        encoding: fitted.encoding,
        weights: fitted.weights,
        intercept: fitted.intercept,
        column_means: fitted.column_means,
        cv_auc,
        cv_fold_aucs,
        closed,
        converted,
    })
}

/// The parts of a model one fit produces.
struct Fitted {
    encoding: Encoding,
    weights: Vec<f64>,
    intercept: f64,
    column_means: Vec<f64>,
}

impl Fitted {
    fn probability(&self, row: &[FeatureValue]) -> f64 {
        let x = self.encoding.encode_row(row);
        sigmoid(self.intercept + dot(&self.weights, &x))
    }
}

fn fit(specs: &[FeatureSpec], examples: &[&LeadExample]) -> Result<Fitted, ScoringError> {
    let encoding = Encoding::fit(specs, examples.iter().map(|e| e.features.as_slice()))?;
    let x = encoding.encode_rows(examples.iter().map(|e| e.features.as_slice()), examples.len())?;
    let y: Array1<bool> = examples.iter().map(|e| e.converted).collect();
    let column_means = x.mean_axis(Axis(0)).map(|m| m.to_vec()).unwrap_or_else(|| vec![0.0; encoding.width()]);
    let (weights, intercept) = logistic(x.view(), y)?;
    Ok(Fitted { encoding, weights, intercept, column_means })
}

/// Fits the logistic regression and returns weights and intercept on the
/// log-odds of *converting* (linfa models the larger class, so flip if needed).
fn logistic(x: ArrayView2<f64>, y: Array1<bool>) -> Result<(Vec<f64>, f64), ScoringError> {
    let dataset = DatasetBase::new(x, y);
    let model = LogisticRegression::default()
        .alpha(L2_PENALTY)
        .max_iterations(MAX_ITERATIONS)
        .fit(&dataset)
        .map_err(|_| ScoringError::FitFailed)?;
    let sign = if model.labels().pos.class { 1.0 } else { -1.0 };
    let weights: Vec<f64> = model.params().iter().map(|w| sign * w).collect();
    let intercept = sign * model.intercept();
    if !intercept.is_finite() || weights.iter().any(|w| !w.is_finite()) {
        return Err(ScoringError::FitFailed);
    }
    Ok((weights, intercept))
}

/// Assigns each example a fold so every fold holds its share of each outcome.
fn stratified_folds(examples: &[LeadExample], folds: usize, seed: u64) -> Vec<usize> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut assignment = vec![0; examples.len()];
    for outcome in [true, false] {
        let mut members: Vec<usize> = (0..examples.len()).filter(|&i| examples[i].converted == outcome).collect();
        members.shuffle(&mut rng);
        for (position, index) in members.into_iter().enumerate() {
            assignment[index] = position % folds;
        }
    }
    assignment
}

impl LeadModel {
    /// The chance (0..=1) that a lead with these features converts.
    pub fn probability(&self, row: &[FeatureValue]) -> f64 {
        let x = self.encoding.encode_row(row);
        sigmoid(self.intercept + dot(&self.weights, &x))
    }

    /// Scores an open lead (features in [`LeadModel::specs`] order; absent
    /// trailing values count as missing).
    pub fn score(&self, row: &[FeatureValue]) -> LeadScore {
        let x = self.encoding.encode_row(row);
        let logit = self.intercept + dot(&self.weights, &x);
        let probability = sigmoid(logit);
        let mut contributions = vec![0.0; self.encoding.features.len()];
        for (column, info) in self.encoding.columns().iter().enumerate() {
            let mean = self.column_means.get(column).copied().unwrap_or(0.0);
            let weight = self.weights.get(column).copied().unwrap_or(0.0);
            contributions[info.feature()] += weight * (x[column] - mean);
        }
        let mut reasons: Vec<Reason> = contributions
            .iter()
            .enumerate()
            .map(|(feature, contribution)| {
                let encoding = &self.encoding.features[feature];
                let at_average = sigmoid(logit - contribution);
                Reason {
                    key: encoding.key().to_owned(),
                    value: encoding.level_of(row.get(feature).unwrap_or(&FeatureValue::Missing)),
                    points: (100.0 * (probability - at_average)).round() as i32,
                }
            })
            .filter(|reason| reason.points != 0)
            .collect();
        reasons.sort_by(|a, b| b.points.abs().cmp(&a.points.abs()).then_with(|| a.key.cmp(&b.key)));
        reasons.truncate(MAX_REASONS);
        LeadScore { points: (100.0 * probability).round().clamp(0.0, 100.0) as u8, reasons }
    }

    /// The weight of each encoded column, with what the column stands for:
    /// for showing what the model learned.
    pub fn weights_by_column(&self) -> Vec<(crate::features::Column, f64)> {
        self.encoding.columns().into_iter().zip(self.weights.iter().copied()).collect()
    }
}

fn dot(weights: &[f64], x: &[f64]) -> f64 {
    weights.iter().zip(x).map(|(w, v)| w * v).sum()
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests;
