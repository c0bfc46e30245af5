//! Migration 26: segments saved from personas — a name, how it was made
//! (the features and k, so it can be made again) and its customers.

use sea_orm::sea_query::{ColumnDef, Index, Table};

use crate::database::Database;
use crate::migrations::{text, ts, uuid, uuid_null};

pub(crate) fn m0026_saved_segments(db: &Database) -> Vec<String> {
    let backend = db.db_backend();
    let table = |t: &sea_orm::sea_query::TableCreateStatement| backend.build(t).to_string();
    vec![
        table(
            &Table::create()
                .table("saved_segments")
                .col(uuid("id").primary_key())
                .col(text("name"))
                // What made it (`persona`), and how: features, k, the cluster's traits (JSON).
                .col(text("source"))
                .col(ColumnDef::new("definition").json_binary().not_null())
                .col(ColumnDef::new("customers").big_integer().not_null())
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .to_owned(),
        ),
        table(
            &Table::create()
                .table("saved_segment_members")
                .col(uuid("segment_id"))
                .col(text("customer_type"))
                .col(uuid("customer_id"))
                .primary_key(Index::create().col("segment_id").col("customer_type").col("customer_id"))
                .to_owned(),
        ),
    ]
}
