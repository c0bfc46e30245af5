//! Changing pipelines and their stages, and people's names, through the API.

use rapport_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_backends};

async fn default_pipeline(app: &TestApp) -> Value {
    let pipelines = app.get("/api/v1/pipelines", &app.admin_token).await;
    pipelines.expect(StatusCode::OK);
    pipelines.body[0].clone()
}

fn stage_updates(pipeline: &Value) -> Vec<Value> {
    pipeline["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| json!({"id": s["id"], "name": s["name"], "probability": s["probability"], "is_won": s["is_won"], "is_lost": s["is_lost"]}))
        .collect()
}

#[tokio::test]
async fn an_administrator_renames_reorders_and_extends_a_pipeline() {
    on_both_backends("an_administrator_renames_reorders_and_extends_a_pipeline", async |app| {
        let pipeline = default_pipeline(app).await;
        let id = pipeline["id"].as_str().expect("an id");
        let proposal = pipeline["stages"][2]["id"].clone();
        let deal = app.create("deals", &json!({"name": "Frota", "stage_id": proposal})).await;

        let mut stages = stage_updates(&pipeline);
        stages.swap(0, 2);
        stages[0]["name"] = json!("Proposta");
        stages[0]["probability"] = json!(45);
        stages.insert(4, json!({"name": "Contrato", "probability": 90}));
        let body = json!({"name": "Vendas", "stages": stages});
        let reply = app.patch(&format!("/api/v1/pipelines/{id}"), &app.admin_token, &body).await;
        reply.expect(StatusCode::OK);
        assert_eq!(reply.body["name"], "Vendas");
        assert_eq!(reply.body["stages"][0]["id"], proposal);
        assert_eq!(reply.body["stages"][0]["name"], "Proposta");
        assert_eq!(reply.body["stages"][4]["name"], "Contrato");
        assert_eq!(reply.body["stages"].as_array().map(Vec::len), Some(7));
        assert_eq!(default_pipeline(app).await, reply.body);

        // The deal is where it was.
        let id_of_deal = deal["id"].as_str().expect("an id");
        let deal = app.get(&format!("/api/v1/deals/{id_of_deal}"), &app.admin_token).await;
        assert_eq!(deal.body["stage_id"], proposal);

        // The name alone.
        let renamed = app.patch(&format!("/api/v1/pipelines/{id}"), &app.admin_token, &json!({"name": "B2B"})).await;
        renamed.expect(StatusCode::OK);
        assert_eq!(
            (renamed.body["name"].clone(), renamed.body["stages"].clone()),
            (json!("B2B"), reply.body["stages"].clone())
        );

        let missing = format!("/api/v1/pipelines/{}", uuid::Uuid::now_v7());
        app.patch(&missing, &app.admin_token, &json!({"name": "X"}))
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not_found");
    })
    .await;
}

#[tokio::test]
async fn members_cannot_change_pipelines() {
    on_both_backends("members_cannot_change_pipelines", async |app| {
        let (_, member_token) = app.user("Mia Member", Role::Member).await;
        let pipeline = default_pipeline(app).await;
        let path = format!("/api/v1/pipelines/{}", pipeline["id"].as_str().expect("an id"));
        app.patch(&path, &member_token, &json!({"name": "Mine"}))
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(default_pipeline(app).await, pipeline);
    })
    .await;
}

#[tokio::test]
async fn bad_pipeline_changes_are_refused_field_by_field() {
    on_both_backends("bad_pipeline_changes_are_refused_field_by_field", async |app| {
        let pipeline = default_pipeline(app).await;
        let path = format!("/api/v1/pipelines/{}", pipeline["id"].as_str().expect("an id"));
        let mut stages = stage_updates(&pipeline);
        stages[0]["probability"] = json!(150);
        stages[1]["name"] = json!("  ");
        stages[5]["is_lost"] = json!(false);
        let reply = app.patch(&path, &app.admin_token, &json!({"stages": stages})).await;
        reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(reply.has_field_error("stages[0].probability", "out_of_range"), "{}", reply.text);
        assert!(reply.has_field_error("stages[1].name", "required"), "{}", reply.text);
        assert!(reply.has_field_error("stages", "won_lost_required"), "{}", reply.text);

        let unknown = app.patch(&path, &app.admin_token, &json!({"title": "X"})).await;
        unknown.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown.has_field_error("title", "unknown_field"), "{}", unknown.text);

        // A stage with a deal stays, and says so in the caller's language.
        let proposal = pipeline["stages"][2]["id"].clone();
        app.create("deals", &json!({"name": "Frota", "stage_id": proposal})).await;
        let mut stages = stage_updates(&pipeline);
        stages.remove(2);
        let request =
            app.request(reqwest::Method::PATCH, &path, Some(&app.admin_token)).header("Accept-Language", "pt-BR");
        let refused = app.send(request.json(&json!({"stages": stages}))).await;
        refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(refused.has_field_error("stages", "stage_in_use"), "{}", refused.text);
        assert!(
            refused.text.contains("1 negócio (contando a lixeira) está na etapa \\\"Proposal\\\""),
            "{}",
            refused.text
        );
        assert_eq!(refused.body["errors"][0]["params"], json!({"count": "1", "stage": "Proposal"}));
        assert_eq!(default_pipeline(app).await, pipeline);
    })
    .await;
}

#[tokio::test]
async fn names_are_changed_by_administrators_and_by_their_owners() {
    on_both_backends("names_are_changed_by_administrators_and_by_their_owners", async |app| {
        let (member, member_token) = app.user("Mia Member", Role::Member).await;
        let path = format!("/api/v1/users/{}", member.id);
        app.patch(&path, &member_token, &json!({"name": "Me"}))
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
        app.patch(&path, &app.admin_token, &json!({"name": " Mia Souza "})).await.expect(StatusCode::NO_CONTENT);
        let me = app.get("/api/v1/auth/me", &member_token).await;
        assert_eq!(me.body["name"], "Mia Souza");

        let mine = app.patch("/api/v1/auth/me", &member_token, &json!({"name": "Mia"})).await;
        mine.expect(StatusCode::OK);
        assert_eq!((mine.body["name"].clone(), mine.body["locale"].clone()), (json!("Mia"), json!("en")));
        let blank = app.patch("/api/v1/auth/me", &member_token, &json!({"name": "  "})).await;
        blank.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(blank.has_field_error("name", "required"), "{}", blank.text);
        let long = app.patch(&path, &app.admin_token, &json!({"name": "x".repeat(101)})).await;
        assert!(long.has_field_error("name", "too_long"), "{}", long.text);
        let nobody = format!("/api/v1/users/{}", uuid::Uuid::now_v7());
        app.patch(&nobody, &app.admin_token, &json!({"name": "X"}))
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not_found");
    })
    .await;
}
