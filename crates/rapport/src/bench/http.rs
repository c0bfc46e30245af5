//! The benchmark's HTTP client: one keep-alive HTTP/1.1 connection per
//! simulated client, on hyper (already in the binary for the server) rather
//! than a full client library that only `rapport bench` would use.

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;

/// Who a request is made as: an API token, or a browser session's cookie.
#[derive(Debug, Clone)]
pub enum Credential {
    Bearer(String),
    Session(String),
}

impl Credential {
    fn header(&self) -> (header::HeaderName, String) {
        match self {
            Self::Bearer(token) => (header::AUTHORIZATION, format!("Bearer {token}")),
            Self::Session(token) => (header::COOKIE, format!("rapport_session={token}")),
        }
    }
}

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
    pub async fn get(&mut self, path: &str, credential: Option<&Credential>) -> anyhow::Result<(StatusCode, Bytes)> {
        self.send(path, credential, false).await
    }

    /// GETs `path` as a browser does, accepting a gzip body; returns the status and the body as sent.
    pub async fn get_compressed(&mut self, path: &str, credential: &Credential) -> anyhow::Result<(StatusCode, Bytes)> {
        self.send(path, Some(credential), true).await
    }

    async fn send(
        &mut self,
        path: &str,
        credential: Option<&Credential>,
        gzip: bool,
    ) -> anyhow::Result<(StatusCode, Bytes)> {
        let mut request = Request::get(path).header(header::HOST, &self.host);
        if let Some((name, value)) = credential.map(Credential::header) {
            request = request.header(name, value);
        }
        if gzip {
            request = request.header(header::ACCEPT_ENCODING, "gzip");
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
