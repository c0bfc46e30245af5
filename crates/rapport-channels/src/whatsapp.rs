//! The WhatsApp Business Cloud API transport: one HTTPS POST per message
//! (HTTP/1.1 through hyper, TLS through rustls with the web PKI roots
//! compiled in; plain HTTP only for a local test server), its answer sorted
//! into sent, refused (4xx) and retry later (5xx, 429, timeouts).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use rapport_core::whatsapp::{CloudApi, SendError, SendFuture, WhatsappTransport, read_answer};
use serde_json::Value;
use tokio::net::TcpStream;

/// A whole request ends within this, well inside the job's lease (60 s).
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes of an answer read.
const MAX_ANSWER: usize = 64 * 1024;

#[derive(Debug, Default, Clone, Copy)]
pub struct CloudApiTransport;

impl WhatsappTransport for CloudApiTransport {
    fn send<'a>(&'a self, api: &'a CloudApi, body: &'a Value) -> SendFuture<'a> {
        Box::pin(async move {
            match tokio::time::timeout(EXCHANGE_TIMEOUT, post(api, body)).await {
                Err(_) => Err(SendError::Temporary(format!(
                    "the WhatsApp API did not answer within {} s",
                    EXCHANGE_TIMEOUT.as_secs()
                ))),
                Ok(Err(error)) => Err(error),
                Ok(Ok((status, answer))) => read_answer(status, &answer),
            }
        })
    }
}

/// `(https, host, port, path)` of a URL.
fn split_url(url: &str) -> Result<(bool, String, u16, String), SendError> {
    let bad = || SendError::Permanent(format!("the WhatsApp API address {url} is not an http(s) URL"));
    let (https, rest) = match url.split_once("://") {
        Some(("https", rest)) => (true, rest),
        Some(("http", rest)) => (false, rest),
        _ => return Err(bad()),
    };
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().map_err(|_| bad())?),
        None => (authority, if https { 443 } else { 80 }),
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok((https, host.to_owned(), port, path.to_owned()))
}

async fn post(api: &CloudApi, body: &Value) -> Result<(u16, String), SendError> {
    let url = api.messages_url();
    let (https, host, port, path) = split_url(&url)?;
    let tcp = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| SendError::Temporary(format!("could not connect to {host}:{port}: {e}")))?;
    let request = Request::post(path)
        .header(HOST, &host)
        .header(AUTHORIZATION, format!("Bearer {}", api.access_token))
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .map_err(|e| SendError::Permanent(format!("could not build the request: {e}")))?;
    if https {
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| SendError::Permanent(e.to_string()))?
            .with_root_certificates(rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() })
            .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|_| SendError::Permanent(format!("{host} is not a valid server name")))?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| SendError::Temporary(format!("TLS with {host} failed: {e}")))?;
        exchange(TokioIo::new(tls), request).await
    } else {
        exchange(TokioIo::new(tcp), request).await
    }
}

async fn exchange<T>(io: T, request: Request<Full<Bytes>>) -> Result<(u16, String), SendError>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let temporary = |e: hyper::Error| SendError::Temporary(format!("the WhatsApp API exchange failed: {e}"));
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await.map_err(temporary)?;
    let driver = tokio::spawn(connection);
    let response = sender.send_request(request).await.map_err(temporary)?;
    let status = response.status().as_u16();
    let mut answer = Vec::new();
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(temporary)?;
        if let Some(data) = frame.data_ref() {
            answer.extend_from_slice(data);
            if answer.len() > MAX_ANSWER {
                break;
            }
        }
    }
    driver.abort();
    Ok((status, String::from_utf8_lossy(&answer).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::split_url;

    #[test]
    fn urls_split_into_scheme_host_port_and_path() {
        assert_eq!(
            split_url("https://graph.facebook.com/v21.0/1/messages").unwrap(),
            (true, "graph.facebook.com".into(), 443, "/v21.0/1/messages".into())
        );
        assert_eq!(split_url("http://127.0.0.1:8080/v1/2/messages").unwrap().2, 8080);
        assert!(split_url("ftp://x/y").is_err());
    }
}
