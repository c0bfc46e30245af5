//! Lead scoring stored and run in the background, on both backends.

use chrono::Duration;
use rapport_analytics::features::FeatureValue;
use rapport_analytics::scoring::{RuleCondition, ScoringRule, default_rules, keys};
use rapport_core::access::{Role, Visibility, Writer};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_db::analytics::lead_scoring::{self, Method, WhyRules};
use rapport_db::{records, settings};
use serde_json::{Value, json};

use crate::common::{TestCtx, as_admin, run_on_both_backends, validation_fields};

/// A uniform draw in 0..1 from a counter (a fixed, reproducible sequence).
fn uniform(i: u64) -> f64 {
    let mut x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(0x2545_f491_4f6c_dd1d);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

const SOURCES: [&str; 3] = ["Referral", " web form", "purchased_list"];

/// `count` closed leads whose source and phone drive conversion.
async fn closed_history(t: &TestCtx, admin: &Writer, count: u64) {
    for i in 0..count {
        let source = SOURCES[(i % 3) as usize];
        let phone = uniform(i * 7 + 1) < 0.5;
        let chance = 0.1 + if i % 3 == 0 { 0.55 } else { 0.0 } + if phone { 0.3 } else { 0.0 };
        let converted = uniform(i * 7 + 2) < chance;
        let mut input = json!({
            "last_name": format!("Histórico {i}"),
            "source_channel": source,
            "status": if converted { "converted" } else { "disqualified" },
        });
        if !converted {
            input["disqualified_reason"] = json!("No budget");
        }
        if phone {
            input["phone"] = json!("+55 11 98765-4321");
        }
        records::create(&t.ctx, admin, RecordType::LEAD, &input).await.expect("create a closed lead");
    }
}

async fn open_lead(t: &TestCtx, by: &Writer, input: Value) -> RecordId {
    records::create(&t.ctx, by, RecordType::LEAD, &input).await.expect("create an open lead").id
}

#[tokio::test]
async fn a_model_learns_from_closed_leads_and_scores_the_open_ones_with_reasons() {
    run_on_both_backends("lead_scoring_model", |t| async move {
        let (_, admin) = t.admin().await;
        let mut config = settings::load(t.ctx.db.conn()).await.expect("settings");
        config.visibility.insert(RecordType::LEAD, Visibility::Private);
        settings::save(&t.ctx, &as_admin(&admin), &config).await.expect("save settings");
        let (ana, ana_actor) = t.user("Ana Lima", Role::Member).await;
        closed_history(&t, &admin, 300).await;
        let warm = open_lead(&t, &admin, json!({"last_name": "Quente", "source_channel": "referral", "phone": "+55 11 91234-5678", "owner_id": ana.id.to_string()})).await;
        let cold = open_lead(&t, &admin, json!({"last_name": "Frio", "source_channel": "Purchased_List"})).await;
        let call = json!({"kind": "call", "subject": "First call", "related": [{"type": "lead", "id": warm.0}]});
        records::create(&t.ctx, &admin, RecordType::ACTIVITY, &call).await.expect("log a call");
        let before = records::get(&t.ctx, &admin, RecordType::LEAD, cold).await.expect("get");
        t.clock.set(t.now() + Duration::days(2));

        let summary = lead_scoring::retrain_and_score(&t.ctx).await.expect("train and score");
        assert_eq!((summary.method, summary.scored), (Method::Model, 2));
        let status = lead_scoring::status(&t.ctx, &admin).await.expect("status");
        let model = status.model.as_ref().expect("a model");
        assert_eq!((status.method, model.closed), (Method::Model, 300));
        assert!(model.cv_auc > 0.7, "cross-validated AUC {}", model.cv_auc);
        assert_eq!(model.fold_aucs.len(), 5);
        let strongest: Vec<&str> = model.top_features.iter().take(4).map(|f| f.key.as_str()).collect();
        assert!(strongest.contains(&"source_channel") && strongest.contains(&"has_phone"), "{strongest:?}");
        assert_eq!(status.distribution.iter().map(|b| b.leads).sum::<u64>(), 2);

        let warm_score = lead_scoring::lead_score(&t.ctx, &admin, warm).await.expect("read").expect("scored");
        let cold_score = lead_scoring::lead_score(&t.ctx, &admin, cold).await.expect("read").expect("scored");
        assert!(warm_score.points > cold_score.points + 20, "{warm_score:?} vs {cold_score:?}");
        let named: Vec<&str> = warm_score.reasons.iter().map(|r| r.key.as_str()).collect();
        assert!(named.contains(&"source_channel") && named.contains(&"has_phone"), "{named:?}");
        let source = warm_score.reasons.iter().find(|r| r.key == "source_channel").expect("a source reason");
        assert_eq!(source.value, FeatureValue::Category("referral".into()));
        assert!(source.points > 0);
        assert_eq!(cold_score.reasons.iter().find(|r| r.key == "source_channel").map(|r| r.points < 0), Some(true));

        // The lead's own column holds the score, without a new version or audit entry.
        let after = records::get(&t.ctx, &admin, RecordType::LEAD, cold).await.expect("get");
        assert_eq!(after.fields["score"], json!(cold_score.points));
        assert_eq!((after.version, after.updated_at), (before.version, before.updated_at));
        assert_eq!(t.count_where("audit_log", "record_id", cold.0).await, 1);

        // A member sees the score of their lead only; another's is "not found".
        let hers = lead_scoring::lead_score(&t.ctx, &ana_actor, warm).await.expect("her lead").expect("scored");
        assert_eq!(hers.points, warm_score.points);
        assert!(lead_scoring::lead_score(&t.ctx, &ana_actor, cold).await.is_err());
        let her_status = lead_scoring::status(&t.ctx, &ana_actor).await.expect("status");
        assert_eq!(her_status.distribution.iter().map(|b| b.leads).sum::<u64>(), 1);

        // The hourly pass scores only what changed since.
        t.clock.set(t.now() + Duration::hours(1));
        let writer = t.writer(ana.id).await;
        records::update(&t.ctx, &writer, RecordType::LEAD, warm, &json!({"job_title": "Director"}), None)
            .await
            .expect("edit");
        t.clock.set(t.now() + Duration::minutes(1));
        let changed = lead_scoring::score_changed(&t.ctx).await.expect("changed pass");
        assert_eq!(changed.scored, 1);
        t.clock.set(t.now() + Duration::hours(1));
        assert_eq!(lead_scoring::score_changed(&t.ctx).await.expect("nothing changed").scored, 0);
    })
    .await;
}

#[tokio::test]
async fn with_too_few_closed_leads_the_rules_score_and_say_why() {
    run_on_both_backends("lead_scoring_rules_fallback", |t| async move {
        let (_, admin) = t.admin().await;
        closed_history(&t, &admin, 50).await;
        let lead = open_lead(
            &t,
            &admin,
            json!({"last_name": "Novo", "source_channel": "Referral", "email": "novo@empresa.com.br"}),
        )
        .await;
        let status = lead_scoring::status(&t.ctx, &admin).await.expect("status");
        assert_eq!(status.why_rules, Some(WhyRules::NotTrainedYet { closed: 50, needed: 200 }));

        let summary = lead_scoring::retrain_and_score(&t.ctx).await.expect("pass");
        assert_eq!((summary.method, summary.scored), (Method::Rules, 1));
        let status = lead_scoring::status(&t.ctx, &admin).await.expect("status");
        assert_eq!(status.method, Method::Rules);
        assert_eq!(status.why_rules, Some(WhyRules::NotEnoughHistory { closed: 50, needed: 200 }));
        assert!(status.model.is_none());
        let score = lead_scoring::lead_score(&t.ctx, &admin, lead).await.expect("read").expect("scored");
        // 50 + referral 15 + e-mail 8 - no activity 10
        assert_eq!((score.method, score.points), (Method::Rules, 63));
        assert_eq!(score.reasons[0].key, keys::SOURCE_CHANNEL);
        let stored = records::get(&t.ctx, &admin, RecordType::LEAD, lead).await.expect("get");
        assert_eq!(stored.fields["score"], json!(63));

        // Two passes at once (two replicas' workers) keep each other's change to the scorer's state.
        let (retrained, changed) =
            tokio::join!(lead_scoring::retrain_and_score(&t.ctx), lead_scoring::score_changed(&t.ctx));
        retrained.expect("a retraining pass");
        changed.expect("a pass over changed leads");
        let status = lead_scoring::status(&t.ctx, &admin).await.expect("status");
        assert_eq!(status.why_rules, Some(WhyRules::NotEnoughHistory { closed: 50, needed: 200 }));
        assert!(status.last_pass_at.is_some());
    })
    .await;
}

#[tokio::test]
async fn rules_round_trip_and_rescore_the_open_leads() {
    run_on_both_backends("lead_scoring_rules", |t| async move {
        let (_, admin) = t.admin().await;
        let admin_right = as_admin(&admin);
        assert_eq!(lead_scoring::rules(t.ctx.db.conn()).await.expect("rules"), default_rules());
        let lead = open_lead(&t, &admin, json!({"last_name": "Regra", "utm_source": " Google "})).await;
        let rules = vec![
            ScoringRule::new("utm_source", RuleCondition::Equals("google".into()), 20),
            ScoringRule::new(keys::HAS_PHONE, RuleCondition::AtMost(0.0), -5),
        ];
        lead_scoring::save_rules(&t.ctx, &admin_right, &rules).await.expect("save rules");
        assert_eq!(lead_scoring::rules(t.ctx.db.conn()).await.expect("rules"), rules);
        // Saving queued a re-score with the new rules.
        rapport_db::notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs");
        let score = lead_scoring::lead_score(&t.ctx, &admin, lead).await.expect("read").expect("scored");
        assert_eq!(score.points, 65);
        assert_eq!(score.reasons[0].value, FeatureValue::Category("google".into()));

        let unknown = vec![ScoringRule::new("shoe_size", RuleCondition::AtLeast(40.0), 5)];
        assert_eq!(
            validation_fields(lead_scoring::save_rules(&t.ctx, &admin_right, &unknown).await),
            vec!["rules[0].key"]
        );
        let wrong_kind = vec![ScoringRule::new(keys::SOURCE_CHANNEL, RuleCondition::AtLeast(1.0), 5)];
        assert_eq!(
            validation_fields(lead_scoring::save_rules(&t.ctx, &admin_right, &wrong_kind).await),
            vec!["rules[0].condition"]
        );
        assert_eq!(lead_scoring::rules(t.ctx.db.conn()).await.expect("rules"), rules);

        // The worker's hourly request queues the week's retraining once.
        lead_scoring::request_scheduled(&t.ctx).await.expect("queue");
        lead_scoring::request_scheduled(&t.ctx).await.expect("queue again");
        assert_eq!(t.count_where("jobs", "kind", "lead_scoring").await, 3);
    })
    .await;
}
