use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Reply, on_both_backends};

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    on_both_backends("health_readiness_and_metrics_answer", async |app| {
        let healthz = Reply::read(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
        healthz.expect(StatusCode::OK);
        let readyz = Reply::read(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
        readyz.expect(StatusCode::OK);
        let metrics = Reply::read(app.client.get(app.url("/metrics")).send().await.unwrap()).await;
        metrics.expect(StatusCode::OK);
        assert!(metrics.header("content-type").is_some_and(|c| c.starts_with("text/plain")), "{:?}", metrics.headers);
        assert!(metrics.text.contains("# TYPE rapport_http_requests_total counter"), "{}", metrics.text);
        // The two requests before were counted as successes.
        let ok_line = metrics
            .text
            .lines()
            .find(|l| l.starts_with("rapport_http_requests_total{class=\"2xx\"}"))
            .expect("a 2xx counter");
        let count: u64 = ok_line.rsplit(' ').next().and_then(|n| n.parse().ok()).expect("a count");
        assert!(count >= 2, "{ok_line}");
        assert!(metrics.text.contains("rapport_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    })
    .await;
}

fn has_operation(doc: &Value, path: &str, method: &str) -> bool {
    doc["paths"][path][method].is_object()
}

#[tokio::test]
async fn openapi_document_describes_every_route() {
    on_both_backends("openapi_document_describes_every_route", async |app| {
        let reply = app.get("/api/v1/openapi.json", &app.admin_token).await;
        reply.expect(StatusCode::OK);
        let doc = &reply.body;
        assert_eq!(doc["openapi"], "3.1.0", "{}", reply.text);
        let mut missing = Vec::new();
        let mut expect = |path: String, method: &str| {
            if !has_operation(doc, &path, method) {
                missing.push(format!("{} {path}", method.to_uppercase()));
            }
        };
        for kind in rapport_core::schema::RecordType::all().map(|t| t.plural()) {
            let base = format!("/api/v1/{kind}");
            expect(base.clone(), "get");
            expect(base.clone(), "post");
            expect(format!("{base}/{{id}}"), "get");
            expect(format!("{base}/{{id}}"), "patch");
            expect(format!("{base}/{{id}}"), "delete");
            expect(format!("{base}/{{id}}/restore"), "post");
            expect(format!("{base}/{{id}}/timeline"), "get");
            expect(format!("{base}/bulk"), "post");
            expect(format!("{base}/bulk"), "patch");
            expect(format!("{base}/bulk-delete"), "post");
        }
        for (path, method) in [
            ("/api/v1/auth/login", "post"),
            ("/api/v1/auth/logout", "post"),
            ("/api/v1/auth/me", "get"),
            ("/api/v1/auth/password", "post"),
            ("/api/v1/auth/setup", "post"),
            ("/api/v1/search", "get"),
            ("/api/v1/leads/{id}/convert", "post"),
            ("/api/v1/tokens", "get"),
            ("/api/v1/tokens", "post"),
            ("/api/v1/tokens/{id}", "delete"),
            ("/api/v1/users", "get"),
            ("/api/v1/users", "post"),
            ("/api/v1/users/{id}/disable", "post"),
            ("/api/v1/users/{id}/enable", "post"),
            ("/api/v1/teams", "get"),
            ("/api/v1/teams", "post"),
            ("/api/v1/teams/{id}/members", "post"),
            ("/api/v1/pipelines", "get"),
            ("/api/v1/pipelines", "post"),
            ("/api/v1/pipelines/{id}", "patch"),
            ("/api/v1/users/{id}", "patch"),
            ("/api/v1/custom-fields", "get"),
            ("/api/v1/custom-fields", "post"),
            ("/api/v1/custom-fields/{kind}/{key}", "delete"),
            ("/api/v1/settings", "get"),
            ("/api/v1/settings", "put"),
            ("/api/v1/notifications", "get"),
            ("/api/v1/notifications/{id}/read", "post"),
        ] {
            expect(path.to_owned(), method);
        }
        assert!(missing.is_empty(), "the OpenAPI document lacks: {missing:?}");

        // Every schema a path refers to exists.
        let text = serde_json::to_string(doc).unwrap();
        for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = reference.split('"').next().unwrap();
            assert!(doc["components"]["schemas"][name].is_object(), "dangling schema reference {name}");
        }

        // The document the docs page loads is the same one.
        let docs_doc = Reply::read(app.client.get(app.url("/api/docs/openapi.json")).send().await.unwrap()).await;
        docs_doc.expect(StatusCode::OK);
        assert_eq!(docs_doc.body, reply.body);
    })
    .await;
}

#[tokio::test]
async fn api_docs_page_is_html() {
    on_both_backends("api_docs_page_is_html", async |app| {
        let reply = Reply::read(app.client.get(app.url("/api/docs/")).send().await.unwrap()).await;
        reply.expect(StatusCode::OK);
        assert!(reply.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{:?}", reply.headers);
        assert!(reply.text.to_lowercase().contains("<html"), "{}", reply.text);

        // Every file the page (or its start script) loads is served from the binary, with its type.
        let init = Reply::read(app.client.get(app.url("/api/docs/init.js")).send().await.unwrap()).await.text;
        let loaded = format!("{}{init}", reply.text);
        for (file, content_type, marker) in [
            ("init.js", "text/javascript", &b"SwaggerUIBundle("[..]),
            ("swagger-ui-bundle.js", "text/javascript", &b"SwaggerUIBundle"[..]),
            ("swagger-ui.css", "text/css", b".swagger-ui"),
            ("favicon-32x32.png", "image/png", b"\x89PNG"),
            ("openapi.json", "application/json", b"\"openapi\""),
        ] {
            assert!(loaded.contains(&format!("\"{file}\"")), "the page does not load {file}");
            let asset = app.client.get(app.url(&format!("/api/docs/{file}"))).send().await.unwrap();
            assert_eq!(asset.status(), StatusCode::OK, "{file}");
            let served_type = asset.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().to_owned();
            assert!(served_type.starts_with(content_type), "{file}: {served_type}");
            let body = asset.bytes().await.unwrap();
            assert!(
                body.windows(marker.len()).any(|w| w == marker),
                "{file} lacks {:?}",
                String::from_utf8_lossy(marker)
            );
        }
        assert!(loaded.contains("SwaggerUIBundle("), "{loaded}");

        // The address without the slash leads to the page.
        let bare = app.client.get(app.url("/api/docs")).send().await.unwrap();
        assert_eq!(bare.status(), StatusCode::OK);
        assert_eq!(bare.url().path(), "/api/docs/");
    })
    .await;
}
