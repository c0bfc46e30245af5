//! SMTP settings: an administrator's, kept in `settings` under `smtp` with
//! the password encrypted, or the configuration's (`rapport.toml` or
//! `RAPPORT_SMTP_*`), which win when they name a host.

use std::sync::Arc;

use rapport_core::DomainError;
use rapport_core::FieldError;
use rapport_core::ValidationErrors;
use rapport_core::access::Admin;
use rapport_core::mail::{self, MailTransport, Security, SmtpSettings};
use rapport_core::values::Email;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::secret::SecretKey;
use crate::error::{Error, Result, StorageContext};
use crate::settings::Ctx;

const SETTINGS_KEY: &str = "smtp";
/// The associated data of the encrypted password.
const PASSWORD_PURPOSE: &str = "smtp_password";

/// What a process sends e-mail with, set once when it starts
/// (`Ctx::install_mail`).
#[derive(Debug, Default, Clone)]
pub struct MailSetup {
    /// Without one (a command-line process), e-mail jobs wait for a server.
    pub transport: Option<Arc<dyn MailTransport>>,
    /// Encrypts the stored SMTP password; without one none can be stored.
    pub secret_key: Option<SecretKey>,
    /// SMTP settings from the configuration: when present they are used and
    /// the administrator's are not.
    pub configured: Option<SmtpSettings>,
}

/// As stored: every field optional, so that an unfinished setup still saves.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Stored {
    host: Option<String>,
    port: Option<u16>,
    #[serde(default)]
    security: Security,
    username: Option<String>,
    /// Encrypted with the configuration's secret key.
    password: Option<String>,
    from_address: Option<String>,
    from_name: Option<String>,
    default_language: Option<String>,
}

/// The e-mail settings as an administrator sees them: never the password,
/// only whether one is set.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EmailSettings {
    pub host: Option<String>,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password_set: bool,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    /// The language of messages to recipients whose language is unknown.
    pub default_language: String,
    /// `configuration` when the server's configuration sets SMTP (those
    /// fields are shown and cannot be changed here), else `settings`.
    pub source: String,
    /// Whether a password can be stored: the configuration has a `secret_key`.
    pub can_store_password: bool,
    /// Whether there is enough to send: a host and a sender address.
    pub ready: bool,
}

/// A change of the e-mail settings. The password is kept unless a new one
/// is given or `clear_password` is set.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSettingsChange {
    pub host: Option<String>,
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    pub username: Option<String>,
    /// A new password; empty or absent keeps the stored one.
    pub password: Option<String>,
    #[serde(default)]
    pub clear_password: bool,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub default_language: Option<String>,
}

fn default_port(security: Security) -> u16 {
    match security {
        Security::Starttls => 587,
        Security::Tls => 465,
        Security::None => 25,
    }
}

async fn load_stored(conn: &impl ConnectionTrait) -> Result<Stored> {
    let query =
        Query::select().column("value").from("settings").and_where(Expr::col("key").eq(SETTINGS_KEY)).to_owned();
    match conn.query_one(&query).await.context("read the SMTP settings")? {
        None => Ok(Stored::default()),
        Some(row) => {
            let value: Value = row.try_get("", "value").context("read the SMTP settings")?;
            serde_json::from_value(value)
                .map_err(|e| Error::Config(format!("stored SMTP settings are unreadable: {e}")))
        }
    }
}

fn setup(ctx: &Ctx) -> MailSetup {
    ctx.mail().cloned().unwrap_or_default()
}

/// The settings as the settings page and `GET /api/v1/email/settings` show them.
pub async fn get(ctx: &Ctx, _by: &Admin) -> Result<EmailSettings> {
    let stored = load_stored(ctx.db.conn()).await?;
    Ok(view(&setup(ctx), &stored))
}

fn view(setup: &MailSetup, stored: &Stored) -> EmailSettings {
    let default_language = stored.default_language.clone().unwrap_or_else(|| mail::LANGUAGES[0].to_owned());
    let can_store_password = setup.secret_key.is_some();
    match &setup.configured {
        Some(smtp) => EmailSettings {
            host: Some(smtp.host.clone()),
            port: smtp.port,
            security: smtp.security,
            username: smtp.username.clone(),
            password_set: smtp.password.is_some(),
            from_address: Some(smtp.from_address.to_string()),
            from_name: smtp.from_name.clone(),
            default_language,
            source: "configuration".into(),
            can_store_password,
            ready: true,
        },
        None => EmailSettings {
            host: stored.host.clone(),
            port: stored.port.unwrap_or_else(|| default_port(stored.security)),
            security: stored.security,
            username: stored.username.clone(),
            password_set: stored.password.is_some(),
            from_address: stored.from_address.clone(),
            from_name: stored.from_name.clone(),
            default_language,
            source: "settings".into(),
            can_store_password,
            ready: stored.host.is_some() && stored.from_address.is_some(),
        },
    }
}

fn trimmed(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// Saves the settings; the password is encrypted with the configuration's key.
pub async fn save(ctx: &Ctx, _by: &Admin, change: &EmailSettingsChange) -> Result<EmailSettings> {
    let setup = setup(ctx);
    let tx = ctx.db.write().await?;
    let mut stored = load_stored(&*tx).await?;
    let mut errors = ValidationErrors::default();
    match trimmed(&change.default_language).map(|l| mail::language(&l).ok_or(l)) {
        None => {}
        Some(Ok(language)) => stored.default_language = Some(language.to_owned()),
        Some(Err(_)) => errors.push(FieldError::new("default_language", "invalid_choice", "en, pt-BR or es")),
    }
    let changes_smtp = trimmed(&change.host).is_some()
        || trimmed(&change.from_address).is_some()
        || trimmed(&change.password).is_some();
    if setup.configured.is_some() {
        if changes_smtp {
            return Err(DomainError::Conflict {
                code: "smtp_set_by_configuration",
                message: "the server's configuration sets SMTP; change it there".into(),
            }
            .into());
        }
    } else {
        stored.host = trimmed(&change.host);
        if let Some(host) = &stored.host {
            if let Err(e) = mail::check_host(host) {
                errors.push(e);
            }
        }
        stored.security = change.security;
        stored.port = Some(change.port.unwrap_or_else(|| default_port(change.security)));
        if stored.port == Some(0) {
            errors.push(FieldError::new("port", "out_of_range", "a port between 1 and 65535"));
        }
        stored.username = trimmed(&change.username);
        stored.from_name = trimmed(&change.from_name);
        stored.from_address = match trimmed(&change.from_address).map(|a| Email::parse(&a)) {
            None => None,
            Some(Ok(address)) => Some(address.to_string()),
            Some(Err(e)) => {
                errors.push(e.nested("from_address"));
                None
            }
        };
        match (change.password.as_deref().filter(|p| !p.is_empty()), &setup.secret_key) {
            (Some(_), None) => errors.push(FieldError::new(
                "password",
                "secret_key_missing",
                "set secret_key in the server's configuration (RAPPORT_SECRET_KEY) to store a password",
            )),
            (Some(password), Some(key)) => stored.password = Some(key.encrypt(password, PASSWORD_PURPOSE)),
            (None, _) if change.clear_password => stored.password = None,
            (None, _) => {}
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors).into());
    }
    let value = serde_json::to_value(&stored).map_err(|e| Error::Config(e.to_string()))?;
    let upsert = Query::insert()
        .into_table("settings")
        .columns(["key", "value"])
        .values_panic([SETTINGS_KEY.into(), value.into()])
        .on_conflict(OnConflict::column("key").update_column("value").to_owned())
        .to_owned();
    tx.execute(&upsert).await.context("save the SMTP settings")?;
    tx.commit().await?;
    Ok(view(&setup, &stored))
}

/// The account's default language for messages.
pub(crate) async fn default_language(conn: &impl ConnectionTrait) -> Result<Option<String>> {
    Ok(load_stored(conn).await?.default_language)
}

/// The sender's domain, for Message-IDs.
pub(crate) async fn sender_domain(ctx_setup: Option<&MailSetup>, conn: &impl ConnectionTrait) -> Result<String> {
    let from = match ctx_setup.and_then(|s| s.configured.as_ref()) {
        Some(smtp) => Some(smtp.from_address.to_string()),
        None => load_stored(conn).await?.from_address,
    };
    Ok(from.and_then(|a| a.rsplit_once('@').map(|(_, d)| d.to_owned())).unwrap_or_else(|| "rapport.invalid".into()))
}

/// The settings to send with, password decrypted; an `Err` says what is
/// missing (a temporary failure: an administrator can fix it).
pub(crate) async fn for_sending(
    setup: &MailSetup,
    conn: &impl ConnectionTrait,
) -> Result<Result<SmtpSettings, String>> {
    if let Some(smtp) = &setup.configured {
        return Ok(Ok(smtp.clone()));
    }
    let stored = load_stored(conn).await?;
    let (Some(host), Some(from)) = (stored.host, stored.from_address) else {
        return Ok(Err("SMTP is not set up: an administrator sets a host and a sender in Settings › E-mail".into()));
    };
    let password = match (&stored.password, &setup.secret_key) {
        (None, _) => None,
        (Some(_), None) => return Ok(Err("the stored SMTP password needs the configuration's secret_key".into())),
        (Some(sealed), Some(key)) => match key.decrypt(sealed, PASSWORD_PURPOSE) {
            Some(password) => Some(password),
            None => {
                return Ok(
                    Err("the stored SMTP password does not decrypt with this secret_key: enter it again".into()),
                );
            }
        },
    };
    let from_address = match Email::parse(&from) {
        Ok(address) => address,
        Err(_) => return Ok(Err(format!("the sender address {from} is not valid"))),
    };
    Ok(Ok(SmtpSettings {
        port: stored.port.unwrap_or_else(|| default_port(stored.security)),
        host,
        security: stored.security,
        username: stored.username,
        password,
        from_address,
        from_name: stored.from_name,
    }))
}
