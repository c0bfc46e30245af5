//! Orders, returns, the automatic return rules and the customer's secret
//! link, on both backends.

use chrono::Duration;
use rapport_core::DomainError;
use rapport_core::access::Role;
use rapport_core::ids::RecordId;
use rapport_core::returns::RuleCondition;
use rapport_core::schema::RecordType;
use rapport_db::Error;
use rapport_db::public_links::{self, Refusal};
use rapport_db::records::{self, ReturnDecision, ReturnInput, ReturnItem};
use serde_json::{Value, json};

use crate::common::{TestCtx, as_admin, run_on_both_backends, validation_fields};

/// Two chairs at 100,00 and a desk at 500,00, 10 % tax on the desk: 770,00.
fn order_input() -> Value {
    json!({
        "currency": "BRL",
        "lines": [
            {"description": "Chair", "quantity_milli": 2000, "unit_price_minor": 10_000},
            {"description": "Desk", "quantity_milli": 1000, "unit_price_minor": 50_000, "tax_rate_bp": 1000},
        ],
        "promised_delivery_date": "2026-03-05",
    })
}

async fn new_order(t: &TestCtx, writer: &rapport_core::access::Writer) -> records::Record {
    records::create(&t.ctx, writer, RecordType::ORDER, &order_input()).await.expect("create an order")
}

fn figure(record: &records::Record, key: &str) -> i64 {
    record.fields[key].as_i64().unwrap_or_else(|| panic!("{key} is a number: {:?}", record.fields[key]))
}

fn codes(result: Result<impl std::fmt::Debug, Error>) -> Vec<(String, String)> {
    match result {
        Err(Error::Domain(DomainError::Validation(errors))) => {
            errors.0.into_iter().map(|e| (e.field, e.code)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn chair_return(quantity_milli: i64, outcome: &str, refund_minor: Option<i64>) -> ReturnInput {
    ReturnInput {
        items: vec![ReturnItem { line: 0, quantity_milli }],
        reason: "damaged".into(),
        reason_detail: Some("The leg broke".into()),
        desired_outcome: outcome.into(),
        refund_minor,
    }
}

#[tokio::test]
async fn orders_are_numbered_totalled_and_move_only_forward() {
    run_on_both_backends("order lifecycle", |t| async move {
        let (_, admin) = t.admin().await;
        let order = new_order(&t, &admin).await;
        assert_eq!(order.fields["number"], json!("O-2026-0001"));
        assert_eq!((figure(&order, "subtotal_minor"), figure(&order, "tax_minor")), (70_000, 5_000));
        assert_eq!(figure(&order, "total_minor"), 75_000);
        assert_eq!(order.fields["status"], json!("pending"));
        assert_eq!(order.fields["payment_status"], json!("unpaid"));
        assert_eq!(new_order(&t, &admin).await.fields["number"], json!("O-2026-0002"));

        // The number and the figures are the system's.
        let forged = json!({"currency": "BRL", "number": "X-1"});
        assert_eq!(
            codes(records::create(&t.ctx, &admin, RecordType::ORDER, &forged).await),
            [("number".to_owned(), "derived_field".to_owned())]
        );

        let id = order.id;
        let update = |status: &'static str| {
            let (ctx, admin) = (t.ctx.clone(), admin.clone());
            async move { records::update(&ctx, &admin, RecordType::ORDER, id, &json!({"status": status}), None).await }
        };
        assert_eq!(codes(update("delivered").await), [("status".to_owned(), "invalid_transition".to_owned())]);
        assert_eq!(
            codes(update("invoiced").await),
            [("invoice_number".to_owned(), "invoice_number_required".to_owned())]
        );
        update("confirmed").await.expect("pending → confirmed");
        update("shipped").await.expect("confirmed → shipped");
        assert_eq!(codes(update("cancelled").await), [("status".to_owned(), "invalid_transition".to_owned())]);
        let delivered = update("delivered").await.expect("shipped → delivered");
        assert_eq!(delivered.fields["delivered_on"], json!("2026-03-02"));
        assert_eq!(codes(update("pending").await), [("status".to_owned(), "invalid_transition".to_owned())]);
    })
    .await;
}

#[tokio::test]
async fn payment_status_follows_payments_and_never_exceeds_the_total() {
    run_on_both_backends("order payments", |t| async move {
        let (_, admin) = t.admin().await;
        let order = new_order(&t, &admin).await;
        let paid = records::record_payment(&t.ctx, &admin, order.id, 30_000, None).await.expect("a first payment");
        assert_eq!(
            (figure(&paid, "paid_minor"), paid.fields["payment_status"].clone()),
            (30_000, json!("partially_paid"))
        );
        let too_much = records::record_payment(&t.ctx, &admin, order.id, 45_001, None).await;
        assert_eq!(codes(too_much), [("amount_minor".to_owned(), "exceeds_total".to_owned())]);
        let stored = records::get(&t.ctx, &admin, RecordType::ORDER, order.id).await.expect("the order");
        assert_eq!(figure(&stored, "paid_minor"), 30_000, "a refused payment changes nothing");
        let paid = records::record_payment(&t.ctx, &admin, order.id, 45_000, None).await.expect("the rest");
        assert_eq!(paid.fields["payment_status"], json!("paid"));
        assert_eq!(
            validation_fields(records::record_payment(&t.ctx, &admin, order.id, 0, None).await),
            ["amount_minor"]
        );
    })
    .await;
}

#[tokio::test]
async fn returns_stay_within_the_order_and_refunds_within_what_was_paid() {
    run_on_both_backends("return limits", |t| async move {
        let (_, admin) = t.admin().await;
        let order = new_order(&t, &admin).await;
        records::record_payment(&t.ctx, &admin, order.id, 75_000, None).await.expect("paid in full");

        let three_chairs = records::request_return(&t.ctx, &admin, order.id, &chair_return(3000, "refund", None)).await;
        assert_eq!(codes(three_chairs), [("items[0].quantity_milli".to_owned(), "exceeds_returnable".to_owned())]);
        let first = records::request_return(&t.ctx, &admin, order.id, &chair_return(1000, "refund", None))
            .await
            .expect("one chair back");
        assert_eq!(first.fields["number"], json!("R-2026-0001"));
        assert_eq!(first.fields["status"], json!("requested"));
        assert_eq!(figure(&first, "refund_minor"), 10_000, "the chair's value by default");
        let two_more = records::request_return(&t.ctx, &admin, order.id, &chair_return(2000, "exchange", None)).await;
        assert_eq!(codes(two_more), [("items[0].quantity_milli".to_owned(), "exceeds_returnable".to_owned())]);

        // A refund above what was paid: refused, nothing changed.
        let greedy = ReturnDecision::Refund { refund_minor: Some(75_001) };
        let refused = records::decide_return(&t.ctx, &admin, first.id, &greedy, None).await;
        assert!(
            matches!(&refused, Err(Error::Domain(DomainError::Validation(e))) if e.0[0].code == "invalid_transition")
        );
        records::decide_return(
            &t.ctx,
            &admin,
            first.id,
            &ReturnDecision::Approve { refund_minor: None, note: None },
            None,
        )
        .await
        .expect("approved");
        let refused = records::decide_return(&t.ctx, &admin, first.id, &greedy, None).await;
        assert_eq!(codes(refused), [("refund_minor".to_owned(), "exceeds_paid".to_owned())]);
        let unchanged = records::get(&t.ctx, &admin, RecordType::RETURN, first.id).await.expect("the return");
        assert_eq!(unchanged.fields["status"], json!("approved"));

        let refunded =
            records::decide_return(&t.ctx, &admin, first.id, &ReturnDecision::Refund { refund_minor: None }, None)
                .await
                .expect("refunded");
        assert!(refunded.fields["refunded_at"].is_string());
        let order_now = records::get(&t.ctx, &admin, RecordType::ORDER, order.id).await.expect("the order");
        assert_eq!(figure(&order_now, "refunded_minor"), 10_000);
        assert_eq!(order_now.fields["payment_status"], json!("paid"));

        // The desk: what is left to refund is 65 000, not its 55 000 plus more.
        let desk = ReturnInput {
            items: vec![ReturnItem { line: 1, quantity_milli: 1000 }],
            reason: "not_as_described".into(),
            reason_detail: None,
            desired_outcome: "refund".into(),
            refund_minor: Some(65_001),
        };
        let over = records::request_return(&t.ctx, &admin, order.id, &desk).await;
        assert_eq!(codes(over), [("refund_minor".to_owned(), "exceeds_paid".to_owned())]);
        let desk = ReturnInput { refund_minor: Some(65_000), ..desk };
        let desk = records::request_return(&t.ctx, &admin, order.id, &desk).await.expect("the desk back");
        for decision in [
            ReturnDecision::Approve { refund_minor: None, note: None },
            ReturnDecision::Receive,
            ReturnDecision::Refund { refund_minor: None },
        ] {
            records::decide_return(&t.ctx, &admin, desk.id, &decision, None).await.expect("the desk's refund");
        }
        let order_now = records::get(&t.ctx, &admin, RecordType::ORDER, order.id).await.expect("the order");
        assert_eq!(figure(&order_now, "refunded_minor"), 75_000);
        assert_eq!(order_now.fields["payment_status"], json!("refunded"));
    })
    .await;
}

#[tokio::test]
async fn only_managers_approve_returns() {
    run_on_both_backends("return approval rights", |t| async move {
        let (_, admin) = t.admin().await;
        let (member, _) = t.user("Member", Role::Member).await;
        let member = t.writer(member.id).await;
        let order = records::create(&t.ctx, &member, RecordType::ORDER, &order_input()).await.expect("an order");
        let request = records::request_return(&t.ctx, &member, order.id, &chair_return(1000, "exchange", None))
            .await
            .expect("members ask");
        let approve = ReturnDecision::Approve { refund_minor: None, note: None };
        let refused = records::decide_return(&t.ctx, &member, request.id, &approve, None).await;
        assert!(matches!(refused, Err(Error::Domain(DomainError::Forbidden(_)))), "{refused:?}");
        // Nor through the generic update.
        let patched =
            records::update(&t.ctx, &member, RecordType::RETURN, request.id, &json!({"status": "approved"}), None)
                .await;
        assert!(matches!(patched, Err(Error::Domain(DomainError::Forbidden(_)))), "{patched:?}");
        let approved = records::decide_return(&t.ctx, &admin, request.id, &approve, None).await.expect("a manager may");
        assert_eq!(approved.fields["status"], json!("approved"));
    })
    .await;
}

#[tokio::test]
async fn a_late_order_gets_its_refund_approved_by_the_rule_and_the_audit_names_it() {
    run_on_both_backends("return rules", |t| async move {
        let (_, admin) = t.admin().await;
        let rule = rapport_db::return_rules::create(
            &t.ctx,
            &as_admin(&admin),
            &RuleCondition::NotDeliveredAfterPromise { days: 3 },
        )
        .await
        .expect("a rule");
        let order = new_order(&t, &admin).await; // promised for 2026-03-05; the clock says 2026-03-02
        records::record_payment(&t.ctx, &admin, order.id, 75_000, None).await.expect("paid");

        let early = records::request_return(&t.ctx, &admin, order.id, &chair_return(1000, "refund", None))
            .await
            .expect("a request");
        assert_eq!(early.fields["status"], json!("requested"), "not late yet");

        // Three days after the promise, the daily job approves it.
        t.clock.advance(Duration::days(6));
        rapport_db::return_rules::request_daily_run(&t.ctx, "2026-03-08").await.expect("queue the daily run");
        rapport_db::return_rules::request_daily_run(&t.ctx, "2026-03-08").await.expect("queued once a day");
        rapport_db::notifications::run_due_jobs(&t.ctx, 10).await.expect("run the jobs");
        let decided = records::get(&t.ctx, &admin, RecordType::RETURN, early.id).await.expect("the request");
        assert_eq!(decided.fields["status"], json!("approved"));
        let named = decided.fields["decided_by_rule"].as_str().expect("the rule is named").to_owned();
        assert!(named.starts_with(&rule.id.to_string()) && named.contains("3 days"), "{named}");

        // A new request is decided as it is made.
        let now = records::request_return(&t.ctx, &admin, order.id, &chair_return(1000, "refund", None))
            .await
            .expect("a second request");
        assert_eq!(now.fields["status"], json!("approved"));

        // The audit log keeps each decision with the rule, made by no user.
        for id in [early.id, now.id] {
            let audit = rapport_db::audit::for_record(t.ctx.db.conn(), id, None, 10).await.expect("audit log");
            let decision = audit.iter().find(|e| e.action.as_str() == "update").expect("the decision is audited");
            assert_eq!(decision.actor_id, None);
            let changes = decision.changes.as_array().expect("the changes");
            let rule_change = changes.iter().find(|c| c["field"] == "decided_by_rule").expect("the rule");
            assert_eq!(rule_change["new"], json!(named));
        }
        // Exchanges are for people to decide.
        let order = new_order(&t, &admin).await;
        let exchange = records::request_return(&t.ctx, &admin, order.id, &chair_return(1000, "exchange", None))
            .await
            .expect("an exchange");
        assert_eq!(exchange.fields["status"], json!("requested"));
    })
    .await;
}

#[tokio::test]
async fn a_secret_link_opens_its_order_until_it_expires_or_is_revoked() {
    run_on_both_backends("public links", |t| async move {
        let (_, admin) = t.admin().await;
        let order = new_order(&t, &admin).await;
        let purpose = public_links::ORDER_STATUS;
        let (link, token) =
            public_links::create(&t.ctx, &admin, RecordType::ORDER, order.id, purpose, Some(2)).await.expect("a link");
        assert_eq!(link.record_id, order.id.0);
        assert_eq!(t.count_where("public_links", "token_hash", token.clone()).await, 0, "only its hash is kept");
        let opened = public_links::resolve(&t.ctx, &token, purpose).await.expect("resolve").expect("a valid link");
        assert_eq!(opened.id, link.id);
        assert_eq!(public_links::resolve(&t.ctx, "wrong", purpose).await.expect("resolve"), Err(Refusal::Unknown));
        assert_eq!(
            public_links::resolve(&t.ctx, &token, "quote_accept").await.expect("resolve"),
            Err(Refusal::Unknown)
        );

        // The customer asks through the link, in the name of who shared it.
        let sharer = public_links::acting_user(&t.ctx, &opened).await.expect("load").expect("the sharer writes");
        let asked =
            records::request_return_by_customer(&t.ctx, &sharer, order.id, &chair_return(1000, "exchange", None))
                .await
                .expect("the customer's request");
        assert_eq!(asked.fields["requested_by_customer"], json!(true));
        let (shown, returns) =
            records::order_for_customer(&t.ctx, RecordId(opened.record_id)).await.expect("read").expect("the order");
        assert_eq!((shown.id, returns.len()), (order.id, 1));

        t.clock.advance(Duration::days(2));
        assert_eq!(public_links::resolve(&t.ctx, &token, purpose).await.expect("resolve"), Err(Refusal::Expired));

        let (_, second) =
            public_links::create(&t.ctx, &admin, RecordType::ORDER, order.id, purpose, None).await.expect("a new link");
        let (_, third) =
            public_links::create(&t.ctx, &admin, RecordType::ORDER, order.id, purpose, None).await.expect("another");
        assert_eq!(public_links::resolve(&t.ctx, &second, purpose).await.expect("resolve"), Err(Refusal::Revoked));
        public_links::revoke(&t.ctx, &admin, RecordType::ORDER, order.id, purpose).await.expect("revoke");
        assert_eq!(public_links::resolve(&t.ctx, &third, purpose).await.expect("resolve"), Err(Refusal::Revoked));
        let latest = public_links::latest(&t.ctx, &admin, RecordType::ORDER, order.id, purpose).await.expect("read");
        assert!(latest.expect("the newest link").revoked_at.is_some());
        let too_long = public_links::create(&t.ctx, &admin, RecordType::ORDER, order.id, purpose, Some(366)).await;
        assert_eq!(validation_fields(too_long), ["valid_for_days"]);
    })
    .await;
}

#[tokio::test]
async fn twenty_concurrent_orders_get_twenty_consecutive_numbers() {
    run_on_both_backends("gapless numbering", |t| async move {
        let (_, admin) = t.admin().await;
        // A refused order takes no number.
        let invalid = json!({"currency": "BRL", "paid_minor": 1});
        assert_eq!(
            validation_fields(records::create(&t.ctx, &admin, RecordType::ORDER, &invalid).await),
            ["paid_minor"]
        );
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (ctx, admin) = (t.ctx.clone(), admin.clone());
            tasks.push(tokio::spawn(async move {
                records::create(&ctx, &admin, RecordType::ORDER, &order_input()).await.expect("create an order")
            }));
        }
        let mut numbers = Vec::new();
        for task in tasks {
            numbers.push(task.await.expect("the task ran").fields["number"].as_str().expect("a number").to_owned());
        }
        numbers.sort();
        let expected: Vec<String> = (1..=20).map(|n| format!("O-2026-{n:04}")).collect();
        assert_eq!(numbers, expected);
    })
    .await;
}

#[tokio::test]
async fn purchases_show_on_the_customers_page_and_timeline() {
    run_on_both_backends("purchases", |t| async move {
        let (_, admin) = t.admin().await;
        let contact = t.contact(&admin, json!({"first_name": "Ana"})).await;
        let company =
            records::create(&t.ctx, &admin, RecordType::COMPANY, &json!({"name": "Acme"})).await.expect("a company");
        for currency in ["BRL", "BRL", "USD"] {
            let mut input = order_input();
            input["currency"] = json!(currency);
            input["contact_id"] = json!(contact.0);
            input["company_id"] = json!(company.id.0);
            records::create(&t.ctx, &admin, RecordType::ORDER, &input).await.expect("an order");
            t.clock.advance(Duration::minutes(1));
        }
        let summary = records::purchases(&t.ctx, &admin, RecordType::CONTACT, contact).await.expect("purchases");
        assert_eq!(summary.count, 3);
        assert_eq!(summary.totals.get("BRL"), Some(&150_000));
        assert_eq!(summary.totals.get("USD"), Some(&75_000));
        let by_company = records::purchases(&t.ctx, &admin, RecordType::COMPANY, company.id).await.expect("purchases");
        assert_eq!((by_company.count, by_company.last_order_id), (3, summary.last_order_id));
        let timeline =
            records::timeline(&t.ctx, &admin, RecordType::CONTACT, contact, None, 50).await.expect("timeline");
        assert_eq!(timeline.items.iter().filter(|e| e.kind == "order").count(), 3);
    })
    .await;
}
