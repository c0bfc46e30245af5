//! CSV import: rules of a create per row, line numbers, duplicates, batches.

use rapport_core::DomainError;
use rapport_core::schema::RecordType;
use rapport_db::records::{self, IMPORT_BATCH_ROWS, ImportOptions, OnDuplicate};
use rapport_db::{Backend, ConnectionTrait, Error};
use sea_orm::sea_query::Query;
use sea_orm::{DbBackend, Statement};
use serde_json::json;

use crate::common::run_on_both_backends;

fn csv(text: &str) -> std::io::Cursor<Vec<u8>> {
    std::io::Cursor::new(text.as_bytes().to_vec())
}

#[tokio::test]
async fn rows_are_validated_like_api_creates_and_rejections_keep_their_line() {
    run_on_both_backends("import rejections", |t| async move {
        let (_, admin) = t.admin().await;
        let file = "Nome;Sobrenome;E-mail;Telefone;País\n\
                    Ana;Silva;ana@example.com;+55 11 91234-5678;BR\n\
                    Bruno;;not-an-email;;BR\n\
                    \"Carla\nMaria\";Souza;carla@example.com;;Brasil\n\
                    Davi;Lima;davi@example.com;;\n";
        let report = records::import_csv(&t.ctx, &admin, RecordType::CONTACT, csv(file), &ImportOptions::default())
            .await
            .expect("import");
        assert_eq!(report.columns, ["Nome", "Sobrenome", "E-mail", "Telefone", "País"]);
        assert_eq!((report.rows, report.created), (4, 2), "{:?}", report.rejected);
        let rejected: Vec<(u64, &str, &str)> = report
            .rejected
            .iter()
            .flat_map(|r| r.errors.iter().map(move |e| (r.line, e.field.as_str(), e.code.as_str())))
            .collect();
        assert_eq!(rejected, [(3, "emails[0]", "invalid_email"), (4, "country", "invalid_country")]);
        // The quoted cell spans two lines: the next row starts on line 6.
        assert_eq!(report.rejected[1].cells[0], "Carla\nMaria");
        assert_eq!(t.count("contacts").await, 2);
        assert_eq!(t.count("search_rows").await, 2);
        let found = rapport_db::search::search(&t.ctx, &admin, "davi", &[], 10).await.expect("search");
        assert_eq!(found.len(), 1);
        let page = records::list(&t.ctx, &admin, RecordType::CONTACT, &[("sort".into(), "first_name".into())])
            .await
            .expect("list");
        let ana = &page.items[0];
        assert_eq!(ana.fields["phones"], json!(["+5511912345678"]));
        assert_eq!(ana.owner_id, Some(admin.user_id));
    })
    .await;
}

#[tokio::test]
async fn duplicates_by_email_are_skipped_against_the_file_and_the_database() {
    run_on_both_backends("import duplicates", |t| async move {
        let (_, admin) = t.admin().await;
        let stored = records::create(&t.ctx, &admin, RecordType::CONTACT, &json!({"emails": ["Stored@Example.com"]}))
            .await
            .expect("create");
        let file = "first_name,emails\n\
                    A,a@example.com\n\
                    B,stored@example.com\n\
                    C,\"c@example.com; A@example.com\"\n\
                    D,d@example.com\n";
        let report = records::import_csv(&t.ctx, &admin, RecordType::CONTACT, csv(file), &ImportOptions::default())
            .await
            .expect("import");
        assert_eq!(report.created, 2);
        let duplicates: Vec<(u64, &str, Option<rapport_core::ids::RecordId>, Option<u64>)> =
            report.duplicates.iter().map(|d| (d.line, d.key.as_str(), d.existing_id, d.first_line)).collect();
        assert_eq!(duplicates, [(3, "stored@example.com", Some(stored.id), None), (4, "a@example.com", None, Some(2))]);
        let allow = ImportOptions { on_duplicate: OnDuplicate::Create, ..ImportOptions::default() };
        let report =
            records::import_csv(&t.ctx, &admin, RecordType::CONTACT, csv(file), &allow).await.expect("import again");
        assert_eq!((report.created, report.duplicates.len()), (4, 0));
        assert_eq!(t.count("contacts").await, 7);
    })
    .await;
}

#[tokio::test]
async fn a_bad_header_refuses_the_file_and_stores_nothing() {
    run_on_both_backends("import header", |t| async move {
        let (_, admin) = t.admin().await;
        let file = "first_name,shoe size\nAna,38\n";
        let error = records::import_csv(&t.ctx, &admin, RecordType::CONTACT, csv(file), &ImportOptions::default())
            .await
            .expect_err("unknown column");
        let Error::Domain(DomainError::Validation(errors)) = error else { panic!("expected a validation error") };
        assert_eq!(errors.0[0].code, "unknown_column");
        assert!(errors.0[0].message.contains("shoe size"), "{}", errors.0[0].message);
        assert_eq!(t.count("contacts").await, 0);
        let lenient = ImportOptions { ignore_unknown_columns: true, ..ImportOptions::default() };
        let report =
            records::import_csv(&t.ctx, &admin, RecordType::CONTACT, csv(file), &lenient).await.expect("import");
        assert_eq!(report.created, 1);
        // A read-only user never gets the right to write that an import takes.
        let (_, reader) = t.user("Reader", rapport_core::access::Role::ReadOnly).await;
        let refused = rapport_core::access::Writer::try_from(reader);
        assert!(matches!(refused, Err(DomainError::Forbidden(_))), "{refused:?}");
    })
    .await;
}

#[tokio::test]
async fn large_files_are_written_in_batches_and_references_are_checked() {
    run_on_both_backends("import batches", |t| async move {
        let (_, admin) = t.admin().await;
        let company = records::create(&t.ctx, &admin, RecordType::COMPANY, &json!({"name": "Acme"})).await.unwrap();
        let rows = IMPORT_BATCH_ROWS * 2 + 10;
        let mut file = String::from("first_name,last_name,emails,company_id\n");
        for i in 0..rows {
            // Row 1000 points at a company that does not exist.
            let company_id = if i == 1000 { uuid::Uuid::nil().to_string() } else { company.id.to_string() };
            file.push_str(&format!("Person,Surname{i},p{i}@example.com,{company_id}\n"));
        }
        let report = records::import_csv(&t.ctx, &admin, RecordType::CONTACT, csv(&file), &ImportOptions::default())
            .await
            .expect("import");
        assert_eq!((report.rows, report.created), (rows as u64, rows as u64 - 1));
        assert_eq!(report.rejected.len(), 1);
        assert_eq!((report.rejected[0].line, report.rejected[0].errors[0].code.as_str()), (1002, "unknown_reference"));
        assert_eq!(t.count("contacts").await, rows as i64 - 1);
        assert_eq!(t.count_where("record_keys", "kind", "email").await, rows as i64 - 1);
        // Each person's name block (company and first name) for finding duplicates, and the company's.
        assert_eq!(t.count_where("record_keys", "kind", "name_block").await, rows as i64);
        assert_eq!(t.count("record_keys").await, 2 * (rows as i64 - 1) + 1);
        assert_eq!(t.count_where("contacts", "company_id", company.id.0).await, rows as i64 - 1);

        // Every batch is in the search index, which follows later edits and deletes.
        let found = async |q: &str| {
            let hits = rapport_db::search::search(&t.ctx, &admin, q, &[], 5).await.expect("search");
            hits.into_iter().map(|h| h.id).collect::<Vec<_>>()
        };
        let last_row = format!("surname{}", rows - 1);
        for name in ["surname0", &format!("surname{}", IMPORT_BATCH_ROWS + 3), &last_row] {
            assert_eq!(found(name).await.len(), 1, "{name} is found");
        }
        let first = found("surname0").await[0];
        let patch = json!({"last_name": "Renamed"});
        records::update(&t.ctx, &admin, RecordType::CONTACT, first, &patch, None).await.expect("update");
        assert!(found("surname0").await.is_empty());
        assert_eq!(found("renamed").await, [first]);
        let last = found(&last_row).await[0];
        records::delete(&t.ctx, &admin, RecordType::CONTACT, last, None).await.expect("delete");
        assert!(found(&last_row).await.is_empty());
        if t.backend() == Backend::Sqlite {
            // Checks the full-text index against the rows it indexes.
            let check = "INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)";
            t.ctx.db.conn().execute_unprepared(check).await.expect("the search index matches its rows");
        } else {
            // The title words, kept by triggers, against the titles they index.
            let words = "SELECT t.lexeme AS term, s.id AS row_id \
                         FROM search_rows s, unnest(to_tsvector('simple', s.title)) t";
            let terms = "SELECT term, row_id FROM search_title_terms";
            let check = format!(
                "SELECT (SELECT count(*) FROM ({words} EXCEPT {terms}) missing) AS missing, \
                        (SELECT count(*) FROM ({terms} EXCEPT {words}) stale) AS stale, \
                        (SELECT count(*) FROM search_title_terms) AS total"
            );
            let row = t.ctx.db.conn().query_one_raw(Statement::from_string(DbBackend::Postgres, check));
            let row = row.await.expect("compare the title words").expect("a row");
            let count = |column| row.try_get::<i64>("", column).expect("a count");
            assert_eq!((count("missing"), count("stale")), (0, 0), "the title words match the titles");
            assert_eq!(count("total"), 2 * (rows as i64 - 2) + 1, "two words per live contact, one for Acme");
        }
    })
    .await;
}

/// The planner's statistics for the e-mail lookups follow a growing table on
/// PostgreSQL even with autovacuum off (as on the CI machine): without them
/// each lookup walked every e-mail key. A table that has not changed since
/// is left alone.
#[tokio::test]
async fn statistics_of_grown_tables_are_refreshed_and_unchanged_ones_kept() {
    run_on_both_backends("stale statistics", |t| async move {
        let (_, admin) = t.admin().await;
        let rows: String = (0..300).map(|i| format!("Person;{i};person{i}@example.com\n")).collect();
        let file = format!("first_name;last_name;emails\n{rows}");
        let report = records::import_csv(&t.ctx, &admin, RecordType::CONTACT, csv(&file), &ImportOptions::default())
            .await
            .expect("import");
        assert_eq!(report.created, 300);
        let refresh = || rapport_db::backend::refresh_stale_statistics(&t.ctx.db, Some(&["record_keys"]), 1.0);
        if t.backend() == Backend::Sqlite {
            refresh().await.expect("a no-op on SQLite");
            return;
        }
        let last_analyze = async || {
            let sql = "SELECT last_analyze::text AS at FROM pg_stat_user_tables WHERE relname = 'record_keys'";
            let row = t.ctx.db.conn().query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await;
            row.expect("read pg_stat_user_tables").and_then(|r| r.try_get::<Option<String>>("", "at").ok()).flatten()
        };
        // A commit's row counts reach pg_stat_user_tables within about a second.
        let mut analyzed = None;
        for _ in 0..100 {
            refresh().await.expect("refresh statistics");
            analyzed = last_analyze().await;
            if analyzed.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let analyzed = analyzed.expect("record_keys was analysed");
        refresh().await.expect("refresh statistics");
        assert_eq!(last_analyze().await, Some(analyzed), "an unchanged table was analysed again");
    })
    .await;
}

/// An import enlarges the SQLite writer's page cache and checkpoint interval
/// for its own duration only, also when it is refused.
#[tokio::test]
async fn an_import_gives_the_writer_back_its_usual_settings() {
    run_on_both_backends("writer settings after an import", |t| async move {
        if t.backend() != Backend::Sqlite {
            return;
        }
        let (_, admin) = t.admin().await;
        let writer_settings = async || {
            let tx = t.ctx.db.write().await.expect("the writer");
            let mut values = Vec::new();
            for pragma in ["PRAGMA cache_size", "PRAGMA wal_autocheckpoint"] {
                let row = tx.query_one_raw(Statement::from_string(DbBackend::Sqlite, pragma)).await.expect(pragma);
                values.push(row.expect("a row").try_get_by_index::<i64>(0).expect("a number"));
            }
            values
        };
        let usual = writer_settings().await;
        let options = ImportOptions::default();
        let file = csv("first_name;emails\nAna;ana@example.com\n");
        records::import_csv(&t.ctx, &admin, RecordType::CONTACT, file, &options).await.expect("import");
        assert_eq!(writer_settings().await, usual);
        let refused = records::import_csv(&t.ctx, &admin, RecordType::CONTACT, csv("shoe_size\n42\n"), &options).await;
        assert!(refused.is_err(), "a file with no known column is refused");
        assert_eq!(writer_settings().await, usual);
    })
    .await;
}

/// Bulk inserts run on SQLite as `INSERT OR FAIL`: a failing row leaves the
/// rows before it in the transaction (no statement journal to undo them),
/// and the caller's rollback removes them.
#[tokio::test]
async fn a_bulk_insert_that_fails_midway_leaves_nothing_after_the_rollback() {
    run_on_both_backends("failed bulk insert", |t| async move {
        let conn = t.ctx.db.conn();
        conn.execute_unprepared("CREATE TABLE bulk_probe (id BIGINT PRIMARY KEY, name TEXT NOT NULL)")
            .await
            .expect("create a table");
        let mut insert = Query::insert();
        insert.into_table("bulk_probe").columns(["id", "name"]);
        for (id, name) in [(1, "first"), (2, "second"), (1, "same id as the first")] {
            insert.values_panic([id.into(), name.into()]);
        }
        let tx = t.ctx.db.write().await.expect("the writer");
        let failed = rapport_db::backend::execute_insert(&*tx, &insert).await;
        assert!(failed.is_err(), "the third row repeats the first one's key");
        if t.backend() == Backend::Sqlite {
            let row = tx.query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT count(*) FROM bulk_probe"));
            let kept = row.await.expect("count").expect("a row").try_get_by_index::<i64>(0).expect("a number");
            assert_eq!(kept, 2, "FAIL keeps the rows before the error until the transaction ends");
        }
        drop(tx);
        assert_eq!(t.count("bulk_probe").await, 0);
    })
    .await;
}

/// A file that stops after its first part until the test lets it go on, as a
/// slow upload does.
struct GatedFile {
    head: std::io::Cursor<Vec<u8>>,
    tail: std::io::Cursor<Vec<u8>>,
    gate: Option<std::sync::mpsc::Receiver<()>>,
}

impl std::io::Read for GatedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.head.read(buf)?;
        if read > 0 {
            return Ok(read);
        }
        if let Some(gate) = self.gate.take() {
            let _ = gate.recv();
        }
        self.tail.read(buf)
    }
}

#[tokio::test]
async fn an_import_waiting_for_its_file_lets_other_writes_through() {
    run_on_both_backends("import waits without the writer", |t| async move {
        let (_, admin) = t.admin().await;
        let mut head = String::from("first_name,emails\n");
        for i in 0..IMPORT_BATCH_ROWS + 5 {
            head.push_str(&format!("Person,p{i}@example.com\n"));
        }
        let (open_gate, gate) = std::sync::mpsc::channel();
        let file = GatedFile { head: csv(&head), tail: csv("Last,last@example.com\n"), gate: Some(gate) };
        let import = {
            let (ctx, admin) = (t.ctx.clone(), admin.clone());
            tokio::spawn(async move {
                records::import_csv(&ctx, &admin, RecordType::CONTACT, file, &ImportOptions::default()).await
            })
        };
        // The first batch is stored while the file is held back; a create
        // must not wait for the rest of the file.
        let mut polls = 0;
        while t.count("contacts").await < IMPORT_BATCH_ROWS as i64 {
            polls += 1;
            assert!(polls < 500, "the import's first batch was not committed");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let input = json!({"first_name": "Between"});
        let create = records::create(&t.ctx, &admin, RecordType::CONTACT, &input);
        let created = tokio::time::timeout(std::time::Duration::from_secs(10), create).await;
        open_gate.send(()).expect("the import is still reading");
        created.expect("a create during a stalled import does not wait for it").expect("create");
        let report = import.await.expect("the import task").expect("import");
        assert_eq!((report.rows, report.created), (IMPORT_BATCH_ROWS as u64 + 6, IMPORT_BATCH_ROWS as u64 + 6));
        assert_eq!(t.count("contacts").await, IMPORT_BATCH_ROWS as i64 + 7);
    })
    .await;
}

/// What lets an import commit early for another write.
#[tokio::test]
async fn a_write_transaction_sees_the_writes_queued_behind_it() {
    run_on_both_backends("queued writes", |t| async move {
        let first = t.ctx.db.write().await.expect("begin");
        assert!(!first.others_may_wait());
        let db = t.ctx.db.clone();
        let second = tokio::spawn(async move { db.write().await.map(|tx| tx.others_may_wait()) });
        let mut seen = false;
        for _ in 0..100 {
            seen = first.others_may_wait();
            if seen {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        // PostgreSQL's writers do not queue on one another.
        assert_eq!(seen, t.backend() == Backend::Sqlite);
        first.commit().await.expect("commit");
        assert!(!second.await.expect("the second write").expect("begin"), "no one waits behind it");

        // A write given up while queued is no longer counted.
        let first = t.ctx.db.write().await.expect("begin");
        let db = t.ctx.db.clone();
        let abandoned = tokio::spawn(async move { db.write().await.map(|_| ()) });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        abandoned.abort();
        let _ = abandoned.await;
        assert!(!first.others_may_wait());
    })
    .await;
}
