//! The rows analytics need, read with the same visibility as lists, and the
//! figures `rapport_analytics` computes from them. Reads only: on SQLite
//! they go through the reader pool, so a long analysis never holds up a write.

pub mod attribution;
pub mod customers;
pub mod lead_scoring;
pub mod market;
pub mod personas;
pub mod sales;
pub mod team;

use chrono::{DateTime, NaiveDate, Utc};

/// Midnight UTC of a day, the bound of a period of dates.
pub(crate) fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default()
}
