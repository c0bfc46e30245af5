//! A cadence made in the step editor in a real browser (three steps, one
//! moved, without any script), then started from a lead's page.

use serde_json::json;

use crate::browser::signed_in;
use crate::helpers::id_of;

#[tokio::test]
async fn an_administrator_writes_a_three_step_cadence_and_starts_it_on_a_lead() {
    let Some((app, browser, _guard)) = signed_in("cadence_editor").await else { return };
    browser.width(1366).await;
    browser.open("/settings/cadences").await;
    browser.see("No cadence yet").await;
    browser.click("a[href='/settings/cadences/new']").await;
    browser.fill("#cadence-name", "New web lead").await;
    browser.fill("#s0-title", "Call today").await;
    browser.click("#cadence-add-step").await;
    browser.fill("#s1-day", "5").await;
    browser.fill("#s1-title", "Call again").await;
    browser.click("#cadence-add-step").await;
    browser.fill("#s2-day", "2").await;
    browser.fill("#s2-title", "Send the price list").await;
    browser.el("#s2-kind option[value='email']").await.click().await.expect("choose e-mail");
    // Day 2 after day 5 is refused beside the field…
    browser.click("#cadence-save").await;
    browser.see("A step cannot come before the step above it.").await;
    browser.shot("cadence-editor-error").await;
    // …and moving it up puts the steps in order.
    browser.click("button[value='up:2']").await;
    browser.el("#s1-title[value='Send the price list']").await;
    browser.shot("cadence-editor").await;
    browser.width(360).await;
    browser.shot("cadence-editor-phone").await;
    browser.width(1366).await;
    browser.click("#cadence-save").await;
    browser.see("Cadence saved.").await;

    let listed = app.get("/api/v1/cadences", &app.admin_token).await;
    let steps = &listed.body["items"][0]["steps"];
    let days: Vec<i64> = steps.as_array().expect("steps").iter().filter_map(|s| s["day_offset"].as_i64()).collect();
    assert_eq!(days, vec![0, 2, 5], "{}", listed.text);
    assert_eq!(steps[1]["kind"], "email");
    browser.open("/settings/cadences").await;
    browser.see("Day 0 · Call — Day 2 · E-mail — Day 5 · Call").await;
    browser.shot("cadence-list").await;

    let lead = app.create("leads", &json!({"first_name": "Ana", "last_name": "Souza", "company_name": "Acme"})).await;
    let id = id_of(&lead);
    browser.open(&format!("/leads/{id}")).await;
    browser.see("Start a cadence").await;
    browser.click("#cadence-start button[type=submit]").await;
    browser.see("Running").await;
    browser.see("0 of 3 steps done").await;
    app.run_due_jobs().await;
    browser.open(&format!("/leads/{id}")).await;
    browser.see("1 of 3 steps done").await;
    browser.see("Call today").await;
    browser.shot("cadence-on-lead").await;
    browser.click("a.cadence-jump").await;
    browser.shot("cadence-on-lead-panel").await;
    browser.width(360).await;
    browser.open(&format!("/leads/{id}")).await;
    browser.see("Cadences").await;
    browser.shot("cadence-on-lead-phone").await;
    let overflow: bool = browser
        .driver
        .execute("return document.documentElement.scrollWidth > window.innerWidth;", Vec::new())
        .await
        .expect("measure the page")
        .convert()
        .expect("a boolean");
    assert!(!overflow, "the lead page fits a phone's width");
    browser.width(1366).await;
    browser.click(".cadence-panel button.link").await;
    browser.see("Stopped by its owner").await;
    let enrollments = app.get(&format!("/api/v1/leads/{id}/enrollments"), &app.admin_token).await;
    assert_eq!(enrollments.body["items"][0]["stop_reason"], "by_owner", "{}", enrollments.text);

    // Settings › WhatsApp: off until a number ID and a token are set.
    browser.open("/settings/whatsapp").await;
    browser.see("WhatsApp Business Cloud API").await;
    browser.click("#whatsapp-form input[name=enabled][type=checkbox]").await;
    browser.click("#whatsapp-form button[type=submit]").await;
    browser.see("Set the phone number ID and the access token first.").await;
    browser.shot("whatsapp-settings").await;
    browser.width(360).await;
    browser.shot("whatsapp-settings-phone").await;
    browser.stop().await;
    app.teardown().await;
}
