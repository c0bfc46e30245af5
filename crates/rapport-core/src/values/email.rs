use serde::{Deserialize, Serialize};

use crate::FieldError;

/// A syntactically valid e-mail address, trimmed; the domain is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let invalid =
            || FieldError::new("", "invalid_email", format!("'{}' is not a valid e-mail address", truncate(input)));
        let trimmed = input.trim();
        if trimmed.len() > Self::MAX_LEN {
            return Err(FieldError::new("", "too_long", "an e-mail address has at most 254 characters"));
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.chars().all(char::is_alphabetic) && tld.len() >= 2);
        if !(local_ok && domain_ok) {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key used for uniqueness and de-duplication: the whole address lower-cased.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

pub(crate) fn truncate(input: &str) -> String {
    input.chars().take(60).collect()
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).map_err(|e| e.message)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_common_addresses_and_lowercases_the_domain() {
        assert_eq!(Email::parse(" Ana.Silva@Example.COM.br ").unwrap().as_str(), "Ana.Silva@example.com.br");
        assert!(Email::parse("josé+crm@empresa.com").is_ok());
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in ["", "a", "a@", "@b.com", "a@b", "a@@b.com", "a b@c.com", "a@-b.com", "a..b@c.com", "a@b.c"] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_accepted_values_reparse(s in "\\PC{0,80}") {
            if let Ok(email) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
            }
        }

        #[test]
        fn generated_valid_addresses_are_accepted(local in "[a-z0-9]{1,20}", domain in "[a-z]{1,20}", tld in "[a-z]{2,6}") {
            let input = format!("{local}@{domain}.{tld}");
            prop_assert!(Email::parse(&input).is_ok());
        }
    }
}
