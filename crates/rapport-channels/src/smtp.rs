//! The SMTP transport: builds the MIME message with its fixed Message-ID and
//! hands it to the server, sorting failures into temporary (retry later)
//! and permanent (give up, with the server's reason).

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rapport_core::mail::{Envelope, MailTransport, Security, SendError, SendFuture, SmtpSettings};

/// Each SMTP command waits this long for its reply.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);
/// A whole exchange ends within this, well inside the job's lease (60 s), so
/// that no other worker takes the job over while this one still talks.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(45);

/// Sends with lettre; one connection per message (messages are few and the
/// settings may change between two of them).
#[derive(Debug, Default, Clone, Copy)]
pub struct LettreTransport;

impl MailTransport for LettreTransport {
    fn send<'a>(&'a self, smtp: &'a SmtpSettings, envelope: &'a Envelope<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let message = build_message(smtp, envelope)?;
            let transport = transport(smtp)?;
            match tokio::time::timeout(EXCHANGE_TIMEOUT, transport.send(message)).await {
                Err(_) => Err(SendError::Temporary(format!(
                    "the SMTP server did not finish within {} s",
                    EXCHANGE_TIMEOUT.as_secs()
                ))),
                Ok(Ok(_)) => Ok(()),
                Ok(Err(error)) => Err(classify(&error)),
            }
        })
    }
}

fn transport(smtp: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendError> {
    let tls = || {
        TlsParameters::new(smtp.host.clone())
            .map_err(|e| SendError::Permanent(format!("TLS cannot be set up for {}: {e}", smtp.host)))
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .timeout(Some(COMMAND_TIMEOUT));
    builder = match smtp.security {
        Security::Starttls => builder.tls(Tls::Required(tls()?)),
        Security::Tls => builder.tls(Tls::Wrapper(tls()?)),
        Security::None => builder.tls(Tls::None),
    };
    if let Some(username) = smtp.username.as_ref().filter(|u| !u.is_empty()) {
        builder = builder.credentials(Credentials::new(username.clone(), smtp.password.clone().unwrap_or_default()));
    }
    Ok(builder.build())
}

fn build_message(smtp: &SmtpSettings, envelope: &Envelope<'_>) -> Result<Message, SendError> {
    let address = |input: &str| {
        input
            .parse::<lettre::Address>()
            .map_err(|e| SendError::Permanent(format!("the address {input} is refused: {e}")))
    };
    let mut builder = Message::builder()
        .message_id(Some(format!("<{}>", envelope.message_id)))
        .date(envelope.date.into())
        .from(Mailbox::new(
            smtp.from_name.clone().filter(|n| !n.trim().is_empty()),
            address(smtp.from_address.as_str())?,
        ))
        .subject(envelope.subject);
    for to in envelope.to {
        builder = builder.to(Mailbox::new(None, address(to)?));
    }
    let text = SinglePart::plain(envelope.text.to_owned());
    let body = match envelope.html {
        Some(html) => MultiPart::alternative().singlepart(text).singlepart(SinglePart::html(html.to_owned())),
        None if envelope.attachments.is_empty() => {
            return builder.singlepart(text).map_err(|e| SendError::Permanent(format!("the message is invalid: {e}")));
        }
        None => MultiPart::mixed().singlepart(text),
    };
    let mut body = if envelope.html.is_some() && !envelope.attachments.is_empty() {
        MultiPart::mixed().multipart(body)
    } else {
        body
    };
    for file in envelope.attachments {
        let content_type = ContentType::parse(&file.content_type)
            .map_err(|_| SendError::Permanent(format!("invalid content type {}", file.content_type)))?;
        body = body.singlepart(Attachment::new(file.file_name.clone()).body(file.bytes.clone(), content_type));
    }
    builder.multipart(body).map_err(|e| SendError::Permanent(format!("the message is invalid: {e}")))
}

/// 4xx replies, lost connections and timeouts are worth another try; 5xx
/// replies are not.
fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    let reason = error.to_string();
    if error.is_permanent() { SendError::Permanent(reason) } else { SendError::Temporary(reason) }
}
