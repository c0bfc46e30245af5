//! The REST API under `/api/v1`: one table of routes, one OpenAPI document.

pub mod admin;
pub mod analytics;
pub mod branding;
pub mod cadences;
pub mod contracts;
pub mod customers;
pub mod docs;
pub mod duplicates;
pub mod email;
pub mod exports;
pub mod forecast;
pub mod health;
pub mod idempotency;
pub mod imports;
pub mod lead_scoring;
mod localize;
pub mod misc;
mod openapi;
pub mod orders;
pub mod quotes;
pub mod records;
pub mod reports;
pub mod vcards;
pub mod views;

pub use openapi::document;

use axum::http::StatusCode;

use crate::error::AppError;
use crate::state::AppState;

/// Every `/api/v1` route. Static routes win over the generic `/{kind}` ones.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .merge(crate::auth::routes::router())
        .merge(admin::router())
        .merge(branding::router())
        .merge(misc::router())
        .merge(views::router())
        .merge(imports::router())
        .merge(exports::router())
        .merge(vcards::router())
        .merge(duplicates::router())
        .merge(email::router())
        .merge(orders::router())
        .merge(forecast::router())
        .merge(analytics::router())
        .merge(customers::router())
        .merge(lead_scoring::router())
        .merge(reports::router())
        .merge(contracts::router())
        .merge(cadences::router())
        .merge(quotes::router())
        .merge(records::router())
        .route("/openapi.json", axum::routing::get(openapi::serve))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(localize::problems))
}

/// Answers paths no route matches, as problem+json.
pub async fn not_found() -> AppError {
    AppError::request(StatusCode::NOT_FOUND, "not_found", "no such endpoint: see /api/docs")
}

async fn method_not_allowed() -> AppError {
    AppError::request(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this endpoint does not take that method")
}
