//! The benchmark's HTTP client: one keep-alive HTTP/1.1 connection per
//! simulated client, on hyper (already in the binary for the server) rather
//! than a full client library that only `rapport bench` would use.

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;

pub struct Connection {
    sender: SendRequest<Empty<Bytes>>,
    host: String,
}

impl Connection {
    /// Connects to `host` (`127.0.0.1:port`).
    pub async fn open(host: &str) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(host).await.with_context(|| format!("connect to {host}"))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self { sender, host: host.to_owned() })
    }

    /// GETs `path` (with its query, already percent-encoded); returns the status and body.
    pub async fn get(&mut self, path: &str, token: Option<&str>) -> anyhow::Result<(StatusCode, Bytes)> {
        let mut request = Request::get(path).header(header::HOST, &self.host);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.sender.ready().await?;
        let response = self.sender.send_request(request.body(Empty::new())?).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// `[` and `]` of `filter[field][op]` as a URI allows them.
pub fn encode_brackets(path: &str) -> String {
    path.replace('[', "%5B").replace(']', "%5D")
}
