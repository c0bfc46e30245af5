//! Headers every response carries, so that browsers treat what Rapport sends
//! as what it is: no content sniffing, no framing, no referrer leaking to
//! other sites, no caching of personal data, HTTPS only when configured.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// The policy of HTML pages: our own scripts, styles and images only.
pub const HTML_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Anything else (JSON, files) runs nothing and is framed nowhere.
const OTHER_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Browsers keep HTTPS for a year once they saw it.
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/v1/");
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::CONTENT_SECURITY_POLICY, if html { HTML_POLICY } else { OTHER_POLICY });
    // API answers carry personal data: no shared or browser cache keeps them.
    if api {
        set(header::CACHE_CONTROL, "no-store");
    }
    if state.config.secure_cookies {
        set(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    response
}
