//! The deal board: a column per stage of a pipeline, with its count, total
//! and weighted total per currency; columns load 50 cards at a time, so a
//! pipeline of 50,000 open deals opens as fast as one of 50. Cards move by
//! drag and drop (or, without JavaScript, a stage menu on each card) through
//! the deal service, with its version check.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rapport_core::DomainError;
use rapport_core::access::Writer;
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_db::pipelines::Pipeline;
use rapport_db::records::{self, Record};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::fields::{self, Names};
use super::format;
use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, html};
use crate::state::AppState;

const CARDS_PER_PAGE: &str = "50";

pub struct Card {
    pub id: String,
    pub href: String,
    pub name: String,
    pub company: String,
    pub amount: String,
    pub close: String,
    pub overdue: bool,
    pub owner: String,
    pub version: i64,
}

pub struct Column {
    pub id: String,
    pub name: String,
    pub count: String,
    pub totals: Vec<(String, String)>,
    pub lost: bool,
    pub won: bool,
    pub cards: Vec<Card>,
    pub more_href: Option<String>,
}

#[derive(Template)]
#[template(path = "deals/board.html")]
struct BoardPage {
    frame: Frame,
    pipelines: Vec<(String, String, bool)>,
    pipeline_id: String,
    mine: bool,
    columns: Vec<Column>,
    can_write: bool,
}

#[derive(Template)]
#[template(path = "deals/board_cards.html")]
struct CardsFragment {
    frame: Frame,
    cards: Vec<Card>,
    more_href: Option<String>,
    can_write: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    pipeline: Option<Uuid>,
    owner: Option<String>,
}

fn chosen_pipeline(names: &Names, wanted: Option<Uuid>) -> Option<Pipeline> {
    let list = &names.pipeline_list;
    wanted
        .and_then(|id| list.iter().find(|p| p.id == id))
        .or_else(|| list.iter().find(|p| p.is_default))
        .or(list.first())
        .cloned()
}

fn card(user: &WebUser, names: &Names, deal: &Record, now: chrono::DateTime<chrono::Utc>) -> Card {
    let today = now.with_timezone(&user.zone).date_naive();
    let close = deal.text("expected_close_date").and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    Card {
        id: deal.id.0.to_string(),
        href: format!("/deals/{}", deal.id.0),
        name: deal.display_name(),
        company: deal
            .uuid("company_id")
            .and_then(|id| names.records.get(&id))
            .map(|(_, n)| n.clone())
            .unwrap_or_default(),
        amount: fields::deal_amount(deal, &user.tr),
        close: close.map(|d| format::date(d, user.tr.locale)).unwrap_or_default(),
        overdue: close.is_some_and(|d| d < today) && deal.text("status") == Some("open"),
        owner: deal
            .owner_id
            .and_then(|id| names.users.get(&id))
            .map(|n| n.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect::<String>().to_uppercase())
            .unwrap_or_default(),
        version: deal.version,
    }
}

async fn cards(
    state: &AppState,
    user: &WebUser,
    stage: Uuid,
    mine: bool,
    cursor: Option<&str>,
    pipeline: Uuid,
) -> rapport_db::Result<(Vec<Card>, Option<String>)> {
    let mut pairs =
        vec![("filter[stage_id][eq]".to_owned(), stage.to_string()), ("limit".to_owned(), CARDS_PER_PAGE.to_owned())];
    if mine {
        pairs.push(("filter[owner_id][eq]".to_owned(), user.actor.user_id.to_string()));
    }
    if let Some(cursor) = cursor {
        pairs.push(("cursor".to_owned(), cursor.to_owned()));
    }
    let page = records::list(&state.ctx, &user.actor, RecordType::DEAL, &pairs).await?;
    let refs: Vec<&Record> = page.items.iter().collect();
    let names = Names::load(state, &user.actor, &refs).await?;
    let now = state.ctx.now();
    let cards = page.items.iter().map(|deal| card(user, &names, deal, now)).collect();
    let more = page.next_cursor.map(|cursor| {
        let query = [
            ("pipeline", pipeline.to_string()),
            ("stage", stage.to_string()),
            ("cursor", cursor),
            ("owner", if mine { "me".into() } else { String::new() }),
        ];
        format!("/deals/board/column?{}", serde_urlencoded::to_string(query).unwrap_or_default())
    });
    Ok((cards, more))
}

pub async fn page(State(state): State<AppState>, user: WebUser, Query(query): Query<BoardQuery>) -> WebResult {
    let names = Names::load(&state, &user.actor, &[]).await.map_err(|e| user.fail(e))?;
    let Some(pipeline) = chosen_pipeline(&names, query.pipeline) else {
        return Err(user.error(StatusCode::NOT_FOUND, "error.not_found"));
    };
    let mine = query.owner.as_deref() == Some("me");
    let owner = mine.then_some(user.actor.user_id);
    let totals = records::stage_totals(&state.ctx, &user.actor, pipeline.id, owner).await.map_err(|e| user.fail(e))?;
    let mut columns = Vec::new();
    for stage in &pipeline.stages {
        let mut count = 0;
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for total in totals.iter().filter(|t| t.stage_id == stage.id) {
            count += total.deals;
            if let Some(currency) = &total.currency {
                *sums.entry(currency.clone()).or_default() += total.amount_minor;
            }
        }
        let (cards, more_href) =
            cards(&state, &user, stage.id, mine, None, pipeline.id).await.map_err(|e| user.fail(e))?;
        let locale = user.tr.locale;
        columns.push(Column {
            id: stage.id.to_string(),
            name: stage.name.clone(),
            count: user.tr.count("board.count", count),
            totals: sums
                .iter()
                .map(|(currency, sum)| {
                    let weighted = sum.saturating_mul(stage.probability) / 100;
                    (
                        format::money(*sum, currency, locale),
                        user.tr.t1("board.weighted", "amount", format::money(weighted, currency, locale)),
                    )
                })
                .collect(),
            lost: stage.is_lost,
            won: stage.is_won,
            cards,
            more_href,
        });
    }
    let page = BoardPage {
        pipelines: names
            .pipeline_list
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone(), p.id == pipeline.id))
            .collect(),
        pipeline_id: pipeline.id.to_string(),
        mine,
        columns,
        can_write: Writer::try_from(user.actor.clone()).is_ok(),
        frame: user.frame("deals", user.tr.t("board.title")),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct ColumnQuery {
    pipeline: Uuid,
    stage: Uuid,
    cursor: Option<String>,
    owner: Option<String>,
}

/// The next cards of a column, as a fragment the board appends.
pub async fn column(State(state): State<AppState>, user: WebUser, Query(query): Query<ColumnQuery>) -> WebResult {
    let mine = query.owner.as_deref() == Some("me");
    let (cards, more_href) = cards(&state, &user, query.stage, mine, query.cursor.as_deref(), query.pipeline)
        .await
        .map_err(|e| user.fail(e))?;
    let fragment = CardsFragment {
        can_write: Writer::try_from(user.actor.clone()).is_ok(),
        cards,
        more_href,
        frame: user.frame("deals", ""),
    };
    Ok(html(StatusCode::OK, &fragment))
}

/// Moves a deal to a stage, for the board's script: JSON back, `{version}`
/// or `{code, message}` with the message in the user's language. Without
/// JavaScript, a deal's stage is changed on its edit form.
pub async fn move_deal(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> Response {
    let user = &form.user;
    let problem = |status: StatusCode, code: &str, message: String| {
        (status, Json(json!({ "code": code, "message": message }))).into_response()
    };
    let (Ok(id), Ok(writer)) = (Uuid::parse_str(&id), Writer::try_from(user.actor.clone())) else {
        return problem(StatusCode::FORBIDDEN, "forbidden", user.tr.t("error.forbidden"));
    };
    let stage = form.value("stage_id").unwrap_or_default().to_owned();
    let version = form.value("_version").and_then(|v| v.parse::<i64>().ok());
    let mut patch = json!({ "stage_id": stage });
    if let Some(reason) = form.value("lost_reason").map(str::trim).filter(|r| !r.is_empty()) {
        patch["lost_reason"] = Value::String(reason.to_owned());
    }
    match records::update(&state.ctx, &writer, RecordType::DEAL, RecordId(id), &patch, version).await {
        Ok(deal) => Json(json!({ "version": deal.version })).into_response(),
        Err(rapport_db::Error::Domain(DomainError::Validation(errors))) => {
            let lost = errors.0.iter().any(|e| e.code == "lost_reason_required");
            let message = errors.0.first().map(|e| super::fields::error_message(&user.tr, e)).unwrap_or_default();
            let code = if lost { "lost_reason_required" } else { "validation_failed" };
            problem(StatusCode::UNPROCESSABLE_ENTITY, code, message)
        }
        Err(rapport_db::Error::Domain(DomainError::VersionMismatch { .. })) => {
            problem(StatusCode::CONFLICT, "version_mismatch", user.tr.t("board.conflict"))
        }
        Err(error) => {
            let status = super::WebError::from_service(user.frame("", ""), error).status_code();
            problem(status, "failed", user.tr.t("error.internal"))
        }
    }
}
