//! Saved views, list columns and recently viewed records.

use chrono::Duration;
use rapport_core::DomainError;
use rapport_core::access::Role;
use rapport_core::schema::RecordType;
use rapport_core::views::ViewInput;
use rapport_db::{Error, views};
use serde_json::json;

use crate::common::{run_on_both_backends, validation_fields};

fn input(name: &str, query: &str, shared: bool) -> ViewInput {
    ViewInput { name: name.into(), query: query.into(), columns: vec!["city".into()], shared }
}

#[tokio::test]
async fn views_are_their_owners_unless_shared_and_only_the_owner_changes_them() {
    run_on_both_backends("saved views", |t| async move {
        let (_, ana) = t.user("Ana", Role::Member).await;
        let (_, beto) = t.user("Beto", Role::Member).await;
        let (_, admin) = t.admin().await;
        let mine = views::create(&t.ctx, &ana, RecordType::CONTACT, &input("Mine", "sort=-created_at", false))
            .await
            .expect("a private view");
        let shared = views::create(
            &t.ctx,
            &ana,
            RecordType::CONTACT,
            &input("Curitiba", "filter[city][eq]=Curitiba&cursor=00", true),
        )
        .await
        .expect("a shared view");
        assert_eq!(shared.query, "filter%5Bcity%5D%5Beq%5D=Curitiba", "kept without its page");
        let names = |list: Vec<views::SavedView>| list.into_iter().map(|v| v.name).collect::<Vec<_>>();
        assert_eq!(names(views::list(&t.ctx, &ana, RecordType::CONTACT).await.unwrap()), ["Curitiba", "Mine"]);
        assert_eq!(names(views::list(&t.ctx, &beto, RecordType::CONTACT).await.unwrap()), ["Curitiba"]);
        assert!(views::list(&t.ctx, &ana, RecordType::DEAL).await.unwrap().is_empty());

        let not_found = views::get(&t.ctx, &beto, mine.id).await;
        assert!(matches!(not_found, Err(Error::Domain(DomainError::NotFound { .. }))), "{not_found:?}");
        let refused = views::delete(&t.ctx, &beto, shared.id).await;
        assert!(matches!(refused, Err(Error::Domain(DomainError::Forbidden(_)))), "{refused:?}");
        let renamed = views::update(&t.ctx, &admin, shared.id, &input("Curitibanos", "sort=last_name", true))
            .await
            .expect("an administrator changes it");
        assert_eq!((renamed.name.as_str(), renamed.query.as_str()), ("Curitibanos", "sort=last_name"));
        views::delete(&t.ctx, &ana, shared.id).await.expect("the owner deletes it");
        assert_eq!(names(views::list(&t.ctx, &beto, RecordType::CONTACT).await.unwrap()), Vec::<String>::new());

        let bad = views::create(&t.ctx, &ana, RecordType::CONTACT, &input(" ", "filter[wings][eq]=2", false)).await;
        assert_eq!(validation_fields(bad), ["name", "query"]);
    })
    .await;
}

#[tokio::test]
async fn list_columns_and_recent_records_are_kept_per_user() {
    run_on_both_backends("list columns and recent records", |t| async move {
        let (ana_user, ana) = t.user("Ana", Role::Member).await;
        let (_, beto) = t.user("Beto", Role::Member).await;
        let ana_writer = t.writer(ana_user.id).await;
        assert_eq!(views::columns(&t.ctx, &ana, RecordType::CONTACT).await.unwrap(), None);
        let kept =
            views::set_columns(&t.ctx, &ana, RecordType::CONTACT, &["city".into(), "city".into(), "created_at".into()])
                .await
                .unwrap();
        assert_eq!(kept, ["city", "created_at"]);
        views::set_columns(&t.ctx, &ana, RecordType::CONTACT, &["job_title".into()]).await.unwrap();
        assert_eq!(views::columns(&t.ctx, &ana, RecordType::CONTACT).await.unwrap(), Some(vec!["job_title".into()]));
        assert_eq!(views::columns(&t.ctx, &beto, RecordType::CONTACT).await.unwrap(), None);
        let unknown = views::set_columns(&t.ctx, &ana, RecordType::CONTACT, &["wings".into()]).await;
        assert_eq!(validation_fields(unknown), ["columns"]);
        views::set_columns(&t.ctx, &ana, RecordType::CONTACT, &[]).await.unwrap();
        assert_eq!(views::columns(&t.ctx, &ana, RecordType::CONTACT).await.unwrap(), None);

        let mut ids = Vec::new();
        for i in 0..(views::RECENT_KEPT + 3) {
            let id = t.contact(&ana_writer, json!({"first_name": format!("Contato {i}")})).await;
            t.clock.advance(Duration::seconds(1));
            views::record_visit(&t.ctx, &ana, RecordType::CONTACT, id.0).await.unwrap();
            ids.push(id.0);
        }
        t.clock.advance(Duration::seconds(1));
        // Opening an earlier one again brings it to the top without a second entry.
        views::record_visit(&t.ctx, &ana, RecordType::CONTACT, ids[5]).await.unwrap();
        let recent = views::recent(&t.ctx, &ana, 100).await.unwrap();
        assert_eq!(recent.len() as u64, views::RECENT_KEPT);
        assert_eq!(recent[0], (RecordType::CONTACT, ids[5]));
        assert_eq!(recent[1].1, *ids.last().unwrap());
        assert!(!recent.iter().any(|(_, id)| *id == ids[0]), "the oldest fell off");
        assert!(views::recent(&t.ctx, &beto, 10).await.unwrap().is_empty());
    })
    .await;
}
