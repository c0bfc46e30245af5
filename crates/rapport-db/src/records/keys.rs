//! Side tables a record write keeps in step: matching keys (e-mail, phone,
//! domain) for de-duplication, links to other records, and the search index.

use std::collections::HashMap;

use rapport_core::schema::{FieldKind, RecordType, record_links};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, InsertStatement, Query, SimpleExpr};
use serde_json::Value;
use uuid::Uuid;

use super::Record;
use crate::error::{Result, StorageContext};

/// Keys used to find the same person or company again.
fn matching_keys(record: &Record) -> Vec<(&'static str, String)> {
    keys_of(record.record_type, &record.fields)
}

/// The matching keys of a record's fields: e-mails, phones (and their
/// tails), domains by their field kinds, and the blocking keys of
/// likely duplicates (tax id, name block: `rapport_core::duplicates`).
pub(super) fn keys_of(record_type: RecordType, fields: &serde_json::Map<String, Value>) -> Vec<(&'static str, String)> {
    let mut keys = Vec::new();
    for spec in record_type.fields() {
        let kind = match spec.kind {
            FieldKind::Email | FieldKind::EmailList => "email",
            FieldKind::Phone | FieldKind::PhoneList => "phone",
            FieldKind::Domain => "domain",
            _ => continue,
        };
        let values: Vec<&str> = match fields.get(spec.name) {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for value in values {
            keys.push((kind, value.to_lowercase()));
            if kind == "phone" {
                keys.push((PHONE_TAIL, phone_tail(value)));
            }
        }
    }
    keys.extend(rapport_core::duplicates::blocking_keys(record_type, fields));
    keys
}

/// Phones are also kept as their digits reversed, so that a number typed
/// any way (`(21) 99775-2728`, `21997752728`, its last 8 digits) is a
/// prefix of it: an index range, not a scan.
pub(crate) const PHONE_TAIL: &str = "phone_tail";

pub(crate) fn phone_tail(phone: &str) -> String {
    phone.chars().rev().filter(char::is_ascii_digit).collect()
}

/// A record's keys of one kind (`email`, `phone`, `domain`), de-duplicated.
pub(super) fn matching_values(record: &Record, kind: &str) -> Vec<String> {
    let mut values: Vec<String> =
        matching_keys(record).into_iter().filter(|(k, _)| *k == kind).map(|(_, v)| v).collect();
    values.sort_unstable();
    values.dedup();
    values
}

/// Live records of a type holding any of the keys: key → one such record.
pub(super) async fn find_many(
    conn: &impl ConnectionTrait,
    record_type: RecordType,
    kind: &str,
    values: &[String],
) -> Result<HashMap<String, Uuid>> {
    let mut found = HashMap::new();
    for chunk in values.chunks(500) {
        let query = Query::select()
            .columns(["value", "record_id"])
            .from("record_keys")
            .and_where(Expr::col("kind").eq(kind))
            .and_where(Expr::col("value").is_in(chunk.iter().cloned()))
            .and_where(Expr::col("record_type").eq(record_type.as_str()))
            .to_owned();
        for row in conn.query_all(&query).await.context("find records by key")? {
            let value: String = row.try_get("", "value").context("read a matching key")?;
            found.insert(value, row.try_get::<Uuid>("", "record_id").context("read a record id")?);
        }
    }
    Ok(found)
}

/// Rewrites every side table row of a live record.
pub async fn index(conn: &impl ConnectionTrait, record: &Record) -> Result<()> {
    unindex(conn, record.id.0).await?;
    index_new(conn, std::slice::from_ref(record)).await
}

/// Writes side table rows for records that have none yet, in the caller's
/// transaction.
pub async fn index_new(conn: &impl ConnectionTrait, records: &[Record]) -> Result<()> {
    let last_search_row = crate::backend::last_search_row(conn).await?;
    for (writes, insert) in inserts(records) {
        crate::backend::execute_insert(conn, &insert).await.context(writes)?;
    }
    crate::backend::index_search_rows(conn, last_search_row).await
}

/// The multi-row inserts of side table rows for records that have none yet,
/// each with what it writes. The SQLite full-text index is added to after
/// them (`backend::index_search_rows`).
pub(super) fn inserts(records: &[Record]) -> Vec<(&'static str, InsertStatement)> {
    let mut keys = Vec::new();
    let mut links = Vec::new();
    let mut search = Vec::new();
    for record in records {
        let rt = record.record_type.as_str();
        for (kind, value) in matching_keys(record) {
            keys.push(vec![rt.into(), record.id.0.into(), kind.into(), value.into()]);
        }
        let mut seen = Vec::new();
        for link in record_links(record.record_type, &record.fields) {
            if seen.contains(&link.id) {
                continue;
            }
            seen.push(link.id);
            links.push(vec![
                rt.into(),
                record.id.0.into(),
                link.record_type.as_str().into(),
                link.id.into(),
                link.role.into(),
            ]);
        }
        let (title, body) = rapport_core::records::search_text(record.record_type, &record.fields);
        let tags = rapport_core::text::fold_for_search(&record.tags.join(" "));
        let body = if tags.is_empty() { body } else { format!("{body} {tags}") };
        search.push(vec![
            rt.into(),
            record.id.0.into(),
            record.owner_id.into(),
            record.team_id.into(),
            record.display_name().into(),
            title.into(),
            body.into(),
        ]);
    }
    let mut inserts = Vec::new();
    let mut add = |writes: &'static str, table: &'static str, columns: &[&'static str], rows: Vec<Vec<SimpleExpr>>| {
        let mut rows = rows.into_iter();
        for size in crate::row::statement_sizes(rows.len(), columns.len()) {
            let mut insert = Query::insert();
            insert.into_table(table).columns(columns.iter().copied());
            for row in rows.by_ref().take(size) {
                insert.values_panic(row);
            }
            inserts.push((writes, insert));
        }
    };
    add("write matching keys", "record_keys", &["record_type", "record_id", "kind", "value"], keys);
    let link_columns = ["source_type", "source_id", "target_type", "target_id", "role"];
    add("write record links", "record_links", &link_columns, links);
    let search_columns = ["record_type", "record_id", "owner_id", "team_id", "label", "title", "body"];
    add("write search rows", "search_rows", &search_columns, search);
    inserts
}

/// Removes a record's side table rows (trash, purge, before a rewrite).
pub async fn unindex(conn: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    conn.execute(&Query::delete().from_table("record_keys").and_where(Expr::col("record_id").eq(id)).to_owned())
        .await
        .context("remove matching keys")?;
    conn.execute(&Query::delete().from_table("record_links").and_where(Expr::col("source_id").eq(id)).to_owned())
        .await
        .context("remove record links")?;
    unindex_search(conn, id).await
}

/// Removes a record's search row, so that no search finds it.
pub(super) async fn unindex_search(conn: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    conn.execute(&Query::delete().from_table("search_rows").and_where(Expr::col("record_id").eq(id)).to_owned())
        .await
        .context("remove a search row")?;
    Ok(())
}

/// Live records of a type with a matching key, e.g. contacts with an e-mail.
pub async fn find_by_key(
    conn: &impl ConnectionTrait,
    record_type: RecordType,
    kind: &str,
    value: &str,
) -> Result<Vec<Uuid>> {
    let query = Query::select()
        .column("record_id")
        .from("record_keys")
        .and_where(Expr::col("kind").eq(kind))
        .and_where(Expr::col("value").eq(value.to_lowercase()))
        .and_where(Expr::col("record_type").eq(record_type.as_str()))
        .limit(50)
        .to_owned();
    let rows = conn.query_all(&query).await.context("find records by key")?;
    rows.iter().map(|r| r.try_get::<Uuid>("", "record_id").context("read a record id")).collect()
}
