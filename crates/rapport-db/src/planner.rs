//! What SQLite's planner is not told: a keyset page needs only `limit` rows.
//!
//! Given `WHERE country = ? ORDER BY last_name LIMIT 51`, SQLite 3.50 reads
//! every row of the country through its index and sorts them (35 ms at 200,000
//! contacts, growing with the table), where walking the last-name index and
//! skipping other countries reads a few hundred rows. Which is cheaper depends
//! on how many rows the filter's value matches: with m of n rows matching, the
//! walk reads about wanted·n/m rows, the filter's index m rows (then sorts
//! them); they cross at m = √(wanted·n), 7,142 for a page of 51 among a
//! million. `sqlite_stat1` gives n, and only an average m per value, which is
//! wrong for the values that matter (no contact in Natal: the walk reads the
//! whole table; 94,000 Silvas among 70 per surname on average: the index
//! reads them all), so the list counts the value's rows through its index,
//! stopping at the threshold, and hides the index (`+column`) from the planner
//! only when the count reaches it. PostgreSQL's planner weighs the LIMIT
//! itself, with per-value statistics, and gets no hints.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::database::Database;
use crate::error::Result;

/// Statistics written by another process (a CLI import) are seen this late.
const STATS_TTL: Duration = Duration::from_secs(60);

/// Per index: rows in its table.
#[derive(Debug, Default)]
pub struct IndexStats(HashMap<String, u64>);

impl IndexStats {
    fn parse(rows: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut stats = HashMap::new();
        for (index, stat) in rows {
            if let Some(Ok(rows)) = stat.split_whitespace().next().map(str::parse::<u64>) {
                stats.insert(index, rows);
            }
        }
        Self(stats)
    }

    /// How many matching rows make walking the sort's order the cheaper
    /// plan for a page of `wanted` (see the module's comment); `None`
    /// before ANALYZE has counted the index's table.
    pub fn walk_threshold(&self, index: &str, wanted: u64) -> Option<u64> {
        let &rows = self.0.get(index)?;
        let crossing = (wanted as f64 * rows as f64).sqrt().ceil() as u64;
        (rows > 0).then_some(crossing.max(wanted))
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
    fn the_walk_pays_when_a_value_matches_more_than_the_square_root_of_page_times_rows() {
        let stats = IndexStats::parse([
            ("contacts_country".to_owned(), "1000000 250000 1".to_owned()),
            ("contacts_trash".to_owned(), "0 0 0".to_owned()),
        ]);
        assert_eq!(stats.walk_threshold("contacts_country", 51), Some(7142));
        assert_eq!(stats.walk_threshold("contacts_country", 1_000_000_000), Some(1_000_000_000));
        assert_eq!(stats.walk_threshold("contacts_trash", 51), None, "an empty table");
        assert_eq!(stats.walk_threshold("contacts_city", 51), None, "no statistics, no hint");
    }
}
