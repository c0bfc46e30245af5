//! The BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005, "Counting
//! your customers the easy way: an alternative to the Pareto/NBD model",
//! Marketing Science 24(2); formulas as in their note "Implementing the
//! BG/NBD model for customer base analysis in Excel", 2005).
//!
//! While active, a customer buys at Poisson rate λ, λ ~ Gamma(r, α) across
//! customers; after each repeat purchase they drop out for good with
//! probability p, p ~ Beta(a, b). For a customer first seen at time 0 with x
//! repeat purchases, the last at t_x, observed until T (all in weeks):
//!
//! L(r, α, a, b | x, t_x, T) = A₁·A₂·(e^{A₃} + δ_{x>0} e^{A₄}) with
//! - ln A₁ = ln Γ(r + x) − ln Γ(r) + r ln α
//! - ln A₂ = ln Γ(a + b) + ln Γ(b + x) − ln Γ(b) − ln Γ(a + b + x)
//! - A₃ = −(r + x) ln(α + T)
//! - A₄ = ln a − ln(b + x − 1) − (r + x) ln(α + t_x)
//!
//! (FHL 2005, eq. 6, in the log form of the Excel note.) Parameters are
//! estimated by maximising Σ weight · ln L over the grouped customers.

use serde::{Deserialize, Serialize};

use super::special::{hyp2f1, ln_gamma, log_add_exp};

/// Fitted BG/NBD parameters (time unit: weeks).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgNbdParams {
    /// Shape of the purchase-rate Gamma.
    pub r: f64,
    /// Rate (scale⁻¹, in weeks) of the purchase-rate Gamma: mean rate r/α per week.
    pub alpha: f64,
    /// Beta shape of the dropout probability (mean dropout a/(a+b)).
    pub a: f64,
    /// Beta shape of the dropout probability.
    pub b: f64,
}

/// Customers sharing one (x, t_x, T), by index into the distinct values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Group {
    pub x: usize,
    pub t_x: usize,
    pub big_t: usize,
    pub weight: f64,
}

/// The fitting data, compressed: distinct repeat counts and distinct times
/// (weeks) with groups pointing into them, so one likelihood evaluation costs
/// one `lgamma` per distinct x and one `ln` per distinct time, then only
/// arithmetic and one `exp` per group.
#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    pub xs: Vec<f64>,
    pub times: Vec<f64>,
    pub groups: Vec<Group>,
    pub total_weight: f64,
}

impl Data {
    /// Groups (x, t_x days, T days) triples; O(n log n).
    pub fn from_triples(mut triples: Vec<(u32, i32, i32)>) -> Data {
        triples.sort_unstable();
        let mut xs: Vec<u32> = triples.iter().map(|t| t.0).collect();
        xs.dedup();
        let mut days: Vec<i32> = triples.iter().flat_map(|t| [t.1, t.2]).collect();
        days.sort_unstable();
        days.dedup();
        let mut groups: Vec<Group> = Vec::new();
        let mut previous = None;
        for triple in &triples {
            if previous == Some(*triple) {
                if let Some(group) = groups.last_mut() {
                    group.weight += 1.0;
                }
                continue;
            }
            previous = Some(*triple);
            groups.push(Group {
                x: xs.binary_search(&triple.0).unwrap_or(0),
                t_x: days.binary_search(&triple.1).unwrap_or(0),
                big_t: days.binary_search(&triple.2).unwrap_or(0),
                weight: 1.0,
            });
        }
        Data {
            xs: xs.into_iter().map(f64::from).collect(),
            times: days.into_iter().map(|d| f64::from(d) / 7.0).collect(),
            groups,
            total_weight: triples.len() as f64,
        }
    }

    /// Σ weight · ln L.
    pub fn log_likelihood(&self, params: &BgNbdParams) -> f64 {
        let BgNbdParams { r, alpha, a, b } = *params;
        let common = -ln_gamma(r) + r * alpha.ln() + ln_gamma(a + b) - ln_gamma(b);
        let per_x: Vec<(f64, f64, f64)> = self
            .xs
            .iter()
            .map(|&x| {
                let constant = common + ln_gamma(r + x) + ln_gamma(b + x) - ln_gamma(a + b + x);
                let dropout = if x > 0.0 { a.ln() - (b + x - 1.0).ln() } else { f64::NEG_INFINITY };
                (r + x, constant, dropout)
            })
            .collect();
        let ln_alpha_plus: Vec<f64> = self.times.iter().map(|t| (alpha + t).ln()).collect();
        let mut total = 0.0;
        for group in &self.groups {
            let (r_plus_x, constant, dropout) = per_x[group.x];
            let still_active = -r_plus_x * ln_alpha_plus[group.big_t];
            let dropped = dropout - r_plus_x * ln_alpha_plus[group.t_x];
            total += group.weight * (constant + log_add_exp(still_active, dropped));
        }
        total
    }
}

impl BgNbdParams {
    /// Probability that a customer with this history is still active at T
    /// (FHL 2005 note, eq. for P(alive)): 1 / (1 + δ_{x>0} a/(b+x−1) ((α+T)/(α+t_x))^{r+x}).
    pub fn p_alive(&self, x: f64, t_x: f64, big_t: f64) -> f64 {
        if x <= 0.0 {
            return 1.0;
        }
        let BgNbdParams { r, alpha, a, b } = *self;
        let log_odds = a.ln() - (b + x - 1.0).ln() + (r + x) * ((alpha + big_t).ln() - (alpha + t_x).ln());
        1.0 / (1.0 + log_odds.exp())
    }

    /// Expected repeat purchases in (T, T + t] for a customer with history
    /// (x, t_x, T) (FHL 2005, eq. 10):
    ///
    /// E = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; z)] · P(alive),
    /// z = t/(α+T+t).
    ///
    /// The hypergeometric product is summed directly or through Euler's
    /// transformation, whichever series is tamer (see `unconditioned_bracket`),
    /// so it stays accurate both for heavy buyers (large x) and for fits on a
    /// ridge where a and b are huge. At a = 1 the expression
    /// is 0/0; there the mean of a ± 1e-5 is used. When the series cannot be
    /// summed, the fallback is P(alive) × E[λ | x, T] × t = P(alive) (r+x)/(α+T) t,
    /// which ignores dropout during the horizon (an upper bound).
    pub fn expected_purchases(&self, x: f64, t_x: f64, big_t: f64, t: f64) -> f64 {
        self.expected_purchases_given(self.bracket(x, big_t, t), x, t_x, big_t, t)
    }

    /// [`Self::expected_purchases`] with the part that depends only on
    /// (x, T, t) already computed, so callers can share it between customers.
    pub(crate) fn expected_purchases_given(&self, bracket: Option<f64>, x: f64, t_x: f64, big_t: f64, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let alive = self.p_alive(x, t_x, big_t);
        match bracket {
            Some(value) if value.is_finite() && value >= 0.0 => value * alive,
            _ => alive * (self.r + x) / (self.alpha + big_t) * t,
        }
    }

    /// The factor of [`Self::expected_purchases`] before P(alive), which
    /// depends on (x, T, t) only; handles a = 1 by symmetric difference.
    pub(crate) fn bracket(&self, x: f64, big_t: f64, t: f64) -> Option<f64> {
        if (self.a - 1.0).abs() < 1e-5 {
            let below = BgNbdParams { a: self.a - 1e-5, ..*self }.unconditioned_bracket(x, big_t, t);
            let above = BgNbdParams { a: self.a + 1e-5, ..*self }.unconditioned_bracket(x, big_t, t);
            below.zip(above).map(|(l, h)| (l + h) / 2.0)
        } else {
            self.unconditioned_bracket(x, big_t, t)
        }
    }

    /// (a+b+x−1)/(a−1) · [1 − (1−z)^{r+x} ₂F₁(r+x, b+x; c; z)], c = a+b+x−1,
    /// with the product (1−z)^{r+x} ₂F₁(…) summed in whichever of two equal
    /// forms has the tamer series: the direct one, or Euler's transformation
    /// (1−z)^{a−1} ₂F₁(a+b−1−r, a−1; c; z). The first term ratio of a series
    /// is about z·AB/C, so the form with the smaller |AB/C| is tried first:
    /// the transformed one for heavy buyers (large x), the direct one when a
    /// is huge (everyone with the same dropout probability).
    fn unconditioned_bracket(&self, x: f64, big_t: f64, t: f64) -> Option<f64> {
        let BgNbdParams { r, alpha, a, b } = *self;
        let c = a + b + x - 1.0;
        let z = t / (alpha + big_t + t);
        let ln_one_minus_z = (-z).ln_1p();
        let direct = (r + x, b + x, r + x);
        let transformed = (a + b - 1.0 - r, a - 1.0, a - 1.0);
        let growth = |(p, q, _): (f64, f64, f64)| (p * q / c).abs();
        let forms = if growth(transformed) <= growth(direct) { [transformed, direct] } else { [direct, transformed] };
        let product = forms.into_iter().find_map(|(p, q, power)| {
            let series = hyp2f1(p, q, c, z)?;
            let product = if series > 0.0 {
                (power * ln_one_minus_z + series.ln()).exp()
            } else {
                (power * ln_one_minus_z).exp() * series
            };
            product.is_finite().then_some(product)
        })?;
        Some(c / (a - 1.0) * (1.0 - product))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CDNOW estimates published in FHL 2005.
    const CDNOW: BgNbdParams = BgNbdParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

    #[test]
    fn grouping_keeps_every_customer() {
        let data = Data::from_triples(vec![(0, 0, 70), (2, 14, 70), (0, 0, 70), (2, 14, 70), (1, 7, 35)]);
        assert_eq!(data.groups.len(), 3);
        assert_eq!(data.total_weight, 5.0);
        assert_eq!(data.groups.iter().map(|g| g.weight).sum::<f64>(), 5.0);
        assert_eq!(data.xs, vec![0.0, 1.0, 2.0]);
        assert_eq!(data.times, vec![0.0, 1.0, 2.0, 5.0, 10.0]);
    }

    #[test]
    fn likelihood_matches_the_formula_for_one_customer() {
        // x = 2, t_x = 30.43, T = 38.86 (weeks), evaluated term by term.
        let (x, t_x, big_t) = (2.0f64, 30.43f64, 38.86f64);
        let BgNbdParams { r, alpha, a, b } = CDNOW;
        let ln_a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let ln_a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
        let a3 = -(r + x) * (alpha + big_t).ln();
        let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + t_x).ln();
        let want = ln_a1 + ln_a2 + (a3.exp() + a4.exp()).ln();
        let data = Data {
            xs: vec![x],
            times: vec![t_x, big_t],
            groups: vec![Group { x: 0, t_x: 0, big_t: 1, weight: 1.0 }],
            total_weight: 1.0,
        };
        assert!((data.log_likelihood(&CDNOW) - want).abs() < 1e-12);
    }

    #[test]
    fn conditional_expectation_matches_the_published_cdnow_example() {
        // FHL's Excel note: a customer with x = 2, t_x = 30.43, T = 38.86 is
        // expected to make 1.226 purchases in the next 39 weeks.
        let expected = CDNOW.expected_purchases(2.0, 30.43, 38.86, 39.0);
        assert!((expected - 1.226).abs() < 0.002, "{expected}");
        // A customer with no repeat purchases is certainly alive.
        assert_eq!(CDNOW.p_alive(0.0, 0.0, 30.0), 1.0);
    }

    #[test]
    fn expectation_agrees_with_the_direct_series_and_near_a_equal_one() {
        // Direct (non-transformed) form with a convergent series for small x.
        let params = BgNbdParams { r: 0.5, alpha: 3.0, a: 1.7, b: 2.5 };
        let (x, t_x, big_t, t) = (1.0, 10.0, 20.0, 15.0);
        let z = t / (params.alpha + big_t + t);
        let c = params.a + params.b + x - 1.0;
        let direct_series = hyp2f1(params.r + x, params.b + x, c, z).unwrap();
        let bracket = 1.0 - ((params.alpha + big_t) / (params.alpha + big_t + t)).powf(params.r + x) * direct_series;
        let direct = c / (params.a - 1.0) * bracket * params.p_alive(x, t_x, big_t);
        let ours = params.expected_purchases(x, t_x, big_t, t);
        assert!((ours - direct).abs() < 1e-10 * direct, "{ours} vs {direct}");
        // Continuous across a = 1.
        let near = |a| BgNbdParams { a, ..params }.expected_purchases(x, t_x, big_t, t);
        let (below, at, above) = (near(0.999), near(1.0), near(1.001));
        assert!(at.is_finite() && at > 0.0);
        assert!((at - (below + above) / 2.0).abs() < 1e-4 * at, "{below} {at} {above}");
    }

    #[test]
    fn expectation_grows_with_the_horizon_and_stays_finite() {
        let mut previous = 0.0;
        for weeks in [0.0, 1.0, 10.0, 52.0, 520.0, 5200.0] {
            let e = CDNOW.expected_purchases(5.0, 2.0, 2.0, weeks);
            assert!(e.is_finite() && e >= previous, "{weeks}: {e}");
            previous = e;
        }
        assert!(CDNOW.expected_purchases(300.0, 100.0, 100.0, 52.0).is_finite());
    }
}
