//! An amount of money: whole minor units (cents, centavos) plus a currency.
//!
//! Amounts are integers so that sums never pick up binary floating-point
//! error; the currency's minor-unit digits ([`Currency::minor_digits`]) say
//! where the decimal point goes when the amount is shown.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::FieldError;
use crate::values::Currency;

/// The JSON shape, quoted in error messages so that clients see what to send.
const SHAPE_HINT: &str = "expected {\"amount_minor\": 1000, \"currency\": \"BRL\"}";

/// A bounded amount in a currency's minor units.
///
/// The bound (±10^15 minor units, ten trillion reais) leaves headroom for
/// sums and products of amounts in `i64`/`i128` without overflow, and is far
/// above any real quote or order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub struct Money {
    amount_minor: i64,
    currency: Currency,
}

impl Money {
    /// The largest absolute amount accepted, in minor units.
    pub const MAX_ABS_MINOR: i64 = 1_000_000_000_000_000;

    /// Fails with `out_of_range` (on `amount_minor`) beyond ±[`Self::MAX_ABS_MINOR`].
    pub fn new(amount_minor: i64, currency: Currency) -> Result<Self, FieldError> {
        check_range(amount_minor, Self::amount_range()).map_err(|e| e.nested("amount_minor"))?;
        Ok(Self { amount_minor, currency })
    }

    pub fn amount_minor(&self) -> i64 {
        self.amount_minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Reads `{"amount_minor": <integer>, "currency": "<ISO 4217 code>"}`.
    ///
    /// Both keys are required and nothing else is allowed, so a typo such as
    /// `amount` is reported instead of silently dropped. Fractional amounts
    /// (`12.5`) are refused rather than truncated.
    pub fn parse_json(value: &Value) -> Result<Self, FieldError> {
        let object = value.as_object().ok_or_else(|| FieldError::new("", "wrong_type", SHAPE_HINT))?;
        if let Some(key) = object.keys().find(|k| !matches!(k.as_str(), "amount_minor" | "currency")) {
            return Err(FieldError::new(key.clone(), "unknown_field", "money has only amount_minor and currency"));
        }
        let amount_minor = match object.get("amount_minor") {
            None | Some(Value::Null) => return Err(FieldError::required("amount_minor")),
            Some(value) => whole_number_in(value, Self::amount_range()).map_err(|e| e.nested("amount_minor"))?,
        };
        let currency = match object.get("currency") {
            None | Some(Value::Null) => return Err(FieldError::required("currency")),
            Some(Value::String(code)) => Currency::parse(code).map_err(|e| e.nested("currency"))?,
            Some(_) => return Err(FieldError::new("currency", "wrong_type", "expected a currency code such as BRL")),
        };
        Ok(Self { amount_minor, currency })
    }

    /// The shape [`Self::parse_json`] reads, with the currency code upper-cased.
    pub fn to_json(&self) -> Value {
        json!({"amount_minor": self.amount_minor, "currency": self.currency.code()})
    }

    fn amount_range() -> RangeInclusive<i64> {
        -Self::MAX_ABS_MINOR..=Self::MAX_ABS_MINOR
    }
}

impl TryFrom<Value> for Money {
    type Error = String;
    fn try_from(value: Value) -> Result<Self, Self::Error> {
        Self::parse_json(&value).map_err(|e| format!("{}: {}", e.field, e.message))
    }
}

impl From<Money> for Value {
    fn from(money: Money) -> Self {
        money.to_json()
    }
}

/// Reads a JSON integer within `range`.
///
/// Floats (`12.5`, `1e3`) are `wrong_type` even when whole, so that an amount
/// is never rounded behind the client's back; integers outside `range`
/// (including those beyond `i64`) are `out_of_range`. The path is empty:
/// callers nest it under their key.
pub(crate) fn whole_number_in(value: &Value, range: RangeInclusive<i64>) -> Result<i64, FieldError> {
    match value {
        Value::Number(n) if n.is_i64() || n.is_u64() => match n.as_i64() {
            Some(n) => check_range(n, range),
            None => Err(out_of_range(&range)),
        },
        _ => Err(FieldError::new("", "wrong_type", "expected a whole number")),
    }
}

fn check_range(n: i64, range: RangeInclusive<i64>) -> Result<i64, FieldError> {
    if range.contains(&n) { Ok(n) } else { Err(out_of_range(&range)) }
}

fn out_of_range(range: &RangeInclusive<i64>) -> FieldError {
    FieldError::new("", "out_of_range", format!("must be between {} and {}", range.start(), range.end()))
}

/// Minor units as a plain decimal in the currency's digits (`1234.50`,
/// `-5`, `5000` for JPY): what inputs and files hold, without grouping.
pub fn plain_decimal(minor: i64, currency: &str) -> String {
    let digits = super::Currency::parse(currency).map_or(2, |c| c.minor_digits()) as u32;
    if digits == 0 {
        return minor.to_string();
    }
    let divisor = 10i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:0width$}", minor.abs() / divisor, minor.abs() % divisor, width = digits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brl() -> Currency {
        Currency::parse("BRL").unwrap()
    }

    fn code_of(value: Value) -> (String, String) {
        let e = Money::parse_json(&value).unwrap_err();
        (e.field, e.code)
    }

    #[test]
    fn money_reads_amount_and_currency() {
        let money = Money::parse_json(&json!({"amount_minor": 3333, "currency": " brl "})).unwrap();
        assert_eq!(money.amount_minor(), 3333);
        assert_eq!(money.currency().code(), "BRL");
        assert_eq!(money.to_json(), json!({"amount_minor": 3333, "currency": "BRL"}));
        let negative = Money::parse_json(&json!({"amount_minor": -Money::MAX_ABS_MINOR, "currency": "JPY"})).unwrap();
        assert_eq!(negative.amount_minor(), -Money::MAX_ABS_MINOR);
    }

    #[test]
    fn money_errors_name_the_field_and_rule() {
        let pair = |field: &str, code: &str| (field.to_owned(), code.to_owned());
        assert_eq!(code_of(json!(12)), pair("", "wrong_type"));
        assert_eq!(code_of(json!({"currency": "BRL"})), pair("amount_minor", "required"));
        assert_eq!(code_of(json!({"amount_minor": 1})), pair("currency", "required"));
        assert_eq!(code_of(json!({"amount_minor": null, "currency": "BRL"})), pair("amount_minor", "required"));
        assert_eq!(code_of(json!({"amount_minor": 12.5, "currency": "BRL"})), pair("amount_minor", "wrong_type"));
        assert_eq!(code_of(json!({"amount_minor": 100.0, "currency": "BRL"})), pair("amount_minor", "wrong_type"));
        assert_eq!(code_of(json!({"amount_minor": "100", "currency": "BRL"})), pair("amount_minor", "wrong_type"));
        assert_eq!(
            code_of(json!({"amount_minor": Money::MAX_ABS_MINOR + 1, "currency": "BRL"})),
            pair("amount_minor", "out_of_range")
        );
        assert_eq!(code_of(json!({"amount_minor": u64::MAX, "currency": "BRL"})), pair("amount_minor", "out_of_range"));
        assert_eq!(code_of(json!({"amount_minor": 1, "currency": "XYZ"})), pair("currency", "invalid_currency"));
        assert_eq!(code_of(json!({"amount_minor": 1, "currency": 986})), pair("currency", "wrong_type"));
        assert_eq!(
            code_of(json!({"amount_minor": 1, "currency": "BRL", "amount": 1})),
            pair("amount", "unknown_field")
        );
    }

    #[test]
    fn new_refuses_amounts_beyond_the_bound() {
        assert!(Money::new(Money::MAX_ABS_MINOR, brl()).is_ok());
        let e = Money::new(i64::MIN, brl()).unwrap_err();
        assert_eq!((e.field.as_str(), e.code.as_str()), ("amount_minor", "out_of_range"));
    }

    #[test]
    fn serde_uses_the_json_shape_and_its_rules() {
        let money = Money::new(-250, brl()).unwrap();
        assert_eq!(serde_json::to_string(&money).unwrap(), r#"{"amount_minor":-250,"currency":"BRL"}"#);
        let err = serde_json::from_str::<Money>(r#"{"amount_minor":1,"currency":"BRL","x":0}"#).unwrap_err();
        assert!(err.to_string().contains("x: money has only amount_minor and currency"), "{err}");
    }

    const CODES: &[&str] = &["BRL", "USD", "EUR", "CLP", "JPY", "PYG", "GBP", "MXN"];

    proptest! {
        #[test]
        fn parse_json_round_trips(amount in -Money::MAX_ABS_MINOR..=Money::MAX_ABS_MINOR, code in proptest::sample::select(CODES)) {
            let money = Money::new(amount, Currency::parse(code).unwrap()).unwrap();
            prop_assert_eq!(Money::parse_json(&money.to_json()).unwrap(), money);
            let text = serde_json::to_string(&money).unwrap();
            prop_assert_eq!(serde_json::from_str::<Money>(&text).unwrap(), money);
        }

        #[test]
        fn amounts_beyond_the_bound_are_out_of_range(excess in 1..=i64::MAX - Money::MAX_ABS_MINOR, negative: bool) {
            let amount = if negative { -Money::MAX_ABS_MINOR - excess } else { Money::MAX_ABS_MINOR + excess };
            let e = Money::parse_json(&json!({"amount_minor": amount, "currency": "BRL"})).unwrap_err();
            prop_assert_eq!(e.code, "out_of_range");
            prop_assert_eq!(e.field, "amount_minor");
        }
    }
}
