//! Cohorts and retention: customers grouped by the month of their first
//! purchase, followed month by month.
//!
//! Months are plain `i32` counts since 1970-01 (January 1970 is 0), so storage
//! can group on them and the arithmetic stays integer.

use serde::{Deserialize, Serialize};

use crate::purchases::PurchaseSummary;

/// One aggregated cell as storage returns it: of the customers whose first
/// purchase fell in `cohort_month`, how many bought in `active_month` and how
/// much they spent that month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortCell {
    /// Months since 1970-01 of the customers' first purchase.
    pub cohort_month: i32,
    /// Months since 1970-01 of the month measured (`>= cohort_month`).
    pub active_month: i32,
    /// Distinct customers of the cohort who bought in `active_month`.
    pub customers: u32,
    /// Their spend that month, minor units.
    pub revenue_minor: i64,
}

/// One month of one cohort.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CohortMonth {
    /// Months after the cohort's first month (0 = the first month).
    pub offset: u32,
    /// Customers of the cohort who bought that month.
    pub customers: u32,
    /// `customers / size`, in 0..=1 (clamped if storage reports more buyers
    /// than the cohort has); `None` for a cohort of size 0.
    pub retention: Option<f64>,
    pub revenue_minor: i64,
}

/// One cohort's row of the retention triangle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortRow {
    pub cohort_month: i32,
    /// Customers active in their own first month (offset 0).
    pub size: u32,
    /// Offsets 0..=(last month in the data − cohort month), gaps filled with 0.
    pub months: Vec<CohortMonth>,
}

/// The whole retention table, oldest cohort first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortTable {
    pub cohorts: Vec<CohortRow>,
    /// Retention per offset across cohorts, weighted by cohort size: the
    /// customers retained at that offset over the sizes of the cohorts old
    /// enough to have reached it. `None` where those sizes sum to 0.
    pub average_retention: Vec<Option<f64>>,
}

/// Builds the triangle from storage's cells. Cells with `active_month` before
/// `cohort_month` are ignored (they cannot happen for a real first purchase);
/// repeated cells for the same (cohort, month) are added up. O(cells log cells
/// + cohorts × months).
pub fn retention(cells: &[CohortCell]) -> CohortTable {
    let mut valid: Vec<&CohortCell> = cells.iter().filter(|cell| cell.active_month >= cell.cohort_month).collect();
    valid.sort_by_key(|cell| (cell.cohort_month, cell.active_month));
    let Some(last_month) = valid.iter().map(|cell| cell.active_month).max() else {
        return CohortTable { cohorts: Vec::new(), average_retention: Vec::new() };
    };
    let mut cohorts: Vec<CohortRow> = Vec::new();
    for cell in valid {
        if cohorts.last().is_none_or(|row| row.cohort_month != cell.cohort_month) {
            let span = (last_month - cell.cohort_month) as u32 + 1;
            cohorts.push(CohortRow {
                cohort_month: cell.cohort_month,
                size: 0,
                months: (0..span)
                    .map(|offset| CohortMonth { offset, customers: 0, retention: None, revenue_minor: 0 })
                    .collect(),
            });
        }
        if let Some(row) = cohorts.last_mut() {
            let month = &mut row.months[(cell.active_month - cell.cohort_month) as usize];
            month.customers = month.customers.saturating_add(cell.customers);
            month.revenue_minor = month.revenue_minor.saturating_add(cell.revenue_minor);
        }
    }
    let longest = cohorts.iter().map(|row| row.months.len()).max().unwrap_or(0);
    let mut retained = vec![0u64; longest];
    let mut reached = vec![0u64; longest];
    for row in &mut cohorts {
        row.size = row.months[0].customers;
        for month in &mut row.months {
            month.retention = ratio(u64::from(month.customers), u64::from(row.size));
            retained[month.offset as usize] += u64::from(month.customers);
            reached[month.offset as usize] += u64::from(row.size);
        }
    }
    let average_retention = retained.iter().zip(&reached).map(|(&r, &n)| ratio(r, n)).collect();
    CohortTable { cohorts, average_retention }
}

/// `part / whole` clamped to 0..=1, `None` when `whole` is 0.
fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64).min(1.0))
}

/// Customers with at least two purchases over all customers; `None` when
/// there are no customers.
pub fn repeat_purchase_rate(rows: &[PurchaseSummary]) -> Option<f64> {
    let repeat = rows.iter().filter(|row| row.purchases >= 2).count();
    (!rows.is_empty()).then(|| repeat as f64 / rows.len() as f64)
}

/// Months since 1970-01 of a day (days since 1970-01-01), for any `i32` day.
pub fn month_of(day: i32) -> i32 {
    let (year, month, _) = civil_from_days(i64::from(day));
    ((year - 1970) * 12 + i64::from(month) - 1) as i32
}

/// The first day (days since 1970-01-01) of a month number, saturating at the
/// ends of `i32`.
pub fn first_day_of_month(month: i32) -> i32 {
    let (year, month) = month_label(month);
    let day = days_from_civil(i64::from(year), month, 1);
    day.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// (year, month 1..=12) of a month number, for labels like "2026-03".
pub fn month_label(month: i32) -> (i32, u32) {
    (1970 + month.div_euclid(12), month.rem_euclid(12) as u32 + 1)
}

/// (year, month, day) of a day count since 1970-01-01, proleptic Gregorian
/// (the well-known era-based conversion: 400-year eras of 146,097 days).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March = 0
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let shifted_month = i64::from((month + 9) % 12); // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purchases::{date_of, day_of};
    use chrono::Datelike;

    fn cell(cohort_month: i32, active_month: i32, customers: u32, revenue_minor: i64) -> CohortCell {
        CohortCell { cohort_month, active_month, customers, revenue_minor }
    }

    #[test]
    fn months_match_the_calendar() {
        assert_eq!(month_of(0), 0);
        assert_eq!(month_of(30), 0);
        assert_eq!(month_of(31), 1);
        assert_eq!(month_of(-1), -1);
        assert_eq!(month_label(-1), (1969, 12));
        assert_eq!(month_label(12 * 56 + 2), (2026, 3));
        for day in (-1_000_000..1_000_000).step_by(7919) {
            let date = date_of(day).unwrap();
            let month = month_of(day);
            assert_eq!(month_label(month), (date.year(), date.month()));
            let first = date.with_day(1).unwrap();
            assert_eq!(first_day_of_month(month), day_of(first));
        }
        // The extremes of i32 do not overflow.
        assert!(month_of(i32::MAX) > 0 && month_of(i32::MIN) < 0);
    }

    #[test]
    fn retention_triangle_from_cells() {
        // Cohort 600 (100 customers): 40 back a month later, 25 two months later.
        // Cohort 601 (50 customers): 30 back a month later.
        let cells = [
            cell(600, 600, 100, 10_000),
            cell(600, 601, 40, 5_000),
            cell(600, 602, 25, 3_000),
            cell(601, 601, 50, 6_000),
            cell(601, 602, 30, 2_000),
            cell(602, 602, 10, 900),
        ];
        let table = retention(&cells);
        assert_eq!(table.cohorts.len(), 3);
        let first = &table.cohorts[0];
        assert_eq!((first.cohort_month, first.size, first.months.len()), (600, 100, 3));
        assert_eq!(first.months[1].customers, 40);
        assert_eq!(first.months[1].retention, Some(0.4));
        assert_eq!(first.months[2].revenue_minor, 3_000);
        assert_eq!(table.cohorts[1].months.len(), 2);
        assert_eq!(table.cohorts[1].months[1].retention, Some(0.6));
        assert_eq!(table.cohorts[2].months.len(), 1);
        // Offset 1 is reached by cohorts 600 and 601: (40 + 30) / (100 + 50).
        assert_eq!(table.average_retention.len(), 3);
        assert_eq!(table.average_retention[0], Some(1.0));
        assert!((table.average_retention[1].unwrap() - 70.0 / 150.0).abs() < 1e-12);
        assert_eq!(table.average_retention[2], Some(0.25));
    }

    #[test]
    fn gaps_duplicates_and_bad_cells() {
        let cells = [
            cell(10, 13, 5, 50),
            cell(10, 10, 20, 100),
            cell(10, 10, 5, 10), // same cell again: added up
            cell(10, 9, 99, 99), // before the cohort: ignored
            cell(11, 12, 4, 40), // a cohort without an offset-0 cell has size 0
        ];
        let table = retention(&cells);
        let first = &table.cohorts[0];
        assert_eq!(first.size, 25);
        assert_eq!(first.months.len(), 4);
        assert_eq!(first.months[1].customers, 0);
        assert_eq!(first.months[1].retention, Some(0.0));
        assert_eq!(first.months[3].retention, Some(0.2));
        let second = &table.cohorts[1];
        assert_eq!(second.size, 0);
        assert!(second.months.iter().all(|m| m.retention.is_none()));
        assert!(table.average_retention.iter().flatten().all(|r| (0.0..=1.0).contains(r)));
        assert!(table.average_retention[3].is_some());
    }

    #[test]
    fn more_buyers_than_the_cohort_is_clamped_and_empty_input_is_empty() {
        let table = retention(&[cell(5, 5, 10, 0), cell(5, 6, 12, 0)]);
        assert_eq!(table.cohorts[0].months[1].retention, Some(1.0));
        let empty = retention(&[]);
        assert!(empty.cohorts.is_empty() && empty.average_retention.is_empty());
    }

    #[test]
    fn repeat_rate_counts_customers_with_two_or_more_purchases() {
        let row = |purchases| PurchaseSummary { first_day: 0, last_day: 0, purchases, total_minor: 0 };
        assert_eq!(repeat_purchase_rate(&[]), None);
        assert_eq!(repeat_purchase_rate(&[row(1)]), Some(0.0));
        assert_eq!(repeat_purchase_rate(&[row(1), row(2), row(7), row(1)]), Some(0.5));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn retention_is_a_share_and_counts_are_kept(
            cells in prop::collection::vec((0i32..24, 0i32..24, 0u32..500, -100i64..100_000), 0..80)
        ) {
            let cells: Vec<CohortCell> = cells
                .into_iter()
                .map(|(cohort_month, later, customers, revenue_minor)| CohortCell {
                    cohort_month,
                    active_month: cohort_month + later - 3, // some cells before their cohort
                    customers,
                    revenue_minor,
                })
                .collect();
            let table = retention(&cells);
            let kept: u64 = cells.iter().filter(|c| c.active_month >= c.cohort_month).map(|c| u64::from(c.customers)).sum();
            let counted: u64 = table.cohorts.iter().flat_map(|row| &row.months).map(|m| u64::from(m.customers)).sum();
            prop_assert_eq!(kept, counted);
            for row in &table.cohorts {
                prop_assert_eq!(row.size, row.months[0].customers);
                for month in &row.months {
                    prop_assert_eq!(month.retention.is_some(), row.size > 0);
                    prop_assert!(month.retention.is_none_or(|r| (0.0..=1.0).contains(&r)));
                }
            }
            prop_assert!(table.average_retention.iter().flatten().all(|r| (0.0..=1.0).contains(r)));
        }
    }
}
