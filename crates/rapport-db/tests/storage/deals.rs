use chrono::Duration;
use rapport_core::schema::RecordType;
use rapport_db::{pipelines, records};
use serde_json::json;

use crate::common::{run_on_both_backends, validation_fields};

#[tokio::test]
async fn deals_follow_their_pipeline_stage() {
    run_on_both_backends("deals", |t| async move {
        let (_, admin) = t.admin().await;
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        pipelines::ensure_default(&t.ctx).await.expect("ensure_default is idempotent");
        let all = pipelines::list(t.ctx.db.conn()).await.expect("pipelines");
        assert_eq!(all.len(), 1);
        let pipeline = &all[0];
        assert!(pipeline.is_default);
        let stage = |name: &str| pipeline.stages.iter().find(|s| s.name == name).expect("a stage").clone();

        let deal = records::create(
            &t.ctx,
            &admin,
            RecordType::DEAL,
            &json!({"name": "Fleet renewal", "amount_minor": 250_000, "currency": "brl", "expected_close_date": "2026-06-30"}),
        )
        .await
        .expect("create a deal");
        assert_eq!(deal.uuid("pipeline_id"), Some(pipeline.id));
        assert_eq!(deal.uuid("stage_id"), Some(pipeline.stages[0].id));
        assert_eq!(deal.fields["probability"], json!(pipeline.stages[0].probability));
        assert_eq!(deal.fields["status"], json!("open"));
        assert_eq!(deal.fields["currency"], json!("BRL"));
        assert_eq!(records::get(&t.ctx, &admin, RecordType::DEAL, deal.id).await.expect("get"), deal);

        // Another stage brings its probability.
        t.clock.advance(Duration::hours(1));
        let proposal = stage("Proposal");
        let deal = records::update(&t.ctx, &admin, RecordType::DEAL, deal.id, &json!({"stage_id": proposal.id.to_string()}), None)
            .await
            .expect("move to proposal");
        assert_eq!(deal.fields["probability"], json!(proposal.probability));

        // Won: status and close time follow; the move is in the history and the timeline.
        t.clock.advance(Duration::hours(1));
        let won = stage("Won");
        let deal = records::update(&t.ctx, &admin, RecordType::DEAL, deal.id, &json!({"stage_id": won.id.to_string()}), None)
            .await
            .expect("move to won");
        assert_eq!(deal.fields["status"], json!("won"));
        assert_eq!(deal.fields["probability"], json!(100));
        assert!(deal.fields["closed_at"].is_string());
        let changes = pipelines::stage_changes(t.ctx.db.conn(), deal.id, None, 10).await.expect("stage changes");
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[0].from_stage_id, Some(proposal.id));
        assert_eq!(changes[0].to_stage_id, won.id);
        assert_eq!(changes[0].changed_at, t.now());
        assert_eq!(changes[2].from_stage_id, None);
        let timeline = records::timeline(&t.ctx, &admin, RecordType::DEAL, deal.id, None, 50).await.expect("timeline");
        let kinds: Vec<&str> = timeline.items.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "stage_change").count(), 3, "{kinds:?}");
        assert_eq!(kinds.iter().filter(|k| **k == "change").count(), 3, "{kinds:?}");
        // Paged timeline returns the same entries.
        let first = records::timeline(&t.ctx, &admin, RecordType::DEAL, deal.id, None, 4).await.expect("page 1");
        let cursor = first.next_cursor.clone().expect("a second page");
        let second =
            records::timeline(&t.ctx, &admin, RecordType::DEAL, deal.id, Some(&cursor), 4).await.expect("page 2");
        let paged: Vec<_> = first.items.iter().chain(&second.items).map(|e| (e.kind.clone(), e.id)).collect();
        let whole: Vec<_> = timeline.items.iter().map(|e| (e.kind.clone(), e.id)).collect();
        assert_eq!(paged, whole);

        // The status cannot be set directly.
        let refused = records::update(&t.ctx, &admin, RecordType::DEAL, deal.id, &json!({"status": "lost"}), None).await;
        assert_eq!(validation_fields(refused), ["status"]);
    })
    .await;
}

#[tokio::test]
async fn an_explicit_probability_is_kept_across_stage_moves() {
    run_on_both_backends("deal probability", |t| async move {
        let (_, admin) = t.admin().await;
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let pipeline = pipelines::default_pipeline(t.ctx.db.conn()).await.expect("read").expect("a default pipeline");
        let deal = records::create(&t.ctx, &admin, RecordType::DEAL, &json!({"name": "Pilot", "probability": 33}))
            .await
            .expect("create");
        assert_eq!(deal.fields["probability"], json!(33));
        assert_eq!(deal.fields["probability_overridden"], json!(true));
        let next = &pipeline.stages[2];
        let moved =
            records::update(&t.ctx, &admin, RecordType::DEAL, deal.id, &json!({"stage_id": next.id.to_string()}), None)
                .await
                .expect("move");
        assert_eq!(moved.uuid("stage_id"), Some(next.id));
        assert_eq!(moved.fields["probability"], json!(33));
        let stored = records::get(&t.ctx, &admin, RecordType::DEAL, deal.id).await.expect("get");
        assert_eq!(stored.fields["probability"], json!(33));

        // A stage from another pipeline is refused.
        let other = records::update(
            &t.ctx,
            &admin,
            RecordType::DEAL,
            deal.id,
            &json!({"stage_id": uuid::Uuid::now_v7().to_string()}),
            None,
        )
        .await;
        assert_eq!(validation_fields(other), ["stage_id"]);
    })
    .await;
}
