//! The `spawn_app()` harness: a real server on port 0 over a fresh database
//! (a temp-file SQLite always; PostgreSQL when `RAPPORT_TEST_POSTGRES_URL`
//! names a server), a cookie-keeping client and typed helpers.

use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use futures::FutureExt;
use rapport_core::access::{Role, Scope};
use rapport_core::clock::ManualClock;
use rapport_core::ids::{TeamId, UserId};
use rapport_db::users::{NewUser, User};
use rapport_db::{Backend, Ctx, Database, DatabaseUrl};
use rapport_server::ServerConfig;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use tokio::sync::oneshot;
use uuid::Uuid;

pub const POSTGRES_URL_VAR: &str = "RAPPORT_TEST_POSTGRES_URL";
pub const PASSWORD: &str = "correct horse battery";

/// A fixed start so that no test depends on the wall clock.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().expect("a valid start time")
}

/// Where a test database lives, to remove it afterwards.
enum Store {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// Keeps cookies between requests, like a browser.
    pub client: reqwest::Client,
    pub ctx: Ctx,
    pub clock: ManualClock,
    pub admin: User,
    /// A read-write API token of `admin`.
    pub admin_token: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    store: Store,
}

/// One HTTP answer, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    /// The body as JSON (`Null` when it is not JSON).
    pub body: Value,
}

impl Reply {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("read a response body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self { status, headers, text, body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, with the body in the message.
    pub fn expect(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        self
    }

    /// Asserts a problem+json answer with this status and code.
    pub fn expect_problem(&self, status: StatusCode, code: &str) -> &Self {
        self.expect(status);
        assert_problem_shape(self);
        assert_eq!(self.body["code"], code, "unexpected problem code; body: {}", self.text);
        self
    }

    /// The `field` names of a problem's field errors.
    pub fn error_fields(&self) -> Vec<String> {
        field_errors(&self.body).into_iter().map(|(field, _)| field).collect()
    }

    /// Whether a field error names `field` with rule `code`.
    pub fn has_field_error(&self, field: &str, code: &str) -> bool {
        field_errors(&self.body).iter().any(|(f, c)| f == field && c == code)
    }

    pub fn id(&self) -> Uuid {
        id_of(&self.body)
    }
}

pub fn field_errors(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| (e["field"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

pub fn id_of(record: &Value) -> Uuid {
    record["id"].as_str().and_then(|s| Uuid::parse_str(s).ok()).unwrap_or_else(|| panic!("no id in {record}"))
}

/// A problem+json body with a numeric `status` matching the answer and a `code`.
pub fn assert_problem_shape(reply: &Reply) {
    let content_type = reply.header(CONTENT_TYPE.as_str()).unwrap_or("");
    assert!(content_type.starts_with("application/problem+json"), "not problem+json ({content_type}): {}", reply.text);
    assert_eq!(reply.body["status"].as_u64(), Some(u64::from(reply.status.as_u16())), "problem status: {}", reply.text);
    assert!(reply.body["code"].as_str().is_some_and(|c| !c.is_empty()), "problem without code: {}", reply.text);
    assert!(reply.body["detail"].is_string(), "problem without detail: {}", reply.text);
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request with `token` as bearer credentials (none when `None`).
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn send(&self, builder: reqwest::RequestBuilder) -> Reply {
        Reply::read(builder.send().await.expect("send a request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(self.request(Method::GET, path, Some(token))).await
    }

    pub async fn get_query(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Reply {
        self.send(self.request(Method::GET, path, Some(token)).query(query)).await
    }

    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(self.request(Method::POST, path, Some(token)).json(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(self.request(Method::PATCH, path, Some(token)).json(body)).await
    }

    pub async fn put_json(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(self.request(Method::PUT, path, Some(token)).json(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.send(self.request(Method::DELETE, path, Some(token))).await
    }

    /// POSTs a raw body with a JSON content type.
    pub async fn post_raw(&self, path: &str, token: &str, body: &str) -> Reply {
        self.send(
            self.request(Method::POST, path, Some(token))
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_owned()),
        )
        .await
    }

    /// Creates a record of `kind` (`contacts`, …) as the admin; panics unless 201.
    pub async fn create(&self, kind: &str, body: &Value) -> Value {
        let reply = self.post_json(&format!("/api/v1/{kind}"), &self.admin_token, body).await;
        reply.expect(StatusCode::CREATED);
        reply.body
    }

    /// A user with a role, and a read-write API token of theirs.
    pub async fn user(&self, name: &str, role: Role) -> (User, String) {
        let email = format!("{}@rapport.test", name.to_lowercase().replace(' ', "."));
        let input = NewUser { email, name: name.into(), password: PASSWORD.into(), role, locale: "en".into() };
        let user = rapport_db::users::create_for_system(&self.ctx, &input).await.expect("create a user");
        let token = self.token(user.id, Scope::ReadWrite).await;
        (user, token)
    }

    pub async fn token(&self, user_id: UserId, scope: Scope) -> String {
        rapport_db::auth::create_token(&self.ctx, user_id, "test", scope, None).await.expect("create a token").1
    }

    /// A team with these members.
    pub async fn team(&self, name: &str, members: &[UserId]) -> TeamId {
        let team = rapport_db::users::create_team_for_system(&self.ctx, name).await.expect("create a team");
        for member in members {
            rapport_db::users::add_member_for_system(&self.ctx, team.id, *member).await.expect("add a team member");
        }
        team.id
    }

    /// Runs due jobs as the worker would; returns how many ran.
    pub async fn run_due_jobs(&self) -> usize {
        rapport_db::notifications::run_due_jobs(&self.ctx, 500).await.expect("run due jobs")
    }

    /// Runs the imports due as the worker would; returns how many ran.
    pub async fn run_imports(&self) -> usize {
        let mut ran = 0;
        while let Some(id) = rapport_db::imports::claim_next(&self.ctx).await.expect("claim an import") {
            rapport_db::imports::run(&self.ctx, id).await.expect("run an import");
            ran += 1;
        }
        ran
    }

    /// Writes every queued export, as the worker would; how many.
    pub async fn run_exports(&self) -> usize {
        let mut ran = 0;
        while let Some(id) = rapport_db::exports::claim_next(&self.ctx).await.expect("claim an export") {
            rapport_db::exports::run(&self.ctx, id).await.expect("write an export");
            ran += 1;
        }
        ran
    }

    /// Stops the server and removes the database.
    pub async fn teardown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("the server task ended").expect("the server stopped cleanly");
        }
        // Close the pool before the database goes away.
        let _ = self.ctx.db.clone().close().await;
        match &self.store {
            Store::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Store::Postgres { admin_url, name } => {
                let admin = sea_orm::Database::connect(admin_url.as_str()).await.expect("connect to PostgreSQL");
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .expect("drop a test database");
                let _ = admin.close().await;
            }
        }
    }
}

/// Starts a server over a fresh database of `backend`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, ServerConfig::default()).await
}

/// [`spawn_app`] with server settings (the worker never runs: tests drain jobs).
pub async fn spawn_app_with(backend: Backend, config: ServerConfig) -> TestApp {
    let (url, store) = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("rapport-api-test-{}", Uuid::now_v7()));
            (DatabaseUrl::Sqlite(dir.join("rapport.db")), Store::Sqlite(dir))
        }
        Backend::Postgres => {
            let admin_url = std::env::var(POSTGRES_URL_VAR).expect("RAPPORT_TEST_POSTGRES_URL is set");
            let name = format!("rapport_test_{}", Uuid::now_v7().simple());
            let admin = sea_orm::Database::connect(admin_url.as_str()).await.expect("connect to PostgreSQL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
            let _ = admin.close().await;
            (DatabaseUrl::Postgres(with_database(&admin_url, &name)), Store::Postgres { admin_url, name })
        }
    };
    let db = Database::open(&url).await.expect("open the test database");
    let clock = ManualClock::new(start_time());
    let ctx = Ctx::new(db, Arc::new(clock.clone()));
    let config = ServerConfig { run_worker: false, ..config };
    let app = rapport_server::build(ctx.clone(), config).await.expect("build the app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a port");
    let address = format!("http://{}", listener.local_addr().expect("a local address"));
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run(listener, async move {
        let _ = stopped.await;
    }));
    // Idle connections are dropped before the server's header timeout would close them.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_idle_timeout(std::time::Duration::from_secs(5))
        .build()
        .expect("build an HTTP client");
    let input = NewUser {
        email: "admin@rapport.test".into(),
        name: "Admin".into(),
        password: PASSWORD.into(),
        role: Role::Admin,
        locale: "en".into(),
    };
    let admin = rapport_db::users::create_for_system(&ctx, &input).await.expect("create the admin");
    let admin_token =
        rapport_db::auth::create_token(&ctx, admin.id, "admin", Scope::ReadWrite, None).await.expect("a token").1;
    TestApp { address, client, ctx, clock, admin, admin_token, shutdown: Some(shutdown), server: Some(server), store }
}

/// The PostgreSQL server to test on, if one is configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR).ok().filter(|u| !u.trim().is_empty())
}

/// The backends a test runs on: SQLite always, PostgreSQL when configured
/// (a skip is reported past the output capture, so it is never silent).
pub fn backends(test: &str) -> Vec<Backend> {
    if postgres_url().is_some() {
        vec![Backend::Sqlite, Backend::Postgres]
    } else {
        let _ = writeln!(std::io::stderr(), "SKIPPED on PostgreSQL: {POSTGRES_URL_VAR} not set ({test})");
        vec![Backend::Sqlite]
    }
}

/// Runs `body` against a fresh app on each backend; a failure on either
/// fails the test after the database is removed.
pub async fn on_both_backends<F>(test: &str, body: F)
where
    F: AsyncFn(&TestApp),
{
    for backend in backends(test) {
        let app = spawn_app(backend).await;
        let outcome = AssertUnwindSafe(body(&app)).catch_unwind().await;
        app.teardown().await;
        if let Err(panic) = outcome {
            eprintln!("FAILED on {backend:?}: {test}");
            std::panic::resume_unwind(panic);
        }
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

#[test]
fn database_names_are_replaced_in_postgres_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
}
