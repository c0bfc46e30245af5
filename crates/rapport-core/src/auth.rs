//! Rules for credentials: passwords, login throttling, tokens.

use chrono::{DateTime, Utc};

use crate::{DomainError, FieldError};

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 1024;

pub const MAX_USER_NAME_LEN: usize = 100;

/// A user's display name, trimmed: not blank, at most 100 characters.
pub fn user_name(name: &str) -> Result<&str, FieldError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", "required", "a name is required"));
    }
    if name.chars().count() > MAX_USER_NAME_LEN {
        return Err(FieldError::new("name", "too_long", format!("a name has at most {MAX_USER_NAME_LEN} characters")));
    }
    Ok(name)
}

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

/// The sign-in policy (OWASP ASVS 2.2.1), in counts of failed logins within
/// one window:
/// - one account from one address: `max_failures_per_account_address`, then
///   that address is refused for that account until the window passes;
/// - one address, any accounts: `max_failures_per_address`;
/// - one account from all addresses together: after
///   `account_failures_before_delay`, each further attempt waits a delay that
///   doubles per failure up to `max_account_delay_secs`. So an account takes
///   at most one guess per that delay from the whole internet, yet it is
///   never locked: its owner waits seconds, not the window, and not at all
///   from an address they signed in from recently.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    pub window_secs: i64,
    pub max_failures_per_account_address: i64,
    pub max_failures_per_address: i64,
    pub account_failures_before_delay: i64,
    pub max_account_delay_secs: i64,
    /// How long an address where the account signed in stays known.
    pub known_address_days: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            window_secs: 15 * 60,
            max_failures_per_account_address: 5,
            max_failures_per_address: 30,
            account_failures_before_delay: 10,
            max_account_delay_secs: 60,
            known_address_days: 30,
        }
    }
}

/// What storage counted about recent logins before an attempt.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoginHistory {
    /// Failures of this account from this address in the window.
    pub account_address_failures: i64,
    /// Failures from this address, any account, in the window.
    pub address_failures: i64,
    /// Failures of this account from any address in the window.
    pub account_failures: i64,
    pub last_account_failure: Option<DateTime<Utc>>,
    /// The account signed in from this address within `known_address_days`.
    pub known_address: bool,
}

impl LoginThrottle {
    /// Refuses an attempt the policy does not allow yet, saying when to retry.
    pub fn check(&self, history: &LoginHistory, now: DateTime<Utc>) -> Result<(), DomainError> {
        let window = self.window_secs.max(1) as u64;
        if history.account_address_failures >= self.max_failures_per_account_address
            || history.address_failures >= self.max_failures_per_address
        {
            return Err(DomainError::Throttled { retry_after_secs: window });
        }
        if history.known_address {
            return Ok(());
        }
        let (Some(delay), Some(last)) = (self.account_delay(history.account_failures), history.last_account_failure)
        else {
            return Ok(());
        };
        let wait = delay - (now - last).num_seconds();
        if wait > 0 {
            return Err(DomainError::Throttled { retry_after_secs: wait as u64 });
        }
        Ok(())
    }

    /// Seconds an account waits between attempts after this many failures.
    pub fn account_delay(&self, failures: i64) -> Option<i64> {
        let over = failures - self.account_failures_before_delay;
        (over >= 0).then(|| 1i64.checked_shl(over.min(62) as u32).unwrap_or(i64::MAX).min(self.max_account_delay_secs))
    }
}

/// How long a browser session lasts, after OWASP ASVS 3.3.2 (level 2): at
/// most `lifetime` after signing in, and no longer than `idle` without use.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub lifetime: chrono::Duration,
    pub idle: chrono::Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { lifetime: chrono::Duration::hours(12), idle: chrono::Duration::minutes(30) }
    }
}

/// A credential's `last_used_at` is written at most this often, so that
/// using it costs no write per request.
pub const LAST_USED_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// Personal API tokens look like `rpt_<id>_<secret>`; only a hash of the
/// secret is stored.
pub const TOKEN_PREFIX: &str = "rpt_";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_trimmed_and_bounded() {
        assert_eq!(user_name("  Ana Souza ").unwrap(), "Ana Souza");
        assert_eq!(user_name(" \t").unwrap_err().code, "required");
        assert_eq!(user_name(&"é".repeat(101)).unwrap_err().code, "too_long");
        assert!(user_name(&"é".repeat(100)).is_ok());
    }

    #[test]
    fn short_passwords_are_rejected() {
        assert_eq!(check_new_password("short").unwrap_err().code, "too_short");
        assert!(check_new_password("a long enough passphrase").is_ok());
    }

    #[test]
    fn an_address_is_refused_for_an_account_and_for_all_accounts() {
        let t = LoginThrottle::default();
        let now = Utc::now();
        let history = |pair, address| LoginHistory {
            account_address_failures: pair,
            address_failures: address,
            ..Default::default()
        };
        assert!(t.check(&history(4, 4), now).is_ok());
        assert!(matches!(t.check(&history(5, 5), now), Err(DomainError::Throttled { retry_after_secs: 900 })));
        assert!(t.check(&history(0, 29), now).is_ok());
        assert!(t.check(&history(0, 30), now).is_err());
    }

    #[test]
    fn an_account_under_attack_slows_down_but_is_never_locked() {
        let t = LoginThrottle::default();
        assert_eq!(t.account_delay(9), None);
        let delays: Vec<_> = (10..18).filter_map(|n| t.account_delay(n)).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(t.account_delay(i64::MAX), Some(60));

        let now = Utc::now();
        let attacked = LoginHistory {
            account_failures: 40,
            last_account_failure: Some(now - chrono::Duration::seconds(20)),
            ..Default::default()
        };
        assert!(matches!(t.check(&attacked, now), Err(DomainError::Throttled { retry_after_secs: 40 })));
        assert!(t.check(&attacked, now + chrono::Duration::seconds(40)).is_ok());
        // From an address where the owner signed in before, no delay at all.
        assert!(t.check(&LoginHistory { known_address: true, ..attacked }, now).is_ok());
    }
}
