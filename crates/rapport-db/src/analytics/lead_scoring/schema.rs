//! Migration 25: the lead scoring models trained (the last few kept for
//! history, one active) and each open lead's latest score with its reasons.
//! The admin's rules and the scorer's state are rows of `settings`. All of it
//! is recomputed from the leads, so none of it goes in the archive.

use sea_orm::sea_query::{ColumnDef, Index, Table};

use crate::database::Database;
use crate::migrations::{text, ts, uuid, uuid_null};

pub(crate) fn m0025_lead_scoring(db: &Database) -> Vec<String> {
    let backend = db.db_backend();
    let table = |t: &sea_orm::sea_query::TableCreateStatement| backend.build(t).to_string();
    let index = |i: &sea_orm::sea_query::IndexCreateStatement| backend.build(i).to_string();
    vec![
        table(
            &Table::create()
                .table("lead_scoring_models")
                .col(uuid("id").primary_key())
                .col(ts("trained_at"))
                .col(ColumnDef::new("closed").big_integer().not_null())
                .col(ColumnDef::new("converted").big_integer().not_null())
                .col(ColumnDef::new("cv_auc").double().not_null())
                .col(ColumnDef::new("fold_aucs").json_binary().not_null())
                .col(ColumnDef::new("model").json_binary().not_null())
                .col(ColumnDef::new("active").boolean().not_null())
                .to_owned(),
        ),
        index(
            &Index::create()
                .name("lead_scoring_models_trained_at")
                .table("lead_scoring_models")
                .col("trained_at")
                .to_owned(),
        ),
        table(
            &Table::create()
                .table("lead_scores")
                .col(uuid("lead_id").primary_key())
                .col(ColumnDef::new("points").big_integer().not_null())
                .col(ColumnDef::new("reasons").json_binary().not_null())
                .col(text("method"))
                .col(uuid_null("model_id"))
                .col(ts("scored_at"))
                .to_owned(),
        ),
    ]
}
