use rapport_core::DomainError;
use rapport_core::records::pipeline::{PipelineEdit, PipelineUpdate, StageDraft, StageUpdate};
use rapport_core::schema::RecordType;
use rapport_db::{Error, pipelines, records};
use serde_json::json;

use crate::common::{as_admin, run_on_both_backends, validation_fields};

fn stages_of(pipeline: &pipelines::Pipeline) -> Vec<StageUpdate> {
    pipeline.stages.iter().map(StageUpdate::from).collect()
}

fn codes(result: Result<pipelines::Pipeline, Error>) -> Vec<String> {
    match result {
        Err(Error::Domain(DomainError::Validation(errors))) => errors.0.into_iter().map(|e| e.code).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn renaming_and_reordering_stages_keeps_deals_in_their_stage() {
    run_on_both_backends("pipeline reorder", |t| async move {
        let (_, writer) = t.admin().await;
        let admin = as_admin(&writer);
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let sales = pipelines::default_pipeline(t.ctx.db.conn()).await.expect("read").expect("a default pipeline");
        let proposal = sales.stages[2].clone();
        let deal = records::create(
            &t.ctx,
            &writer,
            RecordType::DEAL,
            &json!({"name": "Fleet renewal", "stage_id": proposal.id.to_string()}),
        )
        .await
        .expect("create a deal");

        // Reversed open stages, renamed, a new probability, a new stage.
        let mut stages = stages_of(&sales);
        stages[..4].reverse();
        let moved = stages.iter_mut().find(|s| s.id == Some(proposal.id)).expect("proposal");
        moved.name = "  Proposta  ".into();
        moved.probability = 40;
        stages.insert(
            4,
            StageUpdate { id: None, name: "Contract".into(), probability: 90, is_won: false, is_lost: false },
        );
        let update = PipelineUpdate { name: Some(" Vendas ".into()), stages: Some(stages) };
        let updated = pipelines::update(&t.ctx, &admin, sales.id, &update).await.expect("update the pipeline");
        assert_eq!(updated, pipelines::get(t.ctx.db.conn(), sales.id).await.expect("read").expect("the pipeline"));
        assert_eq!(updated.name, "Vendas");
        let names: Vec<&str> = updated.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Negotiation", "Proposta", "Needs analysis", "Qualification", "Contract", "Won", "Lost"]);
        assert_eq!(updated.stages[1].id, proposal.id);
        assert_eq!(updated.stages[1].probability, 40);
        assert!(updated.stages.iter().enumerate().all(|(i, s)| s.position == i as i64));

        let deal = records::get(&t.ctx, &writer, RecordType::DEAL, deal.id).await.expect("the deal");
        assert_eq!(deal.uuid("stage_id"), Some(proposal.id));

        // One step of the settings page: the new stage moves up a place.
        let contract = updated.stages[4].id;
        let moved = pipelines::edit(&t.ctx, &admin, sales.id, PipelineEdit::Move { id: contract, up: true })
            .await
            .expect("move a stage up");
        assert_eq!(moved.stages[3].id, contract);
    })
    .await;
}

#[tokio::test]
async fn a_stage_with_deals_even_trashed_ones_is_not_removed() {
    run_on_both_backends("pipeline stage in use", |t| async move {
        let (_, writer) = t.admin().await;
        let admin = as_admin(&writer);
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let sales = pipelines::default_pipeline(t.ctx.db.conn()).await.expect("read").expect("a default pipeline");
        let proposal = sales.stages[2].id;
        let mut deals = Vec::new();
        for name in ["One", "Two"] {
            let input = json!({"name": name, "stage_id": proposal.to_string()});
            deals.push(records::create(&t.ctx, &writer, RecordType::DEAL, &input).await.expect("create a deal").id);
        }
        records::delete(&t.ctx, &writer, RecordType::DEAL, deals[1], None).await.expect("trash a deal");

        let refused = pipelines::edit(&t.ctx, &admin, sales.id, PipelineEdit::Remove(proposal)).await;
        match refused {
            Err(Error::Domain(DomainError::Validation(errors))) => {
                assert_eq!(errors.0[0].code, "stage_in_use");
                assert_eq!(errors.0[0].params["count"], "2");
                assert_eq!(errors.0[0].params["stage"], "Proposal");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Nor is it turned into a closing stage under its deals.
        let mut stage = StageUpdate::from(&sales.stages[2]);
        stage.is_lost = true;
        let refused = pipelines::edit(&t.ctx, &admin, sales.id, PipelineEdit::SetStage(stage)).await;
        assert!(codes(refused).contains(&"stage_kind_in_use".to_owned()));
        assert_eq!(pipelines::get(t.ctx.db.conn(), sales.id).await.expect("read").expect("the pipeline"), sales);

        // An empty stage goes.
        let removed = pipelines::edit(&t.ctx, &admin, sales.id, PipelineEdit::Remove(sales.stages[1].id))
            .await
            .expect("remove an empty stage");
        assert_eq!(removed.stages.len(), sales.stages.len() - 1);
        assert!(!removed.stages.iter().any(|s| s.id == sales.stages[1].id));
    })
    .await;
}

#[tokio::test]
async fn a_pipeline_keeps_one_won_and_one_lost_stage() {
    run_on_both_backends("pipeline won lost", |t| async move {
        let admin = t.admin_right().await;
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let sales = pipelines::default_pipeline(t.ctx.db.conn()).await.expect("read").expect("a default pipeline");
        let won = sales.stages.iter().find(|s| s.is_won).expect("a won stage").id;

        let refused = pipelines::edit(&t.ctx, &admin, sales.id, PipelineEdit::Remove(won)).await;
        assert_eq!(codes(refused), ["won_lost_required"]);
        let second_won = StageDraft { name: "Signed".into(), probability: 100, is_won: true, is_lost: false };
        let refused = pipelines::edit(&t.ctx, &admin, sales.id, PipelineEdit::Add(second_won)).await;
        assert_eq!(codes(refused), ["won_lost_required"]);

        // Bad input names its field.
        let mut stages = stages_of(&sales);
        stages[0].probability = 101;
        stages[1].name = " ".into();
        let update = PipelineUpdate { name: Some(String::new()), stages: Some(stages) };
        let refused = pipelines::update(&t.ctx, &admin, sales.id, &update).await;
        assert_eq!(validation_fields(refused), ["name", "stages[0].probability", "stages[1].name"]);

        // Won moves to another stage while neither holds deals.
        let mut stages = stages_of(&sales);
        stages[3].is_won = true;
        stages[4].is_won = false;
        let update = PipelineUpdate { name: None, stages: Some(stages) };
        let updated = pipelines::update(&t.ctx, &admin, sales.id, &update).await.expect("another won stage");
        assert!(updated.stages[3].is_won && !updated.stages[4].is_won);

        let missing = pipelines::update(&t.ctx, &admin, uuid::Uuid::now_v7(), &PipelineUpdate::default()).await;
        assert!(matches!(missing, Err(Error::Domain(DomainError::NotFound { .. }))), "{missing:?}");
    })
    .await;
}

#[tokio::test]
async fn users_are_renamed_by_administrators_and_by_themselves() {
    run_on_both_backends("user names", |t| async move {
        let admin = t.admin_right().await;
        let (user, actor) = t.user("Ana Souza", rapport_core::access::Role::Member).await;
        rapport_db::users::rename(&t.ctx, &admin, user.id, "  Ana Maria Souza ").await.expect("rename");
        let read = |t: &crate::common::TestCtx| {
            let conn = t.ctx.db.conn().clone();
            async move { rapport_db::users::get(&conn, user.id).await.expect("read").expect("the user").name }
        };
        assert_eq!(read(&t).await, "Ana Maria Souza");
        let account = rapport_core::access::AccountHolder::try_from(actor).expect("an account holder");
        rapport_db::users::set_preferences(&t.ctx, &account, Some("Ana"), None, None).await.expect("own name");
        assert_eq!(read(&t).await, "Ana");
        let blank = rapport_db::users::set_preferences(&t.ctx, &account, Some("   "), None, None).await;
        assert_eq!(validation_fields(blank), ["name"]);
        let long = rapport_db::users::rename(&t.ctx, &admin, user.id, &"x".repeat(101)).await;
        assert_eq!(validation_fields(long), ["name"]);
        assert_eq!(read(&t).await, "Ana");
    })
    .await;
}

#[tokio::test]
async fn the_default_pipeline_is_named_in_the_first_administrators_language() {
    run_on_both_backends("default pipeline names", |t| async move {
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let names: Vec<String> =
            ["Qualificação", "Análise", "Proposta", "Negociação", "Ganho", "Perdido"].map(String::from).to_vec();
        pipelines::name_default_for_system(&t.ctx, "Vendas", &names).await.expect("name the default pipeline");
        let sales = pipelines::default_pipeline(t.ctx.db.conn()).await.expect("read").expect("a default pipeline");
        assert_eq!(sales.name, "Vendas");
        assert_eq!(sales.stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>(), names);
        // Once renamed, it is left alone.
        let english: Vec<String> = names.iter().map(|n| format!("{n}!")).collect();
        pipelines::name_default_for_system(&t.ctx, "Sales", &english).await.expect("no change");
        let again = pipelines::default_pipeline(t.ctx.db.conn()).await.expect("read").expect("a default pipeline");
        assert_eq!(again, sales);
    })
    .await;
}
