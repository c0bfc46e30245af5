use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, on_both_backends};

async fn notifications(app: &TestApp) -> Vec<serde_json::Value> {
    let reply = app.get("/api/v1/notifications", &app.admin_token).await;
    reply.expect(StatusCode::OK);
    reply.body["items"].as_array().expect("a list").clone()
}

#[tokio::test]
async fn a_reminder_notifies_once_when_its_time_comes() {
    on_both_backends("a_reminder_notifies_once_when_its_time_comes", async |app| {
        let now = app.ctx.now();
        let reminder_at = (now + Duration::hours(1)).to_rfc3339();
        let activity = app
            .create(
                "activities",
                &json!({"kind": "call", "subject": "Call Ana", "due_at": (now + Duration::hours(2)).to_rfc3339(), "reminder_at": reminder_at}),
            )
            .await;

        app.run_due_jobs().await;
        assert!(notifications(app).await.is_empty(), "a reminder fired early");

        app.clock.advance(Duration::minutes(61));
        app.run_due_jobs().await;
        let list = notifications(app).await;
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["kind"], "reminder");
        assert_eq!(list[0]["record_id"], activity["id"]);
        assert!(list[0]["title"].as_str().unwrap().contains("Call Ana"), "{list:?}");

        app.run_due_jobs().await;
        app.clock.advance(Duration::hours(1));
        app.run_due_jobs().await;
        assert_eq!(notifications(app).await.len(), 1);

        let id = list[0]["id"].as_str().unwrap();
        app.post_json(&format!("/api/v1/notifications/{id}/read"), &app.admin_token, &json!({}))
            .await
            .expect(StatusCode::NO_CONTENT);
        let unread = app.get_query("/api/v1/notifications", &app.admin_token, &[("unread", "true")]).await;
        assert_eq!(unread.body["items"].as_array().map(Vec::len), Some(0), "{}", unread.text);
        app.post_json(&format!("/api/v1/notifications/{id}/read"), &app.admin_token, &json!({}))
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not_found");
    })
    .await;
}
