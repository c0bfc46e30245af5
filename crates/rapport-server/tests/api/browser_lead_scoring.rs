//! The lead scoring page and a lead's score panel in a real browser.

use crate::browser::signed_in;
use crate::lead_scoring::two_scored_leads;

#[tokio::test]
async fn an_administrator_reads_how_leads_are_scored_adds_a_rule_and_sees_a_leads_reasons() {
    let Some((app, browser, _guard)) = signed_in("lead_scoring_page").await else { return };
    let (_, hers, _) = two_scored_leads(&app).await;
    rapport_db::analytics::lead_scoring::score_all(&app.ctx).await.expect("score the open leads");

    browser.open("/analytics").await;
    browser.click("a[href='/analytics/lead-scoring']").await;
    browser.see("Scored by your rules.").await;
    browser.see("0 closed leads: 200 are needed to learn from them").await;
    assert!(browser.text("[data-table=rules]").await.contains("is “referral”"));
    browser.shot("lead-scoring").await;
    browser.width(360).await;
    browser.shot("lead-scoring-phone").await;
    browser.width(1366).await;

    // A rule added without JavaScript's help.
    browser.fill("#sc-value", "Padaria").await;
    browser.fill("#sc-points", "-7").await;
    browser.click("#rules form[action='/analytics/lead-scoring/rules'] button").await;
    browser.see("Queued").await;
    assert!(browser.text("[data-table=rules]").await.contains("is “padaria”"));

    browser.open(&format!("/leads/{hers}")).await;
    let panel = browser.text(".score-panel").await;
    for words in ["76", "Source: referral", "+15", "No activity in its first 30 days", "\u{2212}10"] {
        assert!(panel.contains(words), "{words} in {panel}");
    }
    browser.shot("lead-score-panel").await;
    browser.width(360).await;
    browser.shot("lead-score-panel-phone").await;
    browser.stop().await;
    app.teardown().await;
}
