//! Reports and dashboards on both backends: grouping, buckets, measures,
//! money per currency, visibility as lists have it, bad definitions, saved
//! reports' sharing and the default dashboard.

use chrono::{TimeZone, Utc};
use rapport_core::DomainError;
use rapport_core::access::{Role, Visibility, Writer};
use rapport_core::ids::{RecordId, UserId};
use rapport_core::reports::{
    DateBucket, FilterSpec, Grouping, Measure, MeasureOp, ReportDefinition, ReportSort, SortDirection, SortKey,
};
use rapport_core::schema::RecordType;
use rapport_db::reports::{self, ReportInput, ReportResult, Widget, WidgetSize};
use rapport_db::{Error, pipelines, records, settings, users};
use serde_json::{Value, json};

use crate::common::{TestCtx, as_admin, run_on_both_backends, validation_fields};

async fn deal(t: &TestCtx, writer: &Writer, input: Value) -> RecordId {
    records::create(&t.ctx, writer, RecordType::DEAL, &input).await.expect("create a deal").id
}

fn by(field: &str, bucket: Option<DateBucket>) -> Grouping {
    Grouping { field: field.into(), bucket }
}

fn eq(field: &str, value: &str) -> FilterSpec {
    FilterSpec { field: field.into(), op: "eq".into(), value: value.into() }
}

fn measure(op: MeasureOp, field: &str) -> Measure {
    Measure { op, field: Some(field.into()) }
}

fn sorted_by_group() -> Option<ReportSort> {
    Some(ReportSort { by: SortKey::Group(0), direction: SortDirection::Asc })
}

/// (group values, currency, values) per row, for comparing whole results.
type Flat = Vec<(Vec<Option<String>>, Option<String>, Vec<Option<f64>>)>;

fn flat(result: &ReportResult) -> Flat {
    result
        .rows
        .iter()
        .map(|r| (r.keys.iter().map(|k| k.value.clone()).collect(), r.currency.clone(), r.values.clone()))
        .collect()
}

fn key(value: &str) -> Option<String> {
    Some(value.to_owned())
}

/// Four deals of Ana's and Bia's in BRL and USD, one in the trash.
async fn sales(t: &TestCtx) -> (Writer, UserId, UserId, Vec<(String, uuid::Uuid)>) {
    let (_, admin) = t.admin().await;
    pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
    let pipeline = pipelines::list(t.ctx.db.conn()).await.expect("pipelines").remove(0);
    let stages: Vec<(String, uuid::Uuid)> = pipeline.stages.iter().map(|s| (s.name.clone(), s.id)).collect();
    let stage = |name: &str| stages.iter().find(|(n, _)| n == name).expect("a stage").1.to_string();
    let (ana, _) = t.user("Ana Lima", Role::Member).await;
    let (bia, _) = t.user("Bia Souza", Role::Member).await;
    let owned = |owner: UserId, fields: Value| {
        let mut input = json!({"owner_id": owner.to_string()});
        input.as_object_mut().expect("an object").extend(fields.as_object().expect("an object").clone());
        input
    };
    deal(
        t,
        &admin,
        owned(
            ana.id,
            json!({"name": "A1", "amount_minor": 100_000, "currency": "BRL", "expected_close_date": "2026-01-15"}),
        ),
    )
    .await;
    deal(
        t,
        &admin,
        owned(
            ana.id,
            json!({"name": "A2", "amount_minor": 300_000, "currency": "BRL", "expected_close_date": "2026-02-20"}),
        ),
    )
    .await;
    deal(
        t,
        &admin,
        owned(
            ana.id,
            json!({"name": "A3", "amount_minor": 50_000, "currency": "USD", "expected_close_date": "2026-02-21"}),
        ),
    )
    .await;
    deal(t, &admin, owned(bia.id, json!({"name": "B1", "amount_minor": 200_000, "currency": "BRL", "stage_id": stage("Won"), "expected_close_date": "2026-05-02"}))).await;
    let gone = deal(t, &admin, owned(bia.id, json!({"name": "B2", "amount_minor": 999_999, "currency": "BRL"}))).await;
    records::delete(&t.ctx, &admin, RecordType::DEAL, gone, None).await.expect("trash a deal");
    (admin, ana.id, bia.id, stages)
}

#[tokio::test]
async fn reports_group_count_and_add_money_per_currency_over_live_records() {
    run_on_both_backends("reports_measures", |t| async move {
        let (admin, ana, bia, _) = sales(&t).await;
        let actor = admin.actor();

        let mut by_owner = ReportDefinition::count_by("deal", "owner_id");
        by_owner.sort = sorted_by_group();
        let found = reports::run(&t.ctx, actor, &by_owner).await.expect("count by owner");
        let mut expected: Flat = vec![
            (vec![key(&ana.to_string())], None, vec![Some(3.0)]),
            (vec![key(&bia.to_string())], None, vec![Some(1.0)]),
        ];
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(flat(&found), expected);
        let names: Vec<Option<&str>> = found.rows.iter().map(|r| r.keys[0].label.as_deref()).collect();
        assert!(names.contains(&Some("Ana Lima")) && names.contains(&Some("Bia Souza")), "{names:?}");
        assert!(!found.truncated);

        // Sum, average, minimum and maximum of the amount, per currency: never BRL + USD.
        let mut money = ReportDefinition::count_by("deal", "owner_id");
        money.filters = vec![eq("owner_id", &ana.to_string())];
        money.measures = vec![
            measure(MeasureOp::Sum, "amount_minor"),
            measure(MeasureOp::Avg, "amount_minor"),
            measure(MeasureOp::Min, "amount_minor"),
            measure(MeasureOp::Max, "amount_minor"),
            Measure::count(),
        ];
        money.sort = Some(ReportSort { by: SortKey::Measure(0), direction: SortDirection::Desc });
        let found = reports::run(&t.ctx, actor, &money).await.expect("money per currency");
        assert_eq!(
            flat(&found),
            vec![
                (
                    vec![key(&ana.to_string())],
                    key("BRL"),
                    vec![Some(400_000.0), Some(200_000.0), Some(100_000.0), Some(300_000.0), Some(2.0)]
                ),
                (
                    vec![key(&ana.to_string())],
                    key("USD"),
                    vec![Some(50_000.0), Some(50_000.0), Some(50_000.0), Some(50_000.0), Some(1.0)]
                ),
            ]
        );
        assert!(found.measures[0].money && !found.measures[4].money);
        // The row opens the list of its records: the report's filters and the row's group.
        let filter: Vec<(String, String, String)> =
            found.rows[0].list_filter.iter().map(|f| (f.field.clone(), f.op.clone(), f.value.clone())).collect();
        assert_eq!(
            filter,
            vec![("owner_id".into(), "eq".into(), ana.to_string()), ("owner_id".into(), "eq".into(), ana.to_string())]
        );

        // Two groupings: owner and status; the stage names its group.
        let mut two = ReportDefinition::count_by("deal", "owner_id");
        two.group_by.push(by("status", None));
        two.sort = sorted_by_group();
        let found = reports::run(&t.ctx, actor, &two).await.expect("two groupings");
        let mut rows = flat(&found);
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let mut expected: Flat = vec![
            (vec![key(&ana.to_string()), key("open")], None, vec![Some(3.0)]),
            (vec![key(&bia.to_string()), key("won")], None, vec![Some(1.0)]),
        ];
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(rows, expected);
        let by_stage =
            reports::run(&t.ctx, actor, &ReportDefinition::count_by("deal", "stage_id")).await.expect("by stage");
        let labels: Vec<Option<&str>> = by_stage.rows.iter().map(|r| r.keys[0].label.as_deref()).collect();
        assert!(labels.contains(&Some("Won")), "{labels:?}");

        // No groups: one row of totals. Nothing matching: no rows, no error.
        let mut totals = ReportDefinition::count_by("deal", "owner_id");
        totals.group_by.clear();
        let found = reports::run(&t.ctx, actor, &totals).await.expect("totals");
        assert_eq!(flat(&found), vec![(vec![], None, vec![Some(4.0)])]);
        let mut nothing = ReportDefinition::count_by("deal", "owner_id");
        nothing.filters = vec![eq("name", "no such deal")];
        nothing.measures = vec![measure(MeasureOp::Sum, "amount_minor")];
        assert!(reports::run(&t.ctx, actor, &nothing).await.expect("an empty report").rows.is_empty());

        // A limit keeps the first rows and says there were more.
        let mut one = ReportDefinition::count_by("deal", "name");
        one.limit = 1;
        let found = reports::run(&t.ctx, actor, &one).await.expect("limited");
        assert_eq!((found.rows.len(), found.truncated), (1, true));
    })
    .await;
}

#[tokio::test]
async fn dates_group_by_day_week_month_quarter_and_year_alike_on_both_engines() {
    run_on_both_backends("reports_buckets", |t| async move {
        let (admin, _, _, _) = sales(&t).await;
        let actor = admin.actor();
        let expect = [
            (DateBucket::Day, vec![("2026-01-15", 1.0), ("2026-02-20", 1.0), ("2026-02-21", 1.0), ("2026-05-02", 1.0)]),
            // 20 Feb 2026 is a Friday, the 21st a Saturday: the same week, from Monday the 16th.
            (DateBucket::Week, vec![("2026-01-12", 1.0), ("2026-02-16", 2.0), ("2026-04-27", 1.0)]),
            (DateBucket::Month, vec![("2026-01-01", 1.0), ("2026-02-01", 2.0), ("2026-05-01", 1.0)]),
            (DateBucket::Quarter, vec![("2026-01-01", 3.0), ("2026-04-01", 1.0)]),
            (DateBucket::Year, vec![("2026-01-01", 4.0)]),
        ];
        for (bucket, rows) in expect {
            let mut definition = ReportDefinition::count_by("deal", "expected_close_date");
            definition.group_by[0].bucket = Some(bucket);
            let found = reports::run(&t.ctx, actor, &definition).await.expect("a date report");
            let expected: Flat = rows.iter().map(|(day, n)| (vec![key(day)], None, vec![Some(*n)])).collect();
            assert_eq!(flat(&found), expected, "{bucket:?}");
        }

        // Times too (in UTC): activities due across a month and a year's end.
        for (subject, due) in
            [("a", "2026-12-31T23:30:00Z"), ("b", "2027-01-01T00:30:00Z"), ("c", "2027-01-03T10:00:00Z")]
        {
            records::create(
                &t.ctx,
                &admin,
                RecordType::ACTIVITY,
                &json!({"kind": "call", "subject": subject, "due_at": due}),
            )
            .await
            .expect("an activity");
        }
        let mut weekly = ReportDefinition::count_by("activity", "due_at");
        weekly.group_by[0].bucket = Some(DateBucket::Week);
        weekly.filters = vec![FilterSpec { field: "due_at".into(), op: "is_empty".into(), value: "false".into() }];
        let found = reports::run(&t.ctx, actor, &weekly).await.expect("weekly activities");
        // 31 Dec 2026 is a Thursday: its week, Monday the 28th, runs to Sunday 3 January.
        assert_eq!(flat(&found), vec![(vec![key("2026-12-28")], None, vec![Some(3.0)])]);
        weekly.group_by[0].bucket = Some(DateBucket::Year);
        let found = reports::run(&t.ctx, actor, &weekly).await.expect("yearly activities");
        assert_eq!(
            flat(&found),
            vec![(vec![key("2026-01-01")], None, vec![Some(1.0)]), (vec![key("2027-01-01")], None, vec![Some(2.0)])]
        );
        let filter: Vec<(String, String)> =
            found.rows[1].list_filter.iter().skip(1).map(|f| (f.op.clone(), f.value.clone())).collect();
        assert_eq!(
            filter,
            vec![("gt".into(), "2026-12-31T23:59:59.999999Z".into()), ("lt".into(), "2028-01-01".into())]
        );
    })
    .await;
}

#[tokio::test]
async fn a_member_counts_only_the_records_their_lists_show() {
    run_on_both_backends("reports_visibility", |t| async move {
        let (admin, ana, _, _) = sales(&t).await;
        let mut config = settings::load(t.ctx.db.conn()).await.expect("settings");
        config.visibility.insert(RecordType::DEAL, Visibility::Private);
        settings::save(&t.ctx, &as_admin(&admin), &config).await.expect("save settings");
        let member = t.actor(ana).await;
        let mut totals = ReportDefinition::count_by("deal", "owner_id");
        totals.group_by.clear();
        totals.measures = vec![Measure::count(), measure(MeasureOp::Sum, "amount_minor")];
        let found = reports::run(&t.ctx, &member, &totals).await.expect("a member's report");
        let counted: f64 = found.rows.iter().filter_map(|r| r.values[0]).sum();
        let listed = records::list(&t.ctx, &member, RecordType::DEAL, &[]).await.expect("a member's list").items.len();
        assert_eq!((counted, listed), (3.0, 3));
        let everyone = reports::run(&t.ctx, admin.actor(), &totals).await.expect("an admin's report");
        assert_eq!(everyone.rows.iter().filter_map(|r| r.values[0]).sum::<f64>(), 4.0);
    })
    .await;
}

#[tokio::test]
async fn bad_definitions_are_refused_with_the_fields_to_fix() {
    run_on_both_backends("reports_bad", |t| async move {
        let (_, admin) = t.admin().await;
        let mut bad = ReportDefinition::count_by("deal", "contacts");
        bad.measures = vec![measure(MeasureOp::Sum, "name"), measure(MeasureOp::Avg, "custom.nope")];
        bad.filters = vec![eq("expected_close_date", "soon")];
        let fields = validation_fields(reports::run(&t.ctx, admin.actor(), &bad).await);
        assert_eq!(fields, ["filters[0]", "group_by[0].field", "measures[0].field", "measures[1].field"]);
        let unknown = ReportDefinition::count_by("starship", "name");
        assert_eq!(validation_fields(reports::run(&t.ctx, admin.actor(), &unknown).await), ["record_type"]);
    })
    .await;
}

#[tokio::test]
async fn saved_reports_are_private_or_shared_with_a_team_and_only_owners_change_them() {
    run_on_both_backends("reports_saved", |t| async move {
        let (_, admin) = t.admin().await;
        let team = users::create_team_for_system(&t.ctx, "Inside sales").await.expect("a team");
        let other = users::create_team_for_system(&t.ctx, "Field").await.expect("a team");
        let (ana, _) = t.user("Ana Lima", Role::Member).await;
        let (bia, _) = t.user("Bia Souza", Role::Member).await;
        let (caio, _) = t.user("Caio Reis", Role::Member).await;
        users::add_member_for_system(&t.ctx, team.id, ana.id).await.expect("a member");
        users::add_member_for_system(&t.ctx, team.id, bia.id).await.expect("a member");
        let (ana, bia, caio) = (t.actor(ana.id).await, t.actor(bia.id).await, t.actor(caio.id).await);
        let input = |name: &str, team| ReportInput {
            name: name.into(),
            description: Some("Deals per stage".into()),
            definition: ReportDefinition::count_by("deal", "stage_id"),
            shared_team_id: team,
        };
        let private = reports::create_report(&t.ctx, &ana, &input("Mine", None)).await.expect("a private report");
        let shared =
            reports::create_report(&t.ctx, &ana, &input("Ours", Some(team.id))).await.expect("a shared report");
        assert!(private.can_edit && shared.can_edit);
        let names = |list: Vec<reports::SavedReport>| list.into_iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(names(reports::list_reports(&t.ctx, &ana).await.expect("list")), ["Mine", "Ours"]);
        assert_eq!(names(reports::list_reports(&t.ctx, &bia).await.expect("list")), ["Ours"]);
        assert!(names(reports::list_reports(&t.ctx, &caio).await.expect("list")).is_empty());
        assert_eq!(names(reports::list_reports(&t.ctx, admin.actor()).await.expect("list")), ["Mine", "Ours"]);

        // Bia runs the shared one but cannot change it; Caio cannot even find it.
        let (seen, _) = reports::run_saved(&t.ctx, &bia, shared.id).await.expect("run a shared report");
        assert!(!seen.can_edit);
        let changed = reports::update_report(&t.ctx, &bia, shared.id, &input("Hers", None)).await;
        assert!(matches!(changed, Err(Error::Domain(DomainError::Forbidden(_)))), "{changed:?}");
        let hidden = reports::get_report(&t.ctx, &caio, private.id).await;
        assert!(matches!(hidden, Err(Error::Domain(DomainError::NotFound { .. }))), "{hidden:?}");
        // Sharing with a team one is not in, or a bad definition: field errors.
        let mut wrong = input("", Some(other.id));
        wrong.definition.group_by[0].field = "nope".into();
        assert_eq!(
            validation_fields(reports::create_report(&t.ctx, &ana, &wrong).await),
            ["name", "definition.group_by[0].field", "shared_team_id"]
        );
        // The owner renames and un-shares; then deletes.
        let renamed =
            reports::update_report(&t.ctx, &ana, shared.id, &input("Ours, private now", None)).await.expect("update");
        assert_eq!((renamed.name.as_str(), renamed.shared_team_id), ("Ours, private now", None));
        assert!(reports::list_reports(&t.ctx, &bia).await.expect("list").is_empty());
        reports::delete_report(&t.ctx, &ana, private.id).await.expect("delete");
        assert_eq!(names(reports::list_reports(&t.ctx, &ana).await.expect("list")), ["Ours, private now"]);
    })
    .await;
}

#[tokio::test]
async fn the_default_dashboard_is_made_once_and_widgets_are_arranged_by_their_owner() {
    run_on_both_backends("reports_dashboards", |t| async move {
        let (_, admin) = t.admin().await;
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        t.clock.set(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).single().expect("a time"));
        let (ana, _) = t.user("Ana Lima", Role::Member).await;
        let ana = t.actor(ana.id).await;
        let named = |key: &str| format!("<{key}>");
        let first = reports::default_dashboard(&t.ctx, &ana, named).await.expect("the default dashboard");
        let again = reports::default_dashboard(&t.ctx, &ana, named).await.expect("the same one");
        assert_eq!(first.id, again.id);
        assert!(first.is_default && first.can_edit);
        assert_eq!(first.name, "<dashboard.default_name>");
        assert_eq!(first.widgets.len(), 5);
        assert_eq!(reports::list_reports(&t.ctx, &ana).await.expect("list").len(), 5);
        // Each default report runs (on an empty account, with no rows).
        for widget in &first.widgets {
            let (report, result) =
                reports::run_saved(&t.ctx, &ana, widget.report_id).await.expect("a default report runs");
            assert!(report.name.starts_with("<report.default."), "{}", report.name);
            assert!(result.rows.is_empty() || report.definition.group_by[0].field == "stage_id");
        }
        let funnel = reports::run_saved(&t.ctx, admin.actor(), first.widgets[0].report_id).await;
        assert!(funnel.is_ok(), "administrators see every report: {funnel:?}");

        // Rearranged: reversed order; a wrong order is refused.
        let mut order: Vec<_> = first.widgets.iter().map(|w| w.report_id).collect();
        order.reverse();
        let arranged = reports::arrange_widgets(&t.ctx, &ana, first.id, &order).await.expect("arrange");
        assert_eq!(arranged.widgets.iter().map(|w| w.report_id).collect::<Vec<_>>(), order);
        assert_eq!(validation_fields(reports::arrange_widgets(&t.ctx, &ana, first.id, &order[1..]).await), ["order"]);
        // Deleting a report takes it off the dashboard.
        reports::delete_report(&t.ctx, &ana, order[0]).await.expect("delete a report");
        let after = reports::get_dashboard(&t.ctx, &ana, first.id).await.expect("the dashboard");
        assert_eq!(after.widgets.len(), 4);
        // Another user's dashboard is not found; a widget of a report one cannot see is refused.
        let (bia, _) = t.user("Bia Souza", Role::Member).await;
        let bia = t.actor(bia.id).await;
        assert!(matches!(
            reports::get_dashboard(&t.ctx, &bia, first.id).await,
            Err(Error::Domain(DomainError::NotFound { .. }))
        ));
        let input = reports::DashboardInput {
            name: "Bia's".into(),
            team_id: None,
            widgets: vec![Widget { report_id: order[1], size: WidgetSize::Large }],
        };
        assert_eq!(validation_fields(reports::create_dashboard(&t.ctx, &bia, &input).await), ["widgets[0].report_id"]);
    })
    .await;
}

#[tokio::test]
async fn with_a_read_replica_reports_read_it_and_records_the_primary() {
    run_on_both_backends("reports read replica", |t| async move {
        let (admin_user, admin) = t.admin().await;
        let count = ReportDefinition {
            record_type: "deal".into(),
            filters: Vec::new(),
            group_by: Vec::new(),
            measures: vec![Measure::count()],
            sort: None,
            limit: 10,
            chart: Default::default(),
        };
        let rapport_db::DatabaseUrl::Postgres(primary) = &t.url else {
            // On SQLite, reports already read beside the writer: a replica is refused.
            let refused = t.ctx.db.clone().with_read_replica(&t.url).await;
            assert!(matches!(refused, Err(Error::Config(_))), "{refused:?}");
            return;
        };
        // A replica that has not caught up yet: another database, migrated and empty.
        let admin_url = std::env::var(crate::common::POSTGRES_URL_VAR).expect("a PostgreSQL test server");
        use sea_orm::ConnectionTrait;
        let server = sea_orm::Database::connect(admin_url.as_str()).await.expect("connect to PostgreSQL");
        let name = format!("rapport_replica_{}", uuid::Uuid::now_v7().simple());
        server.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create the replica");
        let (base, _) = primary.rsplit_once('/').expect("a database in the URL");
        let replica_url = rapport_db::DatabaseUrl::Postgres(format!("{base}/{name}"));
        rapport_db::Database::open(&replica_url).await.expect("migrate the replica").close().await.expect("close");
        let db = t.ctx.db.clone().with_read_replica(&replica_url).await.expect("connect the replica");
        let ctx = rapport_db::settings::Ctx::new(db, std::sync::Arc::new(t.clock.clone()));

        pipelines::ensure_default(&t.ctx).await.expect("the default pipeline");
        let id = deal(&t, &admin, json!({"name": "Frota", "amount_minor": 100_000, "currency": "BRL"})).await;
        let actor = t.actor(admin_user.id).await;
        let on_replica = reports::run(&ctx, &actor, &count).await.expect("run on the replica");
        assert_eq!(on_replica.rows[0].values, vec![Some(0.0)], "the report read the replica, which lags");
        let read = records::get(&ctx, &actor, RecordType::DEAL, id).await;
        assert!(read.is_ok(), "records are read from the primary: {read:?}");
        let on_primary = reports::run(&t.ctx, &actor, &count).await.expect("run on the primary");
        assert_eq!(on_primary.rows[0].values, vec![Some(1.0)]);

        drop(ctx);
        server.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.expect("drop the replica");
    })
    .await;
}

#[tokio::test]
async fn dashboards_open_from_kept_results_that_the_worker_keeps_fresh() {
    run_on_both_backends("reports kept results", |t| async move {
        pipelines::ensure_default(&t.ctx).await.expect("the default pipeline");
        let (admin_user, admin) = t.admin().await;
        let actor = t.actor(admin_user.id).await;
        let total = ReportDefinition { group_by: Vec::new(), ..ReportDefinition::count_by("deal", "stage_id") };
        let input =
            ReportInput { name: "All deals".into(), description: None, definition: total, shared_team_id: None };
        let report = reports::create_report(&t.ctx, &actor, &input).await.expect("a report");
        let count = |kept: &reports::DashboardResult| kept.result.rows[0].values[0];
        deal(&t, &admin, json!({"name": "A", "amount_minor": 100, "currency": "BRL"})).await;

        let first = reports::dashboard_result(&t.ctx, &actor, report.id, false).await.expect("computed");
        assert_eq!(count(&first), Some(1.0));
        // A new deal: the dashboard still opens from the kept result while it is fresh…
        deal(&t, &admin, json!({"name": "B", "amount_minor": 100, "currency": "BRL"})).await;
        t.clock.advance(chrono::Duration::minutes(1));
        let kept = reports::dashboard_result(&t.ctx, &actor, report.id, false).await.expect("kept");
        assert_eq!((count(&kept), kept.computed_at), (Some(1.0), first.computed_at));
        // …unless asked to refresh, or computed for another scope (a new team).
        let refreshed = reports::dashboard_result(&t.ctx, &actor, report.id, true).await.expect("refreshed");
        assert_eq!(count(&refreshed), Some(2.0));
        let mut moved = actor.clone();
        moved.team_ids.push(uuid::Uuid::now_v7());
        let other_scope = reports::dashboard_result(&t.ctx, &moved, report.id, false).await.expect("run");
        assert_eq!(other_scope.computed_at, t.ctx.now(), "not the result kept for the other scope");

        // The worker recomputes what was looked at once it is half stale; the dashboard then opens from it.
        deal(&t, &admin, json!({"name": "C", "amount_minor": 100, "currency": "BRL"})).await;
        t.clock.advance(reports::FRESH_FOR / 2 + chrono::Duration::seconds(1));
        assert_eq!(reports::refresh_stale(&t.ctx).await.expect("refresh"), 1);
        assert_eq!(reports::refresh_stale(&t.ctx).await.expect("nothing stale"), 0);
        t.clock.advance(chrono::Duration::seconds(5));
        // (The worker computes for the person as stored: the real teams.)
        let warm = reports::dashboard_result(&t.ctx, &actor, report.id, false).await.expect("warm");
        assert_eq!(count(&warm), Some(3.0));
        assert!(warm.computed_at < t.ctx.now(), "opened from the worker's result");

        // Past its freshness, a result is run again on open; a changed report too.
        t.clock.advance(reports::FRESH_FOR);
        let late = reports::dashboard_result(&t.ctx, &actor, report.id, false).await.expect("run again");
        assert_eq!(late.computed_at, t.ctx.now());
        let renamed = ReportInput { name: "Every deal".into(), ..input.clone() };
        t.clock.advance(chrono::Duration::seconds(1));
        reports::update_report(&t.ctx, &actor, report.id, &renamed).await.expect("rename");
        let changed = reports::dashboard_result(&t.ctx, &actor, report.id, false).await.expect("run again");
        assert_eq!((changed.report.name.as_str(), changed.computed_at), ("Every deal", t.ctx.now()));

        // A deleted report's results go with it.
        reports::delete_report(&t.ctx, &actor, report.id).await.expect("delete");
        assert_eq!(t.count("report_results").await, 0);
    })
    .await;
}
