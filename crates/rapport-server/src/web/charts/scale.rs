//! Axes: "nice" ticks at 1, 2 or 5 × 10ⁿ covering the data (zero always
//! included, so bars start from it), and labels shortened to fit.

/// A linear value axis: its domain and the ticks drawn on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<f64>,
}

impl Axis {
    /// An axis for values between `low` and `high` with about `target` ticks.
    /// All-zero (or no) data gets a lone 0 tick over a unit domain, never a
    /// zero-width domain that would divide by zero.
    pub fn nice(low: f64, high: f64, target: usize) -> Self {
        let low = if low.is_finite() { low.min(0.0) } else { 0.0 };
        let high = if high.is_finite() { high.max(0.0) } else { 0.0 };
        if high - low <= f64::EPSILON * high.abs().max(low.abs()).max(1.0) {
            return Self { min: 0.0, max: 1.0, ticks: vec![0.0] };
        }
        let step = nice_step((high - low) / target.max(2).saturating_sub(1) as f64);
        let first = (low / step).floor();
        let last = (high / step).ceil();
        let ticks: Vec<f64> = (0..=(last - first) as i64).map(|i| clean((first + i as f64) * step, step)).collect();
        Self { min: first * step, max: last * step, ticks }
    }

    /// Like `nice`, but never a step under 1 when every value is whole
    /// (counts: no "0.5 deals" tick).
    pub fn nice_for(low: f64, high: f64, target: usize, whole: bool) -> Self {
        let axis = Self::nice(low, high, target);
        match axis.ticks.get(1).zip(axis.ticks.first()) {
            Some((second, first)) if whole && second - first < 1.0 => {
                let (min, max) = (axis.min.floor(), axis.max.ceil().max(1.0));
                Self { min, max, ticks: (min as i64..=max as i64).map(|t| t as f64).collect() }
            }
            _ => axis,
        }
    }

    /// Where `value` falls, as a fraction of the domain from `min` (0) to `max` (1).
    pub fn fraction(&self, value: f64) -> f64 {
        let span = self.max - self.min;
        if span <= 0.0 || !value.is_finite() {
            return 0.0;
        }
        ((value - self.min) / span).clamp(0.0, 1.0)
    }
}

/// The step of 1, 2 or 5 × 10ⁿ nearest `raw` (so the tick count stays near the target).
pub fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalised = raw / magnitude;
    let factor = if normalised < 1.5 {
        1.0
    } else if normalised < 3.0 {
        2.0
    } else if normalised < 7.0 {
        5.0
    } else {
        10.0
    };
    factor * magnitude
}

/// A tick without floating-point dust (0.30000000000000004 → 0.3).
fn clean(value: f64, step: f64) -> f64 {
    let decimals = (-step.log10().floor()).max(0.0) as i32 + 1;
    let factor = 10f64.powi(decimals);
    let rounded = (value * factor).round() / factor;
    if rounded == 0.0 { 0.0 } else { rounded }
}

/// `label` cut to at most `max_chars` characters, with an ellipsis when cut.
pub fn truncate(label: &str, max_chars: usize) -> String {
    let max_chars = max_chars.max(2);
    if label.chars().count() <= max_chars {
        return label.to_owned();
    }
    let mut out: String = label.chars().take(max_chars - 1).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Roughly how wide a label is in our 11-unit chart font.
pub fn text_width(label: &str) -> f64 {
    label.chars().count() as f64 * 6.2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.8), 1.0);
        assert_eq!(nice_step(0.6), 0.5);
        assert_eq!(nice_step(1.3), 1.0);
        assert_eq!(nice_step(2.6), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(230.0), 200.0);
        assert!((nice_step(0.013) - 0.01).abs() < 1e-12);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn ticks_cover_the_data_from_zero() {
        let axis = Axis::nice(0.0, 87.0, 5);
        assert_eq!(axis.ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let axis = Axis::nice(3.0, 87.0, 6);
        assert_eq!(axis.ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let axis = Axis::nice(0.0, 0.9, 5);
        assert_eq!(axis.ticks, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let axis = Axis::nice(0.0, 1.0, 5);
        assert_eq!(axis.ticks, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    }

    #[test]
    fn negative_values_get_ticks_below_zero() {
        let axis = Axis::nice(-40.0, 90.0, 6);
        assert_eq!(axis.ticks, vec![-40.0, -20.0, 0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!((axis.min, axis.max), (-40.0, 100.0));
        let only_negative = Axis::nice(-7.0, -2.0, 5);
        assert_eq!(only_negative.max, 0.0);
        assert_eq!(only_negative.min, -8.0);
    }

    #[test]
    fn all_zero_or_no_data_has_a_usable_domain() {
        for (low, high) in [(0.0, 0.0), (f64::NAN, f64::NAN), (f64::INFINITY, f64::NEG_INFINITY)] {
            let axis = Axis::nice(low, high, 5);
            assert_eq!(axis.ticks, vec![0.0]);
            assert_eq!(axis.fraction(0.0), 0.0);
            assert!(axis.max > axis.min);
        }
    }

    #[test]
    fn ticks_always_bracket_the_data_and_are_evenly_spaced() {
        let mut seed = 7u64;
        for _ in 0..500 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let a = ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.3) * 10f64.powi((seed % 9) as i32 - 2);
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let b = ((seed >> 11) as f64 / (1u64 << 53) as f64) * 10f64.powi((seed % 9) as i32 - 2);
            let axis = Axis::nice(a.min(b), a.max(b), 5);
            assert!(axis.min <= a.min(b).min(0.0) && axis.max >= a.max(b).max(0.0), "{a} {b} {axis:?}");
            assert!(axis.ticks.len() >= 2 && axis.ticks.len() <= 12, "{a} {b} {axis:?}");
            assert!(axis.ticks.contains(&0.0));
            let step = axis.ticks[1] - axis.ticks[0];
            assert!(axis.ticks.windows(2).all(|w| ((w[1] - w[0]) - step).abs() <= step * 1e-6));
        }
    }

    #[test]
    fn whole_numbers_get_whole_ticks() {
        assert_eq!(Axis::nice_for(0.0, 2.0, 5, true).ticks, vec![0.0, 1.0, 2.0]);
        assert_eq!(Axis::nice_for(0.0, 2.0, 5, false).ticks, vec![0.0, 0.5, 1.0, 1.5, 2.0]);
        assert_eq!(Axis::nice_for(0.0, 1.0, 5, true).ticks, vec![0.0, 1.0]);
        assert_eq!(Axis::nice_for(0.0, 87.0, 5, true).ticks, Axis::nice(0.0, 87.0, 5).ticks);
        assert_eq!(Axis::nice_for(0.0, 0.0, 5, true).ticks, vec![0.0]);
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("Acme", 10), "Acme");
        assert_eq!(truncate("Companhia Brasileira de Alumínio", 10), "Companhia…");
        assert_eq!(truncate("ação ação ação", 6), "ação…");
        assert_eq!(truncate("abc", 0), "abc".chars().take(1).collect::<String>() + "…");
    }
}
