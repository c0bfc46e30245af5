use rapport_core::access::Role;
use rapport_core::schema::RecordType;
use rapport_db::records::{self, ErasedWords};
use serde_json::{Value, json};

use crate::common::{as_admin, run_on_both_backends, validation_fields};

const WORDS: ErasedWords<'static> = ErasedWords { name: "Erased contact", subject: "Erased" };

#[tokio::test]
async fn erasing_a_contact_removes_what_identifies_the_person_and_keeps_the_deals() {
    run_on_both_backends("erase a contact", |t| async move {
        let (_, writer) = t.admin().await;
        let admin = as_admin(&writer);
        rapport_db::pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let contact = records::create(
            &t.ctx,
            &writer,
            RecordType::CONTACT,
            &json!({"first_name": "Joana", "last_name": "Quixadá", "emails": ["joana@example.com.br"],
                "phones": ["+55 11 98765-4321"], "birth_date": "1985-04-03", "street": "Rua Augusta, 1500",
                "city": "São Paulo", "lifecycle_stage": "customer", "tags": ["vip"]}),
        )
        .await
        .expect("contact");
        let contact = records::update(
            &t.ctx,
            &writer,
            RecordType::CONTACT,
            contact.id,
            &json!({"last_name": "Quixadá Lima", "lifecycle_stage": "evangelist"}),
            None,
        )
        .await
        .expect("an edit the audit log keeps");
        let call = records::create(
            &t.ctx,
            &writer,
            RecordType::ACTIVITY,
            &json!({"kind": "call", "subject": "Called Joana about her divorce", "body": "Private matters",
                "related": [{"type": "contact", "id": contact.id}]}),
        )
        .await
        .expect("call");
        records::update(&t.ctx, &writer, RecordType::ACTIVITY, call.id, &json!({"body": "Even more private"}), None)
            .await
            .expect("edit the call");
        let trashed = records::create(
            &t.ctx,
            &writer,
            RecordType::ACTIVITY,
            &json!({"kind": "note", "body": "Joana's private note", "related": [{"type": "contact", "id": contact.id}]}),
        )
        .await
        .expect("a note");
        records::delete(&t.ctx, &writer, RecordType::ACTIVITY, trashed.id, None).await.expect("to the trash");
        let other =
            records::create(&t.ctx, &writer, RecordType::ACTIVITY, &json!({"kind": "note", "body": "Someone else"}))
                .await
                .expect("unrelated note");
        let deal = records::create(
            &t.ctx,
            &writer,
            RecordType::DEAL,
            &json!({"name": "Fleet renewal", "amount_minor": 250_000, "currency": "brl", "contact_id": contact.id}),
        )
        .await
        .expect("deal");

        // The name must be typed as shown.
        let refused = records::erase_contact(&t.ctx, &admin, contact.id, WORDS, Some("Joana")).await;
        assert_eq!(validation_fields(refused), ["confirm_name"]);

        let erasure = records::erase_contact(&t.ctx, &admin, contact.id, WORDS, Some(" joana  QUIXADÁ lima "))
            .await
            .expect("erase");
        assert_eq!(erasure.activities_erased, 2, "the live call and the trashed note");
        assert!(erasure.audit_entries_redacted >= 2, "{erasure:?}");

        let erased = records::get(&t.ctx, &admin, RecordType::CONTACT, contact.id).await.expect("still there");
        assert_eq!(erased.display_name(), "Erased contact");
        assert_eq!(erased.version, erasure.version);
        for field in ["last_name", "emails", "phones", "birth_date", "street", "city"] {
            assert_eq!(erased.fields.get(field), Some(&Value::Null), "{field}");
        }
        assert_eq!(erased.text("lifecycle_stage"), Some("evangelist"));
        assert_eq!(erased.tags, ["vip"]);

        let call = records::get(&t.ctx, &admin, RecordType::ACTIVITY, call.id).await.expect("the call stays");
        assert_eq!(call.text("subject"), Some("Erased"));
        assert_eq!(call.fields.get("body"), Some(&Value::Null));
        records::restore(&t.ctx, &writer, RecordType::ACTIVITY, trashed.id).await.expect("restore the note");
        let restored = records::get(&t.ctx, &admin, RecordType::ACTIVITY, trashed.id).await.expect("restored");
        assert_eq!(restored.fields.get("body"), Some(&Value::Null), "a restored note keeps nothing");
        let other = records::get(&t.ctx, &admin, RecordType::ACTIVITY, other.id).await.expect("other note");
        assert_eq!(other.text("body"), Some("Someone else"));
        let deal = records::get(&t.ctx, &admin, RecordType::DEAL, deal.id).await.expect("the deal stays");
        assert_eq!(deal.fields["amount_minor"], json!(250_000));
        assert_eq!(deal.uuid("contact_id"), Some(contact.id.0));

        assert_eq!(t.count_where("record_keys", "record_id", contact.id.0).await, 0, "no matching keys");
        assert_eq!(t.count_where("search_rows", "record_id", contact.id.0).await, 0, "no search entry");
        for query in ["joana", "joana@example.com.br", "divorce"] {
            let hits = rapport_db::search::search(&t.ctx, &admin, query, &[], 10).await.expect("search");
            assert!(hits.is_empty(), "{query}: {hits:?}");
        }

        // The history says who erased and when, and holds no personal value.
        let audit = rapport_db::audit::for_record(t.ctx.db.conn(), contact.id, None, 50).await.expect("audit");
        assert_eq!(audit[0].action, "erase");
        assert_eq!(audit[0].actor_id, Some(admin.user_id));
        assert_eq!(audit[0].changes, json!([]));
        let mut history = serde_json::to_string(&audit).expect("json");
        let call_audit = rapport_db::audit::for_record(t.ctx.db.conn(), call.id, None, 50).await.expect("audit");
        history.push_str(&serde_json::to_string(&call_audit).expect("json"));
        for secret in ["Joana", "Quixadá", "joana@example", "divorce", "private"] {
            assert!(!history.contains(secret), "{secret} left in {history}");
        }
        assert!(history.contains("evangelist"), "other values stay: {history}");
        let timeline =
            records::timeline(&t.ctx, &admin, RecordType::CONTACT, contact.id, None, 50).await.expect("timeline");
        let timeline = serde_json::to_string(&timeline.items).expect("json");
        assert!(!timeline.contains("Joana") && !timeline.contains("divorce"), "{timeline}");
    })
    .await;
}

#[tokio::test]
async fn only_administrators_erase_and_only_contacts_they_can_find() {
    run_on_both_backends("erase rights", |t| async move {
        let (_, member) = t.user("Member", Role::Member).await;
        assert!(rapport_core::access::Admin::try_from(member).is_err(), "the right itself refuses members");
        let admin = t.admin_right().await;
        let missing = records::erase_contact(&t.ctx, &admin, rapport_core::ids::RecordId::new(), WORDS, None).await;
        assert!(
            matches!(missing, Err(rapport_db::Error::Domain(rapport_core::DomainError::NotFound { .. }))),
            "{missing:?}"
        );
    })
    .await;
}
