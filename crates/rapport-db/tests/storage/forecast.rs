//! Quotas and forecasts on both backends.

use chrono::{NaiveDate, TimeZone, Utc};
use rapport_core::DomainError;
use rapport_core::access::{Role, Writer};
use rapport_core::forecast::{Period, PeriodKind};
use rapport_core::ids::{RecordId, TeamId, UserId};
use rapport_core::schema::RecordType;
use rapport_db::forecast::{self, ForecastRequest, ForecastScope, QuotaInput};
use rapport_db::{Error, pipelines, records, users};
use serde_json::{Value, json};

use crate::common::{TestCtx, as_admin, run_on_both_backends, validation_fields};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn quota(user: Option<UserId>, team: Option<TeamId>, kind: PeriodKind, start: NaiveDate, amount: i64) -> QuotaInput {
    QuotaInput {
        user_id: user,
        team_id: team,
        period_kind: kind,
        period_start: start,
        amount_minor: Some(amount),
        currency: None,
    }
}

async fn deal(t: &TestCtx, admin: &Writer, input: Value) -> RecordId {
    records::create(&t.ctx, admin, RecordType::DEAL, &input).await.expect("create a deal").id
}

#[tokio::test]
async fn a_teams_forecast_sums_its_deals_per_owner_against_quotas_and_each_role_sees_its_part() {
    run_on_both_backends("forecast", |t| async move {
        let (_, admin) = t.admin().await;
        let right = as_admin(&admin);
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let pipeline = pipelines::list(t.ctx.db.conn()).await.expect("pipelines").remove(0);
        let stage = |name: &str| pipeline.stages.iter().find(|s| s.name == name).expect("a stage").id.to_string();
        let inside = users::create_team_for_system(&t.ctx, "Inside sales").await.expect("a team");
        let field = users::create_team_for_system(&t.ctx, "Field").await.expect("a team");
        let (ana, _) = t.user("Ana Lima", Role::Member).await;
        let (bia, _) = t.user("Bia Souza", Role::Member).await;
        let (mario, _) = t.user("Mário Costa", Role::Manager).await;
        let (caio, _) = t.user("Caio Reis", Role::Member).await;
        for (team, user) in [(inside.id, ana.id), (inside.id, bia.id), (inside.id, mario.id), (field.id, caio.id)] {
            users::add_member_for_system(&t.ctx, team, user).await.expect("a member");
        }
        let owned = |owner: UserId, fields: Value| {
            let mut input = json!({"owner_id": owner.to_string(), "currency": "BRL"});
            input.as_object_mut().expect("an object").extend(fields.as_object().expect("an object").clone());
            input
        };

        // Ana wins 10 000,00 on 5 October (the clock says when).
        t.clock.set(Utc.with_ymd_and_hms(2026, 10, 5, 12, 0, 0).single().expect("a time"));
        let won = deal(&t, &admin, owned(ana.id, json!({"name": "Frota", "amount_minor": 1_000_000, "expected_close_date": "2026-12-20"}))).await;
        let won = records::update(&t.ctx, &admin, RecordType::DEAL, won, &json!({"stage_id": stage("Won")}), None)
            .await
            .expect("win a deal");
        assert_eq!(won.fields["forecast_category"], json!("closed"));
        // Ana: 4 000,00 at 90 % (commit) and 3 000,00 at 60 % (best case).
        deal(&t, &admin, owned(ana.id, json!({"name": "A1", "amount_minor": 400_000, "probability": 90, "expected_close_date": "2026-11-30"}))).await;
        let best = deal(&t, &admin, owned(ana.id, json!({"name": "A2", "amount_minor": 300_000, "probability": 60, "expected_close_date": "2026-12-01"}))).await;
        // Bia: 1 000,00 at 20 % she commits to, 5 000,00 in the stage's 10 % (pipeline).
        let committed = deal(&t, &admin, owned(bia.id, json!({"name": "B1", "amount_minor": 100_000, "probability": 20, "forecast_category": "commit", "expected_close_date": "2026-10-01"}))).await;
        deal(&t, &admin, owned(bia.id, json!({"name": "B2", "amount_minor": 500_000, "expected_close_date": "2026-12-31"}))).await;
        // Not in Q4: next year's, a lost one, one in the trash; apart: dollars.
        deal(&t, &admin, owned(bia.id, json!({"name": "B3", "amount_minor": 700_000, "probability": 95, "expected_close_date": "2027-01-01"}))).await;
        deal(&t, &admin, owned(bia.id, json!({"name": "B4", "amount_minor": 800_000, "stage_id": stage("Lost"), "lost_reason": "price", "expected_close_date": "2026-11-03"}))).await;
        let trashed = deal(&t, &admin, owned(bia.id, json!({"name": "B5", "amount_minor": 900_000, "expected_close_date": "2026-11-04"}))).await;
        records::delete(&t.ctx, &admin, RecordType::DEAL, trashed, None).await.expect("trash a deal");
        deal(&t, &admin, owned(bia.id, json!({"name": "B6", "amount_minor": 200_000, "currency": "USD", "probability": 50, "expected_close_date": "2026-11-05"}))).await;
        // Caio, of the other team.
        deal(&t, &admin, owned(caio.id, json!({"name": "C1", "amount_minor": 123_400, "probability": 90, "expected_close_date": "2026-11-10"}))).await;

        // Open deals remember the category chosen; their probability gives the others'.
        let b1 = records::get(&t.ctx, &admin, RecordType::DEAL, committed).await.expect("get");
        assert_eq!((b1.fields["forecast_category"].clone(), b1.fields["forecast_category_overridden"].clone()), (json!("commit"), json!(true)));
        let a2 = records::get(&t.ctx, &admin, RecordType::DEAL, best).await.expect("get");
        assert_eq!(a2.fields["forecast_category"], json!("best_case"));
        let declared = records::update(&t.ctx, &admin, RecordType::DEAL, best, &json!({"forecast_category": "closed"}), None).await;
        assert!(matches!(&declared, Err(Error::Domain(DomainError::Validation(e))) if e.0[0].code == "forecast_closed_needs_won"), "{declared:?}");

        let q4 = day(2026, 10, 1);
        forecast::set_quotas(
            &t.ctx,
            &right,
            &[
                quota(Some(ana.id), None, PeriodKind::Quarter, q4, 2_000_000),
                quota(Some(bia.id), None, PeriodKind::Month, day(2026, 10, 1), 300_000),
                quota(Some(bia.id), None, PeriodKind::Month, day(2026, 11, 1), 200_000),
                quota(None, Some(inside.id), PeriodKind::Quarter, q4, 5_000_000),
            ],
        )
        .await
        .expect("set quotas");
        // Setting one again replaces it.
        forecast::set_quotas(&t.ctx, &right, &[quota(None, Some(inside.id), PeriodKind::Quarter, q4, 5_000_000)])
            .await
            .expect("set a quota again");

        let period = Period::parse("2026-Q4").expect("a period");
        let request = ForecastRequest { period, team: None, owner: None };
        // The manager sees their team: its members by name, its quota.
        let manager = t.actor(mario.id).await;
        let report = forecast::report(&t.ctx, &manager, request).await.expect("the team's forecast");
        assert_eq!((report.scope, report.team.as_ref().map(|t| t.id)), (ForecastScope::Team, Some(inside.id)));
        let owners: Vec<Option<uuid::Uuid>> = report.forecast.owners.iter().map(|l| l.owner_id).collect();
        assert_eq!(owners, [Some(ana.id.0), Some(bia.id.0), Some(mario.id.0)]);
        let a = &report.forecast.owners[0].totals;
        assert_eq!(
            (a.closed_minor, a.commit_minor, a.best_case_minor, a.pipeline_minor, a.weighted_minor, a.deals),
            (1_000_000, 400_000, 300_000, 0, 1_540_000, 3)
        );
        assert_eq!((a.quota_minor, a.attainment_bp, a.gap_minor), (Some(2_000_000), Some(5_000), Some(1_000_000)));
        let b = &report.forecast.owners[1].totals;
        // weighted: 100 000 × 20 % + 500 000 × 10 %
        assert_eq!(
            (b.closed_minor, b.commit_minor, b.pipeline_minor, b.weighted_minor, b.quota_minor),
            (0, 100_000, 500_000, 70_000, Some(500_000))
        );
        let total = &report.forecast.total;
        assert_eq!((total.closed_minor, total.weighted_minor, total.quota_minor, total.attainment_bp), (1_000_000, 1_610_000, Some(5_000_000), Some(2_000)));
        assert_eq!(report.forecast.other_currencies.len(), 1);
        assert_eq!(report.forecast.other_currencies[0].totals.weighted_minor, 100_000);
        assert_eq!(report.names.get(&ana.id.0).map(String::as_str), Some("Ana Lima"));
        // ... and not the other team's.
        let other = ForecastRequest { team: Some(field.id), ..request };
        assert!(matches!(forecast::report(&t.ctx, &manager, other).await, Err(Error::Domain(DomainError::NotFound { .. }))));

        // A member sees their own line only, and no team.
        let member = t.actor(bia.id).await;
        let own = forecast::report(&t.ctx, &member, request).await.expect("one's own forecast");
        assert_eq!(own.scope, ForecastScope::Own);
        assert_eq!(own.forecast.owners.len(), 1);
        assert_eq!(own.forecast.total.pipeline_minor, 500_000);
        assert!(own.teams.is_empty());
        let team = ForecastRequest { team: Some(inside.id), ..request };
        assert!(forecast::report(&t.ctx, &member, team).await.is_err());
        let someone_else = ForecastRequest { owner: Some(ana.id), ..request };
        assert!(forecast::report(&t.ctx, &member, someone_else).await.is_err());

        // The administrator sees everyone; the total quota is the people's.
        let everyone = forecast::report(&t.ctx, admin.actor(), request).await.expect("everyone's forecast");
        assert_eq!(everyone.scope, ForecastScope::Everyone);
        assert_eq!(everyone.forecast.total.commit_minor, 400_000 + 100_000 + 123_400);
        assert_eq!(everyone.forecast.total.quota_minor, Some(2_500_000));
        assert_eq!(everyone.teams.len(), 2);

        // Quotas: members read theirs, managers their team's too.
        let bias = forecast::list_quotas(&t.ctx, &member, 2026).await.expect("quotas");
        assert_eq!(bias.iter().map(|q| q.period.as_str()).collect::<Vec<_>>(), ["2026-10", "2026-11"]);
        assert_eq!(forecast::list_quotas(&t.ctx, &manager, 2026).await.expect("quotas").len(), 4);
        assert!(forecast::list_quotas(&t.ctx, &manager, 2025).await.expect("quotas").is_empty());

        // A period's forecast recorded, and read back as it was.
        assert_eq!(forecast::record_snapshots(&t.ctx, period).await.expect("record"), 3);
        assert_eq!(forecast::record_snapshots(&t.ctx, period).await.expect("record again"), 3);
        let scope = format!("team:{}", inside.id);
        let recorded = forecast::snapshots(&t.ctx, period, &scope).await.expect("recorded forecasts");
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].0, day(2026, 10, 5));
        assert_eq!(recorded[0].1.total, report.forecast.total);
        assert_eq!(recorded[0].1.owners, report.forecast.owners);

        // The weekly job records this month's and this quarter's, once a week.
        forecast::request_weekly_snapshot(&t.ctx).await.expect("queue the snapshot");
        forecast::request_weekly_snapshot(&t.ctx).await.expect("queue it again");
        rapport_db::notifications::run_due_jobs(&t.ctx, 50).await.expect("run jobs");
        assert_eq!(t.count("forecast_snapshots").await, 6);
        let october = forecast::snapshots(&t.ctx, Period::parse("2026-10").expect("a month"), "everyone").await.expect("read");
        assert_eq!(october[0].1.total.closed_minor, 1_000_000);
    })
    .await;
}

#[tokio::test]
async fn quotas_are_refused_with_the_item_and_rule_that_fail_and_nothing_is_stored() {
    run_on_both_backends("quotas", |t| async move {
        let right = t.admin_right().await;
        let (ana, _) = t.user("Ana Lima", Role::Member).await;
        let jan = day(2026, 1, 1);
        let result = forecast::set_quotas(
            &t.ctx,
            &right,
            &[
                quota(Some(ana.id), None, PeriodKind::Month, jan, 100),
                quota(Some(ana.id), None, PeriodKind::Month, day(2026, 1, 15), 100),
                quota(Some(ana.id), None, PeriodKind::Quarter, day(2026, 2, 1), -5),
                QuotaInput {
                    currency: Some("USD".into()),
                    ..quota(Some(ana.id), None, PeriodKind::Month, day(2026, 3, 1), 1)
                },
                quota(Some(UserId::new()), None, PeriodKind::Month, jan, 1),
                quota(Some(ana.id), Some(TeamId::new()), PeriodKind::Month, jan, 1),
            ],
        )
        .await;
        assert_eq!(
            validation_fields(result),
            [
                "items[1].period_start",
                "items[2].period_start",
                "items[2].amount_minor",
                "items[3].currency",
                "items[4].user_id",
                "items[5].user_id"
            ]
        );
        let Err(Error::Domain(DomainError::Validation(errors))) = forecast::set_quotas(
            &t.ctx,
            &right,
            &[
                quota(Some(ana.id), None, PeriodKind::Month, jan, 100),
                quota(Some(ana.id), None, PeriodKind::Month, jan, 200),
            ],
        )
        .await
        else {
            panic!("the same quota twice is refused")
        };
        assert_eq!((errors.0[0].field.as_str(), errors.0[0].code.as_str()), ("items[1]", "quota_duplicate"));
        assert_eq!(t.count("quotas").await, 0);

        // A zero quota is a quota; no amount removes it.
        forecast::set_quotas(&t.ctx, &right, &[quota(Some(ana.id), None, PeriodKind::Month, jan, 0)])
            .await
            .expect("zero");
        assert_eq!(t.count("quotas").await, 1);
        let removal = QuotaInput { amount_minor: None, ..quota(Some(ana.id), None, PeriodKind::Month, jan, 0) };
        forecast::set_quotas(&t.ctx, &right, &[removal]).await.expect("remove");
        assert_eq!(t.count("quotas").await, 0);
    })
    .await;
}
