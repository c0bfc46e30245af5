use super::*;

fn row(last_day: i32, purchases: u32, total_minor: i64) -> PurchaseSummary {
    PurchaseSummary { first_day: 0, last_day, purchases, total_minor }
}

#[test]
fn ten_distinct_customers_fall_two_per_quintile() {
    // Customer i bought last on day 100 + i, i + 1 times, for (i + 1) × 1000.
    let rows: Vec<_> = (0..10).map(|i| row(100 + i, i as u32 + 1, (i as i64 + 1) * 1000)).collect();
    let scores = score(&rows, 120);
    let expected = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
    for (score, want) in scores.iter().zip(expected) {
        assert_eq!((score.recency, score.frequency, score.monetary), (want, want, want));
    }
    assert_eq!(scores[0].recency_days, 20);
    assert_eq!(scores[9].recency_days, 11);
}

#[test]
fn scores_come_back_in_input_order() {
    let rows = [row(10, 1, 500), row(50, 9, 100), row(30, 3, 900)];
    let scores = score(&rows, 60);
    // Three customers: mid-rank percentiles 1/6, 3/6, 5/6 → ceil(5 × ·) = 1, 3, 5.
    assert_eq!(scores[0].recency, 1);
    assert_eq!(scores[1].recency, 5);
    assert_eq!(scores[2].recency, 3);
    assert_eq!((scores[0].frequency, scores[1].frequency, scores[2].frequency), (1, 5, 3));
    assert_eq!((scores[0].monetary, scores[1].monetary, scores[2].monetary), (3, 1, 5));
}

#[test]
fn ties_share_one_score() {
    // Frequencies: six one-time buyers, then 2, 3, 4, 5 orders.
    let purchases = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5];
    let rows: Vec<_> = purchases.iter().map(|&p| row(0, p, 100)).collect();
    let scores = score(&rows, 0);
    // The six ties sit at mid-rank percentile 3/10 → ceil(1.5) = 2, all of them.
    for s in &scores[..6] {
        assert_eq!(s.frequency, 2);
    }
    assert_eq!(scores[6].frequency, 4); // (6 + 0.5) / 10 → ceil(3.25)
    assert_eq!(scores[9].frequency, 5);
    // All monetary values equal: everyone in the middle.
    assert!(scores.iter().all(|s| s.monetary == 3));
}

#[test]
fn identical_customers_and_a_single_customer_score_three() {
    let rows = vec![row(7, 2, 300); 1000];
    assert!(score(&rows, 10).iter().all(|s| (s.recency, s.frequency, s.monetary) == (3, 3, 3)));
    let one = score(&rows[..1], 10);
    assert_eq!((one[0].recency, one[0].frequency, one[0].monetary), (3, 3, 3));
    assert_eq!(one[0].segment, Segment::NeedAttention);
    assert!(score(&[], 10).is_empty());
}

#[test]
fn better_values_never_score_lower() {
    // A pseudo-random mix with many ties; the scores must be monotone in each value.
    let rows: Vec<_> = (0..2000u32)
        .map(|i| {
            let h = i.wrapping_mul(2_654_435_761);
            row((h % 97) as i32, h % 13 + 1, i64::from(h % 1009) * 10)
        })
        .collect();
    let scores = score(&rows, 100);
    for (a, sa) in rows.iter().zip(&scores) {
        for (b, sb) in rows.iter().zip(&scores).step_by(37) {
            if a.last_day <= b.last_day {
                assert!(sa.recency <= sb.recency);
            }
            if a.purchases <= b.purchases {
                assert!(sa.frequency <= sb.frequency);
            }
            if a.total_minor <= b.total_minor {
                assert!(sa.monetary <= sb.monetary);
            }
        }
    }
    // Roughly a fifth in each score when values are spread.
    for q in 1..=5 {
        let count = scores.iter().filter(|s| s.recency == q).count();
        assert!((300..=500).contains(&count), "recency {q}: {count}");
    }
}

#[test]
fn the_grid_maps_corners_to_the_named_segments() {
    assert_eq!(Segment::of(5, 5, 5), Segment::Champions);
    assert_eq!(Segment::of(4, 5, 4), Segment::Loyal);
    assert_eq!(Segment::of(5, 2, 3), Segment::PotentialLoyalists);
    assert_eq!(Segment::of(5, 1, 1), Segment::NewCustomers);
    assert_eq!(Segment::of(4, 1, 1), Segment::Promising);
    assert_eq!(Segment::of(3, 3, 3), Segment::NeedAttention);
    assert_eq!(Segment::of(3, 1, 2), Segment::AboutToSleep);
    assert_eq!(Segment::of(2, 4, 3), Segment::AtRisk);
    assert_eq!(Segment::of(1, 5, 5), Segment::CantLoseThem);
    assert_eq!(Segment::of(2, 1, 2), Segment::Hibernating);
    assert_eq!(Segment::of(1, 1, 1), Segment::Lost);
    // Every score combination has a segment and each segment is reachable.
    let mut seen = std::collections::BTreeSet::new();
    for r in 1..=5 {
        for f in 1..=5 {
            for m in 1..=5 {
                seen.insert(Segment::of(r, f, m));
            }
        }
    }
    assert_eq!(seen.len(), Segment::ALL.len());
}

#[test]
fn segment_keys_are_stable_and_parse_back() {
    for (index, segment) in Segment::ALL.into_iter().enumerate() {
        assert_eq!(segment as usize, index, "summarize indexes by discriminant");
        assert_eq!(Segment::parse(segment.as_str()), Some(segment));
        let json = serde_json::to_string(&segment).unwrap();
        assert_eq!(json, format!("\"{}\"", segment.as_str()));
    }
    assert_eq!(Segment::CantLoseThem.as_str(), "cant_lose_them");
    assert_eq!(Segment::parse("Champions"), None);
}

#[test]
fn summary_counts_shares_and_means_per_segment() {
    let rows = [row(100, 10, 5000), row(100, 8, 7000), row(10, 1, 100), row(12, 1, 300)];
    let scores = score(&rows, 100);
    let summary = summarize(&scores, &rows);
    assert_eq!(summary.len(), Segment::ALL.len());
    assert_eq!(summary.iter().map(|s| s.customers).sum::<u64>(), 4);
    assert!((summary.iter().map(|s| s.share).sum::<f64>() - 1.0).abs() < 1e-12);
    for s in &summary {
        let members: Vec<_> = rows.iter().zip(&scores).filter(|(_, score)| score.segment == s.segment).collect();
        assert_eq!(s.customers, members.len() as u64);
        assert_eq!(s.total_minor, members.iter().map(|(r, _)| r.total_minor).sum::<i64>());
        if members.is_empty() {
            assert_eq!((s.share, s.average_purchases, s.average_recency_days), (0.0, 0.0, 0.0));
        } else {
            let mean_recency =
                members.iter().map(|(_, sc)| f64::from(sc.recency_days)).sum::<f64>() / members.len() as f64;
            assert!((s.average_recency_days - mean_recency).abs() < 1e-9);
        }
    }
    let top = summary.iter().find(|s| s.segment == scores[0].segment).unwrap();
    assert!(top.customers >= 1);
    assert!(summarize(&[], &[]).iter().all(|s| s.customers == 0 && s.share == 0.0));
}

/// `cargo test --release -p rapport-analytics -- --ignored --nocapture rfm_one_million`
#[test]
#[ignore = "a measurement, run in release"]
fn rfm_one_million_customers() {
    let rows: Vec<_> = (0..1_000_000u32)
        .map(|i| {
            let h = i.wrapping_mul(2_654_435_761);
            row(20_000 + (h % 730) as i32, h % 37 + 1, i64::from(h % 1_000_003))
        })
        .collect();
    let started = std::time::Instant::now();
    let scores = score(&rows, 20_730);
    let scored = started.elapsed();
    let summary = summarize(&scores, &rows);
    eprintln!("score 1M: {scored:?}, score + summarize: {:?}", started.elapsed());
    assert_eq!(summary.iter().map(|s| s.customers).sum::<u64>(), 1_000_000);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn equal_values_share_a_score_and_better_never_scores_lower(
            raw in prop::collection::vec((0i32..20, 1u32..6, 0i64..10), 0..200)
        ) {
            let rows: Vec<_> = raw.iter().map(|&(last, purchases, total)| row(last, purchases, total)).collect();
            let scores = score(&rows, 30);
            prop_assert_eq!(scores.len(), rows.len());
            for (a, sa) in rows.iter().zip(&scores) {
                prop_assert!((1..=5).contains(&sa.recency) && (1..=5).contains(&sa.frequency) && (1..=5).contains(&sa.monetary));
                for (b, sb) in rows.iter().zip(&scores) {
                    if a.last_day <= b.last_day { prop_assert!(sa.recency <= sb.recency); }
                    if a.purchases <= b.purchases { prop_assert!(sa.frequency <= sb.frequency); }
                    if a.total_minor <= b.total_minor { prop_assert!(sa.monetary <= sb.monetary); }
                }
            }
        }
    }
}
