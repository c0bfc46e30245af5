//! Contracts: numbering, the rules of their life cycle, signed documents,
//! renewal (the version chain and the renewal deal, once even when asked
//! twice at once) and the daily job (expiry, one reminder per version,
//! automatic renewal), on both backends.

use chrono::Duration;
use rapport_core::DomainError;
use rapport_core::access::{Role, Writer};
use rapport_core::schema::RecordType;
use rapport_db::records::contracts::{self, DailySummary};
use rapport_db::records::{self, Record, contract_documents};
use rapport_db::{Error, pipelines};
use serde_json::{Value, json};

use crate::common::{TestCtx, run_on_both_backends, validation_fields};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn company(t: &TestCtx, writer: &Writer) -> Record {
    records::create(&t.ctx, writer, RecordType::COMPANY, &json!({"name": "Acme Ltda"})).await.expect("a company")
}

/// A year of support from 2026-01-01, 30 days' notice (tests start on 2026-03-02).
async fn contract(t: &TestCtx, writer: &Writer, company: &Record, extra: Value) -> Result<Record, Error> {
    let mut input = json!({
        "name": "Suporte anual", "company_id": company.id, "start_date": "2026-01-01", "end_date": "2026-12-31",
        "value_minor": 1_200_000, "currency": "BRL", "billing_frequency": "monthly", "status": "active",
    });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    records::create(&t.ctx, writer, RecordType::CONTRACT, &input).await
}

async fn reload(t: &TestCtx, writer: &Writer, contract: &Record) -> Record {
    records::get(&t.ctx, writer, RecordType::CONTRACT, contract.id).await.expect("the contract")
}

fn conflict_code(result: Result<impl std::fmt::Debug, Error>) -> &'static str {
    match result {
        Err(Error::Domain(DomainError::Conflict { code, .. })) => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn field_codes(result: Result<impl std::fmt::Debug, Error>) -> Vec<(String, String)> {
    match result {
        Err(Error::Domain(DomainError::Validation(errors))) => {
            errors.0.into_iter().map(|e| (e.field, e.code)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn contracts_are_numbered_hold_their_dates_and_keep_their_terms_once_sent() {
    run_on_both_backends("contract rules", |t| async move {
        let (_, admin) = t.admin().await;
        let acme = company(&t, &admin).await;
        let first = contract(&t, &admin, &acme, json!({"status": "draft"})).await.expect("create");
        assert_eq!(first.fields["number"], json!("CT-2026-0001"));
        assert_eq!(first.fields["version_number"], json!(1));
        assert_eq!(first.fields["renewal_notice_days"], json!(30));
        assert_eq!(first.fields["auto_renew"], json!(false));
        let second = contract(&t, &admin, &acme, json!({})).await.expect("create");
        assert_eq!(second.fields["number"], json!("CT-2026-0002"));
        assert_eq!(second.fields["signed_on"], json!("2026-03-02"), "an active contract was signed");

        // Dates in order, a company, a value of zero or more, no forged number.
        let backwards = contract(&t, &admin, &acme, json!({"end_date": "2025-12-31"})).await;
        assert_eq!(validation_fields(backwards), ["end_date"]);
        let negative = contract(&t, &admin, &acme, json!({"value_minor": -1})).await;
        assert_eq!(validation_fields(negative), ["value_minor"]);
        let forged = contract(&t, &admin, &acme, json!({"number": "CT-1"})).await;
        assert_eq!(field_codes(forged), [("number".to_owned(), "derived_field".to_owned())]);
        let expired = contract(&t, &admin, &acme, json!({"status": "expired"})).await;
        assert_eq!(field_codes(expired), [("status".to_owned(), "invalid_transition".to_owned())]);

        // A draft is edited freely; once sent its terms are fixed, its notes are not.
        let update = |id, patch: Value| {
            let (ctx, admin) = (t.ctx.clone(), admin.clone());
            async move { records::update(&ctx, &admin, RecordType::CONTRACT, id, &patch, None).await }
        };
        update(first.id, json!({"value_minor": 1_500_000})).await.expect("a draft is edited");
        update(first.id, json!({"status": "sent_for_signature"})).await.expect("send it");
        assert_eq!(conflict_code(update(first.id, json!({"value_minor": 1})).await), "contract_not_editable");
        update(first.id, json!({"notes": "Assinatura pelo diretor"})).await.expect("notes change");
        let jump = update(first.id, json!({"status": "expired"})).await;
        assert_eq!(field_codes(jump), [("status".to_owned(), "invalid_transition".to_owned())]);
        let terminated = contracts::terminate(&t.ctx, &admin, first.id).await.expect("terminate");
        assert_eq!(terminated.fields["status"], json!("terminated"));
        assert_eq!(terminated.fields["terminated_on"], json!("2026-03-02"));
        assert_eq!(conflict_code(contracts::terminate(&t.ctx, &admin, first.id).await), "contract_not_terminable");
        assert_eq!(conflict_code(contracts::renew(&t.ctx, &admin, first.id).await), "contract_not_renewable");
    })
    .await;
}

#[tokio::test]
async fn documents_are_kept_by_their_bytes_and_a_disguised_or_oversized_file_stores_nothing() {
    run_on_both_backends("contract documents", |t| async move {
        let (_, admin) = t.admin().await;
        let acme = company(&t, &admin).await;
        let signed = contract(&t, &admin, &acme, json!({})).await.expect("create");
        let info =
            contract_documents::add(&t.ctx, &admin, signed.id, "Contrato assinado.pdf", PDF).await.expect("a pdf");
        assert_eq!(info.content_type, "application/pdf");
        assert_eq!(info.size_bytes, PDF.len() as i64);
        let stored = contract_documents::get(&t.ctx, &admin, signed.id, info.id).await.expect("read it back");
        assert_eq!(stored.bytes, PDF);

        let exe = b"MZ\x90\0\x03\0\0\0This program cannot be run in DOS mode".to_vec();
        let disguised = contract_documents::add(&t.ctx, &admin, signed.id, "contrato.pdf", &exe).await;
        assert_eq!(field_codes(disguised), [("file".to_owned(), "contract_document_type".to_owned())]);
        let mut big = PDF.to_vec();
        big.resize(rapport_core::contract_documents::MAX_DOCUMENT_BYTES + 1, b' ');
        let oversized = contract_documents::add(&t.ctx, &admin, signed.id, "grande.pdf", &big).await;
        assert_eq!(field_codes(oversized), [("file".to_owned(), "contract_document_too_large".to_owned())]);
        assert_eq!(t.count("contract_documents").await, 1, "nothing else was stored");
        let audited = t.count_where("audit_log", "record_id", signed.id.0).await;
        assert_eq!(audited, 2, "the contract's creation and its document");

        // Someone who cannot see the contract cannot see its documents.
        let (_, outsider) = t.user("Outsider", Role::Member).await;
        let mut config = rapport_db::settings::load(t.ctx.db.conn()).await.expect("settings");
        config.visibility.insert(RecordType::CONTRACT, rapport_core::access::Visibility::Private);
        rapport_db::settings::save(&t.ctx, &crate::common::as_admin(&admin), &config).await.expect("private contracts");
        let outsider = Writer::try_from(outsider).expect("a writer");
        let hidden = contract_documents::get(&t.ctx, &outsider, signed.id, info.id).await;
        assert!(matches!(hidden, Err(Error::Domain(DomainError::NotFound { .. }))), "{hidden:?}");
        contract_documents::remove(&t.ctx, &admin, signed.id, info.id).await.expect("remove");
        assert_eq!(t.count("contract_documents").await, 0);
    })
    .await;
}

#[tokio::test]
async fn renewing_makes_the_next_version_and_a_renewal_deal_once_even_when_asked_twice_at_once() {
    run_on_both_backends("contract renewal", |t| async move {
        pipelines::ensure_default(&t.ctx).await.expect("a pipeline");
        let (_, admin) = t.admin().await;
        let acme = company(&t, &admin).await;
        let old = contract(&t, &admin, &acme, json!({})).await.expect("create");

        let attempts: Vec<_> = (0..2)
            .map(|_| {
                let (ctx, admin, id) = (t.ctx.clone(), admin.clone(), old.id);
                tokio::spawn(async move { contracts::renew(&ctx, &admin, id).await })
            })
            .collect();
        let mut outcomes = Vec::new();
        for attempt in attempts {
            outcomes.push(attempt.await.expect("join"));
        }
        let renewals: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        assert_eq!(renewals.len(), 1, "{outcomes:?}");
        for loss in outcomes.iter().filter_map(|o| o.as_ref().err()) {
            assert!(
                matches!(loss, Error::Domain(DomainError::Conflict { code: "contract_already_renewed", .. })),
                "{loss:?}"
            );
        }
        let renewal = renewals[0];
        let new = &renewal.contract;
        assert_eq!(new.fields["number"], json!("CT-2026-0001"), "a renewal keeps the number");
        assert_eq!(new.fields["version_number"], json!(2));
        assert_eq!(new.fields["previous_contract_id"], json!(old.id.to_string()));
        assert_eq!((&new.fields["start_date"], &new.fields["end_date"]), (&json!("2027-01-01"), &json!("2027-12-31")));
        assert_eq!(new.fields["status"], json!("draft"), "a renewal by hand is signed again");
        assert_eq!(new.fields["value_minor"], json!(1_200_000));
        assert_eq!(reload(&t, &admin, &old).await.fields["status"], json!("renewed"));
        let deal = &renewal.deal;
        assert_eq!(new.fields["deal_id"], json!(deal.id.to_string()));
        assert_eq!(deal.fields["company_id"], json!(acme.id.to_string()));
        assert_eq!(deal.fields["amount_minor"], json!(1_200_000));
        assert_eq!(deal.fields["expected_close_date"], json!("2026-12-31"));
        assert_eq!(t.count("deals").await, 1, "one renewal deal");
        assert_eq!(t.count("contracts").await, 2, "one new version");
        assert_eq!(conflict_code(contracts::renew(&t.ctx, &admin, old.id).await), "contract_already_renewed");

        let chain = contracts::versions(&t.ctx, &admin, new.id).await.expect("versions");
        assert_eq!(chain.iter().map(|c| c.id).collect::<Vec<_>>(), [old.id, new.id]);
    })
    .await;
}

async fn run_daily(t: &TestCtx) -> DailySummary {
    contracts::run_daily(&t.ctx).await.expect("the daily job")
}

#[tokio::test]
async fn the_daily_job_warns_once_per_version_then_expires_and_renews_the_automatic_ones() {
    run_on_both_backends("contract daily job", |t| async move {
        pipelines::ensure_default(&t.ctx).await.expect("a pipeline");
        let (owner, admin) = t.admin().await;
        let acme = company(&t, &admin).await;
        let manual = contract(&t, &admin, &acme, json!({"end_date": "2026-04-30"})).await.expect("create");
        let automatic = contract(
            &t,
            &admin,
            &acme,
            json!({"end_date": "2026-04-30", "auto_renew": true, "renewal_notice_days": 10}),
        )
        .await
        .expect("create");
        let draft =
            contract(&t, &admin, &acme, json!({"status": "draft", "end_date": "2026-03-10"})).await.expect("create");

        // Far from the notice: nothing happens.
        assert_eq!(run_daily(&t).await, DailySummary::default());

        // Within the manual one's notice (from 31 March): expiring, one task, one notification.
        t.clock.advance(Duration::days(30)); // 2026-04-01
        let warned = run_daily(&t).await;
        assert_eq!(warned, DailySummary { expiring: 1, reminders: 1, ..Default::default() });
        let stored = reload(&t, &admin, &manual).await;
        assert_eq!(stored.fields["status"], json!("expiring"));
        let task_id = stored.uuid("reminder_activity_id").expect("the reminder task");
        let task = records::get(&t.ctx, &admin, RecordType::ACTIVITY, task_id.into()).await.expect("the task");
        assert_eq!(task.fields["subject"], json!("Renew contract CT-2026-0001"));
        assert_eq!(task.fields["kind"], json!("task"));
        assert_eq!(task.fields["due_at"], json!("2026-03-31T12:00:00.000000Z"));
        assert_eq!(task.owner_id, Some(owner.id.0));
        assert_eq!(t.count_where("notifications", "kind", "contract_renewal").await, 1);

        // Running again, the same day or the next, reminds nobody twice.
        assert_eq!(run_daily(&t).await, DailySummary::default());
        t.clock.advance(Duration::days(1));
        assert_eq!(run_daily(&t).await, DailySummary::default());
        assert_eq!(t.count_where("activities", "kind", "task").await, 1);
        assert_eq!(t.count_where("notifications", "kind", "contract_renewal").await, 1);

        // After the end: the manual one expired, the automatic one renewed
        // itself (active), and its new version starts where it ended.
        t.clock.set(crate::common::start_time() + Duration::days(60)); // 2026-05-01
        let after = run_daily(&t).await;
        assert_eq!(after, DailySummary { expired: 1, renewed: 1, ..Default::default() });
        assert_eq!(reload(&t, &admin, &manual).await.fields["status"], json!("expired"));
        assert_eq!(reload(&t, &admin, &automatic).await.fields["status"], json!("renewed"));
        assert_eq!(reload(&t, &admin, &draft).await.fields["status"], json!("draft"), "a draft is left alone");
        let chain = contracts::versions(&t.ctx, &admin, automatic.id).await.expect("versions");
        let next = chain.last().expect("the new version");
        assert_eq!(next.fields["status"], json!("active"));
        assert_eq!(
            (&next.fields["start_date"], &next.fields["end_date"]),
            (&json!("2026-05-01"), &json!("2026-08-31"))
        );
        assert_eq!(t.count_where("notifications", "kind", "contract_renewed").await, 1);
        assert_eq!(run_daily(&t).await, DailySummary::default(), "nothing twice");
        assert_eq!(t.count("contracts").await, 4);

        // The expired one is still renewed by hand.
        let renewal = contracts::renew(&t.ctx, &admin, manual.id).await.expect("renew an expired contract");
        assert_eq!(renewal.contract.fields["start_date"], json!("2026-05-01"));
    })
    .await;
}
