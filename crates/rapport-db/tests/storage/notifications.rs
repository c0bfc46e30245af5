//! Notifications page with a cursor, newest first, however many there are.

use rapport_db::notifications::{self, NewNotification};

use crate::common::run_on_both_backends;

#[tokio::test]
async fn notifications_page_newest_first_with_a_cursor_past_any_cap() {
    run_on_both_backends("notification pages", |t| async move {
        let (admin, _) = t.admin().await;
        for i in 0..5 {
            let note = NewNotification {
                user_id: admin.id,
                kind: "mention",
                title: format!("note {i}"),
                params: Default::default(),
                body: None,
                record: None,
                dedup_key: format!("note:{i}"),
            };
            notifications::insert(t.ctx.db.conn(), note, t.now()).await.expect("insert a notification");
        }
        let mut titles = Vec::new();
        let mut cursor = None;
        loop {
            let page = notifications::for_user(&t.ctx, admin.id, false, cursor.as_deref(), 2).await.expect("a page");
            assert!(page.items.len() <= 2);
            titles.extend(page.items.into_iter().map(|n| n.title));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(titles, ["note 4", "note 3", "note 2", "note 1", "note 0"]);
        let bad = notifications::for_user(&t.ctx, admin.id, false, Some("yesterday"), 2).await;
        assert!(bad.is_err(), "a cursor that is not ours is refused");
    })
    .await;
}
