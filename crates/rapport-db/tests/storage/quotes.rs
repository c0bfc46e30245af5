//! Products, configured prices and quotes: numbering, pricing, the life
//! cycle, revisions, the primary quote and acceptance, on both backends.

use chrono::Duration;
use rapport_core::DomainError;
use rapport_core::access::Writer;
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_db::records::{self, Record, quotes};
use rapport_db::{Error, pipelines};
use serde_json::{Value, json};

use crate::common::{TestCtx, pairs, run_on_both_backends, validation_fields};

/// A laptop in BRL and USD: a required size, a plan, add-ons; training
/// requires the Pro plan and the Basic plan excludes support.
async fn laptop(t: &TestCtx, admin: &Writer) -> Record {
    records::create(
        &t.ctx,
        admin,
        RecordType::PRODUCT,
        &json!({
            "name": "Laptop", "sku": "LT-1", "unit": "unit", "tax_rate_bp": 1_000,
            "prices": {"BRL": 500_000, "usd": 100_000},
            "options": {
                "groups": [
                    {"code": "size", "label": "Size", "required": true, "options": [
                        {"code": "s", "label": "S", "prices": {"BRL": 0, "USD": 0}},
                        {"code": "l", "label": "L", "prices": {"BRL": 50_000, "USD": 10_000}},
                    ]},
                    {"code": "plan", "label": "Plan", "options": [
                        {"code": "basic", "label": "Basic", "prices": {"BRL": 0, "USD": 0}},
                        {"code": "pro", "label": "Pro", "prices": {"BRL": 30_000, "USD": 6_000}},
                    ]},
                    {"code": "addons", "label": "Add-ons", "multiple": true, "options": [
                        {"code": "support", "label": "Support", "prices": {"BRL": 20_000, "USD": 4_000}},
                        {"code": "training", "label": "Training", "prices": {"BRL": 15_000, "USD": 3_000}},
                    ]},
                ],
                "rules": [
                    {"option": "training", "kind": "requires", "other": "pro"},
                    {"option": "basic", "kind": "excludes", "other": "support"},
                ],
            },
        }),
    )
    .await
    .expect("create a configurable product")
}

async fn deal(t: &TestCtx, admin: &Writer, name: &str) -> Record {
    pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
    records::create(&t.ctx, admin, RecordType::DEAL, &json!({"name": name})).await.expect("create a deal")
}

async fn quote(t: &TestCtx, admin: &Writer, deal: &Record, lines: Value) -> Result<Record, Error> {
    let input = json!({"deal_id": deal.id, "currency": "BRL", "valid_until": "2026-03-31", "lines": lines});
    records::create(&t.ctx, admin, RecordType::QUOTE, &input).await
}

fn simple_line(price: i64) -> Value {
    json!({"description": "Setup", "quantity_milli": 1_000, "unit_price_minor": price})
}

fn conflict_code(result: Result<impl std::fmt::Debug, Error>) -> &'static str {
    match result {
        Err(Error::Domain(DomainError::Conflict { code, .. })) => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn validation_codes(result: Result<impl std::fmt::Debug, Error>) -> Vec<(String, String)> {
    match result {
        Err(Error::Domain(DomainError::Validation(errors))) => {
            errors.0.into_iter().map(|e| (e.field, e.code)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

#[tokio::test]
async fn concurrent_quote_creates_take_the_numbers_one_to_twenty_without_gaps() {
    run_on_both_backends("quote_numbers", |t| async move {
        let (_, admin) = t.admin().await;
        let deal = deal(&t, &admin, "Fleet").await;
        let creates = (0..20).map(|_| {
            let (ctx, admin, deal_id) = (t.ctx.clone(), admin.clone(), deal.id);
            tokio::spawn(async move {
                let input = json!({"deal_id": deal_id, "currency": "BRL", "lines": [simple_line(100)]});
                records::create(&ctx, &admin, RecordType::QUOTE, &input).await
            })
        });
        let mut numbers = Vec::new();
        for create in creates.collect::<Vec<_>>() {
            let quote = create.await.expect("join").expect("create a quote");
            numbers.push(quote.text("number").expect("a number").to_owned());
        }
        numbers.sort();
        let expected: Vec<String> = (1..=20).map(|n| format!("Q-2026-{n:04}")).collect();
        assert_eq!(numbers, expected);

        // A transaction that takes a number and rolls back gives it back.
        {
            let tx = t.ctx.db.write().await.expect("a transaction");
            assert_eq!(rapport_db::sequences::next(&*tx, "quote", 2026).await.expect("a number"), 21);
        }
        let next = quote(&t, &admin, &deal, json!([])).await.expect("create");
        assert_eq!(next.text("number"), Some("Q-2026-0021"));
        // An invalid create takes no number either.
        quote(&t, &admin, &deal, json!([{"description": "x", "quantity_milli": -1, "unit_price_minor": 1}]))
            .await
            .expect_err("a negative quantity");
        // A new year starts again at 1.
        t.clock.advance(Duration::days(365));
        assert_eq!(quote(&t, &admin, &deal, json!([])).await.expect("create").text("number"), Some("Q-2027-0001"));
        t.clock.advance(Duration::days(-365));
        assert_eq!(quote(&t, &admin, &deal, json!([])).await.expect("create").text("number"), Some("Q-2026-0022"));
    })
    .await;
}

#[tokio::test]
async fn configured_product_lines_are_priced_by_the_server() {
    run_on_both_backends("quote_pricing", |t| async move {
        let (_, admin) = t.admin().await;
        let laptop = laptop(&t, &admin).await;
        assert_eq!(laptop.fields["prices"], json!({"BRL": 500_000, "USD": 100_000}));
        assert_eq!(laptop.fields["active"], json!(true));
        let deal = deal(&t, &admin, "Laptops").await;
        let line = |options: Value| json!({"product_id": laptop.id, "quantity_milli": 2_000, "options": options});

        let priced = quote(&t, &admin, &deal, json!([line(json!(["training", "pro", "l"]))])).await.expect("priced");
        let stored = &priced.fields["lines"][0];
        assert_eq!(stored["unit_price_minor"], json!(500_000 + 50_000 + 30_000 + 15_000));
        assert_eq!(stored["options"], json!(["l", "pro", "training"]));
        assert_eq!(stored["description"], json!("Laptop (Size: L; Plan: Pro; Add-ons: Training)"));
        assert_eq!(stored["tax_rate_bp"], json!(1_000), "the product's tax rate");
        // 2 × 5.950,00 = 11.900,00 + 10 % tax.
        assert_eq!((priced.fields["subtotal_minor"].clone(), priced.fields["total_minor"].clone()), (json!(1_190_000), json!(1_309_000)));

        // The same price typed is fine; another one is refused unless it is an override.
        let typed = json!({"product_id": laptop.id, "quantity_milli": 1_000, "options": ["s"], "unit_price_minor": 500_000});
        quote(&t, &admin, &deal, json!([typed])).await.expect("the computed price, typed");
        let cheaper = json!({"product_id": laptop.id, "quantity_milli": 1_000, "options": ["s"], "unit_price_minor": 1});
        assert_eq!(validation_codes(quote(&t, &admin, &deal, json!([cheaper])).await), [pair("lines[0].unit_price_minor", "computed_price")]);
        let overridden = json!({"product_id": laptop.id, "quantity_milli": 1_000, "options": ["s"], "unit_price_minor": 1, "price_override": true});
        let kept = quote(&t, &admin, &deal, json!([overridden])).await.expect("an override");
        assert_eq!(kept.fields["lines"][0]["unit_price_minor"], json!(1));

        // Rules between options, groups, currencies and unknown products.
        let before = t.count("quotes").await;
        assert_eq!(validation_codes(quote(&t, &admin, &deal, json!([line(json!(["s", "training"]))])).await), [pair("lines[0].options", "option_requires")]);
        assert_eq!(validation_codes(quote(&t, &admin, &deal, json!([line(json!(["s", "basic", "support"]))])).await), [pair("lines[0].options", "option_excludes")]);
        assert_eq!(validation_codes(quote(&t, &admin, &deal, json!([line(json!(["s", "l"]))])).await), [pair("lines[0].options", "one_option_only")]);
        assert_eq!(validation_codes(quote(&t, &admin, &deal, json!([line(json!([]))])).await), [pair("lines[0].options", "option_required")]);
        let euros = json!({"deal_id": deal.id, "currency": "EUR", "lines": [line(json!(["s"]))]});
        assert_eq!(
            validation_codes(records::create(&t.ctx, &admin, RecordType::QUOTE, &euros).await),
            [pair("lines[0].product_id", "currency_not_priced"), pair("lines[0].options", "option_not_priced")]
        );
        let unknown = json!({"product_id": RecordId::new(), "quantity_milli": 1_000});
        assert_eq!(validation_codes(quote(&t, &admin, &deal, json!([simple_line(5), unknown])).await), [pair("lines[1].product_id", "unknown_product")]);
        // Bad input: negative quantities and discounts over 100 %.
        let negative = json!({"description": "x", "quantity_milli": -1_000, "unit_price_minor": 100});
        assert_eq!(validation_fields(quote(&t, &admin, &deal, json!([negative])).await), ["lines[0].quantity_milli"]);
        let over = json!({"deal_id": deal.id, "currency": "BRL", "discount_bp": 10_001});
        assert_eq!(validation_codes(records::create(&t.ctx, &admin, RecordType::QUOTE, &over).await), [pair("discount_bp", "out_of_range")]);
        assert_eq!(t.count("quotes").await, before, "nothing stored");

        // The price a line would get, asked before saving.
        let asked = quotes::configured_price(&t.ctx, &admin, laptop.id, "usd", &["l".into(), "support".into()]).await.expect("a price");
        assert_eq!((asked.unit_price_minor, asked.currency.as_str()), (114_000, "USD"));
        let refused = quotes::configured_price(&t.ctx, &admin, laptop.id, "USD", &["basic".into(), "s".into(), "support".into()]).await;
        assert_eq!(validation_codes(refused), [pair("options", "option_excludes")]);

        // A product that stops being sold cannot be quoted again.
        records::update(&t.ctx, &admin, RecordType::PRODUCT, laptop.id, &json!({"active": false}), None).await.expect("retire");
        assert_eq!(validation_codes(quote(&t, &admin, &deal, json!([line(json!(["s"]))])).await), [pair("lines[0].product_id", "product_inactive")]);
    })
    .await;
}

#[tokio::test]
async fn sent_quotes_are_read_only_and_changed_by_revisions() {
    run_on_both_backends("quote_revisions", |t| async move {
        let (_, admin) = t.admin().await;
        let laptop = laptop(&t, &admin).await;
        let deal = deal(&t, &admin, "Revisions").await;
        let line = json!({"product_id": laptop.id, "quantity_milli": 1_000, "options": ["s"]});
        let draft = quote(&t, &admin, &deal, json!([line, simple_line(10_000)])).await.expect("create");
        assert_eq!((draft.fields["status"].clone(), draft.fields["revision"].clone()), (json!("draft"), json!(1)));
        assert_eq!(conflict_code(quotes::accept(&t.ctx, &admin, draft.id).await), "quote_not_sent");
        assert_eq!(conflict_code(quotes::revise(&t.ctx, &admin, draft.id).await), "quote_is_draft");
        // A draft is edited freely; its figures follow.
        let draft = records::update(&t.ctx, &admin, RecordType::QUOTE, draft.id, &json!({"discount_bp": 1_000}), None)
            .await
            .expect("edit a draft");
        assert_eq!(draft.fields["discount_minor"], json!(51_000));
        // Status is the actions' own.
        let forced =
            records::update(&t.ctx, &admin, RecordType::QUOTE, draft.id, &json!({"status": "accepted"}), None).await;
        assert_eq!(validation_codes(forced), [pair("status", "derived_field")]);

        let sent = quotes::send(&t.ctx, &admin, draft.id).await.expect("send");
        assert_eq!(sent.fields["status"], json!("sent"));
        assert!(sent.fields["sent_at"].is_string());
        let edit = records::update(&t.ctx, &admin, RecordType::QUOTE, sent.id, &json!({"title": "New"}), None).await;
        assert_eq!(conflict_code(edit), "quote_not_editable");
        assert_eq!(conflict_code(quotes::send(&t.ctx, &admin, sent.id).await), "quote_transition");
        let unchanged = records::get(&t.ctx, &admin, RecordType::QUOTE, sent.id).await.expect("get");
        assert_eq!(unchanged.version, sent.version, "nothing changed");

        // The product's price changes; the revision is priced again.
        records::update(&t.ctx, &admin, RecordType::PRODUCT, laptop.id, &json!({"prices": {"BRL": 600_000}}), None)
            .await
            .expect("reprice");
        let revision = quotes::revise(&t.ctx, &admin, sent.id).await.expect("revise");
        assert_eq!(revision.fields["number"], sent.fields["number"]);
        assert_eq!(
            (revision.fields["revision"].clone(), revision.fields["status"].clone()),
            (json!(2), json!("draft"))
        );
        assert_eq!(revision.fields["lines"][0]["unit_price_minor"], json!(600_000));
        assert_eq!(revision.fields["lines"][1]["unit_price_minor"], json!(10_000));
        assert_eq!(revision.fields["discount_bp"], json!(1_000));
        let old = records::get(&t.ctx, &admin, RecordType::QUOTE, sent.id).await.expect("the old revision stays");
        assert_eq!(old.fields["status"], json!("sent"));
        assert_eq!(old.uuid("superseded_by"), Some(revision.id.0));
        assert_eq!(conflict_code(quotes::revise(&t.ctx, &admin, sent.id).await), "quote_superseded");
        assert_eq!(conflict_code(quotes::accept(&t.ctx, &admin, sent.id).await), "quote_superseded");
        // The revision is a draft: edited in place.
        records::update(&t.ctx, &admin, RecordType::QUOTE, revision.id, &json!({"title": "Rev 2"}), None)
            .await
            .expect("edit the revision");
    })
    .await;
}

#[tokio::test]
async fn the_deal_amount_follows_its_primary_quote() {
    run_on_both_backends("quote_primary", |t| async move {
        let (_, admin) = t.admin().await;
        let deal = deal(&t, &admin, "Primary").await;
        let first = quote(&t, &admin, &deal, json!([simple_line(10_000)])).await.expect("first");
        let second = quote(&t, &admin, &deal, json!([simple_line(25_000)])).await.expect("second");
        let amount = |d: &Record| (d.fields["amount_minor"].clone(), d.fields["currency"].clone());
        let reload = || records::get(&t.ctx, &admin, RecordType::DEAL, deal.id);
        assert_eq!(amount(&reload().await.expect("deal")), (Value::Null, Value::Null));

        let first = quotes::make_primary(&t.ctx, &admin, first.id).await.expect("primary");
        assert_eq!(first.fields["primary"], json!(true));
        assert_eq!(amount(&reload().await.expect("deal")), (json!(10_000), json!("BRL")));
        // Editing the primary draft moves the amount along.
        records::update(&t.ctx, &admin, RecordType::QUOTE, first.id, &json!({"lines": [simple_line(12_000)]}), None)
            .await
            .expect("edit");
        assert_eq!(amount(&reload().await.expect("deal")), (json!(12_000), json!("BRL")));
        // Another primary takes over; the first stops being primary.
        quotes::make_primary(&t.ctx, &admin, second.id).await.expect("second primary");
        assert_eq!(amount(&reload().await.expect("deal")), (json!(25_000), json!("BRL")));
        let first = records::get(&t.ctx, &admin, RecordType::QUOTE, first.id).await.expect("first");
        assert_eq!(first.fields["primary"], json!(false));
        // Editing a quote that is not primary leaves the deal alone.
        records::update(&t.ctx, &admin, RecordType::QUOTE, first.id, &json!({"lines": [simple_line(1)]}), None)
            .await
            .expect("edit");
        assert_eq!(amount(&reload().await.expect("deal")), (json!(25_000), json!("BRL")));
        // The changes are in the deal's audit log.
        let audit = rapport_db::audit::for_record(t.ctx.db.conn(), deal.id, None, 10).await.expect("audit");
        let amounts: Vec<&Value> = audit
            .iter()
            .flat_map(|e| e.changes.as_array().into_iter().flatten())
            .filter(|c| c["field"] == "amount_minor")
            .map(|c| &c["new"])
            .collect();
        assert_eq!(amounts, [&json!(25_000), &json!(12_000), &json!(10_000)]);
        // A revision of the primary quote becomes the primary one.
        quotes::send(&t.ctx, &admin, second.id).await.expect("send");
        let revision = quotes::revise(&t.ctx, &admin, second.id).await.expect("revise");
        assert_eq!(revision.fields["primary"], json!(true));
        let second = records::get(&t.ctx, &admin, RecordType::QUOTE, second.id).await.expect("second");
        assert_eq!(second.fields["primary"], json!(false));
        records::update(&t.ctx, &admin, RecordType::QUOTE, revision.id, &json!({"lines": [simple_line(30_000)]}), None)
            .await
            .expect("edit the revision");
        assert_eq!(amount(&reload().await.expect("deal")), (json!(30_000), json!("BRL")));
    })
    .await;
}

#[tokio::test]
async fn accepting_a_quote_wins_its_deal_once_and_never_after_expiry() {
    run_on_both_backends("quote_accept", |t| async move {
        let (_, admin) = t.admin().await;
        let deal = deal(&t, &admin, "Accept").await;
        let expiring = quote(&t, &admin, &deal, json!([simple_line(100)])).await.expect("create");
        quotes::send(&t.ctx, &admin, expiring.id).await.expect("send");
        let accepted = quote(&t, &admin, &deal, json!([simple_line(200)])).await.expect("create");
        quotes::send(&t.ctx, &admin, accepted.id).await.expect("send");

        // Two accepts at once: exactly one succeeds.
        let attempts: Vec<_> = (0..2)
            .map(|_| {
                let (ctx, admin, id) = (t.ctx.clone(), admin.clone(), accepted.id);
                tokio::spawn(async move { quotes::accept(&ctx, &admin, id).await })
            })
            .collect();
        let mut outcomes = Vec::new();
        for attempt in attempts {
            outcomes.push(attempt.await.expect("join"));
        }
        let wins: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        assert_eq!(wins.len(), 1, "{outcomes:?}");
        for loss in outcomes.iter().filter_map(|o| o.as_ref().err()) {
            assert!(
                matches!(
                    loss,
                    Error::Domain(DomainError::Conflict { code: "quote_already_accepted" | "quote_changed", .. })
                ),
                "{loss:?}"
            );
        }
        let acceptance = wins[0];
        assert_eq!(acceptance.quote.fields["status"], json!("accepted"));
        let won = acceptance.deal.as_ref().expect("the deal moved");
        assert_eq!(won.fields["status"], json!("won"));
        // The acceptance made one pending order with the quote's lines and prices.
        let order = &acceptance.order;
        assert_eq!(order.fields["quote_id"], json!(accepted.id.to_string()));
        assert_eq!(order.fields["status"], json!("pending"));
        assert_eq!(order.fields["deal_id"], json!(deal.id.to_string()));
        assert_eq!(order.fields["total_minor"], acceptance.quote.fields["total_minor"]);
        assert_eq!(order.fields["lines"], acceptance.quote.fields["lines"]);
        assert!(order.text("number").is_some_and(|n| n.starts_with("O-")), "{order:?}");
        let filter = pairs(&[("filter[quote_id][eq]", &accepted.id.to_string())]);
        let made = records::list(&t.ctx, &admin, RecordType::ORDER, &filter).await.expect("list orders");
        let made: Vec<_> = made.items.iter().map(|o| o.id).collect();
        assert_eq!(made, [order.id], "two accepts at once made one order");
        assert_eq!(conflict_code(quotes::accept(&t.ctx, &admin, accepted.id).await), "quote_already_accepted");
        assert_eq!(conflict_code(quotes::reject(&t.ctx, &admin, accepted.id).await), "quote_already_accepted");

        // Past its valid-until day a sent quote is expired: not accepted, rejected or revised.
        t.clock.advance(Duration::days(40));
        let stored = records::get(&t.ctx, &admin, RecordType::QUOTE, expiring.id).await.expect("get");
        assert_eq!(quotes::effective_status(&t.ctx, &stored), "expired");
        assert_eq!(conflict_code(quotes::accept(&t.ctx, &admin, expiring.id).await), "quote_expired");
        let unchanged = records::get(&t.ctx, &admin, RecordType::QUOTE, expiring.id).await.expect("get");
        assert_eq!(unchanged.version, stored.version, "nothing changed");
        // The worker's hourly pass stores it, so that a filter finds it; once.
        assert_eq!(quotes::expire_due(&t.ctx).await.expect("expire"), 1);
        assert_eq!(quotes::expire_due(&t.ctx).await.expect("expire again"), 0);
        let filter = pairs(&[("filter[status][eq]", "expired")]);
        let found = records::list(&t.ctx, &admin, RecordType::QUOTE, &filter).await.expect("list");
        assert_eq!(found.items.iter().map(|q| q.id).collect::<Vec<_>>(), [expiring.id]);
        assert_eq!(conflict_code(quotes::accept(&t.ctx, &admin, expiring.id).await), "quote_expired");
        let revision = quotes::revise(&t.ctx, &admin, expiring.id).await.expect("revise an expired quote");
        // The revision keeps the past date; sending it asks for a new one.
        let send = quotes::send(&t.ctx, &admin, revision.id).await;
        assert_eq!(validation_codes(send), [pair("valid_until", "date_in_past")]);
    })
    .await;
}

fn delivery(to: Option<&str>) -> quotes::Delivery {
    quotes::Delivery {
        to: to.map(str::to_owned),
        pdf: rapport_core::mail::Attachment {
            file_name: "Q.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7 a quote".to_vec(),
        },
        link_base: "https://crm.example.com/p/quotes/".into(),
        total: "R$ 3,00".into(),
        valid_until: "31/03/2026".into(),
    }
}

/// A quote e-mailed to its customer: with no address to write to nothing
/// changes; then sent, one outbox message in the contact's language with
/// the PDF and a link that opens it; the customer accepts through the link:
/// one order, the owner notified once; a second decision is refused; the
/// link stops working 30 days after the quote's validity.
#[tokio::test]
async fn a_quote_sent_by_email_is_accepted_through_its_link() {
    run_on_both_backends("quote_email", |t| async move {
        let (owner, admin) = t.admin().await;
        let deal = deal(&t, &admin, "By e-mail").await;
        let draft = quote(&t, &admin, &deal, json!([simple_line(300)])).await.expect("create");
        let refused = quotes::send_by_email(&t.ctx, &admin, draft.id, delivery(None)).await;
        assert_eq!(validation_codes(refused), [pair("to", "no_email")]);
        let still = records::get(&t.ctx, &admin, RecordType::QUOTE, draft.id).await.expect("get");
        assert_eq!((still.version, &still.fields["status"]), (draft.version, &json!("draft")), "nothing changed");

        // To the contact's address, in the contact's language.
        let contact =
            t.contact(&admin, json!({"first_name": "Rita", "emails": ["rita@example.com"], "language": "pt-BR"})).await;
        let patch = json!({"contact_id": contact.0.to_string()});
        records::update(&t.ctx, &admin, RecordType::QUOTE, draft.id, &patch, None).await.expect("set the contact");
        let sent = quotes::send_by_email(&t.ctx, &admin, draft.id, delivery(None)).await.expect("send");
        assert_eq!(sent.quote.fields["status"], json!("sent"));
        let number = sent.quote.text("number").expect("numbered").to_owned();
        let message = rapport_db::mail::get(&t.ctx, &t.admin_right().await, sent.message_id).await.expect("queued");
        assert_eq!(message.to, ["rita@example.com"]);
        assert_eq!(message.language.as_deref(), Some("pt-BR"));
        assert_eq!(message.subject, format!("Proposta {number} de Admin"), "the account has no name yet: the sender's");
        assert!(message.body.contains("R$ 3,00") && message.body.contains("31/03/2026"), "{}", message.body);
        assert_eq!(message.attachments.len(), 1);
        assert_eq!(message.attachments[0].file_name, "Q.pdf");
        assert_eq!(message.related_id, Some(draft.id.0));
        let token = message
            .body
            .split("https://crm.example.com/p/quotes/")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the link is in the message")
            .to_owned();

        let link = rapport_db::public_links::resolve(&t.ctx, &token, rapport_db::public_links::QUOTE_DECISION)
            .await
            .expect("resolve")
            .expect("a live link");
        assert_eq!(link.record_id, draft.id.0);
        let (accepted, order) =
            quotes::decide_as_customer(&t.ctx, &link, quotes::Decision::Accept).await.expect("the customer accepts");
        assert_eq!(accepted.fields["status"], json!("accepted"));
        let order = order.expect("an order");
        assert_eq!(order.fields["quote_id"], json!(draft.id.0.to_string()));
        assert_eq!(order.fields["contact_id"], json!(contact.0.to_string()));
        let again = quotes::decide_as_customer(&t.ctx, &link, quotes::Decision::Reject).await;
        assert_eq!(conflict_code(again), "quote_already_accepted");
        let (seen, order_shown) = quotes::quote_for_customer(&t.ctx, draft.id).await.expect("read").expect("there");
        assert_eq!((seen.id, order_shown.map(|o| o.id)), (draft.id, Some(order.id)));

        let notes =
            rapport_db::notifications::for_user(&t.ctx, owner.id, false, None, 10).await.expect("notifications");
        let accepted_notes: Vec<_> = notes.items.iter().filter(|n| n.kind == "quote_accepted").collect();
        assert_eq!(accepted_notes.len(), 1, "{:?}", notes.items);
        assert_eq!(accepted_notes[0].record_id, Some(draft.id));

        // Valid until 31 March: the link works 30 days more, then not.
        t.clock.advance(Duration::days(29 + 30));
        let resolved =
            rapport_db::public_links::resolve(&t.ctx, &token, rapport_db::public_links::QUOTE_DECISION).await;
        assert!(resolved.expect("resolve").is_ok(), "still open on 30 April");
        t.clock.advance(Duration::days(2));
        let resolved =
            rapport_db::public_links::resolve(&t.ctx, &token, rapport_db::public_links::QUOTE_DECISION).await;
        assert_eq!(resolved.expect("resolve"), Err(rapport_db::public_links::Refusal::Expired));
    })
    .await;
}
