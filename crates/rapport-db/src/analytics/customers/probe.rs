//! The refresh's two `GROUP BY`s on their own, for `rapport bench` (issue 23,
//! "Speed and scale"): the bench times each step of the refresh separately,
//! on the same queries the refresh runs, without a second copy of the SQL.

use rapport_analytics::cohorts::CohortCell;
use rapport_analytics::purchases::PurchaseSummary;
use uuid::Uuid;

use super::{CustomerType, purchases};
use crate::error::Result;
use crate::settings::Ctx;

/// Each customer's purchases in `currency` (the refresh's first `GROUP BY`),
/// read on the reader pool like the refresh; the customers in row order.
pub async fn purchase_summaries(
    ctx: &Ctx,
    currency: &str,
) -> Result<(Vec<(CustomerType, Uuid)>, Vec<PurchaseSummary>)> {
    let (keys, rows) = purchases::summaries(ctx.db.conn(), currency).await?;
    Ok((keys.into_iter().map(|k| (k.customer_type, k.customer_id)).collect(), rows))
}

/// The cohort cells in `currency` (the refresh's second `GROUP BY`).
pub async fn cohort_cells(ctx: &Ctx, currency: &str) -> Result<Vec<CohortCell>> {
    purchases::cohort_cells(ctx.db.conn(), currency).await
}
