//! Quotas and the forecast through the API.

use rapport_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, field_errors, on_both_backends};

/// Ana's March 2026 (the tests' clock stands on 2 March): a deal won today,
/// 1 000,00 at 95 % (commit), 500,00 at 10 % (pipeline); in February, 800,00
/// at 70 % (best case); a team quota for the quarter, hers for March.
pub async fn ana_and_her_deals(app: &TestApp) -> (String, String, String) {
    let (ana, ana_token) = app.user("Ana Lima", Role::Member).await;
    let (mario, _) = app.user("Mário Costa", Role::Manager).await;
    let team = app.team("Vendas", &[ana.id, mario.id]).await;
    let pipelines = app.get("/api/v1/pipelines", &app.admin_token).await;
    let stages = pipelines.body[0]["stages"]
        .as_array()
        .or(pipelines.body["items"][0]["stages"].as_array())
        .expect("stages")
        .clone();
    let won = stages.iter().find(|s| s["is_won"] == true).expect("a won stage")["id"].clone();
    let owner = ana.id.to_string();
    for deal in [
        json!({"name": "Frota", "amount_minor": 250_000, "stage_id": won, "expected_close_date": "2026-04-30"}),
        json!({"name": "Filial", "amount_minor": 100_000, "probability": 95, "expected_close_date": "2026-03-20"}),
        json!({"name": "Piloto", "amount_minor": 50_000, "probability": 10, "expected_close_date": "2026-03-31"}),
        json!({"name": "Treinamento", "amount_minor": 80_000, "probability": 70, "expected_close_date": "2026-02-10"}),
    ] {
        let mut deal = deal;
        deal["owner_id"] = json!(owner);
        deal["currency"] = json!("BRL");
        app.create("deals", &deal).await;
    }
    let quotas = json!({"items": [
        {"user_id": owner, "period_kind": "month", "period_start": "2026-03-01", "amount_minor": 500_000},
        {"team_id": team.to_string(), "period_kind": "quarter", "period_start": "2026-01-01", "amount_minor": 1_000_000},
    ]});
    app.put_json("/api/v1/quotas", &app.admin_token, &quotas).await.expect(StatusCode::OK);
    (owner, ana_token, team.to_string())
}

fn line<'a>(report: &'a Value, owner: &str) -> &'a Value {
    report["owners"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["owner_id"] == owner))
        .map(|l| &l["totals"])
        .expect("the owner's line")
}

#[tokio::test]
async fn the_forecast_sums_a_teams_deals_by_category_against_its_quotas() {
    on_both_backends("forecast api", async |app| {
        let (ana, ana_token, team) = ana_and_her_deals(app).await;

        let march = app.get_query("/api/v1/forecast", &app.admin_token, &[("period", "2026-03"), ("team", &team)]).await;
        march.expect(StatusCode::OK);
        assert_eq!((march.body["scope"].as_str(), march.body["period"].as_str()), (Some("team"), Some("2026-03")));
        assert_eq!((march.body["period_start"].as_str(), march.body["period_end"].as_str()), (Some("2026-03-01"), Some("2026-03-31")));
        let mine = line(&march.body, &ana);
        // weighted: 250 000 + 100 000 × 95 % + 50 000 × 10 %
        assert_eq!(
            mine,
            &json!({"closed_minor": 250_000, "commit_minor": 100_000, "best_case_minor": 0, "pipeline_minor": 50_000,
                "weighted_minor": 350_000, "deals": 3, "quota_minor": 500_000, "attainment_bp": 5_000, "gap_minor": 250_000}),
            "{}",
            march.text
        );
        // The team's quota is for the quarter: March alone has none.
        assert_eq!(march.body["total"]["quota_minor"], Value::Null);

        let quarter = app.get_query("/api/v1/forecast", &app.admin_token, &[("period", "2026-Q1"), ("team", &team)]).await;
        let total = &quarter.body["total"];
        assert_eq!((total["best_case_minor"].as_i64(), total["weighted_minor"].as_i64()), (Some(80_000), Some(406_000)));
        assert_eq!((total["quota_minor"].as_i64(), total["attainment_bp"].as_i64()), (Some(1_000_000), Some(2_500)));
        // Her quarter counts her months' quotas.
        assert_eq!(line(&quarter.body, &ana)["quota_minor"], 500_000);

        // Ana sees her own line, not the team's.
        let own = app.get_query("/api/v1/forecast", &ana_token, &[("period", "2026-Q1")]).await;
        own.expect(StatusCode::OK);
        assert_eq!((own.body["scope"].as_str(), own.body["owners"].as_array().map(Vec::len)), (Some("own"), Some(1)));
        app.get_query("/api/v1/forecast", &ana_token, &[("team", &team)]).await.expect(StatusCode::NOT_FOUND);
        let bad = app.get_query("/api/v1/forecast", &app.admin_token, &[("period", "2026-Q5")]).await;
        bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_errors(&bad.body), [("period".to_owned(), "forecast_invalid_period".to_owned())]);

        let quotas = app.get_query("/api/v1/quotas", &app.admin_token, &[("year", "2026")]).await;
        assert_eq!(quotas.body["items"].as_array().map(Vec::len), Some(2), "{}", quotas.text);
        let hers = app.get_query("/api/v1/quotas", &ana_token, &[("year", "2026")]).await;
        assert_eq!(hers.body["items"][0]["period"], "2026-03");
        assert_eq!(hers.body["items"].as_array().map(Vec::len), Some(1));
    })
    .await;
}

#[tokio::test]
async fn quotas_are_refused_in_the_callers_language_and_only_administrators_set_them() {
    on_both_backends("quota api", async |app| {
        let (ana, ana_token) = app.user("Ana Lima", Role::Member).await;
        let owner = ana.id.to_string();
        let put = |body: Value| app.request(Method::PUT, "/api/v1/quotas", Some(&app.admin_token)).header("Accept-Language", "pt-BR").json(&body);

        let wrong = app
            .send(put(json!({"items": [{"user_id": owner, "period_kind": "month", "period_start": "2026-03-15", "amount_minor": -1}]})))
            .await;
        wrong.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            field_errors(&wrong.body),
            [
                ("items[0].period_start".to_owned(), "quota_not_month_start".to_owned()),
                ("items[0].amount_minor".to_owned(), "quota_negative".to_owned())
            ]
        );
        assert!(wrong.text.contains("primeiro dia do mês") && wrong.text.contains("menor que zero"), "{}", wrong.text);

        let quarter = app
            .send(put(json!({"items": [{"user_id": owner, "period_kind": "quarter", "period_start": "2026-02-01", "amount_minor": 1}]})))
            .await;
        assert!(quarter.text.contains("1º de abril"), "{}", quarter.text);

        let one = json!({"user_id": owner, "period_kind": "month", "period_start": "2026-03-01", "amount_minor": 100});
        let twice = app.send(put(json!({"items": [one, one]}))).await;
        twice.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_errors(&twice.body), [("items[1]".to_owned(), "quota_duplicate".to_owned())]);
        assert!(twice.text.contains("mesma alteração"), "{}", twice.text);

        let dollars = app
            .send(put(json!({"items": [{"user_id": owner, "period_kind": "month", "period_start": "2026-03-01", "amount_minor": 1, "currency": "USD"}]})))
            .await;
        assert!(dollars.text.contains("moeda da conta (BRL)"), "{}", dollars.text);

        app.put_json("/api/v1/quotas", &ana_token, &json!({"items": [one]})).await.expect(StatusCode::FORBIDDEN);
        let quotas = app.get("/api/v1/quotas", &app.admin_token).await;
        assert_eq!(quotas.body["items"], json!([]));
        let set = app.put_json("/api/v1/quotas", &app.admin_token, &json!({"items": [one]})).await;
        set.expect(StatusCode::OK);
        assert_eq!(set.body["items"][0]["currency"], "BRL");
    })
    .await;
}
