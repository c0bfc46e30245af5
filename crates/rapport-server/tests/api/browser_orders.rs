//! The customer's page of their order in a real browser: opened by its
//! secret link, a return asked for and followed.

use reqwest::StatusCode;
use serde_json::json;

use crate::browser::signed_in;
use crate::helpers::id_of;

#[tokio::test]
async fn a_customer_asks_for_a_return_through_the_secret_link_and_follows_it() {
    let Some((app, browser, _guard)) = signed_in("public_return").await else { return };
    let order = app
        .create(
            "orders",
            &json!({
                "currency": "BRL",
                "lines": [
                    {"description": "Cadeira ergonômica", "quantity_milli": 2000, "unit_price_minor": 89_990},
                    {"description": "Mesa de reunião", "quantity_milli": 1000, "unit_price_minor": 250_000, "tax_rate_bp": 1000},
                ],
                "promised_delivery_date": "2026-03-05",
                "tracking_code": "BR123456789",
            }),
        )
        .await;
    let id = id_of(&order);
    let link = app.post_json(&format!("/api/v1/orders/{id}/public-link"), &app.admin_token, &json!({})).await;
    link.expect(StatusCode::CREATED);
    let url = link.body["url"].as_str().expect("a url");
    let path = url.split_once("/p/").map(|(_, rest)| format!("/p/{rest}")).expect("our path");

    browser.open(&path).await;
    browser.see("O-2026-0001").await;
    browser.see("Return or refund").await;
    browser.shot("public-order").await;
    browser.fill("#qty_0", "1").await;
    browser.fill("#reason_detail", "One leg arrived bent.").await;
    browser.click("form button[type=submit]").await;
    browser.see("We received your request").await;
    browser.see("Requested").await;
    browser.shot("public-return-requested").await;
    browser.width(360).await;
    browser.shot("public-return-requested-phone").await;

    let returns = app.get(&format!("/api/v1/orders/{id}/returns"), &app.admin_token).await;
    assert_eq!(returns.body["items"][0]["requested_by_customer"], true, "{}", returns.text);

    // The order page shows the link and the return; revoking it closes the page.
    browser.width(1366).await;
    browser.open(&format!("/orders/{id}")).await;
    browser.see("Customer link").await;
    browser.see("Cadeira ergonômica").await;
    browser.shot("order-page").await;
    browser.width(360).await;
    browser.shot("order-page-phone").await;
    browser.width(1366).await;
    app.delete(&format!("/api/v1/orders/{id}/public-link"), &app.admin_token).await.expect(StatusCode::NO_CONTENT);
    browser.open(&path).await;
    browser.see("This link no longer works").await;
    browser.shot("public-link-revoked").await;
    browser.stop().await;
    app.teardown().await;
}
