//! Sales figures from deals and their stage history: the funnel with its
//! conversions, time in each stage, the sales cycle, win rates by any key,
//! pipeline velocity, competitors met, and how accurate past forecasts were.
//!
//! Stages are given in pipeline order and referred to by their index in that
//! slice; times are Unix seconds, so storage converts once and the figures
//! here stay integer arithmetic until the final averages.

mod accuracy;
mod funnel;
mod rates;
mod timing;

pub use accuracy::{ForecastCall, ForecastCheck, check_forecasts};
pub use funnel::{Funnel, FunnelStep, funnel};
pub use rates::{
    ClosedDeal, CompetitorDeal, CompetitorLine, GroupRate, ReasonLine, Velocity, competitors, pipeline_velocity,
    reasons, win_rates,
};
pub use timing::{Durations, StageTime, sales_cycle, time_in_stages};

use serde::Serialize;

/// A stage of the pipeline, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stage {
    /// Won and lost stages close a deal; the funnel ends with "won".
    pub closes: Option<Outcome>,
}

/// How a closed deal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Won,
    Lost,
}

/// One deal's way through the pipeline, as storage reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealPath {
    pub created_at: i64,
    /// Each stage the deal entered, oldest first (the first is the stage
    /// it was created in); `(stage index, when)`.
    pub entered: Vec<(usize, i64)>,
    /// When it was won or lost; None while open.
    pub closed: Option<(Outcome, i64)>,
}

impl DealPath {
    /// The furthest open stage the deal reached (by pipeline order), if any.
    fn furthest_open(&self, stages: &[Stage]) -> Option<usize> {
        self.entered
            .iter()
            .map(|&(stage, _)| stage)
            .filter(|&s| stages.get(s).is_some_and(|s| s.closes.is_none()))
            .max()
    }
}

pub(crate) const DAY: f64 = 86_400.0;

/// `part / whole` as a share in 0..=1, none when there is nothing to divide.
pub(crate) fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
