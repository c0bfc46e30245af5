//! Reminders by WhatsApp, through Meta's WhatsApp Business Cloud API:
//! `POST {base}/{version}/{phone_number_id}/messages` with a bearer token
//! and a JSON message. This module says what is sent (pure); the transport
//! that sends it lives in `rapport-channels`.

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use crate::mail::SendError;

/// The Graph API version requests go to unless an administrator sets another.
pub const DEFAULT_API_VERSION: &str = "v21.0";
/// Meta's API.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";

/// Where and as whom messages are sent, the token decrypted.
#[derive(Clone, PartialEq, Eq)]
pub struct CloudApi {
    /// `https://graph.facebook.com`, or a test server's address.
    pub base_url: String,
    pub api_version: String,
    pub phone_number_id: String,
    pub access_token: String,
}

impl std::fmt::Debug for CloudApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudApi")
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("phone_number_id", &self.phone_number_id)
            .field("access_token", &"***")
            .finish()
    }
}

impl CloudApi {
    /// The messages endpoint.
    pub fn messages_url(&self) -> String {
        format!("{}/{}/{}/messages", self.base_url.trim_end_matches('/'), self.api_version, self.phone_number_id)
    }
}

/// What a message says: free text (allowed inside the 24-hour window after
/// the user wrote to the business) or an approved template with its body
/// parameters (allowed any time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text { body: String },
    Template { name: String, language: String, parameters: Vec<String> },
}

/// The JSON body the Cloud API takes for a message to `to` (digits of an
/// E.164 number, without the `+`).
pub fn request_body(to: &str, content: &Content) -> Value {
    let to = to.trim_start_matches('+');
    match content {
        Content::Text { body } => json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": {"preview_url": false, "body": body},
        }),
        Content::Template { name, language, parameters } => {
            let parameters: Vec<Value> = parameters.iter().map(|p| json!({"type": "text", "text": p})).collect();
            let components =
                if parameters.is_empty() { json!([]) } else { json!([{"type": "body", "parameters": parameters}]) };
            json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to,
                "type": "template",
                "template": {"name": name, "language": {"code": language}, "components": components},
            })
        }
    }
}

/// How an answer of the API is read: a status and its body. 2xx gives the
/// message id (`wamid…`); 4xx a permanent failure with Meta's reason
/// (except 429, too many requests, which passes); 5xx a temporary one.
pub fn read_answer(status: u16, body: &str) -> Result<String, SendError> {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    if (200..300).contains(&status) {
        let id = parsed
            .as_ref()
            .and_then(|v| v.pointer("/messages/0/id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_default();
        return Ok(id);
    }
    let reason = parsed
        .as_ref()
        .and_then(|v| v.pointer("/error/message"))
        .and_then(Value::as_str)
        .map(|m| format!("HTTP {status}: {m}"))
        .unwrap_or_else(|| format!("HTTP {status}: {}", body.chars().take(300).collect::<String>()));
    if status == 429 || status >= 500 { Err(SendError::Temporary(reason)) } else { Err(SendError::Permanent(reason)) }
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<String, SendError>> + Send + 'a>>;

/// Sends one message; answers the provider's message id. Implemented in
/// `rapport-channels`.
pub trait WhatsappTransport: Send + Sync + std::fmt::Debug {
    fn send<'a>(&'a self, api: &'a CloudApi, body: &'a Value) -> SendFuture<'a>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_message_has_the_cloud_api_shape() {
        let body = request_body("+5511987654321", &Content::Text { body: "Call Ana".into() });
        assert_eq!(body["messaging_product"], "whatsapp");
        assert_eq!(body["to"], "5511987654321");
        assert_eq!(body["type"], "text");
        assert_eq!(body["text"]["body"], "Call Ana");
    }

    #[test]
    fn a_template_message_names_its_language_and_parameters() {
        let content =
            Content::Template { name: "step_due".into(), language: "pt_BR".into(), parameters: vec!["Ligar".into()] };
        let body = request_body("5511987654321", &content);
        assert_eq!(body["type"], "template");
        assert_eq!(body["template"]["language"]["code"], "pt_BR");
        assert_eq!(body["template"]["components"][0]["parameters"][0]["text"], "Ligar");
    }

    #[test]
    fn answers_are_read_as_sent_refused_or_retried() {
        assert_eq!(read_answer(200, r#"{"messages":[{"id":"wamid.X"}]}"#), Ok("wamid.X".into()));
        let refused = read_answer(400, r#"{"error":{"message":"Invalid parameter","code":100}}"#);
        assert_eq!(refused, Err(SendError::Permanent("HTTP 400: Invalid parameter".into())));
        assert!(matches!(read_answer(500, "oops"), Err(SendError::Temporary(_))));
        assert!(matches!(read_answer(429, "{}"), Err(SendError::Temporary(_))));
    }

    #[test]
    fn the_endpoint_is_base_version_number_messages() {
        let api = CloudApi {
            base_url: "http://127.0.0.1:9/".into(),
            api_version: "v21.0".into(),
            phone_number_id: "1234".into(),
            access_token: "t".into(),
        };
        assert_eq!(api.messages_url(), "http://127.0.0.1:9/v21.0/1234/messages");
        assert!(!format!("{api:?}").contains("\"t\""));
    }
}
