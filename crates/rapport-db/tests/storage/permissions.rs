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

/// Giving a record away is its own right: a member cannot take over a
/// teammate's record (and then delete it), nor plant one in another team;
/// the rule holds for creates, updates, bulk updates and imports alike.
#[tokio::test]
async fn members_cannot_take_over_records_or_plant_them_in_another_team() {
    run_on_both_backends("ownership", |t| async move {
        let (_, admin) = t.admin().await;
        let team_a = users::create_team(&t.ctx, &as_admin(&admin), "Team A").await.expect("team A");
        let team_b = users::create_team(&t.ctx, &as_admin(&admin), "Team B").await.expect("team B");
        let (ana, _) = t.user("Ana A", Role::Member).await;
        let (bia, _) = t.user("Bia A", Role::Member).await;
        let (caio, _) = t.user("Caio B", Role::Member).await;
        let (mara, _) = t.user("Mara Manager", Role::Manager).await;
        for (team, user) in [(team_a.id, ana.id), (team_a.id, bia.id), (team_b.id, caio.id), (team_a.id, mara.id)] {
            users::add_member(&t.ctx, &as_admin(&admin), team, user).await.expect("join");
        }
        let (ana_w, bia_w, mara_w) = (t.writer(ana.id).await, t.writer(bia.id).await, t.writer(mara.id).await);
        let owned_by = |owner: &rapport_db::users::User| json!({"first_name": "X", "owner_id": owner.id.to_string()});

        // Bia's record: Ana may edit it, but not take it over, so she cannot delete it either.
        let bias =
            records::create(&t.ctx, &bia_w, RecordType::CONTACT, &json!({"first_name": "Beto"})).await.expect("bia's");
        let take = records::update(&t.ctx, &ana_w, RecordType::CONTACT, bias.id, &owned_by(&ana), None).await;
        assert_eq!(validation_fields(take), ["owner_id"]);
        let delete = records::delete(&t.ctx, &ana_w, RecordType::CONTACT, bias.id, None).await;
        assert!(matches!(delete, Err(Error::Domain(DomainError::Forbidden(_)))), "{delete:?}");
        // Planting: a record created for, or given to, a user of another team.
        let planted = records::create(
            &t.ctx,
            &ana_w,
            RecordType::LEAD,
            &json!({"company_name": "Acme", "owner_id": caio.id.to_string()}),
        )
        .await;
        assert_eq!(validation_fields(planted), ["owner_id"]);
        let anas =
            records::create(&t.ctx, &ana_w, RecordType::CONTACT, &json!({"first_name": "Alice"})).await.expect("ana's");
        let given = records::update(&t.ctx, &ana_w, RecordType::CONTACT, anas.id, &owned_by(&caio), None).await;
        assert_eq!(validation_fields(given), ["owner_id"]);
        let bulk = records::bulk_update(
            &t.ctx,
            &ana_w,
            RecordType::CONTACT,
            &[records::BulkPatch { id: bias.id, version: None, patch: owned_by(&ana) }],
        )
        .await
        .expect("bulk");
        assert!(bulk[0].outcome.is_err(), "a bulk update took over a record");
        let file = format!("first_name,owner_id\nPlanted,{}\nKept,{}\n", caio.id, bia.id);
        let report = records::import_csv(
            &t.ctx,
            &ana_w,
            RecordType::CONTACT,
            std::io::Cursor::new(file.into_bytes()),
            &records::ImportOptions::default(),
        )
        .await
        .expect("import");
        assert_eq!((report.created, report.rejected.iter().map(|r| r.line).collect::<Vec<_>>()), (1, vec![2]));

        // Within her team, to what she owns, she may.
        let shared = records::update(&t.ctx, &ana_w, RecordType::CONTACT, anas.id, &owned_by(&bia), None)
            .await
            .expect("to a teammate");
        assert_eq!(shared.owner_id, Some(bia.id.0));
        // A manager may take over and reassign across teams.
        records::update(&t.ctx, &mara_w, RecordType::CONTACT, bias.id, &owned_by(&caio), None)
            .await
            .expect("a manager reassigns");
    })
    .await;
}

/// An import's report names a matching stored record only when the importer
/// may see it; a private record of another team is not told by its id.
#[tokio::test]
async fn an_import_report_does_not_leak_records_the_importer_cannot_see() {
    run_on_both_backends("import leak", |t| async move {
        let (_, admin) = t.admin().await;
        let mut config = settings::load(t.ctx.db.conn()).await.expect("settings");
        config.visibility.insert(RecordType::CONTACT, Visibility::Private);
        settings::save(&t.ctx, &as_admin(&admin), &config).await.expect("save settings");
        let (ana, _) = t.user("Ana", Role::Member).await;
        let (caio, _) = t.user("Caio", Role::Member).await;
        let (ana_w, caio_w) = (t.writer(ana.id).await, t.writer(caio.id).await);
        let hidden = json!({"first_name": "Secret", "emails": ["secret@example.com"]});
        records::create(&t.ctx, &caio_w, RecordType::CONTACT, &hidden).await.expect("caio's private contact");
        let own = json!({"first_name": "Mine", "emails": ["mine@example.com"]});
        let mine = records::create(&t.ctx, &ana_w, RecordType::CONTACT, &own).await.expect("ana's contact");

        let file = "first_name,emails\nS,secret@example.com\nM,mine@example.com\nN,new@example.com\n";
        let source = std::io::Cursor::new(file.as_bytes().to_vec());
        let report =
            records::import_csv(&t.ctx, &ana_w, RecordType::CONTACT, source, &records::ImportOptions::default())
                .await
                .expect("import");
        assert_eq!(report.created, 1);
        let told: Vec<(u64, Option<rapport_core::ids::RecordId>, bool)> =
            report.duplicates.iter().map(|d| (d.line, d.existing_id, d.in_hidden_record)).collect();
        assert_eq!(told, [(2, None, true), (3, Some(mine.id), false)]);
    })
    .await;
}
