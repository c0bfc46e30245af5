//! The shared input of RFM, cohorts and lifetime value: one customer's
//! purchases in one currency, aggregated by storage with one `GROUP BY` over
//! orders. Days are plain `i32` counts since 1970-01-01 (UTC) so that the
//! computations stay integer arithmetic and [`NaiveDate`] converts cheaply.

use chrono::NaiveDate;

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

#[cfg(test)]
mod tests {
    use super::*;

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
