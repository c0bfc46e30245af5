//! `export --all` / `import --all`: the whole instance through a zip and back.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rapport_core::access::Role;
use rapport_core::clock::SystemClock;
use rapport_core::custom_fields::{CustomFieldDefinition, CustomFieldType};
use rapport_core::records::pipeline::{PipelineUpdate, StageUpdate};
use rapport_core::schema::RecordType;
use rapport_db::archive::{self, ArchiveError};
use rapport_db::{ConnectionTrait, Ctx, Database, DatabaseUrl, pipelines, records, settings, users};
use serde_json::json;
use uuid::Uuid;

use crate::common::{POSTGRES_URL_VAR, TestCtx, as_admin, run_on_both_backends};

/// A second, empty database on the same backend as `t`, dropped by `close`.
struct Fresh {
    ctx: Ctx,
    dir: Option<PathBuf>,
    postgres: Option<(sea_orm::DatabaseConnection, String)>,
}

impl Fresh {
    async fn open(t: &TestCtx) -> Self {
        Self::open_on(matches!(t.url, DatabaseUrl::Postgres(_))).await
    }

    async fn open_on(postgres: bool) -> Self {
        match postgres {
            false => {
                let dir = std::env::temp_dir().join(format!("rapport-archive-{}", Uuid::now_v7()));
                let db = Database::open(&DatabaseUrl::Sqlite(dir.join("restored.db"))).await.expect("open SQLite");
                Self { ctx: Ctx::new(db, Arc::new(SystemClock)), dir: Some(dir), postgres: None }
            }
            true => {
                let admin_url = std::env::var(POSTGRES_URL_VAR).expect("a PostgreSQL test server");
                let name = format!("rapport_test_{}", Uuid::now_v7().simple());
                let admin = sea_orm::Database::connect(admin_url.as_str()).await.expect("connect to PostgreSQL");
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a database");
                let (base, _) = admin_url.rsplit_once('/').expect("a database in the URL");
                let db = Database::open(&DatabaseUrl::Postgres(format!("{base}/{name}"))).await.expect("open it");
                Self { ctx: Ctx::new(db, Arc::new(SystemClock)), dir: None, postgres: Some((admin, name)) }
            }
        }
    }

    async fn close(self) {
        self.ctx.db.close().await.expect("close the restored database");
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin, name)) = self.postgres {
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.expect("drop it");
        }
    }
}

fn temp_zip(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("rapport-{name}-{}.zip", Uuid::now_v7()))
}

async fn count(ctx: &Ctx, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let statement = sea_orm::Statement::from_string(ctx.db.db_backend(), sql);
    let row = ctx.db.conn().query_one_raw(statement).await.expect("count").expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// Records of every kind (through the descriptors) with custom fields, tags,
/// owners and references, a trashed one, a second user in a team, a changed
/// pipeline, and the audit entries all of that writes.
async fn varied_instance(t: &TestCtx) -> Vec<(RecordType, rapport_core::ids::RecordId)> {
    let (_, writer) = t.admin().await;
    let admin = as_admin(&writer);
    let (seller, _) = t.user("Bruna Seller", Role::Member).await;
    let team = users::create_team_for_system(&t.ctx, "Vendas SP").await.expect("a team");
    users::add_member_for_system(&t.ctx, team.id, seller.id).await.expect("a member");
    pipelines::ensure_default(&t.ctx).await.expect("the default pipeline");
    let sales = pipelines::default_pipeline(t.ctx.db.conn()).await.expect("read").expect("a pipeline");
    let mut stages: Vec<StageUpdate> = sales.stages.iter().map(StageUpdate::from).collect();
    stages[0].name = "Primeiro contato".into();
    let update = PipelineUpdate { name: Some("Vendas".into()), stages: Some(stages) };
    pipelines::update(&t.ctx, &admin, sales.id, &update).await.expect("change the pipeline");
    for (record_type, key, field_type, options) in [
        (RecordType::CONTACT, "budget", CustomFieldType::Money, vec![]),
        (RecordType::COMPANY, "segments", CustomFieldType::MultiSelect, vec!["retail".into(), "b2b".into()]),
        (RecordType::DEAL, "renewal", CustomFieldType::Boolean, vec![]),
    ] {
        let definition = CustomFieldDefinition {
            record_type,
            key: key.into(),
            label: key.into(),
            field_type,
            options,
            required: false,
        };
        settings::create_custom_field(&t.ctx, &admin, &definition).await.expect("a custom field");
    }
    let mut created: Vec<(RecordType, rapport_core::ids::RecordId)> = Vec::new();
    for record_type in RecordType::all() {
        let mut input = (record_type.descriptor().example)();
        // An example's references point at the records made before it (a return's order).
        for spec in record_type.fields() {
            let target = spec.kind.ref_target().and_then(|t| created.iter().find(|(k, _)| *k == t));
            if let (Some((_, id)), true) = (target, input.get(spec.name).is_some()) {
                input[spec.name] = json!(id.0);
            }
        }
        input["tags"] = json!(["vip", format!("{}-tag", record_type.as_str())]);
        input["owner_id"] = json!(seller.id.to_string());
        if record_type == RecordType::QUOTE {
            // A quote is on a stored deal (the deal kind comes first).
            let deal = created.iter().find(|(k, _)| *k == RecordType::DEAL).expect("a deal").1;
            input["deal_id"] = json!(deal.0.to_string());
        }
        let record = records::create(&t.ctx, &writer, record_type, &input).await.expect("an example record");
        created.push((record_type, record.id));
    }
    let company = created.iter().find(|(k, _)| *k == RecordType::COMPANY).expect("a company").1;
    let contact = records::create(
        &t.ctx,
        &writer,
        RecordType::CONTACT,
        &json!({"first_name": "Carla", "last_name": "Ávila", "emails": ["carla@example.com"],
                "company_id": company.to_string(), "tags": ["=formula"],
                "custom": {"budget": {"amount_minor": -123_456, "currency": "BRL"}}}),
    )
    .await
    .expect("a contact at the company");
    created.push((RecordType::CONTACT, contact.id));
    let photo = sea_orm::sea_query::Query::insert()
        .into_table("contact_photos")
        .columns(["contact_id", "content_type", "bytes", "updated_at"])
        .values_panic([contact.id.0.into(), "image/png".into(), vec![0x89u8, b'P', 0, 0xff, 10].into(), t.now().into()])
        .to_owned();
    t.ctx.db.conn().execute(&photo).await.expect("a photo");
    let deal = records::create(
        &t.ctx,
        &writer,
        RecordType::DEAL,
        &json!({"name": "Frota 2027", "amount_minor": 9_900_000, "currency": "BRL",
                "company_id": company.to_string(), "contact_id": contact.id.to_string(),
                "custom": {"renewal": true}}),
    )
    .await
    .expect("a deal with references");
    created.push((RecordType::DEAL, deal.id));
    let patch = json!({"custom": {"segments": ["retail", "b2b"]}, "city": "Campinas"});
    records::update(&t.ctx, &writer, RecordType::COMPANY, company, &patch, None).await.expect("update the company");
    // A quota, and a cadence running on the deal with its first step made.
    let quota = serde_json::from_value(json!({"user_id": seller.id, "period_kind": "quarter",
        "period_start": "2026-01-01", "amount_minor": 5_000_000, "currency": "BRL"}))
    .expect("a quota");
    rapport_db::forecast::set_quotas(&t.ctx, &admin, &[quota]).await.expect("set the quota");
    let cadence = serde_json::from_value(json!({"name": "Proposta enviada", "steps": [
        {"day_offset": 0, "kind": "call", "title": "Ligar"},
        {"day_offset": 2, "kind": "email", "title": "Enviar e-mail", "note": "Lembrar do desconto"}]}))
    .expect("a cadence");
    let cadence = rapport_db::cadences::create(&t.ctx, &admin, cadence).await.expect("create the cadence");
    rapport_db::cadences::enroll(&t.ctx, &writer, cadence.id, RecordType::DEAL, deal.id).await.expect("enroll");
    rapport_db::notifications::run_due_jobs(&t.ctx, 100).await.expect("make the first step");
    // The default dashboard with its reports, and one report e-mailed every Monday.
    let dashboard =
        rapport_db::reports::default_dashboard(&t.ctx, &writer, str::to_owned).await.expect("the default dashboard");
    let schedule = serde_json::from_value(json!({"frequency": "weekly", "weekday": 1, "hour": 8, "format": "pdf"}))
        .expect("a schedule");
    rapport_db::reports::create_schedule(&t.ctx, &writer, dashboard.widgets[0].report_id, &schedule, "/reports")
        .await
        .expect("schedule a report");
    let trashed = records::create(&t.ctx, &writer, RecordType::CONTACT, &json!({"first_name": "Lixeira"}))
        .await
        .expect("a contact to trash");
    records::delete(&t.ctx, &writer, RecordType::CONTACT, trashed.id, None).await.expect("trash it");
    created
}

#[tokio::test]
async fn an_exported_instance_imports_into_an_empty_one_as_it_was() {
    run_on_both_backends("archive round trip", |t| async move {
        let created = varied_instance(&t).await;
        let zip = temp_zip("export");
        let exported = archive::export_all(&t.ctx.db, &zip, t.now()).await.expect("export everything");
        assert!(exported.manifest.files.iter().any(|f| f.kind == "contact" && f.rows == 3), "{:?}", exported.manifest);
        assert!(exported.manifest.files.iter().any(|f| f.name == "audit_log.csv" && f.rows > 0));

        let fresh = Fresh::open(&t).await;
        let restored = archive::import_all(&fresh.ctx.db, &zip).await.expect("import everything");
        assert_eq!(restored.users.len(), 2, "the admin and the seller");
        assert_eq!(restored.dangling_references, 0);

        // Every table, every column, byte for byte: the restored instance exports the same files.
        let again = temp_zip("again");
        let reexported = archive::export_all(&fresh.ctx.db, &again, t.now()).await.expect("export the copy");
        for (a, b) in exported.manifest.files.iter().zip(&reexported.manifest.files) {
            assert_eq!((&a.name, a.rows, &a.sha256), (&b.name, b.rows, &b.sha256), "{} differs", a.name);
        }
        assert_eq!(exported.manifest.files.len(), reexported.manifest.files.len());

        // From SQLite to PostgreSQL, the same.
        if matches!(t.url, DatabaseUrl::Sqlite(_)) && std::env::var(POSTGRES_URL_VAR).is_ok_and(|u| !u.is_empty()) {
            let postgres = Fresh::open_on(true).await;
            archive::import_all(&postgres.ctx.db, &zip).await.expect("import into PostgreSQL");
            let moved = temp_zip("moved");
            let from_postgres = archive::export_all(&postgres.ctx.db, &moved, t.now()).await.expect("export it");
            for (a, b) in exported.manifest.files.iter().zip(&from_postgres.manifest.files) {
                assert_eq!((&a.name, a.rows, &a.sha256), (&b.name, b.rows, &b.sha256), "{} differs", a.name);
            }
            postgres.close().await;
            let _ = std::fs::remove_file(moved);
        }

        // Through the services: the same records, users, custom fields and pipelines.
        let admin_id = users::find_by_email(&fresh.ctx, "admin@rapport.test").await.expect("read").expect("admin").id;
        let admin = users::actor(fresh.ctx.db.conn(), admin_id, rapport_core::access::Scope::ReadWrite)
            .await
            .expect("read")
            .expect("an enabled admin");
        for (record_type, id) in &created {
            let before = records::get(&t.ctx, &t.actor(admin_id).await, *record_type, *id).await;
            let after = records::get(&fresh.ctx, &admin, *record_type, *id).await;
            if *record_type == RecordType::CONTACT && before.is_ok() {
                assert_eq!(
                    records::contact_photo(&t.ctx, &t.actor(admin_id).await, *id).await.expect("a photo"),
                    records::contact_photo(&fresh.ctx, &admin, *id).await.expect("a photo"),
                );
            }
            match (before, after) {
                (Ok(before), Ok(after)) => assert_eq!(before, after, "{record_type} {id}"),
                (Err(_), Err(_)) => {} // the trashed contact
                (before, after) => panic!("{record_type} {id}: {before:?} became {after:?}"),
            }
        }
        assert_eq!(users::list(&t.ctx).await.expect("users"), users::list(&fresh.ctx).await.expect("users"));
        assert_eq!(
            settings::load_custom_fields(t.ctx.db.conn()).await.expect("fields"),
            settings::load_custom_fields(fresh.ctx.db.conn()).await.expect("fields")
        );
        assert_eq!(
            pipelines::list(t.ctx.db.conn()).await.expect("pipelines"),
            pipelines::list(fresh.ctx.db.conn()).await.expect("pipelines")
        );
        for table in [
            "audit_log",
            "record_keys",
            "record_links",
            "search_rows",
            "deal_stage_changes",
            "team_members",
            "contact_photos",
            "quotas",
            "cadences",
            "cadence_enrollments",
            "cadence_step_runs",
            "reports",
            "dashboards",
            "report_schedules",
        ] {
            assert_eq!(count(&t.ctx, table).await, count(&fresh.ctx, table).await, "{table}");
        }
        for table in ["quotas", "cadence_enrollments", "cadence_step_runs", "reports", "dashboards", "report_schedules"]
        {
            assert!(count(&t.ctx, table).await > 0, "the instance has {table}");
        }
        // The search index was rebuilt, and the printed passwords log in.
        let hits =
            rapport_db::search::search(&fresh.ctx, &admin, "Carla", &[RecordType::CONTACT], 10).await.expect("search");
        assert_eq!(hits.len(), 1, "{hits:?}");
        let seller = restored.users.iter().find(|u| u.email == "bruna.seller@rapport.test").expect("the seller");
        let (_, hash) = users::find_for_login(&fresh.ctx, &seller.email).await.expect("read").expect("the seller");
        assert!(rapport_db::passwords::HashSlot::reserve().await.expect("slot").verify(&seller.password, hash).await);

        // A second import is refused: the instance is no longer empty.
        let refused = archive::import_all(&fresh.ctx.db, &zip).await;
        assert!(matches!(refused, Err(ArchiveError::NotEmpty(_))), "{refused:?}");

        fresh.close().await;
        let _ = std::fs::remove_file(zip);
        let _ = std::fs::remove_file(again);
    })
    .await;
}

/// The archive at `from` with one file's bytes changed, written to `to`.
fn tamper(from: &Path, to: &Path, name: &str, change: impl Fn(Vec<u8>) -> Vec<u8>) {
    let mut source = zip::ZipArchive::new(std::fs::File::open(from).expect("open")).expect("a zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).expect("create"));
    for i in 0..source.len() {
        let mut entry = source.by_index(i).expect("an entry");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        let entry_name = entry.name().to_owned();
        out.start_file(entry_name.as_str(), zip::write::SimpleFileOptions::default()).expect("start");
        out.write_all(&if entry_name == name { change(bytes) } else { bytes }).expect("write");
    }
    out.finish().expect("finish");
}

#[tokio::test]
async fn a_damaged_archive_is_one_clear_error_and_nothing_is_written() {
    run_on_both_backends("archive damaged", |t| async move {
        varied_instance(&t).await;
        let zip = temp_zip("good");
        archive::export_all(&t.ctx.db, &zip, t.now()).await.expect("export");
        let fresh = Fresh::open(&t).await;

        let damaged = temp_zip("damaged");
        tamper(&zip, &damaged, "contacts.csv", |bytes| {
            String::from_utf8(bytes).unwrap().replace("Carla", "Karla").into()
        });
        let error = archive::import_all(&fresh.ctx.db, &damaged).await.expect_err("a wrong checksum");
        assert!(matches!(error, ArchiveError::Damaged(_)), "{error:?}");
        assert!(error.to_string().contains("contacts.csv does not match its checksum"), "{error}");

        let newer = temp_zip("newer");
        tamper(&zip, &newer, "manifest.json", |bytes| {
            String::from_utf8(bytes).unwrap().replace("\"format_version\": 1", "\"format_version\": 99").into()
        });
        let error = archive::import_all(&fresh.ctx.db, &newer).await.expect_err("a newer format");
        assert!(matches!(error, ArchiveError::Version { found: 99, .. }), "{error:?}");

        std::fs::write(&damaged, b"not a zip at all").expect("write");
        let error = archive::import_all(&fresh.ctx.db, &damaged).await.expect_err("not a zip");
        assert!(matches!(error, ArchiveError::Damaged(_)), "{error:?}");

        // A file that passes its checksum (the manifest rewritten to match) but fails on insert,
        // the last one written: everything before it is rolled back too.
        let late = temp_zip("late");
        let bad_audit = {
            let mut source = zip::ZipArchive::new(std::fs::File::open(&zip).expect("open")).expect("a zip");
            let mut text = String::new();
            source.by_name("audit_log.csv").expect("the audit log").read_to_string(&mut text).expect("read");
            text.replacen(",changes,", ",changez,", 1)
        };
        let sha = {
            use sha2::Digest;
            sha2::Sha256::digest(bad_audit.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        let with_bad_audit = temp_zip("bad-audit");
        tamper(&zip, &with_bad_audit, "audit_log.csv", |_| bad_audit.clone().into_bytes());
        tamper(&with_bad_audit, &late, "manifest.json", |bytes| {
            let mut manifest: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
            for file in manifest["files"].as_array_mut().expect("files") {
                if file["name"] == "audit_log.csv" {
                    file["sha256"] = json!(sha);
                }
            }
            serde_json::to_vec(&manifest).expect("JSON")
        });
        let error = archive::import_all(&fresh.ctx.db, &late).await.expect_err("an unknown column");
        assert!(error.to_string().contains("audit_log.csv has a column \"changez\""), "{error}");

        for table in ["users", "contacts", "companies", "deals", "audit_log", "custom_fields", "search_rows"] {
            assert_eq!(count(&fresh.ctx, table).await, 0, "{table} was written");
        }
        fresh.close().await;
        for file in [zip, damaged, newer, late, with_bad_audit] {
            let _ = std::fs::remove_file(file);
        }
    })
    .await;
}

#[tokio::test]
async fn references_to_records_the_archive_lacks_are_restored_and_counted() {
    run_on_both_backends("archive dangling references", |t| async move {
        let (_, writer) = t.admin().await;
        let company = records::create(&t.ctx, &writer, RecordType::COMPANY, &json!({"name": "Gone Ltda"}))
            .await
            .expect("a company");
        let contact = records::create(
            &t.ctx,
            &writer,
            RecordType::CONTACT,
            &json!({"first_name": "Left", "company_id": company.id.to_string()}),
        )
        .await
        .expect("a contact at it");
        // Deleted for good behind the services' back, as a purge of long ago might have.
        let purge = sea_orm::sea_query::Query::delete()
            .from_table("companies")
            .and_where(sea_orm::sea_query::ExprTrait::eq(sea_orm::sea_query::Expr::col("id"), company.id.0))
            .to_owned();
        t.ctx.db.conn().execute(&purge).await.expect("purge the company");
        let zip = temp_zip("dangling");
        archive::export_all(&t.ctx.db, &zip, t.now()).await.expect("export");
        let fresh = Fresh::open(&t).await;
        let restored = archive::import_all(&fresh.ctx.db, &zip).await.expect("import");
        assert_eq!(restored.dangling_references, 1);
        let admin = users::find_by_email(&fresh.ctx, "admin@rapport.test").await.expect("read").expect("admin");
        let actor = users::actor(fresh.ctx.db.conn(), admin.id, rapport_core::access::Scope::ReadWrite)
            .await
            .expect("read")
            .expect("enabled");
        let restored_contact = records::get(&fresh.ctx, &actor, RecordType::CONTACT, contact.id).await.expect("get");
        assert_eq!(restored_contact.uuid("company_id"), Some(company.id.0));
        fresh.close().await;
        let _ = std::fs::remove_file(zip);
    })
    .await;
}
