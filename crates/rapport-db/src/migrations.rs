//! Forward-only migrations, written once with sea-query's schema builder and
//! rendered per backend. Never edit a migration that has landed: add one.
//!
//! Record tables are created with their system columns; the columns of each
//! record type's fields are added by [`sync_record_columns`] from the schema
//! in `rapport-core`, so adding a field there is an additive migration.

use rapport_core::schema::{RecordType, Storage};
use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ExprTrait, Index, IndexCreateStatement, Query, Table, TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::backend;
use crate::database::Database;
use crate::error::{Result, StorageContext};

type Step = fn(&Database) -> Vec<String>;

/// (version, name, statements). Append only; never edit one that landed (the
/// schema snapshot test fails if its DDL changes).
const MIGRATIONS: &[(i64, &str, Step)] = &[
    (1, "accounts_and_settings", m0001_accounts),
    (2, "records", m0002_records),
    (3, "relations_audit_jobs", m0003_relations),
    (4, "search", backend::search_schema),
    (5, "partial_trash_indexes", m0005_partial_trash_indexes),
    (6, "search_index_without_positions", backend::search_index_without_positions),
    (7, "search_index_written_per_statement", backend::search_index_written_per_statement),
    (8, "search_title_terms", backend::search_title_terms),
    (9, "housekeeping_and_import_reports", m0009_housekeeping_and_import_reports),
    // Data only: see `backfill_phone_tails` and `open_activities_are_not_done`.
    (10, "phone_tails", |_| Vec::new()),
    (11, "list_views_and_recent_records", m0011_list_views_and_recent_records),
    (12, "notification_params", |db| {
        let params =
            Table::alter().table("notifications").add_column(ColumnDef::new("params").text().null()).to_owned();
        vec![db.db_backend().build(&params).to_string()]
    }),
    (13, "imports", m0013_imports),
    // Also data: `records::backfill_blocking_keys` once the columns are in step.
    (14, "duplicates_and_merges", m0014_duplicates_and_merges),
    (15, "contact_photos_and_calendar_feeds", m0015_contact_photos_and_calendar_feeds),
    (16, "exports", m0016_exports),
    (17, "email_outbox", crate::mail::schema::m0017_email_outbox),
    (18, "products_and_quotes", m0018_products_and_quotes),
    (19, "orders_returns_and_public_links", m0019_orders_returns_and_public_links),
    (20, "contracts_and_documents", m0020_contracts_and_documents),
    (21, "quotas_and_forecast_snapshots", m0021_quotas_and_forecast_snapshots),
    (22, "cadences_and_whatsapp", crate::cadences::schema::m0022_cadences_and_whatsapp),
    (23, "reports_and_dashboards", crate::reports::schema::m0023_reports_and_dashboards),
    (24, "customer_analytics", crate::analytics::customers::schema::m0024_customer_analytics),
    (25, "lead_scoring", crate::analytics::lead_scoring::m0025_lead_scoring),
    (26, "saved_segments", crate::analytics::personas::schema::m0026_saved_segments),
    (27, "report_schedules", crate::reports::schema::m0027_report_schedules),
    (28, "customer_metric_generations", crate::analytics::customers::schema::m0028_customer_metric_generations),
    (29, "report_results", crate::reports::schema::m0029_report_results),
];

/// The test-only kind's table, far above any real version.
#[cfg(feature = "test-kind")]
const TEST_MIGRATIONS: &[(i64, &str, Step)] = &[(1_000_000, "test_gadgets", |db| kind_table(db, "gadgets"))];
#[cfg(not(feature = "test-kind"))]
const TEST_MIGRATIONS: &[(i64, &str, Step)] = &[];

/// The newest schema this build knows.
pub fn newest_version() -> i64 {
    MIGRATIONS.iter().chain(TEST_MIGRATIONS).map(|(version, _, _)| *version).max().unwrap_or(0)
}

pub async fn run(db: &Database) -> Result<()> {
    let tx = db.write().await?;
    tx.execute_unprepared(&build(
        db,
        &Table::create()
            .table("schema_migrations")
            .if_not_exists()
            .col(ColumnDef::new("version").big_integer().not_null().primary_key())
            .col(ColumnDef::new("name").text().not_null())
            .col(ColumnDef::new("applied_at").timestamp_with_time_zone().not_null())
            .to_owned(),
    ))
    .await
    .context("create the migrations table")?;
    // Replicas starting together must not apply the same migration twice.
    backend::lock_migrations(&tx).await?;
    let applied = applied_versions(&tx).await?;
    let backfill_blocking_keys = !applied.is_empty() && !applied.contains(&14);
    let backfill_forecast_categories = !applied.is_empty() && !applied.contains(&21);
    for (version, name, step) in MIGRATIONS.iter().chain(TEST_MIGRATIONS) {
        if applied.contains(version) {
            continue;
        }
        if *version == 10 {
            backfill_phone_tails(&tx).await?;
            open_activities_are_not_done(&tx).await?;
        }
        tracing::info!(version, name, "applying migration");
        for sql in step(db) {
            tx.execute_unprepared(&sql).await.context("apply a migration")?;
        }
        let insert = Query::insert()
            .into_table("schema_migrations")
            .columns(["version", "name", "applied_at"])
            .values_panic([(*version).into(), (*name).into(), chrono::Utc::now().into()])
            .to_owned();
        tx.execute(&insert).await.context("record a migration")?;
    }
    sync_record_columns(&tx).await?;
    if backfill_blocking_keys {
        crate::records::backfill_blocking_keys(&*tx).await?;
    }
    if backfill_forecast_categories {
        deals_get_forecast_categories(&tx).await?;
    }
    tx.commit().await
}

/// Phones stored before search by phone get their reversed digits
/// (`records::PHONE_TAIL`), which later writes keep themselves.
async fn backfill_phone_tails(tx: &DatabaseTransaction) -> Result<()> {
    let rows = tx
        .query_all(
            &Query::select()
                .columns(["record_type", "record_id", "value"])
                .from("record_keys")
                .and_where(Expr::col("kind").eq("phone"))
                .to_owned(),
        )
        .await
        .context("read stored phones")?;
    let mut tails = Vec::with_capacity(rows.len());
    for row in &rows {
        let record_type: String = row.try_get("", "record_type").context("read a stored phone")?;
        let record_id: uuid::Uuid = row.try_get("", "record_id").context("read a stored phone")?;
        let value: String = row.try_get("", "value").context("read a stored phone")?;
        tails.push([
            record_type.into(),
            record_id.into(),
            crate::records::PHONE_TAIL.into(),
            crate::records::phone_tail(&value).into(),
        ]);
    }
    for chunk in tails.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table("record_keys").columns(["record_type", "record_id", "kind", "value"]);
        for row in chunk {
            insert.values_panic(row.clone());
        }
        tx.execute(&insert).await.context("write phone tails")?;
    }
    Ok(())
}

/// Deals stored before forecast categories get the one their status and
/// probability give (`ForecastCategory::for_deal`), so that lists filter on it.
async fn deals_get_forecast_categories(tx: &DatabaseTransaction) -> Result<()> {
    use rapport_core::forecast::{BEST_CASE_FROM, COMMIT_FROM};
    let category = Expr::case(Expr::col("status").eq("won"), "closed")
        .case(Expr::col("status").eq("lost"), "omitted")
        .case(Expr::col("probability").gte(COMMIT_FROM), "commit")
        .case(Expr::col("probability").gte(BEST_CASE_FROM), "best_case")
        .finally("pipeline");
    let update = Query::update()
        .table("deals")
        .value("forecast_category", category)
        .value("forecast_category_overridden", false)
        .and_where(Expr::col("forecast_category").is_null())
        .to_owned();
    tx.execute(&update).await.context("give deals their forecast category")?;
    Ok(())
}

/// Activities stored before `done` defaulted to `false` get it, so that
/// "my open tasks" finds them. (On a new database the column comes later,
/// with the record columns.)
async fn open_activities_are_not_done(tx: &DatabaseTransaction) -> Result<()> {
    if backend::table_columns(tx, "activities").await?.iter().any(|c| c == "done") {
        let update =
            Query::update().table("activities").value("done", false).and_where(Expr::col("done").is_null()).to_owned();
        tx.execute(&update).await.context("mark open activities not done")?;
    }
    Ok(())
}

async fn applied_versions(tx: &DatabaseTransaction) -> Result<Vec<i64>> {
    let rows = tx
        .query_all(&Query::select().column("version").from("schema_migrations").to_owned())
        .await
        .context("read applied migrations")?;
    rows.iter().map(|r| r.try_get::<i64>("", "version").context("read a migration version")).collect()
}

fn build(db: &Database, table: &TableCreateStatement) -> String {
    db.db_backend().build(table).to_string()
}

fn index(db: &Database, index: &IndexCreateStatement) -> String {
    db.db_backend().build(index).to_string()
}

pub(crate) fn ts(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().not_null().to_owned()
}

pub(crate) fn ts_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().null().to_owned()
}

pub(crate) fn uuid(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).uuid().not_null().to_owned()
}

pub(crate) fn uuid_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).uuid().null().to_owned()
}

pub(crate) fn text(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).text().not_null().to_owned()
}

pub(crate) fn text_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).text().null().to_owned()
}

fn m0001_accounts(db: &Database) -> Vec<String> {
    vec![
        build(
            db,
            &Table::create()
                .table("teams")
                .col(uuid("id").primary_key())
                .col(text("name"))
                .col(text("name_normalized").unique_key())
                .col(ts("created_at"))
                .to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("users")
                .col(uuid("id").primary_key())
                .col(text("email"))
                .col(text("email_normalized").unique_key())
                .col(text("name"))
                .col(ColumnDef::new("password_hash").text().null())
                .col(text("role"))
                .col(text("locale"))
                .col(uuid_null("primary_team_id"))
                .col(ColumnDef::new("disabled").boolean().not_null().default(false))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("team_members")
                .col(uuid("team_id"))
                .col(uuid("user_id"))
                .primary_key(Index::create().col("team_id").col("user_id"))
                .to_owned(),
        ),
        index(db, &Index::create().name("team_members_user").table("team_members").col("user_id").to_owned()),
        build(
            db,
            &Table::create()
                .table("sessions")
                .col(text("id_hash").primary_key())
                .col(uuid("user_id"))
                .col(text("csrf_token"))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .to_owned(),
        ),
        index(db, &Index::create().name("sessions_user").table("sessions").col("user_id").to_owned()),
        build(
            db,
            &Table::create()
                .table("api_tokens")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(text("name"))
                .col(text("secret_hash"))
                .col(text("scope"))
                .col(ts("created_at"))
                .col(ts_null("last_used_at"))
                .col(ts_null("expires_at"))
                .col(ts_null("revoked_at"))
                .to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("login_attempts")
                .col(uuid("id").primary_key())
                .col(ts("at"))
                .col(text("email_normalized"))
                .col(text("ip"))
                .col(ColumnDef::new("success").boolean().not_null())
                .to_owned(),
        ),
        index(
            db,
            &Index::create()
                .name("login_attempts_email")
                .table("login_attempts")
                .col("email_normalized")
                .col("at")
                .to_owned(),
        ),
        index(db, &Index::create().name("login_attempts_ip").table("login_attempts").col("ip").col("at").to_owned()),
        build(
            db,
            &Table::create()
                .table("settings")
                .col(text("key").primary_key())
                .col(ColumnDef::new("value").json_binary().not_null())
                .to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("custom_fields")
                .col(uuid("id").primary_key())
                .col(text("record_type"))
                .col(text("key"))
                .col(text("label"))
                .col(text("field_type"))
                .col(ColumnDef::new("options").json_binary().not_null())
                .col(ColumnDef::new("required").boolean().not_null())
                .col(ts("created_at"))
                .to_owned(),
        ),
        index(
            db,
            &Index::create()
                .name("custom_fields_key")
                .table("custom_fields")
                .col("record_type")
                .col("key")
                .unique()
                .to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("pipelines")
                .col(uuid("id").primary_key())
                .col(text("name"))
                .col(ColumnDef::new("is_default").boolean().not_null())
                .col(ColumnDef::new("position").big_integer().not_null())
                .col(ts("created_at"))
                .to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("stages")
                .col(uuid("id").primary_key())
                .col(uuid("pipeline_id"))
                .col(text("name"))
                .col(ColumnDef::new("position").big_integer().not_null())
                .col(ColumnDef::new("probability").big_integer().not_null())
                .col(ColumnDef::new("is_won").boolean().not_null())
                .col(ColumnDef::new("is_lost").boolean().not_null())
                .foreign_key(
                    sea_orm::sea_query::ForeignKey::create().from("stages", "pipeline_id").to("pipelines", "id"),
                )
                .to_owned(),
        ),
        index(
            db,
            &Index::create().name("stages_pipeline").table("stages").col("pipeline_id").col("position").to_owned(),
        ),
    ]
}

/// The record tables as they were when this migration landed: their
/// system columns; each kind's fields are added by [`sync_record_columns`].
const KINDS_AT_M0002: [&str; 5] = ["contacts", "companies", "leads", "deals", "activities"];

fn m0002_records(db: &Database) -> Vec<String> {
    KINDS_AT_M0002.into_iter().flat_map(|table| record_table(db, table)).collect()
}

/// A record table with its system columns and their indexes, as m0002
/// created them. Frozen, as the migrations that call it.
fn record_table(db: &Database, table: &str) -> Vec<String> {
    let mut out = vec![build(
        db,
        &Table::create()
            .table(Alias::new(table))
            .col(uuid("id").primary_key())
            .col(ColumnDef::new("version").big_integer().not_null())
            .col(uuid_null("owner_id"))
            .col(uuid_null("team_id"))
            .col(ColumnDef::new("tags").json_binary().not_null())
            .col(ColumnDef::new("custom").json_binary().not_null())
            .col(ts("created_at"))
            .col(uuid_null("created_by"))
            .col(ts("updated_at"))
            .col(uuid_null("updated_by"))
            .col(ts_null("deleted_at"))
            .col(uuid_null("deleted_by"))
            .to_owned(),
    )];
    for column in ["owner_id", "team_id", "created_at", "updated_at", "deleted_at"] {
        out.push(index(
            db,
            &Index::create()
                .name(format!("{table}_{column}"))
                .table(Alias::new(table))
                .col(column)
                .col("id")
                .to_owned(),
        ));
    }
    out
}

/// The table of a kind added after m0005: m0002's record table with m0005's
/// trash index. A new kind's migration is `|db| kind_table(db, "plural")`;
/// `sync_record_columns` then adds its fields. Frozen, as the migrations
/// that call it.
fn kind_table(db: &Database, table: &str) -> Vec<String> {
    let mut out = record_table(db, table);
    out.extend(trash_index(table));
    out
}

fn m0003_relations(db: &Database) -> Vec<String> {
    vec![
        build(
            db,
            &Table::create()
                .table("deal_stage_changes")
                .col(uuid("id").primary_key())
                .col(uuid("deal_id"))
                .col(uuid("pipeline_id"))
                .col(uuid_null("from_stage_id"))
                .col(uuid("to_stage_id"))
                .col(ts("changed_at"))
                .col(uuid_null("changed_by"))
                .to_owned(),
        ),
        index(
            db,
            &Index::create()
                .name("deal_stage_changes_deal")
                .table("deal_stage_changes")
                .col("deal_id")
                .col("changed_at")
                .to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("record_links")
                .col(text("source_type"))
                .col(uuid("source_id"))
                .col(text("target_type"))
                .col(uuid("target_id"))
                .col(ColumnDef::new("role").text().null())
                .primary_key(Index::create().col("source_id").col("target_id"))
                .to_owned(),
        ),
        index(
            db,
            &Index::create()
                .name("record_links_target")
                .table("record_links")
                .col("target_id")
                .col("source_id")
                .to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("record_keys")
                .col(text("record_type"))
                .col(uuid("record_id"))
                .col(text("kind"))
                .col(text("value"))
                .to_owned(),
        ),
        index(
            db,
            &Index::create()
                .name("record_keys_value")
                .table("record_keys")
                .col("kind")
                .col("value")
                .col("record_type")
                .to_owned(),
        ),
        index(db, &Index::create().name("record_keys_record").table("record_keys").col("record_id").to_owned()),
        build(
            db,
            &Table::create()
                .table("audit_log")
                .col(uuid("id").primary_key())
                .col(ts("at"))
                .col(uuid_null("actor_id"))
                .col(text("record_type"))
                .col(uuid("record_id"))
                .col(text("action"))
                .col(ColumnDef::new("changes").json_binary().not_null())
                .to_owned(),
        ),
        index(db, &Index::create().name("audit_log_record").table("audit_log").col("record_id").col("at").to_owned()),
        build(
            db,
            &Table::create()
                .table("jobs")
                .col(uuid("id").primary_key())
                .col(text("kind"))
                .col(ColumnDef::new("payload").json_binary().not_null())
                .col(ts("run_at"))
                .col(text("status"))
                .col(ColumnDef::new("attempts").big_integer().not_null())
                .col(ColumnDef::new("max_attempts").big_integer().not_null())
                .col(ts_null("leased_until"))
                .col(ColumnDef::new("last_error").text().null())
                .col(ColumnDef::new("dedup_key").text().null().unique_key())
                .col(ts("created_at"))
                .col(ts_null("finished_at"))
                .to_owned(),
        ),
        index(db, &Index::create().name("jobs_due").table("jobs").col("status").col("run_at").to_owned()),
        build(
            db,
            &Table::create()
                .table("notifications")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(text("kind"))
                .col(text("title"))
                .col(ColumnDef::new("body").text().null())
                .col(ColumnDef::new("record_type").text().null())
                .col(uuid_null("record_id"))
                .col(ts("created_at"))
                .col(ts_null("read_at"))
                .col(text("dedup_key").unique_key())
                .to_owned(),
        ),
        index(
            db,
            &Index::create().name("notifications_user").table("notifications").col("user_id").col("id").to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("idempotency_keys")
                .col(uuid("user_id"))
                .col(text("key"))
                .col(text("request_hash"))
                .col(ColumnDef::new("status_code").big_integer().null())
                .col(ColumnDef::new("response").json_binary().null())
                .col(ts("created_at"))
                .primary_key(Index::create().col("user_id").col("key"))
                .to_owned(),
        ),
    ]
}

/// A full index on `deleted_at` tempts planners into using it for live-record
/// lists (`deleted_at IS NULL` matches nearly every row); only the trash
/// needs one.
fn m0005_partial_trash_indexes(_db: &Database) -> Vec<String> {
    KINDS_AT_M0002.into_iter().flat_map(trash_index).collect()
}

fn trash_index(table: &str) -> [String; 2] {
    [
        format!("DROP INDEX {table}_deleted_at"),
        format!("CREATE INDEX {table}_trash ON {table} (deleted_at, id) WHERE deleted_at IS NOT NULL"),
    ]
}

/// What the worker's purges look up by age, sessions' last use (for the idle
/// timeout and for users to spot stale ones), users' time zones, and the
/// reports of imports.
fn m0009_housekeeping_and_import_reports(db: &Database) -> Vec<String> {
    let last_used = Table::alter().table("sessions").add_column(ts_null("last_used_at")).to_owned();
    let time_zone = Table::alter().table("users").add_column(ColumnDef::new("time_zone").text().null()).to_owned();
    vec![
        db.db_backend().build(&last_used).to_string(),
        db.db_backend().build(&time_zone).to_string(),
        index(db, &Index::create().name("sessions_expires").table("sessions").col("expires_at").to_owned()),
        index(db, &Index::create().name("login_attempts_at").table("login_attempts").col("at").to_owned()),
        index(
            db,
            &Index::create().name("idempotency_keys_created").table("idempotency_keys").col("created_at").to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("import_reports")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(text("record_type"))
                .col(ts("created_at"))
                .col(text("csv"))
                .to_owned(),
        ),
        index(db, &Index::create().name("import_reports_created").table("import_reports").col("created_at").to_owned()),
    ]
}

/// Saved list views, each user's list columns, and the records each user
/// opened last (home's "recently viewed").
fn m0011_list_views_and_recent_records(db: &Database) -> Vec<String> {
    let boolean = |name: &'static str| ColumnDef::new(name).boolean().not_null().to_owned();
    vec![
        build(
            db,
            &Table::create()
                .table("saved_views")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(text("record_type"))
                .col(text("name"))
                .col(text("query"))
                .col(text("columns"))
                .col(boolean("shared"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        ),
        index(
            db,
            &Index::create().name("saved_views_kind").table("saved_views").col("record_type").col("name").to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("list_columns")
                .col(uuid("user_id"))
                .col(text("record_type"))
                .col(text("columns"))
                .primary_key(Index::create().col("user_id").col("record_type"))
                .to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("recent_records")
                .col(uuid("user_id"))
                .col(uuid("record_id"))
                .col(text("record_type"))
                .col(ts("viewed_at"))
                .primary_key(Index::create().col("user_id").col("record_id"))
                .to_owned(),
        ),
        index(
            db,
            &Index::create()
                .name("recent_records_user")
                .table("recent_records")
                .col("user_id")
                .col("viewed_at")
                .to_owned(),
        ),
    ]
}

/// Imports run from the web wizard (or the API) in the background: the
/// uploaded file, its mapping, progress committed with each batch (so that
/// an interrupted import resumes where it stopped), every row left out, and
/// the import that wrote each audit entry (so that it can be undone).
fn m0013_imports(db: &Database) -> Vec<String> {
    let count = |name: &'static str| ColumnDef::new(name).big_integer().not_null().default(0).to_owned();
    let import_id = Table::alter().table("audit_log").add_column(uuid_null("import_id")).to_owned();
    vec![
        build(
            db,
            &Table::create()
                .table("imports")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(text("record_type"))
                .col(text("file_name"))
                .col(ColumnDef::new("file").blob().null())
                .col(count("file_bytes"))
                .col(text("status"))
                .col(text("settings"))
                .col(text("columns"))
                .col(count("next_line"))
                .col(count("bytes_done"))
                .col(count("rows_read"))
                .col(count("created"))
                .col(count("updated"))
                .col(count("skipped"))
                .col(count("rejected"))
                .col(ColumnDef::new("error").text().null())
                .col(ColumnDef::new("cancel_requested").boolean().not_null().default(false))
                .col(ts_null("leased_until"))
                .col(ts("created_at"))
                .col(ts_null("started_at"))
                .col(ts_null("finished_at"))
                .col(ts_null("undone_at"))
                .to_owned(),
        ),
        index(db, &Index::create().name("imports_user").table("imports").col("user_id").col("created_at").to_owned()),
        index(db, &Index::create().name("imports_status").table("imports").col("status").to_owned()),
        build(
            db,
            &Table::create()
                .table("import_left_out")
                .col(uuid("import_id"))
                .col(ColumnDef::new("line").big_integer().not_null())
                .col(text("outcome"))
                .col(text("cells"))
                .col(text("reason"))
                .primary_key(Index::create().col("import_id").col("line"))
                .to_owned(),
        ),
        db.db_backend().build(&import_id).to_string(),
        // Only entries an import wrote are indexed: most have none.
        "CREATE INDEX audit_log_import ON audit_log (import_id) WHERE import_id IS NOT NULL".to_owned(),
    ]
}

/// Likely duplicates found by the background scan (one row per pair, the
/// smaller id first; a dismissed pair stays, so that a later scan does not
/// bring it back), and merges with what each moved, so that one can be undone.
fn m0014_duplicates_and_merges(db: &Database) -> Vec<String> {
    vec![
        build(
            db,
            &Table::create()
                .table("duplicate_pairs")
                .col(text("record_type"))
                .col(uuid("record_id"))
                .col(uuid("other_id"))
                .col(ColumnDef::new("score").big_integer().not_null())
                .col(text("reasons"))
                .col(ts("found_at"))
                .col(ts_null("dismissed_at"))
                .col(uuid_null("dismissed_by"))
                .primary_key(Index::create().col("record_id").col("other_id"))
                .to_owned(),
        ),
        // The review list: a kind's pairs, surest first (keyset).
        index(
            db,
            &Index::create()
                .name("duplicate_pairs_review")
                .table("duplicate_pairs")
                .col("record_type")
                .col("score")
                .col("record_id")
                .col("other_id")
                .to_owned(),
        ),
        index(db, &Index::create().name("duplicate_pairs_other").table("duplicate_pairs").col("other_id").to_owned()),
        build(
            db,
            &Table::create()
                .table("merges")
                .col(uuid("id").primary_key())
                .col(text("record_type"))
                .col(uuid("survivor_id"))
                .col(uuid("actor_id"))
                .col(ts("at"))
                .col(ColumnDef::new("survivor_before").json_binary().not_null())
                .col(ts_null("undone_at"))
                .col(uuid_null("undone_by"))
                .to_owned(),
        ),
        index(db, &Index::create().name("merges_survivor").table("merges").col("survivor_id").col("at").to_owned()),
        build(
            db,
            &Table::create()
                .table("merged_records")
                .col(uuid("merge_id"))
                .col(uuid("record_id"))
                .col(ColumnDef::new("moved").json_binary().not_null())
                .primary_key(Index::create().col("merge_id").col("record_id"))
                .to_owned(),
        ),
        // A trashed record's pointer to the record it was merged into.
        index(db, &Index::create().name("merged_records_record").table("merged_records").col("record_id").to_owned()),
    ]
}

/// Exports of a list (CSV or XLSX) written by the worker, for sets too big
/// to download while the user waits: the list's query, progress, and the
/// file once done (kept a few days).
fn m0016_exports(db: &Database) -> Vec<String> {
    vec![
        build(
            db,
            &Table::create()
                .table("exports")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(text("record_type"))
                .col(text("format"))
                .col(text("query"))
                .col(text("status"))
                .col(ColumnDef::new("rows_done").big_integer().not_null().default(0))
                .col(ColumnDef::new("file").blob().null())
                .col(ColumnDef::new("error").text().null())
                .col(ts_null("leased_until"))
                .col(ts("created_at"))
                .col(ts_null("finished_at"))
                .to_owned(),
        ),
        index(db, &Index::create().name("exports_user").table("exports").col("user_id").col("created_at").to_owned()),
        index(db, &Index::create().name("exports_status").table("exports").col("status").to_owned()),
    ]
}

/// A contact's photo (imported from a vCard), and each user's secret
/// calendar feed URL, kept as a hash of its token.
fn m0015_contact_photos_and_calendar_feeds(db: &Database) -> Vec<String> {
    vec![
        build(
            db,
            &Table::create()
                .table("contact_photos")
                .col(uuid("contact_id").primary_key())
                .col(text("content_type"))
                .col(ColumnDef::new("bytes").blob().not_null())
                .col(ts("updated_at"))
                .to_owned(),
        ),
        build(
            db,
            &Table::create()
                .table("calendar_feeds")
                .col(uuid("user_id").primary_key())
                .col(text("token_hash"))
                .col(ts("created_at"))
                .to_owned(),
        ),
        index(
            db,
            &Index::create().name("calendar_feeds_token").table("calendar_feeds").col("token_hash").unique().to_owned(),
        ),
    ]
}

/// Products and quotes (their fields' columns come from the descriptors;
/// quotes are numbered from `number_sequences`, migration 19). A quote's number and
/// revision are created here rather than by `sync_record_columns`, to carry
/// the unique index that makes a duplicate number impossible whatever the
/// code above it does.
fn m0018_products_and_quotes(db: &Database) -> Vec<String> {
    let mut out = kind_table(db, "products");
    out.extend(kind_table(db, "quotes"));
    for column in
        [ColumnDef::new("number").text().null().to_owned(), ColumnDef::new("revision").big_integer().null().to_owned()]
    {
        out.push(db.db_backend().build(&Table::alter().table("quotes").add_column(column).to_owned()).to_string());
    }
    out.push(index(
        db,
        &Index::create().name("quotes_number").table("quotes").col("number").col("revision").unique().to_owned(),
    ));
    out
}

/// Orders and return requests (record kinds), the gapless numbering they
/// share with every numbered kind, the administrator's automatic return
/// rules, and secret links that show one record to someone without an
/// account (the token kept as its SHA-256 hash).
fn m0019_orders_returns_and_public_links(db: &Database) -> Vec<String> {
    let mut out = kind_table(db, "orders");
    out.extend(kind_table(db, "returns"));
    out.push(build(
        db,
        &Table::create()
            .table("number_sequences")
            .col(text("key"))
            .col(ColumnDef::new("year").big_integer().not_null())
            .col(ColumnDef::new("last").big_integer().not_null())
            .primary_key(Index::create().col("key").col("year"))
            .to_owned(),
    ));
    out.push(build(
        db,
        &Table::create()
            .table("return_rules")
            .col(uuid("id").primary_key())
            .col(text("condition"))
            .col(ColumnDef::new("amount").big_integer().not_null())
            .col(ColumnDef::new("currency").text().null())
            .col(ColumnDef::new("enabled").boolean().not_null())
            .col(ts("created_at"))
            .col(uuid_null("created_by"))
            .to_owned(),
    ));
    out.push(build(
        db,
        &Table::create()
            .table("public_links")
            .col(uuid("id").primary_key())
            .col(text("token_hash"))
            .col(text("record_type"))
            .col(uuid("record_id"))
            .col(text("purpose"))
            .col(ts("created_at"))
            .col(uuid_null("created_by"))
            .col(ts("expires_at"))
            .col(ts_null("revoked_at"))
            .to_owned(),
    ));
    out.push(index(
        db,
        &Index::create().name("public_links_token").table("public_links").col("token_hash").unique().to_owned(),
    ));
    out.push(index(
        db,
        &Index::create()
            .name("public_links_record")
            .table("public_links")
            .col("record_id")
            .col("purpose")
            .col("created_at")
            .to_owned(),
    ));
    out
}

/// Contracts (a record kind) and their signed documents, the bytes kept in
/// the database. A contract's number, version and previous version are
/// created here rather than by `sync_record_columns`, to carry the unique
/// indexes that make a duplicate version, or two renewals of one version,
/// impossible whatever the code above them does.
fn m0020_contracts_and_documents(db: &Database) -> Vec<String> {
    let mut out = kind_table(db, "contracts");
    for column in [
        ColumnDef::new("number").text().null().to_owned(),
        ColumnDef::new("version_number").big_integer().null().to_owned(),
        ColumnDef::new("previous_contract_id").uuid().null().to_owned(),
    ] {
        out.push(db.db_backend().build(&Table::alter().table("contracts").add_column(column).to_owned()).to_string());
    }
    out.push(index(
        db,
        &Index::create()
            .name("contracts_number")
            .table("contracts")
            .col("number")
            .col("version_number")
            .unique()
            .to_owned(),
    ));
    out.push(index(
        db,
        &Index::create()
            .name("contracts_previous_contract_id")
            .table("contracts")
            .col("previous_contract_id")
            .unique()
            .to_owned(),
    ));
    out.push(build(
        db,
        &Table::create()
            .table("contract_documents")
            .col(uuid("id").primary_key())
            .col(uuid("contract_id"))
            .col(text("file_name"))
            .col(text("content_type"))
            .col(ColumnDef::new("size_bytes").big_integer().not_null())
            .col(text("sha256"))
            .col(ColumnDef::new("bytes").blob().not_null())
            .col(ts("created_at"))
            .col(uuid_null("created_by"))
            .to_owned(),
    ));
    out.push(index(
        db,
        &Index::create()
            .name("contract_documents_contract")
            .table("contract_documents")
            .col("contract_id")
            .col("created_at")
            .to_owned(),
    ));
    out
}

/// Sales quotas per user or team and month or quarter (one per subject and
/// period, by a unique index), and forecasts recorded as they stood on a day
/// (one per period, scope and day). The deals' forecast category and the
/// indexes the forecast reads come from the deal kind (`sync_record_columns`).
fn m0021_quotas_and_forecast_snapshots(db: &Database) -> Vec<String> {
    vec![
        build(
            db,
            &Table::create()
                .table("quotas")
                .col(uuid("id").primary_key())
                .col(text("subject_type"))
                .col(uuid("subject_id"))
                .col(text("period_kind"))
                .col(ColumnDef::new("period_start").date().not_null())
                .col(ColumnDef::new("amount_minor").big_integer().not_null())
                .col(text("currency"))
                .col(ts("updated_at"))
                .col(uuid_null("updated_by"))
                .to_owned(),
        ),
        index(
            db,
            &Index::create()
                .name("quotas_subject_period")
                .table("quotas")
                .col("subject_type")
                .col("subject_id")
                .col("period_kind")
                .col("period_start")
                .unique()
                .to_owned(),
        ),
        index(db, &Index::create().name("quotas_period_start").table("quotas").col("period_start").to_owned()),
        build(
            db,
            &Table::create()
                .table("forecast_snapshots")
                .col(uuid("id").primary_key())
                .col(text("period"))
                .col(text("scope"))
                .col(ColumnDef::new("taken_on").date().not_null())
                .col(text("currency"))
                .col(ColumnDef::new("forecast").json_binary().not_null())
                .col(ts("taken_at"))
                .to_owned(),
        ),
        index(
            db,
            &Index::create()
                .name("forecast_snapshots_period_scope_day")
                .table("forecast_snapshots")
                .col("period")
                .col("scope")
                .col("taken_on")
                .unique()
                .to_owned(),
        ),
    ]
}

/// The name of the index of a kind's `(filter, sort)` pair.
pub(crate) fn paired_index_name(record_type: RecordType, filter: &str, sort: &str) -> String {
    format!("{}_{filter}_{sort}", record_type.plural())
}

/// Adds a column (and index, for indexed fields) for every schema field a
/// record table lacks. Idempotent; runs after the versioned migrations.
async fn sync_record_columns(tx: &DatabaseTransaction) -> Result<()> {
    for record_type in RecordType::all() {
        let table = record_type.plural();
        let existing = backend::table_columns(tx, table).await?;
        for field in record_type.fields() {
            let mut added = false;
            for (name, storage) in crate::row::field_columns(field) {
                if existing.contains(&name) {
                    continue;
                }
                added = true;
                let mut column = ColumnDef::new(Alias::new(name.as_str()));
                match storage {
                    Storage::Text => column.text(),
                    Storage::BigInt | Storage::Money => column.big_integer(),
                    Storage::Bool => column.boolean(),
                    Storage::Date => column.date(),
                    Storage::Timestamp => column.timestamp_with_time_zone(),
                    Storage::Uuid => column.uuid(),
                    Storage::Json => column.json_binary(),
                };
                let alter = Table::alter().table(Alias::new(table)).add_column(column.null()).to_owned();
                tx.execute(&alter).await.context("add a record column")?;
            }
            // One index per indexed field, named after it, over the column
            // its filters and sorts read.
            if added && field.indexed {
                let create = Index::create()
                    .name(format!("{table}_{}", field.name))
                    .table(Alias::new(table))
                    .col(Alias::new(crate::row::sort_column(field.name, field.kind.storage())))
                    .col("id")
                    .if_not_exists()
                    .to_owned();
                tx.execute(&create).await.context("index a record column")?;
            }
        }
    }
    for record_type in RecordType::all() {
        for (filter, sort) in record_type.descriptor().rules.paired_indexes() {
            let create = Index::create()
                .name(paired_index_name(record_type, filter, sort))
                .table(Alias::new(record_type.plural()))
                .col(Alias::new(*filter))
                .col(Alias::new(*sort))
                .col("id")
                .if_not_exists()
                .to_owned();
            tx.execute(&create).await.context("index a pair of record columns")?;
        }
    }
    Ok(())
}
