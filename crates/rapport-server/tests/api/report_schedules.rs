//! Saved reports e-mailed on a schedule, through a real SMTP exchange:
//! each recipient gets the report as they see it, in their language, once
//! per due time (a retried job sends nothing twice); people who cannot see
//! the report are refused as recipients.

use base64::Engine;
use chrono::{DateTime, Utc};
use rapport_channels::testing::{Received, SmtpReceiver};
use rapport_core::access::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, on_both_backends};

async fn point_at(app: &TestApp, receiver: &SmtpReceiver) {
    let settings = json!({
        "host": "127.0.0.1", "port": receiver.port, "security": "none",
        "from_address": "crm@rapport.test", "from_name": "Rapport", "default_language": "en",
    });
    app.put_json("/api/v1/email/settings", &app.admin_token, &settings).await.expect(StatusCode::OK);
}

/// The attachments of a received message: (headers of the part, decoded bytes).
fn attachments(message: &Received) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for part in message.data.split("\r\n--") {
        let Some((head, body)) = part.split_once("\r\n\r\n") else { continue };
        if !head.to_ascii_lowercase().contains("content-disposition: attachment") {
            continue;
        }
        let lines: Vec<&str> = body.lines().take_while(|l| !l.starts_with("--")).collect();
        let encoding = head.to_ascii_lowercase();
        let bytes = if encoding.contains("transfer-encoding: base64") {
            base64::engine::general_purpose::STANDARD.decode(lines.join("").trim()).expect("a base64 attachment")
        } else if encoding.contains("transfer-encoding: quoted-printable") {
            quoted_printable(&lines.join("\n"))
        } else {
            lines.join("\n").into_bytes()
        };
        found.push((head.to_owned(), bytes));
    }
    found
}

/// Quoted-printable decoded: `=XX` bytes, `=` at a line's end joins lines.
fn quoted_printable(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if i + 3 <= bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).expect("a quoted-printable byte"));
                i += 3;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// A header's text, with its RFC 2047 encoded words (`=?utf-8?b?…?=`) decoded.
fn subject(message: &Received) -> String {
    let raw = message.header("Subject").unwrap_or_default();
    let mut out = String::new();
    let mut rest = raw.as_str();
    while let Some(start) = rest.find("=?") {
        out.push_str(&rest[..start]);
        let word = &rest[start + 2..];
        let Some(end) = word.find("?=") else { break };
        let mut pieces = word[..end].splitn(3, '?');
        let (_, encoding, text) = (pieces.next(), pieces.next(), pieces.next().unwrap_or_default());
        if encoding.is_some_and(|e| e.eq_ignore_ascii_case("b")) {
            let bytes = base64::engine::general_purpose::STANDARD.decode(text).expect("a base64 word");
            out.push_str(&String::from_utf8(bytes).expect("UTF-8"));
        } else {
            out.push_str(text);
        }
        rest = &word[end + 2..];
    }
    out.push_str(rest);
    out
}

fn to_of(message: &Received) -> String {
    message.rcpt_to.join(",")
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("a time").with_timezone(&Utc)
}

fn pdftotext(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("rapport-scheduled-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&path, pdf).expect("write the PDF");
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (Debian package poppler-utils)");
    let _ = std::fs::remove_file(&path);
    String::from_utf8(output.stdout).expect("UTF-8 text")
}

#[tokio::test]
async fn a_scheduled_report_reaches_each_recipient_once_as_they_see_it() {
    on_both_backends("a_scheduled_report_reaches_each_recipient_once", async |app| {
        let receiver = SmtpReceiver::start().await;
        point_at(app, &receiver).await;
        let (ana, ana_token) = app.user("Ana Lima", Role::Member).await;
        let (bruno, bruno_token) = app.user("Bruno Souza", Role::Member).await;
        let (carla, _) = app.user("Carla Dias", Role::Member).await;
        let sales = app.team("Sales", &[ana.id, bruno.id]).await;
        app.patch("/api/v1/auth/me", &bruno_token, &json!({"locale": "pt-BR", "time_zone": "America/Sao_Paulo"}))
            .await
            .expect(StatusCode::OK);
        // Members see their own deals only.
        let mut settings = app.get("/api/v1/settings", &app.admin_token).await.body;
        settings["visibility"]["deal"] = json!("private");
        app.put_json("/api/v1/settings", &app.admin_token, &settings).await.expect(StatusCode::OK);
        for (name, owner, amount) in
            [("Ana 1", ana.id, 100_000), ("Ana 2", ana.id, 50_000), ("Bruno 1", bruno.id, 70_000)]
        {
            app.create(
                "deals",
                &json!({"name": name, "amount_minor": amount, "currency": "BRL", "owner_id": owner.to_string()}),
            )
            .await;
        }
        let report = json!({
            "name": "Negócios por responsável",
            "description": "Open pipeline by owner.",
            "shared_team_id": sales.to_string(),
            "definition": {
                "record_type": "deal",
                "group_by": [{"field": "owner_id"}],
                "measures": [{"op": "count"}, {"op": "sum", "field": "amount_minor"}],
            },
        });
        let saved = app.post_json("/api/v1/reports", &app.admin_token, &report).await;
        saved.expect(StatusCode::CREATED);
        let schedules = format!("/api/v1/reports/{}/schedules", saved.id());

        // Bad input: every problem named; somebody outside the team cannot receive it.
        let bad = json!({"frequency": "weekly", "hour": 24, "format": "pdf", "recipients": [carla.id.to_string()]});
        let refused = app.post_json(&schedules, &app.admin_token, &bad).await;
        refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        for (field, code) in
            [("hour", "out_of_range"), ("weekday", "out_of_range"), ("recipients", "report_recipient_cannot_see")]
        {
            assert!(refused.has_field_error(field, code), "{field} {code}: {}", refused.text);
        }
        // Only the report's editors schedule it.
        let by_member = json!({"frequency": "daily", "hour": 9, "format": "csv"});
        app.post_json(&schedules, &ana_token, &by_member).await.expect(StatusCode::FORBIDDEN);

        // Daily at 09:00 UTC as CSV to the administrator and Ana; weekly on Mondays at 08:00 UTC as PDF to Bruno.
        let daily = json!({"frequency": "daily", "hour": 9, "format": "csv",
            "recipients": [app.admin.id.to_string(), ana.id.to_string()]});
        let daily = app.post_json(&schedules, &app.admin_token, &daily).await;
        daily.expect(StatusCode::CREATED);
        // The test clock is Monday 2 March 2026, 09:00 UTC: the first time is tomorrow.
        assert_eq!(at(daily.body["next_run_at"].as_str().expect("a time")), at("2026-03-03T09:00:00Z"));
        let weekly = json!({"frequency": "weekly", "weekday": 1, "hour": 8, "format": "pdf",
            "recipients": [bruno.id.to_string()]});
        app.post_json(&schedules, &app.admin_token, &weekly).await.expect(StatusCode::CREATED);
        let listed = app.get(&schedules, &app.admin_token).await;
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(2), "{}", listed.text);

        // Nothing is due yet.
        assert_eq!(rapport_db::reports::queue_due(&app.ctx).await.expect("queue"), 0);
        app.run_due_jobs().await;
        assert!(receiver.received().is_empty());

        app.clock.set(at("2026-03-03T09:00:30Z"));
        assert_eq!(rapport_db::reports::queue_due(&app.ctx).await.expect("queue"), 1);
        app.run_due_jobs().await;
        let got = receiver.received();
        assert_eq!(got.len(), 2, "one message to each recipient");
        for message in &got {
            assert_eq!(subject(message), "Report: Negócios por responsável");
            assert!(message.data.contains("/reports/"), "the message links to the report: {}", message.data);
        }
        let csv_of = |email: &str| {
            let message = got.iter().find(|m| to_of(m).contains(email)).expect("a message to this person");
            let files = attachments(message);
            assert_eq!(files.len(), 1, "{}", message.data);
            assert!(files[0].0.contains("negocios-por-responsavel-2026-03-03.csv"), "{}", files[0].0);
            String::from_utf8(files[0].1.clone()).expect("a UTF-8 CSV")
        };
        let admin_csv = csv_of("admin@rapport.test");
        assert!(admin_csv.contains("Ana Lima") && admin_csv.contains("Bruno Souza"), "{admin_csv}");
        assert!(admin_csv.contains("1500"), "Ana's two deals add up to 1500.00: {admin_csv}");
        // Ana sees her own deals only, as her deal list does.
        let ana_csv = csv_of(&ana.email);
        assert!(ana_csv.contains("Ana Lima") && !ana_csv.contains("Bruno Souza"), "{ana_csv}");

        // Run again, and run the same delivery as a retried job would: nothing is sent twice.
        assert_eq!(rapport_db::reports::queue_due(&app.ctx).await.expect("queue"), 0);
        let id = daily.body["id"].as_str().expect("an id");
        let payload = json!({"schedule_id": id, "due_at": "2026-03-03T09:00:00Z"});
        let tx = app.ctx.db.write().await.expect("a transaction");
        rapport_db::jobs::enqueue(
            &*tx,
            rapport_db::jobs::JobKind::ReportDelivery,
            &payload,
            app.ctx.now(),
            Some("a retry"),
            app.ctx.now(),
        )
        .await
        .expect("queue a retry");
        tx.commit().await.expect("commit");
        app.run_due_jobs().await;
        assert_eq!(receiver.received().len(), 2, "a retry sends nothing twice");

        // The next Monday: the weekly PDF in Bruno's language, and the daily one again.
        app.clock.set(at("2026-03-09T09:00:10Z"));
        assert_eq!(rapport_db::reports::queue_due(&app.ctx).await.expect("queue"), 2);
        app.run_due_jobs().await;
        let got = receiver.received();
        assert_eq!(got.len(), 5, "two daily messages and one weekly");
        let to_bruno = got.iter().find(|m| to_of(m).contains(&bruno.email)).expect("Bruno's message");
        assert_eq!(subject(to_bruno), "Relatório: Negócios por responsável");
        let files = attachments(to_bruno);
        assert!(files[0].0.contains("application/pdf"), "{}", files[0].0);
        assert!(files[0].1.starts_with(b"%PDF-"));
        let text = pdftotext(&files[0].1);
        for expected in ["Negócios por responsável", "Open pipeline by owner.", "Bruno Souza", "Página 1 de 1"] {
            assert!(text.contains(expected), "{expected:?} is missing from:\n{text}");
        }
        assert!(!text.contains("Ana Lima"), "Bruno sees only his own deals:\n{text}");

        // Stopping a schedule, and deleting the report, stops the messages.
        app.delete(&format!("{schedules}/{id}"), &app.admin_token).await.expect(StatusCode::NO_CONTENT);
        let listed = app.get(&schedules, &app.admin_token).await;
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
        app.delete(&format!("/api/v1/reports/{}", saved.id()), &app.admin_token).await.expect(StatusCode::NO_CONTENT);
        app.clock.set(at("2026-03-16T09:00:00Z"));
        assert_eq!(rapport_db::reports::queue_due(&app.ctx).await.expect("queue"), 0);
        app.run_due_jobs().await;
        assert_eq!(receiver.received().len(), 5);
    })
    .await;
}

#[tokio::test]
async fn the_reports_page_schedules_and_stops_an_email_for_its_editor_only() {
    use crate::web::{csrf_of, page, sign_in, unlabelled};
    let app = crate::helpers::spawn_app(rapport_db::Backend::Sqlite).await;
    let (ana, ana_token) = app.user("Ana Lima", Role::Member).await;
    let (carla, _) = app.user("Carla Dias", Role::Member).await;
    let sales = app.team("Sales", &[ana.id]).await;
    let report = json!({
        "name": "Deals by stage", "shared_team_id": sales.to_string(),
        "definition": {"record_type": "deal", "group_by": [{"field": "stage_id"}]},
    });
    let saved = app.post_json("/api/v1/reports", &app.admin_token, &report).await;
    saved.expect(StatusCode::CREATED);
    let path = format!("/reports/{}", saved.id());

    sign_in(&app).await;
    let shown = page(&app, &path).await;
    assert!(shown.text.contains("Send by e-mail") && shown.text.contains("Not scheduled yet."), "{}", shown.text);
    assert_eq!(unlabelled(&shown.text), Vec::<String>::new());
    // Ana (the team) may receive it; Carla (outside it) is not offered.
    assert!(shown.text.contains("Ana Lima") && !shown.text.contains("Carla Dias"));
    let form = [
        ("_csrf", csrf_of(&shown)),
        ("frequency", "weekly".into()),
        ("weekday", "1".into()),
        ("month_day", "1".into()),
        ("hour", "8".into()),
        ("format", "pdf".into()),
        ("recipient", app.admin.id.to_string()),
        ("recipient", ana.id.to_string()),
    ];
    let added = app.send(app.client.post(app.url(&format!("{path}/schedules"))).form(&form)).await;
    assert!(added.status.is_success() || added.status.is_redirection(), "{}", added.status);
    let shown = page(&app, &path).await;
    assert!(shown.text.contains("Every Monday at 08:00 (UTC)"), "{}", shown.text);
    assert!(shown.text.contains("To Admin, Ana Lima"), "{}", shown.text);

    // A recipient the form could not offer is refused with their name.
    let sneaky = [
        ("_csrf", csrf_of(&shown)),
        ("frequency", "daily".into()),
        ("hour", "8".into()),
        ("format", "csv".into()),
        ("recipient", carla.id.to_string()),
    ];
    let refused = app.send(app.client.post(app.url(&format!("{path}/schedules"))).form(&sneaky)).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("Carla Dias cannot see this report"), "{}", refused.text);

    // Ana sees the report, not its schedules.
    let api = app.get(&format!("/api/v1/reports/{}/schedules", saved.id()), &ana_token).await;
    api.expect(StatusCode::FORBIDDEN);

    let schedules = app.get(&format!("/api/v1/reports/{}/schedules", saved.id()), &app.admin_token).await;
    let id = schedules.body["items"][0]["id"].as_str().expect("a schedule").to_owned();
    let stop = [("_csrf", csrf_of(&shown))];
    let stopped = app.send(app.client.post(app.url(&format!("{path}/schedules/{id}/delete"))).form(&stop)).await;
    assert!(stopped.status.is_success() || stopped.status.is_redirection(), "{}", stopped.status);
    let shown = page(&app, &path).await;
    assert!(shown.text.contains("Not scheduled yet."), "{}", shown.text);
    app.teardown().await;
}
