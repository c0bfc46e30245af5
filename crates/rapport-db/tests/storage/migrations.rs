use rapport_db::{ConnectionTrait, Database};
use sea_orm::sea_query::{Alias, Expr, Query};

use crate::common::run_on_both_backends;

const TABLES: &[&str] = &[
    "schema_migrations",
    "teams",
    "users",
    "team_members",
    "sessions",
    "api_tokens",
    "login_attempts",
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
        assert_eq!(first, vec![1, 2, 3, 4, 5, 6, 7, 8]);

        // Every schema field has its column.
        for record_type in rapport_core::schema::RecordType::ALL {
            let mut query = Query::select();
            query.from(Alias::new(record_type.plural()));
            query.columns(record_type.fields().iter().map(|f| Alias::new(f.name)));
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
