//! Reports and dashboards through the API: running, saving, sharing,
//! visibility, and 422s for bad definitions.

use rapport_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, on_both_backends};

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

/// A browser-like client signed in as `email`, and its session's CSRF token.
async fn page_client(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder().cookie_store(true).build().expect("an HTTP client");
    let form = [("email", email), ("password", PASSWORD), ("next", "/")];
    let signed_in = client.post(app.url("/sign-in")).form(&form).send().await.expect("sign in");
    assert!(signed_in.status().is_success(), "{}", signed_in.status());
    let page = client.get(app.url("/reports")).send().await.expect("the reports page");
    let html = page.text().await.expect("a page");
    let csrf = html.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("a CSRF token");
    (client, csrf.to_owned())
}

async fn page_of(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let reply = client.get(app.url(path)).send().await.expect("a page");
    (reply.status(), reply.text().await.expect("a body"))
}

async fn post_form(app: &TestApp, client: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> StatusCode {
    client.post(app.url(path)).form(form).send().await.expect("a form post").status()
}

#[tokio::test]
async fn a_dashboard_shown_to_a_team_opens_for_its_members_only_and_only_its_owner_changes_it() {
    on_both_backends("dashboards team pages", async |app| {
        let (ana, ana_token) = app.user("Ana Lima", Role::Member).await;
        let (bia, _) = app.user("Bia Souza", Role::Member).await;
        let (caio, _) = app.user("Caio Reis", Role::Member).await;
        let team = app.team("Vendas Sul", &[ana.id, bia.id]).await;
        let other_team = app.team("Suporte", &[caio.id]).await;
        let (ana_web, ana_csrf) = page_client(app, "ana.lima@rapport.test").await;
        let (bia_web, bia_csrf) = page_client(app, "bia.souza@rapport.test").await;
        let (caio_web, caio_csrf) = page_client(app, "caio.reis@rapport.test").await;

        // Ana's choices: only herself or her own team.
        let (_, list) = page_of(app, &ana_web, "/reports").await;
        assert!(list.contains(&format!("<option value=\"{team}\">Vendas Sul</option>")), "{list}");
        assert!(!list.contains("Suporte"), "not Ana's team: {list}");
        let team_id = team.to_string();
        let created =
            post_form(app, &ana_web, "/dashboards", &[("_csrf", &ana_csrf), ("name", "Sul board"), ("team", &team_id)])
                .await;
        assert!(created.is_success(), "{created}");
        let listed = app.get("/api/v1/dashboards", &ana_token).await;
        let board = listed.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|d| d["name"] == "Sul board")
            .expect("Ana's new dashboard")
            .clone();
        assert_eq!(board["team_id"], team_id.as_str());
        let path = format!("/dashboards/{}", board["id"].as_str().expect("an id"));
        let (_, mine) = page_of(app, &ana_web, &path).await;
        assert!(mine.contains("Shown to Vendas Sul") && mine.contains(&format!("action=\"{path}\"")), "{mine}");

        // Bia, in the team, finds it with the team's name and opens it to read.
        let (_, list) = page_of(app, &bia_web, "/reports").await;
        assert!(list.contains("Sul board") && list.contains("Shown to Vendas Sul"), "{list}");
        let (status, page) = page_of(app, &bia_web, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("only its owner changes it"), "{page}");
        assert!(!page.contains(&format!("action=\"{path}\"")) && !page.contains("/widgets\""), "no edit forms: {page}");
        let renamed = [("_csrf", bia_csrf.as_str()), ("name", "Bia's now"), ("team", "")];
        assert_eq!(post_form(app, &bia_web, &path, &renamed).await, StatusCode::FORBIDDEN);

        // Caio, not in the team, neither lists nor opens it, nor shows his own to Ana's team.
        let (_, list) = page_of(app, &caio_web, "/reports").await;
        assert!(!list.contains("Sul board"), "{list}");
        assert!(list.contains(&format!("<option value=\"{other_team}\">Suporte</option>")), "{list}");
        assert_eq!(page_of(app, &caio_web, &path).await.0, StatusCode::NOT_FOUND);
        let refused =
            post_form(app, &caio_web, "/dashboards", &[("_csrf", &caio_csrf), ("name", "Mine"), ("team", &team_id)])
                .await;
        assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY);

        // Ana makes it private again: Bia no longer opens it.
        let private = [("_csrf", ana_csrf.as_str()), ("name", "Sul board"), ("team", "")];
        assert!(post_form(app, &ana_web, &path, &private).await.is_success());
        assert_eq!(page_of(app, &bia_web, &path).await.0, StatusCode::NOT_FOUND);
        let (_, mine) = page_of(app, &ana_web, &path).await;
        assert!(mine.contains(">Private"), "{mine}");
    })
    .await;
}
