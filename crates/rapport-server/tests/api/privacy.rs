//! Data-subject tools: erasing a contact through the API and the web UI.

use rapport_core::access::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, on_both_backends};

/// An administrator erases a contact by naming it: personal fields and the
/// text about the person go, deals stay; members are refused.
#[tokio::test]
async fn an_administrator_erases_a_contact_who_asked_and_the_deals_stay() {
    on_both_backends("an_administrator_erases_a_contact_who_asked_and_the_deals_stay", async |app| {
        let contact = app
            .create("contacts", &json!({"first_name": "Joana", "last_name": "Lima", "emails": ["joana@pao.com.br"]}))
            .await;
        let id = contact["id"].as_str().expect("an id").to_owned();
        app.create(
            "deals",
            &json!({"name": "Forno novo", "amount_minor": 90_000, "currency": "BRL", "contact_id": id}),
        )
        .await;
        app.create(
            "activities",
            &json!({"kind": "note", "body": "Prefere WhatsApp", "related": [{"type": "contact", "id": id}]}),
        )
        .await;
        let path = format!("/api/v1/contacts/{id}/erase");

        let (_, member) = app.user("Beto Vendas", Role::Member).await;
        app.post_json(&path, &member, &json!({"confirm_name": "Joana Lima"})).await.expect(StatusCode::FORBIDDEN);
        let wrong = app.post_json(&path, &app.admin_token, &json!({"confirm_name": "Joana"})).await;
        wrong.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.has_field_error("confirm_name", "confirmation_mismatch"), "{}", wrong.text);
        app.post_json(&path, &app.admin_token, &json!({})).await.expect(StatusCode::UNPROCESSABLE_ENTITY);

        let reply = app
            .send(
                app.request(reqwest::Method::POST, &path, Some(&app.admin_token))
                    .header("accept-language", "pt-BR")
                    .json(&json!({"confirm_name": "joana lima"})),
            )
            .await;
        reply.expect(StatusCode::OK);
        assert_eq!(reply.body["activities_erased"], 1, "{}", reply.text);

        let erased = app.get(&format!("/api/v1/contacts/{id}"), &app.admin_token).await;
        assert_eq!(erased.body["first_name"], "Contato apagado");
        assert_eq!(erased.body["emails"], json!(null));
        let data = app.get(&format!("/api/v1/contacts/{id}/personal-data"), &app.admin_token).await;
        for secret in ["Joana", "joana@pao.com.br", "WhatsApp"] {
            assert!(!data.text.contains(secret), "{secret} left in {}", data.text);
        }
        assert_eq!(data.body["deals"][0]["amount_minor"], 90_000);
        let found = app.get_query("/api/v1/search", &app.admin_token, &[("q", "joana")]).await;
        assert!(!found.text.contains(&id), "{}", found.text);
        let unknown = format!("/api/v1/contacts/{}/erase", uuid::Uuid::now_v7());
        app.post_json(&unknown, &app.admin_token, &json!({"confirm_name": "x"})).await.expect(StatusCode::NOT_FOUND);
    })
    .await;
}

/// The web UI: the contact page offers the erase screen to administrators,
/// which says what will happen and asks for the name, with CSRF.
#[tokio::test]
async fn the_erase_screen_asks_for_the_name_before_erasing() {
    on_both_backends("the_erase_screen_asks_for_the_name_before_erasing", async |app| {
        let form = [("email", "admin@rapport.test"), ("password", PASSWORD), ("next", "/")];
        app.send(app.client.post(app.url("/sign-in")).form(&form)).await;
        let contact = app.create("contacts", &json!({"first_name": "Rui", "last_name": "<b>Costa</b>"})).await;
        let id = contact["id"].as_str().expect("an id").to_owned();
        let show = app.send(app.client.get(app.url(&format!("/contacts/{id}")))).await;
        assert!(show.text.contains(&format!("href=\"/contacts/{id}/erase\"")), "{}", show.text);
        assert!(show.text.contains(&format!("/api/v1/contacts/{id}/personal-data")));

        let page = app.send(app.client.get(app.url(&format!("/contacts/{id}/erase")))).await;
        page.expect(StatusCode::OK);
        assert!(page.text.contains("Erased contact"), "says what the name becomes");
        assert!(page.text.contains("Costa") && !page.text.contains("<b>Costa"), "the name is escaped");
        let csrf = page
            .text
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a CSRF token")
            .to_owned();
        let post = |fields: Vec<(&'static str, String)>| {
            app.send(app.client.post(app.url(&format!("/contacts/{id}/erase"))).form(&fields))
        };
        post(vec![("confirm_name", "Rui <b>Costa</b>".into())]).await.expect(StatusCode::FORBIDDEN);
        let wrong = post(vec![("_csrf", csrf.clone()), ("confirm_name", "Rui".into())]).await;
        wrong.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.text.contains("does not match"), "{}", wrong.text);
        let done = post(vec![("_csrf", csrf), ("confirm_name", "Rui <b>Costa</b>".into())]).await;
        assert!(done.status.is_success(), "{} {}", done.status, done.text);
        assert!(done.text.contains("Erased contact") && !done.text.contains("Costa"), "{}", done.text);
    })
    .await;
}

/// A vCard file through the API, and through the import page with its
/// report; the imported photo is served to those who can see the contact.
#[tokio::test]
async fn vcards_import_through_the_api_and_the_import_page_with_photos() {
    on_both_backends("vcards_import_through_the_api_and_the_import_page_with_photos", async |app| {
        use base64::Engine as _;
        const JPEG: &[u8] = &[
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
            0x01, 0x00, 0x00, 0xFF, 0xD9,
        ];
        let photo = base64::engine::general_purpose::STANDARD.encode(JPEG);
        let file = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lima;Rui;;;\r\nEMAIL:rui@example.com\r\nPHOTO;ENCODING=b;TYPE=JPEG:{photo}\r\nEND:VCARD\r\n\
            BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sem Email\r\nEMAIL:broken\r\nEND:VCARD\r\n"
        );
        let post_vcf = |token: String, body: String| {
            app.send(
                app.request(reqwest::Method::POST, "/api/v1/contacts/import.vcf", Some(&token))
                    .header("content-type", "text/vcard")
                    .body(body),
            )
        };
        let reply = post_vcf(app.admin_token.clone(), file.clone()).await;
        reply.expect(StatusCode::OK);
        let counts = (reply.body["created"].as_u64(), reply.body["rejected"].as_u64());
        assert_eq!(counts, (Some(1), Some(1)), "{}", reply.text);
        let id = reply.body["cards"][0]["contact_id"].as_str().expect("an id").to_owned();
        post_vcf(app.admin_token.clone(), "name,email\n".into()).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let untyped = app
            .send(
                app.request(reqwest::Method::POST, "/api/v1/contacts/import.vcf", Some(&app.admin_token))
                    .header("content-type", "text/csv")
                    .body(file.clone()),
            )
            .await;
        untyped.expect_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        let (_, reader) = app.user("Lia Leitura", Role::ReadOnly).await;
        post_vcf(reader, file.clone()).await.expect(StatusCode::FORBIDDEN);

        let form = [("email", "admin@rapport.test"), ("password", PASSWORD), ("next", "/")];
        app.send(app.client.post(app.url("/sign-in")).form(&form)).await;
        let imports = app.send(app.client.get(app.url("/imports"))).await;
        let csrf = imports
            .text
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a CSRF token")
            .to_owned();
        let boundary = "rapport-test-boundary";
        let mut upload = String::new();
        for (name, value) in [("_csrf", csrf.as_str()), ("kind", "contacts")] {
            upload.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        upload.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"iphone.vcf\"\r\n\
            Content-Type: text/vcard\r\n\r\n{file}\r\n--{boundary}--\r\n"
        ));
        let page = app
            .send(
                app.client
                    .post(app.url("/imports"))
                    .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                    .body(upload),
            )
            .await;
        page.expect(StatusCode::OK);
        assert!(page.text.contains("0 created, 1 skipped, 1 rejected"), "{}", page.text);
        assert!(page.text.contains("Enter a valid e-mail"), "{}", page.text);

        let show = app.send(app.client.get(app.url(&format!("/contacts/{id}")))).await;
        assert!(show.text.contains(&format!("src=\"/contacts/{id}/photo\"")), "{}", show.text);
        let image = app.client.get(app.url(&format!("/contacts/{id}/photo"))).send().await.expect("photo");
        assert_eq!(image.headers()["content-type"], "image/jpeg");
        assert_eq!(image.bytes().await.expect("bytes").as_ref(), JPEG);
        let other = app.send(app.client.get(app.url(&format!("/contacts/{}/photo", uuid::Uuid::now_v7())))).await;
        other.expect(StatusCode::NOT_FOUND);
    })
    .await;
}

/// The profile page makes a secret calendar link, shown once; the link
/// serves the user's activities as iCalendar without a session, until it is
/// reset or turned off.
#[tokio::test]
async fn a_secret_calendar_link_serves_the_users_activities_until_turned_off() {
    on_both_backends("a_secret_calendar_link_serves_the_users_activities_until_turned_off", async |app| {
        app.create(
            "activities",
            &json!({"kind": "meeting", "subject": "Visita; Padaria", "starts_at": "2026-12-10T14:00:00-03:00"}),
        )
        .await;
        let form = [("email", "admin@rapport.test"), ("password", PASSWORD), ("next", "/")];
        app.send(app.client.post(app.url("/sign-in")).form(&form)).await;
        let profile = app.send(app.client.get(app.url("/profile"))).await;
        assert!(profile.text.contains("Create a link"), "{}", profile.text);
        let csrf = profile
            .text
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a CSRF token")
            .to_owned();
        app.send(app.client.post(app.url("/profile/calendar")).form(&[("_csrf", "wrong")]))
            .await
            .expect(StatusCode::FORBIDDEN);
        let made = app.send(app.client.post(app.url("/profile/calendar")).form(&[("_csrf", csrf.as_str())])).await;
        made.expect(StatusCode::OK);
        let url = made
            .text
            .split("id=\"c-url\" class=\"secret\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the link, shown once")
            .to_owned();
        let path = url.split_once("/calendar/").map(|(_, rest)| format!("/calendar/{rest}")).expect("a feed path");
        assert!(path.ends_with(".ics"), "{path}");

        let anonymous = reqwest::Client::new();
        let feed = anonymous.get(app.url(&path)).send().await.expect("feed");
        assert_eq!(feed.status(), StatusCode::OK);
        assert_eq!(feed.headers()["content-type"], "text/calendar; charset=utf-8");
        let body = feed.text().await.expect("text");
        assert!(body.contains("BEGIN:VEVENT\r\n") && body.contains("SUMMARY:Visita\\; Padaria\r\n"), "{body}");
        assert!(body.contains("DTSTART:20261210T170000Z\r\n"), "{body}");

        let again = app.send(app.client.get(app.url("/profile"))).await;
        assert!(!again.text.contains(&path), "the link is shown once");
        assert!(again.text.contains("Reset the link"));
        app.send(app.client.post(app.url("/profile/calendar/off")).form(&[("_csrf", csrf.as_str())]))
            .await
            .expect(StatusCode::OK);
        let gone = anonymous.get(app.url(&path)).send().await.expect("feed");
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
        let guessed = anonymous.get(app.url("/calendar/guess.ics")).send().await.expect("feed");
        assert_eq!(guessed.status(), StatusCode::NOT_FOUND);
    })
    .await;
}
