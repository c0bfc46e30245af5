use rapport_core::access::{Role, Scope};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, Reply, TestApp, on_both_backends};

async fn login(app: &TestApp, email: &str, password: &str) -> Reply {
    app.send(app.request(Method::POST, "/api/v1/auth/login", None).json(&json!({"email": email, "password": password})))
        .await
}

/// The session cookie's value from a `Set-Cookie` header.
fn session_value(reply: &Reply) -> String {
    let cookie = reply.header("set-cookie").expect("a Set-Cookie header");
    cookie.split(';').next().and_then(|kv| kv.split_once('=')).map(|(_, v)| v.to_owned()).expect("a cookie value")
}

#[tokio::test]
async fn session_login_sets_a_safe_cookie_and_changing_requests_need_the_csrf_token() {
    on_both_backends("session_login_sets_a_safe_cookie_and_changing_requests_need_the_csrf_token", async |app| {
        let wrong = login(app, "admin@rapport.test", "not the password").await;
        wrong.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        assert!(wrong.header("set-cookie").is_none());

        let ok = login(app, "Admin@Rapport.test", PASSWORD).await;
        ok.expect(StatusCode::OK);
        let cookie = ok.header("set-cookie").expect("a session cookie").to_owned();
        assert!(cookie.starts_with("rapport_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        let csrf = ok.body["csrf_token"].as_str().expect("a CSRF token").to_owned();
        assert_eq!(ok.body["user"]["email"], "admin@rapport.test");
        let session = session_value(&ok);

        // The client keeps the cookie: no other credentials from here on.
        let me = app.send(app.request(Method::GET, "/api/v1/auth/me", None)).await;
        me.expect(StatusCode::OK);
        assert_eq!(me.body["id"], app.admin.id.to_string());

        let contact = json!({"first_name": "Ana", "last_name": "Souza"});
        let no_csrf = app.send(app.request(Method::POST, "/api/v1/contacts", None).json(&contact)).await;
        no_csrf.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let wrong_csrf = app
            .send(app.request(Method::POST, "/api/v1/contacts", None).header("x-csrf-token", "guess").json(&contact))
            .await;
        wrong_csrf.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let list = app.get("/api/v1/contacts", &app.admin_token).await;
        assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0), "a refused request created a contact");

        let created = app
            .send(app.request(Method::POST, "/api/v1/contacts", None).header("x-csrf-token", &csrf).json(&contact))
            .await;
        created.expect(StatusCode::CREATED);

        let logout =
            app.send(app.request(Method::POST, "/api/v1/auth/logout", None).header("x-csrf-token", &csrf)).await;
        logout.expect(StatusCode::NO_CONTENT);
        let after = app.send(app.request(Method::GET, "/api/v1/auth/me", None)).await;
        after.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        // The old cookie value is dead on the server, not just forgotten by the client.
        let replayed = app
            .send(
                app.request(Method::GET, "/api/v1/auth/me", None)
                    .header("cookie", format!("rapport_session={session}")),
            )
            .await;
        replayed.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    })
    .await;
}

#[tokio::test]
async fn sixth_failed_login_for_one_account_is_throttled_with_retry_after() {
    on_both_backends("sixth_failed_login_for_one_account_is_throttled_with_retry_after", async |app| {
        for attempt in 1..=5 {
            let reply = login(app, "admin@rapport.test", &format!("wrong password {attempt}")).await;
            reply.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        }
        let sixth = login(app, "admin@rapport.test", "wrong password 6").await;
        sixth.expect_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        let retry_after: u64 = sixth.header("retry-after").and_then(|v| v.parse().ok()).expect("a Retry-After");
        assert!(retry_after > 0);
        // Even the right password waits now.
        login(app, "admin@rapport.test", PASSWORD).await.expect(StatusCode::TOO_MANY_REQUESTS);
        // The window passes.
        app.clock.advance(chrono::Duration::seconds(retry_after as i64 + 1));
        login(app, "admin@rapport.test", PASSWORD).await.expect(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn bearer_tokens_authenticate_with_their_scope_until_revoked() {
    on_both_backends("bearer_tokens_authenticate_with_their_scope_until_revoked", async |app| {
        let (member, token) = app.user("Bruno Member", Role::Member).await;
        let me = app.get("/api/v1/auth/me", &token).await;
        me.expect(StatusCode::OK);
        assert_eq!(me.body["id"], member.id.to_string());

        let read_only = app.token(member.id, Scope::Read).await;
        app.get("/api/v1/contacts", &read_only).await.expect(StatusCode::OK);
        let refused = app.post_json("/api/v1/contacts", &read_only, &json!({"first_name": "Ana"})).await;
        refused.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        // A read-only credential cannot mint a read-write one.
        let minted =
            app.post_json("/api/v1/tokens", &read_only, &json!({"name": "escalate", "scope": "read_write"})).await;
        minted.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        // Nor change anything of the account: tokens, password, notifications.
        let more = app.post_json("/api/v1/tokens", &read_only, &json!({"name": "another", "scope": "read"})).await;
        more.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let password = json!({"current_password": "irrelevant", "new_password": "a brand new passphrase 42"});
        app.post_json("/api/v1/auth/password", &read_only, &password)
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let listed = app.get("/api/v1/tokens", &token).await;
        let writer_token = listed
            .body
            .as_array()
            .and_then(|t| t.iter().find(|t| t["scope"] == "read_write"))
            .cloned()
            .expect("the user's read-write token");
        let path = format!("/api/v1/tokens/{}", writer_token["id"].as_str().expect("an id"));
        app.delete(&path, &read_only).await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let unknown = format!("/api/v1/notifications/{}/read", uuid::Uuid::now_v7());
        app.post_json(&unknown, &read_only, &json!({})).await.expect_problem(StatusCode::FORBIDDEN, "forbidden");

        let created = app.post_json("/api/v1/tokens", &token, &json!({"name": "script", "scope": "read_write"})).await;
        created.expect(StatusCode::CREATED);
        let secret = created.body["secret"].as_str().expect("a secret").to_owned();
        let token_id = created.body["id"].as_str().expect("an id").to_owned();
        app.get("/api/v1/auth/me", &secret).await.expect(StatusCode::OK);
        let listed = app.get("/api/v1/tokens", &token).await;
        assert!(listed.body.as_array().unwrap().iter().all(|t| t.get("secret").is_none()), "{}", listed.text);

        app.delete(&format!("/api/v1/tokens/{token_id}"), &token).await.expect(StatusCode::NO_CONTENT);
        app.get("/api/v1/auth/me", &secret).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        // Another user's token cannot be revoked.
        let admin_tokens = app.get("/api/v1/tokens", &app.admin_token).await;
        let admin_token_id = admin_tokens.body[0]["id"].as_str().unwrap().to_owned();
        app.delete(&format!("/api/v1/tokens/{admin_token_id}"), &token)
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not_found");
        app.delete("/api/v1/tokens/not-a-uuid", &token).await.expect_problem(StatusCode::BAD_REQUEST, "invalid_path");

        let anonymous = app.send(app.request(Method::GET, "/api/v1/contacts", None)).await;
        anonymous.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        let garbage = app.get("/api/v1/contacts", "rpt_nonsense").await;
        garbage.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    })
    .await;
}

#[tokio::test]
async fn a_stale_session_cookie_does_not_shadow_a_valid_one() {
    on_both_backends("a_stale_session_cookie_does_not_shadow_a_valid_one", async |app| {
        let signed_in = login(app, "admin@rapport.test", PASSWORD).await;
        signed_in.expect(StatusCode::OK);
        let session = session_value(&signed_in);
        // A client without a cookie store, sending both as a browser might.
        let me = reqwest::Client::new()
            .get(app.url("/api/v1/auth/me"))
            .header("cookie", format!("rapport_session=stale-value; rapport_session={session}"))
            .send()
            .await
            .expect("me");
        assert_eq!(me.status(), StatusCode::OK);
    })
    .await;
}
