//! Imports run in the background: upload, mapping, preview, the worker's
//! run, progress committed with each batch, cancel, resume, undo.

use rapport_core::import::DateOrder;
use rapport_core::schema::RecordType;
use rapport_db::ConnectionTrait;
use rapport_db::imports::{self, ImportStatus};
use rapport_db::records::{self, Encoding, IMPORT_BATCH_ROWS, ImportCounts, ImportOptions, Tracked};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::json;

use crate::common::run_on_both_backends;

/// A contact's live (not trashed) count.
async fn live_contacts(t: &crate::common::TestCtx) -> i64 {
    let query = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from("contacts")
        .and_where(Expr::col("deleted_at").is_null())
        .to_owned();
    let row = t.ctx.db.conn().query_one(&query).await.expect("count").expect("a row");
    row.try_get_by_index::<i64>(0).expect("read a count")
}

#[tokio::test]
async fn an_uploaded_file_is_mapped_previewed_imported_by_the_worker_and_undone() {
    run_on_both_backends("background import", |t| async move {
        let (_, admin) = t.admin().await;
        records::create(&t.ctx, &admin, RecordType::CONTACT, &json!({"emails": ["stored@example.com"]}))
            .await
            .expect("create");
        let file = "Nome;E-mail;Data;Sapato\n\
                    Ana;ana@example.com;25/12/1990;38\n\
                    Bruno;not-an-email;01/02/1985;42\n\
                    Carla;stored@example.com;;\n\
                    Davi;davi@example.com;03/04/1979;40\n";
        let import = imports::upload(
            &t.ctx,
            &admin,
            RecordType::CONTACT,
            "clientes.csv",
            file.as_bytes().to_vec(),
            Encoding::Auto,
        )
        .await
        .expect("upload");
        assert_eq!(import.status, ImportStatus::Draft);
        assert_eq!(import.columns, ["Nome", "E-mail", "Data", "Sapato"]);
        // Two columns are recognised by name; the user maps the third and leaves the fourth out.
        assert_eq!(import.settings.mapping, [Some("first_name".into()), Some("emails".into()), None, None]);
        let mut settings = import.settings.clone();
        settings.mapping[2] = Some("birth_date".into());
        let unknown = {
            let mut bad = settings.clone();
            bad.mapping[3] = Some("shoe_size".into());
            imports::update_settings(&t.ctx, &admin, import.id, &bad).await.expect_err("no such field")
        };
        assert!(unknown.to_string().contains("shoe_size"), "{unknown}");
        let import = imports::update_settings(&t.ctx, &admin, import.id, &settings).await.expect("map");
        assert_eq!(import.settings.formats.dates, DateOrder::DayFirst, "25/12 settles it");

        let preview = imports::preview(&t.ctx, &admin, import.id).await.expect("preview");
        let outcomes: Vec<(u64, &str)> = preview.iter().map(|row| (row.line, row.outcome)).collect();
        assert_eq!(outcomes, [(2, "create"), (3, "reject"), (4, "skip"), (5, "create")]);
        assert_eq!(preview[1].errors[0].code, "invalid_email");
        assert_eq!(live_contacts(&t).await, 1, "a preview stores nothing");

        let started = imports::start(&t.ctx, &admin, import.id).await.expect("start");
        assert_eq!(started.status, ImportStatus::Queued);
        assert!(imports::start(&t.ctx, &admin, import.id).await.is_err(), "started once");
        let claimed = imports::claim_next(&t.ctx).await.expect("claim");
        assert_eq!(claimed, Some(import.id));
        assert_eq!(imports::claim_next(&t.ctx).await.expect("claim again"), None, "held by its worker");
        assert_eq!(imports::run(&t.ctx, import.id).await.expect("run"), ImportStatus::Done);

        let done = imports::get(&t.ctx, &admin, import.id).await.expect("get");
        assert_eq!(done.counts, ImportCounts { rows: 4, created: 2, updated: 0, skipped: 1, rejected: 1 });
        assert_eq!(done.percent_done, 100);
        assert_eq!(live_contacts(&t).await, 3);
        let page =
            records::list(&t.ctx, &admin, RecordType::CONTACT, &[("filter[first_name][eq]".into(), "Ana".into())])
                .await
                .expect("list");
        assert_eq!(page.items[0].fields["birth_date"], json!("1990-12-25"));
        let report = imports::left_out_report(&t.ctx, &admin, import.id).await.expect("report");
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "Nome,E-mail,Data,Sapato,line,outcome,reason");
        assert!(lines[1].starts_with("Bruno,not-an-email,01/02/1985,42,3,rejected,"), "{report}");
        assert!(lines[2].starts_with("Carla,stored@example.com,,,4,skipped,"), "{report}");

        let undone = imports::undo(&t.ctx, &admin, import.id).await.expect("undo");
        assert_eq!(undone.status, ImportStatus::Undone);
        assert_eq!(live_contacts(&t).await, 1, "only the contact stored before the import is left");
        assert!(imports::undo(&t.ctx, &admin, import.id).await.is_err(), "undone once");
    })
    .await;
}

#[tokio::test]
async fn an_interrupted_import_resumes_after_its_last_stored_batch() {
    run_on_both_backends("resumed import", |t| async move {
        let (_, admin) = t.admin().await;
        let rows = IMPORT_BATCH_ROWS * 2 + 10;
        let mut file = String::from("first_name,emails\n");
        for i in 0..rows {
            file.push_str(&format!("P{i},p{i}@example.com\n"));
        }
        let import =
            imports::upload(&t.ctx, &admin, RecordType::CONTACT, "big.csv", file.clone().into_bytes(), Encoding::Auto)
                .await
                .expect("upload");
        imports::start(&t.ctx, &admin, import.id).await.expect("start");
        assert_eq!(imports::claim_next(&t.ctx).await.expect("claim"), Some(import.id));
        // A worker stores the first batch and dies.
        let first_run = ImportOptions {
            mapping: Some(import.settings.mapping.clone()),
            tracked: Some(Tracked { id: import.id, resume_at_line: 0, counts: ImportCounts::default() }),
            row_limit: Some(IMPORT_BATCH_ROWS as u64),
            ..ImportOptions::default()
        };
        let file_bytes = std::io::Cursor::new(file.into_bytes());
        records::import_csv(&t.ctx, &admin, RecordType::CONTACT, file_bytes, &first_run).await.expect("first batch");
        let halfway = imports::get(&t.ctx, &admin, import.id).await.expect("get");
        assert_eq!(halfway.status, ImportStatus::Running);
        assert_eq!(halfway.counts.created, IMPORT_BATCH_ROWS as u64);
        assert!((1..100).contains(&halfway.percent_done), "{}", halfway.percent_done);
        assert_eq!(imports::claim_next(&t.ctx).await.expect("claim"), None, "its lease still holds");
        // Its lease runs out; another worker takes it up where it stopped.
        let expire = Query::update()
            .table("imports")
            .value("leased_until", t.ctx.now() - chrono::Duration::minutes(1))
            .and_where(Expr::col("id").eq(import.id))
            .to_owned();
        t.ctx.db.conn().execute(&expire).await.expect("expire the lease");
        assert_eq!(imports::claim_next(&t.ctx).await.expect("claim"), Some(import.id));
        assert_eq!(imports::run(&t.ctx, import.id).await.expect("resume"), ImportStatus::Done);
        let done = imports::get(&t.ctx, &admin, import.id).await.expect("get");
        let rows = rows as u64;
        assert_eq!(done.counts, ImportCounts { rows, created: rows, updated: 0, skipped: 0, rejected: 0 });
        assert_eq!(live_contacts(&t).await, rows as i64, "no row twice, none lost");
    })
    .await;
}

#[tokio::test]
async fn an_import_is_cancelled_before_it_runs_or_between_batches() {
    run_on_both_backends("cancelled import", |t| async move {
        let (_, admin) = t.admin().await;
        let file = b"first_name\nAna\nBruno\n".to_vec();
        let waiting = imports::upload(&t.ctx, &admin, RecordType::CONTACT, "a.csv", file.clone(), Encoding::Auto)
            .await
            .expect("upload");
        imports::start(&t.ctx, &admin, waiting.id).await.expect("start");
        let cancelled = imports::cancel(&t.ctx, &admin, waiting.id).await.expect("cancel");
        assert_eq!(cancelled.status, ImportStatus::Cancelled);
        assert_eq!(imports::claim_next(&t.ctx).await.expect("claim"), None);

        let running =
            imports::upload(&t.ctx, &admin, RecordType::CONTACT, "b.csv", file, Encoding::Auto).await.expect("upload");
        imports::start(&t.ctx, &admin, running.id).await.expect("start");
        assert_eq!(imports::claim_next(&t.ctx).await.expect("claim"), Some(running.id));
        let asked = imports::cancel(&t.ctx, &admin, running.id).await.expect("cancel");
        assert!(asked.cancel_requested && asked.status == ImportStatus::Running);
        assert_eq!(imports::run(&t.ctx, running.id).await.expect("run"), ImportStatus::Cancelled);
        assert_eq!(live_contacts(&t).await, 0);
        // Someone else's import is not there for a member.
        let (_, member) = t.user("Member", rapport_core::access::Role::Member).await;
        assert!(imports::get(&t.ctx, &member, running.id).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn an_upsert_updates_matched_records_and_its_undo_keeps_later_edits() {
    run_on_both_backends("upsert import", |t| async move {
        let (_, admin) = t.admin().await;
        let ana = records::create(
            &t.ctx,
            &admin,
            RecordType::CONTACT,
            &json!({"first_name": "Ana", "emails": ["ana@example.com"], "city": "Recife", "job_title": "CEO"}),
        )
        .await
        .expect("create");
        let file = "email,city,job_title\nANA@example.com,Olinda,CTO\nnovo@example.com,Natal,\n";
        let import = imports::upload(
            &t.ctx,
            &admin,
            RecordType::CONTACT,
            "update.csv",
            file.as_bytes().to_vec(),
            Encoding::Auto,
        )
        .await
        .expect("upload");
        let mut settings = import.settings.clone();
        settings.on_duplicate = records::OnDuplicate::Update;
        imports::update_settings(&t.ctx, &admin, import.id, &settings).await.expect("choose upsert");
        let preview = imports::preview(&t.ctx, &admin, import.id).await.expect("preview");
        let outcomes: Vec<(u64, &str)> = preview.iter().map(|row| (row.line, row.outcome)).collect();
        assert_eq!(outcomes, [(2, "update"), (3, "create")]);
        let unchanged = records::get(&t.ctx, &admin, RecordType::CONTACT, ana.id).await.expect("get");
        assert_eq!(unchanged.fields["city"], json!("Recife"), "a preview changes nothing");

        imports::start(&t.ctx, &admin, import.id).await.expect("start");
        imports::claim_next(&t.ctx).await.expect("claim");
        assert_eq!(imports::run(&t.ctx, import.id).await.expect("run"), ImportStatus::Done);
        let done = imports::get(&t.ctx, &admin, import.id).await.expect("get");
        assert_eq!(done.counts, ImportCounts { rows: 2, created: 1, updated: 1, skipped: 0, rejected: 0 });
        let updated = records::get(&t.ctx, &admin, RecordType::CONTACT, ana.id).await.expect("get");
        assert_eq!((&updated.fields["city"], &updated.fields["job_title"]), (&json!("Olinda"), &json!("CTO")));
        assert_eq!(updated.fields["first_name"], json!("Ana"), "an empty or missing cell leaves the field");

        // Someone edits the title after the import; undo gives the city back and keeps the edit.
        records::update(&t.ctx, &admin, RecordType::CONTACT, ana.id, &json!({"job_title": "COO"}), None)
            .await
            .expect("edit");
        imports::undo(&t.ctx, &admin, import.id).await.expect("undo");
        let undone = records::get(&t.ctx, &admin, RecordType::CONTACT, ana.id).await.expect("get");
        assert_eq!((&undone.fields["city"], &undone.fields["job_title"]), (&json!("Recife"), &json!("COO")));
        assert_eq!(live_contacts(&t).await, 1, "the contact the import created is in the trash");
    })
    .await;
}

#[tokio::test]
async fn rows_name_their_company_which_is_found_or_created_and_undone_with_the_import() {
    run_on_both_backends("linked import", |t| async move {
        let (_, admin) = t.admin().await;
        let bakery = records::create(&t.ctx, &admin, RecordType::COMPANY, &json!({"name": "Padaria Pão Quente Ltda"}))
            .await
            .expect("create");
        let file = "Nome,E-mail,Empresa\n\
                    Ana,ana@example.com,padaria pao quente\n\
                    Bia,bia@example.com,https://www.novaempresa.com.br/\n\
                    Caio,caio@example.com,Inexistente S.A.\n\
                    Duda,duda@example.com,Inexistente\n";
        let import = imports::upload(
            &t.ctx,
            &admin,
            RecordType::CONTACT,
            "linked.csv",
            file.as_bytes().to_vec(),
            Encoding::Auto,
        )
        .await
        .expect("upload");
        assert_eq!(import.settings.mapping[2], Some("company_id".into()), "a company column");
        let preview = imports::preview(&t.ctx, &admin, import.id).await.expect("preview");
        let outcomes: Vec<(u64, &str)> = preview.iter().map(|row| (row.line, row.outcome)).collect();
        assert_eq!(outcomes, [(2, "create"), (3, "reject"), (4, "reject"), (5, "reject")]);
        assert_eq!(preview[1].errors[0].code, "unknown_reference");

        let mut settings = import.settings.clone();
        settings.create_missing = true;
        imports::update_settings(&t.ctx, &admin, import.id, &settings).await.expect("create what is missing");
        let preview = imports::preview(&t.ctx, &admin, import.id).await.expect("preview");
        assert!(preview.iter().all(|row| row.outcome == "create"), "{preview:?}");
        imports::start(&t.ctx, &admin, import.id).await.expect("start");
        imports::claim_next(&t.ctx).await.expect("claim");
        assert_eq!(imports::run(&t.ctx, import.id).await.expect("run"), ImportStatus::Done);
        let done = imports::get(&t.ctx, &admin, import.id).await.expect("get");
        assert_eq!(done.counts, ImportCounts { rows: 4, created: 4, updated: 0, skipped: 0, rejected: 0 });

        let company_of = async |name: &str| {
            let page =
                records::list(&t.ctx, &admin, RecordType::CONTACT, &[("filter[first_name][eq]".into(), name.into())])
                    .await
                    .expect("list");
            page.items[0].fields["company_id"].as_str().expect("a company").to_owned()
        };
        assert_eq!(company_of("Ana").await, bakery.id.0.to_string(), "found by its name, accents and suffix aside");
        assert_eq!(company_of("Caio").await, company_of("Duda").await, "one company created for both rows");
        let companies = records::list(&t.ctx, &admin, RecordType::COMPANY, &[]).await.expect("list");
        let mut names: Vec<&str> = companies.items.iter().filter_map(|c| c.text("name")).collect();
        names.sort_unstable();
        assert_eq!(names, ["Inexistente S.A.", "Padaria Pão Quente Ltda", "novaempresa.com.br"]);

        imports::undo(&t.ctx, &admin, import.id).await.expect("undo");
        let companies = records::list(&t.ctx, &admin, RecordType::COMPANY, &[]).await.expect("list");
        assert_eq!(companies.items.len(), 1, "the companies the import created are undone with it");
        assert_eq!(live_contacts(&t).await, 0);
    })
    .await;
}

#[tokio::test]
async fn an_unmapped_column_becomes_a_new_custom_field() {
    run_on_both_backends("custom field from a column", |t| async move {
        let (_, admin) = t.admin().await;
        let file = "Nome,Tamanho do Sapato\nAna,38\n";
        let import = imports::upload(
            &t.ctx,
            &admin,
            RecordType::CONTACT,
            "sapatos.csv",
            file.as_bytes().to_vec(),
            Encoding::Auto,
        )
        .await
        .expect("upload");
        assert_eq!(import.settings.mapping[1], None);
        let mut settings = import.settings.clone();
        settings.mapping[1] = Some(imports::NEW_CUSTOM_FIELD.into());
        imports::create_fields_for_columns(&t.ctx, &t.admin_right().await, &import, &mut settings.mapping)
            .await
            .expect("a new field");
        assert_eq!(settings.mapping[1], Some("custom.tamanho_do_sapato".into()));
        imports::update_settings(&t.ctx, &admin, import.id, &settings).await.expect("map it");
        imports::start(&t.ctx, &admin, import.id).await.expect("start");
        imports::claim_next(&t.ctx).await.expect("claim");
        assert_eq!(imports::run(&t.ctx, import.id).await.expect("run"), ImportStatus::Done);
        let page = records::list(&t.ctx, &admin, RecordType::CONTACT, &[]).await.expect("list");
        assert_eq!(page.items[0].custom["tamanho_do_sapato"], json!("38"));
    })
    .await;
}
