//! Data-subject requests (LGPD art. 18, GDPR arts. 15 and 17): everything
//! Rapport holds about one person, in one document; and erasing it.

use rapport_core::DomainError;
use rapport_core::access::{Admin, ReadScope};
use rapport_core::audit::AuditAction;
use rapport_core::ids::RecordId;
use rapport_core::privacy::{self, Personal};
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::service::fetch_visible;
use super::{Record, get, keys, list, repo, timeline};
use crate::error::{Result, StorageContext};
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
    let photo = super::contact_photo(ctx, admin, id).await?.map(|(content_type, bytes)| {
        use base64::Engine as _;
        json!({"content_type": content_type, "base64": base64::engine::general_purpose::STANDARD.encode(bytes)})
    });
    Ok(json!({
        "generated_at": ctx.now(),
        "contact": contact.to_json(),
        "photo": photo,
        "company": company,
        "deals": deals,
        "timeline": entries,
    }))
}

/// The words that replace erased text, in the language the caller chose.
#[derive(Debug, Clone, Copy)]
pub struct ErasedWords<'a> {
    /// The erased contact's name ("Erased contact").
    pub name: &'a str,
    /// An erased activity's subject ("Erased").
    pub subject: &'a str,
}

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Erasure {
    pub id: Uuid,
    /// The contact's version after erasure.
    pub version: i64,
    /// Activities about the person whose text was removed.
    pub activities_erased: u64,
    /// Audit entries whose personal values were redacted.
    pub audit_entries_redacted: u64,
}

/// Erases a contact on the person's request: its personal fields cleared
/// and its name replaced, the text of the live activities about it
/// removed, the personal values in their audit entries redacted, its
/// matching keys and search entries removed; deals, stages, amounts, dates
/// and counts stay. `confirm_name`, when given, must be the contact's
/// current name. One transaction; audited as `erase`, with no personal data.
#[tracing::instrument(skip_all, fields(%id), err(level = "debug"))]
pub async fn erase_contact(
    ctx: &Ctx,
    admin: &Admin,
    id: RecordId,
    words: ErasedWords<'_>,
    confirm_name: Option<&str>,
) -> Result<Erasure> {
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let old = fetch_visible(&*tx, admin, &snapshot, RecordType::CONTACT, id, false).await?;
    if let Some(typed) = confirm_name {
        if !privacy::confirmation_matches(&old.display_name(), typed) {
            return Err(DomainError::invalid(
                "confirm_name",
                "confirmation_mismatch",
                "type the contact's name exactly as it is shown to confirm",
            )
            .into());
        }
    }
    let now = ctx.now();
    let personal = Personal::contact(snapshot.custom_fields_of(RecordType::CONTACT));
    let (fields, custom) = privacy::erase_contact(&personal, &old.fields, &old.custom, words.name);
    let contact = rewrite(&*tx, admin, &old, fields, custom, now).await?;
    keys::unindex_search(&*tx, id.0).await?;
    super::vcards::remove_photo(&*tx, id).await?;
    let mut audit_entries_redacted = crate::audit::redact(&*tx, id.0, &personal).await?;

    let activity_text = Personal::activity_text(snapshot.custom_fields_of(RecordType::ACTIVITY));
    let mut activities_erased = 0;
    for activity_id in activities_about(&*tx, id).await? {
        let found = repo::fetch(&*tx, RecordType::ACTIVITY, RecordId(activity_id), &ReadScope::All, false).await?;
        let Some(activity) = found else { continue };
        let (fields, custom) =
            privacy::erase_activity(&activity_text, &activity.fields, &activity.custom, words.subject);
        rewrite(&*tx, admin, &activity, fields, custom, now).await?;
        audit_entries_redacted += crate::audit::redact(&*tx, activity_id, &activity_text).await?;
        activities_erased += 1;
    }
    for activity in trashed_activities_about(&*tx, id).await? {
        let (fields, custom) =
            privacy::erase_activity(&activity_text, &activity.fields, &activity.custom, words.subject);
        let mut update = Query::update();
        update.table(RecordType::ACTIVITY.plural());
        for name in privacy::ACTIVITY_TEXT_FIELDS {
            update.value(*name, fields.get(*name).and_then(Value::as_str).map(str::to_owned));
        }
        update
            .value("custom", Value::Object(custom))
            .value("version", activity.version + 1)
            .and_where(Expr::col("id").eq(activity.id.0));
        tx.execute(&update).await.context("erase a trashed activity")?;
        crate::audit::record(
            &*tx,
            now,
            Some(admin.user_id),
            RecordType::ACTIVITY,
            activity.id.0,
            AuditAction::Erase,
            &[],
        )
        .await?;
        audit_entries_redacted += crate::audit::redact(&*tx, activity.id.0, &activity_text).await?;
        activities_erased += 1;
    }
    tx.commit().await?;
    Ok(Erasure { id: id.0, version: contact.version, activities_erased, audit_entries_redacted })
}

/// Stores a record's erased values as its next version, re-indexes it and
/// logs an `erase` entry that names no value.
async fn rewrite(
    conn: &impl ConnectionTrait,
    admin: &Admin,
    old: &Record,
    fields: serde_json::Map<String, Value>,
    custom: serde_json::Map<String, Value>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Record> {
    let mut record = old.clone();
    record.fields = fields;
    record.custom = custom;
    record.version = old.version + 1;
    record.updated_at = now;
    record.updated_by = Some(admin.user_id);
    if !repo::update(conn, &record, old.version).await? {
        return Err(DomainError::VersionMismatch { current: old.version + 1 }.into());
    }
    keys::index(conn, &record).await?;
    crate::audit::record(conn, now, Some(admin.user_id), record.record_type, record.id.0, AuditAction::Erase, &[])
        .await?;
    Ok(record)
}

/// The live activities linked to a record.
async fn activities_about(conn: &impl ConnectionTrait, id: RecordId) -> Result<Vec<Uuid>> {
    let query = Query::select()
        .distinct()
        .column("source_id")
        .from("record_links")
        .and_where(Expr::col("target_id").eq(id.0))
        .and_where(Expr::col("source_type").eq(RecordType::ACTIVITY.as_str()))
        .to_owned();
    let rows = conn.query_all(&query).await.context("find the activities about a contact")?;
    rows.iter().map(|row| row.try_get("", "source_id").context("read an activity id")).collect()
}

/// Activities in the trash that were about a record: their links went with
/// them to the trash, so their `related` lists are read, a page at a time
/// (the trash is bounded by its retention).
async fn trashed_activities_about(conn: &impl ConnectionTrait, id: RecordId) -> Result<Vec<Record>> {
    let mut found = Vec::new();
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = repo::select(RecordType::ACTIVITY);
        query.and_where(Expr::col("deleted_at").is_not_null());
        if let Some(after) = after {
            query.and_where(Expr::col("id").gt(after));
        }
        query.order_by("id", sea_orm::Order::Asc).limit(500);
        let rows = conn.query_all(&query).await.context("read the trashed activities")?;
        for row in &rows {
            let activity = repo::from_row(RecordType::ACTIVITY, row)?;
            after = Some(activity.id.0);
            if rapport_core::schema::record_links(RecordType::ACTIVITY, &activity.fields).iter().any(|l| l.id == id.0) {
                found.push(activity);
            }
        }
        if rows.len() < 500 {
            return Ok(found);
        }
    }
}
