//! How long deals stay in each stage, and how long they take to close.

use serde::Serialize;

use super::{DAY, DealPath, Outcome, Stage};

/// A distribution of durations in days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Durations {
    pub count: u64,
    pub mean_days: f64,
    pub median_days: f64,
    /// Nine in ten took at most this long.
    pub p90_days: f64,
}

impl Durations {
    /// None for no durations: an average of nothing is not zero days.
    fn of(mut seconds: Vec<i64>) -> Option<Self> {
        if seconds.is_empty() {
            return None;
        }
        seconds.sort_unstable();
        let count = seconds.len();
        let sum: i128 = seconds.iter().map(|&s| i128::from(s)).sum();
        let at = |q: f64| {
            // Nearest rank: the smallest value with at least q of them at or below it.
            let rank = ((q * count as f64).ceil() as usize).clamp(1, count);
            seconds[rank - 1] as f64 / DAY
        };
        let median = if count % 2 == 1 {
            seconds[count / 2] as f64 / DAY
        } else {
            (seconds[count / 2 - 1] as f64 + seconds[count / 2] as f64) / 2.0 / DAY
        };
        Some(Self {
            count: count as u64,
            mean_days: sum as f64 / count as f64 / DAY,
            median_days: median,
            p90_days: at(0.9),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageTime {
    pub stage: usize,
    /// Finished stays only (the deal moved on or closed): a deal still in
    /// the stage has not shown how long it will stay.
    pub durations: Option<Durations>,
    /// Deals in the stage now, and how long the oldest has waited.
    pub open_now: u64,
    pub longest_open_days: Option<f64>,
}

/// Time spent in each open stage. A stay ends when the deal enters another
/// stage or closes; a stay of a deal entering the same stage twice counts
/// twice. Changes out of time order are taken in the order given, and a
/// negative stay (a clock moved back) counts as zero.
pub fn time_in_stages(stages: &[Stage], deals: &[DealPath], now: i64) -> Vec<StageTime> {
    let mut finished: Vec<Vec<i64>> = vec![Vec::new(); stages.len()];
    let mut open_now = vec![0u64; stages.len()];
    let mut longest: Vec<Option<i64>> = vec![None; stages.len()];
    for deal in deals {
        for (k, &(stage, entered)) in deal.entered.iter().enumerate() {
            if stage >= stages.len() || stages[stage].closes.is_some() {
                continue;
            }
            let left = deal.entered.get(k + 1).map(|&(_, at)| at).or(deal.closed.map(|(_, at)| at));
            match left {
                Some(left) => finished[stage].push((left - entered).max(0)),
                None => {
                    open_now[stage] += 1;
                    let waited = (now - entered).max(0);
                    longest[stage] = Some(longest[stage].map_or(waited, |l| l.max(waited)));
                }
            }
        }
    }
    (0..stages.len())
        .filter(|&s| stages[s].closes.is_none())
        .map(|s| StageTime {
            stage: s,
            durations: Durations::of(std::mem::take(&mut finished[s])),
            open_now: open_now[s],
            longest_open_days: longest[s].map(|l| l as f64 / DAY),
        })
        .collect()
}

/// From creation to closing, for the deals that ended as `outcome`.
pub fn sales_cycle(deals: &[DealPath], outcome: Outcome) -> Option<Durations> {
    Durations::of(
        deals
            .iter()
            .filter_map(|d| d.closed.filter(|(o, _)| *o == outcome).map(|(_, at)| (at - d.created_at).max(0)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: i64 = 86_400;

    fn stages() -> Vec<Stage> {
        vec![
            Stage { closes: None },
            Stage { closes: None },
            Stage { closes: Some(Outcome::Won) },
            Stage { closes: Some(Outcome::Lost) },
        ]
    }

    #[test]
    fn stays_end_at_the_next_stage_or_the_close_and_open_ones_wait() {
        let deals = vec![
            // 2 days in 0, 4 in 1, then won.
            DealPath {
                created_at: 0,
                entered: vec![(0, 0), (1, 2 * D), (2, 6 * D)],
                closed: Some((Outcome::Won, 6 * D)),
            },
            // 4 days in 0, then in 1 since day 4.
            DealPath { created_at: 0, entered: vec![(0, 0), (1, 4 * D)], closed: None },
            // 10 days in 0, lost.
            DealPath { created_at: 0, entered: vec![(0, 0), (3, 10 * D)], closed: Some((Outcome::Lost, 10 * D)) },
        ];
        let times = time_in_stages(&stages(), &deals, 20 * D);
        assert_eq!(times.len(), 2);
        let first = times[0].durations.as_ref().unwrap();
        assert_eq!((first.count, first.median_days, first.p90_days), (3, 4.0, 10.0));
        assert!((first.mean_days - 16.0 / 3.0).abs() < 1e-9);
        let second = times[1].durations.as_ref().unwrap();
        assert_eq!((second.count, second.mean_days), (1, 4.0));
        assert_eq!((times[1].open_now, times[1].longest_open_days), (1, Some(16.0)));
        assert_eq!(times[0].open_now, 0);

        let won = sales_cycle(&deals, Outcome::Won).unwrap();
        assert_eq!((won.count, won.median_days), (1, 6.0));
        assert_eq!(sales_cycle(&deals, Outcome::Lost).unwrap().mean_days, 10.0);
    }

    #[test]
    fn nothing_closed_has_no_cycle_and_empty_stages_no_durations() {
        let times = time_in_stages(&stages(), &[], 0);
        assert!(times.iter().all(|t| t.durations.is_none() && t.open_now == 0));
        assert_eq!(sales_cycle(&[], Outcome::Won), None);
    }

    #[test]
    fn an_even_count_takes_the_middle_pair() {
        let d = Durations::of(vec![D, 2 * D, 3 * D, 10 * D]).unwrap();
        assert_eq!(d.median_days, 2.5);
        assert_eq!(d.p90_days, 10.0);
    }
}
