use chrono::Duration;
use rapport_core::access::Role;
use rapport_core::schema::RecordType;
use rapport_db::{notifications, records};
use serde_json::json;

use crate::common::run_on_both_backends;

#[tokio::test]
async fn a_reminder_notifies_the_owner_once_when_due() {
    run_on_both_backends("reminders", |t| async move {
        let (owner, _) = t.user("Owner", Role::Member).await;
        let actor = t.writer(owner.id).await;
        let reminder_at = t.now() + Duration::hours(2);
        let activity = records::create(
            &t.ctx,
            &actor,
            RecordType::ACTIVITY,
            &json!({"kind": "call", "subject": "Call back Ana", "reminder_at": reminder_at.to_rfc3339()}),
        )
        .await
        .expect("create an activity");

        assert_eq!(notifications::run_due_jobs(&t.ctx, 100).await.expect("run jobs"), 0);
        t.clock.advance(Duration::minutes(119));
        assert_eq!(notifications::run_due_jobs(&t.ctx, 100).await.expect("run jobs"), 0);
        assert!(
            notifications::for_user(&t.ctx, owner.id, false, None, 10).await.expect("notifications").items.is_empty()
        );

        t.clock.advance(Duration::minutes(2));
        assert_eq!(notifications::run_due_jobs(&t.ctx, 100).await.expect("run jobs"), 1);
        let got = notifications::for_user(&t.ctx, owner.id, false, None, 10).await.expect("notifications").items;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].kind, "reminder");
        assert_eq!(got[0].record_id, Some(activity.id));
        assert_eq!(got[0].record_type.as_deref(), Some("activity"));
        assert_eq!(got[0].created_at, t.now());

        t.clock.advance(Duration::hours(1));
        assert_eq!(notifications::run_due_jobs(&t.ctx, 100).await.expect("run jobs"), 0);
        assert_eq!(
            notifications::for_user(&t.ctx, owner.id, false, None, 10).await.expect("notifications").items.len(),
            1
        );
        let counts = rapport_db::jobs::counts(&t.ctx).await.expect("job counts");
        assert_eq!((counts.pending, counts.failed), (0, 0));

        assert!(notifications::mark_read(&t.ctx, owner.id, got[0].id).await.expect("mark read"));
        assert!(notifications::for_user(&t.ctx, owner.id, true, None, 10).await.expect("unread").items.is_empty());

        // Moving the reminder schedules a new one; editing something else does not.
        let moved_to = t.now() + Duration::hours(1);
        records::update(
            &t.ctx,
            &actor,
            RecordType::ACTIVITY,
            activity.id,
            &json!({"reminder_at": moved_to.to_rfc3339()}),
            None,
        )
        .await
        .expect("move the reminder");
        records::update(&t.ctx, &actor, RecordType::ACTIVITY, activity.id, &json!({"outcome": "no answer"}), None)
            .await
            .expect("edit");
        t.clock.advance(Duration::hours(2));
        assert_eq!(notifications::run_due_jobs(&t.ctx, 100).await.expect("run jobs"), 1);
        assert_eq!(
            notifications::for_user(&t.ctx, owner.id, false, None, 10).await.expect("notifications").items.len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn assigning_a_lead_to_someone_else_notifies_them() {
    run_on_both_backends("lead assigned", |t| async move {
        let (_, admin) = t.admin().await;
        let (seller, _) = t.user("Seller", Role::Member).await;
        let seller_actor = t.writer(seller.id).await;
        let lead = records::create(
            &t.ctx,
            &admin,
            RecordType::LEAD,
            &json!({"first_name": "Rita", "company_name": "Rita Doces", "owner_id": seller.id.to_string()}),
        )
        .await
        .expect("create a lead");
        assert_eq!(lead.owner_id, Some(seller.id.0));
        // A lead one creates for oneself notifies nobody.
        records::create(&t.ctx, &seller_actor, RecordType::LEAD, &json!({"company_name": "Own lead"}))
            .await
            .expect("own lead");

        assert_eq!(notifications::run_due_jobs(&t.ctx, 100).await.expect("run jobs"), 1);
        let got = notifications::for_user(&t.ctx, seller.id, false, None, 10).await.expect("notifications").items;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].kind, "lead_assigned");
        assert_eq!(got[0].record_id, Some(lead.id));
        assert_eq!(notifications::run_due_jobs(&t.ctx, 100).await.expect("run jobs"), 0);
        assert_eq!(
            notifications::for_user(&t.ctx, seller.id, false, None, 10).await.expect("notifications").items.len(),
            1
        );
    })
    .await;
}
