//! Likely duplicates: a record's (or a draft's) candidates, found through
//! the matching and blocking keys in `record_keys` and scored by
//! `rapport_core::duplicates`; the background scan over a whole kind, its
//! review list, and "not a duplicate".

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rapport_core::access::{Actor, ReadScope, Writer};
use rapport_core::duplicates::{Reason, compare};
use rapport_core::ids::RecordId;
use rapport_core::jobs::JobKind;
use rapport_core::schema::RecordType;
use rapport_core::{DomainError, FieldError};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::service::{build_new, fetch_visible, scope};
use super::{Page, Record, hooks, keys, repo};
use crate::error::{Result, StorageContext};
use crate::settings::Ctx;

/// A likely duplicate of a record: who, how sure (0–100) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub id: RecordId,
    pub name: String,
    pub score: u8,
    pub reasons: Vec<Reason>,
}

/// The most key rows one lookup reads: a name block shared by more records
/// than this is too common to tell anything, and is cut off.
const MAX_KEY_ROWS: u64 = 200;
/// The most candidates one lookup returns.
const MAX_CANDIDATES: usize = 20;

/// `record_keys` kinds that find duplicates (a phone's tail finds phones
/// typed in part, not duplicates).
fn lookup_keys(record_type: RecordType, fields: &Map<String, Value>) -> Vec<(&'static str, String)> {
    let mut found: Vec<(&'static str, String)> =
        keys::keys_of(record_type, fields).into_iter().filter(|(kind, _)| *kind != super::PHONE_TAIL).collect();
    found.sort_unstable();
    found.dedup();
    found
}

fn keys_condition(keys: &[(&'static str, String)]) -> Cond {
    let mut by_kind: HashMap<&str, Vec<String>> = HashMap::new();
    for (kind, value) in keys {
        by_kind.entry(kind).or_default().push(value.clone());
    }
    let mut any = Cond::any();
    for (kind, values) in by_kind {
        any = any.add(Cond::all().add(Expr::col("kind").eq(kind)).add(Expr::col("value").is_in(values)));
    }
    any
}

/// Ids of records of the type sharing any of the keys, with the keys they share.
async fn sharing(
    conn: &impl ConnectionTrait,
    record_type: RecordType,
    keys: &[(&'static str, String)],
    limit: u64,
) -> Result<Vec<(String, String, Uuid)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let query = Query::select()
        .columns(["kind", "value", "record_id"])
        .from("record_keys")
        .and_where(Expr::col("record_type").eq(record_type.as_str()))
        .cond_where(keys_condition(keys))
        .limit(limit)
        .to_owned();
    let rows = conn.query_all(&query).await.context("find records sharing a key")?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "kind").context("read a key")?,
                r.try_get("", "value").context("read a key")?,
                r.try_get("", "record_id").context("read a record id")?,
            ))
        })
        .collect()
}

/// The records a pair with `id` was dismissed for ("not a duplicate").
async fn dismissed_with(conn: &impl ConnectionTrait, id: Uuid) -> Result<HashSet<Uuid>> {
    let query = Query::select()
        .columns(["record_id", "other_id"])
        .from("duplicate_pairs")
        .cond_where(Cond::any().add(Expr::col("record_id").eq(id)).add(Expr::col("other_id").eq(id)))
        .and_where(Expr::col("dismissed_at").is_not_null())
        .to_owned();
    let mut out = HashSet::new();
    for row in conn.query_all(&query).await.context("read dismissed duplicates")? {
        let a: Uuid = row.try_get("", "record_id").context("read a record id")?;
        let b: Uuid = row.try_get("", "other_id").context("read a record id")?;
        out.insert(if a == id { b } else { a });
    }
    Ok(out)
}

/// Visible live records that look like `fields` (the record `id`, if
/// stored, left out), surest first.
pub(super) async fn candidates_in(
    conn: &impl ConnectionTrait,
    record_type: RecordType,
    id: Option<Uuid>,
    fields: &Map<String, Value>,
    scope: &ReadScope,
) -> Result<Vec<Candidate>> {
    let keys = lookup_keys(record_type, fields);
    let mut ids: Vec<Uuid> = sharing(conn, record_type, &keys, MAX_KEY_ROWS).await?.into_iter().map(|k| k.2).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.retain(|other| Some(*other) != id);
    if let Some(id) = id {
        let dismissed = dismissed_with(conn, id).await?;
        ids.retain(|other| !dismissed.contains(other));
    }
    let records = repo::fetch_many(conn, record_type, &ids, scope, false).await?;
    let mut candidates: Vec<Candidate> = records
        .iter()
        .filter_map(|other| {
            let likeness = compare(record_type, fields, &other.fields)?;
            Some(Candidate {
                id: other.id,
                name: other.display_name(),
                score: likeness.score,
                reasons: likeness.reasons,
            })
        })
        .collect();
    candidates.sort_by(|a, b| b.score.cmp(&a.score).then(a.id.cmp(&b.id)));
    candidates.truncate(MAX_CANDIDATES);
    Ok(candidates)
}

/// The likely duplicates of a stored record the actor can see, among the
/// records they can see.
#[tracing::instrument(skip_all, fields(record_type = %record_type, %id), err(level = "debug"))]
pub async fn duplicates_of(ctx: &Ctx, actor: &Actor, record_type: RecordType, id: RecordId) -> Result<Vec<Candidate>> {
    let snapshot = ctx.snapshot().await?;
    let conn = ctx.db.conn();
    let record = fetch_visible(conn, actor, &snapshot, record_type, id, false).await?;
    candidates_in(conn, record_type, Some(id.0), &record.fields, &scope(actor, &snapshot, record_type)).await
}

/// The likely duplicates of a record about to be created (the same input
/// as a create, checked the same way), before it is saved.
#[tracing::instrument(skip_all, fields(record_type = %record_type), err(level = "debug"))]
pub async fn check_draft(ctx: &Ctx, actor: &Actor, record_type: RecordType, input: &Value) -> Result<Vec<Candidate>> {
    let snapshot = ctx.snapshot().await?;
    let conn = ctx.db.conn();
    let hook_data = hooks::load(conn, record_type).await?;
    let draft = build_new(actor, &snapshot, record_type, input, &hook_data, ctx.now())?;
    candidates_in(conn, record_type, None, &draft.fields, &scope(actor, &snapshot, record_type)).await
}

/// A pair of likely duplicates in the review list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicatePair {
    pub record: PairSide,
    pub other: PairSide,
    pub score: u8,
    pub reasons: Vec<Reason>,
    #[schema(value_type = String, format = DateTime)]
    pub found_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PairSide {
    pub id: RecordId,
    pub name: String,
}

fn parse_reasons(text: &str) -> Vec<Reason> {
    text.split(',').filter_map(Reason::parse).collect()
}

fn join_reasons(reasons: &[Reason]) -> String {
    reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

fn bad_cursor() -> crate::Error {
    DomainError::from(rapport_core::ValidationErrors::from(FieldError::new(
        "cursor",
        "invalid_cursor",
        "not a cursor this list gave",
    )))
    .into()
}

/// `score:record_id:other_id` of the last pair of a page.
fn parse_cursor(cursor: &str) -> Result<(i64, Uuid, Uuid)> {
    let mut parts = cursor.split(':');
    let score = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad_cursor)?;
    let a = parts.next().and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(bad_cursor)?;
    let b = parts.next().and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(bad_cursor)?;
    Ok((score, a, b))
}

/// The live record of `column` is one the scope allows.
fn visible(record_type: RecordType, column: &'static str, scope: &ReadScope) -> sea_orm::sea_query::SimpleExpr {
    let table = Alias::new(record_type.plural());
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(table.clone())
            .and_where(Expr::col((table, Alias::new("id"))).equals(("duplicate_pairs", column)))
            .and_where(Expr::col("deleted_at").is_null())
            .cond_where(repo::scope_condition(scope))
            .to_owned(),
    )
}

/// The background scan's pairs of a kind not dismissed, whose records are
/// both live and visible, surest first; keyset paginated.
#[tracing::instrument(skip_all, fields(record_type = %record_type), err(level = "debug"))]
pub async fn review_list(
    ctx: &Ctx,
    actor: &Actor,
    record_type: RecordType,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<DuplicatePair>> {
    let snapshot = ctx.snapshot().await?;
    let scope = scope(actor, &snapshot, record_type);
    let conn = ctx.db.conn();
    let limit = limit.clamp(1, 200);
    let mut query = Query::select();
    query
        .columns(["record_id", "other_id", "score", "reasons", "found_at"])
        .from("duplicate_pairs")
        .and_where(Expr::col("record_type").eq(record_type.as_str()))
        .and_where(Expr::col("dismissed_at").is_null())
        .and_where(visible(record_type, "record_id", &scope))
        .and_where(visible(record_type, "other_id", &scope))
        .order_by("score", Order::Desc)
        .order_by("record_id", Order::Desc)
        .order_by("other_id", Order::Desc)
        .limit(limit + 1);
    if let Some(cursor) = cursor {
        let (score, a, b) = parse_cursor(cursor)?;
        query.cond_where(
            Cond::any().add(Expr::col("score").lt(score)).add(
                Cond::all().add(Expr::col("score").eq(score)).add(
                    Cond::any()
                        .add(Expr::col("record_id").lt(a))
                        .add(Cond::all().add(Expr::col("record_id").eq(a)).add(Expr::col("other_id").lt(b))),
                ),
            ),
        );
    }
    let rows = conn.query_all(&query).await.context("list likely duplicates")?;
    let mut pairs = Vec::new();
    for row in &rows {
        const CTX: &str = "read a duplicate pair";
        let score: i64 = row.try_get("", "score").context(CTX)?;
        let reasons: String = row.try_get("", "reasons").context(CTX)?;
        pairs.push((
            row.try_get::<Uuid>("", "record_id").context(CTX)?,
            row.try_get::<Uuid>("", "other_id").context(CTX)?,
            score,
            reasons,
            row.try_get::<DateTime<Utc>>("", "found_at").context(CTX)?,
        ));
    }
    let more = pairs.len() as u64 > limit;
    pairs.truncate(limit as usize);
    let ids: Vec<Uuid> = pairs.iter().flat_map(|p| [p.0, p.1]).collect();
    let names: HashMap<Uuid, String> = repo::fetch_many(conn, record_type, &ids, &scope, false)
        .await?
        .into_iter()
        .map(|r| (r.id.0, r.display_name()))
        .collect();
    let side = |id: Uuid| PairSide { id: RecordId(id), name: names.get(&id).cloned().unwrap_or_default() };
    let next_cursor = more.then(|| pairs.last().map(|p| format!("{}:{}:{}", p.2, p.0, p.1))).flatten();
    let items = pairs
        .into_iter()
        .map(|(a, b, score, reasons, found_at)| DuplicatePair {
            record: side(a),
            other: side(b),
            score: score.clamp(0, 100) as u8,
            reasons: parse_reasons(&reasons),
            found_at,
        })
        .collect();
    Ok(Page { items, next_cursor })
}

/// How many records a scan read and how many pairs it found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ScanSummary {
    pub records: u64,
    pub pairs: u64,
}

const SCAN_BATCH: u64 = 500;

/// Compares every live record of a kind with the records sharing a key
/// with it (never all pairs: each lookup is a few index entries), and keeps
/// the pairs found; pairs no longer found, and not dismissed, are removed.
/// A system task (the worker's), over every record whoever owns it.
#[tracing::instrument(skip_all, fields(record_type = %record_type), err)]
pub async fn scan(ctx: &Ctx, record_type: RecordType) -> Result<ScanSummary> {
    let started = crate::row::now_micros(ctx.now());
    let mut summary = ScanSummary::default();
    let mut last: Option<Uuid> = None;
    loop {
        let conn = ctx.db.conn();
        let batch = live_after(conn, record_type, last).await?;
        if batch.is_empty() {
            break;
        }
        last = batch.last().map(|r| r.id.0);
        summary.records += batch.len() as u64;
        let pairs = batch_pairs(conn, record_type, &batch).await?;
        summary.pairs += pairs.len() as u64;
        let tx = ctx.db.write().await?;
        store_pairs(&*tx, record_type, &pairs, started).await?;
        tx.commit().await?;
    }
    let tx = ctx.db.write().await?;
    let stale = Query::delete()
        .from_table("duplicate_pairs")
        .and_where(Expr::col("record_type").eq(record_type.as_str()))
        .and_where(Expr::col("dismissed_at").is_null())
        .and_where(Expr::col("found_at").lt(started))
        .to_owned();
    tx.execute(&stale).await.context("remove pairs no longer found")?;
    tx.commit().await?;
    Ok(summary)
}

type Pair = (Uuid, Uuid, u8, Vec<Reason>);

/// Pairs of a batch's records with the records sharing their keys, each
/// pair once (the smaller id first).
async fn batch_pairs(conn: &impl ConnectionTrait, record_type: RecordType, batch: &[Record]) -> Result<Vec<Pair>> {
    let per_record: Vec<Vec<(&'static str, String)>> =
        batch.iter().map(|r| lookup_keys(record_type, &r.fields)).collect();
    let mut all: Vec<(&'static str, String)> = per_record.iter().flatten().cloned().collect();
    all.sort_unstable();
    all.dedup();
    let mut holders: HashMap<(String, String), Vec<Uuid>> = HashMap::new();
    for chunk in all.chunks(500) {
        for (kind, value, id) in sharing(conn, record_type, chunk, u64::MAX >> 1).await? {
            holders.entry((kind, value)).or_default().push(id);
        }
    }
    let mut wanted: Vec<(usize, Uuid)> = Vec::new();
    for (index, (record, keys)) in batch.iter().zip(&per_record).enumerate() {
        let mut others: Vec<Uuid> = Vec::new();
        for (kind, value) in keys {
            let Some(ids) = holders.get(&((*kind).to_owned(), value.clone())) else { continue };
            if ids.len() as u64 > MAX_KEY_ROWS {
                continue;
            }
            others.extend(ids.iter().copied().filter(|id| *id > record.id.0));
        }
        others.sort_unstable();
        others.dedup();
        wanted.extend(others.into_iter().map(|id| (index, id)));
    }
    let mut ids: Vec<Uuid> = wanted.iter().map(|w| w.1).collect();
    ids.sort_unstable();
    ids.dedup();
    let others: HashMap<Uuid, Record> = repo::fetch_many(conn, record_type, &ids, &ReadScope::All, false)
        .await?
        .into_iter()
        .map(|r| (r.id.0, r))
        .collect();
    Ok(wanted
        .into_iter()
        .filter_map(|(index, id)| {
            let other = others.get(&id)?;
            let likeness = compare(record_type, &batch[index].fields, &other.fields)?;
            Some((batch[index].id.0, id, likeness.score, likeness.reasons))
        })
        .collect())
}

async fn store_pairs(
    conn: &impl ConnectionTrait,
    record_type: RecordType,
    pairs: &[Pair],
    at: DateTime<Utc>,
) -> Result<()> {
    for chunk in pairs.chunks(200) {
        let mut insert = Query::insert();
        insert.into_table("duplicate_pairs").columns([
            "record_type",
            "record_id",
            "other_id",
            "score",
            "reasons",
            "found_at",
        ]);
        for (a, b, score, reasons) in chunk {
            insert.values_panic([
                record_type.as_str().into(),
                (*a).into(),
                (*b).into(),
                i64::from(*score).into(),
                join_reasons(reasons).into(),
                at.into(),
            ]);
        }
        insert.on_conflict(
            OnConflict::columns(["record_id", "other_id"]).update_columns(["score", "reasons", "found_at"]).to_owned(),
        );
        conn.execute(&insert).await.context("store likely duplicates")?;
    }
    Ok(())
}

/// Asks the worker for a scan of a kind (one per kind and minute).
pub async fn request_scan(ctx: &Ctx, record_type: RecordType, dedup: &str) -> Result<()> {
    let tx = ctx.db.write().await?;
    let now = ctx.now();
    let key = format!("duplicate_scan:{}:{dedup}", record_type.as_str());
    let payload = serde_json::json!({"record_type": record_type.as_str()});
    crate::jobs::enqueue(&*tx, JobKind::DuplicateScan, &payload, now, Some(&key), now).await?;
    tx.commit().await
}

/// "Not a duplicate": the pair is kept as dismissed, and neither its
/// record's panel nor the review list shows it again.
#[tracing::instrument(skip_all, fields(record_type = %record_type), err(level = "debug"))]
pub async fn dismiss(ctx: &Ctx, writer: &Writer, record_type: RecordType, a: RecordId, b: RecordId) -> Result<()> {
    let actor: &Actor = writer;
    if a == b {
        return Err(DomainError::invalid("other_id", "same_record", "a record is not its own duplicate").into());
    }
    let snapshot = ctx.snapshot().await?;
    let tx = ctx.db.write().await?;
    let first = fetch_visible(&*tx, actor, &snapshot, record_type, a, false).await?;
    let second = fetch_visible(&*tx, actor, &snapshot, record_type, b, false).await?;
    let (low, high) = if a.0 < b.0 { (&first, &second) } else { (&second, &first) };
    let likeness = compare(record_type, &low.fields, &high.fields);
    let now = ctx.now();
    let insert = Query::insert()
        .into_table("duplicate_pairs")
        .columns([
            "record_type",
            "record_id",
            "other_id",
            "score",
            "reasons",
            "found_at",
            "dismissed_at",
            "dismissed_by",
        ])
        .values_panic([
            record_type.as_str().into(),
            low.id.0.into(),
            high.id.0.into(),
            i64::from(likeness.as_ref().map_or(0, |l| l.score)).into(),
            join_reasons(likeness.as_ref().map_or(&[][..], |l| &l.reasons)).into(),
            now.into(),
            now.into(),
            actor.user_id.into(),
        ])
        .on_conflict(
            OnConflict::columns(["record_id", "other_id"]).update_columns(["dismissed_at", "dismissed_by"]).to_owned(),
        )
        .to_owned();
    tx.execute(&insert).await.context("dismiss a likely duplicate")?;
    tx.commit().await
}

/// Removes every pair a record is part of (it was merged away).
pub(super) async fn forget_pairs(conn: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    let delete = Query::delete()
        .from_table("duplicate_pairs")
        .cond_where(Cond::any().add(Expr::col("record_id").eq(id)).add(Expr::col("other_id").eq(id)))
        .to_owned();
    conn.execute(&delete).await.context("forget likely duplicates")?;
    Ok(())
}

/// The next `SCAN_BATCH` live records of a kind after `last`, by id: the
/// pages a scan or a backfill walks the whole table in.
async fn live_after(conn: &impl ConnectionTrait, record_type: RecordType, last: Option<Uuid>) -> Result<Vec<Record>> {
    let mut query = repo::select(record_type);
    query.and_where(Expr::col("deleted_at").is_null()).order_by("id", Order::Asc).limit(SCAN_BATCH);
    if let Some(last) = last {
        query.and_where(Expr::col("id").gt(last));
    }
    let rows = conn.query_all(&query).await.context("read a page of records")?;
    rows.iter().map(|row| repo::from_row(record_type, row)).collect()
}

/// Blocking keys for the rows stored before they existed (migration 14).
pub(crate) async fn backfill_blocking_keys(conn: &impl ConnectionTrait) -> Result<()> {
    for record_type in RecordType::all().filter(|t| t.rules().duplicates().is_some()) {
        let mut last: Option<Uuid> = None;
        loop {
            let batch = live_after(conn, record_type, last).await?;
            if batch.is_empty() {
                break;
            }
            let mut keys = Vec::new();
            for record in &batch {
                last = Some(record.id.0);
                for (kind, value) in rapport_core::duplicates::blocking_keys(record_type, &record.fields) {
                    keys.push([record_type.as_str().into(), record.id.0.into(), kind.into(), value.into()]);
                }
            }
            for chunk in keys.chunks(500) {
                let mut insert = Query::insert();
                insert.into_table("record_keys").columns(["record_type", "record_id", "kind", "value"]);
                for row in chunk {
                    insert.values_panic(row.clone());
                }
                conn.execute(&insert).await.context("write blocking keys")?;
            }
        }
    }
    Ok(())
}
