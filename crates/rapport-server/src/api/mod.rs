//! The REST API under `/api/v1`: one table of routes, one OpenAPI document.

pub mod admin;
pub mod health;
pub mod idempotency;
pub mod misc;
mod openapi;
pub mod records;

pub use openapi::document;

use crate::state::AppState;

/// Every `/api/v1` route. Static routes win over the generic `/{kind}` ones.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .merge(crate::auth::routes::router())
        .merge(admin::router())
        .merge(misc::router())
        .merge(records::router())
        .route("/openapi.json", axum::routing::get(openapi::serve))
}
