//! The account's branding: checked, kept, changed by administrators only;
//! the logo stored as the image it is; a sample quote drawn with both.

use rapport_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, on_both_backends, spawn_app};

/// A `width` × 20 RGB PNG, made here.
fn png(width: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, 20);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("png header");
    writer.write_image_data(&vec![0x0f; (width * 20 * 3) as usize]).expect("png data");
    writer.finish().expect("png end");
    out
}

#[tokio::test]
async fn branding_is_checked_kept_and_changed_by_administrators_only() {
    on_both_backends("branding_is_checked_kept_and_changed_by_administrators_only", async |app| {
        let (_, member) = app.user("Rosa Vendas", Role::Member).await;
        let empty = app.get("/api/v1/branding", &member).await;
        empty.expect(StatusCode::OK);
        assert_eq!(empty.body["name"], "");

        let profile = json!({"name": " Açaí Comércio Ltda. ", "address": "Av. Paulista, 1578\nSão Paulo, SP",
            "website": "acai.example", "email": "Vendas@Acai.Example", "accent": "#0F766E",
            "quote_terms": "Pagamento em 30 dias."});
        let saved = app.put_json("/api/v1/branding", &app.admin_token, &profile).await;
        saved.expect(StatusCode::OK);
        assert_eq!(saved.body["name"], "Açaí Comércio Ltda.");
        assert_eq!(saved.body["website"], "https://acai.example");
        assert_eq!(saved.body["accent"], "#0f766e");
        assert_eq!(app.get("/api/v1/branding", &member).await.body, saved.body);

        app.put_json("/api/v1/branding", &member, &profile).await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let bad = app.put_json("/api/v1/branding", &app.admin_token, &json!({"accent": "teal", "email": "x@"})).await;
        bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(bad.has_field_error("accent", "invalid_colour"), "{}", bad.text);
        assert!(bad.has_field_error("email", "invalid_email"), "{}", bad.text);
        let unknown = app.put_json("/api/v1/branding", &app.admin_token, &json!({"slogan": "x"})).await;
        unknown.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.get("/api/v1/branding", &member).await.body, saved.body, "nothing changed");
    })
    .await;
}

#[tokio::test]
async fn a_logo_is_kept_as_the_image_it_is_and_what_is_not_one_is_refused() {
    on_both_backends("a_logo_is_kept_as_the_image_it_is_and_what_is_not_one_is_refused", async |app| {
        let put = |body: Vec<u8>, token: &str| {
            app.request(Method::PUT, "/api/v1/branding/logo", Some(token))
                .header("content-type", "image/png")
                .body(body)
        };
        app.send(app.request(Method::GET, "/api/v1/branding/logo", Some(&app.admin_token)))
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not_found");
        let logo = png(120);
        app.send(put(logo.clone(), &app.admin_token)).await.expect(StatusCode::NO_CONTENT);
        let (_, member) = app.user("Rosa Vendas", Role::Member).await;
        let served =
            app.request(Method::GET, "/api/v1/branding/logo", Some(&member)).send().await.expect("get the logo");
        assert_eq!(served.status(), StatusCode::OK);
        assert_eq!(served.headers()["content-type"], "image/png");
        assert_eq!(served.headers()["x-content-type-options"], "nosniff");
        assert_eq!(served.bytes().await.expect("bytes").to_vec(), logo);

        app.send(put(png(10), &member)).await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let gif = app.send(put(b"GIF89a\x01\x00\x01\x00".to_vec(), &app.admin_token)).await;
        assert!(gif.has_field_error("logo", "not_an_image"), "{}", gif.text);
        let svg = app.send(put(b"<svg onload=\"alert(1)\"/>".to_vec(), &app.admin_token)).await;
        assert!(svg.has_field_error("logo", "not_an_image"), "{}", svg.text);
        let mut truncated = png(50);
        truncated.truncate(60);
        let damaged = app.send(put(truncated, &app.admin_token)).await;
        assert!(damaged.has_field_error("logo", "damaged_image"), "{}", damaged.text);
        let huge = app.send(put(vec![0x89; 3 * 1024 * 1024], &app.admin_token)).await;
        assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", huge.text);
        let kept = app.request(Method::GET, "/api/v1/branding/logo", Some(&member)).send().await.expect("get");
        assert_eq!(kept.bytes().await.expect("bytes").to_vec(), logo, "refused uploads changed nothing");

        app.send(app.request(Method::DELETE, "/api/v1/branding/logo", Some(&app.admin_token)))
            .await
            .expect(StatusCode::NO_CONTENT);
        app.send(app.request(Method::GET, "/api/v1/branding/logo", Some(&member)))
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not_found");
    })
    .await;
}

/// The sample quote on Settings › Company is a real PDF with the branding,
/// the logo and sample lines, in the administrator's language.
#[tokio::test]
async fn the_sample_quote_is_a_pdf_with_the_branding_in_the_users_language() {
    let app = spawn_app(rapport_db::Backend::Sqlite).await;
    let profile = json!({"name": "Açaí Comércio Ltda.", "address": "Av. Paulista, 1578\nSão Paulo, SP",
        "tax_id": "CNPJ 12.345.678/0001-90", "quote_terms": "Pagamento em 30 dias."});
    app.put_json("/api/v1/branding", &app.admin_token, &profile).await.expect(StatusCode::OK);
    let logo = app.request(Method::PUT, "/api/v1/branding/logo", Some(&app.admin_token)).body(png(200));
    app.send(logo).await.expect(StatusCode::NO_CONTENT);
    app.patch("/api/v1/auth/me", &app.admin_token, &json!({"locale": "pt-BR"})).await.expect(StatusCode::OK);
    let form = [("email", "admin@rapport.test"), ("password", PASSWORD), ("next", "/")];
    app.send(app.client.post(app.url("/sign-in")).form(&form)).await;

    let page = app.send(app.client.get(app.url("/settings/company"))).await;
    page.expect(StatusCode::OK);
    assert!(page.text.contains("Açaí Comércio Ltda.") && page.text.contains("/settings/company/sample.pdf"));

    let response = app.client.get(app.url("/settings/company/sample.pdf")).send().await.expect("the sample");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.expect("bytes");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sample-quote.pdf");
    std::fs::write(&path, &pdf).expect("write the PDF");
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    let text = String::from_utf8(text.stdout).expect("UTF-8");
    for expected in
        ["Açaí Comércio Ltda.", "São Paulo, SP", "CNPJ 12.345.678/0001-90", "Pagamento em 30 dias.", "Total"]
    {
        assert!(text.contains(expected), "{expected:?} is missing from:\n{text}");
    }
    assert!(text.contains("Orçamento"), "the administrator reads Portuguese:\n{text}");
    app.teardown().await;
}
