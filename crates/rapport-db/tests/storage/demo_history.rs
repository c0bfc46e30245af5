//! The demo's past, written by `demo_history::backdate_for_demo`, on both backends.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rapport_core::forecast::{self, DealRow, ForecastInput, Period, PeriodKind};
use rapport_core::schema::RecordType;
use rapport_db::analytics::sales::{SalesQuery, analyse};
use rapport_db::demo_history::{DealPast, DemoPast, LeadPast, PastForecast, WrittenAt, backdate_for_demo};
use rapport_db::{pipelines, records};
use serde_json::json;

use crate::common::run_on_both_backends;

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).single().expect("a time")
}

#[tokio::test]
async fn a_demo_past_dates_deals_leads_and_forecasts_back_and_the_analytics_read_it() {
    run_on_both_backends("demo_history", |t| async move {
        let (admin_user, admin) = t.admin().await;
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let pipeline = pipelines::list(t.ctx.db.conn()).await.expect("pipelines").remove(0);
        let stage = |name: &str| pipeline.stages.iter().find(|s| s.name == name).expect("a stage").id;
        // Loaded today in their final stages, as `rapport demo` stores them.
        let create = |input: serde_json::Value, kind: RecordType| {
            let (ctx, admin) = (&t.ctx, &admin);
            async move { records::create(ctx, admin, kind, &input).await.expect("create").id.0 }
        };
        let won = create(
            json!({"name": "Frota", "amount_minor": 1_000_000, "currency": "BRL", "stage_id": stage("Won").to_string()}),
            RecordType::DEAL,
        )
        .await;
        let lost = create(
            json!({"name": "Lojas", "amount_minor": 500_000, "currency": "BRL", "stage_id": stage("Lost").to_string(), "lost_reason": "Price"}),
            RecordType::DEAL,
        )
        .await;
        let open = create(
            json!({"name": "Aberto", "amount_minor": 200_000, "currency": "BRL", "stage_id": stage("Proposal").to_string(), "expected_close_date": "2026-05-20"}),
            RecordType::DEAL,
        )
        .await;
        let lead = create(json!({"last_name": "Souza", "status": "converted"}), RecordType::LEAD).await;
        let call = create(json!({"kind": "call", "subject": "Primeiro contato"}), RecordType::ACTIVITY).await;
        assert_eq!(t.count("deal_stage_changes").await, 3, "one stage change per deal at load time");

        let by = Some(admin_user.id.0);
        let deal = |id, path: Vec<(uuid::Uuid, DateTime<Utc>)>, status: &str, closed: bool| DealPast {
            id,
            pipeline_id: pipeline.id,
            created_at: path[0].1,
            closed_at: closed.then(|| path[path.len() - 1].1),
            path,
            status: status.into(),
            moved_by: by,
        };
        // Won in 10 days, skipping negotiation; lost from needs analysis; open in proposal since 4 May.
        let won_path = vec![
            (stage("Qualification"), at(3, 2, 10)),
            (stage("Needs analysis"), at(3, 4, 10)),
            (stage("Proposal"), at(3, 9, 10)),
            (stage("Won"), at(3, 12, 10)),
        ];
        let lost_path = vec![(stage("Qualification"), at(3, 3, 10)), (stage("Needs analysis"), at(3, 5, 10)), (stage("Lost"), at(3, 20, 10))];
        let open_path = vec![(stage("Qualification"), at(4, 20, 9)), (stage("Proposal"), at(5, 4, 9))];
        let period = Period::containing(PeriodKind::Month, NaiveDate::from_ymd_opt(2026, 5, 1).expect("a day"));
        let rows = [DealRow {
            owner_id: by,
            team_id: None,
            amount_minor: 200_000,
            currency: Some("BRL".into()),
            probability: 50,
            category: None,
            expected_close_date: NaiveDate::from_ymd_opt(2026, 5, 20),
            status: "open".into(),
            closed_at: None,
        }];
        let owners = [admin_user.id.0];
        let then = forecast::compute(&ForecastInput {
            period,
            currency: "BRL",
            owners: &owners,
            team: None,
            deals: &rows,
            quotas: &[],
        });
        let past = DemoPast {
            deals: vec![
                deal(won, won_path, "won", true),
                deal(lost, lost_path, "lost", true),
                deal(open, open_path, "open", false),
            ],
            leads: vec![LeadPast { id: lead, created_at: at(2, 1, 8), updated_at: at(2, 20, 8), status: "converted".into() }],
            activities: vec![WrittenAt { id: call, created_at: at(2, 3, 14) }],
            forecasts: vec![PastForecast { period, scope: "everyone".into(), taken_at: at(5, 1, 6), forecast: then.clone() }],
        };
        let done = backdate_for_demo(&t.ctx, &past).await.expect("backdate");
        assert_eq!((done.deals, done.stage_changes, done.leads, done.activities, done.forecasts), (3, 9, 1, 1, 1));

        let stored = records::get(&t.ctx, &admin, RecordType::DEAL, rapport_core::ids::RecordId(won)).await.expect("get");
        assert_eq!(stored.created_at, at(3, 2, 10));
        assert_eq!(stored.updated_at, at(3, 12, 10));
        assert_eq!(stored.fields["closed_at"], json!("2026-03-12T10:00:00.000000Z"));
        assert_eq!(stored.fields["status"], json!("won"));
        let history =
            pipelines::stage_changes(t.ctx.db.conn(), rapport_core::ids::RecordId(won), None, 10).await.expect("history");
        let moves: Vec<(Option<uuid::Uuid>, uuid::Uuid, DateTime<Utc>)> =
            history.iter().rev().map(|c| (c.from_stage_id, c.to_stage_id, c.changed_at)).collect();
        assert_eq!(
            moves,
            [
                (None, stage("Qualification"), at(3, 2, 10)),
                (Some(stage("Qualification")), stage("Needs analysis"), at(3, 4, 10)),
                (Some(stage("Needs analysis")), stage("Proposal"), at(3, 9, 10)),
                (Some(stage("Proposal")), stage("Won"), at(3, 12, 10)),
            ]
        );
        assert_eq!(t.count("deal_stage_changes").await, 9, "the load's own stage changes are replaced");
        let stored_lead = records::get(&t.ctx, &admin, RecordType::LEAD, rapport_core::ids::RecordId(lead)).await.expect("get");
        assert_eq!((stored_lead.created_at, stored_lead.updated_at), (at(2, 1, 8), at(2, 20, 8)));
        let stored_call = records::get(&t.ctx, &admin, RecordType::ACTIVITY, rapport_core::ids::RecordId(call)).await.expect("get");
        assert_eq!(stored_call.created_at, at(2, 3, 14));
        let recorded = rapport_db::forecast::snapshots(&t.ctx, period, "everyone").await.expect("snapshots");
        assert_eq!(recorded, vec![(NaiveDate::from_ymd_opt(2026, 5, 1).expect("a day"), then)]);

        // The sales analytics see the past: a 10-day cycle, a funnel through the path, time in each stage.
        t.clock.set(at(6, 1, 12));
        let query = SalesQuery {
            pipeline: None,
            from: NaiveDate::from_ymd_opt(2026, 3, 1).expect("a day"),
            to: NaiveDate::from_ymd_opt(2026, 6, 1).expect("a day"),
        };
        let analysis = analyse(&t.ctx, &admin, &query).await.expect("analyse");
        assert_eq!((analysis.created, analysis.won, analysis.lost), (3, 1, 1));
        let cycle = analysis.won_cycle.as_ref().expect("a won cycle");
        assert!((cycle.median_days - 10.0).abs() < 1e-9, "{cycle:?}");
        let reached: Vec<u64> = analysis.funnel.iter().map(|s| s.reached).collect();
        assert_eq!(reached, [3, 3, 2, 1, 1]);
        let needs = analysis.stage_times[1].durations.as_ref().expect("stays in needs analysis");
        assert_eq!((needs.count, needs.median_days), (2, 10.0));
        let lost_cycle = analysis.lost_cycle.as_ref().expect("a lost cycle");
        assert!((lost_cycle.median_days - 17.0).abs() < 1e-9, "{lost_cycle:?}");

        // A past that is not a history is refused before anything is written.
        let mut broken = past.deals[0].clone();
        broken.path.reverse();
        let refused = backdate_for_demo(&t.ctx, &DemoPast { deals: vec![broken], ..DemoPast::default() }).await;
        assert!(refused.is_err());
        assert_eq!(t.count("deal_stage_changes").await, 9);
    })
    .await;
}
