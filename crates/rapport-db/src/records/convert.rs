//! Lead conversion: one transaction that finds or creates the company and
//! contact, optionally opens a deal, and marks the lead converted.

use rapport_core::DomainError;
use rapport_core::access::{Actor, Writer};
use rapport_core::ids::RecordId;
use rapport_core::records::lead::company_domain_of_email;
use rapport_core::schema::RecordType;
use rapport_core::values::WebUrl;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::duplicates::{Candidate, candidates_in};
use super::service::{fetch_visible, prepare_new, scope, store_new, update_in};
use super::{Record, keys, repo};
use crate::error::Result;
use crate::idempotency::Completion;
use crate::settings::{Ctx, Snapshot};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversionInput {
    /// Open a deal for the converted contact.
    #[serde(default)]
    pub create_deal: bool,
    pub deal_name: Option<String>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub pipeline_id: Option<Uuid>,
    /// Create a new contact even when one with the lead's e-mail exists
    /// (by default the lead is linked to it).
    #[serde(default)]
    pub create_new_contact: bool,
}

/// What converting a lead would link to: the visible contact with its
/// e-mail and the visible company with its domain, if any; and the likely
/// duplicates of the contact and company it would create, with score and reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversionMatches {
    pub contact: Option<RecordId>,
    pub company: Option<RecordId>,
    pub contact_candidates: Vec<Candidate>,
    pub company_candidates: Vec<Candidate>,
}

fn lead_domain(lead: &Record) -> Option<String> {
    lead.text("website")
        .and_then(|w| WebUrl::parse(w).ok())
        .map(|u| u.domain())
        .or_else(|| lead.text("email").and_then(company_domain_of_email))
}

/// The records a conversion of the lead would link to, before it runs.
pub async fn conversion_matches(ctx: &Ctx, actor: &Actor, lead_id: RecordId) -> Result<ConversionMatches> {
    let snapshot = ctx.snapshot().await?;
    let conn = ctx.db.conn();
    let lead = fetch_visible(conn, actor, &snapshot, RecordType::LEAD, lead_id, false).await?;
    let contact = match lead.text("email") {
        Some(email) => find_visible(conn, actor, &snapshot, RecordType::CONTACT, "email", email).await?,
        None => None,
    };
    let company = match lead_domain(&lead) {
        Some(domain) => find_visible(conn, actor, &snapshot, RecordType::COMPANY, "domain", &domain).await?,
        None => None,
    };
    // The contact and company the lead would make, as drafts.
    let mut person = copy(&lead, &[("first_name", "first_name"), ("last_name", "last_name")]);
    if let Some(email) = lead.text("email") {
        person.insert("emails".into(), json!([email]));
    }
    if let Some(phone) = lead.text("phone") {
        person.insert("phones".into(), json!([phone]));
    }
    if let Some(company) = company {
        person.insert("company_id".into(), json!(company));
    }
    let contact_scope = scope(actor, &snapshot, RecordType::CONTACT);
    let contact_candidates = candidates_in(conn, RecordType::CONTACT, None, &person, &contact_scope).await?;
    let mut organisation = copy(&lead, &[("company_name", "name")]);
    if let Some(domain) = lead_domain(&lead) {
        organisation.insert("domain".into(), domain.into());
    }
    let company_scope = scope(actor, &snapshot, RecordType::COMPANY);
    let company_candidates = candidates_in(conn, RecordType::COMPANY, None, &organisation, &company_scope).await?;
    Ok(ConversionMatches {
        contact: contact.map(RecordId),
        company: company.map(RecordId),
        contact_candidates,
        company_candidates,
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConversionResult {
    pub contact_id: RecordId,
    pub contact_created: bool,
    pub company_id: Option<RecordId>,
    pub company_created: bool,
    pub deal_id: Option<RecordId>,
}

async fn find_visible(
    conn: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    record_type: RecordType,
    kind: &str,
    value: &str,
) -> Result<Option<Uuid>> {
    let candidates = keys::find_by_key(conn, record_type, kind, value).await?;
    let visible = repo::visible_ids(conn, record_type, &candidates, &scope(actor, snapshot, record_type)).await?;
    // The oldest match is the canonical record.
    Ok(visible.into_iter().min())
}

async fn create_in(
    ctx: &Ctx,
    conn: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    record_type: RecordType,
    input: Value,
) -> Result<Record> {
    let mut record =
        prepare_new(ctx, conn, actor, snapshot, record_type, std::slice::from_ref(&input)).await?.remove(0)?;
    store_new(conn, actor, std::slice::from_mut(&mut record)).await?;
    Ok(record)
}

fn copy(lead: &Record, keys: &[(&str, &str)]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|(from, to)| lead.fields.get(*from).filter(|v| !v.is_null()).map(|v| ((*to).to_owned(), v.clone())))
        .collect()
}

#[tracing::instrument(skip_all, fields(%lead_id), err(level = "debug"))]
pub async fn convert_lead(
    ctx: &Ctx,
    writer: &Writer,
    lead_id: RecordId,
    input: &ConversionInput,
) -> Result<ConversionResult> {
    convert_lead_idempotent(ctx, writer, lead_id, input, None).await
}

/// [`convert_lead`] that also stores the answer to an `Idempotency-Key` in its transaction.
pub async fn convert_lead_idempotent(
    ctx: &Ctx,
    writer: &Writer,
    lead_id: RecordId,
    input: &ConversionInput,
    completion: Option<&Completion<'_, ConversionResult>>,
) -> Result<ConversionResult> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let conn = &*tx;
    let lead = fetch_visible(conn, actor, &snapshot, RecordType::LEAD, lead_id, false).await?;
    if lead.text("status") == Some("converted") {
        return Err(DomainError::Conflict {
            code: "already_converted",
            message: "this lead was already converted".into(),
        }
        .into());
    }
    let email = lead.text("email").map(str::to_owned);

    // Company: by website or business e-mail domain, else by creating it.
    let domain = lead_domain(&lead);
    let mut company_id = None;
    let mut company_created = false;
    if let Some(domain) = &domain {
        company_id = find_visible(conn, actor, &snapshot, RecordType::COMPANY, "domain", domain).await?;
    }
    if company_id.is_none() {
        if let Some(name) = lead.text("company_name") {
            let mut fields = json!({"name": name});
            if let Some(website) = lead.text("website") {
                fields["website"] = website.into();
            } else if let Some(domain) = &domain {
                fields["domain"] = domain.clone().into();
            }
            company_id = Some(create_in(ctx, conn, actor, &snapshot, RecordType::COMPANY, fields).await?.id.0);
            company_created = true;
        }
    }

    // Contact: by e-mail, else created from the lead.
    let mut contact_id = match &email {
        Some(email) if !input.create_new_contact => {
            find_visible(conn, actor, &snapshot, RecordType::CONTACT, "email", email).await?
        }
        _ => None,
    };
    let contact_created = contact_id.is_none();
    if contact_id.is_none() {
        let mut fields = copy(
            &lead,
            &[
                ("first_name", "first_name"),
                ("last_name", "last_name"),
                ("job_title", "job_title"),
                ("source_channel", "source_channel"),
                ("source_campaign", "source_campaign"),
                ("utm_source", "utm_source"),
                ("utm_medium", "utm_medium"),
                ("utm_campaign", "utm_campaign"),
            ],
        );
        if let Some(email) = &email {
            fields.insert("emails".into(), json!([email]));
        }
        if let Some(phone) = lead.text("phone") {
            fields.insert("phones".into(), json!([phone]));
        }
        if let Some(company) = company_id {
            fields.insert("company_id".into(), company.to_string().into());
        }
        fields.insert("lifecycle_stage".into(), (if input.create_deal { "opportunity" } else { "qualified" }).into());
        // The contact goes to the lead's owner where the actor may give it
        // to them; otherwise, like any record they create, to the actor.
        if let Some(owner) = lead.owner_id {
            let team = crate::users::assignable_team(conn, owner).await?.flatten();
            if actor.check_assignment(None, owner, team).is_ok() {
                fields.insert("owner_id".into(), owner.to_string().into());
            }
        }
        contact_id =
            Some(create_in(ctx, conn, actor, &snapshot, RecordType::CONTACT, Value::Object(fields)).await?.id.0);
    }
    let contact_id = contact_id.ok_or(DomainError::not_found("contact"))?;

    let deal_id = if input.create_deal {
        let name = input.deal_name.clone().unwrap_or_else(|| format!("{} deal", lead.display_name()));
        let mut fields = json!({"name": name, "contact_id": contact_id.to_string()});
        if let Some(company) = company_id {
            fields["company_id"] = company.to_string().into();
        }
        if let Some(amount) = input.amount_minor {
            fields["amount_minor"] = amount.into();
            fields["currency"] =
                input.currency.clone().unwrap_or_else(|| snapshot.settings.default_currency.clone()).into();
        }
        if let Some(pipeline) = input.pipeline_id {
            fields["pipeline_id"] = pipeline.to_string().into();
        }
        if let Some(source) = lead.text("source_channel") {
            fields["source_channel"] = source.into();
        }
        Some(create_in(ctx, conn, actor, &snapshot, RecordType::DEAL, fields).await?.id)
    } else {
        None
    };

    let mut patch = json!({"status": "converted", "converted_contact_id": contact_id.to_string()});
    if let Some(company) = company_id {
        patch["converted_company_id"] = company.to_string().into();
    }
    if let Some(deal) = deal_id {
        patch["converted_deal_id"] = deal.to_string().into();
    }
    update_in(ctx, conn, actor, &snapshot, RecordType::LEAD, lead_id, &patch, None, None).await?;
    let result = ConversionResult {
        contact_id: contact_id.into(),
        contact_created,
        company_id: company_id.map(RecordId),
        company_created,
        deal_id,
    };
    crate::idempotency::complete_in(conn, completion, &result).await?;
    tx.commit().await?;
    Ok(result)
}
