//! Home, "my day": what the signed-in user should do next.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, NaiveTime, Utc};
use rapport_core::schema::RecordType;
use rapport_db::records::{self, Record};

use super::fields;
use super::format;
use super::session::WebUser;
use super::{Frame, WebResult, html};
use crate::state::AppState;

pub struct Task {
    pub href: String,
    pub subject: String,
    pub when: String,
    pub kind: String,
    pub id: String,
    pub version: i64,
    /// When "snooze" moves it to: tomorrow at 9:00 in the user's zone, as a
    /// `datetime-local` value.
    pub snooze_to: String,
}

pub struct DealLine {
    pub href: String,
    pub name: String,
    pub amount: String,
    pub close: String,
}

/// A record the user opened lately.
pub struct Recent {
    pub href: String,
    pub name: String,
    pub kind: String,
}

pub struct Note {
    pub title: String,
    pub href: Option<String>,
    pub when: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    frame: Frame,
    greeting: String,
    overdue: Vec<Task>,
    today: Vec<Task>,
    deals: Vec<DealLine>,
    notes: Vec<Note>,
    recent: Vec<Recent>,
}

fn pairs(items: &[(&str, String)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

fn task(user: &WebUser, record: &Record, snooze_to: &str) -> Task {
    let due = record
        .text("due_at")
        .or(record.text("starts_at"))
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|at| format::datetime(at.with_timezone(&Utc), user.zone, user.tr.locale))
        .unwrap_or_default();
    let kind = record.text("kind").unwrap_or("task");
    Task {
        href: format!("/activities/{}", record.id.0),
        subject: record.text("subject").unwrap_or_default().to_owned(),
        when: due,
        kind: user.tr.choice("kind", kind),
        id: record.id.0.to_string(),
        version: record.version,
        snooze_to: snooze_to.to_owned(),
    }
}

/// Records shown under "recently viewed".
const RECENT_SHOWN: u64 = 8;

/// What the user opened last, still there and still theirs to see, newest first.
async fn recent(state: &AppState, user: &WebUser) -> rapport_db::Result<Vec<Recent>> {
    let visits = rapport_db::views::recent(&state.ctx, &user.actor, RECENT_SHOWN).await?;
    let mut found: Vec<Record> = Vec::new();
    for record_type in RecordType::all() {
        let ids: Vec<String> =
            visits.iter().filter(|(kind, _)| *kind == record_type).map(|(_, id)| id.to_string()).collect();
        if ids.is_empty() {
            continue;
        }
        let query = pairs(&[("filter[id][in]", ids.join(",")), ("limit", RECENT_SHOWN.to_string())]);
        found.extend(records::list(&state.ctx, &user.actor, record_type, &query).await?.items);
    }
    Ok(visits
        .iter()
        .filter_map(|(_, id)| found.iter().find(|r| r.id.0 == *id))
        .map(|record| Recent {
            href: format!("/{}/{}", record.record_type.plural(), record.id.0),
            name: record.display_name(),
            kind: user.tr.t(&format!("kind.{}.one", record.record_type.plural())),
        })
        .collect())
}

pub async fn page(State(state): State<AppState>, user: WebUser) -> WebResult {
    let me = user.actor.user_id.to_string();
    let now = state.ctx.now();
    // Today, in the user's zone.
    let local_today = now.with_timezone(&user.zone).date_naive();
    let day_end = local_today
        .and_time(NaiveTime::MIN)
        .and_local_timezone(user.zone)
        .earliest()
        .map_or(now + Duration::days(1), |start| (start + Duration::days(1)).with_timezone(&Utc));
    let list = async |record_type: RecordType, query: Vec<(String, String)>| {
        records::list(&state.ctx, &user.actor, record_type, &query).await.map_err(|e| user.fail(e))
    };
    let overdue = list(
        RecordType::ACTIVITY,
        pairs(&[
            ("filter[owner_id][eq]", me.clone()),
            ("filter[done][eq]", "false".into()),
            ("filter[due_at][lt]", now.to_rfc3339()),
            ("sort", "due_at".into()),
            ("limit", "20".into()),
        ]),
    )
    .await?;
    let today = list(
        RecordType::ACTIVITY,
        pairs(&[
            ("filter[owner_id][eq]", me.clone()),
            ("filter[done][eq]", "false".into()),
            ("filter[due_at][gt]", now.to_rfc3339()),
            ("filter[due_at][lt]", day_end.to_rfc3339()),
            ("sort", "due_at".into()),
            ("limit", "20".into()),
        ]),
    )
    .await?;
    let soon = (local_today + Duration::days(30)).format("%Y-%m-%d").to_string();
    let deals = list(
        RecordType::DEAL,
        pairs(&[
            ("filter[owner_id][eq]", me.clone()),
            ("filter[status][eq]", "open".into()),
            ("filter[expected_close_date][lt]", soon),
            ("sort", "expected_close_date".into()),
            ("limit", "10".into()),
        ]),
    )
    .await?;
    let notifications = rapport_db::notifications::for_user(&state.ctx, user.actor.user(), true, None, 10)
        .await
        .map_err(|e| user.fail(e))?;
    let tomorrow_nine = (local_today + Duration::days(1)).and_hms_opt(9, 0, 0).unwrap_or_default();
    let snooze_to = tomorrow_nine.format("%Y-%m-%dT%H:%M").to_string();
    let recent = recent(&state, &user).await.map_err(|e| user.fail(e))?;
    let page = HomePage {
        recent,
        greeting: user.tr.t1("home.greeting", "name", user.user.name.split_whitespace().next().unwrap_or_default()),
        overdue: overdue.items.iter().map(|r| task(&user, r, &snooze_to)).collect(),
        today: today.items.iter().map(|r| task(&user, r, &snooze_to)).collect(),
        deals: deals
            .items
            .iter()
            .map(|deal| DealLine {
                href: format!("/deals/{}", deal.id.0),
                name: deal.display_name(),
                amount: fields::deal_amount(deal, &user.tr),
                close: deal
                    .text("expected_close_date")
                    .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .map(|d| format::date(d, user.tr.locale))
                    .unwrap_or_default(),
            })
            .collect(),
        notes: notifications
            .items
            .iter()
            .map(|n| Note {
                title: super::notifications::title(&user.tr, n),
                href: n
                    .record_type
                    .as_deref()
                    .and_then(RecordType::parse)
                    .zip(n.record_id)
                    .map(|(t, id)| format!("/{}/{}", t.plural(), id.0)),
                when: format::datetime(n.created_at, user.zone, user.tr.locale),
            })
            .collect(),
        frame: user.frame("home", user.tr.t("home.title")),
    };
    Ok(html(StatusCode::OK, &page))
}
