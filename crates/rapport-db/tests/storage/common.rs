//! The test harness: a fresh database per test, on SQLite always and on
//! PostgreSQL when `RAPPORT_TEST_POSTGRES_URL` names a server.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rapport_core::DomainError;
use rapport_core::access::{Actor, Admin, Role, Scope, Writer};
use rapport_core::clock::ManualClock;
use rapport_core::ids::{RecordId, UserId};
use rapport_core::schema::RecordType;
use rapport_db::users::{self, NewUser, User};
use rapport_db::{Backend, ConnectionTrait, Ctx, Database, DatabaseUrl, Error};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

pub const POSTGRES_URL_VAR: &str = "RAPPORT_TEST_POSTGRES_URL";

/// What a test body gets: services' context, the clock it controls, and
/// where the database lives (to open it again).
pub struct TestCtx {
    pub ctx: Ctx,
    pub clock: ManualClock,
    pub url: DatabaseUrl,
}

impl TestCtx {
    pub fn backend(&self) -> Backend {
        self.ctx.db.backend()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.ctx.now()
    }

    /// A user with a role, and the actor that acts for them.
    pub async fn user(&self, name: &str, role: Role) -> (User, Actor) {
        let email = format!("{}@rapport.test", name.to_lowercase().replace(' ', "."));
        let user = users::create_for_system(
            &self.ctx,
            &NewUser { email, name: name.into(), password: "correct horse battery".into(), role, locale: "en".into() },
        )
        .await
        .expect("create a user");
        let actor = self.actor(user.id).await;
        (user, actor)
    }

    /// The current actor of a user (team memberships read now).
    pub async fn actor(&self, user_id: UserId) -> Actor {
        users::actor(self.ctx.db.conn(), user_id, Scope::ReadWrite).await.expect("load an actor").expect("enabled user")
    }

    /// The current actor of a user, with the right to change records.
    pub async fn writer(&self, user_id: UserId) -> Writer {
        Writer::try_from(self.actor(user_id).await).expect("a user who may write")
    }

    /// The right to administer the account, held by a new administrator.
    pub async fn admin_right(&self) -> Admin {
        let (_, actor) = self.user(&format!("Account Admin {}", Uuid::now_v7().simple()), Role::Admin).await;
        Admin::try_from(actor).expect("administrators administer")
    }

    pub async fn admin(&self) -> (User, Writer) {
        let (user, actor) = self.user("Admin", Role::Admin).await;
        (user, Writer::try_from(actor).expect("administrators write"))
    }

    /// Creates a contact that must be valid; returns its id.
    pub async fn contact(&self, actor: &Writer, input: serde_json::Value) -> RecordId {
        rapport_db::records::create(&self.ctx, actor, RecordType::CONTACT, &input).await.expect("create a contact").id
    }

    /// Rows in a table, optionally only those matching `column = value`.
    pub async fn count(&self, table: &str) -> i64 {
        let query = Query::select().expr(Expr::cust("COUNT(*)")).from(sea_orm::sea_query::Alias::new(table)).to_owned();
        let row = self.ctx.db.conn().query_one(&query).await.expect("count rows").expect("a count row");
        row.try_get_by_index::<i64>(0).expect("read a count")
    }

    pub async fn count_where(&self, table: &str, column: &str, value: impl Into<sea_orm::sea_query::Value>) -> i64 {
        let query = Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from(sea_orm::sea_query::Alias::new(table))
            .and_where(Expr::col(sea_orm::sea_query::Alias::new(column)).eq(value))
            .to_owned();
        let row = self.ctx.db.conn().query_one(&query).await.expect("count rows").expect("a count row");
        row.try_get_by_index::<i64>(0).expect("read a count")
    }
}

/// An administrator's right to administer, from their right to write.
pub fn as_admin(writer: &Writer) -> Admin {
    Admin::try_from(writer.actor().clone()).expect("an administrator")
}

/// A fixed start so that tests never depend on the wall clock.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().expect("a valid start time")
}

fn new_ctx(db: Database, url: DatabaseUrl) -> TestCtx {
    let clock = ManualClock::new(start_time());
    let ctx = Ctx::new(db, Arc::new(clock.clone()));
    TestCtx { ctx, clock, url }
}

/// A SQLite file in a folder of its own, removed when dropped.
struct SqliteDir(PathBuf);

impl Drop for SqliteDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `body` on a fresh SQLite database, then on a fresh PostgreSQL
/// database when `RAPPORT_TEST_POSTGRES_URL` is set (reported as skipped
/// otherwise). A failure on either backend fails the test after cleanup.
pub async fn run_on_both_backends<F, Fut>(test: &str, body: F)
where
    F: Fn(TestCtx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_on_sqlite(test, &body).await;
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => run_on_postgres(test, &url, &body).await,
        // Written past the test harness's output capture, so that a skip is
        // visible in every run rather than passing silently.
        _ => {
            let _ = writeln!(std::io::stderr(), "SKIPPED on PostgreSQL: {POSTGRES_URL_VAR} not set ({test})");
        }
    }
}

async fn run_on_sqlite<F, Fut>(test: &str, body: &F)
where
    F: Fn(TestCtx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = SqliteDir(std::env::temp_dir().join(format!("rapport-test-{}", Uuid::now_v7())));
    let url = DatabaseUrl::Sqlite(dir.0.join("rapport.db"));
    let db = Database::open(&url).await.expect("open a SQLite test database");
    let outcome = tokio::spawn(body(new_ctx(db, url))).await;
    drop(dir);
    if let Err(e) = outcome {
        eprintln!("FAILED on SQLite: {test}");
        resume(e);
    }
}

async fn run_on_postgres<F, Fut>(test: &str, admin_url: &str, body: &F)
where
    F: Fn(TestCtx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let name = format!("rapport_test_{}", Uuid::now_v7().simple());
    let admin = sea_orm::Database::connect(admin_url).await.expect("connect to the PostgreSQL test server");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
    let url = DatabaseUrl::Postgres(with_database(admin_url, &name));
    let outcome = match Database::open(&url).await {
        Ok(db) => tokio::spawn(body(new_ctx(db, url))).await,
        Err(e) => {
            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            panic!("open the PostgreSQL test database: {e:?}");
        }
    };
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop a test database");
    let _ = admin.close().await;
    if let Err(e) = outcome {
        eprintln!("FAILED on PostgreSQL: {test}");
        resume(e);
    }
}

fn resume(error: tokio::task::JoinError) -> ! {
    match error.try_into_panic() {
        Ok(panic) => std::panic::resume_unwind(panic),
        Err(e) => panic!("the test task did not finish: {e}"),
    }
}

/// `postgres://user@host:port/db?opts` with the database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// The field errors of a validation failure, or a panic naming what came instead.
pub fn validation_fields(result: Result<impl std::fmt::Debug, Error>) -> Vec<String> {
    match result {
        Err(Error::Domain(DomainError::Validation(errors))) => errors.0.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// List query pairs from literals.
pub fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// Every record of a list, following cursors; panics after `max_pages`.
pub async fn list_all(
    t: &TestCtx,
    actor: &Actor,
    record_type: RecordType,
    query: &[(&str, &str)],
    max_pages: usize,
) -> Vec<Vec<rapport_db::records::Record>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut p = pairs(query);
        if let Some(c) = &cursor {
            p.push(("cursor".into(), c.clone()));
        }
        let page = rapport_db::records::list(&t.ctx, actor, record_type, &p).await.expect("list records");
        pages.push(page.items);
        assert!(pages.len() <= max_pages, "more than {max_pages} pages");
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return pages,
        }
    }
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
    assert_eq!(with_database("postgres://h:5432", "x"), "postgres://h:5432/x");
}
