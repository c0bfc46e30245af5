use rapport_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::on_both_backends;

#[tokio::test]
async fn members_cannot_administer_and_admins_manage_users_teams_and_custom_fields() {
    on_both_backends("members_cannot_administer_and_admins_manage_users_teams_and_custom_fields", async |app| {
        let (member, member_token) = app.user("Mia Member", Role::Member).await;
        let new_user =
            json!({"email": "rui@rapport.test", "name": "Rui", "password": "long enough password", "role": "member"});
        let field = json!({"record_type": "contact", "key": "region", "label": "Region", "field_type": "text"});
        for (method, path, body) in [
            (Method::POST, "/api/v1/users", new_user.clone()),
            (Method::POST, "/api/v1/teams", json!({"name": "Sales"})),
            (Method::POST, "/api/v1/custom-fields", field.clone()),
            (Method::POST, "/api/v1/pipelines", json!({"name": "B2B", "stages": []})),
            (Method::POST, &format!("/api/v1/users/{}/disable", app.admin.id), json!({})),
        ] {
            let reply = app.send(app.request(method.clone(), path, Some(&member_token)).json(&body)).await;
            reply.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        }

        let created = app.post_json("/api/v1/users", &app.admin_token, &new_user).await;
        created.expect(StatusCode::CREATED);
        assert!(created.body.get("password").is_none() && !created.text.contains("argon2"), "{}", created.text);
        let duplicate = app.post_json("/api/v1/users", &app.admin_token, &new_user).await;
        duplicate.expect_problem(StatusCode::CONFLICT, "email_taken");
        let weak = app
            .post_json(
                "/api/v1/users",
                &app.admin_token,
                &json!({"email": "x@rapport.test", "name": "X", "password": "short", "role": "member"}),
            )
            .await;
        weak.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(weak.has_field_error("password", "too_short"), "{}", weak.text);

        let team = app.post_json("/api/v1/teams", &app.admin_token, &json!({"name": "Sales"})).await;
        team.expect(StatusCode::CREATED);
        let team_id = team.id();
        app.post_json(&format!("/api/v1/teams/{team_id}/members"), &app.admin_token, &json!({"user_id": member.id}))
            .await
            .expect(StatusCode::NO_CONTENT);
        let teams = app.get("/api/v1/teams", &member_token).await;
        assert_eq!(teams.body[0]["member_ids"], json!([member.id]), "{}", teams.text);

        app.post_json("/api/v1/custom-fields", &app.admin_token, &field).await.expect(StatusCode::CREATED);
        let contact = app
            .post_json(
                "/api/v1/contacts",
                &member_token,
                &json!({"first_name": "Ana", "custom": {"region": "Nordeste"}}),
            )
            .await;
        contact.expect(StatusCode::CREATED);
        assert_eq!(contact.body["custom"]["region"], "Nordeste");
        let filtered =
            app.get_query("/api/v1/contacts", &member_token, &[("filter[custom.region][eq]", "Nordeste")]).await;
        filtered.expect(StatusCode::OK);
        assert_eq!(filtered.body["items"].as_array().map(Vec::len), Some(1), "{}", filtered.text);
        app.delete("/api/v1/custom-fields/contacts/region", &app.admin_token).await.expect(StatusCode::NO_CONTENT);
        app.delete("/api/v1/custom-fields/contacts/region", &app.admin_token)
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not_found");

        // A disabled user's credentials stop working at once.
        app.post_json(&format!("/api/v1/users/{}/disable", member.id), &app.admin_token, &json!({}))
            .await
            .expect(StatusCode::NO_CONTENT);
        app.get("/api/v1/auth/me", &member_token).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        app.post_json(&format!("/api/v1/users/{}/enable", member.id), &app.admin_token, &json!({}))
            .await
            .expect(StatusCode::NO_CONTENT);
        // Re-enabling brings the user back, not their old tokens.
        app.get("/api/v1/auth/me", &member_token).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        let fresh = app.token(member.id, rapport_core::access::Scope::Read).await;
        app.get("/api/v1/auth/me", &fresh).await.expect(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_with_problem_json() {
    on_both_backends("unknown_routes_and_methods_answer_with_problem_json", async |app| {
        let unknown = app.get("/api/v1/contacts/0190f5d2-0000-7000-8000-000000000000/nothing", &app.admin_token).await;
        unknown.expect_problem(StatusCode::NOT_FOUND, "not_found");
        let method =
            app.send(app.request(Method::PUT, "/api/v1/contacts", Some(&app.admin_token)).json(&json!({}))).await;
        method.expect_problem(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    })
    .await;
}

#[tokio::test]
async fn bodies_up_to_eight_mebibytes_are_accepted_and_larger_ones_refused_as_problem_json() {
    on_both_backends(
        "bodies_up_to_eight_mebibytes_are_accepted_and_larger_ones_refused_as_problem_json",
        async |app| {
            let note = "n".repeat(3000);
            let items: Vec<_> =
                (0..1000).map(|i| json!({"kind": "note", "subject": format!("note {i}"), "body": note})).collect();
            let body = json!({ "items": items });
            let reply = app.post_json("/api/v1/activities/bulk", &app.admin_token, &body).await;
            reply.expect(StatusCode::OK);
            assert!(reply.body["results"].as_array().unwrap().iter().all(|r| r["status"] == 200));

            let huge = format!("{{\"first_name\": \"{}\"}}", "x".repeat(9 * 1024 * 1024));
            let refused = app.post_raw("/api/v1/contacts", &app.admin_token, &huge).await;
            refused.expect_problem(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
        },
    )
    .await;
}

/// Colleagues see each other's names and teams; e-mail addresses and roles
/// only managers and administrators (before, everyone saw everything).
#[tokio::test]
async fn only_managers_and_admins_see_users_emails_and_roles() {
    on_both_backends("only_managers_and_admins_see_users_emails_and_roles", async |app| {
        let (_, reader) = app.user("Rita Reader", Role::ReadOnly).await;
        let (_, member) = app.user("Mario Member", Role::Member).await;
        let (_, manager) = app.user("Marta Manager", Role::Manager).await;
        for (token, details) in [(&reader, false), (&member, false), (&manager, true), (&app.admin_token, true)] {
            let listed = app.get("/api/v1/users", token).await;
            listed.expect(StatusCode::OK);
            let users = listed.body.as_array().expect("a list");
            assert_eq!(users.len(), 4, "{}", listed.text);
            for user in users {
                assert!(user["name"].is_string() && user["id"].is_string(), "{user}");
                assert_eq!(user.get("email").is_some(), details, "{user}");
                assert_eq!(user.get("role").is_some(), details, "{user}");
            }
        }
    })
    .await;
}

/// What settings do in the UI, the API does too: a role changed, a
/// forgotten password set by an administrator, a user's own language and
/// time zone; the last administrator keeps their role.
#[tokio::test]
async fn roles_forgotten_passwords_and_preferences_through_the_api() {
    on_both_backends("roles_forgotten_passwords_and_preferences_through_the_api", async |app| {
        let (user, token) = app.user("Rosa Papel", Role::Member).await;
        let path = |what: &str| format!("/api/v1/users/{}/{what}", user.id.0);
        let role = app.request(Method::PUT, &path("role"), Some(&app.admin_token)).json(&json!({"role": "manager"}));
        app.send(role).await.expect(StatusCode::NO_CONTENT);
        let me = app.get("/api/v1/auth/me", &token).await;
        assert_eq!(me.body["role"], "manager");
        let not_yours = app.request(Method::PUT, &path("role"), Some(&token)).json(&json!({"role": "admin"}));
        app.send(not_yours).await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let last = app.request(Method::PUT, &format!("/api/v1/users/{}/role", app.admin.id.0), Some(&app.admin_token));
        app.send(last.json(&json!({"role": "member"}))).await.expect_problem(StatusCode::CONFLICT, "last_admin");

        app.post_json(&path("password"), &app.admin_token, &json!({"password": "short"}))
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        app.post_json(&path("password"), &app.admin_token, &json!({"password": "a fresh start for Rosa"}))
            .await
            .expect(StatusCode::NO_CONTENT);
        app.ctx.forget_checked_credentials();
        app.get("/api/v1/auth/me", &token).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        let login = json!({"email": user.email, "password": "a fresh start for Rosa"});
        app.send(app.request(Method::POST, "/api/v1/auth/login", None).json(&login)).await.expect(StatusCode::OK);

        let (_, fresh) = app.user("Rui Fuso", Role::Member).await;
        let prefs = app
            .request(Method::PATCH, "/api/v1/auth/me", Some(&fresh))
            .json(&json!({"locale": "pt-BR", "time_zone": "America/Recife"}));
        let set = app.send(prefs).await;
        set.expect(StatusCode::OK);
        assert_eq!((&set.body["locale"], &set.body["time_zone"]), (&json!("pt-BR"), &json!("America/Recife")));
        let bad =
            app.request(Method::PATCH, "/api/v1/auth/me", Some(&fresh)).json(&json!({"time_zone": "Mars/Olympus"}));
        app.send(bad).await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    })
    .await;
}
