use chrono::Duration;
use rapport_core::DomainError;
use rapport_core::access::{Role, Scope};
use rapport_core::auth::{LoginThrottle, SessionPolicy};
use rapport_db::users::OnPasswordChange;
use rapport_db::{Error, auth, users};

use crate::common::{as_admin, run_on_both_backends};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn login_throttles_after_repeated_failures() {
    run_on_both_backends("login", |t| async move {
        let (user, _) = t.user("Login User", Role::Member).await;
        let throttle = LoginThrottle::default();
        let ok =
            auth::login(&t.ctx, " Login.User@Rapport.test ", PASSWORD, "10.0.0.1", &throttle).await.expect("login");
        assert_eq!(ok.id, user.id);
        let unknown = auth::login(&t.ctx, "nobody@rapport.test", PASSWORD, "10.0.0.1", &throttle).await;
        assert!(matches!(unknown, Err(Error::Domain(DomainError::Unauthenticated))), "{unknown:?}");
        for _ in 0..5 {
            let wrong = auth::login(&t.ctx, &user.email, "wrong password!", "10.0.0.2", &throttle).await;
            assert!(matches!(wrong, Err(Error::Domain(DomainError::Unauthenticated))), "{wrong:?}");
        }
        let sixth = auth::login(&t.ctx, &user.email, PASSWORD, "10.0.0.2", &throttle).await;
        assert!(matches!(sixth, Err(Error::Domain(DomainError::Throttled { retry_after_secs: 900 }))), "{sixth:?}");
        // Other accounts are not affected; the window passes.
        auth::login(&t.ctx, "admin@rapport.test", "x", "10.0.0.4", &throttle).await.expect_err("no such admin");
        t.clock.advance(Duration::seconds(throttle.window_secs + 1));
        auth::login(&t.ctx, &user.email, PASSWORD, "10.0.0.2", &throttle).await.expect("login after the window");
        let disabled = {
            users::set_disabled(&t.ctx, &t.admin_right().await, user.id, true).await.expect("disable");
            auth::login(&t.ctx, &user.email, PASSWORD, "10.0.0.3", &throttle).await
        };
        assert!(matches!(disabled, Err(Error::Domain(DomainError::Unauthenticated))), "{disabled:?}");
    })
    .await;
}

/// Someone who knows an admin's e-mail cannot keep the admin out: wrong
/// passwords refuse the guesser's address, and from many addresses they
/// slow the account down by seconds, never lock it (before: five wrong
/// passwords from anywhere locked it for everyone for 15 minutes).
#[tokio::test]
async fn a_guesser_cannot_lock_the_owner_out() {
    run_on_both_backends("lockout", |t| async move {
        let (user, _) = t.user("Admin Target", Role::Admin).await;
        let throttle = LoginThrottle::default();
        let login = |password: &'static str, ip: String| {
            let (ctx, email) = (t.ctx.clone(), user.email.clone());
            async move { auth::login(&ctx, &email, password, &ip, &throttle).await }
        };
        login(PASSWORD, "192.0.2.1".into()).await.expect("the owner signs in at the office");
        for _ in 0..5 {
            login("wrong password!", "203.0.113.9".into()).await.expect_err("a guess");
        }
        let guesser = login(PASSWORD, "203.0.113.9".into()).await;
        assert!(matches!(guesser, Err(Error::Domain(DomainError::Throttled { .. }))), "{guesser:?}");
        login(PASSWORD, "198.51.100.7".into()).await.expect("the owner signs in from home");

        // Ten failures from many addresses: each further attempt waits,
        // doubling, for unknown addresses only.
        for i in 0..5 {
            login("wrong password!", format!("203.0.113.{}", 20 + i)).await.expect_err("a guess");
        }
        let waits = login(PASSWORD, "203.0.113.50".into()).await;
        assert!(matches!(waits, Err(Error::Domain(DomainError::Throttled { retry_after_secs: 1 }))), "{waits:?}");
        login(PASSWORD, "192.0.2.1".into()).await.expect("the office is a known address");
        t.clock.advance(Duration::seconds(1));
        login("wrong password!", "203.0.113.51".into()).await.expect_err("a guess after the delay");
        let waits = login(PASSWORD, "203.0.113.52".into()).await;
        assert!(matches!(waits, Err(Error::Domain(DomainError::Throttled { retry_after_secs: 2 }))), "{waits:?}");
        t.clock.advance(Duration::seconds(2));
        login(PASSWORD, "203.0.113.52".into()).await.expect("the owner, from a new address, after two seconds");
    })
    .await;
}

#[tokio::test]
async fn tokens_and_sessions_stand_for_their_user_until_ended() {
    run_on_both_backends("tokens and sessions", |t| async move {
        let (user, _) = t.user("Token User", Role::Manager).await;
        let (token, raw) = auth::create_token(&t.ctx, user.id, "CI", Scope::Read, None).await.expect("token");
        let actor = auth::token_actor(&t.ctx, &raw).await.expect("token actor").expect("a valid token");
        assert_eq!((actor.user(), actor.role, actor.scope), (user.id, Role::Manager, Scope::Read));
        assert!(auth::token_actor(&t.ctx, &format!("{raw}x")).await.expect("token actor").is_none());
        assert!(auth::token_actor(&t.ctx, "rpt_nonsense").await.expect("token actor").is_none());
        let listed = auth::list_tokens(&t.ctx, user.id).await.expect("tokens");
        let used = auth::ApiToken { last_used_at: Some(t.now()), ..token.clone() };
        assert_eq!(listed, [used]);
        auth::revoke_token(&t.ctx, Some(user.id), token.id).await.expect("revoke");
        assert!(auth::token_actor(&t.ctx, &raw).await.expect("token actor").is_none());
        assert!(auth::revoke_token(&t.ctx, Some(user.id), token.id).await.is_err(), "revoked once");

        let expiring = t.now() + Duration::days(1);
        let (_, raw) =
            auth::create_token(&t.ctx, user.id, "short", Scope::ReadWrite, Some(expiring)).await.expect("token");
        assert!(auth::token_actor(&t.ctx, &raw).await.expect("token actor").is_some());
        t.clock.advance(Duration::days(2));
        assert!(auth::token_actor(&t.ctx, &raw).await.expect("token actor").is_none());

        let session = auth::create_session(&t.ctx, user.id, &SessionPolicy::default()).await.expect("session");
        let (actor, csrf) = auth::session_actor(&t.ctx, &session.token, &SessionPolicy::default())
            .await
            .expect("session actor")
            .expect("live");
        assert_eq!(actor.user_id, user.id);
        assert_eq!(csrf, session.csrf_token);
        let (_, kept) = auth::create_token(&t.ctx, user.id, "kept", Scope::Read, None).await.expect("token");
        users::set_password(&t.ctx, user.id, "a brand new passphrase", OnPasswordChange::KeepTokens)
            .await
            .expect("set password");
        assert!(
            auth::session_actor(&t.ctx, &session.token, &SessionPolicy::default())
                .await
                .expect("session actor")
                .is_none()
        );
        assert!(auth::token_actor(&t.ctx, &kept).await.expect("token actor").is_some(), "kept as asked");
        let throttle = LoginThrottle::default();
        auth::login(&t.ctx, &user.email, "a brand new passphrase", "10.0.0.1", &throttle).await.expect("new password");

        let session = auth::create_session(&t.ctx, user.id, &SessionPolicy::default()).await.expect("session");
        auth::end_session(&t.ctx, &session.token).await.expect("logout");
        assert!(
            auth::session_actor(&t.ctx, &session.token, &SessionPolicy::default())
                .await
                .expect("session actor")
                .is_none()
        );
        let session = auth::create_session(&t.ctx, user.id, &SessionPolicy::default()).await.expect("session");
        t.clock.advance(SessionPolicy::default().lifetime + Duration::seconds(1));
        assert!(
            auth::session_actor(&t.ctx, &session.token, &SessionPolicy::default())
                .await
                .expect("session actor")
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn duplicate_users_teams_and_custom_fields_are_conflicts() {
    run_on_both_backends("duplicates", |t| async move {
        let (_, admin) = t.admin().await;
        let again = users::create(
            &t.ctx,
            &as_admin(&admin),
            &users::NewUser {
                email: "ADMIN@rapport.test".into(),
                name: "Admin again".into(),
                password: PASSWORD.into(),
                role: Role::Member,
                locale: "pt-BR".into(),
            },
        )
        .await;
        assert!(matches!(again, Err(Error::Domain(DomainError::Conflict { code: "email_taken", .. }))), "{again:?}");
        users::create_team(&t.ctx, &as_admin(&admin), "Vendas").await.expect("team");
        let again = users::create_team(&t.ctx, &as_admin(&admin), " vendas ").await;
        assert!(matches!(again, Err(Error::Domain(DomainError::Conflict { .. }))), "{again:?}");
        let field = rapport_core::custom_fields::CustomFieldDefinition {
            record_type: rapport_core::schema::RecordType::CONTACT,
            key: "tier".into(),
            label: "Tier".into(),
            field_type: rapport_core::custom_fields::CustomFieldType::Text,
            options: Vec::new(),
            required: false,
        };
        rapport_db::settings::create_custom_field(&t.ctx, &as_admin(&admin), &field).await.expect("custom field");
        let again = rapport_db::settings::create_custom_field(&t.ctx, &as_admin(&admin), &field).await;
        assert!(matches!(again, Err(Error::Domain(DomainError::Validation(_)))), "{again:?}");
        assert_eq!(users::count(&t.ctx).await.expect("count"), 1);
        assert_eq!(users::list(&t.ctx).await.expect("list").len(), 1);
        assert_eq!(users::list_teams(&t.ctx).await.expect("teams").len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_one_of_concurrent_first_admin_setups_succeeds() {
    run_on_both_backends("first_admin", |t| async move {
        let attempts = (0..6).map(|i| {
            let ctx = t.ctx.clone();
            tokio::spawn(async move {
                let input = users::NewUser {
                    email: format!("first{i}@rapport.test"),
                    name: format!("First {i}"),
                    password: PASSWORD.into(),
                    role: Role::Member,
                    locale: "en".into(),
                };
                users::create_first_admin(&ctx, &input).await
            })
        });
        let mut created = Vec::new();
        for attempt in attempts {
            match attempt.await.expect("join") {
                Ok(user) => created.push(user),
                Err(Error::Domain(DomainError::Forbidden(_))) => {}
                Err(other) => panic!("unexpected error: {other:?}"),
            }
        }
        assert_eq!(created.len(), 1, "exactly one setup wins");
        assert_eq!(created[0].role, Role::Admin, "the first user is an administrator whatever was asked");
        assert_eq!(t.count("users").await, 1);
    })
    .await;
}

#[tokio::test]
async fn first_admin_setup_is_refused_once_a_user_exists() {
    run_on_both_backends("first_admin_late", |t| async move {
        t.user("Existing", Role::Member).await;
        let input = users::NewUser {
            email: "late@rapport.test".into(),
            name: "Late".into(),
            password: PASSWORD.into(),
            role: Role::Admin,
            locale: "en".into(),
        };
        let refused = users::create_first_admin(&t.ctx, &input).await;
        assert!(matches!(refused, Err(Error::Domain(DomainError::Forbidden(_)))), "{refused:?}");
    })
    .await;
}

/// A new password revokes the user's tokens unless asked not to, and
/// disabling revokes them for good: re-enabling the user brings none back.
#[tokio::test]
async fn tokens_end_with_a_new_password_and_for_good_with_disabling() {
    run_on_both_backends("tokens revoked", |t| async move {
        let (user, _) = t.user("Token Keeper", Role::Member).await;
        let (_, first) = auth::create_token(&t.ctx, user.id, "first", Scope::ReadWrite, None).await.expect("token");
        users::set_password(&t.ctx, user.id, "another long passphrase", OnPasswordChange::RevokeTokens)
            .await
            .expect("set password");
        assert!(auth::token_actor(&t.ctx, &first).await.expect("token actor").is_none());

        let (_, second) = auth::create_token(&t.ctx, user.id, "second", Scope::ReadWrite, None).await.expect("token");
        let admin = t.admin_right().await;
        users::set_disabled(&t.ctx, &admin, user.id, true).await.expect("disable");
        users::set_disabled(&t.ctx, &admin, user.id, false).await.expect("enable again");
        assert!(auth::token_actor(&t.ctx, &second).await.expect("token actor").is_none(), "a token came back");
        let tokens = auth::list_tokens(&t.ctx, user.id).await.expect("tokens");
        assert!(tokens.iter().all(|token| token.revoked_at.is_some()), "{tokens:?}");
    })
    .await;
}

/// Concurrent guesses at one account cost one attempt each: the budget is
/// counted before a password is checked, so no more passwords are checked
/// than it allows (before, 150 concurrent guesses checked about 92).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_check_no_more_passwords_than_the_budget() {
    run_on_both_backends("throttle race", |t| async move {
        let (user, _) = t.user("Raced", Role::Member).await;
        let throttle = LoginThrottle::default();
        let mut tasks = Vec::new();
        for i in 0..24 {
            let (ctx, email) = (t.ctx.clone(), user.email.clone());
            let password = format!("guess number {i}");
            tasks.push(tokio::spawn(async move { auth::login(&ctx, &email, &password, "10.9.9.9", &throttle).await }));
        }
        let mut throttled = 0;
        for task in tasks {
            if let Err(Error::Domain(DomainError::Throttled { .. })) = task.await.expect("join") {
                throttled += 1;
            }
        }
        let checked = t.count_where("login_attempts", "email_normalized", user.email.to_lowercase()).await;
        assert_eq!(checked, throttle.max_failures_per_account_address, "passwords checked");
        assert_eq!(throttled, 24 - throttle.max_failures_per_account_address);
    })
    .await;
}

/// A session ends after its idle time without use, however young it is,
/// and tokens and sessions note their last use, at most once a minute.
#[tokio::test]
async fn sessions_end_when_idle_and_credentials_note_their_last_use() {
    run_on_both_backends("idle sessions", |t| async move {
        let (user, _) = t.user("Idle User", Role::Member).await;
        let policy = SessionPolicy::default();
        let live = async |token: &str| {
            t.ctx.forget_checked_credentials();
            auth::session_actor(&t.ctx, token, &policy).await.expect("session actor").is_some()
        };
        let session = auth::create_session(&t.ctx, user.id, &policy).await.expect("session");
        for _ in 0..4 {
            t.clock.advance(policy.idle - Duration::minutes(1));
            assert!(live(&session.token).await, "used within its idle time, the session goes on");
        }
        t.clock.advance(policy.idle + Duration::seconds(1));
        assert!(!live(&session.token).await, "left idle, it ends");

        let (token, raw) = auth::create_token(&t.ctx, user.id, "script", Scope::Read, None).await.expect("token");
        assert_eq!(auth::list_tokens(&t.ctx, user.id).await.expect("tokens")[0].last_used_at, None);
        let last_used = async || {
            t.ctx.forget_checked_credentials();
            auth::token_actor(&t.ctx, &raw).await.expect("token actor").expect("valid");
            let tokens = auth::list_tokens(&t.ctx, user.id).await.expect("tokens");
            tokens.into_iter().find(|listed| listed.id == token.id).and_then(|listed| listed.last_used_at)
        };
        let first = t.now();
        assert_eq!(last_used().await, Some(first));
        t.clock.advance(Duration::seconds(30));
        assert_eq!(last_used().await, Some(first), "written at most once a minute");
        t.clock.advance(Duration::seconds(31));
        assert_eq!(last_used().await, Some(t.now()));
    })
    .await;
}

/// The worker's purge deletes ended sessions, login attempts the policy no
/// longer looks at, old idempotency keys and old import reports, and keeps
/// the rest.
#[tokio::test]
async fn the_purge_deletes_what_has_served_its_purpose() {
    run_on_both_backends("purge", |t| async move {
        let (user, _) = t.user("Purged User", Role::Member).await;
        let (policy, throttle) = (SessionPolicy::default(), LoginThrottle::default());
        let old = auth::create_session(&t.ctx, user.id, &policy).await.expect("session");
        auth::login(&t.ctx, &user.email, "wrong password!", "10.1.1.1", &throttle).await.expect_err("a failure");
        auth::login(&t.ctx, &user.email, PASSWORD, "10.1.1.1", &throttle).await.expect("a success");
        rapport_db::idempotency::claim(&t.ctx, user.id, "old key", "hash").await.expect("claim");
        t.clock.advance(Duration::days(2));
        let fresh = auth::create_session(&t.ctx, user.id, &policy).await.expect("session");
        rapport_db::idempotency::claim(&t.ctx, user.id, "new key", "hash").await.expect("claim");

        let purged = rapport_db::housekeeping::purge(&t.ctx, &policy, &throttle).await.expect("purge");
        assert_eq!(purged.sessions, 1);
        assert_eq!(purged.login_attempts, 1, "the failure; the success still makes the address known");
        assert_eq!(purged.idempotency_keys, 1);
        assert!(auth::session_actor(&t.ctx, &fresh.token, &policy).await.expect("actor").is_some());
        assert!(auth::session_actor(&t.ctx, &old.token, &policy).await.expect("actor").is_none());
        assert_eq!(t.count_where("login_attempts", "email_normalized", user.email.to_lowercase()).await, 1);

        t.clock.advance(Duration::days(throttle.known_address_days));
        let purged = rapport_db::housekeeping::purge(&t.ctx, &policy, &throttle).await.expect("purge");
        assert_eq!((purged.login_attempts, purged.idempotency_keys, purged.sessions), (1, 1, 1));
    })
    .await;
}
