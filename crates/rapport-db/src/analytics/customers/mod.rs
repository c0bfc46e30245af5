//! Customer value: who the customers are and what they bought, their RFM
//! scores and segments, lifetime value (BG/NBD + Gamma-Gamma) and cohorts.
//!
//! **A customer** is an order's company when it has one, else its contact.
//! **A purchase** is a live order that was not cancelled, worth its total
//! less what was refunded, on the day it was ordered (or else created).
//!
//! The figures are computed by [`refresh`] in the background (a daily job,
//! or an administrator's "Refresh now") and stored: one row per customer in
//! `customer_metrics` (by generation, see `refresh::store`), the summaries as
//! JSON in `analytics_results`, which names the generation to read. Pages
//! only read what was stored, so they open at once whatever the data size.

mod lists;
pub mod probe;
mod purchases;
mod refresh;
pub(crate) mod schema;

use chrono::{DateTime, NaiveDate, Utc};
use rapport_analytics::clv::ClvModel;
use rapport_analytics::cohorts::CohortTable;
use rapport_analytics::rfm::SegmentSummary;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use lists::{CustomerLine, CustomerPage, PAGE_SIZE, segment_customers, stored, top_by_clv};
pub use refresh::{RefreshReport, StoreOptions, refresh, refresh_with, request_daily_refresh, request_refresh_now};

/// The key of the summary in `analytics_results`.
pub const RESULT_KEY: &str = "customers";

/// Rows of `customer_metrics` of the generation the stored result names
/// (none before the first refresh). The generation is read by the same
/// statement as the rows, so a read sees one refresh's rows, never a mix of
/// the rows being replaced and their replacements.
pub(crate) fn current_generation() -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait};
    Expr::col(("customer_metrics", "generation"))
        .eq(Expr::cust(format!("(SELECT generation FROM analytics_results WHERE key = '{RESULT_KEY}')")))
}

/// The lifetime-value horizon: the next twelve months.
pub const HORIZON_DAYS: u32 = 365;

/// Which record a customer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerType {
    Company,
    Contact,
}

impl CustomerType {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerType::Company => "company",
            CustomerType::Contact => "contact",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [CustomerType::Company, CustomerType::Contact].into_iter().find(|t| t.as_str() == input)
    }

    /// The table of the customer's record.
    fn table(self) -> &'static str {
        match self {
            CustomerType::Company => "companies",
            CustomerType::Contact => "contacts",
        }
    }
}

/// Orders that are purchases but were left out of the figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    /// Purchases in another currency than the account's, by currency.
    pub other_currencies: Vec<(String, u64)>,
    /// Their total count.
    pub other_currency_orders: u64,
    /// Purchases in the account's currency with neither company nor contact.
    pub orders_without_customer: u64,
}

/// The lifetime-value model as stored, with its parameters put in terms a
/// reader understands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ClvOutcome {
    Fitted {
        model: ClvModel,
        /// While still a customer, purchases a year of the average customer (r/α per week × 52.18).
        purchases_per_year: Option<f64>,
        /// Chance a customer stops buying after any one purchase (a/(a+b)).
        dropout_per_purchase: Option<f64>,
        /// Mean probability that a customer is still active today.
        share_alive: Option<f64>,
        /// The population's mean order value (Gamma-Gamma), minor units.
        mean_order_value_minor: Option<i64>,
        /// Mean predicted value over the next 12 months, minor units.
        average_clv_minor: Option<i64>,
        /// Sum of every customer's predicted value.
        total_clv_minor: i64,
    },
    /// No model: `code` is [`rapport_analytics::clv::ClvError::code`].
    Failed { code: String },
}

/// Everything the customers page shows except the lists, as stored by the
/// last refresh. Money in `currency`, the account's default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerAnalysis {
    pub computed_at: DateTime<Utc>,
    /// The day recency and lifetime value were measured from.
    pub as_of: NaiveDate,
    pub currency: String,
    pub customers: u64,
    pub purchases: u64,
    pub revenue_minor: i64,
    pub repeat_customers: u64,
    pub repeat_purchase_rate: Option<f64>,
    pub segments: Vec<SegmentSummary>,
    pub cohorts: CohortTable,
    pub clv: ClvOutcome,
    pub left_out: LeftOut,
    /// How long the refresh took.
    pub refresh_ms: u64,
}

/// One customer's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct CustomerKey {
    pub customer_type: CustomerType,
    pub customer_id: Uuid,
}
