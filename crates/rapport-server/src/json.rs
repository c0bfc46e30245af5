//! Extractors whose rejections are problem+json responses.

use axum::extract::{FromRequest, FromRequestParts};

use crate::error::AppError;

/// A JSON body; malformed JSON, wrong types and unknown fields are 400s.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct JsonBody<T>(pub T);

/// Path parameters; a malformed id is a 400 before the handler runs.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct PathParams<T>(pub T);

/// Query parameters.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct QueryParams<T>(pub T);
