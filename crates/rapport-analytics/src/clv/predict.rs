//! Predictions of a fitted [`ClvModel`] for customers.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::ClvModel;
use crate::purchases::PurchaseSummary;

/// What the model expects of one customer over the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClvPrediction {
    /// Expected purchases in (today, today + horizon].
    pub expected_purchases: f64,
    /// Probability the customer is still active today, 0..=1.
    pub p_alive: f64,
    /// Expected value of each future order, minor units (rounded).
    pub expected_order_value_minor: i64,
    /// expected_purchases × expected order value, minor units (rounded, not
    /// discounted: horizons are meant to be a year or two).
    pub value_minor: i64,
}

/// (x, t_x, T) in weeks, repairing inconsistent rows instead of refusing
/// them: a last purchase before the first counts as on the first day, and a
/// `today` before the last purchase as on it.
fn history(row: &PurchaseSummary, today: i32) -> (f64, f64, f64) {
    let t_x = (i64::from(row.last_day) - i64::from(row.first_day)).max(0);
    let big_t = (i64::from(today) - i64::from(row.first_day)).max(t_x);
    (f64::from(row.purchases.saturating_sub(1)), t_x as f64 / 7.0, big_t as f64 / 7.0)
}

impl ClvModel {
    /// The prediction for one customer over the next `horizon_days` after `today`.
    pub fn predict(&self, row: &PurchaseSummary, today: i32, horizon_days: u32) -> ClvPrediction {
        let (x, _, big_t) = history(row, today);
        let t = f64::from(horizon_days) / 7.0;
        self.prediction(row, self.bgnbd.bracket(x, big_t, t), today, t)
    }

    /// [`Self::predict`] for many customers, in input order; the
    /// hypergeometric series is summed once per distinct (x, T), which makes
    /// a million customers cost about as much as their distinct histories.
    pub fn predict_all(&self, rows: &[PurchaseSummary], today: i32, horizon_days: u32) -> Vec<ClvPrediction> {
        let t = f64::from(horizon_days) / 7.0;
        let mut brackets: HashMap<(u32, i64), Option<f64>> = HashMap::new();
        rows.iter()
            .map(|row| {
                let (x, _, big_t) = history(row, today);
                let key = (row.purchases.saturating_sub(1), (big_t * 7.0).round() as i64);
                let bracket = *brackets.entry(key).or_insert_with(|| self.bgnbd.bracket(x, big_t, t));
                self.prediction(row, bracket, today, t)
            })
            .collect()
    }

    fn prediction(&self, row: &PurchaseSummary, bracket: Option<f64>, today: i32, t: f64) -> ClvPrediction {
        let (x, t_x, big_t) = history(row, today);
        let expected_purchases = self.bgnbd.expected_purchases_given(bracket, x, t_x, big_t, t);
        let own_mean = if row.purchases == 0 { 0.0 } else { row.total_minor.max(0) as f64 / f64::from(row.purchases) };
        let order_value =
            self.gamma_gamma.and_then(|gg| gg.expected_order_value(row.purchases.max(1), own_mean)).unwrap_or(own_mean);
        ClvPrediction {
            expected_purchases,
            p_alive: self.bgnbd.p_alive(x, t_x, big_t),
            expected_order_value_minor: order_value.round() as i64,
            value_minor: (expected_purchases * order_value).round() as i64,
        }
    }
}
