//! The stylesheet, scripts and icons, compiled into the binary. The
//! stylesheet's comments are for its readers here, not for browsers: it is
//! served without them.

use std::sync::LazyLock;

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

/// The stylesheet as served.
static STYLESHEET: LazyLock<String> = LazyLock::new(|| without_comments(FILES[0].2));

/// CSS without its `/* … */` comments (none is inside a string in ours,
/// but quoted text is kept as it is all the same).
fn without_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    loop {
        let quote = rest.find(['"', '\'']);
        let comment = rest.find("/*");
        match (quote, comment) {
            (Some(q), c) if c.is_none_or(|c| q < c) => {
                let mark = &rest[q..=q];
                let end = rest[q + 1..].find(mark).map_or(rest.len(), |e| q + 1 + e + 1);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
            (_, Some(c)) => {
                out.push_str(rest[..c].trim_end_matches(' '));
                let end = rest[c + 2..].find("*/").map_or(rest.len(), |e| c + 2 + e + 2);
                // A comment on lines of its own leaves no empty line behind.
                let own_line = out.is_empty() || out.ends_with('\n');
                rest = if own_line { rest[end..].strip_prefix('\n').unwrap_or(&rest[end..]) } else { &rest[end..] };
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((name, content_type, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                // Short, so that an upgrade shows within minutes.
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            ],
            if *name == "app.css" { STYLESHEET.as_str() } else { body },
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_comments;

    #[test]
    fn the_stylesheet_loses_its_comments_and_nothing_else() {
        let css = "/* Colours. */\n:root { --a: 1; } /* why */\n.q::before { content: \"/* kept */\"; }\n";
        assert_eq!(without_comments(css), ":root { --a: 1; }\n.q::before { content: \"/* kept */\"; }\n");
        let served = without_comments(super::FILES[0].2);
        assert!(!served.contains("/*") && served.len() < super::FILES[0].2.len());
        assert_eq!(served.matches('{').count(), super::FILES[0].2.matches('{').count(), "every rule is kept");
    }
}
