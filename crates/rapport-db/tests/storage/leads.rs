use rapport_core::DomainError;
use rapport_core::schema::RecordType;
use rapport_db::Error;
use rapport_db::records::{self, ConversionInput};
use serde_json::json;

use crate::common::run_on_both_backends;

#[tokio::test]
async fn lead_conversion_links_existing_contact_and_company_and_refuses_a_second_time() {
    run_on_both_backends("lead conversion", |t| async move {
        let (_, admin) = t.admin().await;
        rapport_db::pipelines::ensure_default(&t.ctx).await.expect("default pipeline");
        let company = records::create(
            &t.ctx,
            &admin,
            RecordType::COMPANY,
            &json!({"name": "Acme Indústria", "website": "https://www.acme.com.br/contato"}),
        )
        .await
        .expect("company");
        assert_eq!(company.fields["domain"], json!("acme.com.br"));
        let contact = records::create(
            &t.ctx,
            &admin,
            RecordType::CONTACT,
            &json!({"first_name": "Maria", "emails": ["other@x.com", "Maria.Lima@Acme.com.br"]}),
        )
        .await
        .expect("contact");
        let lead = records::create(
            &t.ctx,
            &admin,
            RecordType::LEAD,
            &json!({
                "first_name": "Maria",
                "last_name": "Lima",
                "company_name": "Acme",
                "email": "maria.lima@acme.com.br",
                "website": "acme.com.br",
                "source_channel": "webinar",
            }),
        )
        .await
        .expect("lead");
        assert_eq!(lead.fields["status"], json!("new"));

        let matches = records::conversion_matches(&t.ctx, &admin, lead.id).await.expect("matches");
        assert_eq!((matches.contact, matches.company), (Some(contact.id), Some(company.id)));
        // The contact it would make has the stored one's e-mail; the company its domain.
        assert_eq!(matches.contact_candidates.iter().map(|c| (c.id, c.score)).collect::<Vec<_>>(), [(contact.id, 100)]);
        assert!(matches.contact_candidates[0].reasons.contains(&rapport_core::duplicates::Reason::Email));
        assert_eq!(matches.company_candidates.first().map(|c| c.id), Some(company.id));
        let input = ConversionInput {
            create_deal: true,
            deal_name: Some("Acme expansion".into()),
            amount_minor: Some(1_500_000),
            currency: None,
            pipeline_id: None,
            create_new_contact: false,
        };
        let result = records::convert_lead(&t.ctx, &admin, lead.id, &input).await.expect("convert");
        assert_eq!(result.contact_id, contact.id);
        assert!(!result.contact_created);
        assert_eq!(result.company_id, Some(company.id));
        assert!(!result.company_created);
        let deal_id = result.deal_id.expect("a deal");

        let deal = records::get(&t.ctx, &admin, RecordType::DEAL, deal_id).await.expect("deal");
        assert_eq!(deal.fields["name"], json!("Acme expansion"));
        assert_eq!(deal.uuid("contact_id"), Some(contact.id.0));
        assert_eq!(deal.uuid("company_id"), Some(company.id.0));
        assert_eq!(deal.fields["amount_minor"], json!(1_500_000));
        assert_eq!(deal.fields["currency"], json!("BRL"));
        assert_eq!(deal.fields["source_channel"], json!("webinar"));

        let converted = records::get(&t.ctx, &admin, RecordType::LEAD, lead.id).await.expect("lead");
        assert_eq!(converted.fields["status"], json!("converted"));
        assert_eq!(converted.uuid("converted_contact_id"), Some(contact.id.0));
        assert_eq!(converted.uuid("converted_company_id"), Some(company.id.0));
        assert_eq!(converted.uuid("converted_deal_id"), Some(deal_id.0));
        assert_eq!(t.count("contacts").await, 1);
        assert_eq!(t.count("companies").await, 1);

        let again = records::convert_lead(&t.ctx, &admin, lead.id, &input).await;
        assert!(matches!(again, Err(Error::Domain(DomainError::Conflict { .. }))), "{again:?}");
        assert_eq!(t.count("deals").await, 1);
    })
    .await;
}

#[tokio::test]
async fn lead_conversion_creates_what_does_not_exist() {
    run_on_both_backends("lead conversion creates", |t| async move {
        let (_, admin) = t.admin().await;
        let lead = records::create(
            &t.ctx,
            &admin,
            RecordType::LEAD,
            &json!({"first_name": "João", "company_name": "Padaria Pão Quente", "email": "joao@paoquente.com.br", "phone": "+55 11 3333-4444"}),
        )
        .await
        .expect("lead");
        let result = records::convert_lead(&t.ctx, &admin, lead.id, &ConversionInput::default()).await.expect("convert");
        assert!(result.contact_created && result.company_created);
        assert_eq!(result.deal_id, None);
        let contact = records::get(&t.ctx, &admin, RecordType::CONTACT, result.contact_id).await.expect("contact");
        assert_eq!(contact.fields["emails"], json!(["joao@paoquente.com.br"]));
        assert_eq!(contact.fields["phones"], json!(["+551133334444"]));
        assert_eq!(contact.uuid("company_id"), result.company_id.map(|c| c.0));
        let company =
            records::get(&t.ctx, &admin, RecordType::COMPANY, result.company_id.expect("company")).await.expect("company");
        assert_eq!(company.fields["domain"], json!("paoquente.com.br"));
    })
    .await;
}
