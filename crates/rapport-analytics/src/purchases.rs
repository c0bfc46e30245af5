//! The shared input of RFM, cohorts and lifetime value: one customer's
//! purchases in one currency, aggregated by storage with one `GROUP BY` over
//! orders. Days are plain `i32` counts since 1970-01-01 (UTC) so that the
//! computations stay integer arithmetic and [`NaiveDate`] converts cheaply.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::NaiveDate;

use crate::cohorts::{CohortCell, month_of};

/// One customer's purchases in one currency, as storage aggregates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurchaseSummary {
    /// Days since 1970-01-01 (UTC) of the first purchase.
    pub first_day: i32,
    /// Days since 1970-01-01 (UTC) of the last purchase (`>= first_day`).
    pub last_day: i32,
    /// Number of orders, `>= 1`.
    pub purchases: u32,
    /// Sum of the order totals, integer minor units.
    pub total_minor: i64,
}

/// 1970-01-01, day 0.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// Days since 1970-01-01 of `date` (negative before). Every date chrono can
/// represent (±262,000 years) fits in an `i32`.
pub fn day_of(date: NaiveDate) -> i32 {
    // chrono's range is about ±95 million days, far inside i32.
    i32::try_from(date.signed_duration_since(epoch()).num_days()).unwrap_or(i32::MAX)
}

/// The date of a day number; `None` outside chrono's range.
pub fn date_of(day: i32) -> Option<NaiveDate> {
    epoch().checked_add_signed(chrono::Duration::days(i64::from(day)))
}

/// Each customer's summary and the cohort cells, built in one pass over
/// purchases in any order: storage reads the orders once instead of grouping
/// them once per figure.
#[derive(Debug, Clone)]
pub struct PurchaseTally<K> {
    index: HashMap<K, usize>,
    keys: Vec<K>,
    summaries: Vec<PurchaseSummary>,
    /// Per customer, the months it bought in and what it spent in each.
    months: Vec<Vec<(i32, i64)>>,
}

/// What a [`PurchaseTally`] found: the customers in key order, each with its
/// summary, and the cohort cells (cohort month, then active month).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tallied<K> {
    pub keys: Vec<K>,
    pub summaries: Vec<PurchaseSummary>,
    pub cells: Vec<CohortCell>,
}

impl<K: Hash + Eq + Ord + Clone> Default for PurchaseTally<K> {
    fn default() -> Self {
        Self { index: HashMap::new(), keys: Vec::new(), summaries: Vec::new(), months: Vec::new() }
    }
}

impl<K: Hash + Eq + Ord + Clone> PurchaseTally<K> {
    pub fn new() -> Self {
        Self::default()
    }

    /// One purchase of `customer` on `day` (days since 1970-01-01) worth `amount_minor`.
    pub fn add(&mut self, customer: K, day: i32, amount_minor: i64) {
        let month = month_of(day);
        let at = match self.index.get(&customer) {
            Some(&at) => at,
            None => {
                let at = self.keys.len();
                self.index.insert(customer.clone(), at);
                self.keys.push(customer);
                self.summaries.push(PurchaseSummary { first_day: day, last_day: day, purchases: 0, total_minor: 0 });
                self.months.push(Vec::new());
                at
            }
        };
        let summary = &mut self.summaries[at];
        summary.first_day = summary.first_day.min(day);
        summary.last_day = summary.last_day.max(day);
        summary.purchases = summary.purchases.saturating_add(1);
        summary.total_minor = summary.total_minor.saturating_add(amount_minor);
        // Customers buy in few months: a short list beats a map per customer.
        let months = &mut self.months[at];
        match months.iter_mut().find(|(m, _)| *m == month) {
            Some((_, spent)) => *spent = spent.saturating_add(amount_minor),
            None => months.push((month, amount_minor)),
        }
    }

    pub fn finish(self) -> Tallied<K> {
        let Self { index: _, keys, summaries, months } = self;
        let mut cells: HashMap<(i32, i32), (u32, i64)> = HashMap::new();
        for bought in &months {
            let Some(cohort) = bought.iter().map(|(month, _)| *month).min() else { continue };
            for &(month, spent) in bought {
                let cell = cells.entry((cohort, month)).or_default();
                cell.0 = cell.0.saturating_add(1);
                cell.1 = cell.1.saturating_add(spent);
            }
        }
        let mut cells: Vec<CohortCell> = cells
            .into_iter()
            .map(|((cohort_month, active_month), (customers, revenue_minor))| CohortCell {
                cohort_month,
                active_month,
                customers,
                revenue_minor,
            })
            .collect();
        cells.sort_by_key(|cell| (cell.cohort_month, cell.active_month));
        // Key order, as a GROUP BY would give: the same input, the same output.
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        Tallied {
            keys: order.iter().map(|&i| keys[i].clone()).collect(),
            summaries: order.iter().map(|&i| summaries[i]).collect(),
            cells,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_sums_each_customer_and_counts_cohort_cells_once_per_customer_and_month() {
        let jan = day_of(NaiveDate::from_ymd_opt(2026, 1, 10).unwrap());
        let jan_late = day_of(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap());
        let mar = day_of(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap());
        let feb = day_of(NaiveDate::from_ymd_opt(2026, 2, 20).unwrap());
        let mut tally = PurchaseTally::new();
        // Out of order on purpose: "b" first, "a"'s March before its January.
        tally.add("b", feb, 500);
        tally.add("a", mar, 2_000);
        tally.add("a", jan, 1_000);
        tally.add("a", jan_late, 300);
        tally.add("b", mar, 700);
        let out = tally.finish();
        assert_eq!(out.keys, ["a", "b"]);
        assert_eq!(
            out.summaries,
            [
                PurchaseSummary { first_day: jan, last_day: mar, purchases: 3, total_minor: 3_300 },
                PurchaseSummary { first_day: feb, last_day: mar, purchases: 2, total_minor: 1_200 },
            ]
        );
        let (m_jan, m_feb, m_mar) = ((2026 - 1970) * 12, (2026 - 1970) * 12 + 1, (2026 - 1970) * 12 + 2);
        let cell = |cohort_month, active_month, customers, revenue_minor| CohortCell {
            cohort_month,
            active_month,
            customers,
            revenue_minor,
        };
        // "a" bought twice in January: one customer in that cell, both amounts.
        assert_eq!(
            out.cells,
            [
                cell(m_jan, m_jan, 1, 1_300),
                cell(m_jan, m_mar, 1, 2_000),
                cell(m_feb, m_feb, 1, 500),
                cell(m_feb, m_mar, 1, 700)
            ]
        );
        let empty = PurchaseTally::<u8>::new().finish();
        assert!(empty.keys.is_empty() && empty.summaries.is_empty() && empty.cells.is_empty());
    }

    #[test]
    fn epoch_is_day_zero_and_dates_round_trip() {
        assert_eq!(day_of(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()), 0);
        assert_eq!(day_of(NaiveDate::from_ymd_opt(1970, 2, 1).unwrap()), 31);
        assert_eq!(day_of(NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()), -1);
        // 2000-03-01: 30 years with 7 leap days (72..96) plus Jan and Feb 2000.
        assert_eq!(day_of(NaiveDate::from_ymd_opt(2000, 3, 1).unwrap()), 30 * 365 + 7 + 31 + 29);
        for day in [-800_000, -1, 0, 1, 11_016, 20_000, 2_000_000] {
            assert_eq!(day_of(date_of(day).unwrap()), day);
        }
    }

    #[test]
    fn days_outside_chrono_have_no_date() {
        assert_eq!(date_of(i32::MAX), None);
        assert_eq!(date_of(i32::MIN), None);
    }
}

#[cfg(test)]
mod properties {
    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The one-pass tally gives what the GROUP BYs it replaces gave.
        #[test]
        fn the_tally_matches_grouping_by_customer_and_by_cohort_and_month(
            purchases in prop::collection::vec((0u8..12, 19_000i32..20_200, -500i64..100_000), 0..200)
        ) {
            let mut tally = PurchaseTally::new();
            for &(customer, day, amount) in &purchases {
                tally.add(customer, day, amount);
            }
            let out = tally.finish();
            let mut by_customer: BTreeMap<u8, Vec<(i32, i64)>> = BTreeMap::new();
            for &(customer, day, amount) in &purchases {
                by_customer.entry(customer).or_default().push((day, amount));
            }
            prop_assert_eq!(&out.keys, &by_customer.keys().copied().collect::<Vec<_>>());
            let mut cells: BTreeMap<(i32, i32), (BTreeSet<u8>, i64)> = BTreeMap::new();
            for ((customer, bought), summary) in by_customer.iter().zip(&out.summaries) {
                prop_assert_eq!(summary.first_day, bought.iter().map(|b| b.0).min().unwrap());
                prop_assert_eq!(summary.last_day, bought.iter().map(|b| b.0).max().unwrap());
                prop_assert_eq!(summary.purchases as usize, bought.len());
                prop_assert_eq!(summary.total_minor, bought.iter().map(|b| b.1).sum::<i64>());
                let cohort = month_of(summary.first_day);
                for &(day, amount) in bought {
                    let cell = cells.entry((cohort, month_of(day))).or_default();
                    cell.0.insert(*customer);
                    cell.1 += amount;
                }
            }
            let expected: Vec<CohortCell> = cells
                .into_iter()
                .map(|((cohort_month, active_month), (customers, revenue_minor))| CohortCell {
                    cohort_month,
                    active_month,
                    customers: customers.len() as u32,
                    revenue_minor,
                })
                .collect();
            prop_assert_eq!(out.cells, expected);
        }
    }
}
