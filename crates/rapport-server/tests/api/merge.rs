use rapport_core::access::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{id_of, on_both_backends};

#[tokio::test]
async fn merge_api_checks_a_draft_lists_scans_dismisses_merges_and_undoes() {
    on_both_backends("merge_api_checks_a_draft_lists_scans_dismisses_merges_and_undoes", async |app| {
        let token = app.admin_token.clone();
        let company =
            app.create("companies", &json!({"name": "Grupo Pão de Açúcar", "tax_id": "47.508.411/0001-56"})).await;
        let check = app
            .post_json("/api/v1/companies/duplicates/check", &token, &json!({"name": "Grupo Pao de Acucar S.A."}))
            .await;
        check.expect(StatusCode::OK);
        assert_eq!(check.body["items"][0]["id"], company["id"], "{}", check.text);
        assert_eq!(check.body["items"][0]["reasons"], json!(["name"]));
        assert_eq!(check.body["items"][0]["score"], 90);
        let invalid = app.post_json("/api/v1/companies/duplicates/check", &token, &json!({"name": 5})).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", invalid.text);

        let ana =
            app.create("contacts", &json!({"first_name": "Ana", "emails": ["ana@x.com"], "job_title": "Buyer"})).await;
        let anna = app
            .create(
                "contacts",
                &json!({"first_name": "Anna", "last_name": "Souza", "emails": ["ANA@x.com"], "job_title": "CEO"}),
            )
            .await;
        let deal = app.create("deals", &json!({"name": "Big", "contact_id": id_of(&anna)})).await;
        let of_ana = app.get(&format!("/api/v1/contacts/{}/duplicates", id_of(&ana)), &token).await;
        of_ana.expect(StatusCode::OK);
        assert_eq!(of_ana.body["items"][0]["id"], anna["id"], "{}", of_ana.text);
        assert_eq!(of_ana.body["items"][0]["reasons"], json!(["email"]));

        app.post_json("/api/v1/contacts/duplicates/scan", &token, &json!({})).await.expect(StatusCode::ACCEPTED);
        app.run_due_jobs().await;
        let list = app.get("/api/v1/contacts/duplicates", &token).await;
        list.expect(StatusCode::OK);
        assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1), "{}", list.text);
        assert_eq!(list.body["items"][0]["score"], 100);
        app.get_query("/api/v1/contacts/duplicates", &token, &[("cursor", "nonsense")])
            .await
            .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

        // A read-only user may look but not merge.
        let (_, viewer) = app.user("Viewer", Role::ReadOnly).await;
        let body =
            json!({"survivor_id": id_of(&ana), "merged_ids": [id_of(&anna)], "fields": {"job_title": id_of(&anna)}});
        app.post_json("/api/v1/contacts/merge", &viewer, &body)
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");

        let merged = app.post_json("/api/v1/contacts/merge", &token, &body).await;
        merged.expect(StatusCode::OK);
        assert_eq!(merged.body["survivor"]["job_title"], "CEO", "{}", merged.text);
        assert_eq!(merged.body["survivor"]["last_name"], "Souza");
        assert_eq!(merged.body["moved"], 1);
        let deal_now = app.get(&format!("/api/v1/deals/{}", id_of(&deal)), &token).await;
        assert_eq!(deal_now.body["contact_id"], ana["id"]);
        app.get(&format!("/api/v1/contacts/{}", id_of(&anna)), &token).await.expect(StatusCode::NOT_FOUND);
        let list = app.get("/api/v1/contacts/duplicates", &token).await;
        assert_eq!(list.body["items"], json!([]), "{}", list.text);

        let undo = format!("/api/v1/merges/{}/undo", merged.body["merge_id"].as_str().expect("a merge id"));
        let undone = app.post_json(&undo, &token, &json!({})).await;
        undone.expect(StatusCode::OK);
        assert_eq!(undone.body["job_title"], "Buyer", "{}", undone.text);
        app.get(&format!("/api/v1/contacts/{}", id_of(&anna)), &token).await.expect(StatusCode::OK);
        let deal_now = app.get(&format!("/api/v1/deals/{}", id_of(&deal)), &token).await;
        assert_eq!(deal_now.body["contact_id"], anna["id"]);
        app.post_json(&undo, &token, &json!({})).await.expect_problem(StatusCode::CONFLICT, "already_undone");

        let dismissal = json!({"record_id": id_of(&ana), "other_id": id_of(&anna)});
        app.post_json("/api/v1/contacts/duplicates/dismiss", &token, &dismissal).await.expect(StatusCode::NO_CONTENT);
        let of_ana = app.get(&format!("/api/v1/contacts/{}/duplicates", id_of(&ana)), &token).await;
        assert_eq!(of_ana.body["items"], json!([]), "{}", of_ana.text);
    })
    .await;
}
