use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, on_both_backends};

async fn post_csv(app: &TestApp, path: &str, token: &str, csv: &str) -> crate::helpers::Reply {
    app.send(app.request(Method::POST, path, Some(token)).header(CONTENT_TYPE, "text/csv").body(csv.to_owned())).await
}

#[tokio::test]
async fn a_csv_file_is_imported_with_a_report_by_line() {
    on_both_backends("a_csv_file_is_imported_with_a_report_by_line", async |app| {
        app.create("contacts", &json!({"first_name": "Old", "emails": ["bia@example.com"]})).await;
        let csv = "Nome;E-mail;Cidade\nAna;ana@example.com;Recife\nBia;bia@example.com;Natal\nCaio;caio@;Olinda\n";
        let reply = post_csv(app, "/api/v1/contacts/import", &app.admin_token, csv).await;
        reply.expect(StatusCode::OK);
        assert_eq!(reply.body["rows"], 3, "{}", reply.text);
        assert_eq!(reply.body["created"], 1);
        assert_eq!(reply.body["duplicates"][0]["line"], 3);
        assert_eq!(reply.body["duplicates"][0]["key"], "bia@example.com");
        assert_eq!(reply.body["rejected"][0]["line"], 4);
        assert_eq!(reply.body["rejected"][0]["errors"][0]["code"], "invalid_email");
        assert_eq!(reply.body["rejected"][0]["cells"], json!(["Caio", "caio@", "Olinda"]));
        let found = app.get_query("/api/v1/contacts", &app.admin_token, &[("filter[city][eq]", "Recife")]).await;
        assert_eq!(found.body["items"][0]["first_name"], "Ana", "{}", found.text);

        // Duplicates may be imported on purpose.
        let again = post_csv(
            app,
            "/api/v1/contacts/import?on_duplicate=create",
            &app.admin_token,
            "first_name,emails\nBia,bia@example.com\n",
        )
        .await;
        assert_eq!(again.body["created"], 1, "{}", again.text);
    })
    .await;
}

#[tokio::test]
async fn a_bad_import_request_gets_a_problem_that_says_what_to_fix() {
    on_both_backends("a_bad_import_request_gets_a_problem_that_says_what_to_fix", async |app| {
        let csv = "first_name,shoe size\nAna,38\n";
        let unknown = post_csv(app, "/api/v1/contacts/import", &app.admin_token, csv).await;
        unknown.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(unknown.has_field_error("columns[1]", "unknown_column"), "{}", unknown.text);
        let lenient = post_csv(app, "/api/v1/contacts/import?ignore_unknown_columns=true", &app.admin_token, csv).await;
        assert_eq!(lenient.body["created"], 1, "{}", lenient.text);

        let as_json = app.post_json("/api/v1/contacts/import", &app.admin_token, &json!({"first_name": "Ana"})).await;
        as_json.expect_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        let with_nul = post_csv(app, "/api/v1/contacts/import", &app.admin_token, "first_name\nA\u{0}na\n").await;
        assert_eq!(with_nul.body["rejected"][0]["errors"][0]["code"], "invalid_character", "{}", with_nul.text);
        let unknown_type = post_csv(app, "/api/v1/widgets/import", &app.admin_token, csv).await;
        assert_eq!(unknown_type.status, StatusCode::NOT_FOUND, "{}", unknown_type.text);

        let (member, _) = app.user("Reader", rapport_core::access::Role::Member).await;
        let read_only = app.token(member.id, rapport_core::access::Scope::Read).await;
        let refused = post_csv(app, "/api/v1/contacts/import", &read_only, "first_name\nAna\n").await;
        refused.expect(StatusCode::FORBIDDEN);
    })
    .await;
}
