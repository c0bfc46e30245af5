//! Full-text search across record types, bounded so that a common name does
//! not make a query read every match (see shared/PERFORMANCE.md).

use rapport_core::access::Actor;
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_core::text::fold_for_search;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Query};
use serde::Serialize;

use crate::backend::{self, WordMatch};
use crate::error::{Result, StorageContext};
use crate::records::repo_scope_condition;
use crate::settings::Ctx;

/// Matches read per query before ranking: the newest this many times the
/// page size, within bounds. Reading and scoring them is most of a search's
/// cost for a common name.
fn candidate_window(limit: u64) -> u64 {
    (limit * 4).clamp(40, 200)
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    #[serde(rename = "type")]
    pub record_type: RecordType,
    pub id: RecordId,
    pub label: String,
    pub score: u32,
}

fn words(query: &str) -> Vec<String> {
    fold_for_search(query)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_owned)
        .collect()
}

/// Scores a candidate: whole-word title matches beat prefixes beat body hits.
fn score(words: &[String], title: &str, body: &str) -> u32 {
    let title_words: Vec<&str> = title.split_whitespace().collect();
    let mut score = 0;
    for w in words {
        score += if title_words.iter().any(|t| t == w) {
            100
        } else if title_words.iter().any(|t| t.starts_with(w.as_str())) {
            40
        } else if body.contains(w.as_str()) {
            10
        } else {
            1
        };
    }
    if title == words.join(" ") {
        score += 500;
    }
    score
}

/// Records visible to the actor that match every word (as a prefix).
///
/// Whole words in titles are looked up first: a common surname matches
/// tens of thousands of rows, and expanding it as a prefix would read all of
/// them, while whole-word matches come straight from the index in recency
/// order. Prefix matches are only looked for when those do not fill the
/// page; they rank below whole-title-word matches anyway (see [`score`]).
#[tracing::instrument(skip_all, fields(limit), err(level = "debug"))]
pub async fn search(ctx: &Ctx, actor: &Actor, query: &str, types: &[RecordType], limit: u64) -> Result<Vec<SearchHit>> {
    let words = words(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let snapshot = ctx.snapshot().await?;
    let phone = looks_like_a_phone(query);
    let types: Vec<RecordType> = if types.is_empty() { RecordType::all().collect() } else { types.to_vec() };
    let mut visible = Cond::any();
    for record_type in &types {
        let scope = actor.read_scope(snapshot.settings.visibility(*record_type));
        visible = visible.add(
            Cond::all()
                .add(Expr::col(("search_rows", "record_type")).eq(record_type.as_str()))
                .add(repo_scope_condition(&scope)),
        );
    }
    if let Some(tail) = phone {
        return by_phone(ctx, &tail, visible, limit).await;
    }
    let window = candidate_window(limit);
    let mut hits = candidates(ctx, &words, visible.clone(), WordMatch::WholeInTitle, window).await?;
    if (hits.len() as u64) < limit {
        for hit in candidates(ctx, &words, visible, WordMatch::Prefix, window).await? {
            if !hits.iter().any(|h| h.id == hit.id) {
                hits.push(hit);
            }
        }
    }
    // Stable: equal scores keep newest-first order.
    hits.sort_by_key(|h| std::cmp::Reverse(h.score));
    hits.truncate(limit as usize);
    Ok(hits)
}

/// The reversed digits of a query that is a phone number as people type
/// it: at least 8 digits and no letters.
fn looks_like_a_phone(query: &str) -> Option<String> {
    let digits = query.chars().filter(char::is_ascii_digit).count();
    (digits >= 8 && !query.chars().any(char::is_alphabetic)).then(|| crate::records::phone_tail(query))
}

/// Records with a phone ending in the typed digits, through the index of
/// reversed phones (`record_keys`), under the actor's visibility.
async fn by_phone(ctx: &Ctx, tail: &str, visible: Cond, limit: u64) -> Result<Vec<SearchHit>> {
    let owners = Query::select()
        .column("record_id")
        .from("record_keys")
        .and_where(Expr::col("kind").eq(crate::records::PHONE_TAIL))
        .and_where(Expr::col("value").gte(tail))
        // Digits only: ':' sorts right after '9'.
        .and_where(Expr::col("value").lt(format!("{tail}:")))
        .limit(limit * 4)
        .to_owned();
    let select = Query::select()
        .columns(["record_type", "record_id", "label"].map(|c| (Alias::new("search_rows"), Alias::new(c))))
        .from("search_rows")
        .and_where(Expr::col(("search_rows", "record_id")).in_subquery(owners))
        .cond_where(visible)
        .limit(limit)
        .to_owned();
    let rows = ctx.db.conn().query_all(&select).await.context("search by phone")?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        const CTX: &str = "read a search hit";
        let record_type: String = row.try_get("", "record_type").context(CTX)?;
        let Some(record_type) = RecordType::parse(&record_type) else { continue };
        hits.push(SearchHit {
            record_type,
            id: RecordId(row.try_get("", "record_id").context(CTX)?),
            label: row.try_get("", "label").context(CTX)?,
            score: 100,
        });
    }
    Ok(hits)
}

/// The newest `window` matches, scored.
async fn candidates(
    ctx: &Ctx,
    words: &[String],
    visible: Cond,
    mode: WordMatch,
    window: u64,
) -> Result<Vec<SearchHit>> {
    let mut select = Query::select();
    select
        .columns(
            ["record_type", "record_id", "label", "title", "body"].map(|c| (Alias::new("search_rows"), Alias::new(c))),
        )
        .cond_where(visible)
        .limit(window);
    backend::search_match(&mut select, ctx.db.backend(), words, mode);
    let rows = ctx.db.conn().query_all(&select).await.context("search")?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        const CTX: &str = "read a search hit";
        let record_type: String = row.try_get("", "record_type").context(CTX)?;
        let title: String = row.try_get("", "title").context(CTX)?;
        let body: String = row.try_get("", "body").context(CTX)?;
        let Some(record_type) = RecordType::parse(&record_type) else { continue };
        hits.push(SearchHit {
            record_type,
            id: RecordId(row.try_get("", "record_id").context(CTX)?),
            label: row.try_get("", "label").context(CTX)?,
            score: score(words, &title, &body),
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_words_are_folded() {
        assert_eq!(words("  João  da SILVA "), ["joao", "da", "silva"]);
        assert_eq!(words("ana@x.com"), ["ana", "x", "com"]);
    }

    #[test]
    fn exact_title_ranks_above_prefix_and_body() {
        let w = words("silva");
        assert!(score(&w, "ana silva", "") > score(&w, "ana silvana", ""));
        assert!(score(&w, "ana silvana", "") > score(&w, "ana", "silva@x.com"));
    }
}
