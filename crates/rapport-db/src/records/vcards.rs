//! Contacts from a vCard file (Google Contacts, Outlook, iPhone, 4.0): each
//! card a contact unless one with the same e-mail exists; what the contact
//! has no field for (notes, organization, more addresses) kept as a note on
//! its timeline; photos kept in `contact_photos`. One transaction; a report
//! of what was created, skipped and rejected, card by card.

use rapport_core::access::{Actor, Writer};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_core::vcard::{self, NoteLabels, Photo};
use rapport_core::{DomainError, FieldError};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::service::{prepare_new, store_new};
use super::{get, keys};
use crate::error::{Error, Result, StorageContext};
use crate::settings::Ctx;

/// The largest vCard file read (a few thousand contacts with photos).
pub const MAX_VCARD_BYTES: usize = 16 * 1024 * 1024;

/// What happened to one card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VcardOutcome {
    /// The line of the card's `BEGIN:VCARD`.
    pub line: usize,
    /// The card's name (or e-mail), to find it in the file.
    pub name: String,
    /// `created`, `skipped` (a contact with its e-mail exists) or `rejected`.
    pub outcome: String,
    /// The contact created, or the one that already had the e-mail.
    pub contact_id: Option<Uuid>,
    /// Why it was rejected or skipped.
    pub errors: Vec<FieldError>,
    /// What was left out of a created contact (`photo_too_large`, `photo_unreadable`).
    pub warnings: Vec<String>,
}

/// What a vCard import did; `created + skipped + rejected` is the number of cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VcardReport {
    pub created: u64,
    pub skipped: u64,
    pub rejected: u64,
    pub photos: u64,
    pub cards: Vec<VcardOutcome>,
}

fn field_errors(error: Error) -> Result<Vec<FieldError>> {
    match error {
        Error::Domain(DomainError::Validation(errors)) => Ok(errors.0),
        Error::Domain(other) => Ok(vec![FieldError::new("", "invalid", other.to_string())]),
        other => Err(other),
    }
}

/// Imports the contacts of a vCard file for `writer`; `labels` word the
/// note that keeps what has no field (in the importing user's language).
#[tracing::instrument(skip_all, fields(bytes = file.len()), err(level = "debug"))]
pub async fn import_vcards(ctx: &Ctx, writer: &Writer, file: &[u8], labels: NoteLabels<'_>) -> Result<VcardReport> {
    let actor: &Actor = writer;
    if file.len() > MAX_VCARD_BYTES {
        return Err(DomainError::invalid("file", "file_too_large", "a vCard file has at most 16 MB").into());
    }
    let cards = vcard::parse(file).map_err(|e| DomainError::invalid("file", e.code(), e.to_string()))?;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let mut outcomes: Vec<VcardOutcome> = cards
        .iter()
        .map(|card| VcardOutcome {
            line: card.line,
            name: card.label(),
            outcome: String::new(),
            contact_id: None,
            errors: Vec::new(),
            warnings: card.warnings.iter().map(|w| w.code().to_owned()).collect(),
        })
        .collect();
    // Duplicates by e-mail: stored contacts (one lookup for the file), then
    // earlier cards of the file.
    let mut emails: Vec<String> = cards.iter().flat_map(|c| c.emails.iter().map(|e| e.to_lowercase())).collect();
    emails.sort_unstable();
    emails.dedup();
    let stored = keys::find_many(&*tx, RecordType::CONTACT, "email", &emails).await?;
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut to_create: Vec<usize> = Vec::new();
    for (index, card) in cards.iter().enumerate() {
        let mut duplicate = None;
        for email in card.emails.iter().map(|e| e.to_lowercase()) {
            if let Some(id) = stored.get(&email) {
                duplicate = Some((email, Some(*id)));
                break;
            }
            if seen.contains(&email) {
                duplicate = Some((email, None));
                break;
            }
        }
        seen.extend(card.emails.iter().map(|e| e.to_lowercase()));
        match duplicate {
            Some((email, existing)) => {
                let outcome = &mut outcomes[index];
                outcome.outcome = "skipped".into();
                outcome.contact_id = existing;
                let message = format!("a contact with the e-mail {email} exists already");
                outcome.errors.push(FieldError::new("emails", "duplicate_contact", message));
            }
            None => to_create.push(index),
        }
    }
    let inputs: Vec<serde_json::Value> = to_create.iter().map(|i| cards[*i].contact_input()).collect();
    let prepared = prepare_new(ctx, &*tx, actor, &snapshot, RecordType::CONTACT, &inputs).await?;
    let mut contacts = Vec::new();
    let mut created: Vec<(usize, RecordId)> = Vec::new();
    for (index, result) in to_create.into_iter().zip(prepared) {
        let outcome = &mut outcomes[index];
        match result {
            Ok(record) => {
                outcome.outcome = "created".into();
                outcome.contact_id = Some(record.id.0);
                created.push((index, record.id));
                contacts.push(record);
            }
            Err(error) => {
                outcome.outcome = "rejected".into();
                outcome.errors = field_errors(error)?;
            }
        }
    }
    store_new(&*tx, actor, &mut contacts).await?;

    let notes: Vec<serde_json::Value> = created
        .iter()
        .filter_map(|(index, id)| {
            let text = cards[*index].note(labels)?;
            Some(json!({"kind": "note", "body": text, "related": [{"type": "contact", "id": id.0}]}))
        })
        .collect();
    let mut notes: Vec<_> = prepare_new(ctx, &*tx, actor, &snapshot, RecordType::ACTIVITY, &notes)
        .await?
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    store_new(&*tx, actor, &mut notes).await?;

    let mut photos = 0;
    for (index, id) in &created {
        if let Some(photo) = &cards[*index].photo {
            store_photo(&*tx, *id, photo, ctx.now()).await?;
            photos += 1;
        }
    }
    tx.commit().await?;
    let count = |what: &str| outcomes.iter().filter(|o| o.outcome == what).count() as u64;
    Ok(VcardReport {
        created: count("created"),
        skipped: count("skipped"),
        rejected: count("rejected"),
        photos,
        cards: outcomes,
    })
}

/// Keeps a contact's photo, replacing any it had.
async fn store_photo(
    conn: &impl ConnectionTrait,
    id: RecordId,
    photo: &Photo,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    remove_photo(conn, id).await?;
    let insert = Query::insert()
        .into_table("contact_photos")
        .columns(["contact_id", "content_type", "bytes", "updated_at"])
        .values_panic([id.0.into(), photo.content_type.into(), photo.bytes.clone().into(), now.into()])
        .to_owned();
    conn.execute(&insert).await.context("store a contact photo")?;
    Ok(())
}

/// Removes a contact's photo, if it has one (erasure).
pub(super) async fn remove_photo(conn: &impl ConnectionTrait, id: RecordId) -> Result<()> {
    let delete = Query::delete().from_table("contact_photos").and_where(Expr::col("contact_id").eq(id.0)).to_owned();
    conn.execute(&delete).await.context("remove a contact photo")?;
    Ok(())
}

/// A contact's photo (content type, bytes), if the actor can see the contact
/// and it has one; a contact out of sight is "not found".
pub async fn contact_photo(ctx: &Ctx, actor: &Actor, id: RecordId) -> Result<Option<(String, Vec<u8>)>> {
    get(ctx, actor, RecordType::CONTACT, id).await?;
    let query = Query::select()
        .columns(["content_type", "bytes"])
        .from("contact_photos")
        .and_where(Expr::col("contact_id").eq(id.0))
        .to_owned();
    let Some(row) = ctx.db.conn().query_one(&query).await.context("read a contact photo")? else {
        return Ok(None);
    };
    let content_type: String = row.try_get("", "content_type").context("read a contact photo")?;
    let bytes: Vec<u8> = row.try_get("", "bytes").context("read a contact photo")?;
    Ok(Some((content_type, bytes)))
}

/// Whether a contact has a photo (no visibility check: for a page that has loaded the contact).
pub async fn has_photo(ctx: &Ctx, id: RecordId) -> Result<bool> {
    let query = Query::select()
        .column("contact_id")
        .from("contact_photos")
        .and_where(Expr::col("contact_id").eq(id.0))
        .to_owned();
    Ok(ctx.db.conn().query_one(&query).await.context("look for a contact photo")?.is_some())
}
