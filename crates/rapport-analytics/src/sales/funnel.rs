//! The funnel: how many deals reached each open stage and then were won.

use serde::Serialize;

use super::{DealPath, Outcome, Stage, share};

/// One step of the funnel: an open stage (by its index in the pipeline) or,
/// last, the won deals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelStep {
    /// The stage's index in the pipeline; None for the final "won" step.
    pub stage: Option<usize>,
    /// Deals that reached this step or a later one.
    pub reached: u64,
    /// Of the deals that reached the previous step, the share that reached
    /// this one (none for the first step, or after a step nobody reached).
    pub conversion: Option<f64>,
    /// Of all the deals counted, the share that reached this step.
    pub of_total: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    pub deals: u64,
    pub steps: Vec<FunnelStep>,
}

/// The funnel of `deals` through the open stages of `stages`, ending with the
/// won deals. A deal counts as having reached every open stage up to the
/// furthest one it entered (a skipped stage counts as passed), and a won deal
/// as having passed them all: the usual cumulative funnel, whose counts never
/// grow from one step to the next.
pub fn funnel(stages: &[Stage], deals: &[DealPath]) -> Funnel {
    let open: Vec<usize> = (0..stages.len()).filter(|&i| stages[i].closes.is_none()).collect();
    // reached_at_least[k]: deals whose furthest open stage is open[k] or later.
    let mut furthest = vec![0u64; open.len()];
    let mut won = 0u64;
    for deal in deals {
        let is_won = matches!(deal.closed, Some((Outcome::Won, _)));
        if is_won {
            won += 1;
            if let Some(last) = furthest.last_mut() {
                *last += 1;
            }
        } else if let Some(stage) = deal.furthest_open(stages) {
            if let Some(k) = open.iter().position(|&s| s == stage) {
                furthest[k] += 1;
            }
        }
    }
    let mut reached = vec![0u64; open.len()];
    let mut running = 0;
    for k in (0..open.len()).rev() {
        running += furthest[k];
        reached[k] = running;
    }
    let total = deals.len() as u64;
    let mut steps: Vec<FunnelStep> = open
        .iter()
        .zip(&reached)
        .map(|(&stage, &count)| FunnelStep {
            stage: Some(stage),
            reached: count,
            conversion: None,
            of_total: share(count, total),
        })
        .collect();
    steps.push(FunnelStep { stage: None, reached: won, conversion: None, of_total: share(won, total) });
    for k in 1..steps.len() {
        steps[k].conversion = share(steps[k].reached, steps[k - 1].reached);
    }
    Funnel { deals: total, steps }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline() -> Vec<Stage> {
        // qualification, meeting, proposal, negotiation, won, lost
        let mut stages = vec![Stage { closes: None }; 4];
        stages.push(Stage { closes: Some(Outcome::Won) });
        stages.push(Stage { closes: Some(Outcome::Lost) });
        stages
    }

    fn path(stages: &[usize], closed: Option<Outcome>) -> DealPath {
        let mut entered: Vec<(usize, i64)> = stages.iter().enumerate().map(|(i, &s)| (s, i as i64 * 100)).collect();
        let closed = closed.map(|o| {
            entered.push((if o == Outcome::Won { 4 } else { 5 }, 1_000));
            (o, 1_000)
        });
        DealPath { created_at: 0, entered, closed }
    }

    #[test]
    fn counts_are_cumulative_and_conversions_chain() {
        let deals = vec![
            path(&[0], None),                     // stuck in qualification
            path(&[0, 1], Some(Outcome::Lost)),   // lost after the meeting
            path(&[0, 1, 2], None),               // at proposal
            path(&[0, 2, 3], Some(Outcome::Won)), // skipped the meeting, won
            path(&[0], Some(Outcome::Won)),       // won straight from qualification
        ];
        let f = funnel(&pipeline(), &deals);
        let reached: Vec<u64> = f.steps.iter().map(|s| s.reached).collect();
        assert_eq!(reached, [5, 4, 3, 2, 2]);
        assert_eq!(f.steps[0].conversion, None);
        assert_eq!(f.steps[1].conversion, Some(0.8));
        assert_eq!(f.steps[2].conversion, Some(0.75));
        assert_eq!(f.steps[4].stage, None);
        assert_eq!(f.steps[4].of_total, Some(0.4));
    }

    #[test]
    fn no_deals_is_a_funnel_of_zeros_without_shares() {
        let f = funnel(&pipeline(), &[]);
        assert_eq!(f.deals, 0);
        assert!(f.steps.iter().all(|s| s.reached == 0 && s.conversion.is_none() && s.of_total.is_none()));
    }
}
