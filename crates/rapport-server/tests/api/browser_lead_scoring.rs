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
    browser.width(1366).await;

    // With enough history, a model: its AUC in plain words, its strongest features.
    for i in 0..240 {
        let referral = i % 2 == 0;
        let converted = if referral { i % 10 != 0 } else { i % 10 == 1 };
        let mut lead = serde_json::json!({
            "last_name": format!("Histórico {i}"),
            "source_channel": if referral { "referral" } else { "purchased_list" },
            "status": if converted { "converted" } else { "disqualified" },
        });
        if !converted {
            lead["disqualified_reason"] = serde_json::json!("No budget");
        }
        app.create("leads", &lead).await;
    }
    rapport_db::analytics::lead_scoring::retrain_and_score(&app.ctx).await.expect("train");
    browser.open("/analytics/lead-scoring").await;
    browser.see("Scored by a model learned from your closed leads.").await;
    browser.see("Strong: it tells converting leads from the others well.").await;
    assert_eq!(browser.text("[data-figure=closed]").await, "240");
    assert_eq!(browser.text("[data-folds]").await.split(" · ").count(), 5);
    browser.el("svg[aria-labelledby^='scoring-weights']").await;
    browser.shot("lead-scoring-model").await;
    browser.width(360).await;
    browser.shot("lead-scoring-model-phone").await;
    browser.stop().await;
    app.teardown().await;
}
