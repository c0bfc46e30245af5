//! E-mail out, through a real SMTP exchange with a server the test starts:
//! sent once with its Message-ID, retried after a 451, failed at once on a
//! 550, an interrupted attempt never sent again, the password encrypted at
//! rest, templates in the recipient's language.

use std::sync::Arc;

use base64::Engine;
use chrono::Duration;
use rapport_channels::LettreTransport;
use rapport_channels::testing::SmtpReceiver;
use rapport_core::access::Role;
use rapport_core::mail::templates::TemplateText;
use rapport_core::mail::{Attachment, NewEmail, Security};
use rapport_core::schema::RecordType;
use rapport_core::values::Email;
use rapport_db::mail::{self, EmailSettingsChange, MailSetup, Outgoing, SecretKey, Status, TemplateMessage};
use rapport_db::{ConnectionTrait, Ctx, notifications, records};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::{Value, json};

use crate::common::{TestCtx, as_admin, run_on_both_backends};

const PASSWORD: &str = "s3cret-smtp-pass";
/// Binary bytes, so that the attachment travels in base64.
const PDF: &[u8] = b"%PDF-1.4\x00\xff\xfe\x80 tiny";

fn key() -> SecretKey {
    SecretKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([7u8; 32])).expect("a key")
}

/// Installs the real transport and key, and points the account's SMTP
/// settings at `receiver` (with a user and password).
async fn set_up(t: &TestCtx, receiver: &SmtpReceiver) -> rapport_core::access::Writer {
    t.ctx.install_mail(MailSetup {
        transport: Some(Arc::new(LettreTransport)),
        secret_key: Some(key()),
        configured: None,
    });
    let (_, writer) = t.admin().await;
    let change = EmailSettingsChange {
        host: Some("127.0.0.1".into()),
        port: Some(receiver.port),
        security: Security::None,
        username: Some("crm".into()),
        password: Some(PASSWORD.into()),
        from_address: Some("crm@rapport.test".into()),
        from_name: Some("Rapport CRM".into()),
        ..EmailSettingsChange::default()
    };
    mail::save_settings(&t.ctx, &as_admin(&writer), &change).await.expect("save SMTP settings");
    writer
}

fn message(to: &str, subject: &str) -> NewEmail {
    NewEmail {
        to: vec![Email::parse(to).expect("an address")],
        subject: subject.into(),
        text: "Hello Ana,\nthe proposal is attached.\n".into(),
        html: None,
        attachments: Vec::new(),
    }
}

async fn queue(t: &TestCtx, outgoing: Outgoing) -> uuid::Uuid {
    let tx = t.ctx.db.write().await.expect("a transaction");
    let id = mail::enqueue(&*tx, t.ctx.mail(), &outgoing, t.now()).await.expect("queue an e-mail");
    tx.commit().await.expect("commit");
    id
}

fn outgoing(email: NewEmail) -> Outgoing {
    Outgoing { email, related: None, queued_by: None, template_key: None, language: None }
}

async fn outbox(t: &TestCtx, id: uuid::Uuid) -> mail::OutboxMessage {
    let admin = t.admin_right().await;
    mail::get(&t.ctx, &admin, id).await.expect("read the outbox")
}

#[tokio::test]
async fn a_queued_email_is_sent_once_with_its_message_id_subject_body_and_attachment() {
    run_on_both_backends("email_sent_once", |t| async move {
        let receiver = SmtpReceiver::start().await;
        let writer = set_up(&t, &receiver).await;
        let contact = t.contact(&writer, json!({"first_name": "Ana", "emails": ["ana@example.com"]})).await;
        let mut email = message("ana@example.com", "Your proposal");
        email.attachments.push(Attachment {
            file_name: "proposal.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: PDF.to_vec(),
        });
        let id = queue(
            &t,
            Outgoing {
                related: Some((RecordType::CONTACT, contact)),
                queued_by: Some(writer.actor().user()),
                ..outgoing(email)
            },
        )
        .await;
        let queued = outbox(&t, id).await;
        assert_eq!(queued.status, Status::Queued);
        assert!(queued.message_id.ends_with("@rapport.test"), "{}", queued.message_id);
        assert!(receiver.received().is_empty(), "nothing leaves before the worker runs");

        assert_eq!(notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs"), 1);
        let got = receiver.received();
        assert_eq!(got.len(), 1);
        let mail = &got[0];
        assert_eq!(mail.header("Message-ID"), Some(format!("<{}>", queued.message_id)));
        assert_eq!(mail.header("Subject").as_deref(), Some("Your proposal"));
        assert_eq!(mail.rcpt_to, vec!["ana@example.com".to_owned()]);
        assert_eq!(mail.mail_from, "crm@rapport.test");
        assert!(mail.header("From").is_some_and(|f| f.contains("Rapport CRM")), "{:?}", mail.header("From"));
        assert!(mail.data.contains("the proposal is attached."), "{}", mail.data);
        assert!(mail.data.contains("filename=\"proposal.pdf\""), "{}", mail.data);
        assert!(mail.data.contains(&base64::engine::general_purpose::STANDARD.encode(PDF)), "{}", mail.data);
        assert_eq!(mail.auth, Some(("crm".to_owned(), PASSWORD.to_owned())), "the stored password, decrypted");

        let sent = outbox(&t, id).await;
        assert_eq!((sent.status, sent.attempts, sent.sent_at), (Status::Sent, 1, Some(t.now())));
        assert_eq!(sent.attachments.len(), 1);
        assert_eq!(sent.attachments[0].size, PDF.len() as i64);
        let (_, reader) = t.user("Reader", Role::Member).await;
        let timeline =
            records::timeline(&t.ctx, &reader, RecordType::CONTACT, contact, None, 10).await.expect("timeline");
        let entry = timeline.items.iter().find(|e| e.kind == "email").expect("the e-mail is on the timeline");
        assert_eq!((entry.id, entry.data["status"].as_str()), (id, Some("sent")));

        // A retry of the job after the success was recorded sends nothing.
        let again = Query::update()
            .table("jobs")
            .value("status", "pending")
            .value("finished_at", Option::<chrono::DateTime<chrono::Utc>>::None)
            .and_where(Expr::col("kind").eq("send_email"))
            .to_owned();
        t.ctx.db.conn().execute(&again).await.expect("put the job back");
        assert_eq!(notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs"), 1);
        assert_eq!(receiver.attempts(), 1, "never sent twice");
        assert_eq!(outbox(&t, id).await.status, Status::Sent);
    })
    .await;
}

#[tokio::test]
async fn a_451_is_retried_with_backoff_and_delivered_once() {
    run_on_both_backends("email_451", |t| async move {
        let receiver = SmtpReceiver::start().await;
        set_up(&t, &receiver).await;
        receiver.answer_next("451 4.3.0 Mailbox busy, try again later");
        let id = queue(&t, outgoing(message("ana@example.com", "Retry me"))).await;

        assert_eq!(notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs"), 1);
        let deferred = outbox(&t, id).await;
        assert_eq!(deferred.status, Status::Queued);
        assert!(deferred.last_error.as_deref().is_some_and(|e| e.contains("try again later")), "{deferred:?}");
        assert_eq!(deferred.next_attempt_at, Some(t.now() + Duration::seconds(30)));
        assert_eq!(notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs"), 0, "not before the backoff");

        t.clock.advance(Duration::seconds(31));
        assert_eq!(notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs"), 1);
        let sent = outbox(&t, id).await;
        assert_eq!((sent.status, sent.attempts, sent.last_error), (Status::Sent, 2, None));
        assert_eq!(receiver.attempts(), 2);
        assert_eq!(receiver.received().len(), 1, "delivered once");
        assert_eq!(receiver.received()[0].header("Message-ID"), Some(format!("<{}>", sent.message_id)));
        let counts = rapport_db::jobs::counts(&t.ctx).await.expect("job counts");
        assert_eq!((counts.pending, counts.failed), (0, 0));
    })
    .await;
}

#[tokio::test]
async fn a_550_fails_at_once_with_the_servers_reason_and_can_be_sent_again() {
    run_on_both_backends("email_550", |t| async move {
        let receiver = SmtpReceiver::start().await;
        let writer = set_up(&t, &receiver).await;
        let contact = t.contact(&writer, json!({"first_name": "Bruno", "emails": ["bruno@example.com"]})).await;
        receiver.answer_next("550 5.1.1 No such user here");
        let id = queue(
            &t,
            Outgoing { related: Some((RecordType::CONTACT, contact)), ..outgoing(message("bruno@example.com", "Hi")) },
        )
        .await;

        notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs");
        let failed = outbox(&t, id).await;
        assert_eq!(failed.status, Status::Failed);
        assert!(failed.last_error.as_deref().is_some_and(|e| e.contains("No such user here")), "{failed:?}");
        t.clock.advance(Duration::hours(2));
        assert_eq!(notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs"), 0, "a permanent failure is final");
        let timeline =
            records::timeline(&t.ctx, writer.actor(), RecordType::CONTACT, contact, None, 10).await.expect("timeline");
        let entry = timeline.items.iter().find(|e| e.kind == "email").expect("on the timeline");
        assert_eq!(entry.data["status"], "failed");
        assert!(entry.data["last_error"].as_str().is_some_and(|e| e.contains("No such user here")));

        // An administrator sends it again, with the same Message-ID.
        let admin = as_admin(&writer);
        assert_eq!(mail::retry(&t.ctx, &admin, id).await.expect("retry").status, Status::Queued);
        assert!(mail::retry(&t.ctx, &admin, id).await.is_err(), "only a failed message is sent again");
        notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs");
        assert_eq!(outbox(&t, id).await.status, Status::Sent);
        assert_eq!(receiver.received().len(), 1);
        assert_eq!(receiver.received()[0].header("Message-ID"), Some(format!("<{}>", failed.message_id)));
    })
    .await;
}

#[tokio::test]
async fn a_message_left_sending_by_a_crash_is_marked_interrupted_and_not_sent_again() {
    run_on_both_backends("email_crash", |t| async move {
        let receiver = SmtpReceiver::start().await;
        set_up(&t, &receiver).await;
        let id = queue(&t, outgoing(message("ana@example.com", "Crash"))).await;
        // A worker leases the job and records its attempt, then dies before
        // the server's answer is recorded.
        let leased = rapport_db::jobs::claim(&t.ctx, 10).await.expect("claim");
        assert_eq!(leased.len(), 1);
        let sending = Query::update()
            .table("email_messages")
            .value("status", "sending")
            .value("sending_since", t.now())
            .value("attempts", 1i64)
            .and_where(Expr::col("id").eq(id))
            .to_owned();
        t.ctx.db.conn().execute(&sending).await.expect("record the attempt");

        assert_eq!(notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs"), 0, "the lease still holds");
        t.clock.advance(Duration::seconds(61));
        assert_eq!(notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs"), 1);
        let interrupted = outbox(&t, id).await;
        assert_eq!(interrupted.status, Status::Failed);
        assert_eq!(interrupted.last_error.as_deref(), Some(mail::INTERRUPTED));
        assert_eq!(receiver.attempts(), 0, "not sent again by itself");
        t.clock.advance(Duration::hours(1));
        assert_eq!(notifications::run_due_jobs(&t.ctx, 10).await.expect("run jobs"), 0);
    })
    .await;
}

#[tokio::test]
async fn the_smtp_password_is_stored_encrypted_and_never_shown() {
    run_on_both_backends("email_password", |t| async move {
        // A process without a secret key cannot store a password.
        let keyless = Ctx::new(t.ctx.db.clone(), Arc::new(t.clock.clone()));
        let admin = t.admin_right().await;
        let change = EmailSettingsChange {
            host: Some("smtp.example.com".into()),
            password: Some(PASSWORD.into()),
            from_address: Some("crm@example.com".into()),
            ..EmailSettingsChange::default()
        };
        match mail::save_settings(&keyless, &admin, &change).await {
            Err(rapport_db::Error::Domain(rapport_core::DomainError::Validation(errors))) => {
                assert_eq!((errors.0[0].field.as_str(), errors.0[0].code.as_str()), ("password", "secret_key_missing"));
            }
            other => panic!("expected secret_key_missing, got {other:?}"),
        }

        let receiver = SmtpReceiver::start().await;
        set_up(&t, &receiver).await;
        let row = t
            .ctx
            .db
            .conn()
            .query_one(
                &Query::select().column("value").from("settings").and_where(Expr::col("key").eq("smtp")).to_owned(),
            )
            .await
            .expect("read the settings row")
            .expect("a row");
        let raw: Value = row.try_get("", "value").expect("a JSON value");
        let stored = raw["password"].as_str().expect("a stored password");
        assert!(stored.starts_with("xchacha20poly1305:") && !raw.to_string().contains(PASSWORD), "{raw}");
        assert_eq!(key().decrypt(stored, "smtp_password").as_deref(), Some(PASSWORD));

        let shown = mail::get_settings(&t.ctx, &admin).await.expect("settings");
        assert!(shown.password_set && shown.ready);
        assert!(!serde_json::to_string(&shown).expect("JSON").contains("s3cret"));

        // Saving without a password keeps it; clearing removes it.
        let keep = EmailSettingsChange {
            host: Some("127.0.0.1".into()),
            from_address: Some("crm@rapport.test".into()),
            ..Default::default()
        };
        assert!(mail::save_settings(&t.ctx, &admin, &keep).await.expect("save").password_set);
        let clear = EmailSettingsChange { clear_password: true, ..keep };
        assert!(!mail::save_settings(&t.ctx, &admin, &clear).await.expect("save").password_set);
    })
    .await;
}

#[tokio::test]
async fn templates_are_written_in_the_recipients_language_and_a_broken_edit_is_refused() {
    run_on_both_backends("email_templates", |t| async move {
        let receiver = SmtpReceiver::start().await;
        let writer = set_up(&t, &receiver).await;
        let admin = as_admin(&writer);
        let queue_follow_up = |language: Option<&'static str>| {
            let t = &t;
            async move {
                let tx = t.ctx.db.write().await.expect("a transaction");
                let message = TemplateMessage {
                    template_key: "follow_up",
                    to: vec![Email::parse("ana@example.com").expect("an address")],
                    recipient_language: language,
                    context: json!({"recipient": {"name": "Ana"}, "record": {"name": "Acme"}, "sender": {"name": "Marina"}}),
                    attachments: Vec::new(),
                    related: None,
                    queued_by: None,
                };
                let id = mail::enqueue_from_template(&*tx, &t.ctx, message).await.expect("queue from a template");
                tx.commit().await.expect("commit");
                outbox(t, id).await
            }
        };
        assert_eq!(queue_follow_up(Some("pt_BR")).await.subject, "Dando continuidade: Acme");
        assert_eq!(queue_follow_up(Some("es-AR")).await.subject, "Seguimiento: Acme");
        assert_eq!(queue_follow_up(None).await.subject, "Following up: Acme");
        // An unknown language falls back to the account's default.
        let spanish = EmailSettingsChange {
            host: Some("127.0.0.1".into()),
            port: Some(receiver.port),
            security: Security::None,
            from_address: Some("crm@rapport.test".into()),
            default_language: Some("es".into()),
            ..Default::default()
        };
        mail::save_settings(&t.ctx, &admin, &spanish).await.expect("save");
        let german = queue_follow_up(Some("de")).await;
        assert_eq!((german.subject.as_str(), german.language.as_deref()), ("Seguimiento: Acme", Some("es")));

        // An edited text is used; a broken one is refused with its line.
        let edited = TemplateText { subject: "Olá {{ recipient.name }}".into(), body: "Oi {{ recipient.name }}!".into() };
        mail::templates::save(&t.ctx, &admin, "follow_up", "pt-BR", &edited).await.expect("save a template");
        let message = queue_follow_up(Some("pt-BR")).await;
        assert_eq!((message.subject.as_str(), message.body.as_str()), ("Olá Ana", "Oi Ana!"));
        let broken = TemplateText { subject: "ok".into(), body: "Oi\n{% for x in %}".into() };
        match mail::templates::save(&t.ctx, &admin, "follow_up", "pt-BR", &broken).await {
            Err(rapport_db::Error::Domain(rapport_core::DomainError::Validation(errors))) => {
                let error = &errors.0[0];
                assert_eq!((error.field.as_str(), error.code.as_str()), ("body", "template_syntax"));
                assert_eq!(error.params.get("line").map(String::as_str), Some("2"));
            }
            other => panic!("expected a template error, got {other:?}"),
        }
        let kept = mail::templates::get(&t.ctx, &admin, "follow_up").await.expect("the template");
        let pt = kept.versions.iter().find(|v| v.language == "pt-BR").expect("pt-BR");
        assert!(pt.edited && pt.body == "Oi {{ recipient.name }}!");
        mail::templates::reset(&t.ctx, &admin, "follow_up", "pt-BR").await.expect("reset");
        assert_eq!(queue_follow_up(Some("pt-BR")).await.subject, "Dando continuidade: Acme");
    })
    .await;
}
