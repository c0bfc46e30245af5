//! Likely duplicates in the web UI: the panel of a record page, the review
//! list of a kind, the merge screen and the undo of a merge. The same
//! services as `/api/v1/{kind}/duplicates…` and `/api/v1/{kind}/merge`.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::duplicates::Reason;
use rapport_core::ids::RecordId;
use rapport_core::schema::{FieldKind, RecordType};
use rapport_db::records::{self, Candidate, MergeInput, Record};
use serde::Deserialize;
use uuid::Uuid;

use super::fields::{self, Names};
use super::records::{kind, record_id, section_of, writer};
use super::session::{FormPost, WebUser};
use super::{Frame, WebResult, html};
use crate::state::AppState;

/// A likely duplicate as the record page's panel shows it.
pub struct PanelItem {
    pub href: String,
    pub name: String,
    pub score: u8,
    pub reasons: String,
    pub merge_href: String,
    pub other_id: String,
}

fn reasons_text(user: &WebUser, reasons: &[Reason]) -> String {
    reasons.iter().map(|r| user.tr.t(&format!("dup.reason.{}", r.as_str()))).collect::<Vec<_>>().join(" · ")
}

/// Whether the kind's records are compared for duplicates by name and tax id.
pub fn compared(record_type: RecordType) -> bool {
    record_type.rules().duplicates().is_some()
}

/// The panel's entries: the likely duplicates of a record the user sees.
pub async fn panel(state: &AppState, user: &WebUser, record: &Record) -> rapport_db::Result<Vec<PanelItem>> {
    let record_type = record.record_type;
    if !compared(record_type) {
        return Ok(Vec::new());
    }
    let found = records::duplicates_of(&state.ctx, &user.actor, record_type, record.id).await?;
    Ok(found.iter().map(|c| panel_item(user, record_type, record.id, c)).collect())
}

fn panel_item(user: &WebUser, record_type: RecordType, id: RecordId, c: &Candidate) -> PanelItem {
    let plural = record_type.plural();
    PanelItem {
        href: format!("/{plural}/{}", c.id.0),
        name: if c.name.is_empty() { user.tr.t("value.none") } else { c.name.clone() },
        score: c.score,
        reasons: reasons_text(user, &c.reasons),
        merge_href: format!("/{plural}/merge?a={}&b={}", id.0, c.id.0),
        other_id: c.id.0.to_string(),
    }
}

/// A likely duplicate of the contact or company a lead's conversion would create.
pub struct ConversionCandidate {
    pub href: String,
    pub name: String,
    pub score: u8,
    pub reasons: String,
}

pub fn conversion_candidates(user: &WebUser, matches: &records::ConversionMatches) -> Vec<ConversionCandidate> {
    let contacts = matches.contact_candidates.iter().map(|c| (RecordType::CONTACT, c));
    let companies = matches.company_candidates.iter().map(|c| (RecordType::COMPANY, c));
    contacts
        .chain(companies)
        .map(|(kind, c)| ConversionCandidate {
            href: format!("/{}/{}", kind.plural(), c.id.0),
            name: format!("{} · {}", user.tr.t(&format!("kind.{}.one", kind.plural())), c.name),
            score: c.score,
            reasons: reasons_text(user, &c.reasons),
        })
        .collect()
}

/// One pair of the review list.
pub struct PairRow {
    pub a_href: String,
    pub a_name: String,
    pub a_id: String,
    pub b_href: String,
    pub b_name: String,
    pub b_id: String,
    pub score: u8,
    pub reasons: String,
    pub merge_href: String,
}

#[derive(Template)]
#[template(path = "duplicates/review.html")]
struct ReviewPage {
    frame: Frame,
    plural: &'static str,
    kind_label: String,
    rows: Vec<PairRow>,
    more_href: Option<String>,
    can_write: bool,
    back: String,
    queued: bool,
}

#[derive(Debug, Deserialize)]
pub struct ReviewQuery {
    cursor: Option<String>,
    scan: Option<String>,
}

/// The kind's likely duplicates found by the background scan.
pub async fn review(
    State(state): State<AppState>,
    user: WebUser,
    Path(segment): Path<String>,
    Query(query): Query<ReviewQuery>,
) -> WebResult {
    let record_type = kind(&user, &segment)?;
    let page = records::duplicate_review_list(&state.ctx, &user.actor, record_type, query.cursor.as_deref(), 50)
        .await
        .map_err(|e| user.fail(e))?;
    let plural = record_type.plural();
    let none = user.tr.t("value.none");
    let name = |n: &str| if n.is_empty() { none.clone() } else { n.to_owned() };
    let rows = page
        .items
        .iter()
        .map(|p| PairRow {
            a_href: format!("/{plural}/{}", p.record.id.0),
            a_name: name(&p.record.name),
            a_id: p.record.id.0.to_string(),
            b_href: format!("/{plural}/{}", p.other.id.0),
            b_name: name(&p.other.name),
            b_id: p.other.id.0.to_string(),
            score: p.score,
            reasons: reasons_text(&user, &p.reasons),
            merge_href: format!("/{plural}/merge?a={}&b={}", p.record.id.0, p.other.id.0),
        })
        .collect();
    let more_href = page
        .next_cursor
        .map(|c| format!("/{plural}/duplicates?{}", serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()));
    let title = user.tr.t1("dup.review.title", "kind", user.tr.t(&format!("kind.{plural}")));
    let view = ReviewPage {
        plural,
        kind_label: user.tr.t(&format!("kind.{plural}")),
        rows,
        more_href,
        can_write: writer(&user).is_ok(),
        back: format!("/{plural}/duplicates"),
        queued: query.scan.is_some(),
        frame: user.frame(section_of(record_type), title),
    };
    Ok(html(StatusCode::OK, &view))
}

/// "Scan now": queues a scan of the whole kind for the worker.
pub async fn scan(State(state): State<AppState>, Path(segment): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record_type = kind(user, &segment)?;
    writer(user)?;
    let minute = state.ctx.now().format("%Y%m%d%H%M").to_string();
    records::request_duplicate_scan(&state.ctx, record_type, &minute).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/{}/duplicates?scan=queued", record_type.plural())).into_response())
}

/// "Not a duplicate", from the record page's panel or the review list.
pub async fn dismiss(State(state): State<AppState>, Path(segment): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record_type = kind(user, &segment)?;
    let writer = writer(user)?;
    let a = record_id(user, form.value("record_id").unwrap_or_default())?;
    let b = record_id(user, form.value("other_id").unwrap_or_default())?;
    records::dismiss_duplicate(&state.ctx, &writer, record_type, a, b).await.map_err(|e| user.fail(e))?;
    let back = super::safe_next(form.value("_back"));
    Ok(Redirect::to(back).into_response())
}

/// A field the two records hold different values in.
pub struct MergeRow {
    pub name: String,
    pub label: String,
    pub a_text: String,
    pub b_text: String,
    /// Which value is chosen at first: `a` or `b`; lists are joined instead.
    pub pick_b: bool,
    pub joined: bool,
}

#[derive(Template)]
#[template(path = "duplicates/merge.html")]
struct MergePage {
    frame: Frame,
    plural: &'static str,
    a_id: String,
    b_id: String,
    a_name: String,
    b_name: String,
    a_meta: String,
    b_meta: String,
    rows: Vec<MergeRow>,
    same: usize,
}

#[derive(Debug, Deserialize)]
pub struct MergeQuery {
    a: Option<String>,
    b: Option<String>,
}

fn meta(user: &WebUser, record: &Record) -> String {
    let when = super::format::datetime(record.created_at, user.zone, user.tr.locale);
    user.tr.t1("record.created", "when", when)
}

/// The merge screen: the two records side by side, one radio per field
/// whose values differ, the survivor's choice, and a confirmation.
pub async fn merge_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(segment): Path<String>,
    Query(query): Query<MergeQuery>,
) -> WebResult {
    let record_type = kind(&user, &segment)?;
    writer(&user)?;
    let a = record_id(&user, query.a.as_deref().unwrap_or_default())?;
    let b = record_id(&user, query.b.as_deref().unwrap_or_default())?;
    if a == b {
        return Err(user.error(StatusCode::NOT_FOUND, "error.not_found"));
    }
    let first = records::get(&state.ctx, &user.actor, record_type, a).await.map_err(|e| user.fail(e))?;
    let second = records::get(&state.ctx, &user.actor, record_type, b).await.map_err(|e| user.fail(e))?;
    // The older record on the left, chosen to stay at first.
    let (first, second) =
        if (second.created_at, second.id) < (first.created_at, first.id) { (second, first) } else { (first, second) };
    let (a, b) = (first.id, second.id);
    let names = Names::load(&state, &user.actor, &[&first, &second]).await.map_err(|e| user.fail(e))?;
    let mut rows = Vec::new();
    let mut same = 0;
    for spec in record_type.fields().iter().filter(|s| s.derived.is_none()) {
        let left = fields::display(&user.tr, user.zone, &names, &first, spec);
        let right = fields::display(&user.tr, user.zone, &names, &second, spec);
        if first.fields.get(spec.name) == second.fields.get(spec.name) || (left.is_empty() && right.is_empty()) {
            same += usize::from(!left.is_empty());
            continue;
        }
        let joined = matches!(spec.kind, FieldKind::EmailList | FieldKind::PhoneList | FieldKind::RefList);
        let none = user.tr.t("value.none");
        let shown = |cell: &fields::Cell| if cell.is_empty() { none.clone() } else { cell.text.clone() };
        rows.push(MergeRow {
            name: spec.name.to_owned(),
            label: user.tr.t(&spec.label_key()),
            a_text: shown(&left),
            b_text: shown(&right),
            pick_b: left.is_empty(),
            joined,
        });
    }
    let title = user.tr.t("dup.merge.title");
    let page = MergePage {
        plural: record_type.plural(),
        a_id: a.0.to_string(),
        b_id: b.0.to_string(),
        a_name: first.display_name(),
        b_name: second.display_name(),
        a_meta: meta(&user, &first),
        b_meta: meta(&user, &second),
        rows,
        same,
        frame: user.frame(section_of(record_type), title),
    };
    Ok(html(StatusCode::OK, &page))
}

/// Merges the record not chosen as survivor into the one chosen, with the
/// values the radios picked; the survivor's page follows, with an Undo.
pub async fn merge(State(state): State<AppState>, Path(segment): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let record_type = kind(user, &segment)?;
    let writer = writer(user)?;
    let a = record_id(user, form.value("a").unwrap_or_default())?;
    let b = record_id(user, form.value("b").unwrap_or_default())?;
    let (survivor, merged) = if form.value("survivor") == Some("b") { (b, a) } else { (a, b) };
    let mut choices = BTreeMap::new();
    for (key, value) in &form.fields {
        if let Some(field) = key.strip_prefix("field.") {
            choices.insert(field.to_owned(), if value == "b" { b } else { a });
        }
    }
    let input = MergeInput { survivor_id: survivor, merged_ids: vec![merged], fields: choices };
    let result = records::merge(&state.ctx, &writer, record_type, &input).await.map_err(|e| user.fail(e))?;
    let to = format!("/{}/{}?merged={}", record_type.plural(), survivor.0, result.merge_id);
    Ok(Redirect::to(&to).into_response())
}

/// Undoes a merge from the banner of the survivor's page.
pub async fn undo(State(state): State<AppState>, Path(id): Path<String>, form: FormPost) -> WebResult {
    let user = &form.user;
    let writer = writer(user)?;
    let id = Uuid::parse_str(&id).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))?;
    let survivor = records::undo_merge(&state.ctx, &writer, id).await.map_err(|e| user.fail(e))?;
    let to = format!("/{}/{}?unmerged=1", survivor.record_type.plural(), survivor.id.0);
    Ok(Redirect::to(&to).into_response())
}
