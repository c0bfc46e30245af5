use crate::FieldError;

/// A Brazilian company tax id (CNPJ) with valid check digits, stored as 14 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cnpj(String);

impl Cnpj {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let invalid = |why: &str| {
            FieldError::new(
                "",
                "invalid_cnpj",
                format!("'{}' is not a valid CNPJ: {why}", super::email::truncate(input)),
            )
        };
        if input.chars().any(|c| !(c.is_ascii_digit() || matches!(c, '.' | '/' | '-' | ' '))) {
            return Err(invalid("only digits and . / - are allowed"));
        }
        let digits: Vec<u32> = input.chars().filter_map(|c| c.to_digit(10)).collect();
        if digits.len() != 14 {
            return Err(invalid("it must have 14 digits"));
        }
        if digits.iter().all(|d| *d == digits[0]) {
            return Err(invalid("check digits do not match"));
        }
        if check_digit(&digits[..12]) != digits[12] || check_digit(&digits[..13]) != digits[13] {
            return Err(invalid("check digits do not match"));
        }
        Ok(Self(digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect()))
    }

    /// Completes 12 base digits with their two check digits (demo data, tests).
    pub fn from_base(base: [u8; 12]) -> Self {
        let mut digits: Vec<u32> = base.iter().map(|d| u32::from(*d % 10)).collect();
        digits.push(check_digit(&digits));
        digits.push(check_digit(&digits));
        Self(digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect())
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// `12.345.678/0001-95`
    pub fn formatted(&self) -> String {
        let d = &self.0;
        format!("{}.{}.{}/{}-{}", &d[0..2], &d[2..5], &d[5..8], &d[8..12], &d[12..14])
    }
}

/// The modulo-11 check digit over 12 or 13 digits.
fn check_digit(digits: &[u32]) -> u32 {
    const WEIGHTS: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let offset = WEIGHTS.len() - digits.len();
    let sum: u32 = digits.iter().zip(&WEIGHTS[offset..]).map(|(d, w)| d * w).sum();
    let rest = sum % 11;
    if rest < 2 { 0 } else { 11 - rest }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_valid_cnpj_in_any_punctuation() {
        let cnpj = Cnpj::parse("11.222.333/0001-81").unwrap();
        assert_eq!(cnpj.digits(), "11222333000181");
        assert_eq!(cnpj.formatted(), "11.222.333/0001-81");
        assert!(Cnpj::parse("11222333000181").is_ok());
    }

    #[test]
    fn rejects_bad_check_digits_and_lengths() {
        for bad in ["11.222.333/0001-82", "1122233300018", "00000000000000", "11a22233300018"] {
            assert!(Cnpj::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = Cnpj::parse(&s);
        }

        #[test]
        fn completed_bases_parse_and_roundtrip_through_formatting(base in proptest::array::uniform12(0u8..10)) {
            let cnpj = Cnpj::from_base(base);
            prop_assume!(!cnpj.digits().chars().all(|c| c == '0'));
            prop_assert_eq!(Cnpj::parse(&cnpj.formatted()).unwrap(), cnpj);
        }
    }
}
