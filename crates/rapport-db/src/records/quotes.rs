//! The actions on quotes beyond the generic record writes: send, accept,
//! reject, revise, make primary; and the price of a configured product.
//! Each runs in one transaction and writes through the generic update path
//! (hooks, audit); the rules of which action is allowed when are in
//! `rapport_core::records::quote::transition`.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rapport_core::access::{Actor, ReadScope, Writer};
use rapport_core::configurator::{self, Configured};
use rapport_core::ids::RecordId;
use rapport_core::mail::Attachment;
use rapport_core::mail::templates::QUOTE_SENT;
use rapport_core::records::quote::{QuoteAction, transition};
use rapport_core::schema::RecordType;
use rapport_core::values::Email;
use rapport_core::{DomainError, FieldError};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::Record;
use super::service::{fetch_visible, prepare_new, store_new, update_in, write_update};
use crate::error::{Error, Result, StorageContext};
use crate::mail::TemplateMessage;
use crate::public_links::QUOTE_DECISION;
use crate::settings::{Ctx, Snapshot};

/// What accepting a quote did, all in one transaction: the accepted quote,
/// the pending order made from its lines and, when the account's setting
/// says so, the deal moved to its pipeline's won stage.
#[derive(Debug, Clone, Serialize)]
pub struct Acceptance {
    pub quote: Record,
    pub order: Record,
    /// The deal as it is after the quote's acceptance, when it was moved.
    pub deal: Option<Record>,
}

/// The quote's status as of today: a sent quote past its valid-until date
/// is expired, whatever is stored.
pub fn effective_status(ctx: &Ctx, quote: &Record) -> &'static str {
    let valid_until = quote.text("valid_until").and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let status = quote.text("status").unwrap_or("draft");
    let effective = rapport_core::records::quote::effective_status(status, valid_until, ctx.now().date_naive());
    rapport_core::records::quote::STATUSES.iter().find(|s| **s == effective).copied().unwrap_or("draft")
}

/// Marks a draft as sent (e-mailing it is another feature's).
#[tracing::instrument(skip_all, fields(%id), err(level = "debug"))]
pub async fn send(ctx: &Ctx, writer: &Writer, id: RecordId) -> Result<Record> {
    change_status(ctx, writer, id, QuoteAction::Send, "sent_at").await
}

/// A quote e-mailed to its customer, as the caller prepared it in the
/// customer's language.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The address typed on the send form; else the quote's contact's.
    pub to: Option<String>,
    /// The quote's PDF.
    pub pdf: Attachment,
    /// The customer page's address up to its token (`https://crm.example.com/p/quotes/`).
    pub link_base: String,
    /// The total and the validity as the customer reads them.
    pub total: String,
    pub valid_until: String,
}

/// What sending a quote by e-mail did.
#[derive(Debug, Clone, Serialize)]
pub struct Delivered {
    pub quote: Record,
    /// The outbox message that carries it.
    pub message_id: Uuid,
    pub link_expires_at: DateTime<Utc>,
}

/// How long after its valid-until day a customer can still open a quote's
/// link, to read what they were offered (no longer to accept it).
const LINK_OUTLIVES_QUOTE_DAYS: i64 = 30;

/// Sends a draft to its customer: marks it sent, makes the secret link to
/// read, accept or reject it, and queues the e-mail with the PDF, all in one
/// transaction, so a failure leaves a draft and no message or link. The
/// message reads in the customer's language.
#[tracing::instrument(skip_all, fields(%id), err(level = "debug"))]
pub async fn send_by_email(ctx: &Ctx, writer: &Writer, id: RecordId, delivery: Delivery) -> Result<Delivered> {
    let actor: &Actor = writer;
    let quote = super::get(ctx, actor, RecordType::QUOTE, id).await?;
    let person = crate::mail::recipient_of(ctx, writer, &quote).await?;
    let typed = delivery.to.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let to = match typed {
        Some(to) => Email::parse(to).map_err(|e| DomainError::Validation(e.nested("to").into()))?,
        None => match person.as_ref().and_then(|(_, email, _)| email.clone()) {
            Some(email) => email,
            None => {
                let error = FieldError::new("to", "no_email", "the quote's contact has no e-mail address: type one");
                return Err(DomainError::Validation(error.into()).into());
            }
        },
    };
    let sender = crate::users::get(ctx.db.conn(), actor.user()).await?;
    let (sender_name, sender_email) = sender.map(|u| (u.name, u.email)).unwrap_or_default();
    // Until the account has a name, the message is signed by its sender.
    let company = Some(crate::branding::load(ctx.db.conn()).await?.name)
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| sender_name.clone());
    let now = ctx.now();
    let valid_until = quote.text("valid_until").and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let link_ends = valid_until.map_or(now.date_naive(), |d| Ord::max(d, now.date_naive()))
        + Duration::days(LINK_OUTLIVES_QUOTE_DAYS + 1);
    let link_expires_at = link_ends.and_time(NaiveTime::MIN).and_utc();

    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let quote = set_status(ctx, &*tx, actor, &snapshot, id, QuoteAction::Send, "sent_at").await?;
    let (_, token) =
        crate::public_links::create_in(&*tx, actor.user(), RecordType::QUOTE, id, QUOTE_DECISION, link_expires_at, now)
            .await?;
    let (recipient_name, language) = person.map(|(name, _, language)| (name, language)).unwrap_or_default();
    let context = json!({
        "recipient": {"name": recipient_name, "email": to.as_str()},
        "quote": {
            "number": quote.text("number"),
            "title": quote.text("title"),
            "total": delivery.total,
            "valid_until": delivery.valid_until,
        },
        "link": format!("{}{token}", delivery.link_base),
        "company": {"name": company},
        "sender": {"name": sender_name, "email": sender_email},
    });
    let message = TemplateMessage {
        template_key: QUOTE_SENT,
        to: vec![to],
        recipient_language: language.as_deref(),
        context,
        attachments: vec![delivery.pdf],
        related: Some((RecordType::QUOTE, id)),
        queued_by: Some(actor.user()),
    };
    let message_id = crate::mail::enqueue_from_template(&*tx, ctx, message).await?;
    tx.commit().await?;
    Ok(Delivered { quote, message_id, link_expires_at })
}

/// Quotes marked expired by one transaction of [`expire_due`].
const EXPIRE_BATCH: u64 = 500;

/// Stores `expired` on sent quotes past their valid-until day, so that
/// lists, filters and exports find them (a quote's page says so as soon as
/// the day passes). Run by the worker every hour; a second run, or one on
/// another replica, changes nothing more. Audited as the system's.
pub async fn expire_due(ctx: &Ctx) -> Result<usize> {
    let today = ctx.now().date_naive();
    let mut expired = 0;
    loop {
        let tx = ctx.db.write().await?;
        let mut query = super::repo::select(RecordType::QUOTE);
        query
            .and_where(Expr::col("status").eq("sent"))
            .and_where(Expr::col("valid_until").lt(today))
            .and_where(Expr::col("deleted_at").is_null())
            .limit(EXPIRE_BATCH);
        let rows = tx.query_all(&query).await.context("read the quotes past their validity")?;
        for row in &rows {
            let quote = super::repo::from_row(RecordType::QUOTE, row)?;
            let changes = Map::from_iter([("status".to_owned(), Value::from("expired"))]);
            match super::returns::write_for_system(&*tx, &quote, changes, ctx.now(), None).await {
                Ok(_) => expired += 1,
                // Changed meanwhile (accepted, revised): its next read decides.
                Err(Error::Domain(DomainError::VersionMismatch { .. })) => {}
                Err(other) => return Err(other),
            }
        }
        tx.commit().await?;
        if (rows.len() as u64) < EXPIRE_BATCH {
            return Ok(expired);
        }
    }
}

/// Rejects a sent (or expired) quote.
#[tracing::instrument(skip_all, fields(%id), err(level = "debug"))]
pub async fn reject(ctx: &Ctx, writer: &Writer, id: RecordId) -> Result<Record> {
    change_status(ctx, writer, id, QuoteAction::Reject, "decided_at").await
}

async fn change_status(ctx: &Ctx, writer: &Writer, id: RecordId, action: QuoteAction, stamp: &str) -> Result<Record> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let quote = set_status(ctx, &*tx, actor, &snapshot, id, action, stamp).await?;
    tx.commit().await?;
    Ok(quote)
}

/// Applies an action's new status to a visible quote, stamping when.
async fn set_status(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    id: RecordId,
    action: QuoteAction,
    stamp: &str,
) -> Result<Record> {
    let old = fetch_visible(conn, actor, snapshot, RecordType::QUOTE, id, false).await?;
    let status = transition(action, &old.fields, ctx.now().date_naive())?;
    let mut quote = old.clone();
    quote.fields.insert("status".into(), status.into());
    quote.fields.insert(stamp.into(), crate::row::timestamp_json(ctx.now()));
    write_update(ctx, conn, actor, snapshot, old, quote, &Map::new(), None).await.map_err(changed_meanwhile)
}

/// Two writers acted on the same quote at once: the second finds it changed.
fn changed_meanwhile(error: Error) -> Error {
    match error {
        Error::Domain(DomainError::VersionMismatch { .. }) => DomainError::Conflict {
            code: "quote_changed",
            message: "the quote was changed at the same moment (perhaps accepted): reload it".into(),
        }
        .into(),
        other => other,
    }
}

/// Accepts a sent, unexpired quote and makes its order; with the account's
/// setting (on by default), its deal moves to its pipeline's won stage. Of
/// two concurrent accepts, exactly one succeeds, so one order is made.
#[tracing::instrument(skip_all, fields(%id), err(level = "debug"))]
pub async fn accept(ctx: &Ctx, writer: &Writer, id: RecordId) -> Result<Acceptance> {
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let acceptance = accept_in(ctx, &*tx, writer, &snapshot, id).await?;
    tx.commit().await?;
    Ok(acceptance)
}

async fn accept_in(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    id: RecordId,
) -> Result<Acceptance> {
    let quote = set_status(ctx, conn, actor, snapshot, id, QuoteAction::Accept, "decided_at").await?;
    let order = order_from(ctx, conn, actor, snapshot, &quote).await?;
    let deal = match (snapshot.settings.quote_acceptance_wins_deal, quote.uuid("deal_id")) {
        (true, Some(deal_id)) => win_deal(ctx, conn, actor, snapshot, RecordId(deal_id)).await?,
        _ => None,
    };
    Ok(Acceptance { quote, order, deal })
}

/// What the customer decided on the quote's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Reject,
}

/// The customer's decision through the quote's secret link, taken in the
/// name of the user who sent it; the quote's owner is notified in the same
/// transaction. Returns the quote and, when accepted, its order.
#[tracing::instrument(skip_all, fields(quote = %link.record_id), err(level = "debug"))]
pub async fn decide_as_customer(
    ctx: &Ctx,
    link: &crate::public_links::PublicLink,
    decision: Decision,
) -> Result<(Record, Option<Record>)> {
    let Some(sharer) = crate::public_links::acting_user(ctx, link).await? else {
        return Err(DomainError::Conflict {
            code: "link_sharer_gone",
            message: "the person who sent this link can no longer act on it".into(),
        }
        .into());
    };
    let actor: &Actor = &sharer;
    let id = RecordId(link.record_id);
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let (quote, order) = match decision {
        Decision::Accept => {
            let acceptance = accept_in(ctx, &*tx, actor, &snapshot, id).await?;
            (acceptance.quote, Some(acceptance.order))
        }
        Decision::Reject => {
            (set_status(ctx, &*tx, actor, &snapshot, id, QuoteAction::Reject, "decided_at").await?, None)
        }
    };
    if let Some(owner) = quote.owner_id {
        let kind = if order.is_some() { "quote_accepted" } else { "quote_rejected" };
        let name = quote.display_name();
        let notification = crate::notifications::NewNotification {
            user_id: rapport_core::ids::UserId(owner),
            kind,
            title: format!(
                "The customer decided on quote “{name}”: {}",
                if order.is_some() { "accepted" } else { "rejected" }
            ),
            params: [("name".to_owned(), name)].into(),
            body: None,
            record: Some((RecordType::QUOTE, id)),
            dedup_key: format!("{kind}:{}", id.0),
        };
        crate::notifications::insert(&*tx, notification, ctx.now()).await?;
    }
    tx.commit().await?;
    Ok((quote, order))
}

/// Reads a quote for its customer's page, whoever may see it: the link is
/// the permission. With the order it led to, if accepted.
pub async fn quote_for_customer(ctx: &Ctx, id: RecordId) -> Result<Option<(Record, Option<Record>)>> {
    let conn = ctx.db.conn();
    let Some(quote) = super::fetch_unscoped_for_system(conn, RecordType::QUOTE, id).await? else { return Ok(None) };
    let orders = super::repo::ids_where(conn, RecordType::ORDER, "quote_id", id.0).await?;
    let order =
        super::repo::fetch_many(conn, RecordType::ORDER, &orders, &ReadScope::All, false).await?.into_iter().next();
    Ok(Some((quote, order)))
}

/// The fields an order takes from the quote it comes from. The lines keep
/// the accepted prices: orders do not price from the catalogue.
const ORDERED: [&str; 6] = ["currency", "lines", "discount_bp", "contact_id", "company_id", "deal_id"];

/// Makes the pending order of an accepted quote, numbered in the
/// transaction, owned by the quote's owner.
async fn order_from(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    quote: &Record,
) -> Result<Record> {
    let mut input: Map<String, Value> = ORDERED
        .iter()
        .filter_map(|k| quote.fields.get(*k).filter(|v| !v.is_null()).map(|v| ((*k).into(), v.clone())))
        .collect();
    input.insert("owner_id".into(), json!(quote.owner_id));
    let mut order =
        prepare_new(ctx, conn, actor, snapshot, RecordType::ORDER, &[Value::Object(input)]).await?.remove(0)?;
    // `quote_id` is derived: the input cannot set it, the acceptance does.
    order.fields.insert("quote_id".into(), quote.id.to_string().into());
    store_new(conn, actor, std::slice::from_mut(&mut order)).await?;
    Ok(order)
}

/// Moves the deal to the won stage of its pipeline, unless it is there or
/// its pipeline has none.
async fn win_deal(
    ctx: &Ctx,
    conn: &impl ConnectionTrait,
    actor: &Actor,
    snapshot: &Snapshot,
    deal_id: RecordId,
) -> Result<Option<Record>> {
    let deal = fetch_visible(conn, actor, snapshot, RecordType::DEAL, deal_id, false).await?;
    let Some(pipeline_id) = deal.uuid("pipeline_id") else { return Ok(None) };
    let pipeline = crate::pipelines::get(conn, pipeline_id).await?;
    let Some(won) = pipeline.iter().flat_map(|p| &p.stages).find(|s| s.is_won) else { return Ok(None) };
    if deal.uuid("stage_id") == Some(won.id) {
        return Ok(None);
    }
    let patch = json!({"stage_id": won.id.to_string()});
    update_in(ctx, conn, actor, snapshot, RecordType::DEAL, deal_id, &patch, None, None).await.map(Some)
}

/// Fields a revision copies from the quote it revises; the rest are its own.
const COPIED: [&str; 9] =
    ["title", "deal_id", "contact_id", "company_id", "currency", "lines", "discount_bp", "valid_until", "notes"];

/// Makes a new draft revision of a sent, rejected or expired quote: the same
/// number, `revision` + 1, the lines repriced from today's products (typed
/// overrides kept), primary if the old one was. The old revision stays,
/// pointing to the new one (`superseded_by`), and is no longer primary.
#[tracing::instrument(skip_all, fields(%id), err(level = "debug"))]
pub async fn revise(ctx: &Ctx, writer: &Writer, id: RecordId) -> Result<Record> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let old = fetch_visible(&*tx, actor, &snapshot, RecordType::QUOTE, id, false).await?;
    transition(QuoteAction::Revise, &old.fields, ctx.now().date_naive())?;
    let mut input: Map<String, Value> = COPIED
        .iter()
        .filter_map(|k| old.fields.get(*k).filter(|v| !v.is_null()).map(|v| ((*k).into(), v.clone())))
        .collect();
    if let Some(Value::Array(lines)) = input.get_mut("lines") {
        for line in lines.iter_mut().filter_map(Value::as_object_mut) {
            // The product prices the line again, unless its price was typed.
            let computed = line.get("product_id").is_some_and(|p| !p.is_null())
                && line.get("price_override") != Some(&Value::Bool(true));
            if computed {
                line.remove("unit_price_minor");
            }
        }
    }
    input.insert("tags".into(), json!(old.tags));
    input.insert("owner_id".into(), json!(old.owner_id));
    let mut revision =
        prepare_new(ctx, &*tx, actor, &snapshot, RecordType::QUOTE, &[Value::Object(input)]).await?.remove(0)?;
    let number = old.fields.get("number").cloned().unwrap_or(Value::Null);
    let next = old.fields.get("revision").and_then(Value::as_i64).unwrap_or(1) + 1;
    let primary = old.fields.get("primary").cloned().unwrap_or(Value::Bool(false));
    revision.fields.insert("number".into(), number);
    revision.fields.insert("revision".into(), next.into());
    revision.fields.insert("primary".into(), primary);
    store_new(&*tx, actor, std::slice::from_mut(&mut revision)).await?;
    let mut superseded = old.clone();
    superseded.fields.insert("superseded_by".into(), revision.id.to_string().into());
    superseded.fields.insert("primary".into(), Value::Bool(false));
    write_update(ctx, &*tx, actor, &snapshot, old, superseded, &Map::new(), None).await.map_err(changed_meanwhile)?;
    tx.commit().await?;
    Ok(revision)
}

/// Makes the quote its deal's primary one: the deal's amount and currency
/// follow its total from now on (audited on the deal). The deal's other
/// quotes stop being primary.
#[tracing::instrument(skip_all, fields(%id), err(level = "debug"))]
pub async fn make_primary(ctx: &Ctx, writer: &Writer, id: RecordId) -> Result<Record> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let old = fetch_visible(&*tx, actor, &snapshot, RecordType::QUOTE, id, false).await?;
    transition(QuoteAction::MakePrimary, &old.fields, ctx.now().date_naive())?;
    if old.fields.get("primary") == Some(&Value::Bool(true)) {
        return Ok(old);
    }
    if let Some(deal_id) = old.uuid("deal_id") {
        // One primary per deal is the system's rule, kept whoever can see
        // the deal's other quotes.
        let ids = super::repo::ids_where(&*tx, RecordType::QUOTE, "deal_id", deal_id).await?;
        let siblings = super::repo::fetch_many(&*tx, RecordType::QUOTE, &ids, &ReadScope::All, false).await?;
        for sibling in
            siblings.into_iter().filter(|q| q.id != id && q.fields.get("primary") == Some(&Value::Bool(true)))
        {
            let mut demoted = sibling.clone();
            demoted.fields.insert("primary".into(), Value::Bool(false));
            write_update(ctx, &*tx, actor, &snapshot, sibling, demoted, &Map::new(), None).await?;
        }
    }
    let mut primary = old.clone();
    primary.fields.insert("primary".into(), Value::Bool(true));
    let quote = write_update(ctx, &*tx, actor, &snapshot, old, primary, &Map::new(), None).await?;
    tx.commit().await?;
    Ok(quote)
}

/// The unit price of a product with these options in `currency`, as a
/// quote line would get it; the rules' errors name `options` or `product_id`.
#[tracing::instrument(skip_all, fields(%product_id), err(level = "debug"))]
pub async fn configured_price(
    ctx: &Ctx,
    actor: &Actor,
    product_id: RecordId,
    currency: &str,
    options: &[String],
) -> Result<Configured> {
    let currency = rapport_core::values::Currency::parse(currency)
        .map_err(|e| DomainError::Validation(e.nested("currency").into()))?;
    let product = super::get(ctx, actor, RecordType::PRODUCT, product_id).await?;
    let priced = rapport_core::records::product::priced(product.id.0, &product.fields)
        .map_err(|e| DomainError::Validation(e.into()))?;
    Ok(configurator::configure(&priced, currency.code(), options).map_err(DomainError::from)?)
}
