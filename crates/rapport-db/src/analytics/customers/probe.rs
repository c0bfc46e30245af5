//! The refresh's read of the orders on its own, for `rapport bench` (issue
//! 23, "Speed and scale"): the bench times each step of the refresh
//! separately, on the same query the refresh runs, without a second copy.

use rapport_analytics::cohorts::CohortCell;
use rapport_analytics::purchases::PurchaseSummary;
use uuid::Uuid;

use super::{CustomerType, purchases};
use crate::error::Result;
use crate::settings::Ctx;

/// What the refresh reads from the orders.
pub struct Purchases {
    /// The customers in key order, each with its summary.
    pub customers: Vec<(CustomerType, Uuid)>,
    pub summaries: Vec<PurchaseSummary>,
    pub cohort_cells: Vec<CohortCell>,
}

/// Each customer's purchases in `currency` and the cohort cells, from the
/// refresh's one read of the orders (on the reader pool, like the refresh).
pub async fn purchases(ctx: &Ctx, currency: &str) -> Result<Purchases> {
    Ok(from(purchases::read(&ctx.db, currency).await?))
}

/// The same read streamed from the pool (sqlx) whatever the engine: on SQLite
/// the bench compares it with the refresh's own connection.
pub async fn purchases_through_pool(ctx: &Ctx, currency: &str) -> Result<Purchases> {
    Ok(from(purchases::read_through_pool(ctx.db.conn(), currency).await?))
}

fn from(read: purchases::Purchases) -> Purchases {
    Purchases {
        customers: read.keys.into_iter().map(|k| (k.customer_type, k.customer_id)).collect(),
        summaries: read.summaries,
        cohort_cells: read.cells,
    }
}
