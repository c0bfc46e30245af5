//! The API docs page at `/api/docs/`: Swagger UI over the OpenAPI document.
//! Its script and stylesheet are embedded by the build script (see
//! `build.rs`), so the page works without internet access.

use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;

use crate::state::AppState;

/// Paths are relative so that the page also works behind a path prefix.
const PAGE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapport API</title>
<link rel="icon" type="image/png" href="favicon-32x32.png">
<link rel="stylesheet" href="swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script src="init.js"></script>
</body>
</html>
"##;

/// Starts Swagger UI; a file of its own, as the page's policy runs no inline
/// script. Tokens typed into it are not kept in the browser's storage.
const INIT: &str = r##"window.ui = SwaggerUIBundle({ url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: false });
"##;

/// The page's policy: the HTML one, but Swagger UI sets inline styles.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const BUNDLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/swagger-ui/swagger-ui-bundle.js"));
const STYLESHEET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/swagger-ui/swagger-ui.css"));
const FAVICON: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/swagger-ui/favicon-32x32.png"));

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/docs", get(|| async { Redirect::permanent("docs/") }))
        .route("/api/docs/", get(|| async { ([(header::CONTENT_SECURITY_POLICY, PAGE_POLICY)], Html(PAGE)) }))
        .route("/api/docs/init.js", get(|| async { asset("text/javascript; charset=utf-8", INIT.as_bytes()) }))
        .route("/api/docs/openapi.json", get(super::openapi::serve))
        .route("/api/docs/swagger-ui-bundle.js", get(|| async { asset("text/javascript; charset=utf-8", BUNDLE) }))
        .route("/api/docs/swagger-ui.css", get(|| async { asset("text/css; charset=utf-8", STYLESHEET) }))
        .route("/api/docs/favicon-32x32.png", get(|| async { asset("image/png", FAVICON) }))
}

/// The embedded files change only with the binary: browsers may keep them a day.
fn asset(content_type: &'static str, body: &'static [u8]) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400")], body)
}
