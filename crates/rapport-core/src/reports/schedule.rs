//! When a saved report is e-mailed: every day, on a weekday or on a day of
//! the month, at an hour of its owner's clock, as a PDF or a CSV file, to
//! people of the account. The rules here are pure: the storage keeps the
//! next time it is due and asks [`Cadence::next_after`] for the one after.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::{FieldError, ValidationErrors};

/// The most people one schedule sends to.
pub const MAX_RECIPIENTS: usize = 50;
/// The last day of the month a monthly schedule may name: every month has it.
pub const LAST_MONTH_DAY: u8 = 28;

/// How often a report is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Self::Daily, Self::Weekly, Self::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// The file the e-mail carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentFormat {
    Pdf,
    Csv,
}

impl AttachmentFormat {
    pub const ALL: [AttachmentFormat; 2] = [Self::Pdf, Self::Csv];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Csv => "csv",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Csv => "text/csv",
        }
    }
}

/// When a schedule is due, checked: see [`Cadence::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    pub frequency: Frequency,
    /// ISO weekday for weekly schedules: 1 is Monday, 7 Sunday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekday: Option<u8>,
    /// Day of the month (1–28) for monthly schedules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month_day: Option<u8>,
    /// Hour of the owner's day, 0–23.
    pub hour: u8,
}

impl Cadence {
    /// Every problem at once, as field errors the UI translates.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.hour > 23 {
            errors.push(FieldError::new("hour", "out_of_range", "an hour from 0 to 23").with("min", 0).with("max", 23));
        }
        match self.frequency {
            Frequency::Weekly if !matches!(self.weekday, Some(1..=7)) => errors.push(
                FieldError::new("weekday", "out_of_range", "a weekday from 1 (Monday) to 7 (Sunday)")
                    .with("min", 1)
                    .with("max", 7),
            ),
            Frequency::Monthly if !matches!(self.month_day, Some(1..=LAST_MONTH_DAY)) => errors.push(
                FieldError::new("month_day", "out_of_range", "a day of the month from 1 to 28")
                    .with("min", 1)
                    .with("max", LAST_MONTH_DAY),
            ),
            _ => {}
        }
        errors.into_result()
    }

    /// The first time strictly after `after` this cadence is due, on the
    /// clock of `zone`. An hour that a daylight-saving change skips is
    /// taken as the first instant after the gap.
    pub fn next_after<Z: TimeZone>(&self, after: DateTime<Utc>, zone: &Z) -> DateTime<Utc> {
        let hour = NaiveTime::from_hms_opt(u32::from(self.hour.min(23)), 0, 0).unwrap_or(NaiveTime::MIN);
        let mut day = after.with_timezone(zone).date_naive();
        // At most a month and a day of candidates; a cadence that checks always finds one.
        for _ in 0..40 {
            if self.falls_on(day) {
                let at = at_local(zone, day, hour);
                if at > after {
                    return at;
                }
            }
            day = day.succ_opt().unwrap_or(day);
        }
        after + Duration::days(1)
    }

    fn falls_on(&self, day: NaiveDate) -> bool {
        match self.frequency {
            Frequency::Daily => true,
            Frequency::Weekly => Some(day.weekday().number_from_monday() as u8) == self.weekday,
            Frequency::Monthly => Some(day.day() as u8) == self.month_day,
        }
    }
}

/// `day` at `time` on `zone`'s clock, in UTC.
fn at_local<Z: TimeZone>(zone: &Z, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = day.and_time(time);
    match zone.from_local_datetime(&local).earliest() {
        Some(at) => at.with_timezone(&Utc),
        // Skipped by a daylight-saving change: the gap is at most two hours.
        None => (1..=3)
            .find_map(|h| zone.from_local_datetime(&(local + Duration::hours(h))).earliest())
            .map_or_else(|| Utc.from_utc_datetime(&local), |at| at.with_timezone(&Utc)),
    }
}

/// `Weekday` of an ISO number, for labels.
pub fn weekday(number: u8) -> Option<Weekday> {
    (1..=7).contains(&number).then(|| Weekday::try_from(number - 1).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("a test time").with_timezone(&Utc)
    }

    fn cadence(frequency: Frequency, weekday: Option<u8>, month_day: Option<u8>, hour: u8) -> Cadence {
        Cadence { frequency, weekday, month_day, hour }
    }

    #[test]
    fn a_daily_schedule_is_due_at_its_hour_on_the_owners_clock() {
        let sao_paulo = FixedOffset::west_opt(3 * 3600).expect("an offset");
        let daily = cadence(Frequency::Daily, None, None, 8);
        // 10:00 UTC is 07:00 in São Paulo: today at 08:00 there, 11:00 UTC.
        assert_eq!(daily.next_after(utc("2026-12-04T10:00:00Z"), &sao_paulo), utc("2026-12-04T11:00:00Z"));
        // Exactly at the time: the next one, tomorrow.
        assert_eq!(daily.next_after(utc("2026-12-04T11:00:00Z"), &sao_paulo), utc("2026-12-05T11:00:00Z"));
        // 02:00 UTC is still the 3rd in São Paulo.
        assert_eq!(daily.next_after(utc("2026-12-04T02:00:00Z"), &sao_paulo), utc("2026-12-04T11:00:00Z"));
    }

    #[test]
    fn weekly_and_monthly_schedules_find_their_day() {
        // 2026-12-04 is a Friday.
        let monday = cadence(Frequency::Weekly, Some(1), None, 9);
        assert_eq!(monday.next_after(utc("2026-12-04T12:00:00Z"), &Utc), utc("2026-12-07T09:00:00Z"));
        let friday = cadence(Frequency::Weekly, Some(5), None, 13);
        assert_eq!(friday.next_after(utc("2026-12-04T12:00:00Z"), &Utc), utc("2026-12-04T13:00:00Z"));
        assert_eq!(friday.next_after(utc("2026-12-04T13:00:00Z"), &Utc), utc("2026-12-11T13:00:00Z"));
        let first = cadence(Frequency::Monthly, None, Some(1), 7);
        assert_eq!(first.next_after(utc("2026-12-04T12:00:00Z"), &Utc), utc("2027-01-01T07:00:00Z"));
        let twenty_eighth = cadence(Frequency::Monthly, None, Some(28), 0);
        assert_eq!(twenty_eighth.next_after(utc("2027-01-28T00:00:00Z"), &Utc), utc("2027-02-28T00:00:00Z"));
    }

    #[test]
    fn a_cadence_without_its_day_or_with_a_wrong_hour_is_refused_field_by_field() {
        let errors = cadence(Frequency::Weekly, None, None, 24).check().expect_err("refused");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["hour", "weekday"]);
        let errors = cadence(Frequency::Monthly, None, Some(31), 8).check().expect_err("refused");
        assert_eq!(errors.0[0].field, "month_day");
        assert!(cadence(Frequency::Daily, None, None, 0).check().is_ok());
        assert!(cadence(Frequency::Monthly, None, Some(28), 23).check().is_ok());
    }

    #[test]
    fn weekday_numbers_are_iso() {
        assert_eq!(weekday(1), Some(Weekday::Mon));
        assert_eq!(weekday(7), Some(Weekday::Sun));
        assert_eq!(weekday(0), None);
        assert_eq!(weekday(8), None);
    }
}
