//! Lead scoring through the API: the status, the rules (administrators), the
//! training request, and a lead's score with the lead's visibility.

use rapport_core::access::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, id_of, on_both_backends};

/// Ana (a member) and her lead, the admin's lead, private leads, rules in use.
pub async fn two_scored_leads(app: &TestApp) -> (String, String, String) {
    let (ana, ana_token) = app.user("Ana Lima", Role::Member).await;
    let mut settings = app.get("/api/v1/settings", &app.admin_token).await.body;
    settings["visibility"]["lead"] = json!("private");
    app.put_json("/api/v1/settings", &app.admin_token, &settings).await.expect(StatusCode::OK);
    let hers = app
        .create(
            "leads",
            &json!({"last_name": "Souza", "company_name": "Padaria Souza", "source_channel": "Referral",
                "email": "souza@padaria.com.br", "phone": "+55 11 98765-4321", "owner_id": ana.id.to_string()}),
        )
        .await;
    let admins = app.create("leads", &json!({"last_name": "Frio", "source_channel": "purchased_list"})).await;
    (ana_token, id_of(&hers).to_string(), id_of(&admins).to_string())
}

#[tokio::test]
async fn scores_follow_the_rules_and_the_leads_visibility() {
    on_both_backends("lead scoring api", async |app| {
        let (ana_token, hers, admins) = two_scored_leads(app).await;
        // Nothing scored before the worker's pass.
        app.get(&format!("/api/v1/leads/{hers}/score"), &ana_token).await.expect(StatusCode::NOT_FOUND);

        // Only administrators retrain or change the rules.
        app.post_json("/api/v1/analytics/lead-scoring/train", &ana_token, &json!({}))
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
        app.post_json("/api/v1/analytics/lead-scoring/train", &app.admin_token, &json!({}))
            .await
            .expect(StatusCode::ACCEPTED);
        assert!(app.run_due_jobs().await >= 1);

        let status = app.get("/api/v1/analytics/lead-scoring", &app.admin_token).await;
        status.expect(StatusCode::OK);
        assert_eq!(status.body["method"], "rules");
        assert_eq!(status.body["why_rules"], json!({"reason": "not_enough_history", "closed": 0, "needed": 200}));
        assert_eq!(status.body["distribution"].as_array().map(Vec::len), Some(5));

        // 50 + referral 15 + e-mail 8 + phone 8 + company 5 - no activity 10
        let score = app.get(&format!("/api/v1/leads/{hers}/score"), &ana_token).await;
        score.expect(StatusCode::OK);
        assert_eq!((score.body["points"].as_u64(), score.body["method"].as_str()), (Some(76), Some("rules")));
        assert_eq!(
            score.body["reasons"][0],
            json!({"key": "source_channel", "value": {"category": "referral"}, "points": 15})
        );
        let lead = app.get(&format!("/api/v1/leads/{hers}"), &ana_token).await;
        assert_eq!(lead.body["score"], 76);
        // Another's private lead: its score is as hidden as the lead.
        app.get(&format!("/api/v1/leads/{admins}/score"), &ana_token).await.expect(StatusCode::NOT_FOUND);
        let ana_status = app.get("/api/v1/analytics/lead-scoring", &ana_token).await;
        let seen: u64 =
            ana_status.body["distribution"].as_array().into_iter().flatten().filter_map(|b| b["leads"].as_u64()).sum();
        assert_eq!(seen, 1);

        let rules = json!({"rules": [{"key": "has_phone", "condition": {"at_least": 1.0}, "points": 30}]});
        app.put_json("/api/v1/analytics/lead-scoring/rules", &ana_token, &rules)
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let saved = app.put_json("/api/v1/analytics/lead-scoring/rules", &app.admin_token, &rules).await;
        saved.expect(StatusCode::OK);
        assert_eq!(saved.body["rules"], rules["rules"]);
        let bad = json!({"rules": [{"key": "source_channel", "condition": {"at_least": 1.0}, "points": 5}]});
        let refused = app.put_json("/api/v1/analytics/lead-scoring/rules", &app.admin_token, &bad).await;
        assert!(refused.has_field_error("rules[0].condition", "condition_kind"), "{}", refused.text);
        app.run_due_jobs().await;
        let rescored = app.get(&format!("/api/v1/leads/{hers}/score"), &ana_token).await;
        assert_eq!(rescored.body["points"], 80);
    })
    .await;
}
