use chrono::Duration;
use rapport_core::schema::RecordType;
use rapport_db::records;
use serde_json::json;

use crate::common::{pairs, run_on_both_backends};

#[tokio::test]
async fn trash_purge_removes_records_deleted_before_the_retention() {
    run_on_both_backends("trash purge", |t| async move {
        let (_, admin) = t.admin().await;
        let old =
            records::create(&t.ctx, &admin, RecordType::CONTACT, &json!({"first_name": "Old"})).await.expect("create");
        let recent = records::create(&t.ctx, &admin, RecordType::CONTACT, &json!({"first_name": "Recent"}))
            .await
            .expect("create");
        let kept =
            records::create(&t.ctx, &admin, RecordType::CONTACT, &json!({"first_name": "Kept"})).await.expect("create");
        let note = records::create(
            &t.ctx,
            &admin,
            RecordType::ACTIVITY,
            &json!({"kind": "note", "body": "about Old", "related": [{"type": "contact", "id": old.id}]}),
        )
        .await
        .expect("note");
        records::delete(&t.ctx, &admin, RecordType::CONTACT, old.id, None).await.expect("delete");
        t.clock.advance(Duration::days(20));
        records::delete(&t.ctx, &admin, RecordType::CONTACT, recent.id, None).await.expect("delete");
        t.clock.advance(Duration::days(15));

        let retention = rapport_db::settings::load(t.ctx.db.conn()).await.expect("settings").trash_retention_days;
        let purged = records::purge_trash(&t.ctx.db, t.now() - Duration::days(retention)).await.expect("purge");
        assert_eq!(purged, 1);
        let trash =
            records::list(&t.ctx, &admin, RecordType::CONTACT, &pairs(&[("trash", "true")])).await.expect("trash");
        assert_eq!(trash.items.iter().map(|r| r.id).collect::<Vec<_>>(), [recent.id]);
        assert_eq!(t.count("contacts").await, 2);
        assert!(records::restore(&t.ctx, &admin, RecordType::CONTACT, old.id).await.is_err());
        records::get(&t.ctx, &admin, RecordType::CONTACT, kept.id).await.expect("kept");
        assert_eq!(t.count_where("record_links", "target_id", old.id.0).await, 0);
        let audit = rapport_db::audit::for_record(t.ctx.db.conn(), old.id, None, 10).await.expect("audit");
        assert_eq!(audit[0].action, "purge");
        records::get(&t.ctx, &admin, RecordType::ACTIVITY, note.id).await.expect("the note stays");
        assert_eq!(records::purge_trash(&t.ctx.db, t.now() - Duration::days(retention)).await.expect("purge"), 0);
    })
    .await;
}
