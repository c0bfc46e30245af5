//! The stylesheet, scripts and icons, compiled into the binary.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("../../static/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../static/app.js")),
    ("board.js", "text/javascript; charset=utf-8", include_str!("../../static/board.js")),
    ("reports.js", "text/javascript; charset=utf-8", include_str!("../../static/reports.js")),
    ("icons.svg", "image/svg+xml", include_str!("../../static/icons.svg")),
    ("icon.svg", "image/svg+xml", include_str!("../../static/icon.svg")),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                // Short, so that an upgrade shows within minutes.
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
