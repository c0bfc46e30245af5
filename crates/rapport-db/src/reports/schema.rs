//! Migration 23: saved reports (private, or shared with a team) and
//! dashboards of report widgets. `dashboards.default_for` holds the owner's
//! id on the one default dashboard each user gets on first open; its unique
//! index makes two first opens at once create it once.

use sea_orm::sea_query::{ColumnDef, Index, Table};

use crate::database::Database;
use crate::migrations::{text, text_null, ts, uuid, uuid_null};

pub(crate) fn m0023_reports_and_dashboards(db: &Database) -> Vec<String> {
    let backend = db.db_backend();
    let table = |t: &sea_orm::sea_query::TableCreateStatement| backend.build(t).to_string();
    let index = |i: &sea_orm::sea_query::IndexCreateStatement| backend.build(i).to_string();
    vec![
        table(
            &Table::create()
                .table("reports")
                .col(uuid("id").primary_key())
                .col(uuid("owner_id"))
                .col(text("name"))
                .col(text_null("description"))
                .col(ColumnDef::new("definition").json_binary().not_null())
                // NULL: only the owner (and administrators) see it.
                .col(uuid_null("shared_team_id"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        ),
        index(&Index::create().name("reports_owner").table("reports").col("owner_id").to_owned()),
        index(&Index::create().name("reports_shared_team").table("reports").col("shared_team_id").to_owned()),
        table(
            &Table::create()
                .table("dashboards")
                .col(uuid("id").primary_key())
                .col(uuid("owner_id"))
                .col(uuid_null("team_id"))
                .col(text("name"))
                // [{report_id, size}], in the order shown.
                .col(ColumnDef::new("widgets").json_binary().not_null())
                .col(uuid_null("default_for"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        ),
        index(&Index::create().name("dashboards_owner").table("dashboards").col("owner_id").to_owned()),
        index(&Index::create().name("dashboards_team").table("dashboards").col("team_id").to_owned()),
        index(
            &Index::create().name("dashboards_default_for").table("dashboards").col("default_for").unique().to_owned(),
        ),
    ]
}
