//! The one mapping from errors to HTTP responses (`application/problem+json`).

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_core::{DomainError, FieldError};
use serde::Serialize;

/// A problem details body (RFC 9457) with a stable `code` and field errors.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// Stable snake_case code that clients translate.
    pub code: String,
    pub detail: String,
    /// At most [`MAX_FIELD_ERRORS`] of them: enough to fix a form, bounded
    /// whatever the request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// How many more field errors there were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors_omitted: Option<usize>,
}

/// The most field errors one response lists.
pub const MAX_FIELD_ERRORS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Service(#[from] rapport_db::Error),
    /// The request itself is unusable: malformed JSON, a bad path or query,
    /// a body of the wrong shape. Carries its status.
    #[error("refused request: {detail}")]
    Request { status: StatusCode, code: &'static str, detail: String, errors: Vec<FieldError> },
    #[error("the Idempotency-Key was used for a different request")]
    IdempotencyMismatch,
    #[error("a request with this Idempotency-Key is still running")]
    IdempotencyInProgress,
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        Self::Service(error.into())
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let detail = rejection.body_text();
        match &rejection {
            JsonRejection::MissingJsonContentType(_) => Self::request(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ),
            // Well-formed JSON of the wrong shape: say which field.
            JsonRejection::JsonDataError(_) => Self::invalid_body(detail),
            JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::request(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", detail)
            }
            _ => Self::request(StatusCode::BAD_REQUEST, "malformed_json", detail),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        Self::bad_request("invalid_path", rejection.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request("invalid_query", rejection.body_text())
    }
}

/// The field a serde message names: axum prefixes the path (`stages[0]: …`);
/// serde names unknown and missing fields in backquotes.
fn body_field_error(detail: &str) -> Option<FieldError> {
    let message = detail.strip_prefix("Failed to deserialize the JSON body into the target type: ").unwrap_or(detail);
    let is_path = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "_-.[]".contains(c));
    let (path, rest) = match message.split_once(": ") {
        Some((path, rest)) if is_path(path) => (path, rest),
        _ => ("", message),
    };
    // The path of an unknown field already ends with it.
    let join = |field: &str| match path {
        "" => field.to_owned(),
        p if p == field || p.ends_with(&format!(".{field}")) => p.to_owned(),
        p => format!("{p}.{field}"),
    };
    let quoted = |prefix: &str| rest.strip_prefix(prefix).and_then(|r| r.split('`').next());
    if let Some(field) = quoted("unknown field `") {
        return Some(FieldError::new(join(field), "unknown_field", rest));
    }
    if let Some(field) = quoted("missing field `") {
        return Some(FieldError::new(join(field), "required", rest));
    }
    (!path.is_empty()).then(|| FieldError::new(path, "invalid_value", rest))
}

impl AppError {
    pub fn request(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::Request { status, code, detail: detail.into(), errors: Vec::new() }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::request(StatusCode::BAD_REQUEST, code, detail)
    }

    /// A JSON body of the wrong shape (serde's message names the field).
    pub fn invalid_body(detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let errors = body_field_error(&detail).into_iter().collect();
        Self::Request { status: StatusCode::UNPROCESSABLE_ENTITY, code: "invalid_body", detail, errors }
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::Service(error) => service_status(error),
            Self::Request { status, .. } => *status,
            Self::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            Self::IdempotencyInProgress => StatusCode::CONFLICT,
        }
    }

    /// The problem body; server errors carry a fixed message, never the cause.
    pub fn problem(&self) -> Problem {
        let (code, detail, errors) = match self {
            Self::Service(error) => return service_problem(error),
            Self::Request { code, detail, errors, .. } => (*code, detail.clone(), errors.clone()),
            Self::IdempotencyMismatch => ("idempotency_key_reused", self.to_string(), Vec::new()),
            Self::IdempotencyInProgress => ("idempotency_in_progress", self.to_string(), Vec::new()),
        };
        problem(self.status_code(), code, detail, errors)
    }
}

fn problem(status: StatusCode, code: &str, detail: String, mut errors: Vec<FieldError>) -> Problem {
    let errors_omitted = errors.len().checked_sub(MAX_FIELD_ERRORS).filter(|n| *n > 0);
    errors.truncate(MAX_FIELD_ERRORS);
    Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        code: code.to_owned(),
        detail,
        errors,
        errors_omitted,
    }
}

/// The HTTP status of a service error: the one error-to-HTTP mapping.
fn service_status(error: &rapport_db::Error) -> StatusCode {
    match error {
        rapport_db::Error::Domain(e) => match e {
            DomainError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::NotFound { .. } => StatusCode::NOT_FOUND,
            DomainError::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
            DomainError::Conflict { .. } => StatusCode::CONFLICT,
            DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
            DomainError::Unauthenticated => StatusCode::UNAUTHORIZED,
            DomainError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            DomainError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        },
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The problem body of a service error (also one item's of a bulk request).
pub fn service_problem(error: &rapport_db::Error) -> Problem {
    let (code, detail, errors) = match error {
        rapport_db::Error::Domain(e) => match e {
            DomainError::Validation(errors) => {
                ("validation_failed", "some fields are invalid: see errors".to_owned(), errors.0.clone())
            }
            DomainError::NotFound { entity } => ("not_found", format!("no such {entity}"), Vec::new()),
            DomainError::VersionMismatch { current } => (
                "version_mismatch",
                format!("the record changed since you read it (now at version {current}); reload and retry"),
                Vec::new(),
            ),
            DomainError::Conflict { code, message } => (*code, message.clone(), Vec::new()),
            DomainError::Forbidden(why) => ("forbidden", (*why).to_owned(), Vec::new()),
            DomainError::Unauthenticated => {
                ("unauthenticated", "log in or send a valid API token".to_owned(), Vec::new())
            }
            DomainError::Throttled { retry_after_secs } => {
                ("too_many_attempts", format!("too many attempts; retry in {retry_after_secs} seconds"), Vec::new())
            }
            DomainError::Busy { retry_after_secs } => {
                ("busy", format!("the server is busy; retry in {retry_after_secs} seconds"), Vec::new())
            }
        },
        _ => ("internal_error", "something went wrong on our side; it has been logged".to_owned(), Vec::new()),
    };
    problem(service_status(error), code, detail, errors)
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        // A 503 is the server shedding load on purpose, not a failure to log.
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            let mut chain = String::new();
            let mut source: Option<&dyn std::error::Error> = Some(&self);
            while let Some(e) = source {
                if !chain.is_empty() {
                    chain.push_str(": ");
                }
                chain.push_str(&e.to_string());
                source = e.source();
            }
            tracing::error!(error = %chain, "request failed");
        }
        let retry_after = match &self {
            Self::Service(rapport_db::Error::Domain(
                DomainError::Throttled { retry_after_secs } | DomainError::Busy { retry_after_secs },
            )) => Some(*retry_after_secs),
            _ => None,
        };
        let mut response = (status, Json(self.problem())).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = retry_after {
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

pub type ApiResult<T> = Result<T, AppError>;
