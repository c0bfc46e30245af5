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
    // (100 + 50 + 20) × 2 = 340,00, plus 5 % tax: 357,00. This save has
    // taken just over the usual 20 s in some runs (the page was right a
    // moment later; cause not found): it gets longer.
    if let Err(body) = browser.seen_within("R$357.00", std::time::Duration::from_secs(90)).await {
        browser.fail(&format!("the page never said \"R$357.00\"; it said:\n{body}")).await;
    }
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

/// "Send by e-mail" on a quote: the form proposes the contact's address;
/// once sent, the customer opens the link from the message on a phone,
/// accepts, and the quote's page links the order the acceptance made.
#[tokio::test]
async fn a_quote_is_sent_by_email_and_accepted_on_the_customers_phone() {
    let Some((app, browser, _guard)) = signed_in("quote_email").await else { return };
    let contact =
        app.create("contacts", &json!({"first_name": "Ana", "last_name": "Lima", "emails": ["ana@example.com"]})).await;
    let deal = app.create("deals", &json!({"name": "Lima annual plan", "contact_id": contact["id"]})).await;
    let line = json!({"description": "Annual plan", "quantity_milli": 1_000, "unit_price_minor": 990_000});
    let quote = app
        .create(
            "quotes",
            &json!({"deal_id": deal["id"], "contact_id": contact["id"], "title": "Annual plan", "currency": "BRL",
                    "valid_until": "2099-12-31", "lines": [line]}),
        )
        .await;
    let id = quote["id"].as_str().expect("an id").to_owned();

    browser.open(&format!("/quotes/{id}")).await;
    browser.click("a[data-action='email']").await;
    browser.see("Send quote Q-2026-0001").await;
    browser.shot("quote-send").await;
    browser.click("form.stack button[type=submit]").await;
    browser.see("Quote sent").await;
    browser.shot("quote-sent").await;

    let outbox = app.get("/api/v1/email/outbox", &app.admin_token).await;
    let body = outbox.body["items"][0]["body"].as_str().expect("the message").to_owned();
    let path = body
        .split_once("/p/quotes/")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(|token| format!("/p/quotes/{token}"))
        .expect("the customer's link");
    browser.width(360).await;
    browser.open(&path).await;
    browser.see("Accept the quote").await;
    browser.shot("public-quote-phone").await;
    browser.click("button[data-decision='accept']").await;
    browser.see("O-2026-0001").await;
    browser.shot("public-quote-accepted-phone").await;
    // On a phone the bar holds four places; the others open from "More".
    browser.open("/").await;
    browser.click(".nav-more summary").await;
    browser.see("Quotes").await;
    browser.shot("nav-more-phone").await;
    browser.click(".nav-more a[href='/quotes']").await;
    browser.see("Q-2026-0001").await;
    browser.width(1366).await;

    browser.open(&format!("/quotes/{id}")).await;
    browser.see("Accepted").await;
    browser.click("a[href^='/orders/']").await;
    browser.see("O-2026-0001").await;
    browser.stop().await;
    app.teardown().await;
}
