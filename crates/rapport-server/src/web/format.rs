//! Numbers, money and dates as each language writes them: R$ 1.234,56 and
//! 02/03/2026 in Portuguese, US$ 1,234.56 and Mar 2, 2026 in English, in the
//! user's time zone.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use rapport_core::values::Currency;

use super::i18n::Locale;

/// How one language groups digits and marks decimals.
fn separators(locale: Locale) -> (char, char) {
    match locale {
        Locale::En => (',', '.'),
        Locale::PtBr | Locale::Es => ('.', ','),
    }
}

fn group(digits: &str, separator: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// A whole number with the language's digit grouping (Spanish groups from
/// five digits on, as the RAE writes them).
pub fn integer(value: i64, locale: Locale) -> String {
    let digits = value.unsigned_abs().to_string();
    let (thousands, _) = separators(locale);
    let grouped = if locale == Locale::Es && digits.len() <= 4 { digits } else { group(&digits, thousands) };
    if value < 0 { format!("-{grouped}") } else { grouped }
}

/// An amount in minor units of `currency`, with its symbol where the
/// language puts it.
pub fn money(minor: i64, currency: &str, locale: Locale) -> String {
    let digits = Currency::parse(currency).map_or(2, |c| c.minor_digits()) as u32;
    let divisor = 10i64.pow(digits);
    let (thousands, decimal) = separators(locale);
    let whole = group(&(minor.unsigned_abs() / divisor.unsigned_abs()).to_string(), thousands);
    let mut number = whole;
    if digits > 0 {
        let fraction = minor.unsigned_abs() % divisor.unsigned_abs();
        number.push(decimal);
        number.push_str(&format!("{fraction:0width$}", width = digits as usize));
    }
    let sign = if minor < 0 { "-" } else { "" };
    let code = currency.to_ascii_uppercase();
    let symbol = match (code.as_str(), locale) {
        ("BRL", _) => "R$",
        ("USD", Locale::En) => "$",
        ("USD", _) => "US$",
        ("EUR", _) => "€",
        ("GBP", _) => "£",
        _ => "",
    };
    match (symbol, locale) {
        ("", _) => format!("{sign}{number} {code}"),
        ("€", Locale::PtBr | Locale::Es) => format!("{sign}{number} €"),
        (symbol, Locale::En) => format!("{sign}{symbol}{number}"),
        (symbol, _) => format!("{sign}{symbol} {number}"),
    }
}

/// A fixed-point number (`value` / 10^`digits`) without trailing zeros:
/// quantity 1500 thousandths is "1.5" in English and "1,5" in Portuguese.
pub fn scaled(value: i64, digits: u32, locale: Locale) -> String {
    let divisor = 10u64.pow(digits);
    let (thousands, decimal) = separators(locale);
    let mut out = group(&(value.unsigned_abs() / divisor).to_string(), thousands);
    let fraction = value.unsigned_abs() % divisor;
    if fraction > 0 {
        let fraction = format!("{fraction:0width$}", width = digits as usize);
        out.push(decimal);
        out.push_str(fraction.trim_end_matches('0'));
    }
    if value < 0 { format!("-{out}") } else { out }
}

/// A rate in basis points as a percentage: "12.5%", "12,5 %".
pub fn percent_bp(bp: i64, locale: Locale) -> String {
    let number = scaled(bp, 2, locale);
    match locale {
        Locale::En => format!("{number}%"),
        Locale::PtBr | Locale::Es => format!("{number} %"),
    }
}

const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A calendar date: dd/mm/aaaa in Portuguese and Spanish, "Mar 2, 2026" in English.
pub fn date(value: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::En => format!("{} {}, {}", MONTHS_EN[value.month0() as usize], value.day(), value.year()),
        Locale::PtBr | Locale::Es => format!("{:02}/{:02}/{}", value.day(), value.month(), value.year()),
    }
}

/// A moment, in the user's time zone.
pub fn datetime(value: DateTime<Utc>, zone: Tz, locale: Locale) -> String {
    let local = value.with_timezone(&zone);
    let day = date(local.date_naive(), locale);
    match locale {
        Locale::En => {
            let (pm, hour) = local.hour12();
            format!("{day}, {hour}:{:02} {}", local.minute(), if pm { "PM" } else { "AM" })
        }
        Locale::PtBr | Locale::Es => format!("{day} {:02}:{:02}", local.hour(), local.minute()),
    }
}

/// The value of a `datetime-local` input for a moment in the user's zone.
pub fn datetime_input(value: DateTime<Utc>, zone: Tz) -> String {
    value.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_rates_drop_trailing_zeros() {
        assert_eq!(scaled(2000, 3, Locale::En), "2");
        assert_eq!(scaled(1500, 3, Locale::PtBr), "1,5");
        assert_eq!(scaled(1_234_250, 3, Locale::Es), "1.234,25");
        assert_eq!(scaled(-750, 3, Locale::En), "-0.75");
        assert_eq!(percent_bp(1250, Locale::En), "12.5%");
        assert_eq!(percent_bp(1000, Locale::PtBr), "10 %");
    }

    #[test]
    fn money_reads_as_each_language_writes_it() {
        assert_eq!(money(123_456, "BRL", Locale::PtBr), "R$ 1.234,56");
        assert_eq!(money(123_456, "USD", Locale::En), "$1,234.56");
        assert_eq!(money(123_456, "USD", Locale::PtBr), "US$ 1.234,56");
        assert_eq!(money(123_456, "EUR", Locale::Es), "1.234,56 €");
        assert_eq!(money(123_456, "EUR", Locale::En), "€1,234.56");
        assert_eq!(money(5_000, "JPY", Locale::En), "5,000 JPY");
        assert_eq!(money(-99, "BRL", Locale::PtBr), "-R$ 0,99");
        assert_eq!(money(100_000_000, "BRL", Locale::PtBr), "R$ 1.000.000,00");
    }

    #[test]
    fn dates_and_times_in_the_users_zone_and_order() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        assert_eq!(date(day, Locale::PtBr), "02/03/2026");
        assert_eq!(date(day, Locale::En), "Mar 2, 2026");
        let noon_utc = day.and_hms_opt(12, 5, 0).expect("a time").and_utc();
        assert_eq!(datetime(noon_utc, chrono_tz::America::Sao_Paulo, Locale::PtBr), "02/03/2026 09:05");
        assert_eq!(datetime(noon_utc, chrono_tz::UTC, Locale::En), "Mar 2, 2026, 12:05 PM");
        assert_eq!(integer(1234567, Locale::PtBr), "1.234.567");
        assert_eq!(integer(1234, Locale::Es), "1234");
        assert_eq!(integer(12345, Locale::Es), "12.345");
    }
}
