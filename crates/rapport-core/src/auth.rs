//! Rules for credentials: passwords, login throttling, tokens.

use crate::{DomainError, FieldError};

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Length rules only: long passphrases beat composition rules.
pub fn check_new_password(password: &str) -> Result<(), FieldError> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(FieldError::new(
            "password",
            "too_short",
            format!("a password needs at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(FieldError::new(
            "password",
            "too_long",
            format!("a password has at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    Ok(())
}

/// Failed logins allowed in one window before further attempts are refused.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    pub window_secs: i64,
    pub max_failures_per_account: i64,
    pub max_failures_per_ip: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self { window_secs: 15 * 60, max_failures_per_account: 5, max_failures_per_ip: 30 }
    }
}

impl LoginThrottle {
    /// Refuses a login attempt when either counter of recent failures is full.
    pub fn check(&self, account_failures: i64, ip_failures: i64) -> Result<(), DomainError> {
        if account_failures >= self.max_failures_per_account || ip_failures >= self.max_failures_per_ip {
            return Err(DomainError::Throttled { retry_after_secs: self.window_secs as u64 });
        }
        Ok(())
    }
}

/// Personal API tokens look like `rpt_<id>_<secret>`; only a hash of the
/// secret is stored.
pub const TOKEN_PREFIX: &str = "rpt_";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_rejected() {
        assert_eq!(check_new_password("short").unwrap_err().code, "too_short");
        assert!(check_new_password("a long enough passphrase").is_ok());
    }

    #[test]
    fn throttle_refuses_after_the_limit() {
        let t = LoginThrottle::default();
        assert!(t.check(4, 0).is_ok());
        assert!(matches!(t.check(5, 0), Err(DomainError::Throttled { .. })));
        assert!(t.check(0, 30).is_err());
    }
}
