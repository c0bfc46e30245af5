//! A user's activities as an iCalendar feed (RFC 5545) that calendar apps
//! subscribe to: meetings and calls with a start as events, tasks and
//! anything else with a due time as to-dos; times in UTC. Escaping and
//! folding are the vCard writer's (the same rules).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::vcard::{escape, push_line};

/// A timestamp as iCalendar writes UTC: `20260302T090000Z`.
fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn time(record: &Map<String, Value>, key: &str) -> Option<DateTime<Utc>> {
    let text = record.get(key)?.as_str()?;
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// The feed: `name` as the calendar's name, one component per activity as
/// the API shows it (`Record::to_json`); activities with no time are left out.
pub fn calendar(name: &str, activities: &[Map<String, Value>], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rapport//CRM//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    {
        push_line(&mut out, line);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    for activity in activities {
        component(&mut out, activity, now);
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

fn component(out: &mut String, activity: &Map<String, Value>, now: DateTime<Utc>) {
    let text = |key: &str| activity.get(key).and_then(Value::as_str).unwrap_or_default();
    let kind = text("kind");
    let done = activity.get("done").and_then(Value::as_bool) == Some(true);
    let (starts, ends, due) = (time(activity, "starts_at"), time(activity, "ends_at"), time(activity, "due_at"));
    let event = matches!(kind, "meeting" | "call") && starts.is_some();
    if !event && due.is_none() && starts.is_none() {
        return;
    }
    let stamp = time(activity, "updated_at").unwrap_or(now);
    let name = if event { "VEVENT" } else { "VTODO" };
    push_line(out, &format!("BEGIN:{name}"));
    push_line(out, &format!("UID:{}@rapport", text("id")));
    push_line(out, &format!("DTSTAMP:{}", utc(stamp)));
    push_line(out, &format!("LAST-MODIFIED:{}", utc(stamp)));
    let subject = if text("subject").is_empty() { kind } else { text("subject") };
    push_line(out, &format!("SUMMARY:{}", escape(subject)));
    if !text("body").is_empty() {
        push_line(out, &format!("DESCRIPTION:{}", escape(text("body"))));
    }
    push_line(out, &format!("CATEGORIES:{}", escape(kind)));
    if event {
        let start = starts.unwrap_or(now);
        push_line(out, &format!("DTSTART:{}", utc(start)));
        let minutes = activity.get("duration_minutes").and_then(Value::as_i64);
        let end = ends.filter(|e| *e >= start).or_else(|| minutes.map(|m| start + chrono::Duration::minutes(m)));
        push_line(out, &format!("DTEND:{}", utc(end.unwrap_or(start + chrono::Duration::minutes(30)))));
        if done {
            push_line(out, "STATUS:CONFIRMED");
        }
    } else {
        if let Some(start) = starts {
            push_line(out, &format!("DTSTART:{}", utc(start)));
        }
        if let Some(due) = due {
            push_line(out, &format!("DUE:{}", utc(due)));
        }
        push_line(out, if done { "STATUS:COMPLETED" } else { "STATUS:NEEDS-ACTION" });
    }
    push_line(out, &format!("END:{name}"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn meetings_are_events_and_tasks_are_todos_in_utc() {
        let items = [
            json!({"id": "a", "kind": "meeting", "subject": "Visita; Padaria, São Paulo", "starts_at": "2026-03-03T14:00:00-03:00",
                "duration_minutes": 45, "body": "Levar\nproposta", "updated_at": "2026-03-01T10:00:00Z"}),
            json!({"id": "b", "kind": "task", "subject": "Enviar proposta", "due_at": "2026-03-04T18:00:00Z", "done": true}),
            json!({"id": "c", "kind": "note", "body": "no time: left out"}),
        ];
        let items: Vec<Map<String, Value>> = items.iter().map(|i| i.as_object().unwrap().clone()).collect();
        let feed = calendar("Ana's activities", &items, now());
        assert!(feed.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), "{feed}");
        assert!(feed.contains("BEGIN:VEVENT\r\nUID:a@rapport\r\n"), "{feed}");
        assert!(feed.contains("SUMMARY:Visita\\; Padaria\\, São Paulo\r\n"), "{feed}");
        assert!(feed.contains("DTSTART:20260303T170000Z\r\nDTEND:20260303T174500Z\r\n"), "{feed}");
        assert!(feed.contains("DESCRIPTION:Levar\\nproposta\r\n"), "{feed}");
        assert!(feed.contains("BEGIN:VTODO\r\nUID:b@rapport\r\n"), "{feed}");
        assert!(feed.contains("DUE:20260304T180000Z\r\nSTATUS:COMPLETED\r\n"), "{feed}");
        assert!(!feed.contains("UID:c@rapport"));
        assert!(feed.ends_with("END:VCALENDAR\r\n"));
        assert!(feed.split("\r\n").all(|l| l.len() <= 75));
    }
}
