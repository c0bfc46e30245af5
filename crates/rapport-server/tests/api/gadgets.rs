//! The test-only kind (`gadget`, rapport-core's records/gadget.rs under the
//! `test-kind` feature) gets the REST endpoints and its OpenAPI description
//! from its descriptor alone.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::on_both_backends;

#[tokio::test]
async fn a_descriptor_only_kind_gets_endpoints_and_an_openapi_description() {
    on_both_backends("a_descriptor_only_kind_gets_endpoints_and_an_openapi_description", async |app| {
        let token = &app.admin_token;
        let created = app.post_json("/api/v1/gadgets", token, &json!({"label": "Sprocket", "colour": "red"})).await;
        created.expect(StatusCode::CREATED);
        assert_eq!(created.body["type"], "gadget");
        let id = created.id();
        app.patch(&format!("/api/v1/gadgets/{id}"), token, &json!({"weight_grams": 40})).await.expect(StatusCode::OK);
        let invalid = app
            .post_json("/api/v1/gadgets", token, &json!({"label": "Feather", "colour": "blue", "weight_grams": 2}))
            .await;
        invalid.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(invalid.has_field_error("weight_grams", "too_light"), "{}", invalid.text);
        let listed = app.get_query("/api/v1/gadgets", token, &[("filter[colour][eq]", "red")]).await;
        listed.expect(StatusCode::OK);
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
        let timeline = app.get(&format!("/api/v1/gadgets/{id}/timeline"), token).await;
        timeline.expect(StatusCode::OK);
        app.delete(&format!("/api/v1/gadgets/{id}"), token).await.expect(StatusCode::NO_CONTENT);

        let doc = app.get("/api/v1/openapi.json", token).await;
        doc.expect(StatusCode::OK);
        let schema = &doc.body["components"]["schemas"]["GadgetInput"];
        assert_eq!(schema["properties"]["colour"]["enum"], json!(["red", "green", "blue", null]), "{schema}");
        assert_eq!(schema["required"], json!(["label"]));
        for (path, method) in
            [("/api/v1/gadgets", "post"), ("/api/v1/gadgets/{id}", "patch"), ("/api/v1/gadgets/import", "post")]
        {
            assert!(doc.body["paths"][path][method].is_object(), "{method} {path} is not described");
        }
    })
    .await;
}
