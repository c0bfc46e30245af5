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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Service(#[from] rapport_db::Error),
    #[error("malformed request: {detail}")]
    BadRequest { code: &'static str, detail: String },
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
        let code = match &rejection {
            JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
            JsonRejection::JsonDataError(_) => "invalid_body",
            _ => "malformed_json",
        };
        Self::BadRequest { code, detail: rejection.body_text() }
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest { code: "invalid_path", detail: rejection.body_text() }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest { code: "invalid_query", detail: rejection.body_text() }
    }
}

impl AppError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest { code, detail: detail.into() }
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::Service(rapport_db::Error::Domain(e)) => match e {
                DomainError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                DomainError::NotFound { .. } => StatusCode::NOT_FOUND,
                DomainError::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
                DomainError::Conflict { .. } => StatusCode::CONFLICT,
                DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
                DomainError::Unauthenticated => StatusCode::UNAUTHORIZED,
                DomainError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            },
            Self::Service(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::BadRequest { code: "unsupported_media_type", .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            Self::IdempotencyInProgress => StatusCode::CONFLICT,
        }
    }

    /// The problem body; server errors carry a fixed message, never the cause.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let (code, detail, errors) = match self {
            Self::Service(rapport_db::Error::Domain(e)) => match e {
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
            },
            Self::Service(_) => {
                ("internal_error", "something went wrong on our side; it has been logged".to_owned(), Vec::new())
            }
            Self::BadRequest { code, detail } => (*code, detail.clone(), Vec::new()),
            Self::IdempotencyMismatch => ("idempotency_key_reused", self.to_string(), Vec::new()),
            Self::IdempotencyInProgress => ("idempotency_in_progress", self.to_string(), Vec::new()),
        };
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            code: code.to_owned(),
            detail,
            errors,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if status.is_server_error() {
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
            Self::Service(rapport_db::Error::Domain(DomainError::Throttled { retry_after_secs })) => {
                Some(*retry_after_secs)
            }
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
