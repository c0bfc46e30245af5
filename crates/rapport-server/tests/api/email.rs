//! The e-mail API: settings, a test message through a real SMTP exchange,
//! templates, the outbox, and a message about a deal that lands on its
//! timeline.

use rapport_channels::testing::SmtpReceiver;
use rapport_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_backends};

async fn point_at(app: &TestApp, receiver: &SmtpReceiver) {
    let settings = json!({
        "host": "127.0.0.1", "port": receiver.port, "security": "none",
        "from_address": "crm@rapport.test", "from_name": "Rapport", "default_language": "en",
    });
    app.put_json("/api/v1/email/settings", &app.admin_token, &settings).await.expect(StatusCode::OK);
}

#[tokio::test]
async fn an_administrator_sets_up_smtp_and_a_test_email_is_delivered() {
    on_both_backends("an_administrator_sets_up_smtp_and_a_test_email_is_delivered", async |app| {
        let receiver = SmtpReceiver::start().await;
        let empty = app.get("/api/v1/email/settings", &app.admin_token).await;
        empty.expect(StatusCode::OK);
        assert_eq!((empty.body["ready"].as_bool(), empty.body["source"].as_str()), (Some(false), Some("settings")));

        // No secret key in this server's configuration: no password can be stored.
        let with_password =
            json!({"host": "127.0.0.1", "from_address": "crm@rapport.test", "password": "hunter2-long"});
        let refused = app.put_json("/api/v1/email/settings", &app.admin_token, &with_password).await;
        refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(refused.has_field_error("password", "secret_key_missing"), "{}", refused.text);

        point_at(app, &receiver).await;
        let shown = app.get("/api/v1/email/settings", &app.admin_token).await;
        assert_eq!(
            (shown.body["ready"].as_bool(), shown.body["port"].as_u64()),
            (Some(true), Some(u64::from(receiver.port)))
        );
        assert!(shown.body.get("password").is_none(), "{}", shown.text);

        let queued = app.post_json("/api/v1/email/test", &app.admin_token, &json!({"to": "ops@example.com"})).await;
        queued.expect(StatusCode::ACCEPTED);
        assert_eq!(queued.body["status"], "queued");
        app.run_due_jobs().await;
        let id = queued.body["id"].as_str().expect("an id");
        let sent = app.get(&format!("/api/v1/email/outbox/{id}"), &app.admin_token).await;
        assert_eq!(sent.body["status"], "sent", "{}", sent.text);
        let got = receiver.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].header("Subject").as_deref(), Some("Rapport test e-mail"));
        assert!(got[0].data.contains("sent by Admin"), "{}", got[0].data);
        let outbox = app.get("/api/v1/email/outbox", &app.admin_token).await;
        assert_eq!(outbox.body["items"][0]["id"], id);

        // Members see none of it.
        let (_, member) = app.user("Member", Role::Member).await;
        app.get("/api/v1/email/settings", &member).await.expect(StatusCode::FORBIDDEN);
        app.get("/api/v1/email/outbox", &member).await.expect(StatusCode::FORBIDDEN);
        app.post_json("/api/v1/email/test", &member, &json!({"to": "x@example.com"}))
            .await
            .expect(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn an_email_about_a_deal_goes_to_its_contact_in_their_words_and_shows_on_the_timeline() {
    on_both_backends("an_email_about_a_deal_goes_to_its_contact", async |app| {
        let receiver = SmtpReceiver::start().await;
        point_at(app, &receiver).await;
        let contact = app
            .create("contacts", &json!({"first_name": "Ana", "last_name": "Souza", "emails": ["ana@example.com"]}))
            .await;
        let deal = app.create("deals", &json!({"name": "Acme annual plan", "contact_id": contact["id"]})).await;
        let deal_id = deal["id"].as_str().expect("an id");

        let (_, member) = app.user("Member", Role::Member).await;
        let reply =
            app.post_json(&format!("/api/v1/deals/{deal_id}/emails"), &member, &json!({"template": "follow_up"})).await;
        reply.expect(StatusCode::ACCEPTED);
        app.run_due_jobs().await;
        let got = receiver.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].rcpt_to, vec!["ana@example.com".to_owned()]);
        assert_eq!(got[0].header("Subject").as_deref(), Some("Following up: Acme annual plan"));
        assert!(got[0].data.contains("Hello Ana Souza"), "{}", got[0].data);

        let timeline = app.get(&format!("/api/v1/deals/{deal_id}/timeline"), &member).await;
        let entries = timeline.body["items"].as_array().expect("entries").clone();
        let email: Vec<&Value> = entries.iter().filter(|e| e["kind"] == "email").collect();
        assert_eq!(email.len(), 1, "{entries:?}");
        assert_eq!(email[0]["data"]["status"], "sent");

        // A record without anyone to write to says so, on the field.
        let lonely = app.create("deals", &json!({"name": "Nobody's deal"})).await;
        let path = format!("/api/v1/deals/{}/emails", lonely["id"].as_str().expect("an id"));
        let refused = app.post_json(&path, &member, &json!({"subject": "Hi", "body": "Hello"})).await;
        refused.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.has_field_error("to", "no_email"), "{}", refused.text);
    })
    .await;
}

#[tokio::test]
async fn a_broken_template_is_refused_with_its_line_and_a_good_one_previews() {
    on_both_backends("a_broken_template_is_refused_with_its_line", async |app| {
        let broken = json!({"subject": "Hi", "body": "Hello\n{{ recipient.name "});
        let reply = app.put_json("/api/v1/email/templates/follow_up/es", &app.admin_token, &broken).await;
        reply.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.has_field_error("body", "template_syntax"), "{}", reply.text);

        let good = json!({"subject": "Hola {{ recipient.name }}", "body": "Saludos de {{ sender.name }}"});
        app.put_json("/api/v1/email/templates/follow_up/es", &app.admin_token, &good)
            .await
            .expect(StatusCode::NO_CONTENT);
        let preview = app.post_json("/api/v1/email/templates/follow_up/es/preview", &app.admin_token, &json!({})).await;
        preview.expect(StatusCode::OK);
        assert_eq!(
            (preview.body["subject"].as_str(), preview.body["body"].as_str()),
            (Some("Hola Ana Souza"), Some("Saludos de Admin"))
        );
        let listed = app.get("/api/v1/email/templates/follow_up", &app.admin_token).await;
        let es = listed.body["versions"].as_array().expect("versions").iter().find(|v| v["language"] == "es").cloned();
        assert_eq!(es.expect("es")["edited"], true);
        app.get("/api/v1/email/templates/nope", &app.admin_token).await.expect(StatusCode::NOT_FOUND);
    })
    .await;
}
