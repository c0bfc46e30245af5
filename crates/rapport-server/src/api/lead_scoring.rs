//! Lead scoring: `/api/v1/analytics/lead-scoring…` (the scorer and its rules)
//! and `/api/v1/leads/{id}/score` (one lead's score and why).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use rapport_analytics::scoring::ScoringRule;
use rapport_core::ids::RecordId;
use rapport_db::analytics::lead_scoring::{self, ScoringStatus, StoredScore};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{AdminUser, Auth};
use crate::error::{ApiResult, AppError, Problem};
use crate::json::{JsonBody, PathParams};
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/analytics/lead-scoring", get(status))
        .route("/analytics/lead-scoring/rules", put(set_rules))
        .route("/analytics/lead-scoring/train", post(train))
        .route("/leads/{id}/score", get(lead_score))
}

/// How leads are scored now: by a model learned from the closed leads (with
/// its cross-validated AUC, fold AUCs and strongest features) or by the
/// administrator's rules (with `why_rules`: too little history, too few of
/// one outcome, or a failed fit); the rules; the features a rule may name;
/// and the open leads the caller may see per band of 20 points.
#[utoipa::path(get, path = "/api/v1/analytics/lead-scoring", tag = "analytics",
    responses((status = 200, body = ScoringStatus)))]
pub(crate) async fn status(State(state): State<AppState>, Auth(actor): Auth) -> ApiResult<Json<ScoringStatus>> {
    Ok(Json(lead_scoring::status(&state.ctx, &actor).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesChange {
    /// Each `{"key": "source_channel", "condition": {"equals": "referral"}, "points": 15}`;
    /// conditions: `{"equals": text}` (categories), `{"at_least": n}`, `{"at_most": n}` (numbers),
    /// `"present"`, `"missing"`. Points between -100 and 100, on a base of 50.
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<ScoringRule>,
}

/// Replaces the scoring rules (administrators) and queues a re-score of the
/// open leads.
#[utoipa::path(put, path = "/api/v1/analytics/lead-scoring/rules", tag = "analytics", request_body = RulesChange,
    responses((status = 200, body = ScoringStatus), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn set_rules(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<RulesChange>,
) -> ApiResult<Json<ScoringStatus>> {
    lead_scoring::save_rules(&state.ctx, &admin, &body.rules).await?;
    Ok(Json(lead_scoring::status(&state.ctx, &admin).await?))
}

/// Queues a retraining on the closed leads and a re-score of the open ones
/// (administrators); the worker runs it within a minute.
#[utoipa::path(post, path = "/api/v1/analytics/lead-scoring/train", tag = "analytics",
    responses((status = 202, description = "queued"), (status = 403, body = Problem)))]
pub(crate) async fn train(State(state): State<AppState>, AdminUser(admin): AdminUser) -> ApiResult<StatusCode> {
    lead_scoring::request_training(&state.ctx, &admin).await?;
    Ok(StatusCode::ACCEPTED)
}

/// A lead's score (0–100) and its reasons, strongest first; 404 for a lead
/// the caller may not see, or one not scored yet.
#[utoipa::path(get, path = "/api/v1/leads/{id}/score", tag = "leads", params(("id" = Uuid, Path)),
    responses((status = 200, body = StoredScore), (status = 404, body = Problem)))]
pub(crate) async fn lead_score(
    State(state): State<AppState>,
    Auth(actor): Auth,
    PathParams(id): PathParams<RecordId>,
) -> ApiResult<Json<StoredScore>> {
    lead_scoring::lead_score(&state.ctx, &actor, id)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::from(rapport_core::DomainError::NotFound { entity: "score" }))
}
