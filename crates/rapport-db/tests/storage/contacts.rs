use chrono::Duration;
use rapport_core::DomainError;
use rapport_core::schema::RecordType;
use rapport_db::Error;
use rapport_db::records::{self, Record};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{list_all, pairs, run_on_both_backends, validation_fields};

fn ids(records: &[Record]) -> Vec<Uuid> {
    records.iter().map(|r| r.id.0).collect()
}

#[tokio::test]
async fn contact_create_get_update_list_delete_restore() {
    run_on_both_backends("contact lifecycle", |t| async move {
        let (_, admin) = t.admin().await;
        let created = records::create(
            &t.ctx,
            &admin,
            RecordType::CONTACT,
            &json!({
                "first_name": "Ana",
                "last_name": "Silva",
                "emails": ["Ana@Example.com"],
                "phones": ["(11) 98765-4321"],
                "city": "São Paulo",
                "birth_date": "1990-05-17",
                "tags": ["vip"],
            }),
        )
        .await
        .expect("create a contact");
        assert_eq!(created.version, 1);
        assert_eq!(created.fields["phones"], json!(["+5511987654321"]));

        // What is read back is what was written, to the microsecond.
        let fetched = records::get(&t.ctx, &admin, RecordType::CONTACT, created.id).await.expect("get the contact");
        assert_eq!(fetched, created);

        t.clock.advance(Duration::minutes(5));
        let updated = records::update(
            &t.ctx,
            &admin,
            RecordType::CONTACT,
            created.id,
            &json!({"job_title": "CTO", "city": "Campinas"}),
            Some(1),
        )
        .await
        .expect("update the contact");
        assert_eq!(updated.version, 2);
        assert_eq!(updated.fields["job_title"], json!("CTO"));
        assert_eq!(updated.updated_at, t.now());
        assert_eq!(records::get(&t.ctx, &admin, RecordType::CONTACT, created.id).await.expect("get"), updated);

        let audit = rapport_db::audit::for_record(t.ctx.db.conn(), created.id, None, 10).await.expect("audit log");
        assert_eq!(audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["update", "create"]);
        let changes = audit[0].changes.as_array().expect("a list of changes");
        let changed: Vec<&str> = changes.iter().filter_map(|c| c["field"].as_str()).collect();
        assert_eq!(changed, ["city", "job_title"]);
        assert!(changes.contains(&json!({"field": "city", "old": "São Paulo", "new": "Campinas"})));

        // An update that changes nothing keeps the version.
        let same = records::update(&t.ctx, &admin, RecordType::CONTACT, created.id, &json!({"job_title": "CTO"}), None)
            .await
            .expect("no-op update");
        assert_eq!(same.version, 2);

        t.clock.advance(Duration::minutes(1));
        records::delete(&t.ctx, &admin, RecordType::CONTACT, created.id, Some(2)).await.expect("delete");
        assert!(matches!(
            records::get(&t.ctx, &admin, RecordType::CONTACT, created.id).await,
            Err(Error::Domain(DomainError::NotFound { .. }))
        ));
        let live = records::list(&t.ctx, &admin, RecordType::CONTACT, &[]).await.expect("list");
        assert!(live.items.is_empty());
        let trash =
            records::list(&t.ctx, &admin, RecordType::CONTACT, &pairs(&[("trash", "true")])).await.expect("trash");
        assert_eq!(ids(&trash.items), [created.id]);
        assert!(trash.items[0].deleted_at.is_some());

        let restored = records::restore(&t.ctx, &admin, RecordType::CONTACT, created.id).await.expect("restore");
        assert_eq!(restored.version, 4);
        let fetched = records::get(&t.ctx, &admin, RecordType::CONTACT, created.id).await.expect("get restored");
        assert_eq!(fetched.version, 4);
        assert_eq!(fetched.deleted_at, None);
        assert_eq!(fetched.fields, updated.fields);
        // Matching keys came back with the record: e-mail, phone, phone tail.
        assert_eq!(t.count_where("record_keys", "record_id", created.id.0).await, 3);
    })
    .await;
}

#[tokio::test]
async fn contact_list_filters_sorts_and_pages_every_record_exactly_once() {
    run_on_both_backends("contact list", |t| async move {
        let (_, admin) = t.admin().await;
        let people: [Value; 6] = [
            json!({"first_name": "Bruno", "last_name": "Costa", "emails": ["bruno@acme.com.br"], "city": "Santos"}),
            json!({"first_name": "Ana", "last_name": "Silva", "emails": ["ana@example.org"], "city": "São Paulo"}),
            json!({"first_name": "Carla", "emails": ["carla@example.org"], "city": "Salvador"}),
            json!({"first_name": "Diego", "last_name": "Silva", "emails": ["diego@acme.com.br"], "city": "Recife"}),
            json!({"first_name": "Elisa", "emails": ["elisa@example.org"]}),
            json!({"first_name": "Fábio", "last_name": "Almeida", "phones": ["+55 21 99876-5432"], "city": "são gonçalo"}),
        ];
        let mut created = Vec::new();
        for person in &people {
            t.clock.advance(Duration::seconds(1));
            created.push(records::create(&t.ctx, &admin, RecordType::CONTACT, person).await.expect("create"));
        }
        let list = |query: Vec<(String, String)>| {
            let (ctx, admin) = (t.ctx.clone(), admin.clone());
            async move { records::list(&ctx, &admin, RecordType::CONTACT, &query).await.expect("list").items }
        };

        let silvas = list(pairs(&[("filter[last_name][eq]", "Silva")])).await;
        assert_eq!(ids(&silvas), [created[3].id, created[1].id], "newest first by default");

        let example = list(pairs(&[("filter[emails][contains]", "EXAMPLE.org")])).await;
        assert_eq!(ids(&example), [created[4].id, created[2].id, created[1].id]);

        let sao = list(pairs(&[("filter[city][starts_with]", "sÃo")])).await;
        assert_eq!(ids(&sao), [created[5].id, created[1].id]);

        let both = list(pairs(&[("filter[city][starts_with]", "s"), ("filter[emails][contains]", "acme")])).await;
        assert_eq!(ids(&both), [created[0].id]);

        // By last name: nulls where the engine puts them, ties by id.
        let mut by_name = created.clone();
        by_name.sort_by(|a, b| {
            let key = |r: &Record| r.text("last_name").map(str::to_owned);
            match (key(a), key(b)) {
                (Some(x), Some(y)) => x.cmp(&y).then(a.id.cmp(&b.id)),
                (None, None) => a.id.cmp(&b.id),
                (None, Some(_)) if t.backend() == rapport_db::Backend::Sqlite => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) if t.backend() == rapport_db::Backend::Sqlite => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
            }
        });
        let pages = list_all(&t, &admin, RecordType::CONTACT, &[("sort", "last_name"), ("limit", "2")], 3).await;
        assert_eq!(pages.len(), 3);
        assert!(pages.iter().all(|p| p.len() == 2));
        assert_eq!(ids(&pages.concat()), ids(&by_name));

        let mut reversed = by_name.clone();
        reversed.reverse();
        let pages = list_all(&t, &admin, RecordType::CONTACT, &[("sort", "-last_name"), ("limit", "2")], 3).await;
        assert_eq!(ids(&pages.concat()), ids(&reversed));

        let newest_first: Vec<Uuid> = created.iter().rev().map(|r| r.id.0).collect();
        let pages = list_all(&t, &admin, RecordType::CONTACT, &[("sort", "-created_at"), ("limit", "2")], 3).await;
        assert_eq!(pages.len(), 3);
        assert_eq!(ids(&pages.concat()), newest_first);

        // Equal sort values are paged by id.
        let pages = list_all(
            &t,
            &admin,
            RecordType::CONTACT,
            &[("filter[last_name][eq]", "Silva"), ("sort", "last_name"), ("limit", "1")],
            2,
        )
        .await;
        let mut silva_ids = vec![created[1].id, created[3].id];
        silva_ids.sort();
        assert_eq!(ids(&pages.concat()), silva_ids);

        let pages = list_all(&t, &admin, RecordType::CONTACT, &[("sort", "city"), ("limit", "4")], 2).await;
        assert_eq!(pages.concat().len(), 6);
    })
    .await;
}

#[tokio::test]
async fn validation_errors_name_the_field_and_store_nothing() {
    run_on_both_backends("validation", |t| async move {
        let (_, admin) = t.admin().await;
        rapport_db::pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let cases = [
            (RecordType::CONTACT, json!({"first_name": "Ana", "nickname": "Aninha"}), "nickname"),
            (RecordType::CONTACT, json!({"first_name": "Ana", "emails": ["ana@"]}), "emails[0]"),
            (RecordType::CONTACT, json!({"first_name": "Ana", "phones": ["12"]}), "phones[0]"),
            (RecordType::COMPANY, json!({"name": "Acme", "country": "BR", "tax_id": "11.222.333/0001-00"}), "tax_id"),
            (RecordType::DEAL, json!({"name": "Big deal", "amount_minor": 100000}), "currency"),
        ];
        for (record_type, input, field) in cases {
            let fields = validation_fields(records::create(&t.ctx, &admin, record_type, &input).await);
            assert!(
                fields.iter().any(|f| f == field),
                "{record_type} {input}: expected an error on {field}, got {fields:?}"
            );
        }
        // A valid CNPJ passes and is stored as digits.
        let company = records::create(
            &t.ctx,
            &admin,
            RecordType::COMPANY,
            &json!({"name": "Acme", "country": "BR", "tax_id": "11.222.333/0001-81"}),
        )
        .await
        .expect("a valid CNPJ");
        assert_eq!(company.fields["tax_id"], json!("11222333000181"));
        records::delete(&t.ctx, &admin, RecordType::COMPANY, company.id, None).await.expect("delete");

        for table in ["contacts", "deals", "record_keys", "search_rows", "deal_stage_changes"] {
            assert_eq!(t.count(table).await, 0, "{table} is empty");
        }
        assert_eq!(t.count("companies").await, 1);
        // A failed patch changes nothing either.
        let contact =
            records::create(&t.ctx, &admin, RecordType::CONTACT, &json!({"first_name": "Ana"})).await.expect("create");
        let fields = validation_fields(
            records::update(
                &t.ctx,
                &admin,
                RecordType::CONTACT,
                contact.id,
                &json!({"emails": ["x"], "color": 1}),
                None,
            )
            .await,
        );
        assert!(fields.contains(&"emails[0]".to_owned()) && fields.contains(&"color".to_owned()), "{fields:?}");
        assert_eq!(records::get(&t.ctx, &admin, RecordType::CONTACT, contact.id).await.expect("get"), contact);
    })
    .await;
}

#[tokio::test]
async fn stale_version_is_refused_and_changes_nothing() {
    run_on_both_backends("stale version", |t| async move {
        let (_, admin) = t.admin().await;
        let contact =
            records::create(&t.ctx, &admin, RecordType::CONTACT, &json!({"first_name": "Ana"})).await.expect("create");
        let v2 =
            records::update(&t.ctx, &admin, RecordType::CONTACT, contact.id, &json!({"last_name": "Silva"}), Some(1))
                .await
                .expect("update at the current version");
        let stale =
            records::update(&t.ctx, &admin, RecordType::CONTACT, contact.id, &json!({"last_name": "Souza"}), Some(1))
                .await;
        assert!(
            matches!(stale, Err(Error::Domain(DomainError::VersionMismatch { current: 2 }))),
            "expected a version mismatch, got {stale:?}"
        );
        assert_eq!(records::get(&t.ctx, &admin, RecordType::CONTACT, contact.id).await.expect("get"), v2);
        let stale_delete = records::delete(&t.ctx, &admin, RecordType::CONTACT, contact.id, Some(1)).await;
        assert!(matches!(stale_delete, Err(Error::Domain(DomainError::VersionMismatch { current: 2 }))));
        assert_eq!(rapport_db::audit::for_record(t.ctx.db.conn(), contact.id, None, 10).await.expect("audit").len(), 2);
    })
    .await;
}

#[tokio::test]
async fn bulk_create_stores_valid_items_and_reports_invalid_ones_by_index() {
    run_on_both_backends("bulk create", |t| async move {
        let (_, admin) = t.admin().await;
        let bad = [7usize, 500, 999];
        let items: Vec<Value> = (0..1000)
            .map(|i| {
                if bad.contains(&i) {
                    json!({"first_name": format!("Bad {i}"), "emails": ["not an e-mail"]})
                } else {
                    json!({"first_name": format!("Person {i}"), "emails": [format!("person{i}@example.com")], "city": "Recife"})
                }
            })
            .collect();
        let results = records::bulk_create(&t.ctx, &admin, RecordType::CONTACT, &items).await.expect("bulk create");
        assert_eq!(results.len(), 1000);
        let failed: Vec<usize> = results.iter().filter(|r| r.outcome.is_err()).map(|r| r.index).collect();
        assert_eq!(failed, bad);
        for r in results.iter().filter(|r| r.outcome.is_err()) {
            assert!(matches!(&r.outcome, Err(Error::Domain(DomainError::Validation(_)))));
        }
        assert_eq!(t.count("contacts").await, 997);
        assert_eq!(t.count("search_rows").await, 997);
        assert_eq!(t.count("record_keys").await, 997);
        assert_eq!(t.count("audit_log").await, 997);
        let found = rapport_db::search::search(&t.ctx, &admin, "person998", &[], 10).await.expect("search");
        assert_eq!(found.len(), 1);
        let page =
            records::list(&t.ctx, &admin, RecordType::CONTACT, &pairs(&[("filter[city][eq]", "Recife"), ("limit", "200")]))
                .await
                .expect("list");
        assert_eq!(page.items.len(), 200);
        assert!(page.next_cursor.is_some());
    })
    .await;
}

#[tokio::test]
async fn bulk_create_of_contacts_with_many_keys_stays_within_parameter_limits() {
    run_on_both_backends("bulk keys", |t| async move {
        let (_, admin) = t.admin().await;
        let items: Vec<Value> = (0..1000)
            .map(|i| {
                let emails: Vec<String> = (0..10).map(|j| format!("p{i}.{j}@example.com")).collect();
                json!({"first_name": format!("Person {i}"), "emails": emails})
            })
            .collect();
        let results = records::bulk_create(&t.ctx, &admin, RecordType::CONTACT, &items).await.expect("bulk create");
        assert!(results.iter().all(|r| r.outcome.is_ok()));
        assert_eq!(t.count("record_keys").await, 10_000);
    })
    .await;
}
