//! E-mail out. Features send with one call in their own transaction:
//! [`enqueue`] (a message they wrote) or [`enqueue_from_template`] (a
//! template in the recipient's language); the worker's job delivers it
//! (`deliver`), the outcome shows on the related record's timeline and in
//! the administrators' outbox.

mod deliver;
mod outbox;
pub(crate) mod schema;
mod secret;
mod smtp;
pub mod templates;

pub use deliver::INTERRUPTED;
pub(crate) use outbox::timeline_entries;
pub use outbox::{AttachmentInfo, OutboxMessage, Outgoing, Status, enqueue, get, list, retry};
pub use secret::SecretKey;
pub use smtp::{EmailSettings, EmailSettingsChange, MailSetup, get as get_settings, save as save_settings};

pub(crate) use deliver::run as deliver;

use rapport_core::DomainError;
use rapport_core::FieldError;
use rapport_core::access::{Admin, Writer};
use rapport_core::ids::{RecordId, UserId};
use rapport_core::mail::templates as core_templates;
use rapport_core::mail::{Attachment, NewEmail, choose_language};
use rapport_core::schema::{FieldKind, RecordType};
use rapport_core::values::Email;
use sea_orm::ConnectionTrait;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::Result;
use crate::records::Record;
use crate::settings::Ctx;

/// A message written from a template.
#[derive(Debug, Clone)]
pub struct TemplateMessage<'a> {
    pub template_key: &'a str,
    pub to: Vec<Email>,
    /// The recipient's language, if known (`pt-BR`, `es`…); otherwise the
    /// account's default, then English.
    pub recipient_language: Option<&'a str>,
    /// What the placeholders read: `{"recipient": {"name": …}, …}`.
    pub context: Value,
    pub attachments: Vec<Attachment>,
    pub related: Option<(RecordType, RecordId)>,
    pub queued_by: Option<UserId>,
}

/// Renders a template in the recipient's language and queues the message,
/// in the caller's transaction. A template an administrator broke is a
/// validation error naming the field and line.
pub async fn enqueue_from_template(
    conn: &impl ConnectionTrait,
    ctx: &Ctx,
    message: TemplateMessage<'_>,
) -> Result<Uuid> {
    let account_default = smtp::default_language(conn).await?;
    let language = choose_language(message.recipient_language, account_default.as_deref());
    let text = templates::effective(conn, message.template_key, language).await?;
    let rendered = core_templates::render(&text, &message.context).map_err(|e| DomainError::Validation(e.into()))?;
    let outgoing = Outgoing {
        email: NewEmail {
            to: message.to,
            subject: rendered.subject,
            text: rendered.body,
            html: None,
            attachments: message.attachments,
        },
        related: message.related,
        queued_by: message.queued_by,
        template_key: Some(message.template_key.to_owned()),
        language: Some(language.to_owned()),
    };
    enqueue(conn, ctx.mail(), &outgoing, ctx.now()).await
}

/// Whether e-mail can be sent: SMTP set up by the configuration or an administrator.
pub(crate) async fn smtp_ready(setup: &MailSetup, conn: &impl ConnectionTrait) -> Result<bool> {
    Ok(smtp::for_sending(setup, conn).await?.is_ok())
}

/// Queues the settings page's test message to `to`, in the sender's language.
pub async fn send_test(ctx: &Ctx, admin: &Admin, to: &str) -> Result<Uuid> {
    let to = Email::parse(to).map_err(|e| DomainError::Validation(e.nested("to").into()))?;
    let sender = crate::users::get(ctx.db.conn(), admin.actor().user()).await?;
    let (name, email, locale) = sender.map(|u| (u.name, u.email, u.locale)).unwrap_or_default();
    let tx = ctx.db.write().await?;
    let id = enqueue_from_template(
        &*tx,
        ctx,
        TemplateMessage {
            template_key: core_templates::TEST_EMAIL,
            to: vec![to],
            recipient_language: Some(locale.as_str()),
            context: json!({"sender": {"name": name, "email": email}}),
            attachments: Vec::new(),
            related: None,
            queued_by: Some(admin.actor().user()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A message a user writes from a record's page.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordEmail {
    /// The recipient; the record's own e-mail (or its contact's) when absent.
    pub to: Option<String>,
    /// Written from this template (such as `follow_up`) where subject or body is empty.
    pub template: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
}

/// A message about a record, as the compose form starts: the recipient,
/// and the template's texts rendered for this record when one is chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub language: Option<String>,
}

/// What a record's message is written from: the record, its person, the
/// sender, and the placeholders' values.
struct RecordContext {
    person: Option<(String, Option<Email>, Option<String>)>,
    context: Value,
}

async fn record_context(ctx: &Ctx, writer: &Writer, record: &Record, to: Option<&Email>) -> Result<RecordContext> {
    let person = recipient_of(ctx, writer, record).await?;
    let sender = crate::users::get(ctx.db.conn(), writer.actor().user()).await?;
    let (sender_name, sender_email) = sender.map(|u| (u.name, u.email)).unwrap_or_default();
    let recipient_name = person.as_ref().map(|(name, _, _)| name.clone()).unwrap_or_default();
    let recipient_email = to.or_else(|| person.as_ref().and_then(|(_, email, _)| email.as_ref()));
    let context = json!({
        "recipient": {"name": recipient_name, "email": recipient_email.map(Email::as_str)},
        "record": {"name": record.display_name()},
        "sender": {"name": sender_name, "email": sender_email},
    });
    Ok(RecordContext { person, context })
}

/// Renders template `key` for a record, in its person's language.
async fn render_for(
    conn: &impl ConnectionTrait,
    key: &str,
    record: &RecordContext,
) -> Result<(core_templates::Rendered, &'static str)> {
    let account_default = smtp::default_language(conn).await?;
    let language_of_person = record.person.as_ref().and_then(|(_, _, language)| language.clone());
    let language = choose_language(language_of_person.as_deref(), account_default.as_deref());
    let text = templates::effective(conn, key, language).await?;
    let rendered = core_templates::render(&text, &record.context).map_err(|e| DomainError::Validation(e.into()))?;
    Ok((rendered, language))
}

/// The compose form's starting point for a record the writer sees.
pub async fn draft(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    id: RecordId,
    template: Option<&str>,
) -> Result<Draft> {
    let record = crate::records::get(ctx, writer.actor(), record_type, id).await?;
    let prepared = record_context(ctx, writer, &record, None).await?;
    let to =
        prepared.person.as_ref().and_then(|(_, email, _)| email.as_ref()).map(Email::to_string).unwrap_or_default();
    match template.filter(|t| !t.is_empty()) {
        None => Ok(Draft { to, ..Draft::default() }),
        Some(key) => {
            let (rendered, language) = render_for(ctx.db.conn(), key, &prepared).await?;
            Ok(Draft { to, subject: rendered.subject, body: rendered.body, language: Some(language.to_owned()) })
        }
    }
}

/// Sends a message about a record the writer sees; it lands on the record's
/// timeline. A subject or body left empty comes from the template, if one
/// is named; what the user typed is sent as typed.
pub async fn send_about_record(
    ctx: &Ctx,
    writer: &Writer,
    record_type: RecordType,
    id: RecordId,
    input: &RecordEmail,
) -> Result<Uuid> {
    let record = crate::records::get(ctx, writer.actor(), record_type, id).await?;
    let typed = |v: &Option<String>| v.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    let to = match typed(&input.to) {
        Some(to) => Some(Email::parse(&to).map_err(|e| DomainError::Validation(e.nested("to").into()))?),
        None => None,
    };
    let prepared = record_context(ctx, writer, &record, to.as_ref()).await?;
    let to = match to.or_else(|| prepared.person.as_ref().and_then(|(_, email, _)| email.clone())) {
        Some(to) => to,
        None => {
            let error = FieldError::new("to", "no_email", "this record has no e-mail address: type one");
            return Err(DomainError::Validation(error.into()).into());
        }
    };
    let (mut subject, mut body) = (typed(&input.subject), typed(&input.body));
    let tx = ctx.db.write().await?;
    let template_key = typed(&input.template);
    let mut language = None;
    if let (Some(key), true) = (&template_key, subject.is_none() || body.is_none()) {
        let (rendered, chosen) = render_for(&*tx, key, &prepared).await?;
        subject = subject.or(Some(rendered.subject));
        body = body.or(Some(rendered.body));
        language = Some(chosen.to_owned());
    }
    let outgoing = Outgoing {
        email: NewEmail {
            to: vec![to],
            subject: subject.unwrap_or_default(),
            text: body.unwrap_or_default(),
            html: None,
            attachments: vec![],
        },
        related: Some((record_type, id)),
        queued_by: Some(writer.actor().user()),
        template_key,
        language,
    };
    let id = enqueue(&*tx, ctx.mail(), &outgoing, ctx.now()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Whether records of a kind can have someone to write to: an e-mail field
/// of their own, or a reference to a kind that has one.
pub fn kind_can_email(record_type: RecordType) -> bool {
    let has_email =
        |kind: RecordType| kind.fields().iter().any(|f| matches!(f.kind, FieldKind::Email | FieldKind::EmailList));
    has_email(record_type) || record_type.fields().iter().filter_map(|f| f.kind.ref_target()).any(has_email)
}

/// The person a record's messages go to: `(name, e-mail, language)` of the
/// record itself when its kind has an e-mail field, else of the first
/// record it refers to that has one (a deal's contact). Read from the
/// descriptors, so that every kind with an e-mail works the same.
pub async fn recipient_of(
    ctx: &Ctx,
    writer: &Writer,
    record: &Record,
) -> Result<Option<(String, Option<Email>, Option<String>)>> {
    if let Some(email) = email_field(record) {
        return Ok(Some((record.display_name(), email, record.text("language").map(str::to_owned))));
    }
    for spec in record.record_type.fields() {
        let (Some(target), Some(id)) = (spec.kind.ref_target(), record.text(spec.name)) else { continue };
        if !target.fields().iter().any(|f| matches!(f.kind, FieldKind::Email | FieldKind::EmailList)) {
            continue;
        }
        let Ok(id) = Uuid::parse_str(id) else { continue };
        // The person must be visible to the sender too.
        match crate::records::get(ctx, writer.actor(), target, RecordId(id)).await {
            Ok(person) => {
                let email = email_field(&person).flatten();
                return Ok(Some((person.display_name(), email, person.text("language").map(str::to_owned))));
            }
            Err(crate::Error::Domain(DomainError::NotFound { .. })) => continue,
            Err(other) => return Err(other),
        }
    }
    Ok(None)
}

/// `Some(first address)` when the record's kind has an e-mail field.
fn email_field(record: &Record) -> Option<Option<Email>> {
    let spec =
        record.record_type.fields().iter().find(|f| matches!(f.kind, FieldKind::Email | FieldKind::EmailList))?;
    let value = record.fields.get(spec.name);
    let first = match value {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Array(list)) => list.first().and_then(Value::as_str),
        _ => None,
    };
    Some(first.and_then(|s| Email::parse(s).ok()))
}
