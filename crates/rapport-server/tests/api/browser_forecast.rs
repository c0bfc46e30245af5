//! The forecast page and the quota grid in a real browser.

use crate::browser::signed_in;
use crate::forecast::ana_and_her_deals;

#[tokio::test]
async fn an_administrator_reads_a_teams_forecast_follows_an_amount_to_its_deals_and_sets_a_quota_in_the_grid() {
    let Some((app, browser, _guard)) = signed_in("forecast_page").await else { return };
    let (_, _, team) = ana_and_her_deals(&app).await;

    browser.open(&format!("/forecast?period=2026-Q1&team={team}")).await;
    browser.see("Q1 2026").await;
    browser.see("Ana Lima").await;
    // Ana's line: won, commit, pipeline; the team's total against its quarter quota.
    let ana = browser.text("tr[data-owner-line='Ana Lima']").await;
    for figure in ["R$2,500.00", "R$1,000.00", "R$500.00", "R$5,000.00", "50%"] {
        assert!(ana.contains(figure), "{figure} in {ana}");
    }
    assert_eq!(browser.text("[data-total=quota]").await, "R$10,000.00");
    assert_eq!(browser.text("[data-total=weighted]").await, "R$4,060.00");
    assert_eq!(browser.text("[data-total=attainment]").await, "25%");
    browser.shot("forecast").await;
    browser.width(360).await;
    browser.shot("forecast-phone").await;
    browser.width(1366).await;

    // The commit amount leads to the deal behind it.
    browser.click("tr[data-owner-line='Ana Lima'] td:nth-of-type(3) a").await;
    browser.see("Filial").await;
    let path = browser.path().await;
    assert!(path.starts_with("/deals?") && path.contains("forecast_category"), "{path}");

    // A month's quota typed in the grid reaches the forecast.
    browser.open("/settings/quotas?year=2026&kind=month").await;
    browser.see("Ana Lima").await;
    browser.fill("input[aria-label='Ana Lima · April']", "7.500,00").await;
    browser.shot("quota-grid").await;
    browser.click("form[method=post] button.primary").await;
    browser.see("Quotas saved.").await;
    browser.open(&format!("/forecast?period=2026-04&team={team}")).await;
    browser.see("April 2026").await;
    assert!(browser.text("tr[data-owner-line='Ana Lima']").await.contains("R$7,500.00"));
    browser.stop().await;
    app.teardown().await;
}
