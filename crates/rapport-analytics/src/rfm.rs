//! RFM: recency, frequency and monetary scores 1..=5 by quintiles, and the
//! named segments marketing acts on.
//!
//! **Scores.** Each measure is scored by its *mid-rank percentile*: for a
//! value v among n customers, `pct = (below + equal / 2) / n`, where `below`
//! counts the customers with a worse value and `equal` those with the same
//! value (the customer included); the score is `ceil(5 × pct)`, clamped to
//! 1..=5. With distinct values this is exactly the quintiles (the best fifth
//! gets 5); equal values share one percentile, so ties are never split
//! between scores. One customer, or customers all alike, get 3 (the middle).
//! The arithmetic is integer, so the same data always gives the same scores.
//!
//! Recency is scored on the last purchase day (a later day is better, 5 = most
//! recent), frequency on the number of orders, monetary on the total spend.

use serde::{Deserialize, Serialize};

use crate::purchases::PurchaseSummary;

/// One customer's RFM scores, in the order of the input rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmScore {
    /// 1..=5, 5 = bought most recently.
    pub recency: u8,
    /// 1..=5, 5 = most orders.
    pub frequency: u8,
    /// 1..=5, 5 = highest total spend.
    pub monetary: u8,
    /// Days from the last purchase to `today` (0 when the last purchase is
    /// today or, for inconsistent rows, after it).
    pub recency_days: i32,
    /// The named segment of these scores (see [`Segment::of`]).
    pub segment: Segment,
}

/// Scores every row against the others; `today` is the day the recency is
/// measured from. O(n log n) (three sorts); empty input gives empty output.
pub fn score(rows: &[PurchaseSummary], today: i32) -> Vec<RfmScore> {
    let recency = quintile_scores(rows, |row| i64::from(row.last_day));
    let frequency = quintile_scores(rows, |row| i64::from(row.purchases));
    let monetary = quintile_scores(rows, |row| row.total_minor);
    rows.iter()
        .enumerate()
        .map(|(index, row)| {
            let (r, f, m) = (recency[index], frequency[index], monetary[index]);
            RfmScore {
                recency: r,
                frequency: f,
                monetary: m,
                recency_days: today.saturating_sub(row.last_day).max(0),
                segment: Segment::of(r, f, m),
            }
        })
        .collect()
}

/// Mid-rank percentile scores 1..=5 of `key` (higher is better), in input order.
fn quintile_scores(rows: &[PurchaseSummary], key: impl Fn(&PurchaseSummary) -> i64) -> Vec<u8> {
    let n = rows.len() as u128;
    let mut order: Vec<(i64, usize)> = rows.iter().map(&key).zip(0..).collect();
    order.sort_unstable();
    let mut scores = vec![3u8; rows.len()];
    let mut start = 0;
    while start < order.len() {
        let value = order[start].0;
        let end = start + order[start..].partition_point(|(v, _)| *v == value);
        let (below, equal) = (start as u128, (end - start) as u128);
        // ceil(5 × (2·below + equal) / (2n)), in integers.
        let numerator = 5 * (2 * below + equal);
        let score = numerator.div_ceil(2 * n).clamp(1, 5) as u8;
        for &(_, index) in &order[start..end] {
            scores[index] = score;
        }
        start = end;
    }
    scores
}

/// The named RFM segments, from the common R × FM grid (FM is the mean of the
/// F and M scores rounded half up):
///
/// | R \ FM | 1           | 2             | 3                   | 4                   | 5            |
/// |--------|-------------|---------------|---------------------|---------------------|--------------|
/// | 5      | New         | Pot. loyalist | Pot. loyalist       | Champions           | Champions    |
/// | 4      | Promising   | Pot. loyalist | Pot. loyalist       | Loyal               | Loyal        |
/// | 3      | About to sleep | About to sleep | Need attention   | Loyal               | Loyal        |
/// | 2      | Hibernating | Hibernating   | At risk             | At risk             | Can't lose them |
/// | 1      | Lost        | Hibernating   | At risk             | At risk             | Can't lose them |
///
/// This is the widely used ten-segment grid (R, F) with "Lost" split off the
/// hibernating corner (R 1, FM 1) and FM in place of F so big spenders count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Champions,
    Loyal,
    PotentialLoyalists,
    NewCustomers,
    Promising,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CantLoseThem,
    Hibernating,
    Lost,
}

impl Segment {
    /// Every segment, best first (the order screens list them in).
    pub const ALL: [Segment; 11] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::PotentialLoyalists,
        Segment::NewCustomers,
        Segment::Promising,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::CantLoseThem,
        Segment::Hibernating,
        Segment::Lost,
    ];

    /// The segment of scores (each 1..=5; out-of-range values are clamped).
    pub fn of(recency: u8, frequency: u8, monetary: u8) -> Segment {
        let r = recency.clamp(1, 5);
        let fm = (frequency.clamp(1, 5) + monetary.clamp(1, 5)).div_ceil(2);
        match (r, fm) {
            (5, 4..=5) => Segment::Champions,
            (3..=4, 4..=5) => Segment::Loyal,
            (4..=5, 2..=3) => Segment::PotentialLoyalists,
            (5, 1) => Segment::NewCustomers,
            (4, 1) => Segment::Promising,
            (3, 3) => Segment::NeedAttention,
            (3, 1..=2) => Segment::AboutToSleep,
            (1..=2, 5) => Segment::CantLoseThem,
            (1..=2, 3..=4) => Segment::AtRisk,
            (1, 1) => Segment::Lost,
            _ => Segment::Hibernating,
        }
    }

    /// Stable snake_case key, stored in the database and used as the i18n key
    /// `segment-<key>`. Never change an existing one.
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::PotentialLoyalists => "potential_loyalists",
            Segment::NewCustomers => "new_customers",
            Segment::Promising => "promising",
            Segment::NeedAttention => "need_attention",
            Segment::AboutToSleep => "about_to_sleep",
            Segment::AtRisk => "at_risk",
            Segment::CantLoseThem => "cant_lose_them",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }

    /// The segment of a key written by [`Segment::as_str`].
    pub fn parse(key: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|segment| segment.as_str() == key)
    }
}

/// One segment's figures for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentSummary {
    pub segment: Segment,
    pub customers: u64,
    /// Customers in the segment / all customers, 0..=1 (0 when there are none).
    pub share: f64,
    /// Sum of the segment's total spend (saturating).
    pub total_minor: i64,
    /// Mean days since the last purchase (0 for an empty segment).
    pub average_recency_days: f64,
    /// Mean number of orders (0 for an empty segment).
    pub average_purchases: f64,
}

/// Per-segment figures, one entry per segment in [`Segment::ALL`] order (empty
/// segments included, with zeros). `scores[i]` must be the score of `rows[i]`
/// (the output of [`score`]); extra entries of the longer slice are ignored.
pub fn summarize(scores: &[RfmScore], rows: &[PurchaseSummary]) -> Vec<SegmentSummary> {
    #[derive(Default, Clone, Copy)]
    struct Sums {
        customers: u64,
        total_minor: i64,
        recency_days: i64,
        purchases: u64,
    }
    let mut sums = [Sums::default(); Segment::ALL.len()];
    for (score, row) in scores.iter().zip(rows) {
        let sums = &mut sums[score.segment as usize];
        sums.customers += 1;
        sums.total_minor = sums.total_minor.saturating_add(row.total_minor);
        sums.recency_days += i64::from(score.recency_days);
        sums.purchases += u64::from(row.purchases);
    }
    let all: u64 = sums.iter().map(|s| s.customers).sum();
    Segment::ALL
        .into_iter()
        .zip(sums)
        .map(|(segment, sums)| {
            let mean = |sum: f64| if sums.customers == 0 { 0.0 } else { sum / sums.customers as f64 };
            SegmentSummary {
                segment,
                customers: sums.customers,
                share: if all == 0 { 0.0 } else { sums.customers as f64 / all as f64 },
                total_minor: sums.total_minor,
                average_recency_days: mean(sums.recency_days as f64),
                average_purchases: mean(sums.purchases as f64),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
