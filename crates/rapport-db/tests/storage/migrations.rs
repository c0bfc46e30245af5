use rapport_db::{ConnectionTrait, Database};
use sea_orm::sea_query::{Alias, Expr, Query};

use rapport_db::Backend;

use crate::common::run_on_both_backends;

const TABLES: &[&str] = &[
    "schema_migrations",
    "teams",
    "users",
    "team_members",
    "sessions",
    "api_tokens",
    "login_attempts",
    "import_reports",
    "imports",
    "exports",
    "import_left_out",
    "settings",
    "custom_fields",
    "pipelines",
    "stages",
    "contacts",
    "companies",
    "leads",
    "deals",
    "activities",
    "deal_stage_changes",
    "record_links",
    "record_keys",
    "audit_log",
    "jobs",
    "notifications",
    "idempotency_keys",
    "search_rows",
    "saved_views",
    "list_columns",
    "recent_records",
    "contact_photos",
    "calendar_feeds",
    "duplicate_pairs",
    "merges",
    "merged_records",
    "email_messages",
    "email_attachments",
    "email_templates",
    "orders",
    "returns",
    "number_sequences",
    "return_rules",
    "public_links",
    "products",
    "quotes",
    "quotas",
    "forecast_snapshots",
    "report_schedules",
    "report_deliveries",
    "report_results",
];

async fn applied(db: &Database) -> Vec<i64> {
    let query =
        Query::select().column("version").from("schema_migrations").order_by("version", sea_orm::Order::Asc).to_owned();
    let rows = db.conn().query_all(&query).await.expect("read migrations");
    rows.iter().map(|r| r.try_get::<i64>("", "version").expect("a version")).collect()
}

async fn assert_tables_exist(db: &Database) {
    for table in TABLES {
        let query = Query::select().expr(Expr::cust("COUNT(*)")).from(Alias::new(*table)).to_owned();
        db.conn().query_one(&query).await.unwrap_or_else(|e| panic!("table {table} is missing: {e}"));
    }
}

#[tokio::test]
async fn migrations_build_the_schema_from_empty_and_are_idempotent() {
    run_on_both_backends("migrations", |t| async move {
        assert_tables_exist(&t.ctx.db).await;
        let first = applied(&t.ctx.db).await;
        // The last is the test-only kind's.
        assert_eq!(
            first,
            vec![
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                29, 1_000_000
            ]
        );

        // Every schema field has its column.
        for record_type in rapport_core::schema::RecordType::all() {
            let mut query = Query::select();
            query.from(Alias::new(record_type.plural()));
            let columns = record_type.fields().iter().flat_map(rapport_db::records::field_columns);
            query.columns(columns.map(|(column, _)| Alias::new(column)));
            t.ctx.db.conn().query_all(&query).await.unwrap_or_else(|e| panic!("{record_type} columns: {e}"));
        }

        // Opening again applies nothing and changes nothing.
        let again = Database::open(&t.url).await.expect("open the database a second time");
        assert_eq!(applied(&again).await, first);
        assert_tables_exist(&again).await;
        again.migrate().await.expect("migrate a third time");
        assert_eq!(applied(&again).await, first);
        again.close().await.expect("close");
    })
    .await;
}

/// The schema that the migrations build from empty, one line per object, in
/// a stable order: SQLite's own DDL text; PostgreSQL's columns, indexes,
/// constraints, triggers and functions. The test-only kind's table is left
/// out: it exists only in test builds.
async fn schema_dump(db: &Database) -> String {
    let queries: &[&str] = match db.backend() {
        Backend::Sqlite => &["SELECT type || ' ' || name || ': ' || sql AS line FROM sqlite_master \
             WHERE sql IS NOT NULL AND tbl_name <> 'gadgets' ORDER BY type, name"],
        Backend::Postgres => &[
            "SELECT 'column ' || table_name || '.' || column_name || ': ' || data_type || \
             CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END || \
             coalesce(' default ' || column_default, '') || \
             coalesce(' generated ' || generation_expression, '') AS line \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'gadgets' \
             ORDER BY table_name, ordinal_position",
            "SELECT 'index ' || indexname || ': ' || indexdef AS line FROM pg_indexes \
             WHERE schemaname = 'public' AND tablename <> 'gadgets' ORDER BY indexname",
            "SELECT 'constraint ' || c.conname || ' on ' || t.relname || ': ' || pg_get_constraintdef(c.oid) AS line \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = 'public' AND t.relname <> 'gadgets' ORDER BY t.relname, c.conname",
            "SELECT 'trigger ' || tgname || ': ' || pg_get_triggerdef(t.oid) AS line FROM pg_trigger t \
             JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY tgname",
            "SELECT 'function ' || p.proname || ': ' || pg_get_functiondef(p.oid) AS line FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e' \
             WHERE n.nspname = 'public' AND d.objid IS NULL ORDER BY p.proname",
        ],
    };
    let mut out = String::new();
    for sql in queries {
        let rows = db
            .conn()
            .query_all_raw(sea_orm::Statement::from_string(db.conn().get_database_backend(), *sql))
            .await
            .expect("read the schema");
        for row in rows {
            let line: String = row.try_get("", "line").expect("a schema line");
            out.push_str(line.trim());
            out.push('\n');
        }
    }
    out
}

/// The DDL of an empty database matches the committed snapshot, so that an
/// edited landed migration shows up in review and fails CI. After an
/// intended schema change (a new migration, a new field), write the new
/// snapshot with `RAPPORT_UPDATE_SCHEMA_SNAPSHOT=1 cargo test -p rapport-db --test storage schema`.
#[tokio::test]
async fn the_schema_built_from_empty_matches_the_committed_snapshot() {
    run_on_both_backends("schema snapshot", |t| async move {
        let name = match t.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/schema/{name}.sql"));
        let dump = schema_dump(&t.ctx.db).await;
        if std::env::var_os("RAPPORT_UPDATE_SCHEMA_SNAPSHOT").is_some() {
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("create the snapshot folder");
            std::fs::write(&path, &dump).expect("write the schema snapshot");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let changed: Vec<String> = dump
            .lines()
            .filter(|l| !committed.lines().any(|c| c == *l))
            .map(|l| format!("+ {l}"))
            .chain(committed.lines().filter(|c| !dump.lines().any(|l| l == *c)).map(|l| format!("- {l}")))
            .collect();
        assert!(
            changed.is_empty() && dump == committed,
            "the {name} schema differs from {}; a landed migration must never change. \
             If this is a new migration, update the snapshot (see this test's doc).\n{}",
            path.display(),
            changed.join("\n")
        );
    })
    .await;
}
