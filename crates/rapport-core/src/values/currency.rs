use crate::FieldError;

/// An ISO 4217 currency code with its number of minor-unit digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    minor_digits: u8,
}

/// Currencies our customers bill in; extend as needed.
const CURRENCIES: &[(&str, u8)] = &[
    ("BRL", 2),
    ("USD", 2),
    ("EUR", 2),
    ("ARS", 2),
    ("MXN", 2),
    ("CLP", 0),
    ("COP", 2),
    ("PEN", 2),
    ("UYU", 2),
    ("PYG", 0),
    ("BOB", 2),
    ("GBP", 2),
    ("CAD", 2),
    ("JPY", 0),
];

impl Currency {
    pub fn parse(code: &str) -> Result<Self, FieldError> {
        let upper = code.trim().to_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|(code, minor_digits)| Self { code, minor_digits: *minor_digits })
            .ok_or_else(|| {
                FieldError::new(
                    "",
                    "invalid_currency",
                    format!("'{}' is not a supported ISO 4217 currency", super::email::truncate(code)),
                )
            })
    }

    /// The codes `parse` accepts, upper-case.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        CURRENCIES.iter().map(|(code, _)| *code)
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn minor_digits(&self) -> u8 {
        self.minor_digits
    }
}
