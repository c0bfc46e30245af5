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
