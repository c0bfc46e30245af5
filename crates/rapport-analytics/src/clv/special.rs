//! Special functions for the lifetime-value models: log-gamma and the Gaussian
//! hypergeometric function 2F1.

/// ln Γ(x) for x > 0 (libm's `lgamma`, accurate to a few ulps).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// ln(e^a + e^b) without overflow.
pub(crate) fn log_add_exp(a: f64, b: f64) -> f64 {
    let (high, low) = if a >= b { (a, b) } else { (b, a) };
    if low == f64::NEG_INFINITY { high } else { high + (low - high).exp().ln_1p() }
}

/// Most terms [`hyp2f1`] sums before giving up (z within about 3e-4 of 1 needs that many).
const MAX_TERMS: usize = 200_000;

/// Relative accuracy [`hyp2f1`] stops at.
const TOLERANCE: f64 = 1e-14;

/// The Gaussian hypergeometric function 2F1(a, b; c; z) for real |z| < 1, by
/// its power series Σ (a)ₖ(b)ₖ / ((c)ₖ k!) zᵏ.
///
/// Convergence bound: term k+1 is term k times
/// ρₖ = z · (a+k)(b+k) / ((c+k)(k+1)). Once k is past −a, −b and −c, both
/// pairings (a+j)/(c+j) · (b+j)/(j+1) and (a+j)/(j+1) · (b+j)/(c+j) are
/// products of monotone factors tending to 1, so for every j ≥ k
/// |ρⱼ| ≤ ρ̄ = |z| · min over the pairings of max(first at k, 1) · max(second at k, 1).
/// When ρ̄ < 1 the rest of the series is at most |termₖ| · ρ̄ / (1 − ρ̄);
/// summing stops once that is below `1e-14 × |sum|`.
///
/// Returns `None` (the caller falls back) when |z| ≥ 1, c is within 1e-12 of
/// a non-positive integer (a pole), an input is not finite, the sum
/// overflows, or the bound is not reached within 200,000 terms.
pub(crate) fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    if !(a.is_finite() && b.is_finite() && c.is_finite() && z.is_finite()) || z.abs() >= 1.0 {
        return None;
    }
    let all_positive_from = (-a).max(-b).max(-c).max(0.0);
    let mut term = 1.0f64;
    let mut sum = 1.0f64;
    for k in 0..MAX_TERMS {
        let k = k as f64;
        if (c + k).abs() < 1e-12 {
            return None;
        }
        let next = (a + k) * (b + k) * z / ((c + k) * (k + 1.0));
        if k > all_positive_from {
            let at_least_one = |v: f64| v.max(1.0);
            let first = at_least_one((a + k) / (c + k)) * at_least_one((b + k) / (k + 1.0));
            let second = at_least_one((a + k) / (k + 1.0)) * at_least_one((b + k) / (c + k));
            let bound = z.abs() * first.min(second);
            if bound < 1.0 && (term * bound / (1.0 - bound)).abs() <= TOLERANCE * sum.abs() {
                return Some(sum);
            }
        }
        term *= next;
        sum += term;
        if !sum.is_finite() {
            return None;
        }
        if term == 0.0 {
            return Some(sum);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tolerance: f64) {
        assert!((got - want).abs() <= tolerance * want.abs().max(1e-300), "got {got}, want {want}");
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        for z in [-0.9, -0.3, 0.0, 0.1, 0.5, 0.9, 0.99] {
            // 2F1(1, 1; 2; z) = −ln(1 − z) / z
            let want = if z == 0.0 { 1.0 } else { -(1.0f64 - z).ln() / z };
            close(hyp2f1(1.0, 1.0, 2.0, z).unwrap(), want, 1e-12);
            // 2F1(a, b; b; z) = (1 − z)^(−a)
            close(hyp2f1(0.7, 2.5, 2.5, z).unwrap(), (1.0 - z).powf(-0.7), 1e-12);
            // 2F1(1/2, 1/2; 3/2; z²) = arcsin(z) / z
            if z != 0.0 {
                close(hyp2f1(0.5, 0.5, 1.5, z * z).unwrap(), z.asin() / z, 1e-12);
            }
            // 2F1(−3, b; c; z) is a polynomial: 1 − 3bz/c + 3b(b+1)z²/(c(c+1)) − b(b+1)(b+2)z³/(c(c+1)(c+2))
            let (b, c) = (1.3, 2.2);
            let poly = 1.0 - 3.0 * b * z / c + 3.0 * b * (b + 1.0) * z * z / (c * (c + 1.0))
                - b * (b + 1.0) * (b + 2.0) * z.powi(3) / (c * (c + 1.0) * (c + 2.0));
            close(hyp2f1(-3.0, b, c, z).unwrap(), poly, 1e-12);
        }
    }

    #[test]
    fn hyp2f1_matches_published_values() {
        // 2F1(1, 1; 3/2; 1/2) = π/2 (Abramowitz & Stegun 15.1.4 family: 2F1(1,1;3/2;z²)
        // = arcsin(z)/(z√(1−z²)), at z² = 1/2 gives (π/4)/(1/2)).
        close(hyp2f1(1.0, 1.0, 1.5, 0.5).unwrap(), std::f64::consts::FRAC_PI_2, 1e-12);
        // 2F1(a, b; c; 1/2) with c = (a + b + 1)/2 (Gauss's second theorem):
        // Γ(1/2)Γ((a+b+1)/2) / (Γ((a+1)/2)Γ((b+1)/2)); a = 1, b = 2 → √π Γ(2)/(Γ(1)Γ(3/2)) = 2.
        close(hyp2f1(1.0, 2.0, 2.0, 0.5).unwrap(), 2.0, 1e-12);
    }

    #[test]
    fn hyp2f1_converges_with_huge_parameters_when_the_ratio_allows() {
        // 2F1(a, b; b; z) = (1 − z)^(−a) with b huge: the bound must not wait for k > b.
        close(hyp2f1(0.7, 1.3e7, 1.3e7, 0.9).unwrap(), 0.1f64.powf(-0.7), 1e-10);
        close(hyp2f1(3.5, 2e7, 2e7 + 0.5, 0.5).unwrap(), 0.5f64.powf(-3.5), 1e-6);
    }

    #[test]
    fn hyp2f1_refuses_what_it_cannot_sum() {
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 1.0), None);
        assert_eq!(hyp2f1(1.0, 1.0, -2.0, 0.5), None);
        assert_eq!(hyp2f1(f64::NAN, 1.0, 2.0, 0.5), None);
        // Terms growing like (10⁶ z)ᵏ / k! overflow: refused, not infinite.
        assert_eq!(hyp2f1(1e7, 1e6, 1e7, 0.9), None);
    }

    #[test]
    fn log_add_exp_is_stable() {
        close(log_add_exp(0.0, 0.0), 2f64.ln(), 1e-15);
        close(log_add_exp(1000.0, 1000.0), 1000.0 + 2f64.ln(), 1e-15);
        assert_eq!(log_add_exp(-5.0, f64::NEG_INFINITY), -5.0);
    }
}
