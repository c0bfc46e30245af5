//! Lists exported as CSV: every page, the list's filter, formulas
//! neutralised, and a file that imports again as it was.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::on_both_backends;

#[tokio::test]
async fn a_filtered_list_exports_every_page_and_imports_again_as_it_was() {
    on_both_backends("a_filtered_list_exports_every_page_and_imports_again_as_it_was", async |app| {
        let field = json!({"record_type": "contact", "key": "budget", "label": "Budget", "field_type": "money"});
        app.post_json("/api/v1/custom-fields", &app.admin_token, &field).await.expect(StatusCode::CREATED);
        let mut items: Vec<Value> = (0..230)
            .map(|i| json!({"first_name": format!("Pessoa {i:03}"), "city": "Curitiba", "phones": ["+55 41 99999-0000"]}))
            .collect();
        items.push(json!({
            "first_name": "=HYPERLINK(\"http://evil.example\")", "last_name": "Souza", "city": "Curitiba",
            "emails": ["ana@example.com"], "tags": ["vip", "sp"],
            "custom": {"budget": {"amount_minor": 123_456, "currency": "BRL"}},
        }));
        items.push(json!({"first_name": "Elsewhere", "city": "Recife"}));
        app.post_json("/api/v1/contacts/bulk", &app.admin_token, &json!({"items": items}))
            .await
            .expect(StatusCode::OK);

        let reply = app
            .get_query("/api/v1/contacts/export.csv", &app.admin_token, &[("filter[city][eq]", "Curitiba"), ("sort", "first_name")])
            .await;
        reply.expect(StatusCode::OK);
        assert_eq!(reply.header("content-type"), Some("text/csv; charset=utf-8"));
        assert!(reply.header("content-disposition").is_some_and(|d| d.contains("contacts-2026-03-02.csv")));
        let text = reply.text.strip_prefix('\u{feff}').expect("a byte order mark for Excel");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().expect("a header row").clone();
        assert_eq!(&headers[0], "id");
        assert!(headers.iter().any(|h| h == "custom.budget"), "{headers:?}");
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
        assert_eq!(rows.len(), 231, "every page of the filter, nothing else");
        let column = |name: &str| headers.iter().position(|h| h == name).expect("a column");
        let ana = rows.iter().find(|r| &r[column("last_name")] == "Souza").expect("Ana's row");
        assert_eq!(&ana[column("first_name")], "'=HYPERLINK(\"http://evil.example\")", "a formula is neutralised");
        assert_eq!(&ana[column("custom.budget")], "1234.56 BRL");
        assert_eq!(&ana[column("tags")], "vip; sp");
        assert!(rows.iter().all(|r| &r[column("phones")] != "+5541999990000"), "phones start with + and are neutralised");

        // The same file imports as new records equal to the exported ones.
        let imported = app
            .send(
                app.request(Method::POST, "/api/v1/contacts/import?on_duplicate=create", Some(&app.admin_token))
                    .header(CONTENT_TYPE, "text/csv")
                    .body(reply.text.clone()),
            )
            .await;
        imported.expect(StatusCode::OK);
        assert_eq!(imported.body["created"], 231, "{}", imported.text);
        let souzas = app.get_query("/api/v1/contacts", &app.admin_token, &[("filter[last_name][eq]", "Souza")]).await;
        let copies = souzas.body["items"].as_array().expect("items");
        assert_eq!(copies.len(), 2, "{}", souzas.text);
        for key in ["first_name", "emails", "city", "tags", "custom"] {
            assert_eq!(copies[0][key], copies[1][key], "{key}");
        }
        let pessoa = app.get_query("/api/v1/contacts", &app.admin_token, &[("filter[first_name][eq]", "Pessoa 007")]).await;
        let pair = pessoa.body["items"].as_array().expect("items");
        assert_eq!(pair.len(), 2);
        assert_eq!(pair[0]["phones"], pair[1]["phones"], "a neutralised phone imports as the number it was");

        let bad = app.get_query("/api/v1/contacts/export.csv", &app.admin_token, &[("filter[wings][eq]", "2")]).await;
        bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

/// An administrator answers a person's access request with one document:
/// the contact, its company, deals and timeline; nobody else may.
#[tokio::test]
async fn a_contacts_personal_data_comes_in_one_document_for_administrators() {
    on_both_backends("a_contacts_personal_data_comes_in_one_document_for_administrators", async |app| {
        let company = app.create("companies", &json!({"name": "Padaria Pão Quente"})).await;
        let contact = app
            .create(
                "contacts",
                &json!({"first_name": "Joana", "emails": ["joana@pao.com.br"], "company_id": company["id"]}),
            )
            .await;
        let id = contact["id"].as_str().expect("an id");
        app.create("deals", &json!({"name": "Forno novo", "contact_id": id})).await;
        app.create(
            "activities",
            &json!({"kind": "note", "body": "Prefere WhatsApp", "related": [{"type": "contact", "id": id}]}),
        )
        .await;
        app.patch(&format!("/api/v1/contacts/{id}"), &app.admin_token, &json!({"job_title": "Dona"}))
            .await
            .expect(StatusCode::OK);
        let path = format!("/api/v1/contacts/{id}/personal-data");
        let reply = app.get(&path, &app.admin_token).await;
        reply.expect(StatusCode::OK);
        assert!(reply.header("content-disposition").is_some_and(|d| d.contains("attachment")));
        let document = &reply.body;
        assert_eq!(document["contact"]["emails"], json!(["joana@pao.com.br"]));
        assert_eq!(document["company"]["name"], "Padaria Pão Quente");
        assert_eq!(document["deals"][0]["name"], "Forno novo");
        let timeline = document["timeline"].as_array().expect("a timeline");
        assert!(timeline.iter().any(|e| e["data"]["body"] == "Prefere WhatsApp"), "{}", reply.text);
        assert!(timeline.iter().any(|e| e["kind"] == "change"), "changes with their values: {}", reply.text);

        let (_, member) = app.user("Beto Vendas", rapport_core::access::Role::Member).await;
        app.get(&path, &member).await.expect(StatusCode::FORBIDDEN);
        // The generic routes under /contacts/{id} still answer.
        app.get(&format!("/api/v1/contacts/{id}/timeline"), &app.admin_token).await.expect(StatusCode::OK);
    })
    .await;
}

/// The contacts of a filtered list as vCards that address books read.
#[tokio::test]
async fn contacts_export_as_vcards_for_address_books() {
    on_both_backends("contacts_export_as_vcards_for_address_books", async |app| {
        let items: Vec<Value> = (0..205)
            .map(|i| json!({"first_name": format!("Pessoa {i:03}"), "city": "Recife", "phones": ["+55 81 99999-0000"]}))
            .collect();
        app.post_json("/api/v1/contacts/bulk", &app.admin_token, &json!({"items": items})).await.expect(StatusCode::OK);
        app.create("contacts", &json!({"first_name": "Joana", "last_name": "Lima, Neta", "city": "Natal"})).await;
        let reply =
            app.get_query("/api/v1/contacts/export.vcf", &app.admin_token, &[("filter[city][eq]", "Recife")]).await;
        reply.expect(StatusCode::OK);
        assert_eq!(reply.header("content-type"), Some("text/vcard; charset=utf-8"));
        assert_eq!(reply.text.matches("BEGIN:VCARD\r\n").count(), 205, "every page, nothing else");
        assert!(reply.text.contains("TEL;TYPE=VOICE:+5581999990000\r\n"), "{}", &reply.text[..400]);
        let natal =
            app.get_query("/api/v1/contacts/export.vcf", &app.admin_token, &[("filter[city][eq]", "Natal")]).await;
        assert!(natal.text.contains("N:Lima\\, Neta;Joana;;;\r\n"), "{}", natal.text);
    })
    .await;
}

/// `version=4.0` writes vCard 4.0 beside the default 3.0; any other version is refused.
#[tokio::test]
async fn contacts_export_as_vcard_4_on_request() {
    on_both_backends("contacts_export_as_vcard_4_on_request", async |app| {
        app.create("contacts", &json!({"first_name": "Joana", "phones": ["+55 81 99999-0000"], "city": "Natal"})).await;
        app.create("contacts", &json!({"first_name": "Rui", "city": "Recife"})).await;
        let query = [("version", "4.0"), ("filter[city][eq]", "Natal")];
        let reply = app.get_query("/api/v1/contacts/export.vcf", &app.admin_token, &query).await;
        reply.expect(StatusCode::OK);
        assert_eq!(reply.text.matches("BEGIN:VCARD\r\nVERSION:4.0\r\n").count(), 1, "{}", reply.text);
        assert!(reply.text.contains("TEL;VALUE=uri;TYPE=voice:tel:+5581999990000\r\n"), "{}", reply.text);
        let wrong = app.get_query("/api/v1/contacts/export.vcf", &app.admin_token, &[("version", "2.1")]).await;
        wrong.expect(StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}
