use rapport_core::DomainError;
use rapport_core::access::{Admin, Role, Visibility, Writer};
use rapport_core::schema::RecordType;
use rapport_db::records;
use rapport_db::{Error, settings, users};
use serde_json::json;

use crate::common::{as_admin, run_on_both_backends, validation_fields};

#[tokio::test]
async fn private_records_are_seen_by_owner_team_managers_and_admins_only() {
    run_on_both_backends("permissions", |t| async move {
        let (_, admin) = t.admin().await;
        rapport_db::pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let mut config = settings::load(t.ctx.db.conn()).await.expect("settings");
        config.visibility.insert(RecordType::CONTACT, Visibility::Private);
        settings::save(&t.ctx, &as_admin(&admin), &config).await.expect("save settings");
        assert_eq!(settings::load(t.ctx.db.conn()).await.expect("settings"), config);

        let team_a = users::create_team(&t.ctx, &as_admin(&admin), "Team A").await.expect("team A");
        let team_b = users::create_team(&t.ctx, &as_admin(&admin), "Team B").await.expect("team B");
        let (seller_a, _) = t.user("Seller A", Role::Member).await;
        let (manager_a, _) = t.user("Manager A", Role::Manager).await;
        let (seller_b, _) = t.user("Seller B", Role::Member).await;
        let (viewer, _) = t.user("Viewer", Role::ReadOnly).await;
        users::add_member(&t.ctx, &as_admin(&admin), team_a.id, seller_a.id).await.expect("join A");
        users::add_member(&t.ctx, &as_admin(&admin), team_a.id, manager_a.id).await.expect("join A");
        users::add_member(&t.ctx, &as_admin(&admin), team_b.id, seller_b.id).await.expect("join B");
        let seller_a = t.writer(seller_a.id).await;
        let manager_a = t.writer(manager_a.id).await;
        let seller_b = t.writer(seller_b.id).await;
        let viewer = t.actor(viewer.id).await;
        assert_eq!(seller_a.team_ids, [team_a.id]);

        let contact = records::create(
            &t.ctx,
            &seller_a,
            RecordType::CONTACT,
            &json!({"first_name": "Priscila", "last_name": "Ramos", "emails": ["priscila@ramos.com.br"]}),
        )
        .await
        .expect("create");
        assert_eq!(contact.team_id, Some(team_a.id.0));
        let note = records::create(
            &t.ctx,
            &seller_a,
            RecordType::ACTIVITY,
            &json!({"kind": "note", "body": "Met at the fair", "related": [{"type": "contact", "id": contact.id}]}),
        )
        .await
        .expect("a note on the contact");

        // Team B's member sees nothing of it.
        let hidden = records::get(&t.ctx, &seller_b, RecordType::CONTACT, contact.id).await;
        assert!(matches!(hidden, Err(Error::Domain(DomainError::NotFound { .. }))), "{hidden:?}");
        let listed = records::list(&t.ctx, &seller_b, RecordType::CONTACT, &[]).await.expect("list");
        assert!(listed.items.is_empty());
        let found = rapport_db::search::search(&t.ctx, &seller_b, "priscila", &[], 10).await.expect("search");
        assert!(found.is_empty(), "{found:?}");
        let timeline = records::timeline(&t.ctx, &seller_b, RecordType::CONTACT, contact.id, None, 10).await;
        assert!(matches!(timeline, Err(Error::Domain(DomainError::NotFound { .. }))));
        // Nor can they link to it.
        let linked = records::create(
            &t.ctx,
            &seller_b,
            RecordType::DEAL,
            &json!({"name": "Sneaky", "contact_id": contact.id.to_string()}),
        )
        .await;
        assert_eq!(validation_fields(linked), ["contact_id"]);

        // The owner, team A's manager and the admin do.
        for actor in [&seller_a, &manager_a, &admin] {
            let got = records::get(&t.ctx, actor, RecordType::CONTACT, contact.id).await.expect("visible");
            assert_eq!(got.id, contact.id);
            let listed = records::list(&t.ctx, actor, RecordType::CONTACT, &[]).await.expect("list");
            assert_eq!(listed.items.len(), 1);
            let found = rapport_db::search::search(&t.ctx, actor, "priscila", &[], 10).await.expect("search");
            assert_eq!(found.iter().map(|h| h.id).collect::<Vec<_>>(), [contact.id]);
            let timeline =
                records::timeline(&t.ctx, actor, RecordType::CONTACT, contact.id, None, 10).await.expect("timeline");
            assert!(timeline.items.iter().any(|e| e.kind == "activity" && e.id == note.id), "{timeline:?}");
            assert!(timeline.items.iter().any(|e| e.kind == "change"));
        }

        // Read-only users never get the right to write that every write takes.
        let refused = Writer::try_from(viewer);
        assert!(matches!(refused, Err(DomainError::Forbidden(_))), "{refused:?}");
        assert_eq!(t.count("contacts").await, 1);
        // Only admins get the right to manage teams.
        let refused = Admin::try_from(manager_a.actor().clone());
        assert!(matches!(refused, Err(DomainError::Forbidden(_))));
    })
    .await;
}
