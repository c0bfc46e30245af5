//! Configuration from `rapport.toml`, `RAPPORT_*` environment variables and
//! flags (later sources win). Unknown keys are errors that name the key.

use std::path::PathBuf;

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use rapport_db::DatabaseUrl;
use serde::{Deserialize, Serialize};

/// Keys accepted in `rapport.toml` and as `RAPPORT_<KEY>`.
const KEYS: &[&str] = &[
    "database_url",
    "database_read_url",
    "data_dir",
    "bind",
    "secure_cookies",
    "trust_proxy",
    "metrics_token",
    "header_timeout_secs",
    "max_connections",
    "session_lifetime_hours",
    "session_idle_minutes",
    "backup_every_hours",
    "backup_keep",
    "log",
    "secret_key",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
    "smtp_from_address",
    "smtp_from_name",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://…`; defaults to `<data_dir>/rapport.db`.
    pub database_url: Option<String>,
    /// PostgreSQL only: a read replica for reports and analyses (`postgres://…`).
    pub database_read_url: Option<String>,
    pub data_dir: PathBuf,
    pub bind: String,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    /// Bearer secret for `/metrics`; without one it answers loopback clients only.
    pub metrics_token: Option<String>,
    /// Seconds a client has to send a complete request header, on a new
    /// connection or a kept-alive one (so also the idle keep-alive timeout).
    pub header_timeout_secs: u64,
    /// Connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// A browser session ends this long after signing in…
    pub session_lifetime_hours: i64,
    /// …or after this long without use (OWASP ASVS 3.3.2 level 2: 12 h, 30 min).
    pub session_idle_minutes: i64,
    /// The server backs an SQLite database up into `<data_dir>/backups` when
    /// the newest backup there is this old (0: never).
    pub backup_every_hours: i64,
    /// Scheduled backups kept; older ones are removed.
    pub backup_keep: usize,
    /// A tracing filter such as `info` or `rapport=debug`.
    pub log: String,
    /// 32 bytes in base64 (`openssl rand -base64 32`) that encrypt secrets
    /// stored in the database (the SMTP password). Keep it: without it a
    /// stored password cannot be read.
    pub secret_key: Option<String>,
    /// SMTP from the configuration: when `smtp_host` is set these win over
    /// the administrator's e-mail settings, which then show them read-only.
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    pub smtp_security: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_from_address: Option<String>,
    pub smtp_from_name: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: None,
            database_read_url: None,
            data_dir: PathBuf::from("data"),
            bind: "127.0.0.1:8080".into(),
            secure_cookies: false,
            trust_proxy: false,
            metrics_token: None,
            header_timeout_secs: 10,
            max_connections: 1000,
            session_lifetime_hours: 12,
            session_idle_minutes: 30,
            backup_every_hours: 24,
            backup_keep: 7,
            log: "info".into(),
            secret_key: None,
            smtp_host: None,
            smtp_port: None,
            smtp_security: None,
            smtp_username: None,
            smtp_password: None,
            smtp_from_address: None,
            smtp_from_name: None,
        }
    }
}

/// Values given as flags; `None` leaves the lower layers' value.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
}

impl Config {
    pub fn load(file: Option<&std::path::Path>, overrides: Overrides) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                anyhow::ensure!(path.exists(), "config file {} does not exist", path.display());
                figment = figment.merge(Toml::file_exact(path));
            }
            None => figment = figment.merge(Toml::file("rapport.toml")),
        }
        figment = figment.merge(Env::prefixed("RAPPORT_").only(KEYS)).merge(Serialized::defaults(overrides));
        figment.extract().map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))
    }

    /// The read replica's URL, if one is configured.
    pub fn database_read_url(&self) -> anyhow::Result<Option<DatabaseUrl>> {
        self.database_read_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .map(|u| u.parse().context("RAPPORT_DATABASE_READ_URL"))
            .transpose()
    }

    pub fn database_url(&self) -> anyhow::Result<DatabaseUrl> {
        match &self.database_url {
            Some(url) => url.parse().context("RAPPORT_DATABASE_URL / --database-url"),
            None => Ok(DatabaseUrl::sqlite_in(&self.data_dir)),
        }
    }
}

impl Config {
    pub fn secret_key(&self) -> anyhow::Result<Option<rapport_db::mail::SecretKey>> {
        self.secret_key
            .as_deref()
            .map(|key| rapport_db::mail::SecretKey::from_base64(key).map_err(|e| anyhow::anyhow!("{e} (secret_key)")))
            .transpose()
    }

    /// The configuration's SMTP settings, when it names a host.
    pub fn smtp(&self) -> anyhow::Result<Option<rapport_core::mail::SmtpSettings>> {
        use rapport_core::mail::{Security, SmtpSettings, check_host};
        let Some(host) = self.smtp_host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else { return Ok(None) };
        check_host(host).map_err(|e| anyhow::anyhow!("smtp_host: {}", e.message))?;
        let security = match self.smtp_security.as_deref() {
            None => Security::Starttls,
            Some(value) => Security::parse(value)
                .ok_or_else(|| anyhow::anyhow!("smtp_security must be starttls, tls or none, not {value}"))?,
        };
        let from = self.smtp_from_address.as_deref().context("smtp_host is set, so smtp_from_address must be too")?;
        let from_address = rapport_core::values::Email::parse(from)
            .map_err(|_| anyhow::anyhow!("smtp_from_address {from} is not a valid e-mail address"))?;
        let port = self.smtp_port.unwrap_or(match security {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        });
        Ok(Some(SmtpSettings {
            host: host.to_owned(),
            port,
            security,
            username: self.smtp_username.clone().filter(|u| !u.is_empty()),
            password: self.smtp_password.clone().filter(|p| !p.is_empty()),
            from_address,
            from_name: self.smtp_from_name.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_in_the_file_are_named() {
        let dir = std::env::temp_dir().join(format!("rapport-config-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rapport.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\ndatabse_url = \"x\"\n").unwrap();
        let error = Config::load(Some(&path), Overrides::default()).unwrap_err().to_string();
        assert!(error.contains("databse_url"), "{error}");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\n").unwrap();
        let config = Config::load(Some(&path), Overrides { data_dir: Some("x".into()), ..Default::default() }).unwrap();
        assert_eq!(config.bind, "0.0.0.0:9000");
        assert_eq!(config.data_dir, PathBuf::from("x"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn smtp_in_the_configuration_needs_a_sender_and_a_key_of_32_bytes() {
        let config = Config { smtp_host: Some("smtp.example.com".into()), ..Config::default() };
        assert!(config.smtp().unwrap_err().to_string().contains("smtp_from_address"));
        let config =
            Config { smtp_from_address: Some("crm@example.com".into()), smtp_security: Some("tls".into()), ..config };
        let smtp = config.smtp().unwrap().expect("SMTP from the configuration");
        assert_eq!((smtp.port, smtp.security), (465, rapport_core::mail::Security::Tls));
        assert!(Config::default().smtp().unwrap().is_none());
        let short = Config { secret_key: Some("c2hvcnQ=".into()), ..Config::default() };
        assert!(short.secret_key().unwrap_err().to_string().contains("32 bytes"));
    }

    #[test]
    fn a_typo_in_the_database_scheme_is_an_error_not_a_new_file() {
        let config = Config { database_url: Some("postgress://x".into()), ..Config::default() };
        assert!(config.database_url().is_err());
    }

    #[test]
    fn a_read_replica_is_optional_and_checked_like_the_database() {
        assert!(Config::default().database_read_url().unwrap().is_none());
        let blank = Config { database_read_url: Some(" ".into()), ..Config::default() };
        assert!(blank.database_read_url().unwrap().is_none());
        let replica = Config { database_read_url: Some("postgres://reader@replica/crm".into()), ..Config::default() };
        assert!(matches!(replica.database_read_url().unwrap(), Some(DatabaseUrl::Postgres(_))));
        let typo = Config { database_read_url: Some("postgress://x".into()), ..Config::default() };
        assert!(typo.database_read_url().unwrap_err().to_string().contains("RAPPORT_DATABASE_READ_URL"));
    }
}
