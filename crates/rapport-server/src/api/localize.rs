//! Problems in the caller's language: with `Accept-Language: pt-BR` (or
//! `es`), an API error's `detail` and each field error's `message` come from
//! the same catalogue the web UI reads; `code`s stay as they are, for
//! programs. English answers pass through untouched.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use crate::web::i18n::{Locale, Tr};

/// Problem bodies are bounded (100 field errors at most): far below this.
const MAX_PROBLEM_BYTES: usize = 256 * 1024;

/// The catalogue key that words a problem's `detail`, by its code.
fn detail_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "validation_failed" => "error.form",
        "not_found" => "error.not_found",
        "forbidden" => "error.forbidden",
        "unauthenticated" => "sign_in.expired",
        "version_mismatch" => "error.version_mismatch",
        "busy" => "sign_in.busy",
        "internal_error" => "error.internal",
        _ => return None,
    })
}

fn translate(problem: &mut Value, tr: &Tr) {
    let code = problem.get("code").and_then(Value::as_str).unwrap_or_default().to_owned();
    if let Some(key) = detail_key(&code) {
        problem["detail"] = Value::String(tr.t(key));
    } else if let Some(detail) = tr.try_t_params(&format!("error.{code}"), &Default::default()) {
        // Conflicts worded in the catalogue (`error.quote_not_editable`).
        problem["detail"] = Value::String(detail);
    }
    if let Some(errors) = problem.get_mut("errors").and_then(Value::as_array_mut) {
        for error in errors {
            let code = error.get("code").and_then(Value::as_str).unwrap_or_default().to_owned();
            let params = error.get("params").and_then(|p| serde_json::from_value(p.clone()).ok()).unwrap_or_default();
            if let Some(message) = tr.try_t_params(&format!("error.{code}"), &params) {
                error["message"] = Value::String(message);
            }
        }
    }
}

pub async fn problems(request: Request, next: Next) -> Response {
    let locale = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Locale::En, Locale::negotiate);
    let response = next.run(request).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if locale == Locale::En || !is_problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PROBLEM_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut problem) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    translate(&mut problem, &Tr::new(locale));
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(locale.tag()));
    Response::from_parts(parts, Body::from(problem.to_string()))
}
