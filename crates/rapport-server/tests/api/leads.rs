use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{id_of, on_both_backends};

#[tokio::test]
async fn converting_a_lead_links_the_existing_contact_and_company_and_opens_a_deal_once() {
    on_both_backends("converting_a_lead_links_the_existing_contact_and_company_and_opens_a_deal_once", async |app| {
        let company = app.create("companies", &json!({"name": "Acme Ltda", "domain": "acme.com.br"})).await;
        let contact = app.create("contacts", &json!({"first_name": "Ana", "emails": ["ana@acme.com.br"]})).await;
        let lead = app
            .create(
                "leads",
                &json!({"first_name": "Ana", "last_name": "Souza", "email": "ANA@acme.com.br", "company_name": "Acme"}),
            )
            .await;
        let convert = format!("/api/v1/leads/{}/convert", lead["id"].as_str().unwrap());

        let converted =
            app.post_json(&convert, &app.admin_token, &json!({"create_deal": true, "amount_minor": 150_000})).await;
        converted.expect(StatusCode::OK);
        let result = &converted.body;
        assert_eq!(result["contact_id"], contact["id"], "{}", converted.text);
        assert_eq!(result["contact_created"], false);
        assert_eq!(result["company_id"], company["id"]);
        assert_eq!(result["company_created"], false);
        let deal_id = result["deal_id"].as_str().expect("a deal");

        let deal = app.get(&format!("/api/v1/deals/{deal_id}"), &app.admin_token).await;
        deal.expect(StatusCode::OK);
        assert_eq!(deal.body["contact_id"], contact["id"]);
        assert_eq!(deal.body["company_id"], company["id"]);
        assert_eq!(deal.body["amount_minor"], 150_000);
        assert_eq!(deal.body["currency"], "BRL");
        let lead_now = app.get(&format!("/api/v1/leads/{}", id_of(&lead)), &app.admin_token).await;
        assert_eq!(lead_now.body["status"], "converted");
        assert_eq!(lead_now.body["converted_contact_id"], contact["id"]);
        assert_eq!(lead_now.body["converted_deal_id"], deal_id);

        let again = app.post_json(&convert, &app.admin_token, &json!({"create_deal": true})).await;
        again.expect_problem(StatusCode::CONFLICT, "already_converted");
        let deals = app.get("/api/v1/deals", &app.admin_token).await;
        assert_eq!(deals.body["items"].as_array().map(Vec::len), Some(1), "{}", deals.text);
        let contacts = app.get("/api/v1/contacts", &app.admin_token).await;
        assert_eq!(contacts.body["items"].as_array().map(Vec::len), Some(1), "{}", contacts.text);

        let unknown = format!("/api/v1/leads/{}/convert", uuid::Uuid::now_v7());
        app.post_json(&unknown, &app.admin_token, &json!({})).await.expect_problem(StatusCode::NOT_FOUND, "not_found");
        let bad = app.post_json(&convert, &app.admin_token, &json!({"create_deal": "yes"})).await;
        assert!(bad.status.is_client_error(), "{}", bad.text);
        crate::helpers::assert_problem_shape(&bad);
    })
    .await;
}

#[tokio::test]
async fn converting_a_lead_without_matches_creates_contact_and_company() {
    on_both_backends("converting_a_lead_without_matches_creates_contact_and_company", async |app| {
        let lead = app
            .create(
                "leads",
                &json!({"first_name": "Rui", "last_name": "Melo", "email": "rui@melo.com.br", "company_name": "Melo SA"}),
            )
            .await;
        let convert = format!("/api/v1/leads/{}/convert", id_of(&lead));
        let converted = app.post_json(&convert, &app.admin_token, &json!({})).await;
        converted.expect(StatusCode::OK);
        assert_eq!(converted.body["contact_created"], true, "{}", converted.text);
        assert_eq!(converted.body["company_created"], true);
        assert!(converted.body["deal_id"].is_null());
        let contact = app.get(&format!("/api/v1/contacts/{}", converted.body["contact_id"].as_str().unwrap()), &app.admin_token).await;
        assert_eq!(contact.body["emails"], json!(["rui@melo.com.br"]));
        assert_eq!(contact.body["company_id"], converted.body["company_id"]);
    })
    .await;
}
