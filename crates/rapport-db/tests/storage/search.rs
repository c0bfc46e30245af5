use rapport_core::access::{Role, Visibility};
use rapport_core::ids::RecordId;
use rapport_core::schema::RecordType;
use rapport_db::search::{SearchHit, search};
use rapport_db::{Backend, ConnectionTrait, records, settings, users};
use sea_orm::{DbBackend, Statement};
use serde_json::json;

use crate::common::{as_admin, run_on_both_backends};

fn ids(hits: &[SearchHit]) -> Vec<RecordId> {
    let mut ids: Vec<RecordId> = hits.iter().map(|h| h.id).collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<RecordId>) -> Vec<RecordId> {
    ids.sort();
    ids
}

#[tokio::test]
async fn search_folds_accents_matches_prefixes_and_respects_visibility() {
    run_on_both_backends("search", |t| async move {
        let (_, admin) = t.admin().await;
        let team_a = users::create_team(&t.ctx, &as_admin(&admin), "Norte").await.expect("team");
        let team_b = users::create_team(&t.ctx, &as_admin(&admin), "Sul").await.expect("team");
        let (seller, _) = t.user("Seller", Role::Member).await;
        let (outsider, _) = t.user("Outsider", Role::Member).await;
        users::add_member(&t.ctx, &as_admin(&admin), team_a.id, seller.id).await.expect("join");
        users::add_member(&t.ctx, &as_admin(&admin), team_b.id, outsider.id).await.expect("join");
        let seller = t.writer(seller.id).await;
        let outsider = t.writer(outsider.id).await;

        let joao = records::create(
            &t.ctx,
            &seller,
            RecordType::CONTACT,
            &json!({"first_name": "João", "last_name": "Silva", "emails": ["joao@transportes.com.br"]}),
        )
        .await
        .expect("João");
        let joana = records::create(
            &t.ctx,
            &seller,
            RecordType::CONTACT,
            &json!({"first_name": "Joana", "last_name": "Souza"}),
        )
        .await
        .expect("Joana");
        let company = records::create(&t.ctx, &seller, RecordType::COMPANY, &json!({"name": "Silva Transportes"}))
            .await
            .expect("company");

        let silva = search(&t.ctx, &seller, "silva", &[], 20).await.expect("search");
        assert_eq!(ids(&silva), sorted(vec![joao.id, company.id]));
        let labels: Vec<&str> = silva.iter().map(|h| h.label.as_str()).collect();
        assert!(labels.contains(&"João Silva") && labels.contains(&"Silva Transportes"), "{labels:?}");
        assert_eq!(ids(&search(&t.ctx, &seller, "SILVA", &[], 20).await.expect("search")), ids(&silva));
        assert_eq!(ids(&search(&t.ctx, &seller, "sil", &[], 20).await.expect("prefix")), ids(&silva));
        assert_eq!(ids(&search(&t.ctx, &seller, "joao", &[], 20).await.expect("folded")), [joao.id]);
        assert_eq!(ids(&search(&t.ctx, &seller, "João", &[], 20).await.expect("accented")), [joao.id]);
        assert_eq!(
            ids(&search(&t.ctx, &seller, "jo", &[], 20).await.expect("prefix")),
            sorted(vec![joao.id, joana.id])
        );
        assert_eq!(ids(&search(&t.ctx, &seller, "joao silva", &[], 20).await.expect("two words")), [joao.id]);
        assert_eq!(
            ids(&search(&t.ctx, &seller, "silva", &[RecordType::COMPANY], 20).await.expect("by type")),
            [company.id]
        );
        assert!(search(&t.ctx, &seller, "zzz", &[], 20).await.expect("no match").is_empty());
        assert!(search(&t.ctx, &seller, "  ", &[], 20).await.expect("blank").is_empty());
        assert!(search(&t.ctx, &seller, "\"silva*", &[], 20).await.is_ok(), "operators in the query are harmless");

        // The index follows edits and deletes.
        records::update(&t.ctx, &seller, RecordType::CONTACT, joana.id, &json!({"last_name": "Silveira"}), None)
            .await
            .expect("rename");
        assert_eq!(
            ids(&search(&t.ctx, &seller, "sil", &[], 20).await.expect("prefix")),
            sorted(vec![joao.id, joana.id, company.id])
        );
        records::delete(&t.ctx, &seller, RecordType::COMPANY, company.id, None).await.expect("delete");
        assert_eq!(ids(&search(&t.ctx, &seller, "silva", &[], 20).await.expect("search")), [joao.id]);

        // Private contacts are not found by other teams; companies stay visible.
        assert_eq!(ids(&search(&t.ctx, &outsider, "silva", &[], 20).await.expect("search")), [joao.id]);
        let mut config = settings::load(t.ctx.db.conn()).await.expect("settings");
        config.visibility.insert(RecordType::CONTACT, Visibility::Private);
        settings::save(&t.ctx, &as_admin(&admin), &config).await.expect("save settings");
        assert!(search(&t.ctx, &outsider, "silva", &[], 20).await.expect("search").is_empty());
        assert_eq!(ids(&search(&t.ctx, &seller, "silva", &[], 20).await.expect("search")), [joao.id]);
        assert_eq!(ids(&search(&t.ctx, &admin, "silva", &[], 20).await.expect("search")), [joao.id]);
    })
    .await;
}

#[tokio::test]
async fn whole_name_matches_rank_first_and_prefix_matches_fill_the_page() {
    run_on_both_backends("search ranking", |t| async move {
        let (_, admin) = t.admin().await;
        let create = |input| t.contact(&admin, input);
        let silvana = create(json!({"first_name": "Silvana", "last_name": "Rocha"})).await;
        let by_email = create(json!({"first_name": "Rui", "emails": ["silva@example.com"]})).await;
        let mut silvas = Vec::new();
        for i in 0..5 {
            silvas.push(create(json!({"first_name": format!("Ana {i}"), "last_name": "Silva"})).await);
        }
        // Newer than every Silva, yet ranked after them: a prefix, then a body match.
        let hits = search(&t.ctx, &admin, "silva", &[], 20).await.expect("search");
        let order: Vec<RecordId> = hits.iter().map(|h| h.id).collect();
        let expected: Vec<RecordId> = silvas.iter().rev().copied().chain([silvana, by_email]).collect();
        assert_eq!(order, expected);
        // A full page of whole-word matches needs no prefix lookup, and holds only them.
        let page = search(&t.ctx, &admin, "silva", &[], 3).await.expect("search");
        assert_eq!(
            page.iter().map(|h| h.id).collect::<Vec<_>>(),
            silvas.iter().rev().take(3).copied().collect::<Vec<_>>()
        );
        assert_eq!(ids(&search(&t.ctx, &admin, "silv", &[], 20).await.expect("prefix")).len(), 7);
    })
    .await;
}

#[tokio::test]
async fn names_in_any_script_and_punctuated_queries_are_found() {
    run_on_both_backends("search scripts", |t| async move {
        let (_, admin) = t.admin().await;
        let create = |input| t.contact(&admin, input);
        // Devanagari vowel signs are marks, which cut words in SQLite's index.
        let hindi = create(json!({"first_name": "हिंदी", "last_name": "Kumar"})).await;
        let obrien = create(json!({"first_name": "Seán", "last_name": "O'Brien"})).await;
        let beijing = create(json!({"first_name": "北京", "last_name": "Li"})).await;
        assert_eq!(ids(&search(&t.ctx, &admin, "हिंदी", &[], 20).await.expect("marks")), [hindi]);
        assert_eq!(ids(&search(&t.ctx, &admin, "हिंदी kumar", &[], 20).await.expect("two words")), [hindi]);
        assert_eq!(ids(&search(&t.ctx, &admin, "o'brien", &[], 20).await.expect("apostrophe")), [obrien]);
        assert_eq!(ids(&search(&t.ctx, &admin, "sean o brien", &[], 20).await.expect("folded")), [obrien]);
        assert_eq!(ids(&search(&t.ctx, &admin, "北京", &[], 20).await.expect("han")), [beijing]);
        // A lone vowel sign is no word for SQLite; PostgreSQL finds it as a substring.
        let mark = search(&t.ctx, &admin, "\u{093f}", &[], 20).await.expect("a lone mark");
        assert!(mark.iter().all(|h| h.id == hindi), "{mark:?}");
    })
    .await;
}

/// FTS5's own lookups bind the searched word; with samples of the index's
/// tables SQLite would prepare them again at every search. Samples are
/// gathered for the record tables and left out for the search index.
#[tokio::test]
async fn statistics_leave_out_the_search_index_tables() {
    run_on_both_backends("search statistics", |t| async move {
        let (_, admin) = t.admin().await;
        for i in 0..300 {
            t.contact(&admin, json!({"first_name": format!("Ana {i}"), "last_name": "Silva"})).await;
        }
        rapport_db::backend::refresh_statistics(&t.ctx.db).await.expect("analyze");
        rapport_db::backend::refresh_table_statistics(&t.ctx.db, "contacts").await.expect("analyze a table");
        rapport_db::backend::maintain_statistics(&t.ctx.db).await.expect("upkeep");
        if t.backend() == Backend::Sqlite {
            let sql = "SELECT DISTINCT tbl FROM sqlite_stat4 ORDER BY tbl";
            let rows = t.ctx.db.conn().query_all_raw(Statement::from_string(DbBackend::Sqlite, sql)).await;
            let tables: Vec<String> =
                rows.expect("read the samples").iter().map(|r| r.try_get("", "tbl").expect("a table")).collect();
            assert!(tables.iter().any(|t| t == "contacts"), "{tables:?}");
            assert!(!tables.iter().any(|t| t.starts_with("search_fts")), "{tables:?}");
        }
        let hits = search(&t.ctx, &admin, "silva", &[], 20).await.expect("search");
        assert_eq!(hits.len(), 20);
    })
    .await;
}

/// A call centre looks callers up by number as they type it: with or
/// without the country code, punctuation, or only the last 8 digits
/// (before, every one of these found nothing).
#[tokio::test]
async fn a_person_is_found_by_phone_however_the_number_is_typed() {
    run_on_both_backends("search by phone", |t| async move {
        let (_, admin) = t.admin().await;
        let caller = records::create(
            &t.ctx,
            &admin,
            RecordType::CONTACT,
            &json!({"first_name": "Ângela", "last_name": "Silva", "phones": ["+55 21 99775-2728"]}),
        )
        .await
        .expect("a contact");
        let other = records::create(
            &t.ctx,
            &admin,
            RecordType::LEAD,
            &json!({"first_name": "Bruno", "phone": "+55 11 3456-7890"}),
        )
        .await
        .expect("a lead");
        for typed in ["(21) 99775-2728", "21997752728", "+55 21 99775-2728", "97752728", "9775-2728"] {
            let hits = search(&t.ctx, &admin, typed, &[], 10).await.expect("search");
            assert_eq!(ids(&hits), vec![caller.id], "{typed}");
        }
        let hits = search(&t.ctx, &admin, "3456 7890", &[], 10).await.expect("search");
        assert_eq!(ids(&hits), vec![other.id]);
        assert!(search(&t.ctx, &admin, "11112222", &[], 10).await.expect("search").is_empty());
    })
    .await;
}
