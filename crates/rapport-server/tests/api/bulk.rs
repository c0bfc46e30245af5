use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{field_errors, on_both_backends};

#[tokio::test]
async fn bulk_create_reports_each_items_outcome_and_stores_the_valid_ones() {
    on_both_backends("bulk_create_reports_each_items_outcome_and_stores_the_valid_ones", async |app| {
        let items = json!({"items": [
            {"first_name": "Ana"},
            {"first_name": "Bia"},
            {"first_name": "Caio", "emails": ["not-an-email"]},
            {"first_name": "Duda"},
            {"first_name": "Eva"},
        ]});
        let reply = app.post_json("/api/v1/contacts/bulk", &app.admin_token, &items).await;
        reply.expect(StatusCode::OK);
        let results = reply.body["results"].as_array().expect("results");
        assert_eq!(results.len(), 5);
        for (i, result) in results.iter().enumerate() {
            assert_eq!(result["index"], i);
            if i == 2 {
                assert_eq!(result["status"], 422, "{result}");
                assert_eq!(result["error"]["code"], "validation_failed");
                assert_eq!(field_errors(&result["error"]), [("emails[0]".to_owned(), "invalid_email".to_owned())]);
            } else {
                assert_eq!(result["status"], 200, "{result}");
                assert!(result["record"]["id"].is_string());
            }
        }
        let list = app.get_query("/api/v1/contacts", &app.admin_token, &[("sort", "first_name")]).await;
        let names: Vec<&str> =
            list.body["items"].as_array().unwrap().iter().map(|c| c["first_name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Ana", "Bia", "Duda", "Eva"]);

        // Bulk update and delete report per item too.
        let ana = list.body["items"][0]["id"].as_str().unwrap().to_owned();
        let missing = uuid::Uuid::now_v7().to_string();
        let patch = json!({"items": [
            {"id": ana, "version": 1, "patch": {"job_title": "CTO"}},
            {"id": missing, "patch": {"job_title": "CEO"}},
        ]});
        let updated = app.patch("/api/v1/contacts/bulk", &app.admin_token, &patch).await;
        updated.expect(StatusCode::OK);
        assert_eq!(updated.body["results"][0]["status"], 200, "{}", updated.text);
        assert_eq!(updated.body["results"][1]["status"], 404, "{}", updated.text);
        let deleted =
            app.post_json("/api/v1/contacts/bulk-delete", &app.admin_token, &json!({"ids": [ana, missing]})).await;
        deleted.expect(StatusCode::OK);
        assert_eq!(deleted.body["results"][0]["status"], 204, "{}", deleted.text);
        assert_eq!(deleted.body["results"][1]["status"], 404, "{}", deleted.text);

        let empty = app.post_json("/api/v1/contacts/bulk", &app.admin_token, &json!({"items": []})).await;
        empty.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let not_items = app.post_json("/api/v1/contacts/bulk", &app.admin_token, &json!([{"first_name": "X"}])).await;
        assert!(not_items.status.is_client_error(), "{}", not_items.text);
        crate::helpers::assert_problem_shape(&not_items);
    })
    .await;
}
