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

    let server = Server::start(&url, &[]);
    let with_server = others_may_wait().await;
    drop(server);
    assert!(with_server, "the server's process has the database open");
    assert!(!others_may_wait().await, "the server's process is gone");

    db.close().await.expect("close");
    std::fs::remove_dir_all(&dir).expect("remove the test folder");
}

/// A running server process and what it printed first.
struct Server {
    child: std::process::Child,
    url: String,
}

impl Server {
    fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        // `RAPPORT_MEASURED_BINARY` measures another build (an older commit,
        // a release build) with the same test.
        let binary = std::env::var("RAPPORT_MEASURED_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_rapport").into());
        let mut child = Command::new(binary)
            .args(["--database-url", database_url, "serve", "--bind", "127.0.0.1:0"])
            .env("RAPPORT_LOG", "warn")
            .env("RAPPORT_TEST_BUILD", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server");
        let mut lines = BufReader::new(child.stdout.take().expect("the server's output")).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| line.split_whitespace().find(|w| w.starts_with("http://")).map(str::to_owned))
            .expect("the server prints its address");
        // Keep reading, so that the server never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, url }
    }

    /// Resident memory in MiB, now and at its peak, from `/proc`.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("the server's status");
        let kib = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
                .expect("a memory figure")
        };
        (kib("VmRSS:") / 1024, kib("VmHWM:") / 1024)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// 400 logins at once for unknown accounts, each from its own address (so
/// that no address budget stops them): before, each ran its own Argon2 hash
/// (19 MiB) on tokio's blocking pool, 285 at once, and the process went
/// from 1.5 GB to 9.3 GB and stayed there. Now hashes run on one thread per
/// core behind a bounded queue; the rest are told to retry (503).
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_logins_leaves_memory_where_it_was() {
    let dir = std::env::temp_dir().join(format!("rapport-burst-{}", uuid::Uuid::now_v7()));
    let url = format!("sqlite://{}", dir.join("rapport.db").display());
    let server = Server::start(&url, &[("RAPPORT_TRUST_PROXY", "true")]);
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let login = |i: usize| {
        let request = client
            .post(format!("{}/api/v1/auth/login", server.url))
            .header("x-forwarded-for", format!("10.{}.{}.{}", i / 65536 % 256, i / 256 % 256, i % 256))
            .json(&serde_json::json!({"email": format!("nobody{i}@rapport.test"), "password": "a guess at it"}));
        async move { request.send().await.map(|r| r.status().as_u16()).unwrap_or(0) }
    };
    // Warm up: the hashing threads have done their first hashes.
    for i in 0..8 {
        assert_eq!(login(1_000_000 + i).await, 401);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (before, _) = server.memory();

    let statuses = futures::future::join_all((0..400).map(login)).await;
    let (_, peak) = server.memory();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let (after, _) = server.memory();

    let count = |status: u16| statuses.iter().filter(|s| **s == status).count();
    let (checked, busy) = (count(401), count(503));
    println!("RSS before {before} MiB, peak {peak} MiB, after {after} MiB; {checked} checked, {busy} told to retry");
    assert_eq!(checked + busy, 400, "every login was answered 401 or 503: {statuses:?}");
    assert!(checked >= 2, "some passwords were checked");
    assert!(peak < before + 150, "the burst took memory from {before} MiB to {peak} MiB");
    assert!(after < before + 60, "memory stayed at {after} MiB after the burst (from {before} MiB)");
    drop(server);
    std::fs::remove_dir_all(&dir).expect("remove the test folder");
}

/// Runs the binary once on a database and returns whether it succeeded and what it printed.
fn rapport(database_url: &str, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["--database-url", database_url])
        .args(args)
        .env("RAPPORT_LOG", "warn")
        .env("RAPPORT_TEST_BUILD", "1")
        .output()
        .expect("run rapport");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

async fn contacts_in(url: &str) -> i64 {
    use rapport_db::ConnectionTrait;
    let db = Database::open(&url.parse::<DatabaseUrl>().expect("url")).await.expect("open");
    let query = sea_orm::sea_query::Query::select()
        .expr_as(sea_orm::sea_query::Expr::cust("count(*)"), "n")
        .from("contacts")
        .to_owned();
    let n = db.conn().query_one(&query).await.expect("count").expect("a row").try_get::<i64>("", "n").expect("n");
    db.close().await.expect("close");
    n
}

/// A backup is taken while a server serves and another process writes; it
/// cannot be restored under the running server; after the server stops it
/// is, and the replaced database is kept.
#[tokio::test]
async fn a_backup_taken_while_serving_restores_once_the_server_stops() {
    let dir = std::env::temp_dir().join(format!("rapport-backup-{}", uuid::Uuid::now_v7()));
    let url = format!("sqlite://{}", dir.join("rapport.db").display());
    let (loaded, said) = rapport(&url, &["demo", "--scale", "300"]);
    assert!(loaded, "{said}");
    let server = Server::start(&url, &[]);
    let writer = {
        let url = url.clone();
        std::thread::spawn(move || rapport(&url, &["demo", "--scale", "300", "--seed", "8"]))
    };
    let backup = dir.join("backups").join("first.db");
    let (backed_up, said) = rapport(&url, &["backup", "--to", backup.to_str().expect("a path")]);
    assert!(backed_up, "{said}");
    assert!(said.contains("backup written to"), "{said}");
    let (wrote, said) = writer.join().expect("the writer");
    assert!(wrote, "writes went on during the backup: {said}");
    let (again, said) = rapport(&url, &["backup", "--to", backup.to_str().expect("a path")]);
    assert!(!again && said.contains("never overwrites"), "{said}");

    let backup_url = format!("sqlite://{}", backup.display());
    let in_backup = contacts_in(&backup_url).await;
    assert!(in_backup >= 300, "the backup has the first load: {in_backup}");
    let (refused, said) = rapport(&url, &["restore", backup.to_str().expect("a path")]);
    assert!(!refused && said.contains("stop the server first"), "{said}");
    drop(server);

    let (restored, said) = rapport(&url, &["restore", backup.to_str().expect("a path")]);
    assert!(restored, "{said}");
    assert!(dir.join("rapport.db.before-restore").exists(), "the replaced database is kept");
    assert_eq!(contacts_in(&url).await, in_backup);

    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database at all, just bytes").expect("write junk");
    let (restored, said) = rapport(&url, &["restore", junk.to_str().expect("a path")]);
    assert!(!restored && said.contains("not a SQLite database"), "{said}");
    assert_eq!(contacts_in(&url).await, in_backup, "a refused restore changes nothing");
    std::fs::remove_dir_all(&dir).expect("remove the test folder");
}

/// `rapport import contacts FILE.vcf` reads an Outlook 2.1 file (Latin-1,
/// quoted-printable) and says what it did with each card.
#[tokio::test]
async fn contacts_import_from_a_vcard_file_on_the_command_line() {
    let dir = std::env::temp_dir().join(format!("rapport-vcf-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let url = format!("sqlite://{}", dir.join("rapport.db").display());
    let (made, said) = rapport(&url, &["user", "create", "--admin", "--email", "ana@example.com", "--name", "Ana"]);
    assert!(made, "{said}");
    let file = dir.join("outlook.vcf");
    std::fs::write(
        &file,
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1:Gon\xE7alves;Jo\xE3o\r\nEMAIL;PREF;INTERNET:joao@example.com\r\n\
        ADR;HOME;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:;;Pra=E7a da S=E9;S=E3o Pa=\r\nulo;SP;;BR\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:2.1\r\nN:Sem;Email\r\nEMAIL:broken\r\nEND:VCARD\r\n",
    )
    .expect("a fixture");
    let (imported, said) = rapport(&url, &["import", "contacts", file.to_str().expect("a path")]);
    assert!(imported, "{said}");
    assert!(
        said.contains("2 cards: 1 contacts created as ana@example.com (0 photos), 0 duplicates skipped, 1 rejected"),
        "{said}"
    );
    assert!(said.contains("line 8: Email Sem rejected (emails[0]:"), "{said}");
    assert_eq!(contacts_in(&url).await, 1);
    std::fs::remove_dir_all(&dir).expect("remove the test folder");
}

/// The server is killed (SIGKILL) while its worker imports a file: every
/// batch is stored whole with the progress that counts it, or not at all;
/// once the import's lease has run out, the restarted server resumes it
/// from the first line no batch stored, and each row is stored once.
#[tokio::test]
async fn an_import_killed_with_its_server_resumes_without_losing_or_repeating_a_row() {
    use rapport_db::ConnectionTrait;
    use sea_orm::sea_query::{Expr, ExprTrait, Query};

    const ROWS: usize = 150_000;
    let dir = std::env::temp_dir().join(format!("rapport-kill-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let url = format!("sqlite://{}", dir.join("rapport.db").display());
    let (made, said) = rapport(&url, &["user", "create", "--admin", "--email", "ana@example.com", "--name", "Ana"]);
    assert!(made, "{said}");
    let (made, said) = rapport(&url, &["token", "create", "--email", "ana@example.com", "--name", "test"]);
    assert!(made, "{said}");
    let token = said.lines().nth(1).expect("the token's secret").trim().to_owned();
    let mut csv = String::from("first_name,last_name,email,city\n");
    for i in 0..ROWS {
        csv.push_str(&format!("Pessoa{i},Silva,pessoa{i}@example.com,Recife\n"));
    }

    let mut server = Server::start(&url, &[]);
    let client = reqwest::Client::new();
    let api = |server: &Server, path: &str| format!("{}/api/v1{path}", server.url);
    let uploaded: serde_json::Value = client
        .post(api(&server, "/imports?kind=contacts&file_name=people.csv"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("an import");
    let id = uploaded["id"].as_str().expect("an import id").to_owned();
    let started = client.post(api(&server, &format!("/imports/{id}/start"))).bearer_auth(&token).send().await;
    assert_eq!(started.expect("start").status(), 202);
    let progress = async |server: &Server| -> serde_json::Value {
        let reply = client.get(api(server, &format!("/imports/{id}"))).bearer_auth(&token).send().await;
        reply.expect("progress").json().await.expect("an import")
    };
    // Killed once some batches are stored and before the last one is.
    let mut stored_before_kill = 0;
    for _ in 0..6000 {
        let import = progress(&server).await;
        assert_ne!(import["status"], "done", "the import ended before the server could be killed");
        stored_before_kill = import["counts"]["created"].as_u64().unwrap_or(0);
        if stored_before_kill > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(stored_before_kill > 0, "no batch was stored");
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("the server is gone");

    let db = Database::open(&url.parse::<DatabaseUrl>().expect("url")).await.expect("open");
    let import_id: uuid::Uuid = id.parse().expect("a uuid");
    let created_counted = {
        let query =
            Query::select().column("created").from("imports").and_where(Expr::col("id").eq(import_id)).to_owned();
        db.conn().query_one(&query).await.expect("read").expect("the import").try_get::<i64>("", "created").expect("n")
    };
    db.close().await.expect("close");
    let stored = contacts_in(&url).await;
    assert_eq!(stored, created_counted, "each stored batch is counted, and nothing else is stored");
    assert!(stored < ROWS as i64, "the kill came before the end");

    // The lease a live worker would renew has run out (it lasts two minutes).
    let db = Database::open(&url.parse::<DatabaseUrl>().expect("url")).await.expect("open");
    let expire = Query::update()
        .table("imports")
        .value("leased_until", chrono::Utc::now() - chrono::Duration::minutes(1))
        .and_where(Expr::col("id").eq(import_id))
        .to_owned();
    db.conn().execute(&expire).await.expect("expire the lease");
    db.close().await.expect("close");

    let server = Server::start(&url, &[]);
    let mut import = progress(&server).await;
    for _ in 0..1500 {
        if import["status"] != "running" && import["status"] != "queued" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        import = progress(&server).await;
    }
    assert_eq!(import["status"], "done", "{import}");
    assert_eq!(import["counts"]["rows"], ROWS, "{import}");
    assert_eq!(import["counts"]["created"], ROWS, "{import}");
    drop(server);
    assert_eq!(contacts_in(&url).await, ROWS as i64, "every row stored once");
    std::fs::remove_dir_all(&dir).expect("remove the test folder");
}

/// `rapport export --all` writes a zip that `rapport import --all` restores
/// into a new SQLite file, with new passwords printed; a second import into
/// the same file, and a damaged zip, are refused with nothing written.
#[tokio::test]
async fn a_whole_instance_exports_and_imports_on_the_command_line() {
    let dir = std::env::temp_dir().join(format!("rapport-archive-{}", uuid::Uuid::now_v7()));
    let url = format!("sqlite://{}", dir.join("old.db").display());
    let (loaded, said) = rapport(&url, &["demo", "--scale", "200"]);
    assert!(loaded, "{said}");
    let zip = dir.join("everything.zip");
    let zip_path = zip.to_str().expect("a path");
    let (exported, said) = rapport(&url, &["export", "--all", zip_path]);
    assert!(exported, "{said}");
    assert!(said.contains("contacts.csv") && said.contains("audit_log.csv"), "{said}");
    let (again, said) = rapport(&url, &["export", "--all", zip_path]);
    assert!(!again && said.contains("the file exists"), "{said}");

    let new_url = format!("sqlite://{}", dir.join("new.db").display());
    let (imported, said) = rapport(&new_url, &["import", "--all", zip_path]);
    assert!(imported, "{said}");
    assert!(said.contains("Every user has a new password") && said.contains("demo@rapport.local"), "{said}");
    assert_eq!(contacts_in(&new_url).await, contacts_in(&url).await);
    // Exported again, every file is the same (the audit log's 1,310 rows span two pages).
    let copy = dir.join("copy.zip");
    let (exported, said) = rapport(&new_url, &["export", "--all", copy.to_str().expect("a path")]);
    assert!(exported, "{said}");
    let manifest = |path: &std::path::Path| {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("a zip");
        let manifest: serde_json::Value =
            serde_json::from_reader(archive.by_name("manifest.json").expect("a manifest")).expect("JSON");
        manifest["files"].clone()
    };
    assert_eq!(manifest(&zip), manifest(&copy));
    let (twice, said) = rapport(&new_url, &["import", "--all", zip_path]);
    assert!(!twice && said.contains("the database is not empty"), "{said}");

    // One byte of a file changed, its checksum no longer matches: nothing is written.
    let bytes = std::fs::read(&zip).expect("read the zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("a zip");
    let offset = archive.by_name("contacts.csv").expect("contacts").data_start() as usize;
    drop(archive);
    let mut damaged = bytes.clone();
    damaged[offset + 10] ^= 0xff;
    let damaged_zip = dir.join("damaged.zip");
    std::fs::write(&damaged_zip, damaged).expect("write");
    let empty_url = format!("sqlite://{}", dir.join("empty.db").display());
    let (refused, said) = rapport(&empty_url, &["import", "--all", damaged_zip.to_str().expect("a path")]);
    assert!(!refused && said.contains("damaged"), "{said}");
    assert_eq!(contacts_in(&empty_url).await, 0);
    std::fs::remove_dir_all(&dir).expect("remove the test folder");
}
