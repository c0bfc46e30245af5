//! The customer base seen as a market: how it spreads over age bands and
//! other segments, and how each segment grew quarter by quarter.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Age bands as marketers use them; `under_18` and `65_plus` close the ends.
pub const AGE_BANDS: [&str; 7] = ["under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus"];

/// Whole years between a birth date and `today` (none for a date in the future).
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> Option<u32> {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// The band key of an age.
pub fn age_band(age: u32) -> &'static str {
    match age {
        0..=17 => AGE_BANDS[0],
        18..=24 => AGE_BANDS[1],
        25..=34 => AGE_BANDS[2],
        35..=44 => AGE_BANDS[3],
        45..=54 => AGE_BANDS[4],
        55..=64 => AGE_BANDS[5],
        _ => AGE_BANDS[6],
    }
}

/// People per age band, every band present (zeros included), from counts
/// per birth date; dates after `today` are left out.
pub fn age_bands(births: &[(NaiveDate, u64)], today: NaiveDate) -> Vec<(&'static str, u64)> {
    let mut counts = [0u64; AGE_BANDS.len()];
    for (birth, count) in births {
        if let Some(age) = age_on(*birth, today) {
            let band = AGE_BANDS.iter().position(|b| *b == age_band(age)).unwrap_or(0);
            counts[band] += count;
        }
    }
    AGE_BANDS.iter().copied().zip(counts).collect()
}

/// A quarter as `2026-Q4`.
pub fn quarter_of(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), day.month0() / 3 + 1)
}

/// New customers per quarter of each segment, in the form a stacked chart
/// wants: the quarters in order (none skipped between the first and last),
/// and per segment (the `top` largest, the rest summed under `None`) the
/// count in each quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Growth {
    pub quarters: Vec<String>,
    pub segments: Vec<(Option<String>, Vec<u64>)>,
}

pub fn growth(firsts: &[(Option<String>, NaiveDate)], top: usize) -> Growth {
    let Some(first) = firsts.iter().map(|(_, d)| *d).min() else {
        return Growth { quarters: Vec::new(), segments: Vec::new() };
    };
    let last = firsts.iter().map(|(_, d)| *d).max().unwrap_or(first);
    let index = |d: NaiveDate| (d.year() * 4 + d.month0() as i32 / 3) - (first.year() * 4 + first.month0() as i32 / 3);
    let span = index(last) as usize + 1;
    let quarters = (0..span)
        .map(|i| {
            let q = first.year() * 4 + first.month0() as i32 / 3 + i as i32;
            format!("{}-Q{}", q.div_euclid(4), q.rem_euclid(4) + 1)
        })
        .collect();
    let mut totals: BTreeMap<Option<&str>, u64> = BTreeMap::new();
    for (segment, _) in firsts {
        *totals.entry(segment.as_deref()).or_default() += 1;
    }
    let mut ranked: Vec<(Option<&str>, u64)> = totals.into_iter().filter(|(s, _)| s.is_some()).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let kept: Vec<&str> = ranked.iter().take(top).filter_map(|(s, _)| *s).collect();
    let mut series: BTreeMap<Option<&str>, Vec<u64>> = BTreeMap::new();
    for (segment, day) in firsts {
        let key = segment.as_deref().filter(|s| kept.contains(s));
        series.entry(key).or_insert_with(|| vec![0; span])[index(*day) as usize] += 1;
    }
    let mut segments: Vec<(Option<String>, Vec<u64>)> =
        kept.iter().filter_map(|s| series.remove(&Some(*s)).map(|v| (Some((*s).to_owned()), v))).collect();
    if let Some(rest) = series.remove(&None) {
        segments.push((None, rest));
    }
    Growth { quarters, segments }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a date")
    }

    #[test]
    fn ages_count_whole_years_and_fall_in_their_band() {
        let today = d(2026, 12, 4);
        assert_eq!(age_on(d(2000, 12, 4), today), Some(26));
        assert_eq!(age_on(d(2000, 12, 5), today), Some(25));
        assert_eq!(age_on(d(2027, 1, 1), today), None);
        let bands =
            age_bands(&[(d(2000, 12, 5), 2), (d(1950, 1, 1), 1), (d(2015, 1, 1), 1), (d(2030, 1, 1), 9)], today);
        assert_eq!(bands.len(), 7);
        assert_eq!(bands[0], ("under_18", 1));
        assert_eq!(bands[2], ("25_34", 2));
        assert_eq!(bands[6], ("65_plus", 1));
        assert_eq!(bands.iter().map(|b| b.1).sum::<u64>(), 4);
    }

    #[test]
    fn growth_fills_every_quarter_and_folds_small_segments() {
        let firsts = vec![
            (Some("Retail".to_owned()), d(2025, 2, 1)),
            (Some("Retail".to_owned()), d(2025, 11, 1)),
            (Some("Health".to_owned()), d(2025, 11, 2)),
            (Some("Energy".to_owned()), d(2025, 5, 2)),
            (None, d(2026, 1, 9)),
        ];
        let g = growth(&firsts, 2);
        assert_eq!(g.quarters, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]);
        assert_eq!(g.segments[0], (Some("Retail".to_owned()), vec![1, 0, 0, 1, 0]));
        // Energy and Health tie with one each: the first by name is kept.
        assert_eq!(g.segments[1], (Some("Energy".to_owned()), vec![0, 1, 0, 0, 0]));
        assert_eq!(g.segments[2], (None, vec![0, 0, 0, 1, 1]));
        assert_eq!(growth(&[], 3).quarters.len(), 0);
        assert_eq!(quarter_of(d(2026, 12, 31)), "2026-Q4");
    }
}
