//! Marketing attribution: which sources the revenue of converted journeys is
//! credited to, under the usual rule-based models.
//!
//! Every journey's revenue is split in whole minor units by the largest
//! remainder method, so the credits of a journey add up exactly to its
//! revenue under every model. Journeys without touches are credited to the
//! unknown source (`None`) rather than lost.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One marketing touch of a journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touch<K> {
    /// Days since 1970-01-01.
    pub day: i32,
    pub source: K,
}

/// A converted journey: the touches before the conversion and its revenue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journey<K> {
    /// In any order; ordered by day (ties in input order) before crediting.
    pub touches: Vec<Touch<K>>,
    pub conversion_day: i32,
    pub revenue_minor: i64,
}

/// How a journey's credit is spread over its touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "model")]
pub enum Model {
    /// All credit to the earliest touch.
    FirstTouch,
    /// All credit to the latest touch.
    LastTouch,
    /// Equal credit to every touch.
    Linear,
    /// 40 % to the first touch, 40 % to the last, 20 % spread evenly over the
    /// touches in between. One touch takes everything; two touches take half
    /// each (there is no middle to give the 20 % to).
    UShaped,
    /// A touch `d` days before the conversion weighs `2^(−d / half_life_days)`
    /// (touches after the conversion count as on the day). A half-life of 0
    /// is the limit: the touches on the latest touch day share everything.
    TimeDecay { half_life_days: u32 },
}

impl Model {
    /// The five models with a 7-day half-life for time decay, as screens list them.
    pub const DEFAULTS: [Model; 5] =
        [Model::FirstTouch, Model::LastTouch, Model::Linear, Model::UShaped, Model::TimeDecay { half_life_days: 7 }];

    /// Stable snake_case key (i18n `attribution-model-<key>`).
    pub fn key(self) -> &'static str {
        match self {
            Model::FirstTouch => "first_touch",
            Model::LastTouch => "last_touch",
            Model::Linear => "linear",
            Model::UShaped => "u_shaped",
            Model::TimeDecay { .. } => "time_decay",
        }
    }

    /// The weight of each touch (sorted by day), summing to a positive number.
    fn weights<K>(self, touches: &[&Touch<K>], conversion_day: i32) -> Vec<f64> {
        let n = touches.len();
        let mut weights = vec![0.0; n];
        match self {
            Model::FirstTouch => weights[0] = 1.0,
            Model::LastTouch => weights[n - 1] = 1.0,
            Model::Linear => weights.fill(1.0),
            Model::UShaped if n <= 2 => weights.fill(1.0),
            Model::UShaped => {
                weights.fill(0.2 / (n - 2) as f64);
                weights[0] = 0.4;
                weights[n - 1] = 0.4;
            }
            Model::TimeDecay { half_life_days } => {
                let age = |touch: &Touch<K>| f64::from(conversion_day.saturating_sub(touch.day).max(0));
                // Relative to the youngest touch, so the weights never all underflow to 0.
                let youngest = touches.iter().map(|t| age(t)).fold(f64::INFINITY, f64::min);
                for (weight, touch) in weights.iter_mut().zip(touches) {
                    let extra = age(touch) - youngest;
                    *weight = if half_life_days == 0 {
                        if extra == 0.0 { 1.0 } else { 0.0 }
                    } else {
                        (-extra / f64::from(half_life_days)).exp2()
                    };
                }
            }
        }
        weights
    }
}

/// One source's credit under one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credit<K> {
    /// `None` is the unknown source: journeys that had no touches.
    pub source: Option<K>,
    /// Credited revenue, whole minor units.
    pub revenue_minor: i64,
    /// Fractional conversions credited (each journey gives out exactly 1).
    pub conversions: f64,
    /// Journeys in which the source appears (whatever its credit).
    pub journeys_touched: u32,
}

/// Credits every source under `model`, highest revenue first (ties by source,
/// the unknown source first). O(touches log touches).
pub fn attribute<K: Ord + Clone>(journeys: &[Journey<K>], model: Model) -> Vec<Credit<K>> {
    let mut credits: BTreeMap<Option<K>, Credit<K>> = BTreeMap::new();
    for journey in journeys {
        for (source, share, revenue_minor) in credit_journey(journey, model) {
            let credit = credits.entry(source.clone()).or_insert_with(|| Credit {
                source,
                revenue_minor: 0,
                conversions: 0.0,
                journeys_touched: 0,
            });
            credit.revenue_minor = credit.revenue_minor.saturating_add(revenue_minor);
            credit.conversions += share;
            credit.journeys_touched = credit.journeys_touched.saturating_add(1);
        }
    }
    let mut credits: Vec<Credit<K>> = credits.into_values().collect();
    credits.sort_by(|a, b| b.revenue_minor.cmp(&a.revenue_minor).then_with(|| a.source.cmp(&b.source)));
    credits
}

/// One journey's (source, share of the conversion, revenue) per distinct
/// source; the revenues add up exactly to the journey's.
fn credit_journey<K: Ord + Clone>(journey: &Journey<K>, model: Model) -> Vec<(Option<K>, f64, i64)> {
    if journey.touches.is_empty() {
        return vec![(None, 1.0, journey.revenue_minor)];
    }
    let mut touches: Vec<&Touch<K>> = journey.touches.iter().collect();
    touches.sort_by_key(|touch| touch.day); // stable: same-day touches keep input order
    let weights = model.weights(&touches, journey.conversion_day);
    let mut by_source: BTreeMap<&K, f64> = BTreeMap::new();
    for (touch, weight) in touches.iter().zip(&weights) {
        *by_source.entry(&touch.source).or_insert(0.0) += weight;
    }
    let total: f64 = by_source.values().sum();
    let shares: Vec<f64> = by_source.values().map(|w| w / total).collect();
    let revenues = split_exactly(journey.revenue_minor, &shares);
    by_source
        .into_keys()
        .zip(shares)
        .zip(revenues)
        .map(|((source, share), revenue)| (Some(source.clone()), share, revenue))
        .collect()
}

/// Splits `total` by `shares` (non-negative, summing to about 1) into whole
/// units that add up exactly to `total`: each gets the floor of its quota and
/// the units left go to the largest remainders (earlier index on ties).
/// Negative totals (refunds) are split like their absolute value.
fn split_exactly(total: i64, shares: &[f64]) -> Vec<i64> {
    let sign = if total < 0 { -1 } else { 1 };
    let magnitude = i128::from(total).abs();
    let quotas: Vec<f64> = shares.iter().map(|s| s * magnitude as f64).collect();
    let mut parts: Vec<i128> = quotas.iter().map(|q| (q.floor().max(0.0) as i128).min(magnitude)).collect();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    let remainder = |i: usize| quotas[i] - quotas[i].floor();
    order.sort_by(|&a, &b| remainder(b).total_cmp(&remainder(a)).then(a.cmp(&b)));
    // Float rounding can leave the floors a few units off in either direction.
    let mut left = magnitude - parts.iter().sum::<i128>();
    let mut cursor = 0;
    while left > 0 {
        parts[order[cursor % order.len()]] += 1;
        left -= 1;
        cursor += 1;
    }
    while left < 0 {
        let index = order[order.len() - 1 - cursor % order.len()];
        if parts[index] > 0 {
            parts[index] -= 1;
            left += 1;
        }
        cursor += 1;
    }
    parts.into_iter().map(|part| (i128::from(sign) * part) as i64).collect()
}

/// One source's credits under several models, side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow<K> {
    pub source: Option<K>,
    /// One entry per model, in the order of the `models` argument.
    pub revenue_minor: Vec<i64>,
    pub conversions: Vec<f64>,
    pub journeys_touched: u32,
}

/// The credits of every source under each of `models`, for a table with a
/// column per model; rows ordered by the first model's revenue (then source).
pub fn compare<K: Ord + Clone>(journeys: &[Journey<K>], models: &[Model]) -> Vec<ComparisonRow<K>> {
    let mut rows: BTreeMap<Option<K>, ComparisonRow<K>> = BTreeMap::new();
    for (column, &model) in models.iter().enumerate() {
        for credit in attribute(journeys, model) {
            let row = rows.entry(credit.source.clone()).or_insert_with(|| ComparisonRow {
                source: credit.source.clone(),
                revenue_minor: vec![0; models.len()],
                conversions: vec![0.0; models.len()],
                journeys_touched: credit.journeys_touched,
            });
            row.revenue_minor[column] = credit.revenue_minor;
            row.conversions[column] = credit.conversions;
        }
    }
    let mut rows: Vec<ComparisonRow<K>> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        let first = |row: &ComparisonRow<K>| row.revenue_minor.first().copied().unwrap_or(0);
        first(b).cmp(&first(a)).then_with(|| a.source.cmp(&b.source))
    });
    rows
}

#[cfg(test)]
mod tests;
