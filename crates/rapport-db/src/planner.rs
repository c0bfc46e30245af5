//! What SQLite's planner is not told: a keyset page needs only `limit` rows.
//!
//! Given `WHERE country = ? ORDER BY last_name LIMIT 51`, SQLite 3.50 reads
//! every row of the country through its index and sorts them (35 ms at 200,000
//! contacts, growing with the table), where walking the last-name index and
//! skipping other countries reads a few hundred rows. Which is cheaper depends
//! on how many rows a filter value matches, which `sqlite_stat1` says: when
//! an equality filter matches so many rows that the ordered walk finds a page
//! sooner, its index is hidden from the planner (`+column`). A selective
//! filter (an owner, a company) keeps its index. PostgreSQL's planner weighs
//! the LIMIT itself and gets no hints.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::database::Database;
use crate::error::Result;

/// Statistics written by another process (a CLI import) are seen this late.
const STATS_TTL: Duration = Duration::from_secs(60);

/// Per index: rows in the table, and rows per distinct leading value.
#[derive(Debug, Default)]
pub struct IndexStats(HashMap<String, (u64, u64)>);

impl IndexStats {
    fn parse(rows: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut stats = HashMap::new();
        for (index, stat) in rows {
            let mut numbers = stat.split_whitespace().map(str::parse::<u64>);
            if let (Some(Ok(rows)), Some(Ok(per_value))) = (numbers.next(), numbers.next()) {
                stats.insert(index, (rows, per_value));
            }
        }
        Self(stats)
    }

    /// Whether walking the sort order finds `wanted` rows matching `values`
    /// values of `index` sooner than reading all their matches: with a
    /// fraction f of rows matching, the walk reads about wanted / f rows.
    pub fn prefer_sort_order(&self, index: &str, values: u64, wanted: u64) -> bool {
        let Some(&(rows, per_value)) = self.0.get(index) else { return false };
        let matches = per_value.saturating_mul(values.max(1)).min(rows);
        matches > 0 && wanted.saturating_mul(rows) / matches < matches
    }
}

/// The cached statistics of one database.
#[derive(Debug, Clone, Default)]
pub struct StatsCache(Arc<RwLock<Option<Loaded>>>);

type Loaded = (Instant, Arc<IndexStats>);

impl StatsCache {
    pub fn forget(&self) {
        if let Ok(mut slot) = self.0.write() {
            *slot = None;
        }
    }
}

/// SQLite's index statistics (empty on PostgreSQL, or before any ANALYZE).
pub async fn index_stats(db: &Database) -> Result<Arc<IndexStats>> {
    let cache = db.stats_cache();
    if let Ok(slot) = cache.0.read() {
        if let Some((_, stats)) = slot.as_ref().filter(|(at, _)| at.elapsed() < STATS_TTL) {
            return Ok(Arc::clone(stats));
        }
    }
    let Some(rows) = crate::backend::sqlite_index_statistics(db).await? else {
        return Ok(Arc::default());
    };
    let stats = Arc::new(IndexStats::parse(rows));
    if let Ok(mut slot) = cache.0.write() {
        *slot = Some((Instant::now(), Arc::clone(&stats)));
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_values_walk_the_sort_order_and_selective_ones_use_their_index() {
        let stats = IndexStats::parse([
            ("contacts_country".to_owned(), "1000000 250000 1".to_owned()),
            ("contacts_owner_id".to_owned(), "1000000 2000 1".to_owned()),
            ("contacts_trash".to_owned(), "0 0 0".to_owned()),
        ]);
        // A quarter of the rows: about 204 rows walked for a page of 51.
        assert!(stats.prefer_sort_order("contacts_country", 1, 51));
        // 2,000 rows sorted beat 25,500 walked.
        assert!(!stats.prefer_sort_order("contacts_owner_id", 1, 51));
        assert!(stats.prefer_sort_order("contacts_owner_id", 100, 51));
        assert!(!stats.prefer_sort_order("contacts_trash", 1, 51));
        assert!(!stats.prefer_sort_order("contacts_city", 1, 51), "no statistics, no hint");
    }
}
