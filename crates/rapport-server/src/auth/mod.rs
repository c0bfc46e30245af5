//! Authentication: the `Auth` extractor (bearer token or session cookie with
//! CSRF check) and the login, logout, password and token endpoints.

pub mod routes;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use rapport_core::DomainError;
use rapport_core::access::{AccountHolder, Actor, Admin, Manager, Writer};

use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "rapport_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The authenticated actor of a request.
pub struct Auth(pub Actor);

/// A cookie's value from the `Cookie` header (the first, if it comes twice).
pub fn cookie<'a>(parts: &'a Parts, name: &'a str) -> Option<&'a str> {
    cookies(parts, name).next()
}

/// Every value of a cookie: a browser sends two of the same name when they
/// were set for different paths or domains, in an order the server cannot
/// rely on.
pub(crate) fn cookies<'a>(parts: &'a Parts, name: &'a str) -> impl Iterator<Item = &'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Compares secrets in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Session cookies looked at per request: a stale one never shadows a valid
/// one, and a flood of them costs a bounded number of lookups.
pub(crate) const MAX_SESSION_COOKIES: usize = 4;

fn bearer(parts: &Parts) -> Option<&str> {
    parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(parts) {
            return rapport_db::auth::token_actor(&state.ctx, token)
                .await?
                .map(Auth)
                .ok_or_else(|| DomainError::Unauthenticated.into());
        }
        let mut live = None;
        for session in cookies(parts, SESSION_COOKIE).take(MAX_SESSION_COOKIES) {
            if let Some(found) = rapport_db::auth::session_actor(&state.ctx, session, &state.config.sessions).await? {
                live = Some(found);
                break;
            }
        }
        let (actor, csrf) = live.ok_or(DomainError::Unauthenticated)?;
        // Cookies ride along on cross-site requests; a changing request must
        // also prove it was made by our own pages.
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let presented = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !safe && presented != Some(csrf.as_str()) {
            return Err(DomainError::Forbidden("missing or wrong X-CSRF-Token header").into());
        }
        Ok(Auth(actor))
    }
}

/// Coarse rights as extractors: the authenticated actor, checked for a role
/// and a credential scope before the handler runs (403 otherwise). Services
/// take the right's type, so a handler cannot forget the check.
macro_rules! right_extractor {
    ($(#[$doc:meta])* $name:ident($right:ty)) => {
        $(#[$doc])*
        pub struct $name(pub $right);

        impl FromRequestParts<AppState> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
                let Auth(actor) = Auth::from_request_parts(parts, state).await?;
                Ok(Self(<$right>::try_from(actor)?))
            }
        }
    };
}

right_extractor!(
    /// May change records.
    WriterUser(Writer)
);
right_extractor!(
    /// Changes their own account: a read-write credential, any role.
    AccountUser(AccountHolder)
);
right_extractor!(
    /// A manager or an administrator.
    ManagerUser(Manager)
);
right_extractor!(
    /// An administrator.
    AdminUser(Admin)
);

/// The session token of the request, if any (for logout).
pub struct SessionToken(pub Option<String>);

impl FromRequestParts<AppState> for SessionToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(cookie(parts, SESSION_COOKIE).map(str::to_owned)))
    }
}

/// The client address used for login throttling.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.config.trust_proxy {
            let forwarded = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
            if let Some(first) = forwarded.and_then(|v| v.split(',').next()).map(str::trim).filter(|s| !s.is_empty()) {
                return Ok(Self(first.to_owned()));
            }
        }
        let peer =
            parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(Self(peer.unwrap_or_else(|| "unknown".into())))
    }
}
