//! The web UI in a real headless Chromium, driven through WebDriver
//! (`/usr/bin/chromedriver`, installed by `.ci/run` with Debian's
//! `chromium` and `chromium-driver`). One browser at a time. A failing step
//! leaves a screenshot under `target/screenshots/`; the run also writes
//! screenshots of the main screens there (at 1366 and 360 pixels wide).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rapport_core::access::Role;
use rapport_db::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};
use thirtyfour::prelude::*;

use crate::helpers::{PASSWORD, TestApp, spawn_app};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// One browser test at a time: two Chromiums on two cores make both slow.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn screenshots_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

fn dark() -> bool {
    std::env::var_os("RAPPORT_BROWSER_DARK").is_some()
}

pub struct Browser {
    pub driver: WebDriver,
    chromedriver: Child,
    base: String,
    test: &'static str,
}

/// Chromium is there, or the run says loudly that these tests were skipped
/// (CI installs it, so there they always run).
fn available(test: &str) -> bool {
    let found = std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{test}: CI must install chromium and chromium-driver");
        use std::io::Write;
        let _ =
            writeln!(std::io::stderr(), "SKIPPED {test}: install chromium and chromium-driver to run browser tests");
    }
    found
}

impl Browser {
    pub async fn start(base: &str, test: &'static str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let chromedriver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(CHROMIUM).expect("binary");
        for arg in
            ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=en-US"]
        {
            caps.add_arg(arg).expect("an argument");
        }
        let url = format!("http://127.0.0.1:{port}");
        let mut driver = None;
        for _ in 0..100 {
            match WebDriver::new(url.as_str(), caps.clone()).await {
                Ok(d) => {
                    driver = Some(d);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let driver = driver.expect("chromedriver answers");
        // `RAPPORT_BROWSER_DARK=1`: the same run in the dark theme, to look at.
        if dark() {
            let dark = json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]});
            driver.cdp().send_raw("Emulation.setEmulatedMedia", dark).await.expect("the dark theme");
        }
        std::fs::create_dir_all(screenshots_dir()).expect("a screenshots folder");
        Self { driver, chromedriver, base: base.to_owned(), test }
    }

    pub async fn open(&self, path: &str) {
        self.driver.goto(format!("{}{path}", self.base)).await.expect("open a page");
    }

    /// The element, waiting up to 10 s for it; a screenshot if it never comes.
    pub async fn el(&self, css: &str) -> WebElement {
        let found =
            self.driver.query(By::Css(css)).wait(Duration::from_secs(10), Duration::from_millis(50)).first().await;
        match found {
            Ok(element) => element,
            Err(error) => self.fail(&format!("no element {css}: {error}")).await,
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.el(css).await.text().await.expect("an element's text")
    }

    /// Waits until the page's text contains `wanted` (20 s at most: the
    /// whole test suite shares two cores with Chromium).
    pub async fn see(&self, wanted: &str) {
        if let Err(body) = self.seen_within(wanted, Duration::from_secs(20)).await {
            // What it said instead, to tell a slow page from a different one.
            self.fail(&format!("the page never said {wanted:?}; it said:\n{body}")).await
        }
    }

    /// Whether the page's text comes to contain `wanted` within `limit`; the
    /// last text read when it does not.
    pub async fn seen_within(&self, wanted: &str, limit: Duration) -> Result<(), String> {
        let started = std::time::Instant::now();
        let mut body = String::new();
        while started.elapsed() < limit {
            // A page being replaced has no body for a moment.
            body = match self.driver.find(By::Css("body")).await {
                Ok(body) => body.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if body.contains(wanted) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(body)
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.el(css).await;
        input.clear().await.expect("clear an input");
        input.send_keys(text).await.expect("type");
    }

    pub async fn click(&self, css: &str) {
        self.el(css).await.click().await.expect("click");
    }

    pub async fn sign_in(&self, email: &str) {
        self.open("/sign-in").await;
        self.fill("#email", email).await;
        self.fill("#password", PASSWORD).await;
        self.click("form button[type=submit]").await;
        self.el("nav.side").await;
    }

    pub async fn path(&self) -> String {
        let url = self.driver.current_url().await.expect("a URL");
        url.path().to_owned() + url.query().map(|q| format!("?{q}")).as_deref().unwrap_or("")
    }

    /// A screenshot in `target/screenshots/`; with `RAPPORT_UPDATE_SCREENSHOTS=1`
    /// also in `docs/screenshots/`, which the README shows.
    pub async fn shot(&self, name: &str) {
        let name = if dark() { format!("{name}-dark") } else { name.to_owned() };
        let path = screenshots_dir().join(format!("{name}.png"));
        self.driver.screenshot(&path).await.expect("a screenshot");
        if std::env::var_os("RAPPORT_UPDATE_SCREENSHOTS").is_some() {
            let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
            std::fs::create_dir_all(&docs).expect("a docs folder");
            std::fs::copy(&path, docs.join(format!("{name}.png"))).expect("copy a screenshot");
        }
    }

    /// A screenshot of the page as it is, then the test fails.
    pub async fn fail(&self, why: &str) -> ! {
        let name = format!("failed-{}", self.test);
        let _ = self.driver.screenshot(&screenshots_dir().join(format!("{name}.png"))).await;
        panic!("{}: {why} (screenshot target/screenshots/{name}.png)", self.test);
    }

    pub async fn width(&self, width: u32) {
        self.driver.set_window_rect(0, 0, width, 900).await.expect("resize");
    }

    pub async fn stop(mut self) {
        let _ = self.driver.quit().await;
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}

/// A signed-in browser on a fresh app (SQLite: the browser tests are about
/// pages; storage has its tests on both backends).
pub(crate) async fn signed_in(test: &'static str) -> Option<(TestApp, Browser, tokio::sync::MutexGuard<'static, ()>)> {
    if !available(test) {
        return None;
    }
    let guard = ONE_AT_A_TIME.lock().await;
    let app = spawn_app(Backend::Sqlite).await;
    let browser = Browser::start(&app.address, test).await;
    browser.sign_in("admin@rapport.test").await;
    Some((app, browser, guard))
}

#[tokio::test]
async fn first_run_setup_creates_the_administrator_in_the_browser() {
    let test = "first_run_setup";
    if !available(test) {
        return;
    }
    let _guard = ONE_AT_A_TIME.lock().await;
    let dir = std::env::temp_dir().join(format!("rapport-browser-{}", uuid::Uuid::now_v7()));
    let url = rapport_db::DatabaseUrl::Sqlite(dir.join("rapport.db"));
    let db = rapport_db::Database::open(&url).await.expect("open");
    let ctx = rapport_db::Ctx::new(db, std::sync::Arc::new(rapport_core::clock::SystemClock));
    let app = rapport_server::build(ctx, rapport_server::ServerConfig { run_worker: false, ..Default::default() })
        .await
        .expect("build");
    let token = app.setup_token().expect("a setup token before any user exists");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let server = tokio::spawn(app.run(listener, std::future::pending()));

    let browser = Browser::start(&base, test).await;
    browser.open(&format!("/setup?token={token}")).await;
    browser.shot("setup").await;
    browser.fill("#name", "Marina Costa").await;
    browser.fill("#email", "marina@empresa.com.br").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.see("Your account is ready").await;
    browser.fill("#email", "marina@empresa.com.br").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.see("Good to see you, Marina").await;
    // The token works once.
    browser.open(&format!("/setup?token={token}")).await;
    browser.see("no longer valid").await;
    browser.stop().await;
    server.abort();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_contact_is_fixed_in_place_found_by_search_and_the_palette_and_shown_as_text() {
    let Some((app, browser, _guard)) = signed_in("contact_flow").await else { return };
    browser.click("nav.side a[href='/contacts']").await;
    browser.see("Contacts are the people you sell to").await;
    browser.shot("contacts-empty").await;
    browser.click("main a[href='/contacts/new']").await;
    browser.fill("#f-first_name", "Ângela").await;
    browser.fill("#f-last_name", "Silva").await;
    browser.fill("#f-emails", "angela@").await;
    browser.fill("#f-city", "Curitiba").await;
    browser.click("form.record-form button[type=submit]").await;
    // The error is beside the field, and nothing typed is lost.
    let error = browser.text("#e-emails").await;
    assert!(error.contains("valid e-mail"), "{error}");
    assert_eq!(browser.el("#f-first_name").await.value().await.expect("a value").as_deref(), Some("Ângela"));
    browser.shot("contact-form-error").await;
    browser.fill("#f-emails", "angela.silva@example.com.br").await;
    browser.click("form.record-form button[type=submit]").await;
    browser.see("Ângela Silva").await;
    assert!(browser.path().await.starts_with("/contacts/"), "{}", browser.path().await);
    browser.shot("contact-page").await;

    // Global search: `/` focuses it; results come as one types.
    browser.open("/contacts").await;
    browser.el("body").await.send_keys("/").await.expect("a key");
    browser.driver.active_element().await.expect("focus").send_keys("angela").await.expect("type");
    let hit = browser.el("[data-suggestions] a").await;
    assert!(hit.text().await.expect("text").contains("Ângela Silva"));
    assert!(hit.text().await.expect("text").contains("Curitiba"), "a second line tells namesakes apart");
    hit.click().await.expect("open the hit");
    // The suggestion itself says Curitiba: wait for the record's page.
    browser.el("article.record").await;

    // The command palette: its commands filter as one types.
    browser.el("body").await.send_keys(Key::Control + "k").await.expect("Ctrl+K");
    let palette = browser.el("dialog.palette input").await;
    palette.send_keys("new con").await.expect("type");
    browser.see("New Contact").await;
    browser.shot("palette").await;
    palette.send_keys(Key::Enter).await.expect("enter");
    browser.el("form.record-form").await;

    // A name that is markup stays text.
    let created =
        app.create("contacts", &json!({"first_name": "<script>alert(1)</script>", "last_name": "<b>X</b>"})).await;
    browser.open("/contacts").await;
    browser.see("<script>alert(1)</script> <b>X</b>").await;
    browser.open(&format!("/contacts/{}", created["id"].as_str().expect("an id"))).await;
    assert_eq!(browser.text("h1").await, "<script>alert(1)</script> <b>X</b>");
    assert!(browser.driver.get_alert_text().await.is_err(), "an alert opened");
    browser.shot("contacts-list").await;
    browser.width(360).await;
    browser.open("/contacts").await;
    browser.shot("contacts-list-phone").await;
    browser.stop().await;
    app.teardown().await;
}

/// Deals in the default pipeline's first stage, created through the API.
async fn deals(app: &TestApp, names: &[(&str, i64)]) -> Vec<Value> {
    let mut out = Vec::new();
    for (name, amount) in names {
        out.push(app.create("deals", &json!({"name": name, "amount_minor": amount, "currency": "BRL"})).await);
    }
    out
}

#[tokio::test]
async fn a_deal_moves_on_the_board_and_a_lost_stage_asks_why() {
    let Some((app, browser, _guard)) = signed_in("board").await else { return };
    let created = deals(&app, &[("Rollout Acme", 123_456), ("Licenças Beta", 990_000)]).await;
    let pipelines = app.get("/api/v1/pipelines", &app.admin_token).await;
    let stages = pipelines.body[0]["stages"].as_array().expect("stages").clone();
    let lost =
        stages.iter().find(|s| s["is_lost"] == true).expect("a lost stage")["id"].as_str().expect("id").to_owned();
    let second = stages[1]["id"].as_str().expect("id").to_owned();
    browser.click("nav.side a[href='/deals/board']").await;
    browser.see("Rollout Acme").await;
    browser.see("2 deals").await;
    browser.shot("deal-board").await;

    // By keyboard: the same move a drop makes.
    let id = created[0]["id"].as_str().expect("an id");
    let card = browser.el(&format!("[data-card='{id}']")).await;
    card.send_keys(Key::Right).await.expect("move right");
    browser.el(&format!("[data-column='{second}'] [data-card='{id}']")).await;
    browser.see("1 deal").await;
    browser.driver.refresh().await.expect("reload");
    browser.el(&format!("[data-column='{second}'] [data-card='{id}']")).await;
    let stored = app.get(&format!("/api/v1/deals/{id}"), &app.admin_token).await;
    assert_eq!(stored.body["stage_id"], second.as_str());

    // By drag and drop, onto the lost stage: the reason is asked first.
    let other = created[1]["id"].as_str().expect("an id");
    let drag = r#"
        const [card, column] = [document.querySelector(arguments[0]), document.querySelector(arguments[1])];
        const data = new DataTransfer();
        card.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: data}));
        column.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: data}));
        column.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: data}));
        card.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: data}));
    "#;
    let args = vec![json!(format!("[data-card='{other}']")), json!(format!("[data-column='{lost}']"))];
    browser.driver.execute(drag, args).await.expect("drag a card");
    browser.fill("[data-lost-dialog] textarea", "Preço acima do orçamento").await;
    browser.shot("deal-board-lost-reason").await;
    browser.click("[data-lost-dialog] button[value=ok]").await;
    browser.el(&format!("[data-column='{lost}'] [data-card='{other}']")).await;
    browser.driver.refresh().await.expect("reload");
    browser.el(&format!("[data-column='{lost}'] [data-card='{other}']")).await;
    let stored = app.get(&format!("/api/v1/deals/{other}"), &app.admin_token).await;
    assert_eq!(
        (stored.body["status"].as_str(), stored.body["lost_reason"].as_str()),
        (Some("lost"), Some("Preço acima do orçamento"))
    );
    browser.stop().await;
    app.teardown().await;
}

#[tokio::test]
async fn a_call_is_logged_on_the_timeline_and_a_concurrent_edit_is_shown_not_overwritten() {
    let Some((app, browser, _guard)) = signed_in("timeline_conflict").await else { return };
    let company = app.create("companies", &json!({"name": "Acme Ltda", "domain": "acme.com.br"})).await;
    let id = company["id"].as_str().expect("an id").to_owned();
    browser.open(&format!("/companies/{id}")).await;
    browser.fill("#c-subject", "Called about the renewal").await;
    browser.fill("#c-body", "They want a quote by Friday.").await;
    browser.click("form.composer button[type=submit]").await;
    browser.see("Called about the renewal").await;
    browser.see("They want a quote by Friday.").await;
    browser.shot("company-page").await;

    browser.open(&format!("/companies/{id}/edit")).await;
    browser.fill("#f-industry", "Retail").await;
    // Someone else saves first.
    let theirs =
        app.patch(&format!("/api/v1/companies/{id}"), &app.admin_token, &json!({"industry": "Logistics"})).await;
    theirs.expect(StatusCode::OK);
    browser.click("form.record-form button[type=submit]").await;
    browser.see("Someone else changed this record").await;
    browser.see("Logistics").await;
    assert_eq!(browser.el("#f-industry").await.value().await.expect("a value").as_deref(), Some("Retail"));
    browser.shot("edit-conflict").await;
    browser.click("form.record-form button[type=submit]").await;
    browser.see("Retail").await;
    let stored = app.get(&format!("/api/v1/companies/{id}"), &app.admin_token).await;
    assert_eq!(stored.body["industry"], "Retail", "saved again on purpose, at their version");
    browser.stop().await;
    app.teardown().await;
}

#[tokio::test]
async fn a_deal_moved_by_a_colleague_shows_live_without_a_reload() {
    let Some((app, browser, _guard)) = signed_in("live_notification").await else { return };
    let created = deals(&app, &[("Contrato Anual", 500_000)]).await;
    let id = created[0]["id"].as_str().expect("an id");
    let pipelines = app.get("/api/v1/pipelines", &app.admin_token).await;
    let next = pipelines.body[0]["stages"][1]["id"].as_str().expect("a stage").to_owned();
    browser.open("/").await;
    browser.el("[data-unread]").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, colleague) = app.user("Caio Colega", Role::Member).await;
    app.patch(&format!("/api/v1/deals/{id}"), &colleague, &json!({"stage_id": next})).await.expect(StatusCode::OK);
    app.run_due_jobs().await;
    let toast = browser.el(".toast").await;
    assert!(toast.text().await.expect("text").contains("Contrato Anual"));
    assert_eq!(browser.text("[data-unread]").await, "1");
    browser.shot("live-notification").await;
    browser.stop().await;
    app.teardown().await;
}

#[tokio::test]
async fn portuguese_menus_and_brazilian_money_and_dates() {
    let Some((app, browser, _guard)) = signed_in("portuguese").await else { return };
    deals(&app, &[("Projeto Ipanema", 123_456)]).await;
    browser.click("details.menu summary").await;
    let select = browser.el("#menu-locale").await;
    select.send_keys("Português").await.expect("choose");
    browser.see("Contatos").await;
    browser.open("/deals/board").await;
    browser.see("R$ 1.234,56").await;
    browser.shot("deal-board-pt-BR").await;
    app.create(
        "activities",
        &json!({"kind": "meeting", "subject": "Visita à fábrica", "starts_at": "2026-03-04T14:00:00Z"}),
    )
    .await;
    browser.open("/activities/week").await;
    browser.see("Visita à fábrica").await;
    browser.see("Qua 04/03/2026").await;
    browser.shot("week-pt-BR").await;
    browser.open("/").await;
    browser.see("Meu dia").await;
    browser.shot("home-pt-BR").await;
    browser.width(360).await;
    browser.shot("home-pt-BR-phone").await;
    browser.open("/imports").await;
    browser.see("Importações").await;
    browser.shot("imports-pt-BR-phone").await;
    browser.width(1366).await;
    browser.open("/contacts").await;
    browser.click("details.export-menu summary").await;
    browser.see("Excel (.xlsx)").await;
    browser.shot("export-menu-pt-BR").await;
    browser.stop().await;
    app.teardown().await;
}

#[tokio::test]
async fn a_member_cannot_open_another_teams_private_record_by_its_address() {
    let Some((app, browser, _guard)) = signed_in("private_record").await else { return };
    let mut settings = app.get("/api/v1/settings", &app.admin_token).await.body;
    settings["visibility"]["contact"] = json!("private");
    app.put_json("/api/v1/settings", &app.admin_token, &settings).await.expect(StatusCode::OK);
    let secret = app.create("contacts", &json!({"first_name": "Segredo", "last_name": "Admin"})).await;
    let (_member, _) = app.user("Mara Member", Role::Member).await;
    browser.open(&format!("/contacts/{}", secret["id"].as_str().expect("an id"))).await;
    browser.see("Segredo").await;
    browser.el("details.menu summary").await.click().await.expect("menu");
    browser.click("form[action='/sign-out'] button").await;
    browser.el("#email").await;
    browser.sign_in("mara.member@rapport.test").await;
    browser.open(&format!("/contacts/{}", secret["id"].as_str().expect("an id"))).await;
    browser.see("does not exist, or you cannot see it").await;
    let body = browser.text("main").await;
    assert!(!body.contains("Segredo"), "{body}");
    browser.stop().await;
    app.teardown().await;
}

/// A list saved as a shared view with chosen columns, and a field of a
/// contact changed in place on its page.
#[tokio::test]
async fn a_list_becomes_a_view_and_a_field_is_edited_in_place() {
    let Some((app, browser, _guard)) = signed_in("views_inline_edit").await else { return };
    let definition = json!({"record_type": "contact", "key": "regiao", "label": "Região", "field_type": "text"});
    app.send(app.request(reqwest::Method::POST, "/api/v1/custom-fields", Some(&app.admin_token)).json(&definition))
        .await
        .expect(StatusCode::CREATED);
    for (name, city, region) in [("Ana Souza", "Curitiba", "Sul"), ("Bruno Lima", "Recife", "Nordeste")] {
        let (first, last) = name.split_once(' ').expect("two names");
        let input = json!({"first_name": first, "last_name": last, "city": city, "custom": {"regiao": region}});
        app.create("contacts", &input).await;
    }
    browser.open("/contacts?f=city&op=eq&v=Curitiba").await;
    browser.click("nav.views details.list-menu:nth-of-type(2) > summary").await;
    browser.click("input[name=col][value='custom.regiao']").await;
    browser.shot("contacts-columns").await;
    browser.click("nav.views details.list-menu:nth-of-type(2) button.primary").await;
    browser.see("Sul").await;
    browser.click("nav.views details.list-menu:nth-of-type(1) > summary").await;
    browser.fill("#view-name", "Curitibanos").await;
    browser.click("nav.views details.list-menu:nth-of-type(1) input[name=shared]").await;
    browser.click("nav.views details.list-menu:nth-of-type(1) button.primary").await;
    let current = browser.text("nav.views a[aria-current]").await;
    assert!(current.starts_with("Curitibanos") && current.contains("shared"), "{current}");
    assert!(!browser.text("table.records").await.contains("Bruno"), "the view keeps its filter");
    browser.shot("contacts-view").await;

    browser.click("table.records tbody a").await;
    browser.see("Ana Souza").await;
    browser.click("details.inline-edit:has(#f-city) > summary").await;
    browser.fill("#f-city", "Londrina").await;
    browser.shot("contact-inline-edit").await;
    browser.click("details.inline-edit:has(#f-city) button[type=submit]").await;
    browser.see("Londrina").await;
    let stored = app.get("/api/v1/contacts?filter[city][eq]=Londrina", &app.admin_token).await;
    assert_eq!(stored.body["items"][0]["custom"]["regiao"], "Sul", "the other fields are as they were");
    browser.stop().await;
    app.teardown().await;
}

#[tokio::test]
async fn a_spreadsheet_is_mapped_previewed_and_imported_in_the_wizard() {
    let Some((app, browser, _guard)) = signed_in("import_wizard").await else { return };
    app.create("contacts", &json!({"first_name": "Old", "emails": ["carla@example.com"]})).await;
    let file = std::env::temp_dir().join(format!("rapport-wizard-{}.csv", uuid::Uuid::now_v7().simple()));
    std::fs::write(
        &file,
        "Nome;Sobrenome;E-mail;Cidade;Nascimento\n\
         Ana;Souza;ana@example.com;Curitiba;25/12/1990\n\
         Bruno;Lima;bruno@;Recife;01/02/1985\n\
         Carla;Dias;carla@example.com;Natal;\n\
         Davi;Rocha;davi@example.com;Salvador;03/04/1979\n",
    )
    .expect("write the file");
    browser.open("/contacts").await;
    browser.click("a[href='/imports?kind=contacts']").await;
    browser.el("input[type=file]").await.send_keys(file.to_string_lossy()).await.expect("choose the file");
    browser.click("form[enctype] button[type=submit]").await;
    browser.see("Columns").await;
    let birth = browser.el("#map-4").await;
    thirtyfour::components::SelectElement::new(&birth)
        .await
        .expect("a select")
        .select_by_value("birth_date")
        .await
        .expect("choose a field");
    browser.click("button[name=preview]").await;
    browser.see("Has errors").await;
    let preview = browser.text("table.preview").await;
    assert!(preview.contains("Will be created") && preview.contains("Duplicate"), "{preview}");
    browser.shot("import-mapping").await;
    browser.width(360).await;
    browser.shot("import-mapping-phone").await;
    browser.width(1366).await;
    browser.click("button[name=start]").await;
    browser.see("Progress").await;
    assert_eq!(app.run_imports().await, 1);
    // The page follows the import and shows its outcome.
    browser.see("Done").await;
    browser.see("Rows left out").await;
    let counts = browser.text(".import-counts").await;
    assert!(counts.contains('4') && counts.contains('2'), "{counts}");
    browser.shot("import-done").await;
    browser.click("a[href='/contacts']").await;
    browser.see("Davi").await;
    std::fs::remove_file(&file).ok();
    browser.stop().await;
    app.teardown().await;
}

/// A 32×32 PNG avatar made for these tests (a real image the browser draws).
const AVATAR_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAIAAAD8GO2jAAAApElEQVR42u3WKxKAMAxF0eyL3bEwVoJCIVEIFALBTJqElw+IDjOR7T2qH1rW7dUhZNEw7uJkAa3rkihftw3Kp22GCuuiQbX11vgQqKozg8D6MU9sQAMC2jpioIBWfzRuIFxHDAtA6rbxA1mg5Lj1ATDDdR8Y6+WT7K0buwQgVtf2Ctd1uM4M4bq+pgqQH5xkXTO6BDIfLwcQ+zr6gMDnNwjg00ZODaF5U55jevYAAAAASUVORK5CYII=";

/// A vCard file with a photo is imported on the import page (the report),
/// the contact shows its photo, and an administrator erases the contact
/// after typing its name (a wrong name is refused beside the field); the
/// profile's calendar feed link is made.
#[tokio::test]
async fn a_contact_from_a_vcard_is_erased_after_its_name_is_typed() {
    let Some((app, browser, _guard)) = signed_in("erase_flow").await else { return };
    let file = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Quixadá;Joana;;;\r\nEMAIL:joana@example.com.br\r\nTEL;TYPE=CELL:+55 85 99999-0000\r\n\
        ADR;TYPE=HOME:;;Rua do Sol\\, 10;Fortaleza;CE;60000-000;BR\r\nADR;TYPE=WORK:;;Av. Beira Mar\\, 200;Fortaleza;CE;;BR\r\n\
        ORG:Padaria Pão Quente\r\nPHOTO;ENCODING=b;TYPE=PNG:{AVATAR_PNG}\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sem Email\r\nEMAIL:broken\r\nEND:VCARD\r\n"
    );
    let path = std::env::temp_dir().join(format!("rapport-{}.vcf", uuid::Uuid::now_v7()));
    std::fs::write(&path, file).expect("a fixture");
    browser.open("/imports").await;
    browser.el("#i-file").await.send_keys(path.to_string_lossy()).await.expect("choose the file");
    browser.click("form[action='/imports'] button[type=submit]").await;
    browser.see("1 created, 0 skipped, 1 rejected").await;
    browser.shot("vcard-import-report").await;
    let _ = std::fs::remove_file(&path);

    browser.click("table.records a[href^='/contacts/']").await;
    browser.see("Joana Quixadá").await;
    browser.el("img.record-photo").await;
    browser.shot("contact-with-photo").await;
    let id = browser.path().await.trim_start_matches("/contacts/").to_owned();

    browser.click(&format!("a[href='/contacts/{id}/erase']")).await;
    browser.see("What erasing does").await;
    browser.shot("erase-confirm").await;
    browser.width(360).await;
    browser.shot("erase-confirm-360").await;
    browser.width(1366).await;
    browser.fill("#confirm-name", "Joana").await;
    browser.click("form[action$='/erase'] button.danger").await;
    browser.see("does not match").await;
    browser.shot("erase-wrong-name").await;
    browser.fill("#confirm-name", "joana quixadá").await;
    browser.click("form[action$='/erase'] button.danger").await;
    browser.see("Erased contact").await;
    let page = browser.text("main").await;
    assert!(!page.contains("Quixadá") && !page.contains("joana@example.com.br"), "{page}");
    assert!(page.contains("erased the personal data"), "{page}");
    browser.shot("contact-erased").await;

    browser.open("/profile").await;
    browser.click("form[action='/profile/calendar'] button").await;
    browser.see("shown only once").await;
    browser.shot("profile-calendar").await;
    browser.stop().await;
    app.teardown().await;
}

#[tokio::test]
async fn a_filtered_list_is_exported_to_excel_in_the_background() {
    let Some((app, browser, _guard)) = signed_in("export_xlsx").await else { return };
    app.create("contacts", &json!({"first_name": "Ana", "city": "Recife"})).await;
    app.create("contacts", &json!({"first_name": "Bruno", "city": "Natal"})).await;
    browser.open("/contacts?filter%5Bcity%5D%5Beq%5D=Recife").await;
    browser.click("details.export-menu summary").await;
    browser.shot("export-menu").await;
    browser.click("details.export-menu button[value=xlsx]").await;
    browser.see("Export").await;
    assert_eq!(app.run_exports().await, 1);
    // The page reloads itself until the file is ready.
    browser.see("Ready: 1 records").await;
    let link = browser.el("a[href$='/file']").await.attr("href").await.expect("an href").expect("a link");
    let id: uuid::Uuid = link.trim_start_matches("/exports/").trim_end_matches("/file").parse().expect("an export id");
    let admin = rapport_db::users::actor(app.ctx.db.conn(), app.admin.id, rapport_core::access::Scope::Read)
        .await
        .expect("load")
        .expect("the administrator");
    let (export, file) = rapport_db::exports::file(&app.ctx, &admin, id).await.expect("the file");
    assert!(export.file_name.ends_with(".xlsx") && file.starts_with(b"PK"), "{}", export.file_name);
    browser.shot("export-done").await;
    browser.stop().await;
    app.teardown().await;
}

#[tokio::test]
async fn a_new_contact_warns_of_its_duplicate_which_is_merged_field_by_field_and_the_merge_undone() {
    let Some((app, browser, _guard)) = signed_in("merge_screen").await else { return };
    let older = app
        .create(
            "contacts",
            &json!({"first_name": "Ana", "last_name": "Souza", "emails": ["ana.souza@acme.com.br"], "job_title": "Compradora", "city": "Curitiba"}),
        )
        .await;
    let older_id = older["id"].as_str().expect("an id").to_owned();
    browser.open("/contacts/new").await;
    browser.fill("#f-first_name", "Anna").await;
    browser.fill("#f-last_name", "Souza").await;
    browser.fill("#f-emails", "Ana.Souza@acme.com.br").await;
    browser.fill("#f-job_title", "Diretora de compras").await;
    browser.click("form.record-form button[type=submit]").await;
    browser.see("looks like records you already have").await;
    browser.see("same e-mail").await;
    browser.shot("duplicate-warning").await;

    browser.click(".duplicates a.button").await;
    browser.see("Merge two records").await;
    browser.shot("merge-screen").await;
    browser.width(360).await;
    browser.shot("merge-screen-phone").await;
    browser.width(1366).await;
    // The older record (on the left) stays and takes the new job title;
    // the new one has no city, so the older's stays.
    assert!(browser.el("input[name='survivor'][value='a']").await.is_selected().await.expect("a radio"));
    browser.click("input[name='field.job_title'][value='b']").await;
    browser.click("form.merge button[type=submit]").await;
    browser.see("Records merged.").await;
    assert!(browser.path().await.starts_with(&format!("/contacts/{older_id}?merged=")), "{}", browser.path().await);
    browser.see("Diretora de compras").await;
    browser.see("Ana Souza").await;
    browser.shot("merge-done").await;
    let contacts = app.get("/api/v1/contacts", &app.admin_token).await;
    assert_eq!(contacts.body["items"].as_array().map(Vec::len), Some(1), "{}", contacts.text);

    browser.click(".merged-notice button[type=submit]").await;
    browser.see("The merge was undone").await;
    browser.see("Compradora").await;
    let contacts = app.get("/api/v1/contacts", &app.admin_token).await;
    assert_eq!(contacts.body["items"].as_array().map(Vec::len), Some(2), "{}", contacts.text);

    // The review list, filled by a scan, has the pair again; "Not a duplicate" empties it.
    app.post_json("/api/v1/contacts/duplicates/scan", &app.admin_token, &json!({})).await.expect(StatusCode::ACCEPTED);
    app.run_due_jobs().await;
    browser.open("/contacts").await;
    browser.click("main a[href='/contacts/duplicates']").await;
    browser.see("Possible duplicates: Contacts").await;
    browser.see("same e-mail").await;
    browser.shot("duplicates-review").await;
    browser.click("table.dup-pairs button.link").await;
    browser.see("No possible duplicates found").await;
    browser.stop().await;
    app.teardown().await;
}
