//! Settings → Return rules: the automatic approvals of refund requests an
//! administrator defines, listed in the order they are tried.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::access::Admin;
use rapport_core::returns::{ReturnRule, RuleCondition};
use uuid::Uuid;

use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, fields, format, html};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "return_rules.html")]
struct RulesPage {
    frame: Frame,
    rules: Vec<(Uuid, String)>,
    error: Option<String>,
    currency: String,
}

fn admin(user: &WebUser) -> Result<Admin, super::WebError> {
    Admin::try_from(user.actor.clone()).map_err(|_| user.error(StatusCode::FORBIDDEN, "error.forbidden"))
}

/// A rule as the user reads it.
fn describe(user: &WebUser, rule: &ReturnRule) -> String {
    let tr = &user.tr;
    match &rule.condition {
        RuleCondition::NotDeliveredAfterPromise { days } => tr.count("rules.not_delivered", *days),
        RuleCondition::RefundAtMost { amount_minor, currency } => {
            tr.t1("rules.refund_at_most", "amount", format::money(*amount_minor, currency, tr.locale))
        }
    }
}

async fn render(state: &AppState, user: &WebUser, status: StatusCode, error: Option<String>) -> WebResult {
    admin(user)?;
    let rules = rapport_db::return_rules::list(state.ctx.db.conn()).await.map_err(|e| user.fail(e))?;
    let snapshot = state.ctx.snapshot().await.map_err(|e| user.fail(e))?;
    let page = RulesPage {
        frame: user.frame("settings", user.tr.t("rules.title")),
        rules: rules.iter().map(|rule| (rule.id, describe(user, rule))).collect(),
        error,
        currency: snapshot.settings.default_currency.clone(),
    };
    Ok(html(status, &page))
}

pub async fn page(State(state): State<AppState>, user: WebUser) -> WebResult {
    render(&state, &user, StatusCode::OK, None).await
}

pub async fn create(State(state): State<AppState>, form: FormPost) -> WebResult {
    let user = &form.user;
    let admin = admin(user)?;
    let currency = form.value("currency").unwrap_or("BRL").trim().to_uppercase();
    let condition = match form.value("condition") {
        Some("not_delivered_after_promise") => match form.value("days").and_then(|d| d.trim().parse().ok()) {
            Some(days) => RuleCondition::NotDeliveredAfterPromise { days },
            None => {
                return render(&state, user, StatusCode::UNPROCESSABLE_ENTITY, Some(user.tr.t("error.invalid_number")))
                    .await;
            }
        },
        _ => match form.value("amount").and_then(|a| fields::parse_decimal(a, &currency)) {
            Some(amount_minor) => RuleCondition::RefundAtMost { amount_minor, currency },
            None => {
                return render(&state, user, StatusCode::UNPROCESSABLE_ENTITY, Some(user.tr.t("error.invalid_number")))
                    .await;
            }
        },
    };
    match rapport_db::return_rules::create(&state.ctx, &admin, &condition).await {
        Ok(_) => Ok(Redirect::to("/settings/return-rules").into_response()),
        Err(rapport_db::Error::Domain(rapport_core::DomainError::Validation(errors))) => {
            let message = errors.0.iter().map(|e| fields::error_message(&user.tr, e)).collect::<Vec<_>>().join(" ");
            render(&state, user, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await
        }
        Err(error) => Err(user.fail(error)),
    }
}

pub async fn delete(State(state): State<AppState>, Path(id): Path<Uuid>, form: FormPost) -> WebResult {
    let admin = admin(&form.user)?;
    rapport_db::return_rules::delete(&state.ctx, &admin, id).await.map_err(|e| form.user.fail(e))?;
    Ok(Redirect::to("/settings/return-rules").into_response())
}
