//! The actions on quotes beyond the generic record writes: send, accept,
//! reject, revise, make primary; and the price of a configured product.
//! Each runs in one transaction and writes through the generic update path
//! (hooks, audit); the rules of which action is allowed when are in
//! `rapport_core::records::quote::transition`.

use rapport_core::DomainError;
use rapport_core::access::{Actor, ReadScope, Writer};
use rapport_core::configurator::{self, Configured};
use rapport_core::ids::RecordId;
use rapport_core::records::quote::{QuoteAction, transition};
use rapport_core::schema::RecordType;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::Record;
use super::service::{fetch_visible, prepare_new, store_new, update_in, write_update};
use crate::error::{Error, Result};
use crate::settings::{Ctx, Snapshot};

/// What accepting a quote did: the accepted quote and, when the account's
/// setting says so, the deal moved to its pipeline's won stage. This is the
/// point where order creation is to be glued on: call it with `quote` in the
/// same transaction, or after [`accept`] returns.
#[derive(Debug, Clone, Serialize)]
pub struct Acceptance {
    pub quote: Record,
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

/// Accepts a sent, unexpired quote; with the account's setting (on by
/// default), its deal moves to its pipeline's won stage. Of two concurrent
/// accepts, exactly one succeeds.
#[tracing::instrument(skip_all, fields(%id), err(level = "debug"))]
pub async fn accept(ctx: &Ctx, writer: &Writer, id: RecordId) -> Result<Acceptance> {
    let actor: &Actor = writer;
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let quote = set_status(ctx, &*tx, actor, &snapshot, id, QuoteAction::Accept, "decided_at").await?;
    let deal = match (snapshot.settings.quote_acceptance_wins_deal, quote.uuid("deal_id")) {
        (true, Some(deal_id)) => win_deal(ctx, &*tx, actor, &snapshot, RecordId(deal_id)).await?,
        _ => None,
    };
    tx.commit().await?;
    Ok(Acceptance { quote, deal })
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
