use crate::FieldError;

/// An http(s) URL with a host; `example.com` is read as `https://example.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl(String);

impl WebUrl {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let trimmed = input.trim();
        let invalid = || {
            FieldError::new(
                "",
                "invalid_url",
                format!("'{}' is not a valid web address", super::email::truncate(trimmed)),
            )
        };
        if trimmed.is_empty() || trimmed.len() > 2048 || trimmed.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let with_scheme = if trimmed.contains("://") { trimmed.to_owned() } else { format!("https://{trimmed}") };
        let rest =
            with_scheme.strip_prefix("https://").or_else(|| with_scheme.strip_prefix("http://")).ok_or_else(invalid)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let host = host.split(':').next().unwrap_or_default();
        if !host.contains('.')
            || host.split('.').any(|l| l.is_empty() || !l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        {
            return Err(invalid());
        }
        Ok(Self(with_scheme))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host without a leading `www.`, lower-cased: the company-matching key.
    pub fn domain(&self) -> String {
        let rest = self.0.split_once("://").map_or(self.0.as_str(), |(_, r)| r);
        let host = rest.split(['/', '?', '#', ':']).next().unwrap_or_default().to_lowercase();
        host.strip_prefix("www.").map(str::to_owned).unwrap_or(host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn adds_scheme_and_extracts_domain() {
        let url = WebUrl::parse("www.Acme.com.br/contato").unwrap();
        assert_eq!(url.as_str(), "https://www.Acme.com.br/contato");
        assert_eq!(url.domain(), "acme.com.br");
        assert!(WebUrl::parse("ftp://x.com").is_err());
        assert!(WebUrl::parse("not a url").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = WebUrl::parse(&s);
        }
    }
}
