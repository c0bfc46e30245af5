//! The test-only kind (`gadget`, declared in rapport-core's records/gadget.rs
//! under the `test-kind` feature) gets the whole generic machinery from its
//! descriptor, its line in `KINDS` and its migration: create, read, update,
//! rules, filters, sorts, keyset pages, search, audit, trash and import.

use rapport_core::schema::RecordType;
use rapport_db::records::{self, ImportOptions};
use serde_json::json;

use crate::common::{list_all, pairs, run_on_both_backends, validation_fields};

fn gadget() -> RecordType {
    RecordType::parse("gadgets").expect("the test-only kind is registered")
}

#[tokio::test]
async fn a_kind_declared_only_by_its_descriptor_is_stored_validated_and_audited() {
    run_on_both_backends("gadget lifecycle", |t| async move {
        let (_, admin) = t.admin().await;
        let maker =
            records::create(&t.ctx, &admin, RecordType::COMPANY, &json!({"name": "Acme"})).await.expect("a company");
        let created = records::create(
            &t.ctx,
            &admin,
            gadget(),
            &json!({"label": "Sprocket", "serial": "ab-12", "colour": "red", "weight_grams": 250,
                    "made_on": "2026-01-15", "maker_id": maker.id, "tags": ["spare"]}),
        )
        .await
        .expect("create a gadget");
        // The kind's derive rule ran.
        assert_eq!(created.fields["serial"], json!("AB-12"));
        assert_eq!(records::get(&t.ctx, &admin, gadget(), created.id).await.expect("get"), created);

        // Field validation, the kind's cross-field rule and references all hold.
        let invalid = records::create(&t.ctx, &admin, gadget(), &json!({"colour": "pink"})).await;
        assert_eq!(validation_fields(invalid), ["colour", "label"]);
        let light = records::create(
            &t.ctx,
            &admin,
            gadget(),
            &json!({"label": "Feather", "colour": "blue", "weight_grams": 5}),
        )
        .await;
        assert_eq!(validation_fields(light), ["weight_grams"]);
        let dangling = records::create(
            &t.ctx,
            &admin,
            gadget(),
            &json!({"label": "Orphan", "maker_id": rapport_core::ids::new_id()}),
        )
        .await;
        assert_eq!(validation_fields(dangling), ["maker_id"]);

        let updated = records::update(&t.ctx, &admin, gadget(), created.id, &json!({"weight_grams": 300}), Some(1))
            .await
            .expect("update");
        assert_eq!(updated.version, 2);
        let audit = rapport_db::audit::for_record(t.ctx.db.conn(), created.id, None, 10).await.expect("audit log");
        assert_eq!(audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["update", "create"]);
        assert!(
            audit[0]
                .changes
                .as_array()
                .expect("changes")
                .contains(&json!({"field": "weight_grams", "old": 250, "new": 300}))
        );

        records::delete(&t.ctx, &admin, gadget(), created.id, None).await.expect("delete");
        let trash = records::list(&t.ctx, &admin, gadget(), &pairs(&[("trash", "true")])).await.expect("trash");
        assert_eq!(trash.items.len(), 1);
        let restored = records::restore(&t.ctx, &admin, gadget(), created.id).await.expect("restore");
        assert_eq!(restored.deleted_at, None);
    })
    .await;
}

#[tokio::test]
async fn a_descriptor_only_kind_is_filtered_sorted_paged_and_searched() {
    run_on_both_backends("gadget lists", |t| async move {
        let (_, admin) = t.admin().await;
        for (i, colour) in ["red", "green", "blue", "red", "green", "blue", "red"].iter().enumerate() {
            let input = json!({"label": format!("Widget {i}"), "colour": colour, "weight_grams": 100 + i as i64 * 10});
            records::create(&t.ctx, &admin, gadget(), &input).await.expect("create");
        }
        let reds =
            records::list(&t.ctx, &admin, gadget(), &pairs(&[("filter[colour][eq]", "red")])).await.expect("list");
        assert_eq!(reds.items.len(), 3);
        let heavy_first = list_all(
            &t,
            &admin,
            gadget(),
            &[("filter[weight_grams][gt]", "120"), ("sort", "-weight_grams"), ("limit", "2")],
            5,
        )
        .await;
        let weights: Vec<i64> =
            heavy_first.iter().flatten().map(|r| r.fields["weight_grams"].as_i64().expect("a weight")).collect();
        assert_eq!(weights, [160, 150, 140, 130]);
        assert_eq!(heavy_first.len(), 2, "two keyset pages of two");

        let hits = rapport_db::search::search(&t.ctx, &admin, "widget 3", &[gadget()], 10).await.expect("search");
        assert_eq!(hits.first().map(|h| (h.record_type, h.label.as_str())), Some((gadget(), "Widget 3")));
    })
    .await;
}

#[tokio::test]
async fn a_descriptor_only_kind_imports_with_its_aliases_and_duplicate_key() {
    run_on_both_backends("gadget import", |t| async move {
        let (_, admin) = t.admin().await;
        let file = "Rótulo;support_email;colour\nA;help@acme.test;red\nB;HELP@acme.test;green\nC;;pink\n";
        let source = std::io::Cursor::new(file.as_bytes().to_vec());
        let report =
            records::import_csv(&t.ctx, &admin, gadget(), source, &ImportOptions::default()).await.expect("import");
        assert_eq!((report.rows, report.created), (3, 1));
        assert_eq!(report.duplicates.iter().map(|d| d.line).collect::<Vec<_>>(), [3]);
        assert_eq!(report.rejected.iter().map(|r| r.line).collect::<Vec<_>>(), [4]);
    })
    .await;
}

#[tokio::test]
async fn money_and_line_item_fields_are_validated_stored_filtered_sorted_and_totalled() {
    run_on_both_backends("gadget money", |t| async move {
        let (_, admin) = t.admin().await;
        // 3 × 33.33 at 10 % tax: 99.99 + 10.00 (one rounding per line) = 109.99.
        let parts =
            json!([{"description": "Cog", "quantity_milli": 3000, "unit_price_minor": 3333, "tax_rate_bp": 1000}]);
        let priced = records::create(
            &t.ctx,
            &admin,
            gadget(),
            &json!({"label": "Clock", "price": {"amount_minor": 150000, "currency": "brl"}, "parts": parts}),
        )
        .await
        .expect("create a priced gadget");
        assert_eq!(priced.fields["price"], json!({"amount_minor": 150000, "currency": "BRL"}));
        assert_eq!(priced.fields["parts_total"], json!({"amount_minor": 10999, "currency": "BRL"}));
        assert_eq!(priced.fields["parts"][0]["product_id"], json!(null));
        assert_eq!(records::get(&t.ctx, &admin, gadget(), priced.id).await.expect("get"), priced);
        for (label, amount) in [("Cheap", 900), ("Middling", 5000)] {
            let input = json!({"label": label, "price": {"amount_minor": amount, "currency": "USD"}});
            records::create(&t.ctx, &admin, gadget(), &input).await.expect("create");
        }
        records::create(&t.ctx, &admin, gadget(), &json!({"label": "Unpriced"})).await.expect("no price");

        let dear =
            records::list(&t.ctx, &admin, gadget(), &pairs(&[("filter[price][gt]", "1000"), ("sort", "-price")]))
                .await
                .expect("list by price");
        let labels: Vec<&str> = dear.items.iter().filter_map(|r| r.text("label")).collect();
        assert_eq!(labels, ["Clock", "Middling"]);
        let cheapest_first = list_all(&t, &admin, gadget(), &[("sort", "price"), ("limit", "1")], 6).await;
        let amounts: Vec<Option<i64>> =
            cheapest_first.iter().flatten().map(|r| r.fields["price"]["amount_minor"].as_i64()).collect();
        assert_eq!(amounts.iter().flatten().copied().collect::<Vec<_>>(), [900, 5000, 150000]);
        assert_eq!(amounts.len(), 4, "the unpriced one is listed too");

        let no_currency =
            records::create(&t.ctx, &admin, gadget(), &json!({"label": "X", "price": {"amount_minor": 5}})).await;
        assert_eq!(validation_fields(no_currency), ["price.currency"]);
        let bad_line =
            json!({"label": "Y", "parts": [{"description": "Cog", "quantity_milli": 0, "unit_price_minor": 1}]});
        let bad_line = records::create(&t.ctx, &admin, gadget(), &bad_line).await;
        assert_eq!(validation_fields(bad_line), ["parts[0].quantity_milli"]);
    })
    .await;
}
