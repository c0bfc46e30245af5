use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, field_errors, id_of, on_both_backends};

/// A small but complete PDF: one empty page.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n\
trailer << /Root 1 0 R >>\n%%EOF\n";

const BOUNDARY: &str = "rapport-test-boundary-7f3a";

/// A `multipart/form-data` body with one `file` part.
pub fn multipart(file_name: &str, declared_type: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: {declared_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, contract: &str, language: &str, body: Vec<u8>) -> Reply {
    app.send(
        app.request(Method::POST, &format!("/api/v1/contracts/{contract}/documents"), Some(&app.admin_token))
            .header(CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .header("Accept-Language", language)
            .body(body),
    )
    .await
}

async fn new_contract(app: &TestApp) -> Value {
    let company = app.create("companies", &json!({"name": "Acme Ltda"})).await;
    app.create(
        "contracts",
        &json!({
            "name": "Suporte anual", "company_id": id_of(&company), "start_date": "2026-01-01",
            "end_date": "2026-12-31", "value_minor": 1_200_000, "currency": "BRL", "status": "active",
        }),
    )
    .await
}

#[tokio::test]
async fn contracts_are_created_listed_renewed_and_refuse_edits_to_signed_terms() {
    on_both_backends("contract api", async |app| {
        let contract = new_contract(app).await;
        assert_eq!(contract["number"], "CT-2026-0001");
        assert_eq!(contract["status"], "active");
        let id = id_of(&contract);
        let list = app.get_query("/api/v1/contracts", &app.admin_token, &[("filter[status][eq]", "active")]).await;
        list.expect(StatusCode::OK);
        assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1), "{}", list.text);

        // Signed terms stay; the refusal is in the caller's language.
        let edit = app
            .send(
                app.request(Method::PATCH, &format!("/api/v1/contracts/{id}"), Some(&app.admin_token))
                    .header("Accept-Language", "pt-BR")
                    .json(&json!({"value_minor": 1})),
            )
            .await;
        edit.expect_problem(StatusCode::CONFLICT, "contract_not_editable");
        assert!(edit.text.contains("condições"), "{}", edit.text);

        let renewed = app.post_json(&format!("/api/v1/contracts/{id}/renew"), &app.admin_token, &json!({})).await;
        renewed.expect(StatusCode::CREATED);
        assert_eq!(renewed.body["contract"]["version_number"], 2);
        assert_eq!(renewed.body["contract"]["start_date"], "2027-01-01");
        assert_eq!(renewed.body["previous"]["status"], "renewed");
        assert_eq!(renewed.body["deal"]["amount_minor"], 1_200_000);
        let again = app.post_json(&format!("/api/v1/contracts/{id}/renew"), &app.admin_token, &json!({})).await;
        again.expect_problem(StatusCode::CONFLICT, "contract_already_renewed");
        let versions = app.get(&format!("/api/v1/contracts/{id}/versions"), &app.admin_token).await;
        assert_eq!(versions.body["items"].as_array().map(Vec::len), Some(2));
    })
    .await;
}

#[tokio::test]
async fn a_real_pdf_is_stored_and_an_oversized_or_disguised_file_is_refused_in_the_callers_language() {
    on_both_backends("contract documents api", async |app| {
        let contract = new_contract(app).await;
        let id = id_of(&contract).to_string();

        let stored = upload(app, &id, "en", multipart("Contrato assinado.pdf", "application/pdf", PDF)).await;
        stored.expect(StatusCode::CREATED);
        assert_eq!(stored.body["content_type"], "application/pdf");
        assert_eq!(stored.body["size_bytes"], PDF.len());
        let document = stored.body["id"].as_str().expect("an id").to_owned();

        // Too large: 413 problem JSON, nothing stored.
        let mut big = PDF.to_vec();
        big.resize(10 * 1024 * 1024 + 1, b' ');
        let oversized = upload(app, &id, "pt-BR", multipart("grande.pdf", "application/pdf", &big)).await;
        oversized.expect_problem(StatusCode::PAYLOAD_TOO_LARGE, "contract_document_too_large");
        assert_eq!(oversized.header("content-type"), Some("application/problem+json"));
        assert!(oversized.text.contains("10 MB"), "{}", oversized.text);
        assert!(oversized.text.contains("Salve-o menor"), "{}", oversized.text);

        // An executable named .pdf and declared as a PDF: 415 in Portuguese.
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xffThis program cannot be run in DOS mode.\r\n".to_vec();
        let disguised = upload(app, &id, "pt-BR", multipart("contrato.pdf", "application/pdf", &exe)).await;
        disguised.expect_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "contract_document_type");
        assert_eq!(field_errors(&disguised.body), [("file".to_owned(), "contract_document_type".to_owned())]);
        assert!(disguised.text.contains("não é PDF"), "{}", disguised.text);

        let listed = app.get(&format!("/api/v1/contracts/{id}/documents"), &app.admin_token).await;
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1), "nothing else stored: {}", listed.text);

        let download = app.get(&format!("/api/v1/contracts/{id}/documents/{document}"), &app.admin_token).await;
        download.expect(StatusCode::OK);
        assert_eq!(download.header(CONTENT_TYPE.as_str()), Some("application/pdf"));
        assert_eq!(download.header(X_CONTENT_TYPE_OPTIONS.as_str()), Some("nosniff"));
        let disposition = download.header(CONTENT_DISPOSITION.as_str()).unwrap_or_default();
        assert!(disposition.starts_with("attachment; filename=\"Contrato assinado.pdf\""), "{disposition}");
        assert_eq!(download.text.as_bytes(), PDF);

        // The upload is in the contract's audit trail.
        let history = app.get(&format!("/api/v1/contracts/{id}/timeline"), &app.admin_token).await;
        assert!(history.text.contains("Contrato assinado.pdf"), "{}", history.text);

        app.delete(&format!("/api/v1/contracts/{id}/documents/{document}"), &app.admin_token)
            .await
            .expect(StatusCode::NO_CONTENT);
        let empty = app.get(&format!("/api/v1/contracts/{id}/documents"), &app.admin_token).await;
        assert_eq!(empty.body["items"], json!([]));
    })
    .await;
}
