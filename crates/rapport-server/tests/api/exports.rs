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
