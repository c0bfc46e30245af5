//! Domain errors. Every error carries a stable snake_case `code` that clients
//! and the UI translate; messages are English defaults.

use std::collections::BTreeMap;

use serde::Serialize;

/// One invalid field and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Field path, e.g. `emails[1]` or `custom.region`.
    pub field: String,
    /// Stable rule code, e.g. `invalid_email`, `required`, `too_long`.
    pub code: String,
    /// Human-readable explanation of what to fix.
    pub message: String,
    /// Values the message mentions (`count`, `stage`), for translations of it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.to_owned(), message: message.into(), params: BTreeMap::new() }
    }

    /// Adds a value the message mentions.
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }

    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, "required", "this field is required")
    }

    /// Re-roots the error under a parent path (`emails` + `[0]`).
    pub fn nested(mut self, parent: &str) -> Self {
        self.field = if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else if self.field.is_empty() {
            parent.to_owned()
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

/// A non-empty list of field errors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn single(error: FieldError) -> Self {
        Self(vec![error])
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was collected.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        Self::single(error)
    }
}

/// Errors a service operation can end with, independent of transport.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    /// Also returned for records the actor may not see: "not found" and
    /// "not yours" must look the same.
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    #[error("the record was changed by someone else (current version {current})")]
    VersionMismatch { current: i64 },
    #[error("conflict: {message}")]
    Conflict { code: &'static str, message: String },
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("authentication required")]
    Unauthenticated,
    #[error("too many attempts, retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// The server has more of this work queued than it takes on; nothing
    /// was done or counted.
    #[error("busy, retry in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
}

impl DomainError {
    pub fn not_found(entity: &'static str) -> Self {
        Self::NotFound { entity }
    }

    pub fn invalid(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(FieldError::new(field, code, message).into())
    }
}

impl From<ValidationErrors> for DomainError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Validation(errors)
    }
}
