//! A fake WhatsApp Business Cloud API for tests, on a tokio listener on
//! 127.0.0.1. It checks each request as Meta's API would (method, path,
//! bearer token, JSON content type and message shape), records the
//! well-formed ones, answers malformed ones with 400, and answers as the
//! test asks (`500` once, `400`…) before accepting.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rapport_core::whatsapp::CloudApi;
use serde_json::{Value, json};
use tokio::net::TcpListener;

pub const PHONE_NUMBER_ID: &str = "106540352242922";
pub const ACCESS_TOKEN: &str = "EAAtest-token";
pub const API_VERSION: &str = "v21.0";

/// A well-formed message the fake accepted or was told to refuse.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: String,
    pub body: Value,
}

#[derive(Debug, Default)]
struct Shared {
    accepted: Vec<Received>,
    /// Well-formed requests, whatever the answer.
    attempts: usize,
    /// Why each malformed request was refused.
    malformed: Vec<String>,
    /// `(status, body)` for the next well-formed requests; then 200.
    replies: VecDeque<(u16, String)>,
}

/// The running fake; it stops when dropped.
#[derive(Debug)]
pub struct FakeCloudApi {
    pub port: u16,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeCloudApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeCloudApi {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the fake WhatsApp API");
        let port = listener.local_addr().expect("its address").port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&state);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| answer(Arc::clone(&state), request));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { port, shared, task }
    }

    /// The API's address, as an administrator would set it.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Settings that reach this fake.
    pub fn api(&self) -> CloudApi {
        CloudApi {
            base_url: self.base_url(),
            api_version: API_VERSION.into(),
            phone_number_id: PHONE_NUMBER_ID.into(),
            access_token: ACCESS_TOKEN.into(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers the next well-formed request with `status` (500, 400…) and
    /// an error body as Meta writes it, instead of accepting it.
    pub fn answer_next(&self, status: u16) {
        let body = json!({"error": {"message": format!("fake error {status}"), "type": "OAuthException",
            "code": if status >= 500 { 2 } else { 100 }, "fbtrace_id": "Afake"}});
        self.lock().replies.push_back((status, body.to_string()));
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.lock().accepted.clone()
    }

    pub fn attempts(&self) -> usize {
        self.lock().attempts
    }

    pub fn malformed(&self) -> Vec<String> {
        self.lock().malformed.clone()
    }
}

fn respond(status: u16, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("a valid response")
}

async fn answer(shared: Arc<Mutex<Shared>>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let lock = || shared.lock().unwrap_or_else(PoisonError::into_inner);
    let (parts, body) = request.into_parts();
    let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let path = parts.uri.path().to_owned();
    let authorization = header("authorization");
    let problem = if parts.method != hyper::Method::POST {
        Some(format!("method {} instead of POST", parts.method))
    } else if path != format!("/{API_VERSION}/{PHONE_NUMBER_ID}/messages") {
        Some(format!("unknown path {path}"))
    } else if authorization != format!("Bearer {ACCESS_TOKEN}") {
        Some("missing or wrong bearer token".to_owned())
    } else if !header("content-type").starts_with("application/json") {
        Some("content type is not application/json".to_owned())
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Err(e) => Some(format!("body is not JSON: {e}")),
            Ok(body) => shape_problem(&body).map(str::to_owned),
        }
    };
    if let Some(problem) = problem {
        lock().malformed.push(problem.clone());
        let body = json!({"error": {"message": problem, "type": "OAuthException", "code": 100}});
        return Ok(respond(400, body.to_string()));
    }
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let mut state = lock();
    state.attempts += 1;
    if let Some((status, answer)) = state.replies.pop_front() {
        return Ok(respond(status, answer));
    }
    let to = body["to"].as_str().unwrap_or_default().to_owned();
    let id = format!("wamid.fake{}", state.accepted.len() + 1);
    state.accepted.push(Received { path, authorization, body });
    let answer = json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": id}]});
    Ok(respond(200, answer.to_string()))
}

/// What is wrong with a message body, as the Cloud API checks it.
fn shape_problem(body: &Value) -> Option<&'static str> {
    if body["messaging_product"] != "whatsapp" {
        return Some("messaging_product must be whatsapp");
    }
    let to = body["to"].as_str().unwrap_or_default();
    if !(8..=15).contains(&to.len()) || !to.bytes().all(|b| b.is_ascii_digit()) {
        return Some("to must be a phone number in digits");
    }
    match body["type"].as_str() {
        Some("text") => match body["text"]["body"].as_str() {
            Some(text) if !text.is_empty() && text.chars().count() <= 4096 => None,
            _ => Some("text.body must be 1 to 4096 characters"),
        },
        Some("template") => {
            if body["template"]["name"].as_str().is_none_or(str::is_empty) {
                Some("template.name is required")
            } else if body["template"]["language"]["code"].as_str().is_none_or(str::is_empty) {
                Some("template.language.code is required")
            } else {
                None
            }
        }
        _ => Some("type must be text or template"),
    }
}
