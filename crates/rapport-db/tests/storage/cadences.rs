//! Follow-up cadences with the manual clock: each step's activity on its
//! day, exactly once under retries and two workers; one active enrollment
//! per record, even when started twice at once; stops on a won deal, a
//! logged reply and the owner's word; the rule that starts a cadence for
//! web leads; reminders by e-mail and WhatsApp (against a fake Cloud API).

use std::sync::Arc;

use base64::Engine;
use chrono::Duration;
use rapport_channels::testing::SmtpReceiver;
use rapport_channels::testing_whatsapp::{ACCESS_TOKEN, API_VERSION, FakeCloudApi, PHONE_NUMBER_ID};
use rapport_channels::{CloudApiTransport, LettreTransport};
use rapport_core::DomainError;
use rapport_core::access::{AccountHolder, Role, Writer};
use rapport_core::cadences::{AutoStart, CadenceInput, EnrollmentStatus, Step, StepKind, StopReason};
use rapport_core::ids::RecordId;
use rapport_core::mail::Security;
use rapport_core::schema::RecordType;
use rapport_db::cadences::{self, Cadence};
use rapport_db::mail::{EmailSettingsChange, MailSetup, SecretKey};
use rapport_db::whatsapp::{self, Status, WhatsappSettingsChange};
use rapport_db::{ConnectionTrait, Error, jobs, notifications, pipelines, records};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::json;

use crate::common::{TestCtx, as_admin, run_on_both_backends};

fn step(day_offset: i64, kind: StepKind, title: &str) -> Step {
    Step { day_offset, kind, title: title.into(), note: None }
}

async fn three_steps(t: &TestCtx, admin: &Writer) -> Cadence {
    let input = CadenceInput {
        name: "New web lead".into(),
        active: true,
        steps: vec![
            step(0, StepKind::Call, "Call today"),
            Step { note: Some("Send the price list".into()), ..step(2, StepKind::Email, "E-mail in 2 days") },
            step(5, StepKind::Call, "Call in 5 days"),
        ],
    };
    cadences::create(&t.ctx, &as_admin(admin), input).await.expect("create a cadence")
}

async fn lead(t: &TestCtx, writer: &Writer, source: &str) -> RecordId {
    let input = json!({"first_name": "Ana", "last_name": "Souza", "source_channel": source});
    records::create(&t.ctx, writer, RecordType::LEAD, &input).await.expect("create a lead").id
}

async fn run_jobs(t: &TestCtx) {
    notifications::run_due_jobs(&t.ctx, 100).await.expect("run jobs");
}

/// The cadence's activities, oldest first, as `(kind, subject, due_at)`.
async fn activities(t: &TestCtx, writer: &Writer) -> Vec<(String, String, String)> {
    let pairs = vec![("sort".to_owned(), "due_at".to_owned())];
    let page = records::list(&t.ctx, writer, RecordType::ACTIVITY, &pairs).await.expect("list activities");
    page.items
        .iter()
        .map(|a| {
            let text = |k: &str| a.text(k).unwrap_or_default().to_owned();
            (text("kind"), text("subject"), text("due_at"))
        })
        .collect()
}

/// Puts every finished job of a kind back to pending, as a worker that
/// crashed before recording the end would leave it.
async fn replay(t: &TestCtx, kind: &str) {
    let again = Query::update()
        .table("jobs")
        .value("status", "pending")
        .value("finished_at", Option::<chrono::DateTime<chrono::Utc>>::None)
        .and_where(Expr::col("kind").eq(kind))
        .to_owned();
    t.ctx.db.conn().execute(&again).await.expect("put the jobs back");
}

#[tokio::test]
async fn each_step_is_created_on_its_day_exactly_once_even_when_its_job_runs_again() {
    run_on_both_backends("cadence_steps_on_their_days", |t| async move {
        let (_, admin) = t.admin().await;
        let (seller, writer) = t.user("Seller", Role::Member).await;
        let writer = Writer::try_from(writer).expect("a member writes");
        let cadence = three_steps(&t, &admin).await;
        let lead = lead(&t, &writer, "referral").await;
        let enrollment =
            cadences::enroll(&t.ctx, &writer, cadence.id, RecordType::LEAD, lead).await.expect("start the cadence");
        assert_eq!((enrollment.status, enrollment.next_step), (EnrollmentStatus::Active, 0));
        assert_eq!(enrollment.owner_id, Some(seller.id.0));
        assert_eq!(enrollment.next_due_at, Some(t.now()));

        run_jobs(&t).await;
        let today = activities(&t, &writer).await;
        assert_eq!(today, vec![("call".into(), "Call today".into(), "2026-03-02T09:00:00.000000Z".into())]);
        let notices = notifications::for_user(&t.ctx, seller.id, true, None, 10).await.expect("notifications");
        assert_eq!(notices.items.len(), 1, "the task's reminder reaches its owner in the app");
        assert_eq!(notices.items[0].kind, "reminder");

        // A crash after the step and before the job's end: it runs again.
        replay(&t, "cadence_step").await;
        run_jobs(&t).await;
        assert_eq!(activities(&t, &writer).await.len(), 1, "never created twice");

        t.clock.advance(Duration::days(1));
        run_jobs(&t).await;
        assert_eq!(activities(&t, &writer).await.len(), 1, "nothing is due on day 1");
        t.clock.advance(Duration::days(1));
        run_jobs(&t).await;
        let second = activities(&t, &writer).await;
        assert_eq!(second.len(), 2);
        assert_eq!(second[1], ("email".into(), "E-mail in 2 days".into(), "2026-03-04T09:00:00.000000Z".into()));

        t.clock.advance(Duration::days(3));
        replay(&t, "cadence_step").await;
        run_jobs(&t).await;
        let all = activities(&t, &writer).await;
        assert_eq!(all.len(), 3);
        assert_eq!(all[2].2, "2026-03-07T09:00:00.000000Z");
        let done = cadences::get_enrollment(&t.ctx, &writer, enrollment.id).await.expect("read it");
        assert_eq!((done.status, done.next_step, done.next_due_at), (EnrollmentStatus::Completed, 3, None));
        assert_eq!(t.count("cadence_step_runs").await, 3);

        // Each task is a normal activity on the lead's timeline.
        let timeline = records::timeline(&t.ctx, &writer, RecordType::LEAD, lead, None, 20).await.expect("timeline");
        assert_eq!(timeline.items.iter().filter(|e| e.kind == "activity").count(), 3);
    })
    .await;
}

#[tokio::test]
async fn two_workers_running_the_same_step_at_once_create_it_once() {
    run_on_both_backends("cadence_step_two_workers", |t| async move {
        let (_, admin) = t.admin().await;
        let cadence = three_steps(&t, &admin).await;
        let lead = lead(&t, &admin, "referral").await;
        let enrollment = cadences::enroll(&t.ctx, &admin, cadence.id, RecordType::LEAD, lead).await.expect("start");
        // A second job for the same step (no dedup key), as a duplicate delivery would make.
        let payload = json!({"enrollment_id": enrollment.id, "step": 0});
        jobs::enqueue(t.ctx.db.conn(), jobs::JobKind::CadenceStep, &payload, t.now(), None, t.now())
            .await
            .expect("a duplicate job");
        let (a, b) = tokio::join!(notifications::run_due_jobs(&t.ctx, 1), notifications::run_due_jobs(&t.ctx, 1));
        a.expect("worker a");
        b.expect("worker b");
        run_jobs(&t).await;
        assert_eq!(t.count_where("activities", "kind", "call").await, 1);
        assert_eq!(t.count("cadence_step_runs").await, 1);
    })
    .await;
}

#[tokio::test]
async fn a_record_runs_a_cadence_once_at_a_time_even_when_started_twice_at_once() {
    run_on_both_backends("cadence_one_active", |t| async move {
        let (_, admin) = t.admin().await;
        let cadence = three_steps(&t, &admin).await;
        let contact = t.contact(&admin, json!({"first_name": "Bea"})).await;
        let (a, b) = tokio::join!(
            cadences::enroll(&t.ctx, &admin, cadence.id, RecordType::CONTACT, contact),
            cadences::enroll(&t.ctx, &admin, cadence.id, RecordType::CONTACT, contact)
        );
        let (ok, refused): (Vec<_>, Vec<_>) = [a, b].into_iter().partition(Result::is_ok);
        assert_eq!(ok.len(), 1, "one start wins");
        assert!(
            matches!(&refused[0], Err(Error::Domain(DomainError::Conflict { code: "cadence_already_running", .. }))),
            "{refused:?}"
        );
        assert_eq!(t.count("cadence_enrollments").await, 1);
        let first = ok.into_iter().next().unwrap().unwrap();
        cadences::stop(&t.ctx, &admin, first.id, StopReason::ByOwner).await.expect("stop it");
        cadences::enroll(&t.ctx, &admin, cadence.id, RecordType::CONTACT, contact).await.expect("start again");
        // Only leads, contacts and deals run cadences.
        let company =
            records::create(&t.ctx, &admin, RecordType::COMPANY, &json!({"name": "Acme"})).await.expect("a company");
        let refused = cadences::enroll(&t.ctx, &admin, cadence.id, RecordType::COMPANY, company.id).await;
        assert!(matches!(refused, Err(Error::Domain(DomainError::Validation(_)))), "{refused:?}");
    })
    .await;
}

#[tokio::test]
async fn winning_the_deal_stops_its_cadence_and_no_later_step_is_created() {
    run_on_both_backends("cadence_stops_on_won_deal", |t| async move {
        let (_, admin) = t.admin().await;
        pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let pipeline = pipelines::list(t.ctx.db.conn()).await.expect("pipelines").remove(0);
        let won = pipeline.stages.iter().find(|s| s.is_won).expect("a won stage").id;
        let cadence = three_steps(&t, &admin).await;
        let deal = records::create(
            &t.ctx,
            &admin,
            RecordType::DEAL,
            &json!({"name": "Fleet", "amount_minor": 1000, "currency": "BRL"}),
        )
        .await
        .expect("a deal");
        let enrollment = cadences::enroll(&t.ctx, &admin, cadence.id, RecordType::DEAL, deal.id).await.expect("start");
        run_jobs(&t).await;
        assert_eq!(t.count("activities").await, 1);
        records::update(&t.ctx, &admin, RecordType::DEAL, deal.id, &json!({"stage_id": won.to_string()}), None)
            .await
            .expect("win the deal");
        let stopped = cadences::get_enrollment(&t.ctx, &admin, enrollment.id).await.expect("read it");
        assert_eq!((stopped.status, stopped.stop_reason), (EnrollmentStatus::Stopped, Some(StopReason::DealClosed)));
        t.clock.advance(Duration::days(10));
        run_jobs(&t).await;
        assert_eq!(t.count("activities").await, 1, "a stopped cadence creates nothing more");
        // A closed deal does not start one again.
        let refused = cadences::enroll(&t.ctx, &admin, cadence.id, RecordType::DEAL, deal.id).await;
        assert!(matches!(refused, Err(Error::Domain(DomainError::Conflict { code: "cadence_record_closed", .. }))));
    })
    .await;
}

#[tokio::test]
async fn a_reply_logged_on_the_record_stops_its_cadence() {
    run_on_both_backends("cadence_stops_on_reply", |t| async move {
        let (_, admin) = t.admin().await;
        let cadence = three_steps(&t, &admin).await;
        let contact = t.contact(&admin, json!({"first_name": "Caio"})).await;
        let enrollment =
            cadences::enroll(&t.ctx, &admin, cadence.id, RecordType::CONTACT, contact).await.expect("start");
        run_jobs(&t).await;
        // A call logged without a reply changes nothing.
        let call = json!({"kind": "call", "subject": "Tried", "outcome": "no answer",
            "related": [{"type": "contact", "id": contact.0}]});
        let call = records::create(&t.ctx, &admin, RecordType::ACTIVITY, &call).await.expect("log a call");
        let running = cadences::get_enrollment(&t.ctx, &admin, enrollment.id).await.expect("read it");
        assert_eq!(running.status, EnrollmentStatus::Active);
        records::update(&t.ctx, &admin, RecordType::ACTIVITY, call.id, &json!({"outcome": "replied"}), None)
            .await
            .expect("they replied");
        let stopped = cadences::get_enrollment(&t.ctx, &admin, enrollment.id).await.expect("read it");
        assert_eq!((stopped.status, stopped.stop_reason), (EnrollmentStatus::Stopped, Some(StopReason::Replied)));
        t.clock.advance(Duration::days(6));
        run_jobs(&t).await;
        assert_eq!(t.count_where("activities", "subject", "E-mail in 2 days").await, 0);
    })
    .await;
}

#[tokio::test]
async fn the_owner_stops_a_cadence_and_another_member_cannot() {
    run_on_both_backends("cadence_stopped_by_owner", |t| async move {
        let (_, admin) = t.admin().await;
        let (_, owner) = t.user("Owner", Role::Member).await;
        let owner = Writer::try_from(owner).expect("writes");
        let (_, other) = t.user("Other", Role::Member).await;
        let other = Writer::try_from(other).expect("writes");
        let cadence = three_steps(&t, &admin).await;
        let lead = lead(&t, &owner, "referral").await;
        let enrollment = cadences::enroll(&t.ctx, &owner, cadence.id, RecordType::LEAD, lead).await.expect("start");
        let refused = cadences::stop(&t.ctx, &other, enrollment.id, StopReason::ByOwner).await;
        assert!(matches!(refused, Err(Error::Domain(DomainError::Forbidden(_)))), "{refused:?}");
        let stopped = cadences::stop(&t.ctx, &owner, enrollment.id, StopReason::ByOwner).await.expect("stop");
        assert_eq!((stopped.status, stopped.stop_reason), (EnrollmentStatus::Stopped, Some(StopReason::ByOwner)));
        let again = cadences::stop(&t.ctx, &owner, enrollment.id, StopReason::ByOwner).await;
        assert!(matches!(again, Err(Error::Domain(DomainError::Conflict { code: "cadence_not_running", .. }))));
        run_jobs(&t).await;
        assert_eq!(t.count("activities").await, 0, "stopped before its first step ran");
    })
    .await;
}

#[tokio::test]
async fn a_new_lead_from_the_web_starts_the_rules_cadence_in_its_transaction() {
    run_on_both_backends("cadence_rule_for_web_leads", |t| async move {
        let (_, admin) = t.admin().await;
        let cadence = three_steps(&t, &admin).await;
        let rule = AutoStart { lead_source: " web ".into(), cadence_id: cadence.id };
        cadences::set_auto_start(&t.ctx, &as_admin(&admin), Some(rule)).await.expect("set the rule");
        let web = lead(&t, &admin, "Web").await;
        let other = lead(&t, &admin, "referral").await;
        let started = cadences::of_record(&t.ctx, &admin, RecordType::LEAD, web).await.expect("enrollments");
        assert_eq!(started.len(), 1);
        assert_eq!((started[0].cadence_id, started[0].status), (cadence.id, EnrollmentStatus::Active));
        assert!(cadences::of_record(&t.ctx, &admin, RecordType::LEAD, other).await.expect("none").is_empty());
        run_jobs(&t).await;
        assert_eq!(t.count_where("activities", "subject", "Call today").await, 1);
        // A lead the rule would start but whose creation fails leaves nothing.
        let bad = json!({"source_channel": "web"});
        assert!(records::create(&t.ctx, &admin, RecordType::LEAD, &bad).await.is_err());
        assert_eq!(t.count("cadence_enrollments").await, 1);
    })
    .await;
}

fn key() -> SecretKey {
    SecretKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([9u8; 32])).expect("a key")
}

/// Installs the transports and key; WhatsApp settings point at `fake`
/// when given; the owner gets a WhatsApp number.
async fn set_up_whatsapp(t: &TestCtx, fake: Option<&FakeCloudApi>, smtp: Option<&SmtpReceiver>) -> (Writer, Writer) {
    t.ctx.install_mail(MailSetup {
        transport: Some(Arc::new(LettreTransport)),
        secret_key: Some(key()),
        configured: None,
    });
    t.ctx.install_whatsapp(Arc::new(CloudApiTransport));
    let (_, admin) = t.admin().await;
    if let Some(fake) = fake {
        let change = WhatsappSettingsChange {
            enabled: true,
            base_url: Some(fake.base_url()),
            api_version: Some(API_VERSION.into()),
            phone_number_id: Some(PHONE_NUMBER_ID.into()),
            access_token: Some(ACCESS_TOKEN.into()),
            ..WhatsappSettingsChange::default()
        };
        let saved = whatsapp::save_settings(&t.ctx, &as_admin(&admin), &change).await.expect("save WhatsApp settings");
        assert!(saved.ready && saved.token_set);
        let stored =
            Query::select().column("value").from("settings").and_where(Expr::col("key").eq("whatsapp")).to_owned();
        let row = t.ctx.db.conn().query_one(&stored).await.expect("read").expect("stored");
        let value: serde_json::Value = row.try_get("", "value").expect("a value");
        assert!(!value.to_string().contains(ACCESS_TOKEN), "the token is stored encrypted");
    }
    if let Some(smtp) = smtp {
        let change = EmailSettingsChange {
            host: Some("127.0.0.1".into()),
            port: Some(smtp.port),
            security: Security::None,
            from_address: Some("crm@rapport.test".into()),
            ..EmailSettingsChange::default()
        };
        rapport_db::mail::save_settings(&t.ctx, &as_admin(&admin), &change).await.expect("save SMTP settings");
    }
    let (_, owner) = t.user("Owner", Role::Member).await;
    let holder = AccountHolder::try_from(owner.clone()).expect("an account holder");
    let number = whatsapp::set_own_number(&t.ctx, &holder, "(11) 98765-4321").await.expect("a number");
    assert_eq!(number.as_deref(), Some("+5511987654321"), "a national number in the account's region");
    (admin, Writer::try_from(owner).expect("writes"))
}

#[tokio::test]
async fn a_due_step_reaches_its_owner_by_email_and_one_well_formed_whatsapp_message() {
    run_on_both_backends("cadence_reminders_whatsapp_and_email", |t| async move {
        let fake = FakeCloudApi::start().await;
        let smtp = SmtpReceiver::start().await;
        let (admin, owner) = set_up_whatsapp(&t, Some(&fake), Some(&smtp)).await;
        let cadence = three_steps(&t, &admin).await;
        let lead = lead(&t, &owner, "referral").await;
        cadences::enroll(&t.ctx, &owner, cadence.id, RecordType::LEAD, lead).await.expect("start");
        run_jobs(&t).await;
        let got = fake.accepted();
        assert_eq!(got.len(), 1, "one message per reminder; refused: {:?}", fake.malformed());
        assert_eq!(got[0].path, format!("/{API_VERSION}/{PHONE_NUMBER_ID}/messages"));
        assert_eq!(got[0].authorization, format!("Bearer {ACCESS_TOKEN}"));
        assert_eq!(got[0].body["messaging_product"], "whatsapp");
        assert_eq!(got[0].body["to"], "5511987654321");
        assert_eq!(got[0].body["type"], "text");
        let text = got[0].body["text"]["body"].as_str().unwrap_or_default();
        assert!(text.contains("Call today") && text.contains("Ana Souza"), "{text}");
        let mails = smtp.received();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].rcpt_to, vec!["owner@rapport.test".to_owned()]);
        assert!(
            mails[0].header("Subject").is_some_and(|s| s.contains("Call today")),
            "{:?}",
            mails[0].header("Subject")
        );

        // Retried jobs send nothing again.
        replay(&t, "send_whatsapp").await;
        replay(&t, "cadence_step").await;
        run_jobs(&t).await;
        assert_eq!(fake.attempts(), 1);
        let outbox = whatsapp::recent(&t.ctx, &as_admin(&admin), 10).await.expect("outbox");
        assert_eq!(outbox.len(), 1);
        assert_eq!((outbox[0].status, outbox[0].provider_message_id.as_deref()), (Status::Sent, Some("wamid.fake1")));

        // With an approved template, the template's shape.
        let change = WhatsappSettingsChange {
            enabled: true,
            base_url: Some(fake.base_url()),
            api_version: Some(API_VERSION.into()),
            phone_number_id: Some(PHONE_NUMBER_ID.into()),
            template_name: Some("cadence_step_due".into()),
            ..WhatsappSettingsChange::default()
        };
        whatsapp::save_settings(&t.ctx, &as_admin(&admin), &change).await.expect("keep the token, add a template");
        t.clock.advance(Duration::days(2));
        run_jobs(&t).await;
        let got = fake.accepted();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].body["type"], "template");
        assert_eq!(got[1].body["template"]["name"], "cadence_step_due");
        assert_eq!(got[1].body["template"]["language"]["code"], "en");
        assert_eq!(got[1].body["template"]["components"][0]["parameters"][0]["text"], "E-mail in 2 days");
    })
    .await;
}

#[tokio::test]
async fn a_whatsapp_500_is_retried_after_its_backoff_and_sent_once_and_a_400_fails_with_the_reason() {
    run_on_both_backends("cadence_whatsapp_retry", |t| async move {
        let fake = FakeCloudApi::start().await;
        let (admin, owner) = set_up_whatsapp(&t, Some(&fake), None).await;
        let cadence = three_steps(&t, &admin).await;
        let lead = lead(&t, &owner, "referral").await;
        fake.answer_next(500);
        cadences::enroll(&t.ctx, &owner, cadence.id, RecordType::LEAD, lead).await.expect("start");
        run_jobs(&t).await;
        assert_eq!((fake.attempts(), fake.accepted().len()), (1, 0));
        let outbox = whatsapp::recent(&t.ctx, &as_admin(&admin), 10).await.expect("outbox");
        assert_eq!(outbox[0].status, Status::Queued);
        assert!(outbox[0].last_error.as_deref().is_some_and(|e| e.contains("500")), "{:?}", outbox[0].last_error);
        run_jobs(&t).await;
        assert_eq!(fake.attempts(), 1, "not before its backoff");
        t.clock.advance(Duration::seconds(31));
        run_jobs(&t).await;
        assert_eq!((fake.attempts(), fake.accepted().len()), (2, 1), "sent once");
        t.clock.advance(Duration::hours(2));
        run_jobs(&t).await;
        assert_eq!(fake.accepted().len(), 1);

        fake.answer_next(400);
        t.clock.advance(Duration::days(2));
        run_jobs(&t).await;
        let outbox = whatsapp::recent(&t.ctx, &as_admin(&admin), 10).await.expect("outbox");
        assert_eq!(outbox[0].status, Status::Failed);
        assert_eq!(outbox[0].last_error.as_deref(), Some("HTTP 400: fake error 400"));
        t.clock.advance(Duration::hours(2));
        run_jobs(&t).await;
        assert_eq!(fake.attempts(), 3, "a refusal is not retried");
    })
    .await;
}

#[tokio::test]
async fn without_whatsapp_settings_no_request_is_made() {
    run_on_both_backends("cadence_whatsapp_off", |t| async move {
        let fake = FakeCloudApi::start().await;
        let (admin, owner) = set_up_whatsapp(&t, None, None).await;
        let cadence = three_steps(&t, &admin).await;
        let lead = lead(&t, &owner, "referral").await;
        cadences::enroll(&t.ctx, &owner, cadence.id, RecordType::LEAD, lead).await.expect("start");
        run_jobs(&t).await;
        assert_eq!(t.count("activities").await, 1, "the step itself is created");
        assert_eq!(t.count("whatsapp_messages").await, 0);
        assert_eq!(fake.attempts() + fake.malformed().len(), 0);
        // Settings refused: enabled without a token, plain http to another host.
        let change = WhatsappSettingsChange {
            enabled: true,
            base_url: Some("http://graph.facebook.com".into()),
            ..WhatsappSettingsChange::default()
        };
        let refused = whatsapp::save_settings(&t.ctx, &as_admin(&admin), &change).await;
        let Err(Error::Domain(DomainError::Validation(errors))) = refused else { panic!("must be refused") };
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"base_url") && fields.contains(&"enabled"), "{fields:?}");
    })
    .await;
}
