use serde::{Deserialize, Serialize};

use crate::FieldError;

/// An ISO 3166-1 alpha-2 region used to read national phone numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(phonenumber::country::Id);

impl Region {
    pub fn parse(code: &str) -> Result<Self, FieldError> {
        code.trim()
            .to_uppercase()
            .parse::<phonenumber::country::Id>()
            .map(Self)
            .map_err(|_| FieldError::new("", "invalid_region", format!("'{code}' is not an ISO country code")))
    }
}

impl Default for Region {
    fn default() -> Self {
        Self(phonenumber::country::Id::BR)
    }
}

/// A phone number normalised to E.164 (`+5511987654321`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneE164(String);

impl PhoneE164 {
    /// Parses an international number, or a national one in `region`.
    pub fn parse(input: &str, region: Region) -> Result<Self, FieldError> {
        let invalid = || {
            FieldError::new(
                "",
                "invalid_phone",
                format!("'{}' is not a valid phone number", super::email::truncate(input)),
            )
        };
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.len() > 40 {
            return Err(invalid());
        }
        let number = phonenumber::parse(Some(region.0), trimmed).map_err(|_| invalid())?;
        if !phonenumber::is_valid(&number) {
            return Err(invalid());
        }
        Ok(Self(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneE164 {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if !value.starts_with('+') {
            return Err("a stored phone number must be in E.164 form".into());
        }
        Self::parse(&value, Region::default()).map_err(|e| e.message)
    }
}

impl From<PhoneE164> for String {
    fn from(value: PhoneE164) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn national_numbers_use_the_default_region() {
        let br = Region::parse("BR").unwrap();
        assert_eq!(PhoneE164::parse("(11) 98765-4321", br).unwrap().as_str(), "+5511987654321");
        let us = Region::parse("us").unwrap();
        assert_eq!(PhoneE164::parse("(415) 555-2671", us).unwrap().as_str(), "+14155552671");
    }

    #[test]
    fn international_numbers_ignore_the_region() {
        let br = Region::default();
        assert_eq!(PhoneE164::parse("+34 612 34 56 78", br).unwrap().as_str(), "+34612345678");
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "abc", "123", "+99 999"] {
            assert!(PhoneE164::parse(bad, Region::default()).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,50}") {
            let _ = PhoneE164::parse(&s, Region::default());
        }
    }
}
