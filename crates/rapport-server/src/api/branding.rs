//! The account's branding: the name, address, colour and logo customers see
//! on quotes.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rapport_core::branding::{Branding, MAX_LOGO_BYTES};

use crate::auth::{AdminUser, Auth};
use crate::error::{ApiResult, Problem};
use crate::json::JsonBody;
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/branding", get(get_branding).put(put_branding)).route(
        "/branding/logo",
        get(get_logo)
            .put(put_logo)
            .delete(delete_logo)
            .layer(axum::extract::DefaultBodyLimit::max(MAX_LOGO_BYTES + 1024)),
    )
}

/// The account's branding.
#[utoipa::path(get, path = "/api/v1/branding", tag = "admin", responses((status = 200, body = Branding)))]
async fn get_branding(State(state): State<AppState>, Auth(_actor): Auth) -> ApiResult<Json<Branding>> {
    Ok(Json(rapport_db::branding::load(state.ctx.db.conn()).await?))
}

/// Replaces the account's branding (administrators); returns it as stored
/// (trimmed, the web address with its scheme, the colour in lower case).
#[utoipa::path(put, path = "/api/v1/branding", tag = "admin", request_body = Branding,
    responses((status = 200, body = Branding), (status = 422, body = Problem)))]
async fn put_branding(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<Branding>,
) -> ApiResult<Json<Branding>> {
    Ok(Json(rapport_db::branding::save(&state.ctx, &admin, body).await?))
}

/// The logo, as the PNG or JPEG it was uploaded as.
#[utoipa::path(get, path = "/api/v1/branding/logo", tag = "admin",
    responses((status = 200, content_type = "image/png", body = Vec<u8>), (status = 404, body = Problem)))]
async fn get_logo(State(state): State<AppState>, Auth(_actor): Auth) -> ApiResult<Response> {
    match rapport_db::branding::logo(state.ctx.db.conn()).await? {
        Some(logo) => Ok(image_response(logo)),
        None => Err(rapport_core::DomainError::NotFound { entity: "logo" }.into()),
    }
}

/// Replaces the logo (administrators): the request body is a PNG or JPEG
/// image of at most 2 MB and 4,000 pixels a side.
#[utoipa::path(put, path = "/api/v1/branding/logo", tag = "admin",
    request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 204), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn put_logo(State(state): State<AppState>, AdminUser(admin): AdminUser, body: Bytes) -> ApiResult<StatusCode> {
    rapport_db::branding::set_logo(&state.ctx, &admin, &body, |bytes| {
        rapport_documents::check_logo(bytes).map_err(|e| e.to_string())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the logo (administrators).
#[utoipa::path(delete, path = "/api/v1/branding/logo", tag = "admin", responses((status = 204)))]
async fn delete_logo(State(state): State<AppState>, AdminUser(admin): AdminUser) -> ApiResult<StatusCode> {
    rapport_db::branding::remove_logo(&state.ctx, &admin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A stored logo as a response; its type was checked from its bytes when
/// it was stored, and the browser is told not to guess another.
pub fn image_response(logo: rapport_db::branding::Logo) -> Response {
    let content_type = HeaderValue::from_str(&logo.content_type).unwrap_or(HeaderValue::from_static("image/png"));
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    (headers, logo.bytes).into_response()
}
