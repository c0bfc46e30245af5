//! E-mail out: the message every feature hands to the outbox, the SMTP
//! settings, the transport that storage's delivery job calls, and the
//! user-editable templates (`templates`). No I/O here: the transport is a
//! trait that `rapport-channels` implements with lettre.

pub mod templates;

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::ValidationErrors;
use crate::values::Email;

/// Languages a message can be written in; the first is the last fallback.
pub const LANGUAGES: [&str; 3] = ["en", "pt-BR", "es"];

/// The language tag of `input` as people and browsers write it (`pt`,
/// `pt_br`, `es-AR`), if it is one of [`LANGUAGES`].
pub fn language(input: &str) -> Option<&'static str> {
    let primary = input.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGUAGES.into_iter().find(|tag| tag.split('-').next() == Some(primary.as_str()))
}

/// The language to write to a recipient in: theirs if we write it, else the
/// account's default, else English.
pub fn choose_language(recipient: Option<&str>, account_default: Option<&str>) -> &'static str {
    recipient.and_then(language).or_else(|| account_default.and_then(language)).unwrap_or(LANGUAGES[0])
}

/// A subject longer than this is refused (RFC 5322 lines are short anyway).
pub const MAX_SUBJECT_CHARS: usize = 250;
/// A body (text or HTML) longer than this is refused.
pub const MAX_BODY_BYTES: usize = 512 * 1024;
/// All attachments of one message together.
pub const MAX_ATTACHMENTS_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_RECIPIENTS: usize = 20;

/// A file sent with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    /// A MIME type such as `application/pdf`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A message as a feature asks for it to be sent. The outbox stores it as it
/// is; the sender (`From`) is the account's, read when it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEmail {
    pub to: Vec<Email>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
}

impl NewEmail {
    /// Checks the limits; errors name the field and the rule.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.to.is_empty() {
            errors.push(FieldError::new("to", "required", "a message needs at least one recipient"));
        }
        if self.to.len() > MAX_RECIPIENTS {
            errors.push(
                FieldError::new("to", "too_many_recipients", format!("at most {MAX_RECIPIENTS} recipients"))
                    .with("max", MAX_RECIPIENTS),
            );
        }
        if self.subject.trim().is_empty() {
            errors.push(FieldError::required("subject"));
        }
        if self.subject.chars().count() > MAX_SUBJECT_CHARS {
            errors.push(FieldError::new("subject", "too_long", format!("at most {MAX_SUBJECT_CHARS} characters")));
        }
        if self.text.trim().is_empty() {
            errors.push(FieldError::required("body"));
        }
        if self.text.len() > MAX_BODY_BYTES || self.html.as_ref().is_some_and(|h| h.len() > MAX_BODY_BYTES) {
            errors.push(FieldError::new("body", "too_long", "a message body has at most 512 KB"));
        }
        let total: usize = self.attachments.iter().map(|a| a.bytes.len()).sum();
        if total > MAX_ATTACHMENTS_BYTES {
            errors.push(FieldError::new("attachments", "attachments_too_large", "attachments add up to at most 10 MB"));
        }
        for (i, attachment) in self.attachments.iter().enumerate() {
            let name = attachment.file_name.trim();
            if name.is_empty() || name.len() > 200 || name.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
                errors.push(FieldError::new(
                    format!("attachments[{i}].file_name"),
                    "invalid_file_name",
                    "a file name without slashes or control characters, at most 200 bytes",
                ));
            }
            if !is_mime_type(&attachment.content_type) {
                errors.push(FieldError::new(
                    format!("attachments[{i}].content_type"),
                    "invalid_content_type",
                    "a MIME type such as application/pdf",
                ));
            }
        }
        errors.into_result()
    }
}

fn is_mime_type(input: &str) -> bool {
    let token = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c));
    input.split_once('/').is_some_and(|(kind, sub)| token(kind) && token(sub))
}

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (required), usually port 587.
    #[default]
    Starttls,
    /// TLS from the first byte, usually port 465.
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

impl Security {
    pub const ALL: [Security; 3] = [Self::Starttls, Self::Tls, Self::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starttls => "starttls",
            Self::Tls => "tls",
            Self::None => "none",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == input)
    }
}

/// Everything a transport needs to reach the SMTP server, password in clear
/// (storage keeps it encrypted and decrypts it only to send).
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_address: Email,
    pub from_name: Option<String>,
}

impl std::fmt::Debug for SmtpSettings {
    // Never the password, not even in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from_address", &self.from_address)
            .field("from_name", &self.from_name)
            .finish()
    }
}

/// Checks a host name for the SMTP server (no scheme, no port, no spaces).
pub fn check_host(host: &str) -> Result<(), FieldError> {
    let ok = !host.is_empty()
        && host.len() <= 253
        && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        && !host.contains("//");
    if ok { Ok(()) } else { Err(FieldError::new("host", "invalid_host", "a host name such as smtp.example.com")) }
}

/// A message ready for the wire, as the outbox stored it.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// Without angle brackets: `0192…@rapport.example.com`.
    pub message_id: &'a str,
    pub to: &'a [String],
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
    pub attachments: &'a [Attachment],
    pub date: chrono::DateTime<chrono::Utc>,
}

/// Why a message was not handed over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: a 4xx reply, no connection, a timeout.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// The server refused for good (5xx) or the message cannot be sent as is.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// Hands a message to an SMTP server. Implemented in `rapport-channels`;
/// storage's delivery job calls it between recording the attempt and its
/// outcome.
pub trait MailTransport: Send + Sync + std::fmt::Debug {
    fn send<'a>(&'a self, smtp: &'a SmtpSettings, envelope: &'a Envelope<'a>) -> SendFuture<'a>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recipients_language_wins_then_the_accounts_then_english() {
        assert_eq!(choose_language(Some("pt_br"), Some("es")), "pt-BR");
        assert_eq!(choose_language(Some("es-AR"), None), "es");
        assert_eq!(choose_language(Some("de"), Some("es")), "es");
        assert_eq!(choose_language(None, Some("fr")), "en");
        assert_eq!(choose_language(None, None), "en");
    }

    fn message() -> NewEmail {
        NewEmail {
            to: vec![Email::parse("ana@example.com").unwrap()],
            subject: "Hello".into(),
            text: "Hi".into(),
            html: None,
            attachments: vec![],
        }
    }

    #[test]
    fn a_message_breaking_the_limits_names_each_field() {
        assert!(message().check().is_ok());
        let mut bad = message();
        bad.to.clear();
        bad.subject = " ".into();
        bad.attachments.push(Attachment {
            file_name: "../etc/passwd".into(),
            content_type: "pdf".into(),
            bytes: vec![0; MAX_ATTACHMENTS_BYTES + 1],
        });
        let fields: Vec<String> = bad.check().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["to", "subject", "attachments", "attachments[0].file_name", "attachments[0].content_type"]);
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let smtp = SmtpSettings {
            host: "smtp.example.com".into(),
            port: 587,
            security: Security::Starttls,
            username: Some("me".into()),
            password: Some("hunter2-secret".into()),
            from_address: Email::parse("crm@example.com").unwrap(),
            from_name: None,
        };
        assert!(!format!("{smtp:?}").contains("hunter2"));
    }
}
