//! The e-mail settings in a real browser: SMTP set up, a test message sent
//! through a real SMTP exchange and its outcome shown, a broken template
//! refused beside its field.

use rapport_channels::testing::SmtpReceiver;
use serde_json::json;
use thirtyfour::By;

use crate::browser::signed_in;

#[tokio::test]
async fn an_administrator_sets_up_email_and_sees_the_test_message_sent() {
    let Some((app, browser, _guard)) = signed_in("email_settings").await else { return };
    let receiver = SmtpReceiver::start().await;
    browser.open("/settings").await;
    browser.click("nav.tabs a[href='/settings/email']").await;
    browser.see("SMTP server").await;
    browser.fill("#m-host", "127.0.0.1").await;
    browser
        .driver
        .find(By::Css("#m-security option[value=none]"))
        .await
        .expect("an option")
        .click()
        .await
        .expect("choose");
    browser.fill("#m-port", &receiver.port.to_string()).await;
    browser.fill("#m-from-name", "Rapport CRM").await;
    browser.fill("#m-from", "crm@rapport.test").await;
    browser.click("#smtp-form button[type=submit]").await;
    browser.see("E-mail settings saved.").await;
    browser.shot("email-settings").await;

    browser.click("#test-form button[type=submit]").await;
    browser.see("Queued").await;
    app.run_due_jobs().await;
    // The page reloads itself while the message waits.
    browser.see("Sent").await;
    browser.shot("email-test-sent").await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_to, vec!["admin@rapport.test".to_owned()]);

    // Under a loaded full run the page has three times come back as the
    // template page as stored, with no answer to the save (the typing or
    // the click lost; not understood, see the issue notes): the broken
    // template is typed and saved again, at most three times, and must then
    // be refused. The line is checked by the API test.
    for _ in 0..3 {
        browser.open("/settings/email/templates/follow_up/pt-BR").await;
        browser.fill("#tp-body", "Olá {{ recipient.name }}\n{% if %}").await;
        browser.click("#template-form button[value=save]").await;
        if browser.seen_within("This template has an error on line", std::time::Duration::from_secs(15)).await.is_ok() {
            break;
        }
    }
    browser.see("This template has an error on line").await;
    browser.shot("email-template-error").await;

    // Writing to a contact from its page, started from the follow-up template.
    let contact = app
        .create("contacts", &json!({"first_name": "Ana", "last_name": "Souza", "emails": ["ana@example.com"]}))
        .await;
    let id = contact["id"].as_str().expect("an id").to_owned();
    browser.open(&format!("/contacts/{id}")).await;
    browser.click(&format!("a[href='/contacts/{id}/email']")).await;
    browser
        .driver
        .find(By::Css("#c-template option[value=follow_up]"))
        .await
        .expect("an option")
        .click()
        .await
        .expect("choose");
    browser.click(".template-pick button[type=submit]").await;
    browser.see("Hello Ana Souza").await;
    browser.shot("email-compose").await;
    browser.click("#compose-form button[type=submit]").await;
    browser.see("Following up: Ana Souza — Queued").await;
    app.run_due_jobs().await;
    browser.open(&format!("/contacts/{id}")).await;
    browser.see("Following up: Ana Souza — Sent").await;
    browser.shot("email-on-timeline").await;
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].rcpt_to, vec!["ana@example.com".to_owned()]);

    browser.width(360).await;
    browser.open("/settings/email").await;
    browser.see("SMTP server").await;
    browser.shot("email-settings-phone").await;
    browser.stop().await;
    app.teardown().await;
}
