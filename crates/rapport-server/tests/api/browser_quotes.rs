//! Quotes in the browser: a configurable product's options and rules
//! edited on its page, then a quote made from a deal with that product
//! configured, its total computed by the server.

use serde_json::json;

use crate::browser::signed_in;

#[tokio::test]
async fn a_quote_is_built_from_a_deal_with_a_configured_product_and_shows_its_total() {
    let Some((app, browser, _guard)) = signed_in("quote").await else { return };
    let product =
        app.create("products", &json!({"name": "Rapport Cloud", "prices": {"BRL": 10_000}, "tax_rate_bp": 500})).await;
    let product_id = product["id"].as_str().expect("an id").to_owned();
    let deal = app.create("deals", &json!({"name": "Cloud for Acme"})).await;
    let deal_id = deal["id"].as_str().expect("an id").to_owned();

    // Options and a rule, through the product's form.
    browser.open(&format!("/products/{product_id}")).await;
    browser.click(&format!("a[href='/products/{product_id}/configure']")).await;
    browser.fill("input[name='group.0.label']", "Plan").await;
    browser.click("input[name='group.0.required']").await;
    browser.fill("input[name='group.0.option.0.label']", "Basic").await;
    browser.fill("input[name='group.0.option.1.label']", "Pro").await;
    browser.fill("input[name='group.0.option.1.price.BRL']", "50").await;
    browser.click("form.record-form button[type=submit]").await;
    browser.see("Rapport Cloud").await;
    browser.click(&format!("a[href='/products/{product_id}/configure']")).await;
    browser.fill("input[name='group.1.label']", "Add-ons").await;
    browser.click("input[name='group.1.multiple']").await;
    browser.fill("input[name='group.1.option.0.label']", "Training").await;
    browser.fill("input[name='group.1.option.0.price.BRL']", "20,00").await;
    browser.click("form.record-form button[type=submit]").await;
    browser.see("Rapport Cloud").await;
    browser.click(&format!("a[href='/products/{product_id}/configure']")).await;
    browser.click("select[name='rule.0.option'] option[value='training']").await;
    browser.click("select[name='rule.0.kind'] option[value='requires']").await;
    browser.click("select[name='rule.0.other'] option[value='pro']").await;
    browser.shot("product-options").await;
    browser.click("form.record-form button[type=submit]").await;
    browser.see("Rapport Cloud").await;
    let stored = app.get(&format!("/api/v1/products/{product_id}"), &app.admin_token).await;
    assert_eq!(stored.body["options"]["rules"], json!([{"option": "training", "kind": "requires", "other": "pro"}]));

    // A quote from the deal: pick the product, then its options.
    browser.open(&format!("/deals/{deal_id}")).await;
    browser.click("[data-new-related]").await;
    browser.see("Q-2026-0001").await;
    browser.click(&format!("select[name='lines.0.product_id'] option[value='{product_id}']")).await;
    browser.fill("input[name='lines.0.quantity']", "2").await;
    browser.click(".lines-form button[type=submit]").await;
    // The required plan starts at its first option; Training without Pro
    // breaks the product's rule, said beside the line.
    browser.see("Training").await;
    browser.click("input[name='lines.0.option'][value='training']").await;
    browser.click(".lines-form button[type=submit]").await;
    browser.see("\"Training\" needs \"Pro\"").await;
    browser.click("input[name='lines.0.option'][value='pro']").await;
    browser.click(".lines-form button[type=submit]").await;
    // (100 + 50 + 20) × 2 = 340,00, plus 5 % tax: 357,00.
    browser.see("R$357.00").await;
    browser.shot("quote").await;
    browser.width(360).await;
    browser.shot("quote-phone").await;
    browser.width(1366).await;

    let quotes = app.get_query("/api/v1/quotes", &app.admin_token, &[("filter[deal_id][eq]", &deal_id)]).await;
    let quote = &quotes.body["items"][0];
    assert_eq!(quote["total_minor"], json!(35_700));
    assert_eq!(quote["lines"][0]["options"], json!(["pro", "training"]));
    assert_eq!(quote["lines"][0]["description"], json!("Rapport Cloud (Plan: Pro; Add-ons: Training)"));
    browser.click("button[data-action='send']").await;
    browser.see("Sent").await;
    browser.open(&format!("/deals/{deal_id}")).await;
    browser.see("Sent · R$357.00").await;
    browser.shot("deal-quotes").await;
    browser.stop().await;
    app.teardown().await;
}
