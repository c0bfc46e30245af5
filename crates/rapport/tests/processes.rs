//! The binary beside another process on the same SQLite database.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use rapport_db::{Database, DatabaseUrl};

/// A long write (an import's batches) makes way for writers of its own
/// process when they queue, but it cannot see a server in another process
/// waiting on SQLite's file lock: it must see that the server has the
/// database open.
#[tokio::test]
async fn a_write_sees_a_server_process_that_has_the_database_open() {
    let dir = std::env::temp_dir().join(format!("rapport-processes-{}", uuid::Uuid::now_v7()));
    let url = format!("sqlite://{}", dir.join("rapport.db").display());
    let db = Database::open(&url.parse::<DatabaseUrl>().expect("url")).await.expect("open");
    let others_may_wait = async || db.write().await.expect("begin").others_may_wait();
    assert!(!others_may_wait().await, "only this process has the database open");

    let mut server = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["--database-url", &url, "serve", "--bind", "127.0.0.1:0"])
        .env("RAPPORT_LOG", "warn")
        .env("RAPPORT_TEST_BUILD", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server");
    // The server prints its address once the database is open and it listens.
    let mut lines = BufReader::new(server.stdout.take().expect("the server's output")).lines();
    let listening = lines.by_ref().map_while(Result::ok).any(|line| line.contains("http://"));
    let with_server = others_may_wait().await;
    server.kill().expect("stop the server");
    server.wait().expect("the server stopped");
    assert!(listening, "the server started");
    assert!(with_server, "the server's process has the database open");
    assert!(!others_may_wait().await, "the server's process is gone");

    db.close().await.expect("close");
    std::fs::remove_dir_all(&dir).expect("remove the test folder");
}
