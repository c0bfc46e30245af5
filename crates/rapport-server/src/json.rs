//! Extractors whose rejections are problem+json responses.
//!
//! Text containing NUL characters is refused at the door: PostgreSQL cannot
//! store it, and both backends must accept the same input.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::AppError;

/// A JSON body: malformed JSON is a 400, JSON of the wrong shape a 422 that
/// names the field, a NUL character anywhere a 400.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(AppError::request(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = read_body(request, state).await?;
        let axum::Json(value) = axum::Json::<Value>::from_bytes(&bytes)?;
        if let Some(path) = nul_path(&value) {
            return Err(AppError::bad_request(
                "invalid_character",
                format!("text must not contain NUL (\\u0000) characters (at {path})"),
            ));
        }
        // Parsed again by axum so that a wrong shape names the field's path.
        let axum::Json(parsed) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(Self(parsed))
    }
}

/// The raw body, within the route's size limit.
async fn read_body<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(request, state).await.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::request(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", rejection.body_text())
        }
        _ => AppError::bad_request("unreadable_body", rejection.body_text()),
    })
}

/// A CSV file as the body (`text/csv`); rows are checked by the import.
pub struct CsvBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for CsvBody {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if essence != "text/csv" {
            return Err(AppError::request(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the file as the body with Content-Type: text/csv",
            ));
        }
        Ok(Self(read_body(request, state).await?))
    }
}

/// A vCard file as the body (`text/vcard`, or `text/x-vcard` as older
/// address books label it); cards are checked by the import.
pub struct VcardBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for VcardBody {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if essence != "text/vcard" && essence != "text/x-vcard" {
            return Err(AppError::request(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the file as the body with Content-Type: text/vcard",
            ));
        }
        Ok(Self(read_body(request, state).await?))
    }
}

/// `application/json` or `application/*+json`, as axum's `Json` accepts.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Where the first string or key with a NUL character is, as a path.
fn nul_path(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some("$".to_owned()),
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, v)| nul_path(v).map(|p| nest(&format!("[{i}]"), &p)))
        }
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(format!("key {}", k.replace('\0', "\\u0000")))
            } else {
                nul_path(v).map(|p| nest(&format!(".{k}"), &p))
            }
        }),
        _ => None,
    }
}

fn nest(step: &str, inner: &str) -> String {
    match inner.strip_prefix('$') {
        Some(rest) => format!("${step}{rest}"),
        None => inner.to_owned(),
    }
}

/// A percent-encoded NUL (`%00`) in a path or query.
fn has_encoded_nul(text: &str) -> bool {
    text.as_bytes().windows(3).any(|w| w == b"%00")
}

fn refuse_nul(where_: &str) -> AppError {
    AppError::request(StatusCode::BAD_REQUEST, "invalid_character", format!("the {where_} must not contain %00"))
}

/// Path parameters; a malformed id is a 400 before the handler runs.
pub struct PathParams<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if has_encoded_nul(parts.uri.path()) {
            return Err(refuse_nul("path"));
        }
        let axum::extract::Path(value) = axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// Query parameters.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.uri.query().is_some_and(has_encoded_nul) {
            return Err(refuse_nul("query"));
        }
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}
