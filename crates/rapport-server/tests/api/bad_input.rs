//! Bad input is a 4xx problem+json that says what to fix, and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, on_both_backends};

async fn count(app: &TestApp, kind: &str) -> usize {
    let list = app.get(&format!("/api/v1/{kind}"), &app.admin_token).await;
    list.expect(StatusCode::OK);
    list.body["items"].as_array().map_or(0, Vec::len)
}

/// Asserts a 422 naming `field` with rule `code`.
fn expect_field_error(reply: &Reply, field: &str, code: &str) {
    reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(reply.has_field_error(field, code), "expected {field}: {code}; got {}", reply.text);
}

async fn create_contact(app: &TestApp, body: Value) -> Reply {
    app.post_json("/api/v1/contacts", &app.admin_token, &body).await
}

#[tokio::test]
async fn malformed_and_mistyped_bodies_are_rejected_with_what_to_fix() {
    on_both_backends("malformed_and_mistyped_bodies_are_rejected_with_what_to_fix", async |app| {
        let malformed = app.post_raw("/api/v1/contacts", &app.admin_token, "{\"first_name\": \"Ana\",").await;
        malformed.expect_problem(StatusCode::BAD_REQUEST, "malformed_json");

        let not_json = app
            .send(
                app.request(Method::POST, "/api/v1/contacts", Some(&app.admin_token))
                    .header("content-type", "text/plain")
                    .body("first_name=Ana"),
            )
            .await;
        not_json.expect_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");

        let array = app.post_raw("/api/v1/contacts", &app.admin_token, "[{\"first_name\": \"Ana\"}]").await;
        assert!(array.status.is_client_error(), "{}", array.text);
        crate::helpers::assert_problem_shape(&array);
        assert!(array.text.contains("object"), "the problem should ask for an object: {}", array.text);

        expect_field_error(&create_contact(app, json!({"first_name": 42})).await, "first_name", "wrong_type");
        expect_field_error(
            &create_contact(app, json!({"first_name": "Ana", "emails": "a@b.com"})).await,
            "emails",
            "wrong_type",
        );
        let unknown = create_contact(app, json!({"first_name": "Ana", "favourite_colour": "blue"})).await;
        expect_field_error(&unknown, "favourite_colour", "unknown_field");
        let long = create_contact(app, json!({"first_name": "A".repeat(101)})).await;
        expect_field_error(&long, "first_name", "too_long");
        expect_field_error(
            &create_contact(app, json!({"first_name": "Ana", "emails": ["not-an-email"]})).await,
            "emails[0]",
            "invalid_email",
        );
        expect_field_error(
            &create_contact(app, json!({"first_name": "Ana", "phones": ["12"]})).await,
            "phones[0]",
            "invalid_phone",
        );
        let reference = create_contact(app, json!({"first_name": "Ana", "company_id": uuid::Uuid::now_v7()})).await;
        expect_field_error(&reference, "company_id", "unknown_reference");
        let reference = create_contact(app, json!({"first_name": "Ana", "company_id": "acme"})).await;
        assert_eq!(reference.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reference.text);
        assert_eq!(reference.error_fields(), ["company_id"], "{}", reference.text);

        let company = app
            .post_json(
                "/api/v1/companies",
                &app.admin_token,
                &json!({"name": "Acme", "country": "BR", "tax_id": "11.111.111/1111-11"}),
            )
            .await;
        expect_field_error(&company, "tax_id", "invalid_cnpj");
        let required = app.post_json("/api/v1/companies", &app.admin_token, &json!({"domain": "acme.com"})).await;
        expect_field_error(&required, "name", "required");

        assert_eq!(count(app, "contacts").await, 0);
        assert_eq!(count(app, "companies").await, 0);
    })
    .await;
}

#[tokio::test]
async fn bad_paths_queries_and_patches_are_rejected_and_change_nothing() {
    on_both_backends("bad_paths_queries_and_patches_are_rejected_and_change_nothing", async |app| {
        let contact = app.create("contacts", &json!({"first_name": "Ana", "last_name": "Souza"})).await;
        let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());

        let bad_id = app.get("/api/v1/contacts/not-a-uuid", &app.admin_token).await;
        bad_id.expect_problem(StatusCode::BAD_REQUEST, "invalid_path");
        let bad_id = app.patch("/api/v1/contacts/123", &app.admin_token, &json!({"first_name": "X"})).await;
        bad_id.expect_problem(StatusCode::BAD_REQUEST, "invalid_path");

        let unknown_filter =
            app.get_query("/api/v1/contacts", &app.admin_token, &[("filter[shoe_size][eq]", "42")]).await;
        unknown_filter.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(unknown_filter.has_field_error("filter[shoe_size][eq]", "unknown_field"), "{}", unknown_filter.text);
        let unknown_param = app.get_query("/api/v1/contacts", &app.admin_token, &[("colour", "red")]).await;
        unknown_param.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let bad_sort = app.get_query("/api/v1/contacts", &app.admin_token, &[("sort", "-shoe_size")]).await;
        assert_eq!(bad_sort.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad_sort.text);

        let wrong =
            app.patch(&path, &app.admin_token, &json!({"first_name": "B".repeat(500), "emails": ["nope"]})).await;
        wrong.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(wrong.has_field_error("first_name", "too_long"), "{}", wrong.text);
        assert!(wrong.has_field_error("emails[0]", "invalid_email"), "{}", wrong.text);
        let array = app.send(app.request(Method::PATCH, &path, Some(&app.admin_token)).json(&json!([1, 2]))).await;
        assert!(array.status.is_client_error(), "{}", array.text);
        crate::helpers::assert_problem_shape(&array);

        let unchanged = app.get(&path, &app.admin_token).await;
        assert_eq!(unchanged.body["version"], 1);
        assert_eq!(unchanged.body["first_name"], "Ana");

        let search = app.get_query("/api/v1/search", &app.admin_token, &[("q", "ana"), ("types", "widget")]).await;
        search.expect_problem(StatusCode::BAD_REQUEST, "unknown_type");
        let no_q = app.get("/api/v1/search", &app.admin_token).await;
        no_q.expect_problem(StatusCode::BAD_REQUEST, "invalid_query");
    })
    .await;
}

#[tokio::test]
async fn typed_bodies_name_the_unknown_field() {
    on_both_backends("typed_bodies_name_the_unknown_field", async |app| {
        let reply = app
            .post_json("/api/v1/tokens", &app.admin_token, &json!({"name": "x", "scope": "read", "admin": true}))
            .await;
        assert!(reply.status.is_client_error(), "{}", reply.text);
        crate::helpers::assert_problem_shape(&reply);
        assert!(reply.text.contains("admin"), "the problem should name the field: {}", reply.text);
        let reply =
            app.post_json("/api/v1/tokens", &app.admin_token, &json!({"name": "x", "scope": "everything"})).await;
        assert!(reply.status.is_client_error(), "{}", reply.text);
        crate::helpers::assert_problem_shape(&reply);
        assert!(reply.text.contains("scope"), "the problem should name the field: {}", reply.text);
        let listed = app.get("/api/v1/tokens", &app.admin_token).await;
        assert_eq!(listed.body.as_array().map(Vec::len), Some(1), "{}", listed.text);
    })
    .await;
}

/// Asserts a client error with a problem body, never a server error.
fn expect_refused(reply: &Reply, what: &str) {
    assert!(reply.status.is_client_error(), "{what}: {} {}", reply.status, reply.text);
    crate::helpers::assert_problem_shape(reply);
}

#[tokio::test]
async fn nul_characters_in_bodies_queries_and_paths_are_refused_not_server_errors() {
    on_both_backends("nul_characters_in_bodies_queries_and_paths_are_refused_not_server_errors", async |app| {
        let token = app.admin_token.clone();
        let nul = "a\u{0}b";
        for (path, body) in [
            ("/api/v1/contacts", json!({"first_name": nul})),
            ("/api/v1/contacts", json!({"first_name": "Ana", "tags": [nul]})),
            ("/api/v1/contacts", json!({"first_name": "Ana", "emails": [format!("{nul}@x.com")]})),
            ("/api/v1/activities", json!({"kind": "note", "body": nul})),
            ("/api/v1/tokens", json!({"name": nul, "scope": "read"})),
            ("/api/v1/teams", json!({"name": nul})),
            (
                "/api/v1/users",
                json!({"email": "x@y.com", "name": nul, "password": "long enough password", "role": "member"}),
            ),
            (
                "/api/v1/custom-fields",
                json!({"record_type": "contact", "key": nul, "label": nul, "field_type": "text"}),
            ),
            ("/api/v1/pipelines", json!({"name": nul, "stages": [{"name": nul, "probability": 10}]})),
        ] {
            let reply = app.post_json(path, &token, &body).await;
            expect_refused(&reply, &format!("POST {path} {body}"));
        }
        let login = app
            .send(app.request(Method::POST, "/api/v1/auth/login", None).json(&json!({"email": nul, "password": nul})))
            .await;
        expect_refused(&login, "login");
        for (path, query) in [
            ("/api/v1/contacts", vec![("filter[first_name][eq]", nul)]),
            ("/api/v1/contacts", vec![("filter[first_name][contains]", nul)]),
            ("/api/v1/contacts", vec![("sort", nul)]),
            ("/api/v1/contacts", vec![("cursor", nul)]),
            ("/api/v1/search", vec![("q", nul)]),
        ] {
            let reply = app.get_query(path, &token, &query).await;
            expect_refused(&reply, &format!("GET {path} {query:?}"));
        }
        let reply = app.delete("/api/v1/custom-fields/contacts/a%00b", &token).await;
        expect_refused(&reply, "DELETE custom field");
        let reply = app.get("/api/v1/contacts%00", &token).await;
        expect_refused(&reply, "GET kind with NUL");
        assert_eq!(count(app, "contacts").await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_response_lists_at_most_a_hundred_field_errors_and_counts_the_rest() {
    on_both_backends("a_response_lists_at_most_a_hundred_field_errors_and_counts_the_rest", async |app| {
        let mut body = serde_json::Map::new();
        for i in 0..450 {
            body.insert(format!("no_such_field_{i}"), json!("x"));
        }
        let reply = app.post_json("/api/v1/contacts", &app.admin_token, &Value::Object(body)).await;
        reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.body["errors"].as_array().map(Vec::len), Some(100));
        // One error per unknown field: 450 in all.
        assert_eq!(reply.body["errors_omitted"], json!(350), "{}", reply.body["errors_omitted"]);
    })
    .await;
}

/// With `Accept-Language`, a problem reads in the caller's language; codes
/// stay the same for programs.
#[tokio::test]
async fn problems_read_in_the_language_the_caller_asks_for() {
    let app = crate::helpers::spawn_app(rapport_db::Backend::Sqlite).await;
    let body = serde_json::json!({"first_name": "Ana", "emails": ["ana@"]});
    let request = |language: &'static str| {
        app.request(reqwest::Method::POST, "/api/v1/contacts", Some(&app.admin_token))
            .header("accept-language", language)
            .json(&body)
    };
    let portuguese = app.send(request("pt-BR,pt;q=0.9")).await;
    portuguese.expect_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(portuguese.header("content-language"), Some("pt-BR"));
    assert_eq!(portuguese.body["errors"][0]["code"], "invalid_email");
    assert!(
        portuguese.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("e-mail válido")),
        "{}",
        portuguese.text
    );
    assert!(portuguese.body["detail"].as_str().is_some_and(|d| d.contains("campos")), "{}", portuguese.text);
    let spanish = app.send(request("es-MX")).await;
    assert!(spanish.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("correo")), "{}", spanish.text);
    let english = app.send(request("en-US")).await;
    assert!(
        english.body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("is not a valid e-mail")),
        "{}",
        english.text
    );
    app.teardown().await;
}

/// A rule's refusal (409) reads in the caller's language too, by its code:
/// demoting the last administrator.
#[tokio::test]
async fn a_refused_change_reads_in_the_language_the_caller_asks_for() {
    let app = crate::helpers::spawn_app(rapport_db::Backend::Sqlite).await;
    let path = format!("/api/v1/users/{}/role", app.admin.id.0);
    let demote = |language: &'static str| {
        app.request(reqwest::Method::PUT, &path, Some(&app.admin_token))
            .header("accept-language", language)
            .json(&serde_json::json!({"role": "member"}))
    };
    let spanish = app.send(demote("es")).await;
    spanish.expect_problem(reqwest::StatusCode::CONFLICT, "last_admin");
    assert!(spanish.body["detail"].as_str().is_some_and(|d| d.contains("administrador")), "{}", spanish.text);
    let portuguese = app.send(demote("pt-BR")).await;
    assert!(portuguese.body["detail"].as_str().is_some_and(|d| d.contains("administradora")), "{}", portuguese.text);
    app.teardown().await;
}
