//! Migration 24: precomputed customer analytics. Everything here can be
//! recomputed from the orders by a refresh, so backups and archives leave
//! these tables out.

use sea_orm::sea_query::{ColumnDef, Index, Table};

use crate::database::{Backend, Database};
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

/// Migration 28: `customer_metrics` holds generations of results, so that a
/// refresh writes its rows in short transactions beside the ones readers use
/// and then switches `analytics_results.generation` in one short write
/// (SQLite has one writer: one 1M-row transaction kept every write waiting).
/// The table is rebuilt for the new key; the stored rows become generation 0,
/// which the existing result names through the column's default.
pub(crate) fn m0028_customer_metric_generations(db: &Database) -> Vec<String> {
    let backend = db.db_backend();
    let table = |t: &sea_orm::sea_query::TableCreateStatement| backend.build(t).to_string();
    let index = |i: &sea_orm::sea_query::IndexCreateStatement| backend.build(i).to_string();
    let int = |name: &'static str| ColumnDef::new(name).big_integer().not_null().to_owned();
    let real_null = |name: &'static str| ColumnDef::new(name).double().null().to_owned();
    let mut out = vec![
        "DROP INDEX customer_metrics_segment_value".to_owned(),
        "DROP INDEX customer_metrics_clv".to_owned(),
        "ALTER TABLE customer_metrics RENAME TO customer_metrics_before_28".to_owned(),
    ];
    if db.backend() == Backend::Postgres {
        // The key's name stays with the old table and would clash.
        out.push(
            "ALTER TABLE customer_metrics_before_28 RENAME CONSTRAINT customer_metrics_pkey \
             TO customer_metrics_before_28_pkey"
                .to_owned(),
        );
    }
    let columns = "customer_type, customer_id, first_day, last_day, purchases, total_minor, currency, \
                   recency_score, frequency_score, monetary_score, recency_days, segment, \
                   expected_purchases_12m, p_alive, clv_12m_minor, refreshed_at";
    out.extend([
        table(
            &Table::create()
                .table("customer_metrics")
                // Which refresh wrote the row; `analytics_results.generation` names the one to read.
                .col(int("generation"))
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
                .col(real_null("expected_purchases_12m"))
                .col(real_null("p_alive"))
                .col(ColumnDef::new("clv_12m_minor").big_integer().null())
                .col(ts("refreshed_at"))
                .primary_key(Index::create().col("generation").col("customer_type").col("customer_id"))
                .to_owned(),
        ),
        format!(
            "INSERT INTO customer_metrics (generation, {columns}) SELECT 0, {columns} FROM customer_metrics_before_28"
        ),
        "DROP TABLE customer_metrics_before_28".to_owned(),
        index(
            &Index::create()
                .name("customer_metrics_segment_value")
                .table("customer_metrics")
                .col("generation")
                .col("segment")
                .col("total_minor")
                .col("customer_id")
                .to_owned(),
        ),
        index(
            &Index::create()
                .name("customer_metrics_clv")
                .table("customer_metrics")
                .col("generation")
                .col("clv_12m_minor")
                .col("customer_id")
                .to_owned(),
        ),
        // The generation of `customer_metrics` a result goes with (0 for the others).
        backend
            .build(
                &Table::alter()
                    .table("analytics_results")
                    .add_column(ColumnDef::new("generation").big_integer().not_null().default(0))
                    .to_owned(),
            )
            .to_string(),
    ]);
    out
}
