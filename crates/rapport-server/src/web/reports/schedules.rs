//! "Send by e-mail" on a saved report's page: its schedules in words, a
//! form to add one, and a button to stop each. Only the report's editors
//! see the section (the service enforces it).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rapport_core::ids::{ReportId, UserId};
use rapport_core::reports::schedule::{AttachmentFormat, Cadence, Frequency, LAST_MONTH_DAY, weekday};
use rapport_db::reports::{ReportSchedule, SavedReport, ScheduleInput};
use uuid::Uuid;

use super::{Choice, choices, error_lines, report_id};
use crate::state::AppState;
use crate::web::i18n::{Arg, Tr};
use crate::web::session::{FormPost, WebUser};
use crate::web::{WebError, WebResult, format};

/// One schedule as the page lists it.
pub struct ScheduleRow {
    pub id: Uuid,
    /// "Every Monday at 08:00 (America/Sao_Paulo)".
    pub when: String,
    pub format: String,
    pub recipients: String,
    pub next: String,
}

/// What the section shows: the schedules and the form's choices.
#[derive(Default)]
pub struct ScheduleSection {
    pub rows: Vec<ScheduleRow>,
    pub frequencies: Vec<Choice>,
    pub weekdays: Vec<Choice>,
    pub month_days: Vec<Choice>,
    pub hours: Vec<Choice>,
    pub formats: Vec<Choice>,
    /// (user id, name, ticked)
    pub people: Vec<(String, String, bool)>,
}

fn weekday_name(tr: &Tr, number: u8) -> String {
    let day = weekday(number).map_or("monday", |d| match d {
        chrono::Weekday::Mon => "monday",
        chrono::Weekday::Tue => "tuesday",
        chrono::Weekday::Wed => "wednesday",
        chrono::Weekday::Thu => "thursday",
        chrono::Weekday::Fri => "friday",
        chrono::Weekday::Sat => "saturday",
        chrono::Weekday::Sun => "sunday",
    });
    tr.t(&format!("report.schedule.weekday.{day}"))
}

fn hour_label(hour: u8) -> String {
    format!("{hour:02}:00")
}

/// A cadence in words.
pub fn cadence_words(tr: &Tr, cadence: &Cadence, time_zone: &str) -> String {
    let hour = Arg::Text(hour_label(cadence.hour));
    let zone = Arg::Text(time_zone.to_owned());
    match cadence.frequency {
        Frequency::Daily => tr.t_with("report.schedule.every_day", &[("hour", hour), ("zone", zone)]),
        Frequency::Weekly => tr.t_with(
            "report.schedule.every_week",
            &[("weekday", Arg::Text(weekday_name(tr, cadence.weekday.unwrap_or(1)))), ("hour", hour), ("zone", zone)],
        ),
        Frequency::Monthly => tr.t_with(
            "report.schedule.every_month",
            &[("day", Arg::Number(i64::from(cadence.month_day.unwrap_or(1)))), ("hour", hour), ("zone", zone)],
        ),
    }
}

/// The section of a report the user may change.
pub async fn section(state: &AppState, user: &WebUser, report: &SavedReport) -> Result<ScheduleSection, WebError> {
    let tr = &user.tr;
    let schedules =
        rapport_db::reports::list_schedules(&state.ctx, &user.actor, report.id).await.map_err(|e| user.fail(e))?;
    let people =
        rapport_db::reports::possible_recipients(&state.ctx, &user.actor, report.id).await.map_err(|e| user.fail(e))?;
    let name_of = |id: &UserId| {
        people.iter().find(|p| p.id == *id).map_or_else(|| tr.t("report.hidden_value"), |p| p.name.clone())
    };
    let row = |s: &ReportSchedule| ScheduleRow {
        id: s.id,
        when: cadence_words(tr, &s.cadence, &s.time_zone),
        format: tr.t(&format!("report.schedule.format.{}", s.format.as_str())),
        recipients: s.recipients.iter().map(name_of).collect::<Vec<_>>().join(", "),
        next: format::datetime(s.next_run_at, user.zone, tr.locale),
    };
    let me = user.actor.user_id.to_string();
    Ok(ScheduleSection {
        rows: schedules.iter().map(row).collect(),
        frequencies: choices(
            Frequency::ALL
                .iter()
                .map(|f| (f.as_str().to_owned(), tr.t(&format!("report.schedule.frequency.{}", f.as_str())))),
            Some("weekly"),
        ),
        weekdays: choices((1..=7u8).map(|d| (d.to_string(), weekday_name(tr, d))), Some("1")),
        month_days: choices((1..=LAST_MONTH_DAY).map(|d| (d.to_string(), d.to_string())), Some("1")),
        hours: choices((0..=23u8).map(|h| (h.to_string(), hour_label(h))), Some("8")),
        formats: choices(
            AttachmentFormat::ALL
                .iter()
                .map(|f| (f.as_str().to_owned(), tr.t(&format!("report.schedule.format.{}", f.as_str())))),
            Some("pdf"),
        ),
        people: people
            .iter()
            .map(|p| {
                let id = p.id.to_string();
                let ticked = id == me;
                (id, p.name.clone(), ticked)
            })
            .collect(),
    })
}

/// The form's fields as the service takes them; a number that does not
/// parse is left out, and the service says what is missing.
fn input(form: &FormPost) -> ScheduleInput {
    let number = |name: &str| form.value(name).and_then(|v| v.parse::<u8>().ok());
    let frequency = form.value("frequency").and_then(Frequency::parse).unwrap_or(Frequency::Weekly);
    ScheduleInput {
        cadence: Cadence {
            frequency,
            weekday: (frequency == Frequency::Weekly).then(|| number("weekday")).flatten(),
            month_day: (frequency == Frequency::Monthly).then(|| number("month_day")).flatten(),
            hour: number("hour").unwrap_or(u8::MAX),
        },
        format: form.value("format").and_then(AttachmentFormat::parse).unwrap_or(AttachmentFormat::Pdf),
        recipients: form
            .fields
            .iter()
            .filter(|(k, _)| k == "recipient")
            .filter_map(|(_, v)| Uuid::parse_str(v).ok().map(UserId))
            .collect(),
    }
}

pub async fn create_schedule(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let id: ReportId = report_id(user, &id)?;
    let link = format!("{}/reports/{id}", crate::web::public::site_origin(&headers));
    match rapport_db::reports::create_schedule(&state.ctx, &user.actor, id, &input(&form), &link).await {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}#schedules")).into_response()),
        Err(error) => match error_lines(&user.tr, error) {
            Ok(lines) => Err(WebError::with_message(
                user.frame("", user.tr.t("error.title")),
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{} {}", user.tr.t("report.schedule.failed"), lines.join("; ")),
            )),
            Err(other) => Err(user.fail(other)),
        },
    }
}

pub async fn delete_schedule(
    State(state): State<AppState>,
    Path((id, schedule)): Path<(String, String)>,
    form: FormPost,
) -> WebResult {
    let user = &form.user;
    let id = report_id(user, &id)?;
    let schedule = Uuid::parse_str(&schedule).map_err(|_| user.error(StatusCode::NOT_FOUND, "error.not_found"))?;
    rapport_db::reports::delete_schedule(&state.ctx, &user.actor, id, schedule).await.map_err(|e| user.fail(e))?;
    Ok(Redirect::to(&format!("/reports/{id}#schedules")).into_response())
}
