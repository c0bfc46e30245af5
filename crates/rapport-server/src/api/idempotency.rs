//! `Idempotency-Key` on POST: a retried request gets the first answer back
//! and creates nothing new.

use std::future::Future;

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_core::access::Actor;
use rapport_db::idempotency::{self, Claim, Completion};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{ApiResult, AppError};
use crate::state::AppState;

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

fn respond(status: StatusCode, body: Value) -> Response {
    let version = body.get("version").and_then(Value::as_i64);
    let location = body.get("id").and_then(Value::as_str).map(str::to_owned);
    let mut response = (status, Json(body)).into_response();
    if status.is_client_error() {
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    }
    if let Some(version) = version {
        response.headers_mut().insert(header::ETAG, crate::api::records::etag(version));
    }
    if let (StatusCode::CREATED, Some(id)) = (status, location) {
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-record-id", value);
        }
    }
    response
}

/// The key a request runs under. The write completes it in its own
/// transaction (`rapport_db::idempotency::Completion`), so that a crash
/// between the write and the answer cannot make a retry write again.
pub struct IdempotencyKey {
    pub user_id: rapport_core::ids::UserId,
    pub key: String,
}

impl IdempotencyKey {
    /// The completion a write stores with its outcome, rendered by `render`.
    pub fn completion<'a, T>(
        key: &'a Option<IdempotencyKey>,
        render: &'a (dyn Fn(&T) -> (u16, Value) + Send + Sync),
    ) -> Option<Completion<'a, T>> {
        key.as_ref().map(|k| Completion { user_id: k.user_id, key: &k.key, render })
    }
}

/// Runs `run` once per key; replays its stored answer for a repeated key.
/// `run` gets the key to complete in its write's transaction.
pub async fn idempotent<F, Fut>(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    path: &str,
    body: &Value,
    run: F,
) -> ApiResult<Response>
where
    F: FnOnce(Option<IdempotencyKey>) -> Fut,
    Fut: Future<Output = ApiResult<(StatusCode, Value)>>,
{
    let Some(key) = headers.get(IDEMPOTENCY_KEY) else {
        let (status, body) = run(None).await?;
        return Ok(respond(status, body));
    };
    let key = key.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 200).ok_or_else(|| {
        AppError::bad_request("invalid_idempotency_key", "Idempotency-Key must be 1 to 200 visible ASCII characters")
    })?;
    let hash: String =
        Sha256::digest(format!("POST {path} {body}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    // Keys are the client's per credential: another token or session of the
    // same user runs its own request, never replays this one's answer.
    let key = &format!("{} {key}", actor.credential.scope_key());
    match idempotency::claim(&state.ctx, actor.user(), key, &hash).await? {
        Claim::Replay { status, body } => {
            let mut response = respond(StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body);
            response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(response)
        }
        Claim::InProgress => Err(AppError::IdempotencyInProgress),
        Claim::Mismatch => Err(AppError::IdempotencyMismatch),
        Claim::New => match run(Some(IdempotencyKey { user_id: actor.user(), key: key.to_owned() })).await {
            // The write stored this answer in its transaction.
            Ok((status, body)) => Ok(respond(status, body)),
            // Not allowed: the claim never counted, so that the same request
            // runs again once the rights allow it.
            Err(error) if matches!(error.status_code(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
                idempotency::release(&state.ctx, actor.user(), key).await?;
                Err(error)
            }
            // Refused: nothing was written; the refusal is the answer to replay.
            Err(error) if error.status_code().is_client_error() => {
                let problem = serde_json::to_value(error.problem()).unwrap_or(Value::Null);
                idempotency::complete(&state.ctx, actor.user(), key, error.status_code().as_u16(), &problem).await?;
                Err(error)
            }
            Err(error) => {
                idempotency::release(&state.ctx, actor.user(), key).await?;
                Err(error)
            }
        },
    }
}
