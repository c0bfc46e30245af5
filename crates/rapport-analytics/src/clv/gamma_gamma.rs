//! The Gamma-Gamma model of spend per order (Fader, Hardie & Lee 2005b,
//! "RFM and CLV: using iso-value curves for customer base analysis", Journal
//! of Marketing Research 42(4); formulas as in Fader & Hardie's note "The
//! Gamma-Gamma model of monetary value", 2013).
//!
//! A customer's order values are Gamma(p, ν), ν ~ Gamma(q, γ) across
//! customers (γ is `v` in [`GammaGammaParams`]), independent of the purchase
//! process. The mean m of a customer's n orders then has the density
//!
//! f(m | p, q, γ, n) = Γ(pn + q) / (Γ(pn) Γ(q)) · γ^q m^{pn−1} n^{pn} / (γ + n m)^{pn+q}
//!
//! and the expected order value given (m, n) is p(γ + n m) / (pn + q − 1).
//!
//! **Approximation.** Storage sums all orders, so m is the mean over all n =
//! purchases orders, the first included, where FHL use repeat orders only
//! (the first order may differ in kind). Under the model's own assumption
//! (every order is Gamma(p, ν)) including it is exact; only customers with at
//! least one repeat purchase (n ≥ 2) are used for fitting, as FHL do.

use serde::{Deserialize, Serialize};

use super::special::ln_gamma;

/// Fitted Gamma-Gamma parameters (money in minor units).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GammaGammaParams {
    /// Shape of an order value given the customer.
    pub p: f64,
    /// Shape of the customers' ν.
    pub q: f64,
    /// Rate of the customers' ν (γ in the papers), minor units.
    pub v: f64,
}

/// One customer's orders for fitting: count and mean value (minor units, > 0).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spend {
    pub orders: u32,
    pub mean: f64,
}

/// Fitting data with the per-customer logarithms precomputed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    orders: Vec<f64>,
    /// Distinct order counts, so `lgamma` runs once per count per evaluation.
    counts: Vec<u32>,
    rows: Vec<(usize, f64, f64, f64)>, // (count index, n·m, ln m, ln n)
}

impl Data {
    pub fn new(spends: &[Spend]) -> Data {
        let mut counts: Vec<u32> = spends.iter().map(|s| s.orders).collect();
        counts.sort_unstable();
        counts.dedup();
        let rows = spends
            .iter()
            .map(|s| {
                let n = f64::from(s.orders);
                (counts.binary_search(&s.orders).unwrap_or(0), n * s.mean, s.mean.ln(), n.ln())
            })
            .collect();
        Data { orders: counts.iter().map(|&c| f64::from(c)).collect(), counts, rows }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Σ ln f(m | p, q, γ, n).
    pub fn log_likelihood(&self, params: &GammaGammaParams) -> f64 {
        let GammaGammaParams { p, q, v } = *params;
        let common = -ln_gamma(q) + q * v.ln();
        let per_count: Vec<(f64, f64)> =
            self.orders.iter().map(|&n| (p * n, ln_gamma(p * n + q) - ln_gamma(p * n))).collect();
        debug_assert_eq!(per_count.len(), self.counts.len());
        self.rows
            .iter()
            .map(|&(count, total, ln_mean, ln_n)| {
                let (pn, constant) = per_count[count];
                common + constant + (pn - 1.0) * ln_mean + pn * ln_n - (pn + q) * (v + total).ln()
            })
            .sum()
    }
}

impl GammaGammaParams {
    /// Expected value of this customer's future orders given n orders of mean
    /// `mean` (minor units): p(γ + n m)/(pn + q − 1). `None` when q ≤ 1, where
    /// the population's mean order value is infinite and the model says nothing useful.
    pub fn expected_order_value(&self, orders: u32, mean: f64) -> Option<f64> {
        let GammaGammaParams { p, q, v } = *self;
        let n = f64::from(orders);
        let value = p * (v + n * mean.max(0.0)) / (p * n + q - 1.0);
        (q > 1.0 && value.is_finite()).then_some(value)
    }

    /// The population's mean order value p γ / (q − 1); `None` when q ≤ 1.
    pub fn mean_order_value(&self) -> Option<f64> {
        (self.q > 1.0).then(|| self.p * self.v / (self.q - 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CDNOW estimates published by Fader & Hardie (dollars).
    const CDNOW: GammaGammaParams = GammaGammaParams { p: 6.25, q: 3.74, v: 15.44 };

    #[test]
    fn density_integrates_to_one() {
        // ∫ f(m) dm over m by the trapezoid rule on a fine grid, for n = 3.
        let data_at = |m: f64| Data::new(&[Spend { orders: 3, mean: m }]).log_likelihood(&CDNOW).exp();
        let step = 0.01;
        let integral: f64 = (1..200_000).map(|i| data_at(f64::from(i) * step) * step).sum();
        assert!((integral - 1.0).abs() < 1e-3, "{integral}");
    }

    #[test]
    fn expected_value_matches_the_published_example() {
        // Fader & Hardie's note: the population mean is 6.25 × 15.44 / 2.74 = 35.22,
        // and the expected value shrinks a customer's mean towards it.
        let population = CDNOW.mean_order_value().unwrap();
        assert!((population - 35.22).abs() < 0.01, "{population}");
        let customer = CDNOW.expected_order_value(2, 100.0).unwrap();
        let want = 6.25 * (15.44 + 200.0) / (12.5 + 2.74);
        assert!((customer - want).abs() < 1e-9);
        assert!(customer < 100.0 && customer > population);
        let heavy = GammaGammaParams { q: 0.9, ..CDNOW };
        assert_eq!(heavy.expected_order_value(2, 100.0), None);
        assert_eq!(heavy.mean_order_value(), None);
    }
}
