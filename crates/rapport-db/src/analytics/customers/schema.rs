//! Migration 24: precomputed customer analytics. Everything here can be
//! recomputed from the orders by a refresh, so backups and archives leave
//! these tables out.

use sea_orm::sea_query::{ColumnDef, Index, Table};

use crate::database::Database;
use crate::migrations::{text, ts};

pub(crate) fn m0024_customer_analytics(db: &Database) -> Vec<String> {
    let backend = db.db_backend();
    let table = |t: &sea_orm::sea_query::TableCreateStatement| backend.build(t).to_string();
    let index = |i: &sea_orm::sea_query::IndexCreateStatement| backend.build(i).to_string();
    let int = |name: &'static str| ColumnDef::new(name).big_integer().not_null().to_owned();
    let real_null = |name: &'static str| ColumnDef::new(name).double().null().to_owned();
    vec![
        table(
            &Table::create()
                .table("customer_metrics")
                // `company` or `contact`: an order's company when it has one, else its contact.
                .col(text("customer_type"))
                .col(ColumnDef::new("customer_id").uuid().not_null())
                .col(ColumnDef::new("first_day").date().not_null())
                .col(ColumnDef::new("last_day").date().not_null())
                .col(int("purchases"))
                .col(int("total_minor"))
                .col(text("currency"))
                .col(int("recency_score"))
                .col(int("frequency_score"))
                .col(int("monetary_score"))
                .col(int("recency_days"))
                .col(text("segment"))
                // Null when no lifetime-value model could be fitted.
                .col(real_null("expected_purchases_12m"))
                .col(real_null("p_alive"))
                .col(ColumnDef::new("clv_12m_minor").big_integer().null())
                .col(ts("refreshed_at"))
                .primary_key(Index::create().col("customer_type").col("customer_id"))
                .to_owned(),
        ),
        // A segment's customers by value (the segment lists, keyset-paginated).
        index(
            &Index::create()
                .name("customer_metrics_segment_value")
                .table("customer_metrics")
                .col("segment")
                .col("total_minor")
                .col("customer_id")
                .to_owned(),
        ),
        // The top customers by lifetime value.
        index(
            &Index::create()
                .name("customer_metrics_clv")
                .table("customer_metrics")
                .col("clv_12m_minor")
                .col("customer_id")
                .to_owned(),
        ),
        table(
            &Table::create()
                .table("analytics_results")
                .col(text("key").primary_key())
                .col(ts("computed_at"))
                .col(ColumnDef::new("payload").json_binary().not_null())
                .to_owned(),
        ),
    ]
}
