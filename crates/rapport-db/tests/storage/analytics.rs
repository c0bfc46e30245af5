//! Analytics read from stored records, on both backends.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rapport_core::access::{Role, Visibility, Writer};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_db::analytics::sales::{SalesQuery, analyse};
use rapport_db::{pipelines, records, settings};
use serde_json::{Value, json};

use crate::common::{TestCtx, as_admin, run_on_both_backends};

fn at(m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, 12, 0, 0).single().expect("a time")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

async fn create(t: &TestCtx, by: &Writer, when: DateTime<Utc>, kind: RecordType, input: Value) -> RecordId {
    t.clock.set(when);
    records::create(&t.ctx, by, kind, &input).await.expect("create").id
}

async fn update(t: &TestCtx, by: &Writer, when: DateTime<Utc>, id: RecordId, patch: Value) {
    t.clock.set(when);
    records::update(&t.ctx, by, RecordType::DEAL, id, &patch, None).await.expect("update a deal");
}

#[tokio::test]
async fn sales_analytics_follow_deals_through_their_stages_and_respect_visibility() {
    run_on_both_backends("analytics_sales", |t| async move {
        let (_, admin) = t.admin().await;
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let mut config = settings::load(t.ctx.db.conn()).await.expect("settings");
        config.visibility.insert(RecordType::DEAL, Visibility::Private);
        settings::save(&t.ctx, &as_admin(&admin), &config).await.expect("save settings");
        let pipeline = pipelines::list(t.ctx.db.conn()).await.expect("pipelines").remove(0);
        let stage = |name: &str| pipeline.stages.iter().find(|s| s.name == name).expect("a stage").id.to_string();
        let (ana, _) = t.user("Ana Lima", Role::Member).await;
        let (bia, _) = t.user("Bia Souza", Role::Member).await;
        let ana_writer = t.writer(ana.id).await;
        let retail = create(&t, &admin, at(5, 1), RecordType::COMPANY, json!({"name": "Mercado Sol", "industry": "Retail", "size_band": "11-50"})).await;
        let deal = |owner: &rapport_core::ids::UserId, extra: Value| {
            let mut input = json!({"owner_id": owner.to_string(), "currency": "BRL", "stage_id": stage("Qualification")});
            input.as_object_mut().expect("an object").extend(extra.as_object().expect("an object").clone());
            input
        };

        // Won in 9 days: 2 in qualification, 5 in needs analysis, 2 in proposal.
        let won = create(&t, &admin, at(6, 1), RecordType::DEAL, deal(&ana.id, json!({"name": "Frota", "amount_minor": 1_000_000, "company_id": retail.to_string(), "source_channel": "web"}))).await;
        update(&t, &admin, at(6, 3), won, json!({"stage_id": stage("Needs analysis")})).await;
        update(&t, &admin, at(6, 8), won, json!({"stage_id": stage("Proposal")})).await;
        update(&t, &admin, at(6, 10), won, json!({"stage_id": stage("Won")})).await;
        // Lost from qualification after 4 days, against a competitor.
        let lost = create(&t, &admin, at(6, 1), RecordType::DEAL, deal(&bia.id, json!({"name": "Lojas", "amount_minor": 400_000, "competitor": "Acme CRM", "source_channel": "referral"}))).await;
        update(&t, &admin, at(6, 5), lost, json!({"stage_id": stage("Lost"), "lost_reason": "Price"})).await;
        // Still in qualification.
        create(&t, &admin, at(6, 2), RecordType::DEAL, deal(&ana.id, json!({"name": "Aberto", "amount_minor": 50_000, "competitor": "acme crm"}))).await;
        // Outside the period, and one in the trash.
        create(&t, &admin, at(3, 1), RecordType::DEAL, deal(&ana.id, json!({"name": "Antigo", "amount_minor": 10}))).await;
        let trashed = create(&t, &admin, at(6, 4), RecordType::DEAL, deal(&bia.id, json!({"name": "Lixo", "amount_minor": 10}))).await;
        t.clock.set(at(6, 20));
        records::delete(&t.ctx, &admin, RecordType::DEAL, trashed, None).await.expect("trash");

        let query = SalesQuery { pipeline: None, from: day(2026, 5, 1), to: day(2026, 7, 1) };
        let everyone = analyse(&t.ctx, &admin, &query).await.expect("analyse");
        assert_eq!(everyone.created, 3);
        let reached: Vec<(Option<&str>, u64)> =
            everyone.funnel.iter().map(|s| (s.stage.as_deref(), s.reached)).collect();
        assert_eq!(
            reached,
            [(Some("Qualification"), 3), (Some("Needs analysis"), 1), (Some("Proposal"), 1), (Some("Negotiation"), 1), (None, 1)]
        );
        assert_eq!((everyone.won, everyone.lost, everyone.win_rate), (1, 1, Some(0.5)));
        assert_eq!(everyone.average_won_minor, Some(1_000_000));
        let cycle = everyone.won_cycle.as_ref().expect("a won cycle");
        // Won on the day it moved to the won stage (the hooks once dated it by the write before).
        let stored = records::get(&t.ctx, &admin, RecordType::DEAL, won).await.expect("get");
        assert_eq!(stored.fields["closed_at"], json!("2026-06-10T12:00:00.000000Z"));
        assert!((cycle.median_days - 9.0).abs() < 1e-9, "{cycle:?}");
        let qualification = &everyone.stage_times[0];
        assert_eq!(qualification.stage, "Qualification");
        let stays = qualification.durations.as_ref().expect("stays");
        assert_eq!((stays.count, stays.median_days), (2, 3.0));
        assert_eq!(qualification.open_now, 1);
        assert_eq!(qualification.longest_open_days, Some(18.0));
        let needs = everyone.stage_times[1].durations.as_ref().expect("stays");
        assert_eq!((needs.count, needs.mean_days), (1, 5.0));
        assert_eq!(everyone.lost_reasons.len(), 1);
        assert_eq!((everyone.lost_reasons[0].reason.as_deref(), everyone.lost_reasons[0].deals), (Some("Price"), 1));
        let acme = &everyone.competitors[0];
        assert_eq!((acme.competitor.as_str(), acme.deals, acme.lost, acme.open), ("Acme CRM", 2, 1, 1));
        let owners: Vec<(Option<&str>, u64, u64)> =
            everyone.by_owner.iter().map(|r| (r.key.as_deref(), r.won, r.lost)).collect();
        assert!(owners.contains(&(Some("Ana Lima"), 1, 0)) && owners.contains(&(Some("Bia Souza"), 0, 1)));
        assert_eq!(everyone.by_industry.iter().find(|r| r.key.as_deref() == Some("Retail")).map(|r| r.won), Some(1));
        // Two open deals in the pipeline now: the one in qualification and the old one.
        assert_eq!(everyone.open_deals, 2);
        let velocity = everyone.velocity.as_ref().expect("a velocity");
        assert_eq!(velocity.per_day_minor, (2.0 * 0.5 * 1_000_000.0 / 9.0_f64).round() as i64);
        assert!(everyone.forecast.is_some(), "administrators see forecast accuracy");

        // Ana sees only her deals: no lost deal, no forecast accuracy.
        let hers = analyse(&t.ctx, &ana_writer, &query).await.expect("analyse");
        assert_eq!((hers.created, hers.won, hers.lost), (2, 1, 0));
        assert!(hers.lost_reasons.is_empty());
        assert!(hers.forecast.is_none());

        // An empty period is figures of zero, never an error.
        let empty = analyse(&t.ctx, &admin, &SalesQuery { pipeline: None, from: day(2020, 1, 1), to: day(2020, 2, 1) })
            .await
            .expect("analyse");
        assert_eq!((empty.created, empty.win_rate, empty.velocity.is_some()), (0, None, false));
        // A backwards period is refused.
        let backwards = SalesQuery { pipeline: None, from: day(2026, 7, 1), to: day(2026, 5, 1) };
        assert!(analyse(&t.ctx, &admin, &backwards).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn team_performance_counts_each_persons_month_for_whoever_may_see_it() {
    run_on_both_backends("analytics_team", |t| async move {
        use rapport_core::forecast::{Period, PeriodKind};
        use rapport_db::analytics::team::performance;
        let (_, admin) = t.admin().await;
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let pipeline = pipelines::list(t.ctx.db.conn()).await.expect("pipelines").remove(0);
        let won_stage = pipeline.stages.iter().find(|s| s.is_won).expect("won").id.to_string();
        let team = rapport_db::users::create_team(&t.ctx, &as_admin(&admin), "Inside").await.expect("team");
        let (ana, _) = t.user("Ana Lima", Role::Member).await;
        let (bia, _) = t.user("Bia Souza", Role::Member).await;
        let (mario, _) = t.user("Mário Costa", Role::Manager).await;
        for user in [ana.id, bia.id, mario.id] {
            rapport_db::users::add_member(&t.ctx, &as_admin(&admin), team.id, user).await.expect("member");
        }
        let owned = |owner: &rapport_core::ids::UserId, fields: Value| {
            let mut input = json!({"owner_id": owner.to_string()});
            input.as_object_mut().expect("an object").extend(fields.as_object().expect("an object").clone());
            input
        };
        // Ana: a lead on 1 June at noon, first called four hours later; two calls and a done task.
        let lead = create(&t, &admin, at(6, 1), RecordType::LEAD, owned(&ana.id, json!({"first_name": "Rui", "last_name": "Mota", "email": "rui@mota.com.br"}))).await;
        t.clock.set(at(6, 1) + chrono::Duration::hours(4));
        records::create(&t.ctx, &admin, RecordType::ACTIVITY, &owned(&ana.id, json!({"kind": "call", "subject": "Primeiro contato", "related": [{"type": "lead", "id": lead.to_string()}]})))
            .await
            .expect("a call");
        create(&t, &admin, at(6, 2), RecordType::ACTIVITY, owned(&ana.id, json!({"kind": "call", "subject": "Retorno"}))).await;
        create(&t, &admin, at(6, 3), RecordType::ACTIVITY, owned(&ana.id, json!({"kind": "task", "subject": "Proposta", "done": true}))).await;
        // Ana wins a deal created 10 days before.
        let deal = create(&t, &admin, at(6, 5), RecordType::DEAL, owned(&ana.id, json!({"name": "Frota", "amount_minor": 300_000, "currency": "BRL"}))).await;
        update(&t, &admin, at(6, 15), deal, json!({"stage_id": won_stage})).await;
        // Bia: a task due on 10 June still open on the 20th; May's activity does not count.
        create(&t, &admin, at(6, 2), RecordType::ACTIVITY, owned(&bia.id, json!({"kind": "task", "subject": "Ligar", "due_at": "2026-06-10T12:00:00Z"}))).await;
        create(&t, &admin, at(5, 20), RecordType::ACTIVITY, owned(&bia.id, json!({"kind": "meeting", "subject": "Visita"}))).await;
        t.clock.set(at(6, 20));

        let june = Period::containing(PeriodKind::Month, day(2026, 6, 1));
        let manager = t.actor(mario.id).await;
        let report = performance(&t.ctx, &manager, june, None).await.expect("performance");
        let line = |id: rapport_core::ids::UserId| report.members.iter().find(|m| m.owner == id.0).expect("a line");
        let a = line(ana.id);
        assert_eq!(a.activities.get("call"), Some(&2));
        assert_eq!((a.tasks_done, a.overdue, a.new_leads, a.leads_not_contacted), (1, 0, 1, 0));
        assert_eq!(a.median_first_contact_hours, Some(4.0));
        assert_eq!((a.won, a.won_minor, a.win_rate), (1, 300_000, Some(1.0)));
        assert_eq!(a.average_cycle_days, Some(10.0));
        let b = line(bia.id);
        assert_eq!((b.activities.get("meeting"), b.overdue), (None, 1));
        assert!(report.members.iter().any(|m| m.owner == mario.id.0), "an idle member still has a line");

        // A member sees only their own line.
        let own = performance(&t.ctx, &t.actor(bia.id).await, june, None).await.expect("performance");
        assert_eq!(own.members.iter().map(|m| m.owner).collect::<Vec<_>>(), [bia.id.0]);
    })
    .await;
}

#[tokio::test]
async fn the_market_view_counts_what_the_actor_sees_and_grows_by_first_order() {
    run_on_both_backends("analytics_market", |t| async move {
        use rapport_db::analytics::market::view;
        let (_, admin) = t.admin().await;
        let mut config = settings::load(t.ctx.db.conn()).await.expect("settings");
        config.visibility.insert(RecordType::CONTACT, Visibility::Private);
        settings::save(&t.ctx, &as_admin(&admin), &config).await.expect("save settings");
        let (ana, _) = t.user("Ana Lima", Role::Member).await;
        let ana_writer = t.writer(ana.id).await;
        let sol = create(&t, &admin, at(1, 5), RecordType::COMPANY, json!({"name": "Sol", "industry": "Retail", "size_band": "11-50", "country": "BR", "state": "SP"})).await;
        let mar = create(&t, &admin, at(1, 5), RecordType::COMPANY, json!({"name": "Mar", "industry": "Health", "country": "MX"})).await;
        for (first, state, birth) in [("Rui", "SP", "1990-03-01"), ("Eva", "SP", "1960-01-01"), ("Ivo", "RJ", "")] {
            let mut input = json!({"first_name": first, "last_name": "Silva", "country": "BR", "state": state, "source_channel": "web"});
            if !birth.is_empty() {
                input["birth_date"] = json!(birth);
            }
            create(&t, &ana_writer, at(2, 1), RecordType::CONTACT, input).await;
        }
        create(&t, &admin, at(2, 1), RecordType::CONTACT, json!({"first_name": "Zé", "last_name": "Mora", "country": "MX"})).await;
        let order = |company: RecordId, day: &str| json!({"company_id": company.to_string(), "currency": "BRL", "ordered_at": format!("{day}T12:00:00Z"), "lines": [{"description": "Item", "quantity_milli": 1000, "unit_price_minor": 1000}]});
        create(&t, &admin, at(3, 1), RecordType::ORDER, order(sol, "2025-11-20")).await;
        create(&t, &admin, at(3, 1), RecordType::ORDER, order(sol, "2026-02-01")).await;
        create(&t, &admin, at(3, 1), RecordType::ORDER, order(mar, "2026-03-01")).await;
        t.clock.set(at(6, 1));

        let all = view(&t.ctx, &admin, day(2026, 6, 1)).await.expect("market");
        assert_eq!((all.contacts, all.companies, all.contacts_without_birth_date), (4, 2, 2));
        assert_eq!(all.brazil_states, vec![(Some("SP".to_owned()), 2), (Some("RJ".to_owned()), 1)]);
        assert_eq!(all.age_bands.iter().find(|b| b.0 == "35_44").map(|b| b.1), Some(1));
        assert_eq!(all.age_bands.iter().find(|b| b.0 == "65_plus").map(|b| b.1), Some(1));
        assert_eq!(all.countries[0], (Some("BR".to_owned()), 3));
        assert_eq!(all.growth_by_industry.quarters, ["2025-Q4", "2026-Q1"]);
        let retail = all.growth_by_industry.segments.iter().find(|s| s.0.as_deref() == Some("Retail")).expect("retail");
        assert_eq!(retail.1, [1, 0], "a customer counts once, in the quarter of its first order");
        assert!(all.growth_by_region.segments.iter().any(|s| s.0.as_deref() == Some("BR-SP")));

        // Ana's contacts are hers: the Mexican one is not counted for her.
        let hers = view(&t.ctx, &ana_writer, day(2026, 6, 1)).await.expect("market");
        assert_eq!(hers.contacts, 3);
        assert!(hers.countries.iter().all(|c| c.0.as_deref() == Some("BR")));
    })
    .await;
}

#[tokio::test]
async fn attribution_splits_each_won_deal_over_the_sources_that_touched_it() {
    run_on_both_backends("analytics_attribution", |t| async move {
        use rapport_db::analytics::attribution::{AttributionQuery, Dimension, attribute};
        let (_, admin) = t.admin().await;
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let pipeline = pipelines::list(t.ctx.db.conn()).await.expect("pipelines").remove(0);
        let won_stage = pipeline.stages.iter().find(|s| s.is_won).expect("won").id.to_string();
        let contact = create(&t, &admin, at(1, 10), RecordType::CONTACT, json!({"first_name": "Rui", "last_name": "Mota", "source_channel": "referral", "source_campaign": "Indique"})).await;
        let deal = create(&t, &admin, at(2, 1), RecordType::DEAL, json!({"name": "Frota", "amount_minor": 1_000, "currency": "BRL", "contact_id": contact.to_string(), "utm_source": "google", "source_channel": "web"})).await;
        update(&t, &admin, at(3, 1), deal, json!({"stage_id": won_stage})).await;
        let plain = create(&t, &admin, at(2, 2), RecordType::DEAL, json!({"name": "Sem origem", "amount_minor": 301, "currency": "BRL"})).await;
        update(&t, &admin, at(3, 2), plain, json!({"stage_id": won_stage})).await;
        let dollars = create(&t, &admin, at(2, 3), RecordType::DEAL, json!({"name": "Dólar", "amount_minor": 5, "currency": "USD"})).await;
        update(&t, &admin, at(3, 3), dollars, json!({"stage_id": won_stage})).await;

        let query = AttributionQuery { from: day(2026, 1, 1), to: day(2026, 4, 1), dimension: Dimension::Channel, with_activities: false };
        let result = attribute(&t.ctx, &admin, &query).await.expect("attribution");
        assert_eq!((result.deals, result.other_currency_deals, result.revenue_minor, result.without_touches), (2, 1, 1_301, 1));
        assert_eq!(result.models, ["first_touch", "last_touch", "linear", "u_shaped", "time_decay"]);
        let row = |source: Option<&str>| result.rows.iter().find(|r| r.source.as_deref() == source).expect("a row");
        // Contact first (referral), then the deal (its UTM source wins over its channel).
        assert_eq!(row(Some("referral")).revenue_minor[..3], [1_000, 0, 500]);
        assert_eq!(row(Some("google")).revenue_minor[..3], [0, 1_000, 500]);
        assert_eq!(row(None).revenue_minor, [301; 5]);
        for model in 0..5 {
            assert_eq!(result.rows.iter().map(|r| r.revenue_minor[model]).sum::<i64>(), 1_301, "every model credits all the revenue");
        }
        let campaigns = attribute(&t.ctx, &admin, &AttributionQuery { dimension: Dimension::Campaign, ..query }).await.expect("attribution");
        assert_eq!(campaigns.rows.iter().find(|r| r.source.as_deref() == Some("Indique")).map(|r| r.revenue_minor[0]), Some(1_000));
    })
    .await;
}

#[tokio::test]
async fn personas_group_the_refreshed_customers_and_a_persona_saves_as_a_segment() {
    run_on_both_backends("analytics_personas", |t| async move {
        use rapport_db::analytics::personas::{PersonaRequest, cluster, save_segment, saved_segment};
        let (_, admin) = t.admin().await;
        let features = |k: Option<usize>| PersonaRequest {
            features: vec!["purchases".into(), "total_minor".into(), "state".into()],
            k,
        };
        // Nothing refreshed yet: a clear field error, not a panic.
        let none = cluster(&t.ctx, &admin, &features(None)).await.expect_err("no customers");
        assert!(format!("{none:?}").contains("persona_no_customers"), "{none:?}");

        // Twelve small one-off buyers in RJ, twelve big frequent buyers in SP.
        let mut big = Vec::new();
        for i in 0..24 {
            let (state, orders, amount) = if i % 2 == 0 { ("RJ", 1, 1_000) } else { ("SP", 6, 90_000) };
            let company = create(&t, &admin, at(1, 2), RecordType::COMPANY, json!({"name": format!("Cliente {i}"), "country": "BR", "state": state})).await;
            if state == "SP" {
                big.push(company);
            }
            for n in 0..orders {
                let ordered = format!("2026-0{}-1{}T12:00:00Z", 1 + n % 5, i % 9);
                create(&t, &admin, at(6, 1), RecordType::ORDER, json!({"company_id": company.to_string(), "currency": "BRL", "ordered_at": ordered, "lines": [{"description": "Item", "quantity_milli": 1000, "unit_price_minor": amount + i}]})).await;
            }
        }
        t.clock.set(at(6, 20));
        rapport_db::analytics::customers::refresh(&t.ctx).await.expect("refresh");

        let found = cluster(&t.ctx, &admin, &features(Some(2))).await.expect("personas");
        assert_eq!((found.customers, found.k, found.clusters.len()), (24, 2, 2));
        assert_eq!(found.clusters.iter().map(|c| c.size).collect::<Vec<_>>(), [12, 12]);
        let spenders = found
            .clusters
            .iter()
            .position(|c| c.traits.iter().any(|t| matches!(t, rapport_analytics::personas::Trait::Number { key, level: rapport_analytics::personas::Level::High, .. } if key == "total_minor")))
            .expect("a high-spend persona");
        assert!(found.silhouette > 0.5, "well separated: {}", found.silhouette);
        let auto = cluster(&t.ctx, &admin, &features(None)).await.expect("personas");
        assert_eq!(auto.k, 2, "the silhouette finds the two groups");

        let id = save_segment(&t.ctx, &admin, &features(Some(2)), spenders, "Grandes de SP").await.expect("save");
        let segment = saved_segment(&t.ctx, &admin, id, 100).await.expect("segment");
        assert_eq!((segment.name.as_str(), segment.customers, segment.members.len()), ("Grandes de SP", 12, 12));
        let mut ids: Vec<_> = segment.members.iter().map(|m| m.1).collect();
        ids.sort();
        let mut expected: Vec<_> = big.iter().map(|r| r.0).collect();
        expected.sort();
        assert_eq!(ids, expected);

        // Bad asks are field errors.
        let too_many = cluster(&t.ctx, &admin, &features(Some(30))).await.expect_err("k over the customers");
        assert!(format!("{too_many:?}").contains("persona_k_over_customers"), "{too_many:?}");
        let unknown = cluster(&t.ctx, &admin, &PersonaRequest { features: vec!["shoe_size".into()], k: None }).await.expect_err("unknown");
        assert!(format!("{unknown:?}").contains("unknown_field"));
        let blank = save_segment(&t.ctx, &admin, &features(Some(2)), 0, "  ").await.expect_err("a name");
        assert!(format!("{blank:?}").contains("required"));
    })
    .await;
}
