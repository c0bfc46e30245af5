//! A small Nelder–Mead simplex minimiser (standard coefficients: reflection 1,
//! expansion 2, contraction ½, shrink ½), used on log-parameters so every
//! parameter stays positive without constraints. Non-finite objective values
//! count as +∞, so a NaN never becomes the best point.

/// Evaluations between checks for a stall: if the best value improved by less
/// than [`VALUE_TOLERANCE`] over this many evaluations, the simplex is crawling
/// along a flat ridge (parameters the data cannot tell apart, such as a and b
/// growing together when everyone has the same dropout probability), and the
/// value has converged even though the point has not.
const STALL_WINDOW: usize = 600;

/// Where a minimisation ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Minimum {
    pub point: Vec<f64>,
    pub value: f64,
    /// The simplex shrank below the tolerances, or its best value stalled
    /// (see [`STALL_WINDOW`]), before the evaluation budget ran out.
    pub converged: bool,
}

/// Stop when the simplex's values differ by less than this (absolute, on an
/// objective that callers scale to about 1 per customer)…
const VALUE_TOLERANCE: f64 = 1e-10;
/// …and its points by less than this in every coordinate.
const POINT_TOLERANCE: f64 = 1e-7;

/// Minimises `objective` from `start` with an initial simplex of `step` along
/// each axis, restarting from the best point until a restart no longer
/// improves (guards against the simplex collapsing early), within
/// `max_evaluations` in all.
pub(crate) fn minimize(objective: impl Fn(&[f64]) -> f64, start: &[f64], step: f64, max_evaluations: usize) -> Minimum {
    let objective = |point: &[f64]| {
        let value = objective(point);
        if value.is_finite() { value } else { f64::INFINITY }
    };
    let mut budget = max_evaluations;
    let mut best = run(&objective, start, step, &mut budget);
    for _ in 0..8 {
        if budget == 0 || !best.converged {
            break;
        }
        let again = run(&objective, &best.point, step / 4.0, &mut budget);
        let improved = best.value - again.value > VALUE_TOLERANCE;
        let converged = again.converged;
        if again.value <= best.value {
            best = again;
        }
        best.converged = converged;
        if !improved {
            break;
        }
    }
    best
}

fn run(objective: &impl Fn(&[f64]) -> f64, start: &[f64], step: f64, budget: &mut usize) -> Minimum {
    let dimensions = start.len();
    let evaluations = std::cell::Cell::new(0usize);
    let evaluate = |point: &[f64]| {
        evaluations.set(evaluations.get() + 1);
        objective(point)
    };
    let limit = *budget;
    let mut checkpoint = (STALL_WINDOW, f64::INFINITY);
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(dimensions + 1);
    simplex.push((start.to_vec(), evaluate(start)));
    for axis in 0..dimensions {
        let mut point = start.to_vec();
        point[axis] += step;
        let value = evaluate(&point);
        simplex.push((point, value));
    }
    loop {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[dimensions].1);
        let spread = (0..dimensions)
            .map(|axis| {
                let values = simplex.iter().map(|(p, _)| p[axis]);
                let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
                high - low
            })
            .fold(0.0, f64::max);
        if best.is_finite() && worst - best <= VALUE_TOLERANCE && spread <= POINT_TOLERANCE {
            *budget = limit.saturating_sub(evaluations.get());
            return Minimum { point: simplex[0].0.clone(), value: best, converged: true };
        }
        if evaluations.get() >= checkpoint.0 {
            if best.is_finite() && checkpoint.1 - best < VALUE_TOLERANCE {
                *budget = limit.saturating_sub(evaluations.get());
                return Minimum { point: simplex[0].0.clone(), value: best, converged: true };
            }
            checkpoint = (evaluations.get() + STALL_WINDOW, best);
        }
        if evaluations.get() >= limit {
            *budget = 0;
            return Minimum { point: simplex[0].0.clone(), value: best, converged: false };
        }
        let centroid: Vec<f64> = (0..dimensions)
            .map(|axis| simplex[..dimensions].iter().map(|(p, _)| p[axis]).sum::<f64>() / dimensions as f64)
            .collect();
        let toward = |coefficient: f64, from: &[f64]| -> Vec<f64> {
            centroid.iter().zip(from).map(|(c, w)| c + coefficient * (w - c)).collect()
        };
        let worst_point = simplex[dimensions].0.clone();
        let reflected = toward(-1.0, &worst_point);
        let reflected_value = evaluate(&reflected);
        if reflected_value < best {
            let expanded = toward(-2.0, &worst_point);
            let expanded_value = evaluate(&expanded);
            simplex[dimensions] = if expanded_value < reflected_value {
                (expanded, expanded_value)
            } else {
                (reflected, reflected_value)
            };
            continue;
        }
        if reflected_value < simplex[dimensions - 1].1 {
            simplex[dimensions] = (reflected, reflected_value);
            continue;
        }
        // Contract toward the better of the worst point and its reflection.
        let (outside, from, from_value) = if reflected_value < worst {
            (true, reflected.clone(), reflected_value)
        } else {
            (false, worst_point.clone(), worst)
        };
        let contracted = toward(0.5, &from);
        let contracted_value = evaluate(&contracted);
        if contracted_value < from_value || (!outside && contracted_value < worst) {
            simplex[dimensions] = (contracted, contracted_value);
            continue;
        }
        let best_point = simplex[0].0.clone();
        for (point, value) in simplex.iter_mut().skip(1) {
            *point = best_point.iter().zip(point.iter()).map(|(b, p)| b + 0.5 * (p - b)).collect();
            *value = evaluate(point);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_rosenbrock() {
        let rosenbrock = |p: &[f64]| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2);
        let minimum = minimize(rosenbrock, &[-1.2, 1.0], 0.5, 20_000);
        assert!(minimum.converged);
        assert!((minimum.point[0] - 1.0).abs() < 1e-4 && (minimum.point[1] - 1.0).abs() < 1e-4, "{minimum:?}");
    }

    #[test]
    fn a_quadratic_in_four_dimensions_and_a_nan_wall() {
        let centre = [0.3, -2.0, 1.5, 4.0];
        let bowl = |p: &[f64]| {
            if p[0] < -1.0 {
                return f64::NAN;
            }
            p.iter().zip(centre).enumerate().map(|(i, (x, c))| (i as f64 + 1.0) * (x - c).powi(2)).sum()
        };
        let minimum = minimize(bowl, &[0.0; 4], 1.0, 20_000);
        assert!(minimum.converged);
        for (x, c) in minimum.point.iter().zip(centre) {
            assert!((x - c).abs() < 1e-4, "{minimum:?}");
        }
    }

    #[test]
    fn stops_on_a_flat_ridge() {
        // Minimal value 0 approached as p[0] → ∞ along p[1] = p[0]: a ridge
        // flatter than the tolerance long before the edge.
        let ridge = |p: &[f64]| (p[0] - p[1]).powi(2) + (-p[0]).exp() * 1e-3;
        let minimum = minimize(ridge, &[0.0, 0.0], 1.0, 100_000);
        assert!(minimum.converged, "{minimum:?}");
        assert!(minimum.value < 1e-9 && (minimum.point[0] - minimum.point[1]).abs() < 1e-3, "{minimum:?}");
    }

    #[test]
    fn reports_running_out_of_budget() {
        let minimum = minimize(|p: &[f64]| p[0] * p[0] + p[1] * p[1], &[50.0, 50.0], 0.01, 10);
        assert!(!minimum.converged);
        assert!(minimum.value.is_finite());
    }
}
