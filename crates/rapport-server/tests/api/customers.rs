//! Customer value through the API: nothing before the first refresh, a
//! refresh only administrators may ask for, then the stored figures and the
//! segment lists with each caller's visibility.

use rapport_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, on_both_backends, spawn_app};

#[tokio::test]
async fn customer_value_is_stored_by_a_refresh_admins_ask_for_and_lists_by_segment() {
    on_both_backends("customers api", async |app| {
        let (_, member_token) = app.user("Bia Souza", Role::Member).await;
        let before = app.get("/api/v1/analytics/customers", &app.admin_token).await;
        before.expect(StatusCode::OK);
        assert_eq!((before.body["refreshed"].as_bool(), before.body["analysis"].is_null()), (Some(false), true));

        let acme = app.create("companies", &json!({"name": "Acme"})).await;
        let ana = app.create("contacts", &json!({"first_name": "Ana", "last_name": "Lima"})).await;
        let line = |amount: i64| json!([{"description": "Item", "quantity_milli": 1000, "unit_price_minor": amount}]);
        for (customer, day, amount) in [
            (json!({"company_id": acme["id"]}), "2026-01-10", 10_000),
            (json!({"company_id": acme["id"]}), "2026-02-25", 30_000),
            (json!({"contact_id": ana["id"]}), "2026-02-20", 5_000),
        ] {
            let mut order = json!({"currency": "BRL", "ordered_at": format!("{day}T12:00:00Z"), "lines": line(amount)});
            order.as_object_mut().expect("an object").extend(customer.as_object().expect("an object").clone());
            app.create("orders", &order).await;
        }
        let dollars = json!({"currency": "USD", "contact_id": ana["id"], "ordered_at": "2026-02-21T12:00:00Z", "lines": line(900)});
        app.create("orders", &dollars).await;

        app.send(app.request(Method::POST, "/api/v1/analytics/refresh", Some(&member_token)))
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
        let queued = app.send(app.request(Method::POST, "/api/v1/analytics/refresh", Some(&app.admin_token))).await;
        queued.expect(StatusCode::ACCEPTED);
        assert_eq!(queued.body["queued"], true);
        assert!(app.run_due_jobs().await >= 1);

        let after = app.get("/api/v1/analytics/customers", &member_token).await;
        after.expect(StatusCode::OK);
        let analysis = &after.body["analysis"];
        assert_eq!(after.body["refreshed"], true);
        assert_eq!((analysis["customers"].as_u64(), analysis["purchases"].as_u64()), (Some(2), Some(3)));
        assert_eq!((analysis["revenue_minor"].as_i64(), analysis["currency"].as_str()), (Some(45_000), Some("BRL")));
        assert_eq!(analysis["repeat_purchase_rate"].as_f64(), Some(0.5));
        assert_eq!(analysis["left_out"]["other_currency_orders"], 1);
        assert_eq!((analysis["clv"]["status"].as_str(), analysis["clv"]["code"].as_str()), (Some("failed"), Some("not_enough_data")));
        let segments = analysis["segments"].as_array().expect("segments");
        assert_eq!(segments.len(), 11);
        assert_eq!(segments.iter().filter_map(|s| s["customers"].as_u64()).sum::<u64>(), 2);

        // Acme bought later, more often and more: loyal (scores 4/4/4 of two).
        let loyal = app.get("/api/v1/analytics/customers/segments/loyal", &app.admin_token).await;
        loyal.expect(StatusCode::OK);
        let items = loyal.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1);
        assert_eq!((items[0]["name"].as_str(), items[0]["customer_type"].as_str()), (Some("Acme"), Some("company")));
        assert_eq!((items[0]["purchases"].as_u64(), items[0]["total_minor"].as_i64()), (Some(2), Some(40_000)));
        assert!(loyal.body["next_cursor"].is_null());
        app.get("/api/v1/analytics/customers/segments/favourites", &app.admin_token)
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not_found");
    })
    .await;
}

/// A company and 29 contacts with 1 to 5 purchases each over the six months
/// before the tests' clock, and the figures refreshed: enough customers for
/// a lifetime-value model.
pub async fn thirty_customers(app: &crate::helpers::TestApp) {
    let line = |amount: i64| json!([{"description": "Item", "quantity_milli": 1000, "unit_price_minor": amount}]);
    let acme = app.create("companies", &json!({"name": "Acme Ltda"})).await;
    for i in 0..30u32 {
        let customer = if i == 0 {
            json!({"company_id": acme["id"]})
        } else {
            let contact =
                app.create("contacts", &json!({"first_name": format!("Cliente {i:02}"), "last_name": "Silva"})).await;
            json!({"contact_id": contact["id"]})
        };
        for k in 0..(1 + i % 5) {
            // September 2025 to February 2026, before the tests' clock (2 March).
            let index = (i + 2 * k) % 6;
            let (year, month) = if index < 4 { (2025, 9 + index) } else { (2026, index - 3) };
            let day = 1 + (i * 7 + k * 3) % 27;
            let amount = 2_000 + i64::from(i) * 300 + i64::from(k) * 450;
            let mut order = json!({"currency": "BRL", "ordered_at": format!("{year}-{month:02}-{day:02}T12:00:00Z"), "lines": line(amount)});
            order.as_object_mut().expect("an object").extend(customer.as_object().expect("an object").clone());
            app.create("orders", &order).await;
        }
    }
    rapport_db::analytics::customers::refresh(&app.ctx).await.expect("refresh");
}

#[tokio::test]
async fn a_segments_csv_lists_its_customers_and_refreshing_from_the_page_needs_the_csrf_token() {
    let app = spawn_app(rapport_db::Backend::Sqlite).await;
    let form = [("email", "admin@rapport.test"), ("password", PASSWORD), ("next", "/")];
    let signed_in = app.send(app.client.post(app.url("/sign-in")).form(&form)).await;
    assert!(signed_in.status.is_success() || signed_in.status.is_redirection(), "{}", signed_in.status);
    thirty_customers(&app).await;

    let summary = app.get("/api/v1/analytics/customers", &app.admin_token).await;
    let segments = summary.body["analysis"]["segments"].as_array().expect("segments").clone();
    let (key, customers) = segments
        .iter()
        .filter_map(|s| Some((s["segment"].as_str()?.to_owned(), s["customers"].as_u64()?)))
        .max_by_key(|(_, n)| *n)
        .expect("a segment");
    assert!(customers > 0);
    let csv = app.send(app.client.get(app.url(&format!("/analytics/customers/segments/{key}/csv")))).await;
    csv.expect(StatusCode::OK);
    assert!(csv.header("content-type").is_some_and(|t| t.starts_with("text/csv")));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert!(lines[0].starts_with("customer_type,customer_id,name,segment,"), "{}", lines[0]);
    assert_eq!(lines.len() as u64, customers + 1, "a header and one line per customer");
    assert!(lines[1..].iter().all(|l| l.contains(&format!(",{key},"))));

    let page = app.send(app.client.get(app.url(&format!("/analytics/customers/segments/{key}")))).await;
    page.expect(StatusCode::OK);
    assert_eq!(page.text.matches("<tr><th scope=\"row\"><a href=\"/").count() as u64, customers.min(50));
    app.send(app.client.get(app.url("/analytics/customers/segments/favourites"))).await.expect(StatusCode::NOT_FOUND);
    // A form without the session's token is refused.
    app.send(app.client.post(app.url("/analytics/customers/refresh")).form(&[("x", "1")]))
        .await
        .expect(StatusCode::FORBIDDEN);
    app.teardown().await;
}

#[tokio::test]
async fn a_persona_is_saved_as_a_segment_with_the_form_the_page_shows() {
    let app = spawn_app(rapport_db::Backend::Sqlite).await;
    let form = [("email", "admin@rapport.test"), ("password", PASSWORD), ("next", "/")];
    let signed_in = app.send(app.client.post(app.url("/sign-in")).form(&form)).await;
    assert!(signed_in.status.is_success() || signed_in.status.is_redirection(), "{}", signed_in.status);
    thirty_customers(&app).await;

    let page = app
        .send(
            app.client
                .get(app.url("/analytics/personas?features=recency_days&features=purchases&features=total_minor&k=2")),
        )
        .await;
    page.expect(StatusCode::OK);
    // The first card's save form, posted as a browser would, field for field.
    let start = page.text.find("action=\"/analytics/personas/save\"").expect("a save form");
    let form = &page.text[start..start + page.text[start..].find("</form>").expect("the form's end")];
    let fields: Vec<(String, String)> = form
        .split("<input ")
        .skip(1)
        .filter_map(|input| {
            let attr = |name: &str| input.split(&format!("{name}=\"")).nth(1)?.split('"').next().map(str::to_owned);
            Some((attr("name")?, attr("value").unwrap_or_default()))
        })
        .collect();
    assert!(fields.iter().any(|(name, _)| name == "_csrf"), "{fields:?}");
    let saved = app
        .send(
            app.client
                .post(app.url("/analytics/personas/save"))
                .body(serde_urlencoded::to_string(&fields).expect("a form"))
                .header("content-type", "application/x-www-form-urlencoded"),
        )
        .await;
    saved.expect(StatusCode::OK);
    assert!(saved.text.contains("<h1"), "the saved segment's page: {}", saved.text);
    app.teardown().await;
}
