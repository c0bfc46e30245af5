//! Analytics over the API and as pages: the figures, who sees what, bad input.

use reqwest::StatusCode;

use crate::forecast::ana_and_her_deals;
use crate::helpers::{PASSWORD, on_both_backends};

#[tokio::test]
async fn sales_team_market_and_attribution_answer_with_the_callers_figures() {
    on_both_backends("analytics api", async |app| {
        let (ana, ana_token, team) = ana_and_her_deals(app).await;

        let sales = app
            .get_query("/api/v1/analytics/sales", &app.admin_token, &[("from", "2026-01-01"), ("to", "2026-04-01")])
            .await;
        sales.expect(StatusCode::OK);
        assert_eq!(sales.body["created"], 4, "{}", sales.body);
        assert_eq!((sales.body["won"].as_u64(), sales.body["lost"].as_u64()), (Some(1), Some(0)));
        assert_eq!(sales.body["win_rate"].as_f64(), Some(1.0));
        assert_eq!(sales.body["average_won_minor"], 250_000);
        assert_eq!(sales.body["open_deals"], 3);
        let funnel = sales.body["funnel"].as_array().expect("a funnel");
        assert_eq!(
            funnel.last().map(|s| (&s["stage"], &s["reached"])),
            Some((&serde_json::Value::Null, &serde_json::json!(1)))
        );
        assert!(sales.body["forecast"].is_object(), "administrators see forecast accuracy");

        let backwards = app
            .get_query("/api/v1/analytics/sales", &app.admin_token, &[("from", "2026-04-01"), ("to", "2026-01-01")])
            .await;
        backwards.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(backwards.has_field_error("to", "period_order"));

        let team_report =
            app.get_query("/api/v1/analytics/team", &app.admin_token, &[("period", "2026-03"), ("team", &team)]).await;
        team_report.expect(StatusCode::OK);
        let members = team_report.body["members"].as_array().expect("members");
        let hers = members.iter().find(|m| m["owner"] == ana.as_str()).expect("Ana's line");
        assert_eq!((hers["won"].as_u64(), hers["won_minor"].as_i64()), (Some(1), Some(250_000)));
        // Ana asking sees only herself.
        let own = app.get_query("/api/v1/analytics/team", &ana_token, &[("period", "2026-03")]).await;
        own.expect(StatusCode::OK);
        assert_eq!(own.body["members"].as_array().map(Vec::len), Some(1));
        app.get_query("/api/v1/analytics/team", &ana_token, &[("period", "2026-13")])
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);

        let market = app.get("/api/v1/analytics/market", &app.admin_token).await;
        market.expect(StatusCode::OK);
        assert_eq!(market.body["age_bands"].as_array().map(Vec::len), Some(7));

        let attribution = app
            .get_query(
                "/api/v1/analytics/attribution",
                &app.admin_token,
                &[("from", "2026-01-01"), ("to", "2026-04-01")],
            )
            .await;
        attribution.expect(StatusCode::OK);
        assert_eq!(
            (attribution.body["deals"].as_u64(), attribution.body["revenue_minor"].as_i64()),
            (Some(1), Some(250_000))
        );
        let bad = app.get_query("/api/v1/analytics/attribution", &app.admin_token, &[("by", "planet")]).await;
        bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.has_field_error("by", "invalid_choice"));
    })
    .await;
}

#[tokio::test]
async fn the_analytics_pages_show_their_figures_with_charts_drawn_on_the_server() {
    on_both_backends("analytics pages", async |app| {
        let (_, _, _) = ana_and_her_deals(app).await;
        let form = [("email", "admin@rapport.test"), ("password", PASSWORD), ("next", "/")];
        app.send(app.client.post(app.url("/sign-in")).form(&form)).await;
        let index = app.send(app.client.get(app.url("/analytics"))).await;
        index.expect(StatusCode::OK);
        for href in ["/analytics/sales", "/analytics/team", "/analytics/market", "/analytics/attribution"] {
            assert!(index.text.contains(&format!("href=\"{href}\"")), "the index links {href}");
        }
        let sales =
            app.send(app.client.get(app.url("/analytics/sales?range=custom&from=2026-01-01&to=2026-03-31"))).await;
        sales.expect(StatusCode::OK);
        assert!(sales.text.contains("Sales analytics"));
        assert!(sales.text.contains("data-figure=\"win_rate\">100%<"), "the win rate");
        assert!(sales.text.contains("<svg") && sales.text.contains("role=\"img\""), "charts drawn on the server");
        let team = app.send(app.client.get(app.url("/analytics/team?period=2026-03"))).await;
        team.expect(StatusCode::OK);
        assert!(team.text.contains("data-person=\"Ana Lima\""));
        for (name, country) in [("Rui", "PT"), ("Inês", "PT"), ("Zed", "ZZ")] {
            app.create("contacts", &serde_json::json!({"first_name": name, "country": country})).await;
        }
        let market = app.send(app.client.get(app.url("/analytics/market"))).await;
        market.expect(StatusCode::OK);
        let map_of = |id: &str| {
            let start = market.text.find(&format!("aria-labelledby=\"{id}-title")).expect("a map");
            market.text[start..start + market.text[start..].find("</svg>").expect("its end")].to_owned()
        };
        assert_eq!(map_of("an-map").matches("class=\"an-tile an-heat-").count(), 27, "every state on the map");
        let world = map_of("an-world");
        assert_eq!(world.matches("class=\"an-tile an-heat-").count(), 250, "every country on the world map");
        assert!(
            world.contains("<a href=\"/contacts?filter%5Bcountry%5D%5Beq%5D=PT\"><g class=\"an-tile an-heat-5\""),
            "{world}"
        );
        assert!(world.contains("<title>PT: 2 contacts</title>"));
        assert!(market.text.contains("1 with a code that is no country"), "the contact the map cannot place");
        let bad = app.send(app.client.get(app.url("/analytics/team?period=someday"))).await;
        bad.expect(StatusCode::NOT_FOUND);
    })
    .await;
}
