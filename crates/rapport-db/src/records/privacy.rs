//! Data-subject requests (LGPD art. 18, GDPR art. 15): everything Rapport
//! holds about one person, in one document.

use rapport_core::access::Admin;
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use serde_json::{Value, json};

use super::{get, list, timeline};
use crate::error::Result;
use crate::settings::Ctx;

/// Timeline entries read per query.
const PAGE: u64 = 200;

/// A contact, its whole timeline (activities, changes with their values),
/// its deals and its company, as one JSON document; for an administrator
/// answering the person's request.
pub async fn personal_data(ctx: &Ctx, admin: &Admin, id: RecordId) -> Result<Value> {
    let contact = get(ctx, admin, RecordType::CONTACT, id).await?;
    let mut entries = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = timeline(ctx, admin, RecordType::CONTACT, id, cursor.as_deref(), PAGE).await?;
        entries.extend(page.items.into_iter().map(|entry| serde_json::to_value(entry).unwrap_or(Value::Null)));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut deals = Vec::new();
    let mut query =
        vec![("filter[contact_id][eq]".to_owned(), id.0.to_string()), ("limit".to_owned(), "200".to_owned())];
    loop {
        let page = list(ctx, admin, RecordType::DEAL, &query).await?;
        deals.extend(page.items.iter().map(|deal| deal.to_json()));
        match page.next_cursor {
            Some(next) => {
                query.retain(|(k, _)| k != "cursor");
                query.push(("cursor".to_owned(), next));
            }
            None => break,
        }
    }
    let company = match contact.uuid("company_id") {
        Some(company) => Some(get(ctx, admin, RecordType::COMPANY, RecordId(company)).await?.to_json()),
        None => None,
    };
    Ok(json!({
        "generated_at": ctx.now(),
        "contact": contact.to_json(),
        "company": company,
        "deals": deals,
        "timeline": entries,
    }))
}
