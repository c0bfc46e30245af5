//! Reports and dashboards through the API: running, saving, sharing,
//! visibility, and 422s for bad definitions.

use rapport_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_backends};

async fn deals(app: &TestApp, owner: &str) {
    for (name, amount, currency) in [("A", 100_000, "BRL"), ("B", 250_000, "BRL"), ("C", 40_000, "USD")] {
        app.create("deals", &json!({"name": name, "amount_minor": amount, "currency": currency, "owner_id": owner}))
            .await;
    }
}

fn by_owner_sum() -> Value {
    json!({
        "record_type": "deal",
        "group_by": [{"field": "owner_id"}],
        "measures": [{"op": "sum", "field": "amount_minor"}, {"op": "count"}],
        "sort": {"by": {"measure": 0}, "direction": "desc"},
        "chart": "bar"
    })
}

#[tokio::test]
async fn an_ad_hoc_report_sums_money_per_currency_and_names_the_owner() {
    on_both_backends("reports run api", async |app| {
        let (ana, _) = app.user("Ana Lima", Role::Member).await;
        deals(app, &ana.id.to_string()).await;
        let reply = app.post_json("/api/v1/reports/run", &app.admin_token, &by_owner_sum()).await;
        reply.expect(StatusCode::OK);
        let rows = reply.body["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), 2, "{}", reply.body);
        assert_eq!(rows[0]["currency"], "BRL");
        assert_eq!(rows[0]["values"], json!([350_000.0, 2.0]));
        assert_eq!(rows[1]["currency"], "USD");
        assert_eq!(rows[1]["values"], json!([40_000.0, 1.0]));
        assert_eq!(rows[0]["keys"][0]["label"], "Ana Lima");
        assert_eq!(rows[0]["list_filter"], json!([{"field": "owner_id", "op": "eq", "value": ana.id.to_string()}]));
        assert_eq!(reply.body["measures"][0]["money"], true);
    })
    .await;
}

#[tokio::test]
async fn bad_definitions_get_422_with_each_field_named() {
    on_both_backends("reports bad api", async |app| {
        let bad = json!({
            "record_type": "deal",
            "group_by": [{"field": "contacts"}, {"field": "status", "bucket": "month"}],
            "measures": [{"op": "avg", "field": "name"}],
            "limit": 0
        });
        let reply = app.post_json("/api/v1/reports/run", &app.admin_token, &bad).await;
        reply.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.has_field_error("group_by[0].field", "report_ungroupable_field"), "{}", reply.body);
        assert!(reply.has_field_error("group_by[1].bucket", "report_bucket_needs_date"));
        assert!(reply.has_field_error("measures[0].field", "report_not_a_number"));
        assert!(reply.has_field_error("limit", "out_of_range"));
        // Not a definition at all: unknown keys are refused too.
        let reply =
            app.post_json("/api/v1/reports/run", &app.admin_token, &json!({"record_type": "deal", "colour": 1})).await;
        assert!(reply.status.is_client_error(), "{}", reply.status);
    })
    .await;
}

#[tokio::test]
async fn saved_reports_are_shared_with_a_team_and_run_with_each_readers_visibility() {
    on_both_backends("reports saved api", async |app| {
        let (ana, ana_token) = app.user("Ana Lima", Role::Member).await;
        let (bia, bia_token) = app.user("Bia Souza", Role::Member).await;
        let (_, caio_token) = app.user("Caio Reis", Role::Member).await;
        let team = app.team("Vendas", &[ana.id, bia.id]).await;
        deals(app, &ana.id.to_string()).await;
        let input = json!({"name": "By owner", "definition": by_owner_sum(), "shared_team_id": team.to_string()});
        let created = app.post_json("/api/v1/reports", &ana_token, &input).await;
        created.expect(StatusCode::CREATED);
        let id = created.body["id"].as_str().expect("an id").to_owned();
        assert_eq!(created.body["can_edit"], true);

        // Bia, in the team, lists and runs it; Caio gets "not found".
        let listed = app.get("/api/v1/reports", &bia_token).await;
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
        let results = app.get(&format!("/api/v1/reports/{id}/results"), &bia_token).await;
        results.expect(StatusCode::OK);
        assert_eq!(results.body["report"]["can_edit"], false);
        assert!(results.body["result"]["rows"].is_array());
        app.get(&format!("/api/v1/reports/{id}"), &caio_token).await.expect(StatusCode::NOT_FOUND);
        app.get(&format!("/api/v1/reports/{id}/results"), &caio_token).await.expect(StatusCode::NOT_FOUND);
        // Only the owner changes it.
        let changed = json!({"name": "Mine now", "definition": by_owner_sum()});
        app.put_json(&format!("/api/v1/reports/{id}"), &bia_token, &changed).await.expect(StatusCode::FORBIDDEN);
        let renamed = app.put_json(&format!("/api/v1/reports/{id}"), &ana_token, &changed).await;
        renamed.expect(StatusCode::OK);
        assert_eq!(renamed.body["name"], "Mine now");
        assert!(renamed.body.get("shared_team_id").is_none());
        app.get(&format!("/api/v1/reports/{id}"), &bia_token).await.expect(StatusCode::NOT_FOUND);
        // A bad definition is a 422 naming the path inside the input.
        let bad = json!({"name": "x", "definition": {"record_type": "deal", "group_by": [{"field": "nope"}]}});
        let reply = app.post_json("/api/v1/reports", &ana_token, &bad).await;
        reply.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.has_field_error("definition.group_by[0].field", "unknown_field"), "{}", reply.body);

        // A dashboard of it, then the report deleted: the widget goes too.
        let dashboard = app
            .post_json(
                "/api/v1/dashboards",
                &ana_token,
                &json!({"name": "Mine", "widgets": [{"report_id": id, "size": "large"}]}),
            )
            .await;
        dashboard.expect(StatusCode::CREATED);
        let dashboard_id = dashboard.body["id"].as_str().expect("an id").to_owned();
        app.delete(&format!("/api/v1/reports/{id}"), &ana_token).await.expect(StatusCode::NO_CONTENT);
        let after = app.get(&format!("/api/v1/dashboards/{dashboard_id}"), &ana_token).await;
        assert_eq!(after.body["widgets"], json!([]));
        app.get(&format!("/api/v1/dashboards/{dashboard_id}"), &bia_token).await.expect(StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_member_reports_only_on_the_records_their_lists_show() {
    on_both_backends("reports visibility api", async |app| {
        let (ana, ana_token) = app.user("Ana Lima", Role::Member).await;
        let (bia, _) = app.user("Bia Souza", Role::Member).await;
        deals(app, &ana.id.to_string()).await;
        deals(app, &bia.id.to_string()).await;
        let mut settings = app.get("/api/v1/settings", &app.admin_token).await.body;
        settings["visibility"]["deal"] = json!("private");
        app.put_json("/api/v1/settings", &app.admin_token, &settings).await.expect(StatusCode::OK);
        let total = json!({"record_type": "deal", "measures": [{"op": "count"}]});
        let mine = app.post_json("/api/v1/reports/run", &ana_token, &total).await;
        assert_eq!(mine.body["rows"][0]["values"], json!([3.0]), "{}", mine.body);
        let listed = app.get("/api/v1/deals", &ana_token).await;
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(3));
        let all = app.post_json("/api/v1/reports/run", &app.admin_token, &total).await;
        assert_eq!(all.body["rows"][0]["values"], json!([6.0]));
    })
    .await;
}
