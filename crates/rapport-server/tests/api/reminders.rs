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

/// A deal moved to another stage by someone else tells its owner; the
/// owner's own moves do not.
#[tokio::test]
async fn the_owner_hears_when_someone_else_moves_their_deal() {
    crate::helpers::on_both_backends("the_owner_hears_when_someone_else_moves_their_deal", async |app| {
        let deal = app.create("deals", &serde_json::json!({"name": "Frota Nova"})).await;
        let id = deal["id"].as_str().expect("an id");
        let pipelines = app.get("/api/v1/pipelines", &app.admin_token).await;
        let stages = pipelines.body[0]["stages"].as_array().expect("stages").clone();
        let stage = |i: usize| stages[i]["id"].as_str().expect("a stage").to_owned();
        app.patch(&format!("/api/v1/deals/{id}"), &app.admin_token, &serde_json::json!({"stage_id": stage(1)}))
            .await
            .expect(reqwest::StatusCode::OK);
        let (_, colleague) = app.user("Caio Colega", rapport_core::access::Role::Member).await;
        app.patch(&format!("/api/v1/deals/{id}"), &colleague, &serde_json::json!({"stage_id": stage(2)}))
            .await
            .expect(reqwest::StatusCode::OK);
        app.run_due_jobs().await;
        let notes = app.get("/api/v1/notifications", &app.admin_token).await;
        let items = notes.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{}", notes.text);
        assert_eq!(items[0]["kind"], "deal_moved");
        assert!(items[0]["title"].as_str().is_some_and(|t| t.contains("“Frota Nova”")), "{}", notes.text);
        assert_eq!(items[0]["params"]["name"], "Frota Nova", "clients word it in their language: {}", notes.text);
    })
    .await;
}
