use rapport_core::access::Role;
use rapport_db::idempotency::{Claim, Completion, claim, complete, release};
use rapport_db::records::create_idempotent;
use serde_json::json;

use crate::common::run_on_both_backends;

#[tokio::test]
async fn idempotency_keys_replay_the_first_answer() {
    run_on_both_backends("idempotency", |t| async move {
        let (user, _) = t.user("Client", Role::Member).await;
        let (other, _) = t.user("Other", Role::Member).await;
        assert_eq!(claim(&t.ctx, user.id, "key-1", "hash-a").await.expect("claim"), Claim::New);
        assert_eq!(claim(&t.ctx, user.id, "key-1", "hash-a").await.expect("claim"), Claim::InProgress);
        let body = json!({"id": "123", "name": "Ana", "nested": {"list": [1, 2]}});
        complete(&t.ctx, user.id, "key-1", 201, &body).await.expect("complete");
        assert_eq!(
            claim(&t.ctx, user.id, "key-1", "hash-a").await.expect("claim"),
            Claim::Replay { status: 201, body: body.clone() }
        );
        assert_eq!(claim(&t.ctx, user.id, "key-1", "hash-b").await.expect("claim"), Claim::Mismatch);
        // Keys belong to one user.
        assert_eq!(claim(&t.ctx, other.id, "key-1", "hash-b").await.expect("claim"), Claim::New);
        // A released key can be used again.
        release(&t.ctx, other.id, "key-1").await.expect("release");
        assert_eq!(claim(&t.ctx, other.id, "key-1", "hash-c").await.expect("claim"), Claim::New);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_of_one_key_let_exactly_one_request_run() {
    run_on_both_backends("idempotency race", |t| async move {
        let (user, _) = t.user("Racer", Role::Member).await;
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let ctx = t.ctx.clone();
            tasks.push(tokio::spawn(async move { claim(&ctx, user.id, "same-key", "same-hash").await }));
        }
        let mut claims = Vec::new();
        for task in tasks {
            claims.push(task.await.expect("join").expect("claim"));
        }
        assert_eq!(claims.iter().filter(|c| **c == Claim::New).count(), 1, "{claims:?}");
        assert!(claims.iter().all(|c| matches!(c, Claim::New | Claim::InProgress)), "{claims:?}");
    })
    .await;
}

/// The answer to an `Idempotency-Key` is stored in the write's own
/// transaction: when storing it fails, the write is undone with it, so no
/// record can exist whose retry would create a second one.
#[tokio::test]
async fn a_write_commits_only_together_with_its_idempotent_answer() {
    run_on_both_backends("idempotent completion", |t| async move {
        let (admin_user, admin) = t.admin().await;
        let render = |record: &rapport_db::records::Record| (201, record.to_json());
        let input = json!({"first_name": "Ana", "emails": ["ana@example.com"]});
        let contact = rapport_core::schema::RecordType::CONTACT;

        // The completion step fails (the key was never claimed): nothing is written.
        let unclaimed = Completion { user_id: admin_user.id, key: "never-claimed", render: &render };
        let failed = create_idempotent(&t.ctx, &admin, contact, &input, Some(&unclaimed)).await;
        assert!(failed.is_err(), "{failed:?}");
        assert_eq!((t.count("contacts").await, t.count("search_rows").await, t.count("audit_log").await), (0, 0, 0));

        // Claimed: the record and its answer commit together, and a retry replays it.
        assert_eq!(claim(&t.ctx, admin_user.id, "key-2", "hash").await.expect("claim"), Claim::New);
        let completion = Completion { user_id: admin_user.id, key: "key-2", render: &render };
        let created =
            create_idempotent(&t.ctx, &admin, contact, &input, Some(&completion)).await.expect("create with a key");
        assert_eq!(
            claim(&t.ctx, admin_user.id, "key-2", "hash").await.expect("claim"),
            Claim::Replay { status: 201, body: created.to_json() }
        );
        // A second run under an answered key fails whole, leaving one contact.
        let again = create_idempotent(&t.ctx, &admin, contact, &input, Some(&completion)).await;
        assert!(again.is_err(), "{again:?}");
        assert_eq!(t.count("contacts").await, 1);
    })
    .await;
}
