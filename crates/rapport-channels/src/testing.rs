//! A small SMTP server for tests, on a tokio listener on 127.0.0.1: it
//! records each message it accepts, and answers the end of a message's data
//! as the test asks (`451` first, `550`…), so that retries and refusals go
//! through a real SMTP exchange.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine;
use rapport_core::mail::{Security, SmtpSettings};
use rapport_core::values::Email;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as sent (headers and MIME body), dot-unstuffed.
    pub data: String,
    /// `(user, password)` when the client authenticated with AUTH PLAIN.
    pub auth: Option<(String, String)>,
}

impl Received {
    /// The value of a header of the message (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(current) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    current.push_str(line.trim_start());
                    continue;
                }
                break;
            }
            if let Some((key, rest)) = line.split_once(':') {
                if key.eq_ignore_ascii_case(name) {
                    value = Some(rest.trim().to_owned());
                }
            }
        }
        value
    }
}

#[derive(Debug, Default)]
struct Shared {
    received: Vec<Received>,
    /// Replies to the next messages' end of data, in order; then `250`.
    replies: VecDeque<String>,
    /// Messages whose data ended, accepted or not.
    attempts: usize,
}

/// The running server; it stops when dropped.
#[derive(Debug)]
pub struct SmtpReceiver {
    pub port: u16,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpReceiver {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the test SMTP server");
        let port = listener.local_addr().expect("its address").port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&state)));
            }
        });
        Self { port, shared, task }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers the next message's end of data with `reply` (such as
    /// `451 4.3.0 Try again later`) instead of accepting it.
    pub fn answer_next(&self, reply: &str) {
        self.lock().replies.push_back(reply.to_owned());
    }

    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// Messages whose data the client sent, accepted or refused.
    pub fn attempts(&self) -> usize {
        self.lock().attempts
    }

    /// Settings that reach this server without TLS.
    pub fn settings(&self, from: &str) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            security: Security::None,
            username: None,
            password: None,
            from_address: Email::parse(from).expect("a valid sender"),
            from_name: Some("Rapport Test".into()),
        }
    }
}

async fn serve(stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let lock = || shared.lock().unwrap_or_else(PoisonError::into_inner);
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    let mut auth = None;
    if write.write_all(b"220 rapport-test ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        let verb = command.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => "250-rapport-test\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 SIZE 31457280".to_owned(),
            "HELO" | "NOOP" => "250 OK".to_owned(),
            "AUTH" => {
                let encoded = command.split_whitespace().nth(2).unwrap_or_default();
                let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap_or_default();
                let parts: Vec<String> =
                    decoded.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
                if let [_, user, password] = parts.as_slice() {
                    auth = Some((user.clone(), password.clone()));
                }
                "235 2.7.0 Authentication successful".to_owned()
            }
            "MAIL" => {
                mail_from = address_in(&command);
                rcpt_to.clear();
                "250 2.1.0 OK".to_owned()
            }
            "RCPT" => {
                rcpt_to.push(address_in(&command));
                "250 2.1.5 OK".to_owned()
            }
            "RSET" => {
                mail_from.clear();
                rcpt_to.clear();
                "250 OK".to_owned()
            }
            "DATA" => {
                if write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await.is_err() {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let mut state = lock();
                state.attempts += 1;
                match state.replies.pop_front() {
                    Some(reply) => reply,
                    None => {
                        let message = Received {
                            mail_from: mail_from.clone(),
                            rcpt_to: rcpt_to.clone(),
                            data,
                            auth: auth.clone(),
                        };
                        state.received.push(message);
                        "250 2.0.0 Queued".to_owned()
                    }
                }
            }
            "QUIT" => {
                let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
                return;
            }
            _ => "502 5.5.2 Command not recognized".to_owned(),
        };
        if write.write_all(format!("{reply}\r\n").as_bytes()).await.is_err() {
            return;
        }
    }
}

/// `user@example.com` from `MAIL FROM:<user@example.com> SIZE=…`.
fn address_in(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..].find('>').map_or(command.len(), |i| start + i);
    command[start..end].to_owned()
}
