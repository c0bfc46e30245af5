use proptest::prelude::*;

use super::*;

fn journey(touches: &[(i32, &'static str)], conversion_day: i32, revenue_minor: i64) -> Journey<&'static str> {
    Journey {
        touches: touches.iter().map(|&(day, source)| Touch { day, source }).collect(),
        conversion_day,
        revenue_minor,
    }
}

fn revenue_of(credits: &[Credit<&'static str>], source: Option<&'static str>) -> i64 {
    credits.iter().find(|c| c.source == source).map_or(0, |c| c.revenue_minor)
}

#[test]
fn first_and_last_touch_use_the_days_not_the_input_order() {
    let journeys = [journey(&[(5, "ads"), (1, "seo"), (9, "email")], 10, 1000)];
    let first = attribute(&journeys, Model::FirstTouch);
    assert_eq!(revenue_of(&first, Some("seo")), 1000);
    assert_eq!(first[0].source, Some("seo"));
    assert_eq!(first.len(), 3, "touched sources are listed even with no credit");
    assert!(first.iter().all(|c| c.journeys_touched == 1));
    let last = attribute(&journeys, Model::LastTouch);
    assert_eq!(revenue_of(&last, Some("email")), 1000);
    assert_eq!(last.iter().map(|c| c.conversions).sum::<f64>(), 1.0);
}

#[test]
fn linear_splits_evenly_with_the_leftover_unit_to_the_first() {
    let journeys = [journey(&[(1, "a"), (2, "b"), (3, "c")], 3, 100)];
    let credits = attribute(&journeys, Model::Linear);
    // 33.33 each: the one unit left goes to the first of the equal remainders.
    assert_eq!(revenue_of(&credits, Some("a")), 34);
    assert_eq!(revenue_of(&credits, Some("b")), 33);
    assert_eq!(revenue_of(&credits, Some("c")), 33);
    assert!((credits[0].conversions - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn u_shaped_gives_forty_forty_twenty() {
    let journeys = [journey(&[(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")], 5, 10_000)];
    let credits = attribute(&journeys, Model::UShaped);
    assert_eq!(revenue_of(&credits, Some("a")), 4000);
    assert_eq!(revenue_of(&credits, Some("e")), 4000);
    for middle in ["b", "c", "d"] {
        assert!((666..=667).contains(&revenue_of(&credits, Some(middle))));
    }
    let two = attribute(&[journey(&[(1, "a"), (2, "b")], 2, 10)], Model::UShaped);
    assert_eq!((revenue_of(&two, Some("a")), revenue_of(&two, Some("b"))), (5, 5));
    let one = attribute(&[journey(&[(1, "a")], 2, 10)], Model::UShaped);
    assert_eq!(revenue_of(&one, Some("a")), 10);
}

#[test]
fn time_decay_halves_the_weight_per_half_life() {
    // Ages 0 and 7 days with a 7-day half-life: weights 1 and 1/2 → 2/3 and 1/3.
    let journeys = [journey(&[(3, "old"), (10, "new")], 10, 3000)];
    let credits = attribute(&journeys, Model::TimeDecay { half_life_days: 7 });
    assert_eq!(revenue_of(&credits, Some("new")), 2000);
    assert_eq!(revenue_of(&credits, Some("old")), 1000);
    let sharp = attribute(&journeys, Model::TimeDecay { half_life_days: 0 });
    assert_eq!(revenue_of(&sharp, Some("new")), 3000);
    // Very old touches do not underflow to nothing.
    let ancient = [journey(&[(-2_000_000, "a"), (-1_999_000, "b")], 1_000_000, 10)];
    let credits = attribute(&ancient, Model::TimeDecay { half_life_days: 1 });
    assert_eq!(revenue_of(&credits, Some("b")), 10);
}

#[test]
fn repeated_sources_add_up_and_untouched_journeys_go_to_unknown() {
    let journeys =
        [journey(&[(1, "ads"), (2, "seo"), (3, "ads")], 3, 900), journey(&[], 4, 500), journey(&[(1, "seo")], 1, 100)];
    let credits = attribute(&journeys, Model::Linear);
    assert_eq!(revenue_of(&credits, Some("ads")), 600);
    assert_eq!(revenue_of(&credits, Some("seo")), 400);
    assert_eq!(revenue_of(&credits, None), 500);
    let seo = credits.iter().find(|c| c.source == Some("seo")).unwrap();
    assert_eq!(seo.journeys_touched, 2);
    assert!((seo.conversions - (1.0 / 3.0 + 1.0)).abs() < 1e-12);
    // Sorted by revenue, highest first.
    assert!(credits.windows(2).all(|w| w[0].revenue_minor >= w[1].revenue_minor));
    assert!(attribute::<&str>(&[], Model::Linear).is_empty());
}

#[test]
fn refunds_split_like_sales() {
    let credits = attribute(&[journey(&[(1, "a"), (2, "b"), (3, "c")], 3, -100)], Model::Linear);
    assert_eq!(credits.iter().map(|c| c.revenue_minor).sum::<i64>(), -100);
    assert_eq!(revenue_of(&credits, Some("a")), -34);
}

#[test]
fn compare_puts_models_side_by_side() {
    let journeys = [journey(&[(1, "seo"), (5, "ads")], 5, 1000), journey(&[(2, "seo")], 3, 200)];
    let rows = compare(&journeys, &[Model::FirstTouch, Model::LastTouch, Model::Linear]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].source, Some("seo"));
    assert_eq!(rows[0].revenue_minor, vec![1200, 200, 700]);
    assert_eq!(rows[1].revenue_minor, vec![0, 1000, 500]);
    assert_eq!(rows[0].journeys_touched, 2);
    assert_eq!(rows[1].conversions, vec![0.0, 1.0, 0.5]);
}

#[test]
fn model_keys_are_stable() {
    let keys: Vec<_> = Model::DEFAULTS.iter().map(|m| m.key()).collect();
    assert_eq!(keys, ["first_touch", "last_touch", "linear", "u_shaped", "time_decay"]);
}

fn journeys_strategy() -> impl Strategy<Value = Vec<Journey<u8>>> {
    let touch = (-50i32..50, 0u8..6).prop_map(|(day, source)| Touch { day, source });
    let journey = (prop::collection::vec(touch, 0..8), -10i32..60, -1_000_000_000i64..1_000_000_000_000)
        .prop_map(|(touches, conversion_day, revenue_minor)| Journey { touches, conversion_day, revenue_minor });
    prop::collection::vec(journey, 0..12)
}

fn every_model() -> impl Strategy<Value = Model> {
    prop_oneof![
        Just(Model::FirstTouch),
        Just(Model::LastTouch),
        Just(Model::Linear),
        Just(Model::UShaped),
        (0u32..40).prop_map(|half_life_days| Model::TimeDecay { half_life_days }),
    ]
}

proptest! {
    #[test]
    fn every_journey_is_credited_exactly_its_revenue(journeys in journeys_strategy(), model in every_model()) {
        for journey in &journeys {
            let parts = credit_journey(journey, model);
            prop_assert_eq!(parts.iter().map(|p| p.2).sum::<i64>(), journey.revenue_minor);
            prop_assert!((parts.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-9);
            prop_assert!(parts.iter().all(|p| p.2.signum() * journey.revenue_minor.signum() >= 0));
        }
        let credits = attribute(&journeys, model);
        prop_assert_eq!(
            credits.iter().map(|c| c.revenue_minor).sum::<i64>(),
            journeys.iter().map(|j| j.revenue_minor).sum::<i64>()
        );
        prop_assert!((credits.iter().map(|c| c.conversions).sum::<f64>() - journeys.len() as f64).abs() < 1e-9);
    }

    #[test]
    fn split_is_exact_for_any_shares(total in any::<i64>(), raw in prop::collection::vec(0.0f64..1.0, 1..20)) {
        let sum: f64 = raw.iter().sum();
        prop_assume!(sum > 0.0);
        let shares: Vec<f64> = raw.iter().map(|r| r / sum).collect();
        let parts = split_exactly(total, &shares);
        prop_assert_eq!(parts.iter().map(|&p| i128::from(p)).sum::<i128>(), i128::from(total));
    }
}
