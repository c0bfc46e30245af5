//! Global search: results grouped by kind as the user types, each with a
//! second line (company, e-mail, city, amount) that tells namesakes apart.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rapport_core::schema::RecordType;
use rapport_db::records::{self, Record};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::{self, Names};
use super::session::WebUser;
use super::{Frame, WebResult, html};
use crate::state::AppState;

#[derive(Serialize)]
pub struct Hit {
    pub href: String,
    pub label: String,
    pub second: String,
}

pub struct Group {
    pub title: String,
    pub hits: Vec<Hit>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    frame: Frame,
    query: String,
    groups: Vec<Group>,
    heading: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    /// `json` for the type-ahead.
    format: Option<String>,
    /// Only this kind (`companies`), for reference inputs.
    kind: Option<String>,
}

/// What tells two records of the same name apart.
fn second_line(user: &WebUser, names: &Names, record: &Record) -> String {
    let text = |key: &str| record.text(key).unwrap_or_default().to_owned();
    let first = |key: &str| {
        record.fields.get(key).and_then(|v| v.get(0)).and_then(Value::as_str).unwrap_or_default().to_owned()
    };
    let company =
        record.uuid("company_id").and_then(|id| names.records.get(&id)).map(|(_, n)| n.clone()).unwrap_or_default();
    let owner = record.owner_id.and_then(|id| names.users.get(&id)).cloned().unwrap_or_default();
    let parts = match record.record_type.plural() {
        "contacts" => vec![company, first("emails"), text("city"), owner],
        "companies" => vec![text("domain"), text("city"), owner],
        "leads" => vec![text("company_name"), text("email"), owner],
        "deals" => vec![company, fields::deal_amount(record, &user.tr), owner],
        _ => vec![record.text("kind").map(|k| user.tr.choice("kind", k)).unwrap_or_default(), owner],
    };
    parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" · ")
}

async fn groups(
    state: &AppState,
    user: &WebUser,
    query: &str,
    only: Option<RecordType>,
) -> rapport_db::Result<Vec<Group>> {
    let kinds: Vec<RecordType> = match only {
        Some(kind) => vec![kind],
        None => RecordType::all().filter(|k| k.plural() != "gadgets").collect(),
    };
    let hits = rapport_db::search::search(&state.ctx, &user.actor, query, &kinds, 20).await?;
    let mut groups = Vec::new();
    for kind in kinds {
        let ids: Vec<String> = hits.iter().filter(|h| h.record_type == kind).map(|h| h.id.0.to_string()).collect();
        if ids.is_empty() {
            continue;
        }
        let pairs = [("filter[id][in]".to_owned(), ids.join(",")), ("limit".to_owned(), "100".to_owned())];
        let found = records::list(&state.ctx, &user.actor, kind, &pairs).await?;
        let refs: Vec<&Record> = found.items.iter().collect();
        let names = Names::load(state, &user.actor, &refs).await?;
        // In the search's order of relevance.
        let hits = hits
            .iter()
            .filter(|h| h.record_type == kind)
            .filter_map(|h| found.items.iter().find(|r| r.id == h.id))
            .map(|record| Hit {
                href: format!("/{}/{}", kind.plural(), record.id.0),
                label: record.display_name(),
                second: second_line(user, &names, record),
            })
            .collect();
        groups.push(Group { title: user.tr.t(&format!("kind.{}", kind.plural())), hits });
    }
    Ok(groups)
}

#[derive(Serialize)]
struct JsonGroup<'a> {
    title: &'a str,
    hits: &'a [Hit],
}

pub async fn page(State(state): State<AppState>, user: WebUser, Query(params): Query<SearchQuery>) -> WebResult {
    let query = params.q.unwrap_or_default().trim().to_owned();
    let only = params.kind.as_deref().and_then(RecordType::from_plural);
    let groups = if query.is_empty() {
        Vec::new()
    } else {
        groups(&state, &user, &query, only).await.map_err(|e| user.fail(e))?
    };
    if params.format.as_deref() == Some("json") {
        let body: Vec<JsonGroup<'_>> = groups.iter().map(|g| JsonGroup { title: &g.title, hits: &g.hits }).collect();
        return Ok(Json(body).into_response());
    }
    let heading = if query.is_empty() {
        user.tr.t("search.hint")
    } else if groups.is_empty() {
        user.tr.t1("search.none", "query", query.clone())
    } else {
        user.tr.t1("search.results", "query", query.clone())
    };
    let page = SearchPage { frame: user.frame("", user.tr.t("search.title")), query, groups, heading };
    Ok(html(StatusCode::OK, &page))
}
