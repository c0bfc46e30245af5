//! The headers every response carries, and who may read `/metrics`.

use rapport_db::Backend;
use rapport_server::{ConnectionLimits, ServerConfig};
use reqwest::StatusCode;

use crate::helpers::{Reply, spawn_app, spawn_app_with};

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply.header(name).unwrap_or_else(|| panic!("no {name} header: {:?}", reply.headers))
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_api_answers_are_not_cached() {
    let app = spawn_app(Backend::Sqlite).await;
    let api = app.get("/api/v1/contacts", &app.admin_token).await;
    let missing = app.get("/api/v1/no-such-thing", &app.admin_token).await;
    let health = Reply::read(app.client.get(app.url("/healthz")).send().await.expect("healthz")).await;
    for reply in [&api, &missing, &health] {
        assert_eq!(header(reply, "x-content-type-options"), "nosniff");
        assert_eq!(header(reply, "referrer-policy"), "same-origin");
        assert_eq!(header(reply, "x-frame-options"), "DENY");
        assert!(header(reply, "content-security-policy").contains("frame-ancestors 'none'"));
        assert!(reply.header("strict-transport-security").is_none(), "HSTS without secure cookies");
    }
    assert_eq!(header(&api, "cache-control"), "no-store");
    assert_eq!(header(&missing, "cache-control"), "no-store");

    // The API docs page runs no inline script and keeps no token in the browser.
    let page = Reply::read(app.client.get(app.url("/api/docs/")).send().await.expect("docs")).await;
    page.expect(StatusCode::OK);
    let policy = header(&page, "content-security-policy");
    let scripts = policy.split(';').find(|d| d.trim().starts_with("script-src")).expect("a script-src");
    assert_eq!(scripts.trim(), "script-src 'self'", "{policy}");
    assert!(!page.text.contains("<script>"), "an inline script: {}", page.text);
    let init = Reply::read(app.client.get(app.url("/api/docs/init.js")).send().await.expect("init.js")).await;
    init.expect(StatusCode::OK);
    assert!(init.text.contains("persistAuthorization: false"), "{}", init.text);
    app.teardown().await;
}

#[tokio::test]
async fn strict_transport_security_comes_with_secure_cookies() {
    let app = spawn_app_with(Backend::Sqlite, ServerConfig { secure_cookies: true, ..Default::default() }).await;
    let reply = app.get("/api/v1/contacts", &app.admin_token).await;
    assert!(header(&reply, "strict-transport-security").starts_with("max-age="));
    app.teardown().await;
}

#[tokio::test]
async fn metrics_need_the_configured_token() {
    let config = ServerConfig { metrics_token: Some("scrape-secret".into()), ..Default::default() };
    let app = spawn_app_with(Backend::Sqlite, config).await;
    let scrape = |token: Option<&'static str>| {
        let request = app.client.get(app.url("/metrics"));
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        async move { Reply::read(request.send().await.expect("metrics")).await }
    };
    scrape(None).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    scrape(Some("scrape-secreT")).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    let ok = scrape(Some("scrape-secret")).await;
    ok.expect(StatusCode::OK);
    assert!(ok.text.contains("rapport_http_requests_total"), "{}", ok.text);
    app.teardown().await;
}

#[tokio::test]
async fn without_a_token_metrics_answer_loopback_clients_only() {
    let app = spawn_app_with(Backend::Sqlite, ServerConfig { trust_proxy: true, ..Default::default() }).await;
    let local = Reply::read(app.client.get(app.url("/metrics")).send().await.expect("metrics")).await;
    local.expect(StatusCode::OK);
    // Behind a trusted proxy, the forwarded client is the one that counts.
    let remote = app.client.get(app.url("/metrics")).header("x-forwarded-for", "203.0.113.7");
    let remote = Reply::read(remote.send().await.expect("metrics")).await;
    remote.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    app.teardown().await;
}

/// A connection that never finishes its header, or stays idle after an
/// answer, is closed after the header timeout (before: 300 such connections
/// were held for 50 s and more), and no more than `max_connections` are
/// open at once: the next client waits until one closes.
#[tokio::test]
async fn slow_and_idle_connections_are_closed_and_their_number_is_capped() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let connections = ConnectionLimits { header_timeout: Duration::from_millis(600), max_connections: 2 };
    let app = spawn_app_with(Backend::Sqlite, ServerConfig { connections, ..Default::default() }).await;
    let address = app.url("").trim_start_matches("http://").to_owned();
    let slow_client = || async {
        let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connect");
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: rapport\r\n").await.expect("half a header");
        stream
    };
    // Read until the server closes; how long it took.
    let closed_after = |mut stream: tokio::net::TcpStream| async move {
        let started = Instant::now();
        let mut buffer = [0u8; 1024];
        let read = tokio::time::timeout(Duration::from_secs(5), async {
            while stream.read(&mut buffer).await.is_ok_and(|n| n > 0) {}
        });
        read.await.expect("the server closed the connection");
        started.elapsed()
    };

    // Two slow clients fill the server; a third waits for one to go.
    let (first, second) = (slow_client().await, slow_client().await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let started = Instant::now();
    let health = fresh.get(app.url("/healthz")).send().await.expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(400), "served at once: {:?}", started.elapsed());
    for stream in [first, second] {
        assert!(closed_after(stream).await < Duration::from_secs(1));
    }

    // A kept-alive connection with nothing more to say is closed too.
    let mut idle = tokio::net::TcpStream::connect(&address).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: rapport\r\n\r\n").await.expect("a request");
    let mut answer = [0u8; 512];
    let read = idle.read(&mut answer).await.expect("an answer");
    assert!(String::from_utf8_lossy(&answer[..read]).starts_with("HTTP/1.1 200"));
    let idle_for = closed_after(idle).await;
    assert!(idle_for >= Duration::from_millis(400) && idle_for < Duration::from_secs(2), "{idle_for:?}");
    app.teardown().await;
}
