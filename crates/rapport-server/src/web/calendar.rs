//! The week of my meetings, calls and tasks, in my time zone.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use rapport_core::schema::RecordType;
use rapport_db::records::{self, Record};
use serde::Deserialize;

use super::session::WebUser;
use super::{Frame, WebResult, format, html};
use crate::state::AppState;

pub struct Item {
    pub href: String,
    pub time: String,
    pub subject: String,
    pub kind: String,
    pub done: bool,
}

pub struct Day {
    pub title: String,
    pub today: bool,
    pub items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct WeekPage {
    frame: Frame,
    days: Vec<Day>,
    previous: String,
    next: String,
    this_week: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct WeekQuery {
    start: Option<NaiveDate>,
}

/// When an activity happens: a meeting's start, or a task's or call's due time.
fn when(record: &Record) -> Option<DateTime<Utc>> {
    record
        .text("starts_at")
        .or(record.text("due_at"))
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|at| at.with_timezone(&Utc))
}

pub async fn week(State(state): State<AppState>, user: WebUser, Query(query): Query<WeekQuery>) -> WebResult {
    let today = state.ctx.now().with_timezone(&user.zone).date_naive();
    let monday = |day: NaiveDate| day - Duration::days(day.weekday().num_days_from_monday().into());
    let start = monday(query.start.unwrap_or(today));
    let local_midnight = |day: NaiveDate| {
        day.and_time(NaiveTime::MIN)
            .and_local_timezone(user.zone)
            .earliest()
            .map_or_else(|| day.and_time(NaiveTime::MIN).and_utc(), |at| at.with_timezone(&Utc))
    };
    let (from, until) = (local_midnight(start), local_midnight(start + Duration::days(7)));
    let me = user.actor.user_id.to_string();
    let mut found: Vec<Record> = Vec::new();
    for field in ["due_at", "starts_at"] {
        let pairs: Vec<(String, String)> = [
            ("filter[owner_id][eq]".to_owned(), me.clone()),
            (format!("filter[{field}][gt]"), (from - Duration::seconds(1)).to_rfc3339()),
            (format!("filter[{field}][lt]"), until.to_rfc3339()),
            ("sort".to_owned(), field.to_owned()),
            ("limit".to_owned(), "200".to_owned()),
        ]
        .into();
        let page =
            records::list(&state.ctx, &user.actor, RecordType::ACTIVITY, &pairs).await.map_err(|e| user.fail(e))?;
        for record in page.items {
            if !found.iter().any(|r| r.id == record.id) {
                found.push(record);
            }
        }
    }
    found.sort_by_key(when);
    let days = (0..7)
        .map(|offset| {
            let day = start + Duration::days(offset);
            let items = found
                .iter()
                .filter(|r| when(r).is_some_and(|at| at.with_timezone(&user.zone).date_naive() == day))
                .map(|r| Item {
                    href: format!("/activities/{}", r.id.0),
                    time: when(r)
                        .map(|at| at.with_timezone(&user.zone).format("%H:%M").to_string())
                        .unwrap_or_default(),
                    subject: r.text("subject").unwrap_or_default().to_owned(),
                    kind: r.text("kind").map(|k| user.tr.choice("kind", k)).unwrap_or_default(),
                    done: r.fields.get("done").and_then(serde_json::Value::as_bool) == Some(true),
                })
                .collect();
            let weekday = user.tr.t(&format!("calendar.day_{}", day.weekday().num_days_from_monday()));
            Day { title: format!("{weekday} {}", format::date(day, user.tr.locale)), today: day == today, items }
        })
        .collect();
    let link = |day: NaiveDate| format!("/activities/week?start={}", day.format("%Y-%m-%d"));
    let page = WeekPage {
        days,
        previous: link(start - Duration::days(7)),
        next: link(start + Duration::days(7)),
        this_week: "/activities/week".to_owned(),
        frame: user.frame("activities", user.tr.t("calendar.title")),
    };
    Ok(html(StatusCode::OK, &page))
}
