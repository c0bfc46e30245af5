use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{field_errors, id_of, on_both_backends};

fn order_body() -> serde_json::Value {
    json!({
        "currency": "BRL",
        "lines": [
            {"description": "Cadeira", "quantity_milli": 2000, "unit_price_minor": 10_000},
            {"description": "Mesa", "quantity_milli": 1000, "unit_price_minor": 50_000, "tax_rate_bp": 1000},
        ],
        "promised_delivery_date": "2026-03-05",
    })
}

#[tokio::test]
async fn an_order_is_paid_returned_and_refunded_through_the_api_with_errors_in_the_callers_language() {
    on_both_backends("order api", async |app| {
        let order = app.create("orders", &order_body()).await;
        assert_eq!(order["number"], "O-2026-0001");
        assert_eq!(order["total_minor"], 75_000);
        let id = id_of(&order);
        let paid = app
            .post_json(&format!("/api/v1/orders/{id}/payments"), &app.admin_token, &json!({"amount_minor": 75_000}))
            .await;
        paid.expect(StatusCode::OK);
        assert_eq!(paid.body["payment_status"], "paid");

        let ask =
            json!({"items": [{"line": 0, "quantity_milli": 1000}], "reason": "damaged", "desired_outcome": "refund"});
        let request = app.post_json(&format!("/api/v1/orders/{id}/returns"), &app.admin_token, &ask).await;
        request.expect(StatusCode::CREATED);
        assert_eq!(request.body["refund_minor"], 10_000);
        let return_id = id_of(&request.body);

        // A refund beyond what was paid: a 422 in Portuguese, and nothing changed.
        let decision = format!("/api/v1/returns/{return_id}/decision");
        app.post_json(&decision, &app.admin_token, &json!({"action": "approve"})).await.expect(StatusCode::OK);
        let greedy = app
            .send(
                app.request(Method::POST, &decision, Some(&app.admin_token))
                    .header("Accept-Language", "pt-BR")
                    .json(&json!({"action": "refund", "refund_minor": 80_000})),
            )
            .await;
        greedy.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_errors(&greedy.body), [("refund_minor".to_owned(), "exceeds_paid".to_owned())]);
        assert!(greedy.text.contains("reembolsado"), "{}", greedy.text);
        let unchanged = app.get(&format!("/api/v1/returns/{return_id}"), &app.admin_token).await;
        assert_eq!(unchanged.body["status"], "approved");

        app.post_json(&decision, &app.admin_token, &json!({"action": "refund"})).await.expect(StatusCode::OK);
        let order_now = app.get(&format!("/api/v1/orders/{id}"), &app.admin_token).await;
        assert_eq!(order_now.body["refunded_minor"], 10_000);
        let returns = app.get(&format!("/api/v1/orders/{id}/returns"), &app.admin_token).await;
        assert_eq!(returns.body["items"].as_array().map(Vec::len), Some(1));

        let too_many =
            json!({"items": [{"line": 0, "quantity_milli": 5000}], "reason": "damaged", "desired_outcome": "exchange"});
        let refused = app.post_json(&format!("/api/v1/orders/{id}/returns"), &app.admin_token, &too_many).await;
        refused.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            field_errors(&refused.body),
            [("items[0].quantity_milli".to_owned(), "exceeds_returnable".to_owned())]
        );
    })
    .await;
}

#[tokio::test]
async fn the_customer_link_shows_the_order_takes_a_return_request_and_stops_when_revoked() {
    on_both_backends("customer link", async |app| {
        let order = app.create("orders", &order_body()).await;
        let id = id_of(&order);
        let created = app.post_json(&format!("/api/v1/orders/{id}/public-link"), &app.admin_token, &json!({})).await;
        created.expect(StatusCode::CREATED);
        let url = created.body["url"].as_str().expect("a url").to_owned();
        let path = url.split_once("/p/").map(|(_, rest)| format!("/p/{rest}")).expect("our path");

        let page = app.send(app.request(Method::GET, &path, None).header("Accept-Language", "es")).await;
        page.expect(StatusCode::OK);
        assert!(page.text.contains("O-2026-0001") && page.text.contains("Devolución o reembolso"), "{}", page.text);
        assert!(page.header("content-security-policy").is_some_and(|p| p.contains("script-src 'self'")));

        let form = [
            ("qty_0", "1"),
            ("qty_1", "0"),
            ("reason", "damaged"),
            ("reason_detail", "Pata rota"),
            ("desired_outcome", "exchange"),
        ];
        let sent = app.send(app.request(Method::POST, &path, None).form(&form)).await;
        sent.expect(StatusCode::OK);
        assert!(sent.text.contains("Solicitada") || sent.text.contains("Requested"), "{}", sent.text);
        let returns = app.get(&format!("/api/v1/orders/{id}/returns"), &app.admin_token).await;
        assert_eq!(returns.body["items"][0]["requested_by_customer"], true);

        let forged =
            app.send(app.request(Method::POST, &path, None).header("Origin", "https://evil.example").form(&form)).await;
        forged.expect(StatusCode::FORBIDDEN);

        app.delete(&format!("/api/v1/orders/{id}/public-link"), &app.admin_token).await.expect(StatusCode::NO_CONTENT);
        let revoked = app.send(app.request(Method::GET, &path, None)).await;
        revoked.expect(StatusCode::GONE);
        assert!(!revoked.text.contains("O-2026-0001"));
        let wrong = app.send(app.request(Method::GET, "/p/orders/not-a-token", None)).await;
        wrong.expect(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn administrators_manage_return_rules_and_members_cannot() {
    on_both_backends("return rules api", async |app| {
        let rule = app
            .post_json(
                "/api/v1/return-rules",
                &app.admin_token,
                &json!({"condition": "refund_at_most", "amount_minor": 5_000, "currency": "BRL"}),
            )
            .await;
        rule.expect(StatusCode::CREATED);
        let list = app.get("/api/v1/return-rules", &app.admin_token).await;
        assert_eq!(list.body["items"][0]["id"], rule.body["id"]);
        let (_, member) = app.user("Member", rapport_core::access::Role::Member).await;
        app.get("/api/v1/return-rules", &member).await.expect(StatusCode::FORBIDDEN);
        let bad = app
            .post_json(
                "/api/v1/return-rules",
                &app.admin_token,
                &json!({"condition": "not_delivered_after_promise", "days": -1}),
            )
            .await;
        bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let id = id_of(&rule.body);
        app.delete(&format!("/api/v1/return-rules/{id}"), &app.admin_token).await.expect(StatusCode::NO_CONTENT);
    })
    .await;
}
