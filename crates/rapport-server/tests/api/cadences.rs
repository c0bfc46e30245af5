//! Cadences and WhatsApp reminders through the API: administrators write
//! cadences, writers start and stop them on records they see, errors in the
//! caller's language; WhatsApp settings keep their token secret, and a web
//! lead's reminders reach a fake Cloud API.

use base64::Engine;
use rapport_channels::testing_whatsapp::{ACCESS_TOKEN, API_VERSION, FakeCloudApi, PHONE_NUMBER_ID};
use rapport_core::access::Role;
use rapport_server::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{backends, field_errors, id_of, on_both_backends, spawn_app_with};

fn cadence() -> serde_json::Value {
    json!({"name": "New web lead", "steps": [
        {"day_offset": 0, "kind": "call", "title": "Call today"},
        {"day_offset": 2, "kind": "email", "title": "E-mail in 2 days", "note": "Send the price list"},
        {"day_offset": 5, "kind": "whatsapp", "title": "WhatsApp in 5 days"},
    ]})
}

#[tokio::test]
async fn administrators_write_cadences_and_writers_start_and_stop_them_on_records_they_see() {
    on_both_backends("cadence api", async |app| {
        let (_, member) = app.user("Member", Role::Member).await;
        app.post_json("/api/v1/cadences", &member, &cadence()).await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let bad = json!({"name": "", "steps": [{"day_offset": 3, "kind": "call", "title": "x"},
            {"day_offset": 1, "kind": "call", "title": " "}]});
        let refused = app
            .send(
                app.request(Method::POST, "/api/v1/cadences", Some(&app.admin_token))
                    .header("Accept-Language", "pt-BR")
                    .json(&bad),
            )
            .await;
        refused.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let fields = field_errors(&refused.body);
        assert!(fields.contains(&("steps[1].day_offset".to_owned(), "step_before_previous".to_owned())), "{fields:?}");
        assert!(fields.contains(&("steps[1].title".to_owned(), "required".to_owned())), "{fields:?}");
        assert!(refused.text.contains("Uma etapa não pode vir antes"), "{}", refused.text);

        let created = app.post_json("/api/v1/cadences", &app.admin_token, &cadence()).await;
        created.expect(StatusCode::CREATED);
        let cadence_id = created.id();
        assert_eq!(created.body["steps"].as_array().map(Vec::len), Some(3));
        let listed = app.get("/api/v1/cadences", &member).await;
        assert_eq!(listed.body["items"][0]["name"], "New web lead");

        let lead = app.post_json("/api/v1/leads", &member, &json!({"first_name": "Ana", "last_name": "Souza"})).await;
        lead.expect(StatusCode::CREATED);
        let lead_id = id_of(&lead.body);
        let start = json!({"record_type": "lead", "record_id": lead_id});
        let path = format!("/api/v1/cadences/{cadence_id}/enrollments");
        let started = app.post_json(&path, &member, &start).await;
        started.expect(StatusCode::CREATED);
        assert_eq!(started.body["status"], "active");
        let twice = app
            .send(app.request(Method::POST, &path, Some(&member)).header("Accept-Language", "es").json(&start))
            .await;
        twice.expect_problem(StatusCode::CONFLICT, "cadence_already_running");
        assert!(twice.text.contains("ya está en esta cadencia"), "{}", twice.text);
        let company = app.create("companies", &json!({"name": "Acme"})).await;
        let wrong = json!({"record_type": "company", "record_id": id_of(&company)});
        app.post_json(&path, &member, &wrong).await.expect(StatusCode::UNPROCESSABLE_ENTITY);

        app.run_due_jobs().await;
        let activities = app.get("/api/v1/activities", &member).await;
        assert_eq!(activities.body["items"][0]["subject"], "Call today", "{}", activities.text);
        let mine = app.get(&format!("/api/v1/leads/{lead_id}/enrollments"), &member).await;
        mine.expect(StatusCode::OK);
        assert_eq!(mine.body["items"][0]["next_step"], 1);

        // Someone else's: a member who is not the owner may not stop it.
        let (_, other) = app.user("Other", Role::Member).await;
        let stop = format!("/api/v1/cadences/enrollments/{}/stop", started.id());
        app.post_json(&stop, &other, &json!({})).await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let stopped = app.post_json(&stop, &member, &json!({"reason": "replied"})).await;
        stopped.expect(StatusCode::OK);
        assert_eq!(
            (stopped.body["status"].as_str(), stopped.body["stop_reason"].as_str()),
            (Some("stopped"), Some("replied"))
        );
        app.post_json(&stop, &member, &json!({})).await.expect_problem(StatusCode::CONFLICT, "cadence_not_running");
    })
    .await;
}

#[tokio::test]
async fn a_web_lead_starts_the_rules_cadence_and_its_reminder_reaches_the_owner_on_whatsapp() {
    for backend in backends("cadence whatsapp api") {
        let key = base64::engine::general_purpose::STANDARD.encode([5u8; 32]);
        let config = ServerConfig {
            secret_key: Some(rapport_db::mail::SecretKey::from_base64(&key).expect("a key")),
            ..ServerConfig::default()
        };
        let app = spawn_app_with(backend, config).await;
        let fake = FakeCloudApi::start().await;
        let settings = json!({"enabled": true, "base_url": fake.base_url(), "api_version": API_VERSION,
            "phone_number_id": PHONE_NUMBER_ID, "access_token": ACCESS_TOKEN});
        let saved = app.put_json("/api/v1/whatsapp/settings", &app.admin_token, &settings).await;
        saved.expect(StatusCode::OK);
        assert_eq!((saved.body["ready"].as_bool(), saved.body["token_set"].as_bool()), (Some(true), Some(true)));
        let read = app.get("/api/v1/whatsapp/settings", &app.admin_token).await;
        assert!(!read.text.contains(ACCESS_TOKEN), "the token never comes back");
        let (_, member) = app.user("Seller", Role::Member).await;
        app.get("/api/v1/whatsapp/settings", &member).await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let number = app.put_json("/api/v1/me/whatsapp", &member, &json!({"phone": "+55 11 98765-4321"})).await;
        number.expect(StatusCode::OK);
        assert_eq!(number.body["phone"], "+5511987654321");
        app.put_json("/api/v1/me/whatsapp", &member, &json!({"phone": "12"}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);

        let created = app.post_json("/api/v1/cadences", &app.admin_token, &cadence()).await;
        let rule = json!({"rule": {"lead_source": "web", "cadence_id": created.id()}});
        app.put_json("/api/v1/cadences/auto-start", &app.admin_token, &rule).await.expect(StatusCode::OK);
        let lead = app
            .post_json(
                "/api/v1/leads",
                &member,
                &json!({"first_name": "Bia", "company_name": "Acme", "source_channel": "web"}),
            )
            .await;
        lead.expect(StatusCode::CREATED);
        app.run_due_jobs().await;
        let got = fake.accepted();
        assert_eq!(got.len(), 1, "malformed: {:?}", fake.malformed());
        assert_eq!(got[0].body["to"], "5511987654321");
        assert!(got[0].body["text"]["body"].as_str().is_some_and(|t| t.contains("Call today")));
        let outbox = app.get("/api/v1/whatsapp/messages", &app.admin_token).await;
        assert_eq!(outbox.body["items"][0]["status"], "sent", "{}", outbox.text);
        app.teardown().await;
    }
}
