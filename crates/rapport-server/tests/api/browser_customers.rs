//! The customers page and a segment list in a real browser.

use crate::browser::signed_in;
use crate::customers::thirty_customers;

#[tokio::test]
async fn an_administrator_reads_customer_value_and_opens_a_segments_customers() {
    let Some((app, browser, _guard)) = signed_in("customers_page").await else { return };

    // Before the first refresh: an explanation and the button, never a blank page.
    browser.open("/analytics/customers").await;
    browser.see("Not calculated yet").await;
    browser.el("button[data-action=refresh]").await;
    browser.shot("customers-not-refreshed").await;

    thirty_customers(&app).await;
    browser.open("/analytics/customers").await;
    browser.see("Customers: value and segments").await;
    assert_eq!(browser.text("[data-figure=customers]").await, "30");
    browser.el("table[data-table=segments] tbody tr").await;
    browser.el(".chart svg").await;
    browser.el("table[data-table=cohorts] td.an-heat-5").await;
    browser.el("[data-clv=fitted]").await;
    let page = browser.text("main").await;
    assert!(!page.contains("NaN"), "no NaN on the page");
    browser.shot("customers").await;
    for section in ["an-top", "an-cohorts"] {
        browser.el(&format!("#{section}")).await.scroll_into_view().await.expect("scroll");
        browser.shot(&format!("customers-{section}")).await;
    }
    browser.width(360).await;
    browser.shot("customers-phone").await;
    browser.el("#an-cohorts").await.scroll_into_view().await.expect("scroll");
    browser.shot("customers-phone-cohorts").await;
    browser.width(1366).await;

    // The top customer's segment leads to that segment's list, which names them.
    let top = browser.text("table[data-table=top-clv] tbody tr:first-child th").await;
    let link = browser.el("table[data-table=top-clv] tbody tr:first-child td a").await;
    let href = link.attr("href").await.expect("read a link").expect("a link");
    browser.open(&href).await;
    let path = browser.path().await;
    assert!(path.starts_with("/analytics/customers/segments/"), "{path}");
    browser.see(&top).await;
    browser.el("a[href$='/csv']").await;
    browser.shot("customer-segment").await;
    browser.width(360).await;
    browser.shot("customer-segment-phone").await;
    browser.stop().await;
    app.teardown().await;
}
