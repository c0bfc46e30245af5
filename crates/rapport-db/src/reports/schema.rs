//! Migration 23: saved reports (private, or shared with a team) and
//! dashboards of report widgets. `dashboards.default_for` holds the owner's
//! id on the one default dashboard each user gets on first open; its unique
//! index makes two first opens at once create it once.

use sea_orm::sea_query::{ColumnDef, Index, Table};

use crate::database::Database;
use crate::migrations::{text, text_null, ts, ts_null, uuid, uuid_null};

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

/// Migration 27: saved reports e-mailed on a schedule. `next_run_at` says
/// when a schedule is next due (the worker's index); a row in
/// `report_deliveries` per schedule, due time and recipient makes a retry
/// or a second worker send nothing twice.
pub(crate) fn m0027_report_schedules(db: &Database) -> Vec<String> {
    let backend = db.db_backend();
    let table = |t: &sea_orm::sea_query::TableCreateStatement| backend.build(t).to_string();
    let index = |i: &sea_orm::sea_query::IndexCreateStatement| backend.build(i).to_string();
    vec![
        table(
            &Table::create()
                .table("report_schedules")
                .col(uuid("id").primary_key())
                .col(uuid("report_id"))
                // Who set it up: the clock its hour is read on.
                .col(uuid("owner_id"))
                .col(text("frequency"))
                .col(ColumnDef::new("weekday").big_integer().null())
                .col(ColumnDef::new("month_day").big_integer().null())
                .col(ColumnDef::new("hour").big_integer().not_null())
                .col(text("time_zone"))
                .col(text("format"))
                // [user id, …]
                .col(ColumnDef::new("recipients").json_binary().not_null())
                // The report's address on this site, for the message's link.
                .col(text("link"))
                .col(ts("next_run_at"))
                .col(ts_null("last_run_at"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        ),
        index(&Index::create().name("report_schedules_report").table("report_schedules").col("report_id").to_owned()),
        index(&Index::create().name("report_schedules_due").table("report_schedules").col("next_run_at").to_owned()),
        table(
            &Table::create()
                .table("report_deliveries")
                .col(uuid("schedule_id"))
                .col(ts("due_at"))
                .col(uuid("user_id"))
                // `queued` (with its message), or `skipped` and why.
                .col(text("status"))
                .col(uuid_null("email_id"))
                .col(text_null("reason"))
                .col(ts("created_at"))
                .primary_key(Index::create().col("schedule_id").col("due_at").col("user_id"))
                .to_owned(),
        ),
    ]
}

/// Migration 29: the results dashboards open from, per report and viewer
/// (visibility differs by person), with the viewer's scope they were
/// computed for and when they were last looked at (the worker keeps those
/// fresh).
pub(crate) fn m0029_report_results(db: &Database) -> Vec<String> {
    let backend = db.db_backend();
    let table = |t: &sea_orm::sea_query::TableCreateStatement| backend.build(t).to_string();
    let index = |i: &sea_orm::sea_query::IndexCreateStatement| backend.build(i).to_string();
    vec![
        table(
            &Table::create()
                .table("report_results")
                .col(uuid("report_id"))
                .col(uuid("user_id"))
                // Role, teams and the kind's visibility the result was computed with.
                .col(text("scope_key"))
                .col(ColumnDef::new("result").json_binary().not_null())
                .col(ts("computed_at"))
                .col(ts("viewed_at"))
                .primary_key(Index::create().col("report_id").col("user_id"))
                .to_owned(),
        ),
        index(&Index::create().name("report_results_computed").table("report_results").col("computed_at").to_owned()),
    ]
}
