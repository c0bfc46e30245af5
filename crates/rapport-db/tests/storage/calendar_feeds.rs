use rapport_core::access::{AccountHolder, Role};
use rapport_core::schema::RecordType;
use rapport_db::{calendar_feeds, records};
use serde_json::json;

use crate::common::run_on_both_backends;

#[tokio::test]
async fn a_calendar_feed_holds_the_users_timed_activities_until_reset_or_turned_off() {
    run_on_both_backends("calendar feed", |t| async move {
        let (user, actor) = t.user("Ana Vendas", Role::Member).await;
        let writer = t.writer(user.id).await;
        let holder = AccountHolder::try_from(actor).expect("an account holder");
        let (other, _) = t.user("Beto", Role::Member).await;
        let other_writer = t.writer(other.id).await;
        let at = |days: i64| (t.now() + chrono::Duration::days(days)).to_rfc3339();
        for (who, input) in [
            (&writer, json!({"kind": "meeting", "subject": "Visita", "starts_at": at(1)})),
            (&writer, json!({"kind": "task", "subject": "Proposta", "due_at": at(2)})),
            (&writer, json!({"kind": "task", "subject": "Long ago", "due_at": at(-400)})),
            (&writer, json!({"kind": "note", "body": "no time"})),
            (&other_writer, json!({"kind": "task", "subject": "Not hers", "due_at": at(1)})),
        ] {
            records::create(&t.ctx, who, RecordType::ACTIVITY, &input).await.expect("activity");
        }
        assert_eq!(calendar_feeds::status(&t.ctx, user.id).await.expect("status"), None);
        let token = calendar_feeds::create(&t.ctx, &holder).await.expect("create");
        assert!(token.len() >= 40, "a long random token");
        assert!(calendar_feeds::status(&t.ctx, user.id).await.expect("status").is_some());
        assert_eq!(t.count_where("calendar_feeds", "token_hash", token.clone()).await, 0, "stored hashed");

        let (owner, activities) = calendar_feeds::feed(&t.ctx, &token).await.expect("feed").expect("a feed");
        assert_eq!(owner.id, user.id);
        let mut subjects: Vec<&str> = activities.iter().filter_map(|a| a.text("subject")).collect();
        subjects.sort_unstable();
        assert_eq!(subjects, ["Proposta", "Visita"]);

        let reset = calendar_feeds::create(&t.ctx, &holder).await.expect("reset");
        assert!(calendar_feeds::feed(&t.ctx, &token).await.expect("old").is_none(), "the old link stops working");
        assert!(calendar_feeds::feed(&t.ctx, &reset).await.expect("new").is_some());
        calendar_feeds::turn_off(&t.ctx, &holder).await.expect("off");
        assert!(calendar_feeds::feed(&t.ctx, &reset).await.expect("off").is_none());
        assert!(calendar_feeds::feed(&t.ctx, "").await.expect("empty").is_none());
    })
    .await;
}
