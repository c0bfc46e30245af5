//! How close past forecasts came to what was then won.

use serde::Serialize;

/// A forecast recorded early in a period, with what the period then brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastCall {
    /// `2026-11` or `2026-Q4`.
    pub period: String,
    /// The day the forecast was recorded.
    pub taken_on: chrono::NaiveDate,
    /// Already won then plus the open deals in "commit".
    pub commit_minor: i64,
    /// Commit plus the open deals in "best case".
    pub best_case_minor: i64,
    /// Won plus each open deal's amount × probability.
    pub weighted_minor: i64,
    /// What was won in the period in the end.
    pub actual_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastCheck {
    pub period: String,
    pub taken_on: chrono::NaiveDate,
    pub commit_minor: i64,
    pub best_case_minor: i64,
    pub weighted_minor: i64,
    pub actual_minor: i64,
    /// (forecast − actual) ÷ actual: positive = forecast too high. None when
    /// nothing was won (any forecast above zero is then infinitely off).
    pub commit_error: Option<f64>,
    pub weighted_error: Option<f64>,
    /// Whether the actual fell between commit and best case.
    pub within_range: bool,
}

/// Each call checked against its period's outcome, plus the mean absolute
/// percentage error of the commit and weighted forecasts over the periods
/// where something was won.
pub fn check_forecasts(calls: &[ForecastCall]) -> (Vec<ForecastCheck>, Option<f64>, Option<f64>) {
    let error = |forecast: i64, actual: i64| (actual != 0).then(|| (forecast - actual) as f64 / actual as f64);
    let checks: Vec<ForecastCheck> = calls
        .iter()
        .map(|c| ForecastCheck {
            period: c.period.clone(),
            taken_on: c.taken_on,
            commit_minor: c.commit_minor,
            best_case_minor: c.best_case_minor,
            weighted_minor: c.weighted_minor,
            actual_minor: c.actual_minor,
            commit_error: error(c.commit_minor, c.actual_minor),
            weighted_error: error(c.weighted_minor, c.actual_minor),
            within_range: c.commit_minor <= c.actual_minor && c.actual_minor <= c.best_case_minor,
        })
        .collect();
    let mean_abs = |pick: fn(&ForecastCheck) -> Option<f64>| {
        let errors: Vec<f64> = checks.iter().filter_map(pick).map(f64::abs).collect();
        (!errors.is_empty()).then(|| errors.iter().sum::<f64>() / errors.len() as f64)
    };
    let commit = mean_abs(|c| c.commit_error);
    let weighted = mean_abs(|c| c.weighted_error);
    (checks, commit, weighted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(period: &str, commit: i64, best: i64, weighted: i64, actual: i64) -> ForecastCall {
        ForecastCall {
            period: period.into(),
            taken_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            commit_minor: commit,
            best_case_minor: best,
            weighted_minor: weighted,
            actual_minor: actual,
        }
    }

    #[test]
    fn errors_are_signed_per_period_and_absolute_on_average() {
        let (checks, commit, weighted) = check_forecasts(&[
            call("2026-08", 80, 120, 110, 100),
            call("2026-09", 150, 200, 90, 100),
            call("2026-10", 10, 20, 5, 0),
        ]);
        assert_eq!(checks[0].commit_error, Some(-0.2));
        assert!(checks[0].within_range);
        assert_eq!(checks[1].commit_error, Some(0.5));
        assert!(!checks[1].within_range);
        assert_eq!(checks[2].commit_error, None);
        assert!((commit.unwrap() - 0.35).abs() < 1e-12);
        assert!((weighted.unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(check_forecasts(&[]).1, None);
    }
}
