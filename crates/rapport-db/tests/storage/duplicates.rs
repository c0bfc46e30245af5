use rapport_core::DomainError;
use rapport_core::access::Role;
use rapport_core::duplicates::Reason;
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_db::Error;
use rapport_db::records::{self, MergeInput};
use serde_json::json;

use crate::common::run_on_both_backends;

#[tokio::test]
async fn dup_lookup_finds_same_email_phone_tax_id_and_similar_names_with_reasons() {
    run_on_both_backends("dup lookup", |t| async move {
        let (_, admin) = t.admin().await;
        let pao = records::create(&t.ctx, &admin, RecordType::COMPANY, &json!({"name": "Grupo Pão de Açúcar"}))
            .await
            .expect("company");
        let taxed = records::create(
            &t.ctx,
            &admin,
            RecordType::COMPANY,
            &json!({"name": "Acme Indústria", "tax_id": "11.222.333/0001-81"}),
        )
        .await
        .expect("company");
        // A draft with the legal suffix and no accents finds the first;
        // one with the same tax id typed with digits only finds the second.
        let draft = json!({"name": "Grupo Pao de Acucar S.A."});
        let found = records::check_draft(&t.ctx, &admin, RecordType::COMPANY, &draft).await.expect("check");
        assert_eq!(found.iter().map(|c| (c.id, c.reasons.clone())).collect::<Vec<_>>(), [(pao.id, vec![Reason::Name])]);
        let draft = json!({"name": "Zeta", "tax_id": "11222333000181"});
        let found = records::check_draft(&t.ctx, &admin, RecordType::COMPANY, &draft).await.expect("check");
        assert_eq!(found.iter().map(|c| (c.id, c.score)).collect::<Vec<_>>(), [(taxed.id, 100)]);

        // People: same e-mail, same phone however typed, similar name in the same company.
        let ana = t.contact(&admin, json!({"first_name": "Ana", "emails": ["ana@acme.com"]})).await;
        let phone = t.contact(&admin, json!({"first_name": "Bia", "phones": ["+55 11 98765-4321"]})).await;
        let jose = t
            .contact(&admin, json!({"first_name": "José", "last_name": "Ávila", "company_id": taxed.id.0.to_string()}))
            .await;
        t.contact(&admin, json!({"first_name": "José", "last_name": "Ávila"})).await;
        let draft = json!({
            "first_name": "Jose", "last_name": "Avila", "company_id": taxed.id.0.to_string(),
            "emails": ["ANA@acme.com"], "phones": ["(11) 98765-4321"],
        });
        let found = records::check_draft(&t.ctx, &admin, RecordType::CONTACT, &draft).await.expect("check");
        let got: Vec<(RecordId, Vec<Reason>)> = found.iter().map(|c| (c.id, c.reasons.clone())).collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got.contains(&(ana, vec![Reason::Email])));
        assert!(got.contains(&(phone, vec![Reason::Phone])));
        assert!(got.contains(&(jose, vec![Reason::Name])));
        assert_eq!(found[0].score, 100);

        // A stored record's duplicates leave itself out.
        let of_jose = records::duplicates_of(&t.ctx, &admin, RecordType::CONTACT, jose).await.expect("dups");
        assert!(of_jose.is_empty(), "{of_jose:?}");
    })
    .await;
}

#[tokio::test]
async fn dup_scan_lists_pairs_once_and_a_dismissed_pair_stays_away() {
    run_on_both_backends("dup scan", |t| async move {
        let (_, admin) = t.admin().await;
        let a = t.contact(&admin, json!({"first_name": "Ana", "emails": ["ana@x.com"]})).await;
        let b = t.contact(&admin, json!({"first_name": "Ana S.", "emails": ["ana@x.com"]})).await;
        let c = t.contact(&admin, json!({"first_name": "Carla", "phones": ["+5511987654321"]})).await;
        let d = t.contact(&admin, json!({"first_name": "Carla", "phones": ["+5511987654321"]})).await;
        t.contact(&admin, json!({"first_name": "Other", "emails": ["other@x.com"]})).await;
        let summary = records::scan_duplicates(&t.ctx, RecordType::CONTACT).await.expect("scan");
        assert_eq!((summary.records, summary.pairs), (5, 2));
        let page = records::duplicate_review_list(&t.ctx, &admin, RecordType::CONTACT, None, 1).await.expect("list");
        assert_eq!(page.items.len(), 1);
        assert_eq!((page.items[0].record.id, page.items[0].other.id, page.items[0].score), (a, b, 100));
        let next = page.next_cursor.expect("a second page");
        let page =
            records::duplicate_review_list(&t.ctx, &admin, RecordType::CONTACT, Some(&next), 1).await.expect("list");
        assert_eq!((page.items[0].record.id, page.items[0].other.id), (c, d));
        assert!(page.next_cursor.is_none());

        records::dismiss_duplicate(&t.ctx, &admin, RecordType::CONTACT, d, c).await.expect("dismiss");
        // Scanning again does not bring it back, and the panel leaves it out.
        records::scan_duplicates(&t.ctx, RecordType::CONTACT).await.expect("scan again");
        let page = records::duplicate_review_list(&t.ctx, &admin, RecordType::CONTACT, None, 50).await.expect("list");
        assert_eq!(page.items.iter().map(|p| p.record.id).collect::<Vec<_>>(), [a]);
        assert!(records::duplicates_of(&t.ctx, &admin, RecordType::CONTACT, c).await.expect("dups").is_empty());

        // A member who sees neither record of a pair does not see it.
        let (_, member) = t.user("Member", Role::Member).await;
        let mut config = rapport_db::settings::load(t.ctx.db.conn()).await.expect("settings");
        config.visibility.insert(RecordType::CONTACT, rapport_core::access::Visibility::Private);
        rapport_db::settings::save(&t.ctx, &crate::common::as_admin(&admin), &config).await.expect("save settings");
        let page = records::duplicate_review_list(&t.ctx, &member, RecordType::CONTACT, None, 50).await.expect("list");
        assert!(page.items.is_empty());
    })
    .await;
}

#[tokio::test]
async fn dup_merge_moves_every_reference_trashes_the_merged_and_undo_puts_it_all_back() {
    run_on_both_backends("dup merge", |t| async move {
        let (_, admin) = t.admin().await;
        rapport_db::pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let company = records::create(&t.ctx, &admin, RecordType::COMPANY, &json!({"name": "Acme"})).await.expect("c");
        let survivor = t
            .contact(&admin, json!({"first_name": "Ana", "job_title": "Buyer", "emails": ["ana@acme.com"], "tags": ["vip"]}))
            .await;
        let merged = t
            .contact(
                &admin,
                json!({"first_name": "Anna", "last_name": "Souza", "job_title": "CEO", "emails": ["ana.souza@acme.com"],
                       "company_id": company.id.0.to_string(), "tags": ["lead"]}),
            )
            .await;
        let deal = records::create(
            &t.ctx,
            &admin,
            RecordType::DEAL,
            &json!({"name": "Acme deal", "contact_id": merged.0.to_string()}),
        )
        .await
        .expect("deal");
        let note = records::create(
            &t.ctx,
            &admin,
            RecordType::ACTIVITY,
            &json!({"kind": "note", "subject": "Called", "done": true, "related": [{"type": "contact", "id": merged.0}]}),
        )
        .await
        .expect("note");

        let input = MergeInput {
            survivor_id: survivor,
            merged_ids: vec![merged],
            fields: std::collections::BTreeMap::from([("job_title".to_owned(), merged)]),
        };
        let result = records::merge(&t.ctx, &admin, RecordType::CONTACT, &input).await.expect("merge");
        assert_eq!(result.moved, 2);
        let fields = &result.survivor.fields;
        assert_eq!(fields["job_title"], json!("CEO"));
        assert_eq!(fields["last_name"], json!("Souza"), "a blank takes the merged value");
        assert_eq!(fields["first_name"], json!("Ana"));
        assert_eq!(fields["emails"], json!(["ana@acme.com", "ana.souza@acme.com"]));
        assert_eq!(fields["company_id"], json!(company.id.0.to_string()));
        assert_eq!(result.survivor.tags, ["vip", "lead"]);
        let deal_now = records::get(&t.ctx, &admin, RecordType::DEAL, deal.id).await.expect("deal");
        assert_eq!(deal_now.fields["contact_id"], json!(survivor.0.to_string()));
        let note_now = records::get(&t.ctx, &admin, RecordType::ACTIVITY, note.id).await.expect("note");
        assert_eq!(note_now.fields["related"][0]["id"], json!(survivor.0.to_string()));
        let gone = records::get(&t.ctx, &admin, RecordType::CONTACT, merged).await;
        assert!(matches!(gone, Err(Error::Domain(DomainError::NotFound { .. }))));
        let pointer = records::merged_into(&t.ctx, merged).await.expect("pointer").expect("merged");
        assert_eq!((pointer.survivor_id, pointer.merge_id, pointer.undone), (survivor, result.merge_id, false));
        assert_eq!(t.count_where("audit_log", "action", "merge").await, 2);
        // The survivor is found by the merged one's e-mail now.
        let draft = json!({"emails": ["ana.souza@acme.com"]});
        let found = records::check_draft(&t.ctx, &admin, RecordType::CONTACT, &draft).await.expect("check");
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [survivor]);

        let back = records::undo_merge(&t.ctx, &admin, result.merge_id).await.expect("undo");
        assert_eq!(back.fields["job_title"], json!("Buyer"));
        assert_eq!(back.fields["last_name"], json!(null));
        assert_eq!(back.fields["emails"], json!(["ana@acme.com"]));
        assert_eq!(back.tags, ["vip"]);
        let restored = records::get(&t.ctx, &admin, RecordType::CONTACT, merged).await.expect("restored");
        assert_eq!(restored.fields["job_title"], json!("CEO"));
        let deal_now = records::get(&t.ctx, &admin, RecordType::DEAL, deal.id).await.expect("deal");
        assert_eq!(deal_now.fields["contact_id"], json!(merged.0.to_string()));
        let note_now = records::get(&t.ctx, &admin, RecordType::ACTIVITY, note.id).await.expect("note");
        assert_eq!(note_now.fields["related"][0]["id"], json!(merged.0.to_string()));
        let again = records::undo_merge(&t.ctx, &admin, result.merge_id).await;
        assert!(matches!(again, Err(Error::Domain(DomainError::Conflict { code: "already_undone", .. }))));
    })
    .await;
}

#[tokio::test]
async fn dup_merge_needs_the_right_to_edit_both_records() {
    run_on_both_backends("dup merge rights", |t| async move {
        let (_, admin) = t.admin().await;
        let (member_user, _) = t.user("Member", Role::Member).await;
        let member = t.writer(member_user.id).await;
        let theirs = t.contact(&member, json!({"first_name": "Ana", "emails": ["ana@x.com"]})).await;
        let admins = t.contact(&admin, json!({"first_name": "Ana", "emails": ["ana@x.com"]})).await;
        // A member may not merge away (delete) a record someone else owns.
        let input = MergeInput { survivor_id: theirs, merged_ids: vec![admins], fields: Default::default() };
        let refused = records::merge(&t.ctx, &member, RecordType::CONTACT, &input).await;
        assert!(matches!(refused, Err(Error::Domain(DomainError::Forbidden(_)))), "{refused:?}");
        let input = MergeInput { survivor_id: theirs, merged_ids: vec![theirs], fields: Default::default() };
        assert!(records::merge(&t.ctx, &admin, RecordType::CONTACT, &input).await.is_err());
        assert!(records::get(&t.ctx, &admin, RecordType::CONTACT, admins).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn dup_blocking_keys_are_backfilled_when_migration_14_runs_on_an_older_database() {
    run_on_both_backends("dup backfill", |t| async move {
        let (_, admin) = t.admin().await;
        let acme = records::create(
            &t.ctx,
            &admin,
            RecordType::COMPANY,
            &json!({"name": "Acme Ltda", "tax_id": "12.345.678/0001-95"}),
        )
        .await
        .expect("company");
        // As a database at version 13 had it: no blocking keys, no new tables.
        let conn = t.ctx.db.conn();
        use rapport_db::ConnectionTrait;
        for sql in [
            "DELETE FROM record_keys WHERE kind IN ('tax_id', 'name_block')",
            "DELETE FROM schema_migrations WHERE version = 14",
            "DROP TABLE duplicate_pairs",
            "DROP TABLE merged_records",
            "DROP TABLE merges",
        ] {
            conn.execute_unprepared(sql).await.expect(sql);
        }
        assert_eq!(t.count_where("record_keys", "kind", "tax_id").await, 0);
        let db = rapport_db::Database::open(&t.url).await.expect("open and migrate");
        db.close().await.expect("close");
        assert_eq!(t.count_where("record_keys", "kind", "tax_id").await, 1);
        let draft = json!({"name": "ACME"});
        let found = records::check_draft(&t.ctx, &admin, RecordType::COMPANY, &draft).await.expect("check");
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [acme.id]);
    })
    .await;
}
