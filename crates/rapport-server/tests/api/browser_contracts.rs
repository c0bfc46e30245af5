//! A contract's page in a real browser: a signed PDF uploaded, a disguised
//! file refused with the reason beside the upload, and the contract renewed
//! into its next version.

use serde_json::json;

use crate::browser::signed_in;
use crate::contracts::PDF;
use crate::helpers::id_of;

#[tokio::test]
async fn a_contract_gets_its_signed_document_and_is_renewed_from_its_page() {
    let Some((app, browser, _guard)) = signed_in("contract_page").await else { return };
    let company = app.create("companies", &json!({"name": "Padaria Pão Quente"})).await;
    let contract = app
        .create(
            "contracts",
            &json!({
                "name": "Manutenção dos fornos", "company_id": id_of(&company), "start_date": "2026-01-01",
                "end_date": "2026-12-31", "value_minor": 2_400_000, "currency": "BRL", "billing_frequency": "monthly",
                "status": "active", "renewal_notice_days": 45,
            }),
        )
        .await;
    let id = id_of(&contract);
    let dir = std::env::temp_dir().join(format!("rapport-contract-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let pdf = dir.join("Contrato assinado.pdf");
    std::fs::write(&pdf, PDF).expect("write the pdf");
    let disguised = dir.join("contrato.pdf");
    std::fs::write(&disguised, b"MZ\x90\0\x03\0\0\0This program cannot be run in DOS mode.").expect("write");

    browser.open(&format!("/contracts/{id}")).await;
    browser.see("CT-2026-0001").await;
    browser.see("No document yet.").await;
    browser.el("#contract-file").await.send_keys(disguised.to_string_lossy()).await.expect("choose a file");
    browser.click(".contract-upload button[type=submit]").await;
    browser.see("is not a PDF, PNG, JPEG or Word document").await;
    browser.shot("contract-upload-refused").await;
    browser.el("#contract-file").await.send_keys(pdf.to_string_lossy()).await.expect("choose a file");
    browser.click(".contract-upload button[type=submit]").await;
    browser.see("Contrato assinado.pdf").await;
    browser.shot("contract-page").await;
    browser.width(360).await;
    browser.shot("contract-page-phone").await;
    browser.width(1366).await;
    let documents = app.get(&format!("/api/v1/contracts/{id}/documents"), &app.admin_token).await;
    assert_eq!(documents.body["items"].as_array().map(Vec::len), Some(1), "{}", documents.text);

    browser.click("[data-contract-renew]").await;
    browser.see("Version 2").await;
    browser.see("From Jan 1, 2027 to Dec 31, 2027").await;
    let path = browser.path().await;
    assert_ne!(path, format!("/contracts/{id}"), "the new version opened");
    assert_eq!(browser.text("[data-contract-status]").await, "Draft");
    browser.shot("contract-renewed").await;
    let old = app.get(&format!("/api/v1/contracts/{id}"), &app.admin_token).await;
    assert_eq!(old.body["status"], "renewed");

    browser.open(&format!("/companies/{}", id_of(&company))).await;
    browser.see("Manutenção dos fornos").await;
    browser.shot("company-contracts").await;
    browser.stop().await;
    app.teardown().await;
    let _ = std::fs::remove_dir_all(dir);
}
