//! Quotes and products over HTTP: the actions, the configured price, and
//! refusals that are clear 4xx problems in the caller's language.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, field_errors, on_both_backends};

async fn product(app: &TestApp) -> Value {
    app.create(
        "products",
        &json!({
            "name": "CRM", "prices": {"BRL": 10_000}, "tax_rate_bp": 500,
            "options": {"groups": [
                {"code": "plan", "label": "Plan", "required": true, "options": [
                    {"code": "basic", "label": "Basic", "prices": {"BRL": 0}},
                    {"code": "pro", "label": "Pro", "prices": {"BRL": 5_000}},
                ]},
                {"code": "addons", "label": "Add-ons", "multiple": true, "options": [
                    {"code": "training", "label": "Training", "prices": {"BRL": 2_000}},
                ]},
            ], "rules": [{"option": "training", "kind": "requires", "other": "pro"}]},
        }),
    )
    .await
}

#[tokio::test]
async fn quotes_are_priced_sent_revised_and_accepted_over_http() {
    on_both_backends("quotes_are_priced_sent_revised_and_accepted_over_http", async |app| {
        let token = &app.admin_token;
        let product = product(app).await;
        let product_id = product["id"].as_str().expect("an id").to_owned();
        let deal = app.create("deals", &json!({"name": "Subscription"})).await;

        let price = app
            .post_json(&format!("/api/v1/products/{product_id}/configured-price"), token, &json!({"currency": "BRL", "options": ["pro", "training"]}))
            .await;
        price.expect(StatusCode::OK);
        assert_eq!(price.body["unit_price_minor"], json!(17_000));

        let line = json!({"product_id": product_id, "quantity_milli": 3_000, "options": ["pro", "training"]});
        let quote = app
            .create("quotes", &json!({"deal_id": deal["id"], "currency": "BRL", "valid_until": "2026-12-31", "discount_bp": 1_000, "lines": [line]}))
            .await;
        assert_eq!(quote["number"], json!("Q-2026-0001"));
        // 3 × 170,00 = 510,00; less 10 % = 459,00; tax 5 % = 22,95.
        assert_eq!(
            [&quote["subtotal_minor"], &quote["discount_minor"], &quote["tax_minor"], &quote["total_minor"]],
            [&json!(51_000), &json!(5_100), &json!(2_295), &json!(48_195)]
        );
        let id = quote["id"].as_str().expect("an id").to_owned();
        app.post_json(&format!("/api/v1/quotes/{id}/make-primary"), token, &json!({})).await.expect(StatusCode::OK);
        let deal_now = app.get(&format!("/api/v1/deals/{}", deal["id"].as_str().unwrap_or_default()), token).await;
        assert_eq!(deal_now.body["amount_minor"], json!(48_195));

        app.post_json(&format!("/api/v1/quotes/{id}/send"), token, &json!({})).await.expect(StatusCode::OK);
        // A sent quote is not edited: a 409 that says to make a revision, in Portuguese when asked.
        let edit = app
            .send(
                app.request(reqwest::Method::PATCH, &format!("/api/v1/quotes/{id}"), Some(token))
                    .header("Accept-Language", "pt-BR")
                    .json(&json!({"discount_bp": 0})),
            )
            .await;
        edit.expect_problem(StatusCode::CONFLICT, "quote_not_editable");
        assert!(edit.body["detail"].as_str().is_some_and(|d| d.contains("revisão")), "{}", edit.text);

        let revision = app.post_json(&format!("/api/v1/quotes/{id}/revise"), token, &json!({})).await;
        revision.expect(StatusCode::CREATED);
        assert_eq!((revision.body["number"].clone(), revision.body["revision"].clone()), (json!("Q-2026-0001"), json!(2)));
        let revision_id = revision.id();
        app.patch(&format!("/api/v1/quotes/{revision_id}"), token, &json!({"discount_bp": 0})).await.expect(StatusCode::OK);
        app.post_json(&format!("/api/v1/quotes/{revision_id}/send"), token, &json!({})).await.expect(StatusCode::OK);
        let accepted = app.post_json(&format!("/api/v1/quotes/{revision_id}/accept"), token, &json!({})).await;
        accepted.expect(StatusCode::OK);
        assert_eq!(accepted.body["quote"]["status"], json!("accepted"));
        assert_eq!(accepted.body["deal"]["status"], json!("won"));
        assert_eq!(accepted.body["deal"]["amount_minor"], json!(53_550), "the revision is primary");
        app.post_json(&format!("/api/v1/quotes/{revision_id}/accept"), token, &json!({}))
            .await
            .expect_problem(StatusCode::CONFLICT, "quote_already_accepted");
        app.post_json(&format!("/api/v1/quotes/{id}/accept"), token, &json!({}))
            .await
            .expect_problem(StatusCode::CONFLICT, "quote_superseded");
    })
    .await;
}

#[tokio::test]
async fn bad_quote_input_gets_field_errors_in_the_callers_language() {
    on_both_backends("bad_quote_input_gets_field_errors_in_the_callers_language", async |app| {
        let token = &app.admin_token;
        let product = product(app).await;
        let deal = app.create("deals", &json!({"name": "Bad input"})).await;
        let in_spanish = |body: Value| {
            app.request(reqwest::Method::POST, "/api/v1/quotes", Some(token)).header("Accept-Language", "es").json(&body)
        };
        let quote = |lines: Value, currency: &str, discount: i64| {
            json!({"deal_id": deal["id"], "currency": currency, "discount_bp": discount, "lines": lines})
        };
        let configured = |options: Value| json!([{"product_id": product["id"], "quantity_milli": 1_000, "options": options}]);

        let cases = [
            (quote(json!([{"description": "x", "quantity_milli": -5, "unit_price_minor": 1}]), "BRL", 0), "lines[0].quantity_milli", "out_of_range"),
            (quote(json!([]), "BRL", 10_001), "discount_bp", "out_of_range"),
            (quote(configured(json!(["basic", "training"])), "BRL", 0), "lines[0].options", "option_requires"),
            (quote(configured(json!(["basic"])), "USD", 0), "lines[0].product_id", "currency_not_priced"),
        ];
        for (body, field, code) in cases {
            let reply = app.send(in_spanish(body)).await;
            reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            // The first error; an option without a USD price is named too.
            assert_eq!(field_errors(&reply.body)[0], (field.to_owned(), code.to_owned()), "{}", reply.text);
            let message = reply.body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(!message.is_empty() && reply.header("content-language") == Some("es"), "{}", reply.text);
        }
        let requires = app.send(in_spanish(quote(configured(json!(["basic", "training"])), "BRL", 0))).await;
        assert_eq!(requires.body["errors"][0]["message"], json!("\"Training\" requiere \"Pro\": elige ambas, o ninguna."));
        let listed = app.get("/api/v1/quotes", token).await;
        assert_eq!(listed.body["items"], json!([]), "nothing was stored");

        // Accepting a draft, and an expired quote.
        let draft = app.create("quotes", &quote(json!([{"description": "x", "quantity_milli": 1_000, "unit_price_minor": 100}]), "BRL", 0)).await;
        let id = draft["id"].as_str().unwrap_or_default().to_owned();
        app.post_json(&format!("/api/v1/quotes/{id}/accept"), token, &json!({}))
            .await
            .expect_problem(StatusCode::CONFLICT, "quote_not_sent");
        app.patch(&format!("/api/v1/quotes/{id}"), token, &json!({"valid_until": "2026-03-10"})).await.expect(StatusCode::OK);
        app.post_json(&format!("/api/v1/quotes/{id}/send"), token, &json!({})).await.expect(StatusCode::OK);
        app.clock.advance(chrono::Duration::days(30));
        let expired = app
            .send(app.request(reqwest::Method::POST, &format!("/api/v1/quotes/{id}/accept"), Some(token)).header("Accept-Language", "pt-BR"))
            .await;
        expired.expect_problem(StatusCode::CONFLICT, "quote_expired");
        assert!(expired.body["detail"].as_str().is_some_and(|d| d.contains("validade")), "{}", expired.text);
    })
    .await;
}

/// A quote e-mailed to its contact goes through a real SMTP exchange with
/// its PDF attached; the customer opens the link in the message, downloads
/// the PDF and accepts: the quote is accepted, the deal won and one order
/// made, shown on the customer's page; a second decision is refused.
#[tokio::test]
async fn a_quote_goes_by_email_and_the_customer_accepts_it_through_its_link() {
    on_both_backends("a_quote_goes_by_email_and_the_customer_accepts_it", async |app| {
        let token = &app.admin_token;
        let receiver = rapport_channels::testing::SmtpReceiver::start().await;
        let settings = json!({
            "host": "127.0.0.1", "port": receiver.port, "security": "none",
            "from_address": "crm@rapport.test", "from_name": "Rapport", "default_language": "en",
        });
        app.put_json("/api/v1/email/settings", token, &settings).await.expect(StatusCode::OK);
        let contact = app.create("contacts", &json!({"first_name": "Ana", "emails": ["ana@example.com"]})).await;
        let deal = app.create("deals", &json!({"name": "Annual plan", "contact_id": contact["id"]})).await;
        let line = json!({"description": "Annual plan", "quantity_milli": 2_000, "unit_price_minor": 150_000});
        let quote = app
            .create("quotes", &json!({"deal_id": deal["id"], "contact_id": contact["id"], "currency": "BRL", "valid_until": "2099-12-31", "lines": [line]}))
            .await;
        let id = quote["id"].as_str().expect("an id").to_owned();

        let bad = app.post_json(&format!("/api/v1/quotes/{id}/email"), token, &json!({"to": "not an address"})).await;
        bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.has_field_error("to", "invalid_email"), "{}", bad.text);
        let sent = app.post_json(&format!("/api/v1/quotes/{id}/email"), token, &json!({})).await;
        sent.expect(StatusCode::OK);
        assert_eq!(sent.body["quote"]["status"], json!("sent"));
        app.post_json(&format!("/api/v1/quotes/{id}/email"), token, &json!({}))
            .await
            .expect_problem(StatusCode::CONFLICT, "quote_transition");

        app.run_due_jobs().await;
        let got = receiver.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].rcpt_to, vec!["ana@example.com".to_owned()]);
        assert_eq!(got[0].header("Subject").as_deref(), Some("Quote Q-2026-0001 from Admin"));
        assert!(got[0].data.contains("application/pdf") && got[0].data.contains("Q-2026-0001.pdf"), "{}", got[0].data);
        let message_id = sent.body["message_id"].as_str().expect("a message");
        let message = app.get(&format!("/api/v1/email/outbox/{message_id}"), token).await;
        let body = message.body["body"].as_str().expect("a body").to_owned();
        let path = body
            .split_once("/p/quotes/")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .map(|token| format!("/p/quotes/{token}"))
            .expect("the customer's link is in the message");

        let page = app.send(app.request(reqwest::Method::GET, &path, None).header("Accept-Language", "pt-BR")).await;
        page.expect(StatusCode::OK);
        assert!(page.text.contains("Q-2026-0001") && page.text.contains("Aceitar a proposta"), "{}", page.text);
        assert!(page.text.contains("3.000,00"), "{}", page.text);
        // The PDF, in the customer's browser's language (the contact has none).
        let pdf = app.client.get(app.url(&format!("{path}/pdf"))).header("Accept-Language", "pt-BR").send().await;
        let pdf = pdf.expect("the PDF");
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("customer-quote-{}.pdf", uuid::Uuid::now_v7()));
        std::fs::write(&file, pdf.bytes().await.expect("bytes")).expect("write the PDF");
        let text = std::process::Command::new("pdftotext").args(["-layout", "-enc", "UTF-8"]).arg(&file).arg("-").output();
        let text = String::from_utf8(text.expect("pdftotext runs (poppler-utils)").stdout).expect("UTF-8");
        for expected in ["Orçamento", "Q-2026-0001", "Annual plan", "Ana", "3.000,00"] {
            assert!(text.contains(expected), "{expected:?} is missing from:\n{text}");
        }

        let forged = app
            .send(app.request(reqwest::Method::POST, &format!("{path}/accept"), None).header("Origin", "https://evil.example"))
            .await;
        forged.expect(StatusCode::FORBIDDEN);
        let accepted = app.send(app.request(reqwest::Method::POST, &format!("{path}/accept"), None)).await;
        accepted.expect(StatusCode::OK);
        assert!(accepted.text.contains("O-2026-0001"), "the page names the order: {}", accepted.text);
        assert!(!accepted.text.contains("data-decision"), "no more buttons");
        let again = app.send(app.request(reqwest::Method::POST, &format!("{path}/reject"), None)).await;
        again.expect(StatusCode::CONFLICT);
        assert!(again.text.contains("already accepted"), "{}", again.text);

        let orders = app.get(&format!("/api/v1/orders?filter[quote_id][eq]={id}"), token).await;
        let items = orders.body["items"].as_array().expect("orders").clone();
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["total_minor"], json!(300_000));
        let deal_now = app.get(&format!("/api/v1/deals/{}", deal["id"].as_str().unwrap_or_default()), token).await;
        assert_eq!(deal_now.body["status"], json!("won"));
    })
    .await;
}
