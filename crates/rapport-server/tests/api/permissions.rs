use rapport_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_backends};

fn listed_ids(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

async fn search_ids(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let reply = app.get_query("/api/v1/search", token, &[("q", q)]).await;
    reply.expect(StatusCode::OK);
    reply.body.as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn member_cannot_read_another_teams_private_contact() {
    on_both_backends("member_cannot_read_another_teams_private_contact", async |app| {
        let (alice, alice_token) = app.user("Alice Owner", Role::Member).await;
        let (bob, bob_token) = app.user("Bob Outsider", Role::Member).await;
        app.team("Team A", &[alice.id]).await;
        app.team("Team B", &[bob.id]).await;

        let mut settings = app.get("/api/v1/settings", &app.admin_token).await.body;
        settings["visibility"]["contact"] = json!("private");
        // Only administrators change settings.
        app.put_json("/api/v1/settings", &bob_token, &settings)
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let saved = app.put_json("/api/v1/settings", &app.admin_token, &settings).await;
        saved.expect(StatusCode::OK);
        assert_eq!(app.get("/api/v1/settings", &bob_token).await.body["visibility"]["contact"], "private");

        let created = app
            .post_json("/api/v1/contacts", &alice_token, &json!({"first_name": "Zelinda", "last_name": "Quixaba"}))
            .await;
        created.expect(StatusCode::CREATED);
        let id = created.id().to_string();
        let path = format!("/api/v1/contacts/{id}");
        let note = app
            .post_json(
                "/api/v1/activities",
                &alice_token,
                &json!({"kind": "note", "body": "met at the fair", "related": [{"type": "contact", "id": id}]}),
            )
            .await;
        note.expect(StatusCode::CREATED);

        // The outsider sees nothing, and "not yours" looks like "not found".
        app.get(&path, &bob_token).await.expect_problem(StatusCode::NOT_FOUND, "not_found");
        let list = app.get("/api/v1/contacts", &bob_token).await;
        list.expect(StatusCode::OK);
        assert!(!listed_ids(&list.body).contains(&id), "{}", list.text);
        let filtered = app.get_query("/api/v1/contacts", &bob_token, &[("filter[first_name][eq]", "Zelinda")]).await;
        assert!(listed_ids(&filtered.body).is_empty(), "{}", filtered.text);
        assert!(search_ids(app, &bob_token, "zelinda").await.is_empty());
        app.get(&format!("{path}/timeline"), &bob_token).await.expect_problem(StatusCode::NOT_FOUND, "not_found");
        app.patch(&path, &bob_token, &json!({"first_name": "Hacked"}))
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not_found");
        app.delete(&path, &bob_token).await.expect_problem(StatusCode::NOT_FOUND, "not_found");
        // Nor can the outsider point a record at it.
        let linked = app.post_json("/api/v1/deals", &bob_token, &json!({"name": "Sneaky", "contact_id": id})).await;
        linked.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(linked.has_field_error("contact_id", "unknown_reference"), "{}", linked.text);

        // The owner and the administrator can.
        let read = app.get(&path, &alice_token).await;
        read.expect(StatusCode::OK);
        assert_eq!(read.body["first_name"], "Zelinda");
        assert_eq!(listed_ids(&app.get("/api/v1/contacts", &alice_token).await.body), vec![id.clone()]);
        assert_eq!(search_ids(app, &alice_token, "zelinda").await, vec![id.clone()]);
        let timeline = app.get(&format!("{path}/timeline"), &alice_token).await;
        timeline.expect(StatusCode::OK);
        assert!(
            timeline.body["items"].as_array().unwrap().iter().any(|e| e["kind"] == "activity"),
            "{}",
            timeline.text
        );
        app.get(&path, &app.admin_token).await.expect(StatusCode::OK);
    })
    .await;
}
