use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use rapport_core::access::Role;

use crate::helpers::{Reply, TestApp, on_both_backends};

async fn post_with_key(app: &TestApp, path: &str, key: &str, body: &Value) -> Reply {
    app.send(app.request(Method::POST, path, Some(&app.admin_token)).header("idempotency-key", key).json(body)).await
}

#[tokio::test]
async fn a_repeated_idempotency_key_replays_the_first_answer_and_creates_nothing_new() {
    on_both_backends("a_repeated_idempotency_key_replays_the_first_answer_and_creates_nothing_new", async |app| {
        let body = json!({"first_name": "Ana", "last_name": "Souza"});
        let first = post_with_key(app, "/api/v1/contacts", "create-ana-1", &body).await;
        first.expect(StatusCode::CREATED);
        assert!(first.header("idempotent-replayed").is_none());
        let second = post_with_key(app, "/api/v1/contacts", "create-ana-1", &body).await;
        second.expect(StatusCode::CREATED);
        assert_eq!(second.header("idempotent-replayed"), Some("true"));
        assert_eq!(second.id(), first.id());
        assert_eq!(second.header("etag"), first.header("etag"));
        assert_eq!(second.header("content-type"), Some("application/json"));

        let list = app.get("/api/v1/contacts", &app.admin_token).await;
        assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1), "{}", list.text);

        let other = post_with_key(app, "/api/v1/contacts", "create-ana-1", &json!({"first_name": "Bia"})).await;
        other.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
        // The same key on another endpoint is another request too.
        let elsewhere = post_with_key(app, "/api/v1/leads", "create-ana-1", &json!({"last_name": "Souza"})).await;
        elsewhere.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
        let list = app.get("/api/v1/contacts", &app.admin_token).await;
        assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1), "{}", list.text);

        // A refused request is replayed as refused, as problem+json.
        let invalid = json!({"first_name": "A".repeat(101)});
        let refused = post_with_key(app, "/api/v1/contacts", "bad-1", &invalid).await;
        refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let again = post_with_key(app, "/api/v1/contacts", "bad-1", &invalid).await;
        again.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(again.header("idempotent-replayed"), Some("true"));

        let empty_key = post_with_key(app, "/api/v1/contacts", "", &body).await;
        empty_key.expect_problem(StatusCode::BAD_REQUEST, "invalid_idempotency_key");
    })
    .await;
}

/// Keys belong to the credential that sent them: the same key from another
/// token of the same user is another request (before, it replayed the other
/// token's answer).
#[tokio::test]
async fn idempotency_keys_belong_to_one_credential() {
    on_both_backends("idempotency_keys_belong_to_one_credential", async |app| {
        let (member, first_token) = app.user("Keyed Member", Role::Member).await;
        let second_token = app.token(member.id, rapport_core::access::Scope::ReadWrite).await;
        let post = |token: &str, key: &str, body: &Value| {
            app.request(Method::POST, "/api/v1/contacts", Some(token)).header("idempotency-key", key).json(body)
        };
        let body = json!({"first_name": "Cris", "last_name": "Lima"});
        let first = app.send(post(&first_token, "same-key", &body)).await;
        first.expect(StatusCode::CREATED);
        let second = app.send(post(&second_token, "same-key", &body)).await;
        second.expect(StatusCode::CREATED);
        assert!(second.header("idempotent-replayed").is_none(), "another credential replayed: {}", second.text);
        assert_ne!(second.id(), first.id());
        let again = app.send(post(&first_token, "same-key", &body)).await;
        assert_eq!((again.header("idempotent-replayed"), again.id()), (Some("true"), first.id()));

        // The case: a read token's refusal is not what a read-write
        // token gets for the same key.
        let read_token = app.token(member.id, rapport_core::access::Scope::Read).await;
        let other = json!({"first_name": "Dani"});
        app.send(post(&read_token, "by-read-token", &other)).await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let allowed = app.send(post(&first_token, "by-read-token", &other)).await;
        allowed.expect(StatusCode::CREATED);
        assert!(allowed.header("idempotent-replayed").is_none());
    })
    .await;
}
