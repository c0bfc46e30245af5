//! Customer lifetime value: BG/NBD for how many purchases a customer will
//! make, Gamma-Gamma for how much each will be worth, both fitted by maximum
//! likelihood with a Nelder–Mead search over log-parameters.
//!
//! **Time unit: weeks.** From a [`PurchaseSummary`] and `today`: x = purchases
//! − 1 (repeat purchases), t_x = (last_day − first_day) / 7 and T = (today −
//! first_day) / 7. Rows with no purchase, a last purchase before the first or
//! after `today`, are skipped when fitting (predictions repair them instead).
//!
//! **Speed.** Identical (x, t_x, T) triples are fitted once with a weight
//! (days make many repeats), and above [`FIT_SAMPLE`] customers the fit uses a
//! seeded random sample of that size, so `fit` costs about the same at 50,000
//! and at 10 million customers; predictions are for every customer.

mod bgnbd;
mod gamma_gamma;
mod nelder_mead;
mod predict;
mod special;

#[cfg(test)]
mod simulate;
#[cfg(test)]
mod tests;

use rand::SeedableRng;
use rand::seq::index;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::purchases::PurchaseSummary;

pub use bgnbd::BgNbdParams;
pub use gamma_gamma::GammaGammaParams;
pub use predict::ClvPrediction;

/// Fewest usable customers [`fit`] accepts (and fewest repeat customers with a
/// positive spend for the Gamma-Gamma part).
pub const MIN_CUSTOMERS: usize = 20;

/// Above this many customers, models are fitted on a random sample this big
/// (seeded with [`SAMPLE_SEED`], so the same rows give the same model).
pub const FIT_SAMPLE: usize = 50_000;

/// Seed of the fitting sample.
pub const SAMPLE_SEED: u64 = 0x5EED_C1F0;

/// Likelihood evaluations allowed per model before giving up.
const MAX_EVALUATIONS: usize = 6_000;

/// Why no model could be fitted. Each has a stable [`ClvError::code`] the UI
/// translates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ClvError {
    #[error("not enough customers to fit: {customers} usable, {needed} needed")]
    NotEnoughData { customers: usize, needed: usize },
    #[error("no customer has bought twice, so the purchase rate cannot be told from dropout")]
    NoRepeatPurchases,
    #[error("every customer has the same history, which identifies no model")]
    NoVariation,
    /// The search ran out of evaluations, or a parameter ran off to the edge
    /// of the searched range (e^±24): the data do not pin the model down.
    #[error("the likelihood search did not converge")]
    DidNotConverge,
}

impl ClvError {
    /// Stable snake_case code (i18n `clv-error-<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            ClvError::NotEnoughData { .. } => "not_enough_data",
            ClvError::NoRepeatPurchases => "no_repeat_purchases",
            ClvError::NoVariation => "no_variation",
            ClvError::DidNotConverge => "did_not_converge",
        }
    }
}

/// A fitted model, stored as JSON by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvModel {
    pub bgnbd: BgNbdParams,
    /// `None` when fewer than [`MIN_CUSTOMERS`] repeat customers have a
    /// positive spend, or their order values cannot be fitted (all equal, or
    /// no convergence); predictions then use each customer's own mean order.
    pub gamma_gamma: Option<GammaGammaParams>,
    /// Customers the BG/NBD was fitted on (the sample when there were more
    /// than [`FIT_SAMPLE`]).
    pub customers_fitted: u64,
    /// BG/NBD log-likelihood at the estimate, over those customers.
    pub log_likelihood: f64,
}

/// A row's BG/NBD triple in days: (x, t_x, T); `None` for an unusable row.
fn triple(row: &PurchaseSummary, today: i32) -> Option<(u32, i32, i32)> {
    let t_x = row.last_day.checked_sub(row.first_day)?;
    let big_t = today.checked_sub(row.first_day)?;
    (row.purchases >= 1 && t_x >= 0 && big_t >= t_x).then(|| (row.purchases - 1, t_x, big_t))
}

/// Fits BG/NBD (and Gamma-Gamma when the spend allows) to customers observed
/// until `today`.
pub fn fit(rows: &[PurchaseSummary], today: i32) -> Result<ClvModel, ClvError> {
    let usable: Vec<&PurchaseSummary> = rows.iter().filter(|row| triple(row, today).is_some()).collect();
    if usable.len() < MIN_CUSTOMERS {
        return Err(ClvError::NotEnoughData { customers: usable.len(), needed: MIN_CUSTOMERS });
    }
    let sample: Vec<&PurchaseSummary> = if usable.len() > FIT_SAMPLE {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(SAMPLE_SEED);
        index::sample(&mut rng, usable.len(), FIT_SAMPLE).into_iter().map(|i| usable[i]).collect()
    } else {
        usable
    };
    let triples: Vec<(u32, i32, i32)> = sample.iter().filter_map(|row| triple(row, today)).collect();
    if triples.iter().all(|t| t.0 == 0) {
        return Err(ClvError::NoRepeatPurchases);
    }
    let data = bgnbd::Data::from_triples(triples);
    if data.groups.len() < 2 {
        return Err(ClvError::NoVariation);
    }
    let (bgnbd, log_likelihood) = fit_bgnbd(&data)?;
    let spends: Vec<gamma_gamma::Spend> = sample
        .iter()
        .filter(|row| row.purchases >= 2 && row.total_minor > 0)
        .map(|row| gamma_gamma::Spend {
            orders: row.purchases,
            mean: row.total_minor as f64 / f64::from(row.purchases),
        })
        .collect();
    Ok(ClvModel {
        bgnbd,
        gamma_gamma: fit_gamma_gamma(&spends),
        customers_fitted: data.total_weight as u64,
        log_likelihood,
    })
}

/// Largest |log-parameter| searched: e^±25 is far beyond any sensible value,
/// and keeps `lgamma` and the powers finite.
const LOG_BOUND: f64 = 25.0;

fn within_bounds(point: &[f64]) -> bool {
    point.iter().all(|v| v.abs() <= LOG_BOUND)
}

/// A minimum that is an interior point, not the search range's edge.
fn interior(minimum: &nelder_mead::Minimum) -> bool {
    minimum.converged && minimum.value.is_finite() && minimum.point.iter().all(|v| v.abs() < LOG_BOUND - 1.0)
}

fn fit_bgnbd(data: &bgnbd::Data) -> Result<(BgNbdParams, f64), ClvError> {
    let params = |p: &[f64]| BgNbdParams { r: p[0].exp(), alpha: p[1].exp(), a: p[2].exp(), b: p[3].exp() };
    // Start where the mean purchase rate r/α matches the data's repeat rate.
    let (repeats, weeks) = data
        .groups
        .iter()
        .fold((0.0, 0.0), |(x, t), g| (x + g.weight * data.xs[g.x], t + g.weight * data.times[g.big_t]));
    let alpha_start = if repeats > 0.0 && weeks > 0.0 { (weeks / repeats).clamp(1e-3, 1e3) } else { 1.0 };
    let scale = data.total_weight;
    let objective = |p: &[f64]| {
        if !within_bounds(p) {
            return f64::INFINITY;
        }
        -data.log_likelihood(&params(p)) / scale
    };
    let start = [0.0, alpha_start.ln(), 0.0, 0.0];
    let minimum = nelder_mead::minimize(objective, &start, 1.0, MAX_EVALUATIONS);
    if !interior(&minimum) {
        return Err(ClvError::DidNotConverge);
    }
    Ok((params(&minimum.point), -minimum.value * scale))
}

fn fit_gamma_gamma(spends: &[gamma_gamma::Spend]) -> Option<GammaGammaParams> {
    if spends.len() < MIN_CUSTOMERS {
        return None;
    }
    let first = spends[0].mean;
    if spends.iter().all(|s| s.mean == first) {
        return None;
    }
    let data = gamma_gamma::Data::new(spends);
    let mean = spends.iter().map(|s| s.mean).sum::<f64>() / spends.len() as f64;
    let params = |p: &[f64]| GammaGammaParams { p: p[0].exp(), q: p[1].exp(), v: p[2].exp() };
    let scale = data.len() as f64;
    let objective = |p: &[f64]| {
        if !within_bounds(p) {
            return f64::INFINITY;
        }
        -data.log_likelihood(&params(p)) / scale
    };
    // p = 2, q = 3 and γ = mean: the population mean pγ/(q−1) starts at the data's.
    let start = [2f64.ln(), 3f64.ln(), mean.ln()];
    let minimum = nelder_mead::minimize(objective, &start, 1.0, MAX_EVALUATIONS);
    interior(&minimum).then(|| params(&minimum.point))
}
