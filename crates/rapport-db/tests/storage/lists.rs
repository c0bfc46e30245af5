//! Filters and keyset pages on every kind of column, standard and custom.

use chrono::Duration;
use rapport_core::custom_fields::{CustomFieldDefinition, CustomFieldType};
use rapport_core::schema::RecordType;
use rapport_db::records::{self, Record};
use rapport_db::{pipelines, settings};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{TestCtx, list_all, pairs, run_on_both_backends, validation_fields};

/// List query pairs and the names of the deals they should return.
type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);

fn ids(records: &[Record]) -> Vec<Uuid> {
    records.iter().map(|r| r.id.0).collect()
}

async fn seed_deals(t: &TestCtx, actor: &rapport_core::access::Writer) -> Vec<Record> {
    pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
    let admin = crate::common::as_admin(actor);
    settings::create_custom_field(
        &t.ctx,
        &admin,
        &CustomFieldDefinition {
            record_type: RecordType::DEAL,
            key: "seats".into(),
            label: "Seats".into(),
            field_type: CustomFieldType::Number,
            options: Vec::new(),
            required: false,
        },
    )
    .await
    .expect("a number field");
    settings::create_custom_field(
        &t.ctx,
        &admin,
        &CustomFieldDefinition {
            record_type: RecordType::DEAL,
            key: "region".into(),
            label: "Region".into(),
            field_type: CustomFieldType::Text,
            options: Vec::new(),
            required: false,
        },
    )
    .await
    .expect("a text field");
    settings::create_custom_field(
        &t.ctx,
        &admin,
        &CustomFieldDefinition {
            record_type: RecordType::DEAL,
            key: "strategic".into(),
            label: "Strategic".into(),
            field_type: CustomFieldType::Boolean,
            options: Vec::new(),
            required: false,
        },
    )
    .await
    .expect("a boolean field");
    let inputs = [
        json!({"name": "Alpha", "amount_minor": 5000, "currency": "BRL", "expected_close_date": "2026-05-01", "tags": ["Hot"], "custom": {"seats": 10, "region": "Nordeste", "strategic": true}}),
        json!({"name": "Bravo", "expected_close_date": "2026-04-01", "custom": {"seats": 3, "region": "Sul"}}),
        json!({"name": "Charlie", "amount_minor": 5000, "currency": "USD", "tags": ["cold"], "custom": {"strategic": false}}),
        json!({"name": "Delta", "amount_minor": 120000, "currency": "BRL", "expected_close_date": "2026-05-01", "probability": 90}),
        json!({"name": "Echo", "amount_minor": 0, "currency": "EUR", "custom": {"seats": 25.5}}),
    ];
    let mut out = Vec::new();
    for input in inputs {
        t.clock.advance(Duration::seconds(30));
        out.push(records::create(&t.ctx, actor, RecordType::DEAL, &input).await.expect("create a deal"));
    }
    out
}

#[tokio::test]
async fn filters_work_on_every_kind_of_column() {
    run_on_both_backends("typed filters", |t| async move {
        let (_, admin) = t.admin().await;
        let deals = seed_deals(&t, &admin).await;
        let names = |records: Vec<Record>| {
            let mut names: Vec<String> =
                records.iter().map(|r| r.text("name").unwrap_or_default().to_owned()).collect();
            names.sort();
            names
        };
        let stage_id = deals[0].text("stage_id").expect("a stage").to_owned();
        let cases: Vec<Case> = vec![
            (vec![("filter[amount_minor][gt]", "4999")], vec!["Alpha", "Charlie", "Delta"]),
            (vec![("filter[amount_minor][lt]", "5000.5")], vec!["Alpha", "Charlie", "Echo"]),
            (vec![("filter[amount_minor][eq]", "5000")], vec!["Alpha", "Charlie"]),
            (vec![("filter[amount_minor][ne]", "5000")], vec!["Bravo", "Delta", "Echo"]),
            (vec![("filter[amount_minor][is_empty]", "true")], vec!["Bravo"]),
            (vec![("filter[expected_close_date][gt]", "2026-04-15")], vec!["Alpha", "Delta"]),
            (vec![("filter[expected_close_date][eq]", "2026-04-01")], vec!["Bravo"]),
            (vec![("filter[currency][in]", "BRL,EUR")], vec!["Alpha", "Delta", "Echo"]),
            (vec![("filter[currency][is_empty]", "false"), ("filter[name][contains]", "LT")], vec!["Delta"]),
            (vec![("filter[probability_overridden][eq]", "true")], vec!["Delta"]),
            (vec![("filter[status][eq]", "open")], vec!["Alpha", "Bravo", "Charlie", "Delta", "Echo"]),
            (vec![("filter[stage_id][eq]", stage_id.as_str())], vec!["Alpha", "Bravo", "Charlie", "Delta", "Echo"]),
            (vec![("filter[contact_id][is_empty]", "true"), ("filter[name][starts_with]", "e")], vec!["Echo"]),
            (vec![("filter[tags][contains]", "hot")], vec!["Alpha"]),
            (vec![("filter[tags][is_empty]", "true")], vec!["Bravo", "Delta", "Echo"]),
            (vec![("filter[created_at][gt]", "2026-03-02T09:01:00Z")], vec!["Charlie", "Delta", "Echo"]),
            (vec![("filter[custom.seats][gt]", "5")], vec!["Alpha", "Echo"]),
            (vec![("filter[custom.seats][eq]", "3")], vec!["Bravo"]),
            (vec![("filter[custom.region][starts_with]", "nord")], vec!["Alpha"]),
            (vec![("filter[custom.region][eq]", "Sul")], vec!["Bravo"]),
            (vec![("filter[custom.region][is_empty]", "true")], vec!["Charlie", "Delta", "Echo"]),
            (vec![("filter[custom.strategic][eq]", "true")], vec!["Alpha"]),
            (vec![("filter[custom.strategic][eq]", "false")], vec!["Charlie"]),
        ];
        for (query, expected) in cases {
            let page = records::list(&t.ctx, &admin, RecordType::DEAL, &pairs(&query))
                .await
                .unwrap_or_else(|e| panic!("{query:?}: {e:?}"));
            assert_eq!(names(page.items), expected, "{query:?}");
        }
        let bad = records::list(&t.ctx, &admin, RecordType::DEAL, &pairs(&[("filter[custom.nope][eq]", "1")])).await;
        assert_eq!(validation_fields(bad), ["filter[custom.nope][eq]"]);

        // Custom values are validated and kept.
        let fields = validation_fields(
            records::create(&t.ctx, &admin, RecordType::DEAL, &json!({"name": "X", "custom": {"seats": "many"}})).await,
        );
        assert_eq!(fields, ["custom.seats"]);
        let stored = records::get(&t.ctx, &admin, RecordType::DEAL, deals[0].id).await.expect("get");
        assert_eq!(Value::Object(stored.custom.clone()), json!({"seats": 10, "region": "Nordeste", "strategic": true}));
        assert_eq!(stored, deals[0]);
    })
    .await;
}

/// On SQLite a read by id takes another driver than a list (`sqlite_reader`):
/// both must decode every kind of column, NULLs included, the same way.
#[tokio::test]
async fn a_record_read_by_id_equals_the_same_record_in_a_list() {
    run_on_both_backends("reads by id and by list", |t| async move {
        let (_, admin) = t.admin().await;
        let mut created = seed_deals(&t, &admin).await;
        let company = records::create(&t.ctx, &admin, RecordType::COMPANY, &json!({"name": "Acme Ltda"}))
            .await
            .expect("create a company");
        let contacts = [
            json!({"first_name": "Inês", "last_name": "Araújo", "emails": ["ines@example.com.br"],
                   "phones": ["+55 11 91234-5678"], "birth_date": "1990-02-28", "company_id": company.id,
                   "country": "BR", "tags": ["vip", "nps-10"]}),
            json!({"first_name": "Solo"}),
        ];
        for input in contacts {
            created.push(records::create(&t.ctx, &admin, RecordType::CONTACT, &input).await.expect("a contact"));
        }
        let task = json!({"kind": "task", "subject": "Ligar", "done": true, "due_at": "2026-03-04T15:30:00.123456Z"});
        created.push(records::create(&t.ctx, &admin, RecordType::ACTIVITY, &task).await.expect("a task"));
        created.push(company);
        for record in &created {
            let by_id = records::get(&t.ctx, &admin, record.record_type, record.id).await.expect("read by id");
            let listed = list_all(&t, &admin, record.record_type, &[("limit", "200")], 1).await.concat();
            let in_list = listed.iter().find(|r| r.id == record.id).expect("the record is listed");
            assert_eq!(&by_id, in_list, "{} {}", record.record_type, record.id);
            assert_eq!(by_id.fields, record.fields, "{} {}", record.record_type, record.id);
        }
        let missing = records::get(&t.ctx, &admin, RecordType::DEAL, rapport_core::ids::RecordId::new()).await;
        assert!(matches!(missing, Err(rapport_db::Error::Domain(rapport_core::DomainError::NotFound { .. }))));
    })
    .await;
}

#[tokio::test]
async fn keyset_pages_match_one_page_on_every_sortable_kind_of_column() {
    run_on_both_backends("keyset sorts", |t| async move {
        let (_, admin) = t.admin().await;
        let (other, _) = t.user("Other", rapport_core::access::Role::Member).await;
        let deals = seed_deals(&t, &admin).await;
        records::update(
            &t.ctx,
            &admin,
            RecordType::DEAL,
            deals[1].id,
            &json!({"owner_id": other.id.to_string()}),
            None,
        )
        .await
        .expect("reassign");
        for sort in [
            "amount_minor",
            "-amount_minor",
            "expected_close_date",
            "-expected_close_date",
            "currency",
            "-currency",
            "probability_overridden",
            "-probability_overridden",
            "closed_at",
            "-closed_at",
            "owner_id",
            "-owner_id",
            "updated_at",
            "-updated_at",
            "created_at",
            "id",
            "-id",
            "name",
        ] {
            let whole = records::list(&t.ctx, &admin, RecordType::DEAL, &pairs(&[("sort", sort)]))
                .await
                .unwrap_or_else(|e| panic!("sort {sort}: {e:?}"));
            assert_eq!(whole.items.len(), 5, "sort {sort}");
            assert!(whole.next_cursor.is_none());
            for limit in ["1", "2"] {
                let pages = list_all(&t, &admin, RecordType::DEAL, &[("sort", sort), ("limit", limit)], 5).await;
                assert_eq!(ids(&pages.concat()), ids(&whole.items), "sort {sort}, limit {limit}");
            }
        }
        let unsortable = records::list(&t.ctx, &admin, RecordType::DEAL, &pairs(&[("sort", "tags")])).await;
        assert_eq!(validation_fields(unsortable), ["sort"]);
    })
    .await;
}

#[tokio::test]
async fn pages_are_the_same_when_statistics_steer_the_plan() {
    run_on_both_backends("lists with statistics", |t| async move {
        let (_, admin) = t.admin().await;
        let names = ["Souza", "Alves", "Lima", "Costa", "Rocha", "Dias"];
        let items: Vec<Value> = (0..120)
            .map(|i| {
                let country = if i % 3 == 0 { "AR" } else { "BR" };
                json!({"first_name": format!("P{i}"), "last_name": names[i % names.len()], "country": country})
            })
            .collect();
        records::bulk_create(&t.ctx, &admin, RecordType::CONTACT, &items).await.expect("bulk create");
        let query = [("filter[country][eq]", "BR"), ("sort", "last_name"), ("limit", "7")];
        let before: Vec<Uuid> =
            list_all(&t, &admin, RecordType::CONTACT, &query, 20).await.concat().iter().map(|r| r.id.0).collect();
        // With statistics, SQLite walks the last-name index instead of sorting the country's rows.
        rapport_db::backend::refresh_statistics(&t.ctx.db).await.expect("analyze");
        let pages = list_all(&t, &admin, RecordType::CONTACT, &query, 20).await;
        let after: Vec<Uuid> = pages.concat().iter().map(|r| r.id.0).collect();
        assert_eq!(after, before);
        assert_eq!(after.len(), 80);
        let all = pages.concat();
        assert!(all.iter().all(|r| r.fields["country"] == "BR"));
        assert!(all.windows(2).all(|w| (w[0].text("last_name"), w[0].id) < (w[1].text("last_name"), w[1].id)));
    })
    .await;
}
