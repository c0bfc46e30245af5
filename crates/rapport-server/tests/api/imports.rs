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
        assert_eq!(
            (&reply.body["created"], &reply.body["skipped"], &reply.body["rejected"]),
            (&json!(1), &json!(1), &json!(1))
        );
        assert_eq!(reply.body["first_skipped"][0]["line"], 3);
        assert_eq!(reply.body["first_skipped"][0]["key"], "bia@example.com");
        assert_eq!(reply.body["first_rejected"][0]["line"], 4);
        assert_eq!(reply.body["first_rejected"][0]["errors"][0]["code"], "invalid_email");
        // The rows left out, as read, download to fix and import again.
        let path = reply.body["report"].as_str().expect("a report");
        let report = app.get(path, &app.admin_token).await;
        report.expect(StatusCode::OK);
        assert_eq!(report.header("content-type"), Some("text/csv; charset=utf-8"));
        let stored = app.get("/api/v1/contacts?filter[first_name][eq]=Old", &app.admin_token).await;
        let stored_id = stored.body["items"][0]["id"].as_str().expect("the stored contact").to_owned();
        assert_eq!(
            report.text,
            format!(
                "Nome,E-mail,Cidade,line,outcome,reason\n\
                 Bia,bia@example.com,Natal,3,skipped,bia@example.com is already on record {stored_id}\n\
                 Caio,caio@,Olinda,4,rejected,emails[0]: 'caio@' is not a valid e-mail address\n"
            )
        );
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
        assert_eq!(with_nul.body["first_rejected"][0]["errors"][0]["code"], "invalid_character", "{}", with_nul.text);
        let unknown_type = post_csv(app, "/api/v1/widgets/import", &app.admin_token, csv).await;
        assert_eq!(unknown_type.status, StatusCode::NOT_FOUND, "{}", unknown_type.text);

        let (member, _) = app.user("Reader", rapport_core::access::Role::Member).await;
        let read_only = app.token(member.id, rapport_core::access::Scope::Read).await;
        let refused = post_csv(app, "/api/v1/contacts/import", &read_only, "first_name\nAna\n").await;
        refused.expect(StatusCode::FORBIDDEN);
    })
    .await;
}

/// A file of many bad rows gets a short answer: counts and the first ten
/// problems, without the rows' cells (before, every rejected row came back
/// with all its cells); the report has them all, for its importer only.
#[tokio::test]
async fn a_bad_file_gets_a_bounded_answer_and_a_report_for_its_importer() {
    on_both_backends("a_bad_file_gets_a_bounded_answer", async |app| {
        let mut csv = String::from("first_name,emails,city\n");
        for i in 0..2000 {
            csv.push_str(&format!("Row {i},not-an-email-{i},{}\n", "x".repeat(200)));
        }
        let reply = post_csv(app, "/api/v1/contacts/import", &app.admin_token, &csv).await;
        reply.expect(StatusCode::OK);
        assert_eq!((&reply.body["rows"], &reply.body["rejected"]), (&json!(2000), &json!(2000)));
        assert_eq!(reply.body["first_rejected"].as_array().map(Vec::len), Some(10));
        assert!(reply.text.len() < 8 * 1024, "an answer of {} bytes", reply.text.len());
        assert!(!reply.text.contains("xxxxxxxx"), "cells in the answer");

        let path = reply.body["report"].as_str().expect("a report").to_owned();
        let report = app.get(&path, &app.admin_token).await;
        assert_eq!(report.text.lines().count(), 2001);
        assert!(report.text.lines().nth(2000).is_some_and(|l| l.starts_with("Row 1999,not-an-email-1999,xxx")));
        let (_, someone_else) = app.user("Someone Else", rapport_core::access::Role::Manager).await;
        app.get(&path, &someone_else).await.expect_problem(StatusCode::NOT_FOUND, "not_found");

        let clean = post_csv(app, "/api/v1/contacts/import", &app.admin_token, "first_name\nAna\n").await;
        assert_eq!(clean.body["report"], serde_json::Value::Null, "nothing left out, no report");
    })
    .await;
}

/// A CSV file saved by Excel in Brazil is Windows-1252: detected, or named,
/// its accents arrive intact; a UTF-8 file with a byte order mark too.
#[tokio::test]
async fn a_windows_1252_file_from_excel_imports_with_its_accents() {
    on_both_backends("a_windows_1252_file_from_excel_imports_with_its_accents", async |app| {
        let latin: Vec<u8> =
            b"Nome;Sobrenome;Cidade\nJos\xe9;\xc1vila;S\xe3o Paulo\nJo\xe3o;Gon\xe7alves;Bras\xedlia\n".to_vec();
        let send = async |path: &str, body: Vec<u8>| {
            app.send(
                app.request(Method::POST, path, Some(&app.admin_token)).header(CONTENT_TYPE, "text/csv").body(body),
            )
            .await
        };
        let detected = send("/api/v1/contacts/import", latin.clone()).await;
        detected.expect(StatusCode::OK);
        assert_eq!(detected.body["created"], 2, "{}", detected.text);
        let named = send("/api/v1/contacts/import?encoding=windows-1252&on_duplicate=create", latin).await;
        assert_eq!(named.body["created"], 2, "{}", named.text);
        let mut utf8 = "\u{feff}Nome;Cidade\nAna;Florianópolis\n".as_bytes().to_vec();
        utf8.extend_from_slice("Érica;Goiânia\n".as_bytes());
        let with_bom = send("/api/v1/contacts/import", utf8).await;
        assert_eq!(with_bom.body["created"], 2, "{}", with_bom.text);
        for (first, city) in [("José", "São Paulo"), ("João", "Brasília"), ("Érica", "Goiânia")] {
            let found = app.get_query("/api/v1/contacts", &app.admin_token, &[("filter[first_name][eq]", first)]).await;
            let items = found.body["items"].as_array().expect("items");
            assert!(!items.is_empty() && items.iter().all(|c| c["city"] == city), "{}", found.text);
        }
    })
    .await;
}

#[tokio::test]
async fn a_file_is_uploaded_mapped_previewed_imported_in_the_background_and_undone() {
    on_both_backends("background import over HTTP", async |app| {
        let csv = "Nome;E-mail;Valor gasto;Data\n\
                   Ana;ana@example.com;1.234,56;25/12/1990\n\
                   Bia;bia@;10,00;01/02/1985\n";
        let upload = post_csv(app, "/api/v1/imports?kind=contacts&file_name=clientes.csv", &app.admin_token, csv).await;
        upload.expect(StatusCode::CREATED);
        let id = upload.body["id"].as_str().expect("an id").to_owned();
        assert_eq!(upload.body["status"], "draft");
        assert_eq!(upload.body["columns"], json!(["Nome", "E-mail", "Valor gasto", "Data"]));
        assert_eq!(upload.body["settings"]["mapping"], json!(["first_name", "emails", null, null]));
        let mut settings = upload.body["settings"].clone();
        settings["mapping"][3] = json!("birth_date");
        let mapped = app.patch(&format!("/api/v1/imports/{id}"), &app.admin_token, &settings).await;
        mapped.expect(StatusCode::OK);
        assert_eq!(mapped.body["settings"]["formats"]["dates"], "day_first", "25/12 settles it once mapped");
        settings["mapping"][2] = json!("shoe_size");
        app.patch(&format!("/api/v1/imports/{id}"), &app.admin_token, &settings)
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

        let preview = app.get(&format!("/api/v1/imports/{id}/preview"), &app.admin_token).await;
        preview.expect(StatusCode::OK);
        assert_eq!(preview.body[0]["outcome"], "create");
        assert_eq!(preview.body[1]["outcome"], "reject");
        assert_eq!(preview.body[1]["errors"][0]["code"], "invalid_email");

        let started =
            app.send(app.request(Method::POST, &format!("/api/v1/imports/{id}/start"), Some(&app.admin_token))).await;
        started.expect(StatusCode::ACCEPTED);
        assert_eq!(started.body["status"], "queued");
        assert_eq!(app.run_imports().await, 1);
        let done = app.get(&format!("/api/v1/imports/{id}"), &app.admin_token).await;
        assert_eq!(done.body["status"], "done");
        assert_eq!(done.body["counts"], json!({"rows": 2, "created": 1, "updated": 0, "skipped": 0, "rejected": 1}));
        let ana = app.get("/api/v1/contacts?filter[first_name][eq]=Ana", &app.admin_token).await;
        assert_eq!(ana.body["items"][0]["birth_date"], "1990-12-25");
        let report = app.get(&format!("/api/v1/imports/{id}/report"), &app.admin_token).await;
        report.expect(StatusCode::OK);
        assert!(report.text.contains("Bia,bia@,\"10,00\",01/02/1985,3,rejected,"), "{}", report.text);

        // Only its owner (or an administrator) sees an import.
        let (_, member) = app.user("Mia Member", rapport_core::access::Role::Member).await;
        app.get(&format!("/api/v1/imports/{id}"), &member).await.expect(StatusCode::NOT_FOUND);
        let undo =
            app.send(app.request(Method::POST, &format!("/api/v1/imports/{id}/undo"), Some(&app.admin_token))).await;
        undo.expect(StatusCode::OK);
        assert_eq!(undo.body["status"], "undone");
        let gone = app.get("/api/v1/contacts?filter[first_name][eq]=Ana", &app.admin_token).await;
        assert_eq!(gone.body["items"], json!([]));
    })
    .await;
}

/// An upload beyond the 64 MB an import takes is refused as it arrives
/// (413, problem+json), before anything is stored.
#[tokio::test]
async fn an_oversized_upload_is_refused_with_413() {
    on_both_backends("an_oversized_upload_is_refused_with_413", async |app| {
        let mut body = String::from("first_name\n");
        while body.len() <= rapport_db::imports::MAX_FILE_BYTES {
            body.push_str("Ana Souza da Silva Pereira\n");
        }
        let reply = app
            .send(
                app.request(reqwest::Method::POST, "/api/v1/imports?kind=contacts", Some(&app.admin_token))
                    .header(reqwest::header::CONTENT_TYPE, "text/csv")
                    .body(body),
            )
            .await;
        reply.expect_problem(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
        let listed = app.get("/api/v1/imports", &app.admin_token).await;
        assert_eq!(listed.body, json!([]), "nothing kept");
    })
    .await;
}
