use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, on_both_backends};

fn etag_of(reply: &Reply) -> String {
    reply.header("etag").unwrap_or_else(|| panic!("no ETag: {:?}", reply.headers)).to_owned()
}

async fn patch_if_match(app: &TestApp, path: &str, etag: &str, body: &Value) -> Reply {
    app.send(app.request(Method::PATCH, path, Some(&app.admin_token)).header("if-match", etag).json(body)).await
}

#[tokio::test]
async fn contacts_are_created_read_updated_with_etags_deleted_and_restored() {
    on_both_backends("contacts_are_created_read_updated_with_etags_deleted_and_restored", async |app| {
        let created = app
            .post_json(
                "/api/v1/contacts",
                &app.admin_token,
                &json!({"first_name": "Ana", "last_name": "Souza", "emails": ["Ana@Example.com"], "tags": ["vip"]}),
            )
            .await;
        created.expect(StatusCode::CREATED);
        assert_eq!(etag_of(&created), "\"1\"");
        assert_eq!(created.body["version"], 1);
        assert_eq!(created.body["type"], "contact");
        assert_eq!(created.body["owner_id"], app.admin.id.to_string());
        let path = format!("/api/v1/contacts/{}", created.id());

        let read = app.get(&path, &app.admin_token).await;
        read.expect(StatusCode::OK);
        assert_eq!(etag_of(&read), "\"1\"");
        assert_eq!(read.body["first_name"], "Ana");

        let stale = patch_if_match(app, &path, "\"0\"", &json!({"first_name": "Changed"})).await;
        stale.expect_problem(StatusCode::PRECONDITION_FAILED, "version_mismatch");
        assert_eq!(app.get(&path, &app.admin_token).await.body["first_name"], "Ana");

        let updated = patch_if_match(app, &path, &etag_of(&read), &json!({"job_title": "CTO"})).await;
        updated.expect(StatusCode::OK);
        assert_eq!(updated.body["version"], 2);
        assert_eq!(updated.body["job_title"], "CTO");
        assert_eq!(updated.body["first_name"], "Ana");
        assert_eq!(etag_of(&updated), "\"2\"");
        // The old ETag is stale now.
        patch_if_match(app, &path, "\"1\"", &json!({"job_title": "CEO"}))
            .await
            .expect_problem(StatusCode::PRECONDITION_FAILED, "version_mismatch");
        // A well-formed tag that is not one of ours matches no version.
        patch_if_match(app, &path, "\"abc\"", &json!({"job_title": "CEO"}))
            .await
            .expect_problem(StatusCode::PRECONDITION_FAILED, "version_mismatch");
        let bad_etag = patch_if_match(app, &path, "yesterday", &json!({"job_title": "CEO"})).await;
        bad_etag.expect_problem(StatusCode::BAD_REQUEST, "invalid_if_match");

        // A client holding the current version gets 304 and no body.
        let conditional =
            |tag: &str| app.request(Method::GET, &path, Some(&app.admin_token)).header("if-none-match", tag.to_owned());
        let fresh = app.send(conditional("\"2\"")).await;
        fresh.expect(StatusCode::NOT_MODIFIED);
        assert_eq!((etag_of(&fresh).as_str(), fresh.text.as_str()), ("\"2\"", ""));
        app.send(conditional("\"1\", W/\"abc\"")).await.expect(StatusCode::OK);

        let timeline = app.get(&format!("{path}/timeline"), &app.admin_token).await;
        timeline.expect(StatusCode::OK);
        assert!(!timeline.body["items"].as_array().unwrap().is_empty(), "{}", timeline.text);

        app.delete(&path, &app.admin_token).await.expect(StatusCode::NO_CONTENT);
        app.get(&path, &app.admin_token).await.expect_problem(StatusCode::NOT_FOUND, "not_found");
        let restored = app.post_json(&format!("{path}/restore"), &app.admin_token, &json!({})).await;
        restored.expect(StatusCode::OK);
        assert!(restored.body["deleted_at"].is_null());
        let read = app.get(&path, &app.admin_token).await;
        read.expect(StatusCode::OK);
        assert_eq!(etag_of(&read), etag_of(&restored));
    })
    .await;
}

#[tokio::test]
async fn contact_lists_filter_sort_and_page_with_cursors() {
    on_both_backends("contact_lists_filter_sort_and_page_with_cursors", async |app| {
        for (first, city) in
            [("Ana", "Recife"), ("Bia", "Recife"), ("Caio", "Natal"), ("Duda", "Recife"), ("Eva", "Recife")]
        {
            app.create("contacts", &json!({"first_name": first, "last_name": "Lima", "city": city})).await;
        }
        let mut names = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut query = vec![("filter[city][eq]", "Recife"), ("sort", "-first_name"), ("limit", "3")];
            if let Some(c) = &cursor {
                query.push(("cursor", c.as_str()));
            }
            let page = app.get_query("/api/v1/contacts", &app.admin_token, &query).await;
            page.expect(StatusCode::OK);
            pages += 1;
            for item in page.body["items"].as_array().unwrap() {
                names.push(item["first_name"].as_str().unwrap().to_owned());
            }
            match page.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
            assert!(pages < 5, "the cursor never ends");
        }
        assert_eq!(names, ["Eva", "Duda", "Bia", "Ana"]);
        assert_eq!(pages, 2);

        let contains =
            app.get_query("/api/v1/contacts", &app.admin_token, &[("filter[first_name][contains]", "ai")]).await;
        contains.expect(StatusCode::OK);
        let found: Vec<&str> =
            contains.body["items"].as_array().unwrap().iter().map(|i| i["first_name"].as_str().unwrap()).collect();
        assert_eq!(found, ["Caio"]);

        let bad_cursor = app.get_query("/api/v1/contacts", &app.admin_token, &[("cursor", "zz")]).await;
        bad_cursor.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(bad_cursor.has_field_error("cursor", "invalid_cursor"), "{}", bad_cursor.text);
        let bad_limit = app.get_query("/api/v1/contacts", &app.admin_token, &[("limit", "0")]).await;
        bad_limit.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(bad_limit.has_field_error("limit", "out_of_range"), "{}", bad_limit.text);
    })
    .await;
}

#[tokio::test]
async fn unknown_record_kinds_are_not_found() {
    on_both_backends("unknown_record_kinds_are_not_found", async |app| {
        app.get("/api/v1/widgets", &app.admin_token).await.expect_problem(StatusCode::NOT_FOUND, "not_found");
        app.post_json("/api/v1/widgets", &app.admin_token, &json!({}))
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not_found");
        let missing = app.get(&format!("/api/v1/contacts/{}", uuid::Uuid::now_v7()), &app.admin_token).await;
        missing.expect_problem(StatusCode::NOT_FOUND, "not_found");
    })
    .await;
}
