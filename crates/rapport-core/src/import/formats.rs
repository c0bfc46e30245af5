//! Numbers and dates as people type them in spreadsheets: `1.234,56` and
//! `31/12/2026` in Brazil and most of Latin America, `1,234.56` and
//! `12/31/2026` in the United States, ISO dates everywhere. A file's formats
//! are guessed from its first rows and confirmed by the user in the preview.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// Which mark separates the decimals; the other one groups thousands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecimalMark {
    /// `1,234.56`
    #[default]
    Point,
    /// `1.234,56`
    Comma,
}

/// The order of day, month and year in a date written with separators.
/// `2026-12-31` (ISO) is read whatever the order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `31/12/2026`
    #[default]
    DayFirst,
    /// `12/31/2026`
    MonthFirst,
    /// `2026/12/31`
    YearFirst,
}

/// How a file writes its numbers and dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CellFormats {
    pub decimal: DecimalMark,
    pub dates: DateOrder,
}

impl CellFormats {
    /// What a spreadsheet saved in `language` usually holds: US conventions
    /// for English, the comma and the day first for Portuguese and Spanish.
    pub fn for_language(language: &str) -> Self {
        if language.starts_with("en") {
            Self { decimal: DecimalMark::Point, dates: DateOrder::MonthFirst }
        } else {
            Self { decimal: DecimalMark::Comma, dates: DateOrder::DayFirst }
        }
    }

    /// Refines `fallback` by what sample cells settle: a day above 12 in the
    /// first place means the day comes first, `1.234,56` means a decimal
    /// comma. What the sample leaves open stays as `fallback` says.
    pub fn guess<'a>(
        fallback: Self,
        numbers: impl IntoIterator<Item = &'a str>,
        dates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut formats = fallback;
        let (mut point, mut comma) = (0, 0);
        for cell in numbers {
            match decimal_mark_of(cell) {
                Some(DecimalMark::Point) => point += 1,
                Some(DecimalMark::Comma) => comma += 1,
                None => {}
            }
        }
        if point != comma {
            formats.decimal = if point > comma { DecimalMark::Point } else { DecimalMark::Comma };
        }
        let (mut day_first, mut month_first, mut year_first) = (0, 0, 0);
        for cell in dates {
            let Some([a, b, _]) = date_parts(cell) else { continue };
            if a > 31 {
                year_first += 1;
            } else if a > 12 && b <= 12 {
                day_first += 1;
            } else if b > 12 && a <= 12 {
                month_first += 1;
            }
        }
        if year_first > day_first.max(month_first) {
            formats.dates = DateOrder::YearFirst;
        } else if day_first > month_first {
            formats.dates = DateOrder::DayFirst;
        } else if month_first > day_first {
            formats.dates = DateOrder::MonthFirst;
        }
        formats
    }

    /// A number as JSON's plain form (`1234.56`), or `None` when the cell is
    /// not one. Currency signs and spaces around the digits are ignored.
    pub fn number(&self, cell: &str) -> Option<String> {
        let (group, decimal) = match self.decimal {
            DecimalMark::Point => (',', '.'),
            DecimalMark::Comma => ('.', ','),
        };
        let cell = cell.trim().trim_start_matches(|c: char| c.is_alphabetic() || c == '$' || c == '€' || c == '£');
        let cell = cell.trim();
        let (negative, digits) = match cell.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, cell),
        };
        let mut out = String::with_capacity(digits.len() + 1);
        if negative {
            out.push('-');
        }
        let mut seen_decimal = false;
        let mut any_digit = false;
        for c in digits.chars() {
            if c.is_ascii_digit() {
                out.push(c);
                any_digit = true;
            } else if c == decimal && !seen_decimal {
                out.push('.');
                seen_decimal = true;
            } else if (c == group || c == ' ' || c == '\u{a0}' || c == '\'') && !seen_decimal && any_digit {
                continue;
            } else {
                return None;
            }
        }
        (any_digit && !out.ends_with('.')).then_some(out)
    }

    /// A date as ISO `YYYY-MM-DD`, or `None` when the cell is not one in
    /// this order (nor ISO). Two-digit years are 1950–2049.
    pub fn date(&self, cell: &str) -> Option<NaiveDate> {
        let cell = cell.trim();
        let date_part = cell.split([' ', 'T']).next().unwrap_or(cell);
        let [a, b, c] = date_parts(date_part)?;
        let iso = date_part.len() >= 8 && date_part.as_bytes().get(4).is_some_and(|s| !s.is_ascii_digit());
        let (year, month, day) = match (iso, self.dates) {
            (true, _) | (false, DateOrder::YearFirst) => (a, b, c),
            (false, DateOrder::DayFirst) => (c, b, a),
            (false, DateOrder::MonthFirst) => (c, a, b),
        };
        let year = match year {
            0..=49 => 2000 + year,
            50..=99 => 1900 + year,
            _ => year,
        };
        NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
    }

    /// A date and time as RFC 3339 in UTC (`2026-12-31T14:30:00Z`): a date
    /// in this order followed by `HH:MM` or `HH:MM:SS`; a date alone is
    /// midnight. RFC 3339 text is left to the validator as it is.
    pub fn date_time(&self, cell: &str) -> Option<String> {
        let cell = cell.trim();
        if chrono::DateTime::parse_from_rfc3339(cell).is_ok() {
            return Some(cell.to_owned());
        }
        let date = self.date(cell)?;
        let time = match cell.split_once([' ', 'T']) {
            None => NaiveTime::MIN,
            Some((_, time)) => NaiveTime::parse_from_str(time.trim(), "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(time.trim(), "%H:%M"))
                .ok()?,
        };
        Some(date.and_time(time).and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }
}

/// The decimal mark a number cell shows beyond doubt: `1.234,56` or `12,5`
/// has a comma, `1,234.56` or `12.5` a point; `1.234` says nothing.
fn decimal_mark_of(cell: &str) -> Option<DecimalMark> {
    let cell = cell.trim();
    let last = cell.rfind(['.', ','])?;
    let decimals = cell[last + 1..].chars().take_while(char::is_ascii_digit).count();
    let mark = if cell.as_bytes()[last] == b',' { DecimalMark::Comma } else { DecimalMark::Point };
    let both = cell.contains('.') && cell.contains(',');
    (both || decimals != 3).then_some(mark)
}

/// The three numbers of `31/12/2026`, `31.12.26`, `2026-12-31`.
fn date_parts(cell: &str) -> Option<[u32; 3]> {
    let mut parts = cell.trim().split(['/', '-', '.']);
    let mut next = || parts.next().filter(|p| (1..=4).contains(&p.len())).and_then(|p| p.parse::<u32>().ok());
    let parts = [next()?, next()?, next()?];
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BR: CellFormats = CellFormats { decimal: DecimalMark::Comma, dates: DateOrder::DayFirst };
    const US: CellFormats = CellFormats { decimal: DecimalMark::Point, dates: DateOrder::MonthFirst };

    #[test]
    fn numbers_are_read_by_the_file_s_decimal_mark() {
        assert_eq!(BR.number("1.234,56").as_deref(), Some("1234.56"));
        assert_eq!(BR.number("R$ 1.234,56").as_deref(), Some("1234.56"));
        assert_eq!(BR.number("-12,5").as_deref(), Some("-12.5"));
        assert_eq!(US.number("1,234.56").as_deref(), Some("1234.56"));
        assert_eq!(US.number("$1,234").as_deref(), Some("1234"));
        assert_eq!(US.number("1 234.5").as_deref(), Some("1234.5"));
        assert_eq!(BR.number("12,3,4"), None);
        assert_eq!(US.number("lots"), None);
        assert_eq!(US.number(""), None);
    }

    #[test]
    fn dates_are_read_in_the_file_s_order_and_iso_always() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(BR.date("31/12/2026"), date(2026, 12, 31));
        assert_eq!(BR.date("05.03.26"), date(2026, 3, 5));
        assert_eq!(US.date("12/31/2026"), date(2026, 12, 31));
        assert_eq!(US.date("2026-12-31"), date(2026, 12, 31));
        assert_eq!(BR.date("2026-12-31"), date(2026, 12, 31));
        assert_eq!(US.date("31/12/2026"), None);
        assert_eq!(BR.date("soon"), None);
        assert_eq!(BR.date_time("31/12/2026 14:30").as_deref(), Some("2026-12-31T14:30:00Z"));
        assert_eq!(BR.date_time("2026-12-31T14:30:00-03:00").as_deref(), Some("2026-12-31T14:30:00-03:00"));
    }

    #[test]
    fn a_sample_settles_what_it_shows_and_leaves_the_rest_to_the_language() {
        let guessed = CellFormats::guess(US, ["1.234,56", "10"], ["25/12/2026", "01/02/2026"]);
        assert_eq!(guessed, BR);
        let guessed = CellFormats::guess(BR, ["1,234.50"], ["12/25/2026"]);
        assert_eq!(guessed, US);
        // Nothing settles "1.234" nor "01/02/2026".
        assert_eq!(CellFormats::guess(BR, ["1.234"], ["01/02/2026"]), BR);
        assert_eq!(CellFormats::guess(BR, [], ["2026/12/31"]).dates, DateOrder::YearFirst);
    }
}
