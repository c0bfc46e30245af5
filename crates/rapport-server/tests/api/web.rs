//! The web UI over HTTP, without a browser: labels on every input, CSRF on
//! every form, the language a browser asks for, escaping and page weight.

use rapport_db::Backend;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, Reply, TestApp, spawn_app};

/// Signs the app's client in as the admin through the sign-in form.
pub(crate) async fn sign_in(app: &TestApp) {
    let form = [("email", "admin@rapport.test"), ("password", PASSWORD), ("next", "/")];
    let reply = app.send(app.client.post(app.url("/sign-in")).form(&form)).await;
    assert!(reply.status.is_success() || reply.status.is_redirection(), "{}", reply.status);
}

pub(crate) async fn page(app: &TestApp, path: &str) -> Reply {
    let reply = app.send(app.client.get(app.url(path))).await;
    reply.expect(StatusCode::OK);
    reply
}

/// Every visible input, select and text area: `(id, tag)` of those without
/// a label naming them (`<label for>`, a wrapping `<label>` or `aria-label`).
pub(crate) fn unlabelled(html: &str) -> Vec<String> {
    let mut missing = Vec::new();
    let mut rest = html;
    let mut offset = 0;
    while let Some(at) = ["<input", "<select", "<textarea"].iter().filter_map(|t| rest.find(t)).min() {
        let start = offset + at;
        let end = html[start..].find('>').map_or(html.len(), |e| start + e);
        let tag = &html[start..=end.min(html.len() - 1)];
        offset = end;
        rest = &html[end..];
        if tag.contains("type=\"hidden\"") || tag.contains("aria-label=") {
            continue;
        }
        let id = tag.split("id=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
        let wrapped =
            html[..start].rfind("<label").is_some_and(|l| html[..start].rfind("</label>").is_none_or(|c| c < l));
        let labelled = !id.is_empty() && html.contains(&format!("for=\"{id}\""));
        if !(labelled || wrapped) {
            missing.push(tag.to_owned());
        }
    }
    missing
}

#[tokio::test]
async fn every_input_of_every_screen_has_a_label() {
    let app = spawn_app(Backend::Sqlite).await;
    let anonymous = page(&app, "/sign-in").await;
    assert_eq!(unlabelled(&anonymous.text), Vec::<String>::new(), "sign-in");
    sign_in(&app).await;
    let contact = app.create("contacts", &json!({"first_name": "Rui"})).await;
    app.create("deals", &json!({"name": "Deal", "amount_minor": 1000, "currency": "BRL"})).await;
    let mut paths: Vec<String> = [
        "/",
        "/deals/board",
        "/search?q=rui",
        "/profile",
        "/settings",
        "/settings?tab=records",
        "/settings?tab=pipelines",
        "/settings?tab=trash",
        "/settings/company",
        "/analytics",
        "/analytics/sales",
        "/analytics/team",
        "/analytics/market",
        "/analytics/attribution",
    ]
    .iter()
    .map(|p| (*p).to_owned())
    .collect();
    for kind in ["contacts", "companies", "leads", "deals", "activities"] {
        paths.push(format!("/{kind}"));
        paths.push(format!("/{kind}/new"));
    }
    let id = contact["id"].as_str().expect("an id");
    paths.push(format!("/contacts/{id}"));
    paths.push(format!("/contacts/{id}/edit"));
    for path in &paths {
        let reply = page(&app, path).await;
        assert_eq!(unlabelled(&reply.text), Vec::<String>::new(), "{path}");
        assert!(reply.text.contains("<main"), "{path} has a main landmark");
    }
    app.teardown().await;
}

#[tokio::test]
async fn a_form_without_the_sessions_token_changes_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    let forged = app.send(app.client.post(app.url("/contacts")).form(&[("first_name", "Forged")])).await;
    forged.expect(StatusCode::FORBIDDEN);
    let wrong = [("first_name", "Forged"), ("_csrf", "not-the-token")];
    app.send(app.client.post(app.url("/contacts")).form(&wrong)).await.expect(StatusCode::FORBIDDEN);
    let list = app.get("/api/v1/contacts", &app.admin_token).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0), "{}", list.text);
    app.teardown().await;
}

#[tokio::test]
async fn pages_speak_the_browsers_language_until_the_user_chooses() {
    let app = spawn_app(Backend::Sqlite).await;
    let sign_in_page =
        app.send(app.client.get(app.url("/sign-in")).header("accept-language", "pt-BR,pt;q=0.9,en;q=0.5")).await;
    assert!(sign_in_page.text.contains("lang=\"pt-BR\""), "{}", sign_in_page.text);
    assert!(sign_in_page.text.contains("Entrar"), "{}", sign_in_page.text);
    let spanish = app.send(app.client.get(app.url("/sign-in")).header("accept-language", "es-AR")).await;
    assert!(spanish.text.contains("lang=\"es\""));
    app.teardown().await;
}

#[tokio::test]
async fn a_page_is_light_and_compressed_on_the_wire() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    let rows: Vec<serde_json::Value> = (0..60)
        .map(|i| json!({"first_name": format!("Pessoa {i}"), "last_name": "Souza", "emails": [format!("p{i}@example.com.br")], "city": "Recife"}))
        .collect();
    app.post_json("/api/v1/contacts/bulk", &app.admin_token, &json!({"items": rows})).await.expect(StatusCode::OK);
    let list = page(&app, "/contacts").await;
    let css = page(&app, "/assets/app.css").await;
    let js = page(&app, "/assets/app.js").await;
    let weight = list.text.len() + css.text.len() + js.text.len();
    println!("a list of 50: HTML {} + CSS {} + JS {} = {weight} bytes", list.text.len(), css.text.len(), js.text.len());
    assert!(weight <= 100 * 1024, "{weight} bytes");
    let compressed = app.send(app.request(Method::GET, "/contacts", None).header("accept-encoding", "gzip")).await;
    assert_eq!(compressed.header("content-encoding"), Some("gzip"));
    app.teardown().await;
}

/// The profile makes a token whose secret is shown once and works on the
/// API, lists its last use, and revokes it.
#[tokio::test]
async fn a_token_made_on_the_profile_works_until_revoked_there() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    let profile = page(&app, "/profile").await;
    let csrf = profile
        .text
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a token")
        .to_owned();
    let form = [("_csrf", csrf.as_str()), ("name", "Planilha"), ("scope", "read")];
    let made = app.send(app.client.post(app.url("/profile/tokens")).form(&form)).await;
    made.expect(StatusCode::OK);
    let secret = made
        .text
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the secret")
        .to_owned();
    app.get("/api/v1/contacts", &secret).await.expect(StatusCode::OK);
    let again = page(&app, "/profile").await;
    assert!(!again.text.contains(&secret), "the secret is shown once");
    assert!(again.text.contains("Planilha"));
    let row = again.text.split("<tr>").find(|row| row.contains("Planilha")).expect("the token's row");
    let id = row.split("/profile/tokens/").nth(1).and_then(|s| s.split('/').next()).expect("a token id").to_owned();
    let revoke = [("_csrf", csrf.as_str())];
    app.send(app.client.post(app.url(&format!("/profile/tokens/{id}/revoke"))).form(&revoke))
        .await
        .expect(StatusCode::OK);
    app.ctx.forget_checked_credentials();
    app.get("/api/v1/contacts", &secret).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.teardown().await;
}

pub(crate) fn csrf_of(page: &Reply) -> String {
    page.text
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSRF token")
        .to_owned()
}

/// Settings: a user and a team are made and joined, visibility and a custom
/// field are set, a pipeline is added, a deleted record comes back from the
/// trash; a member is refused.
#[tokio::test]
async fn an_administrator_sets_up_people_records_and_pipelines_in_settings() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    let csrf = csrf_of(&page(&app, "/settings").await);
    let post = async |path: &str, fields: &[(&str, &str)]| {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let reply = app.send(app.client.post(app.url(path)).form(&form)).await;
        assert!(reply.status.is_success() || reply.status.is_redirection(), "{path}: {} {}", reply.status, reply.text);
        reply
    };
    post(
        "/settings/users",
        &[("name", "Beto Vendas"), ("email", "beto@example.com.br"), ("role", "member"), ("password", PASSWORD)],
    )
    .await;
    post("/settings/teams", &[("name", "Nordeste")]).await;
    let teams = app.get("/api/v1/teams", &app.admin_token).await;
    let team = teams.body[0]["id"].as_str().expect("a team").to_owned();
    let users = app.get("/api/v1/users", &app.admin_token).await;
    let beto = users.body.as_array().expect("users").iter().find(|u| u["name"] == "Beto Vendas").expect("Beto")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    post(&format!("/settings/teams/{team}/members"), &[("user_id", beto.as_str())]).await;
    let people = page(&app, "/settings").await;
    assert!(people.text.contains("Beto Vendas") && people.text.contains("Nordeste"), "{}", people.text);

    post("/settings/visibility", &[("visibility_contacts", "private")]).await;
    let settings = app.get("/api/v1/settings", &app.admin_token).await;
    assert_eq!(settings.body["visibility"]["contact"], "private");
    post("/settings/fields", &[("kind", "contacts"), ("label", "Região"), ("key", "regiao"), ("field_type", "text")])
        .await;
    let fields = app.get("/api/v1/custom-fields", &app.admin_token).await;
    assert!(fields.text.contains("regiao"), "{}", fields.text);
    let invalid = app
        .send(app.client.post(app.url("/settings/fields")).form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "contacts"),
            ("label", "X"),
            ("key", "Bad Key"),
            ("field_type", "text"),
        ]))
        .await;
    invalid.expect(StatusCode::UNPROCESSABLE_ENTITY);
    post(
        "/settings/pipelines",
        &[("name", "Renovações"), ("stages", "Aviso: 20\nNegociação: 60\nRenovado: 100 won\nCancelado: 0 lost")],
    )
    .await;
    let pipelines = page(&app, "/settings?tab=pipelines").await;
    assert!(pipelines.text.contains("Renovações") && pipelines.text.contains("Negociação"), "{}", pipelines.text);

    let contact = app.create("contacts", &json!({"first_name": "Lixo"})).await;
    let id = contact["id"].as_str().expect("an id");
    app.send(app.request(Method::DELETE, &format!("/api/v1/contacts/{id}"), Some(&app.admin_token)))
        .await
        .expect(StatusCode::NO_CONTENT);
    let trash = page(&app, "/settings?tab=trash").await;
    assert!(trash.text.contains("Lixo"), "{}", trash.text);
    post(&format!("/settings/trash/contacts/{id}/restore"), &[]).await;
    app.get(&format!("/api/v1/contacts/{id}"), &app.admin_token).await.expect(StatusCode::OK);

    // Beto forgot his password and becomes a manager; the last administrator stays one.
    post(&format!("/settings/users/{beto}/password"), &[("password", "a brand new passphrase")]).await;
    post(&format!("/settings/users/{beto}/role"), &[("role", "manager")]).await;
    let users = app.get("/api/v1/users", &app.admin_token).await;
    let beto_now =
        users.body.as_array().expect("users").iter().find(|u| u["name"] == "Beto Vendas").expect("Beto").clone();
    assert_eq!(beto_now["role"], "manager");
    let admin_id = app.admin.id.0.to_string();
    let last = app
        .send(
            app.client
                .post(app.url(&format!("/settings/users/{admin_id}/role")))
                .form(&[("_csrf", csrf.as_str()), ("role", "member")]),
        )
        .await;
    last.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(last.text.contains("needs an administrator"), "{}", last.text);
    post(&format!("/settings/users/{beto}/role"), &[("role", "member")]).await;

    // A member is not an administrator.
    let member = reqwest::Client::builder().cookie_store(true).build().expect("a client");
    let form = [("email", "beto@example.com.br"), ("password", "a brand new passphrase"), ("next", "/")];
    member.post(app.url("/sign-in")).form(&form).send().await.expect("sign in");
    let refused = member.get(app.url("/settings")).send().await.expect("settings");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let home = member.get(app.url("/")).send().await.expect("home").text().await.expect("text");
    assert!(!home.contains("href=\"/settings\""), "members see no settings link");
    app.teardown().await;
}

/// Settings: a stage is renamed and moved, and the board shows it so; a
/// stage holding a deal is not removed, and the page says why; names of
/// people change in settings and on the profile.
#[tokio::test]
async fn an_administrator_edits_stages_and_names_in_settings() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    let csrf = csrf_of(&page(&app, "/settings?tab=pipelines").await);
    let form = async |path: &str, fields: &[(&str, &str)]| {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        app.send(app.client.post(app.url(path)).form(&form)).await
    };
    let pipelines = app.get("/api/v1/pipelines", &app.admin_token).await;
    let pipeline = pipelines.body[0]["id"].as_str().expect("a pipeline").to_owned();
    let stage = |i: usize| pipelines.body[0]["stages"][i]["id"].as_str().expect("a stage").to_owned();
    let base = format!("/settings/pipelines/{pipeline}");

    let saved = form(
        &format!("{base}/stages/{}", stage(1)),
        &[("name", "Diagnóstico <b>"), ("probability", "30"), ("kind", "open")],
    )
    .await;
    saved.expect(StatusCode::OK);
    form(&format!("{base}/stages/{}/move", stage(1)), &[("direction", "up")]).await;
    form(&format!("{base}/name"), &[("name", "Vendas")]).await;
    app.create("deals", &json!({"name": "Frota", "stage_id": stage(2)})).await;
    let board = page(&app, "/deals/board").await;
    let (renamed, first) = (board.text.find("Diagnóstico &#60;b&#62;"), board.text.find("Qualification"));
    assert!(renamed.is_some_and(|r| first.is_some_and(|f| r < f)), "{}", board.text);
    let settings = page(&app, "/settings?tab=pipelines").await;
    assert!(settings.text.contains("value=\"Vendas\"") && settings.text.contains("value=\"30\""), "{}", settings.text);

    let refused = form(&format!("{base}/stages/{}/delete", stage(2)), &[]).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text.contains("1 deal (counting the trash) is in the stage &#34;Proposal&#34;"),
        "{}",
        refused.text
    );
    let bad = form(&format!("{base}/stages"), &[("name", "Demo"), ("probability", "lots"), ("kind", "open")]).await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let added = form(&format!("{base}/stages"), &[("name", "Demo"), ("probability", "60"), ("kind", "open")]).await;
    added.expect(StatusCode::OK);
    let after = app.get("/api/v1/pipelines", &app.admin_token).await;
    assert_eq!(after.body[0]["stages"][4]["name"], "Demo", "{}", after.text);

    let admin_id = app.admin.id.0.to_string();
    let renamed = form(&format!("/settings/users/{admin_id}/name"), &[("name", "Ana Admin")]).await;
    renamed.expect(StatusCode::OK);
    let blank = form("/profile/name", &[("name", "  ")]).await;
    blank.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.text.contains("Fill this in."), "{}", blank.text);
    form("/profile/name", &[("name", "Ana Souza")]).await;
    let me = app.get("/api/v1/auth/me", &app.admin_token).await;
    assert_eq!(me.body["name"], "Ana Souza");
    app.teardown().await;
}

/// A lead's page shows the contact its e-mail already has; the user links
/// to it or, as here, creates a new one, and opens a deal in one step.
#[tokio::test]
async fn a_lead_is_converted_on_its_page_linking_or_creating_as_the_user_chooses() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    let existing = app.create("contacts", &json!({"first_name": "Joana", "emails": ["joana@padaria.com.br"]})).await;
    let lead = app.create("leads", &json!({"first_name": "Joana", "last_name": "Prado", "email": "joana@padaria.com.br", "company_name": "Padaria Prado"})).await;
    let id = lead["id"].as_str().expect("an id");
    let lead_page = page(&app, &format!("/leads/{id}")).await;
    assert!(
        lead_page.text.contains(&format!("/contacts/{}", existing["id"].as_str().expect("id"))),
        "the found contact is named"
    );
    let csrf = csrf_of(&lead_page);
    let form = [
        ("_csrf", csrf.as_str()),
        ("contact", "new"),
        ("create_deal", "true"),
        ("deal_name", "Pães para eventos"),
        ("amount", "1.500,00"),
    ];
    let done = app.send(app.client.post(app.url(&format!("/leads/{id}/convert"))).form(&form)).await;
    done.expect(StatusCode::OK);
    assert!(done.text.contains("Joana Prado"), "the new contact's page follows");
    let deals = app.get("/api/v1/deals", &app.admin_token).await;
    assert_eq!(deals.body["items"][0]["amount_minor"], 150_000, "{}", deals.text);
    let contacts = app.get("/api/v1/contacts", &app.admin_token).await;
    assert_eq!(contacts.body["items"].as_array().map(Vec::len), Some(2), "a new contact beside the existing one");
    app.teardown().await;
}

/// A tab's open notification stream ends when the server stops, so that
/// shutdown does not wait out its grace period for it.
#[tokio::test]
async fn an_open_notification_stream_does_not_hold_up_shutdown() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    let stream = app.client.get(app.url("/events")).send().await.expect("the event stream");
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers().get("content-type").map(|v| v.to_str().unwrap_or_default()), Some("text/event-stream"));
    let started = std::time::Instant::now();
    app.teardown().await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "shutdown took {:?}", started.elapsed());
    drop(stream);
}

/// The week shows my meetings by their start and my tasks by their due
/// time, day by day; the next week is one link away.
#[tokio::test]
async fn the_week_shows_my_meetings_and_tasks_day_by_day() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    for (kind, field, at, subject) in [
        ("meeting", "starts_at", "2026-03-04T14:00:00Z", "Visita à fábrica"),
        ("task", "due_at", "2026-03-06T10:00:00Z", "Enviar proposta"),
        ("call", "due_at", "2026-03-10T10:00:00Z", "Ligar na outra semana"),
    ] {
        app.create("activities", &json!({"kind": kind, "subject": subject, field: at})).await;
    }
    let week = page(&app, "/activities/week").await;
    let (wednesday, friday) = (week.text.find("Visita à fábrica"), week.text.find("Enviar proposta"));
    assert!(wednesday.is_some() && friday.is_some() && wednesday < friday, "{}", week.text);
    assert!(!week.text.contains("Ligar na outra semana"));
    assert!(week.text.contains("14:00"));
    let next = page(&app, "/activities/week?start=2026-03-09").await;
    assert!(next.text.contains("Ligar na outra semana") && !next.text.contains("Enviar proposta"));
    app.teardown().await;
}

/// Ticked rows take a bulk action: a tag added and removed, given to a
/// colleague, moved to the trash; the list says how many changed.
#[tokio::test]
async fn ticked_rows_are_tagged_given_away_and_deleted_in_bulk() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    let mut ids: Vec<String> = Vec::new();
    for name in ["Ana", "Bia", "Caio"] {
        let created = app.create("contacts", &json!({"first_name": name})).await;
        ids.push(created["id"].as_str().expect("an id").to_owned());
    }
    let list = page(&app, "/contacts").await;
    assert!(list.text.contains(&format!("value=\"{}\" form=\"bulk\"", ids[0])), "a checkbox per row");
    let csrf = csrf_of(&list);
    let bulk = async |fields: &[(&str, &str)]| {
        let mut form =
            vec![("_csrf", csrf.as_str()), ("_back", "/contacts"), ("ids", ids[0].as_str()), ("ids", ids[1].as_str())];
        form.extend_from_slice(fields);
        app.send(app.client.post(app.url("/contacts/bulk")).form(&form)).await
    };
    let tagged = bulk(&[("action", "add_tag"), ("tag", "vip")]).await;
    assert!(tagged.text.contains("2 records changed"), "{}", tagged.text);
    for (i, id) in ids.iter().enumerate() {
        let stored = app.get(&format!("/api/v1/contacts/{id}"), &app.admin_token).await;
        assert_eq!(stored.body["tags"] == json!(["vip"]), i < 2, "{}", stored.text);
    }
    bulk(&[("action", "remove_tag"), ("tag", "vip")]).await;
    let stored = app.get(&format!("/api/v1/contacts/{}", ids[0]), &app.admin_token).await;
    assert_eq!(stored.body["tags"], json!([]));
    let (colleague, _) = app.user("Duda Colega", rapport_core::access::Role::Member).await;
    bulk(&[("action", "assign"), ("owner_id", &colleague.id.0.to_string())]).await;
    let stored = app.get(&format!("/api/v1/contacts/{}", ids[1]), &app.admin_token).await;
    assert_eq!(stored.body["owner_id"], colleague.id.0.to_string());
    let deleted = bulk(&[("action", "delete")]).await;
    assert!(deleted.text.contains("2 records changed"), "{}", deleted.text);
    let left = app.get("/api/v1/contacts", &app.admin_token).await;
    assert_eq!(left.body["items"].as_array().map(Vec::len), Some(1));
    app.teardown().await;
}

/// On the home page a task is done, or snoozed to tomorrow morning, in one
/// click each.
#[tokio::test]
async fn a_task_on_the_home_page_is_done_or_snoozed_in_place() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    let me = app.admin.id.0.to_string();
    // The test clock says 2026-03-02 09:00 UTC (the admin's zone).
    let late = app
        .create(
            "activities",
            &json!({"kind": "task", "subject": "Ligar para a Acme", "due_at": "2026-03-01T15:00:00Z", "owner_id": me}),
        )
        .await;
    let other = app
        .create(
            "activities",
            &json!({"kind": "task", "subject": "Mandar contrato", "due_at": "2026-03-01T16:00:00Z", "owner_id": me}),
        )
        .await;
    let home = page(&app, "/").await;
    assert!(home.text.contains("Ligar para a Acme") && home.text.contains("Mandar contrato"), "{}", home.text);
    let csrf = csrf_of(&home);
    let id = |record: &serde_json::Value| record["id"].as_str().expect("an id").to_owned();
    let snooze = [("_csrf", csrf.as_str()), ("_version", "1"), ("_back", "/"), ("due_at", "2026-03-03T09:00")];
    let after = app.send(app.client.post(app.url(&format!("/activities/{}", id(&late)))).form(&snooze)).await;
    after.expect(StatusCode::OK);
    assert!(!after.text.contains("Ligar para a Acme"), "snoozed off today's list");
    let stored = app.get(&format!("/api/v1/activities/{}", id(&late)), &app.admin_token).await;
    assert_eq!(stored.body["due_at"], "2026-03-03T09:00:00.000000Z");
    let done = [("_csrf", csrf.as_str()), ("_version", "1"), ("_back", "/"), ("done", "true")];
    let after = app.send(app.client.post(app.url(&format!("/activities/{}", id(&other)))).form(&done)).await;
    assert!(!after.text.contains("Mandar contrato"), "done, gone from the list");
    assert!(home.text.contains("2026-03-03T09:00"), "snooze goes to tomorrow at 9");
    app.teardown().await;
}

/// Lists: the user picks columns (a custom field too), sorts by a column
/// without losing the filter, saves the list as a view shared with the team,
/// and sets a field on ticked rows; the record page shows the custom field
/// and home remembers the record as recently viewed.
#[tokio::test]
async fn lists_show_chosen_columns_keep_views_and_set_a_field_in_bulk() {
    let app = spawn_app(Backend::Sqlite).await;
    sign_in(&app).await;
    let csrf = csrf_of(&page(&app, "/settings").await);
    let post = async |path: &str, fields: &[(&str, &str)]| {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let reply = app.send(app.client.post(app.url(path)).form(&form)).await;
        assert!(reply.status.is_success(), "{path}: {} {}", reply.status, reply.text);
        reply
    };
    post("/settings/fields", &[("kind", "contacts"), ("label", "Região"), ("key", "regiao"), ("field_type", "text")])
        .await;
    let ana = app
        .create(
            "contacts",
            &json!({"first_name": "Ana", "city": "Curitiba", "lifecycle_stage": "lead", "custom": {"regiao": "Sul"}}),
        )
        .await;
    let bia = app.create("contacts", &json!({"first_name": "Bia", "city": "Recife", "lifecycle_stage": "lead"})).await;
    let (ana, bia) = (ana["id"].as_str().expect("id").to_owned(), bia["id"].as_str().expect("id").to_owned());

    let list = page(&app, "/contacts").await;
    assert!(list.text.contains("<td>Lead</td>"), "the lifecycle stage is a default column");
    post("/contacts/columns", &[("_back", "/contacts"), ("col", "city"), ("col", "custom.regiao")]).await;
    let list = page(&app, "/contacts").await;
    assert!(list.text.contains("<td>Sul</td>") && list.text.contains("<td>Curitiba</td>"), "{}", list.text);
    assert!(!list.text.contains("<td>Lead</td>"), "a column not chosen is gone");

    let filtered = page(&app, "/contacts?f=city&op=eq&v=Curitiba").await;
    assert!(filtered.text.contains("Ana") && !filtered.text.contains(">Bia<"), "{}", filtered.text);
    let sort_link = filtered
        .text
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|href| href.contains("sort=city"))
        .expect("the city column sorts");
    assert!(sort_link.contains("Curitiba"), "sorting keeps the filter: {sort_link}");
    assert!(!filtered.text.contains("sort=custom.regiao"), "a custom field has no index to sort by");
    assert!(
        filtered.text.contains("href=\"/contacts/export.csv?filter%5Bcity%5D%5Beq%5D=Curitiba\""),
        "the export keeps the filter"
    );
    let exported = page(&app, "/contacts/export.csv?f=city&op=eq&v=Curitiba").await;
    assert!(exported.text.contains("Ana") && !exported.text.contains("Bia"), "{}", exported.text);

    let saved = post(
        "/contacts/views",
        &[
            ("name", "Curitibanos"),
            ("query", "filter%5Bcity%5D%5Beq%5D=Curitiba"),
            ("columns", "city,custom.regiao"),
            ("shared", "true"),
        ],
    )
    .await;
    assert!(saved.text.contains("aria-current=\"page\">Curitibanos"), "the new view is open: {}", saved.text);
    assert!(saved.text.contains("Ana") && !saved.text.contains(">Bia<"));
    let views = app.get("/api/v1/views?kind=contacts", &app.admin_token).await;
    views.expect(StatusCode::OK);
    assert_eq!(views.body[0]["name"], "Curitibanos", "{}", views.text);
    assert_eq!(views.body[0]["columns"], json!(["city", "custom.regiao"]));

    // A colleague sees the shared view but cannot delete it.
    let (colleague, token) = app.user("Duda Colega", rapport_core::access::Role::Member).await;
    let _ = colleague;
    let theirs = app.get("/api/v1/views?kind=contacts", &token).await;
    assert_eq!(theirs.body.as_array().map(Vec::len), Some(1), "{}", theirs.text);
    let view_id = views.body[0]["id"].as_str().expect("id").to_owned();
    app.send(app.request(Method::DELETE, &format!("/api/v1/views/{view_id}"), Some(&token)))
        .await
        .expect(StatusCode::FORBIDDEN);

    let bulk = async |fields: &[(&str, &str)]| {
        let mut form =
            vec![("_csrf", csrf.as_str()), ("_back", "/contacts"), ("ids", ana.as_str()), ("ids", bia.as_str())];
        form.extend_from_slice(fields);
        app.send(app.client.post(app.url("/contacts/bulk")).form(&form)).await
    };
    let set = bulk(&[("action", "set_field"), ("field", "lifecycle_stage"), ("value", "Customer")]).await;
    assert!(set.text.contains("2 records changed"), "{}", set.text);
    bulk(&[("action", "set_field"), ("field", "custom.regiao"), ("value", "Norte")]).await;
    for id in [&ana, &bia] {
        let stored = app.get(&format!("/api/v1/contacts/{id}"), &app.admin_token).await;
        assert_eq!(stored.body["lifecycle_stage"], "customer", "{}", stored.text);
        assert_eq!(stored.body["custom"]["regiao"], "Norte", "{}", stored.text);
    }

    let record = page(&app, &format!("/contacts/{ana}")).await;
    assert!(record.text.contains("Região") && record.text.contains("Norte"), "{}", record.text);
    let edit = page(&app, &format!("/contacts/{ana}/edit")).await;
    assert!(edit.text.contains("name=\"custom.regiao\" type=\"text\" value=\"Norte\""), "{}", edit.text);
    let home = page(&app, "/").await;
    let recent = home.text.split("id=\"recent-title\"").nth(1).expect("recently viewed");
    assert!(recent.contains(&format!("/contacts/{ana}")), "{recent}");
    app.teardown().await;
}

/// A notification reads in the language of the person it is for, whatever
/// language the job that made it ran in.
#[tokio::test]
async fn notifications_read_in_the_users_language() {
    let app = spawn_app(Backend::Sqlite).await;
    app.patch("/api/v1/auth/me", &app.admin_token, &json!({"locale": "pt-BR"})).await.expect(StatusCode::OK);
    let deal = app.create("deals", &json!({"name": "Frota Nova"})).await;
    let pipelines = app.get("/api/v1/pipelines", &app.admin_token).await;
    let stage = pipelines.body[0]["stages"][2]["id"].as_str().expect("a stage").to_owned();
    let (_, colleague) = app.user("Caio Colega", rapport_core::access::Role::Member).await;
    let path = format!("/api/v1/deals/{}", deal["id"].as_str().expect("an id"));
    app.patch(&path, &colleague, &json!({"stage_id": stage})).await.expect(StatusCode::OK);
    app.run_due_jobs().await;
    sign_in(&app).await;
    let stage_name = pipelines.body[0]["stages"][2]["name"].as_str().expect("a name");
    let wanted = format!("Seu negócio “Frota Nova” foi movido para “{stage_name}”");
    let list = page(&app, "/notifications").await;
    assert!(list.text.contains(&wanted), "{}", list.text);
    let home = page(&app, "/").await;
    assert!(home.text.contains(&wanted), "{}", home.text);
    app.teardown().await;
}
