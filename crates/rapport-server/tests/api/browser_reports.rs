//! The report builder and the default dashboard in a real browser.

use rapport_core::access::Role;
use serde_json::json;
use thirtyfour::prelude::*;

use crate::browser::signed_in;

#[tokio::test]
async fn a_user_builds_a_report_follows_a_bar_to_its_deals_saves_it_and_opens_the_default_dashboard() {
    let Some((app, browser, _guard)) = signed_in("reports_page").await else { return };
    let (ana, _) = app.user("Ana Lima", Role::Member).await;
    let (bia, _) = app.user("Bia Souza", Role::Member).await;
    for (name, owner, amount) in [("Frota", ana.id, 250_000), ("Filial", ana.id, 100_000), ("Piloto", bia.id, 50_000)] {
        app.create("deals", &json!({"name": name, "amount_minor": amount, "currency": "BRL", "owner_id": owner.to_string(), "expected_close_date": "2026-03-20"}))
            .await;
    }

    // Build it with the form: deals by owner, summing the amount.
    browser.open("/reports/new").await;
    browser.see("Group by").await;
    for (select, value) in [
        ("#r-kind", "deal"),
        ("#r-g0", "owner_id"),
        ("#r-op", "sum"),
        ("#r-mf", "amount_minor"),
        ("#r-chart", "horizontal_bar"),
    ] {
        let element = browser.el(select).await;
        thirtyfour::components::SelectElement::new(&element)
            .await
            .expect("a select")
            .select_by_value(value)
            .await
            .expect("an option");
    }
    browser.click("form[data-report-form] button[type=submit]").await;
    browser.see("Result").await;
    let table = browser.text(".report-table").await;
    assert!(table.contains("Ana Lima") && table.contains("R$3,500.00") && table.contains("Bia Souza"), "{table}");
    browser.el(".report-result svg[role=img]").await;
    browser.shot("report-builder").await;
    browser.width(360).await;
    browser.shot("report-builder-phone").await;
    browser.width(1366).await;

    // Save it, then follow Ana's bar to her deals.
    browser.fill("#s-name", "Won by owner").await;
    browser.click(".report-save button.primary").await;
    browser.see("Won by owner").await;
    assert!(browser.path().await.starts_with("/reports/"));
    let bars = browser.driver.find_all(By::Css(".report-result svg a")).await.expect("bars");
    assert_eq!(bars.len(), 2);
    let href = bars[0].attr("href").await.expect("an attribute").expect("a link");
    assert!(href.starts_with("/deals?") && href.contains("owner_id"), "{href}");
    browser.open(&href).await;
    browser.see("Frota").await;
    let list = browser.text("main").await;
    assert!(!list.contains("Piloto"), "only Ana's deals: {list}");

    // The default dashboard, made on the first visit.
    browser.open("/dashboards").await;
    browser.see("Sales dashboard").await;
    browser.see("Pipeline by stage").await;
    browser.see("Deals won this quarter").await;
    assert_eq!(browser.driver.find_all(By::Css(".dash-widget")).await.expect("widgets").len(), 5);
    browser.shot("dashboard").await;
    browser.width(360).await;
    browser.shot("dashboard-phone").await;
    browser.width(1366).await;
    // The no-JavaScript way to arrange: the first widget one place down.
    let first = browser.el(".dash-widget h2").await.text().await.expect("a title");
    let dashboard = browser.path().await;
    browser.click(".dash-widget button[value=down]").await;
    browser.open(&dashboard).await;
    browser.el(".dash-widget h2").await;
    let second = browser.driver.find_all(By::Css(".dash-widget h2")).await.expect("titles");
    assert_eq!(second[1].text().await.expect("a title"), first);
    browser.stop().await;
    app.teardown().await;
}
