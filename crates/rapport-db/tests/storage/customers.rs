//! Customer analytics: purchases grouped per customer, RFM segments,
//! lifetime value and cohorts, stored by the refresh and read back with
//! the lists' visibility, on both backends.

use chrono::{DateTime, TimeZone, Utc};
use rapport_analytics::rfm::Segment;
use rapport_core::access::{Role, Visibility, Writer};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_db::analytics::customers::{self, ClvOutcome, CustomerType};
use rapport_db::{records, settings};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use serde_json::{Value, json};

use crate::common::{TestCtx, as_admin, run_on_both_backends};

fn at(m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, 15, 0, 0).single().expect("a time")
}

/// An order of one line worth `amount` for a customer, placed at `when`.
async fn order(
    t: &TestCtx,
    by: &Writer,
    customer: &[(&str, RecordId)],
    when: DateTime<Utc>,
    amount: i64,
    currency: &str,
    extra: Value,
) -> RecordId {
    let mut input = json!({
        "currency": currency,
        "ordered_at": when.to_rfc3339(),
        "lines": [{"description": "Item", "quantity_milli": 1000, "unit_price_minor": amount}],
    });
    for (field, id) in customer {
        input[*field] = json!(id.0);
    }
    input.as_object_mut().expect("an object").extend(extra.as_object().expect("an object").clone());
    records::create(&t.ctx, by, RecordType::ORDER, &input).await.expect("create an order").id
}

#[tokio::test]
async fn customers_get_segments_and_cohorts_and_the_lists_respect_visibility() {
    run_on_both_backends("customer_analytics", |t| async move {
        let (_, admin) = t.admin().await;
        let mut config = settings::load(t.ctx.db.conn()).await.expect("settings");
        config.visibility.insert(RecordType::COMPANY, Visibility::Private);
        config.visibility.insert(RecordType::CONTACT, Visibility::Private);
        settings::save(&t.ctx, &as_admin(&admin), &config).await.expect("save settings");
        let (ana, ana_actor) = t.user("Ana Lima", Role::Member).await;

        assert_eq!(customers::stored(&t.ctx).await.expect("read"), None, "nothing stored before the first refresh");

        let acme =
            records::create(&t.ctx, &admin, RecordType::COMPANY, &json!({"name": "Acme"})).await.expect("company").id;
        let buyer = t.contact(&admin, json!({"first_name": "Rui", "company_id": acme.0})).await;
        let bia =
            t.contact(&admin, json!({"first_name": "Bia", "last_name": "Souza", "owner_id": ana.id.to_string()})).await;
        let caio = t.contact(&admin, json!({"first_name": "Caio"})).await;

        // Acme (through its contact): January, March and June; the June order
        // was paid and partly refunded, so it counts 300 − 100.
        let with_company = [("company_id", acme), ("contact_id", buyer)];
        order(&t, &admin, &with_company, at(1, 10), 10_000, "BRL", json!({})).await;
        order(&t, &admin, &with_company, at(3, 5), 20_000, "BRL", json!({})).await;
        let refunded = order(&t, &admin, &with_company, at(6, 1), 30_000, "BRL", json!({"paid_minor": 30_000})).await;
        // Refunds come from approved returns; set the outcome directly.
        let refund = Query::update()
            .table(Alias::new("orders"))
            .value(Alias::new("refunded_minor"), 10_000i64)
            .and_where(Expr::col(Alias::new("id")).eq(refunded.0))
            .to_owned();
        t.ctx.db.conn().execute(&refund).await.expect("record a refund");
        // Bia, a contact without company: one order in February.
        order(&t, &admin, &[("contact_id", bia)], at(2, 20), 5_000, "BRL", json!({})).await;
        // Caio: a cancelled order and one in dollars; neither counts.
        let cancelled = order(&t, &admin, &[("contact_id", caio)], at(3, 15), 99_000, "BRL", json!({})).await;
        records::update(&t.ctx, &admin, RecordType::ORDER, cancelled, &json!({"status": "cancelled"}), None)
            .await
            .expect("cancel");
        order(&t, &admin, &[("contact_id", caio)], at(4, 1), 7_000, "USD", json!({})).await;
        // A purchase that names no customer.
        order(&t, &admin, &[], at(4, 2), 1_000, "BRL", json!({})).await;
        // In the trash: does not count either.
        let trashed = order(&t, &admin, &[("contact_id", bia)], at(5, 2), 8_000, "BRL", json!({})).await;
        records::delete(&t.ctx, &admin, RecordType::ORDER, trashed, None).await.expect("trash");

        t.clock.set(at(6, 15));
        let report = customers::refresh(&t.ctx).await.expect("refresh");
        assert_eq!(report.customers, 2);
        assert_eq!(report.clv_error.as_deref(), Some("not_enough_data"));

        let stored = customers::stored(&t.ctx).await.expect("read").expect("stored");
        assert_eq!((stored.customers, stored.purchases, stored.revenue_minor), (2, 4, 55_000));
        assert_eq!(stored.currency, "BRL");
        assert_eq!(stored.as_of, at(6, 15).date_naive());
        assert_eq!((stored.repeat_customers, stored.repeat_purchase_rate), (1, Some(0.5)));
        assert_eq!(stored.left_out.other_currencies, [("USD".to_owned(), 1)]);
        assert_eq!((stored.left_out.other_currency_orders, stored.left_out.orders_without_customer), (1, 1));
        assert_eq!(stored.clv, ClvOutcome::Failed { code: "not_enough_data".into() });

        // Two customers: Acme's later, more frequent, bigger purchases score
        // 4 on each measure (mid-rank 3/4), Bia's 2 (1/4): loyal and hibernating.
        let count = |segment: Segment| stored.segments.iter().find(|s| s.segment == segment).map(|s| s.customers);
        assert_eq!(count(Segment::Loyal), Some(1));
        assert_eq!(count(Segment::Hibernating), Some(1));
        assert_eq!(stored.segments.iter().map(|s| s.customers).sum::<u64>(), 2);
        let loyal = stored.segments.iter().find(|s| s.segment == Segment::Loyal).expect("loyal");
        assert_eq!((loyal.total_minor, loyal.average_purchases, loyal.average_recency_days), (50_000, 3.0, 14.0));

        // Cohorts: Acme's January (bought in months 0, 2 and 5), Bia's February.
        let cohorts = &stored.cohorts.cohorts;
        assert_eq!(cohorts.len(), 2);
        let bought: Vec<u32> = cohorts[0].months.iter().map(|m| m.customers).collect();
        assert_eq!((cohorts[0].cohort_month, cohorts[0].size, bought), ((2026 - 1970) * 12, 1, vec![1, 0, 1, 0, 0, 1]));
        assert_eq!(cohorts[0].months[5].revenue_minor, 20_000);
        assert_eq!((cohorts[1].cohort_month, cohorts[1].months.len()), ((2026 - 1970) * 12 + 1, 5));

        // The admin sees Acme among the loyal customers, with its figures.
        let page = customers::segment_customers(&t.ctx, admin.actor(), Segment::Loyal, None, 50).await.expect("list");
        assert_eq!(page.items.len(), 1);
        let line = &page.items[0];
        assert_eq!((line.customer_type, line.customer_id, line.name.as_str()), (CustomerType::Company, acme.0, "Acme"));
        assert_eq!(
            (line.recency, line.frequency, line.monetary, line.purchases, line.total_minor),
            (4, 4, 4, 3, 50_000)
        );
        assert_eq!((line.first_purchase, line.last_purchase), (at(1, 10).date_naive(), at(6, 1).date_naive()));
        assert_eq!((line.clv_12m_minor, line.p_alive), (None, None));
        assert_eq!(page.next_cursor, None);
        // Ana sees only her own contact: Bia, not Acme.
        let hers =
            customers::segment_customers(&t.ctx, &ana_actor, Segment::Hibernating, None, 50).await.expect("list");
        assert_eq!(hers.items.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Bia Souza"]);
        let none = customers::segment_customers(&t.ctx, &ana_actor, Segment::Loyal, None, 50).await.expect("list");
        assert!(none.items.is_empty());
        assert_eq!(t.count("customer_metrics").await, 2);

        // A second refresh replaces the rows rather than adding to them.
        customers::refresh(&t.ctx).await.expect("refresh again");
        assert_eq!(t.count("customer_metrics").await, 2);
    })
    .await;
}

#[tokio::test]
async fn lifetime_value_is_fitted_with_enough_repeat_customers_and_lists_page_by_value() {
    run_on_both_backends("customer_clv", |t| async move {
        let (_, admin) = t.admin().await;
        // 30 customers with 1 to 5 purchases spread over the half year.
        for i in 0..30u32 {
            let contact = t.contact(&admin, json!({"first_name": format!("Cliente {i:02}")})).await;
            let purchases = 1 + i % 5;
            for k in 0..purchases {
                let month = 1 + (i + 2 * k) % 6;
                let day = 1 + (i * 7 + k * 3) % 27;
                let amount = 2_000 + i64::from(i) * 300 + i64::from(k) * 450;
                order(&t, &admin, &[("contact_id", contact)], at(month, day), amount, "BRL", json!({})).await;
            }
        }
        t.clock.set(at(7, 1));
        let report = customers::refresh(&t.ctx).await.expect("refresh");
        assert_eq!((report.customers, report.clv_error), (30, None));
        let stored = customers::stored(&t.ctx).await.expect("read").expect("stored");
        let ClvOutcome::Fitted { share_alive, purchases_per_year, average_clv_minor, total_clv_minor, .. } = stored.clv
        else {
            panic!("a fitted model: {:?}", stored.clv)
        };
        let share_alive = share_alive.expect("a share alive");
        assert!((0.0..=1.0).contains(&share_alive), "{share_alive}");
        assert!(purchases_per_year.is_some_and(|p| p > 0.0 && p.is_finite()));
        assert_eq!(average_clv_minor, Some(total_clv_minor / 30));

        let top = customers::top_by_clv(&t.ctx, admin.actor(), 5).await.expect("top");
        assert_eq!(top.len(), 5);
        assert!(top.windows(2).all(|w| w[0].clv_12m_minor >= w[1].clv_12m_minor));
        assert!(top.iter().all(|l| l.p_alive.is_some_and(|p| (0.0..=1.0).contains(&p)) && l.clv_12m_minor.is_some()));

        // Every segment's list, a page of 2 at a time, gives each customer once.
        let mut seen = Vec::new();
        for segment in Segment::ALL {
            let mut cursor: Option<String> = None;
            loop {
                let page = customers::segment_customers(&t.ctx, admin.actor(), segment, cursor.as_deref(), 2)
                    .await
                    .expect("page");
                assert!(page.items.len() <= 2);
                assert!(page.items.windows(2).all(|w| w[0].total_minor >= w[1].total_minor));
                seen.extend(page.items.iter().map(|l| (l.customer_id, l.segment)));
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        assert_eq!(seen.len(), 30);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 30);
        for segment in Segment::ALL {
            let listed = seen.iter().filter(|(_, s)| *s == Some(segment)).count() as u64;
            let summary = stored.segments.iter().find(|s| s.segment == segment).map_or(0, |s| s.customers);
            assert_eq!(listed, summary, "{segment:?}");
        }
    })
    .await;
}

/// Every customer the admin sees in the segment lists: (id, total, segment).
async fn listed(t: &TestCtx, actor: &rapport_core::access::Actor) -> Vec<(uuid::Uuid, i64, Option<Segment>)> {
    let mut out = Vec::new();
    for segment in Segment::ALL {
        let page = customers::segment_customers(&t.ctx, actor, segment, None, 1000).await.expect("list");
        out.extend(page.items.iter().map(|l| (l.customer_id, l.total_minor, l.segment)));
    }
    out.sort();
    out
}

#[tokio::test]
async fn readers_see_the_old_result_or_the_new_never_a_mix_and_a_stopped_refresh_is_cleaned_up() {
    use rapport_db::analytics::customers::StoreOptions;
    run_on_both_backends("customer_generations", |t| async move {
        let (_, admin) = t.admin().await;
        let mut contacts = Vec::new();
        for i in 0..7u32 {
            let contact = t.contact(&admin, json!({"first_name": format!("Cliente {i}")})).await;
            for k in 0..=(i % 3) {
                let amount = 1_000 + i64::from(i) * 700 + i64::from(k) * 90;
                order(&t, &admin, &[("contact_id", contact)], at(1 + k, 1 + i), amount, "BRL", json!({})).await;
            }
            contacts.push(contact);
        }
        t.clock.set(at(6, 1));
        customers::refresh(&t.ctx).await.expect("first refresh");
        let old = listed(&t, admin.actor()).await;
        assert_eq!(old.len(), 7);
        let old_summary = customers::stored(&t.ctx).await.expect("read").expect("stored");

        // Every customer buys again, so that each one's total differs between the results.
        for (i, contact) in contacts.iter().enumerate() {
            order(&t, &admin, &[("contact_id", *contact)], at(5, 20), 50_000 + i as i64, "BRL", json!({})).await;
        }

        // A refresh that stops after two transactions of two rows: four new
        // rows stored beside the old seven, the old result still the one read.
        let stopped = StoreOptions { rows_per_transaction: 2, fail_after_transactions: Some(2) };
        customers::refresh_with(&t.ctx, &stopped).await.expect_err("stopped midway");
        assert_eq!(t.count("customer_metrics").await, 7 + 4);
        assert_eq!(listed(&t, admin.actor()).await, old);
        assert_eq!(customers::stored(&t.ctx).await.expect("read").expect("stored"), old_summary);
        let top = customers::top_by_clv(&t.ctx, admin.actor(), 100).await.expect("top");
        assert!(top.iter().all(|l| old.contains(&(l.customer_id, l.total_minor, l.segment))));

        // Its lease holds for a while: a refresh at once is refused and changes nothing...
        customers::refresh(&t.ctx).await.expect_err("the stopped refresh's lease still holds");
        assert_eq!(listed(&t, admin.actor()).await, old);
        // ...and after it, the next refresh deletes the stopped one's rows.
        t.clock.advance(chrono::Duration::minutes(3));
        let small = StoreOptions { rows_per_transaction: 2, fail_after_transactions: None };
        let report = customers::refresh_with(&t.ctx, &small).await.expect("refresh after the stop");
        assert!(report.write_transactions >= 4 + 4, "{report:?}");
        let new = listed(&t, admin.actor()).await;
        assert_eq!(new.len(), 7);
        assert_eq!(t.count("customer_metrics").await, 7, "only the current generation is left");
        for ((id, old_total, _), (new_id, new_total, _)) in old.iter().zip(&new) {
            assert_eq!(id, new_id);
            assert!(new_total - old_total >= 50_000, "{old_total} → {new_total}");
        }

        // Readers running beside a refresh of one row a transaction read one
        // result or the other in every statement, never rows of both.
        for (i, contact) in contacts.iter().enumerate() {
            order(&t, &admin, &[("contact_id", *contact)], at(5, 25), 3_000 + i as i64, "BRL", json!({})).await;
        }
        let ctx = t.ctx.clone();
        let one_row = StoreOptions { rows_per_transaction: 1, fail_after_transactions: None };
        let refresh = tokio::spawn(async move { customers::refresh_with(&ctx, &one_row).await });
        let (mut reads, mut saw_old, mut saw_new) = (0, false, false);
        while !refresh.is_finished() || reads == 0 {
            for segment in Segment::ALL {
                let page =
                    customers::segment_customers(&t.ctx, admin.actor(), segment, None, 1000).await.expect("list");
                let lines: Vec<_> = page.items.iter().map(|l| (l.customer_id, l.total_minor, l.segment)).collect();
                let from_old = lines.iter().all(|l| new.contains(l));
                saw_old |= from_old && !lines.is_empty();
                saw_new |= !from_old;
                assert!(from_old || lines.iter().all(|l| !new.contains(l)), "a mix: {lines:?}");
                reads += 1;
            }
            tokio::task::yield_now().await;
        }
        refresh.await.expect("the refresh task").expect("refresh beside readers");
        let newest = listed(&t, admin.actor()).await;
        assert!(newest.iter().all(|l| !new.contains(l)));
        assert_eq!((newest.len(), t.count("customer_metrics").await), (7, 7));
        assert!(saw_old || saw_new, "{reads} reads");
    })
    .await;
}
